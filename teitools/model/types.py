"""The letter model: TEI letters and their registers as frozen dataclasses.

Every exporter reads these objects, not raw XPath of its own; only the renderers walk a
letter's ``body`` (its mixed content). The model holds what the files say, never how a
reader is told it: the phrases of dates belong to :mod:`teitools.render.dates`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from types import MappingProxyType

from lxml import etree

from teitools.diagnostics import Diagnostic
from teitools.load.parser import hardened_parser
from teitools.model.dates import PartialDate

#: ``@cert`` values below "high": a date or a participant the editors are not sure of.
UNCERTAIN = frozenset({"low", "medium", "unknown"})
#: Where an undatable letter sorts: after every dated one.
UNDATED = (9999, 12, 31)


@dataclass(frozen=True)
class DateSpan:
    """A letter's date: a day, month or year, or a range with a certainty."""

    when: PartialDate | None = None
    not_before: PartialDate | None = None
    not_after: PartialDate | None = None
    cert: str | None = None
    evidence: str | None = None
    text: str = ""
    #: Where the ``date`` element is in its file (0: unknown); for messages, not compared.
    line: int = field(default=0, compare=False)

    @property
    def uncertain(self) -> bool:
        return self.when is None or self.cert in UNCERTAIN or self.evidence == "conjecture"

    @property
    def earliest(self) -> tuple[int, int, int] | None:
        start = self.when or self.not_before
        return start.earliest() if start else None

    @property
    def latest(self) -> tuple[int, int, int] | None:
        end = self.when or self.not_after
        return end.latest() if end else None

    def sort_key(self) -> tuple[int, int, int]:
        """Chronological position: the earliest possible day; undatable letters sort last."""
        return self.earliest or self.latest or UNDATED


@dataclass(frozen=True)
class PersonName:
    """A personal name split as citation formats need it."""

    given: str = ""
    family: str = ""
    literal: str = ""

    def display(self) -> str:
        """ "Joseph Stalin"; the literal form when the name has no parts."""
        return " ".join(p for p in (self.given, self.family) if p) or self.literal

    def inverted(self) -> str:
        """ "Stalin, Joseph" for sorting and bibliographies."""
        if self.family and self.given:
            return f"{self.family}, {self.given}"
        return self.family or self.literal or self.given


@dataclass(frozen=True)
class Role:
    """An occupation or office held, with its dates as encoded."""

    text: str
    start: PartialDate | None = None
    end: PartialDate | None = None


@dataclass(frozen=True)
class Person:
    id: str
    name: PersonName
    variants: tuple[str, ...] = ()
    birth: PartialDate | None = None
    death: PartialDate | None = None
    roles: tuple[Role, ...] = ()
    authority: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    variants: tuple[str, ...] = ()
    description: str = ""
    authority: tuple[str, ...] = ()


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    type: str = ""
    authority: tuple[str, ...] = ()
    #: Latitude and longitude in decimal degrees (``location/geo``), when the register gives them.
    geo: tuple[float, float] | None = None


@dataclass(frozen=True)
class Source:
    """A published volume (``biblStruct``) or an article (``bibl``) in the sources register."""

    id: str
    kind: str  # "volume" or "article"; "online" for a CMIF file's online edition
    title: str
    authors: tuple[PersonName, ...] = ()
    editors: tuple[PersonName, ...] = ()
    translators: tuple[PersonName, ...] = ()
    publisher: str = ""
    place: str = ""
    year: int | None = None
    series: str = ""
    note: str = ""


@dataclass(frozen=True)
class Participant:
    """A person (or group) named in a ``correspAction``, as written in the letter."""

    name: str
    ref: str | None = None
    cert: str | None = None
    #: Where the name is in its file (0: unknown); for messages, not compared.
    line: int = field(default=0, compare=False)
    #: What kind of recipient: "cc" or "bcc" for a copy (``correspAction`` of that type or
    #: subtype), the action's other ``@subtype`` ("to"…), or None.
    subtype: str | None = None


@dataclass(frozen=True)
class SourceRef:
    """A letter's pointer to a source: ``role`` is "transcription" or "edition"."""

    role: str
    ref: str | None
    text: str
    cert: str | None = None


@dataclass(frozen=True)
class Manuscript:
    """Where the letter's document is kept: ``msDesc/msIdentifier`` as encoded."""

    settlement: str = ""
    repository: str = ""
    #: The shelfmark (``idno``), with the collection before it when the edition names one.
    idno: str = ""
    collection: str = ""
    country: str = ""

    def citation(self) -> str:
        """ "Berlin, Staatsbibliothek, Nachlass Hegel, Bl. 3": the parts given, in that order."""
        return ", ".join(p for p in (self.settlement, self.repository, self.collection, self.idno) if p)


@dataclass(frozen=True)
class Mention:
    """A name in a letter's text that points to a register entry (``@ref`` or ``@key``).

    ``kind`` is "person", "place" or "org" as the element says (``persName``, ``rs
    type="place"``…), or "" when only the registers can tell (an ``rs`` with no known type).
    """

    kind: str
    ref: str
    name: str


@dataclass(frozen=True)
class Licence:
    """A file's licence (``availability/licence``): its words, and its address when given."""

    text: str
    url: str | None = None


