"""Turning the paths a user gives into the XML files teitools reads."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from teitools.errors import InputError

#: The bundled edition, used when a command is given no path.
DEFAULT_EDITION = Path("tei")
#: Where ``teitools build`` writes, when not told otherwise.
DEFAULT_OUTPUT = Path("build")
REGISTER_FILES = ("persons.xml", "places.xml", "sources.xml")


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


def find_registers(files: Iterable[Path]) -> list[Path]:
    """The register files of the edition(s) the given files belong to.

    For each file, the nearest enclosing folder (the file's own folder included) that holds
    any of ``persons.xml``, ``places.xml``, ``sources.xml`` is the edition root.
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
        present = tuple(candidate / name for name in REGISTER_FILES if (candidate / name).is_file())
        if present:
            return present
    return ()


def parse_shard(text: str) -> tuple[int, int]:
    """``K/N`` (1 <= K <= N) as the pair ``(K, N)``; raise :class:`InputError` otherwise."""
    index, slash, count = text.partition("/")
    if slash and index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count):
        return int(index), int(count)
    raise InputError(f"--shard {text!r}: give K/N with 1 <= K <= N, e.g. 2/8")


def select_shard(files: Iterable[Path], index: int, count: int) -> list[Path]:
    """The files of shard ``index`` of ``count`` (1-based), in their given order.

    Every shard computes the same assignment, on any machine: files are taken largest first
    (ties broken by a digest of the path relative to the repository, or to the working folder
    outside one, so not by the folder the repository was checked out to) and each goes to the
    shard with the fewest bytes so far, so that shards take about the same time.
    """
    files = list(files)
    sized = sorted(((_size(path), _stable_key(path), path) for path in files), key=lambda t: (-t[0], t[1]))
    totals = [0] * count
    mine: set[Path] = set()
    for size, _, path in sized:
        lightest = min(range(count), key=lambda shard: (totals[shard], shard))
        totals[lightest] += size
        if lightest == index - 1:
            mine.add(path)
    return [path for path in files if path in mine]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # unreadable: its shard reports it, like any shard would


def _stable_key(path: Path) -> str:
    absolute = path.absolute()
    root = work_tree(absolute.parent) or Path.cwd()
    relative = os.path.relpath(absolute, root) if absolute.is_relative_to(root) else str(absolute)
    name = relative.replace(os.sep, "/").encode("utf-8", "surrogateescape")
    return hashlib.sha256(name).hexdigest()
