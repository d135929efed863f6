"""Benchmark: 2,000 letters that declare RELAX NG + XPath 2 Schematron in ``<?xml-model?>``.

Times, on the same generated corpus:
  * ``teitools validate`` (one process, and ``--jobs``), which applies both declared schemas;
  * jing on the same RELAX NG (one JVM run over all files);
  * a Java Schematron run: Saxon-HE (Debian's libsaxonhe-java) on the validator stylesheet
    that lxml's ISO skeleton compiles from the same rules (no XSLT 2 Schematron skeleton,
    such as SchXslt, is packaged in Debian or on PyPI; Saxon runs the XSLT 1.0 stylesheet in
    backwards-compatible mode, where XPath 2 functions such as ``matches()`` still work);
  * per file, in one process: the XPath 2 engine against lxml's XPath 1 fast path running
    the same rules written in XPath 1 (target: within 5x).

Run: ``python benchmarks/bench_schemas.py [--letters 2000] [--keep DIR]``.
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

from lxml import etree, isoschematron

from teitools.load.parser import load
from teitools.load.resources import schema_file
from teitools.validation.positions import SourceLines
from teitools.validation.schematron.engines import compile_rules

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE.parent / "tests" / "fixtures" / "valid" / "minimal-letter.xml"
SAXON_JARS = (Path("/usr/share/java/Saxon-HE.jar"),)
PEOPLE = ("stalin", "kaganovich", "molotov", "voroshilov", "ordzhonikidze", "kirov", "mikoyan")


def write_schemas(folder: Path) -> dict[str, Path]:
    paths = {"rng": folder / "letter.rng"}
    shutil.copy(schema_file("teitools.rng"), paths["rng"])
    for binding in ("xslt", "xslt2"):
        paths[binding] = folder / f"letter-{binding}.sch"
        shutil.copy(HERE / f"letter-{binding}.sch", paths[binding])
    return paths


def write_letters(folder: Path, count: int) -> list[Path]:
    template = TEMPLATE.read_text(encoding="utf-8")
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<?xml-model href="../letter.rng" type="application/xml" '
        'schematypens="http://relaxng.org/ns/structure/1.0"?>\n'
        '<?xml-model href="../letter-xslt2.sch" type="application/xml" '
        'schematypens="http://purl.oclc.org/dsdl/schematron"?>\n'
    )
    body = template.split("?>", 1)[1].lstrip("\n")
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for index in range(count):
        sender, recipient = PEOPLE[index % len(PEOPLE)], PEOPLE[(index + 3) % len(PEOPLE)]
        year, month, day = 1926 + index % 11, 1 + index % 12, 1 + index % 28
        letter_id = f"{sender}-{recipient}-{year}-{month:02d}-{day:02d}"
        text = (
            body.replace("stalin-kaganovich-1932-07x", letter_id)
            .replace('ref="#stalin"', 'ref="#SENDER"')
            .replace('ref="#kaganovich"', 'ref="#RECIPIENT"')
            .replace("#SENDER", f"#{sender}")
            .replace("#RECIPIENT", f"#{recipient}")
            .replace('when="1932-07"', f'when="{year}-{month:02d}"')
            .replace('when="1932-07-01"', f'when="{year}-{month:02d}-{day:02d}"')
        )
        if index % 50 == 7:  # one letter in fifty has a mistake for each layer to find
            text = text.replace('rend="italic"', 'rend="emphasis"').replace(
                f'when="{year}-{month:02d}-{day:02d}"', f'when="{year}-{month}-{day}"'
            )
        path = folder / f"{letter_id}-{index:04d}.xml"
        path.write_text(head + text, encoding="utf-8")
        files.append(path)
    return files


#: CPU seconds (user + system) of each finished child, by command name: on a shared machine
#: the wall clock also counts other people's work.
CPU: dict[str, float] = {}


def timed(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[" ".join(command)] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, result


def _last_cpu() -> float:
    return list(CPU.values())[-1]


def saxon_schematron(schema: Path, letters: Path, out: Path) -> tuple[float, str] | None:
    jar = next((j for j in SAXON_JARS if j.is_file()), None)
    java = shutil.which("java")
    if jar is None or java is None:
        return None
    source = etree.parse(str(schema))
    source.getroot().set("queryBinding", "xslt")  # the XSLT 1 skeleton; Saxon runs XPath 2
    stylesheet = isoschematron.iso_svrl_for_xslt1(isoschematron.iso_abstract_expand(source))
    xsl = out.parent / "validator.xsl"
    out.mkdir(parents=True, exist_ok=True)
    xsl.write_bytes(etree.tostring(stylesheet))
    seconds, result = timed(
        [java, "-cp", str(jar), "net.sf.saxon.Transform", f"-s:{letters}", f"-xsl:{xsl}", f"-o:{out}"],
        letters,
    )
    if result.returncode != 0:
        return seconds, f"failed: {result.stderr.strip()[:200]}"
    fired = sum(p.read_text(encoding="utf-8").count("<svrl:failed-assert") for p in out.rglob("*.xml"))
    return seconds, f"{fired} failed asserts"


def per_file(files: list[Path], paths: dict[str, Path], repeat: int = 5) -> dict[str, float]:
    """CPU seconds per file of each engine on pre-parsed trees: the best of ``repeat``
    passes, the engines taking turns (the machine is shared; the best pass is the least
    disturbed)."""
    trees = [(load(f), SourceLines(f), str(f)) for f in files]
    engines = {binding: compile_rules(paths[binding]) for binding in ("xslt", "xslt2")}
    best = dict.fromkeys(engines, float("inf"))
    found = dict.fromkeys(engines, 0)
    for _ in range(repeat):
        for binding, rules in engines.items():
            found[binding] = 0
            start = time.process_time()  # CPU time: other processes on the machine do not count
            for tree, lines, name in trees:
                found[binding] += len(rules.check(tree, lines, name))
            best[binding] = min(best[binding], time.process_time() - start)
    costs: dict[str, float] = {}
    for binding, rules in engines.items():
        costs[f"{binding} ({rules.engine})"] = best[binding] / len(trees)
        costs[f"{binding} findings"] = found[binding]
    return costs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=2000)
    parser.add_argument("--keep", type=Path, help="write the corpus here and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="teitools-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        paths = write_schemas(work)
        files = write_letters(work / "letters", args.letters)
        teitools = [sys.executable, "-m", "teitools", "validate", "--no-cache", "--format", "json"]
        rows: list[tuple[str, float, float, str]] = []
        for jobs in (1, os.cpu_count() or 1):
            seconds, result = timed([*teitools, "--jobs", str(jobs), "letters"], work)
            errors = result.stdout.count('"severity": "error"')
            rows.append(
                (
                    f"teitools validate --jobs {jobs} (RNG + XPath 2 Schematron)",
                    seconds,
                    _last_cpu(),
                    f"exit {result.returncode}, {errors} errors",
                )
            )
        jing = shutil.which("jing")
        if jing:
            seconds, result = timed([jing, str(paths["rng"]), *map(str, files)], work)
            rows.append(
                (
                    "jing (RNG only, one JVM)",
                    seconds,
                    _last_cpu(),
                    f"{result.stdout.count(': error:')} errors",
                )
            )
        saxon = saxon_schematron(paths["xslt2"], work / "letters", work / "svrl")
        if saxon is not None:
            rows.append(("Saxon-HE 9.9 Schematron (skeleton XSLT, one JVM)", saxon[0], _last_cpu(), saxon[1]))
            if jing:
                rows.append(
                    ("jing + Saxon (two JVM runs)", rows[-2][1] + rows[-1][1], rows[-2][2] + rows[-1][2], "")
                )
        print(f"{len(files)} letters, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n")
        print(f"{'run':<58} {'wall s':>7} {'CPU s':>7}  result")
        for name, seconds, cpu, note in rows:
            print(f"{name:<58} {seconds:7.2f} {cpu:7.2f}  {note}")
        costs = per_file(files, paths)
        fast, xpath2 = costs["xslt (xpath1)"], costs["xslt2 (xpath2)"]
        print("\nper file, rules only (trees parsed beforehand), CPU time:")
        print(
            f"  XPath 1 fast path (lxml XSLT)  {fast * 1000:7.3f} ms  ({costs['xslt findings']:.0f} findings)"
        )
        print(
            f"  XPath 2 engine (elementpath)   {xpath2 * 1000:7.3f} ms  "
            f"({costs['xslt2 findings']:.0f} findings)"
        )
        print(f"  ratio                          {xpath2 / fast:7.1f} x  (target: within 5x)")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
