"""The reading text of a letter as plain data: blocks of inline nodes, and footnotes.

Built by :mod:`teitools.render.body` from TEI; read by the text and HTML renderers, the site's
registers and its search. Frozen, so that a body read once can be shared.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


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
    """Words the writer put in quotation marks (``q``, ``quote``, ``said``); ``marks`` are
    the opening and closing marks of the text's language at this depth of quotation."""

    children: tuple[Inline, ...]
    marks: tuple[str, str] = ("“", "”")


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


@dataclass(frozen=True)
class PageBreak:
    """Where a new page of the source begins (``pb``); ``n`` is its number as encoded ("")."""

    n: str


@dataclass(frozen=True)
class Join:
    """A line or page break inside a word (``break="no"``): the words on either side are one.
    Only :mod:`teitools.render.body` makes it and :func:`~teitools.render.spacing.tidy`
    removes it: a :class:`Body` never holds one."""


@dataclass(frozen=True)
class Empty:
    """An element that stands for no words here (an empty ``ref``, a ``ptr``): the
    punctuation around it is tidied as if it had never been there. Removed like :class:`Join`."""


#: Inline nodes without children.
Atom = Text | Gap | NoteRef | PageBreak | Join | Empty
Inline = Text | Emphasis | Quote | Name | Date | Supplied | Gap | NoteRef | PageBreak | Join | Empty


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
            parts.append(node.marks[0] + marked_text(node.children) + node.marks[1])
        elif not isinstance(node, NoteRef | PageBreak | Join | Empty):
            parts.append(marked_text(node.children))
    return "".join(parts)


def _plain(node: Inline) -> str:
    if isinstance(node, Text):
        return node.text
    if isinstance(node, Gap | NoteRef | PageBreak | Join | Empty):
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
        if not isinstance(node, Atom):
            yield from _walk_inlines(node.children)
