"""The catalogue of rule ids: what each finding's rule checks and how to fix it.

One place for the texts that machine-readable reports describe rules with (SARIF's rule
descriptors). ``docs/rules.md`` documents the same ids for people; a test keeps the two in step.
A finding whose rule is not catalogued (a rule of a user's own Schematron given with
``--schema``) is described by :func:`describe` from its id alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from teitools.diagnostics import Severity


@dataclass(frozen=True)
class Rule:
    """One rule: its stable id, a CamelCase name, a one-line summary, how to fix, its severity."""

    id: str
    name: str
    summary: str
    help: str
    level: Severity
    layer: str


def _rule(rule_id: str, summary: str, help_text: str, layer: str, level: Severity = Severity.ERROR) -> Rule:
    return Rule(rule_id, _camel(rule_id), summary, help_text, level, layer)


def _camel(rule_id: str) -> str:
    return "".join(part.capitalize() for part in rule_id.split("-"))


_WELL_FORMED = "well-formedness"
_GRAMMAR = "grammar"
_SCHEMATRON = "schematron"
_CORPUS = "corpus"
_SCHEMAS = "declared schemas"

RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        _rule(
            "xml-syntax",
            "The file is well-formed XML.",
            "Close every element that is opened, quote attribute values and escape & and < in text.",
            _WELL_FORMED,
        ),
        _rule(
            "xml-unsafe",
            "No DTD or entity declarations (refused, never expanded).",
            "Remove the DOCTYPE; type the text or use the character itself instead of an entity.",
            _WELL_FORMED,
        ),
        _rule(
            "input-unreadable",
            "The file can be opened and read.",
            "Check the path and the file's permissions.",
            _WELL_FORMED,
        ),
        _rule(
            "input-encoding",
            "The file is in the encoding it declares (UTF-8).",
            "Save the file as UTF-8.",
            _WELL_FORMED,
        ),
        _rule(
            "input-empty",
            "The file is not empty.",
            "Write the letter, or delete the empty file.",
            _WELL_FORMED,
        ),
        _rule(
            "not-tei",
            "The root element is TEI in the TEI namespace.",
            'Use <TEI xmlns="http://www.tei-c.org/ns/1.0" ...> as the root element.',
            _GRAMMAR,
        ),
        _rule(
            "rng-invalid",
            "The file follows the RELAX NG grammar of the edition.",
            "Use only the edition's elements, in the allowed places, with the required "
            "attributes and valid values; the message names what was expected.",
            _GRAMMAR,
        ),
        _rule(
            "letter-corresp",
            "A letter has a correspDesc in teiHeader/profileDesc.",
            'Add <correspDesc> with a correspAction type="sent" and one type="received".',
            _SCHEMATRON,
        ),
        _rule(
            "letter-id",
            "A letter's TEI root has an xml:id.",
            'Add xml:id="sender-recipient-YYYY[-MM[-DD]]" to the TEI root, the same as the file name.',
            _SCHEMATRON,
        ),
        _rule(
            "letter-div",
            'A file with a correspDesc has its text in body/div type="letter".',
            'Put the letter\'s text in <body><div type="letter">...</div></body>.',
            _SCHEMATRON,
        ),
        _rule(
            "corresp-one-sent",
            'correspDesc has exactly one correspAction type="sent".',
            'Give one <correspAction type="sent"> with every sender as a persName in it.',
            _SCHEMATRON,
        ),
        _rule(
            "corresp-received",
            'correspDesc has at least one correspAction type="received".',
            'Add <correspAction type="received"> with the recipients as persName '
            '(ref="#unknown" if nobody is known).',
            _SCHEMATRON,
        ),
        _rule(
            "corresp-action-person",
            "Each sent/received correspAction names a persName with @ref.",
            'Add <persName ref="#unknown">unknown</persName>, or the probable person with cert="low".',
            _SCHEMATRON,
        ),
        _rule(
            "corresp-action-one-date",
            "A correspAction has at most one date.",
            "Give one date; an uncertain date is one date with @notBefore/@notAfter.",
            _SCHEMATRON,
        ),
        _rule(
            "uncertain-participant-note",
            "An uncertain participant (persName/@cert other than high) comes with a note.",
            "Add a <note> in the same correspAction giving the reasoning for the attribution.",
            _SCHEMATRON,
        ),
        _rule(
            "sender-not-recipient",
            "Nobody is both the sender and a recipient of one letter.",
            "Correct the wrong persName/@ref.",
            _SCHEMATRON,
        ),
        _rule(
            "date-format",
            "Every date attribute is YYYY, YYYY-MM or YYYY-MM-DD.",
            "Use four-digit years and two-digit months and days (1932-07-01, not 1932-7-1), "
            "with no time zone.",
            _SCHEMATRON,
        ),
        _rule(
            "date-real",
            "A YYYY-MM or YYYY-MM-DD date exists in the calendar.",
            "Use a month 01-12 and a day that exists in that month (29 February only in a leap year).",
            _SCHEMATRON,
        ),
        _rule(
            "date-order",
            "@notBefore is not later than @notAfter.",
            "Swap @notBefore and @notAfter, or correct the wrong one.",
            _SCHEMATRON,
        ),
        _rule(
            "date-range-order",
            "@from is not later than @to.",
            "Swap @from and @to, or correct the wrong one.",
            _SCHEMATRON,
        ),
        _rule(
            "date-when-exclusive",
            "@when is never combined with @notBefore, @notAfter, @from or @to.",
            "Use @when for a known date, or @notBefore/@notAfter with @cert for an uncertain one.",
            _SCHEMATRON,
        ),
        _rule(
            "uncertain-date-cert",
            "An element with @notBefore or @notAfter has @cert.",
            'Add cert="high", "medium" or "low" (and evidence="conjecture" where the date is inferred).',
            _SCHEMATRON,
        ),
        _rule(
            "dateline-agrees",
            "The dateline's date and the sent action's date agree.",
            "Correct whichever of the two @when values is wrong.",
            _SCHEMATRON,
        ),
        _rule(
            "hi-rend",
            "hi/@rend is italic, bold, underline, smallcaps or superscript.",
            'Use one of the listed values, e.g. <hi rend="italic">.',
            _SCHEMATRON,
        ),
        _rule(
            "ref-unresolved",
            "Every #id pointer names an xml:id in the registers.",
            "Add the entry to the register (persons.xml, places.xml, sources.xml), or correct the id.",
            _CORPUS,
        ),
        _rule(
            "id-duplicate",
            "No xml:id is used twice, within a file or across the corpus.",
            "Give each element its own id, or drop the second one.",
            _CORPUS,
        ),
        _rule(
            "letter-id-pattern",
            "A letter's id follows sender-recipient-YYYY[-MM[-DD]][a-z].",
            'Use lower-case ASCII, e.g. xml:id="stalin-kaganovich-1932-07".',
            _CORPUS,
        ),
        _rule(
            "letter-id-filename",
            "A letter's file name is its root xml:id plus .xml.",
            "Rename the file or correct the id.",
            _CORPUS,
            Severity.WARNING,
        ),
        _rule(
            "schema-unresolved",
            "A declared schema can be read offline: a local file, or a URL an XML catalog maps to one.",
            "Map the URL to a local copy in a catalog given with --catalog (or XML_CATALOG_FILES), "
            "or correct the path.",
            _SCHEMAS,
        ),
        _rule(
            "schema-invalid",
            "A declared schema can be read and compiled, and its rules evaluated.",
            "Correct the schema, or the phase the declaration names.",
            _SCHEMAS,
        ),
        _rule(
            "schema-unsupported",
            "A declared schema is in a language teitools reads.",
            "Declare a RELAX NG, XSD or Schematron schema.",
            _SCHEMAS,
            Severity.WARNING,
        ),
        _rule(
            "xsd-invalid",
            "The file follows the W3C XML Schema (1.0 or 1.1) it declares.",
            "Follow the schema; the message names the element and the reason.",
            _GRAMMAR,
        ),
    )
}


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
