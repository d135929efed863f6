"""CMIF files as a source of letters: the SIG's two examples, and our own export read back."""

from __future__ import annotations

import json
from pathlib import Path

from teitools.model.tei import read_edition
from teitools.model.types import Participant, PersonName
from teitools.render.describe import short_heading
from tests.conftest import RunCli
from tests.helpers import EDITION, ROOT


def test_example01_letters(reference: Path) -> None:
    edition = read_edition([reference / "cmif" / "example01_basic.xml"])
    assert edition.problems == ()
    # A CMIF file gives no titles: the model says so, and the outputs describe the letter.
    assert [letter.title for letter in edition.letters] == ["", "", ""]
    assert [(letter.id, short_heading(letter, edition), letter.url) for letter in edition.letters] == [
        (
            "A044980",
            "Gänsbacher to Weber, between 11 July 1810 and 18 July 1810 (uncertain)",
            "http://www.weber-gesamtausgabe.de/A044980",
        ),
        ("A044943", "Weber to Dietrichstein, 7 May 1825", "http://www.weber-gesamtausgabe.de/A044943"),
        ("A041523", "Weber to Pastenaci, 5 August 1819", "http://www.weber-gesamtausgabe.de/A041523"),
    ]
    first, second, third = edition.letters
    assert first.date is not None
    assert (first.date.earliest, first.date.latest, first.date.cert) == (
        (1810, 7, 11),
        (1810, 7, 18),
        "medium",
    )
    assert first.place_received == Participant("Mannheim", "mannheim")
    assert second.place_sent == Participant("Dresden", "dresden")
    assert third.recipients == (Participant("Pastenaci, E.", "pastenaci-e"),)
    weber = edition.persons["weber-carl-maria-von"]
    assert weber.name == PersonName(given="Carl Maria von", family="Weber")
    assert weber.authority == ("http://d-nb.info/gnd/118629662",)
    assert edition.persons["pastenaci-e"].authority == ()
    assert edition.places["wien"].authority == ("http://www.geonames.org/2761369",)
    bibl = edition.sources["f5055f00-9182-4728-8f81-a0cf016b616b"]
    assert bibl.kind == "online"
    assert bibl.title.startswith("Carl-Maria-von-Weber-Gesamtausgabe. Digitale Edition")
    assert all(letter.body is None for letter in edition.letters)


def test_example02_printed_edition_uses_keys(reference: Path) -> None:
    edition = read_edition([reference / "cmif" / "example02_cmi-with-printed-edition.xml"])
    assert [letter.id for letter in edition.chronological()] == ["631", "632", "633"]
    assert [letter.url for letter in edition.letters] == [None, None, None]
    assert (
        short_heading(edition.letters[0], edition)
        == "Samuel Thomas Soemmerring to Melchior von Birkenstock, 22 November 1792"
    )
    # The same person (one GND URI) is one register entry across letters.
    assert sorted(edition.persons) == [
        "christian-gottlob-heyne",
        "melchior-von-birkenstock",
        "samuel-thomas-soemmerring",
    ]
    assert edition.persons["melchior-von-birkenstock"].authority == ("http://viaf.org/viaf/59894734/",)
    assert edition.places["gottingen"].name == "Göttingen"
    assert edition.sources["e21a8353-5089-441f-a5b2-acd347f1f2aa"].kind == "volume"


def test_json_export_from_a_cmif_file(run_cli: RunCli, reference: Path) -> None:
    result = run_cli("export", "json", reference / "cmif" / "example01_basic.xml")
    assert (result.code, result.err) == (0, "")
    letters = json.loads(result.out)["letters"]
    assert [letter["id"] for letter in letters] == ["A044980", "A041523", "A044943"]
    assert letters[0]["senders"] == [
        {
            "id": "gansbacher-johann",
            "name": "Gänsbacher, Johann",
            "cert": None,
            "authority": ["http://d-nb.info/gnd/118814044"],
        }
    ]
    assert letters[0]["date"]["cert"] == "medium"
    assert letters[0]["words"] is None
    assert letters[0]["sources"] == [
        {
            "role": "edition",
            "id": "f5055f00-9182-4728-8f81-a0cf016b616b",
            "text": letters[0]["sources"][0]["text"],
            "title": letters[0]["sources"][0]["text"],
            "cert": None,
        }
    ]
    assert '"Gänsbacher, Johann"' in result.out  # UTF-8 as it is, not \u escapes


