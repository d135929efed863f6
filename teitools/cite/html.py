"""Citations in the HTML pages: the "Cite this letter" block, meta tags and COinS.

The site (``teitools site``) puts :func:`cite_block` on every letter page and
:func:`meta_tags` in its ``<head>``, and writes :func:`letter_files` beside the pages so that
the block's download links resolve. Reference managers (Zotero's "Embedded Metadata" and
COinS translators) read the Dublin Core tags and the COinS span as a letter.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from markupsafe import Markup

from teitools.cite.bibtex import biblatex_entry
from teitools.cite.csl import dumps, valid_item
from teitools.cite.mapping import Citable, OnlineEdition, citables, csl_item, letter_url, online_item
from teitools.cite.ris import record
from teitools.cite.styles import CiteOptions, Prepared, format_one
from teitools.errors import CitationError
from teitools.model.types import Edition, Letter
from teitools.render.templating import render

#: Download formats of the cite block: (label, file suffix, media type).
DOWNLOADS = (
    ("CSL-JSON", ".json", "application/vnd.citationstyles.csl+json"),
    ("BibLaTeX", ".bib", "application/x-bibtex"),
    ("RIS", ".ris", "application/x-research-info-systems"),
)


def letter_files(letter: Letter, edition: Edition, folder: str = "cite/") -> dict[str, str]:
    """The letter's citation files, relative path -> content, for the block's links."""
    citable = _citable(letter, edition)
    # What the item leaves out, the csl-json export (which every build runs) reports.
    item, _left_out = valid_item(citable)
    return {
        f"{folder}{citable.key}.json": dumps([item]),
        f"{folder}{citable.key}.bib": biblatex_entry(citable),
        f"{folder}{citable.key}.ris": record(citable),
    }


def cite_block(
    letter: Letter, edition: Edition, folder: str = "cite/", online: OnlineEdition | None = None
) -> Markup:
    """The "Cite this letter" block: the letter in each style of :data:`CHOICES`, as read in the
    digital edition (``online``: its page, the access date, "quoted in") and in its printed
    volume, each with a copy button (``cite.js``); links to the letter's files; and the COinS
    span reference managers read (a ``<span>``, so it lives in the body)."""
    citable = _citable(letter, edition)
    # Each item is read by citeproc-py once for the five styles.
    items = [(_printed_label(citable), Prepared(csl_item(citable), html=True))]
    if online is not None:
        url = letter_url(edition, letter, online.base_url)
        items.insert(0, (ONLINE_LABEL, Prepared(online_item(citable, online, url), html=True)))
    choices = [
        choice
        for choice in (_choice(key, label, style, note, items) for key, label, style, note in CHOICES)
        if choice.citations
    ]
    downloads = [(label, folder + citable.key + suffix, media) for label, suffix, media in DOWNLOADS]
    return render(
        "cite.html",
        choices=choices,
        downloads=downloads,
        coins=coins_query(citable, _page_title(citable), _dc_date(citable)),
    )


#: The styles of the block's choice: (key, label, style, note form); the first is shown first.
CHOICES = (
    ("chicago-note", "Chicago (18th ed.), note", "chicago", True),
    ("chicago-bibliography", "Chicago (18th ed.), bibliography", "chicago", False),
    ("chicago17-note", "Chicago (17th ed.), note", "chicago17", True),
    ("mla", "MLA (9th ed.)", "mla", False),
    ("apa", "APA (7th ed.)", "apa", False),
)
#: What each citation of a style cites.
ONLINE_LABEL = "As read in this edition"
PRINTED_LABEL = "In the printed volume"
UNPUBLISHED_LABEL = "The letter"


@dataclass(frozen=True)
class Choice:
    """One style of the block: its key (``cite-<key>`` ids), label and citations, each a
    (what it cites, the formatted citation) pair."""

    key: str
    label: str
    citations: tuple[tuple[str, Markup], ...]


def _choice(key: str, label: str, style: str, note: bool, items: list[tuple[str, Prepared]]) -> Choice:
    """The letter's citations in one style; Chicago and APA give no bibliography entry for an
    unpublished letter, which is then left out."""
    options = CiteOptions(style=style, note=note, html=True)
    found = []
    for what, item in items:
        try:
            text = format_one(item, options)
        except CitationError:
            continue
        found.append((what, Markup(text)))  # noqa: S704 -- the CSL processor's own HTML, escaped
    return Choice(key, label, tuple(found))


def _printed_label(citable: Citable) -> str:
    return PRINTED_LABEL if citable.volume is not None else UNPUBLISHED_LABEL


def meta_tags(letter: Letter, edition: Edition, online: OnlineEdition | None = None) -> Markup:
    """Dublin Core ``<meta>`` tags (for the page's ``<head>``) that describe it as a letter,
    Highwire ``citation_*`` tags, which Google Scholar and Zotero's Embedded Metadata
    translator read (as a book section when the letter is printed in a volume), and
    ``z.recipients``, the one tag that translator reads recipients from."""
    citable = _citable(letter, edition)
    title = _page_title(citable)
    date = _dc_date(citable)
    tags: list[tuple[str, str]] = [("DC.type", "letter"), ("DC.title", title)]
    tags += [("DC.creator", n.inverted()) for n in citable.senders]
    tags += [("DC.contributor", n.inverted()) for n in citable.recipients]
    if date:
        tags.append(("DC.date", date))
    if letter.language:
        tags.append(("DC.language", letter.language))
    if citable.volume is not None and citable.volume.title:
        tags.append(("DC.relation.isPartOf", citable.volume.title))
    tags += [("z.recipients", n.inverted()) for n in citable.recipients]
    url = letter_url(edition, letter, online.base_url) if online is not None else None
    return render("meta.html", tags=tags + highwire_tags(citable, online, url))


def highwire_tags(
    citable: Citable, online: OnlineEdition | None = None, url: str | None = None
) -> list[tuple[str, str]]:
    """``citation_title`` (naming writer and recipients, as Zotero's book section and the
    RIS export title the letter), ``citation_author`` each sender, ``citation_date``, and the
    volume: ``citation_inbook_title``, ``citation_editor``, ``citation_publisher``,
    ``citation_series_title``; on a published site, ``citation_public_url`` (the page) and
    ``citation_online_date`` (the day the site was built)."""
    tags = [("citation_title", citable.full_title)]
    tags += [("citation_author", n.inverted()) for n in citable.senders]
    date = citable.date
    start = (date.when or date.not_before) if date is not None else None
    if start is not None:
        tags.append(("citation_date", start.iso().replace("-", "/")))
    if citable.letter.language:
        tags.append(("citation_language", citable.letter.language))
    volume = citable.volume
    if volume is not None:
        tags.append(("citation_inbook_title", volume.title))
        tags += [
            ("citation_editor", f"{e.family}, {e.given}" if e.family else e.literal) for e in volume.editors
        ]
        if volume.publisher:
            tags.append(("citation_publisher", volume.publisher))
        if volume.series:
            tags.append(("citation_series_title", volume.series))
    if url is not None:
        tags.append(("citation_public_url", url))
    # Zotero takes the online date for the item's date when there is no citation_date: an
    # undated letter would be dated by the build.
    if online is not None and start is not None:
        tags.append(("citation_online_date", online.accessed.strftime("%Y/%m/%d")))
    return tags


def coins_query(citable: Citable, title: str, date: str | None) -> str:
    """The ``title`` of a COinS span (OpenURL 1.0, Dublin Core format) with ``rft.type=letter``."""
    fields: list[tuple[str, str]] = [
        ("url_ver", "Z39.88-2004"),
        ("ctx_ver", "Z39.88-2004"),
        ("rft_val_fmt", "info:ofi/fmt:kev:mtx:dc"),
        ("rft.type", "letter"),
        ("rft.title", title),
    ]
    fields += [("rft.creator", n.inverted()) for n in citable.senders]
    if date:
        fields.append(("rft.date", date))
    if citable.letter.language:
        fields.append(("rft.language", citable.letter.language))
    if citable.volume is not None and citable.volume.title:
        fields.append(("rft.source", citable.volume.title))
    return urlencode(fields, quote_via=quote)


def _dc_date(citable: Citable) -> str | None:
    """ISO 8601: a day, month or year, or an interval ``1930/1932-08-07``."""
    span = citable.date
    if span is None:
        return None
    if span.when is not None:
        return span.when.iso()
    if span.not_before is not None and span.not_after is not None:
        return f"{span.not_before.iso()}/{span.not_after.iso()}"
    single = span.not_before or span.not_after
    return single.iso() if single is not None else None


def _page_title(citable: Citable) -> str:
    return citable.letter.title or f"{citable.title}, {citable.spoken_date}"


def _citable(letter: Letter, edition: Edition) -> Citable:
    return citables(edition, [letter])[0]
