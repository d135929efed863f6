"""The report as SVRL, the Schematron Validation Report Language (ISO/IEC 19757-3, annex D).

One ``svrl:schematron-output`` for the whole run. Each checked file opens an
``svrl:active-pattern`` whose ``@document`` is the file's URI; each finding follows as an
``svrl:fired-rule`` (its rule context) and an ``svrl:failed-assert`` or
``svrl:successful-report`` with ``@location``, ``@test``, ``@id``, ``@role``, ``@flag`` and the
message as ``svrl:text``. Findings from other layers (well-formedness, grammar, cross-file
checks) are written as failed asserts with the rule id, an empty ``@test`` and the severity as
``@role``, so that an SVRL consumer sees every finding.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from teitools.diagnostics import Diagnostic, Report
from teitools.report.names import printable, xml_text

if TYPE_CHECKING:
    from teitools.report.base import ReportStyle

SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
_S = f"{{{SVRL_NS}}}"


def render(report: Report, style: ReportStyle) -> str:
    root = etree.Element(f"{_S}schematron-output", nsmap={"svrl": SVRL_NS}, title="teitools validate")
    by_file: dict[str, list[Diagnostic]] = {}
    for diagnostic in report.diagnostics:
        by_file.setdefault(diagnostic.file, []).append(diagnostic)
    for file in dict.fromkeys([*report.files, *by_file]):
        etree.SubElement(root, f"{_S}active-pattern", document=_uri(file), name=printable(file))
        for diagnostic in by_file.get(file, []):
            _finding(root, diagnostic)
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8").decode("utf-8")


def _finding(root: etree._Element, diagnostic: Diagnostic) -> None:
    etree.SubElement(root, f"{_S}fired-rule", context=diagnostic.detail("context") or "/")
    kind = diagnostic.detail("kind") or "failed-assert"
    location = diagnostic.detail("location") or diagnostic.xpath or "/"
    result = etree.SubElement(root, f"{_S}{kind}", location=location, test=diagnostic.detail("test") or "")
    result.set("id", diagnostic.rule)
    result.set("role", diagnostic.detail("role") or str(diagnostic.severity))
    flag = diagnostic.detail("flag")
    if flag:
        result.set("flag", flag)
    text = etree.SubElement(result, f"{_S}text")
    text.text = xml_text(diagnostic.message)


def _uri(file: str) -> str:
    try:
        return Path(file).resolve().as_uri()
    except ValueError:
        return printable(file)
