"""The letter model: TEI letters and their registers as frozen dataclasses.

Every exporter reads these objects, not raw XPath of its own; only the renderers walk a
letter's ``body`` (its mixed content). The reader accepts this edition's files and any TEI
letter with a ``correspDesc`` (several ``correspDesc`` in one file give several letters).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from lxml import etree

from teitools.dates import PartialDate, parse_iso
from teitools.diagnostics import Diagnostic
from teitools.errors import DocumentError
from teitools.paths import find_registers, find_xml_files
from teitools.xmlload import TEI_NS, XML_NS, load

if TYPE_CHECKING:
    from teitools.cmif_reader import CmifContent

_T = f"{{{TEI_NS}}}"
_XML_ID = f"{{{XML_NS}}}id"
_XML_LANG = f"{{{XML_NS}}}lang"
UNCERTAIN = frozenset({"low", "medium", "unknown"})


def source_line(element: etree._Element) -> int:
    """The element's line in its file, 0 when unknown."""
    line = element.sourceline
    return line if isinstance(line, int) else 0


def _text(element: etree._Element | None) -> str:
    """The element's text content with whitespace collapsed; "" for None."""
    if element is None:
        return ""
    return " ".join("".join(map(str, element.itertext())).split())


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
        return self.earliest or self.latest or (9999, 12, 31)

    def spoken(self) -> str:
        """The date as a reader writes it, marking uncertainty.

        "22 August 1935"; "July 1932"; "between 1930 and 7 August 1932 (uncertain)";
        "1933 (uncertain)" when a single date has ``@cert`` below high.
        """
        if self.when is not None:
            text = self.when.spoken()
            return f"{text} (uncertain)" if self.cert in UNCERTAIN else text
        if self.not_before and self.not_after:
            text = f"between {self.not_before.spoken()} and {self.not_after.spoken()}"
        elif self.not_before:
            text = f"not before {self.not_before.spoken()}"
        elif self.not_after:
            text = f"not after {self.not_after.spoken()}"
        else:
            return self.text or "undated"
        return f"{text} (uncertain)" if self.cert != "high" else text


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


@dataclass(frozen=True)
class Source:
    """A published volume (``biblStruct``) or an article (``bibl``) in the sources register."""

    id: str
    kind: str  # "volume" or "article"; "online" for a CMIF file's online edition
    title: str
    authors: tuple[PersonName, ...] = ()
    editors: tuple[PersonName, ...] = ()
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
    #: The ``correspAction/@subtype`` it was named in: "to", "cc", "bcc", or None.
    subtype: str | None = None


@dataclass(frozen=True)
class SourceRef:
    """A letter's pointer to a source: ``role`` is "transcription" or "edition"."""

    role: str
    ref: str | None
    text: str
    cert: str | None = None


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
    body: etree._Element | None = field(default=None, compare=False, hash=False, repr=False)

    def sort_key(self) -> tuple[tuple[int, int, int], str]:
        """Chronological order, then id, as every listing and export uses."""
        return (self.date.sort_key() if self.date else (9999, 12, 31), self.id)

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

    def chronological(self) -> tuple[Letter, ...]:
        return tuple(sorted(self.letters, key=Letter.sort_key))


