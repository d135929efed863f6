"""What the server knows of an edition: its files' facts, its register entries, open buffers.

An edition is read once, when the first of its files is opened: every file's ids and
pointers (what the cross-file checks need) and the registers' entries. After that only what
changes is read again: the buffer being edited, and files whose modification time changed on
disk (looked at when a file is opened or saved). A file open in the editor counts as its
buffer says, not as it is on disk, in every check of every other file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from teitools.diagnostics import Diagnostic
from teitools.errors import TeiToolsError
from teitools.load.inputs import find_registers, find_xml_files, registers_by_file
from teitools.load.record import FileRecord, read_record
from teitools.load.settings import settings_for
from teitools.lsp.registers import Entry, read_entries
from teitools.validation.corpus import FileFacts, gather_facts
from teitools.validation.runner import ValidateOptions, check_buffer, project_rules_apply


@dataclass
class _Known:
    """One file as last read: its modification time (None: a buffer), facts, entries."""

    mtime: float | None
    facts: FileFacts | None
    entries: list[Entry] = field(default_factory=list)


class Edition:
    """The files of one edition (the folder of its registers, or of a lone file)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        settings = settings_for([folder])
        #: The options ``teitools validate`` uses in this folder, with no option given.
        self.options = ValidateOptions(
            project_schemas=settings.schemas, project_rules_on_declared=project_rules_apply(settings)
        )
        self._known: dict[str, _Known] = {}
        self.registers: tuple[str, ...] = ()
        self.buffers: dict[str, bytes] = {}
        self.refresh()

    def refresh(self) -> None:
        """Read again the files that changed on disk (and find new and removed ones); a file
        open in a buffer is left as the buffer has it."""
        try:
            files = find_xml_files([self.folder])
        except TeiToolsError:
            files = []
        names = {str(path): path for path in files}
        for gone in set(self._known) - set(names) - set(self.buffers):
            del self._known[gone]
        for name, path in names.items():
            if name in self.buffers:
                continue
            mtime = _mtime(path)
            known = self._known.get(name)
            if known is None or known.mtime != mtime:
                self._read(name, read_record(path).parsed(), mtime)
        # Registers are found by their real paths; they are named as the edition's files are.
        by_real = {path.resolve(): name for name, path in names.items()}
        registers = [(by_real.get(p.resolve(), str(p)), p) for p in find_registers(files)]
        for name, path in registers:
            # A register above the workspace folder is read, as `teitools validate` reads it.
            if name not in names and name not in self.buffers:
                mtime = _mtime(path)
                known = self._known.get(name)
                if known is None or known.mtime != mtime:
                    self._read(name, read_record(path).parsed(), mtime)
        self.registers = tuple(name for name, _ in registers)

    def _read(self, name: str, record: FileRecord, mtime: float | None) -> None:
        tree = record.tree
        if tree is None:
            self._known[name] = _Known(mtime, None)
            return
        facts = gather_facts(tree, record.path)
        entries = read_entries(tree, name, record.data) if facts.kind == "register" else []
        self._known[name] = _Known(mtime, facts, entries)

    def check(self, path: Path, data: bytes) -> tuple[Diagnostic, ...]:
        """The findings of ``path`` with the bytes ``data`` (its buffer), which from now on
        stand for the file in the checks of other files."""
        name = str(path)
        self.buffers[name] = data
        facts = {file: known.facts for file, known in self._known.items() if known.facts is not None}
        findings, mine = check_buffer(FileRecord(path, data), self.options, facts, self.registers)
        entries: list[Entry] = []
        if mine is not None and mine.kind == "register":
            tree = FileRecord(path, data).parsed().tree
            entries = read_entries(tree, name, data) if tree is not None else []
        self._known[name] = _Known(None, mine, entries)
        return findings

    def close(self, path: Path) -> None:
        """The buffer of ``path`` was closed: the file counts as it is on disk again."""
        name = str(path)
        if self.buffers.pop(name, None) is not None:
            self._known.pop(name, None)
            if path.is_file():
                self._read(name, read_record(path).parsed(), _mtime(path))

    def is_register(self, path: Path) -> bool:
        return str(path) in self.registers

    def entries(self) -> dict[str, Entry]:
        """The register entries by id (the first register that has an id wins)."""
        found: dict[str, Entry] = {}
        for name in self.registers:
            known = self._known.get(name)
            for entry in known.entries if known is not None else ():
                found.setdefault(entry.id, entry)
        return found

    def files(self) -> list[str]:
        """Every file of the edition, as findings name them."""
        return sorted(self._known)

    def facts(self, name: str) -> FileFacts | None:
        known = self._known.get(name)
        return known.facts if known is not None else None


def _mtime(path: Path) -> float | None:
    try:
        return os.stat(path).st_mtime  # noqa: PTH116 -- one system call per file, for thousands
    except OSError:
        return None


def edition_folder(path: Path) -> Path:
    """The folder of the edition ``path`` (relative to the workspace) belongs to: where its
    registers are, as ``teitools validate`` finds them; the file's own folder when it has
    none; the workspace when the edition's root is above it."""
    registers = registers_by_file([path]).get(path, ())
    folder = registers[0].parent if registers else path.parent
    try:  # found as a real path: named from the working folder (the workspace), as the file is
        return folder.relative_to(Path.cwd()) if folder.is_absolute() else folder
    except ValueError:
        # The edition's root is above the workspace: only the workspace's files are read (and
        # the registers, by :meth:`Edition.refresh`), as `teitools validate` run there reads.
        return Path()
