"""File names and links of the edition's pages, shared by the HTML export and the site.

The site is one flat folder: ``index.html``, one page per letter, ``persons.html``,
``organisations.html``, ``places.html``, ``sources.html``. The HTML export writes the same
letter pages, so a letter page links to the register pages by these names wherever it is.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, urlsplit

from teitools.model import Edition, Letter

PERSONS_PAGE = "persons.html"
ORGANISATIONS_PAGE = "organisations.html"
PLACES_PAGE = "places.html"
SOURCES_PAGE = "sources.html"
INDEX_PAGE = "index.html"
STYLESHEET = "teitools.css"
FAVICON = "favicon.svg"
#: Page names the site uses itself; a letter with such an id gets a prefixed name.
RESERVED = frozenset({"index", "persons", "organisations", "places", "sources", "search",
                      "search-index", "teitools", "favicon"})
_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9._-]")
_SAFE_SCHEMES = frozenset({"http", "https"})


class LetterPages:
    """The page file name of each letter: ``pages[letter]`` -> ``"<id>.html"``."""

    def __init__(self, names: dict[tuple[Path, str], str]) -> None:
        self._names = names

    def __getitem__(self, letter: Letter) -> str:
        return self._names[(letter.file, letter.id)]


def letter_pages(edition: Edition) -> LetterPages:
    """Each letter's page file name (``<id>.html``), unique and safe as a file name.

    Ids are sanitised (only letters, digits, ``.``, ``_`` and ``-``); a reserved name, or an
    id that letters of different files share, gets a suffix, in chronological order, so
    names are stable from build to build.
    """
    pages: dict[tuple[Path, str], str] = {}
    used: set[str] = set()
    for letter in edition.chronological():
        stem = _UNSAFE_FILE_CHARS.sub("_", letter.id).lstrip(".") or "letter"
        if stem.lower() in RESERVED:
            stem = f"letter-{stem}"
        name, number = stem, 1
        while name.lower() in used:
            number += 1
            name = f"{stem}-{number}"
        used.add(name.lower())
        pages[(letter.file, letter.id)] = f"{name}.html"
    return LetterPages(pages)


def register_href(ref: str | None, edition: Edition) -> str | None:
    """The link to a register entry (``persons.html#stalin``); None when ``ref`` is unknown."""
    if not ref:
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
