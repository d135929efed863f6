"""Reading a CMIF file as a source of letters' metadata.

A CMIF file (the Correspondence Metadata Interchange Format, as correspSearch harvests it)
lists many letters as ``correspDesc`` elements in one ``teiHeader``, with names that point to
authority files instead of registers. :class:`CmifReader` turns it into the letter model:
one :class:`~teitools.model.types.Letter` per ``correspDesc`` (no text: ``body`` is None), and
registers built from the names themselves, so that the JSON and citation exports and the
registers work on a CMIF file as on a TEI edition.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from teitools.load.parser import TEI_NS, XML_NS
from teitools.model.elements import person_name, read_date, source_line
from teitools.model.types import (
    Letter,
    Organisation,
    Participant,
    Person,
    PersonName,
    Place,
    Source,
    SourceRef,
)

_T = f"{{{TEI_NS}}}"
_XML_ID = f"{{{XML_NS}}}id"
_NAMES = (f"{_T}persName", f"{_T}orgName", f"{_T}name")


@dataclass
class CmifContent:
    """The letters of a CMIF file and the register entries made from its names."""

    letters: list[Letter] = field(default_factory=list)
    persons: dict[str, Person] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    places: dict[str, Place] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)


def is_cmif(root: etree._Element) -> bool:
    """True for a CMIF file: ``correspDesc``s in the header, each with a ``@source`` that
    points to a ``bibl`` of the ``sourceDesc`` (as CMIF requires and TEI letters do not)."""
    header = root.find(f"{_T}teiHeader")
    if root.tag != f"{_T}TEI" or header is None:
        return False
    descs = header.findall(f"{_T}profileDesc/{_T}correspDesc")
    bibls = {b.get(_XML_ID) for b in header.iterfind(f"{_T}fileDesc/{_T}sourceDesc/{_T}bibl")}
    return bool(descs) and all((d.get("source") or "").removeprefix("#") in bibls for d in descs)


class CmifReader:
    """Reads one or more CMIF files into one set of letters and registers.

    Register ids are made from names (``weber-carl-maria-von``), one per authority URI (or
    per name when there is none), and are unique across all the files read: two places
    called Wien with different GeoNames URIs become ``wien`` and ``wien-2``.
    """

    def __init__(self) -> None:
        self.content = CmifContent()
        self.letter_ids: set[str] = set()
        self.by_key: dict[tuple[str, str], str] = {}
        self.path = Path()

    def read(self, tree: etree._ElementTree, path: Path) -> None:
        """Add the letters and names of one CMIF file."""
        self.path = path
        root = tree.getroot()
        for bibl in root.iterfind(f"{_T}teiHeader/{_T}fileDesc/{_T}sourceDesc/{_T}bibl"):
            bibl_id = bibl.get(_XML_ID, "")
            # A printed (or hybrid) edition is a volume, as in the sources register.
            kind = "online" if bibl.get("type", "online") == "online" else "volume"
            self.content.sources[bibl_id] = Source(bibl_id, kind, _text(bibl))
        descs = root.iterfind(f"{_T}teiHeader/{_T}profileDesc/{_T}correspDesc")
        for number, desc in enumerate(descs, start=1):
            self._letter(desc, number)

    def _letter(self, desc: etree._Element, number: int) -> None:
        sent = desc.findall(f"{_T}correspAction[@type='sent']")
        received = desc.findall(f"{_T}correspAction[@type='received']")
        date_element = next((d for a in sent for d in a.findall(f"{_T}date")), None)
        date = read_date(date_element) if date_element is not None else None
        senders = tuple(p for a in sent for p in self._participants(a))
        recipients = tuple(p for a in received for p in self._participants(a))
        source_id = (desc.get("source") or "").removeprefix("#")
        source = self.content.sources.get(source_id)
        refs = _uris(desc.get("ref"))
        url = refs[0] if refs else None
        letter_id = self._unique(
            desc.get(_XML_ID) or desc.get("key") or _id_from_url(url) or f"{self.path.stem}-{number}"
        )
        self.content.letters.append(
            Letter(
                id=letter_id,
                file=self.path,
                title="",  # a CMIF file has no titles; outputs describe the letter themselves
                senders=senders,
                recipients=recipients,
                date=date,
                place_sent=self._place(sent),
                place_received=self._place(received),
                sources=(SourceRef("edition", source_id, source.title if source else ""),)
                if source_id
                else (),
                notes=tuple(_text(n) for a in [*sent, *received] for n in a.findall(f"{_T}note")),
                url=url,
            )
        )

    def _participants(self, action: etree._Element) -> list[Participant]:
        found = []
        for element in action:
            if element.tag not in _NAMES:
                continue
            name = _text(element)
            uris = _uris(element.get("ref"))
            if element.tag == f"{_T}orgName":
                key = self._entry("org", name, uris)
                organisation = Organisation(key, name, authority=uris)
                self.content.organisations.setdefault(key, organisation)
            else:
                key = self._entry("person", name, uris)
                self.content.persons.setdefault(key, Person(key, _split_name(element), (), authority=uris))
            found.append(
                Participant(name, key, element.get("cert"), source_line(element), action.get("subtype"))
            )
        return found

    def _place(self, actions: Iterable[etree._Element]) -> Participant | None:
        for action in actions:
            element = action.find(f"{_T}placeName")
            if element is not None:
                name = _text(element)
                uris = _uris(element.get("ref"))
                key = self._entry("place", name, uris)
                self.content.places.setdefault(key, Place(key, name, authority=uris))
                return Participant(name, key, element.get("cert"), source_line(element))
        return None

    def _entry(self, kind: str, name: str, uris: tuple[str, ...]) -> str:
        """The register id of a name: one per authority URI, else one per name."""
        lookup = (kind, uris[0] if uris else f"name:{name}")
        if lookup not in self.by_key:
            taken = set(self.by_key.values())
            base = _slug(name) or kind
            key, counter = base, 1
            while key in taken:
                counter += 1
                key = f"{base}-{counter}"
            self.by_key[lookup] = key
        return self.by_key[lookup]

    def _unique(self, wanted: str) -> str:
        key, counter = wanted, 1
        while key in self.letter_ids:
            counter += 1
            key = f"{wanted}-{counter}"
        self.letter_ids.add(key)
        return key


def _split_name(element: etree._Element) -> PersonName:
    """ "Weber, Carl Maria von" is family, given (the inverted form CMIF files often use)."""
    parsed = person_name(element)
    family, comma, given = parsed.literal.partition(", ")
    if comma and family and given:
        return PersonName(given=given, family=family)
    return parsed


def _id_from_url(url: str | None) -> str | None:
    """The letter id in a letter's address: ``.../letters/stalin-1930.html`` -> ``stalin-1930``."""
    if not url:
        return None
    last = url.rstrip("/").rsplit("/", 1)[-1]
    last = re.sub(r"\.(html?|xml)$", "", last)
    return last or None


def _uris(value: str | None) -> tuple[str, ...]:
    return tuple(v for v in (value or "").split() if v.startswith(("http://", "https://")))


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    return " ".join("".join(map(str, element.itertext())).split())
