"""The one mapping from the letter model to citation data.

Every citation format reads a :class:`Citable`, built here from a :class:`~teitools.model.types.Letter`
and its :class:`~teitools.model.types.Edition`: the names as citations need them, a stable key, a
short title, the letter's date and the published volume the letter belongs to. The CSL-JSON
item of a letter (:func:`csl_item`) is made here too, since CSL-JSON is also what the
formatted styles are fed. ``docs/citations.md`` documents every field and special case.
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from teitools.load.settings import Settings, build_day
from teitools.model.dates import PartialDate, parse_iso
from teitools.model.types import UNCERTAIN, DateSpan, Edition, Letter, Participant, Source
from teitools.render.dates import MONTHS, span_phrase
from teitools.render.links import LetterPages, letter_pages

#: CSL has no letter type; Zotero and the CSL styles cite letters as this type.
CSL_TYPE = "personal_communication"
#: ``correspDesc/@type`` values -> the letter type as citations name it (RIS M3, CSL genre).
KINDS = {
    "cipher": "letter in cipher",
    "telegram": "telegram",
    "postcard": "postcard",
    "note": "note",
    "memorandum": "memorandum",
}
#: The register id that stands for a participant the sources do not name.
UNKNOWN_REF = "unknown"

_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "i",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "iu",
            "ia",
            "i",
            "i",
            "ie",
            "g",
        ],
        strict=True,
    )
)


@dataclass(frozen=True)
class Name:
    """A person or group as citations name them.

    ``conjectural`` marks a participant the sources do not name but the editors infer
    (``@cert`` below high): every format shows it with "(?)".
    """

    family: str = ""
    given: str = ""
    literal: str = ""
    conjectural: bool = False
    #: "von" of "Adelbert von Chamisso": printed before the family name, not sorted by.
    particle: str = ""

    def display(self) -> str:
        """ "Lazar Kaganovich", "other friends", "Lazar Kaganovich (?)"."""
        text = " ".join(p for p in (self.given, self.particle, self.family) if p) or self.literal
        return f"{text} (?)" if self.conjectural else text

    def inverted(self) -> str:
        """ "Kaganovich, Lazar" (for RIS and BibTeX); a literal name stays as it is."""
        if self.family and self.given:
            given = " ".join(p for p in (self.given, self.particle) if p)
            text = f"{self.family}, {given}"
        else:
            text = self.family or self.literal or self.given
        return f"{text} (?)" if self.conjectural else text

    def short(self) -> str:
        """The family name (or the literal name) for titles: "Kaganovich", "Kaganovich (?)"."""
        text = self.family or self.literal or self.given
        return f"{text} (?)" if self.conjectural else text

    def csl(self) -> dict[str, str]:
        """The CSL-JSON name object; a conjectural name is one literal, so "(?)" stays with it."""
        if self.conjectural or not self.family:
            return {"literal": self.display()}
        name = {"family": self.family}
        if self.given:
            name["given"] = self.given
        if self.particle:
            name["dropping-particle"] = self.particle
        return name


@dataclass(frozen=True)
class Citable:
    """One letter with everything the citation formats need, resolved against the registers."""

    letter: Letter
    key: str
    senders: tuple[Name, ...]
    recipients: tuple[Name, ...]
    volume: Source | None
    #: The letter's attribution to the volume is uncertain (``bibl type="edition" cert="low"``).
    volume_uncertain: bool = False
    #: The register's entry for the source the text is transcribed from (Corin's article).
    text_from: Source | None = None

    @property
    def date(self) -> DateSpan | None:
        """The letter's date, a text-only one read where unambiguous (:func:`letter_date`)."""
        return letter_date(self.letter.date)

    @property
    def title(self) -> str:
        """ "Stalin to Kaganovich", "Stalin to Molotov, Rykov, Bukharin and other friends"."""
        senders = _join(n.short() for n in self.senders)
        return f"{senders} to {_join(n.short() for n in self.recipients)}"

    @property
    def full_title(self) -> str:
        """ "Joseph Stalin to Lazar Kaganovich": the title of a letter in a volume (CMOS 14.111),
        for formats that have no recipient field (RIS book sections, BibLaTeX)."""
        senders = _join(n.display() for n in self.senders)
        return f"{senders} to {_join(n.display() for n in self.recipients)}"

    @property
    def description(self) -> str:
        """ "letter to Lazar Kaganovich", "letter in cipher to …": MLA's description of an
        untitled letter; names joined as MLA joins them ("A, B, and C")."""
        names = [n.display() for n in self.recipients]
        serial = f"{', '.join(names[:-1])}, and {names[-1]}" if len(names) > 2 else ""
        joined = serial or " and ".join(names)
        return f"{self.kind or 'letter'} to {joined}"

    @property
    def kind(self) -> str | None:
        """The letter type ("letter in cipher"), or None for an ordinary letter."""
        kind = self.letter.kind
        return KINDS.get(kind, kind.replace("-", " ")) if kind else None

    @property
    def spoken_date(self) -> str:
        """The date as a reader writes it ("22 August 1935"; "between 1930 and 7 August 1932")."""
        if self.date is None:
            return "undated"
        return span_phrase(self.date)


