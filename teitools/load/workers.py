"""Letters on every core: a pool of worker processes, each reused for many letters.

The letters of an edition are read, and then rendered, independently of one another, so
:func:`map_letters` hands their positions to worker processes in chunks and yields the
results in order, as a loop over them would. The workers are forked from the process that
asks, so they start with all it holds (the file list; for rendering the edition and the
templates) and are sent nothing but positions; each keeps what it loads (citation styles,
compiled templates) for every chunk it is given, and returns what it made (text, or a file's
letters and register entries). Work that needs the whole edition but no letter's text (the
site's registers) can go ``beside`` the letters: it is the first task handed out, so one
worker does it while the other renders letters, and the process that started them is not
left to do it alone after the last letter.

Forking is how the edition reaches the rendering workers without being serialised (nothing
of it is pickled or sent, however large it is); a letter read with ``keep_texts=False``
(:class:`~teitools.model.tei.TextInFile`) is read again from its file by the worker that
renders it, so the workers parse the letters in parallel too. Where ``fork`` is unavailable
or unsafe (Windows; macOS, whose system libraries do not survive it) the work is done in
this process.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator
from typing import TypeVar, cast

__all__ = ["map_letters", "workers_for"]

Result = TypeVar("Result")
Side = TypeVar("Side")

#: Letters a worker reads or renders per task: enough that handing out work costs little
#: beside the work, few enough that the results in flight stay small.
CHUNK = 16

#: What the forked workers run, set just before the pool is made (a closure cannot be sent).
_task: Callable[[int], object] | None = None
_beside: Callable[[], object] | None = None


def can_fork() -> bool:
    """Whether letters can be read and rendered in forked workers on this system."""
    return sys.platform != "darwin" and hasattr(os, "fork")


def workers_for(count: int, jobs: int) -> int:
    """How many worker processes :func:`map_letters` starts for ``count`` letters and ``jobs``
    (0: it works in this process)."""
    workers = min(jobs, -(-count // CHUNK))
    return workers if workers > 1 and can_fork() else 0


def map_letters(
    render: Callable[[int], Result], count: int, jobs: int, beside: Callable[[], Side] | None = None
) -> Iterator[Result | Side]:
    """``render(0)``, ``render(1)``, … ``render(count - 1)``, in that order, then ``beside()``
    if given, computed in up to ``jobs`` worker processes (in this one when ``jobs`` is 1,
    when there are too few letters for a second process to pay, or when processes cannot be
    forked here). ``beside`` runs in a worker while the others do the first letters."""
    workers = workers_for(count, jobs)
    if workers <= 1:
        yield from map(render, range(count))
        if beside is not None:
            yield beside()
        return
    global _task, _beside  # noqa: PLW0603 -- the forked workers inherit them; see the module docstring
    _task, _beside = render, beside
    chunks = [range(start, min(start + CHUNK, count)) for start in range(0, count, CHUNK)]
    import multiprocessing  # noqa: PLC0415 -- only a run that forks pays for the import

    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_quiet) as pool:
            # Handed out first: the workers take tasks in the order they were given.
            side = pool.apply_async(_run_beside) if beside is not None else None
            for results in pool.imap(_run, chunks):
                yield from cast(list[Result], results)
            if side is not None:
                yield cast(Side, side.get())
    finally:
        _task = _beside = None


def _quiet() -> None:
    """A worker leaves interruptions to the process that started it: Ctrl-C (sent to the
    whole process group) is ignored, and SIGTERM, which that process sends to stop the pool
    when it is itself interrupted, ends the worker at once instead of unwinding it with a
    traceback through the command line's handler, which the fork copied."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


def _run(positions: range) -> list[object]:
    task = _task
    if task is None:
        raise RuntimeError("a worker runs only in a pool made by map_letters")
    return [task(position) for position in positions]


def _run_beside() -> object:
    task = _beside
    if task is None:
        raise RuntimeError("a worker runs only in a pool made by map_letters")
    return task()
