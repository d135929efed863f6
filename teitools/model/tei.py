"""Reading TEI letters and registers into the model.

The reader accepts this edition's files and any TEI letter with a ``correspDesc`` (several
``correspDesc`` in one file give several letters); a CMIF file among the inputs is read by
:mod:`teitools.model.cmif`.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from lxml import etree

from teitools.diagnostics import Diagnostic
from teitools.errors import InputError
from teitools.load.inputs import find_registers, find_xml_files
from teitools.load.parser import TEI_NS, XML_NS
from teitools.load.record import FileRecord, read_record
from teitools.load.workers import map_letters, workers_for
from teitools.model.cmif import CmifReader, is_cmif
from teitools.model.elements import entry_ref, pointer, read_date, source_line
from teitools.model.elements import text_of as _text
from teitools.model.registers import CENTRAL, LOCAL, Entry, RegisterBuilder, register_entries
from teitools.model.types import (
    UNDATED,
    Edition,
    Letter,
    LetterText,
    Licence,
    Manuscript,
    Mention,
    ParsedText,
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
    keep_texts: bool = True,
    jobs: int = 1,
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

    Without ``keep_texts``, a letter that is its file's only letter keeps no text in memory:
    its :attr:`~teitools.model.types.Letter.body` reads the file again (:class:`TextInFile`),
    for the exports that render the letters one at a time.

    The files are read and parsed in up to ``jobs`` processes; the edition is the same for
    any number.
    """
    reader = EditionReader(texts=KEPT if keep_texts or given is not None else IN_FILE)
    read_into(
        reader, paths, registers, exclude=exclude, use_ignore_files=use_ignore_files, given=given, jobs=jobs
    )
    return reader.edition()


def read_into(
    reader: EditionReader,
    paths: Iterable[Path],
    registers: Iterable[Path] | None = None,
    *,
    exclude: Sequence[str] = (),
    use_ignore_files: bool = True,
    given: FileRecord | None = None,
    jobs: int = 1,
) -> None:
    """Add the files :func:`read_edition` reads to ``reader``: the inputs (in up to ``jobs``
    processes), then the registers."""
    files = (
        [given.path]
        if given is not None
        else find_xml_files(paths, exclude, use_ignore_files=use_ignore_files)
    )
    register_files = list(registers) if registers is not None else find_registers(files)
    if given is not None:
        reader.add(given, True)
    else:
        reader.add_inputs(files, jobs)
    for path in register_files:
        reader.add(read_record(path), False)


#: How :class:`EditionReader` keeps a letter's text: as bytes in memory (:class:`StoredText`);
#: as a pointer to its file (:class:`TextInFile`) when it is the file's only letter; or, for
#: such a letter, not the letter at all, only what orders it (:class:`LetterToRead`).
KEPT, IN_FILE, READ_AGAIN = "kept", "in-file", "read-again"


@dataclass(frozen=True, slots=True)
class FileReading:
    """What one file gives the edition, read without the others (so in any process): the
    reason it cannot be read, or its register entries (of ``rank``) and its letters, kept or
    (:data:`READ_AGAIN`) to be read again."""

    problem: Diagnostic | None = None
    entries: tuple[Entry, ...] = ()
    rank: int = CENTRAL
    letters: tuple[Letter, ...] = ()
    to_read: LetterToRead | None = None


