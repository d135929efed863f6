"""Assemble the site: the index, a page per letter with its neighbours, registers, search."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from markupsafe import Markup

from teitools.export.base import ExportOptions
from teitools.load.settings import Settings, build_day
from teitools.load.workers import map_letters
from teitools.model.types import Edition, Letter
from teitools.render import html
from teitools.render.body import read_body
from teitools.render.describe import date_phrase, first_words, people_phrase, typographic
from teitools.render.links import (
    ABOUT_PAGE,
    CORRESPONDENTS_PAGE,
    FROM_LETTER,
    INDEX_PAGE,
    LetterPages,
    letter_pages,
)
from teitools.render.page import assets, page
from teitools.render.templating import render, static
from teitools.site.about import about_page, footer, signs_in
from teitools.site.correspondents import correspondents_page
from teitools.site.filters import FILTER_SCRIPT, Choices, Filters
from teitools.site.links import References, add_letter
from teitools.site.registers import register_pages
from teitools.site.search import SEARCH_SCRIPT, search_entry, search_files
from teitools.site.tei_files import tei_text
from teitools.site.timeline import timeline, timeline_figure


@dataclass(frozen=True)
class SiteOptions:
    """Choices for the site: ``title`` heads the index page; ``settings`` give the About page
    and the footer (editors, licence, address)."""

    title: str = "Letters"
    settings: Settings = field(default_factory=Settings)
    #: Each letter file's text for its download (:func:`~teitools.site.tei_files.tei_text`):
    #: ``teitools build`` hands on the bytes validation read, so no file is read twice.
    tei_texts: Callable[[Path], str | None] = tei_text
    #: The access date the letter pages cite the edition with (None: the day of the build).
    accessed: date | None = None


def build_site(edition: Edition, options: SiteOptions | None = None, *, jobs: int = 1) -> dict[str, str]:
    """Every file of the site: relative file name -> content, in a stable order."""
    return dict(sorted(site_files(edition, options, jobs=jobs)))


def site_files(
    edition: Edition, options: SiteOptions | None = None, *, jobs: int = 1
) -> Iterator[tuple[str, str]]:
    """:func:`build_site`'s files one by one (relative name, content), the letters' first, so
    that they can be written as they come: only what the index, the search and the About page
    need of each letter is kept. The letters are rendered in ``jobs`` processes, one of which
    first makes the pages that need the whole edition but no letter's text (registers,
    correspondents, the index's timeline and filters); the files are the same for any number."""
    options = options or SiteOptions()
    options = replace(options, title=typographic(options.title))
    pages = letter_pages(edition)
    letters = edition.chronological()
    filters = Filters(edition)
    # One access date for every page of a build, even one that goes past midnight.
    export_options = ExportOptions(settings=options.settings, accessed=options.accessed or build_day())
    site_footer = footer(options.settings, options.title)
    letter_footer = footer(options.settings, options.title, root=FROM_LETTER)

    def render_letter(position: int) -> _Rendered:
        letter = letters[position]
        # Each text is read once, for its page, the index, the search and the About page.
        text = letter.body
        body = read_body(text)
        before = letters[position - 1] if position > 0 else None
        after = letters[position + 1] if position + 1 < len(letters) else None
        tei = options.tei_texts(letter.file)
        tei_file = f"{pages.stem(letter)}.xml"
        files = [] if tei is None else [(pages[letter].rpartition("/")[0] + "/" + tei_file, tei)]
        files.append(
            (
                pages[letter],
                html.render_letter(
                    letter,
                    edition,
                    export_options,
                    body=body,
                    previous=_neighbour(before, edition, pages),
                    following=_neighbour(after, edition, pages),
                    tei_href=tei_file if tei is not None else None,
                    footer=letter_footer,
                ),
            )
        )
        files.extend(html.citation_files(letter, edition, pages[letter]).items())
        return _Rendered(
            files,
            _entry(letter, edition, pages, filters, first_words(body)),
            search_entry(letter, edition, pages[letter], body),
            frozenset() if text is None else signs_in(text),
        )

    def edition_pages() -> _EditionPages:
        refs = References()
        for letter in letters:
            add_letter(refs, letter)
        files = {CORRESPONDENTS_PAGE: correspondents_page(edition, site_footer)}
        files.update(register_pages(edition, refs, pages, site_footer))
        figure = timeline_figure(timeline(letters), title="Letters by date")
        return _EditionPages(files, figure, filters.choices())

    entries: list[_Entry] = []
    searched: list[str] = []
    signs: set[str] = set()
    made: _EditionPages | None = None
    for result in map_letters(render_letter, len(letters), jobs, beside=edition_pages):
        if isinstance(result, _EditionPages):
            made = result
            continue
        yield from result.files
        entries.append(result.entry)
        searched.append(result.search)
        signs.update(result.signs)
    if made is None:
        raise RuntimeError("map_letters gives the edition's pages after the letters")
    index, more_letters = _index(options, entries, made, site_footer)
    yield INDEX_PAGE, index
    if more_letters is not None:
        yield INDEX_LETTERS_SCRIPT, more_letters
    yield CORRESPONDENTS_PAGE, made.files.pop(CORRESPONDENTS_PAGE)
    yield ABOUT_PAGE, about_page(edition, options.settings, options.title, site_footer, signs)
    yield from made.files.items()
    yield from search_files(searched).items()
    yield FILTER_SCRIPT, static(FILTER_SCRIPT)
    yield from assets().items()


