"""CSL-JSON, BibLaTeX, BibTeX and RIS exports: golden files, schemas and round trips."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from bibtexparser.entrypoint import parse_string

from teitools.cite import csl
from teitools.cite.bibtex import escape
from teitools.cite.mapping import citables
from teitools.cite.ris import date_note
from teitools.cite.styles import CiteOptions, format_letter
from teitools.cli import main
from teitools.errors import CitationError
from teitools.export.base import ExportOptions
from teitools.export.registry import EXPORTERS
from teitools.load.resources import schema_file
from teitools.model.dates import PartialDate
from teitools.model.tei import read_edition
from teitools.model.types import DateSpan, Edition
from tests.conftest import Golden
from tests.helpers import EDITION, LIVE_EDITION, SHARED

from .ris_reader import read_ris

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "cite" / "letters"
FORMATS = {
    "csl-json": "letters.json",
    "biblatex": "letters.bib",
    "bibtex": "letters-bibtex.bib",
    "ris": "letters.ris",
}
OFFICIAL_SCHEMA = SHARED / "reference" / "csl" / "csl-data.json"


@pytest.fixture(scope="module")
def edition() -> Edition:
    return read_edition([EDITION])


@pytest.fixture(scope="module")
def fixtures() -> Edition:
    return read_edition([FIXTURES])


def _export(edition: Edition, name: str) -> str:
    files = EXPORTERS[name].export(edition, ExportOptions()).files
    assert list(files) == [FORMATS[name]]
    return files[FORMATS[name]]


@pytest.mark.parametrize("name", sorted(FORMATS))
@pytest.mark.parametrize("which", ["edition", "fixtures"])
def test_export_matches_golden_file(
    name: str, which: str, edition: Edition, fixtures: Edition, golden: Golden
) -> None:
    source = edition if which == "edition" else fixtures
    golden(f"cite/{which}/{FORMATS[name]}", _export(source, name))


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_export_command_writes_one_file(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / FORMATS[name]
    assert main(["export", name, str(EDITION), "-o", str(out)]) == 0
    first = out.read_bytes()
    assert main(["export", name, str(EDITION), "-o", str(out)]) == 0
    assert out.read_bytes() == first  # deterministic
    assert main(["export", name, str(EDITION / "letters")]) == 0
    assert capsys.readouterr().out.encode("utf-8") == first


def test_csl_json_is_valid_against_the_official_schema(edition: Edition, fixtures: Edition) -> None:
    if not OFFICIAL_SCHEMA.is_file():
        pytest.skip(f"the official CSL-JSON schema is not at {OFFICIAL_SCHEMA}")
    schema = json.loads(OFFICIAL_SCHEMA.read_text(encoding="utf-8"))
    for source in (edition, fixtures):
        jsonschema.Draft7Validator(schema).validate(json.loads(_export(source, "csl-json")))


def test_csl_json_export_refuses_what_its_schema_refuses() -> None:
    item: dict[str, object] = {
        "id": "x1900y",
        "citation-key": "x1900y",
        "type": "personal_communication",
        "author": [{"family": "X"}],
        "recipient": [{"family": "Y"}],
    }
    csl.validate_items([item])
    with pytest.raises(CitationError, match=r"at 0/original-date"):
        csl.validate_items([{**item, "original-date": "1935-08-22"}])
    with pytest.raises(CitationError, match=r"at 0: Additional properties"):
        csl.validate_items([{**item, "letter": True}])


def test_csl_json_keeps_utf8(fixtures: Edition) -> None:
    text = _export(fixtures, "csl-json")
    assert '"family": "Чайковский"' in text
    assert "\\u" not in text


# --- BibLaTeX and BibTeX --------------------------------------------------------------------


def test_escape_specials_and_keep_utf8() -> None:
    assert (
        escape("Letters & Papers: 100% {complete} #1_draft")
        == r"Letters \& Papers: 100\% \{complete\} \#1\_draft"
    )
    assert escape("Чайковский, Dvořák") == "Чайковский, Dvořák"
    assert escape("a\\b ~ ^ $") == r"a\textbackslash{}b \textasciitilde{} \textasciicircum{} \$"


def _unescape(value: str) -> str:
    value = value.removeprefix("{").removesuffix("}") if value.startswith("{") else value
    return re.sub(r"\\([&%#_{}$])", r"\1", value)


@pytest.mark.parametrize("which", ["edition", "fixtures"])
def test_biblatex_round_trip(which: str, edition: Edition, fixtures: Edition) -> None:
    source = edition if which == "edition" else fixtures
    library = parse_string(_export(source, "biblatex"))
    assert not library.failed_blocks
    entries = {e.key: e for e in library.entries}
    for citable in citables(source):
        entry = entries.pop(citable.key)
        # Standard biblatex styles have no @letter driver: a letter in a volume is @incollection.
        assert entry.entry_type == ("incollection" if citable.volume else "letter")
        fields = {f.key: f.value for f in entry.fields}
        assert _unescape(fields["title"]).startswith(citable.full_title)
        assert _unescape(fields["shorttitle"]) == citable.title
        assert fields["author"] == " and ".join(f"{n.family}, {n.given}" for n in citable.senders)
        volume = citable.volume
        if volume is None:
            assert "booktitle" not in fields
            continue
        assert _unescape(fields["booktitle"]) == volume.title
        assert fields["date"] == str(volume.year)
        assert fields["publisher"] == volume.publisher
        assert fields["location"] == volume.place
        assert fields["editor"].split(" and ") == [f"{e.family}, {e.given}" for e in volume.editors]
    assert not entries


def test_biblatex_fields_of_special_cases(edition: Edition) -> None:
    library = parse_string(_export(edition, "biblatex"))
    fields = {e.key: {f.key: f.value for f in e.fields} for e in library.entries}
    assert fields["stalin1935-08-22kaganovich"]["origdate"] == "1935-08-22"
    assert fields["stalin1932-07kaganovich"]["origdate"] == "1932-07"
    assert fields["stalin1930kaganovich"]["origdate"] == "1930?/1932-08-07?"
    assert fields["stalin1930kaganovich"]["title"] == (
        "{Joseph Stalin to Lazar Kaganovich (?), [between 1930 and August 7, 1932]}"
    )
    assert fields["stalin1930kaganovich"]["shorttitle"] == "{Stalin to Kaganovich (?)}"
    assert fields["stalin1936-08-23kaganovich"]["type"] == "letter in cipher"
    assert fields["stalin1926-06-25molotov"]["shorttitle"] == (
        "{Stalin to Molotov, Rykov, Bukharin and other friends}"
    )
    assert (
        fields["stalin1935-08-22kaganovich"]["title"]
        == "{Joseph Stalin to Lazar Kaganovich, August 22, 1935}"
    )


def test_bibtex_round_trip(edition: Edition, fixtures: Edition) -> None:
    for source in (edition, fixtures):
        library = parse_string(_export(source, "bibtex"))
        assert not library.failed_blocks
        assert [e.key for e in library.entries] == [c.key for c in citables(source)]
        for entry, citable in zip(library.entries, citables(source), strict=True):
            fields = {f.key: f.value for f in entry.fields}
            assert entry.entry_type == ("incollection" if citable.volume else "misc")
            assert _unescape(fields["title"]).startswith(f"{citable.full_title}, ")
            if citable.volume is not None:
                assert fields["year"] == str(citable.volume.year)
                assert fields["address"] == citable.volume.place


def test_bibtex_escapes_the_volume_title(fixtures: Edition) -> None:
    text = _export(fixtures, "bibtex")
    assert r"booktitle = {{Letters \& Papers: 100\% \{complete\} \#1\_draft}}," in text
    assert "author    = {Чайковский, Пётр Ильич}," in text


# --- RIS ------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["edition", "fixtures"])
def test_ris_round_trip(which: str, edition: Edition, fixtures: Edition) -> None:
    source = edition if which == "edition" else fixtures
    text = _export(source, "ris")
    assert text.endswith("ER  - \r\n")
    assert "\n" not in text.replace("\r\n", "")
    records = read_ris(text)
    assert read_ris(text.replace("\r\n", "\n")) == records  # CRLF-tolerant
    assert [r["ID"] for r in records] == [[c.key] for c in citables(source)]
    for record, citable in zip(records, citables(source), strict=True):
        # Zotero's RIS import reads a CHAP's A2 as editors, a PCOMM's as recipients.
        assert record["TY"] == (["CHAP"] if citable.volume else ["PCOMM"])
        assert record["AU"] == [n.inverted() for n in citable.senders]
        assert record["TI"] == [citable.full_title]
        if citable.volume is not None:
            assert record["A2"] == [f"{e.family}, {e.given}" for e in citable.volume.editors]
            assert record["T2"] == [citable.volume.title]
            assert record["PB"] == [citable.volume.publisher]
            assert record["CY"] == [citable.volume.place]
            assert "ED" not in record  # not a RIS tag
        else:
            assert record["A2"] == [n.inverted() for n in citable.recipients]


def test_ris_fields_of_special_cases(edition: Edition) -> None:
    records = {r["ID"][0]: r for r in read_ris(_export(edition, "ris"))}
    assert records["stalin1935-08-22kaganovich"]["DA"] == ["1935/08/22/"]
    assert records["stalin1935-08-22kaganovich"]["PY"] == ["1935"]
    assert records["stalin1932-07kaganovich"]["DA"] == ["1932/07//"]
    assert records["stalin1930kaganovich"]["DA"] == ["1930///between 1930 and 7 August 1932 (uncertain)"]
    # Zotero's RIS import keeps only DA's year, month and day: the range is in a note as well.
    assert "Date: between 1930 and 7 August 1932 (uncertain)." in records["stalin1930kaganovich"]["N1"]
    assert "Recipient(s): Lazar Kaganovich (?)" in records["stalin1930kaganovich"]["N1"]
    # M3 of a book section is read by Zotero as a DOI: the letter type is a note.
    assert "M3" not in records["stalin1936-08-23kaganovich"]
    assert "Letter in cipher." in records["stalin1936-08-23kaganovich"]["N1"]
    assert records["stalin1926-06-25molotov"]["T3"] == ["Annals of Communism"]
    assert (
        "Recipient(s): Vyacheslav Molotov; Alexei Rykov; Nikolai Bukharin; other friends"
        in (records["stalin1926-06-25molotov"]["N1"])
    )
    assert records["stalin1935-08-22kaganovich"]["N1"] == [
        "Recipient(s): Lazar Kaganovich",
        "Published in: R. W. Davies et al., eds., The Stalin-Kaganovich Correspondence "
        "1931-36 (New Haven: Yale University Press, 2003)",
    ]


@pytest.mark.parametrize(
    ("span", "note"),
    [
        (DateSpan(when=PartialDate(1935, 8, 22)), None),
        (DateSpan(when=PartialDate(1935, 8, 22), cert="low"), None),  # "The date is conjectural."
        (DateSpan(not_after=PartialDate(1932, 8, 7)), "Date: not after 7 August 1932 (uncertain)."),
        (DateSpan(text="Easter"), "Date: Easter."),  # no DA at all: the note is the only date
        (DateSpan(), None),
    ],
)
def test_ris_date_note_gives_what_zotero_drops_from_da(span: DateSpan, note: str | None) -> None:
    assert date_note(span) == note


def test_ris_reader_rejects_a_record_without_end() -> None:
    with pytest.raises(ValueError, match="no ER"):
        read_ris("TY  - PCOMM\r\nAU  - X\r\n")


def test_the_shipped_schema_is_a_valid_draft_07_schema() -> None:
    path = schema_file(csl.SCHEMA)
    jsonschema.Draft7Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))


SIG = SHARED / "reference" / "correspdesc-examples"
#: SIG examples whose letter was received at a place they call "unknown" (``<placeName>unknown``).
UNKNOWN_PLACE = ("example05_fictional-letter.xml", "example06_embedded-letter.xml")


@pytest.mark.skipif(not SIG.is_dir(), reason=f"the SIG examples are absent ({SIG})")
def test_a_place_called_unknown_is_no_place_in_any_citation_format() -> None:
    paths = [SIG / name for name in UNKNOWN_PLACE]
    assert all("<placeName>unknown</placeName>" in p.read_text(encoding="utf-8") for p in paths)
    edition = read_edition(paths)
    for name, file_name in FORMATS.items():
        text = EXPORTERS[name].export(edition, ExportOptions()).files[file_name]
        assert "unknown" not in text.lower(), name
    for style in ("chicago", "chicago17", "mla", "apa"):
        for letter in edition.letters:
            for note in (True, False):
                try:
                    text = format_letter(edition, letter, CiteOptions(style=style, note=note))
                except CitationError:
                    continue  # no bibliography entry for an unpublished letter
                assert "unknown" not in text.lower(), (style, note, text)


def test_the_volumes_are_cited_with_their_translators_and_exact_titles() -> None:
    edition = read_edition([LIVE_EDITION])
    volumes = {c.volume.id: c.volume for c in citables(edition) if c.volume is not None}
    assert volumes["davies-2003"].title == "The Stalin\u2013Kaganovich Correspondence, 1931\u201336"
    assert volumes["lih-1995"].title == "Stalin's Letters to Molotov, 1925\u20131936"
    translators = {key: [t.display() for t in v.translators] for key, v in volumes.items()}
    assert translators == {"davies-2003": ["Steven Shabad"], "lih-1995": ["Catherine A. Fitzpatrick"]}
    (kaganovich,) = [c for c in citables(edition) if c.letter.id == "stalin-kaganovich-1935-08-22"]
    item = csl.checked_item(kaganovich)[0]
    assert item["translator"] == [{"family": "Shabad", "given": "Steven"}]
    note = format_letter(edition, kaganovich.letter, CiteOptions(note=True))
    assert ", trans. Steven Shabad, Annals of Communism" in note
