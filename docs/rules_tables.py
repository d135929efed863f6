"""Regenerate the rule tables of docs/rules.md from teitools/validation/rule_catalogue.py.

Run from the checkout: ``python docs/rules_tables.py``. Only the text between each
``<!-- rules:start NAME -->`` and ``<!-- rules:end -->`` changes; tests/test_design_doc.py
fails when the committed page differs from what this writes.
"""

from __future__ import annotations

from pathlib import Path

from teitools.validation.rule_catalogue import with_tables

PAGE = Path(__file__).resolve().parent / "rules.md"

if __name__ == "__main__":
    PAGE.write_text(with_tables(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
