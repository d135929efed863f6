"""JUnit XML, the test-report format GitLab, Jenkins, Azure and others display.

Each file checked is one test case, named by its path; a file with errors (or with warnings,
under ``--strict``) fails, and its failure carries every finding of the file, one per line.
Findings that do not fail the run are kept in the test case's ``system-out``. No timestamps
or timings, so the same input gives the same bytes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import TYPE_CHECKING

from lxml import etree

from teitools.diagnostics import Diagnostic, Report, Severity
from teitools.report.names import printable, xml_text

if TYPE_CHECKING:
    from teitools.report.base import ReportStyle

SUITE_NAME = "teitools validate"
CLASS_NAME = "teitools.validate"


def render(report: Report, style: ReportStyle) -> str:
    by_file: dict[str, list[Diagnostic]] = defaultdict(list)
    for diagnostic in report.diagnostics:
        by_file[diagnostic.file].append(diagnostic)
    files = list(dict.fromkeys([*report.files, *by_file]))
    failing = [f for f in files if _fails(by_file[f], strict=style.strict)]
    tests, failures = str(len(files)), str(len(failing))
    suites = etree.Element("testsuites", name=SUITE_NAME, tests=tests, failures=failures, errors="0")
    suite = etree.SubElement(
        suites, "testsuite", name=SUITE_NAME, tests=tests, failures=failures, errors="0", skipped="0"
    )
    for file in files:
        findings = by_file[file]
        shown = printable(file)  # XML holds no control character, nor a byte that is not UTF-8
        case = etree.SubElement(suite, "testcase", classname=CLASS_NAME, name=shown, file=shown)
        if file in failing:
            failure = etree.SubElement(
                case, "failure", message=_message(findings), type=_first_failing_rule(findings, style.strict)
            )
            failure.text = _lines(findings)
        elif findings:
            etree.SubElement(case, "system-out").text = _lines(findings)
    xml = etree.tostring(suites, encoding="UTF-8", xml_declaration=True, pretty_print=True)
    return xml.decode("utf-8")


def _fails(findings: list[Diagnostic], *, strict: bool) -> bool:
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return any(d.severity in failing for d in findings)


def _first_failing_rule(findings: list[Diagnostic], strict: bool) -> str:
    return next(d.rule for d in findings if _fails([d], strict=strict))


def _message(findings: list[Diagnostic]) -> str:
    errors = sum(1 for d in findings if d.severity is Severity.ERROR)
    warnings = sum(1 for d in findings if d.severity is Severity.WARNING)
    parts = [f"{errors} error{'s' if errors != 1 else ''}"]
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts)


def _lines(findings: list[Diagnostic]) -> str:
    return "\n".join(xml_text(str(replace(d, file=printable(d.file)))) for d in findings) + "\n"
