"""``teitools new SENDER RECIPIENT DATE``: a new letter file, filled from the registers.

The id is ``sender-recipient-date`` (the letter-id-pattern rule), with the first free letter
``a``, ``b``… added when the edition already has a letter of that day; the file is
``letters/<id>.xml``. What the registers and settings know is filled in (names, title, date,
place, publisher and licence), and the sources and languages are those of the closest letter
between the same correspondents (else the latest letter), so that a new letter starts in the
edition's style; only the text is left to write.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from teitools.load.parser import TEI_NS, XML_NS, parse_bytes, read_bytes
from teitools.load.settings import Settings
from teitools.model.dates import PartialDate, parse_iso, suggest_iso
from teitools.model.types import Edition, Letter, Person
from teitools.render.dates import partial_date_phrase
from teitools.scaffold.common import EditionFolder, ScaffoldError, did_you_mean

#: What the new letter's paragraph says until the encoder replaces it.
TEXT_PLACEHOLDER = "Transcribe the letter here."


@dataclass(frozen=True)
class LetterRequest:
    """Who wrote to whom, when (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) and, if known, where
    from: ids in the persons and places registers."""

    sender: str
    recipient: str
    date: str
    place: str | None = None


@dataclass(frozen=True)
class NewLetter:
    """The file to write, its text, and what is left for the encoder to fill in."""

    path: Path
    id: str
    text: str
    to_fill: tuple[str, ...]


def new_letter(folder: EditionFolder, request: LetterRequest, settings: Settings) -> NewLetter:
    """The new letter of ``request`` in ``folder``'s edition; :class:`ScaffoldError` for an
    unknown register id or a date that is not ISO."""
    edition = folder.edition
    sender = _person(edition, request.sender, "sender")
    recipient = _person(edition, request.recipient, "recipient")
    date = _date(request.date)
    place_xml = ""
    if request.place is not None:
        place = edition.places.get(request.place)
        if place is None:
            raise ScaffoldError(
                f'no place with xml:id="{request.place}" in places.xml.'
                f"{did_you_mean(request.place, edition.places)}"
                f' Add it first: teitools new place "NAME" --write'
            )
        place_xml = f"\n          <placeName ref={quoteattr('#' + place.id)}>{escape(place.name)}</placeName>"
    letter_id = _free_id(folder, f"{sender.id}-{recipient.id}-{date.iso()}")
    phrase = partial_date_phrase(date)
    model = _closest_letter(edition, sender.id, recipient.id, date)
    template = _template(model)
    title = f"{_surname(sender)} to {_surname(recipient)}, {phrase}"
    text = _LETTER.format(
        id=quoteattr(letter_id),
        lang=quoteattr(template.lang),
        title=escape(title),
        publication=_publication(settings, template),
        source_desc=template.source_desc,
        sender_ref=quoteattr("#" + sender.id),
        sender=escape(_full_name(sender)),
        place=place_xml,
        when=quoteattr(date.iso()),
        phrase=escape(phrase),
        recipient_ref=quoteattr("#" + recipient.id),
        recipient=escape(_full_name(recipient)),
        lang_usage=template.lang_usage,
        placeholder=TEXT_PLACEHOLDER,
    )
    to_fill = [f"the letter's text, in place of <p>{TEXT_PLACEHOLDER}</p>"]
    if model is not None:
        to_fill.append(f"the sources and languages, copied from {model.id}: check they hold for this letter")
    else:
        to_fill.append("the sources (<sourceDesc>) and languages (<langUsage>)")
    if request.place is None:
        to_fill.append('where it was written, if known: <placeName ref="#…"> in the sent action (--place)')
    return NewLetter(folder.root / "letters" / f"{letter_id}.xml", letter_id, text, tuple(to_fill))


def _person(edition: Edition, wanted: str, role: str) -> Person:
    person = edition.persons.get(wanted.removeprefix("#"))
    if person is None:
        raise ScaffoldError(
            f'unknown {role} "{wanted}": no person with that xml:id in persons.xml.'
            f"{did_you_mean(wanted, edition.persons)}"
            f' To add one: teitools new person "FORENAME SURNAME" --write'
        )
    return person


def _date(value: str) -> PartialDate:
    date = parse_iso(value)
    if date is None:
        suggestion = suggest_iso(value)
        hint = f" Did you mean {suggestion}?" if suggestion else ""
        raise ScaffoldError(f'the date "{value}" is not YYYY, YYYY-MM or YYYY-MM-DD.{hint}')
    return date


def _free_id(folder: EditionFolder, base: str) -> str:
    taken: set[str] = {letter.id for letter in folder.edition.letters}
    suffixes: list[str] = ["", *string.ascii_lowercase]  # the id pattern's [a-z]
    for suffix in suffixes:
        candidate = base + suffix
        if candidate not in taken and not (folder.root / "letters" / f"{candidate}.xml").exists():
            return candidate
    raise ScaffoldError(f"every id from {base} to {base}z is taken")


def _surname(person: Person) -> str:
    name = person.name
    return str(name.family or name.literal or name.given or person.id)


def _full_name(person: Person) -> str:
    name = person.name
    return name.literal or " ".join(part for part in (name.given, name.family) if part) or person.id


def _closest_letter(edition: Edition, sender: str, recipient: str, date: PartialDate) -> Letter | None:
    """The letter between the same correspondents closest in date, else the latest letter."""

    def year(letter: Letter) -> int:
        span = letter.date
        when = span and (span.when or span.not_before or span.not_after)
        return when.year if when else 0

    def between(letter: Letter) -> bool:
        return [p.ref for p in letter.senders] == [sender] and recipient in {p.ref for p in letter.recipients}

    same_pair = [letter for letter in edition.letters if between(letter)]
    if same_pair:
        return min(same_pair, key=lambda letter: (abs(year(letter) - date.year), letter.id))
    return max(edition.letters, key=lambda letter: (year(letter), letter.id), default=None)


@dataclass(frozen=True)
class _Template:
    lang: str
    publication: str
    source_desc: str
    lang_usage: str


_FALLBACK = _Template(
    lang="en",
    publication="<publicationStmt>\n        <p>Unpublished.</p>\n      </publicationStmt>",
    source_desc="<sourceDesc>\n        <p>Describe the source of the transcription.</p>\n      </sourceDesc>",
    lang_usage='<langUsage>\n        <language ident="en">English</language>\n      </langUsage>',
)


def _template(model: Letter | None) -> _Template:
    """The parts a new letter copies from ``model``'s file, as written there."""
    if model is None:
        return _FALLBACK
    root = parse_bytes(read_bytes(model.file), model.file).getroot()

    def copied(name: str, fallback: str) -> str:
        element = root.find(f".//{{{TEI_NS}}}{name}")
        if element is None:
            return fallback
        element.tail = None
        text = etree.tostring(element, encoding="unicode")
        return text.replace(f' xmlns="{TEI_NS}"', "", 1)

    return _Template(
        lang=root.get(f"{{{XML_NS}}}lang") or _FALLBACK.lang,
        publication=copied("publicationStmt", _FALLBACK.publication),
        source_desc=copied("sourceDesc", _FALLBACK.source_desc),
        lang_usage=copied("langUsage", _FALLBACK.lang_usage),
    )


