"""A content-addressed cache of per-file validation results, in the user's cache folder.

Two kinds of entry:

- per file: the findings of the per-file layers (well-formedness, grammar, Schematron) and
  the facts the cross-file checks need (ids and ``#id`` pointers);
- per run: the whole report of a run, keyed on the keys of all its files in order. The
  cross-file checks depend on every file at once, so they are cached only this way: a run
  over exactly the same inputs gives back its report without reading any entry of a file,
  and a run with one file changed validates that file and repeats the (cheap) cross-file
  checks over the facts of all.

The key of a file's entry is a SHA-256 over everything the cached result depends on:

- the file's path (findings carry it) and its bytes (the digest of its record: the bytes the
  check then runs on, so a file edited during a run is never stored under its old key);
- the bytes of the schemas in use (RELAX NG and Schematron), and of those the file declares;
- the bytes of the file's registers (``persons.xml``, ``places.xml``, ``sources.xml``), since
  a schema may read them (Schematron's ``document()``);
- a digest of teitools' own code (the version is written in it, ``teitools/__init__.py``), so
  that an upgrade, or an edit in a development checkout, never serves results of other code.

Any change to one of those gives another key, so entries are never invalidated, only
replaced; deleting the folder is always safe. The per-file entries of a cache folder live in
the pack, sixteen files by the first digit of the key (``v4/pack-0.json`` to
``pack-f.json``), each read once when a run first looks a key of it up and written once at
its end, when the run added entries to it: a file per entry cost more to write than
validating the file (a temporary file, a mode change and a rename each), and one file for
all made a run over one changed letter read and write the whole pack. A file's facts are kept without
the pointers its registers resolve, when every file of the run has the same registers (the
key covers them). What a run learnt of each file's bytes (the digest, whether it declares a
schema) is kept under the file's status in one more file, the index (:class:`FileIndex`),
so that a re-run makes the key of an unchanged file from one ``stat``, without reading it.
A file the index has never seen has no entry either: it is not read for a key before its
check, which reads it once (in a worker, as without a cache) and gives the digest of the
bytes it checked, from which its key is made (:meth:`ResultCache.checked`); so a first run
costs about what a run without a cache does.
A part written anew keeps the entries of this run's files as they are now and every entry of
other files, so a run over part of an edition keeps the rest; an entry whose file changed is
dropped when its part is next written. Entries are JSON (never pickle: a cache restored in
CI may come from another branch, and must not be able to run code) and are written
atomically; an entry that cannot be read is a miss, and so is every entry of a part that
cannot (two runs that end together: the last one's part is kept).

Keys are computable from public facts, so whoever can write the cache folder could plant an
entry saying "no problems" for a file with errors (a pull request that commits one, say).
Hence: the default folder is outside the working tree (:func:`default_cache_dir`), and every
entry carries an HMAC made with a secret that lives only in the user's cache folder
(:func:`user_cache_root`, file ``key``, mode 0600, never in a repository); a pack, index or
run's report that does not authenticate is a miss. A cache folder or key that git tracks is
not used at all.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import stat
import time
import zlib
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from teitools.diagnostics import Diagnostic, Report, Severity
from teitools.export.output import destination
from teitools.load.declarations import Declaration
from teitools.load.inputs import work_tree
from teitools.load.record import FileRecord
from teitools.validation.corpus import LETTERS_FOLDER, FileFacts, Pointer, Position

if TYPE_CHECKING:
    from hashlib import _Hash

#: The variable that names the cache folder, as ``--cache-dir`` does.
CACHE_DIR_VARIABLE = "TEITOOLS_CACHE_DIR"
#: The file in :func:`user_cache_root` holding the secret entries are authenticated with.
KEY_FILE = "key"
_KEY_BYTES = 32
#: Bumped when the layout of entries changes; old entries are then simply not found.
#: 2: every entry starts with its HMAC. 3: the per-file entries in one pack. 4: the pack's
#: entries as JSON values, not strings of JSON (encoded in one call, not one per file), in
#: sixteen files.
ENTRY_FORMAT = 4
#: The pack is sixteen files, by the first digit of the key: a run over a few files (one
#: changed letter) reads and writes a sixteenth of it.
PACK_FILES = "pack-{}.json"
#: The index, in sixteen parts by a checksum of the file's name, for the same reason.
INDEX_FILES = "files-{}.json"
#: A file changed less than this before it was looked at may change again with the same
#: size and times (file systems keep times to a few milliseconds or worse): not indexed.
RACY_NANOSECONDS = 2_000_000_000
_PACKAGE = Path(__file__).resolve().parents[1]
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by teitools.\n"
    "# For information see https://bford.info/cachedir/\n"
)

CachedResult = tuple[tuple[Diagnostic, ...], FileFacts | None]
#: A file's result as its check gives it, with what the check learnt of the bytes it read:
#: their digest (None when the file could not be read, or no digest was asked for) and the
#: schemas they declare.
Checked = tuple[CachedResult, bytes | None, tuple[Declaration, ...]]
#: The record of a file (by name) or register, read once for the whole run: ``records(file)``.
Records = Callable[[Path | str], FileRecord]
#: The schema files a file's declarations name, resolved as its check resolves them:
#: ``declared(path, declarations)``.
DeclaredSchemas = Callable[[Path, tuple[Declaration, ...]], Iterable[Path]]


class ResultCache:
    """Per-file results stored under their content key; see the module docstring."""

    def __init__(
        self,
        folder: Path,
        context: bytes,
        registers: Mapping[str, Sequence[Path]],
        records: Records,
        secret: bytes,
        index: FileIndex | None = None,
        declared: DeclaredSchemas | None = None,
        unseen: Container[str] = frozenset(),
        indexed: Mapping[str, bytes] | None = None,
    ) -> None:
        self.folder = folder
        self.index = index
        #: Files no earlier run saw (see :meth:`checked`).
        self.unseen = unseen
        self._indexed = indexed or {}
        self._declared = declared
        self._schema_digests: dict[Path, bytes] = {}
        self._secret = secret
        self._entries = folder / f"v{ENTRY_FORMAT}"
        self._context = context
        self._registers = registers
        self._records = records
        self._register_digests: dict[Path, bytes] = {}
        self._starts: dict[int, _Hash] = {}
        self._keys: dict[str, str | None] = {}
        self._shared = _Shared()
        #: The pack's entries not looked up yet (key -> [file, entry as JSON]), read on the first
        #: look-up and let go of after the look-ups; the keys found; the entries this run added.
        self._unread: dict[str, dict[str, list[Any]]] = {}
        self._hits: set[str] = set()
        self._added: dict[str, list[Any]] = {}
        self.writable = True

    @classmethod
    def open(
        cls,
        folder: Path,
        schemas: Iterable[Path],
        registers: Mapping[str, Sequence[Path]],
        records: Records,
        *,
        variant: str = "",
        index: FileIndex | None = None,
        declared: DeclaredSchemas | None = None,
        unseen: Container[str] = frozenset(),
        indexed: Mapping[str, bytes] | None = None,
    ) -> ResultCache | None:
        """The cache in ``folder`` for a run with these schemas, each file with its registers;
        ``records`` gives the record of a file or register (its bytes are read once per run);
        ``variant`` names the options that change results; ``declared`` gives the schemas a
        file declares, whose bytes its key then covers (None: declarations are not followed).
        The folder is made when the first entry is written. None (validate without a cache)
        when the folder is tracked by git or there is no usable key (see the module
        docstring). ``index`` (see :class:`FileIndex`) is written with the pack. ``unseen``
        are the files no earlier run saw: they are not read for a key before their check
        (see :meth:`checked`); ``indexed`` the digests of those the index knows unchanged,
        which declare no schema (their keys are made without a record). Files are named
        as the run names them (``str()`` of their path)."""
        secret = load_key()
        if secret is None or _tracked(folder):
            return None
        context = hashlib.sha256()
        for part in (b"teitools", code_digest(), variant.encode()):
            context.update(part + b"\0")
        for schema in schemas:
            context.update(b"schema\0" + _file_digest(schema))
        return cls(folder, context.digest(), registers, records, secret, index, declared, unseen, indexed)

    def key(self, file: str) -> str | None:
        """The key of ``file``'s result, or None when the file cannot be read (not cached)."""
        found = self._keys.get(file)
        if found is None and file not in self._keys:
            digest = self._indexed.get(file)
            if digest is not None:  # the index holds no file that declares a schema
                found = self._key(file, digest, ())
            else:
                record = self._records(file)
                found = self._key(file, record.digest, record.declarations)
            self._keys[file] = found
        return found

    def checked(self, path: str, digest: bytes | None, declared: tuple[Declaration, ...]) -> str | None:
        """The key of an :attr:`unseen` file, from what its check learnt of the bytes it read
        (see :data:`Checked`): the result is stored under the bytes it is the result of,
        and the index learns the file. None when the file could not be read."""
        if self.index is not None and digest is not None:
            self.index.learn(path, digest, bool(declared))
        self._keys[path] = key = self._key(path, digest, declared)
        return key

    def _key(self, file: str, data: bytes | None, declared: tuple[Declaration, ...]) -> str | None:
        if data is None:  # a regular file within the size limit, or not cached
            return None
        digest = self._start(self._registers.get(file, ())).copy()
        digest.update(b"path\0" + os.fsencode(file) + b"\0")
        digest.update(data)
        if self._declared is not None and declared:
            for schema in sorted(set(self._declared(Path(file), declared))):
                digest.update(b"declared\0" + self._schema_digest(schema))
        return digest.hexdigest()

    def _schema_digest(self, schema: Path) -> bytes:
        if schema not in self._schema_digests:
            self._schema_digests[schema] = _file_digest(schema)
        return self._schema_digests[schema]

    def get_report(self, files: Sequence[str]) -> Report | None:
        """The report of an earlier run over exactly these files, all unchanged, or None."""
        key = self._run_key(files)
        if key is None:
            return None
        try:
            return _decode_report(json.loads(self._open(self._run_entry(key))))
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return None

    def put_report(self, files: Sequence[str], report: Report) -> None:
        """Keep the report of a run over ``files`` (not when a file could not be read)."""
        key = self._run_key(files)
        if key is not None:
            self._store(self._run_entry(key), _encode_report(report))

    def _run_key(self, files: Sequence[str]) -> str | None:
        digest = hashlib.sha256(self._context + b"run\0")
        for file in files:
            if file in self.unseen and file not in self._keys:
                return None  # no run saw it, so no run's report has it: not read for a key
            key = self.key(file)
            if key is None:
                return None
            digest.update(key.encode("ascii"))
        return digest.hexdigest()

    def _run_entry(self, key: str) -> Path:
        return self._entries / "runs" / f"{key}.json"

    def get(self, key: str, path: str) -> CachedResult | None:
        """The stored result for ``key``, or None on a miss or an unreadable entry."""
        part = key[:1]
        if part not in self._unread:
            self._unread[part] = self._read_pack(part)
        found = self._unread[part].pop(key, None)
        if found is None:
            return None
        try:
            result = _decode(found[1], path, self._shared)
        except (ValueError, KeyError, TypeError, IndexError):
            return None
        self._hits.add(key)
        return result

    def looked_up(self) -> None:
        """Let go of the entries no look-up asked for: a part is read again to be written."""
        self._unread = {}

    def put(self, key: str, path: str, result: CachedResult) -> None:
        """Keep a result, written with the others by :meth:`flush`."""
        self._added[key] = [path, _encode(result)]

    def flush(self) -> None:
        """Write each part of the pack this run added entries to: the entries this run found
        or added, and those of the files it did not look up (another run's may be new since);
        a cache that cannot be written is silently left alone; the same for :attr:`index`."""
        if self.index is not None and self.writable:
            self.index.flush()
        if not self._added or not self.writable:
            return
        mine = set(self._keys)
        parts: dict[str, dict[str, list[Any]]] = {}
        for key, entry in self._added.items():
            parts.setdefault(key[:1], {})[key] = entry
        for part, added in sorted(parts.items()):
            kept = {
                key: entry
                for key, entry in self._read_pack(part).items()
                if key in self._hits or entry[0] not in mine
            }
            self._store(self._entries / PACK_FILES.format(part), {**kept, **added})
        self._added = {}

    def _read_pack(self, part: str) -> dict[str, list[Any]]:
        """The entries of one part of the pack; none when it is missing or does not authenticate."""
        try:
            loaded = json.loads(self._open(self._entries / PACK_FILES.format(part)))
        except (OSError, ValueError):
            return {}
        if not isinstance(loaded, dict):
            return {}
        # An entry that is not [file, result] cannot be of this format: left out (a result
        # that does not decode is a miss when looked up).
        return {
            key: entry
            for key, entry in loaded.items()
            if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
        }

    def _store(self, target: Path, data: dict[str, Any]) -> None:
        if self.writable:
            self.writable = _store(self.folder, self._entries, target, data, self._secret)

    def _open(self, target: Path) -> bytes:
        return _open(self._entries, target, self._secret)

    def _start(self, registers: Sequence[Path]) -> _Hash:
        """The hash of the context and these registers, made once for the files that share them
        (found by the sequence's identity: the files of a folder share one, and hashing the
        paths of each file's registers cost as much as its key)."""
        found = self._starts.get(id(registers))
        if found is None:
            found = hashlib.sha256(self._context)
            for register in registers:
                found.update(b"register\0" + self._register_digest(register))
            self._starts[id(registers)] = found
        return found

    def _register_digest(self, register: Path) -> bytes:
        if register not in self._register_digests:
            data = self._records(register).digest
            self._register_digests[register] = os.fsencode(register) + b"\0" + (data or b"missing")
        return self._register_digests[register]


