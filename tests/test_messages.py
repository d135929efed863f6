"""Messages an encoder can act on: common slips in a real letter or register, with the exact finding.

The slips of ``benchmarks/bench_messages.py`` (the table of docs/messages.md, beside jing's
messages) are checked here with their expected findings, and each at the slip's own line.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from benchmarks.bench_messages import CASES, Case, cell, teitools_findings
from teitools import ValidateOptions, validate
from teitools.validation import rng_contexts
from teitools.validation.grammar import Grammar, check_grammar
from teitools.validation.positions import SourceLines
from tests.conftest import RunCli
from tests.helpers import EDITION, ROOT

LETTER = EDITION / "letters" / "stalin-kaganovich-1935-08-22.xml"
REGISTERS = ValidateOptions(registers=tuple(sorted(EDITION.glob("*.xml"))))


def findings_after(tmp_path: Path, old: str, new: str, count: int = 1) -> list[str]:
    text = LETTER.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "letters" / LETTER.name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return [f"{d.line}:{d.column} {d.message} [{d.rule}]" for d in validate([path], REGISTERS).diagnostics]


@pytest.mark.parametrize("case", CASES, ids=[c.name.replace(" ", "-") for c in CASES])
def test_encoder_mistake_gets_its_expected_finding_at_its_own_line(tmp_path: Path, case: Case) -> None:
    edition = tmp_path / "edition"
    shutil.copytree(EDITION, edition)
    path = case.apply(edition)
    found = teitools_findings(edition, path)
    assert found == case.expected
    assert {f.split(":", 1)[0] for f in found} == {str(case.line(edition))}


def test_the_table_in_the_docs_shows_the_findings_teitools_gives() -> None:
    """docs/messages.md is regenerated whenever an expected finding changes."""
    table = (ROOT / "docs" / "messages.md").read_text(encoding="utf-8")
    rows = [line for line in table.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert len(rows) == len(CASES)
    for row, case in zip(rows, CASES, strict=True):
        assert f"| {case.name} |" in row
        assert "<br>".join(cell(f) for f in case.expected) in row


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "<langUsage>",
            "<langUsage foo='1'>",
            ["29:18 attribute @foo is not allowed on <langUsage>; it takes no attributes [rng-invalid]"],
        ),
        (
            '<language ident="en">English (translated from Russian)</language>',
            '<lang ident="en">English (translated from Russian)</lang>',
            ["30:9 <lang> is not allowed inside <langUsage>; allowed: language [rng-invalid]"],
        ),
        (
            '<placeName ref="#omsk-region">',
            "<placeName>",
            ["38:263 <placeName> is missing the required attribute @ref [rng-invalid]"],
        ),
        (
            'ref="#kleiner"',
            'ref="#kliener"',
            [
                '38:274 @ref="#kliener" names no entry in the registers '
                "(persons.xml, places.xml, sources.xml); "
                'add an entry with xml:id="kliener" or correct the pointer. Did you mean "#kleiner"? '
                "[ref-unresolved]"
            ],
        ),
        (
            'ref="#kleiner"',
            'ref="#nobody-like-this"',
            [
                '38:274 @ref="#nobody-like-this" names no entry in the registers '
                "(persons.xml, places.xml, sources.xml); "
                'add an entry with xml:id="nobody-like-this" or correct the pointer '
                '(to add it: teitools new person "Kleiner" --id nobody-like-this --write) [ref-unresolved]'
            ],
        ),
    ],
    ids=["attribute-not-allowed", "child-not-allowed", "missing-ref", "unknown-person", "no-close-id"],
)
def test_one_slip_one_precise_finding(tmp_path: Path, old: str, new: str, expected: list[str]) -> None:
    assert findings_after(tmp_path, old, new) == expected


def test_bad_date_inside_the_header_is_one_finding_per_date_with_the_fix(tmp_path: Path) -> None:
    """libxml2 reports a bad date in the header as its interleave failing; that cascade is folded."""
    found = findings_after(tmp_path, 'when="1935-08-22"', 'when="1935-8-22"', count=2)
    assert [f.split(" ", 1)[0] for f in found] == ["23:11", "37:27"]
    assert all(f.endswith("[date-format]") for f in found)
    assert all("Did you mean 1935-08-22?" in f for f in found)


def test_the_same_slip_twice_on_one_line_is_two_findings_each_at_its_attribute(tmp_path: Path) -> None:
    letter = EDITION / "letters" / "stalin-molotov-1926-06-25.xml"
    line = letter.read_text(encoding="utf-8").splitlines()[43]
    assert line.count('ref="#zinoviev"') == 2
    path = tmp_path / "letters" / letter.name
    path.parent.mkdir()
    path.write_text(letter.read_text(encoding="utf-8").replace('ref="#zinoviev"', 'ref="zinoviev"'), "utf-8")
    found = [d for d in validate([path], REGISTERS).diagnostics if d.line == 44]
    line = path.read_text(encoding="utf-8").splitlines()[43]
    columns = [line.index('ref="zinoviev"') + 1, line.rindex('ref="zinoviev"') + 1]
    assert [d.column for d in found] == columns
    assert all('did you mean "#zinoviev"?' in d.message for d in found)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('<?xml version="1.0"?>\nDraft\n<TEI/>\n', 2, "text before the root element"),
        ("<TEI/>\nnotes\n", 2, "content after the root element's end tag"),
        ("just words\n", 1, "no XML found"),
    ],
    ids=["before-root", "after-root", "no-element"],
)
def test_text_outside_the_root_element_says_where_it_is(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = tmp_path / "letter.xml"
    path.write_text(text, encoding="utf-8")
    (finding,) = validate([path]).diagnostics
    assert (finding.rule, finding.line, finding.message.split(":")[0]) == ("xml-syntax", line, message)


# A grammar that is not the project's: an interleave whose child holds a closed list. libxml2
# reports a wrong value inside it only as the interleave failing, at the header.
OWN_GRAMMAR = """<grammar xmlns="http://relaxng.org/ns/structure/1.0" ns="http://www.tei-c.org/ns/1.0">
  <start><element name="TEI"><element name="teiHeader"><interleave>
    <element name="title"><text/></element>
    <optional><element name="note"><mixed><oneOrMore><element name="rs">
      <attribute name="type"><choice><value>person</value><value>place</value></choice></attribute>
      <text/>
    </element></oneOrMore></mixed></element></optional>
  </interleave></element></element></start>
