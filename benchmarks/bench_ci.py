"""CI benchmark: a 10,000-letter edition validated cold, again with the cache, and after one change.

    python -m benchmarks.bench_ci [--letters 10000] [--jobs N] [--keep DIR]

Generates an edition shaped like ``tei/`` with :mod:`benchmarks.corpus` in a temporary git
repository, then times the command line
as CI runs it (a fresh process each time, start-up included):

1. the first run, with an empty cache (target: at most 10 % more CPU time than the same
   run with ``--no-cache``);
2. a second run on the unchanged corpus (target: at least 10x less CPU time than
   ``--no-cache``);
3. ``--changed-since HEAD`` after one letter changed (target: at most 0.3 s of CPU time);

and, as baselines, the same full run with ``--no-cache`` and one letter, cold, with
``--no-cache`` (the floor of every run). The targets are in CPU time (of teitools, its
workers and the git processes it starts), which a machine shared with other work disturbs
least; the wall times are printed beside them. The cache is
a fresh folder of its own (``XDG_CACHE_HOME``), removed with the corpus.

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

from benchmarks.bench_validate import SETTINGS
from benchmarks.corpus import LETTERS_FOLDER, write_corpus


def generate(root: Path, letters: int) -> list[Path]:
    """Write the edition below ``root`` with the shared corpus generator, and settings that
    choose every rule set (so that every layer runs, as in bench_validate); return the letters."""
    letters_written = [path for path in write_corpus(root, letters) if path.parent.name == LETTERS_FOLDER]
    (root / "teitools.toml").write_text(SETTINGS, encoding="utf-8")
    return letters_written


def change(letter: Path) -> None:
    """Edit one letter the way a contributor would: a sentence added, the file still valid.

    The sentence ends the body's first paragraph or list item, where text is always allowed
    (a paragraph added at the end of the letter's ``div`` would follow its ``closer`` or
    postscript, which the grammar does not allow)."""
    text = letter.read_text(encoding="utf-8")
    head, body = text.split("<body>", 1)
    end = min(found for found in (body.find("</p>"), body.find("</item>")) if found >= 0)
    changed = f"{body[:end]} A changed sentence.{body[end:]}"
    letter.write_text(f"{head}<body>{changed}", encoding="utf-8")


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall-clock and CPU seconds (user + system, the process and its children) of a run,
    and its summary line. CPU time is the fairer number on a machine shared with others."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False, env=env)
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
    cache_home = Path(tempfile.mkdtemp(prefix="teitools-bench-cache-"))
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    try:
        started = time.perf_counter()
        files = generate(work / "tei", args.letters)
        git(work, "init", "-q")
        git(work, "add", ".")
        git(work, "-c", "user.name=bench", "-c", "user.email=bench@invalid", "commit", "-qm", "corpus")
        git(work, "status", "--porcelain")  # refresh the index, as any git use in CI would
        setup = time.perf_counter() - started
        command = [teitools, "validate", "tei", "--jobs", str(args.jobs), "--quiet"]
        uncached = timed([*command, "--no-cache"], work, env)
        first = timed(command, work, env)
        second = timed(command, work, env)
        number = len(files) // 2
        change(files[number])
        one = timed([*command, "--changed-since", "HEAD"], work, env)
        one_uncached = timed([*command, "--changed-since", "HEAD", "--no-cache"], work, env)
        full_after_change = timed(command, work, env)
        letter = str(files[0].relative_to(work))
        startup = timed([teitools, "validate", letter, "--no-cache", "--quiet"], work, env)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(cache_home, ignore_errors=True)
    rows = [
        ("full run, --no-cache", uncached, ""),
        (
            "first run (empty cache)",
            first,
            f"{first[1] / uncached[1]:.2f}x the CPU of --no-cache (target <= 1.1x)",
        ),
        (
            "second run, unchanged (cache)",
            second,
            f"{uncached[1] / second[1]:.1f}x less CPU than --no-cache (target >= 10x)",
        ),
        ("--changed-since HEAD, 1 letter changed", one, "target <= 0.3 s CPU"),
        ("  the same with --no-cache", one_uncached, ""),
        ("full run after that change (cache)", full_after_change, ""),
        ("one letter, cold, --no-cache", startup, "the floor of every run (target <= 0.1 s)"),
    ]
    print(
        f"teitools CI benchmark: {args.letters} letters + 3 registers (generated and committed "
        f"in {setup:.1f} s), --jobs {args.jobs}, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f}"
    )
    print()
    print(f"| {'run':<40} | {'wall s':>7} | {'CPU s':>7} | {'result':<34} | note |")
    print(f"|{'-' * 42}|{'-' * 8}:|{'-' * 8}:|{'-' * 36}|------|")
    for name, (wall, cpu, result), note in rows:
        print(f"| {name:<40} | {wall:>7.2f} | {cpu:>7.2f} | {result:<34} | {note} |")
    print(f"\nload average after the runs: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    missed = [
        name
        for name, miss in (
            ("cached re-run >= 10x less CPU than --no-cache", uncached[1] / second[1] < 10),
            ("--changed-since, one letter <= 0.3 s (CPU)", one[1] > 0.3),
            ("first run <= 1.1x --no-cache (CPU)", first[1] > 1.1 * uncached[1]),
            ("one letter cold <= 0.1 s (CPU)", startup[1] > 0.1),
        )
        if miss
    ]
    if missed:
        print(f"targets missed: {'; '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