def _publication(settings: Settings, template: _Template) -> str:
    """The publisher and licence of the settings, else those of the closest letter."""
    if not (settings.publisher and settings.licence):
        return template.publication
    target = f" target={quoteattr(settings.licence_url)}" if settings.licence_url else ""
    return (
        "<publicationStmt>\n"
        f"        <publisher>{escape(settings.publisher)}</publisher>\n"
        "        <availability>\n"
        f"          <licence{target}>{escape(settings.licence)}</licence>\n"
        "        </availability>\n"
        "      </publicationStmt>"
    )


_LETTER = """<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id={id} xml:lang={lang}>
  <teiHeader>
    <fileDesc>
      <titleStmt>
        <title>{title}</title>
      </titleStmt>
      {publication}
      {source_desc}
    </fileDesc>
    <profileDesc>
      <correspDesc>
        <correspAction type="sent">
          <persName ref={sender_ref}>{sender}</persName>{place}
          <date when={when}>{phrase}</date>
        </correspAction>
        <correspAction type="received">
          <persName ref={recipient_ref}>{recipient}</persName>
        </correspAction>
      </correspDesc>
      {lang_usage}
    </profileDesc>
  </teiHeader>
  <text>
    <body>
      <div type="letter">
        <opener><dateline><date when={when}>{phrase}</date></dateline></opener>
        <p>{placeholder}</p>
      </div>
    </body>
  </text>
</TEI>
"""
