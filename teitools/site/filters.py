"""The index's filters: by correspondent, by years, by place; reflected in the page's address.

Each letter of the index carries what the filters test as ``data-`` attributes (its earliest
and latest possible day, its writers, recipients and places, as register ids); the script
(``filters.js``) shows the letters that pass every filter and keeps the choices in the URL
(``index.html?person=stalin&from=1932&to=1934&place=moscow``), so a filtered view can be linked,
reloaded and shared. The timeline's bars and the correspondents' squares link to such views.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from teitools.model.types import Edition, Letter, Participant
from teitools.render.describe import register_name
from teitools.site.links import correspondent

FILTER_SCRIPT = "filters.js"


@dataclass(frozen=True)
class Choices:
    """What the filter form offers: correspondents and places (key, name), and the years."""

    correspondents: tuple[tuple[str, str], ...]
    places: tuple[tuple[str, str], ...]
    first_year: int | None
    last_year: int | None


class Filters:
    """The filters' view of an edition: each letter's attributes and the form's choices.

    Each letter's attributes come from the letter and the registers alone, so that the
    workers that render the letters give them for the index as they go."""

    def __init__(self, edition: Edition) -> None:
        self._edition = edition

    def data(self, letter: Letter) -> dict[str, str]:
        """The ``data-`` attributes of the letter's entry in the index."""
        date = letter.date
        earliest = date.earliest if date else None
        latest = date.latest if date else None
        return {
            "earliest": _day(earliest or latest),
            "latest": _day(latest or earliest),
            "senders": " ".join(self._keys(letter.senders)),
            "recipients": " ".join(self._keys((*letter.recipients, *letter.redirections))),
            "places": " ".join(sorted(self._places(letter))),
        }

    def choices(self) -> Choices:
        people: dict[str, str] = {}
        places: dict[str, str] = {}
        years: list[int] = []
        for letter in self._edition.letters:
            for participant in (*letter.senders, *letter.recipients, *letter.redirections):
                if (found := correspondent(participant, self._edition)) is not None:
                    people[quote(found.key, safe="")] = found.name
            for ref in self._places(letter):
                places[ref] = register_name(ref, self._edition) or ref
            if letter.date is not None:
                years += [day[0] for day in (letter.date.earliest, letter.date.latest) if day]
        return Choices(
            tuple(sorted(people.items(), key=lambda item: (item[1].casefold(), item[0]))),
            tuple(sorted(places.items(), key=lambda item: (item[1].casefold(), item[0]))),
            min(years, default=None),
            max(years, default=None),
        )

    def _keys(self, participants: tuple[Participant, ...]) -> list[str]:
        """The correspondents' keys, URL-quoted as the index's address holds them."""
        found = (correspondent(p, self._edition) for p in participants)
        return [quote(c.key, safe="") for c in found if c is not None]

    def _places(self, letter: Letter) -> set[str]:
        # The places it names (as the register lists it under "Mentioned in"), and where it
        # was written and received.
        found = {
            mention.ref for mention in letter.mentions if mention.ref and mention.ref in self._edition.places
        }
        for place in (letter.place_sent, letter.place_received):
            if place is not None and place.ref:
                found.add(place.ref)
        return {quote(ref, safe="") for ref in found}


def _day(day: tuple[int, int, int] | None) -> str:
    return f"{day[0]:04d}-{day[1]:02d}-{day[2]:02d}" if day else ""
