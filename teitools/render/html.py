"""HTML letter pages: one HTML5 page per letter, with a metadata block and footnotes.

Names link to their register entries (canonical name as tooltip), dates become ``<time>``,
emphasis ``<i>``/``<b>``/``<em>`` as encoded, supplied words and gaps are marked and explained
on hover, notes are footnotes with back-links, numbered points an ordered list. Every value
from the TEI is escaped; links go only to the edition's own pages or to http(s) URLs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from teitools.cite.html import cite_block, letter_files, meta_tags
from teitools.export.base import ExportOptions, ExportResult
from teitools.model.dates import parse_iso
from teitools.model.types import Edition, Letter, Participant, SourceRef
from teitools.render.body import read_body
from teitools.render.dates import is_marked_uncertain, span_phrase
from teitools.render.describe import (
    copy_recipients,
    date_phrase,
    doubtful,
    heading,
    life_dates,
    main_recipients,
    participant_name,
    register_name,
    source_citation,
)
from teitools.render.links import FROM_LETTER, letter_pages, register_href, safe_url
from teitools.render.nodes import (
    Block,
    Body,
    Date,
    Emphasis,
    Gap,
    Inline,
    ListBlock,
    Name,
    NoteRef,
    Paragraph,
    Quote,
    Text,
)
from teitools.render.page import assets, page

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
_SOURCE_ROLES = {"transcription": "Text from", "edition": "Published in"}
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
) -> str:
    """The HTML page of one letter; the site adds the previous and next letters (and passes
    the letter's body when it has read it already)."""
    del options  # the page has no presentation choices yet; the signature is the formats' own
    if body is None:
        body = read_body(letter.body)
    title = heading(letter, edition)
    parts = [
        f'<article class="letter" aria-labelledby="page-title">\n<h1 id="page-title">{escape(title)}</h1>\n',
        _metadata(letter, edition),
    ]
    language = letter.language if letter.language and _LANGUAGE.match(letter.language) else None
    lang = f' lang="{escape(language)}"' if language else ""
    parts.append(
        f'<div class="reading-text"{lang}>\n' + "".join(_block(b, edition) for b in body.blocks) + "</div>\n"
    )
    if body.notes:
        notes = "".join(
            f'<li id="note-{n.number}">{_inlines(n.inlines, edition, in_link=False)} '
            f'<a class="backref" href="#noteref-{n.number}" '
            f'aria-label="Back to the text of note {n.number}">↩</a></li>\n'
            for n in body.notes
        )
        parts.append(
            '<section class="notes" aria-labelledby="notes-title">\n'
            f'<h2 id="notes-title">Notes</h2>\n<ol>\n{notes}</ol>\n</section>\n'
        )
    parts.append(cite_block(letter, edition, folder=CITE_FOLDER))
    parts.append("</article>\n")
    if previous or following:
        parts.append(_prev_next(previous, following))
    return page(letter.title or title, "".join(parts), root=FROM_LETTER, head=meta_tags(letter, edition))


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
    pages = letter_pages(edition)
    files: dict[str, str] = {}
    for letter in edition.chronological():
        files[pages[letter]] = render_letter(letter, edition, options)
        files.update(citation_files(letter, edition, pages[letter]))
    files.update(assets())
    return ExportResult(files)


def _prev_next(previous: Neighbour | None, following: Neighbour | None) -> str:
    links = []
    if previous:
        links.append(
            f'<a class="prev" rel="prev" href="{escape(previous.href)}">← {escape(previous.label)}</a>'
        )
    if following:
        links.append(
            f'<a class="next" rel="next" href="{escape(following.href)}">{escape(following.label)} →</a>'
        )
    return f'<nav class="prevnext" aria-label="Letters in date order">{"".join(links)}</nav>\n'


def _metadata(letter: Letter, edition: Edition) -> str:
    rows: list[tuple[str, str]] = [
        ("From", _people(letter.senders, edition) or "unknown"),
        ("To", _people(main_recipients(letter), edition) or "unknown"),
    ]
    if copy_recipients(letter):
        rows.append(("Copy to", _people(copy_recipients(letter), edition)))
    if letter.redirections:
        rows.append(("Redirected by", _people(letter.redirections, edition)))
    rows.append(("Date", _date(letter)))
    if letter.place_sent:
        rows.append(("Written at", participant_html(letter.place_sent, edition)))
    if letter.place_received:
        rows.append(("Received at", participant_html(letter.place_received, edition)))
    for ref in letter.sources:
        rows.append((_SOURCE_ROLES.get(ref.role, "Source"), _source(ref, edition)))
    if letter.notes:
        rows.append(("Editors’ notes", "".join(f"<p>{escape(n)}</p>" for n in letter.notes)))
    items = "".join(f"<dt>{label}</dt><dd>{value}</dd>\n" for label, value in rows)
    return f'<dl class="meta">\n{items}</dl>\n'


def _people(participants: tuple[Participant, ...], edition: Edition) -> str:
    return ", ".join(participant_html(p, edition) for p in participants)


def participant_html(participant: Participant, edition: Edition) -> str:
    """A person or place of the header, linked to its register entry when there is one."""
    name = escape(participant_name(participant, edition))
    href = _register(participant.ref, edition)
    html = _link(href, tooltip(participant.ref or "", edition), name) if href else name
    if doubtful(participant):
        html += ' <span class="uncertain" title="Identification uncertain">(?)</span>'
    return html


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


def _link(href: str, tooltip: str | None, content: str, css: str = "") -> str:
    title = f' title="{escape(tooltip)}"' if tooltip else ""
    css_attr = f' class="{css}"' if css else ""
    return f'<a{css_attr} href="{escape(href)}"{title}>{content}</a>'


def _date(letter: Letter) -> str:
    date = letter.date
    if date is None:
        return escape(date_phrase(letter))
    marks = ["uncertain"] if is_marked_uncertain(date) else []
    if date.evidence == "conjecture":
        marks.append("inferred by the editors")
    spoken = escape(span_phrase(date) + (f" ({'; '.join(marks)})" if marks else ""))
    text = f'<time datetime="{date.when.iso()}">{spoken}</time>' if date.when else spoken
    return f'<span class="uncertain">{text}</span>' if date.uncertain else text


def _source(ref: SourceRef, edition: Edition) -> str:
    source = edition.sources.get(ref.ref) if ref.ref else None
    text = escape(source_citation(source) if source else ref.text or ref.ref or "")
    href = _register(ref.ref, edition) if source else None
    html = _link(href, None, text) if href else text
    if ref.cert in ("low", "medium", "unknown"):
        html += ' <span class="uncertain" title="Attribution uncertain">(?)</span>'
    return html


def _block(block: Block, edition: Edition) -> str:
    if isinstance(block, Paragraph):
        css = "" if block.kind == "p" else f' class="{_CLASS.sub("", block.kind)}"'
        return f"<p{css}>{_inlines(block.inlines, edition, in_link=False)}</p>\n"
    return _list(block, edition)


def _list(block: ListBlock, edition: Edition) -> str:
    items = []
    for item in block.items:
        inner = _item_content(item.blocks, edition)
        if item.label is None:
            items.append(f'<li class="between">{inner}</li>\n')
        elif block.numbered and item.label.isdigit():
            items.append(f'<li value="{int(item.label)}">{inner}</li>\n')
        elif item.label:
            items.append(
                f'<li class="between"><span class="label">{escape(item.label)}</span> {inner}</li>\n'
            )
        else:
            items.append(f"<li>{inner}</li>\n")
    tag = "ol" if block.numbered else "ul"
    return f'<{tag} class="points">\n{"".join(items)}</{tag}>\n'


def _item_content(blocks: tuple[Block, ...], edition: Edition) -> str:
    if len(blocks) == 1 and isinstance(blocks[0], Paragraph):
        return _inlines(blocks[0].inlines, edition, in_link=False)
    return "".join(_block(b, edition) for b in blocks)


def _inlines(nodes: tuple[Inline, ...], edition: Edition, *, in_link: bool) -> str:
    return "".join(_inline(node, edition, in_link=in_link) for node in nodes)


def _inline(node: Inline, edition: Edition, *, in_link: bool) -> str:
    if isinstance(node, Text):
        return escape(node.text, quote=False)
    if isinstance(node, Gap):
        title = _GAP_TITLES.get(
            node.reason, f"Gap in the text ({node.reason})" if node.reason else "Gap in the text"
        )
        return f'<span class="gap" title="{escape(title)}">[…]</span>'
    if isinstance(node, NoteRef):
        if in_link:
            return f"<sup>{node.number}</sup>"
        return (
            f'<sup class="noteref"><a href="#note-{node.number}" id="noteref-{node.number}" '
            f'aria-label="Note {node.number}">{node.number}</a></sup>'
        )
    if isinstance(node, Name):
        return _name(node, edition, in_link=in_link)
    inner = _inlines(node.children, edition, in_link=in_link)
    if isinstance(node, Emphasis):
        tag = _TAGS.get(node.rend)
        if tag:
            return f"<{tag}>{inner}</{tag}>"
        return f'<span class="{_CLASS.sub("", node.rend)}">{inner}</span>'
    if isinstance(node, Quote):
        return f"<q>{inner}</q>"
    if isinstance(node, Date):
        when = parse_iso(node.when.strip()) if node.when else None
        if when is not None:
            return f'<time datetime="{when.iso()}">{inner}</time>'
        return inner
    reason = f" ({node.reason})" if node.reason else ""
    return f'<span class="supplied" title="{escape("Supplied by the editors" + reason)}">[{inner}]</span>'


def _name(node: Name, edition: Edition, *, in_link: bool) -> str:
    if in_link:
        return _inlines(node.children, edition, in_link=True)
    inner = _inlines(node.children, edition, in_link=True)
    href = _register(node.ref, edition)
    if href:
        return _link(href, tooltip(node.ref or "", edition), inner, f"name {node.kind}")
    external = safe_url(node.ref)
    if external:
        return _link(external, None, inner, f"name {node.kind} external")
    return inner
