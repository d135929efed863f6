"""Reading TEI letters and registers into the model.

The reader accepts this edition's files and any TEI letter with a ``correspDesc`` (several
``correspDesc`` in one file give several letters); a CMIF file among the inputs is read by
:mod:`teitools.model.cmif`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from pathlib import Path

from lxml import etree

from teitools.diagnostics import Diagnostic
from teitools.load.inputs import find_registers, find_xml_files
from teitools.load.parser import TEI_NS, XML_NS
from teitools.load.record import FileRecord, read_record
from teitools.model.cmif import CmifReader, is_cmif
from teitools.model.elements import entry_ref, pointer, read_date, source_line
from teitools.model.elements import text_of as _text
from teitools.model.registers import CENTRAL, LOCAL, RegisterBuilder
from teitools.model.types import (
    Edition,
    Letter,
    Licence,
    Manuscript,
    Mention,
    Participant,
    SourceRef,
    StoredText,
)

_T = f"{{{TEI_NS}}}"
_XML_ID = f"{{{XML_NS}}}id"
_XML_LANG = f"{{{XML_NS}}}lang"


def read_edition(
    paths: Iterable[Path],
    registers: Iterable[Path] | None = None,
    *,
    exclude: Sequence[str] = (),
    use_ignore_files: bool = True,
    given: FileRecord | None = None,
) -> Edition:
    """Read letters and registers from files and folders.

    Registers among ``paths`` are used, the entries in the letters themselves (``standOff``,
    ``back/listPerson``…), and the registers ``registers`` names or else those found beside
    or above the files (see :func:`teitools.load.inputs.find_registers`); entries with one id
    are merged (see :mod:`teitools.model.registers`). A CMIF file among ``paths`` gives one
    letter per ``correspDesc`` and registers made from its names (see
    :mod:`teitools.model.cmif`). A file that cannot be parsed is left out and listed in
    ``Edition.problems``; one bad file never stops the others. Folders are walked as
    :func:`~teitools.load.inputs.find_xml_files` walks them (``exclude``, ignore files);
    ``given`` is the one input already read (standard input, under the name it stands for).
    """
    files = (
        [given.path]
        if given is not None
        else find_xml_files(paths, exclude, use_ignore_files=use_ignore_files)
    )
    register_files = list(registers) if registers is not None else find_registers(files)
    reader = EditionReader()
    for path in files:
        reader.add(given if given is not None else read_record(path), True)
    for path in register_files:
        reader.add(read_record(path), False)
    return reader.edition()


class EditionReader:
    """:func:`read_edition` one file record at a time, for a caller that already read (and
    parsed) the files: ``teitools build`` gives it the records validation made."""

    def __init__(self) -> None:
        self._letters: list[Letter] = []
        self._builder = RegisterBuilder()
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
        letters = letters_from_tree(tree, path) if is_input else []
        # A file of letters holds their own entries; any other file is a central register.
        self._builder.add(tree, LOCAL if letters or _has_letters(tree) else CENTRAL)
        self._letters.extend(letters)

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


def _has_letters(tree: etree._ElementTree) -> bool:
    return tree.getroot().find(f".//{_T}correspDesc") is not None


#: ``correspAction/@type`` values whose names are the letter's recipients, with the
#: ``subtype`` they get: None keeps the action's own ``@subtype``.
_RECEIVING = {"received": None, "cc": "cc", "bcc": "bcc"}
#: ``persName/@type`` (``orgName``, ``name``) values that give a role inside one action.
_SENDER_TYPES = frozenset({"sender"})
_RECIPIENT_TYPES = frozenset({"addressee", "recipient"})
_NAME_TAGS = (f"{_T}persName", f"{_T}orgName", f"{_T}name")
#: Titles that name the series or the volume a letter is published in, not the letter.
_NOT_LETTER_TITLES = frozenset({"s", "m", "j", "u"})


def _letter(
    root: etree._Element, desc: etree._Element, letter_id: str, path: Path, *, single: bool
) -> Letter:
    actions = desc.findall(f"{_T}correspAction")
    redirecting = [a for a in actions if a.get("subtype") == "redirecting"]
    # A redirection is a leg of the journey, not the letter's sender or recipient.
    sent = [a for a in actions if a.get("type") == "sent" and a not in redirecting]
    received = [a for a in actions if a.get("type") == "received" and a not in redirecting]
    senders, recipients = _roles([a for a in actions if a not in redirecting])
    date_element = next((a.find(f"{_T}date") for a in sent if a.find(f"{_T}date") is not None), None)
    found = _body_for(root, desc, single=single)
    body = _reading_copy(root, found, single=single) if found is not None else None
    language, language_line = _language(root, body)
    return Letter(
        id=letter_id,
        file=path,
        title=_title(root) if single else "",
        senders=senders,
        recipients=recipients,
        date=read_date(date_element) if date_element is not None else None,
        place_sent=_first_place(sent),
        place_received=_first_place(received),
        sources=tuple(_source_refs(root)),
        language=language,
        notes=tuple(_text(n) for a in [*sent, *received] for n in a.findall(f"{_T}note")),
        redirections=tuple(dict.fromkeys(p for a in redirecting for p in _participants(a, a.get("subtype")))),
        kind=desc.get("type") or None,
        manuscript=_manuscript(root) if single else None,
        mentions=tuple(_mentions(body)),
        licence=_licence(root),
        stored_text=StoredText.of(body) if body is not None else None,
        line=source_line(desc),
        language_line=language_line,
    )


def _licence(root: etree._Element) -> Licence | None:
    """The file's ``publicationStmt/availability/licence``: its words and its address."""
    found = root.find(f"{_T}teiHeader/{_T}fileDesc/{_T}publicationStmt/{_T}availability/{_T}licence")
    if found is None:
        return None
    return Licence(_text(found), found.get("target") or None)


