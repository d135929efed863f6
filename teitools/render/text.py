"""Plain text: a reading text per letter.

A heading line, then the letter's text (its ``front``, ``body`` and ``back``) with paragraphs
separated by a blank line (one paragraph per line, so that a reader's tools wrap it), numbered
points as "3. …", supplied words in [brackets], omissions as […], quotations in the marks of
the text's language („…“ in German), and the editorial notes as numbered footnotes after the
text, under a label in the letter's language ("Notes:", "Anmerkungen:"). Page breaks are not
shown: the text is the letter's, not its pages' (a break separates words as a line break
does, unless ``break="no"`` joins them). UTF-8, one final newline.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from teitools.export.base import ExportOptions, ExportResult
from teitools.model.stream import LetterStream
from teitools.model.types import Edition, Letter
from teitools.render.body import read_body
from teitools.render.describe import heading
from teitools.render.language import label
from teitools.render.links import PageNames
from teitools.render.nodes import (
    Atom,
    Block,
    Emphasis,
    Gap,
    Inline,
    ListBlock,
    NoteRef,
    Quote,
    Supplied,
    Text,
)

#: What separates letters when several are printed to stdout.
LETTER_SEPARATOR = "\n" + "=" * 72 + "\n\n"
#: ``hi/@rend`` values that are emphasis in a reading text; the others are typography.
_EMPHATIC = frozenset({"italic", "bold", "underline", "emph", "i", "b", "u"})


def render_letter(letter: Letter, edition: Edition, options: ExportOptions) -> str:
    """The reading text of one letter, ending with a newline."""
    body = read_body(letter.body)
    parts = [heading(letter, edition)]
    # A block of page breaks alone reads as nothing: it leaves no empty paragraph.
    parts.extend(filter(None, (_block(block, options) for block in body.blocks)))
    text = "\n\n".join(parts) + "\n"
    if body.notes:
        notes = [f"[{note.number}] {_inlines(note.inlines, options)}" for note in body.notes]
        text += f"\n{label('notes', letter.language)}:\n" + "\n".join(notes) + "\n"
    return text


def export(edition: Edition, options: ExportOptions) -> ExportResult:
    """One ``<letter-id>.txt`` per letter, in chronological order."""
    return ExportResult(dict(iter_files(edition, options)))


def iter_files(edition: Edition | LetterStream, options: ExportOptions) -> Iterator[tuple[str, str]]:
    """:func:`export`'s files one at a time, each made when it is asked for; from a
    :class:`~teitools.model.stream.LetterStream`, each letter is also read when it is asked for."""
    if isinstance(edition, LetterStream):
        registers, letters = edition.edition, iter(edition)
    else:
        registers, letters = edition, iter(edition.chronological())
    # The names letter_pages gives, made as the letters come (in the same order).
    names = PageNames()
    for letter in letters:
        yield f"{names.add(letter.id)}.txt", render_letter(letter, registers, options)


def to_stdout(texts: Iterable[str]) -> Iterator[str]:
    """The letters one after another, separated by a rule (piece by piece, as they come)."""
    for number, text in enumerate(texts):
        if number:
            yield LETTER_SEPARATOR
        yield text


def _block(block: Block, options: ExportOptions) -> str:
    if not isinstance(block, ListBlock):
        return _inlines(block.inlines, options)
    entries = []
    for index, item in enumerate(block.items, start=1):
        texts = [_block(inner, options) for inner in item.blocks]
        if item.label is None:  # editorial material between points, such as a gap
            entries.append("\n\n".join(texts))
            continue
        prefix = f"{item.label or index}. " if block.numbered else "- "
        indent = " " * len(prefix)
        first, *rest = texts or [""]
        entries.append("\n\n".join([prefix + first, *(indent + t for t in rest)]))
    return "\n\n".join(filter(None, entries))  # a page break between points reads as nothing


def _inlines(nodes: tuple[Inline, ...], options: ExportOptions) -> str:
    return "".join(_inline(node, options) for node in nodes)


def _inline(node: Inline, options: ExportOptions) -> str:
    if isinstance(node, Text):
        return node.text
    if isinstance(node, Gap):
        return "[…]"
    if isinstance(node, NoteRef):
        return f"[{node.number}]"
    if isinstance(node, Atom):
        return ""  # page breaks; joins and empty elements never reach a renderer
    inner = _inlines(node.children, options)
    if isinstance(node, Supplied):
        return f"[{inner}]"
    if isinstance(node, Quote):
        return node.marks[0] + inner + node.marks[1]
    if isinstance(node, Emphasis) and node.rend in _EMPHATIC:
        if options.emphasis == "asterisks":
            return f"*{inner}*"
        if options.emphasis == "upper":
            return inner.upper()
    return inner  # names, dates and typographic highlighting read as their words
