"""Encoder mistakes, teitools' finding beside jing's: the table in docs/messages.md.

    python -m benchmarks.bench_messages [--write docs/messages.md]

Each case is one realistic slip in a copy of the frozen test edition (``tests/fixtures/edition``):
a letter's header or body, or a register. The mistake's own line is where the slipped text
(``mark``) stands. Every case is validated by teitools (library call, registers of the edition)
and, in one run for all cases, by jing against the same grammar (``schemas/teitools.rng``).
Prints the table (or writes it into the file given to ``--write``); exits 1 when a teitools
finding is not at the mistake's line or differs from the case's expected finding
(``tests/test_messages.py`` checks the same expectations).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from teitools import ValidateOptions, validate
from teitools.load.inputs import REGISTER_FILES

ROOT = Path(__file__).resolve().parent.parent
EDITION = ROOT / "tests" / "fixtures" / "edition"
GRAMMAR = ROOT / "schemas" / "teitools.rng"
MOLOTOV = "letters/stalin-molotov-1926-06-25.xml"
KAGANOVICH = "letters/stalin-kaganovich-1935-08-22.xml"


@dataclass(frozen=True)
class Case:
    """One slip: ``old`` replaced by ``new`` in ``file`` of the edition; ``mark`` (a part of
    ``new``) stands at the mistake's line; ``expected``: teitools' findings, ``line:col message [rule]``."""

    name: str
    where: str
    file: str
    old: str
    new: str
    mark: str
    expected: tuple[str, ...]

    def apply(self, edition: Path) -> Path:
        """Write the slip into the copy of the edition at ``edition``; return the file."""
        path = edition / self.file
        text = path.read_text(encoding="utf-8")
        if self.old not in text:
            raise ValueError(f"{self.name}: {self.old!r} is not in {self.file}")
        path.write_text(text.replace(self.old, self.new, 1), encoding="utf-8")
        return path

    def line(self, edition: Path) -> int:
        """The line of the mistake in the slipped file."""
        text = (edition / self.file).read_text(encoding="utf-8")
        start = text.index(self.new) + self.new.index(self.mark)
        return text.count("\n", 0, start) + 1


CASES = (
    Case(
        "misspelt element in correspAction",
        "header",
        MOLOTOV,
        '<persName ref="#stalin">Joseph Stalin</persName>',
        '<persname ref="#stalin">Joseph Stalin</persname>',
        "<persname",
        (
            "22:11 <persname> is not allowed inside <correspAction>; allowed: date, note, "
            "orgName, persName, placeName. Did you mean <persName>? [rng-invalid]",
        ),
    ),
    Case(
        "attribute not allowed on correspAction",
        "header",
        MOLOTOV,
        '<correspAction type="sent">',
        '<correspAction type="sent" cert="high">',
        "cert",
        ("21:36 attribute @cert is not allowed on <correspAction>; allowed: type [rng-invalid]",),
    ),
    Case(
        "@when on persName in correspAction",
        "header",
        MOLOTOV,
        '<persName ref="#stalin">',
        '<persName ref="#stalin" when="1926">',
        "when",
        (
            "22:35 attribute @when is not allowed on <persName>; allowed: cert, evidence, ref, "
            "resp [rng-invalid]",
        ),
    ),
    Case(
        "pointer without #",
        "header",
        MOLOTOV,
        '<persName ref="#rykov">',
        '<persName ref="rykov">',
        "ref",
        (
            '27:21 @ref="rykov" on <persName> is invalid: a pointer to an entry starts with '
            '"#": did you mean "#rykov"? [rng-invalid]',
        ),
    ),
    Case(
        "persName without @ref in correspAction",
        "header",
        MOLOTOV,
        '<persName ref="#bukharin">',
        "<persName>",
        "<persName>",
        ("28:11 <persName> is missing the required attribute @ref [rng-invalid]",),
    ),
    Case(
        "@corresp without #",
        "header",
        MOLOTOV,
        'corresp="#lih-1995"',
        'corresp="lih-1995"',
        "corresp",
        (
            '16:30 @corresp="lih-1995" on <bibl> is invalid: a pointer to an entry starts with '
            '"#": did you mean "#lih-1995"? [rng-invalid]',
        ),
    ),
    Case(
        "header date without leading zero",
        "header",
        MOLOTOV,
        '<date when="1926-06-25">',
        '<date when="1926-6-25">',
        "when",
        (
            '23:11 The date when="1926-6-25" is not written YYYY, YYYY-MM or YYYY-MM-DD: use '
            "four-digit years and two-digit months and days (1932-07-01, not 1932-7-1), with "
            "no time zone. Did you mean 1926-06-25? [date-format]",
        ),
    ),
    Case(
        "misspelt element in langUsage",
        "header",
        MOLOTOV,
        '<language ident="en">English (translated from Russian)</language>',
        '<langauge ident="en">English (translated from Russian)</langauge>',
        "<langauge",
        (
            "34:9 <langauge> is not allowed inside <langUsage>; allowed: language. Did you "
            "mean <language>? [rng-invalid]",
        ),
    ),
    Case(
        "language without @ident",
        "header",
        MOLOTOV,
        '<language ident="en">',
        "<language>",
        "<language>",
        ("34:9 <language> is missing the required attribute @ident [rng-invalid]",),
    ),
    Case(
        "correspAction type misspelt",
        "header",
        MOLOTOV,
        '<correspAction type="sent">',
        '<correspAction type="send">',
        "type",
        (
            '21:24 @type="send" on <correspAction> is invalid: allowed values: received, sent. '
            'Did you mean "sent"? [rng-invalid]',
        ),
    ),
    Case(
        "title missing from titleStmt",
        "header",
        MOLOTOV,
        "<titleStmt>\n        <title>Stalin to Molotov, Rykov, Bukharin and other friends, "
        "25 June 1926</title>",
        "<titleStmt>",
        "<titleStmt>",
        ("5:7 <titleStmt> is missing a required <title> element [rng-invalid]",),
    ),
    Case(
        "langUsage twice",
        "header",
        MOLOTOV,
        "</langUsage>",
        '</langUsage>\n      <langUsage><language ident="ru">Russian</language></langUsage>',
        '<langUsage><language ident="ru">',
        (
            "36:7 <langUsage> is not allowed at this position inside <profileDesc> (wrong "
            "order or too many) [rng-invalid]",
        ),
    ),
    Case(
        "mistyped register pointer",
        "header",
        MOLOTOV,
        '<persName ref="#rykov">',
        '<persName ref="#rikov">',
        "ref",
        (
            '27:21 @ref="#rikov" names no entry in the registers (persons.xml, places.xml, '
            'sources.xml); add an entry with xml:id="rikov" or correct the pointer. Did you '
            'mean "#rykov"? [ref-unresolved]',
        ),
    ),
    Case(
        "text before the root element",
        "header",
        MOLOTOV,
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"',
        'Letter 1\n<TEI xmlns="http://www.tei-c.org/ns/1.0"',
        "Letter 1",
        (
            "2:1 text before the root element: only the XML declaration, comments and "
            "processing instructions may come before it; remove the text or move it inside the "
            "root element [xml-syntax]",
        ),
    ),
    Case(
        "hi without @rend",
        "body",
        "letters/stalin-kaganovich-1932-07.xml",
        '<hi rend="italic">',
        "<hi>",
        "<hi>",
        ("37:660 <hi> is missing the required attribute @rend [rng-invalid]",),
    ),
    Case(
        "misspelt element in a paragraph",
        "body",
        KAGANOVICH,
        '<persName ref="#kleiner">Kleiner</persName>',
        '<persname ref="#kleiner">Kleiner</persname>',
        "<persname",
        (
            "38:349 <persname> is not allowed inside <p>; allowed: date, gap, hi, note, "
            "orgName, persName, placeName, q, supplied. Did you mean <persName>? [rng-invalid]",
        ),
    ),
    Case(
        "second of two elements on a line",
        "body",
        MOLOTOV,
        '<note type="editorial" source="#corin-article"><persName ref="#zinoviev">',
        '<note type="editorial" source="#corin-article"><persName ref="zinoviev">',
        "ref",
        (
            '44:385 @ref="zinoviev" on <persName> is invalid: a pointer to an entry starts '
            'with "#": did you mean "#zinoviev"? [rng-invalid]',
        ),
    ),
    Case(
        "text directly in div",
        "body",
        MOLOTOV,
        '<gap reason="omitted"/>\n        <list type="numbered">',
        '<gap reason="omitted"/> The points:\n        <list type="numbered">',
        "The points",
        (
            '41:33 text "The points:" is not allowed directly inside <div>; wrap it in an '
            "element such as <p> [rng-invalid]",
        ),
    ),
    Case(
        "body date without leading zeros",
        "body",
        KAGANOVICH,
        "and push hard.</p>",
        'and push hard by <date when="1935-9-1">1 September</date>.</p>',
        "when",
        (
            '38:553 The date when="1935-9-1" is not written YYYY, YYYY-MM or YYYY-MM-DD: use '
            "four-digit years and two-digit months and days (1932-07-01, not 1932-7-1), with "
            "no time zone. Did you mean 1935-09-01? [date-format]",
        ),
    ),
    Case(
        "gap reason not in the list",
        "body",
        MOLOTOV,
        '<p><gap reason="omitted"/>',
        '<p><gap reason="omited"/>',
        "reason",
        (
            '54:17 @reason="omited" on <gap> is invalid: allowed values: omitted, truncated. '
            'Did you mean "omitted"? [rng-invalid]',
        ),
    ),
    Case(
        "misspelt child of person",
        "register",
        "persons.xml",
        '<birth when="1878"/>',
        '<brith when="1878"/>',
        "<brith",
        (
            "24:11 <brith> is not allowed inside <person>; allowed: birth, death, idno, note, "
            "occupation, persName. Did you mean <birth>? [rng-invalid]",
        ),
    ),
    Case(
        "attribute not allowed on birth",
        "register",
        "persons.xml",
        '<birth when="1878"/>',
        '<birth when="1878" place="Gori"/>',
        "place",
        (
            "24:30 attribute @place is not allowed on <birth>; allowed: cert, evidence, from, "
            "notAfter, notBefore, resp, to, when [rng-invalid]",
        ),
    ),
    Case(
        "idno type not in the list",
        "register",
        "persons.xml",
        '<idno type="wikidata">http://www.wikidata.org/entity/Q855</idno>',
        '<idno type="wikipedia">http://www.wikidata.org/entity/Q855</idno>',
        "type",
        (
            '27:17 @type="wikipedia" on <idno> is invalid: allowed values: DOI, ISBN, URI, '
            "geonames, gnd, viaf, wikidata [rng-invalid]",
        ),
    ),
    Case(
        "id instead of xml:id on a place",
        "register",
        "places.xml",
        '<place xml:id="sochi" type="city">',
        '<place id="sochi" type="city">',
        "id=",
        (
            "22:16 attribute @id is not allowed on <place>; allowed: type, xml:id. Did you "
            "mean @xml:id? [rng-invalid]",
        ),
    ),
    Case(
        "title level not in the list",
        "register",
        "sources.xml",
        '<title level="m">Stalin\'s Letters to Molotov, 1925-1936</title>',
        '<title level="monograph">Stalin\'s Letters to Molotov, 1925-1936</title>',
        "level",
        ('24:20 @level="monograph" on <title> is invalid: allowed values: a, j, m, s, u [rng-invalid]',),
    ),
    Case(
        "misspelt child of monogr",
        "register",
        "sources.xml",
        "<pubPlace>New Haven</pubPlace>",
        "<pubplace>New Haven</pubplace>",
        "<pubplace",
        (
            "29:15 <pubplace> is not allowed inside <imprint>; allowed: date, pubPlace, "
            "publisher. Did you mean <pubPlace>? [rng-invalid]",
        ),
    ),
)


@dataclass(frozen=True)
class Row:
    case: Case
    line: int
    teitools: tuple[str, ...]
    jing: tuple[str, ...]


def teitools_findings(edition: Path, path: Path) -> tuple[str, ...]:
    registers = tuple(edition / name for name in REGISTER_FILES)
    report = validate([path], ValidateOptions(registers=registers))
    return tuple(f"{d.line}:{d.column} {d.message} [{d.rule}]" for d in report.diagnostics)


def jing_findings(path: Path) -> tuple[str, ...]:
    """jing's messages for ``path``, ``line:col message``."""
    jing = shutil.which("jing")
    if jing is None:
        raise SystemExit("jing is not installed: the comparison needs it")
    # One file per run: jing stops at the first file that is not well-formed.
    run = subprocess.run([jing, str(GRAMMAR), str(path)], capture_output=True, text=True, check=False)
    found = []
    for output_line in run.stdout.splitlines():
        match = re.match(r".+?:(\d+):(\d+): (?:error|fatal): (.*)", output_line)
        if match:
            found.append(f"{match[1]}:{match[2]} {match[3]}")
    return tuple(found)


