"""Layer 3: ISO Schematron rules (XPath 1) through lxml's Schematron, with real positions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lxml import etree
from lxml.isoschematron import Schematron

from teitools.diagnostics import Diagnostic, Severity
from teitools.errors import DocumentError, SchemaError
from teitools.validation.confine import NO_ACCESS, confine
from teitools.validation.positions import SourceLines
from teitools.xmlload import load

SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
_SEVERITY_BY_ROLE = {
    "fatal": Severity.ERROR, "error": Severity.ERROR,
    "warning": Severity.WARNING, "warn": Severity.WARNING,
    "info": Severity.INFO, "information": Severity.INFO,
}
_ATTRIBUTE_STEP = re.compile(r"/@([\w:.-]+)$|/@\*\[local-name\(\)='([\w.-]+)'[^\]]*\]$")


@dataclass
class RuleSet:
    """A compiled Schematron schema."""

    path: Path
    validator: Schematron = field(repr=False)


@cache
def compile_schematron(path: Path) -> RuleSet:
    """Compile the Schematron schema at ``path`` once per process."""
    try:
        source = load(path)
    except DocumentError as error:
        raise SchemaError(f"cannot read schema {path}: {error.diagnostic.message}") from None
    confine(source, path)
    try:
        return RuleSet(path, _without_access(Schematron(source, store_report=True, store_xslt=True)))
    except (etree.SchematronParseError, etree.XSLTParseError, etree.XSLTApplyError) as error:
        raise SchemaError(f"the Schematron schema {path} does not compile: {error}") from None


def _without_access(schematron: Schematron) -> Schematron:
    """The same rules, run with no file or network access (``document()`` is refused).

    lxml has no option for this, so its compiled validator is replaced by one built from the
    same stylesheet with :data:`~teitools.validation.confine.NO_ACCESS`.
    """
    stylesheet = schematron.validator_xslt
    if stylesheet is None:  # only without store_xslt=True
        raise SchemaError("the Schematron stylesheet was not kept")
    schematron._validator = etree.XSLT(stylesheet, access_control=NO_ACCESS)  # type: ignore[attr-defined]
    return schematron


def check_rules(
    tree: etree._ElementTree, rules: RuleSet, lines: SourceLines, file: str
) -> list[Diagnostic]:
    """Run the rules on ``tree``; one finding per failed assert or successful report."""
    try:
        rules.validator.validate(tree)
    except etree.XSLTApplyError as error:
        raise SchemaError(f"the Schematron rules of {rules.path} failed on {file}: {error} "
                          "(rules may not read files or use the network)") from None
    report = rules.validator.validation_report
    if report is None:
        return []
    findings = []
    for result in report.iter(f"{{{SVRL_NS}}}failed-assert", f"{{{SVRL_NS}}}successful-report"):
        findings.append(_finding(tree, result, lines, file))
    return sorted(findings)


def _finding(
    tree: etree._ElementTree, result: etree._Element, lines: SourceLines, file: str
) -> Diagnostic:
    location = result.get("location", "")
    element, attribute = _locate(tree, location)
    text_node = result.find(f"{{{SVRL_NS}}}text")
    message = " ".join("".join(text_node.itertext()).split()) if text_node is not None else ""
    rule_id = result.get("id") or "schematron"
    severity = _SEVERITY_BY_ROLE.get((result.get("role") or "error").lower(), Severity.ERROR)
    line = (element.sourceline or 0) if element is not None else 0
    column = lines.column_of(element, attribute) if element is not None else 0
    xpath = tree.getpath(element) if element is not None else None
    return Diagnostic(file, line, column, severity, rule_id, message, xpath)


def _locate(tree: etree._ElementTree, location: str) -> tuple[etree._Element | None, str | None]:
    """The element an SVRL location names, and the attribute when it names one."""
    attribute = None
    match = _ATTRIBUTE_STEP.search(location)
    if match:
        attribute = match[1] or match[2]
        location = location[: match.start()]
    if not location:
        return tree.getroot(), attribute
    try:
        found = tree.xpath(location)
    except etree.XPathError:
        return None, attribute
    if isinstance(found, list) and found and isinstance(found[0], etree._Element):
        return found[0], attribute
    return None, attribute
