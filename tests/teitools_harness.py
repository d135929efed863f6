"""Run the ``teitools`` command line in a subprocess, with test-only additions.

``python tests/teitools_harness.py [OPTIONS] -- ARGS...`` is ``teitools ARGS...`` (through the
console entry point :func:`teitools.cli.run`, signal handling included), plus:

``--max-memory BYTES``
    limits the process's address space (``RLIMIT_AS``) before teitools is imported; set
    here rather than in a ``preexec_fn``, which is unsafe when the test process runs threads
    (the loopback server).
``--test-exporters``
    registers two formats before the command line is built: ``test-letters`` writes one file
    per letter named after the letter's id, unsanitised (to test that no name escapes the
    output folder), ``test-single`` one file; both are as large as ``--padding`` asks.
``--slow-fsync SECONDS``
    makes every ``os.fsync`` and ``os.sync`` sleep first: a slow disk, so that a test can
    interrupt a run while it is writing.
``--no-fsync``
    makes ``os.fsync`` and ``os.sync`` do nothing, for tests that write thousands of files and test
    something other than durability.
``--enospc-after N``
    makes the (N+1)th and every later ``os.fsync`` or ``os.sync`` fail with ENOSPC: a disk
    that fills up.
``--interruptible``
    makes Ctrl-C (SIGINT) raise ``KeyboardInterrupt`` as in a terminal, even when the test
    process ignores it (a suite started in the background, ``pytest &``, does, and its
    children inherit that).
``--batch RESULTS``
    reads a JSON list of argument lists on stdin and runs each through
    :func:`teitools.cli.main` in this one process (interpreter start-up is most of a short
    run's time), writing a JSON list of ``{code, out, err, seconds}`` to RESULTS. Each run
    is announced on stderr first, so that a run that hangs can be named. An exception that
    escapes ``main`` is recorded with its traceback, as the console would have shown it.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import json
import os
import resource
import signal
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: How large the test formats' files are (``--padding``).
_padding = 0


def per_letter_export(edition: Any, _options: object) -> Any:
    """The ``test-letters`` format: one file per letter, named by its id, unsanitised."""
    from teitools.export.base import ExportResult  # noqa: PLC0415 - imported after the limits

    filler = "x" * _padding
    return ExportResult(
        {
            # The text too, so that a run on changed letters changes the files (an unchanged
            # file is not rewritten).
            f"{letter.id}.txt": f"{letter.id}\n{letter.title}\n{_words(letter)}\n{filler}\nEND\n"
            for letter in edition.chronological()
        }
    )


def _words(letter: Any) -> str:
    return " ".join("".join(letter.body.itertext()).split()) if letter.body is not None else ""


def single_export(edition: Any, _options: object) -> Any:
    """The ``test-single`` format: one file."""
    from teitools.export.base import ExportResult  # noqa: PLC0415

    ids = "\n".join(letter.id for letter in edition.chronological())
    return ExportResult({"letters.txt": f"{ids}\n{'x' * _padding}\nEND\n"})


def _add_test_exporters(padding: int) -> None:
    global _padding  # noqa: PLW0603 - the formats read it when they run
    _padding = padding
    from teitools.export import registry as exporters  # noqa: PLC0415 - registered before teitools.cli is imported

    # Formats name the module that holds them; this script runs as __main__.
    exporters.EXPORTERS["test-letters"] = exporters.Exporter(
        "__main__",
        "per_letter_export",
        single_file=False,
        description="test: one file per letter, named by id",
    )
    exporters.EXPORTERS["test-single"] = exporters.Exporter(
        "__main__", "single_export", single_file=True, description="test: one file"
    )


def _patch_fsync(delay: float, fail_after: int | None, skip: bool) -> None:
    """Slow, failing or skipped ``os.fsync`` and ``os.sync`` (one file, or a set of files)."""
    real_fsync, real_sync = os.fsync, os.sync
    calls = 0

    def flush(real: Callable[[], None]) -> None:
        nonlocal calls
        calls += 1
        if fail_after is not None and calls > fail_after:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        if delay:
            time.sleep(delay)
        if not skip:
            real()

    def fsync(fd: Any) -> None:
        flush(lambda: real_fsync(fd))

    def sync() -> None:
        flush(real_sync)

    os.fsync = fsync
    os.sync = sync


def _batch(results: Path) -> None:
    from teitools.cli import main  # noqa: PLC0415 - after the exporters are registered

    done = []
    for argv in json.load(sys.stdin):
        print(f"running: teitools {' '.join(argv)}", file=sys.__stderr__, flush=True)
        out, err = io.StringIO(), io.StringIO()
        start = time.monotonic()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except BaseException:  # reported with its traceback, as the console would show it
                traceback.print_exc()
                code = 1
        done.append(
            {"code": code, "out": out.getvalue(), "err": err.getvalue(), "seconds": time.monotonic() - start}
        )
    results.write_text(json.dumps(done), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-memory", type=int, default=None)
    parser.add_argument("--test-exporters", action="store_true")
    parser.add_argument("--padding", type=int, default=0)
    parser.add_argument("--slow-fsync", type=float, default=0.0)
    parser.add_argument("--enospc-after", type=int, default=None)
    parser.add_argument("--no-fsync", action="store_true")
    parser.add_argument("--interruptible", action="store_true")
    parser.add_argument("--batch", type=Path, default=None)
    parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    args = options.args[1:] if options.args[:1] == ["--"] else options.args
    if options.max_memory is not None:
        resource.setrlimit(resource.RLIMIT_AS, (options.max_memory, options.max_memory))
    if options.test_exporters:
        _add_test_exporters(options.padding)
    if options.slow_fsync or options.enospc_after is not None or options.no_fsync:
        _patch_fsync(options.slow_fsync, options.enospc_after, options.no_fsync)
    if options.interruptible:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if options.batch is not None:
        _batch(options.batch)
        return
    from teitools.cli import run  # noqa: PLC0415 - after the exporters are registered

    sys.argv = ["teitools", *args]
    run()


if __name__ == "__main__":
    main()
