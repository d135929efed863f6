"""The register pages of the site: persons, organisations, places and sources.

Each entry shows what the register says (names, dates, roles, authority links) and the letters
the entry sent, received, was written or received at, or is mentioned in, each linked.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from teitools.model.dates import PartialDate
from teitools.model.types import Edition, Letter, Organisation, Person, Place, Role, Source
from teitools.render.dates import partial_date_phrase
from teitools.render.describe import heading, life_dates, source_citation
from teitools.render.links import (
    ORGANISATIONS_PAGE,
    PERSONS_PAGE,
    PLACES_PAGE,
    SOURCES_PAGE,
    LetterPages,
    anchor,
    safe_url,
)
from teitools.render.page import page
from teitools.site.links import References

LetterLinks = Callable[[list[Letter]], str]


def register_pages(edition: Edition, refs: References, pages: LetterPages) -> dict[str, str]:
    """The four register pages, by file name."""

    def letters(found: list[Letter]) -> str:
        items = "".join(
            f'<li><a href="{escape(pages[letter])}">{escape(heading(letter, edition))}</a></li>'
            for letter in found
        )
        return f"<ul>{items}</ul>"

    return {
        PERSONS_PAGE: _page(
            "Persons",
            PERSONS_PAGE,
            "people who wrote, received or are named in the letters",
            [_person(p, refs, letters) for p in _people(edition)],
        ),
        ORGANISATIONS_PAGE: _page(
            "Organisations",
            ORGANISATIONS_PAGE,
            "bodies named in the letters",
            [
                _organisation(o, refs, letters)
                for o in sorted(edition.organisations.values(), key=lambda o: (o.name.casefold(), o.id))
            ],
        ),
        PLACES_PAGE: _page(
            "Places",
            PLACES_PAGE,
            "places the letters were written at, received at, or name",
            [
                _place(p, refs, letters)
                for p in sorted(edition.places.values(), key=lambda p: (p.name.casefold(), p.id))
            ],
        ),
        SOURCES_PAGE: _page(
            "Sources",
            SOURCES_PAGE,
            "where the texts of the letters come from",
            [_source(s, refs, letters) for s in sorted(edition.sources.values(), key=lambda s: s.id)],
        ),
    }


def _people(edition: Edition) -> list[Person]:
    return sorted(edition.persons.values(), key=lambda p: (p.name.inverted().casefold(), p.id))


def _page(title: str, file: str, about: str, entries: list[str]) -> str:
    count = f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}"
    body = f"<h1>{title}</h1>\n<p>The register of {about}: {count}.</p>\n" + "".join(entries)
    return page(title, body, current=file)


def _entry(ref: str, name: str, details: list[str], sections: list[tuple[str, str]]) -> str:
    parts = [f'<section class="register-entry" id="{escape(anchor(ref))}">\n<h2>{escape(name or ref)}</h2>\n']
    parts.extend(f"<p>{d}</p>\n" for d in details if d)
    parts.extend(f"<h3>{title}</h3>\n{links}\n" for title, links in sections)
    parts.append("</section>\n")
    return "".join(parts)


def _letter_sections(
    ref: str, refs: References, letters: LetterLinks, parts: tuple[tuple[str, str], ...]
) -> list[tuple[str, str]]:
    sections = []
    for title, attribute in parts:
        found = getattr(refs, attribute).get(ref)
        if found:
            sections.append((title, letters(found)))
    return sections


def _authority(links: tuple[str, ...]) -> str:
    shown = []
    for link in links:
        url = safe_url(link)
        shown.append(f'<a href="{escape(url)}">{escape(link)}</a>' if url else escape(link))
    return "Authority records: " + ", ".join(shown) if shown else ""


def _person(person: Person, refs: References, letters: LetterLinks) -> str:
    details = [escape(life_dates(person))]
    if person.variants:
        details.append("Also named: " + escape("; ".join(person.variants)))
    details.extend(escape(_role(role)) for role in person.roles)
    details += [escape(person.note), _authority(person.authority)]
    sections = _letter_sections(
        person.id,
        refs,
        letters,
        (("Letters sent", "sent"), ("Letters received", "received"), ("Mentioned in", "mentioned")),
    )
    return _entry(person.id, person.name.inverted(), details, sections)


def _role(role: Role) -> str:
    def spoken(date: PartialDate | None) -> str:
        return partial_date_phrase(date) if date else ""

    if role.start and role.end:
        return f"{role.text} ({spoken(role.start)} – {spoken(role.end)})"
    if role.start:
        return f"{role.text} (from {spoken(role.start)})"
    if role.end:
        return f"{role.text} (until {spoken(role.end)})"
    return role.text


def _organisation(organisation: Organisation, refs: References, letters: LetterLinks) -> str:
    details = [escape(organisation.description)]
    if organisation.variants:
        details.append("Also named: " + escape("; ".join(organisation.variants)))
    sections = _letter_sections(
        organisation.id,
        refs,
        letters,
        (("Letters sent", "sent"), ("Letters received", "received"), ("Mentioned in", "mentioned")),
    )
    return _entry(organisation.id, organisation.name, details, sections)


def _place(place: Place, refs: References, letters: LetterLinks) -> str:
    details = [escape(place.type.capitalize()), _authority(place.authority)]
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
    return _entry(place.id, place.name, details, sections)


def _source(source: Source, refs: References, letters: LetterLinks) -> str:
    details = [escape(source_citation(source))]
    if source.series:
        details.append("Series: " + escape(source.series))
    details.append(escape(source.note))
    sections = _letter_sections(source.id, refs, letters, (("Letters from this source", "cited"),))
    return _entry(source.id, source.title, details, sections)
