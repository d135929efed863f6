"""Reading register entries (persons, organisations, places, sources) into the model.

An edition may keep an entry in several places: a central register (``persons.xml``, a file
in ``data/indices/``, a ``standOff``) and a letter's own ``back/listPerson``. Entries with one
id are merged field by field, never replaced: the central register's values come first and a
local entry only fills what they leave empty (so a letter's short local entry for a person
does not erase the central entry's GND), and the authority ids and name variants of all are
kept.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from types import MappingProxyType
from typing import Any, TypeVar

from lxml import etree

from teitools.diagnostics import Diagnostic
from teitools.load.parser import TEI_NS, XML_NS
from teitools.model.cmif import CmifContent
from teitools.model.dates import PartialDate, parse_iso
from teitools.model.elements import person_name
from teitools.model.elements import text_of as _text
from teitools.model.types import Edition, Letter, Organisation, Person, PersonName, Place, Role, Source

_T = f"{{{TEI_NS}}}"
_XML_ID = f"{{{XML_NS}}}id"
#: Fields where every entry's values are kept (in order, central first), not only the first's.
_UNITED = frozenset({"authority", "variants"})
#: How sure an entry is: a central register's (0) over a letter's own (1) over one made from
#: a CMIF file's names (2).
CENTRAL, LOCAL, DERIVED = 0, 1, 2

_Entry = TypeVar("_Entry", Person, Organisation, Place, Source)
#: Any register entry.
Entry = Person | Organisation | Place | Source


def merge_entries(first: _Entry, second: _Entry) -> _Entry:
    """``first`` with its empty fields filled from ``second`` (and :data:`_UNITED` fields joined)."""
    changes: dict[str, Any] = {}
    for field in dataclasses.fields(first):
        mine: Any = getattr(first, field.name)
        theirs: Any = getattr(second, field.name)
        if _empty(mine) and not _empty(theirs):
            changes[field.name] = theirs
        elif field.name in _UNITED and theirs:
            changes[field.name] = tuple(dict.fromkeys((*mine, *theirs)))
    if isinstance(first, Person | Organisation) and isinstance(second, Person | Organisation):
        # Another name for the same entry is one of its variants, not lost.
        first_name, second_name = _display(first), _display(second)
        variants: tuple[str, ...] = changes.get("variants", first.variants)
        if first_name and second_name not in ("", first_name, *variants):
            changes["variants"] = (*variants, second_name)
    return dataclasses.replace(first, **changes) if changes else first


def _display(entry: Person | Organisation) -> str:
    return entry.name.display() if isinstance(entry, Person) else entry.name


def _empty(value: object) -> bool:
    return value is None or value in ("", ()) or value == PersonName()


class RegisterBuilder:
    """Collects register entries from any TEI file that has them, wherever they sit."""

    def __init__(self) -> None:
        # id -> (rank, arrival, entry); merged in rank order when the edition is made.
        self._persons: dict[str, list[tuple[int, int, Person]]] = {}
        self._organisations: dict[str, list[tuple[int, int, Organisation]]] = {}
        self._places: dict[str, list[tuple[int, int, Place]]] = {}
        self._sources: dict[str, list[tuple[int, int, Source]]] = {}
        self._arrivals = 0

    def add(self, tree: etree._ElementTree, rank: int) -> None:
        """The entries of one file; ``rank`` is :data:`CENTRAL` or :data:`LOCAL`."""
        self.add_entries(register_entries(tree.getroot()), rank)

    def add_entries(self, entries: Iterable[Entry], rank: int) -> None:
        """Entries read by :func:`register_entries` (perhaps in another process), as
        :meth:`add` adds them."""
        for entry in entries:
            if isinstance(entry, Person):
                self._put(self._persons, entry.id, rank, entry)
            elif isinstance(entry, Organisation):
                self._put(self._organisations, entry.id, rank, entry)
            elif isinstance(entry, Place):
                self._put(self._places, entry.id, rank, entry)
            else:
                self._put(self._sources, entry.id, rank, entry)

    def merge(self, other: CmifContent) -> None:
        """Take the register entries made from a CMIF file's names, below every other."""
        for key, person in other.persons.items():
            self._put(self._persons, key, DERIVED, person)
        for key, organisation in other.organisations.items():
            self._put(self._organisations, key, DERIVED, organisation)
        for key, place in other.places.items():
            self._put(self._places, key, DERIVED, place)
        for key, source in other.sources.items():
            self._put(self._sources, key, DERIVED, source)

    def _put(
        self, entries: dict[str, list[tuple[int, int, _Entry]]], key: str, rank: int, entry: _Entry
    ) -> None:
        self._arrivals += 1
        entries.setdefault(key, []).append((rank, self._arrivals, entry))

    def edition(self, letters: tuple[Letter, ...], problems: tuple[Diagnostic, ...]) -> Edition:
        return Edition(
            letters,
            _merged(self._persons),
            _merged(self._organisations),
            _merged(self._places),
            _merged(self._sources),
            problems,
        )


def _merged(entries: dict[str, list[tuple[int, int, _Entry]]]) -> MappingProxyType[str, _Entry]:
    merged: dict[str, _Entry] = {}
    for key, found in entries.items():
        ordered = [entry for _, _, entry in sorted(found, key=lambda item: item[:2])]
        result = ordered[0]
        for entry in ordered[1:]:
            result = merge_entries(result, entry)
        merged[key] = result
    return MappingProxyType(merged)


def register_entries(root: etree._Element) -> list[Entry]:
    """The register entries of one file, wherever they sit: persons, then organisations,
    places and sources, each kind in document order (the order entries with one id merge in)."""
    entries: list[Entry] = [_person(e) for e in root.iter(f"{_T}person") if e.get(_XML_ID)]
    for element in root.iter(f"{_T}org"):
        if element.get(_XML_ID):
            names = [_text(n) for n in element.findall(f"{_T}orgName")]
            entries.append(
                Organisation(
                    element.get(_XML_ID, ""),
                    names[0] if names else "",
                    tuple(names[1:]),
                    _text(element.find(f"{_T}desc")),
                    _idnos(element),
                )
            )
    entries += (
        Place(
            element.get(_XML_ID, ""),
            _text(element.find(f"{_T}placeName")),
            element.get("type", ""),
            _idnos(element),
            _geo(element),
        )
        for element in root.iter(f"{_T}place")
        if element.get(_XML_ID)
    )
    for element in root.iter(f"{_T}biblStruct", f"{_T}bibl"):
        parent = element.getparent()
        if element.get(_XML_ID) and parent is not None and etree.QName(parent).localname == "listBibl":
            entries.append(_source(element))
    return entries


def _geo(place: etree._Element) -> tuple[float, float] | None:
    """``location/geo`` as (latitude, longitude); None when absent or not two numbers in range."""
    parts = _text(place.find(f"{_T}location/{_T}geo")).split()
    try:
        latitude, longitude = (float(part) for part in parts)
    except ValueError:  # not exactly two numbers
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):  # also refuses NaN
        return None
    return (latitude, longitude)


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
            if e.get("role") != "translator"
        ),
        # TEI names a translator as <editor role="translator">: not an editor in a citation.
        translators=tuple(
            person_name(e.find(f"{_T}persName") if e.find(f"{_T}persName") is not None else e)
            for e in scope.findall(f"{_T}editor[@role='translator']")
        ),
        publisher=_text(scope.find(f".//{_T}publisher")),
        place=_text(scope.find(f".//{_T}pubPlace")),
        year=year.year if year else None,
        series=_text(element.find(f"{_T}series/{_T}title")),
        note=_text(element.find(f"{_T}note")),
    )