def _roles(actions: list[etree._Element]) -> tuple[tuple[Participant, ...], tuple[Participant, ...]]:
    """Senders and recipients, in document order: by the action a name is in, unless the name
    says its role itself (``persName type="sender"``/``"addressee"``), as editions that put
    everyone in one ``correspAction`` do."""
    senders: list[Participant] = []
    recipients: list[Participant] = []
    for action in actions:
        kind = action.get("type") or ""
        receiving = kind in _RECEIVING
        subtype = _RECEIVING.get(kind) or action.get("subtype")
        for name in action.iterchildren(*_NAME_TAGS):
            role = name.get("type")
            if role in _SENDER_TYPES:
                senders.append(_participant(name, action.get("subtype") if kind == "sent" else None))
            elif role in _RECIPIENT_TYPES:
                recipients.append(_participant(name, subtype if receiving else None))
            elif kind == "sent":
                senders.append(_participant(name, action.get("subtype")))
            elif receiving:
                recipients.append(_participant(name, subtype))
    return tuple(senders), tuple(recipients)


def _participants(action: etree._Element, subtype: str | None) -> list[Participant]:
    return [_participant(n, subtype) for n in action.iterchildren(*_NAME_TAGS)]


def _participant(name: etree._Element, subtype: str | None) -> Participant:
    return Participant(_text(name), entry_ref(name), name.get("cert"), source_line(name), subtype=subtype)


def _title(root: etree._Element) -> str:
    """The letter's own title: the analytic one (``@level="a"``), else the main one, never the
    series' or the volume's that an edition may give beside it."""
    titles = root.findall(f"{_T}teiHeader/{_T}fileDesc/{_T}titleStmt/{_T}title")
    analytic = [t for t in titles if t.get("level") == "a"]
    own = [t for t in titles if t.get("level") not in _NOT_LETTER_TITLES]
    main = [t for t in own if t.get("type") == "main"]
    untyped = [t for t in own if t.get("type") not in ("sub", "alt", "short")]
    chosen = next(iter(analytic or main or untyped or own), None)
    return _text(chosen)


def _manuscript(root: etree._Element) -> Manuscript | None:
    identifier = root.find(f"{_T}teiHeader/{_T}fileDesc/{_T}sourceDesc//{_T}msDesc/{_T}msIdentifier")
    if identifier is None:
        return None
    found = Manuscript(
        settlement=_text(identifier.find(f"{_T}settlement")),
        repository=_text(identifier.find(f"{_T}repository")),
        idno=_text(identifier.find(f"{_T}idno")),
        collection=_text(identifier.find(f"{_T}collection")),
        country=_text(identifier.find(f"{_T}country")),
    )
    return found if found != Manuscript() else None


#: Elements in a letter's text that name a register entry, and the kind each names.
_NAME_KINDS = {f"{_T}persName": "person", f"{_T}placeName": "place", f"{_T}orgName": "org"}
#: ``rs``/``name`` ``@type`` values that say which register they point to.
_TYPED_KINDS = {
    "person": "person",
    "place": "place",
    "org": "org",
    "organisation": "org",
    "organization": "org",
}


def _mentions(body: etree._Element | None) -> list[Mention]:
    if body is None:
        return []
    mentions = []
    for element in body.iter(*_NAME_KINDS, f"{_T}rs", f"{_T}name"):
        ref = entry_ref(element)
        if not ref:
            continue
        kind = _NAME_KINDS.get(str(element.tag)) or _TYPED_KINDS.get(element.get("type") or "", "")
        mentions.append(Mention(kind, ref, _text(element)))
    return mentions


def _first_place(actions: list[etree._Element]) -> Participant | None:
    for action in actions:
        place = action.find(f"{_T}placeName")
        if place is not None:
            return Participant(_text(place), entry_ref(place), place.get("cert"), source_line(place))
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


def _reading_copy(root: etree._Element, found: etree._Element, *, single: bool) -> etree._Element:
    """A copy of the letter's text for the renderers, which the letter keeps: keeping the
    original would keep the whole parsed file (registers, other letters) in memory.

    The copy keeps what the reading text needs around ``found``: the root's attributes (its
    ``xml:lang``), the header's ``encodingDesc`` (renditions, glyphs) and ``langUsage``, and,
    when the file holds this letter alone, the whole ``text`` (its ``front`` and ``back``,
    where openers, closers and postscripts may stand). The element returned is ``found``'s
    copy, inside that tree.
    """
    holder = etree.Element(root.tag, dict(root.attrib))
    header = etree.SubElement(holder, f"{_T}teiHeader")
    for kept in (f"{_T}encodingDesc", f"{_T}profileDesc/{_T}langUsage"):
        for element in root.findall(f"{_T}teiHeader/{kept}"):
            header.append(copy.deepcopy(element))
    text = next((a for a in found.iterancestors(f"{_T}text")), None) if single else None
    if text is None:
        holder.append(copy.deepcopy(found))
        return holder[-1]
    text_copy = copy.deepcopy(text)
    holder.append(text_copy)
    # The copy has the same shape: find ``found`` by its position among ``text``'s elements.
    return next(c for o, c in zip(text.iter(), text_copy.iter(), strict=True) if o is found)


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
