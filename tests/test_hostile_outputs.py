"""Hostile values through every output: no injected line, record, field or workflow command.

A letter's attributes may hold any character XML allows: ``&#10;`` is a newline. Written raw,
a newline followed by ``::add-mask::`` is a GitHub Actions workflow command in a text report,
one followed by ``ER  -`` and ``TY  -`` a second RIS record, an unbalanced ``}`` the end of a
BibTeX field. Each output here is read back by a real reader (``tests/ris_reader.py``,
bibtexparser, json and the project's JSON Schemas, lxml) and must hold exactly one record per
letter, with the hostile value inside its own field. A value an output schema rejects (a
language that is no language tag) is left out with a warning, never a failed ``build``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from bibtexparser.entrypoint import parse_string
from lxml import etree

from teitools.diagnostics import Diagnostic, Severity
from tests.helpers import EDITION, ROOT, Run, copy_edition, letter_ids, run_cli
from tests.ris_reader import read_ris

HOSTILE_ID = "stalin-kaganovich-1935-08-22"
#: What the attacker writes into attributes (as character references, so the XML is valid).
PAYLOAD = (
    "&#10;::warning file=x::injected&#13;&#10;::add-mask::secret&#10;::stop-commands::token"
    "&#10;ER  - &#10;TY  - JOUR&#10;@misc{injected, title={x}}&#x2028;&#x85;&#x202E;}{\\"
)
#: A line that GitHub Actions would run as a workflow command, or RIS read as a new record.
COMMAND_LINE = re.compile(r"^\s*(::|TY  -|@misc)", re.MULTILINE)
LETTERS = len(letter_ids(EDITION))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture edition with one letter whose type, language and sender's ref carry the
    payload, and a volume title with unbalanced braces and a backslash."""
    folder = copy_edition(tmp_path_factory.mktemp("hostile") / "edition")
    letter = folder / "letters" / f"{HOSTILE_ID}.xml"
    text = letter.read_text("utf-8")
    for old, new in (
        ("<correspDesc>", f'<correspDesc type="cipher{PAYLOAD}">'),
        ('<language ident="en">', f'<language ident="en{PAYLOAD}">'),
        ('<persName ref="#kaganovich">', f'<persName ref="#kaganovich{PAYLOAD}">'),
    ):
        assert old in text
        text = text.replace(old, new, 1)
    letter.write_text(text, "utf-8")
    sources = folder / "sources.xml"
    title = "The Stalin-Kaganovich Correspondence 1931-36"
    hostile_title = "The Stalin-Kaganovich Correspondence} 1931-36, note = {pwned \\"
    sources.write_text(sources.read_text("utf-8").replace(title, hostile_title), "utf-8")
    return folder


def _export(folder: Path, name: str) -> Run:
    result = run_cli("export", name, folder)
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    assert not COMMAND_LINE.search(result.err), result.err
    return result


def test_ris_has_one_record_per_letter_and_no_injected_line(hostile: Path) -> None:
    text = _export(hostile, "ris").out
    records = read_ris(text)
    assert len(records) == LETTERS
    assert {tuple(r["TY"]) for r in records} == {("CHAP",)}
    # Every line is a tag line: none is a continuation the payload could have started.
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  -( .*)?", line) for line in text.split("\r\n") if line)
    hostile_record = next(r for r in records if r["DA"] == ["1935/08/22/"])
    # A book section's letter type is a note (Zotero reads a CHAP's M3 as a DOI).
    [kind] = [note for note in hostile_record["N1"] if note.startswith("Cipher ")]
    [language] = hostile_record["LA"]
    assert kind.startswith("Cipher ::warning file=x::injected ::add mask::secret")
    assert "ER - TY - JOUR @misc{injected, title={x}}" in language


@pytest.mark.parametrize("name", ["biblatex", "bibtex"])
def test_bibtex_has_one_entry_per_letter_and_balanced_braces(hostile: Path, name: str) -> None:
    text = _export(hostile, name).out
    library = parse_string(text)
    assert library.failed_blocks == []
    assert len(library.entries) == LETTERS
    assert not any(e.key == "injected" for e in library.entries)
    fields = {"author", "title", "origdate", "booktitle", "editor", "series", "publisher"}
    fields |= {"location", "date", "type", "langid", "note", "address", "year", "shorttitle", "translator"}
    for entry in library.entries:
        assert set(entry.fields_dict) <= fields, entry.key
        for field in entry.fields:
            value = str(field.value)
            assert "\n" not in value and "\r" not in value
            # BibTeX and biber count escaped braces as braces: each value must balance alone.
            depth = 0
            for char in value:
                depth += {"{": 1, "}": -1}.get(char, 0)
                assert depth >= 0, (entry.key, field.key, value)
            assert depth == 0, (entry.key, field.key, value)
    [volume] = {
        str(e.fields_dict["booktitle"].value)
        for e in library.entries
        if "Kaganovich Correspondence" in str(e.fields_dict["booktitle"].value)
    }
    assert r"Correspondence\textbraceright{} 1931-36, note = \textbraceleft{}pwned \textbackslash{}" in volume