</grammar>
"""
OWN_LETTER = """<TEI xmlns="http://www.tei-c.org/ns/1.0">
  <teiHeader>
    <note>
      <rs type="person">Stalin</rs> sent a <rs type="telegram">telegram</rs>
    </note>
    <title>A telegram</title>
  </teiHeader>
</TEI>
"""


def test_a_grammar_of_the_editions_own_is_explained_at_the_mistake(tmp_path: Path) -> None:
    schema = tmp_path / "own.rng"
    schema.write_text(OWN_GRAMMAR, encoding="utf-8")
    letter = tmp_path / "letter.xml"
    letter.write_text(OWN_LETTER, encoding="utf-8")
    report = validate([letter], ValidateOptions(schemas=(schema,)))
    found = [f"{d.line}:{d.column} {d.message}" for d in report.diagnostics if d.rule == "rng-invalid"]
    column = OWN_LETTER.splitlines()[3].rindex("type=") + 1
    assert found == [
        f'4:{column} @type="telegram" on <rs> is invalid: allowed values: person, place',
    ]


RS = """<define name="rs" xmlns="http://relaxng.org/ns/structure/1.0"><element name="rs">
  <attribute name="type"><choice><value>person</value><value>place</value></choice></attribute><text/>
</element></define>"""


TYPE = '@type="telegram" on <rs> is invalid: allowed values: person, place'


@pytest.mark.parametrize(
    ("model", "content", "libxml2_says", "expected"),
    [
        (
            '<mixed><optional><ref name="rs"/></optional><element name="idno"><text/></element></mixed>',
            "Letter <rs type='telegram'>x</rs> <idno>1</idno>",
            "Expecting element idno, got rs",
            [TYPE],
        ),
        (
            '<interleave><element name="title"><text/></element><group><optional><ref name="rs"/>'
            '</optional><element name="idno"><text/></element></group></interleave>',
            "<title/><rs type='telegram'>x</rs><idno>1</idno>",
            "Expecting element idno, got rs",
            [TYPE],
        ),
        (
            '<interleave><text/><zeroOrMore><ref name="rs"/></zeroOrMore>'
            '<element name="idno"><text/></element></interleave>',
            "<title/><rs type='telegram'>x</rs><idno>1</idno>",
            "Expecting an element idno, got nothing",
            ["<title> is not allowed inside <msIdentifier>; allowed: idno, rs", TYPE],
        ),
    ],
    ids=["expected-another-element", "expected-another-in-interleave", "missing-a-child-it-has"],
)
def test_a_wrong_value_is_reported_whatever_libxml2_says_instead(
    tmp_path: Path, model: str, content: str, libxml2_says: str, expected: list[str]
) -> None:
    """libxml2 blames the wrong thing for an invalid @type inside these content models."""
    schema = tmp_path / "own.rng"
    schema.write_text(
        f'<grammar xmlns="http://relaxng.org/ns/structure/1.0" ns="http://www.tei-c.org/ns/1.0">{RS}'
        f'<start><element name="TEI"><element name="msIdentifier">{model}</element></element></start>'
        "</grammar>",
        encoding="utf-8",
    )
    document = f'<TEI xmlns="http://www.tei-c.org/ns/1.0">\n<msIdentifier>{content}</msIdentifier>\n</TEI>\n'
    letter = tmp_path / "letter.xml"
    letter.write_text(document, encoding="utf-8")
    validator = etree.RelaxNG(etree.parse(str(schema)))
    assert not validator.validate(etree.parse(str(letter)))
    assert libxml2_says in [e.message for e in validator.error_log]
    report = validate([letter], ValidateOptions(schemas=(schema,)))
    found = [d for d in report.diagnostics if d.rule == "rng-invalid"]
    assert [d.message for d in found] == expected
    assert found[-1].column == document.splitlines()[1].index("type=") + 1


def test_children_a_name_class_allows_are_not_reported_beside_the_mistake(tmp_path: Path) -> None:
    """<egXML> takes any element: its children are not reported when its attribute is wrong."""
    schema = tmp_path / "examples.rng"
    schema.write_text(
        '<grammar xmlns="http://relaxng.org/ns/structure/1.0" ns="http://www.tei-c.org/ns/1.0">'
        '<start><element name="TEI"><interleave><element name="title"><text/></element>'
        '<element name="egXML"><optional><attribute name="valid"><value>true</value></attribute></optional>'
        "<zeroOrMore><element><anyName/><text/></element></zeroOrMore></element>"
        "</interleave></element></start></grammar>",
        encoding="utf-8",
    )
    letter = tmp_path / "letter.xml"
    letter.write_text(
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><title/>\n<egXML valid="yes"><any>x</any></egXML></TEI>',
        encoding="utf-8",
    )
    found = [
        d
        for d in validate([letter], ValidateOptions(schemas=(schema,))).diagnostics
        if d.rule == "rng-invalid"
    ]
    assert [(d.line, d.message) for d in found] == [
        (2, '@valid="yes" on <egXML> is invalid: allowed values: true')
    ]


def test_a_grammar_too_large_to_compile_twice_still_places_each_finding(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Above the size limit the index alone explains: less precise, never without a position."""
    monkeypatch.setattr(rng_contexts, "MAX_DERIVED_NODES", 0)
    source = etree.parse(str(ROOT / "schemas" / "teitools.rng"))
    grammar = Grammar(ROOT / "schemas" / "teitools.rng", source, etree.RelaxNG(source))
    text = (EDITION / "letters" / "stalin-molotov-1926-06-25.xml").read_text(encoding="utf-8")
    path = tmp_path / "letter.xml"
    path.write_text(text.replace('<correspAction type="sent">', '<correspAction type="sent" cert="high">'))
    tree = etree.parse(str(path))
    (finding,) = check_grammar(tree, grammar, SourceLines(path), str(path))
    assert finding.line == 20 and finding.column == 7
    assert "<correspDesc>" in finding.message


