"""The remembered renderings of teitools.cite.memo print exactly what citeproc-py prints alone.

A synthetic corpus (benchmarks/corpus.py) with its names and dates varied further (particles,
suffixes, institutions, several recipients, ranges, circa dates, pages) is formatted in every
style the pages offer, notes and bibliography entries, HTML and plain text, once with the
memo and once without it; every citation must be the same string.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.corpus import write_corpus
from teitools.cite import memo
from teitools.cite.mapping import citables, csl_item
from teitools.cite.styles import CiteOptions, format_bibliography, format_citation
from teitools.errors import CitationError
from teitools.model.tei import read_edition

LETTERS = 120
#: The styles of the pages' citation block, and the Chicago editions in both forms.
STYLES = ("chicago", "chicago17", "mla", "apa")

_NAME_VARIANTS: tuple[dict[str, str] | None, ...] = (
    None,
    {"family": "Gogh", "given": "Vincent", "non-dropping-particle": "van"},
    {"family": "Humboldt", "given": "Alexander", "dropping-particle": "von"},
    {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
    {"literal": "Central Committee of the VKP(b)"},
    {"family": "Molotov", "given": "V. M."},
    {"family": "d'Alembert", "given": "Jean le Rond"},
)


@pytest.fixture(scope="module")
def items(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, object]]:
    folder = tmp_path_factory.mktemp("corpus")
    write_corpus(folder, LETTERS)
    edition = read_edition([folder])
    return [_varied(number, csl_item(c)) for number, c in enumerate(citables(edition))]


def _varied(number: int, item: dict[str, object]) -> dict[str, object]:
    """The corpus item with the kinds of names and dates editions have and the corpus lacks."""
    varied = copy.deepcopy(item)
    name = _NAME_VARIANTS[number % len(_NAME_VARIANTS)]
    if name is not None:
        varied["author"] = [name]
    if number % 6 == 1:
        varied["recipient"] = [*_names(varied["recipient"]), {"family": "Kaganovich", "given": "Lazar"}]
    if number % 5 == 1:
        varied["event-date"] = {"date-parts": [[1931, 5], [1931, 7, 2]]}
    elif number % 5 == 2:
        varied["event-date"] = {"date-parts": [[1933, 8, 14]], "circa": True}
    elif number % 5 == 3:
        varied["event-date"] = {"date-parts": [[1920 + number % 20]]}
    if number % 9 == 4:
        varied["page"] = "112-19"
    return varied


def _names(value: object) -> list[dict[str, str]]:
    assert isinstance(value, list)
    return list(value)


def _formatted(items: list[dict[str, object]], style: str, html: bool) -> Iterator[str]:
    for number, item in enumerate(items):
        locator = "45" if number % 4 == 0 else None
        yield from _attempt(item, CiteOptions(style, True, locator, html))
        yield from _attempt(item, CiteOptions(style, html=html))
    # One bibliography of every item: sorted, with year suffixes where the style asks.
    yield from _attempt(items, CiteOptions(style, html=html))


def _attempt(what: dict[str, object] | list[dict[str, object]], options: CiteOptions) -> list[str]:
    """The note of one item, or the bibliography entries of one or all; an error as text."""
    try:
        if isinstance(what, dict) and options.note:
            return [format_citation(what, options)]
        return format_bibliography(what if isinstance(what, list) else [what], options)
    except CitationError as error:
        return [f"error: {error}"]


@pytest.mark.slow
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("html", [False, True], ids=["plain", "html"])
def test_the_memo_prints_what_citeproc_py_prints(
    items: list[dict[str, object]], style: str, html: bool
) -> None:
    memo.clear()
    remembered = list(_formatted(items, style, html))
    assert memo.size() > 0
    with memo.disabled():
        rendered = list(_formatted(items, style, html))
    assert len(remembered) == len(rendered) > 2 * LETTERS
    different = [(i, a, b) for i, (a, b) in enumerate(zip(remembered, rendered, strict=True)) if a != b]
    assert different == []
    # Not a corpus of errors: nearly every letter has a note and an entry.
    assert sum(text.startswith("error:") for text in rendered) < LETTERS


def test_a_full_memo_starts_afresh_and_prints_the_same(
    items: list[dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    options = CiteOptions("chicago", note=True, html=True)
    with memo.disabled():
        expected = [format_citation(item, options) for item in items[:40]]
    memo.clear()
    monkeypatch.setattr(memo, "MEMO_LIMIT", 50)
    got = []
    for item in items[:40]:
        got.append(format_citation(item, options))
        assert memo.size() <= 50
    assert got == expected


def test_a_volume_is_formatted_once_for_all_its_letters(items: list[dict[str, object]]) -> None:
    # Letters of one volume share its part of the note: the second letter is cheaper.
    options = CiteOptions("chicago", note=True)
    memo.clear()
    format_citation(items[0], options)
    first = memo.size()
    other = next(i for i in items[1:] if i["container-title"] == items[0]["container-title"])
    format_citation(other, options)
    assert memo.size() - first < first / 2


def test_a_date_part_override_applies_to_its_own_date(tmp_path: Path) -> None:
    # The first date shortens the month; the second, with no override, prints it in full.
    style = tmp_path / "dates.csl"
    style.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0" '
        'default-locale="en-US"><info><title>Dates</title><id>dates</id>'
        "<updated>2024-01-01T00:00:00+00:00</updated></info>"
        '<citation><layout><group delimiter="; ">'
        '<date variable="issued" form="text"><date-part name="month" form="short"/></date>'
        '<date variable="original-date" form="text"/>'
        "</group></layout></citation></style>\n",
        encoding="utf-8",
    )
    item: dict[str, object] = {
        "id": "a",
        "type": "personal_communication",
        "issued": {"date-parts": [[1935, 8, 22]]},
        "original-date": {"date-parts": [[1935, 8, 22]]},
    }
    for _ in range(2):  # the second time, after the override was seen once
        assert format_citation(item, CiteOptions(str(style), note=True)) == "Aug. 22, 1935; August 22, 1935"
