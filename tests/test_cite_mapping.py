"""The mapping from letters to citation data: keys, names, dates and every special case."""

from __future__ import annotations

from pathlib import Path

import pytest

from teitools.cite.mapping import ascii_fold, citables, citation_keys, csl_date, csl_item, split_name
from teitools.model.dates import PartialDate
from teitools.model.tei import read_edition
from teitools.model.types import DateSpan, Edition
from tests.conftest import RunCli
from tests.helpers import EDITION, REFERENCE

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "cite"


@pytest.fixture(scope="module")
def edition() -> Edition:
    return read_edition([EDITION])


@pytest.fixture(scope="module")
def fixtures() -> Edition:
    return read_edition([FIXTURES / "letters"])


def _item(edition: Edition, letter_id: str) -> dict[str, object]:
    letter = next(x for x in edition.letters if x.id == letter_id)
    return csl_item(citables(edition, [letter])[0])


def _keys_by_id(edition: Edition) -> dict[str, str]:
    keys = citation_keys(edition)
    return {letter.id: keys[letter.identity] for letter in edition.letters}


def test_keys_of_the_edition_are_readable_and_unique(edition: Edition) -> None:
    assert _keys_by_id(edition) == {
        "stalin-molotov-1926-06-25": "stalin1926-06-25molotov",
        "stalin-kaganovich-1930": "stalin1930kaganovich",
        "stalin-kaganovich-1932-07": "stalin1932-07kaganovich",
        "stalin-kaganovich-1933": "stalin1933kaganovich",
        "kaganovich-stalin-1934-08-28": "kaganovich1934-08-28stalin",
        "stalin-kaganovich-1934-09-13": "stalin1934-09-13kaganovich",
        "stalin-kaganovich-1935-08-22": "stalin1935-08-22kaganovich",
        "stalin-kaganovich-1936-08-23": "stalin1936-08-23kaganovich",
    }


def test_colliding_keys_get_a_suffix_and_the_first_keeps_its_key(fixtures: Edition) -> None:
    keys = _keys_by_id(fixtures)
    assert keys["smith-jones-1900-01-01"] == "smith1900-01-01jones"
    assert keys["smith-jones-1900-01-01a"] == "smith1900-01-01jonesa"
    assert len(set(keys.values())) == len(keys)


def test_keys_do_not_depend_on_which_letters_are_exported(fixtures: Edition) -> None:
    later = next(x for x in fixtures.letters if x.id == "smith-jones-1900-01-01a")
    assert citables(fixtures, [later])[0].key == "smith1900-01-01jonesa"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Чайковский", "chaikovskii"),
        ("Dvořák", "dvorak"),
        ("Šťastný", "stastny"),
        ("Ordzhonikidze", "ordzhonikidze"),
        ("Щербаков-Юрьев", "shcherbakoviurev"),
        ("O'Brien", "obrien"),
        ("毛泽东", ""),
    ],
)
def test_ascii_fold_transliterates_cyrillic_and_drops_diacritics(text: str, folded: str) -> None:
    assert ascii_fold(text) == folded


def test_cyrillic_key_and_names_keep_utf8(fixtures: Edition) -> None:
    item = _item(fixtures, "chaikovsky-dvorak-1888-01-22")
    assert item["id"] == "chaikovskii1888-01-22dvorak"
    assert item["author"] == [{"family": "Чайковский", "given": "Пётр Ильич"}]
    assert item["recipient"] == [{"family": "Dvořák", "given": "Antonín"}]
    assert item["editor"] == [{"family": "Šťastný", "given": "Jiří"}, {"family": "Иванова", "given": "Ольга"}]


def test_a_certain_day(edition: Edition) -> None:
    item = _item(edition, "stalin-kaganovich-1935-08-22")
    # The letter's date once, where the styles read a letter's date; no original-date, which
    # Chicago would print again as "(1935; Yale University Press, 2003)".
    assert item["event-date"] == {"date-parts": [[1935, 8, 22]]}
    assert "original-date" not in item
    assert item["issued"] == {"date-parts": [[2003]]}
    assert item["type"] == "personal_communication"
    assert item["event-title"] == "letter to Lazar Kaganovich"
    assert item["container-title"] == "The Stalin-Kaganovich Correspondence 1931-36"
    assert item["publisher"] == "Yale University Press"
    assert item["publisher-place"] == "New Haven"
    assert item["collection-title"] == "Annals of Communism"
    assert "note" not in item
    assert "page" not in item  # no page is known for any letter


def test_a_month_and_a_year_keep_their_precision(edition: Edition) -> None:
    assert _item(edition, "stalin-kaganovich-1932-07")["event-date"] == {"date-parts": [[1932, 7]]}
    assert _item(edition, "stalin-kaganovich-1933")["event-date"] == {"date-parts": [[1933]]}


def test_uncertain_range_and_probable_recipient(edition: Edition) -> None:
    item = _item(edition, "stalin-kaganovich-1930")
    # citeproc-js refuses a range of mixed precision: a bracketed literal, read as the editors'.
    assert item["event-date"] == {"literal": "[between 1930 and August 7, 1932]"}
    assert item["recipient"] == [{"literal": "Lazar Kaganovich (?)"}]
    assert item["note"] == (
        "Participants marked (?) are conjectural. The date is conjectural. "
        "That the letter is printed in this volume is conjectural."
    )