class FileIndex:
    """What earlier runs learnt of each file from its bytes (their digest, whether they declare
    a schema), under the file's status when it was read: its size, modification and change
    times, inode and device. A file whose status is the same is not read again to make its
    key; its check, when the pack has no result for it, reads it and compares the digest. A
    file that is not in the index at all was seen by no run (:meth:`seen`).

    The change time cannot be set back by anyone who edits the file (only the clock can), so
    an edit that keeps the size and sets the modification time back is still seen; a file
    changed in the last :data:`RACY_NANOSECONDS` before it was looked at is indexed without
    its status (seen, but read every time until indexed again), as it might change again
    within the file system's resolution of times. A file that declares a schema is read
    every time (a declared schema's digest is part of its key). The index
    is sixteen files (``v4/files-0.json`` to ``files-f.json``, by a CRC-32 of the file's name),
    each read when a file of it is first looked up and authenticated like the pack: one that
    does not authenticate is empty.
    """

    def __init__(self, folder: Path, secret: bytes) -> None:
        self.folder = folder
        self._entries = folder / f"v{ENTRY_FORMAT}"
        self._secret = secret
        self._now = time.time_ns()
        self._known: dict[str, dict[str, list[Any]]] = {}
        self._learnt: dict[str, list[Any]] = {}
        self._status: dict[str, list[int]] = {}

    @classmethod
    def open(cls, folder: Path) -> FileIndex | None:
        """The index of the cache in ``folder``; None where the cache is not used at all."""
        secret = load_key()
        return None if secret is None or _tracked(folder) else cls(folder, secret)

    def digest(self, name: str) -> bytes | None:
        """The digest of file ``name``'s bytes when its status is the one indexed with it and it
        declares no schema, else None (then it is read, and :meth:`learn` told). Files are
        named as the run names them (``str()`` of their path)."""
        try:
            status = os.stat(name)  # noqa: PTH116 -- a Path made per file costs a tenth of a re-run
        except OSError:
            return None
        if not stat.S_ISREG(status.st_mode):
            return None
        now = [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev]
        part = _part(name)
        if part not in self._known:
            self._known[part] = self._read(part)
        entry = self._known[part].get(name)
        if entry is not None and entry[:5] == now and not entry[6]:
            with contextlib.suppress(TypeError, ValueError):
                return bytes.fromhex(entry[5])
        self._status[name] = now
        return None

    def seen(self, name: str) -> bool:
        """Whether an earlier run indexed ``name`` (asked after :meth:`digest` found no digest
        for it): a file no run saw has no result in the cache either, so nothing is read
        for its key before its check."""
        return name in self._known.get(_part(name), {})

    def learn(self, name: str, digest: bytes, declares: bool) -> None:
        """Index ``name``, read this run after :meth:`digest` found no digest for it, with the
        digest of the bytes read, under the status :meth:`digest` saw before it was read: a
        file that changed in between has another status next time. A file changed too
        recently to trust its status is indexed without one: seen, but read again."""
        status = self._status.get(name)
        if status is None:
            return
        trusted = max(status[1], status[2]) <= self._now - RACY_NANOSECONDS
        self._learnt[name] = [*(status if trusted else [None] * 5), digest.hex(), declares]

    def flush(self) -> None:
        """Write the index when this run learnt something; a folder that cannot be written
        is left alone."""
        parts: dict[str, dict[str, list[Any]]] = {}
        for name, entry in self._learnt.items():
            parts.setdefault(_part(name), {})[name] = entry
        for part, learnt in sorted(parts.items()):
            # Read again: another run may have indexed other files since.
            target = self._entries / INDEX_FILES.format(part)
            if not _store(self.folder, self._entries, target, {**self._read(part), **learnt}, self._secret):
                break
        self._learnt = {}

    def _read(self, part: str) -> dict[str, list[Any]]:
        try:
            loaded = json.loads(_open(self._entries, self._entries / INDEX_FILES.format(part), self._secret))
        except (OSError, ValueError):
            return {}
        if not isinstance(loaded, dict):
            return {}
        return {name: entry for name, entry in loaded.items() if isinstance(entry, list) and len(entry) == 7}


