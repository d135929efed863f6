"""Client-side search: an index of every letter's text and names, and the script that reads it.

The index is a JavaScript file that assigns a global (``search-index.js``), not a JSON file
fetched at run time, because browsers refuse ``fetch()`` of local files under ``file://``.
It has a budget: each letter's entry takes at most :data:`ENTRY_BYTES` of it, so that the
index of 10,000 letters stays under 20 MiB however long the letters are; a long letter is
found by as much of its text, from the start and cut at a word, as fits beside its title,
date and names.
"""

from __future__ import annotations

import json
import re

from teitools.model.types import Edition, Letter
from teitools.render.describe import date_phrase, heading, participant_name, register_name, typographic
from teitools.render.nodes import Body, Paragraph, iter_paragraphs, plain_text
from teitools.render.templating import static

INDEX_SCRIPT = "search-index.js"
SEARCH_SCRIPT = "search.js"
#: The most one letter takes in the index (bytes of JSON, with its separating comma).
ENTRY_BYTES = 2048


def search_files(entries: list[str]) -> dict[str, str]:
    """``search-index.js`` (the data: the array of each letter's :func:`search_entry`) and
    ``search.js`` (the code)."""
    data = f"[{','.join(entries)}]"  # as json.dumps writes the list, with no spaces
    index = (
        f"// The search index of the edition, written by teitools.\nwindow.TEITOOLS_SEARCH_INDEX = {data};\n"
    )
    return {INDEX_SCRIPT: index, SEARCH_SCRIPT: static(SEARCH_SCRIPT)}


def search_entry(letter: Letter, edition: Edition, href: str, body: Body) -> str:
    """What the search looks in for one letter, and what a result shows: its entry in the
    index as JSON, made by the worker that renders the letter."""
    paragraphs = [*iter_paragraphs(body.blocks), *(Paragraph("note", note.inlines) for note in body.notes)]
    text = " ".join(plain_text(p.inlines) for p in paragraphs)
    names = [
        participant_name(p, edition) for p in (*letter.senders, *letter.recipients, *letter.redirections)
    ]
    names += [register_name(p.ref, edition) or "" for p in (*letter.senders, *letter.recipients) if p.ref]
    entry = {
        "href": href,
        "title": typographic(heading(letter, edition)),
        "date": date_phrase(letter),
        # "unknown" names nobody: a search for it should not find the letters it stands in.
        "names": " ".join(dict.fromkeys(n for n in names if n and n.casefold() != "unknown")),
        "text": "",
    }
    # Only an absurd list of names or heading needs cutting; the text fills what they leave.
    for key in ("names", "title"):
        if len(_json(entry)) + 1 > ENTRY_BYTES:
            value, entry[key] = entry[key], ""
            entry[key] = _fit(value, ENTRY_BYTES - len(_json(entry)) - 1)
    entry["text"] = _fit(" ".join(text.split()), ENTRY_BYTES - len(_json(entry)) - 1)
    return _json(entry)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"), sort_keys=True)


def _fit(words: str, budget: int) -> str:
    """The longest start of ``words`` that takes at most ``budget`` bytes as JSON, cut after a
    whole word (all of ``words`` when they fit)."""
    if len(_json(words)) - 2 <= budget:
        return words
    # Printable ASCII but for the quote and the backslash is one byte each; the start of a
    # letter's text is mostly that, so it is measured at once and only the rest by character.
    plain = _PLAIN.match(words, 0, budget + 1)
    used = plain.end() if plain else 0
    end = max(words.rfind(" ", 0, min(used, budget)), 0)
    for position in range(used, len(words)):
        character = words[position]
        used += 1 if character not in _ESCAPED and " " <= character <= "~" else len(_json(character)) - 2
        if used > budget:
            break
        if character == " ":
            end = position
    return words[:end]


_ESCAPED = frozenset('"\\')
_PLAIN = re.compile(r"[ !#-\[\]-~]*")
