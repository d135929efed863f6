"""Work a user supplied, done in a worker process within a time and memory budget.

A schema given with ``--schema``, named in the project settings or declared by a file can
make any engine work without end: an XPath that recurses, builds a sequence of a hundred
million items, backtracks exponentially in a regular expression or walks the tree cubically,
an XSD pattern or assertion that does the same. None of that can be told from the schema
beforehand, so the evaluation itself is bounded, once for every engine: :func:`call` runs a
function in a long-lived worker process forked from this one (so it inherits what is already
imported), with an address-space limit (``RLIMIT_AS``) and a recursion limit set in the
worker, while this process waits on a wall-clock deadline and kills the worker when it
passes. The worker serves call after call (the happy path pays one fork per run); one that
ran out of a budget is replaced by a fresh one. A worker serves one process: a worker process
of ``--jobs`` forks its own.

The function reports what it is doing with :func:`mark`: compiling a schema (timed against
:attr:`Limits.compile_seconds`, since compiling tei_all whole takes lxml about ten seconds) or
evaluating it (all evaluations of one call share :attr:`Limits.seconds`). The label of the
last mark names what ran out in :class:`LimitExceededError`, and :func:`note` (cheap, shared
memory) the part of the schema evaluated last, such as a Schematron rule.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from teitools.errors import TeiToolsError
from teitools.load.workers import die_with_parent

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

#: Seconds of schema evaluation one file may take (all of its user-supplied schemas).
DEFAULT_SECONDS = 30.0
#: Bytes of address space a worker may use (the forked process's own, about 0.3 GiB, included).
DEFAULT_MEMORY = 2 * 1024**3
#: Seconds one schema may take to compile (tei_all: about twenty on a laptop).
DEFAULT_COMPILE_SECONDS = 300.0
#: Python frames in the worker: deep enough for any real schema, far from the C stack's end.
RECURSION_LIMIT = 1000

COMPILE = "compile"
EVALUATE = "evaluate"

_T = TypeVar("_T")


@dataclass(frozen=True)
class Limits:
    """The budget of one call: evaluation seconds, worker memory in bytes, seconds per compile."""

    seconds: float = DEFAULT_SECONDS
    memory: int = DEFAULT_MEMORY
    compile_seconds: float = DEFAULT_COMPILE_SECONDS


class WorkerFaultError(Exception):
    """The function raised an exception that is not a :class:`TeiToolsError` (a bug in
    teitools or a library it uses); the message names its type and text. The worker lives on."""


class LimitExceededError(Exception):
    """A call ran out of its budget: ``kind`` is "time", "memory", "recursion" or "crash";
    ``phase`` and ``label`` are those of the last :func:`mark` (what was running), ``where``
    the last :func:`note` since then (the rule being evaluated, when the engine says)."""

    def __init__(self, kind: str, phase: str, label: str, detail: str = "", where: str = "") -> None:
        super().__init__(kind, phase, label, detail, where)
        self.kind = kind
        self.phase = phase
        self.label = label
        self.detail = detail
        self.where = where


def call(function: Callable[..., _T], *args: Any, limits: Limits) -> _T:
    """``function(*args)`` run in this process's worker within ``limits``; its result, or the
    :class:`TeiToolsError` it raised. Raise :class:`LimitExceededError` when it ran out of time or
    memory, recursed too deeply or its worker died, and :class:`WorkerFaultError` for any other
    exception it raised. ``function`` and ``args`` must pickle."""
    global _WORKER  # noqa: PLW0603 -- one worker per process, replaced when it is stopped
    if _WORKER is None or _WORKER.owner != os.getpid() or _WORKER.limits != limits:
        if _WORKER is not None and _WORKER.owner == os.getpid():
            _WORKER.stop()
        _WORKER = _Worker(limits)
    worker = _WORKER
    try:
        return worker.call(function, args)
    except LimitExceededError:
        worker.stop()
        _WORKER = None
        raise


def stop() -> None:
    """Stop this process's worker, if it has one; the next :func:`call` forks a new one, which
    sees this process as it is then (a long-lived caller that changed its modules, a test)."""
    global _WORKER  # noqa: PLW0603 -- see call()
    if _WORKER is not None and _WORKER.owner == os.getpid():
        _WORKER.stop()
    _WORKER = None


def note(where: str) -> None:
    """Record, cheaply, which part of a schema a worker evaluates now (a Schematron rule), for
    the finding should it run out of its budget; nothing outside a worker."""
    if _WHERE is not None:
        _WHERE.value = where.encode("utf-8", "replace")[: NOTE_BYTES - 1]


def mark(phase: str, label: str) -> None:
    """Tell the waiting process that ``phase`` (:data:`COMPILE` or :data:`EVALUATE`) of
    ``label`` starts now; nothing outside a worker."""
    global _MARKED  # noqa: PLW0603 -- the worker's last mark in this call
    if _CHANNEL is not None:
        # The same phase of the same schema again (the grammar, then the rules of one file)
        # changes nothing in the accounting: not worth waking the waiting process for.
        if (phase, label) != _MARKED:
            _CHANNEL.send(("mark", phase, label))
            _MARKED = (phase, label)
        note("")


class _Worker:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.owner = os.getpid()
        # Imported by the first sandboxed schema: a run with the shipped schemas needs none.
        import multiprocessing  # noqa: PLC0415

        context = multiprocessing.get_context("fork")  # inherits imports and compiled schemas
        self._connection, child = context.Pipe()
        # What the worker is evaluating (a rule), written to shared memory without a message:
        # still readable here when the worker has to be killed.
        self._where = context.Array("c", NOTE_BYTES, lock=False)
        self._process = context.Process(
            target=_serve, args=(child, limits.memory, os.getpid(), self._where), daemon=True
        )
        self._process.start()
        child.close()

    def call(self, function: Callable[..., _T], args: tuple[Any, ...]) -> _T:
        # The caller's working folder with each call: relative paths (and "the repository"
        # when no input is in one) mean what they mean to the caller, who may have moved.
        self._where.value = b""
        self._connection.send((Path.cwd(), function, args))
        phase, label, spent = EVALUATE, "", 0.0
        started = time.monotonic()
        while True:
            budget = self.limits.compile_seconds if phase == COMPILE else self.limits.seconds - spent
            left = budget - (time.monotonic() - started)
            if left <= 0 or not self._connection.poll(left):
                raise LimitExceededError("time", phase, label, where=self._noted())
            try:
                message = self._connection.recv()
            except (EOFError, OSError):
                self._process.join(1)
                code = self._process.exitcode
                # A worker killed by the kernel for memory, or whose C stack overflowed.
                raise LimitExceededError("crash", phase, label, f"exit code {code}", self._noted()) from None
            now = time.monotonic()
            if phase == EVALUATE:
                spent += now - started
            started = now
            kind = message[0]
            if kind == "mark":
                phase, label = message[1], message[2]
            elif kind == "done":
                return message[1]  # type: ignore[no-any-return]
            elif kind == "raise":
                raise message[1]
            elif kind == "fault":
                raise WorkerFaultError(message[1])
            else:  # "limit"
                raise LimitExceededError(message[1], phase, label, message[2], self._noted())

    def _noted(self) -> str:
        return bytes(self._where.value).decode("utf-8", "replace")

    def stop(self) -> None:
        self._process.kill()
        self._process.join()
        self._connection.close()


_WORKER: _Worker | None = None
#: In a worker, the connection to the process that waits on it.
_CHANNEL: Connection | None = None
#: In a worker, the shared memory :func:`note` writes to.
_WHERE: Any = None
#: In a worker, the last mark sent in this call; a call starts as the waiting process does.
_MARKED = (EVALUATE, "")
#: The longest note kept, in bytes.
NOTE_BYTES = 512


def _serve(connection: Connection, memory: int, parent: int, where: Any) -> None:
    """The worker's loop: one call at a time, until the waiting process closes the pipe."""
    global _CHANNEL, _WHERE, _MARKED  # noqa: PLW0603 -- the worker's state: its channel, note, last mark
    _CHANNEL, _WHERE = connection, where
    die_with_parent(parent)
    # Ctrl-C and SIGTERM reach the whole process group: the waiting process reports them.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    sys.setrecursionlimit(RECURSION_LIMIT)
    while True:
        try:
            folder, function, args = connection.recv()
        except EOFError:
            return
        if folder != Path.cwd():
            os.chdir(folder)
        _MARKED = (EVALUATE, "")
        try:
            connection.send(("done", function(*args)))
        except RecursionError:
            connection.send(("limit", "recursion", ""))
            return
        except MemoryError:
            connection.send(("limit", "memory", ""))
            return  # the heap may be fragmented past use: the next call gets a fresh worker
        except TeiToolsError as error:
            connection.send(("raise", error))
        except Exception as error:  # a bug: told to the caller, and the worker lives on
            connection.send(("fault", fault_text(error)))


def fault_text(error: Exception) -> str:
    """``Type: message``, and where it was raised (the innermost frame in teitools), for a
    bug report."""
    frames = traceback.extract_tb(error.__traceback__)
    frame = ([f for f in frames if "teitools" in Path(f.filename).parts] or frames)[-1:]
    where = f" (at {Path(frame[0].filename).name}:{frame[0].lineno})" if frame else ""
    return f"{type(error).__name__}: {error}{where}"
