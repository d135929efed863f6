"""Writing outputs safely: every file goes to a temporary name in its folder, then is renamed.

A reader of the output folder therefore sees either the previous file or the complete new
one, never a partial file, even when teitools is interrupted (Ctrl-C, SIGTERM) or the disk
fills up. :func:`write_files` writes every file of a set to its temporary name (and flushes
them to disk) before it renames any, so a failure while writing leaves the previous set
untouched. Temporary files
are removed on any failure or interruption; they are named ``.NAME.*.tmp``.

Nothing is written through a symbolic link that lies in the working tree, nor through any
link below an output folder (:func:`destination`): a repository can carry links, and a link
committed as ``build/`` would otherwise have a build write wherever its author chose.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import secrets
import stat
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from teitools.errors import OutputError
from teitools.load.inputs import work_tree

#: Temporary files are ``.<name>.<random>.tmp`` beside their target.
TEMPORARY_SUFFIX = ".tmp"
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def write_atomic(path: Path, data: str | bytes | Iterable[str]) -> None:
    """Write ``data`` to ``path`` atomically (UTF-8 for text); ``data`` may come in pieces
    (an iterable of strings), written as they come, so that a long text is never held whole.

    Refused, before anything is written, when the path goes through a symbolic link in the
    working tree (see :func:`destination`).
    """
    target = destination(path)
    staged: list[str] = []
    try:
        _stage(target, data, staged)
        _commit(staged[0], target)
    except BaseException:
        _discard(staged)
        raise


def write_new(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path``, which must not exist yet: refused (:class:`OutputError`)
    when it does, even when it appears while the data is written, since the complete
    temporary file is linked to its name, which fails on a name that is taken."""
    target = destination(path)
    staged: list[str] = []
    try:
        _stage(target, data, staged)
        os.link(staged[0], target)
    except FileExistsError:
        raise OutputError(f"{path} already exists; it is left as it was") from None
    except OSError as error:
        raise OutputError(f"cannot write {path}: {_reason(error)}") from None
    finally:
        _discard(staged)


def append_text(path: Path, text: str) -> None:
    """Append ``text`` to ``path`` (UTF-8), as GitHub's ``$GITHUB_STEP_SUMMARY`` expects.

    Not atomic: the file belongs to the caller, who reads it only when the step is over.
    """
    try:
        with path.open("a", encoding="utf-8") as stream:
            stream.write(text)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None


def write_files(folder: Path, files: Mapping[str, str | bytes]) -> list[Path]:
    """Write ``files`` (relative path -> content) below ``folder``; return the paths written.

    A relative path that would leave ``folder`` (``..``, an absolute path) or go through a
    symbolic link below it, and a ``folder`` that goes through a symbolic link in the working
    tree (see :func:`destination`), are refused before anything is written. Every file is
    written to its temporary name first; only when all are complete are they renamed into place.
    """
    targets = _targets(folder, files)
    with StagedFiles(folder, durable=len(targets) == 1) as staged:
        for relative, data in files.items():
            staged.add(relative, data)
        return staged.commit()


def write_stream(folder: Path, files: Iterable[tuple[str, str | bytes]]) -> list[Path]:
    """:func:`write_files` for files that arrive one by one (relative path, content), so that
    only their names are kept: a 50,000-letter export needs no more memory than one letter.

    The set is as atomic as :func:`write_files`' (nothing is renamed into place before the last
    file is complete), but a refused name stops the set when it arrives, not before the first
    file is written; what was written by then is removed.
    """
    with StagedFiles(folder) as staged:
        for relative, data in files:
            staged.add(relative, data)
        return staged.commit()


