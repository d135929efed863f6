"""Benchmark the reading formats: text and HTML export, and the site, of a generated corpus.

    python benchmarks/bench_render.py                 # 2,000 and 10,000 letters, and the text scaling
    python benchmarks/bench_render.py --sizes 500 --scaling-sizes 500 1000   # a quick run
    python benchmarks/bench_render.py --scaling       # only the text scaling table
    python benchmarks/bench_render.py --no-cite       # without the pages' citation block

The corpus is the edition's eight letters repeated under new ids (so letters are shaped like
the edition's: registers, notes, lists, gaps, names), with the edition's registers beside
them. Each measurement runs in a fresh child process and reports the wall time of reading,
rendering and writing (the files are written as they come, as the command line writes them),
letters per second, CPU time (all of it, and the main process's own: the rest is the
workers'), and the peak resident memory of the largest process
(``ru_maxrss`` from ``os.wait4``: the child or one of its workers). Text runs on one core;
HTML and the site render letters in ``--workers`` processes (default: the cores available),
as ``--jobs`` does. ``--no-cite`` leaves out the letter pages' citation block and files
(formatted by the CSL processor), to show what the rest costs. The scaling table exports
text from 1,000 to 50,000 letters: its memory should stay flat. Each job reads the corpus as
the command line does: text in two passes (``teitools.model.stream.read_stream``: the letters
read again one at a time), html and the site keeping the letters' metadata but not their
texts (``read_edition(keep_texts=False)``). The text export's target is in CPU seconds, the
others' in wall seconds, as issue 16 states them. Self-contained: it needs
only teitools.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EDITION = ROOT / "tei"
TARGETS = {("html", 2000): 1.8, ("site", 10000): 30.0}
#: Targets in CPU seconds (interpreter start-up included), as issue 16 states the text export's.
CPU_TARGETS = {("text", 2000): 0.8}
MEMORY_TARGET_MB = {("site", 10000): 300}
#: The text export's memory, at every size of the scaling table.
TEXT_MEMORY_TARGET_MB = 100
SCALING_SIZES = (1000, 5000, 20000, 50000)

_CHILD = """
import json, os, resource, sys, time
from pathlib import Path
job, corpus, out, cite = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[5]
workers = int(sys.argv[4])
if job == "text" and hasattr(os, "sched_setaffinity"):  # one core: text is rendered in one process
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
if cite == "no":
    from markupsafe import Markup
    import teitools.render.html as pages
    pages.cite_block = lambda *args, **kwargs: Markup("")
    pages.meta_tags = lambda *args, **kwargs: Markup("")
    pages.letter_files = lambda *args, **kwargs: {}
from teitools.export.base import ExportOptions
from teitools.export.registry import EXPORTERS
from teitools.model.stream import read_stream
from teitools.model.tei import read_edition
from teitools.export.output import write_stream

# As the command line reads for each job: text in two passes (the letters read again one at
# a time), html and the site with the letters' texts left in their files.
start = time.perf_counter()
source = read_stream([corpus]) if job == "text" else read_edition([corpus], keep_texts=False, jobs=workers)
letters = len(source) if job == "text" else len(source.letters)
read = time.perf_counter()
if job == "site":
    # Imported by the site's job alone, as by the command line: the text job never loads it.
    from teitools.site.builder import site_files
    files = site_files(source, jobs=workers)
else:
    files = EXPORTERS[job].iter_files(source, ExportOptions(jobs=workers))
written = write_stream(out, files)
done = time.perf_counter()
own = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"letters": letters, "files": len(written), "read": read - start,
                  "write": done - read, "total": done - start, "main": own.ru_utime + own.ru_stime}))
"""


def generate(folder: Path, count: int) -> Path:
    """Write ``count`` letters (the edition's, cycled, with unique ids) and the registers."""
    letters = folder / "letters"
    letters.mkdir(parents=True)
    for register in ("persons.xml", "places.xml", "sources.xml"):
        shutil.copy(EDITION / register, folder / register)
    templates = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted((EDITION / "letters").glob("*.xml"))]
    for number in range(count):
        stem, source = templates[number % len(templates)]
        new_id = f"{stem}-{number:05d}"
        text = re.sub(r'xml:id="[^"]+"', f'xml:id="{new_id}"', source, count=1)
        (letters / f"{new_id}.xml").write_text(text, encoding="utf-8")
    return folder


