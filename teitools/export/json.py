"""JSON metadata: one record per letter, in the shape of ``schemas/letters.schema.json``.

The records come from the letter model; only the word count walks the letter's body. Every
export is checked against the schema before it is returned: a record the schema rejects is a
bug in teitools and stops the export (:class:`OutputSchemaError`). The text is deterministic:
keys sorted, two-space indent, UTF-8 characters as they are, and a final newline.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from typing import Any

import jsonschema
from lxml import etree

from teitools.diagnostics import Diagnostic
from teitools.errors import OutputSchemaError
from teitools.export.base import ExportOptions, ExportResult
from teitools.export.values import Rejected, drop_rejected, rejected_warning
from teitools.load.parser import TEI_NS
from teitools.load.resources import schema_file
from teitools.load.settings import Settings
from teitools.model.types import DateSpan, Edition, Letter, Manuscript, Mention, Participant, SourceRef
from teitools.render.dates import date_phrase
from teitools.render.describe import copy_recipients, known_place, main_recipients, short_heading
from teitools.render.links import letter_pages

FILE_NAME = "letters.json"
SCHEMA_NAME = "letters.schema.json"
FORMAT_VERSION = 1
_T = f"{{{TEI_NS}}}"
#: Editorial additions inside a letter's text: not the writer's words.
_EDITORIAL = frozenset({f"{_T}note", f"{_T}supplied"})
#: The record's list of mentions for each kind of register entry.
_MENTIONS = {"person": "persons", "place": "places", "org": "organisations"}
#: A word, with inner apostrophes (straight or typographic) and hyphens.
_WORD = re.compile("\\w+(?:['\u2019-]\\w+)*")

Record = dict[str, Any]


def export(edition: Edition, options: ExportOptions) -> ExportResult:
    """The edition's letters as one JSON document, checked against its schema."""
    pages = letter_pages(edition)
    records = []
    warnings = []
    for letter in edition.chronological():
        record = letter_record(letter, edition, pages.url(letter, options.settings.base_url))
        record["key"] = pages.stem(letter)
        for rejected in drop_rejected(
            record, _letter_validator(), nullable=_NULLABLE, kept=record.keys(), lists={"authority"}
        ):
            warnings.append(_warning(letter, rejected))
        records.append(record)
    document = {"version": FORMAT_VERSION, "edition": _edition(options.settings), "letters": records}
    check(document)
    text = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    return ExportResult({FILE_NAME: text}, tuple(warnings))


#: The fields of a letter's record that hold what a letter says and may be null: a value the
#: schema rejects there becomes null. (``words`` is counted by teitools: a bad count is a bug.)
#: Every field is required, so no other is left out; of the lists, only a register's authority
#: URIs hold what a file says.
_NULLABLE = frozenset({"url", "date", "place_sent", "place_received", "language", "manuscript"})


