"""A letter's body as reading blocks: the one place that walks TEI mixed content.

The text and HTML renderers both read the :class:`Body` built here, so that what counts as a
paragraph, a numbered point, an editorial insertion or a footnote is decided once. Elements
this module does not know are read through (their text is kept), so that letters from other
editions render without error; editorial apparatus that is not the reading text (a ``sic``
beside its ``corr``, a deletion, a page break) is left out.
"""

from __future__ import annotations

from lxml import etree

from teitools.load.parser import TEI_NS
from teitools.render.nodes import (
    Block,
    Body,
    Date,
    Emphasis,
    Gap,
    Inline,
    ListBlock,
    ListItem,
    Name,
    Note,
    NoteRef,
    Paragraph,
    Quote,
    Supplied,
    Text,
)
from teitools.render.spacing import tidy

_T = f"{{{TEI_NS}}}"

#: Elements that start a block of their own (a paragraph or a line in the letter).
_BLOCKS = frozenset(
    {
        "p",
        "ab",
        "head",
        "opener",
        "closer",
        "salute",
        "dateline",
        "signed",
        "postscript",
        "div",
        "div1",
        "div2",
        "div3",
        "lg",
        "l",
        "address",
        "addrLine",
        "byline",
        "trailer",
        "argument",
        "epigraph",
        "floatingText",
        "body",
        "text",
        "group",
        "front",
        "back",
        "label",
        "table",
        "row",
        "cell",
        "figure",
        "sp",
        "speaker",
        "item",
    }
)
#: Elements whose content is not part of the reading text.
_SKIPPED = frozenset(
    {
        "sic",
        "orig",
        "abbr",
        "del",
        "fw",
        "pb",
        "cb",
        "milestone",
        "figDesc",
        "teiHeader",
        "facsimile",
        "interpGrp",
        "linkGrp",
        "surplus",
        "metamark",
    }
)
#: Elements that hold only elements: whitespace between their children is layout, not text.
_ELEMENT_ONLY = frozenset({"subst", "choice", "app", "listBibl"})
#: In a ``choice``, the reading a reader wants, best first.
_CHOICE_PREFERENCE = ("corr", "reg", "expan", "seg")
_NAME_KINDS = {"persName": "person", "placeName": "place", "orgName": "org"}
_NAME_TYPES = {"person": "person", "place": "place", "org": "org", "organisation": "org"}


def read_body(element: etree._Element | None) -> Body:
    """The reading text of a letter's ``body`` (or letter ``div``); empty for None."""
    if element is None:
        return Body((), ())
    walker = _Walker()
    blocks = walker.blocks(element)
    return Body(blocks, tuple(walker.notes))


def _local(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""  # comments and processing instructions
    return tag[len(_T) :] if tag.startswith(_T) else etree.QName(tag).localname


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
            inlines = tidy(pending)
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
            inlines = tidy(between)
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
            self.notes[number - 1] = Note(number, tidy(self.children(element)))
            return [NoteRef(number)]
        if name == "choice":
            return self._choice(element)
        if name in ("lb", "cb"):
            return [Text(" ")]
        children = tuple(self.children(element))
        if name == "hi":
            # rend may list several renditions ("bold italic"): the first names the emphasis.
            rends = (element.get("rend") or "").split()
            return [Emphasis(rends[0] if rends else "italic", children)]
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
