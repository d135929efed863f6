"""CI benchmark: a 10,000-letter edition validated cold, again with the cache, and after one change.

    python benchmarks/bench_ci.py [--letters 10000] [--jobs N] [--keep DIR]

Generates an edition shaped like ``tei/`` (``letters/*.xml`` beside ``persons.xml``,
``places.xml``, ``sources.xml``) in a temporary git repository, then times the command line
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

TEI = "http://www.tei-c.org/ns/1.0"
PERSONS = 200
PLACES = 50
SURNAMES = ("Stalin", "Molotov", "Kaganovich", "Ordzhonikidze", "Kirov", "Voroshilov",
            "Mikoyan", "Kalinin", "Kuibyshev", "Andreev")
FORENAMES = ("Joseph", "Vyacheslav", "Lazar", "Sergo", "Sergei", "Kliment", "Anastas",
             "Mikhail", "Valerian", "Andrei")
CITIES = ("Moscow", "Sochi", "Leningrad", "Kharkov", "Kiev", "Tiflis", "Baku", "Rostov",
          "Stalingrad", "Gorky")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="{tei}"{id} xml:lang="en">
  <teiHeader>
    <fileDesc>
      <titleStmt>
        <title>{title}</title>
      </titleStmt>
      <publicationStmt>
        <publisher>teitools benchmark</publisher>
        <availability>
          <licence target="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</licence>
        </availability>
      </publicationStmt>
      <sourceDesc>
{source}
      </sourceDesc>
    </fileDesc>
"""

LETTER = """{header}    <profileDesc>
      <correspDesc>
        <correspAction type="sent">
          <persName ref="#{sender}">{sender_name}</persName>
          <placeName ref="#{place}">{place_name}</placeName>
          <date when="{date}">{date_text}</date>
        </correspAction>
        <correspAction type="received">
          <persName ref="#{recipient}">{recipient_name}</persName>
        </correspAction>
      </correspDesc>
      <langUsage>
        <language ident="en">English (translated from Russian)</language>
      </langUsage>
    </profileDesc>
  </teiHeader>
  <text>
    <body>
      <div type="letter">
{paragraphs}
      </div>
    </body>
  </text>
</TEI>
"""

PARAGRAPH = ("        <p>Letter {number}, paragraph {paragraph}: the plan for {place_name} is behind; "
             "<persName ref=\"#{person}\">{person_name}</persName> should report on it "
             "<hi rend=\"italic\">at once</hi>. The grain procurement in "
             "<placeName ref=\"#{place}\">{place_name}</placeName> must not be allowed to "
             "fail<gap reason=\"omitted\"/></p>")


