"""Benchmark: citation exports of 1,000 generated letters.

Times CSL-JSON (with its schema check), BibLaTeX and RIS export, and the formatted Chicago
bibliography. Targets: each data format under 1 s, the formatted bibliography under 5 s.
Exit code 1 when a target is missed.

    python benchmarks/bench_cite.py [--letters 1000]
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType

from teitools.cite import bibtex, csl, ris
from teitools.cite.mapping import citables, csl_item
from teitools.cite.styles import CiteOptions, format_bibliography, load_style
from teitools.export.base import ExportOptions
from teitools.model.dates import PartialDate
from teitools.model.types import DateSpan, Edition, Letter, Participant, Person, PersonName, Source, SourceRef
from teitools.render.dates import partial_date_phrase

TARGETS = {"csl-json": 1.0, "biblatex": 1.0, "ris": 1.0, "chicago bibliography": 5.0}


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=1000)
    args = parser.parse_args()
    edition = generate(args.letters)
    options = ExportOptions()
    load_style("chicago")  # parse the style once, outside the timings
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
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