def citables(edition: Edition, letters: Iterable[Letter] | None = None) -> list[Citable]:
    """The given letters (default: all) as :class:`Citable`, sorted by date then id.

    Keys are made over the whole edition, so a letter keeps its key whichever letters are
    exported with it.
    """
    keys = citation_keys(edition)
    chosen = edition.letters if letters is None else tuple(letters)
    return [
        _citable(edition, letter, keys[letter.identity]) for letter in sorted(chosen, key=Letter.sort_key)
    ]


#: Keys of the editions in use: every letter page asks for its letter's key, and making the
#: keys walks the whole edition, so without this a site is quadratic in its letters. An
#: edition is immutable, so its keys never change; an entry goes when its edition does.
_KEYS: dict[int, tuple[weakref.ref[Edition], dict[tuple[Path, str], str]]] = {}


def citation_keys(edition: Edition) -> dict[tuple[Path, str], str]:
    """Letter (:attr:`~teitools.model.types.Letter.identity`) -> citation key, unique across the
    edition (made once per edition)."""
    cached = _KEYS.get(id(edition))
    if cached is not None and cached[0]() is edition:
        return cached[1]
    keys = _make_keys(edition)
    number = id(edition)
    _KEYS[number] = (weakref.ref(edition, lambda _gone: _KEYS.pop(number, None)), keys)
    return keys


def _make_keys(edition: Edition) -> dict[tuple[Path, str], str]:
    """Letter -> citation key, unique across the edition, also for letters of different files
    that share an id.

    The key is sender, date and first recipient: ``stalin1935-08-22kaganovich``. When two
    letters would share one, the earlier (by date, then id) keeps it and the later ones get
    ``a``, ``b``, … appended, so adding a letter never changes an existing key.
    """
    taken: set[str] = set()
    keys: dict[tuple[Path, str], str] = {}
    for letter in sorted(edition.letters, key=lambda letter: (letter.sort_key(), str(letter.file))):
        base = _base_key(edition, letter)
        key = base
        suffixes = suffix_letters()
        while key in taken:
            key = base + next(suffixes)
        taken.add(key)
        keys[letter.identity] = key
    return keys


def csl_item(citable: Citable) -> dict[str, object]:
    """The CSL-JSON item of a letter (see ``docs/citations.md`` for each field and why).

    A letter in a volume is a ``personal_communication`` whose ``container-title`` is the
    volume: the Chicago, MLA and APA styles all print such an item as a letter in a published
    collection, citeproc-js and pandoc as well as teitools. The letter's date is ``event-date``
    (the variable the styles read for a letter), ``issued`` the volume's year; there is no
    ``original-date``, which Chicago would print again as a first-publication year.
    """
    item: dict[str, object] = {
        "id": citable.key,
        "citation-key": citable.key,
        "type": CSL_TYPE,
        "author": [n.csl() for n in citable.senders],
        "recipient": [n.csl() for n in citable.recipients],
    }
    date = csl_date(citable.date)
    volume = citable.volume
    # MLA prints a letter's description from event-title, before its date ("Letter to Lazar
    # Kaganovich, 22 Aug. 1935."), since its style never prints the recipient.
    item["event-title"] = citable.description
    if volume is not None:
        if date is not None:
            item["event-date"] = date
        if volume.year is not None:
            item["issued"] = {"date-parts": [[volume.year]]}
        item["container-title"] = volume.title
        if volume.series:
            item["collection-title"] = volume.series
        if volume.editors:
            item["editor"] = [Name(e.family, e.given, e.literal).csl() for e in volume.editors]
        if volume.translators:
            item["translator"] = [Name(e.family, e.given, e.literal).csl() for e in volume.translators]
        if volume.publisher:
            item["publisher"] = volume.publisher
        if volume.place:
            item["publisher-place"] = volume.place
    elif date is not None:
        # An unpublished letter: its own date is the date it was issued.
        item["issued"] = date
    if citable.letter.language:
        item["language"] = citable.letter.language
    notes = uncertainty_notes(citable)
    if notes:
        item["note"] = " ".join(notes)
    cleaned: dict[str, object] = _single_lines(item)
    return cleaned