def check(document: Record) -> None:
    """Raise :class:`OutputSchemaError` when ``document`` breaks ``letters.schema.json``."""
    # The first error in document order, so that the message names the first bad record.
    error = next(iter(_validator().iter_errors(document)), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise OutputSchemaError(
            f"the JSON metadata breaks {SCHEMA_NAME} at {where}: {error.message} "
            "(a bug in teitools, please report it)"
        )


@cache
def _validator() -> jsonschema.protocols.Validator:
    return jsonschema.Draft202012Validator(_schema())


@cache
def _letter_validator() -> jsonschema.protocols.Validator:
    return jsonschema.Draft202012Validator({"$defs": _schema()["$defs"], "$ref": "#/$defs/letter"})


@cache
def _schema() -> Any:
    return json.loads(schema_file(SCHEMA_NAME).read_text(encoding="utf-8"))


def _warning(letter: Letter, rejected: Rejected) -> Diagnostic:
    field = str(rejected.path[0])
    place = {"place_sent": letter.place_sent, "place_received": letter.place_received}.get(field)
    people = {
        "senders": letter.senders,
        "recipients": main_recipients(letter),
        "copy_recipients": copy_recipients(letter),
    }.get(field, ())
    if field == "language":
        line = letter.language_line
    elif field == "date" and letter.date is not None:
        line = letter.date.line
    elif place is not None:
        line = place.line
    elif people and isinstance(rejected.path[1], int) and rejected.path[1] < len(people):
        line = people[rejected.path[1]].line
    else:
        line = letter.line
    return rejected_warning(letter, rejected, line, "the JSON metadata")


def letter_record(letter: Letter, edition: Edition, page_url: str | None) -> Record:
    """The JSON record of one letter; ``page_url`` is its page on the edition's site, if any."""
    return {
        "id": letter.id,
        "title": letter.title or short_heading(letter, edition),
        "url": letter.url or page_url,
        "senders": [_participant(p, edition) for p in letter.senders],
        "recipients": [_participant(p, edition) for p in main_recipients(letter)],
        "copy_recipients": [{**_participant(p, edition), "kind": p.subtype} for p in copy_recipients(letter)],
        "date": _date(letter.date) if letter.date is not None else None,
        "place_sent": _place(letter.place_sent, edition),
        "place_received": _place(letter.place_received, edition),
        "mentions": _mentions(letter.mentions, edition),
        "sources": [_source(s, edition) for s in letter.sources],
        "manuscript": _manuscript(letter.manuscript) if letter.manuscript is not None else None,
        "language": letter.language,
        "words": word_count(letter.body),
    }


def word_count(body: etree._Element | None) -> int | None:
    """Words of the letter's own text: editorial notes and supplied words are left out."""
    if body is None:
        return None
    return sum(len(_WORD.findall(text)) for text in _own_text(body))


def _own_text(element: etree._Element) -> list[str]:
    texts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag not in _EDITORIAL:
            texts += _own_text(child)
        texts.append(child.tail or "")
    return texts


def _edition(settings: Settings) -> Record:
    return {
        "title": settings.title or None,
        "publisher": settings.publisher or None,
        "licence": settings.licence or None,
        "licence_url": settings.licence_url,
        "base_url": settings.base_url,
    }


def _participant(person: Participant, edition: Edition) -> Record:
    registered = edition.person(person.ref)
    organisation = edition.organisations.get(person.ref or "")
    name = (
        person.name
        or (registered.name.display() if registered else "")
        or (organisation.name if organisation else "")
    )
    authority = registered.authority if registered else organisation.authority if organisation else ()
    return {"id": person.ref, "name": name, "cert": person.cert, "authority": _uris(authority)}


def _place(place: Participant | None, edition: Edition) -> Record | None:
    """The place's record; null for none, and for a place encoded as "unknown" (no place)."""
    place = known_place(place, edition)
    if place is None:
        return None
    registered = edition.places.get(place.ref or "")
    name = place.name or (registered.name if registered else "")
    return {
        "id": place.ref,
        "name": name,
        "cert": place.cert,
        "authority": _uris(registered.authority if registered else ()),
    }


def _date(date: DateSpan) -> Record:
    def day(value: tuple[int, int, int] | None) -> str | None:
        return f"{value[0]:04d}-{value[1]:02d}-{value[2]:02d}" if value else None

    return {
        "text": date.text,
        "display": date_phrase(date),
        "when": date.when.iso() if date.when else None,
        "not_before": date.not_before.iso() if date.not_before else None,
        "not_after": date.not_after.iso() if date.not_after else None,
        "cert": date.cert,
        "evidence": date.evidence,
        "earliest": day(date.earliest),
        "latest": day(date.latest),
    }


def _mentions(mentions: tuple[Mention, ...], edition: Edition) -> Record:
    """Each register entry the text names, with how often; a name whose kind neither its
    element nor the registers tell (an ``rs`` without a known type) is left out."""
    counts: dict[str, Counter[str]] = {kind: Counter() for kind in _MENTIONS.values()}
    names: dict[tuple[str, str], str] = {}
    for mention in mentions:
        kind = _MENTIONS.get(mention.kind or edition.register_kind(mention.ref) or "")
        if kind is None:
            continue
        counts[kind][mention.ref] += 1
        names.setdefault((kind, mention.ref), mention.name)
    return {
        kind: [
            {"id": key, "name": _register_name(kind, key, edition) or names[(kind, key)], "count": count}
            for key, count in sorted(counter.items())
        ]
        for kind, counter in counts.items()
    }


def _manuscript(manuscript: Manuscript) -> Record:
    return {
        "settlement": manuscript.settlement or None,
        "repository": manuscript.repository or None,
        "collection": manuscript.collection or None,
        "idno": manuscript.idno or None,
        "citation": manuscript.citation(),
    }


def _register_name(kind: str, key: str, edition: Edition) -> str:
    if kind == "persons":
        person = edition.persons.get(key)
        return person.name.display() if person else ""
    if kind == "places":
        place = edition.places.get(key)
        return place.name if place else ""
    organisation = edition.organisations.get(key)
    return organisation.name if organisation else ""


def _source(source: SourceRef, edition: Edition) -> Record:
    registered = edition.sources.get(source.ref or "")
    return {
        "role": source.role,
        "id": source.ref,
        "text": source.text,
        "title": registered.title if registered else None,
        "cert": source.cert,
    }


def _uris(values: tuple[str, ...]) -> list[str]:
    return [v for v in values if v.startswith(("http://", "https://"))]
