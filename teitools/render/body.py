"""A letter's body as reading blocks: the one place that walks TEI mixed content.

The text and HTML renderers both read the :class:`Body` built here, so that what counts as a
paragraph, a numbered point, an editorial insertion or a footnote is decided once. Elements
this module does not know are read through (their text is kept), so that letters from other
editions render without error; editorial apparatus that is not the reading text (a ``sic``
beside its ``corr``, a deletion, a page break) is left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from teitools.xmlload import TEI_NS

_T = f"{{{TEI_NS}}}"

#: Elements that start a block of their own (a paragraph or a line in the letter).
_BLOCKS = frozenset({
    "p", "ab", "head", "opener", "closer", "salute", "dateline", "signed", "postscript",
    "div", "div1", "div2", "div3", "lg", "l", "address", "addrLine", "byline", "trailer",
    "argument", "epigraph", "floatingText", "body", "text", "group", "front", "back", "label",
    "table", "row", "cell", "figure", "sp", "speaker", "item",
})
#: Elements whose content is not part of the reading text.
_SKIPPED = frozenset({"sic", "orig", "abbr", "del", "fw", "pb", "cb", "milestone", "figDesc",
                      "teiHeader", "facsimile", "interpGrp", "linkGrp", "surplus", "metamark"})
#: Elements that hold only elements: whitespace between their children is layout, not text.
_ELEMENT_ONLY = frozenset({"subst", "choice", "app", "listBibl"})
#: In a ``choice``, the reading a reader wants, best first.
_CHOICE_PREFERENCE = ("corr", "reg", "expan", "seg")
_NAME_KINDS = {"persName": "person", "placeName": "place", "orgName": "org"}
_NAME_TYPES = {"person": "person", "place": "place", "org": "org", "organisation": "org"}
_SPACE = re.compile(r"\s+")
#: Text a gap may touch without a space between them.
_OPENING = "([{“‘\"'„«"
_CLOSING = ".,;:!?)]}”’\"'»…"


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Emphasis:
    """``hi`` (``rend`` as encoded: italic, bold, underline, smallcaps, superscript) or
    ``emph`` (``rend`` "emph")."""

    rend: str
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Quote:
    """Words the writer put in quotation marks (``q``, ``quote``, ``said``)."""

    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Name:
    """A name in the text; ``kind`` is "person", "place" or "org"; ``ref`` as encoded,
    without the ``#`` of a local pointer."""

    kind: str
    ref: str | None
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Date:
    """A date in the text; ``when`` is the ``@when`` value as encoded (may be ill-formed)."""

    when: str | None
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Supplied:
    """Words an editor supplied; ``reason`` as encoded ("" when not given)."""

    reason: str
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Gap:
    """Words left out: ``reason`` "omitted", "truncated", "illegible"…, or ""."""

    reason: str


@dataclass(frozen=True)
class NoteRef:
    """Where footnote ``number`` stands in the text."""

    number: int


Inline = Text | Emphasis | Quote | Name | Date | Supplied | Gap | NoteRef


@dataclass(frozen=True)
class Paragraph:
    """A block of running text; ``kind`` is the TEI element it came from ("p", "salute",
    "dateline", "signed"…)."""

    kind: str
    inlines: tuple[Inline, ...]


@dataclass(frozen=True)
class ListItem:
    """A point of a list; ``label`` is its number as written (``@n``), None for the
    editorial material between points (a gap)."""

    label: str | None
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ListBlock:
    numbered: bool
    items: tuple[ListItem, ...]


Block = Paragraph | ListBlock


@dataclass(frozen=True)
class Note:
    number: int
    inlines: tuple[Inline, ...]


@dataclass(frozen=True)
class Body:
    """A letter's reading text: its blocks in order, and its footnotes."""

    blocks: tuple[Block, ...]
    notes: tuple[Note, ...]


