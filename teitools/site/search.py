"""Client-side search: an index of every letter's text and names, and the script that reads it.

The index is a JavaScript file that assigns a global (``search-index.js``), not a JSON file
fetched at run time, because browsers refuse ``fetch()`` of local files under ``file://``.
"""

from __future__ import annotations

import json

from teitools.model.types import Edition, Letter
from teitools.render.describe import date_phrase, heading, participant_name, register_name
from teitools.render.nodes import Body, Paragraph, iter_paragraphs, plain_text
from teitools.render.templating import static

INDEX_SCRIPT = "search-index.js"
SEARCH_SCRIPT = "search.js"


def search_files(entries: list[dict[str, str]]) -> dict[str, str]:
    """``search-index.js`` (the data, from :func:`search_entry` of each letter) and
    ``search.js`` (the code)."""
    data = json.dumps(entries, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    index = (
        f"// The search index of the edition, written by teitools.\nwindow.TEITOOLS_SEARCH_INDEX = {data};\n"
    )
    return {INDEX_SCRIPT: index, SEARCH_SCRIPT: static(SEARCH_SCRIPT)}


def search_entry(letter: Letter, edition: Edition, href: str, body: Body) -> dict[str, str]:
    """What the search looks in for one letter, and what a result shows."""
    paragraphs = [*iter_paragraphs(body.blocks), *(Paragraph("note", note.inlines) for note in body.notes)]
    text = " ".join(plain_text(p.inlines) for p in paragraphs)
    names = [
        participant_name(p, edition) for p in (*letter.senders, *letter.recipients, *letter.redirections)
    ]
    names += [register_name(p.ref, edition) or "" for p in (*letter.senders, *letter.recipients) if p.ref]
    return {
        "href": href,
        "title": heading(letter, edition),
        "date": date_phrase(letter),
        "names": " ".join(dict.fromkeys(n for n in names if n)),
        "text": " ".join(text.split()),
    }
