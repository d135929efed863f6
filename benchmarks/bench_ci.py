"""CI benchmark: a 10,000-letter edition validated cold, again with the cache, and after one change.

    python -m benchmarks.bench_ci [--letters 10000] [--jobs N] [--keep DIR]

Generates an edition shaped like ``tei/`` with :mod:`benchmarks.corpus` in a temporary git
repository, then times the command line
as CI runs it (a fresh process each time, start-up included):

1. the first run, with an empty cache;
2. a second run on the unchanged corpus (target: at least 10x faster than the first);
3. ``--changed-since HEAD`` after one letter changed (target: under 0.5 s).

Every run must find the corpus clean (the changed letter stays valid), so the timings are of
real, complete validations. Prints a table; exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import LETTERS_FOLDER, write_corpus


def generate(root: Path, letters: int) -> list[Path]:
    """Write the edition below ``root`` with the shared corpus generator; return the letters."""
    return [path for path in write_corpus(root, letters) if path.parent.name == LETTERS_FOLDER]


def change(letter: Path) -> None:
    """Edit one letter the way a contributor would: a paragraph added, the file still valid."""
    text = letter.read_text(encoding="utf-8")
    head, tail = text.rsplit("</div>", 1)
    letter.write_text(f"{head}<p>A changed sentence.</p></div>{tail}", encoding="utf-8")


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def timed(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """Wall-clock and CPU seconds (user + system, the process and its children) of a run,
    and its summary line. CPU time is the fairer number on a machine shared with others."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode != 0:
        sys.exit(
            f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout[-2000:]}"
            f"{result.stderr[-2000:]}"
        )
    return elapsed, cpu, result.stdout.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="--jobs for the runs (default: all CPUs)"
    )
    parser.add_argument("--keep", type=Path, help="generate here and keep it (must not exist)")
    args = parser.parse_args()
    teitools = shutil.which("teitools", path=str(Path(sys.executable).parent)) or "teitools"
    work = args.keep or Path(tempfile.mkdtemp(prefix="teitools-bench-"))
    try:
        started = time.perf_counter()
        files = generate(work / "tei", args.letters)
        git(work, "init", "-q")
        git(work, "add", ".")
        git(work, "-c", "user.name=bench", "-c", "user.email=bench@invalid", "commit", "-qm", "corpus")
        git(work, "status", "--porcelain")  # refresh the index, as any git use in CI would
        setup = time.perf_counter() - started
        command = [teitools, "validate", "tei", "--jobs", str(args.jobs), "--quiet"]
        first = timed(command, work)
        second = timed(command, work)
        number = len(files) // 2
        change(files[number])
        one = timed([*command, "--changed-since", "HEAD"], work)
        one_uncached = timed([*command, "--changed-since", "HEAD", "--no-cache"], work)
        full_after_change = timed(command, work)
        startup = timed([sys.executable, "-c", "import teitools.cli; print('imported')"], work)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    rows = [
        ("first run (empty cache)", first, ""),
        (
            "second run, unchanged (cache)",
            second,
            f"{first[0] / second[0]:.0f}x faster wall, {first[1] / second[1]:.0f}x CPU (target >= 10x)",
        ),
        ("--changed-since HEAD, 1 letter changed", one, "target < 0.5 s"),
        ("  the same with --no-cache", one_uncached, ""),
        ("full run after that change (cache)", full_after_change, ""),
        ("start-up alone (import teitools.cli)", startup, "the floor of every run"),
    ]
    print(
        f"teitools CI benchmark: {args.letters} letters + 3 registers (generated and committed "
        f"in {setup:.1f} s), --jobs {args.jobs}, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f}"
    )
    print()
    print(f"| {'run':<40} | {'wall s':>7} | {'CPU s':>7} | {'result':<34} | note")
    print(f"|{'-' * 42}|{'-' * 9}:|{'-' * 9}:|{'-' * 36}|------")
    for name, (wall, cpu, result), note in rows:
        print(f"| {name:<40} | {wall:>7.2f} | {cpu:>7.2f} | {result:<34} | {note}")
    missed = first[0] / second[0] < 10 or one[0] >= 0.5
    if missed:
        print("\na target was missed (wall clock)")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