def test_csl_json_is_valid_and_single_line_and_leaves_the_bad_language_out(hostile: Path) -> None:
    result = _export(hostile, "csl-json")
    items = json.loads(result.out)
    schema = json.loads((ROOT / "schemas" / "csl-json.schema.json").read_text("utf-8"))
    jsonschema.Draft7Validator(schema).validate(items)
    assert len(items) == LETTERS
    strings = list(_strings(items))
    assert not [s for s in strings if re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029]", s)]
    [item] = [i for i in items if {"date-parts": [[1935, 8, 22]]} in (i.get("event-date"), i.get("issued"))]
    assert "language" not in item
    # (The letter type's hyphens are spaces, as for "letter-in-cipher".)
    assert item["event-title"].startswith("cipher ::warning file=x::injected ::add mask::secret")
    # The warning names the file, the line of <language> and the field, on one line of its own.
    [warning] = [line for line in result.err.splitlines() if "[export-value]" in line]
    assert re.match(
        rf".*letters/{HOSTILE_ID}\.xml:30:0: warning: letter {HOSTILE_ID}: its language ", warning
    )


def test_json_metadata_is_valid_and_carries_the_value_escaped(hostile: Path) -> None:
    document = json.loads(_export(hostile, "json").out)
    schema = json.loads((ROOT / "schemas" / "letters.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(document)
    assert len(document["letters"]) == LETTERS
    [record] = [r for r in document["letters"] if r["id"] == HOSTILE_ID]
    assert record["language"].startswith("en\n::warning file=x::injected\r\n::add-mask::secret")


def test_cmif_is_valid_with_one_correspdesc_per_letter(hostile: Path, reference: Path) -> None:
    tree = etree.ElementTree(etree.fromstring(_export(hostile, "cmif").out.encode("utf-8")))
    grammar = etree.RelaxNG(etree.parse(str(reference / "cmif" / "cmi-customization.rng")))
    assert grammar.validate(tree), grammar.error_log
    assert len(tree.findall(".//{http://www.tei-c.org/ns/1.0}correspDesc")) == LETTERS


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


# --- Validation reports -----------------------------------------------------------------------

FINDING = re.compile(r"^\S.*:\d+:\d+: (error|warning|info): .* \[[a-z0-9-]+\]$")


def test_text_report_gives_each_finding_one_line_with_the_value_escaped(hostile: Path) -> None:
    result = run_cli("validate", hostile)
    assert result.code == 1
    lines = result.out.splitlines()
    assert not COMMAND_LINE.search(result.out)
    assert all(FINDING.match(line) for line in lines[:-1]), lines
    assert re.match(r"\d+ files checked: \d+ errors?", lines[-1])
    quoted = [line for line in lines if "cipher" in line]
    assert quoted
    assert r"cipher\n::warning file=x::injected\r\n::add-mask::secret" in quoted[0]
    assert r"\u2028\x85\u202e}{\"" in quoted[0]


def test_github_report_puts_each_finding_in_one_command(hostile: Path) -> None:
    findings = json.loads(run_cli("validate", "--format", "json", hostile).out)["diagnostics"]
    result = run_cli("validate", "--format", "github", hostile)
    lines = result.out.splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == len(findings) > 0
    assert all(re.match(r"::(error|warning|notice) file=[^:]*::", line) for line in commands)
    assert lines[len(commands) :] == [lines[-1]] and not lines[-1].startswith("::")


RAW = "cipher\n::warning file=x::injected\r\n::add-mask::secret"


@pytest.mark.parametrize("name", ["json", "sarif", "svrl"])
def test_machine_reports_stay_valid_and_carry_the_value_as_it_is(hostile: Path, name: str) -> None:
    result = run_cli("validate", "--format", name, hostile)
    assert result.code == 1, result.err
    if name == "svrl":
        strings = list(etree.fromstring(result.out.encode("utf-8")).itertext())
    else:
        strings = _strings(json.loads(result.out))
    assert any(RAW in s for s in strings)


def test_junit_stays_valid_and_gives_each_finding_one_line(hostile: Path) -> None:
    result = run_cli("validate", "--format", "junit", hostile)
    assert result.code == 1, result.err
    failures = "".join(etree.fromstring(result.out.encode("utf-8")).itertext())
    assert r"cipher\n::warning file=x::injected\r\n::add-mask::secret" in failures
    assert not COMMAND_LINE.search(failures)


def test_a_finding_prints_escape_sequences_and_separators_escaped() -> None:
    finding = Diagnostic("a\x1b[2Jb.xml", 1, 2, Severity.ERROR, "rule", "value\u2028::warning::x\x9b")
    assert str(finding) == r"a\x1b[2Jb.xml:1:2: error: value\u2028::warning::x\x9b [rule]"


# --- Values an output cannot take ------------------------------------------------------------

ANYTHING_GOES = """<grammar xmlns="http://relaxng.org/ns/structure/1.0">
  <start><ref name="any"/></start>
  <define name="any"><element><anyName/><zeroOrMore><choice>
    <attribute><anyName/></attribute><text/><ref name="any"/>
  </choice></zeroOrMore></element></define>
</grammar>
"""


@pytest.fixture
def odd_language(tmp_path: Path) -> Path:
    """An edition valid by its own schema whose letter says ``<language ident="en x">``."""
    folder = copy_edition(tmp_path / "edition")
    (folder / "any.rng").write_text(ANYTHING_GOES, "utf-8")
    settings = folder / "teitools.toml"
    settings.write_text('schemas = ["any.rng"]\n' + settings.read_text("utf-8"), "utf-8")
    letter = folder / "letters" / f"{HOSTILE_ID}.xml"
    letter.write_text(letter.read_text("utf-8").replace('ident="en"', 'ident="en x"'), "utf-8")
    return folder


def test_build_leaves_a_bad_language_out_with_a_warning(odd_language: Path, tmp_path: Path) -> None:
    result = run_cli("build", odd_language, "-o", tmp_path / "out")
    assert result.code == 0, result.err
    warning = (
        f"letters/{HOSTILE_ID}.xml:30:0: warning: letter {HOSTILE_ID}: its language cannot be "
        "exported to CSL-JSON: 'en x' does not match"
    )
    assert warning in result.err
    items = json.loads((tmp_path / "out" / "csl-json" / "letters.json").read_text("utf-8"))
    assert len(items) == LETTERS
    assert sum("language" not in item for item in items) == 1
    # The site's own CSL-JSON file of the letter leaves it out too.
    [page] = (tmp_path / "out" / "site" / "letters" / "cite").glob("stalin1935-08-22*.json")
    assert "language" not in json.loads(page.read_text("utf-8"))[0]


@pytest.mark.parametrize("name", ["csl-json", "json", "cmif"])
def test_export_of_a_bad_language_is_not_a_bug(odd_language: Path, name: str) -> None:
    result = run_cli("export", name, odd_language)
    assert result.code == 0, result.err
    assert "bug in teitools" not in result.err


def test_json_metadata_leaves_a_bad_authority_uri_out_with_a_warning(tmp_path: Path) -> None:
    folder = copy_edition(tmp_path / "edition")
    persons = folder / "persons.xml"
    good = "http://www.wikidata.org/entity/Q855"
    persons.write_text(persons.read_text("utf-8").replace(good, "http://example.org/a b"), "utf-8")
    result = run_cli("export", "json", folder)
    assert result.code == 0, result.err
    assert "[export-value]" in result.err and "authority" in result.err
    document = json.loads(result.out)
    uris = [u for r in document["letters"] for p in r["senders"] for u in p["authority"]]
    assert "http://example.org/a b" not in uris


def test_cmif_refuses_settings_xml_cannot_hold(tmp_path: Path) -> None:
    folder = copy_edition(tmp_path / "edition")
    settings = folder / "teitools.toml"
    text = settings.read_text("utf-8")
    settings.write_text(re.sub(r'(?m)^publisher = ".*"$', r'publisher = "tei\\u0001tools"', text), "utf-8")
    result = run_cli("export", "cmif", folder)
    assert result.code == 2
    assert "hold control characters" in result.err and "publisher" in result.err
    assert "bug in teitools" not in result.err
