"""Reading TEI letters and registers into the model.

The reader accepts this edition's files and any TEI letter with a ``correspDesc`` (several
``correspDesc`` in one file give several letters); a CMIF file among the inputs is read by
:mod:`teitools.model.cmif`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from pathlib import Path
from types import MappingProxyType

from lxml import etree

from teitools.diagnostics import Diagnostic
from teitools.load.inputs import find_registers, find_xml_files
from teitools.load.parser import TEI_NS, XML_NS
from teitools.load.record import FileRecord, read_record
from teitools.model.cmif import CmifContent, CmifReader, is_cmif
from teitools.model.dates import PartialDate, parse_iso
from teitools.model.elements import person_name, pointer, read_date, source_line
from teitools.model.elements import text_of as _text
from teitools.model.types import (
    Edition,
    Letter,
    Organisation,
    Participant,
    Person,
    Place,
    Role,
    Source,
    SourceRef,
)

_T = f"{{{TEI_NS}}}"
_XML_ID = f"{{{XML_NS}}}id"
_XML_LANG = f"{{{XML_NS}}}lang"


def read_edition(paths: Iterable[Path], registers: Iterable[Path] | None = None) -> Edition:
    """Read letters and registers from files and folders.

    Registers among ``paths`` are used, and (unless ``registers`` is given) those found beside
    or above the files. A CMIF file among ``paths`` gives one letter per ``correspDesc``
    and registers made from its names (see :mod:`teitools.model.cmif`). A file that cannot
    be parsed is left out and listed in ``Edition.problems``; one bad file never stops the
    others.
    """
    files = find_xml_files(paths)
    register_files = list(registers) if registers is not None else find_registers(files)
    reader = EditionReader()
    for path in files:
        reader.add(read_record(path), True)
    for path in register_files:
        reader.add(read_record(path), False)
    return reader.edition()


class EditionReader:
    """:func:`read_edition` one file record at a time, for a caller that already read (and
    parsed) the files: ``teitools build`` gives it the records validation made."""

    def __init__(self) -> None:
        self._letters: list[Letter] = []
        self._builder = _RegisterBuilder()
        self._problems: list[Diagnostic] = []
        self._cmif = CmifReader()
        self._seen: set[Path] = set()

    def add(self, record: FileRecord, is_input: bool) -> None:
        """Read one file: an input gives letters and register entries, a register
        (``is_input`` false) entries only; a file already read, by any path, is skipped."""
        resolved = record.path.resolve()
        if resolved in self._seen:
            return
        self._seen.add(resolved)
        record = record.parsed()
        tree, path = record.tree, record.path
        if tree is None:
            if record.problem is not None:  # parsed() gives a tree or the reason for none
                self._problems.append(record.problem)
            return
        if is_input and is_cmif(tree.getroot()):
            letters_before = len(self._cmif.content.letters)
            self._cmif.read(tree, path)
            self._letters.extend(self._cmif.content.letters[letters_before:])
            return
        self._builder.add(tree)
        if is_input:
            self._letters.extend(letters_from_tree(tree, path))

    def edition(self) -> Edition:
        """The edition of every file added so far."""
        self._builder.merge(self._cmif.content)
        return self._builder.edition(tuple(self._letters), tuple(self._problems))


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
    language, language_line = _language(root, body)
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
        language=language,
        notes=tuple(_text(n) for a in [*sent, *received] for n in a.findall(f"{_T}note")),
        redirections=tuple(dict.fromkeys(p for a in redirecting for p in _participants(a))),
        kind=desc.get("type") or None,
        body=body,
        line=source_line(desc),
        language_line=language_line,
    )


def _participants(action: etree._Element) -> list[Participant]:
    names = action.findall(f"{_T}persName") + action.findall(f"{_T}orgName") + action.findall(f"{_T}name")
    names.sort(key=lambda e: list(action).index(e))
    subtype = action.get("subtype")
    return [
        Participant(_text(n), pointer(n.get("ref")), n.get("cert"), source_line(n), subtype=subtype)
        for n in names
    ]


def _first_place(actions: list[etree._Element]) -> Participant | None:
    for action in actions:
        place = action.find(f"{_T}placeName")
        if place is not None:
            return Participant(_text(place), pointer(place.get("ref")), place.get("cert"), source_line(place))
    return None


def _source_refs(root: etree._Element) -> list[SourceRef]:
    refs = []
    for bibl in root.findall(f"{_T}teiHeader/{_T}fileDesc/{_T}sourceDesc/{_T}bibl"):
        refs.append(
            SourceRef(
                bibl.get("type") or "source", pointer(bibl.get("corresp")), _text(bibl), bibl.get("cert")
            )
        )
    return refs


def _language(root: etree._Element, body: etree._Element | None) -> tuple[str | None, int]:
    """The letter's language and the line it is given on."""
    language = root.find(f"{_T}teiHeader/{_T}profileDesc/{_T}langUsage/{_T}language")
    if language is not None and language.get("ident"):
        return language.get("ident"), source_line(language)
    if body is not None and body.get(_XML_LANG):
        return body.get(_XML_LANG), source_line(body)
    return root.get(_XML_LANG), source_line(root)


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
    target = pointer(desc.get("ref") or desc.get("corresp"))
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
