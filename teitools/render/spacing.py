"""Whitespace as a reader expects it, in a run of inline nodes.

TEI mixed content keeps the encoder's line breaks and indentation; a reading text has single
spaces, none at the edges of a paragraph, none just inside an element ("*word*", not
"* word *"), gaps set off from the words they touch ("[…] belonging"), no space where a word
runs across a line or page break (:class:`~teitools.render.nodes.Join`), and no punctuation
left orphaned by an element that stands for no words (:class:`~teitools.render.nodes.Empty`:
"see <ref/>, <ref/>." reads "see.").
"""

from __future__ import annotations

import re

from teitools.render.nodes import (
    Atom,
    Date,
    Emphasis,
    Empty,
    Gap,
    Inline,
    Join,
    Name,
    NoteRef,
    PageBreak,
    Quote,
    Supplied,
    Text,
)

#: The whitespace of XML layout; a no-break space (U+00A0) is the writer's and is kept.
_SPACE = re.compile(r"[ \t\n\r]+")
#: What :data:`_SPACE` would change: layout other than single spaces.
_LAYOUT = re.compile(r"[\t\n\r]|  ")
#: Text a gap may touch without a space between them.
_OPENING = "([{“‘\"'„«"
_CLOSING = ".,;:!?)]}”’\"'»…"
#: Text between two empty elements that separated them and now separates nothing.
_SEPARATORS = re.compile(r"^[\s,;:]*$")
#: Punctuation that needs no space before it.
_PUNCTUATION = ".,;:!?"
_BRACKETS = {"(": ")", "[": "]"}


def tidy(nodes: list[Inline]) -> tuple[Inline, ...]:
    """Normalise whitespace as a reader expects: single spaces, none at the block's edges,
    spaces moved out of inline elements, gaps set off from the words around them."""
    hoisted = _hoist(nodes)
    # Most runs hold no join, empty element, gap or touching emphases: the steps for those
    # would copy them unchanged, and they are most of the time a letter takes to render.
    found = _found(hoisted)
    if found & (_JOINS | _EMPTIES):
        hoisted = _merge(_drop_empty(_join(hoisted)))
    elif found & _TOUCHING:
        hoisted = _merge(hoisted)
    spaced = _space_gaps(hoisted) if found & _GAPS else hoisted
    collapsed, _ = _collapse(spaced, previous_space=True)
    return _strip_end(collapsed)


#: What :func:`_found` reports of a run: the nodes that :func:`tidy`'s later steps change.
_JOINS, _EMPTIES, _GAPS, _TOUCHING = 1, 2, 4, 8
_CONTAINERS = (Emphasis, Quote, Name, Date, Supplied)


def _found(nodes: list[Inline] | tuple[Inline, ...]) -> int:
    """Which of joins, empty elements, gaps and two emphases side by side (which
    :func:`_merge` may make one) are in ``nodes``, at any depth."""
    found = 0
    previous: type | None = None
    for node in nodes:
        kind = type(node)
        if kind is Join:
            found |= _JOINS
        elif kind is Empty:
            found |= _EMPTIES
        elif kind is Gap:
            found |= _GAPS
        elif kind in _CONTAINERS:
            if kind is Emphasis and previous is Emphasis:
                found |= _TOUCHING
            found |= _found(node.children)  # type: ignore[union-attr]
        previous = kind
    return found


def _hoist(nodes: list[Inline] | tuple[Inline, ...]) -> list[Inline]:
    """Collapse whitespace in texts and move leading/trailing spaces out of containers."""
    result: list[Inline] = []
    for node in nodes:
        if type(node) is Text:
            text = node.text
            if _LAYOUT.search(text):
                text = _SPACE.sub(" ", text)
                result.append(Text(text))
            elif text:
                result.append(node)  # already single-spaced: frozen, so shared as it is
        elif isinstance(node, Atom):
            result.append(node)
        else:
            inner = _hoist(node.children)
            lead = bool(inner) and isinstance(inner[0], Text) and inner[0].text.startswith(" ")
            trail = bool(inner) and isinstance(inner[-1], Text) and inner[-1].text.endswith(" ")
            if lead:
                inner[0] = Text(inner[0].text.lstrip(" "))  # type: ignore[union-attr]
            if trail:
                inner[-1] = Text(inner[-1].text.rstrip(" "))  # type: ignore[union-attr]
            inner = [n for n in inner if not (isinstance(n, Text) and not n.text)]
            if lead:
                result.append(Text(" "))
            if inner:
                result.append(_with_children(node, tuple(inner)))
            if trail:
                result.append(Text(" "))
    return result


def _with_children(node: Inline, children: tuple[Inline, ...]) -> Inline:
    if isinstance(node, Emphasis):
        return Emphasis(node.rend, children)
    if isinstance(node, Quote):
        return Quote(children, node.marks)
    if isinstance(node, Name):
        return Name(node.kind, node.ref, children)
    if isinstance(node, Date):
        return Date(node.when, children)
    if isinstance(node, Supplied):
        return Supplied(node.reason, children)
    return node


def _join(nodes: list[Inline]) -> list[Inline]:
    """Remove each :class:`Join` and the whitespace on either side of it (a page break
    between the two halves of the word stays where it is)."""
    result: list[Inline] = []
    joining = False
    for node in nodes:
        if isinstance(node, Join):
            _strip_before(result)
            joining = True
        elif isinstance(node, PageBreak):
            result.append(node)
        elif isinstance(node, Text) and joining:
            text = node.text.lstrip(" ")
            if text:
                result.append(Text(text))
                joining = False
        elif isinstance(node, Atom):
            result.append(node)
            joining = False
        else:
            result.append(_with_children(node, tuple(_join(list(node.children)))))
            joining = False
    return result