@dataclass(frozen=True)
class _Rendered:
    """What a letter gives the site: its files (TEI, page, citations), its entry in the index
    and the search, and the editorial signs its text uses (for the About page)."""

    files: list[tuple[str, str]]
    entry: _Entry
    search: str
    signs: frozenset[str]


@dataclass(frozen=True)
class _EditionPages:
    """What the worker beside the letters makes: the correspondents' and register pages by
    file name, and the index's timeline and filter choices."""

    files: dict[str, str]
    timeline: Markup
    choices: Choices


#: Letters the index page lists in its HTML; the others come from :data:`INDEX_LETTERS_SCRIPT`
#: as the reader pages on, so that the page of a large edition opens as fast as a small one's.
INDEX_PAGE_LETTERS = 200
INDEX_LETTERS_SCRIPT = "index-letters.js"
#: The ``data-`` attributes of an index entry, in the order the letters script gives them.
_DATA_KEYS = ("earliest", "latest", "senders", "recipients", "places")


def _neighbour(letter: Letter | None, edition: Edition, pages: LetterPages) -> html.Neighbour | None:
    if letter is None:
        return None
    label = typographic(f"{people_phrase(letter.senders, edition) or 'Unknown'}, {date_phrase(letter)}")
    return html.Neighbour(f"{pages.stem(letter)}.html", label)  # a page in the same folder


@dataclass(frozen=True)
class _Entry:
    """A letter in the index: its date in words, its page, who wrote to whom, its first words."""

    date: str
    uncertain: bool
    href: str
    who: str
    incipit: str
    data: dict[str, str]


def _entry(letter: Letter, edition: Edition, pages: LetterPages, filters: Filters, incipit: str) -> _Entry:
    recipients = people_phrase(letter.recipients, edition) or "unknown recipient"
    who = typographic(f"{people_phrase(letter.senders, edition) or 'Unknown sender'} to {recipients}")
    uncertain = letter.date is None or letter.date.uncertain
    return _Entry(date_phrase(letter), uncertain, pages[letter], who, incipit, filters.data(letter))


def _index(
    options: SiteOptions, entries: list[_Entry], made: _EditionPages, site_footer: Markup
) -> tuple[str, str | None]:
    """The index page, and for an edition of more than :data:`INDEX_PAGE_LETTERS` letters the
    script that holds the letters after the first page (:data:`INDEX_LETTERS_SCRIPT`)."""
    shown, rest = entries[:INDEX_PAGE_LETTERS], entries[INDEX_PAGE_LETTERS:]
    main = render(
        "index.html",
        title=options.title,
        count=len(entries),
        letters=shown,
        page_size=INDEX_PAGE_LETTERS,
        timeline=made.timeline,
        choices=made.choices,
    )
    scripts = (INDEX_LETTERS_SCRIPT, FILTER_SCRIPT, SEARCH_SCRIPT) if rest else (FILTER_SCRIPT, SEARCH_SCRIPT)
    index = page(options.title, main, current=INDEX_PAGE, scripts=scripts, footer=site_footer)
    return index, _letters_script(rest) if rest else None


def _letters_script(entries: list[_Entry]) -> str:
    """The letters after the index's first page, as data for ``filters.js``: one array per
    letter, [date, uncertain, page, who, first words, then the filters' attributes]."""
    rows = [
        [e.date, 1 if e.uncertain else 0, e.href, e.who, e.incipit, *(e.data[key] for key in _DATA_KEYS)]
        for e in entries
    ]
    data = json.dumps(rows, ensure_ascii=True, separators=(",", ":"))
    comment = "// The index's letters after its first page, written by teitools."
    return f"{comment}\nwindow.TEITOOLS_LETTERS = {data};\n"