def person(index: int) -> tuple[str, str, str]:
    forename = FORENAMES[index % len(FORENAMES)]
    surname = SURNAMES[index // len(FORENAMES) % len(SURNAMES)]
    return f"{surname.lower()}-{forename.lower()}-{index}", forename, surname


def place(index: int) -> tuple[str, str]:
    city = CITIES[index % len(CITIES)]
    return f"{city.lower()}-{index}", f"{city} {index}"


def register(title: str, body: str) -> str:
    source = "        <p>Generated for the teitools CI benchmark.</p>"
    return (HEADER.format(tei=TEI, id="", title=title, source=source)
            + f"  </teiHeader>\n  <text>\n    <body>\n{body}\n    </body>\n  </text>\n</TEI>\n")


def persons_xml() -> str:
    entries = "\n".join(
        f'        <person xml:id="{pid}">\n'
        f'          <persName type="main"><forename>{fore}</forename> '
        f'<surname>{sur}</surname></persName>\n        </person>'
        for pid, fore, sur in map(person, range(PERSONS)))
    return register("Benchmark register of persons", f"      <listPerson>\n{entries}\n      </listPerson>")


def places_xml() -> str:
    entries = "\n".join(
        f'        <place xml:id="{pid}" type="city">\n'
        f'          <placeName type="main">{name}</placeName>\n        </place>'
        for pid, name in map(place, range(PLACES)))
    return register("Benchmark register of places", f"      <listPlace>\n{entries}\n      </listPlace>")


def sources_xml() -> str:
    body = ('      <listBibl>\n        <bibl xml:id="bench-source">\n'
            '          <title level="m">The generated correspondence</title>\n'
            '        </bibl>\n      </listBibl>')
    return register("Benchmark register of sources", body)


def letter(number: int, extra: str = "") -> tuple[str, str]:
    """The id and text of letter ``number``; ``extra`` is appended to its last paragraph."""
    sender_id, sender_fore, sender_sur = person(number % PERSONS)
    recipient_id, recipient_fore, recipient_sur = person((number * 7 + 1) % PERSONS)
    place_id, place_name = place(number % PLACES)
    year, month, day = 1920 + number % 20, 1 + number % 12, 1 + number % 28
    date = f"{year}-{month:02d}-{day:02d}"
    sender_key = sender_sur.lower()
    recipient_key = recipient_sur.lower() if recipient_sur != sender_sur else "to"
    # Letter ids are sender-recipient-YYYY[-MM[-DD]]: a letter tag in the recipient part
    # keeps them unique.
    letter_id = f"{sender_key}-{recipient_key}{_letters(number)}-{date}"
    source = ('        <bibl type="edition" corresp="#bench-source">'
              "The generated correspondence</bibl>")
    paragraphs = []
    for paragraph in range(3):
        pid, fore, sur = person((number + paragraph * 13) % PERSONS)
        other_place, other_name = place((number + paragraph) % PLACES)
        paragraphs.append(PARAGRAPH.format(number=number, paragraph=paragraph + 1, person=pid,
                                           person_name=f"{fore} {sur}", place=other_place,
                                           place_name=other_name))
    if extra:
        paragraphs[-1] = paragraphs[-1].replace("</p>", f" {extra}</p>")
    text = LETTER.format(
        header=HEADER.format(tei=TEI, id=f' xml:id="{letter_id}"',
                             title=f"{sender_sur} to {recipient_sur}, {date}", source=source),
        sender=sender_id, sender_name=f"{sender_fore} {sender_sur}",
        recipient=recipient_id, recipient_name=f"{recipient_fore} {recipient_sur}",
        place=place_id, place_name=place_name, date=date,
        date_text=f"{day} {MONTHS[month - 1]} {year}", paragraphs="\n".join(paragraphs))
    return letter_id, text


def _letters(number: int) -> str:
    """A distinct lower-case tag per letter (ids allow only letters in the name parts)."""
    tag = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        tag = chr(ord("a") + rest) + tag
    return f"-{tag}"


def generate(root: Path, letters: int) -> list[Path]:
    """Write the edition below ``root``; return the letter files."""
    (root / "letters").mkdir(parents=True)
    (root / "persons.xml").write_text(persons_xml(), encoding="utf-8")
    (root / "places.xml").write_text(places_xml(), encoding="utf-8")
    (root / "sources.xml").write_text(sources_xml(), encoding="utf-8")
    files = []
    for number in range(letters):
        letter_id, text = letter(number)
        path = root / "letters" / f"{letter_id}.xml"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


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
        sys.exit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout[-2000:]}"
                 f"{result.stderr[-2000:]}")
    return elapsed, cpu, result.stdout.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="--jobs for the runs (default: all CPUs)")
    parser.add_argument("--keep", type=Path, help="generate here and keep it (must not exist)")
    args = parser.parse_args()
    teitools = shutil.which("teitools", path=str(Path(sys.executable).parent)) or "teitools"
    work = args.keep or Path(tempfile.mkdtemp(prefix="teitools-bench-"))
    try:
        started = time.perf_counter()
        files = generate(work / "tei", args.letters)
        git(work, "init", "-q")
        git(work, "add", ".")
        git(work, "-c", "user.name=bench", "-c", "user.email=bench@invalid", "commit", "-qm",
            "corpus")
        git(work, "status", "--porcelain")  # refresh the index, as any git use in CI would
        setup = time.perf_counter() - started
        command = [teitools, "validate", "tei", "--jobs", str(args.jobs), "--quiet"]
        first = timed(command, work)
        second = timed(command, work)
        number = len(files) // 2
        files[number].write_text(letter(number, extra="A changed sentence.")[1], encoding="utf-8")
        one = timed([*command, "--changed-since", "HEAD"], work)
        one_uncached = timed([*command, "--changed-since", "HEAD", "--no-cache"], work)
        full_after_change = timed(command, work)
        startup = timed([sys.executable, "-c", "import teitools.cli; print('imported')"], work)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    rows = [
        ("first run (empty cache)", first, ""),
        ("second run, unchanged (cache)", second,
         f"{first[0] / second[0]:.0f}x faster wall, {first[1] / second[1]:.0f}x CPU "
         "(target >= 10x)"),
        ("--changed-since HEAD, 1 letter changed", one, "target < 0.5 s"),
        ("  the same with --no-cache", one_uncached, ""),
        ("full run after that change (cache)", full_after_change, ""),
        ("start-up alone (import teitools.cli)", startup, "the floor of every run"),
    ]
    print(f"teitools CI benchmark: {args.letters} letters + 3 registers (generated and committed "
          f"in {setup:.1f} s), --jobs {args.jobs}, {os.cpu_count()} CPUs, "
          f"Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f}")
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
