"""Turning the paths a user gives into the XML files teitools reads."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from teitools.errors import InputError

#: The bundled edition, used when a command is given no path.
DEFAULT_EDITION = Path("tei")
#: Where ``teitools build`` writes, when not told otherwise.
DEFAULT_OUTPUT = Path("build")
REGISTER_FILES = ("persons.xml", "places.xml", "sources.xml")
#: Folders of register files, as TEI Publisher editions and others keep them (every ``*.xml``
#: in one is a register), looked for in the same folders as :data:`REGISTER_FILES`.
REGISTER_FOLDERS = ("indices", "data/indices", "registers")


def find_xml_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders to the ``*.xml`` files below them, in a stable order.

    Raise :class:`InputError` for a path that does not exist or a folder without XML.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            files = [path.joinpath(*parts) for parts in sorted(_xml_below(path))]
            if not files:
                raise InputError(f"{path}: no .xml files in this folder")
            found.extend(files)
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    return list(dict.fromkeys(found))


def _xml_below(top: Path) -> Iterator[tuple[str, ...]]:
    """The relative paths, as parts, of the ``*.xml`` files below ``top``, hidden ones left out.

    A walk with ``os.scandir`` rather than ``Path.rglob``: it needs no system call per file,
    which matters for editions of tens of thousands of letters.
    """
    folders: list[tuple[str, ...]] = [()]
    while folders:
        relative = folders.pop()
        with os.scandir(top.joinpath(*relative)) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    folders.append((*relative, entry.name))
                elif entry.name.endswith(".xml") and not entry.is_dir():
                    # Not only regular files: a broken link or a FIFO named *.xml is reported
                    # as unreadable by the loader instead of being silently left out.
                    yield (*relative, entry.name)


def work_tree(folder: Path) -> Path | None:
    """The git work tree ``folder`` is in: the nearest folder at or above it that holds
    ``.git`` (a folder, or a file in a git worktree); None outside any. This is "the
    repository" every confinement rule means (schemas, catalogs, outputs, the cache)."""
    return next((candidate for candidate in (folder, *folder.parents) if (candidate / ".git").exists()), None)


def may_be_register(path: Path) -> bool:
    """Whether ``path`` is named or placed as :func:`find_registers` finds registers: a
    ``persons.xml``… or an XML file in a register folder (cheap: no file is read)."""
    if path.name in REGISTER_FILES:
        return True
    folder_names = {name.rsplit("/", 1)[-1] for name in REGISTER_FOLDERS}
    return path.suffix == ".xml" and not folder_names.isdisjoint(path.parent.parts)


def find_registers(files: Iterable[Path]) -> list[Path]:
    """The register files of the edition(s) the given files belong to.

    For each file, the nearest enclosing folder (the file's own folder included) that holds
    any of ``persons.xml``, ``places.xml``, ``sources.xml`` or a register folder
    (:data:`REGISTER_FOLDERS`) is the edition root; its registers are those files and the
    ``*.xml`` files in those folders.
    """
    registers: dict[Path, None] = {}
    for found in registers_by_file(files).values():
        registers.update(dict.fromkeys(found))
    return list(registers)


def registers_by_file(files: Iterable[Path]) -> dict[Path, tuple[Path, ...]]:
    """For each file, the registers of its edition (as :func:`find_registers` finds them).

    Folders are looked up once each, so this stays cheap for tens of thousands of files; a
    file that is a symbolic link belongs to the edition of the file it points to.
    """
    by_folder: dict[Path, tuple[Path, ...]] = {}
    found: dict[Path, tuple[Path, ...]] = {}
    for file in files:
        folder = file.resolve().parent if file.is_symlink() else file.parent
        if folder not in by_folder:
            by_folder[folder] = _edition_registers(folder.resolve())
        found[file] = by_folder[folder]
    return found


def _edition_registers(folder: Path) -> tuple[Path, ...]:
    for candidate in (folder, *folder.parents):
        # A register folder's own files (a register read as an input) have its registers.
        if any(candidate.as_posix().endswith(f"/{name}") for name in REGISTER_FOLDERS):
            return tuple(candidate.joinpath(*parts) for parts in sorted(_xml_below(candidate)))
        present = [candidate / name for name in REGISTER_FILES if (candidate / name).is_file()]
        for name in REGISTER_FOLDERS:
            if (candidate / name).is_dir():
                present += [
                    candidate.joinpath(name, *parts) for parts in sorted(_xml_below(candidate / name))
                ]
        if present:
            return tuple(present)
    return ()