def file_reading(record: FileRecord, is_input: bool, texts: str) -> FileReading | None:
    """What ``record`` gives (an input: letters and register entries; a register, entries
    only), its letters keeping their texts as ``texts`` says; None for an input that is a
    CMIF file, which only :class:`EditionReader` reads (its ids are unique across files)."""
    record = record.parsed()
    tree, path = record.tree, record.path
    if tree is None:
        return FileReading(problem=record.problem)  # parsed() gives a tree or the reason for none
    root = tree.getroot()
    if is_input and is_cmif(root):
        return None
    descs = root.findall(f".//{_T}correspDesc")
    # A file of letters holds their own entries; any other file is a central register.
    rank = LOCAL if descs else CENTRAL
    entries = tuple(register_entries(root))
    if not is_input or not descs:
        return FileReading(entries=entries, rank=rank)
    digest = record.digest
    if len(descs) > 1 or texts == KEPT or digest is None:
        return FileReading(entries=entries, rank=rank, letters=tuple(_letters(root, descs, path, _stored)))
    if texts == IN_FILE:
        kept = _letters(root, descs, path, lambda *_: TextInFile(path, digest))
        return FileReading(entries=entries, rank=rank, letters=tuple(kept))
    letter_id = _letter_ids(root, descs, path)[0]
    date = _sent_date(descs[0].findall(f"{_T}correspAction"))
    key = (read_date(date).sort_key() if date is not None else UNDATED, letter_id)
    return FileReading(entries=entries, rank=rank, to_read=LetterToRead(key, os.fspath(path), digest))


class EditionReader:
    """:func:`read_edition` one file record at a time, for a caller that already read (and
    parsed) the files: ``teitools build`` gives it the records validation made.

    ``texts`` says how letters keep their texts (:data:`KEPT`, :data:`IN_FILE`,
    :data:`READ_AGAIN`); files read from standard input, CMIF files and files of several
    letters always keep theirs (a file of many letters read again for each would be read
    quadratically often)."""

    def __init__(self, *, texts: str = KEPT) -> None:
        self._letters: list[Letter] = []
        self._builder = RegisterBuilder()
        self._problems: list[Diagnostic] = []
        self._cmif = CmifReader()
        self._seen: set[str] = set()
        self._texts = texts
        #: Every letter in the order it came, kept or (:data:`READ_AGAIN`) to read again.
        self._order: list[Letter | LetterToRead] = []

    def add(self, record: FileRecord, is_input: bool) -> None:
        """Read one file: an input gives letters and register entries, a register
        (``is_input`` false) entries only; a file already read, by any path, is skipped."""
        if self._first_time(os.path.realpath(record.path)):
            parsed = record.parsed()
            self._take(parsed, file_reading(parsed, is_input, self._texts))

    def add_inputs(self, paths: Sequence[Path], jobs: int = 1) -> None:
        """:meth:`add` each input file in turn, the files read and parsed in up to ``jobs``
        processes (:func:`~teitools.load.workers.map_letters`); the edition is the one that
        adding them one by one makes."""
        if not workers_for(len(paths), jobs):
            for path in paths:
                self.add(read_record(path), True)
            return
        texts = self._texts

        def read(position: int) -> tuple[str, FileReading | None]:
            path = paths[position]
            return os.path.realpath(path), file_reading(read_record(path), True, texts)

        for path, (resolved, reading) in zip(paths, map_letters(read, len(paths), jobs), strict=True):
            if not self._first_time(resolved):
                continue
            if reading is None:
                # A CMIF file is read again here, in turn: the ids it makes from names are
                # unique across the files read. (Read anew, it is taken for what it now is.)
                record = read_record(path).parsed()
                self._take(record, file_reading(record, True, texts))
            else:
                self._take(None, reading)

    def _first_time(self, resolved: str) -> bool:
        if resolved in self._seen:
            return False
        self._seen.add(resolved)
        return True

    def _take(self, record: FileRecord | None, reading: FileReading | None) -> None:
        """Add what one file gave: its ``reading``, or for a CMIF file (``reading`` None,
        which :func:`file_reading` gives only for a parsed one) its parsed ``record``."""
        if reading is None:
            if record is None or record.tree is None:
                raise ValueError("a CMIF file is taken from its parsed record")
            letters_before = len(self._cmif.content.letters)
            self._cmif.read(record.tree, record.path)
            self._keep(self._cmif.content.letters[letters_before:])
            return
        if reading.problem is not None:
            self._problems.append(reading.problem)
        self._builder.add_entries(reading.entries, reading.rank)
        self._keep(reading.letters)
        if reading.to_read is not None:
            self._order.append(reading.to_read)

    def _keep(self, letters: Sequence[Letter]) -> None:
        self._letters.extend(letters)
        self._order.extend(letters)

    def edition(self) -> Edition:
        """The edition of every file added so far (for :data:`READ_AGAIN`, of the letters kept)."""
        self._builder.merge(self._cmif.content)
        return self._builder.edition(tuple(self._letters), tuple(self._problems))

    def in_order(self) -> list[Letter | LetterToRead]:
        """Every letter, kept or to read again, in chronological order (as
        :meth:`~teitools.model.types.Edition.chronological` orders them)."""
        return sorted(self._order, key=_sort_key)


