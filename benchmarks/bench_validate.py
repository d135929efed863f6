"""Time ``teitools validate`` against xmllint and jing on the same synthetic corpus.

    python -m benchmarks.bench_validate                  # 2,000 letters
    python -m benchmarks.bench_validate --sizes 2000,10000

For each size, a corpus is written with :mod:`benchmarks.corpus`, with settings that choose
every rule set (so that teitools runs all its layers, the bundled grammar among them), then
every tool is run as a separate process on all its files (letters and registers) and on one
letter ("cold": process start to exit, on one file). xmllint and jing check the project's
RELAX NG alone. See ``benchmarks/README.md`` for what the columns mean.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.corpus import LETTERS_FOLDER, write_corpus
from teitools import __version__ as teitools_version
from teitools.load.resources import schema_file
from teitools.load.settings import RULE_SETS

#: The targets of issue 16: CPU seconds within 3x of xmllint's RELAX NG pass; one letter cold
#: in 0.1 s of CPU; --jobs N at least 1.8x faster (wall) than --jobs 1 on 2 cores; peak memory
#: at most 60 MiB, and flat.
TARGET_XMLLINT_RATIO = 3.0
TARGET_COLD_CPU_SECONDS = 0.1
TARGET_JOBS_SPEED_UP = 1.8
TARGET_PEAK_MIB = 60
#: Memory counts as flat when the largest corpus needs at most this much more than the smallest.
FLAT_MEMORY_GROWTH = 1.25
#: Every rule set: the bundled edition's grammar and rules too, as an edition that chose them.
SETTINGS = "rules = [" + ", ".join(f'"{name}"' for name in RULE_SETS) + "]\n"
#: The label of the one-file runs.
COLD = " (1 file, cold)"


@dataclass(frozen=True)
class Tool:
    """One way to validate: a name for the table and the command before the file arguments."""

    name: str
    command: tuple[str, ...] | None  # None: the program is not installed
    missing: str = ""  # why it is absent, for the table


@dataclass(frozen=True)
class Sample:
    """One run of a command: wall and CPU seconds, peak resident memory, exit code."""

    wall: float
    cpu: float
    peak_kib: int
    exit_code: int


@dataclass(frozen=True)
class Measurement:
    """A table row: the best wall and CPU time, and the highest peak memory, over repeats."""

    tool: str
    files: int
    wall: float
    cpu: float
    peak_kib: int
    exit_code: int  # -1: the tool is absent
    note: str = ""


@dataclass(frozen=True)
class Run:
    """What one table row runs: a tool, a scope ("all" files or a "cold" single file)."""

    tool: Tool
    scope: str
    arguments: tuple[str, ...]
    files: int


GNU_TIME = Path("/usr/bin/time")


def measure(command: Sequence[str], cwd: Path) -> Sample:
    """Run ``command`` in ``cwd`` with its output discarded, and measure it.

    Peak memory comes from GNU time when it is installed: a child forked from this Python
    process starts with this process's resident size as its high-water mark (Linux keeps it
    across exec), so ``os.wait4``'s ``ru_maxrss`` alone would never report less than the
    benchmark itself. GNU time is a small C program, so its floor is about 2 MiB. Without
    it, ``os.wait4`` is used and the table says that memory is an upper bound.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".time", encoding="ascii") as report:
        wrapped = (
            [str(GNU_TIME), "-f", "%M %U %S", "-o", report.name, *command]
            if GNU_TIME.is_file()
            else list(command)
        )
        start = time.perf_counter()
        process = subprocess.Popen(wrapped, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        # Linux: ru_maxrss is in KiB; utime and stime include the children waited for.
        peak, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
        if GNU_TIME.is_file():
            fields = report.read().split()[-3:]  # "Command exited with non-zero status" first
            peak, cpu = int(fields[0]), float(fields[1]) + float(fields[2])
    return Sample(wall, cpu, peak, process.returncode)


def _tools(teitools: str | None, jobs: int) -> list[Tool]:
    rng = str(schema_file("teitools.rng"))
    xmllint = shutil.which("xmllint")
    jing = shutil.which("jing")
    tools = []
    if teitools is None:
        tools.append(Tool("teitools", None, "teitools not found"))
    else:
        # --no-cache: every run validates every file (a warm cache would answer from disk;
        # bench_ci.py measures the cache). --jobs 1: one process, the default being every core.
        tools.append(Tool("teitools", (teitools, "validate", "--no-cache", "--jobs", "1")))
        if jobs > 1:
            tools.append(
                Tool(f"teitools -j{jobs}", (teitools, "validate", "--no-cache", "--jobs", str(jobs)))
            )
    tools.append(
        Tool(
            "xmllint",
            (xmllint, "--noout", "--relaxng", rng) if xmllint else None,
            "absent: apt-get install libxml2-utils",
        )
    )
    tools.append(Tool("jing", (jing, rng) if jing else None, "absent: apt-get install jing"))
    return tools


def _find_teitools(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    beside = Path(sys.executable).with_name("teitools")
    return str(beside) if beside.is_file() else shutil.which("teitools")


def bench_size(corpus: Path, tools: list[Tool], repeat: int) -> list[Measurement]:
    """Time every tool on the whole corpus and, cold, on its first letter."""
    files = sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*.xml"))
    one = next(f for f in files if f.startswith(f"{LETTERS_FOLDER}/"))
    runs = []
    for tool in tools:
        # teitools is given the folder, as a user would; it finds the same files. The others
        # take the file names (relative, to stay far below the argument-length limit).
        everything = (".",) if tool.name.startswith("teitools") else tuple(files)
        runs.append(Run(tool, "all", everything, len(files)))
    runs += [Run(tool, "cold", (one,), 1) for tool in tools if "-j" not in tool.name]
    results = []
    for run in runs:
        label = run.tool.name + (COLD if run.scope == "cold" else "")
        if run.tool.command is None:
            results.append(Measurement(label, run.files, 0.0, 0.0, 0, -1, run.tool.missing))
            continue
        command = (*run.tool.command, *run.arguments)
        measure(command, corpus)  # warm-up: page cache, .pyc files, the JVM's class data
        samples = [measure(command, corpus) for _ in range(repeat)]
        codes = sorted({s.exit_code for s in samples})
        note = "" if codes == [0] else f"exit {codes}: the corpus is not valid?"
        results.append(
            Measurement(
                label,
                run.files,
                min(s.wall for s in samples),
                min(s.cpu for s in samples),
                max(s.peak_kib for s in samples),
                max(codes),
                note,
            )
        )
    return results


@dataclass(frozen=True)
class InProcess:
    """``validate()`` timed in this process, as a library caller runs it: wall seconds, and CPU
    seconds of this process and of the worker processes it waited for."""

    jobs: int
    wall: float
    cpu: float
    workers_cpu: float
    load: str


def time_in_process(corpus: Path, jobs: int, repeat: int) -> InProcess:
    """The best of ``repeat`` runs of ``validate(corpus)`` without a cache, in ``jobs`` processes.

    Free of what the command adds (start-up, GNU time, the output), this is the number that
    shows what ``--jobs`` gains; on a machine whose load is above its cores, a worker finds no
    free core and the wall time says nothing (the load is given beside it)."""
    from teitools.validation.runner import ValidateOptions, validate  # noqa: PLC0415 -- timed here only

    best: InProcess | None = None
    for _ in range(repeat + 1):  # the first run warms the page cache and compiles the schemas
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        load = _load()
        start = time.perf_counter()
        report = validate([corpus], ValidateOptions(jobs=jobs))
        wall = time.perf_counter() - start
        own_after, children_after = (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
        if report.failed():
            raise SystemExit(f"validate({corpus}) found errors: the corpus is not valid?")
        sample = InProcess(
            jobs,
            wall,
            own_after.ru_utime + own_after.ru_stime - own.ru_utime - own.ru_stime,
            # Never below zero: without workers the difference is 0, which rounding may sign.
            max(
                0.0, children_after.ru_utime + children_after.ru_stime - children.ru_utime - children.ru_stime
            ),
            load,
        )
        if best is None or sample.wall < best.wall:
            best = sample
    assert best is not None
    return best


def in_process_table(size: int, runs: list[InProcess]) -> str:
    """``validate()`` in this process at each ``--jobs``, with the speed-up over one job."""
    one = runs[0]
    lines = [
        f"### {size} letters, validate() in this process",
        "",
        "| jobs | wall s | cpu s (this process) | cpu s (workers) | x jobs 1 (wall) | load at start |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    lines += [
        f"| {r.jobs} | {r.wall:.3f} | {r.cpu:.3f} | {r.workers_cpu:.3f} | "
        f"{one.wall / r.wall:.2f} | {r.load} |"
        for r in runs
    ]
    return "\n".join(lines)


def table(size: int, results: list[Measurement]) -> str:
    """A Markdown table of one size, with the ratios to xmllint and jing of the same scope."""
    base = {m.tool: m for m in results}
    lines = [
        f"### {size} letters ({results[0].files} files with the registers)",
        "",
        "| run | files | wall s | cpu s | files/s | peak MiB | x xmllint | cpu x xmllint | x jing | note |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for m in results:
        if m.exit_code == -1:
            lines.append(f"| {m.tool} | {m.files} | - | - | - | - | - | - | - | {m.note} |")
            continue
        scope = COLD if m.tool.endswith(COLD) else ""
        xmllint, jing = base.get("xmllint" + scope), base.get("jing" + scope)
        note = m.note or ("" if GNU_TIME.is_file() else "peak MiB is an upper bound (no GNU time)")
        lines.append(
            f"| {m.tool} | {m.files} | {m.wall:.3f} | {m.cpu:.3f} | "
            f"{m.files / m.wall:,.0f} | {m.peak_kib / 1024:.1f} | {_ratio(m, xmllint)} | "
            f"{_ratio(m, xmllint, cpu=True)} | {_ratio(m, jing)} | {note} |"
        )
    return "\n".join(lines)


def _ratio(m: Measurement, other: Measurement | None, *, cpu: bool = False) -> str:
    if other is None or other.exit_code == -1:
        return "n/a"
    if cpu:  # GNU time counts CPU in hundredths: xmllint on one file shows none
        return f"{m.cpu / other.cpu:.2f}" if other.cpu >= 0.01 else "n/a"
    return f"{m.wall / other.wall:.2f}"


def verdicts(by_size: dict[int, list[Measurement]], jobs: int) -> list[str]:
    """The issue's targets, each with PASS/MISS and the numbers behind it."""
    lines = []
    for size, results in by_size.items():
        found = {m.tool: m for m in results if m.exit_code != -1}
        full, cold = found.get("teitools"), found.get("teitools" + COLD)
        parallel = found.get(f"teitools -j{jobs}")
        xmllint = found.get("xmllint")
        if full and xmllint:
            ratio = full.cpu / xmllint.cpu
            lines.append(
                _verdict(
                    f"{size}: teitools (all layers) within {TARGET_XMLLINT_RATIO:g}x of xmllint (CPU)",
                    ratio <= TARGET_XMLLINT_RATIO,
                    f"{full.cpu:.2f} s vs {xmllint.cpu:.2f} s, {ratio:.2f}x",
                )
            )
        if full and parallel:
            speed_up = full.wall / parallel.wall
            lines.append(
                _verdict(
                    f"{size}: --jobs {jobs} at least {TARGET_JOBS_SPEED_UP:g}x faster than --jobs 1 (wall)",
                    speed_up >= TARGET_JOBS_SPEED_UP,
                    f"{full.wall:.2f} s vs {parallel.wall:.2f} s, {speed_up:.2f}x "
                    f"(CPU {full.cpu:.2f} s vs {parallel.cpu:.2f} s)",
                )
            )
        if cold:
            lines.append(
                _verdict(
                    f"{size}: one file cold in at most {TARGET_COLD_CPU_SECONDS} s of CPU",
                    cold.cpu <= TARGET_COLD_CPU_SECONDS,
                    f"{cold.cpu:.3f} s CPU, {cold.wall:.3f} s wall",
                )
            )
    peaks = {
        size: m.peak_kib
        for size, results in by_size.items()
        for m in results
        if m.tool == "teitools" and m.exit_code != -1
    }
    if peaks:
        large = max(peaks)
        lines.append(
            _verdict(
                f"{large}: peak memory at most {TARGET_PEAK_MIB} MiB",
                peaks[large] / 1024 <= TARGET_PEAK_MIB,
                f"{peaks[large] / 1024:.1f} MiB",
            )
        )
    if len(peaks) > 1:
        small, large = min(peaks), max(peaks)
        growth = peaks[large] / peaks[small]
        lines.append(
            _verdict(
                f"memory flat from {small} to {large} letters (at most {FLAT_MEMORY_GROWTH:g}x)",
                growth <= FLAT_MEMORY_GROWTH,
                f"{peaks[small] / 1024:.1f} MiB -> {peaks[large] / 1024:.1f} MiB, {growth:.2f}x",
            )
        )
    return lines


def _verdict(what: str, passed: bool, numbers: str) -> str:
    return f"- {'PASS' if passed else 'MISS'} {what}: {numbers}"


def _environment(tools: list[Tool]) -> str:
    present = ", ".join(t.name for t in tools if t.command is not None)
    return (
        f"teitools {teitools_version}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs; tools: {present}"
    )


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_validate", description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    parser.add_argument("--sizes", default="2000", help="comma-separated numbers of letters (default 2000)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="timed runs of each command; the table gives the best (default 3)",
    )
    parser.add_argument(
        "--jobs", type=int, default=2, help="also time teitools validate --jobs N (default 2; 1 to skip)"
    )
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument(
        "--teitools", help="the teitools executable (default: beside this Python, else on PATH)"
    )
    parser.add_argument(
        "--workdir", type=Path, help="write the corpora here and keep them (default: a temporary folder)"
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if not sizes or min(sizes) < 1 or args.repeat < 1:
        parser.error("--sizes needs numbers of 1 or more and --repeat at least 1")
    tools = _tools(_find_teitools(args.teitools), args.jobs)
    print(_environment(tools))
    print(
        f"wall s, cpu s: best of {args.repeat} runs after one warm-up run; "
        f"peak MiB: the highest over the runs; load average {_load()}\n"
    )
    by_size: dict[int, list[Measurement]] = {}
    in_process: dict[int, list[InProcess]] = {}
    with tempfile.TemporaryDirectory(prefix="teitools-bench-") as scratch:
        root = args.workdir or Path(scratch)
        for size in sizes:
            corpus = root / f"corpus-{size}-seed{args.seed}"
            start = time.perf_counter()
            try:
                write_corpus(corpus, size, args.seed)
            except FileExistsError as error:
                parser.error(f"{error} (a corpus of an earlier run?)")
            (corpus / "teitools.toml").write_text(SETTINGS, encoding="utf-8")
            print(f"wrote {size} letters to {corpus} in {time.perf_counter() - start:.1f} s", flush=True)
            by_size[size] = bench_size(corpus, tools, args.repeat)
            print(table(size, by_size[size]) + "\n", flush=True)
            if args.jobs > 1:
                in_process[size] = [time_in_process(corpus, jobs, args.repeat) for jobs in (1, args.jobs)]
                print(in_process_table(size, in_process[size]) + "\n", flush=True)
    print(f"Targets (issue 16); load average now {_load()}:")
    print("\n".join(verdicts(by_size, args.jobs)))
    for size, (one, more) in in_process.items():
        speed_up = one.wall / more.wall
        print(
            _verdict(
                f"{size}: validate() in this process, jobs {args.jobs} at least "
                f"{TARGET_JOBS_SPEED_UP:g}x faster than jobs 1 (wall)",
                speed_up >= TARGET_JOBS_SPEED_UP,
                f"{one.wall:.2f} s vs {more.wall:.2f} s, {speed_up:.2f}x (load {more.load})",
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
