"""Third-party TEI files validated on their own terms: CMIF, the SIG's correspDesc examples,
tei_all with its embedded Schematron; RELAX NG verdicts compared with jing's.

The files declare their schemas by URL; a catalog written for each test maps those URLs to
the reference copies in ../shared/reference (the tests skip when it is absent).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

from teitools.diagnostics import Diagnostic
from teitools.load.declarations import RELAXNG
from teitools.load.parser import load
from teitools.validation.catalog import Catalogs
from teitools.validation.positions import SourceLines
from teitools.validation.runner import ValidateOptions, validate
from teitools.validation.sandbox import Limits
from teitools.validation.schema_jobs import jobs_for_file, run_jobs
from teitools.validation.schematron.engines import compile_rules
from tests.helpers import EDITION, FIXTURES, REFERENCE, reference_file

CMIF_URL = "https://raw.githubusercontent.com/TEI-Correspondence-SIG/CMIF/master/schema/"
TEI_ALL_URL = (
    "http://teijenkins.hcmc.uvic.ca/job/TEIP5/lastSuccessfulBuild/artifact/release/"
    "xml/tei/custom/schema/relaxng/tei_all.rng"
)
SIG_EXAMPLES = [
    "example01_basic.xml",
    "example02_email.xml",
    "example03_more-than-one-addressee.xml",
    "example04_more-than-one-sender.xml",
    "example05_fictional-letter.xml",
    "example06_embedded-letter.xml",
    "example07_anthology-of-letters.xml",
    "example09_redirecting.xml",
    "example11_one-witness-two-correspDesc.xml",
    "example12_several-witnesses-one-correspDesc.xml",
    "example13_correspDesc-pointing-to-participDesc.xml",
]
TEI_CONSTRAINTS = sorted((FIXTURES / "tei-constraints").glob("*.xml"))
VALID_FILES = sorted(EDITION.rglob("*.xml")) + sorted((FIXTURES / "valid").glob("*.xml"))
_REFERENCE = REFERENCE
#: Every file whose RELAX NG verdict is compared with jing's, by schema.
JING_FILES = {
    "tei_all_4.9.0.rng": [
        *VALID_FILES,
        *TEI_CONSTRAINTS,
        *(_REFERENCE / "correspdesc-examples" / n for n in SIG_EXAMPLES),
    ],
    "cmi-customization.rng": [
        _REFERENCE / "cmif" / "example01_basic.xml",
        _REFERENCE / "cmif" / "example02_cmi-with-printed-edition.xml",
    ],
}
EXPECT_TEI = re.compile(r"<!-- expect-tei: (\S+) line (\d+)")


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    cmif = reference_file("cmif", "cmi-customization.rng").parent
    tei_all = reference_file("tei", "tei_all_4.9.0.rng")
    path = tmp_path / "catalog.xml"
    path.write_text(
        '<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">\n'
        f'  <rewriteURI uriStartString="{CMIF_URL}" rewritePrefix="{cmif.as_uri()}/"/>\n'
        f'  <uri name="{TEI_ALL_URL}" uri="{tei_all.as_uri()}"/>\n'
        "</catalog>\n",
        encoding="utf-8",
    )
    return path


def _jing_valid(schema: Path, document: Path) -> bool:
    """jing's verdict on ``document``; one jing run per schema covers every file tested."""
    return document.resolve() not in _jing_invalid(schema)


@cache
def _jing_invalid(schema: Path) -> frozenset[Path]:
    jing = shutil.which("jing")
    if jing is None:
        pytest.skip("jing is not installed (Debian package jing)")
    files = [str(p) for p in JING_FILES.get(schema.name, ()) if p.exists()]
    result = subprocess.run([jing, str(schema), *files], capture_output=True, text=True, check=False)
    return frozenset(
        Path(line.split(":", 1)[0]).resolve() for line in result.stdout.splitlines() if ": error:" in line
    )


def _grammar_findings(diagnostics: tuple[Diagnostic, ...]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.rule == "rng-invalid"]


def test_cmif_example01_is_invalid_for_cert_medium(catalog: Path) -> None:
    example = reference_file("cmif", "example01_basic.xml")
    report = validate([example], ValidateOptions(catalogs=(catalog,)))
    assert report.failed()
    cert = [d for d in report.diagnostics if 'cert="medium"' in d.message]
    assert [(d.rule, d.line) for d in cert] == [("rng-invalid", 43)]
    assert "allowed values: low" in cert[0].message
    assert not [d for d in report.diagnostics if d.rule.startswith("schema-")]
    assert not _jing_valid(reference_file("cmif", "cmi-customization.rng"), example)


