"""Leaner renderings of citeproc-py's commonest nodes, with citeproc-py's results.

A letter's citation passes through some 40 nodes of a style, and the ~20 above the letter's
own variables (its date, title, recipient) render anew for every letter: neither the memo
(:mod:`teitools.cite.memo`) nor anything keyed by the input can spare them. citeproc-py
spends most of their time asking the style what does not change: a ``cs:text``'s kind, its
macro, whether it strips periods, cases or quotes; a group's children and which of them call
variables; a branch's children. These replacements ask once per element (the answers are
remembered with the element, up to :data:`ELEMENTS`) and then do what citeproc-py does, in its
order, with its methods for everything that depends on the item:

- ``cs:text`` (``Text.render``): the item's language read as citeproc-py reads it; the
  variable, macro, term or value; the markup steps that the element asks for, in citeproc-py's
  order (a step it does not ask for returns the text unchanged in citeproc-py too);
- ``cs:group`` (``Group.process``) and the branches, macros and layouts
  (``Parent.render_children``): the children in document order, a ``cs:choose`` child given
  the delimiter, ``VariableError`` skipped, the same join; a ``cs:group`` is suppressed on
  citeproc-py's terms. The children of a ``cs:names`` change (citeproc-py inserts a
  ``cs:name``), so those, and any element of another kind, go to citeproc-py's own method;
- ``cs:choose`` and its branches (``Choose.render``, ``If.render``): each condition tested with
  citeproc-py's own tests, in its order; a branch whose condition fails is passed over
  without rendering it or raising ``ConditionFailed`` through the memo.

An element whose answers cannot be found (a macro the style lacks, a node of an unknown kind)
is rendered by citeproc-py, which fails as it fails. ``tests/test_cite_plain.py`` compares the
output with citeproc-py's alone; ``docs/citations.md`` lists the replacements.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

#: Style elements whose answers are remembered: Chicago has about 6,000 and
#: teitools.cite.styles keeps 8 parsed styles.
ELEMENTS = 65_536
#: The citeproc-py methods replaced ("Class.method").
REPLACED = ("Text.render", "Parent.render_children", "Group.process", "If.render", "Choose.render")


def join(items: Any, delimiter: Any = "") -> Any:
    """citeproc-py's ``citeproc.string.join``, with its result: the same ``String``,
    ``MixedString`` (the same segments) or ``str``.

    citeproc-py turns the text joined so far into a ``str`` four times per part (each seam
    and each ``+``); this keeps that text beside it and makes each ``+`` as Python and
    citeproc-py's classes make it (:func:`_add`). Parts of any other kind go to citeproc-py's
    own join.
    """
    parts = items if type(items) is list else list(items)
    if len(parts) == 1:  # citeproc-py's join gives back a single part as it is
        return parts[0]
    mixed, citeproc_join = _CLASSES[0], _CLASSES[2]
    if not parts or not isinstance(delimiter, str):
        return citeproc_join(parts, delimiter)
    for part in parts:
        if not isinstance(part, (str, mixed)):
            return citeproc_join(parts, delimiter)
    output = parts[0]
    text = str(output)
    delimiter_text = str(delimiter)
    for part in parts[1:]:
        seamed, seamed_text = _seam(text, delimiter, delimiter_text)
        output, text = _add(output, text, seamed, seamed_text)
        seamed, seamed_text = _seam(text, part, str(part))
        output, text = _add(output, text, seamed, seamed_text)
    return output


#: citeproc-py's ``SEAM_PUNCTUATION``: marks not doubled where two parts meet.
_SEAM_PUNCTUATION = frozenset(".,;:!?")


def _seam(left: str, other: Any, other_text: str) -> tuple[Any, str]:
    """citeproc-py's ``normalize_seam(left, other)``, given both as text, and the text of what
    it returns."""
    if left and other_text:
        last, first = left[-1], other_text[0]
        if (last == " " and first == " ") or (last == first and first in _SEAM_PUNCTUATION):
            stripped = _CLASSES[3](other)
            return stripped, str(stripped)
    return other, other_text


def _add(left: Any, left_text: str, right: Any, right_text: str) -> tuple[Any, str]:
    """``left + right`` as Python evaluates it with citeproc-py's classes, and its text.

    A ``String`` adds by ``String.__add__``; any other ``str`` meeting a ``String`` or a
    ``MixedString`` gives way to their ``__radd__`` (Python asks the right operand first when
    the left one, a ``str``, has no ``__add__`` of its own); two other ``str`` concatenate.
    Each of these methods ignores an empty ``str`` on the other side, and otherwise goes
    through ``MixedString.__add__`` (:func:`_add_mixed`).
    """
    mixed, string = _CLASSES[0], _CLASSES[1]
    if isinstance(left, mixed):
        return _add_mixed(left, left_text, right, right_text)
    if isinstance(left, string):
        if isinstance(right, str) and right == "":
            return left, left_text
        return _add_mixed(mixed([left]), left_text, right, right_text)
    if isinstance(right, (mixed, string)):
        if left == "":
            return right, right_text
        return _add_mixed(mixed([left]), left_text, right, right_text)
    joined = left_text + right_text
    return joined, joined


def _add_mixed(left: Any, left_text: str, right: Any, right_text: str) -> tuple[Any, str]:
    """``MixedString.__add__``: an empty ``str`` ignored, the seam normalised, an empty
    result ignored, a ``MixedString``'s segments appended, or the part as one segment."""
    if isinstance(right, str) and right == "":
        return left, left_text
    right, right_text = _seam(left_text, right, right_text)
    if not right:  # '' or an empty MixedString
        return left, left_text
    mixed = _CLASSES[0]
    if isinstance(right, list):
        return mixed(list.__add__(left, right)), left_text + right_text
    return mixed([*left, right]), left_text + right_text


