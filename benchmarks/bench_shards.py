"""Shard benchmark: one machine against the slowest of N shards of a CI matrix.

    python -m benchmarks.bench_shards [--letters 100000] [--shards 8] [--jobs 2] [--corpus DIR]

Validates an edition of ``--letters`` letters from :mod:`benchmarks.corpus` (every rule set
chosen, as in bench_validate) once whole, as one machine does, and then as each of
``--shards`` machines of a CI matrix does (``--shard K/N``), one after the other on this
machine: the matrix's wall time is that of its slowest shard. Every run is ``--no-cache``
with ``--jobs`` workers and writes a JSON report; the shards' reports merged
(``teitools report merge``) must equal the whole run's, and the corpus must be clean, so the
timings are of complete, equal work. ``--corpus`` reuses a corpus written before (with
``python -m benchmarks.corpus -n N DIR``; the settings are written into it) instead of
writing one to a temporary folder. Prints a table; exits 1 when the slowest shard takes more
than half the whole run's CPU time, or the reports differ. The target is in CPU time, which a
machine shared with other work disturbs least; on an idle machine the wall times, printed
beside it, are in about the same ratio (every run has the same ``--jobs``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.bench_validate import SETTINGS, Sample, measure
from benchmarks.corpus import write_corpus

#: The slowest shard's CPU time at most this share of one machine's: sharding pays.
TARGET = 0.5


def run(teitools: str, corpus: Path, jobs: int, report: Path, *shard: str) -> Sample:
    """One validation of the corpus, timed; its JSON report in ``report``."""
    command = [teitools, "validate", ".", "--no-cache", "-q", "--jobs", str(jobs), *shard]
    sample = measure([*command, "--format", "json", "-o", str(report)], corpus)
    if sample.exit_code != 0:
        sys.exit(f"{' '.join(command)} exited {sample.exit_code}: the corpus should be clean")
    return sample


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--letters", type=int, default=100_000)
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="--jobs of every run")
    parser.add_argument("--corpus", type=Path, help="a corpus written before, of --letters letters")
    args = parser.parse_args()
    teitools = shutil.which("teitools", path=str(Path(sys.executable).parent)) or "teitools"
    work = Path(tempfile.mkdtemp(prefix="teitools-shards-"))
    corpus = args.corpus or work / "corpus"
    load_before = os.getloadavg()
    try:
        if args.corpus is None:
            write_corpus(corpus, args.letters)
        (corpus / "teitools.toml").write_text(SETTINGS, encoding="utf-8")
        whole = run(teitools, corpus, args.jobs, work / "whole.json")
        shards = [
            run(teitools, corpus, args.jobs, work / f"shard-{k}.json", "--shard", f"{k}/{args.shards}")
            for k in range(1, args.shards + 1)
        ]
        parts = [str(work / f"shard-{k}.json") for k in range(1, args.shards + 1)]
        merged = subprocess.run(
            [teitools, "report", "merge", *parts, "--format", "json"],
            capture_output=True,
            text=True,
            check=False,
        )
        same = json.loads(merged.stdout) == json.loads((work / "whole.json").read_text("utf-8"))
        files = len(json.loads(merged.stdout)["files"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    slowest = max(shards, key=lambda sample: sample.wall)
    busiest = max(shards, key=lambda sample: sample.cpu)
    print(
        f"teitools shard benchmark: {files:,} files, {args.shards} shards, --jobs {args.jobs}, "
        f"{os.cpu_count()} CPUs, load average {load_before[0]:.1f} before the runs"
    )
    print()
    print(f"| {'run':<28} | {'wall s':>7} | {'CPU s':>7} | {'peak MiB':>8} |")
    print(f"|{'-' * 30}|{'-' * 8}:|{'-' * 8}:|{'-' * 9}:|")
    rows = [("one machine, whole edition", whole)]
    rows += [(f"shard {k}/{args.shards}", sample) for k, sample in enumerate(shards, 1)]
    for name, sample in rows:
        print(f"| {name:<28} | {sample.wall:>7.2f} | {sample.cpu:>7.2f} | {sample.peak_kib / 1024:>8.1f} |")
    ratio = busiest.cpu / whole.cpu
    print(
        f"\nthe shard with the most CPU time: {busiest.cpu:.2f} s, {ratio:.2f}x one machine's "
        f"{whole.cpu:.2f} s (target <= {TARGET}x); the slowest shard in wall time: "
        f"{slowest.wall:.2f} s, {slowest.wall / whole.wall:.2f}x one machine's {whole.wall:.2f} s"
    )
    print(f"merged shard reports equal the whole run's: {'yes' if same else 'NO'}")
    print(f"load average after the runs: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0 if same and ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
