"""teitools: validate, read, cite and publish scholarly editions of letters in TEI P5.

The public API is loaded on first use, so that importing a reader, a renderer or an exporter
(``teitools.model.tei``, ``teitools.render.text``, ``teitools.export.cmif``...) does not load
the validator.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

#: The one place the version is written; the build reads it from here (``[tool.hatch.version]``).
__version__ = "0.1.0"

if TYPE_CHECKING:
    from teitools.diagnostics import Diagnostic, Report, Severity
    from teitools.errors import TeiToolsError
    from teitools.validation.runner import ValidateOptions, is_valid, iter_diagnostics, validate

#: Public name -> the module that defines it.
_PUBLIC = {
    "Diagnostic": "teitools.diagnostics",
    "Report": "teitools.diagnostics",
    "Severity": "teitools.diagnostics",
    "TeiToolsError": "teitools.errors",
    "ValidateOptions": "teitools.validation.runner",
    "is_valid": "teitools.validation.runner",
    "iter_diagnostics": "teitools.validation.runner",
    "validate": "teitools.validation.runner",
}


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'teitools' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC])


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
