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

The pool is this module's, not :class:`multiprocessing.pool.Pool`: that one starts threads
and, when a worker ends, forks a new one from a thread, which can then wait for ever on a
lock another thread held at the fork; a site build interrupted at that moment hung, and left
its new workers orphaned, holding the pipes of whoever ran it. Here no thread is started,
each worker has its own two pipes (positions in, results out) and is given two tasks ahead, a
worker that ends early is an error, and every worker is killed and reaped when the work ends,
however it ends; the kernel kills them if the process that forked them is killed outright.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import selectors
import signal
import struct
import sys
from collections.abc import Callable, Generator, Iterator
from typing import Any, TypeVar

from teitools.errors import TeiToolsError

__all__ = ["die_with_parent", "map_letters", "workers_for"]

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
) -> Generator[Result | Side, None, None]:
    """``render(0)``, ``render(1)``, … ``render(count - 1)``, in that order, then ``beside()``
    if given, computed in up to ``jobs`` worker processes (in this one when ``jobs`` is 1,
    when there are too few letters for a second process to pay, or when processes cannot be
    forked here). ``beside`` runs in a worker while the others do the first letters. An
    exception in ``render`` or ``beside`` is raised here; however this generator ends (done,
    an exception, Ctrl-C, closed early), every worker has ended when it does."""
    workers = workers_for(count, jobs)
    if workers <= 1:
        yield from map(render, range(count))
        if beside is not None:
            yield beside()
        return
    global _task, _beside  # noqa: PLW0603 -- the forked workers inherit them; see the module docstring
    _task, _beside = render, beside
    chunks = [range(start, min(start + CHUNK, count)) for start in range(0, count, CHUNK)]
    # Handed out first: the first worker takes it before any letter.
    tasks: Iterator[_Task] = iter([*([(_BESIDE, None)] if beside is not None else []), *enumerate(chunks)])
    pool: list[_Worker] = []
    try:
        for _ in range(workers):
            pool.append(_Worker.fork(pool))
        results: dict[int, list[Result]] = {}
        side: list[Side] = []
        with selectors.DefaultSelector() as selector:
            for worker in pool:
                selector.register(worker.results, selectors.EVENT_READ, worker)
                for _ in range(_AHEAD):
                    worker.hand_out(tasks)
            for chunk in range(len(chunks)):
                while chunk not in results:
                    _collect(selector, tasks, results, side)
                yield from results.pop(chunk)
            while beside is not None and not side:
                _collect(selector, tasks, results, side)
        yield from side
    finally:
        _task = _beside = None
        for worker in pool:
            worker.end()


#: The task of the work beside the letters (chunks are numbered from 0).
_BESIDE = -1
#: What a worker is sent: the task's number and its letters' positions (None: the work beside).
_Task = tuple[int, range | None]
#: Tasks a worker is given ahead: it starts the next as soon as it has sent a result.
_AHEAD = 2
#: The size asked for a worker's result pipe (Linux; at most /proc/sys/fs/pipe-max-size, 1 MiB
#: by default): a chunk's pages fit, so a worker seldom waits for them to be read.
_PIPE_SIZE = 1 << 20


def _collect(
    selector: selectors.BaseSelector, tasks: Iterator[_Task], results: dict[int, list[Any]], side: list[Any]
) -> None:
    """Wait for the next results of any worker, and give each that sent one its next task."""
    for key, _events in selector.select():
        worker: _Worker = key.data
        task, value = worker.receive()
        worker.hand_out(tasks)
        if task == _BESIDE:
            side.append(value)
        else:
            results[task] = value