@dataclass(frozen=True)
class OnlineEdition:
    """The digital edition a reader read the letter in: its title, the address of the site
    (``base-url``, ending in "/") and the day the reader used it (the access date)."""

    title: str
    base_url: str
    accessed: date


def online_item(citable: Citable, online: OnlineEdition, url: str) -> dict[str, object]:
    """The CSL-JSON item that cites the letter as read in the digital edition at ``url``.

    It is the letter's own item (:func:`csl_item`: the letter, in its printed volume) with
    ``archive`` saying where the reader found it, "quoted in Chris Corin, “Stalin, Molotov,
    Kaganovich and Russia,” in *the edition*, accessed December 1, 2026", and ``URL`` the
    page: the Chicago, MLA and APA styles print ``archive`` after the volume and before the
    URL, which is CMOS's "quoted in" form (``docs/citations.md`` has the examples and why the
    access date is in ``archive``, not ``accessed``).
    """
    item = csl_item(citable)
    item["archive"] = single_line(online_phrase(citable, online))
    item["URL"] = url
    return item


def online_phrase(citable: Citable, online: OnlineEdition) -> str:
    """ "quoted in Chris Corin, “Stalin, Molotov, Kaganovich and Russia,” in <edition>, accessed
    December 1, 2026"; "online in <edition>, accessed …" when the text comes from the volume
    itself (or the letter names no source of its text)."""
    accessed = f"accessed {us_day(online.accessed)}"
    where = f"in {online.title}, {accessed}" if online.title else accessed
    source = text_source(citable)
    if source:
        return f"quoted in {source} {where}"
    return f"online {where}" if online.title else f"online, {where}"


def online_edition(settings: Settings, accessed: date | None = None) -> OnlineEdition | None:
    """The digital edition the settings describe (title, ``base-url``), read on ``accessed``
    (default: the build's day, :func:`~teitools.load.settings.build_day`); None when the
    settings give no ``base-url``, since there is then no address to cite."""
    if not settings.base_url:
        return None
    return OnlineEdition(settings.title, settings.base_url, accessed or build_day())


def text_source(citable: Citable) -> str | None:
    """The source the letter's text is transcribed from (``bibl type="transcription"``), as a
    citation names it before "in": "Chris Corin, “Stalin, Molotov, Kaganovich and Russia,”";
    None when there is none, or it is the printed volume itself."""
    letter = citable.letter
    ref = letter.source("transcription")
    if ref is None:
        return None
    source = citable.text_from
    if source is None:
        # A source the register does not have: the letter's own words for it.
        return f"{ref.text}," if ref.text else None
    if citable.volume is not None and source.id == citable.volume.id:
        return None
    authors = _join(Name(a.family, a.given, a.literal).display() for a in source.authors)
    # A comma inside the closing quotation mark, as US English has it; a volume's title is
    # not quoted (the styles cannot italicise a part of a variable).
    title = f"\u201c{source.title},\u201d" if source.kind == "article" else f"{source.title},"
    return f"{authors}, {title}" if authors else title


def us_day(day: date) -> str:
    """ "December 1, 2026": an access date as the US English styles print dates."""
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


#: Page names of the editions in use (as :data:`_KEYS`: each letter page asks for its own).
_PAGES: dict[int, tuple[weakref.ref[Edition], LetterPages]] = {}


def letter_url(edition: Edition, letter: Letter, base_url: str) -> str:
    """The address of the letter's page as ``teitools site`` writes it under ``base_url``."""
    cached = _PAGES.get(id(edition))
    if cached is None or cached[0]() is not edition:
        number = id(edition)
        cached = (weakref.ref(edition, lambda _gone: _PAGES.pop(number, None)), letter_pages(edition))
        _PAGES[number] = cached
    return f"{base_url}{cached[1][letter]}"