@dataclass(frozen=True, slots=True)
class LetterToRead:
    """A letter that is its file's only one, as :data:`READ_AGAIN` keeps it: what orders it,
    its file (a string: a ``Path`` takes several times the memory) and the digest of the bytes
    it was read from."""

    sort_key: tuple[tuple[int, int, int], str]
    file: str
    digest: bytes

    def letter(self) -> Letter:
        """The letter, read again from its file, with its text parsed (:class:`ParsedText`).

        Raise :class:`~teitools.errors.InputError` when the file is no longer what was read.
        """
        path = Path(self.file)
        tree = _read_again(path, self.digest)
        return _letters(tree.getroot(), tree.getroot().findall(f".//{_T}correspDesc"), path, _parsed)[0]


@dataclass(frozen=True)
class TextInFile(LetterText):
    """The text of a letter that is its file's only one, read from the file again when asked
    for, so that an edition read for rendering keeps no letter's text in memory. The file
    must still hold the bytes it was read from (``digest``)."""

    path: Path
    digest: bytes

    def element(self) -> etree._Element:
        root = _read_again(self.path, self.digest).getroot()
        # The same bytes as before: the one correspDesc and the text it was read with.
        desc = root.find(f".//{_T}correspDesc")
        found = _body_for(root, desc, single=True) if desc is not None else None
        if found is None:
            raise InputError(f"{self.path}: the letter's text cannot be found again")
        return found  # in the file's own tree, which lives as long as the caller holds it


def _read_again(path: Path, digest: bytes) -> etree._ElementTree:
    """The tree of a file read earlier in this run, if it still holds the same bytes."""
    record = read_record(path)
    if record.digest != digest:
        raise InputError(f"{path} changed (or went) while teitools was exporting it: run the command again")
    parsed = record.parsed()
    if parsed.tree is None:  # the same bytes parsed before: only a lack of memory gets here
        raise InputError(f"{path} cannot be read again: {parsed.problem}")
    return parsed.tree


def _sort_key(entry: Letter | LetterToRead) -> tuple[tuple[int, int, int], str]:
    return entry.sort_key() if isinstance(entry, Letter) else entry.sort_key


#: How a letter's text is kept, given the root, the letter's element and whether it is its
#: file's only letter.
_Keeper = Callable[[etree._Element, etree._Element, bool], LetterText]


def _stored(root: etree._Element, found: etree._Element, single: bool) -> LetterText:
    return StoredText.of(_reading_copy(root, found, single=single))


def _parsed(_root: etree._Element, found: etree._Element, _single: bool) -> LetterText:
    # No copy: the letter is rendered and let go with its file's tree.
    return ParsedText(found)


def letters_from_tree(tree: etree._ElementTree, path: Path) -> list[Letter]:
    """The letters of one parsed TEI file: one per ``correspDesc``."""
    root = tree.getroot()
    return _letters(root, root.findall(f".//{_T}correspDesc"), path, _stored)


def _letters(root: etree._Element, descs: list[etree._Element], path: Path, keep: _Keeper) -> list[Letter]:
    ids = _letter_ids(root, descs, path)
    return [
        _letter(root, desc, letter_id, path, single=len(descs) == 1, keep=keep)
        for desc, letter_id in zip(descs, ids, strict=True)
    ]


def _letter_ids(root: etree._Element, descs: list[etree._Element], path: Path) -> list[str]:
    base_id = root.get(_XML_ID) or path.stem
    if len(descs) == 1:
        return [descs[0].get(_XML_ID) or base_id]
    return [desc.get(_XML_ID) or f"{base_id}-{number}" for number, desc in enumerate(descs, start=1)]


