"""What the hostile-input, nothing-lost and interruption tests share.

* :func:`xml_commands` lists every command that reads XML, built from the command line as it
  is when the tests run (``teitools.cli.cli.commands`` and ``teitools.export.registry.EXPORTERS``),
  so that a command or format added later is covered without touching the tests.
* :func:`run_process` runs one in a subprocess with a timeout and a memory limit.
* :class:`LoopbackServer` is an HTTP server on 127.0.0.1 that records every request: a test
  that hands it to a hostile document requires that it was never asked anything.
"""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click

from teitools.cli import cli
from teitools.export.registry import EXPORTERS

HARNESS = Path(__file__).resolve().parent / "teitools_harness.py"
#: Address-space limit of every subprocess: a document that makes teitools allocate more fails.
MEMORY_LIMIT = 1024 * 1024 * 1024
#: Seconds a command may take on one hostile file (interpreter start-up included).
TIME_LIMIT = 15.0


@dataclass(frozen=True)
class Command:
    """One command line to run: ``label`` names it in test output."""

    label: str
    argv: tuple[str, ...]


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str
    seconds: float


def xml_commands(source: Path, out: Path, *, letter: Path | None = None) -> list[Command]:
    """Every command that reads XML, set to read ``source`` (a file or folder) and to write
    below ``out``; ``letter`` is the one file given to commands that take one (``cite``).

    ``validate``; ``export`` in every registered format; ``cite``; ``site``; ``build``; and any
    other command with a path argument (given ``-o`` when it has an ``--output`` option) but
    ``init``, which writes into the folder it reads.
    """
    one = letter or (source if source.is_file() else next(iter(sorted(source.rglob("*.xml")))))
    commands: list[Command] = []
    for name, command in sorted(cli.commands.items()):
        if name == "validate":
            commands.append(Command(name, (name, str(source))))
        elif name == "export":
            commands.extend(
                # A folder (the trailing slash) for every format: a one-file export's folder is
                # not created for -o FILE.
                Command(f"export {fmt}", ("export", fmt, str(source), "-o", f"{out / f'export-{fmt}'}/"))
                for fmt in sorted(EXPORTERS)
            )
        elif name == "cite":
            commands.append(Command(name, (name, str(one))))
        elif name in ("site", "build"):
            commands.append(Command(name, (name, str(source), "-o", str(out / name))))
        elif name == "init":
            # It writes into the folder it reads, which these tests require to stay as it was;
            # tests/test_rule_sets.py gives it hostile files.
            continue
        elif _reads_paths(command):
            output = ("-o", str(out / name)) if _has_output(command) else ()
            commands.append(Command(name, (name, str(source), *output)))
    return commands


def _reads_paths(command: click.Command) -> bool:
    return not isinstance(command, click.Group) and any(
        isinstance(p, click.Argument) and isinstance(p.type, click.Path) for p in command.params
    )


def _has_output(command: click.Command) -> bool:
    return any(isinstance(p, click.Option) and p.name == "output" for p in command.params)


def harness_argv(argv: tuple[str, ...] | list[str], harness: tuple[str, ...] = ()) -> list[str]:
    """The subprocess command line that runs ``teitools argv`` through the test harness,
    under the memory limit."""
    return [sys.executable, str(HARNESS), "--max-memory", str(MEMORY_LIMIT), *harness, "--", *argv]


def run_process(
    argv: tuple[str, ...] | list[str],
    *,
    cwd: Path,
    harness: tuple[str, ...] = (),
    timeout: float = TIME_LIMIT,
) -> Result:
    """Run ``teitools argv`` in a subprocess under the time and memory limits.

    A run that does not finish in ``timeout`` seconds is killed and fails the calling test.
    """
    start = time.monotonic()
    try:
        done = subprocess.run(
            harness_argv(argv, harness),
            cwd=cwd,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError(f"teitools {' '.join(argv)} did not finish in {timeout} s") from None
    return Result(done.returncode, done.stdout, done.stderr, time.monotonic() - start)


def run_batch(
    commands: list[Command],
    *,
    cwd: Path,
    results: Path,
    harness: tuple[str, ...] = (),
    limit: float = TIME_LIMIT,
) -> list[tuple[str, Result]]:
    """Run every command in one subprocess under the memory limit (see the harness's
    ``--batch``); each must take less than ``limit`` seconds.

    The harness announces each command on stderr before it runs it; a watchdog kills the
    batch as soon as one command has run for ``limit`` seconds, and names it.
    """
    process = subprocess.Popen(
        harness_argv([], (*harness, "--batch", str(results))),
        cwd=cwd,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
    )
    announced: list[tuple[float, str]] = [(time.monotonic(), "(start-up)")]
    reader = threading.Thread(target=_follow, args=(process, announced), daemon=True)
    reader.start()
    assert process.stdin is not None
    process.stdin.write(json.dumps([list(c.argv) for c in commands]))
    process.stdin.close()
    while process.poll() is None:
        since, last = announced[-1]
        if time.monotonic() - since > limit:
            process.kill()
            process.wait()
            reader.join(timeout=5)
            _close(process)
            raise AssertionError(f"{last} did not finish in {limit} s")
        time.sleep(0.02)
    reader.join(timeout=5)
    _close(process)
    lines = "\n".join(line for _, line in announced)
    assert process.returncode == 0, f"the batch itself failed:\n{lines}"
    records = json.loads(results.read_text(encoding="utf-8"))
    pairs = []
    for command, record in zip(commands, records, strict=True):
        result = Result(record["code"], record["out"], record["err"], record["seconds"])
        assert result.seconds < limit, f"{command.label} took {result.seconds:.1f} s"
        pairs.append((command.label, result))
    return pairs


def _close(process: subprocess.Popen[str]) -> None:
    if process.stderr is not None:
        process.stderr.close()


def _follow(process: subprocess.Popen[str], announced: list[tuple[float, str]]) -> None:
    assert process.stderr is not None
    for line in process.stderr:
        announced.append((time.monotonic(), line.rstrip("\n")))


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        body = b'<!ENTITY leaked "LEAKED-BY-NETWORK">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:
        return


class LoopbackServer:
    """An HTTP server on 127.0.0.1 (random port) that records every request it gets."""

    def __init__(self, server: http.server.ThreadingHTTPServer, requests: list[str]) -> None:
        self._server = server
        self.requests = requests

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def loopback_server(lifetime: float = 600.0) -> Iterator[LoopbackServer]:
    """Serve on 127.0.0.1 while the block runs; the server stops itself after ``lifetime``."""
    requests: list[str] = []
    handler = type("Recorder", (_Recorder,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    stopper = threading.Timer(lifetime, server.shutdown)
    stopper.daemon = True
    stopper.start()
    try:
        yield LoopbackServer(server, requests)
    finally:
        stopper.cancel()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