def test_cmif_example02_is_invalid_for_cert_high(catalog: Path) -> None:
    example = reference_file("cmif", "example02_cmi-with-printed-edition.xml")
    report = validate([example], ValidateOptions(catalogs=(catalog,)))
    assert ("rng-invalid", 53) in [(d.rule, d.line) for d in report.diagnostics if 'cert="high"' in d.message]
    assert not _jing_valid(reference_file("cmif", "cmi-customization.rng"), example)


def test_cmif_schematron_runs_with_xpath2(catalog: Path, tmp_path: Path) -> None:
    """cmif.sch (queryBinding xslt2, matches()) declared beside the RNG, on a copy whose
    correspDesc/@source points nowhere: E0003 at that line, on the XPath 2 engine."""
    assert compile_rules(reference_file("cmif", "cmif.sch")).engine == "xpath2"
    text = reference_file("cmif", "example01_basic.xml").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines.insert(
        2, f'<?xml-model href="{CMIF_URL}cmif.sch" schematypens="http://purl.oclc.org/dsdl/schematron"?>'
    )
    lines[51] = lines[51].replace('source="#f5055f00', 'source="#00000000')  # file line 52
    # In a folder of its own: the catalog beside it would be in its repository, and a catalog
    # in the repository may not map to the reference copies outside it.
    copy = tmp_path / "letters" / "example01_with_sch.xml"
    copy.parent.mkdir()
    copy.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = validate([copy], ValidateOptions(catalogs=(catalog,)))
    [e0003] = [d for d in report.diagnostics if "[E0003]" in d.message]
    assert (e0003.line, e0003.severity, e0003.rule) == (52, "error", "correspDesc")
    assert e0003.column == lines[51].index("source=") + 1
    assert e0003.detail("test") == "substring-after(., '#')=ancestor::tei:TEI//tei:bibl/@xml:id"
    assert [d.line for d in report.diagnostics if 'cert="medium"' in d.message] == [44]


@pytest.mark.slow
def test_sig_examples_are_valid_through_their_tei_all_declarations(catalog: Path) -> None:
    examples = [reference_file("correspdesc-examples", name) for name in SIG_EXAMPLES]
    report = validate(examples, ValidateOptions(catalogs=(catalog,)))
    assert report.diagnostics == ()
    tei_all = reference_file("tei", "tei_all_4.9.0.rng")
    assert all(_jing_valid(tei_all, example) for example in examples)


@cache
def _tei_all_jobs() -> tuple[Catalogs, list]:  # type: ignore[type-arg]
    tei_all = reference_file("tei", "tei_all_4.9.0.rng")
    jobs = jobs_for_file(tei_all)
    assert [job.language for job in jobs] == [RELAXNG, "schematron"]
    return Catalogs(), jobs


def _tei_all(path: Path) -> tuple[list[Diagnostic], list[Diagnostic]]:
    catalogs, jobs = _tei_all_jobs()
    data = path.read_bytes()
    outcome = run_jobs(
        load(path),
        jobs,
        catalogs,
        SourceLines(path, data),
        str(path),
        data=data,
        limits=Limits(),
        raise_errors=True,
    )
    return list(outcome.grammar), list(outcome.rules)


@pytest.mark.slow
@pytest.mark.parametrize("path", VALID_FILES, ids=lambda p: p.name)
def test_edition_and_valid_fixtures_pass_tei_all_with_embedded_schematron(path: Path) -> None:
    grammar, rules = _tei_all(path)
    assert grammar == []
    assert rules == []
    assert _jing_valid(reference_file("tei", "tei_all_4.9.0.rng"), path)


@pytest.mark.slow
@pytest.mark.parametrize("path", TEI_CONSTRAINTS, ids=lambda p: p.stem)
def test_embedded_tei_constraints_are_reported(path: Path) -> None:
    match = EXPECT_TEI.search(path.read_text(encoding="utf-8"))
    assert match, f"{path.name} does not say what it expects"
    grammar, rules = _tei_all(path)
    assert grammar == []  # valid RELAX NG, as jing agrees: only the embedded rule fails
    assert _jing_valid(reference_file("tei", "tei_all_4.9.0.rng"), path)
    assert [(d.rule, d.line) for d in rules] == [(match[1], int(match[2]))]
