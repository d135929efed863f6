"""Patches to citeproc-py where it differs from the CSL specification or is needlessly slow.

Applied once, by :func:`apply`, before teitools formats anything (``teitools.cite.styles``).
Each patch replaces one citeproc-py method (written against 0.11.1; pyproject.toml allows
0.11 only) with one that gives CSL's answer, or the same answer faster; ``docs/citations.md``
lists them and ``tests/test_cite_styles.py`` has a test for each;
``tests/test_dependencies.py`` checks that every replaced method still has the signature
the patch expects. Patching is process-wide: other users of citeproc-py in the same process
get the corrected behaviour too.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

from teitools.cite import citeproc_fast, memo

#: citeproc-py's own methods that were replaced ("Class.method"), for the tests that compare
#: them and check their signatures.
ORIGINALS: dict[str, Any] = {}
#: The replacements that give citeproc-py's own answer, only sooner: with these put back and
#: :func:`teitools.cite.memo.disabled`, citeproc-py formats alone (with the corrections of
#: the other patches), which ``tests/test_cite_plain.py`` compares with the fast path.
SPEED_ONLY = frozenset(
    {
        "CitationStylesElement.get_macro",
        "CitationStylesElement.get_locale_option",
        "CitationStylesElement.get_layout",
        "Date.is_locale_date",
        "Names.substitute",
        "Locale.get_date",
        "Locale.get_term",
        "Parent.calls_variable",
        "Text.calls_variable",
        "CitationItem.reference",
        "SomewhatObjectifiedElement.__getattr__",
        "CitationStylesElement.xpath_search",
        "CitationStylesElement.get_root",
        "CitationStylesElement.get_formatter",
        "Formatted.format",
        "Affixed.wrap",
        "Sort.sort",
        *citeproc_fast.REPLACED,
        *memo.WRAPPED,
    }
)
#: The memos of the patched lookups, for the tests that check their bound.
MEMOS: list[Any] = []
#: Entries each memo keeps. The keys are style elements and the answers depend on the style
#: alone. Chicago, the largest common style, filled at most 628 entries of one memo while
#: formatting the letters of tei/; teitools.cite.styles keeps 8 parsed styles, so 8,192
#: holds every lookup of those with room to spare.
MEMO_SIZE = 8192
#: citeproc-py's method behind each replacement.
_CITEPROC: dict[Any, Any] = {}


def _memo(function: Callable[..., Any]) -> Any:
    remembered = lru_cache(maxsize=MEMO_SIZE)(function)
    MEMOS.append(remembered)
    return remembered


def _replace(cls: Any, method: str, replacement: Any) -> None:
    # An inherited method is recorded under the class whose behaviour changes. A method
    # replaced twice (a lean rendering, then the memo around it) keeps citeproc-py's as its
    # original, and so does a class inheriting a replaced one.
    current = cls.__dict__.get(method, getattr(cls, method))
    original = ORIGINALS.setdefault(f"{cls.__name__}.{method}", _CITEPROC.get(current, current))
    _CITEPROC[replacement] = original
    setattr(cls, method, replacement)


@cache  # no arguments: patches once per process
def apply() -> None:
    """Apply every patch (once per process)."""
    _let_interruptions_through()
    _honour_initialize_false()
    _title_case_labels()
    _cache_style_lookups()
    _date_part_options_for_one_date()
    # The memo wraps the lean renderings, so they go first.
    citeproc_fast.install(_replace)
    memo.install(_replace)


def _let_interruptions_through() -> None:
    """Let Ctrl-C and SIGTERM stop a citation being formatted.

    citeproc-py's ``Delimited.join`` (which joins the parts of every group, macro and layout)
    falls back to an empty text with a bare ``except:``, which also catches the
    ``KeyboardInterrupt`` of Ctrl-C and the one teitools raises for SIGTERM
    (``teitools.cli``): a build interrupted while it formatted a citation went on to the end.
    The replacement falls back on errors alone, as citeproc-py means to.
    """
    from citeproc.model import Delimited  # noqa: PLC0415
    from citeproc.string import String  # noqa: PLC0415

    def join_parts(self: Any, strings: Any, default_delimiter: str = "") -> Any:
        delimiter = self.get("delimiter", default_delimiter)
        try:
            # citeproc-py's join, in fewer steps (teitools.cite.citeproc_fast.join).
            return citeproc_fast.join((s for s in strings if s is not None), delimiter)
        except Exception:  # citeproc-py's fallback, for errors only
            return String("")

    _replace(Delimited, "join", join_parts)


def _honour_initialize_false() -> None:
    """Make citeproc-py honour ``initialize="false"`` (CSL 1.0.1, "Name" options).

    With ``initialize="false"`` a style keeps given names as they are ("Joseph") and uses
    ``initialize-with`` only to punctuate initials already given ("R. W."); citeproc-py
    ignores the attribute and initializes every given name. The patched option lookup
    reads ``initialize-with`` as unset where ``initialize`` is "false" on the name, its
    citation or bibliography, or the style. It is otherwise citeproc-py's own lookup, with
    the search for the enclosing citation or bibliography remembered per element.
    """
    from citeproc.model import Name  # noqa: PLC0415

    expr = "./ancestor::*[self::cs:citation or self::cs:bibliography][1]"

    @_memo
    def parent_of(element: Any) -> Any:
        return element.xpath_search(expr)[0]

    def get_option(self: Any, name: str, context: Any = None, sort_options: Any = None) -> Any:
        parent = parent_of(self if context is None else context)
        try:
            value = sort_options[name]
        except (TypeError, KeyError):
            inherited = parent.get_option(f"name-{name}" if name in {"form", "delimiter"} else name)
            value = self.get(name, inherited)
        if name in {"initialize-with-hyphen", "et-al-use-last"}:
            value = value.lower() == "true"
        elif name.startswith("et-al"):
            value = int(value)
        elif name == "initialize-with" and value is not None and _initialize(self, parent) == "false":
            value = None
        return value

    _replace(Name, "get_option", get_option)


def _title_case_labels() -> None:
    """Case labels in the style's language: APA's "(Eds.)", not "(eds.)"."""
    from citeproc.model import Label  # noqa: PLC0415

    def markup(self: Any, text: Any) -> Any:
        # citeproc-py title-cases only text it knows to be English and passes no language
        # for a label, so APA's "(Eds.)" came out "(eds.)"; terms are in the style's locale.
        if not text:
            return None
        locale = str(self.get_root().get("default-locale") or "en-US")
        language = "en" if locale.startswith("en") else locale
        return self.wrap(self.format(self.case(self.strip_periods(text), language)))

    _replace(Label, "markup", markup)


def _cache_style_lookups() -> None:
    """Remember what citeproc-py looks up in the style over and over.

    citeproc-py finds a macro by an XPath search of the whole style each time a ``cs:text``
    calls it, searches for the enclosing layout, a names element's substitute and the
    locale's date formats each time, and re-walks macros to learn whether a group calls a
    variable. With
    Chicago's 6,000-line style that is most of the time spent per entry (0.07 s; 85 s for
    1,000 letters). Both answers depend on the style alone, so they are remembered per element
    (up to :data:`MEMO_SIZE` each); a remembered key keeps its element proxy alive, so lxml
    hands back the same object and the next lookup finds it.
    """
    from citeproc.model import (  # noqa: PLC0415
        CitationStylesElement,
        Date,
        Locale,
        Names,
        Parent,
        Text,
    )

    # citeproc-py searches from the style's root whichever element asks.
    macro_of_style = _memo(CitationStylesElement.get_macro)

    def get_macro(self: Any, name: str) -> Any:
        return macro_of_style(self.getroottree().getroot(), name)

    _replace(CitationStylesElement, "get_macro", get_macro)
    # Asked by every quoted-or-not cs:text; the answer is the style's (or locale's).
    locale_option_of_root = _memo(CitationStylesElement.get_locale_option)

    def get_locale_option(self: Any, name: str) -> Any:
        return locale_option_of_root(self.getroottree().getroot(), name)

    _replace(CitationStylesElement, "get_locale_option", get_locale_option)
    for cls, method in (
        (CitationStylesElement, "get_layout"),
        (Date, "is_locale_date"),
        (Names, "substitute"),
        (Locale, "get_date"),
    ):
        _memoize_structural(cls, method)

    find_term = Locale.get_term

    @_memo
    def term_or_none(self: Any, name: str, form: str | None, zero_padded: bool) -> Any:
        # A missing term is asked for as often as a present one: remember that too.
        try:
            return find_term(self, name, form, zero_padded)
        except IndexError:
            return None

    def get_term(self: Any, name: str, form: str | None = None, zero_padded: bool = False) -> Any:
        term = term_or_none(self, name, form, zero_padded)
        if term is None:
            raise IndexError(name)
        return term

    _replace(Locale, "get_term", get_term)
    for cls in (Parent, Text):
        _memoize_calls_variable(cls)

    from citeproc.source import CitationItem  # noqa: PLC0415

    _replace(CitationItem, "reference", _KeptReference())
    _remember_children()
    _remember_roots()
    _plain_text_fast()
    _lazy_sort()


class _KeptReference:
    """An item's reference, found once. citeproc-py resolves an item's reference through its
    citation and bibliography for every variable it prints (some 50 times per citation); an
    item belongs to one bibliography, so the reference found is kept in the item's attributes,
    where Python finds it before this (non-data) descriptor."""

    def __get__(self, item: Any, owner: Any = None) -> Any:
        if item is None:
            return self
        found = item.bibliography.source[item.key]
        vars(item)["reference"] = found
        return found


def _remember_roots() -> None:
    """Remember each element's root: citeproc-py walks up to the style for its formatter each
    time an element formats, wraps or quotes text, some 90 times per citation, building a
    new ``ElementTree`` each time. An element stays in the tree it was parsed in (the one
    element citeproc-py inserts, a ``cs:name``, goes into its own style), so its root never
    changes; the formatter is still read from the root at each call, since each processor
    sets its own."""
    from citeproc.model import CitationStylesElement, Locale  # noqa: PLC0415

    root_of = _memo(CitationStylesElement.get_root)

    def get_root(self: Any) -> Any:
        return root_of(self)

    def get_formatter(self: Any) -> Any:
        root = root_of(self)
        return root.style.formatter if isinstance(root, Locale) else root.formatter

    _replace(CitationStylesElement, "get_root", get_root)
    _replace(CitationStylesElement, "get_formatter", get_formatter)


def _remember_children() -> None:
    """Remember the child elements citeproc-py finds by name (``style.citation``,
    ``names.label``): finding ``cs:citation`` among Chicago's 200 macros took 50 µs, several
    times per citation, and asking a ``cs:citation`` for its absent ``cs:sort`` 20 µs. An
    absent ``cs:name`` is not remembered: a ``cs:names`` without one gets one inserted the
    first time it renders; the style gains no other element and loses none, so any other
    answer, absent children too, stays true."""
    from citeproc.model import CitationStylesElement, SomewhatObjectifiedElement  # noqa: PLC0415

    find = SomewhatObjectifiedElement.__getattr__

    @_memo
    def found_child(element: Any, name: str) -> Any:
        child = find(element, name)
        if child is None and name == "name":
            raise LookupError(name)  # not remembered
        return child

    def child_named(self: Any, name: str) -> Any:
        try:
            return found_child(self, name)
        except LookupError:
            return None

    _replace(SomewhatObjectifiedElement, "__getattr__", child_named)

    # citeproc-py's searches look at the style's structure (an ancestor bibliography, a
    # date's own date-part, a name's cs:et-al), which the same insertion cannot change: the
    # inserted cs:name is the names element's first and only one. Tuples, so that no caller
    # can change a remembered answer.
    original = CitationStylesElement.xpath_search

    @_memo
    def xpath_search(self: Any, expression: str) -> Any:
        return tuple(original(self, expression))

    _replace(CitationStylesElement, "xpath_search", xpath_search)


def _date_part_options_for_one_date() -> None:
    """Apply a date's ``cs:date-part`` options to that date alone.

    A style's ``<date form="text">`` may override the locale's date format part by part
    (``<date-part name="month" form="short"/>``). citeproc-py writes the override into the
    locale's ``cs:date-part`` itself, so every date formatted after it in that style kept
    the override, even one whose ``cs:date`` does not have it: the output depended on what
    was formatted before. The locale's options are put back after each date part, so a date
    prints as its own ``cs:date`` says (and :mod:`teitools.cite.memo` may remember it). A part
    whose date has no ``cs:date-part`` of its name (citeproc-py's own search) is not changed,
    so there is nothing to put back.
    """
    from citeproc.model import Date_Part  # noqa: PLC0415

    render = Date_Part.render

    def render_once(self: Any, *args: Any, **kwargs: Any) -> Any:
        context = kwargs.get("context", args[1] if len(args) > 1 else None)
        try:
            overrides = (self if context is None else context).xpath_search(
                './cs:date-part[@name="{}"]'.format(self.get("name"))
            )
        except AttributeError:
            overrides = True
        if not overrides:
            return render(self, *args, **kwargs)
        options = dict(self.attrib)
        try:
            return render(self, *args, **kwargs)
        finally:
            if len(self.attrib) != len(options) or dict(self.attrib) != options:
                self.attrib.clear()
                self.attrib.update(options)

    _replace(Date_Part, "render", render_once)


def _plain_text_fast() -> None:
    """Format and affix text without citeproc-py's machinery where the element asks for
    neither: of the 90 texts of a citation most have no font, weight, decoration or
    alignment and no prefix or suffix. Without those attributes citeproc-py's ``format``
    returns the text as it came (a number made text) after five lookups of the formatter, and
    its ``wrap`` returns ``"" + text`` (with two seams that have nothing to join); the
    replacements return the same values, and hand every other element to citeproc-py."""
    from citeproc.model import Affixed, Date_Part, Formatted  # noqa: PLC0415

    def plain_of(element: Any) -> tuple[bool, bool]:
        """Whether the element has no formatting attribute, and no prefix or suffix."""
        get = element.get
        return (
            get("font-style") is None
            and get("font-variant") is None
            and get("font-weight") is None
            and get("text-decoration") is None
            and get("vertical-align") is None,
            get("prefix") is None and get("suffix") is None,
        )

    # A style's attributes are fixed once it is parsed, but for a cs:date-part's, which
    # citeproc-py overwrites with a date's overrides while it renders that date. Asked of
    # most elements of each style, so bounded as the lean renderings' answers are.
    remembered = lru_cache(maxsize=citeproc_fast.ELEMENTS)(plain_of)

    def plain(element: Any) -> tuple[bool, bool]:
        return plain_of(element) if type(element) is Date_Part else remembered(element)

    format_text = Formatted.format

    def format(self: Any, string: Any) -> Any:
        if plain(self)[0]:
            return str(string) if isinstance(string, (int, float)) else string
        return format_text(self, string)

    wrap_text = Affixed.wrap

    def wrap(self: Any, string: Any) -> Any:
        if string is not None and plain(self)[1]:
            # What citeproc-py's "prefix + string" makes of an empty prefix: the same
            # String or MixedString, a plain str of any other str.
            return "" + string
        return wrap_text(self, string)

    _replace(Formatted, "format", format)
    _replace(Affixed, "wrap", wrap)


def _lazy_sort() -> None:
    """Sort as citeproc-py does, computing a sort key only when a comparison reaches it.

    citeproc-py renders every sort key of every item before sorting; in Chicago the later
    keys (the source, the archive) are whole macros that decide only between items the
    earlier keys leave tied. The comparison is citeproc-py's own, item by item, so the order
    is the same.
    """
    from functools import cmp_to_key  # noqa: PLC0415

    from citeproc.model import Sort  # noqa: PLC0415

    def sort(self: Any, items: list[Any], context: Any) -> list[Any]:
        if len(items) < 2:  # nothing to compare (a page's one item): no key is computed
            return list(items)
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

    _replace(Sort, "sort", sort)


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
    _replace(cls, method, _memo(getattr(cls, method)))


def _memoize_calls_variable(cls: Any) -> None:
    original = cls.calls_variable

    def calls_variable(self: Any) -> bool:
        return bool(original(self))

    _replace(cls, "calls_variable", _memo(calls_variable))


def _initialize(name: Any, parent: Any) -> str:
    """The ``initialize`` option in effect for a ``cs:name``, inherited as CSL says: from
    the name, its citation or bibliography, or the style."""
    for element in (name, parent, name.get_root()):
        if element.get("initialize") is not None:
            return str(element.get("initialize"))
    return "true"
