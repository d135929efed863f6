"""Turning the paths a user gives into the XML files teitools reads."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from teitools.errors import InputError

#: The bundled edition, used when a command is given no path.
DEFAULT_EDITION = Path("tei")
REGISTER_FILES = ("persons.xml", "places.xml", "sources.xml")


def find_xml_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders to the ``*.xml`` files below them, in a stable order.

    Raise :class:`InputError` for a path that does not exist or a folder without XML.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            # Not only regular files: a broken link or a FIFO named *.xml is reported as
            # unreadable by the loader instead of being silently left out.
            files = sorted(p for p in path.rglob("*.xml") if not p.is_dir() and not _hidden(p, path))
            if not files:
                raise InputError(f"{path}: no .xml files in this folder")
            found.extend(files)
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    return list(dict.fromkeys(found))


def _hidden(path: Path, top: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(top).parts)


def find_registers(files: Iterable[Path]) -> list[Path]:
    """The register files of the edition(s) the given files belong to.

    For each file, the nearest enclosing folder (the file's own folder included) that holds
    any of ``persons.xml``, ``places.xml``, ``sources.xml`` is the edition root.
    """
    registers: dict[Path, None] = {}
    folders_seen: set[Path] = set()  # files share folders: look at each folder once
    for file in files:
        folder = file.resolve().parent
        if folder in folders_seen:
            continue
        folders_seen.add(folder)
        for candidate in (folder, *folder.parents):
            present = [candidate / name for name in REGISTER_FILES
                       if (candidate / name).is_file()]
            if present:
                registers.update(dict.fromkeys(present))
                break
    return list(registers)
