"""Who and what each letter involves: the cross-references the register pages list."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from teitools.model.types import Letter


@dataclass(frozen=True)
class References:
    """Register id -> the letters (chronological) in which it plays each part."""

    sent: dict[str, list[Letter]] = field(default_factory=lambda: defaultdict(list))
    received: dict[str, list[Letter]] = field(default_factory=lambda: defaultdict(list))
    mentioned: dict[str, list[Letter]] = field(default_factory=lambda: defaultdict(list))
    written_at: dict[str, list[Letter]] = field(default_factory=lambda: defaultdict(list))
    received_at: dict[str, list[Letter]] = field(default_factory=lambda: defaultdict(list))
    cited: dict[str, list[Letter]] = field(default_factory=lambda: defaultdict(list))


def add_letter(refs: References, letter: Letter) -> None:
    """Record the pointers of one letter (call in chronological order)."""
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
    # The model's mentions: any name with @ref or @key, an rs among them, in text or notes.
    for mention in letter.mentions:
        _add(refs.mentioned, mention.ref, letter)


def _add(index: dict[str, list[Letter]], ref: str | None, letter: Letter) -> None:
    if ref and (not index[ref] or index[ref][-1] is not letter):
        index[ref].append(letter)
