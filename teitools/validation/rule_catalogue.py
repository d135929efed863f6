"""The catalogue of rule ids: what each finding's rule checks and how to fix it.

The one source of what is said about each rule: machine-readable reports take their rule
descriptions from it (SARIF's rule descriptors), and the rule tables of ``docs/rules.md`` are
generated from it (``python docs/rules_tables.py``; a test fails when the committed page
is stale). A finding whose rule is not catalogued (a rule of a
user's own Schematron given with ``--schema``) is described by :func:`describe` from its id
alone.

Every rule belongs to one rule set (:data:`RULE_SETS`), which an edition's settings choose
(``rules``): what XML and TEI require of any edition, the checks across its files, or the
bundled sample edition's own guidelines. The runner drops the shipped Schematron's findings
of a set not chosen (:func:`rules_outside`).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from teitools.diagnostics import Severity
from teitools.load.settings import (
    BUNDLED_PROJECT_RULES,
    IDS_ACROSS_FILES,
    POINTER_RULES,
    TEI_RULES,
)


@dataclass(frozen=True)
class Rule:
    """One rule: its stable id, a CamelCase name, a one-line summary, how to fix, its severity,
    and for ``docs/rules.md`` (Markdown) what it checks in full, a mistake it catches and that
    mistake's fix, and the table that lists it."""

    id: str
    name: str
    summary: str
    help: str
    level: Severity
    layer: str
    checks: str = ""
    mistake: str = ""
    fix: str = ""
    table: str = ""
    rule_set: str = TEI_RULES


def _rule(
    rule_id: str,
    summary: str,
    help_text: str,
    layer: str,
    level: Severity = Severity.ERROR,
    *,
    checks: str | None = None,
    mistake: str,
    fix: str,
    table: str | None = None,
    rule_set: str = TEI_RULES,
) -> Rule:
    checks = summary if checks is None else checks
    table = _TABLES[layer] if table is None else table
    return Rule(
        rule_id, _camel(rule_id), summary, help_text, level, layer, checks, mistake, fix, table, rule_set
    )


def _camel(rule_id: str) -> str:
    return "".join(part.capitalize() for part in rule_id.split("-"))


_WELL_FORMED = "well-formedness"
_GRAMMAR = "grammar"
_SCHEMATRON = "schematron"
_CORPUS = "corpus"
_SCHEMAS = "declared schemas"
#: The table of docs/rules.md that lists a layer's rules: the edition's Schematron, the
#: Python validator's, or the rules about a file's own declared schemas.
_TABLES = {
    _WELL_FORMED: "validator",
    _GRAMMAR: "validator",
    _SCHEMATRON: "schematron",
    _CORPUS: "validator",
    _SCHEMAS: "declared",
}

_PROJECT = BUNDLED_PROJECT_RULES

#: What each rule set checks, as docs/settings.md and docs/rules.md say it.
RULE_SETS: dict[str, str] = {
    TEI_RULES: "What XML and TEI require of any file: well-formed, safe and readable input, the TEI "
    "root, ids unique within a document, dates that exist and ranges in order, and the schemas the "
    "edition declares (in its files or its settings). Always applied.",
    POINTER_RULES: "Every local `#id` pointer (`@ref`, `@corresp`, `@source`, `@resp`) names an id in "
    "the edition's registers or in its own file; checked where registers are found. A pointer that "
    "goes elsewhere (`https://…`, `gnd:…`, `persons.xml#p1`) is not checked.",
    IDS_ACROSS_FILES: "No `xml:id` is used twice in the whole edition, registers included (TEI asks "
    "for unique ids within a document only).",
    BUNDLED_PROJECT_RULES: "The bundled sample edition's encoding guidelines: its closed grammar "
    "`schemas/teitools.rng`, the rules of `schemas/teitools.sch` marked with this set, letter ids "
    "`sender-recipient-YYYY[-MM[-DD]]` named after their files, and ids unique across files.",
}

RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        _rule(
            "xml-syntax",
            "The file is well-formed XML.",
            "Close every element that is opened, quote attribute values and escape & and < in text.",
            _WELL_FORMED,
            mistake='`<hi rend="italic">continuous</p>` (unclosed tag)',
            fix='close the tag: `<hi rend="italic">continuous</hi></p>`',
        ),
        _rule(
            "xml-unsafe",
            "No DTD or entity declarations (refused, never expanded).",
            "Remove the DOCTYPE; type the text or use the character itself instead of an entity.",
            _WELL_FORMED,
            checks="No DTD or entity declarations (refused before parsing, never expanded or "
            "fetched), no XInclude, and within the parser's limits: 256 levels of nesting, 10 "
            "MB per text node, 1,000,000 tags per file (see [security.md](security.md)).",
            mistake='`<!DOCTYPE TEI [<!ENTITY ed "teitools">]>`; `<xi:include href="header.xml"/>`',
            fix="remove the DOCTYPE; type the text or use the character itself; copy the included "
            "text in; split a huge file",
        ),
        _rule(
            "internal-error",
            "teitools checked the file to the end (an error here is a bug in teitools).",
            "Report the bug with the file; the other files' findings are complete.",
            _WELL_FORMED,
            checks="Checking one file raised an unexpected error in teitools or a library it uses: "
            "that file gets this one finding, naming the error, and every other file is still "
            "checked and reported.",
            mistake="an XSD whose error message lists prefixed names (`'tei:del'`) that an older "
            "teitools could not read",
            fix="report the bug with the file; meanwhile validate the file with another tool",
        ),
        _rule(
            "input-unreadable",
            "The file can be opened and read.",
            "Check the path and the file's permissions.",
            _WELL_FORMED,
            checks="The file can be opened and read, and is a regular file.",
            mistake="a path that does not exist, no permission, a broken symbolic link, a FIFO or "
            "device named `*.xml`",
            fix="check the path and permissions; restore the link's target",
        ),
        _rule(
            "input-encoding",
            "The file is in the encoding it declares (UTF-8).",
            "Save the file as UTF-8.",
            _WELL_FORMED,
            checks="The file is text in the encoding it declares (UTF-8 unless declared otherwise); "
            "not binary, not compressed.",
            mistake="a Latin-1 `ö` byte in a UTF-8 file; UTF-8 bytes in a file that declares "
            '`ISO-8859-1`; `encoding="UTF-16"` on 8-bit text; a `.xml.gz`',
            fix="save the file as UTF-8 and declare it so; decompress it yourself",
        ),
        _rule(
            "input-empty",
            "The file is not empty.",
            "Write the letter, or delete the empty file.",
            _WELL_FORMED,
            mistake="a 0-byte file",
            fix="write the letter, or delete the file",
        ),
        _rule(
            "not-tei",
            "The root element is TEI in the TEI namespace.",
            'Use <TEI xmlns="http://www.tei-c.org/ns/1.0" ...> as the root element.',
            _GRAMMAR,
            checks="The root element is `TEI` in the TEI namespace.",
            mistake='`<TEI xml:id="…">` without `xmlns`',
            fix='`<TEI xmlns="http://www.tei-c.org/ns/1.0" …>`',
        ),
        _rule(
            "rng-invalid",
            "The file follows the RELAX NG grammar of the edition.",
            "Use only the edition's elements, in the allowed places, with the required attributes and"
            " valid values; the message names what was expected.",
            _GRAMMAR,
            checks="The file follows its RELAX NG grammar (named in the settings, given with "
            "`--schema`, or, with the rule set `project:teitools-letters`, the bundled edition's "
            "`schemas/teitools.rng`): only the grammar's elements, in the allowed places, with the "
            "required attributes and valid values.",
            mistake='`<persname ref="#molotov">` (misspelt), `<placeName>` without `@ref`, `<gap '
            'reason="...">`',
            fix='`<persName ref="#molotov">`, `<placeName ref="#moscow">`, `<gap reason="omitted"/>`',
        ),
        _rule(
            "letter-corresp",
            "A letter has a correspDesc in teiHeader/profileDesc.",
            'Add <correspDesc> with a correspAction type="sent" and one type="received".',
            _SCHEMATRON,
            checks='A letter (a body with `div type="letter"`) has a `correspDesc` in '
            "`teiHeader/profileDesc`.",
            mistake="`<profileDesc><langUsage>…</langUsage></profileDesc>`",
            fix="add `<correspDesc>` with a `sent` and a `received` `correspAction`",
            rule_set=_PROJECT,
        ),
        _rule(
            "letter-id",
            "A letter's TEI root has an xml:id.",
            'Add xml:id="sender-recipient-YYYY[-MM[-DD]]" to the TEI root, the same as the file name.',
            _SCHEMATRON,
            checks="A letter's `TEI` root has an `xml:id`.",
            mistake='`<TEI xmlns="…" xml:lang="en">`',
            fix='`<TEI xmlns="…" xml:id="stalin-kaganovich-1932-07" xml:lang="en">`',
            rule_set=_PROJECT,
        ),
        _rule(
            "letter-div",
            'A file with a correspDesc has its text in body/div type="letter".',
            'Put the letter\'s text in <body><div type="letter">...</div></body>.',
            _SCHEMATRON,
            checks='A file with a `correspDesc` has its text in `body/div type="letter"`.',
            mistake="`<body><div>…</div></body>`",
            fix='`<body><div type="letter">…</div></body>`',
            rule_set=_PROJECT,
        ),
        _rule(
            "corresp-one-sent",
            'correspDesc has exactly one correspAction type="sent".',
            'Give one <correspAction type="sent"> with every sender as a persName in it.',
            _SCHEMATRON,
            checks='`correspDesc` has exactly one `correspAction type="sent"`.',
            mistake="no `sent` action, or two of them (one per sender)",
            fix='one `<correspAction type="sent">` with every sender as a `persName` in it',
            rule_set=_PROJECT,
        ),
        _rule(
            "corresp-received",
            'correspDesc has at least one correspAction type="received".',
            'Add <correspAction type="received"> with the recipients as persName (ref="#unknown" if '
            "nobody is known).",
            _SCHEMATRON,
            checks='`correspDesc` has at least one `correspAction type="received"`.',
            mistake="only a `sent` action",
            fix='add `<correspAction type="received"><persName '
            'ref="#kaganovich">…</persName></correspAction>` (`ref="#unknown"` if nobody is '
            "known)",
            rule_set=_PROJECT,
        ),
        _rule(
            "corresp-action-person",
            "Each sent/received correspAction names a persName with @ref.",
            'Add <persName ref="#unknown">unknown</persName>, or the probable person with cert="low".',
            _SCHEMATRON,
            checks="Each `sent`/`received` `correspAction` names at least one `persName` with `@ref`.",
            mistake='`<correspAction type="received"><note>…</note></correspAction>`',
            fix='add `<persName ref="#unknown">unknown</persName>` or the probable person with `cert="low"`',
            rule_set=_PROJECT,
        ),
        _rule(
            "corresp-action-one-date",
            "A correspAction has at most one date.",
            "Give one date; an uncertain date is one date with @notBefore/@notAfter.",
            _SCHEMATRON,
            checks="A `correspAction` has at most one `date`.",
            mistake='`<date when="1932-07"/>` and `<date when="1932"/>` in one action',
            fix="one `date`; a range is `notBefore`/`notAfter`",
            rule_set=_PROJECT,
        ),
        _rule(
            "uncertain-participant-note",
            "An uncertain participant (persName/@cert other than high) comes with a note.",
            "Add a <note> in the same correspAction giving the reasoning for the attribution.",
            _SCHEMATRON,
            checks="A `persName` with `@cert` other than `high` in a `correspAction` comes with a "
            "`note` in that action giving the reasoning.",
            mistake='`<persName ref="#kaganovich" cert="low">` alone',
            fix="add `<note>Why Kaganovich is the probable recipient…</note>` in the same `correspAction`",
            rule_set=_PROJECT,
        ),
        _rule(
            "sender-not-recipient",
            "Nobody is both the sender and a recipient of one letter.",
            "Correct the wrong persName/@ref.",
            _SCHEMATRON,
            checks="No person (`@ref`, other than `#unknown`) is both the sender and a recipient of "
            "the same letter.",
            mistake="`sent`: `#stalin`, `received`: `#stalin`",
            fix="correct the wrong `persName/@ref`",
            rule_set=_PROJECT,
        ),
        _rule(
            "date-format",
            "Every date attribute is YYYY, YYYY-MM or YYYY-MM-DD.",
            "Use four-digit years and two-digit months and days (1932-07-01, not 1932-7-1), with no "
            "time zone.",
            _SCHEMATRON,
            checks="Every date attribute is `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: four-digit year, "
            "two-digit month and day, no time zone.",
            mistake='`when="1932-7-1"`, `when="1932-07-01+03:00"`, `when="19320"`',
            fix='`when="1932-07-01"`',
            rule_set=_PROJECT,
        ),
        _rule(
            "date-real",
            "A YYYY-MM or YYYY-MM-DD date exists in the calendar.",
            "Use a month 01-12 and a day that exists in that month (29 February only in a leap year).",
            _SCHEMATRON,
            checks="A `YYYY-MM` or `YYYY-MM-DD` date exists: month 01–12, day within the month, 29 "
            "February only in leap years (not 1900, but 2000).",
            mistake='`when="1933-02-29"`, `when="1900-02-29"`',
            fix='`when="1933-02-28"` (or the date the source gives)',
        ),
        _rule(
            "date-order",
            "@notBefore is not later than @notAfter.",
            "Swap @notBefore and @notAfter, or correct the wrong one.",
            _SCHEMATRON,
            checks="`@notBefore` is not later than `@notAfter` (a year or month counts from its first"
            " day for `notBefore`, to its last for `notAfter`).",
            mistake='`notBefore="1932-07-10" notAfter="1932-07-01"`',
            fix="swap them or correct the wrong one",
        ),
        _rule(
            "date-range-order",
            "@from is not later than @to.",
            "Swap @from and @to, or correct the wrong one.",
            _SCHEMATRON,
            checks="`@from` is not later than `@to`.",
            mistake='`from="1932-07-10" to="1932-07-01"`',
            fix="swap them or correct the wrong one",
        ),
        _rule(
            "date-when-exclusive",
            "@when is never combined with @notBefore, @notAfter, @from or @to.",
            "Use @when for a known date, or @notBefore/@notAfter with @cert for an uncertain one.",
            _SCHEMATRON,
            checks="`@when` is never combined with `@notBefore`, `@notAfter`, `@from` or `@to`.",
            mistake='`when="1932-07-01" notBefore="1932-06"`',
            fix="either `when` (known date) or `notBefore`/`notAfter` with `cert` (uncertain)",
        ),
        _rule(
            "uncertain-date-cert",
            "An element with @notBefore or @notAfter has @cert.",
            'Add cert="high", "medium" or "low" (and evidence="conjecture" where the date is inferred).',
            _SCHEMATRON,
            checks="An element with `@notBefore` or `@notAfter` has `@cert`.",
            mistake='`<date notBefore="1932-07-01" notAfter="1932-07-10">`',
            fix='add `cert="medium"` (and `evidence="conjecture"` where the date is inferred)',
            rule_set=_PROJECT,
        ),
        _rule(
            "dateline-agrees",
            "The dateline's date and the sent action's date agree.",
            "Correct whichever of the two @when values is wrong.",
            _SCHEMATRON,
            checks="When the body's `opener/dateline/date` and the `sent` action's `date` both have "
            "`@when`, they are equal.",
            mistake='header `when="1932-07"`, dateline `when="1932-08"`',
            fix="correct whichever is wrong",
            rule_set=_PROJECT,
        ),
        _rule(
            "hi-rend",
            "hi/@rend is italic, bold, underline, smallcaps or superscript.",
            'Use one of the listed values, e.g. <hi rend="italic">.',
            _SCHEMATRON,
            checks="`hi/@rend` is one of `italic`, `bold`, `underline`, `smallcaps`, `superscript`.",
            mistake='`<hi rend="emphasis">`',
            fix='`<hi rend="italic">` (the article\'s `*word*` is always italic)',
            rule_set=_PROJECT,
        ),
        _rule(
            "ref-unresolved",
            "Every #id pointer names an xml:id in the registers.",
            "Add the entry to the register (persons.xml, places.xml, sources.xml), or correct the id.",
            _CORPUS,
            checks="Every local `#id` pointer (`@ref`, `@corresp`, `@source`, `@resp`) names an "
            "`xml:id` in the registers or in its own file; pointers elsewhere (`https://…`, `gnd:…`) "
            "are not checked, nor anything when no register is found.",
            mistake='`<persName ref="#trotsky">` with no `person xml:id="trotsky"`',
            fix="add the person to `tei/persons.xml`, or correct the id",
            rule_set=POINTER_RULES,
        ),
        _rule(
            "id-duplicate",
            "No xml:id is used twice within a file (or the edition, when the settings ask).",
            "Give each element its own id, or drop the second one.",
            _CORPUS,
            checks="No `xml:id` is used twice within a file; with the rule set `ids-across-files` (or "
            "`project:teitools-letters`), nowhere in the edition, registers included.",
            mistake='`<div type="letter" xml:id="stalin-kaganovich-1932-07">` repeating the root\'s id',
            fix="give each element its own id, or drop the second",
        ),
        _rule(
            "letter-id-pattern",
            "A letter's id follows sender-recipient-YYYY[-MM[-DD]][a-z].",
            'Use lower-case ASCII, e.g. xml:id="stalin-kaganovich-1932-07".',
            _CORPUS,
            checks="A letter's id follows `sender-recipient-YYYY[-MM[-DD]][a-z]` in lower-case ASCII.",
            mistake='`xml:id="Stalin-Kaganovich-July-1932"`',
            fix='`xml:id="stalin-kaganovich-1932-07"`',
            rule_set=_PROJECT,
        ),
        _rule(
            "letter-id-filename",
            "A letter's file name is its root xml:id plus .xml.",
            "Rename the file or correct the id.",
            _CORPUS,
            Severity.WARNING,
            checks="A letter in a `letters/` folder is named after its root `xml:id` plus `.xml`.",
            mistake='`tei/letters/stalin-kaganovich-1932.xml` with `xml:id="stalin-kaganovich-1932-07"`',
            fix="rename the file or correct the id",
            rule_set=_PROJECT,
        ),
        _rule(
            "schema-unresolved",
            "A declared schema can be read offline: a local file, or a URL an XML catalog maps to one.",
            "Map the URL to a local copy in a catalog given with --catalog (or XML_CATALOG_FILES), or"
            " correct the path.",
            _SCHEMAS,
            checks="A declared schema can be read offline: a local file, or a URL an XML catalog maps"
            " to one. Reported at the declaration's line; nothing is fetched.",
            mistake='`<?xml-model href="https://example.org/letter.rng" …?>` with no catalog entry; '
            '`href="no-such.rng"`',
            fix='add `<uri name="https://example.org/letter.rng" uri="schemas/letter.rng"/>` to a '
            "catalog given with `--catalog` (or in `XML_CATALOG_FILES`); correct the path",
        ),
        _rule(
            "schema-invalid",
            "A declared schema can be read and compiled, and its rules evaluated.",
            "Correct the schema, or the phase the declaration names.",
            _SCHEMAS,
            checks="A declared schema can be read and compiled (RELAX NG, compact syntax, XSD, "
            "Schematron and its XPath expressions, the phase it names); an XPath 2 Schematron "
            "test can be evaluated on each node (reported on the node otherwise). The schema, and "
            "every file it includes or imports, lies in the repository (includes: in the schema's "
            "folder or below) or is a URL a catalog maps; a catalog in the repository maps only "
            "into it or teitools' own schemas. A schema that cannot be read or compiled is one "
            "finding on the schema (at the failing test or include when known), naming how many "
            "files declare it; a phase it lacks is the declaring file's finding.",
            mistake="a Schematron test with an unknown function; a phase the schema does not have; "
            '`xs:integer(@to)` on `to="x"`; `<include href="../../elsewhere/rules.sch"/>`',
            fix="correct the schema, or the `phase` pseudo-attribute; guard the cast (`@to castable "
            "as xs:integer and …`); copy an included file beside the schema, or map its URL with "
            "an XML catalog",
        ),
        _rule(
            "schema-limit",
            "A schema that is not teitools' own checks a file within the time and memory budget.",
            "Simplify the schema's expressions or patterns, or raise --schema-time-limit / "
            "--schema-memory-limit for a schema you trust.",
            _SCHEMAS,
            checks="A schema given with `--schema`, named in the settings or declared by a file is "
            "compiled and evaluated in a worker process within a per-file time budget "
            "(`--schema-time-limit`, 30 s), a memory budget (`--schema-memory-limit`, 2048 MiB) and "
            "1000 levels of recursion; past any of them the file gets this error, naming the schema, "
            "and the other files are still checked.",
            mistake="an XPath that calls itself forever; `for $i in 1 to 100000000`; `matches(@n, "
            "'^(a|aa)+$')` on a long value; `count(//*[count(//*)>0])` on a large file",
            fix="rewrite the expression or pattern to do bounded work (no nested `//` over the whole "
            "document, no nested quantifiers); raise the limits only for a schema you trust",
        ),
        _rule(
            "schema-unsupported",
            "A declared schema is in a language teitools reads.",
            "Declare a RELAX NG, XSD or Schematron schema.",
            _SCHEMAS,
            Severity.WARNING,
            mistake='`<?xml-model href="letter.dtd" type="application/xml-dtd"?>`',
            fix="declare a RELAX NG, XSD or Schematron schema",
        ),
        _rule(
            "xsd-invalid",
            "The file follows the W3C XML Schema (1.0 or 1.1) it declares.",
            "Follow the schema; the message names the element and the reason.",
            _GRAMMAR,
            mistake="an element the schema does not allow; a failed XSD 1.1 `xs:assert`",
            fix="follow the schema; the message names the element and the reason",
            table="declared",
        ),
    )
}