class StagedFiles:
    """A set of files written to temporary names below ``folder`` as they come (:meth:`add`),
    then renamed into place together (:meth:`commit`); used as a context manager, it removes
    the temporary files when the block fails or is interrupted before the commit.

    ``durable`` asks for an ``fsync`` of each file (right for one file); a set of many is
    flushed to disk with one ``sync`` before the renames instead.
    """

    def __init__(self, folder: Path, *, durable: bool = False) -> None:
        self._folder = folder
        #: The folder's absolute path and the length of its prefix on every target (with the
        #: separator): targets stay strings, see :func:`_target_name`.
        self._base = os.fspath(destination(folder))
        self._skip = len(self._base) + 1
        self._durable = durable
        self._staged: list[str] = []
        #: Relative name -> (temporary, target), in the order the files came; no temporary for
        #: a file that already holds its content. Strings, not paths: a path object takes
        #: several times the memory, and a set may have 50,000 files.
        self._files: dict[str, tuple[str | None, str]] = {}
        #: Folders below the root already checked for links, so that each is checked once.
        self._checked: set[str] = set()
        #: Folders made (or found) for the files so far, so that each is made once.
        self._made: set[str] = set()
        #: The temporary names' random part: drawn once for the set, then counted, since a
        #: draw is a system call and a set may have 50,000 files.
        self._random = secrets.token_hex(6)
        self._count = itertools.count()

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, *failure: object) -> None:
        self.discard()

    def __len__(self) -> int:
        return len(self._files)

    def add(self, relative: str, data: str | bytes) -> None:
        """Write ``data`` to a temporary file for ``relative``; a name given twice keeps the
        later content. Refused (:class:`OutputError`) as :func:`write_files` refuses names.

        A file that already holds exactly ``data`` is left as it is (no temporary, no rename):
        a rebuild then rewrites only what changed, keeping the other files' times for tools
        that copy changed files, and replacing a file is what costs most on a file system that
        discards freed blocks at once (2 to 3 ms a file here, where writing a new one takes 0.3).
        """
        # The file itself is looked at once, for a link and for its content (one lstat).
        target = _target_name(self._base, self._folder, relative, self._checked, file_too=False)
        name = target[self._skip :]  # normalised, as the checks made it
        status = _lstat(target)
        if status is not None and stat.S_ISLNK(status.st_mode):
            raise _link_refused(relative, self._folder, name)
        payload = data.encode("utf-8") if isinstance(data, str) else data
        earlier = self._files.pop(name, None)
        if earlier is not None and earlier[0] is not None:
            _discard([earlier[0]])
        if status is not None and _holds(target, status, payload):
            self._files[name] = (None, target)
            return
        _stage(target, payload, self._staged, durable=self._durable, folders=self._made, unique=self._unique)
        self._files[name] = (self._staged[-1], target)

    def _unique(self) -> str:
        return f"{self._random}{next(self._count):x}"

    def commit(self) -> list[Path]:
        """Rename every file into place (after one ``sync`` for a set); return the targets."""
        if len(self._files) > 1 or not self._durable:
            _sync(self._folder)
        for temporary, target in self._files.values():
            if temporary is not None:
                _commit(temporary, target)
        self._staged.clear()
        # The paths made as the names are let go (from the end: popitem), not beside them.
        targets = []
        while self._files:
            targets.append(Path(self._files.popitem()[1][1]))
        targets.reverse()
        return targets

    def discard(self) -> None:
        """Remove the temporary files not yet renamed into place."""
        _discard(self._staged)
        self._staged.clear()


def remove_files(folder: Path, relative: Iterable[str]) -> list[Path]:
    """Remove the files ``relative`` (paths below ``folder``, as :func:`write_files` takes
    them) that exist, and the folders that this leaves empty; return the files removed.

    For ``teitools build``, which removes only what an earlier build wrote (its manifest):
    paths that leave ``folder`` or go through a link are refused as for writing, and only
    regular files are removed, never a folder with something in it.
    """
    removed: list[Path] = []
    root = destination(folder)
    for target in _targets(folder, dict.fromkeys(relative, b"")):
        if target.is_file() and not target.is_symlink():
            try:
                target.unlink()
            except OSError as error:
                raise OutputError(f"cannot remove {target}: {_reason(error)}") from None
            removed.append(target)
            for parent in target.parents:
                if parent == root or not parent.is_relative_to(root):
                    break
                try:
                    parent.rmdir()  # only if empty
                except OSError:
                    break
    return removed


