"""Editions on their own schemas (issue 13, part 1): an XSD 1.1 with XPath 2 Schematron in its
``xs:appinfo``, declared by every letter, as one public edition publishes it.

Each ``tests/fixtures/foreign-xsd/*.xml`` says what it must produce, one comment per finding
(``<!-- expect: RULE line N -->``); a file without such comments must pass. The expected
results are worked by hand from the XPath 2 and XSD specifications (as Saxon and SchXslt
answer): no Saxon is needed at test time.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import elementpath
import pytest
import xmlschema
from lxml import etree, isoschematron

from teitools.validation import sandbox, xsd
from teitools.validation.runner import ValidateOptions, validate
from teitools.validation.schematron import xpath2  # noqa: F401 -- installs the corrections
from teitools.validation.schematron.source import read_schematron_tree
from teitools.validation.schematron.xpath_semantics import xsd_escapes
from tests.helpers import FIXTURES

FOREIGN = FIXTURES / "foreign-xsd"
FILES = sorted(FOREIGN.glob("*.xml"))
EXPECT = re.compile(r"<!-- expect: ([a-z0-9-]+) line (\d+)")


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from ``tmp_path``, outside any repository: the schemas beside a fixture may be declared."""
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("fixture", FILES, ids=[p.stem for p in FILES])
def test_foreign_fixture_gives_exactly_the_expected_findings(fixture: Path) -> None:
    expected = Counter((rule, int(line)) for rule, line in EXPECT.findall(fixture.read_text("utf-8")))
    report = validate([fixture])
    assert Counter((d.rule, d.line) for d in report.diagnostics) == expected, report.diagnostics


def test_an_xsd_error_listing_prefixed_names_is_a_finding_not_a_crash() -> None:
    """xmlschema writes what it expected as ``tei:p`` when the schema binds the prefix."""
    report = validate([FOREIGN / "invalid.xml"])
    [salute] = [d for d in report.diagnostics if d.line == 11]
    assert salute.message == "<salute> is not allowed at this position inside <div>; expected: p"


def test_distinct_errors_on_one_line_are_each_reported() -> None:
    """Two <rs type="telegram"> on one line: two grammar findings and two rule findings, one
    of each kind per element (never merged because their line and message are the same)."""
    report = validate([FOREIGN / "invalid.xml"])
    on_line = [(d.rule, d.xpath) for d in report.diagnostics if d.line == 12]
    assert Counter(rule for rule, _ in on_line) == {"xsd-invalid": 2, "rs-names-nobody": 2}
    assert len(set(on_line)) == 4  # each rule once on each of the two elements


def test_relax_ng_errors_on_two_elements_of_one_line_are_two_findings(tmp_path: Path) -> None:
    """As jing reports them: one finding per <rs type="telegram">, two of them on line 3."""
    (tmp_path / "s.rng").write_text(
        '<grammar xmlns="http://relaxng.org/ns/structure/1.0"><start><element name="doc"><oneOrMore>'
        '<element name="p"><zeroOrMore><element name="rs"><attribute name="type"><choice>'
        "<value>person</value><value>place</value></choice></attribute><text/></element></zeroOrMore>"
        "</element></oneOrMore></element></start></grammar>",
        encoding="utf-8",
    )
    document = tmp_path / "d.xml"
    document.write_text(
        '<?xml-model href="s.rng"?>\n<doc>\n<p><rs type="telegram">a</rs> <rs type="telegram">b</rs></p>\n'
        '<p><rs type="telegram">c</rs></p></doc>\n',
        encoding="utf-8",
    )
    found = [(d.line, d.rule) for d in validate([document]).diagnostics]
    assert found == [(3, "rng-invalid"), (3, "rng-invalid"), (4, "rng-invalid")]


def test_a_grammar_error_is_not_folded_into_a_rule_on_the_same_element(tmp_path: Path) -> None:
    """Run as the project's schema (where one mistake found by both is folded into one), a
    wrong @type and a name pointing nowhere are two mistakes, both reported."""
    letter = tmp_path / "letter.xml"
    letter.write_text(
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><div>\n'
        '<p><rs type="telegram">a telegram</rs></p>\n'
        "</div></body></text></TEI>\n",
        encoding="utf-8",
    )
    options = ValidateOptions(project_schemas=(FOREIGN / "letters.xsd",), registers=())
    found = sorted((d.line, d.rule) for d in validate([letter], options).diagnostics)
    assert found == [(2, "rs-names-nobody"), (2, "xsd-invalid")]


