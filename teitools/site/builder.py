"""Assemble the site: the index, a page per letter with its neighbours, registers, search."""

from __future__ import annotations

from dataclasses import dataclass

from teitools.export.base import ExportOptions
from teitools.model.types import Edition, Letter
from teitools.render import html
from teitools.render.body import read_body
from teitools.render.describe import date_phrase, first_words, people_phrase
from teitools.render.links import INDEX_PAGE, LetterPages, letter_pages
from teitools.render.page import assets, page
from teitools.render.templating import render
from teitools.site.links import References, add_letter
from teitools.site.registers import register_pages
from teitools.site.search import INDEX_SCRIPT, SEARCH_SCRIPT, search_entry, search_files


@dataclass(frozen=True)
class SiteOptions:
    """Choices for the site; ``title`` heads the index page."""

    title: str = "Letters"


def build_site(edition: Edition, options: SiteOptions | None = None) -> dict[str, str]:
    """Every file of the site: relative file name -> content, in a stable order."""
    options = options or SiteOptions()
    pages = letter_pages(edition)
    letters = edition.chronological()
    files: dict[str, str] = {}
    refs = References()
    incipits: list[str] = []
    entries: list[dict[str, str]] = []
    export_options = ExportOptions()
    for number, letter in enumerate(letters):
        # Each body is read once, for its page, the index, the registers and the search.
        body = read_body(letter.body)
        before = letters[number - 1] if number > 0 else None
        after = letters[number + 1] if number + 1 < len(letters) else None
        files[pages[letter]] = html.render_letter(
            letter,
            edition,
            export_options,
            body=body,
            previous=_neighbour(before, edition, pages),
            following=_neighbour(after, edition, pages),
        )
        files.update(html.citation_files(letter, edition, pages[letter]))
        incipits.append(first_words(body))
        add_letter(refs, letter)
        entries.append(search_entry(letter, edition, pages[letter], body))
    files[INDEX_PAGE] = _index(edition, options, pages, incipits)
    files.update(register_pages(edition, refs, pages))
    files.update(search_files(entries))
    files.update(assets())
    return dict(sorted(files.items()))


def _neighbour(letter: Letter | None, edition: Edition, pages: LetterPages) -> html.Neighbour | None:
    if letter is None:
        return None
    label = f"{people_phrase(letter.senders, edition) or 'Unknown'}, {date_phrase(letter)}"
    return html.Neighbour(f"{pages.stem(letter)}.html", label)  # a page in the same folder


@dataclass(frozen=True)
class _Entry:
    """A letter in the index: its date in words, its page, who wrote to whom, its first words."""

    date: str
    uncertain: bool
    href: str
    who: str
    incipit: str


def _index(edition: Edition, options: SiteOptions, pages: LetterPages, incipits: list[str]) -> str:
    entries = []
    for letter, incipit in zip(edition.chronological(), incipits, strict=True):
        recipients = people_phrase(letter.recipients, edition) or "unknown recipient"
        who = f"{people_phrase(letter.senders, edition) or 'Unknown sender'} to {recipients}"
        uncertain = letter.date is None or letter.date.uncertain
        entries.append(_Entry(date_phrase(letter), uncertain, pages[letter], who, incipit))
    main = render("index.html", title=options.title, letters=entries)
    return page(options.title, main, current=INDEX_PAGE, scripts=(INDEX_SCRIPT, SEARCH_SCRIPT))