def destination(path: Path) -> Path:
    """The absolute path to write for ``path``; refuse one through a link in the working tree.

    The working tree is the git work tree around the current directory, or the current
    directory itself. Anyone who can commit to a repository can commit a symbolic link
    (``build -> /home/ci/.ssh``), so no existing component of ``path`` may be a symbolic link
    that lies inside the working tree, whether teitools chose the path (``build/site``) or the
    user typed it. Links outside the working tree are the user's own (``/tmp`` on macOS, a
    deployment folder): a user who wants to write where a link in the tree points names its
    target. ``..`` is resolved on the path as written, which is also the path then written,
    so that what is checked is what is written. Raise :class:`OutputError` (exit code 2).
    """
    try:
        # Lexical on purpose (not resolve()): the links on the path are what is checked.
        absolute = Path(os.path.abspath(path))  # noqa: PTH100
        tree = _working_tree()
        link = next(
            (
                component
                for component in (*reversed(absolute.parents), absolute)
                if component.is_symlink() and component.parent.resolve().is_relative_to(tree)
            ),
            None,
        )
    except (OSError, ValueError) as error:
        raise OutputError(f"cannot write {path}: {_reason(error)}") from None
    if link is not None:
        raise OutputError(
            f"refusing to write {path}: {_shown(link, tree)} is a symbolic link in the repository, which "
            "could lead anywhere; give the path of the folder or file it stands for to write there"
        )
    return absolute


def _working_tree() -> Path:
    here = Path.cwd().resolve()
    return work_tree(here) or here


def _shown(component: Path, tree: Path) -> str:
    """``component`` as the user would write it: relative to the current directory when in the tree."""
    return os.path.relpath(component, Path.cwd()) if component.is_relative_to(tree) else str(component)


def _targets(folder: Path, files: Mapping[str, str | bytes]) -> list[Path]:
    """The paths to write for ``files``, every name checked before anything is written."""
    root = destination(folder)
    checked: set[str] = set()
    return [_target(root, folder, relative, checked) for relative in files]


def _target(root: Path, folder: Path, relative: str, checked: set[str]) -> Path:
    """Where ``relative`` goes below ``root`` (``folder`` as the user named it); ``checked``
    holds the folders below ``root`` already found free of links, so each is looked at once."""
    return Path(_target_name(os.fspath(root), folder, relative, checked))


def _target_name(base: str, folder: Path, relative: str, checked: set[str], *, file_too: bool = True) -> str:
    """:func:`_target` as a string, for ``base`` (the root as a string); without ``file_too``
    only the folders on the way are checked, for a caller that looks at the file itself.

    On strings, not paths (hence the ``noqa: PTH``): an export asks this for each of its
    thousands of files, and made paths were a third of the time the site's main process
    spent on each file."""
    name = _checked_name(relative, folder)
    parts = name.split(os.sep)  # noqa: PTH206 -- see the docstring
    for depth in range(1, len(parts) + (1 if file_too else 0)):
        component = os.sep.join(parts[:depth])  # noqa: PTH118 -- see the docstring
        if depth < len(parts) and component in checked:
            continue
        # Every link below the folder is refused, not only one pointing out: a link to a
        # file elsewhere in the folder would have one file written under another's name.
        if os.path.islink(f"{base}{os.sep}{component}"):  # noqa: PTH114 -- see the docstring
            raise _link_refused(relative, folder, component)
        if depth < len(parts):
            checked.add(component)
    return f"{base}{os.sep}{name}"


def _link_refused(relative: str, folder: Path, component: str) -> OutputError:
    return OutputError(
        f"refusing to write {relative!r}: {folder / component} is a symbolic link, "
        f"which could lead outside {folder}"
    )


def _checked_name(relative: str, folder: Path) -> str:
    """``relative`` normalised; refused when it is empty, holds a NUL or leaves ``folder``."""
    if "\x00" in relative:
        raise OutputError(f"refusing to write {relative!r}: a file name cannot hold a NUL byte")
    name = os.path.normpath(relative) if relative else ""
    # A rooted name or one with a drive (Windows) is refused whole: either would leave the folder.
    rooted = os.path.isabs(name) or os.path.splitdrive(name)[0]  # noqa: PTH117 -- see _target_name
    if rooted or name in ("", ".", os.pardir) or name.startswith(os.pardir + os.sep):
        raise OutputError(f"refusing to write {relative!r}: it is outside {folder}")
    return name