class LetterText(ABC):
    """Where a letter's text is kept for the renderers, which ask for it one letter at a time."""

    @abstractmethod
    def element(self) -> etree._Element:
        """The letter's element (its ``div`` or ``body``): in a reading copy of its own, or
        in its file's tree, which holds everything the copy would."""


#: Parses only bytes that :meth:`StoredText.of` serialised, which hold no DTD or entity,
#: with the hardened reader's settings, so that it accepts what that reader accepted (an
#: ``xml:id`` that is no NCName among them: validation reports it).
_STORED_PARSER = hardened_parser()


@dataclass(frozen=True)
class StoredText(LetterText):
    """A letter's text for the renderers, kept as the serialised bytes of its reading copy.

    A parsed copy takes some 23 KB a letter, its bytes a tenth of that; :meth:`element` parses
    the bytes again (tens of microseconds a letter): each call gives a new tree. For a letter
    whose text need not stay in memory, see :class:`teitools.model.tei.TextInFile`.
    """

    xml: bytes
    #: Where the letter's element is among the copy's nodes, in document order.
    position: int

    @classmethod
    def of(cls, element: etree._Element) -> StoredText:
        root = element.getroottree().getroot()
        position = next(number for number, node in enumerate(root.iter()) if node is element)
        return cls(etree.tostring(root), position)

    def element(self) -> etree._Element:
        root = etree.fromstring(self.xml, _STORED_PARSER)
        return next(islice(root.iter(), self.position, None))


@dataclass(frozen=True)
class ParsedText(LetterText):
    """A letter's text as just parsed, for a letter rendered as soon as it is read and then
    let go (:class:`teitools.model.stream.LetterStream`): every call gives the same tree."""

    found: etree._Element

    def element(self) -> etree._Element:
        return self.found


@dataclass(frozen=True)
class Letter:
    """One letter: its header metadata, and its body for the renderers."""

    id: str
    file: Path
    title: str
    senders: tuple[Participant, ...]
    recipients: tuple[Participant, ...]
    date: DateSpan | None = None
    place_sent: Participant | None = None
    place_received: Participant | None = None
    sources: tuple[SourceRef, ...] = ()
    language: str | None = None
    notes: tuple[str, ...] = ()
    #: The letter's address on the web when the source gives one (CMIF's ``correspDesc/@ref``).
    url: str | None = None
    #: Who forwarded the letter (``correspAction subtype="redirecting"``), in order.
    redirections: tuple[Participant, ...] = ()
    #: The kind of letter, ``correspDesc/@type`` (e.g. "cipher"); None for an ordinary letter.
    kind: str | None = None
    #: Where the letter's document is kept (``msDesc/msIdentifier``); None when not said.
    manuscript: Manuscript | None = None
    #: The names in its text that point to a register entry, in document order.
    mentions: tuple[Mention, ...] = ()
    #: The file's licence, when its header states one.
    licence: Licence | None = None
    stored_text: LetterText | None = field(default=None, compare=False, hash=False, repr=False)
    #: Where its ``correspDesc`` (and so ``kind``) and its language are in its file (0:
    #: unknown); for the warnings of an export that cannot take a value, not compared.
    line: int = field(default=0, compare=False)
    language_line: int = field(default=0, compare=False)

    def sort_key(self) -> tuple[tuple[int, int, int], str]:
        """Chronological order, then id, as every listing and export uses."""
        return (self.date.sort_key() if self.date else UNDATED, self.id)

    @property
    def body(self) -> etree._Element | None:
        """The letter's text (its ``div`` or ``body``, see :meth:`LetterText.element`), from
        :attr:`stored_text` (parsed anew on each call, unless it is a :class:`ParsedText`)."""
        return None if self.stored_text is None else self.stored_text.element()

    @property
    def identity(self) -> tuple[Path, str]:
        """What tells letters apart in an edition: its file and id (two files may share an id)."""
        return (self.file, self.id)

    def source(self, role: str) -> SourceRef | None:
        return next((s for s in self.sources if s.role == role), None)


@dataclass(frozen=True)
class Edition:
    """Letters and the registers their pointers resolve in."""

    letters: tuple[Letter, ...]
    persons: Mapping[str, Person] = field(default_factory=lambda: MappingProxyType({}))
    organisations: Mapping[str, Organisation] = field(default_factory=lambda: MappingProxyType({}))
    places: Mapping[str, Place] = field(default_factory=lambda: MappingProxyType({}))
    sources: Mapping[str, Source] = field(default_factory=lambda: MappingProxyType({}))
    #: Files that could not be read, with the finding that says why; the rest was read.
    problems: tuple[Diagnostic, ...] = ()

    def person(self, ref: str | None) -> Person | None:
        return self.persons.get(ref) if ref else None

    def register_kind(self, ref: str) -> str | None:
        """Which register holds ``ref``: "person", "org", "place", "source", or None."""
        for kind, entries in (
            ("person", self.persons),
            ("org", self.organisations),
            ("place", self.places),
            ("source", self.sources),
        ):
            if ref in entries:
                return kind
        return None

    def chronological(self) -> tuple[Letter, ...]:
        return tuple(sorted(self.letters, key=Letter.sort_key))