def read_edition(paths: Iterable[Path], registers: Iterable[Path] | None = None) -> Edition:
    """Read letters and registers from files and folders.

    Registers among ``paths`` are used, and (unless ``registers`` is given) those found beside
    or above the files. A CMIF file among ``paths`` gives one letter per ``correspDesc``
    and registers made from its names (see :mod:`teitools.cmif_reader`). A file that cannot
    be parsed is left out and listed in ``Edition.problems``; one bad file never stops the
    others.
    """
    # The CMIF reader builds on this module's dataclasses, so it is imported here.
    from teitools.cmif_reader import CmifReader, is_cmif  # noqa: PLC0415

    files = find_xml_files(paths)
    register_files = list(registers) if registers is not None else find_registers(files)
    letters: list[Letter] = []
    builder = _RegisterBuilder()
    problems: list[Diagnostic] = []
    cmif = CmifReader()
    seen: set[Path] = set()
    letter_files = set(files)  # a set: a list made reading 10,000 files quadratic
    for path in [*files, *register_files]:
        resolved = path.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        try:
            tree = load(path)
        except DocumentError as error:
            problems.append(error.diagnostic)
            continue
        if path in letter_files and is_cmif(tree.getroot()):
            letters_before = len(cmif.content.letters)
            cmif.read(tree, path)
            letters.extend(cmif.content.letters[letters_before:])
            continue
        builder.add(tree)
        if path in letter_files:
            letters.extend(letters_from_tree(tree, path))
    builder.merge(cmif.content)
    return builder.edition(tuple(letters), tuple(problems))


def letters_from_tree(tree: etree._ElementTree, path: Path) -> list[Letter]:
    """The letters of one parsed TEI file: one per ``correspDesc``."""
    root = tree.getroot()
    descs = root.findall(f".//{_T}correspDesc")
    base_id = root.get(_XML_ID) or path.stem
    letters = []
    for number, desc in enumerate(descs, start=1):
        letter_id = desc.get(_XML_ID) or (base_id if len(descs) == 1 else f"{base_id}-{number}")
        letters.append(_letter(root, desc, letter_id, path, single=len(descs) == 1))
    return letters


def _letter(
    root: etree._Element, desc: etree._Element, letter_id: str, path: Path, *, single: bool
) -> Letter:
    actions = desc.findall(f"{_T}correspAction")
    redirecting = [a for a in actions if a.get("subtype") == "redirecting"]
    # A redirection is a leg of the journey, not the letter's sender or recipient.
    sent = [a for a in actions if a.get("type") == "sent" and a not in redirecting]
    received = [a for a in actions if a.get("type") == "received" and a not in redirecting]
    date_element = next((a.find(f"{_T}date") for a in sent if a.find(f"{_T}date") is not None), None)
    title = _text(root.find(f"{_T}teiHeader/{_T}fileDesc/{_T}titleStmt/{_T}title"))
    # A copy of the body alone: the letter keeps it, and keeping the original would keep
    # the whole parsed file (header, registers) in memory for as long as the letter lives.
    found = _body_for(root, desc, single=single)
    body = copy.deepcopy(found) if found is not None else None
    return Letter(
        id=letter_id,
        file=path,
        title=title if single else "",
        senders=tuple(p for action in sent for p in _participants(action)),
        recipients=tuple(p for action in received for p in _participants(action)),
        date=read_date(date_element) if date_element is not None else None,
        place_sent=_first_place(sent),
        place_received=_first_place(received),
        sources=tuple(_source_refs(root)),
        language=_language(root, body),
        notes=tuple(_text(n) for a in [*sent, *received] for n in a.findall(f"{_T}note")),
        redirections=tuple(dict.fromkeys(p for a in redirecting for p in _participants(a))),
        kind=desc.get("type") or None,
        body=body,
    )


def read_date(element: etree._Element) -> DateSpan:
    """A :class:`DateSpan` from a TEI ``date`` (``@when``, ``@notBefore``/``@notAfter``,
    ``@from``/``@to``; ill-formed values are left out)."""

    def attr(*names: str) -> PartialDate | None:
        for name in names:
            value = element.get(name)
            if value:
                return parse_iso(value.strip())
        return None

    return DateSpan(
        when=attr("when"),
        not_before=attr("notBefore", "from"),
        not_after=attr("notAfter", "to"),
        cert=element.get("cert"),
        evidence=element.get("evidence"),
        text=_text(element),
        line=source_line(element),
    )