def test_two_cmif_files_together(run_cli: RunCli, reference: Path) -> None:
    result = run_cli("export", "json", reference / "cmif")
    assert result.code == 0
    ids = [letter["id"] for letter in json.loads(result.out)["letters"]]
    assert ids == ["631", "632", "633", "A044980", "A041523", "A044943"]
    # The examples name Wien with two different GeoNames URIs: two register entries.
    edition = read_edition([reference / "cmif"])
    assert {key: edition.places[key].authority for key in ("wien", "wien-2")} == {
        "wien": ("http://www.geonames.org/2761369",),
        "wien-2": ("http://www.geonames.org/2761367",),
    }


def test_own_export_reads_back_to_the_same_cmif(run_cli: RunCli, tmp_path: Path) -> None:
    exported = tmp_path / "cmif.xml"
    assert run_cli("export", "cmif", "-o", exported).code == 0
    edition = read_edition([exported])
    assert [letter.id for letter in edition.letters][:2] == [
        "stalin-molotov-1926-06-25",
        "stalin-kaganovich-1930",
    ]
    uncertain = edition.letters[1]
    assert uncertain.date is not None
    assert (uncertain.date.cert, uncertain.date.evidence) == ("low", "conjecture")
    assert uncertain.recipients == (Participant("Lazar Kaganovich", "lazar-kaganovich", "low"),)
    # Read back and exported again with the edition's settings: the same file.
    settings = (EDITION / "teitools.toml").read_text("utf-8")
    (tmp_path / "teitools.toml").write_text(settings.replace('"../schemas/', f'"{ROOT}/schemas/'), "utf-8")
    again = run_cli("export", "cmif", exported)
    assert (again.code, again.err) == (0, "")
    assert again.out == exported.read_text("utf-8")


def test_validate_reports_that_example01_is_not_cmif_1_1(run_cli: RunCli, reference: Path) -> None:
    cmif = reference / "cmif"
    result = run_cli("validate", "--schema", cmif / "cmi-customization.rng", cmif / "example01_basic.xml")
    assert result.code == 1
    assert (
        f'{cmif / "example01_basic.xml"}:43:72: error: @cert="medium" on <date> is '
        "invalid: allowed values: low [rng-invalid]"
    ) in result.out.splitlines()


CMIF_ODDITIES = """<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc>
<titleStmt><title>t</title></titleStmt><sourceDesc><bibl xml:id="b" type="print">B</bibl>
</sourceDesc></fileDesc><profileDesc>
<correspDesc key="12 a" source="#b"><correspAction type="sent"><date when="1800-02-30"/>
</correspAction></correspDesc>
<correspDesc ref="https://ed.example.net/l/1 https://mirror.example.net/l/1" source="#b">
<correspAction type="received"><orgName ref="https://d-nb.info/gnd/1">A Society</orgName>
</correspAction></correspDesc>
<correspDesc key="12 a" source="#b"/>
</profileDesc></teiHeader><text><body><p/></body></text></TEI>
"""


def test_odd_cmif_files_still_export(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "odd.xml"
    path.write_text(CMIF_ODDITIES, "utf-8")
    (tmp_path / "teitools.toml").write_text('base-url = "https://example.org/x/"\n', "utf-8")
    result = run_cli("export", "json", path)
    assert (result.code, result.err) == (0, "")
    letters = json.loads(result.out)["letters"]
    assert [(r["id"], r["url"], r["title"]) for r in letters] == [
        ("1", "https://ed.example.net/l/1", "unknown to A Society, undated"),
        ("12 a", "https://example.org/x/letters/12_a.html", "unknown to unknown, undated"),
        ("12 a-2", "https://example.org/x/letters/12_a-2.html", "unknown to unknown, undated"),
    ]
    assert letters[0]["recipients"] == [
        {"id": "a-society", "name": "A Society", "cert": None, "authority": ["https://d-nb.info/gnd/1"]}
    ]
