"""Benchmark: citation exports of 1,000 generated letters.

Times CSL-JSON (with its schema check), BibLaTeX and RIS export, the formatted Chicago
bibliography, and the same bibliography by ``pandoc --citeproc`` (CPU seconds of the child,
skipped when pandoc is not installed). Then the citations of a letter's page (the Chicago note
and each style of the page's choice) for the letters of ``benchmarks/corpus.py``, in
milliseconds per citation, with teitools' memo of rendered nodes and without it (citeproc-py
alone), and the citation block of a letter page in milliseconds per letter. Targets: each data
format under 1 s, the formatted bibliography under 5 s and in at most half of pandoc's CPU time.
Exit code 1 when a target is missed.

    python -m benchmarks.bench_cite [--letters 1000]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType

from benchmarks.corpus import write_corpus
from teitools.cite import bibtex, csl, memo, ris
from teitools.cite.html import CHOICES, cite_block
from teitools.cite.mapping import citables, csl_item
from teitools.cite.styles import CiteOptions, format_bibliography, format_citation, load_style, style_path
from teitools.errors import CitationError
from teitools.export.base import ExportOptions
from teitools.model.dates import PartialDate
from teitools.model.tei import read_edition
from teitools.model.types import DateSpan, Edition, Letter, Participant, Person, PersonName, Source, SourceRef
from teitools.render.dates import partial_date_phrase

TARGETS = {"csl-json": 1.0, "biblatex": 1.0, "ris": 1.0, "chicago bibliography": 5.0}
#: The formatted bibliography's CPU time, at most this share of pandoc's.
PANDOC_SHARE = 0.5


def generate(count: int) -> Edition:
    """``count`` near-identical letters: one sender, one recipient, one volume, a day apart
    (every fifth letter is a second letter of the same day, so keys collide)."""
    persons = {
        "stalin": Person("stalin", PersonName("Joseph", "Stalin")),
        "kaganovich": Person("kaganovich", PersonName("Lazar", "Kaganovich")),
    }
    volume = Source(
        "davies-2003",
        "volume",
        "The Stalin-Kaganovich Correspondence 1931-36",
        editors=(PersonName("R. W.", "Davies"), PersonName("Oleg V.", "Khlevniuk")),
        publisher="Yale University Press",
        place="New Haven",
        year=2003,
        series="Annals of Communism",
    )
    start = datetime.date(1931, 1, 1)
    letters = []
    for number in range(count):
        day = start + datetime.timedelta(days=number - number // 5)
        when = PartialDate(day.year, day.month, day.day)
        letters.append(
            Letter(
                id=f"stalin-kaganovich-{when.iso()}{'a' if number % 5 == 4 else ''}",
                file=Path(f"letter-{number}.xml"),
                title=f"Stalin to Kaganovich, {partial_date_phrase(when)}",
                senders=(Participant("Joseph Stalin", "stalin"),),
                recipients=(Participant("Lazar Kaganovich", "kaganovich"),),
                date=DateSpan(when=when, text=partial_date_phrase(when)),
                sources=(SourceRef("edition", "davies-2003", volume.title),),
                language="en",
            )
        )
    return Edition(tuple(letters), MappingProxyType(persons), sources=MappingProxyType({volume.id: volume}))


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU seconds: on a busy machine the wall clock also counts waiting."""
    began, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - began, time.process_time() - cpu


def pandoc_cpu(items: list[dict[str, object]], style: str) -> float | None:
    """CPU seconds ``pandoc --citeproc`` takes to format ``items`` as a bibliography in the
    style (every item cited with ``nocite``); None without pandoc."""
    if shutil.which("pandoc") is None:
        return None
    with tempfile.TemporaryDirectory(prefix="teitools-bench-cite-") as folder:
        data = Path(folder) / "letters.json"
        data.write_text(json.dumps(items), encoding="utf-8")
        command = ["pandoc", "--citeproc", f"--csl={style_path(style)}", f"--bibliography={data}"]
        command += ["--metadata=nocite:@*", "--from=markdown", "--to=plain", "--output=/dev/null"]
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"pandoc failed: {' '.join(command)}")
    return usage.ru_utime + usage.ru_stime