def test_a_broken_declared_schema_is_one_finding_on_the_schema(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    shutil.copytree(FOREIGN / "broken", folder)
    for options in (ValidateOptions(), ValidateOptions(jobs=2), ValidateOptions(cache_dir=tmp_path / "c")):
        for _ in range(2):  # with a cache: the second run gives the results back from it
            [finding] = validate([folder], options).diagnostics
            assert (finding.rule, Path(finding.file).name, finding.line) == (
                "schema-invalid",
                "broken.xsd",
                10,
            )
            assert "'count(tei:hi) le' does not compile" in finding.message
            assert finding.message.endswith(f"(declared by 3 files, among them {folder / 'letter-1.xml'})")
            assert finding.detail("declaring-files") == "3"


def test_a_bug_on_one_file_is_a_finding_for_it_and_the_others_are_still_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: object
) -> None:
    original = xsd.check_xsd

    def failing(tree: etree._ElementTree, *args: object) -> object:
        if tree.getroot().get("n") == "boom":
            raise ValueError("Invalid tag name 'tei:del'")
        return original(tree, *args)  # type: ignore[arg-type]

    folder = tmp_path / "letters"
    folder.mkdir()
    shutil.copy(FOREIGN / "letters.xsd", folder)
    shutil.copy(FOREIGN / "invalid.xml", folder / "a.xml")
    boom = (FOREIGN / "valid.xml").read_text("utf-8").replace('n="1932\u00a007"', 'n="boom"')
    (folder / "b.xml").write_text(boom, encoding="utf-8")
    monkeypatch.setattr(xsd, "check_xsd", failing)
    sandbox.stop()  # the next worker is forked from this process as it is now, patched
    try:
        report = validate([folder])
    finally:
        sandbox.stop()
    internal = [d for d in report.diagnostics if d.rule == "internal-error"]
    assert [(Path(d.file).name, d.line) for d in internal] == [("b.xml", 1)]
    assert "ValueError: Invalid tag name 'tei:del'" in internal[0].message
    assert "(at schema_jobs.py:" in internal[0].message  # the innermost frame in teitools
    others = Counter(d.rule for d in report.diagnostics if Path(d.file).name == "a.xml")
    assert others == {"xsd-invalid": 4, "rs-names-nobody": 2, "n-no-space": 1}


# -- XPath 2 and XSD semantics, as the specifications define them ----------------------------

DOCUMENT = etree.fromstring(
    "<r><p>a<b>b<i>c</i>d</b>e</p><p>f<b>g</b>h</p>"
    "<c>Yours<!-- a note --> truly<?pi x?>.</c><q><hi>Yours <em>truly</em></hi>.</q></r>"
).getroottree()


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # \s is XML whitespace only: space, tab, CR, LF (F&O 7.6.1, XSD Part 2 F.1.1).
        ('matches("a\u00a0b", "a\\sb")', False),
        ('matches("a\u2009b", "a\\sb")', False),
        ('matches("a\tb", "a\\sb")', True),
        ('matches("a\u00a0b", "^a\\Sb$")', True),
        ('replace("a\u00a0 b", "\\s+", "-")', "a\u00a0-b"),
        ('tokenize("a\u00a0b c", "\\s")', ["a\u00a0b", "c"]),
        ('matches("x\u00a0", "[\\s]")', False),
        # \d is \p{Nd}; \w is everything but punctuation, separators and "other" characters.
        ('matches("\u0663", "^\\d$")', True),
        ('matches("\u00b2", "^\\d$")', False),
        ('matches("_", "^\\w$")', False),
        ('matches("$", "^\\w$")', True),
        ('matches("e\u0301", "^\\w+$")', True),
        ('matches("-", "^\\W$")', True),
        # An escaped backslash is not an escape; classes keep their meaning.
        ('matches("\\s", "^\\\\s$")', True),
        ('matches("\u00a0", "[^\\s]")', True),
        # Path results in document order.
        ("string-join(//p//text(), '')", "abcdefgh"),
        ("string-join(//*/text(), '')", "abcdefgh" + "Yours truly." + "Yours truly."),
        ("string((//p//text())[2])", "b"),
        ("string((//p[1]//text())[last()])", "e"),
        # The string value: every descendant text in order, comments and PIs skipped, not their tails.
        ("string(//p[1])", "abcde"),
        ("string(/r/c)", "Yours truly."),
        ("normalize-space(/r/q)", "Yours truly."),
    ],
)
def test_xpath2_answers_as_the_specification(expression: str, expected: object) -> None:
    found = elementpath.select(DOCUMENT, expression, parser=elementpath.XPath2Parser)  # type: ignore[arg-type]  # lxml trees are accepted
    if isinstance(expected, list):
        assert found == expected
    else:
        assert found in (expected, [expected]), found


