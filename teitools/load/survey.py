"""Looking at an existing edition to propose its settings (``teitools init``).

:func:`survey` reads every XML file of a folder once, through the hardened loader, and notes
what the choice of rule sets depends on: which files are letters (they have a
``correspDesc``), which registers validation will find for them, which schemas the files
declare, and whether ids repeat across files. :func:`propose` turns that into the settings
file's text, each choice with the reason for it, so that what ``init`` prints and what it
writes say the same.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from teitools.load.inputs import REGISTER_FILES, find_registers, find_xml_files
from teitools.load.parser import TEI_NS, XML_NS
from teitools.load.record import read_record
from teitools.load.settings import (
    BUNDLED_PROJECT_RULES,
    IDS_ACROSS_FILES,
    POINTER_RULES,
    TEI_RULES,
    find_settings_file,
)

_CORRESP_DESC = f".//{{{TEI_NS}}}correspDesc"
_REGISTER_LISTS = tuple(f".//{{{TEI_NS}}}text//{{{TEI_NS}}}{name}" for name in ("listPerson", "listPlace"))
_XML_ID = f"{{{XML_NS}}}id"
#: How many repeated ids a reason names (an edition may repeat thousands).
_SHOWN = 3


@dataclass(frozen=True)
class Survey:
    """What :func:`survey` found below ``folder`` (paths relative to it where they lie in it)."""

    folder: Path
    files: int
    unreadable: int
    #: The folders that hold letters, with how many each holds.
    letter_folders: tuple[tuple[str, int], ...]
    #: The registers validation finds for the letters (persons.xml, places.xml, sources.xml).
    registers: tuple[str, ...]
    #: Files with a listPerson or listPlace in their text that validation does not read as registers.
    other_lists: tuple[str, ...]
    #: Each declared schema (as written) with the number of files that declare it.
    declared: tuple[tuple[str, int], ...]
    #: Ids found in more than one file, with the number of files, most repeated first.
    repeated_ids: tuple[tuple[str, int], ...]
    #: The settings file of a folder above, which has applied to this one until now.
    inherited: Path | None = None


@dataclass(frozen=True)
class Proposal:
    """The rule sets chosen, one reason per line, and the settings file's text."""

    rules: tuple[str, ...]
    reasons: tuple[str, ...]
    text: str


def survey(folder: Path) -> Survey:
    """Read the XML files below ``folder`` (raises :class:`~teitools.errors.InputError` for a
    folder that does not exist or holds no XML)."""
    files = find_xml_files([folder])
    unreadable = 0
    letters: list[Path] = []
    lists: list[Path] = []
    declared: Counter[str] = Counter()
    files_of_id: Counter[str] = Counter()
    for path in files:
        record = read_record(path).parsed()
        if record.tree is None:
            unreadable += 1
            continue
        root = record.tree.getroot()
        if root.find(_CORRESP_DESC) is not None:
            letters.append(path)
        elif any(root.find(found) is not None for found in _REGISTER_LISTS):
            lists.append(path)
        declared.update({declaration.href for declaration in record.declarations})
        files_of_id.update({value for element in root.iter() if (value := element.get(_XML_ID))})
    registers = find_registers(letters)
    known = {path.resolve() for path in registers}
    return Survey(
        folder=folder,
        files=len(files),
        unreadable=unreadable,
        letter_folders=tuple(sorted(Counter(_shown(p.parent, folder) for p in letters).items())),
        registers=tuple(_shown(p, folder) for p in registers),
        other_lists=tuple(_shown(p, folder) for p in lists if p.resolve() not in known),
        declared=tuple(sorted(declared.items())),
        repeated_ids=tuple(
            sorted(((i, n) for i, n in files_of_id.items() if n > 1), key=lambda item: (-item[1], item[0]))
        ),
        inherited=find_settings_file(folder.resolve().parent),
    )


def propose(found: Survey) -> Proposal:
    """The rule sets for the edition ``found`` describes, and why each was chosen or not."""
    rules = [TEI_RULES]
    reasons = [_letters(found), f"rule set {TEI_RULES}: always (what XML and TEI require of any file)"]
    if found.unreadable:
        reasons.insert(1, f"{found.unreadable} of {found.files} files cannot be read: validate says why")
    if found.registers:
        rules.append(POINTER_RULES)
        reasons.append(
            f"rule set {POINTER_RULES}: #id pointers resolve in the registers {_listed(found.registers)}"
        )
    else:
        elsewhere = (
            f" ({_listed(found.other_lists)} hold lists, under other names)" if found.other_lists else ""
        )
        reasons.append(
            f"no rule set {POINTER_RULES}: no register ({', '.join(REGISTER_FILES)}) beside or above "
            f"the letters{elsewhere}"
        )
    if found.repeated_ids:
        examples = ", ".join(f"{i} in {n} files" for i, n in found.repeated_ids[:_SHOWN])
        more = len(found.repeated_ids) - _SHOWN
        examples += f", and {more} more" if more > 0 else ""
        reasons.append(
            f"no rule set {IDS_ACROSS_FILES}: ids repeat across files ({examples}); "
            "unique within each file, as TEI asks"
        )
    else:
        rules.append(IDS_ACROSS_FILES)
        reasons.append(
            f"rule set {IDS_ACROSS_FILES}: no id repeats across the files today "
            "(remove it if repeats are meant to come)"
        )
    if found.declared:
        schemas = ", ".join(f"{href} ({n} files)" for href, n in found.declared)
        reasons.append(f"declared schemas, used for the files that declare them: {schemas}")
    else:
        reasons.append("no file declares a schema: name the edition's own in `schemas` if it has them")
    reasons.append(f"no rule set {BUNDLED_PROJECT_RULES}: the bundled sample edition's own guidelines")
    if found.inherited is not None:
        reasons.append(f"these settings take the place of {found.inherited}, which applied here until now")
    return Proposal(tuple(rules), tuple(reasons), _text(rules, reasons))


def _letters(found: Survey) -> str:
    if not found.letter_folders:
        return f"letters: none of the {found.files} files has a correspDesc"
    where = ", ".join(f"{folder}/ ({n})" for folder, n in found.letter_folders)
    total = sum(n for _, n in found.letter_folders)
    return f"letters: {total} of {found.files} files have a correspDesc, in {where}"


def _text(rules: Iterable[str], reasons: Iterable[str]) -> str:
    comments = "".join(f"# {reason}\n" for reason in reasons)
    listed = ", ".join(f'"{name}"' for name in rules)
    return (
        f"# Settings of this edition (see docs/settings.md), written by `teitools init`.\n"
        f"# What it found and chose:\n{comments}\nrules = [{listed}]\n"
    )


def _listed(paths: Iterable[str]) -> str:
    return ", ".join(paths)


def _shown(path: Path, folder: Path) -> str:
    """``path`` relative to ``folder`` when it lies in it (``.`` for the folder itself)."""
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix() or "."
    except ValueError:
        return str(path)


__all__ = ["Proposal", "Survey", "propose", "survey"]