def _child_path(steps: str) -> Callable[[etree._Element], list[etree._Element]]:
    """``findall`` of a path of child steps (``teiHeader/fileDesc``), compiled once: the
    same elements in the same (document) order, in a fifth of the time of lxml's ``find``
    with a path, which the reader would spend on every letter."""
    compiled = etree.XPath("/".join(f"t:{step}" for step in steps.split("/")), namespaces={"t": TEI_NS})

    def found(element: etree._Element) -> list[etree._Element]:
        return cast(list[etree._Element], compiled(element))

    return found


_LICENCES = _child_path("teiHeader/fileDesc/publicationStmt/availability/licence")
_TITLES = _child_path("teiHeader/fileDesc/titleStmt/title")
_SOURCE_BIBLS = _child_path("teiHeader/fileDesc/sourceDesc/bibl")
_LANGUAGES = _child_path("teiHeader/profileDesc/langUsage/language")
_BODIES = _child_path("text/body")


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
    root: etree._Element,
    desc: etree._Element,
    letter_id: str,
    path: Path,
    *,
    single: bool,
    keep: _Keeper,
) -> Letter:
    actions = desc.findall(f"{_T}correspAction")
    redirecting = [a for a in actions if a.get("subtype") == "redirecting"]
    # A redirection is a leg of the journey, not the letter's sender or recipient.
    sent = [a for a in actions if a.get("type") == "sent" and a not in redirecting]
    received = [a for a in actions if a.get("type") == "received" and a not in redirecting]
    senders, recipients = _roles([a for a in actions if a not in redirecting])
    date_element = _sent_date(actions)
    body = _body_for(root, desc, single=single)
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
        stored_text=keep(root, body, single) if body is not None else None,
        line=source_line(desc),
        language_line=language_line,
    )


def _sent_date(actions: list[etree._Element]) -> etree._Element | None:
    """The ``date`` of the first action that sends the letter (a redirection does not)."""
    for action in actions:
        if action.get("type") == "sent" and action.get("subtype") != "redirecting":
            found = action.find(f"{_T}date")
            if found is not None:
                return found
    return None


def _licence(root: etree._Element) -> Licence | None:
    """The file's ``publicationStmt/availability/licence``: its words and its address."""
    found = next(iter(_LICENCES(root)), None)
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
    titles = _TITLES(root)
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
    for bibl in _SOURCE_BIBLS(root):
        refs.append(
            SourceRef(
                bibl.get("type") or "source", pointer(bibl.get("corresp")), _text(bibl), bibl.get("cert")
            )
        )
    return refs


def _language(root: etree._Element, body: etree._Element | None) -> tuple[str | None, int]:
    """The letter's language and the line it is given on."""
    language = next(iter(_LANGUAGES(root)), None)
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
    for element in root.findall(f"{_T}teiHeader/{_T}encodingDesc"):
        header.append(copy.deepcopy(element))
    # Where the renderers look for it: a langUsage straight under teiHeader was never found.
    languages = root.findall(f"{_T}teiHeader/{_T}profileDesc/{_T}langUsage")
    if languages:
        profile = etree.SubElement(header, f"{_T}profileDesc")
        profile.extend(copy.deepcopy(element) for element in languages)
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
    if desc_id:
        for div in root.iter(f"{_T}div"):
            if f"#{desc_id}" in (div.get("decls") or "").split():
                return div
    target = pointer(desc.get("ref") or desc.get("corresp"))
    if target:
        for div in root.iter(f"{_T}div"):
            if div.get(_XML_ID) == target:
                return div
    if not single:
        return None
    bodies = _BODIES(root)
    # text/body//div[@type='letter']: the first in document order, as find() gives it.
    letter_divs = (div for body in bodies for div in body.iter(f"{_T}div") if div.get("type") == "letter")
    letter_div = next(letter_divs, None)
    return letter_div if letter_div is not None else next(iter(bodies), None)
