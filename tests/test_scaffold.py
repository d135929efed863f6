"""``teitools new``: a letter from the registers, and register entries, that validate clean."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.helpers import EDITION, ROOT, copy_edition, run_cli


@pytest.fixture
def edition(tmp_path: Path) -> Path:
    return copy_edition(tmp_path / "tei", EDITION)


def test_a_new_letter_is_written_filled_in_and_the_edition_validates_clean(edition: Path) -> None:
    done = run_cli("new", "stalin", "molotov", "1930-09-13", "--place", "sochi", cwd=edition.parent)
    assert done.code == 0, done.err
    path = edition / "letters" / "stalin-molotov-1930-09-13.xml"
    text = path.read_text(encoding="utf-8")
    assert 'xml:id="stalin-molotov-1930-09-13"' in text
    assert "<title>Stalin to Molotov, 13 September 1930</title>" in text
    assert '<persName ref="#stalin">Joseph Stalin</persName>' in text
    assert '<persName ref="#molotov">Vyacheslav Molotov</persName>' in text
    assert '<placeName ref="#sochi">Sochi</placeName>' in text
    assert '<date when="1930-09-13">13 September 1930</date>' in text
    # Publisher and licence from the settings, sources from the closest Stalin-Molotov letter.
    assert '<licence target="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</licence>' in text
    assert 'corresp="#lih-1995"' in text
    assert done.out.startswith(
        f"wrote {Path('tei') / 'letters' / path.name} (xml:id stalin-molotov-1930-09-13)"
    )
    assert "the letter's text" in done.out
    checked = run_cli("validate", "--strict", edition)
    assert (checked.code, checked.out) == (0, "12 files checked: no problems\n")


def test_the_next_free_id_is_taken_and_no_file_is_overwritten(edition: Path) -> None:
    existing = edition / "letters" / "stalin-kaganovich-1935-08-22.xml"
    before = existing.read_bytes()
    done = run_cli("new", "stalin", "kaganovich", "1935-08-22", "--edition", edition)
    assert done.code == 0, done.err
    assert existing.read_bytes() == before
    second = edition / "letters" / "stalin-kaganovich-1935-08-22a.xml"
    assert 'xml:id="stalin-kaganovich-1935-08-22a"' in second.read_text(encoding="utf-8")
    assert run_cli("validate", edition).code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["stalin", "molotv", "1930"],
            'unknown recipient "molotv": no person with that xml:id in persons.xml. Did you mean "molotov"?',
        ),
        (["stalln", "molotov", "1930"], 'Did you mean "stalin"?'),
        (
            ["stalin", "molotov", "1930", "--place", "sochy"],
            'no place with xml:id="sochy" in places.xml. Did you mean "sochi"?',
        ),
        (["stalin", "molotov", "1930-9-13"], "is not YYYY, YYYY-MM or YYYY-MM-DD. Did you mean 1930-09-13?"),
    ],
)
def test_unknown_ids_and_bad_dates_are_refused_with_a_hint(
    edition: Path, args: list[str], message: str
) -> None:
    done = run_cli("new", *args, "--edition", edition)
    assert done.code == 2
    assert done.err.startswith("teitools: error: ") and message in done.err
    assert sorted(p.name for p in (edition / "letters").iterdir()) == sorted(
        p.name for p in (EDITION / "letters").iterdir()
    )


def test_a_person_entry_is_printed_then_added_keeping_the_file(edition: Path) -> None:
    register = edition / "persons.xml"
    before = register.read_text(encoding="utf-8")
    printed = run_cli(
        "new", "person", "Nikolai Yezhov", "--birth", "1895", "--death", "1940", "--edition", edition
    )
    assert printed.code == 0
    assert printed.out == (
        '        <person xml:id="yezhov">\n'
        '          <persName type="main"><forename>Nikolai</forename> <surname>Yezhov</surname></persName>\n'
        '          <birth when="1895"/>\n'
        '          <death when="1940"/>\n'
        "        </person>\n"
    )
    assert register.read_text(encoding="utf-8") == before  # printing writes nothing
    added = run_cli("new", "person", "Nikolai Yezhov", "--birth", "1895", "--edition", edition, "--write")
    assert added.code == 0
    after = register.read_text(encoding="utf-8")
    closing = before.index("      </listPerson>")
    assert after.startswith(before[:closing]) and after.endswith(before[closing:])  # the rest kept
    assert '<person xml:id="yezhov">' in after
    assert run_cli("validate", "--strict", edition).code == 0


def test_a_taken_id_gets_a_fresh_one(edition: Path) -> None:
    done = run_cli("new", "person", "Lazar Kaganovich", "--edition", edition)
    assert '<person xml:id="kaganovich-2">' in done.out
    refused = run_cli("new", "person", "Lazar Kaganovich", "--id", "kaganovich", "--edition", edition)
    assert refused.code == 2 and 'xml:id="kaganovich" is already used' in refused.err


def test_place_and_source_entries_validate(edition: Path) -> None:
    assert run_cli("new", "place", "Tiflis", "--type", "city", "--edition", edition, "--write").code == 0
    source = ["new", "source", "Stalin and His Hangmen", "--author", "Donald Rayfield", "--year", "2004"]
    assert run_cli(*source, "--edition", edition, "--write").code == 0
    places = (edition / "places.xml").read_text(encoding="utf-8")
    assert (
        '        <place xml:id="tiflis" type="city">\n          <placeName type="main">Tiflis</placeName>'
        in places
    )
    assert '<bibl xml:id="rayfield-2004">' in (edition / "sources.xml").read_text(encoding="utf-8")
    letter: list[str | Path] = ["new", "stalin", "molotov", "1931", "--place", "tiflis", "--edition", edition]
    assert run_cli(*letter).code == 0
    assert run_cli("validate", "--strict", edition).code == 0


def test_a_folder_without_registers_is_refused(tmp_path: Path) -> None:
    done = run_cli("new", "stalin", "molotov", "1930", "--edition", tmp_path)
    assert done.code == 2 and "no registers here" in done.err


def test_a_missing_person_finding_offers_the_command_that_fixes_it(edition: Path) -> None:
    letter = edition / "letters" / "stalin-kaganovich-1935-08-22.xml"
    letter.write_text(letter.read_text(encoding="utf-8").replace("#kleiner", "#schmidt"), encoding="utf-8")
    found = run_cli("validate", edition)
    assert found.code == 1
    command = re.search(r"\(to add it: teitools (new person \"Kleiner\" --id schmidt --write)\)", found.out)
    assert command, found.out
    assert run_cli(*shlex.split(command[1]), "--edition", edition).code == 0
    assert run_cli("validate", edition).code == 0


def test_the_encoding_guide_shows_what_teitools_new_prints(edition: Path) -> None:
    guide = (ROOT / "docs" / "encoding.md").read_text(encoding="utf-8")
    example = re.search(r"```console\n\$ teitools (new [^\n]+)\n(.*?)```", guide, re.DOTALL)
    assert example, "docs/encoding.md shows teitools new"
    done = run_cli(*shlex.split(example[1]), cwd=edition.parent)
    assert (done.code, done.out) == (0, example[2])