class _Worker:
    """One forked worker and the two pipes to it: tasks one way, results the other.

    No thread is started, so a worker is never forked while another thread holds a lock it
    will need; a worker that ends is not replaced (its end is an error here); and each one is
    killed and reaped by :meth:`end`. A worker is killed by the kernel too if the process that
    forked it dies without ending it (SIGKILL, a CI job's timeout): none outlives it."""

    def __init__(self, pid: int, tasks: int, results: int) -> None:
        self.pid = pid
        self.tasks = tasks
        self.results = results
        self.given: list[int] = []

    @classmethod
    def fork(cls, pool: list[_Worker]) -> _Worker:
        task_read, task_write = os.pipe()
        result_read, result_write = os.pipe()
        import fcntl  # noqa: PLC0415 -- POSIX only, as fork is

        if hasattr(fcntl, "F_SETPIPE_SZ"):
            with contextlib.suppress(OSError):  # a smaller pipe only makes the worker wait
                fcntl.fcntl(result_write, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError as error:  # no process to be had (a limit on processes, memory)
            for fd in (task_read, task_write, result_read, result_write):
                os.close(fd)
            raise TeiToolsError(
                f"cannot start a worker process ({error.strerror}): give --jobs 1 to work in one process"
            ) from None
        if pid == 0:  # the worker: it never returns into the caller's code
            status = 1
            try:
                # The other workers' pipes: a worker holding them would keep them open.
                for other in pool:
                    os.close(other.tasks)
                    os.close(other.results)
                os.close(task_write)
                os.close(result_read)
                _quiet()
                die_with_parent(parent)
                _serve(task_read, result_write)
                status = 0
            finally:
                os._exit(status)
        os.close(task_read)
        os.close(result_write)
        return cls(pid, task_write, result_read)

    def hand_out(self, tasks: Iterator[_Task]) -> None:
        task = next(tasks, None)
        if task is not None:
            _send(self.tasks, task)
            self.given.append(task[0])

    def receive(self) -> tuple[int, Any]:
        """The result of the worker's oldest task (raising the exception it raised)."""
        message = _receive(self.results)
        if message is None:
            raise RuntimeError(f"a worker process (pid {self.pid}) ended before it had done its work")
        task = self.given.pop(0)
        ok, value = message
        if not ok:
            raise value
        return task, value

    def end(self) -> None:
        """Kill the worker (it holds nothing but its pipes) and wait for its end."""
        for fd in (self.tasks, self.results):
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _serve(tasks: int, results: int) -> None:
    """The worker's loop: a task at a time, until the process that forked it closes the pipe."""
    while True:
        task = _receive(tasks)
        if task is None:
            return
        _number, positions = task
        try:
            value: Any = _run_beside() if positions is None else _run(positions)
            message: Any = (True, value)
        except Exception as error:  # told to the process that asked, which raises it
            message = (False, error)
        try:
            _send(results, message)
        except (pickle.PicklingError, TypeError, AttributeError) as error:
            _send(results, (False, RuntimeError(f"a worker's result cannot be sent: {error}")))


_LENGTH = struct.Struct("!Q")


def _send(fd: int, value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_LENGTH.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _receive(fd: int) -> Any:
    """The next value sent down ``fd``, or None at its end."""
    head = _read(fd, _LENGTH.size)
    if head is None:
        return None
    (size,) = _LENGTH.unpack(head)
    data = _read(fd, size)
    if data is None:
        return None
    return pickle.loads(data)  # noqa: S301 -- sent by this process's own forked worker


def _read(fd: int, size: int) -> bytearray | None:
    buffer = bytearray(size)
    view = memoryview(buffer)
    done = 0
    while done < size:
        got = os.readv(fd, [view[done:]])
        if got == 0:
            return None
        done += got
    return buffer


def die_with_parent(parent: int) -> None:
    """In a forked process: be killed by the kernel when ``parent`` (the process that forked
    this one) dies, even killed outright (SIGKILL, a CI job's timeout), which leaves it no
    chance to end its children; on Linux, the one system that offers it."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes  # noqa: PLC0415 -- only in a worker, only on Linux

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the call: no signal will come
        os._exit(0)


#: prctl(2) option: the signal the kernel sends this process when its parent exits.
_PR_SET_PDEATHSIG = 1


def _quiet() -> None:
    """A worker leaves interruptions to the process that forked it: Ctrl-C (sent to the whole
    process group) is ignored, and SIGTERM or SIGHUP sent to the group ends the worker at once
    instead of unwinding it with a traceback through the command line's handler, which the
    fork copied. That process ends its workers itself (:meth:`_Worker.end`)."""
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
