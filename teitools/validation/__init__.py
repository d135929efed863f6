"""Validation in layers: well-formedness, RELAX NG, Schematron, cross-file checks.

:mod:`.runner` runs them (``validate``, ``is_valid``, ``iter_diagnostics``); this package
imports nothing itself, so that reading the rule catalogue does not load the validator.
"""
