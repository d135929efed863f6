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


def install(replace: Callable[[Any, str, Any], None]) -> None:
    """Replace the methods (``replace(cls, name, function)`` records and sets one)."""
    _lean_text(replace)
    _lean_children(replace)
    _lean_choose(replace)


def _lean_text(replace: Callable[[Any, str, Any], None]) -> None:
    from citeproc.model import Text  # noqa: PLC0415
    from citeproc.source import VariableError  # noqa: PLC0415
    from citeproc.string import String  # noqa: PLC0415

    render_text = Text.render

    @lru_cache(maxsize=ELEMENTS)
    def static(element: Any) -> tuple[str, Any, bool, str] | None:
        """What a ``cs:text`` is (variable, macro, term or value), its macro, whether its markup
        is only format and wrap, and the style's language, or None for citeproc-py to render."""
        attributes = element.attrib
        macro = None
        if "variable" in attributes:
            kind = "variable"
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
        return kind, macro, plain, language

    def render(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        known = static(self)
        if known is None:
            return render_text(self, item, context=context, **kwargs)
        kind, macro, plain, default_language = known
        if context is None:
            context = self
        # Read as citeproc-py reads it, whatever the kind: the memo notes the read.
        try:
            language = item.reference.language[:2]
        except VariableError:
            language = default_language
        if kind == "variable":
            text = self._variable(item, context)
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


def _lean_children(replace: Callable[[Any, str, Any], None]) -> None:
    from citeproc.model import Choose, Else, Else_If, Group, If, Layout, Macro, Parent  # noqa: PLC0415
    from citeproc.source import VariableError  # noqa: PLC0415
    from citeproc.string import join  # noqa: PLC0415

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
