"""HTML letter pages: one HTML5 page per letter, with a metadata block and footnotes.

Names link to their register entries (canonical name as tooltip), dates become ``<time>``,
emphasis ``<i>``/``<b>``/``<em>`` as encoded, quotations ``<q>`` with the marks of the text's
language written out, supplied words and gaps are marked and explained on hover, page breaks
are page markers with their number, notes are footnotes with back-links, numbered points an
ordered list. The labels are in the letter's language. Every value from the TEI is escaped;
links go only to the edition's own pages or to http(s) URLs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from markupsafe import Markup

from teitools.cite.html import cite_block, letter_files, meta_tags
from teitools.cite.mapping import online_edition
from teitools.export.base import ExportOptions, ExportResult
from teitools.load.settings import build_day
from teitools.load.workers import map_letters
from teitools.model.dates import parse_iso
from teitools.model.types import Edition, Letter, Participant, SourceRef
from teitools.render.body import read_body
from teitools.render.dates import is_marked_uncertain, span_phrase, uncertain_word
from teitools.render.describe import (
    copy_recipients,
    doubtful,
    heading,
    known_place,
    life_dates,
    main_recipients,
    participant_name,
    register_name,
    source_citation,
    typographic,
)
from teitools.render.language import label, labels_language
from teitools.render.links import CITE_SCRIPT, FROM_LETTER, letter_pages, register_href, safe_url
from teitools.render.nodes import (
    Atom,
    Block,
    Body,
    Date,
    Emphasis,
    Gap,
    Inline,
    ListBlock,
    Name,
    NoteRef,
    PageBreak,
    Paragraph,
    Quote,
    Supplied,
    Text,
)
from teitools.render.page import assets, page
from teitools.render.templating import render

_TAGS = {
    "italic": "i",
    "i": "i",
    "bold": "b",
    "b": "b",
    "underline": "u",
    "u": "u",
    "emph": "em",
    "superscript": "sup",
    "sup": "sup",
    "subscript": "sub",
}
_GAP_TITLES = {
    "omitted": "Words left out by the source this text is quoted from",
    "truncated": "The source quotes only part of the sentence here",
    "illegible": "Illegible words",
    "damage": "Words lost to damage",
}
#: Where a letter page's citation downloads live, relative to the page.
CITE_FOLDER = "cite/"
_SOURCE_ROLES = {"transcription": "text-from", "edition": "published-in"}
_LANGUAGE = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_CLASS = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class Neighbour:
    """A letter linked from a page: its page file name and its heading."""

    href: str
    label: str


def render_letter(
    letter: Letter,
    edition: Edition,
    options: ExportOptions,
    *,
    previous: Neighbour | None = None,
    following: Neighbour | None = None,
    body: Body | None = None,
    tei_href: str | None = None,
    footer: Markup | None = None,
) -> str:
    """The HTML page of one letter; the site adds the previous and next letters, the link to
    the letter's TEI file and its footer (and passes the letter's body when it has read it
    already)."""
    # On a published site (base-url), the page cites itself as well as the printed volume.
    online = online_edition(options.settings, options.accessed)
    if body is None:
        body = read_body(letter.body)
    # Typeset as the site's titles are: "Dantiscus’ Texts", "O’Brien".
    title = typographic(heading(letter, edition))
    language = letter.language if letter.language and _LANGUAGE.match(letter.language) else None
    main = render(
        "letter.html",
        title=title,
        rows=_metadata(letter, edition, language),
        language=language,
        text=list(_blocks(body.blocks, edition, language)),
        notes=[
            (note.number, list(_inlines(note.inlines, edition, language, in_link=False)))
            for note in body.notes
        ],
        notes_title=label("notes", language),
        back_label=label("back-to-note", language),
        labels_language=labels_language(language),
        cite=cite_block(letter, edition, folder=CITE_FOLDER, online=online),
        previous=previous,
        following=following,
        tei_href=tei_href,
    )
    return page(
        typographic(letter.title) or title,
        main,
        root=FROM_LETTER,
        head=meta_tags(letter, edition, online),
        footer=footer,
        scripts=(CITE_SCRIPT,),
    )


def citation_files(letter: Letter, edition: Edition, page_file: str) -> dict[str, str]:
    """The letter's CSL-JSON, BibLaTeX and RIS files that its cite block links to, placed
    beside its page (``letters/cite/<key>.json`` for ``letters/<id>.html``)."""
    folder = page_file.rpartition("/")[0]
    prefix = f"{folder}/" if folder else ""
    return {
        prefix + name: content for name, content in letter_files(letter, edition, folder=CITE_FOLDER).items()
    }


def export(edition: Edition, options: ExportOptions) -> ExportResult:
    """The site's letter pages (``letters/<id>.html``) and the stylesheet and icon they use."""
    return ExportResult(dict(iter_files(edition, options)))