def _participants(action: etree._Element) -> list[Participant]:
    names = action.findall(f"{_T}persName") + action.findall(f"{_T}orgName") + action.findall(f"{_T}name")
    names.sort(key=lambda e: list(action).index(e))
    subtype = action.get("subtype")
    return [
        Participant(_text(n), _pointer(n.get("ref")), n.get("cert"), source_line(n), subtype=subtype)
        for n in names
    ]


def _first_place(actions: list[etree._Element]) -> Participant | None:
    for action in actions:
        place = action.find(f"{_T}placeName")
        if place is not None:
            return Participant(
                _text(place), _pointer(place.get("ref")), place.get("cert"), source_line(place)
            )
    return None


def _pointer(value: str | None) -> str | None:
    """``#stalin`` -> ``stalin``; other values (URIs) are kept as they are."""
    if not value or not value.split():  # a blank @ref points nowhere (found by fuzzing)
        return None
    first = value.split()[0]
    return first[1:] if first.startswith("#") else first


def _source_refs(root: etree._Element) -> list[SourceRef]:
    refs = []
    for bibl in root.findall(f"{_T}teiHeader/{_T}fileDesc/{_T}sourceDesc/{_T}bibl"):
        refs.append(
            SourceRef(
                bibl.get("type") or "source", _pointer(bibl.get("corresp")), _text(bibl), bibl.get("cert")
            )
        )
    return refs


def _language(root: etree._Element, body: etree._Element | None) -> str | None:
    language = root.find(f"{_T}teiHeader/{_T}profileDesc/{_T}langUsage/{_T}language")
    if language is not None and language.get("ident"):
        return language.get("ident")
    if body is not None and body.get(_XML_LANG):
        return body.get(_XML_LANG)
    return root.get(_XML_LANG)


def _body_for(root: etree._Element, desc: etree._Element, *, single: bool) -> etree._Element | None:
    """The text of the letter a ``correspDesc`` describes.

    The ``div`` that points at it (``@decls``, as in a letter embedded in a biography) or
    that it points at (``@ref``/``@corresp``). Failing that, with one ``correspDesc``: the
    letter ``div`` or the whole ``body``; with several, none.
    """
    desc_id = desc.get(_XML_ID)
    for div in root.iter(f"{_T}div"):
        decls = (div.get("decls") or "").split()
        if desc_id and f"#{desc_id}" in decls:
            return div
    target = _pointer(desc.get("ref") or desc.get("corresp"))
    if target:
        for div in root.iter(f"{_T}div"):
            if div.get(_XML_ID) == target:
                return div
    if not single:
        return None
    letter_div = root.find(f"{_T}text/{_T}body//{_T}div[@type='letter']")
    return letter_div if letter_div is not None else root.find(f"{_T}text/{_T}body")


class _RegisterBuilder:
    """Collects register entries from any TEI file that has them."""

    def __init__(self) -> None:
        self.persons: dict[str, Person] = {}
        self.organisations: dict[str, Organisation] = {}
        self.places: dict[str, Place] = {}
        self.sources: dict[str, Source] = {}

    def add(self, tree: etree._ElementTree) -> None:
        root = tree.getroot()
        for element in root.iter(f"{_T}person"):
            if element.get(_XML_ID):
                self.persons[element.get(_XML_ID, "")] = _person(element)
        for element in root.iter(f"{_T}org"):
            if element.get(_XML_ID):
                names = [_text(n) for n in element.findall(f"{_T}orgName")]
                self.organisations[element.get(_XML_ID, "")] = Organisation(
                    element.get(_XML_ID, ""),
                    names[0] if names else "",
                    tuple(names[1:]),
                    _text(element.find(f"{_T}desc")),
                    _idnos(element),
                )
        for element in root.iter(f"{_T}place"):
            if element.get(_XML_ID):
                self.places[element.get(_XML_ID, "")] = Place(
                    element.get(_XML_ID, ""),
                    _text(element.find(f"{_T}placeName")),
                    element.get("type", ""),
                    _idnos(element),
                )
        for element in root.iter(f"{_T}biblStruct", f"{_T}bibl"):
            parent = element.getparent()
            if element.get(_XML_ID) and parent is not None and etree.QName(parent).localname == "listBibl":
                self.sources[element.get(_XML_ID, "")] = _source(element)

    def merge(self, other: CmifContent) -> None:
        """Take the register entries made from a CMIF file's names (first one wins)."""
        for mine, theirs in (
            (self.persons, other.persons),
            (self.organisations, other.organisations),
            (self.places, other.places),
            (self.sources, other.sources),
        ):
            for key, value in theirs.items():
                mine.setdefault(key, value)  # type: ignore[arg-type]

    def edition(self, letters: tuple[Letter, ...], problems: tuple[Diagnostic, ...]) -> Edition:
        return Edition(
            letters,
            MappingProxyType(self.persons),
            MappingProxyType(self.organisations),
            MappingProxyType(self.places),
            MappingProxyType(self.sources),
            problems,
        )