def _part(name: str) -> str:
    """Which of the index's sixteen parts holds the file ``name``."""
    return f"{zlib.crc32(name.encode('utf-8', 'surrogateescape')) & 15:x}"


def _store(folder: Path, entries: Path, target: Path, data: dict[str, Any], secret: bytes) -> bool:
    """Write ``data`` to ``target``, sealed; False when the folder cannot be written."""
    destination(target)  # refused (exit 2), not skipped: a link planted in the cache folder
    try:
        if not folder.is_dir():
            _create(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        # ASCII: a file name that is not UTF-8 (a lone surrogate) round-trips as \udcNN. The
        # entries are lists and dicts made here, never cyclic: not checking halves the encoding.
        payload = json.dumps(data, separators=(",", ":"), check_circular=False).encode("ascii")
        _write(target, _seal(secret, entries, target, payload) + b"\n" + payload)
    except OSError:
        return False  # a read-only checkout: validation goes on without a cache
    return True


def _seal(secret: bytes, entries: Path, target: Path, payload: bytes) -> bytes:
    # The entry's name is sealed too: an authentic entry copied under another key is a miss.
    name = target.relative_to(entries).as_posix().encode()
    return hmac.new(secret, name + b"\0" + payload, hashlib.sha256).hexdigest().encode("ascii")


def _open(entries: Path, target: Path, secret: bytes) -> bytes:
    """The payload of an entry; ValueError when it does not authenticate (a miss)."""
    seal, _, payload = target.read_bytes().partition(b"\n")
    if not hmac.compare_digest(seal, _seal(secret, entries, target, payload)):
        raise ValueError(f"{target}: not written by this user's teitools")
    return payload


@cache
def code_digest() -> bytes:
    """A digest of teitools' Python code, so that edited code never sees stale results."""
    digest = hashlib.sha256()
    for source in sorted(_PACKAGE.rglob("*.py")):
        digest.update(source.relative_to(_PACKAGE).as_posix().encode() + b"\0")
        digest.update(source.read_bytes())
    return digest.digest()


def user_cache_root() -> Path | None:
    """teitools' folder in the user's cache folder: ``$XDG_CACHE_HOME/teitools`` (an absolute
    ``XDG_CACHE_HOME`` only, as the XDG spec says), else ``~/.cache/teitools``; None when the
    user has no home folder (no ``HOME`` and no passwd entry, as in some containers): then
    validation runs without a cache rather than stopping."""
    base = Path(os.environ.get("XDG_CACHE_HOME", ""))
    if base.is_absolute():
        return base / "teitools"
    try:
        return Path.home() / ".cache" / "teitools"
    except RuntimeError:
        return None


def default_cache_dir(paths: Iterable[Path]) -> Path | None:
    """The cache folder of the repository the first path is in (the git work tree above it,
    else its folder): in :func:`user_cache_root`, named by a hash of the repository's real
    path, so that it is outside every working tree and repositories never share entries."""
    first = next(iter(paths), Path()).resolve()
    folder = first if first.is_dir() else first.parent
    root = work_tree(folder) or folder
    user = user_cache_root()
    return None if user is None else user / "repos" / hashlib.sha256(os.fsencode(root)).hexdigest()[:32]


def load_key() -> bytes | None:
    """The secret entries are authenticated with, made on first use; None when it cannot be
    made or is not safe to trust (not a regular file of this user's, readable by others, or
    tracked by git)."""
    root = user_cache_root()
    if root is None:
        return None
    path = root / KEY_FILE
    try:
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            _make_key(path)
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(descriptor, "rb") as stream:
            status = os.fstat(stream.fileno())
            secret = stream.read(_KEY_BYTES + 1)
    except OSError:
        return None
    if not stat.S_ISREG(status.st_mode) or len(secret) != _KEY_BYTES:
        return None
    if os.name == "posix" and (status.st_uid != os.getuid() or status.st_mode & 0o077):
        return None
    return None if _tracked(path) else secret


def _make_key(path: Path) -> None:
    # Written whole under another name, then linked: a run started at the same moment sees
    # either no key or the complete one, and the first link wins.
    # Imported by the writes alone: a run with --no-cache needs neither.
    import secrets  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    handle, temporary = tempfile.mkstemp(prefix=".key.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(secrets.token_bytes(_KEY_BYTES))
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        Path(temporary).unlink()


def _tracked(path: Path) -> bool:
    """True when git tracks ``path`` or anything in it (so that a commit could have put it
    there). git runs only for a path inside a work tree, which the defaults are not."""
    resolved = path.resolve()
    tree = work_tree(resolved if resolved.is_dir() else resolved.parent)
    if tree is None:
        return False
    import subprocess  # noqa: PLC0415 -- a run with --no-cache never asks git: not imported for it

    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--", str(resolved)],
            cwd=tree,
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return True  # cannot tell: do not trust it
    return listed.returncode != 0 or bool(listed.stdout)


def _file_digest(path: Path) -> bytes:
    try:
        return os.fsencode(path) + b"\0" + hashlib.sha256(path.read_bytes()).digest()
    except OSError:
        return os.fsencode(path) + b"\0missing"


def _create(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    # Ignored by git without any set-up, as pytest and mypy do with their caches.
    _write(folder / ".gitignore", b"# Created by teitools; safe to delete.\n*\n")
    _write(folder / "CACHEDIR.TAG", _TAG.encode())


def _write(target: Path, data: bytes) -> None:
    # Atomic, but not fsynced: a cache entry lost in a crash is only a miss.
    import tempfile  # noqa: PLC0415 -- see _make_key

    handle, temporary = tempfile.mkstemp(prefix=".entry.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        Path(temporary).chmod(0o644)  # mkstemp's 0600 would lock out a CI cache's other users
        Path(temporary).replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise


def _encode_report(report: Report) -> dict[str, Any]:
    return {
        "files": list(report.files),
        "diagnostics": [
            [
                d.file,
                d.line,
                d.column,
                str(d.severity),
                d.rule,
                d.message,
                d.xpath,
                [list(pair) for pair in d.details],
            ]
            for d in report.diagnostics
        ],
    }


def _decode_report(data: dict[str, Any]) -> Report:
    return Report(
        tuple(str(file) for file in data["files"]),
        tuple(_diagnostic(file, *rest) for file, *rest in data["diagnostics"]),
    )


def _diagnostic(
    file: Any, line: Any, column: Any, severity: Any, rule: Any, message: Any, xpath: Any, details: Any
) -> Diagnostic:
    # Checked while rebuilt: a damaged entry raises here and is treated as a miss.
    return Diagnostic(
        str(file),
        int(line),
        int(column),
        Severity(str(severity)),
        str(rule),
        str(message),
        None if xpath is None else str(xpath),
        tuple((str(key), str(value)) for key, value in details),
    )


def _encode(result: CachedResult) -> dict[str, Any]:
    diagnostics, facts = result
    return {
        "diagnostics": [
            [
                d.line,
                d.column,
                str(d.severity),
                d.rule,
                d.message,
                d.xpath,
                [list(pair) for pair in d.details],
            ]
            for d in diagnostics
        ],
        "facts": None
        if facts is None
        else {
            "kind": facts.kind,
            "root_id": facts.root_id,
            "ids": [[i, p.line, p.attribute] for i, p in facts.ids],
            "pointers": [[p.target, p.position.line, p.position.attribute] for p in facts.pointers],
        },
    }


def _decode(data: dict[str, Any], file: str, shared: _Shared | None = None) -> CachedResult:
    shared = shared if shared is not None else _Shared()
    diagnostics = tuple(_diagnostic(file, *fields) for fields in data["diagnostics"])
    raw = data["facts"]
    if raw is None:
        return diagnostics, None
    path = Path(file)
    facts = FileFacts(
        file,
        path.stem,
        str(raw["kind"]),
        path.parent.name == LETTERS_FOLDER,
        None if raw["root_id"] is None else str(raw["root_id"]),
        tuple((str(i), shared.position(line, attr)) for i, line, attr in raw["ids"]),
        tuple(shared.pointer(target, line, attr) for target, line, attr in raw["pointers"]),
    )
    return diagnostics, facts


class _Shared:
    """One instance of each equal position and pointer across a run's entries.

    They are immutable, and letters of an edition repeat them (the same person pointed at
    from the same line of the header), so sharing saves most of the time and memory of
    rebuilding the facts of thousands of cached files.
    """

    def __init__(self) -> None:
        self._positions: dict[tuple[Any, Any], Position] = {}
        self._pointers: dict[tuple[Any, Any, Any], Pointer] = {}

    def position(self, line: Any, attribute: Any) -> Position:
        key = (line, attribute)
        found = self._positions.get(key)
        if found is None:
            found = self._positions[key] = Position(int(line), str(attribute))
        return found

    def pointer(self, target: Any, line: Any, attribute: Any) -> Pointer:
        key = (target, line, attribute)
        found = self._pointers.get(key)
        if found is None:
            found = self._pointers[key] = Pointer(str(target), self.position(line, attribute))
        return found


#: Told how many of the files are done, and how many there are: ``progress(done, total)``.
Progress = Callable[[int, int], None]


def run_cached(
    files: Sequence[str],
    cache: ResultCache | None,
    check: Callable[[list[str]], Iterable[Checked]],
    progress: Progress | None = None,
    changed: Container[str] = frozenset(),
    keep: Callable[[CachedResult], CachedResult] | None = None,
) -> list[CachedResult]:
    """The results of ``files`` in order: from the cache where it has them, from ``check``
    (given the files it lacks, in order, yielding one result each, with the digest of the
    bytes it checked) for the rest. A file in ``changed`` (read again for its check, with
    other bytes than its key was made from) is checked but its result is not stored;
    ``changed`` may grow while ``check`` runs. A file the cache has not seen is not looked
    up: its key is made from the digest its check gives. ``keep`` makes of each result,
    once stored, what is returned (a smaller one, for memory)."""
    found: dict[str, CachedResult] = {}
    keys: dict[str, str] = {}
    unseen = cache.unseen if cache is not None else ()
    if cache is not None:
        for file in files:
            if file in unseen:
                continue
            key = cache.key(file)
            hit = cache.get(key, file) if key is not None else None
            if hit is not None:
                found[file] = hit if keep is None else keep(hit)
            elif key is not None:
                keys[file] = key
        cache.looked_up()
    total = len(files)
    if progress is not None:
        progress(len(found), total)
    missing = [file for file in files if file not in found]
    for file, (result, digest, declared) in zip(missing, check(missing), strict=True):
        if cache is not None and file not in changed:
            key = cache.checked(file, digest, declared) if file in unseen else keys.get(file)
            if key is not None:
                cache.put(key, file, result)
        found[file] = result if keep is None else keep(result)
        if progress is not None:
            progress(len(found), total)
    if cache is not None:
        cache.flush()
    return [found[file] for file in files]