def iter_files(edition: Edition, options: ExportOptions) -> Iterator[tuple[str, str]]:
    """:func:`export`'s files one at a time, the letters rendered in ``options.jobs`` processes."""
    pages = letter_pages(edition)
    letters = edition.chronological()
    # One access date for every page of a run, even one that goes past midnight.
    options = replace(options, accessed=options.accessed or build_day())

    def files_of(position: int) -> list[tuple[str, str]]:
        letter = letters[position]
        return [
            (pages[letter], render_letter(letter, edition, options)),
            *citation_files(letter, edition, pages[letter]).items(),
        ]

    for files in map_letters(files_of, len(letters), options.jobs):
        yield from files
    yield from assets().items()


@dataclass(frozen=True)
class _Shown:
    """A name or source in the metadata: its text, its register link and tooltip, and why it
    is doubtful (the "(?)" mark's tooltip), if it is."""

    text: str
    href: str | None = None
    title: str | None = None
    doubt: str | None = None


@dataclass(frozen=True)
class _SpokenDate:
    """The letter's date in words; ``datetime`` is its ISO form when it is one day, month or year."""

    text: str
    datetime: str | None
    uncertain: bool


@dataclass(frozen=True)
class _Row:
    """A line of the metadata block: names or sources, the date, or the editors' notes."""

    label: str
    items: tuple[_Shown, ...] = ()
    date: _SpokenDate | None = None
    notes: tuple[str, ...] = ()


def _metadata(letter: Letter, edition: Edition, language: str | None) -> list[_Row]:
    def said(key: str) -> str:
        return label(key, language)

    unknown = (_Shown(said("unknown")),)
    rows = [
        _Row(said("from"), _people(letter.senders, edition) or unknown),
        _Row(said("to"), _people(main_recipients(letter), edition) or unknown),
    ]
    if copy_recipients(letter):
        rows.append(_Row(said("copy-to"), _people(copy_recipients(letter), edition)))
    if letter.redirections:
        rows.append(_Row(said("redirected-by"), _people(letter.redirections, edition)))
    rows.append(_Row(said("date"), date=_date(letter, language)))
    for key, place in (("written-at", letter.place_sent), ("received-at", letter.place_received)):
        known = known_place(place, edition)  # "unknown" is no place: no row rather than "unknown"
        if known is not None:
            rows.append(_Row(said(key), (_participant(known, edition),)))
    for ref in letter.sources:
        rows.append(_Row(said(_SOURCE_ROLES.get(ref.role, "source")), (_source(ref, edition),)))
    if letter.manuscript is not None:
        rows.append(_Row(said("manuscript"), (_Shown(letter.manuscript.citation()),)))
    if letter.notes:
        rows.append(_Row(said("editors-notes"), notes=letter.notes))
    return rows


def _people(participants: tuple[Participant, ...], edition: Edition) -> tuple[_Shown, ...]:
    return tuple(_participant(p, edition) for p in participants)


def _participant(participant: Participant, edition: Edition) -> _Shown:
    """A person or place of the header, linked to its register entry when there is one."""
    href = _register(participant.ref, edition)
    return _Shown(
        participant_name(participant, edition),
        href,
        tooltip(participant.ref or "", edition) if href else None,
        "Identification uncertain" if doubtful(participant) else None,
    )


def _register(ref: str | None, edition: Edition) -> str | None:
    """The link from a letter page to a register entry."""
    href = register_href(ref, edition)
    return FROM_LETTER + href if href else None


def tooltip(ref: str, edition: Edition) -> str | None:
    """The canonical name of a register entry, with a person's dates: "Joseph Stalin
    (1878–1953)"."""
    name = register_name(ref, edition)
    person = edition.persons.get(ref)
    if name and person is not None and life_dates(person):
        return f"{name} ({life_dates(person)})"
    return name


def _date(letter: Letter, language: str | None) -> _SpokenDate:
    date = letter.date
    if date is None:
        return _SpokenDate(span_phrase(None, language), None, uncertain=False)
    marks = [uncertain_word(language)] if is_marked_uncertain(date) else []
    if date.evidence == "conjecture":
        marks.append(label("inferred", language))
    spoken = span_phrase(date, language) + (f" ({'; '.join(marks)})" if marks else "")
    return _SpokenDate(spoken, date.when.iso() if date.when else None, date.uncertain)


def _source(ref: SourceRef, edition: Edition) -> _Shown:
    source = edition.sources.get(ref.ref) if ref.ref else None
    text = source_citation(source) if source else ref.text or ref.ref or ""
    href = _register(ref.ref, edition) if source else None
    doubt = "Attribution uncertain" if ref.cert in ("low", "medium", "unknown") else None
    return _Shown(text, href, None, doubt)


