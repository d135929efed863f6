"""What a process remembers of schemas, forgotten as soon as a schema file changes on disk.

Compiling a grammar or a rule set is the costly part of a short run, so each compiled
schema, catalog and declaration plan is kept for the life of the process (``functools``
caches keyed by path). A long-lived process (the language server, a test harness running
many commands) would then go on checking against a schema the encoder has since edited, or
report as missing a declared schema they have since written, until it restarts; and the
result cache would store those verdicts under the key of the new schema.

So every file read to make what those caches hold (a schema, each file it includes, a
catalog, a declared schema found missing) is noted with its signature on disk when it is
read (:func:`note`), and every run starts with :func:`forget_changed`: when any noted file
differs from its signature (size, modification and change times, inode, device; or it
appeared or went away), every cache registered with :func:`forgotten_on_change` or
:func:`forget_with` is cleared, and the next compile reads the schemas anew. The check runs
where schemas are compiled: at the start of each run, and in the long-lived sandbox worker
that runs user-supplied schemas (:mod:`teitools.validation.sandbox`) before each file it is
given, since that worker keeps what it compiled from run to run. A check that finds nothing
changed costs one ``stat`` per noted file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

__all__ = ["forget_changed", "forget_with", "forgotten_on_change", "note"]

#: What identifies a file's version on disk; None for a file that is not there.
Signature = tuple[int, int, int, int, int] | None


class _Cache(Protocol):
    def cache_clear(self) -> None: ...


Cache = TypeVar("Cache", bound=_Cache)

_caches: list[_Cache] = []
_clears: list[Callable[[], None]] = []
_noted: dict[str, Signature] = {}


def forgotten_on_change(cache: Cache) -> Cache:
    """Register a ``functools`` cache of schemas to be cleared when a schema file changes."""
    _caches.append(cache)
    return cache


def forget_with(clear: Callable[[], None]) -> None:
    """Register ``clear``, which empties some other store of compiled schemas, likewise."""
    _clears.append(clear)


def note(path: Path) -> None:
    """Note ``path`` as read (or looked for) to make a remembered schema, as it is now."""
    _noted.setdefault(str(path), _signature(str(path)))


def forget_changed() -> None:
    """Forget every remembered schema when a noted file changed since it was read."""
    if all(_signature(name) == signature for name, signature in _noted.items()):
        return
    for cache in _caches:
        cache.cache_clear()
    for clear in _clears:
        clear()
    _noted.clear()


def _signature(name: str) -> Signature:
    try:
        found = os.stat(name)  # noqa: PTH116 -- names, as noted: no Path made per check
    except OSError:  # missing, or no longer readable: either way not what was read
        return None
    return found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino, found.st_dev
