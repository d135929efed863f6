"""The report for people: one line per finding, then a summary."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from teitools.diagnostics import Diagnostic, Report, Severity
from teitools.report.names import decodable, printable

if TYPE_CHECKING:
    from teitools.report.base import ReportStyle

_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD = "\033[1m"
_RESET = "\033[0m"


def render(report: Report, style: ReportStyle) -> str:
    # A file name is shown on one line and printable, whatever bytes it has.
    lines = [_line(_shown(d), d.severity, style.colour) for d in report.diagnostics]
    lines.append(summary(report, colour=style.colour))
    return "\n".join(lines) + "\n"


#: The summary's words for ``Report.schema_mode``: a gate's log says what was enforced.
MODES = {
    "project-and-declared": "declared schemas checked as well as the project's rules",
    "declared-only": "declared schemas only, where a file declares any",
    "project-only": "declared schemas ignored",
    "given": "the schemas given with --schema, declared schemas ignored",
}


def summary(report: Report, *, colour: bool = False) -> str:
    """One line: how many files, errors and warnings, and how declared schemas were treated
    when a file declared any; e.g. ``9 files checked: no problems``."""
    text = _counts(report)
    if report.schema_mode is not None:
        text += f"; {MODES[report.schema_mode]}"
    return f"{_BOLD}{text}{_RESET}" if colour and report.diagnostics else text


def _counts(report: Report) -> str:
    files = len(report.files)
    head = f"{files} file{'s' if files != 1 else ''} checked"
    if not report.diagnostics:
        return f"{head}: no problems"
    parts = [_count(report.error_count, "error"), _count(report.warning_count, "warning")]
    infos = len(report.diagnostics) - report.error_count - report.warning_count
    if infos:
        parts.append(_count(infos, "note"))
    affected = len(report.files_with_findings())
    return f"{head}: {', '.join(parts)} in {affected} file{'s' if affected != 1 else ''}"


def _shown(diagnostic: Diagnostic) -> str:
    return decodable(str(replace(diagnostic, file=printable(diagnostic.file))))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _line(text: str, severity: Severity, colour: bool) -> str:
    if not colour:
        return text
    label = f": {severity}:"
    return text.replace(label, f": {_COLOURS[severity]}{severity}{_RESET}:", 1)