@dataclass(frozen=True)
class Mark:
    """A step of a reading text for ``templates/body.html``: words (``kind`` "text"), a gap or
    a note's number, or where an element opens or closes (``end``). ``value`` is the words,
    the tag name, link or ``datetime``; ``css`` a class; ``title`` a tooltip; ``label`` a
    list point's label as written."""

    kind: str
    end: bool = False
    value: str = ""
    css: str = ""
    title: str | None = None
    label: str = ""


def _blocks(blocks: tuple[Block, ...], edition: Edition, language: str | None) -> Iterator[Mark]:
    for block in blocks:
        if isinstance(block, Paragraph):
            css = "" if block.kind == "p" else _CLASS.sub("", block.kind)
            yield Mark("p", css=css)
            yield from _inlines(block.inlines, edition, language, in_link=False)
            yield Mark("p", end=True)
        else:
            yield from _list(block, edition, language)


def _list(block: ListBlock, edition: Edition, language: str | None) -> Iterator[Mark]:
    tag = "ol" if block.numbered else "ul"
    yield Mark("list", value=tag)
    for item in block.items:
        if item.label is None:
            yield Mark("li", css="between")
        elif block.numbered and item.label.isdigit():
            yield Mark("li", value=str(int(item.label)))
        elif item.label:
            yield Mark("li", css="between", label=item.label)
        else:
            yield Mark("li")
        if len(item.blocks) == 1 and isinstance(item.blocks[0], Paragraph):
            yield from _inlines(item.blocks[0].inlines, edition, language, in_link=False)
        else:
            yield from _blocks(item.blocks, edition, language)
        yield Mark("li", end=True)
    yield Mark("list", end=True, value=tag)


def _inlines(
    nodes: tuple[Inline, ...], edition: Edition, language: str | None, *, in_link: bool
) -> Iterator[Mark]:
    for node in nodes:
        if isinstance(node, Atom):
            yield from _atom(node, language, in_link=in_link)
        elif isinstance(node, Name):
            # A name's words are never links themselves: the name is the link, when it has one.
            link = None if in_link else _name_link(node, edition)
            if link:
                yield link
            yield from _inlines(node.children, edition, language, in_link=True)
            if link:
                yield Mark("a", end=True)
        else:
            mark = _element(node)
            if mark:
                yield mark
            if isinstance(node, Quote):
                yield Mark("text", value=node.marks[0])
            yield from _inlines(node.children, edition, language, in_link=in_link)
            if isinstance(node, Quote):
                yield Mark("text", value=node.marks[1])
            if mark:
                yield Mark(mark.kind, end=True, value=mark.value)


def _atom(node: Atom, language: str | None, *, in_link: bool) -> Iterator[Mark]:
    """Words, a gap, a note's number or a page marker (a Join or an Empty is never in a
    Body: spacing.tidy removes them)."""
    if isinstance(node, Text):
        yield Mark("text", value=node.text)
    elif isinstance(node, Gap):
        title = _GAP_TITLES.get(
            node.reason, f"Gap in the text ({node.reason})" if node.reason else "Gap in the text"
        )
        yield Mark("gap", title=title)
    elif isinstance(node, NoteRef):
        number = str(node.number)
        title = f"{label('note', language)} {number}"
        yield Mark("noteref-in-link" if in_link else "noteref", value=number, title=title)
    elif isinstance(node, PageBreak):
        page_label = label("page", language)
        yield Mark("pb", value=node.n, title=f"{page_label} {node.n}" if node.n else page_label)


def _name_link(node: Name, edition: Edition) -> Mark | None:
    href = _register(node.ref, edition)
    if href:
        return Mark("a", value=href, css=f"name {node.kind}", title=tooltip(node.ref or "", edition))
    external = safe_url(node.ref)
    if external:
        return Mark("a", value=external, css=f"name {node.kind} external")
    return None


def _element(node: Emphasis | Quote | Date | Supplied) -> Mark | None:
    """Where an emphasis, quotation, date or supplied passage opens (None: it is not marked)."""
    if isinstance(node, Emphasis):
        tag = _TAGS.get(node.rend)
        return Mark("tag", value=tag) if tag else Mark("span", css=_CLASS.sub("", node.rend))
    if isinstance(node, Quote):
        return Mark("tag", value="q")
    if isinstance(node, Date):
        when = parse_iso(node.when.strip()) if node.when else None
        return Mark("time", value=when.iso()) if when is not None else None
    reason = f" ({node.reason})" if node.reason else ""
    return Mark("supplied", title="Supplied by the editors" + reason)