def test_several_recipients_with_unnamed_others(edition: Edition) -> None:
    item = _item(edition, "stalin-molotov-1926-06-25")
    assert item["recipient"] == [
        {"family": "Molotov", "given": "Vyacheslav"},
        {"family": "Rykov", "given": "Alexei"},
        {"family": "Bukharin", "given": "Nikolai"},
        {"literal": "other friends"},
    ]
    assert citables(edition)[0].title == "Stalin to Molotov, Rykov, Bukharin and other friends"


def test_unknown_recipient_and_open_date(fixtures: Edition) -> None:
    item = _item(fixtures, "smith-unknown-1901-03")
    assert item["recipient"] == [{"literal": "unknown recipient"}]
    assert item["event-date"] == {"literal": "[not before March 1, 1901]"}
    assert item["id"] == "smith1901-03-01unknown"


def test_unpublished_letter_is_issued_on_its_own_date(fixtures: Edition) -> None:
    item = _item(fixtures, "jones-smith-1902")
    assert item["issued"] == {"date-parts": [[1902]], "circa": True}
    assert not {"original-date", "event-date", "container-title", "editor"} & set(item)
    assert item["event-title"] == "letter to Ann Smith"


def test_cipher_letter_has_its_type(edition: Edition) -> None:
    # In event-title, MLA's description: a genre would be printed twice by MLA.
    assert (
        _item(edition, "stalin-kaganovich-1936-08-23")["event-title"]
        == "letter in cipher to Lazar Kaganovich"
    )
    assert "genre" not in _item(edition, "stalin-kaganovich-1936-08-23")


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        (DateSpan(), None),
        (DateSpan(text="Easter"), {"literal": "Easter"}),
        (DateSpan(when=PartialDate(1933), cert="medium"), {"date-parts": [[1933]], "circa": True}),
        (
            DateSpan(not_before=PartialDate(1930), not_after=PartialDate(1931), cert="high"),
            {"literal": "[between 1930 and 1931]"},
        ),
        (DateSpan(not_after=PartialDate(1932, 8, 7)), {"literal": "[not after August 7, 1932]"}),
        (DateSpan(text="1951"), {"date-parts": [[1951]]}),
        (DateSpan(text="22 January 1898"), {"date-parts": [[1898, 1, 22]]}),
        (DateSpan(text="January 22, 1898"), {"date-parts": [[1898, 1, 22]]}),
        (DateSpan(text="30 February 1898"), {"literal": "30 February 1898"}),
        (DateSpan(text="spring 1951"), {"literal": "spring 1951"}),
    ],
)
def test_csl_dates(span: DateSpan, expected: dict[str, object] | None) -> None:
    assert csl_date(span) == expected


def test_sorted_by_date_then_id(edition: Edition) -> None:
    ids = [c.letter.id for c in citables(edition)]
    assert ids == [x.id for x in edition.chronological()]
    assert ids[0] == "stalin-molotov-1926-06-25"
    assert ids[-1] == "stalin-kaganovich-1936-08-23"


@pytest.mark.parametrize(
    ("written", "family", "given", "particle"),
    [
        ("Adelbert von Chamisso", "Chamisso", "Adelbert", "von"),
        ("Louis de La Foye", "La Foye", "Louis", "de"),
        ("Weber, Carl Maria von", "Weber", "Carl Maria", "von"),
        ("Amalia Beer", "Beer", "Amalia", ""),
    ],
)
def test_names_without_parts_are_split_for_sorting(
    written: str, family: str, given: str, particle: str
) -> None:
    name = split_name(written)
    assert (name.family, name.given, name.particle) == (family, given, particle)
    assert name.display() == " ".join(p for p in (given, particle, family) if p)


def test_one_word_names_stay_literal() -> None:
    assert split_name("Werther").csl() == {"literal": "Werther"}


SIG = REFERENCE / "correspdesc-examples"


@pytest.mark.skipif(not SIG.is_dir(), reason=f"the SIG examples are absent ({SIG})")
def test_keys_are_unique_and_stable_across_the_sig_examples() -> None:
    files = sorted(SIG.glob("*.xml"))
    keys = [c.key for c in citables(read_edition(files))]
    assert len(keys) == len(set(keys))
    # Three files have a letter "letter1": each keeps a key of its own, the same every run.
    assert keys == [c.key for c in citables(read_edition(list(reversed(files))))]
    assert "chamisso1807-01-29lafoye" in keys
    assert "purrmann1951hesse" in keys  # the text-only date "1951" is read


@pytest.mark.skipif(not SIG.is_dir(), reason=f"the SIG examples are absent ({SIG})")
def test_cite_id_chooses_a_letter_of_an_anthology(run_cli: RunCli) -> None:
    path = SIG / "example07_anthology-of-letters.xml"
    several = run_cli("cite", path)
    assert several.code == 2
    assert "holds 2 letters (letter1, letter2); choose one with --id" in several.err
    chosen = run_cli("cite", path, "--id", "letter2", "--style", "mla")
    assert (chosen.code, chosen.out) == (0, "Schoenberger, L. Letter to Giacomo Meyerbeer. 4 Mar. 1815.\n")