#: Variables citeproc-py's ``cs:text`` reads from the cite, not the reference.
_OWN = ("citation-number", "locator")
#: citeproc-py's MixedString, String, join and _strip_first_char, once it is imported.
_CLASSES: list[Any] = []


def install(replace: Callable[[Any, str, Any], None]) -> None:
    """Replace the methods (``replace(cls, name, function)`` records and sets one)."""
    from citeproc.string import MixedString, String, _strip_first_char  # noqa: PLC0415
    from citeproc.string import join as citeproc_join  # noqa: PLC0415

    _CLASSES[:] = [MixedString, String, citeproc_join, _strip_first_char]
    _lean_text(replace)
    _lean_children(replace)
    _lean_choose(replace)


def _lean_text(replace: Callable[[Any, str, Any], None]) -> None:
    from citeproc.model import Text  # noqa: PLC0415
    from citeproc.source import VariableError  # noqa: PLC0415
    from citeproc.string import String  # noqa: PLC0415

    render_text = Text.render

    def render(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        known = _text_static(self)
        if known is None:
            return render_text(self, item, context=context, **kwargs)
        kind, macro, plain, default_language, variable = known
        if context is None:
            context = self
        # Read as citeproc-py reads it, whatever the kind: the memo notes the read.
        try:
            language = item.reference.language[:2]
        except VariableError:
            language = default_language
        if kind == "variable":
            if variable is None:
                text = self._variable(item, context)
            else:
                # citeproc-py's _variable for a long-form variable that is not a page,
                # locator or citation number: suppressed, or read.
                suppressed = context.get_layout().repressed.get(self.tag)
                if suppressed is not None and variable[0] in suppressed:
                    return None
                text = item.reference[variable[1]]
        elif kind == "macro":
            text = macro.render(item, context)
        elif kind == "term":
            text = self._term(item)
        else:
            text = String(self.preformat(self.get("value")))
        if not text:
            return None
        if plain:
            return self.wrap(self.format(text))
        return self.wrap(self.quote(self.format(self.case(self.strip_periods(text), language))))

    replace(Text, "render", render)


@lru_cache(maxsize=ELEMENTS)
def _text_static(element: Any) -> tuple[str, Any, bool, str, tuple[str, str] | None] | None:
    """What a ``cs:text`` is (variable, macro, term or value), its macro, whether its markup
    is only format and wrap, the style's language, and for a plain variable (long form,
    not a page, locator or citation number) its name and citeproc-py's spelling; or None
    for citeproc-py to render."""
    attributes = element.attrib
    macro = variable = None
    if "variable" in attributes:
        kind = "variable"
        name = element.get("variable")
        if element.get("form") != "short" and not name.startswith("page") and name not in _OWN:
            variable = (name, name.replace("-", "_"))
    elif "macro" in attributes:
        kind = "macro"
        try:
            macro = element.get_macro(element.get("macro"))
        except IndexError:
            return None
    elif "term" in attributes:
        kind = "term"
    elif "value" in attributes:
        kind = "value"
    else:
        return None
    # Without strip-periods, text-case and quotes, citeproc-py's strip_periods, case and
    # quote return the text as it is; quote also lower-cases the locale's
    # punctuation-in-quote, which must be text.
    plain = (
        element.get("strip-periods", "false").lower() != "true"
        and element.get("text-case") is None
        and element.get("quotes", "false").lower() != "true"
        and isinstance(element.get_locale_option("punctuation-in-quote"), str)
    )
    language = element.get_root().get("default-locale", "en")[:2]
    return kind, macro, plain, language, variable


def _lean_children(replace: Callable[[Any, str, Any], None]) -> None:
    from citeproc.model import Choose, Else, Else_If, Group, If, Layout, Macro, Parent  # noqa: PLC0415
    from citeproc.source import VariableError  # noqa: PLC0415

    # Elements whose children never change once the style is parsed (not cs:names).
    fixed = (Macro, If, Else_If, Else, Layout, Group)

    @lru_cache(maxsize=ELEMENTS)
    def children(element: Any) -> tuple[tuple[Any, bool], ...]:
        """The children and whether each is a ``cs:choose`` (which gets the delimiter)."""
        return tuple((child, isinstance(child, Choose)) for child in element.iterchildren())

    render_children = Parent.render_children

    def lean_render_children(self: Any, item: Any, delimiter: str = "", **kwargs: Any) -> Any:
        if type(self) not in fixed:
            return render_children(self, item, delimiter, **kwargs)
        output = []
        for child, choose in children(self):
            try:
                if choose:
                    text = child.render(item, delimiter=delimiter, **kwargs)
                else:
                    text = child.render(item, **kwargs)
            except VariableError:
                continue
            if text is not None:
                output.append(text)
        return join(output, delimiter) if output else None

    replace(Parent, "render_children", lean_render_children)

    @lru_cache(maxsize=ELEMENTS)
    def calls(element: Any) -> tuple[tuple[Any, bool, bool], ...] | None:
        """The group's children, whether each is a ``cs:choose`` and whether it calls a
        variable; None when a child cannot say (citeproc-py then fails as it fails)."""
        try:
            return tuple((child, choose, bool(child.calls_variable())) for child, choose in children(element))
        except Exception:  # citeproc-py's own process meets the error where it would
            return None

    process_group = Group.process

    def process(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        known = calls(self) if type(self) is Group else None
        if known is None:
            return process_group(self, item, context, **kwargs)
        output = []
        called = rendered = False
        delimiter = self.get("delimiter", "")
        for child, choose, variable in known:
            called = called or variable
            try:
                if choose:
                    text = child.render(item, context=context, delimiter=delimiter, **kwargs)
                else:
                    text = child.render(item, context=context, **kwargs)
            except VariableError:
                continue
            if text is not None:
                output.append(text)
                rendered = rendered or variable
        if output and (not called or rendered):
            return self.join(output)
        raise VariableError

    replace(Group, "process", process)


def _lean_choose(replace: Callable[[Any, str, Any], None]) -> None:
    from citeproc.model import Choose, ConditionFailed, Else_If, If  # noqa: PLC0415

    @lru_cache(maxsize=ELEMENTS)
    def tests(
        branch: Any,
    ) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None, tuple[str, ...], str | None]:
        """A branch's ``type`` values (lower-cased) and ``variable`` names (as citeproc-py
        spells them), None for a test it lacks; its other tests, in citeproc-py's order; its
        ``match``."""
        attributes = branch.attrib
        types = tuple(t.lower() for t in branch.get("type").split()) if "type" in attributes else None
        variables = (
            tuple(v.replace("-", "_") for v in branch.get("variable").split())
            if "variable" in attributes
            else None
        )
        others = tuple(
            t for t in ("is-numeric", "is-uncertain-date", "locator", "position") if t in attributes
        )
        return types, variables, others, branch.get("match")

    def holds(branch: Any, item: Any, context: Any) -> bool:
        """citeproc-py's test of a ``cs:if`` or ``cs:else-if``, in its order: its ``type`` test
        compares each type with the item's (read once here, not once per type: the same
        answer), its ``variable`` test asks whether the item has each variable."""
        types, variables, others, match = tests(branch)
        results: list[Any] = []
        if types:
            kind = item.reference.type
            results += [t == kind for t in types]
        if variables:
            reference = item.reference
            results += [("locator" in item) if v == "locator" else (v in reference) for v in variables]
        for test in others:
            if test == "is-numeric":
                results += branch._is_numeric(item)
            elif test == "is-uncertain-date":
                results += branch._is_uncertain_date(item)
            elif test == "locator":
                results += branch._locator(item)
            else:
                results += branch._position(item, context)
        if match == "any":
            return any(results)
        if match == "none":
            return not any(results)
        return all(results)

    def render_if(self: Any, item: Any, context: Any = None, delimiter: str = "", **kwargs: Any) -> Any:
        if not holds(self, item, context):
            raise ConditionFailed
        return self.render_children(item, context=context, delimiter=delimiter, **kwargs)

    replace(If, "render", render_if)
    branches = (If, Else_If)

    def render_choose(self: Any, item: Any, context: Any = None, delimiter: str = "", **kwargs: Any) -> Any:
        for child in self.getchildren():
            if type(child) in branches and not holds(child, item, context):
                continue  # what citeproc-py's If.render would have raised
            try:
                return child.render(item, context=context, delimiter=delimiter, **kwargs)
            except ConditionFailed:
                continue
        return None

    replace(Choose, "render", render_choose)
