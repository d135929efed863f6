"""teitools: validate, read, cite and publish scholarly editions of letters in TEI P5."""

from teitools.diagnostics import Diagnostic, Report, Severity
from teitools.errors import TeiToolsError
from teitools.validation import ValidateOptions, is_valid, iter_diagnostics, validate

__version__ = "0.1.0"

__all__ = [
    "Diagnostic",
    "Report",
    "Severity",
    "TeiToolsError",
    "ValidateOptions",
    "__version__",
    "is_valid",
    "iter_diagnostics",
    "validate",
]