def _person(element: etree._Element) -> Person:
    names = element.findall(f"{_T}persName")
    main = next((n for n in names if n.get("type") == "main"), names[0] if names else None)
    variants = tuple(_text(n) for n in names if n is not main)

    def when(tag: str) -> PartialDate | None:
        found = element.find(f"{_T}{tag}")
        return parse_iso(found.get("when", "")) if found is not None else None

    roles = tuple(
        Role(
            _text(o),
            parse_iso(o.get("from") or o.get("notBefore") or ""),
            parse_iso(o.get("to") or o.get("notAfter") or ""),
        )
        for o in element.findall(f"{_T}occupation")
    )
    return Person(
        element.get(_XML_ID, ""),
        person_name(main),
        variants,
        when("birth"),
        when("death"),
        roles,
        _idnos(element),
        _text(element.find(f"{_T}note")),
    )


def person_name(element: etree._Element | None) -> PersonName:
    """Split a ``persName`` into given and family names (``forename``/``surname``)."""
    if element is None:
        return PersonName()
    given = " ".join(_text(f) for f in element.findall(f"{_T}forename"))
    family = " ".join(_text(s) for s in element.findall(f"{_T}surname"))
    return PersonName(given, family, "" if given or family else _text(element))


def _idnos(element: etree._Element) -> tuple[str, ...]:
    return tuple(_text(i) for i in element.findall(f"{_T}idno") if _text(i))


def _source(element: etree._Element) -> Source:
    monogr = element.find(f"{_T}monogr")
    scope = monogr if monogr is not None else element
    kind = "volume" if etree.QName(element).localname == "biblStruct" else "article"
    year_element = scope.find(f".//{_T}imprint/{_T}date")
    if year_element is None:
        year_element = scope.find(f"{_T}date")
    year = parse_iso(year_element.get("when", "")) if year_element is not None else None
    return Source(
        id=element.get(_XML_ID, ""),
        kind=kind,
        title=_text(scope.find(f"{_T}title")),
        authors=tuple(
            person_name(a.find(f"{_T}persName") if a.find(f"{_T}persName") is not None else a)
            for a in scope.findall(f"{_T}author")
        ),
        editors=tuple(
            person_name(e.find(f"{_T}persName") if e.find(f"{_T}persName") is not None else e)
            for e in scope.findall(f"{_T}editor")
        ),
        publisher=_text(scope.find(f".//{_T}publisher")),
        place=_text(scope.find(f".//{_T}pubPlace")),
        year=year.year if year else None,
        series=_text(element.find(f"{_T}series/{_T}title")),
        note=_text(element.find(f"{_T}note")),
    )


__all__ = [
    "DateSpan",
    "Edition",
    "Letter",
    "Organisation",
    "Participant",
    "Person",
    "PersonName",
    "Place",
    "Role",
    "Source",
    "SourceRef",
    "letters_from_tree",
    "person_name",
    "read_date",
    "read_edition",
    "source_line",
]