def _lstat(target: str) -> os.stat_result | None:
    try:
        return os.lstat(target)
    except OSError:
        return None


def _holds(target: str, status: os.stat_result, payload: bytes) -> bool:
    """Whether ``target`` (whose ``lstat`` is ``status``) is a regular file, not a link,
    whose bytes are ``payload``."""
    if not stat.S_ISREG(status.st_mode) or status.st_size != len(payload):
        return False
    try:
        with open(target, "rb") as stream:  # noqa: PTH123 -- a string, see _target_name
            return stream.read() == payload
    except OSError:
        return False


def _sync(folder: Path) -> None:
    try:
        os.sync()
    except OSError as error:
        raise OutputError(f"cannot write {folder}: {_reason(error)}") from None


def _stage(
    path: str | Path,
    data: str | bytes | Iterable[str],
    staged: list[str],
    *,
    durable: bool = True,
    folders: set[str] | None = None,
    unique: Callable[[], str] | None = None,
) -> None:
    """Write ``data`` to a new temporary file beside ``path``, listed in ``staged``;
    ``folders`` are those already made in this set of files, made once each; ``unique``
    gives the temporary name's unique part (random by default).

    The name is listed before the file is created, so that an interruption at any moment
    (a signal arrives between two bytecodes) leaves nothing the caller cannot remove.
    """
    pieces: Iterable[bytes]
    if isinstance(data, bytes):
        pieces = (data,)
    elif isinstance(data, str):
        pieces = (data.encode("utf-8"),)
    else:
        pieces = (piece.encode("utf-8") for piece in data)
    parent = os.path.dirname(path)  # noqa: PTH120 -- a string, see _target_name
    try:
        if folders is None or parent not in folders:
            os.makedirs(parent, exist_ok=True)  # noqa: PTH103 -- a string, see _target_name
            if folders is not None:
                folders.add(parent)
        handle = _create_temporary(path, staged, unique or _random_part)
    except (OSError, ValueError) as error:
        raise OutputError(f"cannot write {path}: {_not_a_folder(Path(parent)) or _reason(error)}") from None
    try:
        # Straight to the descriptor: a file object would ask the system whether it is a
        # terminal and where it stands, for each of an export's thousands of files.
        try:
            for piece in pieces:
                view = memoryview(piece)
                while view:
                    view = view[os.write(handle, view) :]
            if durable:
                os.fsync(handle)
        finally:
            os.close(handle)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {_reason(error)}") from None


def _random_part() -> str:
    return secrets.token_hex(6)


def _create_temporary(path: str | Path, staged: list[str], unique: Callable[[], str]) -> int:
    # A string, not a path: a set of 50,000 files keeps every temporary name until its commit.
    folder, name = os.path.split(path)  # an absolute path: the folder is never empty
    for _ in range(100):
        temporary = f"{folder}{os.sep}.{name}.{unique()}{TEMPORARY_SUFFIX}"
        staged.append(temporary)
        try:
            # 0o666: the umask decides, as for any file the user writes (mkstemp's 0o600 made
            # a published site unreadable to the web server).
            return os.open(temporary, _CREATE_FLAGS, 0o666)
        except FileExistsError:
            staged.pop()  # someone else's file: never removed by us
    raise OutputError(f"cannot write {path}: no free temporary name")


def _commit(temporary: str, path: str | Path) -> None:
    try:
        os.replace(temporary, path)  # noqa: PTH105 -- temporary names are kept as strings
    except OSError as error:
        raise OutputError(f"cannot write {path}: {_reason(error)}") from None


def _discard(temporaries: list[str]) -> None:
    for temporary in temporaries:
        with contextlib.suppress(OSError):
            os.unlink(temporary)  # noqa: PTH108 -- temporary names are kept as strings


def _not_a_folder(folder: Path) -> str | None:
    """Why ``folder`` cannot be created: an existing ancestor that is a file, if any."""
    for ancestor in (folder, *folder.parents):
        if ancestor.exists() or ancestor.is_symlink():
            return None if ancestor.is_dir() else f"{ancestor} is a file, not a folder"
    return None


def _reason(error: Exception) -> str:
    return (error.strerror if isinstance(error, OSError) else None) or str(error) or type(error).__name__