def rules_outside(rule_sets: tuple[str, ...]) -> frozenset[str]:
    """The ids of the catalogued rules that belong to none of ``rule_sets`` (``tei`` is
    always among them)."""
    return frozenset(
        rule.id for rule in RULES.values() if rule.rule_set not in rule_sets and rule.rule_set != TEI_RULES
    )


def describe(rule_id: str) -> Rule:
    """The catalogue entry of ``rule_id``, or a plain one for a rule teitools does not know."""
    known = RULES.get(rule_id)
    if known is not None:
        return known
    return Rule(
        rule_id,
        _camel(rule_id) or "Unnamed",
        f"Rule {rule_id} of the schema in use.",
        "See the schema that defines this rule for what it checks.",
        Severity.ERROR,
        "schema",
    )


#: The tables of docs/rules.md, each between ``<!-- rules:start NAME -->`` and ``<!-- rules:end -->``.
TABLES = ("schematron", "validator", "declared")
_TABLE_BLOCK = re.compile(r"(<!-- rules:start (?P<name>[a-z]+) -->\n).*?(<!-- rules:end -->)", re.DOTALL)


def markdown_table(table: str) -> str:
    """The Markdown table of the rules that ``docs/rules.md`` lists under ``table``."""
    lines = [
        "| id | severity | rule set | what it checks | mistake | fix |",
        "|---|---|---|---|---|---|",
        *(
            f"| `{rule.id}` | {rule.level} | `{rule.rule_set}` | {rule.checks} | {rule.mistake} "
            f"| {rule.fix} |"
            for rule in RULES.values()
            if rule.table == table
        ),
    ]
    return "\n".join(lines) + "\n"


def with_tables(page: str) -> str:
    """``page`` with every marked table regenerated from the catalogue; the text around the
    markers (the page's explanations) is kept as written."""
    found = {match["name"] for match in _TABLE_BLOCK.finditer(page)}
    if found != set(TABLES):
        raise ValueError(f"the page marks the tables {sorted(found)}, not {sorted(TABLES)}")
    return _TABLE_BLOCK.sub(lambda match: match[1] + markdown_table(match["name"]) + match[3], page)


def _main(arguments: list[str]) -> int:
    """``--markdown``: print every table (``docs/rules_tables.py`` writes them into the page)."""
    if arguments == ["--markdown"]:
        print("\n".join(f"<!-- rules:start {name} -->\n{markdown_table(name)}" for name in TABLES), end="")
        return 0
    print("usage: python -m teitools.validation.rule_catalogue --markdown")
    return 2


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
