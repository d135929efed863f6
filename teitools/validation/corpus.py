"""Layer 4: checks across files: pointers resolve in the registers, ids are unique, letter ids.

Which of them run is the edition's choice of rule sets (see
:mod:`teitools.load.settings`): ids are unique within each file, as XML and TEI ask, and
across files only with ``ids-across-files`` or the bundled edition's rules, which also check
its letter ids; pointers resolve with ``pointers``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from lxml import etree

from teitools.diagnostics import Diagnostic, Severity
from teitools.load.parser import TEI_NS, XML_NS
from teitools.load.settings import BUNDLED_PROJECT_RULES, IDS_ACROSS_FILES, POINTER_RULES, RULE_SETS
from teitools.validation.positions import SourceLines
from teitools.validation.schematron.screen import DATE_ATTRIBUTES, Screen

#: Attributes whose ``#id`` values must name an entry of the registers.
POINTER_ATTRIBUTES = ("ref", "corresp", "source", "resp")
LETTER_ID = re.compile(r"^[a-z]+(?:-[a-z]+)*?-[a-z]+-\d{4}(?:-\d{2}(?:-\d{2})?)?[a-z]?$")
#: Letters of an edition live in a folder of this name, each file named after its id.
LETTERS_FOLDER = "letters"
_REGISTER_LISTS = ("listPerson", "listPlace", "listBibl", "listOrg")
_XML_ID = f"{{{XML_NS}}}id"
_POINTER_SET = frozenset(POINTER_ATTRIBUTES)
_POINTER_ORDER = {name: index for index, name in enumerate(POINTER_ATTRIBUTES)}


class Position(NamedTuple):
    """A line and the attribute on it; the column is looked up only for a finding.

    Named tuples, not dataclasses: a corpus has dozens of these per file, kept until the
    cross-file pass, and tuples are several times cheaper to make and to hold."""

    line: int
    attribute: str


#: The positions of ids on a file's first lines, where a letter's own id is, made once: an
#: edition of 50,000 letters keeps one for each until the cross-file pass.
_ID_POSITIONS = tuple(Position(line, "xml:id") for line in range(64))


class Pointer(NamedTuple):
    target: str
    position: Position


@dataclass(frozen=True, slots=True)
class FileFacts:
    """What the cross-file checks need to know about one file, gathered while it is parsed."""

    file: str
    stem: str
    kind: str  # "letter", "register" or "other"
    in_letters_folder: bool
    root_id: str | None
    ids: tuple[tuple[str, Position], ...]
    pointers: tuple[Pointer, ...]


def gather_facts(tree: etree._ElementTree, path: Path) -> FileFacts:
    """Collect ids and ``#id`` pointers of one parsed file."""
    return walk_file(tree, path, screen=False)[0]


def walk_file(
    tree: etree._ElementTree, path: Path, *, screen: bool, resolved: frozenset[str] = frozenset()
) -> tuple[FileFacts, bool]:
    """One walk over a parsed file: its facts, and whether the shipped Schematron's rules
    might find anything in it (asked of :class:`~teitools.validation.schematron.screen.Screen`
    when ``screen``; always true otherwise, so that the rules run).

    With ``resolved`` (the registers' ids, when the caller knows them and keeps no result for
    other registers), the facts are those :func:`compact_facts` gives: a pointer to one of
    them is left out before any object is made for it (a letter's pointers are nearly all of
    that kind, and making them was a third of the walk), and so is one the file resolves."""
    root = tree.getroot()
    ids: list[tuple[str, Position]] = []
    pointers: list[Pointer] = []
    rules = Screen(root) if screen else None
    suspect = rules is None
    # tuple.__new__ makes the named tuples without a Python call each: a letter has dozens.
    new = tuple.__new__
    for element in root.iter(etree.Element):
        items = element.items()
        if not items:
            continue
        line = 0
        dated = False
        first = len(pointers)
        carriers = 0
        for name, value in items:
            if name in _POINTER_SET:
                if "#" in value:
                    # The usual value, one pointer that a register resolves: nothing to keep.
                    if value[0] == "#" and value[1:] in resolved and " " not in value:
                        continue
                    line = line or element.sourceline or 0
                    at = new(Position, (line, name))
                    pointers += [
                        new(Pointer, (t[1:], at))
                        for t in value.split()
                        if t[0] == "#" and t[1:] not in resolved
                    ]
                    carriers += 1
            elif name == _XML_ID:
                line = line or element.sourceline or 0
                at = _ID_POSITIONS[line] if line < len(_ID_POSITIONS) else new(Position, (line, "xml:id"))
                ids.append((value, at))
            elif name in DATE_ATTRIBUTES:
                dated = True
        if carriers > 1:  # in the order of POINTER_ATTRIBUTES, not of the start tag
            pointers[first:] = sorted(pointers[first:], key=_pointer_order)
        if dated and not suspect and rules is not None:
            suspect = rules.dated(element)
    if rules is not None and not suspect:
        suspect = rules.others()
    if resolved and pointers:  # and, as compact_facts does, those the file's own ids resolve
        local = {file_id for file_id, _ in ids}
        pointers = [pointer for pointer in pointers if pointer.target not in local]
    kind = "letter" if rules is not None and rules.corresp_desc is not None else _kind(root)
    return _facts(root, path, kind, ids, pointers), suspect