def _single_lines(value: Any) -> Any:
    """Every string in a CSL-JSON value on one line: Zotero's fields and the styles' output are."""
    if isinstance(value, str):
        return single_line(value)
    if isinstance(value, dict):
        return {key: _single_lines(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_single_lines(v) for v in value]
    return value


def csl_date(span: DateSpan | None) -> dict[str, object] | None:
    """A CSL date: one date as ``date-parts`` (``circa`` when uncertain); a range or an open
    date as a bracketed literal, "[between 1930 and August 7, 1932]".

    citeproc-js refuses a range whose ends have different precisions ("element mismatch in
    date range input") and every style prints a CSL range without "between"; a literal is
    printed as it is by citeproc-js, citeproc-py and pandoc, and reads as the editors' date.
    """
    if span is None:
        return None
    when = span.when or text_date(span.text)
    if when is not None and span.not_before is None and span.not_after is None:
        date: dict[str, object] = {"date-parts": [_parts(when)]}
        if is_circa(span):
            date["circa"] = True
        return date
    if span.not_before is not None or span.not_after is not None:
        return {"literal": f"[{us_span_phrase(span)}]"}
    return {"literal": span.text} if span.text else None


#: English month names, for dates given only as text and the US form of literal dates.
_MONTH = "|".join(MONTHS)
#: Text-only dates that mean one thing: "1951", "January 1898", "22 January 1898",
#: "January 22, 1898". Anything else ("spring 1930", "22/1/1898") stays text.
_TEXT_DATES = (
    re.compile(r"(?P<year>\d{4})"),
    re.compile(rf"(?P<month>{_MONTH}) (?P<year>\d{{4}})"),
    re.compile(rf"(?P<day>\d{{1,2}}) (?P<month>{_MONTH}) (?P<year>\d{{4}})"),
    re.compile(rf"(?P<month>{_MONTH}) (?P<day>\d{{1,2}}), (?P<year>\d{{4}})"),
)


def text_date(text: str) -> PartialDate | None:
    """The date a text-only ``<date>`` gives when it is unambiguous: "1951", "22 January
    1898" (a real calendar date); None otherwise."""
    words = " ".join(text.split()).rstrip(".")
    for pattern in _TEXT_DATES:
        match = pattern.fullmatch(words)
        if match is None:
            continue
        parts = match.groupdict()
        month = MONTHS.index(parts["month"]) + 1 if parts.get("month") else None
        iso = parts["year"]
        if month is not None:
            iso += f"-{month:02d}"
            if parts.get("day"):
                iso += f"-{int(parts['day']):02d}"
        return parse_iso(iso)
    return None


def letter_date(span: DateSpan | None) -> DateSpan | None:
    """The letter's date with a text-only date read where it is unambiguous ("1951")."""
    if span is None or span.when is not None or span.not_before or span.not_after:
        return span
    parsed = text_date(span.text)
    return replace(span, when=parsed) if parsed is not None else span


def us_date(date: PartialDate) -> str:
    """ "August 7, 1932", "July 1932", "1930": the date as US English styles print it."""
    if date.month is None:
        return str(date.year)
    month = MONTHS[date.month - 1]
    return f"{month} {date.day}, {date.year}" if date.day else f"{month} {date.year}"


def us_span_phrase(span: DateSpan) -> str:
    """ "between 1930 and August 7, 1932", "not before March 1, 1901" (the brackets a citation
    puts around it mark it as the editors' date)."""
    start, end = span.not_before, span.not_after
    if start is not None and end is not None:
        text = f"between {us_date(start)} and {us_date(end)}"
    elif start is not None:
        text = f"not before {us_date(start)}"
    elif end is not None:
        text = f"not after {us_date(end)}"
    else:
        text = span.text
    return text


def is_circa(span: DateSpan) -> bool:
    """The date is marked uncertain: ``@cert`` below high, or ``@evidence="conjecture"``."""
    return span.cert in UNCERTAIN or span.evidence == "conjecture"


def uncertainty_notes(citable: Citable) -> list[str]:
    """Sentences for a citation's note field on what the edition infers rather than reads."""
    notes = []
    if any(n.conjectural for n in (*citable.senders, *citable.recipients)):
        notes.append("Participants marked (?) are conjectural.")
    if citable.date is not None and is_circa(citable.date):
        notes.append("The date is conjectural.")
    if citable.volume_uncertain:
        notes.append("That the letter is printed in this volume is conjectural.")
    return notes


def single_line(text: str) -> str:
    """``text`` as one line: every run of whitespace, line or paragraph separators and control
    characters becomes one space. RIS starts a record (``TY  -``) at the start of any line and
    BibTeX reads a blank line as a paragraph break, so no value may carry a line break into them."""
    return " ".join(_CONTROLS.sub(" ", text).split())


#: Control characters ``str.split`` does not take for whitespace (ESC, DEL, most C1 controls).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters and digits: "Šostakovič" -> "sostakovic", "Сталин" -> "stalin"."""
    text = "".join(_CYRILLIC.get(c, c) for c in text.lower())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", text)


def _citable(edition: Edition, letter: Letter, key: str) -> Citable:
    senders = tuple(_name(edition, p, "sender") for p in letter.senders) or (Name(literal="unknown sender"),)
    # Copies (an email's cc and bcc) were not addressed: the citation names the addressees.
    addressed = [p for p in letter.recipients if p.subtype not in {"cc", "bcc"}] or letter.recipients
    recipients = tuple(_name(edition, p, "recipient") for p in addressed) or (
        Name(literal="unknown recipient"),
    )
    ref = letter.source("edition")
    volume = edition.sources.get(ref.ref) if ref is not None and ref.ref else None
    uncertain = volume is not None and ref is not None and ref.cert in UNCERTAIN
    transcription = letter.source("transcription")
    text_from = edition.sources.get(transcription.ref) if transcription and transcription.ref else None
    return Citable(letter, key, senders, recipients, volume, volume_uncertain=uncertain, text_from=text_from)


def _name(edition: Edition, participant: Participant, role: str) -> Name:
    conjectural = participant.cert in UNCERTAIN
    written = participant.name
    unnamed = not participant.ref and written.lower() in {"", "unknown"}
    if participant.ref == UNKNOWN_REF or unnamed:
        keep = written and written.lower() != "unknown"
        return Name(literal=written if keep else f"unknown {role}", conjectural=conjectural)
    person = edition.person(participant.ref)
    if person is not None and person.name.family:
        name = person.name
        return Name(name.family, name.given, name.literal, conjectural)
    if person is not None and person.name.literal:
        return split_name(person.name.literal, conjectural)
    organisation = edition.organisations.get(participant.ref or "")
    if organisation is not None and organisation.name:
        return Name(literal=organisation.name, conjectural=conjectural)
    if not written:
        return Name(literal=f"unknown {role}", conjectural=conjectural)
    # A name with no register entry: a person's name, split as a register's would be.
    return split_name(written, conjectural)


#: Lower-case words that belong to the family name ("von Chamisso", "de La Foye").
_PARTICLES = frozenset(
    {"von", "van", "de", "du", "da", "di", "del", "della", "der", "den", "ter", "zu", "la", "le"}
)


def split_name(literal: str, conjectural: bool = False) -> Name:
    """A person's name written without parts, split for sorting: "Weber, Carl Maria von" as the
    CMIF reader reads it (family, given); "Adelbert von Chamisso" as given "Adelbert",
    particle "von", family "Chamisso"; "Louis de La Foye" as "Louis", "de", "La Foye". One
    word stays literal."""
    family, comma, given = literal.partition(", ")
    if comma and family and given:
        words = given.split()
        cut = len(words)
        while cut > 1 and words[cut - 1] in _PARTICLES:
            cut -= 1
        return Name(family, " ".join(words[:cut]), conjectural=conjectural, particle=" ".join(words[cut:]))
    words = literal.split()
    if len(words) < 2:
        return Name(literal=literal, conjectural=conjectural)
    first = next((i for i in range(1, len(words)) if words[i] in _PARTICLES), len(words) - 1)
    rest = first
    while rest < len(words) - 1 and words[rest] in _PARTICLES:
        rest += 1
    return Name(
        " ".join(words[rest:]),
        " ".join(words[:first]),
        conjectural=conjectural,
        particle=" ".join(words[first:rest]),
    )


def _base_key(edition: Edition, letter: Letter) -> str:
    citable = _citable(edition, letter, "")
    sender = _key_part(letter.senders[0] if letter.senders else None, citable.senders[0])
    recipient = _key_part(letter.recipients[0] if letter.recipients else None, citable.recipients[0])
    span = letter_date(letter.date)
    start = (span.when or span.not_before or span.not_after) if span else None
    return f"{sender}{start.iso() if start else 'nd'}{recipient}"


def _key_part(participant: Participant | None, name: Name) -> str:
    if participant is None or participant.ref == UNKNOWN_REF:
        return "unknown"
    return ascii_fold(name.family or name.literal or name.given) or "anon"


def suffix_letters() -> Iterator[str]:
    """a, b, … z, aa, ab, …: the suffixes of colliding keys and of years."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    length = 1
    while True:
        for number in range(len(letters) ** length):
            text, rest = "", number
            for _ in range(length):
                rest, digit = divmod(rest, len(letters))
                text = letters[digit] + text
            yield text
        length += 1


def _parts(date: PartialDate) -> list[int]:
    return [p for p in (date.year, date.month, date.day) if p is not None]


def _join(parts: Iterable[str]) -> str:
    """ "A", "A and B", "A, B and C": the edition's own titles have no serial comma."""
    items = list(parts)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
