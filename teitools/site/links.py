"""Who and what each letter involves: the cross-references the register pages list, and the
correspondents (writers and recipients) the matrix and the filters name alike."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from teitools.model.types import Edition, Letter, Participant
from teitools.render.describe import participant_name, register_name, typographic
from teitools.render.links import register_href, stands_for_nobody


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


@dataclass(frozen=True)
class Correspondent:
    """A writer or recipient: a register id when the letters point to one, else the name."""

    key: str
    name: str
    href: str | None


def correspondent(participant: Participant, edition: Edition) -> Correspondent | None:
    """The writer or recipient ``participant`` stands for, as the correspondents' matrix and
    the index's filters both name it (their links must agree); None for one who is unknown."""
    name = participant_name(participant, edition)
    if not participant.ref and name.casefold() in ("", "unknown"):
        return None  # an unknown writer or recipient is not a correspondent
    if stands_for_nobody(participant.ref, edition):  # "other friends": named, but no one to link
        written = participant.name or "unknown"
        return Correspondent(f"name:{written}", typographic(written), None)
    href = register_href(participant.ref, edition)
    if participant.ref and href is not None:  # the register's name, so that one person is one row
        return Correspondent(
            participant.ref, typographic(register_name(participant.ref, edition) or name), href
        )
    # The key is the name as written (the filters' links carry it); the name shown is typeset.
    return Correspondent(participant.ref or f"name:{name}", typographic(name), None)
