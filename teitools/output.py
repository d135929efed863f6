"""Writing outputs safely: every file goes to a temporary name in its folder, then is renamed.

A reader of the output folder therefore sees either the previous file or the complete new
one, never a partial file, even when teitools is interrupted or the disk fills up.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from teitools.errors import OutputError


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` atomically (UTF-8 for text)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).replace(path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        if isinstance(error, OSError):
            raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
        raise


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

    A relative path that would leave ``folder`` (``..``, an absolute path) is refused. Every
    file is first written to a temporary name; the data are flushed to disk once for all
    (one ``sync`` instead of one ``fsync`` per file, which made a site of 10,000 pages take
    minutes), and only then is each file renamed into place.
    """
    root = folder.resolve()
    targets = []
    for relative in files:
        target = (root / relative).resolve()
        if not target.is_relative_to(root) or target == root:
            raise OutputError(f"refusing to write {relative!r}: it is outside {folder}")
        targets.append(target)
    if len(targets) <= 1:
        for target, data in zip(targets, files.values(), strict=True):
            write_atomic(target, data)
        return targets
    temporaries: list[Path] = []
    try:
        for target, data in zip(targets, files.values(), strict=True):
            temporaries.append(_write_temporary(target, data))
        os.sync()
        for temporary, target in zip(temporaries, targets, strict=True):
            temporary.replace(target)
    except OSError as error:
        raise OutputError(f"cannot write below {folder}: {error.strerror or error}") from None
    finally:
        for temporary in temporaries:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
    return targets


def _write_temporary(target: Path, data: str | bytes) -> Path:
    payload = data.encode("utf-8") if isinstance(data, str) else data
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                         dir=target.parent)
    with os.fdopen(handle, "wb") as stream:
        stream.write(payload)
    return Path(temporary)
