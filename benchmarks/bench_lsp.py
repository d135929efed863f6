"""Time ``teitools lsp`` as an editor sees it, on a synthetic edition of 2,000 letters.

    python -m benchmarks.bench_lsp              # 2,000 letters
    python -m benchmarks.bench_lsp -n 500 --edits 50

A corpus is written with :mod:`benchmarks.corpus` into a workspace folder, the server is
started over stdio, one letter is opened (the first check reads the edition: "open") and then
edited: each edit is timed from sending ``didChange`` to receiving its diagnostics (debounce
included: what the encoder waits for), and each completion of ``#`` in a ``ref`` from request
to answer. Prints the median and the slowest against the targets of issue 17.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from benchmarks.corpus import LETTERS_FOLDER, write_corpus

#: Issue 17's targets, warm server.
TARGET_DIAGNOSTICS_SECONDS = 0.150
TARGET_COMPLETION_SECONDS = 0.050


async def _measure(workspace: Path, letter: Path, edits: int) -> dict[str, list[float]]:
    client = LanguageClient("bench", "1")
    arrived: dict[int, float] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)  # type: ignore[untyped-decorator]  # pygls's
    def _published(params: types.PublishDiagnosticsParams) -> None:
        if params.version is not None:
            arrived[params.version] = time.perf_counter()

    await client.start_io(sys.executable, "-m", "teitools", "lsp")
    await client.initialize_async(
        types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=workspace.as_uri())
    )
    client.initialized(types.InitializedParams())
    uri = letter.as_uri()
    text = letter.read_text("utf-8")
    timings: dict[str, list[float]] = {"open": [], "diagnostics": [], "completion": []}
    started = time.perf_counter()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "xml", 1, text))
    )
    await _wait(arrived, 1)
    timings["open"].append(arrived[1] - started)
    marker = 'ref="#'
    row = next(i for i, line in enumerate(text.splitlines()) if marker in line)
    column = text.splitlines()[row].index(marker) + len(marker)
    for version in range(2, edits + 2):
        # Every other edit makes a mistake, so both a clean and a failing check are timed.
        edited = text.replace('ref="#', 'ref="', 1) if version % 2 else text
        started = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                [types.TextDocumentContentChangeWholeDocument(text=edited)],
            )
        )
        await _wait(arrived, version)
        timings["diagnostics"].append(arrived[version] - started)
        if version % 2 == 0:
            started = time.perf_counter()
            await client.text_document_completion_async(
                types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(row, column))
            )
            timings["completion"].append(time.perf_counter() - started)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()  # type: ignore[no-untyped-call]  # pygls's client is not fully typed
    return timings


async def _wait(arrived: dict[int, float], version: int) -> None:
    for _ in range(3000):
        if version in arrived:
            return
        await asyncio.sleep(0.001)
    raise RuntimeError(f"no diagnostics for version {version}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="letters in the corpus (default 2000)")
    parser.add_argument("--edits", type=int, default=40, help="edits to time (default 40)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        workspace = Path(folder)
        write_corpus(workspace / "tei", args.n)
        letter = sorted((workspace / "tei" / LETTERS_FOLDER).glob("*.xml"))[args.n // 2]
        timings = asyncio.run(_measure(workspace, letter, args.edits))
    print(f"teitools lsp on {args.n} letters ({args.edits} edits)")
    print(f"  open (reads the edition):  {timings['open'][0] * 1000:7.1f} ms")
    ok = True
    for name, target in (
        ("diagnostics", TARGET_DIAGNOSTICS_SECONDS),
        ("completion", TARGET_COMPLETION_SECONDS),
    ):
        values = timings[name]
        median, slowest = statistics.median(values), max(values)
        met = median <= target
        ok = ok and met
        label = "diagnostics after an edit" if name == "diagnostics" else name
        print(
            f"  {label:<26} median {median * 1000:6.1f} ms,"
            f" slowest {slowest * 1000:6.1f} ms (target {target * 1000:.0f} ms: {'met' if met else 'MISSED'})"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