def _facts(
    root: etree._Element, path: Path, kind: str, ids: list[tuple[str, Position]], pointers: list[Pointer]
) -> FileFacts:
    # One string for the root's id, its entry among the ids and (as a letter's file is named
    # after it) the stem: an edition of 50,000 letters keeps these until the cross-file pass.
    root_id = root.get(_XML_ID)
    if root_id is not None and ids and ids[0][0] == root_id:
        root_id = ids[0][0]
    stem = path.stem
    return FileFacts(
        str(path),
        root_id if stem == root_id else stem,
        kind,
        path.parent.name == LETTERS_FOLDER,
        root_id,
        tuple(ids),
        tuple(pointers),
    )


def compact_facts(facts: FileFacts, known: frozenset[str]) -> FileFacts:
    """``facts`` without the pointers that the ids ``known`` (the registers') or the file's
    own resolve: those can name no finding, and an edition's letters hold dozens each; kept
    until the cross-file pass, they were most of the memory of a large run. Checked against
    registers that have more ids than ``known``, the result gives the same findings."""
    if not facts.pointers:
        return facts
    local = {file_id for file_id, _ in facts.ids}
    kept = tuple(p for p in facts.pointers if p.target not in known and p.target not in local)
    if len(kept) == len(facts.pointers):
        return facts
    # Not dataclasses.replace, which looks the fields up again for every file.
    return FileFacts(
        facts.file, facts.stem, facts.kind, facts.in_letters_folder, facts.root_id, facts.ids, kept
    )


def _pointer_order(pointer: Pointer) -> int:
    return _POINTER_ORDER[pointer.position.attribute]


def _closest_id(target: str, ids: set[str]) -> str:
    """'. Did you mean "#rykov"?' for a pointer one slip away from an existing id."""
    close = difflib.get_close_matches(target, sorted(ids), n=1, cutoff=0.75)
    return f'. Did you mean "#{close[0]}"?' if close else ""


def _kind(root: etree._Element) -> str:
    if root.find(f".//{{{TEI_NS}}}correspDesc") is not None:
        return "letter"
    for name in _REGISTER_LISTS:
        # A register's lists sit in its text or, as TEI also allows, in a standOff.
        for container in ("text", "standOff"):
            if root.find(f"{{{TEI_NS}}}{container}//{{{TEI_NS}}}{name}") is not None:
                return "register"
    return "other"


def check_corpus(
    checked: Iterable[FileFacts], registers: Iterable[FileFacts], rules: Collection[str] = RULE_SETS
) -> list[Diagnostic]:
    """Cross-file findings for the ``checked`` files, resolving pointers in ``registers``,
    of the rule sets ``rules`` (default: every one)."""
    # A long-lived process may check files again after they were edited.
    _lines.cache_clear()
    checked = list(checked)
    register_list = list(registers)
    known = {file_id for facts in register_list for file_id, _ in facts.ids}
    project = BUNDLED_PROJECT_RULES in rules
    findings: list[Diagnostic] = []
    if project or IDS_ACROSS_FILES in rules:
        findings += _duplicate_ids(checked, register_list)
    else:
        findings += [finding for facts in checked for finding in _duplicate_ids_in(facts)]
    for facts in checked:
        if register_list and POINTER_RULES in rules:
            local = {file_id for file_id, _ in facts.ids}
            findings += [
                _finding(
                    facts,
                    p.position,
                    "ref-unresolved",
                    f'@{p.position.attribute}="#{p.target}" names no entry in the registers '
                    f"({_register_names(register_list)}); add an entry with "
                    f'xml:id="{p.target}" or correct the pointer'
                    # A near miss is a typo to correct; else the entry may be missing.
                    + (_closest_id(p.target, known | local) or _add_command(facts, p)),
                )
                for p in facts.pointers
                if p.target not in known and p.target not in local
            ]
        if facts.kind == "letter" and project:
            findings += _letter_id(facts)
    return findings


