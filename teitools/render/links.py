"""File names and links of the edition's pages, shared by the HTML export and the site.

The site's top folder holds ``index.html``, ``persons.html``, ``organisations.html``,
``places.html``, ``sources.html`` and the assets; letter pages are ``letters/<name>.html``.
:func:`letter_pages` is the one owner of those names: the site and the HTML export write the
pages under them, and the CMIF and JSON exports advertise exactly those pages
(:meth:`LetterPages.url`), so an advertised address is always a page that exists.
Names here are relative to the site's top folder; a letter page prefixes them with
:data:`FROM_LETTER`.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, urlsplit

from teitools.model.types import Edition, Letter

PERSONS_PAGE = "persons.html"
ORGANISATIONS_PAGE = "organisations.html"
PLACES_PAGE = "places.html"
SOURCES_PAGE = "sources.html"
INDEX_PAGE = "index.html"
CORRESPONDENTS_PAGE = "correspondents.html"
ABOUT_PAGE = "about.html"
STYLESHEET = "teitools.css"
FAVICON = "favicon.svg"
#: The letter pages' script: the cite block's style chooser and copy buttons.
CITE_SCRIPT = "cite.js"
LETTERS_FOLDER = "letters"
#: From a letter page back to the site's top folder.
FROM_LETTER = "../"
_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9._-]")
_SAFE_SCHEMES = frozenset({"http", "https"})


class LetterPages:
    """Each letter's page: ``pages[letter]`` -> ``"letters/<name>.html"``; ``pages.stem(letter)``
    -> ``"<name>"`` (the name other per-letter files share); ``pages.url(letter, base)`` -> its
    address on the published site."""

    def __init__(self, stems: dict[tuple[Path, str], str]) -> None:
        self._stems = stems

    def __getitem__(self, letter: Letter) -> str:
        return f"{LETTERS_FOLDER}/{self.stem(letter)}.html"

    def stem(self, letter: Letter) -> str:
        return self._stems[letter.identity]

    def url(self, letter: Letter, base_url: str | None) -> str | None:
        """The page's address under the site's base URL (ending in "/"); None without one.

        Page names hold only URL-safe characters, so the address is the name itself.
        """
        return f"{base_url}{self[letter]}" if base_url else None


def letter_pages(edition: Edition) -> LetterPages:
    """Each letter's page (``letters/<id>.html``), unique and safe as a file name.

    Ids are sanitised (only letters, digits, ``.``, ``_`` and ``-``); an id that letters of
    different files share gets a suffix (``-2``…), in chronological order, so names are
    stable from build to build (see :class:`PageNames`).
    """
    names = PageNames()
    return LetterPages({letter.identity: names.add(letter.id) for letter in edition.chronological()})


class PageNames:
    """The names :func:`letter_pages` gives, one letter at a time: :meth:`add` the letters'
    ids in chronological order, for a caller that never holds every letter."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def add(self, letter_id: str) -> str:
        """The next letter's name (its page is ``letters/<name>.html``)."""
        stem = _UNSAFE_FILE_CHARS.sub("_", letter_id).lstrip(".") or "letter"
        name, number = stem, 1
        while name.lower() in self._used:
            number += 1
            name = f"{stem}-{number}"
        self._used.add(name.lower())
        return name


def register_href(ref: str | None, edition: Edition) -> str | None:
    """The link to a register entry (``persons.html#stalin``); None when ``ref`` is unknown."""
    if not ref or stands_for_nobody(ref, edition):
        return None
    fragment = quote(ref, safe="")
    if ref in edition.persons:
        return f"{PERSONS_PAGE}#{fragment}"
    if ref in edition.organisations:
        return f"{ORGANISATIONS_PAGE}#{fragment}"
    if ref in edition.places:
        return f"{PLACES_PAGE}#{fragment}"
    if ref in edition.sources:
        return f"{SOURCES_PAGE}#{fragment}"
    return None


def stands_for_nobody(ref: str | None, edition: Edition) -> bool:
    """A register entry named "unknown": a placeholder for unnamed participants, not a person
    to list, to link to or to filter by."""
    person = edition.persons.get(ref) if ref else None
    return person is not None and person.name.display().strip().casefold() == "unknown"


def safe_url(value: str | None) -> str | None:
    """``value`` when it is an absolute http(s) URL, else None (no ``javascript:``, ``data:``…)."""
    if not value:
        return None
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in _SAFE_SCHEMES or not parts.netloc:
        return None
    if any(ord(c) < 0x21 or c in "<>\"'`" for c in value):
        return None
    return value


def anchor(ref: str) -> str:
    """The ``id`` of a register entry's element on its page."""
    return ref