def measure() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="teitools-messages-") as temp:
        rows: list[tuple[Case, Path, int, tuple[str, ...]]] = []
        for number, case in enumerate(CASES, 1):
            edition = Path(temp) / f"case-{number:02d}"
            shutil.copytree(EDITION, edition)
            path = case.apply(edition)
            rows.append((case, path, case.line(edition), teitools_findings(edition, path)))
        return [Row(case, line, found, jing_findings(path)) for case, path, line, found in rows]


def at_line(findings: tuple[str, ...], line: int) -> bool:
    return bool(findings) and all(f.split(":", 1)[0] == str(line) for f in findings)


def table(rows: list[Row]) -> str:
    """The Markdown table of ``rows``, and a line counting findings at the mistake's line."""
    out = [
        "| # | where | mistake | line | teitools | jing |",
        "|---|---|---|---|---|---|",
    ]
    for number, row in enumerate(rows, 1):
        ours = "<br>".join(cell(f) for f in row.teitools) or "(nothing)"
        theirs = "<br>".join(cell(f) for f in row.jing) or "(nothing)"
        out.append(f"| {number} | {row.case.where} | {row.case.name} | {row.line} | {ours} | {theirs} |")
    ours_right = sum(at_line(r.teitools, r.line) for r in rows)
    jing_right = sum(at_line(r.jing, r.line) for r in rows)
    hints = sum(any(_HINT.search(f) for f in r.teitools) for r in rows)
    jing_hints = sum(any(_HINT.search(f) for f in r.jing) for r in rows)
    out += [
        "",
        f"Every finding at the mistake's line: teitools {ours_right} of {len(rows)}, "
        f"jing {jing_right} of {len(rows)}. "
        f'A fix to apply ("Did you mean", "wrap it in", ...): teitools {hints}, jing {jing_hints}.',
    ]
    return "\n".join(out) + "\n"


_HINT = re.compile(r"[Dd]id you mean|wrap it in|put it in|remove (the|what)|add an entry")


def cell(finding: str) -> str:
    """A finding as a table cell: code, so that ``<persName>`` shows as written."""
    return "`" + finding.replace("|", "\\|") + "`"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--write", type=Path, help="replace the table in this Markdown file")
    args = parser.parse_args(argv)
    rows = measure()
    text = table(rows)
    if args.write:
        document = args.write.read_text(encoding="utf-8")
        begin, end = "<!-- table: begin -->\n", "<!-- table: end -->"
        head, rest = document.split(begin, 1)
        args.write.write_text(head + begin + text + end + rest.split(end, 1)[1], encoding="utf-8")
    else:
        sys.stdout.write(text)
    failed = [r.case.name for r in rows if not at_line(r.teitools, r.line) or r.teitools != r.case.expected]
    for name in failed:
        print(f"not as expected: {name}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
