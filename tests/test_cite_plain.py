"""The fast path prints what citeproc-py prints alone, byte for byte.

teitools formats with citeproc-py through :mod:`teitools.cite.memo` (remembered renderings) and
the replacements of :mod:`teitools.cite.citeproc_patches` that only make it faster
(``SPEED_ONLY``). Here every bundled letter and a synthetic corpus with varied names and dates
are formatted as the pages and the ``cite`` command format them, in every style of the pages,
as notes and bibliography entries, HTML and plain text; then again by plain citeproc-py, with the
memo off and citeproc-py's own methods put back (the corrections of the other patches, such
as ``initialize="false"``, stay: they change what is printed on purpose). Every citation must
be the same string.
"""

from __future__ import annotations

import contextlib
import datetime
import random
from collections.abc import Iterator
from typing import Any

import citeproc.model
import citeproc.source
import citeproc.string
import pytest
from citeproc import formatter
from citeproc.string import MixedString, NoCase, String

from teitools.cite import citeproc_fast, citeproc_patches, memo
from teitools.cite.mapping import OnlineEdition, citables, csl_item, letter_url, online_item
from teitools.cite.styles import CiteOptions, Prepared, format_bibliography, format_one
from teitools.errors import CitationError
from teitools.model.tei import read_edition
from tests.helpers import EDITION, FIXTURES, LIVE_EDITION
from tests.test_cite_speed import _varied

STYLES = ("chicago", "chicago17", "mla", "apa")
ONLINE = OnlineEdition("Stalin's Letters", "https://letters.example.org/", datetime.date(2026, 12, 1))


@contextlib.contextmanager
def plain_citeproc() -> Iterator[None]:
    """citeproc-py's own methods in place of the speed-only replacements, and no memo."""
    citeproc_patches.apply()
    replaced = {}
    for name in citeproc_patches.SPEED_ONLY:
        class_name, method = name.split(".")
        cls = getattr(citeproc.model, class_name, None) or getattr(citeproc.source, class_name)
        replaced[cls, method] = cls.__dict__[method]
        setattr(cls, method, citeproc_patches.ORIGINALS[name])
    try:
        with memo.disabled():
            yield
    finally:
        for (cls, method), replacement in replaced.items():
            setattr(cls, method, replacement)


def _bundled_items() -> list[dict[str, object]]:
    """Each letter of the bundled edition, its frozen copy and the citation fixtures, cited in
    its volume and as read in a digital edition."""
    found: list[dict[str, object]] = []
    for folder in (LIVE_EDITION, EDITION):
        edition = read_edition([folder])
        for citable in citables(edition):
            found.append(csl_item(citable))
            found.append(online_item(citable, ONLINE, letter_url(edition, citable.letter, ONLINE.base_url)))
    cite_letters = sorted((FIXTURES / "cite" / "letters").glob("*.xml"))
    found += [csl_item(c) for c in citables(read_edition(cite_letters))]
    return found


@pytest.fixture(scope="module")
def items(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, object]]:
    from benchmarks.corpus import write_corpus  # noqa: PLC0415 -- the synthetic corpus

    folder = tmp_path_factory.mktemp("corpus")
    write_corpus(folder, 30)
    corpus = [_varied(n, csl_item(c)) for n, c in enumerate(citables(read_edition([folder])))]
    return _bundled_items() + corpus


def _formatted(items: list[dict[str, object]], style: str, html: bool) -> Iterator[str]:
    """As the pages format (one prepared item, several styles) and as ``cite`` does, with and
    without a locator; then one bibliography of every item."""
    for number, item in enumerate(items):
        prepared = Prepared(item, html=html)
        yield _attempt(prepared, CiteOptions(style, True, None, html))
        yield _attempt(prepared, CiteOptions(style, False, None, html))
        if number % 3 == 0:  # a page cited, in a processor of its own
            yield _attempt(Prepared(item, html=html), CiteOptions(style, True, "45", html))
    try:
        yield "\n".join(format_bibliography(items, CiteOptions(style, html=html)))
    except CitationError as error:
        yield f"error: {error}"


def _attempt(prepared: Prepared, options: CiteOptions) -> str:
    try:
        return format_one(prepared, options)
    except CitationError as error:
        return f"error: {error}"


@pytest.mark.slow
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("html", [False, True], ids=["plain", "html"])
def test_the_fast_path_prints_what_plain_citeproc_py_prints(
    items: list[dict[str, object]], style: str, html: bool
) -> None:
    memo.clear()
    fast = list(_formatted(items, style, html))
    with plain_citeproc():
        plain = list(_formatted(items, style, html))
    assert len(fast) == len(plain) > 2 * len(items)
    different = [(i, a, b) for i, (a, b) in enumerate(zip(fast, plain, strict=True)) if a != b]
    assert different == []
    # Not a corpus of errors: nearly every letter has a note and an entry.
    assert sum(text.startswith("error:") for text in plain) < len(items)


def test_plain_citeproc_puts_back_citeproc_pys_methods_and_then_the_fast_ones() -> None:
    citeproc_patches.apply()
    fast_wrap = citeproc.model.Affixed.wrap
    with plain_citeproc():
        assert citeproc.model.Affixed.wrap is citeproc_patches.ORIGINALS["Affixed.wrap"]
        assert citeproc.model.Macro.render is citeproc_patches.ORIGINALS["Macro.render"]
    assert citeproc.model.Affixed.wrap is fast_wrap


def _shape(text: Any) -> Any:
    """What a joined text is, to the segment: its class and text, and a MixedString's parts."""
    if isinstance(text, MixedString):
        return ("MixedString", [_shape(part) for part in text])
    return (type(text).__name__, str(text))


_PIECES = ("", " ", ".", ",", "a", "a.", " a", ".a", "a ", ", b", "b,", "x;", ";y", "  ")


def _piece(chance: random.Random) -> Any:
    text = chance.choice(_PIECES)
    kind = chance.randrange(6)
    if kind == 0:
        return text
    if kind == 1:
        return String(text)
    if kind == 2:
        return NoCase(text)
    if kind == 3:
        return formatter.html.Italic(text)
    if kind == 4:
        return MixedString([String(chance.choice(_PIECES)), chance.choice([String, str, NoCase])(text)])
    return MixedString([]) if chance.random() < 0.2 else MixedString([String(text)])


def test_the_lean_join_joins_as_citeproc_py_segment_for_segment() -> None:
    # Seams of spaces and punctuation between every kind of part citeproc-py joins: String,
    # NoCase, MixedString (empty too), plain and HTML-formatted str; and one it does not know.
    citeproc_patches.apply()
    chance = random.Random(16)  # noqa: S311 -- reproducible test data, no secret
    delimiters = ("", ", ", ". ", " ", ",", String(", "), "\u2013")
    for _ in range(20_000):
        parts = [_piece(chance) for _ in range(chance.randrange(5))]
        delimiter = chance.choice(delimiters)
        expected = citeproc.string.join(list(parts), delimiter)
        assert _shape(citeproc_fast.join(iter(parts), delimiter)) == _shape(expected), (parts, delimiter)
    unknown = [String("a"), 3]  # a number among the parts: citeproc-py's own join
    assert _shape(citeproc_fast.join(unknown, ", ")) == _shape(citeproc.string.join(unknown, ", "))