def measure(job: str, corpus: Path, out: Path, workers: int, cite: bool) -> dict[str, float]:
    """Run one job in a child process; its timings, CPU time and peak memory (MB)."""
    command = [
        sys.executable,
        "-c",
        _CHILD,
        job,
        str(corpus),
        str(out),
        str(workers),
        "yes" if cite else "no",
    ]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{job} failed with exit code {child.returncode}")
    result: dict[str, float] = json.loads(output)
    result["peak_mb"] = usage.ru_maxrss / 1024  # Linux reports KiB
    # CPU time of the child and its workers (interpreter start-up included): unlike wall time
    # it does not grow when other processes compete for the machine.
    result["cpu"] = usage.ru_utime + usage.ru_stime
    # The kernel's share: for the text export mostly creating its files, which no code of
    # teitools makes cheaper.
    result["sys"] = usage.ru_stime
    return result


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument(
        "--jobs", nargs="+", default=["text", "html", "site"], choices=["text", "html", "site"]
    )
    parser.add_argument("--workers", type=int, default=_cores(), help="processes for html and site")
    parser.add_argument("--no-cite", action="store_true", help="leave out the citation block")
    parser.add_argument("--scaling", action="store_true", help="only the text scaling table")
    parser.add_argument("--scaling-sizes", type=int, nargs="*", default=list(SCALING_SIZES))
    args = parser.parse_args()
    cite = not args.no_cite
    rows = []
    scaling = []
    with tempfile.TemporaryDirectory(prefix="teitools-bench-") as temporary:
        base = Path(temporary)
        for size in [] if args.scaling else args.sizes:
            corpus = generate(base / f"corpus-{size}", size)
            for job in args.jobs:
                if job == "site" and size < max(args.sizes) and len(args.sizes) > 1:
                    continue  # the site is measured on the largest corpus only
                workers = 1 if job == "text" else args.workers
                result = measure(job, corpus, base / f"out-{job}-{size}", workers, cite)
                rows.append((job, size, workers, result))
                shutil.rmtree(base / f"out-{job}-{size}")
            shutil.rmtree(corpus)
        for size in args.scaling_sizes:
            corpus = generate(base / f"corpus-{size}", size)
            scaling.append((size, measure("text", corpus, base / "out-text", 1, cite)))
            shutil.rmtree(base / "out-text")
            shutil.rmtree(corpus)
    print(f"citation block: {'included' if cite else 'left out (--no-cite)'}")
    if rows:
        _table(rows)
    if scaling:
        _scaling(scaling)
    print(
        f"(wall times; load average {os.getloadavg()[0]:.1f}; {_cores()} cores; "
        f"{time.strftime('%Y-%m-%d %H:%M')}; Python {sys.version.split()[0]})"
    )


def _table(rows: list[tuple[str, int, int, dict[str, float]]]) -> None:
    header = (
        f"{'job':<5} {'letters':>7} {'procs':>5} {'read s':>7} {'write s':>7} "
        f"{'total s':>7} {'cpu s':>6} {'main s':>6} {'sys s':>6} {'letters/s':>9} {'peak MB':>7}  target"
    )
    print(header)
    print("-" * len(header))
    for job, size, workers, r in rows:
        target = TARGETS.get((job, size))
        memory = MEMORY_TARGET_MB.get((job, size))
        note = ""
        if target is not None:
            note = f"< {target:g} s: {'met' if r['total'] < target else 'MISSED'}"
        cpu_target = CPU_TARGETS.get((job, size))
        if cpu_target is not None:
            note = f"< {cpu_target:g} s of CPU: {'met' if r['cpu'] < cpu_target else 'MISSED'}"
        if memory is not None:
            note += f"; < {memory} MB: {'met' if r['peak_mb'] < memory else 'MISSED'}"
        print(
            f"{job:<5} {size:>7} {workers:>5} {r['read']:>7.2f} {r['write']:>7.2f} "
            f"{r['total']:>7.2f} {r['cpu']:>6.2f} {r['main']:>6.2f} {r['sys']:>6.2f} "
            f"{size / r['total']:>9.0f} {r['peak_mb']:>7.0f}  {note}"
        )


def _scaling(rows: list[tuple[int, dict[str, float]]]) -> None:
    print(f"text export, scaling (one core; memory target < {TEXT_MEMORY_TARGET_MB} MB at every size):")
    header = (
        f"{'letters':>7} {'total s':>7} {'cpu s':>6} {'sys s':>6} {'ms/letter':>9} {'peak MB':>7}  memory"
    )
    print(header)
    print("-" * len(header))
    for size, r in rows:
        verdict = "met" if r["peak_mb"] < TEXT_MEMORY_TARGET_MB else "MISSED"
        print(
            f"{size:>7} {r['total']:>7.2f} {r['cpu']:>6.2f} {r['sys']:>6.2f} "
            f"{1000 * r['total'] / size:>9.2f} {r['peak_mb']:>7.0f}  {verdict}"
        )


if __name__ == "__main__":
    main()
