"""Who and what each letter involves: the cross-references the register pages list."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from teitools.model import Edition, Letter
from teitools.render.body import Name, Paragraph, iter_inlines, read_body


@dataclass(frozen=True)
class References:
    """Register id -> the letters (chronological) in which it plays each part."""

    sent: dict[str, list[Letter]] = field(default_factory=lambda: defaultdict(list))
    received: dict[str, list[Letter]] = field(default_factory=lambda: defaultdict(list))
    mentioned: dict[str, list[Letter]] = field(default_factory=lambda: defaultdict(list))
    written_at: dict[str, list[Letter]] = field(default_factory=lambda: defaultdict(list))
    received_at: dict[str, list[Letter]] = field(default_factory=lambda: defaultdict(list))
    cited: dict[str, list[Letter]] = field(default_factory=lambda: defaultdict(list))


def gather_references(edition: Edition) -> References:
    """Every resolved pointer of every letter, grouped by register entry."""
    refs = References()
    for letter in edition.chronological():
        for person in letter.senders:
            _add(refs.sent, person.ref, letter)
        for person in (*letter.recipients, *letter.redirections):
            _add(refs.received, person.ref, letter)
        if letter.place_sent:
            _add(refs.written_at, letter.place_sent.ref, letter)
        if letter.place_received:
            _add(refs.received_at, letter.place_received.ref, letter)
        for source in letter.sources:
            _add(refs.cited, source.ref, letter)
        body = read_body(letter.body)
        notes = tuple(Paragraph("note", note.inlines) for note in body.notes)
        for node in iter_inlines(body.blocks + notes):
            if isinstance(node, Name):
                _add(refs.mentioned, node.ref, letter)
    return refs


def _add(index: dict[str, list[Letter]], ref: str | None, letter: Letter) -> None:
    if ref and (not index[ref] or index[ref][-1] is not letter):
        index[ref].append(letter)