def _strip_before(result: list[Inline]) -> None:
    """Strip the whitespace at the end of ``result``, looking past page breaks."""
    for index in range(len(result) - 1, -1, -1):
        node = result[index]
        if isinstance(node, PageBreak):
            continue
        if isinstance(node, Text):
            stripped = node.text.rstrip(" ")
            if not stripped:
                del result[index]
                continue
            result[index] = Text(stripped)
        return


def _drop_empty(nodes: list[Inline]) -> list[Inline]:
    """Remove each run of :class:`Empty` nodes with the separators between them, and the
    punctuation the run leaves orphaned: no space before a comma or full stop that followed
    it, no doubled punctuation, no empty brackets."""
    result: list[Inline] = []
    nodes = list(nodes)  # the text after a run is tidied in place
    index = 0
    while index < len(nodes):
        node = nodes[index]
        if isinstance(node, Atom) and not isinstance(node, Empty):
            result.append(node)
            index += 1
            continue
        if not isinstance(node, Atom):
            result.append(_with_children(node, tuple(_drop_empty(list(node.children)))))
            index += 1
            continue
        end = index
        while end < len(nodes) and (
            isinstance(nodes[end], Empty)
            or (isinstance(nodes[end], Text) and _SEPARATORS.match(nodes[end].text))  # type: ignore[union-attr]
        ):
            end += 1
        run = nodes[index:end]
        if any(isinstance(n, Text) and n.text[:1].isspace() for n in run):
            result.append(Text(" "))
        following = nodes[end] if end < len(nodes) else None
        if isinstance(following, Text):
            nodes[end] = _orphaned(result, following)
        index = end
    return [n for n in result if not (isinstance(n, Text) and not n.text)]


def _orphaned(result: list[Inline], following: Text) -> Text:
    """Tidy the punctuation either side of a removed run; returns the text that follows it."""
    first = following.text[:1]
    if not first or first not in _PUNCTUATION + "".join(_BRACKETS.values()):
        return following
    _strip_before(result)
    before = result[-1] if result else None
    last = before.text[-1:] if isinstance(before, Text) else ""
    if last and last in _PUNCTUATION and first in _PUNCTUATION:
        return Text(following.text[1:])
    if last in _BRACKETS and _BRACKETS[last] == first and isinstance(before, Text):
        result[-1] = Text(before.text[:-1])
        return _orphaned(result, Text(following.text[1:]))  # "note (<ptr/>)." reads "note."
    return following


def _merge(nodes: list[Inline]) -> list[Inline]:
    """One emphasis where two of the same kind touch: a word emphasised on both sides of a
    line break reads "*divided*", not "*divi**ded*"."""
    result: list[Inline] = []
    for node in nodes:
        if isinstance(node, Atom):
            result.append(node)
            continue
        merged = _with_children(node, tuple(_merge(list(node.children))))
        previous = result[-1] if result else None
        if isinstance(merged, Emphasis) and isinstance(previous, Emphasis) and previous.rend == merged.rend:
            result[-1] = Emphasis(merged.rend, previous.children + merged.children)
        else:
            result.append(merged)
    return result


def _space_gaps(nodes: list[Inline]) -> list[Inline]:
    """Put a space between a gap and a word it touches ("[…] belonging", not "[…]belonging")."""
    result: list[Inline] = []
    for index, node in enumerate(nodes):
        if isinstance(node, Gap):
            before = _edge_text(nodes[:index], last=True)
            if before and not before[-1].isspace() and before[-1] not in _OPENING:
                result.append(Text(" "))
            result.append(node)
            after = _edge_text(nodes[index + 1 :], last=False)
            if after and not after[0].isspace() and after[0] not in _CLOSING:
                result.append(Text(" "))
        elif isinstance(node, Atom):
            result.append(node)
        else:
            result.append(_with_children(node, tuple(_space_gaps(list(node.children)))))
    return result


def _edge_text(nodes: list[Inline], *, last: bool) -> str:
    """The text nearest to a position: the end of ``nodes`` (``last``) or their start."""
    ordered = reversed(nodes) if last else iter(nodes)
    for node in ordered:
        if isinstance(node, Text):
            if node.text:
                return node.text
        elif isinstance(node, Gap):
            return "…"
        elif isinstance(node, NoteRef):
            return "1"
        elif isinstance(node, Atom):
            continue
        else:
            found = _edge_text(list(node.children), last=last)
            if found:
                return found
    return ""


def _collapse(nodes: list[Inline], *, previous_space: bool) -> tuple[list[Inline], bool]:
    """Drop a space that follows a space (across element boundaries); merge texts."""
    result: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text):
            text = node.text.lstrip(" ") if previous_space else node.text
            if not text:
                continue
            previous_space = text.endswith(" ")
            if result and isinstance(result[-1], Text):
                result[-1] = Text(result[-1].text + text)
            else:
                result.append(Text(text))
        elif isinstance(node, PageBreak):
            result.append(node)  # a page break is no word: the spaces around it stay single
        elif isinstance(node, Atom):
            result.append(node)
            previous_space = False
        else:
            children, previous_space = _collapse(list(node.children), previous_space=previous_space)
            if children:
                result.append(_with_children(node, tuple(children)))
    return result, previous_space


def _strip_end(nodes: list[Inline]) -> tuple[Inline, ...]:
    while nodes and isinstance(nodes[-1], Text) and nodes[-1].text.endswith(" "):
        stripped = nodes[-1].text.rstrip(" ")
        if stripped:
            nodes[-1] = Text(stripped)
            break
        nodes.pop()
    return tuple(nodes)
