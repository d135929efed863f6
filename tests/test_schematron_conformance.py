"""The Schematron conformance set: each feature, in both query bindings, finds what is expected.

``tests/fixtures/schematron/<feature>/`` holds ``instance.xml``, one schema per query binding
(``xslt.sch`` runs on lxml's XSLT 1 fast path, ``xslt2.sch`` on the XPath 2 engine) and the
findings both must give: ``expected.txt`` for the default phase, ``expected@PHASE.txt`` for
another phase. Each line is ``LINE SEVERITY RULE-ID[ [flag=F]]: MESSAGE``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from teitools.diagnostics import Diagnostic
from teitools.load.parser import load
from teitools.validation.positions import SourceLines
from teitools.validation.schematron.engines import compile_rules
from tests.helpers import FIXTURES

CONFORMANCE = FIXTURES / "schematron"
CASES = [
    (schema, expected)
    for folder in sorted(p for p in CONFORMANCE.iterdir() if p.is_dir())
    for schema in sorted(folder.glob("xslt*.sch"))
    for expected in sorted(folder.glob("expected*.txt"))
]
ENGINE_OF_BINDING = {"xslt": "xpath1", "xslt2": "xpath2"}


def _line(finding: Diagnostic) -> str:
    flag = finding.detail("flag")
    shown_flag = f" [flag={flag}]" if flag else ""
    return f"{finding.line} {finding.severity} {finding.rule}{shown_flag}: {finding.message}"


def _phase(expected: Path) -> str | None:
    return expected.stem.partition("@")[2] or None


@pytest.mark.parametrize(
    ("schema", "expected"), CASES, ids=[f"{s.parent.name}-{s.stem}-{e.stem}" for s, e in CASES]
)
def test_feature_gives_the_expected_findings(schema: Path, expected: Path) -> None:
    rules = compile_rules(schema, _phase(expected))
    assert rules.engine == ENGINE_OF_BINDING[schema.stem]
    instance = schema.parent / "instance.xml"
    found = rules.check(load(instance), SourceLines(instance), str(instance))
    assert sorted(_line(f) for f in found) == sorted(expected.read_text().splitlines())


def test_every_feature_has_both_bindings() -> None:
    for folder in (p for p in CONFORMANCE.iterdir() if p.is_dir()):
        assert {p.name for p in folder.glob("xslt*.sch")} == {"xslt.sch", "xslt2.sch"}, folder


def test_xpath2_findings_point_at_the_attribute_column() -> None:
    schema = CONFORMANCE / "ns" / "xslt2.sch"
    instance = schema.parent / "instance.xml"
    [finding] = compile_rules(schema).check(load(instance), SourceLines(instance), str(instance))
    assert finding.detail("kind") == "failed-assert"
    assert finding.detail("test") == "matches(@ref, '^#\\w+$')"
    assert finding.column == 40


XSLT2_CASES = [(s, e) for s, e in CASES if s.stem == "xslt2"]


@pytest.mark.parametrize(
    ("schema", "expected"), XSLT2_CASES, ids=[f"{s.parent.name}-{e.stem}" for s, e in XSLT2_CASES]
)
def test_xslt3_binding_gives_the_same_findings(schema: Path, expected: Path, tmp_path: Path) -> None:
    """The xslt2 schemas read as xslt3 (XPath 3.1 parser) find exactly the same."""
    folder = tmp_path / schema.parent.name
    shutil.copytree(schema.parent, folder)
    xslt3 = folder / "xslt3.sch"
    xslt3.write_text(schema.read_text().replace('queryBinding="xslt2"', 'queryBinding="xslt3"'))
    rules = compile_rules(xslt3, _phase(expected))
    instance = folder / "instance.xml"
    found = rules.check(load(instance), SourceLines(instance), str(instance))
    assert sorted(_line(f) for f in found) == sorted(expected.read_text().splitlines())
