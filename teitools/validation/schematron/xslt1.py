"""Layer 3: ISO Schematron rules (XPath 1) through lxml's Schematron, with real positions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lxml import etree, isoschematron

from teitools.diagnostics import Diagnostic
from teitools.errors import SchemaError
from teitools.validation import schema_memory
from teitools.validation.catalog import NO_CATALOGS, Catalogs, shown
from teitools.validation.positions import SourceLines, line_of
from teitools.validation.schematron.source import read_schematron_tree, severity_of

SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
#: The compiled rules may not read or write any file, nor touch the network.
_NO_ACCESS = etree.XSLTAccessControl(
    read_file=False, write_file=False, create_dir=False, read_network=False, write_network=False
)
_ATTRIBUTE_STEP = re.compile(r"/@([\w:.-]+)$|/@\*\[local-name\(\)='([\w.-]+)'[^\]]*\]$")


@dataclass
class RuleSet:
    """A compiled Schematron schema: the XSLT 1 stylesheet lxml's skeleton made of it."""

    path: Path
    validator: etree.XSLT = field(repr=False)


# A compiled rule set is an XSLT program; a run uses a handful (see grammar.compile_relaxng).
@schema_memory.forgotten_on_change
@lru_cache(maxsize=16)
def compile_schematron(path: Path, phase: str | None = None, catalogs: Catalogs = NO_CATALOGS) -> RuleSet:
    """Compile the Schematron schema at ``path`` (for ``phase``) once per process.

    The steps of lxml's ``isoschematron`` are run here so that none of them reads a file:
    includes are expanded by teitools with the hardened loader, and the compiled validator
    runs with XSLT access control that denies every file and network access.
    """
    source = read_schematron_tree(path, catalogs)
    try:
        expanded = isoschematron.iso_abstract_expand(source)
        compiled = (
            isoschematron.iso_svrl_for_xslt1(expanded, phase=etree.XSLT.strparam(phase))
            if phase
            else isoschematron.iso_svrl_for_xslt1(expanded)
        )
        validator = etree.XSLT(compiled, access_control=_NO_ACCESS)
    except (etree.XSLTParseError, etree.XSLTApplyError) as error:
        raise SchemaError(f"the Schematron schema {shown(path)} does not compile: {error}") from None
    return RuleSet(path, validator)


def check_rules(tree: etree._ElementTree, rules: RuleSet, lines: SourceLines, file: str) -> list[Diagnostic]:
    """Run the rules on ``tree``; one finding per failed assert or successful report."""
    try:
        report = rules.validator(tree)
    except etree.XSLTApplyError as error:
        raise SchemaError(f"the Schematron schema {shown(rules.path)} fails on {file}: {error}") from None
    findings = []
    for result in report.iter(f"{{{SVRL_NS}}}failed-assert", f"{{{SVRL_NS}}}successful-report"):
        findings.append(_finding(tree, result, lines, file))
    return sorted(findings)


def _finding(tree: etree._ElementTree, result: etree._Element, lines: SourceLines, file: str) -> Diagnostic:
    location = result.get("location", "")
    element, attribute = _locate(tree, location)
    texts = [result.find(f"{{{SVRL_NS}}}text"), *result.iter(f"{{{SVRL_NS}}}diagnostic-reference")]
    text = " ".join("".join(str(t) for t in node.itertext()) for node in texts if node is not None)
    message = (
        " ".join(text.split())
        or f"{etree.QName(result).localname.replace('-', ' ')}: {result.get('test', '')}"
    )
    rule_id = result.get("id") or "schematron"
    severity = severity_of(result.get("role"))
    line = line_of(element)
    column = lines.column_of(element, attribute) if element is not None else 0
    xpath = tree.getpath(element) if element is not None else None
    details = [("kind", etree.QName(result).localname), ("location", location)]
    details += [(name, result.get(name, "")) for name in ("test", "role", "flag") if result.get(name)]
    return Diagnostic(file, line, column, severity, rule_id, message, xpath, tuple(details))


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
