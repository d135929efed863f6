"""Which files to validate after a change: the files changed since a git ref, and their dependents.

A letter's cross-file checks read its edition's registers (``persons.xml``, ``places.xml``,
``sources.xml``, the files of ``data/indices/``…), so a changed register selects every file
of that edition; a changed schema
selects everything.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

from teitools.errors import GitError, InputError
from teitools.load.inputs import find_xml_files, may_be_register, registers_by_file

#: The files teitools.load.settings reads settings from (named here, not imported: importing the
#: settings module loads jsonschema, a tenth of a second on every start).
SETTINGS_FILES = ("teitools.toml", "pyproject.toml")


def changed_files(ref: str, where: Path | None = None) -> set[Path]:
    """Absolute paths of the files changed since ``ref``: committed since, staged, unstaged,
    and untracked (not ignored) files, deleted ones included."""
    if ref.startswith("-"):
        raise GitError(f"{ref!r} is not a git ref")
    where = where or Path.cwd()
    found = _git(["rev-parse", "--show-toplevel", "--verify", "--quiet", f"{ref}^{{commit}}"], where)
    top = Path(found.splitlines()[0])
    if len(found.splitlines()) < 2:
        raise GitError(f"{ref!r} is not a commit in the git repository at {top}")
    # The two listings run side by side: together they are most of --changed-since's time.
    diff, untracked = _git_parallel(
        [
            ["diff", "--name-only", "--no-renames", "-z", ref, "--"],
            ["ls-files", "--others", "--exclude-standard", "-z"],
        ],
        top,
    )
    names = [name for name in (diff + untracked).split("\0") if name]
    return {top / name for name in names}


def select_changed(
    paths: Sequence[Path],
    changed: Iterable[Path],
    *,
    registers: Sequence[Path] | None = None,
    schemas: Iterable[Path] = (),
) -> list[Path]:
    """Of the files :func:`~teitools.load.inputs.find_xml_files` finds in ``paths``, those to
    validate again given the ``changed`` paths, in the same order.

    A file is selected when it changed, when one of its registers changed (``registers``
    given: those are every file's registers; None: found beside or above each file), when a
    settings file (``teitools.toml``, ``pyproject.toml``) in its folder or above changed, or
    when any of ``schemas`` changed. When none of those changed, only the changed paths are
    looked at, so that one changed letter in a large edition is found at once.
    """
    real = _RealPaths()
    changed_set = {real(path) for path in changed}
    if changed_set & {real(schema) for schema in schemas}:
        return find_xml_files(paths)
    if registers is not None and changed_set & {real(register) for register in registers}:
        return find_xml_files(paths)
    # Settings name the schemas: a changed settings file may change every file's result.
    settings = [path.parent for path in changed_set if path.name in SETTINGS_FILES]
    changed_registers = (
        {path for path in changed_set if may_be_register(path)} if registers is None else set()
    )
    if not settings and not changed_registers:
        return _changed_below(paths, changed_set, real)
    files = find_xml_files(paths)
    editions = registers_by_file(files) if changed_registers else {}
    return [
        file
        for file in files
        if real(file) in changed_set
        or any(real(file).is_relative_to(folder) for folder in settings)
        or (changed_registers and _depends(real(file), [real(r) for r in editions[file]], changed_registers))
    ]


def _changed_below(paths: Sequence[Path], changed: set[Path], real: _RealPaths) -> list[Path]:
    """The changed XML files below ``paths``, named and ordered as find_xml_files would."""
    selected: list[Path] = []
    for path in paths:
        if path.is_dir():
            top = path.resolve()
            below = sorted(
                candidate.relative_to(top).parts
                for candidate in changed
                if candidate.suffix == ".xml"
                and candidate.is_relative_to(top)
                and not any(part.startswith(".") for part in candidate.relative_to(top).parts)
                and candidate.is_file()
            )
            selected.extend(path.joinpath(*parts) for parts in below)
        elif not path.exists():
            raise InputError(f"{path}: no such file or folder")
        elif real(path) in changed:
            selected.append(path)
    return list(dict.fromkeys(selected))


def _depends(file: Path, registers: list[Path], changed: set[Path]) -> bool:
    """True when a changed register is one of the file's, or was deleted from its edition's
    folder (or a folder above it)."""
    if any(register in changed for register in registers):
        return True
    return any(not register.exists() and file.is_relative_to(register.parent) for register in changed)


class _RealPaths:
    """Real paths, resolving each folder once: a deleted file has no real path of its own,
    and folders are few, so this stays cheap for many thousands of files."""

    def __init__(self) -> None:
        self._folders: dict[Path, Path] = {}

    def __call__(self, path: Path) -> Path:
        folder = path.parent
        if folder not in self._folders:
            self._folders[folder] = folder.resolve()
        return self._folders[folder] / path.name


def _git(args: list[str], where: Path) -> str:
    return _git_parallel([args], where)[0]


def _git_parallel(commands: list[list[str]], where: Path) -> list[str]:
    """The output of each git command, run at the same time in ``where``."""
    git = shutil.which("git")
    if git is None:
        raise GitError("--changed-since needs git, which is not installed (not found on PATH)")
    running = [
        (args, subprocess.Popen([git, *args], cwd=where, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
        for args in commands
    ]
    outputs = []
    try:
        for args, process in running:
            stdout, stderr = process.communicate()
            # rev-parse --verify --quiet fails silently for an unknown ref: the caller says so.
            if process.returncode != 0 and not (args[0] == "rev-parse" and not stderr):
                message = stderr.decode("utf-8", errors="replace").strip().splitlines()
                raise GitError(
                    f"git {args[0]} failed in {where}: "
                    f"{message[-1] if message else f'exit code {process.returncode}'}"
                )
            outputs.append(stdout.decode("utf-8", errors="surrogateescape"))
    finally:
        for _, process in running:
            if process.poll() is None:
                process.kill()
                process.wait()
    return outputs
