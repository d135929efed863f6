"""How a letter's people, places and date are named for a reader, in every reading format.

"Joseph Stalin to Lazar Kaganovich (?), between 1930 and 7 August 1932 (uncertain)": the
text and HTML renderers and the site share these phrases so that they never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from teitools.model.types import UNCERTAIN, Edition, Letter, Participant, Person, Source
from teitools.render import dates
from teitools.render.nodes import Body, iter_paragraphs, marked_text

#: Recipient subtypes shown apart from the main addressees.
COPY_SUBTYPES = ("cc", "bcc")


def participant_name(participant: Participant, edition: Edition) -> str:
    """The name as written in the letter; the register's name when the letter gives none."""
    if participant.name:
        return participant.name
    if participant.ref:
        return register_name(participant.ref, edition) or participant.ref
    return "unknown"


def register_name(ref: str, edition: Edition) -> str | None:
    """The canonical name of a register entry (person, organisation or place), or None."""
    person = edition.persons.get(ref)
    if person is not None:
        return person.name.display() or None
    organisation = edition.organisations.get(ref)
    if organisation is not None:
        return organisation.name or None
    place = edition.places.get(ref)
    if place is not None:
        return place.name or None
    return None


def doubtful(participant: Participant) -> bool:
    """Whether the participant is marked with "(?)": a certainty below high."""
    return participant.cert in UNCERTAIN


def join_names(names: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def people_phrase(participants: Sequence[Participant], edition: Edition) -> str:
    return join_names([participant_name(p, edition) + (" (?)" if doubtful(p) else "") for p in participants])


def main_recipients(letter: Letter) -> tuple[Participant, ...]:
    return tuple(p for p in letter.recipients if p.subtype not in COPY_SUBTYPES)


def copy_recipients(letter: Letter) -> tuple[Participant, ...]:
    return tuple(p for p in letter.recipients if p.subtype in COPY_SUBTYPES)


def date_phrase(letter: Letter) -> str:
    return dates.date_phrase(letter.date)


def known_place(place: Participant | None, edition: Edition) -> Participant | None:
    """``place``, or None when it names no place: no name and no register id, the words
    "unknown" (``<placeName>unknown</placeName>``, as the SIG's examples encode a place not
    known), or a register entry named "unknown". Every output leaves such a place out, as
    the persons' "unknown" is listed as nobody."""
    if place is None:
        return None
    if not place.ref:
        return None if place.name.strip().casefold() in ("", "unknown") else place
    registered = edition.places.get(place.ref)
    named = place.name or (registered.name if registered is not None else "")
    return None if named.strip().casefold() == "unknown" else place


def place_phrase(place: Participant | None, edition: Edition) -> str:
    """The place's name; "" when there is none or it is encoded as "unknown"."""
    place = known_place(place, edition)
    if place is None:
        return ""
    return participant_name(place, edition) + (" (?)" if doubtful(place) else "")


def heading(letter: Letter, edition: Edition) -> str:
    """The heading line: who wrote to whom, when, and where when known.

    "Joseph Stalin to Vyacheslav Molotov, Alexei Rykov, Nikolai Bukharin and other friends,
    25 June 1926"; copies are named after "cc".
    """
    senders = people_phrase(letter.senders, edition) or "Unknown sender"
    recipients = people_phrase(main_recipients(letter), edition) or "unknown recipient"
    copies = people_phrase(copy_recipients(letter), edition)
    parts = [f"{senders} to {recipients}" + (f" (cc {copies})" if copies else ""), date_phrase(letter)]
    place = place_phrase(letter.place_sent, edition)
    if place:
        parts.append(place)
    return ", ".join(parts)


def short_heading(letter: Letter, edition: Edition) -> str:
    """A letter's title when its file gives none (a CMIF record, one of several letters in a
    file): "Gänsbacher to Weber, between 11 July 1810 and 18 July 1810 (uncertain)"."""
    return f"{_short_names(letter.senders, edition)} to {_short_names(letter.recipients, edition)}, " + (
        date_phrase(letter)
    )


def _short_names(people: Sequence[Participant], edition: Edition) -> str:
    names = []
    for person in people:
        registered = edition.persons.get(person.ref or "")
        names.append(registered.name.family or registered.name.literal if registered else person.name)
    if not names:
        return "unknown"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def life_dates(person: Person) -> str:
    """ "1878–1953", "born 1878", "died 1953", or ""."""
    return dates.life_dates(person.birth, person.death)


def first_words(body: Body, count: int = 12) -> str:
    """The opening words of a letter's text (omissions marked "[…]"), for listings."""
    words: list[str] = []
    for paragraph in iter_paragraphs(body.blocks):
        if paragraph.kind in ("dateline", "opener"):
            continue
        words.extend(marked_text(paragraph.inlines).split())
        if len(words) >= count:
            break
    if len(words) > count:
        return " ".join(words[:count]) + " …"
    return " ".join(words)


def source_citation(source: Source) -> str:
    """A short reference for people: "Chris Corin, “Stalin, Molotov, Kaganovich and Russia”";
    "R. W. Davies, Oleg V. Khlevniuk et al. (eds), The Stalin-Kaganovich Correspondence
    1931-36 (New Haven: Yale University Press, 2003)"."""
    if source.kind == "article":
        authors = join_names([a.display() for a in source.authors])
        title = f"“{source.title}”" if source.title else ""
        return typographic(", ".join(p for p in (authors, title) if p) or source.id)
    editors = [e.display() for e in source.editors]
    people = join_names([a.display() for a in source.authors])
    if not people and editors:
        shown = editors if len(editors) <= 3 else [*editors[:2], "et al."]
        people = ", ".join(shown[:-1]) + " " + shown[-1] if shown[-1] == "et al." else join_names(shown)
        people += " (eds)" if len(editors) > 1 else " (ed.)"
    imprint = ": ".join(p for p in (source.place, source.publisher) if p)
    if source.year is not None:
        imprint = f"{imprint}, {source.year}" if imprint else str(source.year)
    text = ", ".join(p for p in (people, source.title) if p) or source.id
    return typographic(f"{text} ({imprint})" if imprint else text)


_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)|(?<=s)'(?=\s|[,.;:)]|$)")


def typographic(text: str) -> str:
    """Typewriter apostrophes made typographic, as printed titles have them: "Stalin's" ->
    "Stalin’s", "the Soviets' plan" -> "the Soviets’ plan". Quotation marks are left alone."""
    return _APOSTROPHE.sub("’", text)
