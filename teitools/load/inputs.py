"""Turning the paths a user gives into the XML files teitools reads."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from teitools.errors import InputError

#: The bundled edition, used when a command is given no path.
DEFAULT_EDITION = Path("tei")
#: Where ``teitools build`` writes, when not told otherwise.
DEFAULT_OUTPUT = Path("build")
REGISTER_FILES = ("persons.xml", "places.xml", "sources.xml")
#: Folders of register files, as TEI Publisher editions and others keep them (every ``*.xml``
#: in one is a register), looked for in the same folders as :data:`REGISTER_FILES`.
REGISTER_FOLDERS = ("indices", "data/indices", "registers")


#: Files of ignore rules read in each folder walked: git's, and teitools' own for files that
#: git keeps but an edition's checks should not see (test fixtures, samples of mistakes).
GITIGNORE = ".gitignore"
TEITOOLSIGNORE = ".teitoolsignore"
#: Past this, the rest of an ignore file is not read.
MAX_IGNORE_FILE_BYTES = 1024 * 1024


def find_xml_files(
    paths: Iterable[Path], exclude: Sequence[str] = (), *, use_ignore_files: bool = True
) -> list[Path]:
    """Expand folders to the ``*.xml`` files below them, in a stable order.

    What a folder holds is filtered by ``exclude`` (gitignore patterns, relative to that
    folder) and, unless ``use_ignore_files`` is false, by the ``.teitoolsignore`` files and,
    in a git work tree, the ``.gitignore`` files from the work tree's root down; a file or
    folder named in ``paths`` is always read, whatever those rules say. Raise
    :class:`InputError` for a path that does not exist or a folder without XML.
    """
    found = (
        path if parts is None else path.joinpath(*parts)
        for path, parts in _inputs(paths, exclude, use_ignore_files=use_ignore_files)
    )
    return list(dict.fromkeys(found))


def find_xml_names(
    paths: Iterable[Path], exclude: Sequence[str] = (), *, use_ignore_files: bool = True
) -> list[str]:
    """The files :func:`find_xml_files` finds, each named as ``str()`` of its path would name
    it, without a ``Path`` object each: for a run over tens of thousands of files, which
    keeps their names to the end (50,000 ``Path`` objects were 20 MiB)."""
    found = (
        str(path) if parts is None else _joined(str(path), parts)
        for path, parts in _inputs(paths, exclude, use_ignore_files=use_ignore_files)
    )
    return list(dict.fromkeys(found))


def _joined(folder: str, parts: tuple[str, ...]) -> str:
    """``str(Path(folder).joinpath(*parts))``, for a ``folder`` as ``str()`` of a path writes it."""
    if folder == ".":
        return "/".join(parts)
    return f"{folder}{'' if folder.endswith('/') else '/'}{'/'.join(parts)}"


def _inputs(
    paths: Iterable[Path], exclude: Sequence[str], *, use_ignore_files: bool
) -> Iterator[tuple[Path, tuple[str, ...] | None]]:
    """Each input file: a path given (parts None), or a folder given and the parts of a file below it."""
    for path in paths:
        if path.is_dir():
            walk = sorted(_xml_below(path, exclude, use_ignore_files=use_ignore_files))
            if not walk:
                raise InputError(f"{path}: no .xml files in this folder")
            for parts in walk:
                yield path, parts
        elif path.exists() or path.is_symlink():
            yield path, None
        else:
            raise InputError(f"{path}: no such file or folder")


@dataclass(frozen=True)
class _Rule:
    """One line of an ignore file: a gitignore pattern, for paths below ``base`` (the parts of
    the folder that holds the file, from the work tree's root, or from the folder walked
    outside a work tree)."""

    pattern: re.Pattern[str]
    base: tuple[str, ...]
    negated: bool
    folders_only: bool

    @classmethod
    def parse(cls, line: str, base: tuple[str, ...]) -> _Rule:
        text = line.rstrip("\n").rstrip()
        negated = text.startswith("!")
        text = text.removeprefix("!")
        folders_only = text.endswith("/")
        text = text.rstrip("/")
        # As git: a pattern with a slash before its end is relative to its file's folder;
        # one without matches a name at any depth.
        anchored = "/" in text
        body = _glob_to_regex(text.removeprefix("/"))
        return cls(re.compile(body if anchored else f"(?:.*/)?{body}"), base, negated, folders_only)

    def decides(self, parts: tuple[str, ...], is_folder: bool) -> bool:
        if self.folders_only and not is_folder:
            return False
        depth = len(self.base)
        if parts[:depth] != self.base or len(parts) == depth:
            return False
        return self.pattern.fullmatch("/".join(parts[depth:])) is not None


def _glob_to_regex(glob: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(glob):
        char = glob[index]
        if glob.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
            continue
        if glob.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and (close := glob.find("]", index + 1)) > index:
            out.append("[" + glob[index + 1 : close].replace("!", "^", 1) + "]")
            index = close + 1
            continue
        elif char == "\\" and index + 1 < len(glob):
            out.append(re.escape(glob[index + 1]))
            index += 2
            continue
        else:
            out.append(re.escape(char))
        index += 1
    return "".join(out)


def _ignored(rules: Sequence[_Rule], parts: tuple[str, ...], is_folder: bool) -> bool:
    verdict = False
    for rule in rules:  # as in git, the last rule that matches decides
        if rule.decides(parts, is_folder):
            verdict = not rule.negated
    return verdict


def _rules_in(folder: Path, base: tuple[str, ...], *, in_git: bool) -> list[_Rule]:
    rules: list[_Rule] = []
    for name in (GITIGNORE, TEITOOLSIGNORE) if in_git else (TEITOOLSIGNORE,):
        path = folder / name
        try:
            # A regular file only, and only its start: a FIFO or a device committed under
            # this name must not make the walk wait or read without end.
            if not path.is_file():
                continue
            with path.open("rb") as stream:
                text = stream.read(MAX_IGNORE_FILE_BYTES).decode("utf-8", errors="replace")
        except OSError:  # unreadable: no rules, as git does
            continue
        lines = (line for line in text.splitlines() if line.strip() and not line.startswith("#"))
        rules.extend(_Rule.parse(line, base) for line in lines)
    return rules


def _origin(top: Path, *, use_ignore_files: bool) -> tuple[tuple[str, ...], list[_Rule], bool]:
    """Where ``top`` lies in its git work tree (its parts from the tree's root; () outside
    any), the rules of the ignore files in the folders above it, and whether it is in one."""
    absolute = top.resolve()
    tree = work_tree(absolute) if use_ignore_files else None
    if tree is None:
        return (), [], False
    origin = absolute.relative_to(tree).parts
    rules: list[_Rule] = []
    for depth in range(len(origin)):
        rules += _rules_in(tree.joinpath(*origin[:depth]), origin[:depth], in_git=True)
    return origin, rules, True


def _xml_below(top: Path, exclude: Sequence[str], *, use_ignore_files: bool) -> Iterator[tuple[str, ...]]:
    """The relative paths, as parts, of the ``*.xml`` files below ``top`` that no rule
    ignores; hidden ones left out.

    A walk with ``os.scandir`` rather than ``Path.rglob``: it needs no system call per file,
    which matters for editions of tens of thousands of letters.
    """
    origin, rules, in_git = _origin(top, use_ignore_files=use_ignore_files)
    rules += [_Rule.parse(pattern, origin) for pattern in exclude if pattern.strip()]
    folders: list[tuple[tuple[str, ...], list[_Rule]]] = [((), rules)]
    while folders:
        relative, in_force = folders.pop()
        folder = top.joinpath(*relative)
        if use_ignore_files:
            in_force = in_force + _rules_in(folder, (*origin, *relative), in_git=in_git)
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                parts = (*relative, entry.name)
                if entry.is_dir(follow_symlinks=False):
                    if not _ignored(in_force, (*origin, *parts), is_folder=True):
                        folders.append((parts, in_force))
                elif (
                    entry.name.endswith(".xml")
                    and not entry.is_dir()
                    and not _ignored(in_force, (*origin, *parts), is_folder=False)
                ):
                    # Not only regular files: a broken link or a FIFO named *.xml is reported
                    # as unreadable by the loader instead of being silently left out.
                    yield parts


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


def find_registers(files: Iterable[Path | str]) -> list[Path]:
    """The register files of the edition(s) the given files (paths, or names as ``str()`` of
    a path writes them) belong to.

    For each file, the nearest enclosing folder (the file's own folder included) that holds
    any of ``persons.xml``, ``places.xml``, ``sources.xml`` or a register folder
    (:data:`REGISTER_FOLDERS`) is the edition root; its registers are those files and the
    ``*.xml`` files in those folders.
    """
    registers: dict[Path, None] = {}
    by_folder: dict[str, tuple[Path, ...]] = {}
    # Not through registers_by_file: a dict of every file would outlive this call in the
    # process's memory (50,000 letters: 8 MB), for a list of a few registers. By name, not
    # by Path: a run names its files by strings, and a Path for each cost as much as the rest.
    for file in files:
        folder = _edition_folder(os.fspath(file))
        if folder not in by_folder:
            by_folder[folder] = _edition_registers(Path(folder).resolve())
            registers.update(dict.fromkeys(by_folder[folder]))
    return list(registers)


#: A file as :func:`registers_by_file` is given it: a path, or a name.
_File = TypeVar("_File", Path, str)


def registers_by_file(files: Iterable[_File]) -> dict[_File, tuple[Path, ...]]:
    """For each file (a path, or a name as ``str()`` of a path writes it), the registers of
    its edition (as :func:`find_registers` finds them), keyed as given.

    Folders are looked up once each, so this stays cheap for tens of thousands of files; a
    file that is a symbolic link belongs to the edition of the file it points to.
    """
    # Folders as strings, not a Path made per file: a cached re-run of 10,000 letters spent a
    # quarter of its time here.
    by_folder: dict[str, tuple[Path, ...]] = {}
    found: dict[_File, tuple[Path, ...]] = {}
    for file in files:
        folder = _edition_folder(os.fspath(file))
        registers = by_folder.get(folder)
        if registers is None:
            registers = by_folder[folder] = _edition_registers(Path(folder).resolve())
        found[file] = registers
    return found


def _edition_folder(name: str) -> str:
    """The folder (by name: no Path made per file) whose edition the file ``name`` belongs
    to: that of the file a link points to."""
    real = os.path.realpath(name) if os.path.islink(name) else name  # noqa: PTH114 -- by name
    return os.path.dirname(real) or "."  # noqa: PTH120 -- by name


def _edition_registers(folder: Path) -> tuple[Path, ...]:
    for candidate in (folder, *folder.parents):
        # A register folder's own files (a register read as an input) have its registers.
        if any(candidate.as_posix().endswith(f"/{name}") for name in REGISTER_FOLDERS):
            return tuple(
                candidate.joinpath(*parts)
                for parts in sorted(_xml_below(candidate, (), use_ignore_files=False))
            )
        present = [candidate / name for name in REGISTER_FILES if (candidate / name).is_file()]
        for name in REGISTER_FOLDERS:
            if (candidate / name).is_dir():
                present += [
                    candidate.joinpath(name, *parts)
                    for parts in sorted(_xml_below(candidate / name, (), use_ignore_files=False))
                ]
        if present:
            return tuple(present)
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
    # Strings and numbers, each folder looked up once: with a Path made per file and the
    # repository looked for from each file's folder, a shard of 100,000 letters took 5 s.
    folders: dict[str, str] = {}
    sized = sorted(
        ((_size(path), _stable_key(path, folders), number) for number, path in enumerate(files)),
        key=lambda t: (-t[0], t[1]),
    )
    totals = [0] * count
    mine: set[int] = set()
    for size, _, number in sized:
        lightest = min(range(count), key=lambda shard: (totals[shard], shard))
        totals[lightest] += size
        if lightest == index - 1:
            mine.add(number)
    return [path for number, path in enumerate(files) if number in mine]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # unreadable: its shard reports it, like any shard would


def _stable_key(path: Path, folders: dict[str, str]) -> str:
    """A digest of ``path`` relative to its repository; ``folders`` keeps each folder's part."""
    folder, name = os.path.split(os.fspath(path))
    if folder not in folders:
        absolute = Path(folder).absolute()
        root = work_tree(absolute) or Path.cwd()
        relative = os.path.relpath(absolute, root) if absolute.is_relative_to(root) else str(absolute)
        prefix = "" if relative == "." else relative.replace(os.sep, "/")
        folders[folder] = prefix if not prefix or prefix.endswith("/") else prefix + "/"
    return hashlib.sha256((folders[folder] + name).encode("utf-8", "surrogateescape")).hexdigest()