def test_a_misspelt_style_name_gets_the_close_one(run_cli: RunCli) -> None:
    letter = EDITION / "letters" / "stalin-molotov-1926-06-25.xml"
    result = run_cli("cite", "--style", "chicgo", letter)
    assert result.code != 0
    assert "Did you mean 'chicago'?" in result.err


def test_three_mistakes_in_one_header_are_three_findings(tmp_path: Path) -> None:
    """libxml2 stops at the first child of the header's interleave that fails: the others
    (and the failing element's own attributes) are still reported."""
    text = LETTER.read_text(encoding="utf-8")
    for old, new in (
        ("<correspDesc>", '<correspDesc type="letter">'),
        ('<persName ref="#kaganovich">', '<persName ref="kaganovich">'),
        ('<language ident="en">', "<language>"),
    ):
        text = text.replace(old, new, 1)
    path = tmp_path / "letters" / LETTER.name
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    found = [(d.line, d.rule, d.message.split(" is ", 1)[0]) for d in validate([path], REGISTERS).diagnostics]
    assert found == [
        (20, "rng-invalid", '@type="letter" on <correspDesc>'),
        (26, "rng-invalid", '@ref="kaganovich" on <persName>'),
        (30, "rng-invalid", "<language>"),
    ]


def test_two_mistakes_in_one_register_entry_are_two_findings(tmp_path: Path) -> None:
    """libxml2 stops at the misspelt <brith>; the wrong @place on <death> after it is found too."""
    edition = tmp_path / "edition"
    shutil.copytree(EDITION, edition)
    persons = edition / "persons.xml"
    text = persons.read_text(encoding="utf-8")
    old = '<birth when="1878"/>\n          <death when="1953"/>'
    assert old in text
    persons.write_text(
        text.replace(old, '<brith when="1878"/>\n          <death when="1953" place="Moscow"/>')
    )
    found = [f.split(";")[0] for f in teitools_findings(edition, persons)]
    assert found == [
        "24:11 <brith> is not allowed inside <person>",
        "25:30 attribute @place is not allowed on <death>",
    ]
