"""The About page and the footer every page of the site carries.

Everything on them comes from the edition: its settings (title, editors, publisher, licence,
address) and its files (how many letters, their span, where their texts were taken from, the
licences their headers state, and the editorial signs that occur in them). Nothing is
written here that the edition does not say, so the page stays true as the edition grows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lxml import etree
from markupsafe import Markup

from teitools.load.parser import TEI_NS
from teitools.load.settings import Settings
from teitools.model.types import Edition, Letter
from teitools.render.describe import date_phrase, join_names, source_citation
from teitools.render.links import ABOUT_PAGE, safe_url
from teitools.render.page import page
from teitools.render.templating import render

#: The editorial signs of the reading text, by the TEI element that makes them; the page
#: lists those that occur in the edition.
_CONVENTIONS = (
    ("supplied", "Words the editors or the source supplied stand in square brackets: [grain]."),
    ("gap", "An omission in the source is shown as […]."),
    ("unclear", "A reading the source marks as unclear is followed by (?)."),
    ("hi", "Emphasis in the letter (underlined, spaced or italic in the source) is shown in italics."),
    ("emph", "Emphasis in the letter (underlined, spaced or italic in the source) is shown in italics."),
    ("note", "Notes are numbered in the text and printed after it."),
    (
        "choice",
        "The text gives the correction, expansion or regularisation where the source has two forms.",
    ),
)
_DOUBT = (
    "A writer, recipient, place or date marked uncertain in the files is shown with (?) or as “uncertain”."
)


@dataclass(frozen=True)
class EditionCitation:
    """How to cite the edition as a whole (the footer and the About page)."""

    text: str
    url: str | None
    #: False when the settings give only a title: nothing to cite it by.
    informative: bool = True


@dataclass(frozen=True)
class Link:
    text: str
    url: str | None


def edition_citation(settings: Settings, title: str) -> EditionCitation:
    """ "teitools developers (ed.), Stalin's letters … (teitools), https://…"."""
    editors = [editor.name for editor in settings.editors]
    people = join_names(editors) + (" (eds)" if len(editors) > 1 else " (ed.)") if editors else ""
    publisher = f"({settings.publisher})" if settings.publisher else ""
    text = ", ".join(part for part in (people, f"{title} {publisher}".strip()) if part)
    url = safe_url(settings.base_url)
    return EditionCitation(text, url, bool(editors or settings.publisher or url))


def footer(settings: Settings, title: str, root: str = "") -> Markup:
    """The footer: the edition's licence and how to cite it, and a link to the About page."""
    licence = Link(settings.licence, safe_url(settings.licence_url)) if settings.licence else None
    return render(
        "footer.html",
        licence=licence,
        citation=edition_citation(settings, title),
        about=f"{root}{ABOUT_PAGE}",
    )


def about_page(
    edition: Edition, settings: Settings, title: str, site_footer: Markup, signs: Iterable[str]
) -> str:
    """The About page of the site; ``signs`` are the editorial signs that occur in the
    letters' texts (:func:`signs_in` of each, gathered as the letters are rendered)."""
    letters = edition.chronological()
    dated = [letter for letter in letters if letter.date is not None and letter.date.earliest]
    main = render(
        "about.html",
        title=title,
        editors=[editor.name for editor in settings.editors],
        publisher=settings.publisher,
        address=safe_url(settings.base_url),
        count=len(letters),
        first=date_phrase(dated[0]) if dated else "",
        last=date_phrase(dated[-1]) if dated else "",
        undated=len(letters) - len(dated),
        sources=list(_sources(edition, letters)),
        conventions=_conventions(set(signs)),
        licence=Link(settings.licence, safe_url(settings.licence_url)) if settings.licence else None,
        file_licences=_file_licences(letters),
        citation=edition_citation(settings, title),
    )
    return page(f"About: {title}", main, current=ABOUT_PAGE, footer=site_footer)


def _sources(edition: Edition, letters: tuple[Letter, ...]) -> Iterator[tuple[str, str, int]]:
    """(role's heading, the source as people cite it, how many letters) for each source used."""
    headings = {"transcription": "The text is taken from", "edition": "The letters are published in"}
    counts: Counter[tuple[str, str]] = Counter()
    for letter in letters:
        for ref in letter.sources:
            source = edition.sources.get(ref.ref) if ref.ref else None
            counts[(ref.role, source_citation(source) if source else ref.text)] += 1
    for (role, cited), count in sorted(
        counts.items(), key=lambda item: (item[0][0] != "transcription", item[0])
    ):
        yield headings.get(role, f"Source ({role})"), cited, count


def signs_in(text: etree._Element) -> frozenset[str]:
    """The editorial signs (TEI elements the About page explains) in one letter's text."""
    return frozenset(etree.QName(element).localname for element in text.iter(*_SIGNS))


_SIGNS = tuple(dict.fromkeys(f"{{{TEI_NS}}}{tag}" for tag, _ in _CONVENTIONS))


def _conventions(used: set[str]) -> list[str]:
    sentences = list(dict.fromkeys(sentence for tag, sentence in _CONVENTIONS if tag in used))
    return [*sentences, _DOUBT]


def _file_licences(letters: tuple[Letter, ...]) -> list[tuple[Link, int]]:
    by_file = {letter.file: letter.licence for letter in letters if letter.licence}
    counts = Counter((licence.text, licence.url) for licence in by_file.values())
    return [(Link(text, safe_url(url)), count) for (text, url), count in sorted(counts.items())]
