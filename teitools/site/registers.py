"""The register pages of the site: persons, organisations, places and sources.

Each entry shows what the register says (names, dates, roles, authority links) and the letters
the entry sent, received, was written or received at, or is mentioned in, each linked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import quote

from markupsafe import Markup

from teitools.model.types import Edition, Letter, Organisation, Person, Place, Role, Source
from teitools.render.dates import partial_date_phrase
from teitools.render.describe import (
    date_phrase,
    heading,
    life_dates,
    people_phrase,
    source_citation,
    typographic,
)
from teitools.render.links import (
    ORGANISATIONS_PAGE,
    PERSONS_PAGE,
    PLACES_PAGE,
    SOURCES_PAGE,
    LetterPages,
    anchor,
    safe_url,
    stands_for_nobody,
)
from teitools.render.page import page
from teitools.render.templating import render
from teitools.site.links import References
from teitools.site.places_map import map_figure, place_uses, places_map
from teitools.site.timeline import timeline, timeline_figure

_NO_FIGURE = Markup("")

#: A letter as a register entry lists it: its page and its heading.
LetterLink = tuple[str, str]
LetterLinks = Callable[[list[Letter]], tuple[LetterLink, ...]]


@dataclass(frozen=True)
class _Entry:
    """What a register entry shows: plain-text details, authority records (each with its URL
    when it is a safe link), and the letters it plays each part in."""

    anchor: str
    name: str
    details: tuple[str, ...]
    sections: tuple[tuple[str, tuple[LetterLink, ...]], ...]
    authority: tuple[tuple[str, str | None], ...] = ()
    #: A person's letters to and from, in date order: (direction, date, correspondents, page).
    correspondence: tuple[tuple[str, str, str, str], ...] = ()
    timeline: Markup = _NO_FIGURE


def register_pages(
    edition: Edition, refs: References, pages: LetterPages, site_footer: Markup | None = None
) -> dict[str, str]:
    """The four register pages, by file name."""

    # A letter is listed under each person, place and source it names: its link made once.
    links: dict[tuple[object, str], LetterLink] = {}

    def link(letter: Letter) -> LetterLink:
        made = links.get(letter.identity)
        if made is None:
            made = links[letter.identity] = (pages[letter], typographic(heading(letter, edition)))
        return made

    def letters(found: list[Letter]) -> tuple[LetterLink, ...]:
        return tuple(link(letter) for letter in found)

    def page_of(title: str, file: str, about: str, entries: list[_Entry], figure: Markup = _NO_FIGURE) -> str:
        main = render("register.html", title=title, about=about, entries=entries, figure=figure)
        return page(title, main, current=file, footer=site_footer)

    uses = place_uses(edition.letters, refs.mentioned)
    return {
        PERSONS_PAGE: page_of(
            "Persons",
            PERSONS_PAGE,
            "people who wrote, received or are named in the letters",
            [_person(p, refs, letters, edition, pages) for p in _people(edition)],
        ),
        ORGANISATIONS_PAGE: page_of(
            "Organisations",
            ORGANISATIONS_PAGE,
            "bodies named in the letters",
            [
                _organisation(o, refs, letters)
                for o in sorted(edition.organisations.values(), key=lambda o: (o.name.casefold(), o.id))
            ],
        ),
        PLACES_PAGE: page_of(
            "Places",
            PLACES_PAGE,
            "places the letters were written at, received at, or name",
            [
                _place(p, refs, letters)
                for p in sorted(edition.places.values(), key=lambda p: (p.name.casefold(), p.id))
            ],
            map_figure(places_map(edition, uses)),
        ),
        SOURCES_PAGE: page_of(
            "Sources",
            SOURCES_PAGE,
            "where the texts of the letters come from",
            [_source(s, refs, letters) for s in sorted(edition.sources.values(), key=lambda s: s.id)],
        ),
    }


def _people(edition: Edition) -> list[Person]:
    listed = (p for p in edition.persons.values() if not stands_for_nobody(p.id, edition))
    return sorted(listed, key=lambda p: (p.name.inverted().casefold(), p.id))


def _entry(
    ref: str,
    name: str,
    details: list[str],
    sections: list[tuple[str, tuple[LetterLink, ...]]],
    authority: tuple[str, ...] = (),
) -> _Entry:
    # The register's headings and prose typeset as the site's titles are ("People’s Commissariat").
    return _Entry(
        anchor(ref),
        typographic(name or ref),
        tuple(typographic(detail) for detail in details),
        tuple(sections),
        tuple((link, safe_url(link)) for link in authority),
    )


def _letter_sections(
    ref: str, refs: References, letters: LetterLinks, parts: tuple[tuple[str, str], ...]
) -> list[tuple[str, tuple[LetterLink, ...]]]:
    sections = []
    for title, attribute in parts:
        found = getattr(refs, attribute).get(ref)
        if found:
            sections.append((title, letters(found)))
    return sections


def _person(
    person: Person, refs: References, letters: LetterLinks, edition: Edition, pages: LetterPages
) -> _Entry:
    details = [life_dates(person)]
    if person.variants:
        details.append("Also named: " + "; ".join(person.variants))
    details.extend(_role(role) for role in person.roles)
    details.append(person.note)
    sections = _letter_sections(person.id, refs, letters, (("Mentioned in", "mentioned"),))
    entry = _entry(person.id, person.name.inverted(), details, sections, person.authority)
    own = sorted({*refs.sent.get(person.id, ()), *refs.received.get(person.id, ())}, key=Letter.sort_key)
    correspondence = tuple(_direction(person.id, letter, edition, pages) for letter in own)
    small = timeline(own, link=f"index.html?person={quote(person.id, safe='')}&", width=240, bar_height=28)
    figure = timeline_figure(
        small, title=f"Letters of {person.name.display() or person.id} by date", compact=True
    )
    return replace(entry, correspondence=correspondence, timeline=figure if len(own) > 1 else _NO_FIGURE)


def _direction(ref: str, letter: Letter, edition: Edition, pages: LetterPages) -> tuple[str, str, str, str]:
    """("to", "22 August 1935", "Lazar Kaganovich", page) for a letter the person wrote."""
    if any(p.ref == ref for p in letter.senders):
        return (
            "to",
            date_phrase(letter),
            typographic(people_phrase(letter.recipients, edition)) or "unknown",
            pages[letter],
        )
    senders = typographic(people_phrase(letter.senders, edition)) or "unknown"
    return ("from", date_phrase(letter), senders, pages[letter])


def _role(role: Role) -> str:
    if role.start and role.end:
        return f"{role.text} ({partial_date_phrase(role.start)} – {partial_date_phrase(role.end)})"
    if role.start:
        return f"{role.text} (from {partial_date_phrase(role.start)})"
    if role.end:
        return f"{role.text} (until {partial_date_phrase(role.end)})"
    return role.text


def _organisation(organisation: Organisation, refs: References, letters: LetterLinks) -> _Entry:
    details = [organisation.description]
    if organisation.variants:
        details.append("Also named: " + "; ".join(organisation.variants))
    sections = _letter_sections(
        organisation.id,
        refs,
        letters,
        (("Letters sent", "sent"), ("Letters received", "received"), ("Mentioned in", "mentioned")),
    )
    return _entry(organisation.id, organisation.name, details, sections)


def _place(place: Place, refs: References, letters: LetterLinks) -> _Entry:
    details = [place.type.capitalize()]
    sections = _letter_sections(
        place.id,
        refs,
        letters,
        (
            ("Letters written here", "written_at"),
            ("Letters received here", "received_at"),
            ("Mentioned in", "mentioned"),
        ),
    )
    return _entry(place.id, place.name, details, sections, place.authority)


def _source(source: Source, refs: References, letters: LetterLinks) -> _Entry:
    details = [source_citation(source)]
    if source.series:
        details.append("Series: " + source.series)
    details.append(source.note)
    sections = _letter_sections(source.id, refs, letters, (("Letters from this source", "cited"),))
    return _entry(source.id, source.title, details, sections)