def page_citations(items: list[dict[str, object]]) -> int:
    """Format what a letter's page shows for each item (of a site without ``base-url``: the
    printed volume only): every style of the page's choice. Returns how many citations were
    formatted."""
    count = 0
    for item in items:
        for _key, _label, style, note in CHOICES:
            options = CiteOptions(style, note=note, html=True)
            # A style without an entry for the letter: the page leaves it out.
            with contextlib.suppress(CitationError):
                format_citation(item, options) if note else format_bibliography([item], options)
            count += 1
    return count


#: The citation block's measure: warmed on the first letters, timed on the next.
BLOCK_WARM = 300
BLOCK_TIMED = 200


def block_ms() -> float:
    """CPU milliseconds per letter of the letter page's citation block (``cite_block``, five
    styles, a site without ``base-url``), over :data:`BLOCK_TIMED` letters of
    ``benchmarks/corpus.py`` after :data:`BLOCK_WARM` others, as a site's worker meets them."""
    with tempfile.TemporaryDirectory(prefix="teitools-bench-cite-") as folder:
        write_corpus(Path(folder), BLOCK_WARM + BLOCK_TIMED)
        edition = read_edition([Path(folder)])
        letters = sorted(edition.letters, key=lambda letter: letter.id)
        for letter in letters[:BLOCK_WARM]:
            cite_block(letter, edition)
        began = time.process_time()
        for letter in letters[BLOCK_WARM:]:
            cite_block(letter, edition)
        return 1000 * (time.process_time() - began) / BLOCK_TIMED


def corpus_items(count: int) -> list[dict[str, object]]:
    """The CSL-JSON items of ``count`` letters of ``benchmarks/corpus.py``: varied writers,
    recipients, dates (exact, month, uncertain) and three volumes."""
    with tempfile.TemporaryDirectory(prefix="teitools-bench-cite-") as folder:
        write_corpus(Path(folder), count)
        return [csl_item(c) for c in citables(read_edition([Path(folder)]))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=1000)
    args = parser.parse_args()
    edition = generate(args.letters)
    options = ExportOptions()
    for style in {style for _key, _label, style, _note in CHOICES}:
        load_style(style)  # parse the styles once, outside the timings
    items = [csl_item(c) for c in citables(edition)]
    rows: list[tuple[str, float, float]] = []
    for name, work in (
        ("csl-json", lambda: csl.export(edition, options)),
        ("biblatex", lambda: bibtex.export_biblatex(edition, options)),
        ("ris", lambda: ris.export(edition, options)),
        ("chicago bibliography", lambda: format_bibliography(items, CiteOptions())),
    ):
        seconds, cpu = timed(work)
        rows.append((name, seconds, cpu))
    failed = False
    print(f"{args.letters} letters")
    print(f"{'output':<24} {'wall s':>7} {'cpu s':>7} {'target':>7}")
    for name, seconds, cpu in rows:
        target = TARGETS[name]
        ok = seconds < target
        failed |= not ok
        print(f"{name:<24} {seconds:7.2f} {cpu:7.2f} {target:7.1f}  {'ok' if ok else 'SLOW'}")
    pandoc = pandoc_cpu(items, "chicago")
    if pandoc is None:
        print("pandoc --citeproc: not installed, not compared")
    else:
        share = rows[-1][2] / pandoc
        ok = share <= PANDOC_SHARE
        failed |= not ok
        print(
            f"{'pandoc --citeproc':<24} {'':>7} {pandoc:7.2f}  chicago bibliography takes {share:.2f} of "
            f"pandoc's CPU (target at most {PANDOC_SHARE})  {'ok' if ok else 'SLOW'}"
        )
    page_items = corpus_items(args.letters)
    print(f"\ncitations of the letters' pages ({args.letters} letters of benchmarks/corpus.py)")
    print(f"{'formatter':<24} {'cpu s':>7} {'ms each':>7}")
    for name, context in (("teitools", None), ("citeproc-py alone", memo.disabled)):
        memo.clear()
        began = time.process_time()
        if context is None:
            count = page_citations(page_items)
        else:
            with context():
                count = page_citations(page_items)
        cpu = time.process_time() - began
        print(f"{name:<24} {cpu:7.2f} {1000 * cpu / count:7.2f}")
    print(
        f"\nthe letter page's citation block (cite_block, {BLOCK_TIMED} letters of benchmarks/corpus.py "
        f"after {BLOCK_WARM}): {block_ms():.2f} ms of CPU a letter"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
