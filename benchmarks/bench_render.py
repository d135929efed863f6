"""Benchmark the reading formats: text and HTML export, and the site, of a generated corpus.

    python benchmarks/bench_render.py                 # 2,000 and 10,000 letters
    python benchmarks/bench_render.py --sizes 500     # a quick run

The corpus is the edition's eight letters repeated under new ids (so letters are shaped like
the edition's: registers, notes, lists, gaps, names), with the edition's registers beside
them. Each measurement runs in a fresh child process on one core, and reports the wall time
of reading, rendering and writing, letters per second, and the child's peak resident memory
(``ru_maxrss`` from ``os.wait4``). Self-contained: it needs only teitools.
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
TARGETS = {("text", 2000): 0.8, ("html", 2000): 1.0, ("site", 10000): 30.0}
MEMORY_TARGET_MB = {("site", 10000): 300}

_CHILD = """
import json, os, sys, time
from pathlib import Path
if hasattr(os, "sched_setaffinity"):  # one core, as the targets are stated
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
from teitools.export.base import ExportOptions
from teitools.export.registry import EXPORTERS
from teitools.model.tei import read_edition
from teitools.export.output import write_files
from teitools.site.builder import build_site

job, corpus, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
start = time.perf_counter()
edition = read_edition([corpus])
read = time.perf_counter()
if job == "site":
    files = build_site(edition)
else:
    files = EXPORTERS[job].export(edition, ExportOptions()).files
rendered = time.perf_counter()
write_files(out, files)
done = time.perf_counter()
print(json.dumps({"letters": len(edition.letters), "files": len(files), "read": read - start,
                  "render": rendered - read, "write": done - rendered, "total": done - start}))
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


def measure(job: str, corpus: Path, out: Path) -> dict[str, float]:
    """Run one job in a child process (it pins itself to one core); its timings and peak
    memory (MB)."""
    command = [sys.executable, "-c", _CHILD, job, str(corpus), str(out)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{job} failed with exit code {child.returncode}")
    result: dict[str, float] = json.loads(output)
    result["peak_mb"] = usage.ru_maxrss / 1024  # Linux reports KiB
    # CPU time of the whole child (interpreter start-up included): unlike wall time it does
    # not grow when other processes compete for the machine.
    result["cpu"] = usage.ru_utime + usage.ru_stime
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument(
        "--jobs", nargs="+", default=["text", "html", "site"], choices=["text", "html", "site"]
    )
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="teitools-bench-") as temporary:
        base = Path(temporary)
        for size in args.sizes:
            corpus = generate(base / f"corpus-{size}", size)
            for job in args.jobs:
                if job == "site" and size < max(args.sizes) and len(args.sizes) > 1:
                    continue  # the site is measured on the largest corpus only
                result = measure(job, corpus, base / f"out-{job}-{size}")
                rows.append((job, size, result))
                shutil.rmtree(base / f"out-{job}-{size}")
            shutil.rmtree(corpus)
    header = (
        f"{'job':<5} {'letters':>7} {'read s':>7} {'render s':>8} {'write s':>7} "
        f"{'total s':>7} {'cpu s':>6} {'letters/s':>9} {'peak MB':>7}  target"
    )
    print(header)
    print("-" * len(header))
    for job, size, r in rows:
        target = TARGETS.get((job, size))
        memory = MEMORY_TARGET_MB.get((job, size))
        note = ""
        if target is not None:
            note = f"< {target:g} s: {'met' if r['total'] < target else 'MISSED'}"
        if memory is not None:
            note += f"; < {memory} MB: {'met' if r['peak_mb'] < memory else 'MISSED'}"
        print(
            f"{job:<5} {size:>7} {r['read']:>7.2f} {r['render']:>8.2f} {r['write']:>7.2f} "
            f"{r['total']:>7.2f} {r['cpu']:>6.2f} {size / r['total']:>9.0f} {r['peak_mb']:>7.0f}  "
            f"{note}"
        )
    print(
        f"(wall times on one core; load average {os.getloadavg()[0]:.1f}; "
        f"{time.strftime('%Y-%m-%d')}; Python {sys.version.split()[0]})"
    )


if __name__ == "__main__":
    main()
