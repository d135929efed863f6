"""The worker pool of ``--jobs`` (teitools.load.workers.map_letters) ends every worker it forks.

However the work ends (done, an exception in a worker, a worker that dies, the caller that
stops reading, or the asking process killed outright), no worker is left behind: none
re-parented to init, holding the caller's pipes open for ever. (Stopped by a signal in the
middle of a site build: tests/test_site_workers.py.)
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from teitools.errors import TeiToolsError
from teitools.load.workers import CHUNK, map_letters
from tests.test_site_workers import _children, _running

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="needs forked workers and /proc to find them (Linux)"
)

#: Letters enough for several chunks per worker.
COUNT = 5 * CHUNK + 3


@pytest.fixture
def others() -> set[int]:
    """The children this process has already (a schema sandbox's worker, kept for reuse)."""
    return _children(os.getpid())


def _square(position: int) -> int:
    return position * position


def test_results_come_in_order_with_the_work_beside_last(others: set[int]) -> None:
    results = list(map_letters(_square, COUNT, 2, beside=lambda: "beside"))
    assert results == [p * p for p in range(COUNT)] + ["beside"]
    assert _children(os.getpid()) == others


def test_an_exception_in_a_worker_is_raised_here_and_every_worker_ends(others: set[int]) -> None:
    def render(position: int) -> int:
        if position == 2 * CHUNK + 1:
            raise ValueError(f"letter {position} cannot be rendered")
        return position

    with pytest.raises(ValueError, match=f"letter {2 * CHUNK + 1} cannot be rendered"):
        list(map_letters(render, COUNT, 2))
    assert _children(os.getpid()) == others


def test_a_worker_that_dies_is_an_error_not_a_wait(others: set[int]) -> None:
    def render(position: int) -> int:
        if position == CHUNK:
            os._exit(3)
        return position

    started = time.monotonic()
    with pytest.raises(RuntimeError, match=r"a worker process \(pid \d+\) ended before it had done its work"):
        list(map_letters(render, COUNT, 2))
    assert time.monotonic() - started < 10
    assert _children(os.getpid()) == others


def test_a_caller_that_stops_reading_ends_the_workers(others: set[int]) -> None:
    results = map_letters(_square, COUNT, 2)
    assert next(results) == 0
    assert len(_children(os.getpid()) - others) == 2
    results.close()
    assert _children(os.getpid()) == others


def test_workers_die_with_a_process_killed_outright() -> None:
    """SIGKILL leaves the asking process no chance to end its workers: the kernel does. Both are
    in the middle of a task (an idle worker would end anyway, at the end of its task pipe)."""
    script = textwrap.dedent(
        f"""
        import time
        from teitools.load.workers import map_letters

        def render(position):
            if position >= {CHUNK}:
                time.sleep(60)
            return position

        for position in map_letters(render, {COUNT}, 2):
            if position == 0:
                print("rendering", flush=True)
        """
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[1]
    ) as process:
        try:
            assert process.stdout is not None
            assert process.stdout.readline() == "rendering\n"
            workers = _children(process.pid)
            assert len(workers) == 2
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
            deadline = time.monotonic() + 10
            while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
                time.sleep(0.01)
            assert [pid for pid in workers if _running(pid)] == []
        finally:
            process.kill()


def test_a_worker_that_cannot_be_forked_is_a_message_and_leaves_no_pipe_open(
    others: set[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    forks = 0
    fork = os.fork

    def second_fails() -> int:
        nonlocal forks
        forks += 1
        if forks == 2:
            raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")
        return fork()

    descriptors = _open_descriptors()
    monkeypatch.setattr(os, "fork", second_fails)
    with pytest.raises(
        TeiToolsError,
        match=r"cannot start a worker process \(Resource temporarily unavailable\): give --jobs 1",
    ):
        list(map_letters(_square, COUNT, 2))
    assert _children(os.getpid()) == others  # the first worker was ended
    assert _open_descriptors() == descriptors


def _open_descriptors() -> int:
    return sum(1 for _ in Path("/proc/self/fd").iterdir())
