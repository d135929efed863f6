"""A site build stopped while its workers render letters stops them too and leaves nothing behind.

The site's letters are rendered in forked workers, one of which first makes the registers; the
main process writes their files as they come. A build that is sent SIGTERM or Ctrl-C in the
middle must end every worker (none left running, orphaned, after the command has exited) and
remove every temporary file, whichever process was busy when the signal came. (Two workers
against one process, file by file: tests/test_render_jobs.py; an interruption while the files
are flushed: tests/test_output.py.) The same holds for the workers that read the letters'
files before any is rendered.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from teitools.export.output import TEMPORARY_SUFFIX
from teitools.load.workers import can_fork
from tests.test_site_index import repeated_edition
from tests.xml_commands import harness_argv

pytestmark = pytest.mark.skipif(
    not can_fork() or not Path("/proc/self/stat").exists(),
    reason="needs forked workers and /proc to find them (Linux)",
)

#: Letters enough that the workers are still rendering when the first files are written.
LETTERS = 600


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return repeated_edition(tmp_path_factory.mktemp("stopped") / "edition", LETTERS)


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # The parent is the fourth field, after the name (which may hold spaces) in ().
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue  # gone in the meantime
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (not gone, not a zombie waiting to be reaped)."""
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def _temporaries(folder: Path) -> list[Path]:
    return sorted(folder.rglob(f".*{TEMPORARY_SUFFIX}"))


# 4 to 9 s on a busy two-core machine: 600 letters to read before the workers render.
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("phase", ["reading", "rendering"])
def test_a_build_stopped_while_its_workers_work_ends_them_and_leaves_no_temporary(
    edition: Path, tmp_path: Path, signum: signal.Signals, phase: str
) -> None:
    """Stopped while the workers read the letters' files (the first two workers to appear,
    before any page is rendered) or while they render (once files are being written)."""
    out = tmp_path / "site"
    argv = ["site", str(edition), "-o", str(out), "--jobs", "2", "--accessed", "2026-12-01"]
    process = subprocess.Popen(
        harness_argv(argv, ("--interruptible",)),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    workers: set[int] = set()
    deadline = time.monotonic() + 60

    def waiting() -> bool:
        if phase == "reading":
            return len(workers) < 2
        # Files are written only as the workers send them back: by then both are running.
        return not (_temporaries(out) and workers)

    while process.poll() is None and time.monotonic() < deadline and waiting():
        workers = _children(process.pid)
        time.sleep(0.002)
    assert process.poll() is None, "the build finished before it could be stopped"
    assert len(workers) >= 2, f"expected two workers, found {workers}"
    process.send_signal(signum)
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        try:
            _, err = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:  # a worker outlived the build, holding its stderr
            assert process.stderr is not None
            process.stderr.close()
            err = f"(stderr still held open by a worker of the killed build: {workers})"
        pytest.fail(f"the build went on for 30 s after {signum.name}:\n{err}")
    assert process.returncode == 128 + signum, err
    assert "teitools: interrupted" in err and "Traceback" not in err, err
    # A worker that outlived the command would be re-parented and go on writing; give the
    # system a moment to reap the ones that ended with it.
    time.sleep(0.2)
    assert [pid for pid in workers if _running(pid)] == []
    assert _temporaries(out) == []
    # Nothing was renamed into place: the set is all or nothing.
    assert not out.exists() or [p for p in out.rglob("*") if p.is_file()] == []


def test_the_test_sees_a_child_process() -> None:
    """The helpers that find the workers do find a child, and see it end."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in _children(os.getpid())
        assert _running(child.pid)
    finally:
        child.kill()
        child.wait()
    assert not _running(child.pid)