def read_body(element: etree._Element | None) -> Body:
    """The reading text of a letter's ``body`` (or letter ``div``); empty for None."""
    if element is None:
        return Body((), ())
    walker = _Walker()
    blocks = walker.blocks(element)
    return Body(blocks, tuple(walker.notes))


def plain_text(inlines: tuple[Inline, ...]) -> str:
    """The words of ``inlines`` without any marking (for search and first words)."""
    return "".join(_plain(node) for node in inlines)


def marked_text(inlines: tuple[Inline, ...]) -> str:
    """The words of ``inlines`` with the editors' marks: [supplied], […] for gaps, “quotes”;
    no note markers (for short extracts such as a letter's first words)."""
    parts = []
    for node in inlines:
        if isinstance(node, Text):
            parts.append(node.text)
        elif isinstance(node, Gap):
            parts.append("[…]")
        elif isinstance(node, Supplied):
            parts.append(f"[{marked_text(node.children)}]")
        elif isinstance(node, Quote):
            parts.append(f"“{marked_text(node.children)}”")
        elif not isinstance(node, NoteRef):
            parts.append(marked_text(node.children))
    return "".join(parts)


def _plain(node: Inline) -> str:
    if isinstance(node, Text):
        return node.text
    if isinstance(node, Gap | NoteRef):
        return ""
    return "".join(_plain(child) for child in node.children)


def iter_paragraphs(blocks: tuple[Block, ...]) -> Iterator[Paragraph]:
    """Every paragraph of ``blocks``, those in list items included, in document order."""
    for block in blocks:
        if isinstance(block, Paragraph):
            yield block
        else:
            for item in block.items:
                yield from iter_paragraphs(item.blocks)


def iter_inlines(blocks: tuple[Block, ...]) -> Iterator[Inline]:
    """Every inline node of ``blocks``, nested ones included, in document order."""
    for block in blocks:
        if isinstance(block, Paragraph):
            yield from _walk_inlines(block.inlines)
        else:
            for item in block.items:
                yield from iter_inlines(item.blocks)


def _walk_inlines(nodes: tuple[Inline, ...]) -> Iterator[Inline]:
    for node in nodes:
        yield node
        if not isinstance(node, Text | Gap | NoteRef):
            yield from _walk_inlines(node.children)


