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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from teitools.model.dates import PartialDate
from teitools.model.types import UNCERTAIN, DateSpan, Edition, Letter, Participant, Source
from teitools.render.dates import span_phrase

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

    def display(self) -> str:
        """ "Lazar Kaganovich", "other friends", "Lazar Kaganovich (?)"."""
        text = " ".join(p for p in (self.given, self.family) if p) or self.literal
        return f"{text} (?)" if self.conjectural else text

    def inverted(self) -> str:
        """ "Kaganovich, Lazar" (for RIS and BibTeX); a literal name stays as it is."""
        if self.family and self.given:
            text = f"{self.family}, {self.given}"
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
        if self.given:
            return {"family": self.family, "given": self.given}
        return {"family": self.family}


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

    @property
    def date(self) -> DateSpan | None:
        return self.letter.date

    @property
    def title(self) -> str:
        """ "Stalin to Kaganovich", "Stalin to Molotov, Rykov, Bukharin and other friends"."""
        senders = _join(n.short() for n in self.senders)
        return f"{senders} to {_join(n.short() for n in self.recipients)}"

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
    """The CSL-JSON item of a letter (see ``docs/citations.md`` for each field)."""
    item: dict[str, object] = {
        "id": citable.key,
        "citation-key": citable.key,
        "type": CSL_TYPE,
        "author": [n.csl() for n in citable.senders],
        "recipient": [n.csl() for n in citable.recipients],
    }
    date = csl_date(citable.date)
    volume = citable.volume
    if date is not None:
        # The styles disagree on where a letter's date goes: CSL 1.0.2 calls it
        # original-date, while the Chicago and MLA styles read a letter's date from event-date.
        # An unpublished letter has no volume: its own date is the date it was issued.
        if volume is not None:
            item["original-date"] = date
            item["event-date"] = date
        else:
            item["issued"] = date
    if volume is not None:
        if volume.year is not None:
            item["issued"] = {"date-parts": [[volume.year]]}
        item["container-title"] = volume.title
        if volume.series:
            item["collection-title"] = volume.series
        if volume.editors:
            item["editor"] = [Name(e.family, e.given, e.literal).csl() for e in volume.editors]
        if volume.publisher:
            item["publisher"] = volume.publisher
        if volume.place:
            item["publisher-place"] = volume.place
    if citable.kind:
        item["genre"] = citable.kind
    if citable.letter.language:
        item["language"] = citable.letter.language
    notes = uncertainty_notes(citable)
    if notes:
        item["note"] = " ".join(notes)
    cleaned: dict[str, object] = _single_lines(item)
    return cleaned


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
    """A CSL date: one date or a closed range as ``date-parts``, ``circa`` when uncertain.

    An open range ("not before 1930") has no ``date-parts`` form in CSL: it is a literal.
    """
    if span is None:
        return None
    if span.when is not None:
        date: dict[str, object] = {"date-parts": [_parts(span.when)]}
    elif span.not_before is not None and span.not_after is not None:
        date = {"date-parts": [_parts(span.not_before), _parts(span.not_after)]}
    elif span.not_before is not None or span.not_after is not None:
        return {"literal": span_phrase(span)}
    else:
        return {"literal": span.text} if span.text else None
    if is_circa(span):
        date["circa"] = True
    return date


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
    recipients = tuple(_name(edition, p, "recipient") for p in letter.recipients) or (
        Name(literal="unknown recipient"),
    )
    ref = letter.source("edition")
    volume = edition.sources.get(ref.ref) if ref is not None and ref.ref else None
    uncertain = volume is not None and ref is not None and ref.cert in UNCERTAIN
    return Citable(letter, key, senders, recipients, volume, volume_uncertain=uncertain)


def _name(edition: Edition, participant: Participant, role: str) -> Name:
    conjectural = participant.cert in UNCERTAIN
    written = participant.name
    unnamed = not participant.ref and written.lower() in {"", "unknown"}
    if participant.ref == UNKNOWN_REF or unnamed:
        keep = written and written.lower() != "unknown"
        return Name(literal=written if keep else f"unknown {role}", conjectural=conjectural)
    person = edition.person(participant.ref)
    if person is not None and (person.name.family or person.name.literal):
        name = person.name
        return Name(name.family, name.given, name.literal, conjectural)
    organisation = edition.organisations.get(participant.ref or "")
    if organisation is not None and organisation.name:
        return Name(literal=organisation.name, conjectural=conjectural)
    return Name(literal=written or f"unknown {role}", conjectural=conjectural)


def _base_key(edition: Edition, letter: Letter) -> str:
    citable = _citable(edition, letter, "")
    sender = _key_part(letter.senders[0] if letter.senders else None, citable.senders[0])
    recipient = _key_part(letter.recipients[0] if letter.recipients else None, citable.recipients[0])
    span = letter.date
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
