"""The letter pages' citation block made cheap, printing what it printed before.

A page's item is read by citeproc-py once for its five styles (``styles.Prepared``); a whole
citation is remembered when another letter cites alike (the memo of ``cs:layout``); and the
patches that skip citeproc-py's formatting machinery for elements that ask for none return
what citeproc-py's own methods return, element by element, in every style the pages use.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, cast

import pytest
from citeproc import formatter
from citeproc.model import Affixed, Formatted
from citeproc.string import MixedString, String

from benchmarks.corpus import write_corpus
from teitools.cite import citeproc_patches, memo
from teitools.cite.csl import _item_validator, item_is_valid
from teitools.cite.html import CHOICES
from teitools.cite.mapping import citables, csl_item
from teitools.cite.styles import (
    CiteOptions,
    Prepared,
    _citeproc_style,
    format_bibliography,
    format_citation,
    format_one,
    load_style,
)
from teitools.model.tei import read_edition
from tests.helpers import EDITION


@pytest.fixture(scope="module")
def items() -> list[dict[str, object]]:
    edition = read_edition([EDITION])
    return [csl_item(c) for c in citables(edition)]


@pytest.mark.parametrize(("key", "style", "note"), [(c[0], c[2], c[3]) for c in CHOICES])
@pytest.mark.parametrize("html", [False, True], ids=["plain", "html"])
def test_a_prepared_item_formats_as_the_item_does(
    items: list[dict[str, object]], key: str, style: str, note: bool, html: bool
) -> None:
    options = CiteOptions(style=style, note=note, html=html)
    for item in items:
        expected = format_citation(item, options) if note else format_bibliography([item], options)[0]
        assert format_one(Prepared(item, html=html), options) == expected, (key, item["id"])


def test_a_prepared_item_keeps_what_it_was_given(items: list[dict[str, object]]) -> None:
    item = copy.deepcopy(items[0])
    options = CiteOptions(note=True, html=True)
    prepared = Prepared(item, html=True)
    before = format_one(prepared, options)
    item["author"] = [{"family": "Nobody", "given": "Else"}]
    assert format_one(prepared, options) == before
    assert "Nobody" not in before


def test_a_prepared_item_is_for_the_output_it_was_prepared_for(items: list[dict[str, object]]) -> None:
    with pytest.raises(ValueError, match="prepared for the other output"):
        format_one(Prepared(items[0], html=False), CiteOptions(html=True))


@pytest.mark.parametrize("style", ["chicago", "apa"])
def test_a_letter_that_cites_alike_is_found_whole(items: list[dict[str, object]], style: str) -> None:
    # Another letter of the same day, writer, recipient and volume: only its id differs, which
    # no style prints, so its citation is the first one's, found without rendering anything.
    twin = {**items[0], "id": "twin", "citation-key": "twin"}
    options = CiteOptions(style=style, note=style == "chicago", html=True)
    memo.clear()
    first = format_one(Prepared(items[0], html=True), options)
    size = memo.size()
    second = format_one(Prepared(twin, html=True), options)
    assert second == first
    assert memo.size() == size
    with memo.disabled():
        assert format_one(Prepared(twin, html=True), options) == second


def _elements(style: str) -> list[Any]:
    root = _citeproc_style(load_style(style)).root
    return [e for e in root.iter() if isinstance(e, Formatted) and isinstance(e, Affixed)]


_TEXTS: tuple[Any, ...] = (
    String("Letters"),
    MixedString([String("ed. "), String("A. Editor")]),
    formatter.html.Italic("Collected Letters"),
    "plain",
    1935,
)


@pytest.mark.parametrize("style", ["chicago", "chicago17", "mla", "apa"])
@pytest.mark.parametrize("output", [formatter.plain, formatter.html], ids=["plain", "html"])
def test_format_and_wrap_return_what_citeproc_py_returns(style: str, output: Any) -> None:
    citeproc_patches.apply()
    elements = _elements(style)
    elements[0].get_root().formatter = output
    original_format = citeproc_patches.ORIGINALS["Formatted.format"]
    original_wrap = citeproc_patches.ORIGINALS["Affixed.wrap"]
    plain = affixed = 0
    for element in elements:
        for text in _TEXTS:
            formatted = element.format(text)
            expected = original_format(element, text)
            assert (type(formatted), str(formatted)) == (type(expected), str(expected)), element.sourceline
            if isinstance(text, int):
                continue
            wrapped = element.wrap(text)
            expected = original_wrap(element, text)
            assert (type(wrapped), str(wrapped)) == (type(expected), str(expected)), element.sourceline
        affixed += element.get("prefix") is not None or element.get("suffix") is not None
        plain += element.get("prefix") is None and element.get("font-style") is None
    # Both paths of each replacement were taken.
    assert affixed > 10
    assert plain > 10
    assert elements[0].wrap(None) is None


def _mutations(item: dict[str, object]) -> list[dict[str, object]]:
    """The item and ways of breaking it, or not, that a field-by-field check could misjudge."""
    author = item["author"]
    assert isinstance(author, list)
    return [
        item,
        {**item, "language": "not a language tag"},
        {**item, "language": "de-AT"},
        {**item, "no-such-field": "x"},
        {k: v for k, v in item.items() if k != "type"},
        {**item, "author": tuple(author)},
        {**item, "author": [*author, {"family": 3}]},
        {**item, "issued": {"date-parts": [[1935, 8, 22]]}},
        {**item, "issued": {"date-parts": [["1935"]]}},
        {**item, "issued": {"date-parts": [[1935.0]]}},
        {**item, "title": True},
        {**item, "title": None},
        {**item, "note": "A note"},
    ]


def test_the_field_by_field_check_says_what_jsonschema_says(
    items: list[dict[str, object]], tmp_path: Path
) -> None:
    write_corpus(tmp_path, 60)
    corpus = [csl_item(c) for c in citables(read_edition([tmp_path]))]
    candidates = [m for item in items + corpus for m in _mutations(item)]
    verdicts = [item_is_valid(candidate) for candidate in candidates]
    assert verdicts == [_item_validator().is_valid(cast("Any", candidate)) for candidate in candidates]
    # Every bundled and synthetic item is valid, and the mutations are not all valid.
    assert all(item_is_valid(item) for item in items + corpus)
    assert 0 < verdicts.count(False) < len(verdicts)