#: The register entry ``teitools new`` makes for a pointer from each element.
_NEW_ENTRY = {"persName": "person", "author": "person", "placeName": "place", "bibl": "source"}


def _add_command(facts: FileFacts, pointer: Pointer) -> str:
    """`` (teitools new person "Kleiner" --id kleinerr --write)`` for a pointer from a name
    whose start tag is on its line, so that the fix is one command; nothing otherwise."""
    text = _lines(facts.file).line(pointer.position.line)
    quoted = re.escape(f"#{pointer.target}")
    tag = re.search(
        rf'<(\w+)\b[^<>]*\b{pointer.position.attribute}\s*=\s*["\'][^"\']*{quoted}\b[^>]*>([^<]*)', text
    )
    kind = _NEW_ENTRY.get(tag[1]) if tag else None
    if tag is None or kind is None:
        return ""
    name = " ".join(tag[2].split()) or "NAME"
    return f' (to add it: teitools new {kind} "{name}" --id {pointer.target} --write)'


def _duplicate_ids(checked: list[FileFacts], registers: list[FileFacts]) -> list[Diagnostic]:
    # The file that used an id first, not a (file, position) pair for each: the pass holds one
    # entry per id of the edition, and its position is looked up again only for a duplicate.
    first_seen: dict[str, FileFacts] = {}
    register_files = {facts.file for facts in registers}
    # The registers that are not checked themselves (a few files, where a set of every
    # checked file's name was as large as the edition).
    unchecked = register_files - {facts.file for facts in checked if facts.file in register_files}
    everything = registers + [f for f in checked if f.file not in register_files]
    findings = []
    for facts in sorted(everything, key=lambda f: f.file):
        for file_id, position in facts.ids:
            if file_id in first_seen:
                first = first_seen[file_id]
                other_file, other = first.file, next(at for used, at in first.ids if used == file_id)
                if facts.file not in unchecked:
                    findings.append(
                        _finding(
                            facts,
                            position,
                            "id-duplicate",
                            f'xml:id "{file_id}" is already used at {other_file}:{other.line}; '
                            "ids must be unique across the edition",
                        )
                    )
            else:
                first_seen[file_id] = facts
    return findings


def _duplicate_ids_in(facts: FileFacts) -> list[Diagnostic]:
    """An id used twice within one file: what XML itself forbids."""
    first_seen: dict[str, Position] = {}
    findings = []
    for file_id, position in facts.ids:
        other = first_seen.get(file_id)
        if other is None:
            first_seen[file_id] = position
        else:
            findings.append(
                _finding(
                    facts,
                    position,
                    "id-duplicate",
                    f'xml:id "{file_id}" is already used at line {other.line} of this file; '
                    "ids must be unique within a document",
                )
            )
    return findings


def _letter_id(facts: FileFacts) -> list[Diagnostic]:
    if facts.root_id is None:
        return []  # a missing id is the Schematron rule letter-id's finding
    root_position = facts.ids[0][1]
    findings = []
    if not LETTER_ID.match(facts.root_id):
        findings.append(
            _finding(
                facts,
                root_position,
                "letter-id-pattern",
                f'letter id "{facts.root_id}" does not follow the pattern '
                "sender-recipient-YYYY[-MM[-DD]] in lower case "
                "(e.g. stalin-kaganovich-1935-08-22)",
            )
        )
    if facts.in_letters_folder and facts.stem != facts.root_id:
        findings.append(
            _finding(
                facts,
                root_position,
                "letter-id-filename",
                f"the file is named {facts.stem}.xml but the letter's id is "
                f'"{facts.root_id}"; rename the file to {facts.root_id}.xml',
                Severity.WARNING,
            )
        )
    return findings


def _register_names(registers: list[FileFacts]) -> str:
    return ", ".join(sorted({f.file.rsplit("/", 1)[-1] for f in registers}))


def _finding(
    facts: FileFacts,
    position: Position,
    rule: str,
    message: str,
    severity: Severity = Severity.ERROR,
) -> Diagnostic:
    column = _lines(facts.file).column_of_attribute(position.line, position.attribute)
    return Diagnostic(facts.file, position.line, column, severity, rule, message)


# The lines of whole files, for the column of a finding. Findings come file by file, so a
# few files suffice; unbounded, a corpus with findings in every file was held in memory whole.
@lru_cache(maxsize=32)
def _lines(file: str) -> SourceLines:
    return SourceLines(Path(file))
