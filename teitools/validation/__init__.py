"""Validation in layers: well-formedness, RELAX NG, Schematron, cross-file checks."""

from teitools.validation.runner import ValidateOptions, is_valid, iter_diagnostics, validate

__all__ = ["ValidateOptions", "is_valid", "iter_diagnostics", "validate"]