@pytest.mark.parametrize(
    ("pattern", "rewritten"),
    [
        ("\\s+", "[\\s]+"),
        ("a\\Sb", "a[\\S]b"),
        ("[\\s,]+", "[\\s,]+"),
        ("[a-z-[\\d]]\\d", "[a-z-[\\d]][\\d]"),
        ("\\\\s", "\\\\s"),
        ("\\p{Lu}\\w", "\\p{Lu}[\\w]"),
    ],
)
def test_escapes_outside_classes_are_rewritten_as_classes(pattern: str, rewritten: str) -> None:
    assert xsd_escapes(pattern) == rewritten


def test_an_xsd_pattern_reads_s_as_the_xsd_specification() -> None:
    """teitools.validation.xsd, imported above, corrects xmlschema's patterns too."""
    schema = xmlschema.XMLSchema10(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="n"><xs:simpleType>'
        '<xs:restriction base="xs:string"><xs:pattern value="\\S+"/></xs:restriction>'
        "</xs:simpleType></xs:element></xs:schema>"
    )
    assert schema.is_valid("<n>1932\u00a007</n>")
    assert not schema.is_valid("<n>1932 07</n>")


SAXON_JAR = Path("/usr/share/java/Saxon-HE.jar")


@pytest.mark.slow
@pytest.mark.skipif(
    not SAXON_JAR.is_file() or shutil.which("java") is None,
    reason="needs Java and Saxon-HE (Debian's libsaxonhe-java) at /usr/share/java/Saxon-HE.jar",
)
def test_the_embedded_rules_find_what_saxon_finds(tmp_path: Path) -> None:
    """The XSD's Schematron, extracted as teitools reads it and run by Saxon (through the ISO
    skeleton's XSLT, which Saxon evaluates with its own XPath 2 and regular expressions), fires
    the same asserts on each fixture as teitools' engine."""
    schema = read_schematron_tree(FOREIGN / "letters.xsd")
    schema.getroot().set("queryBinding", "xslt")  # the XSLT 1 skeleton; Saxon runs XPath 2 in it
    stylesheet = tmp_path / "validator.xsl"
    stylesheet.write_bytes(etree.tostring(isoschematron.iso_svrl_for_xslt1(schema)))
    letters, out = tmp_path / "letters", tmp_path / "svrl"
    letters.mkdir()
    out.mkdir()
    shutil.copy(FOREIGN / "letters.xsd", letters)
    for fixture in FILES:
        shutil.copy(fixture, letters)
    ours = validate([letters / f.name for f in FILES])
    java = [str(shutil.which("java")), "-cp", str(SAXON_JAR), "net.sf.saxon.Transform"]
    done = subprocess.run(
        [*java, f"-s:{letters}", f"-xsl:{stylesheet}", f"-o:{out}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for fixture in FILES:
        svrl = etree.parse(str(out / fixture.name))
        saxon = Counter(str(a) for a in svrl.xpath("//svrl:failed-assert/@id", namespaces=SVRL))
        found = Counter(
            d.rule
            for d in ours.diagnostics
            if Path(d.file).name == fixture.name and d.detail("kind") == "failed-assert"
        )
        assert found == saxon, fixture.name
        assert sum(saxon.values()) == (3 if fixture.name == "invalid.xml" else 0)


SVRL = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