def _local(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""  # comments and processing instructions
    return tag[len(_T):] if tag.startswith(_T) else etree.QName(tag).localname


def _pointer(value: str | None) -> str | None:
    if not value or not value.split():
        return None
    first = value.split()[0]
    return first[1:] if first.startswith("#") else first


class _Walker:
    """Builds blocks from mixed content; collects notes, numbered in document order."""

    def __init__(self) -> None:
        self.notes: list[Note] = []

    def blocks(self, element: etree._Element) -> tuple[Block, ...]:
        """The blocks of a block-level element: its own running text, and nested blocks."""
        blocks: list[Block] = []
        pending: list[Inline] = []
        kind = _local(element) or "p"

        def flush() -> None:
            inlines = _tidy(pending)
            if inlines:
                blocks.append(Paragraph(kind, inlines))
            pending.clear()

        if element.text:
            pending.append(Text(element.text))
        for child in element:
            name = _local(child)
            if name == "list":
                flush()
                blocks.append(self._list(child))
            elif name in _BLOCKS:
                flush()
                blocks.extend(self.blocks(child))
            else:
                pending.extend(self.inline(child))
            if child.tail:
                pending.append(Text(child.tail))
        flush()
        return tuple(blocks)

    def _list(self, element: etree._Element) -> ListBlock:
        items: list[ListItem] = []
        between: list[Inline] = []

        def flush_between() -> None:
            inlines = _tidy(between)
            if inlines:
                items.append(ListItem(None, (Paragraph("item", inlines),)))
            between.clear()

        for child in element:
            if _local(child) == "item":
                flush_between()
                items.append(ListItem(child.get("n"), self.blocks(child)))
            elif _local(child) not in ("head", ""):
                between.extend(self.inline(child))
        flush_between()
        return ListBlock(element.get("type") in ("numbered", "ordered"), tuple(items))

    def inline(self, element: etree._Element) -> list[Inline]:
        """The inline nodes an element stands for, in the text."""
        name = _local(element)
        if not name or name in _SKIPPED:
            return []
        if name == "gap":
            return [Gap(element.get("reason") or "")]
        if name == "note":
            number = len(self.notes) + 1
            self.notes.append(Note(number, ()))  # reserve the number before nested notes
            self.notes[number - 1] = Note(number, _tidy(self.children(element)))
            return [NoteRef(number)]
        if name == "choice":
            return self._choice(element)
        if name in ("lb", "cb"):
            return [Text(" ")]
        children = tuple(self.children(element))
        if name == "hi":
            return [Emphasis(element.get("rend") or "italic", children)]
        if name == "emph":
            return [Emphasis("emph", children)]
        if name in ("q", "quote", "said"):
            return [Quote(children)]
        if name in _NAME_KINDS:
            return [Name(_NAME_KINDS[name], _pointer(element.get("ref")), children)]
        if name in ("name", "rs") and element.get("type") in _NAME_TYPES:
            kind = _NAME_TYPES[element.get("type") or ""]
            return [Name(kind, _pointer(element.get("ref")), children)]
        if name == "date":
            return [Date(element.get("when"), children)]
        if name == "supplied":
            return [Supplied(element.get("reason") or "", children)]
        return list(children)

    def children(self, element: etree._Element) -> list[Inline]:
        layout = _local(element) in _ELEMENT_ONLY
        nodes: list[Inline] = []
        if element.text and not (layout and element.text.isspace()):
            nodes.append(Text(element.text))
        for child in element:
            nodes.extend(self.inline(child))
            if child.tail and not (layout and child.tail.isspace()):
                nodes.append(Text(child.tail))
        return nodes

    def _choice(self, element: etree._Element) -> list[Inline]:
        options = {_local(c): c for c in reversed(element) if _local(c)}
        for wanted in _CHOICE_PREFERENCE:
            if wanted in options:
                return self.children(options[wanted])
        first = next((c for c in element if _local(c) and _local(c) not in _SKIPPED), None)
        return self.children(first) if first is not None else []


def _tidy(nodes: list[Inline]) -> tuple[Inline, ...]:
    """Normalise whitespace as a reader expects: single spaces, none at the block's edges,
    spaces moved out of inline elements, gaps set off from the words around them."""
    hoisted = _hoist(nodes)
    spaced = _space_gaps(hoisted)
    collapsed, _ = _collapse(spaced, previous_space=True)
    return _strip_end(collapsed)


def _hoist(nodes: list[Inline] | tuple[Inline, ...]) -> list[Inline]:
    """Collapse whitespace in texts and move leading/trailing spaces out of containers."""
    result: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text):
            text = _SPACE.sub(" ", node.text)
            if text:
                result.append(Text(text))
        elif isinstance(node, Gap | NoteRef):
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
        return Quote(children)
    if isinstance(node, Name):
        return Name(node.kind, node.ref, children)
    if isinstance(node, Date):
        return Date(node.when, children)
    if isinstance(node, Supplied):
        return Supplied(node.reason, children)
    return node


def _space_gaps(nodes: list[Inline]) -> list[Inline]:
    """Put a space between a gap and a word it touches ("[…] belonging", not "[…]belonging")."""
    result: list[Inline] = []
    for index, node in enumerate(nodes):
        if isinstance(node, Gap):
            before = _edge_text(nodes[:index], last=True)
            if before and not before[-1].isspace() and before[-1] not in _OPENING:
                result.append(Text(" "))
            result.append(node)
            after = _edge_text(nodes[index + 1:], last=False)
            if after and not after[0].isspace() and after[0] not in _CLOSING:
                result.append(Text(" "))
        elif isinstance(node, Text | NoteRef):
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
        elif isinstance(node, Gap | NoteRef):
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
