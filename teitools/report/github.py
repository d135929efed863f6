"""GitHub Actions workflow commands: each finding becomes an annotation on the file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from teitools.diagnostics import Report, Severity
from teitools.report.text import summary

if TYPE_CHECKING:
    from teitools.report import ReportStyle

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(report: Report, style: ReportStyle) -> str:
    lines = []
    for d in report.diagnostics:
        properties = [f"file={_property(d.file)}"]
        if d.line:
            properties.append(f"line={d.line}")
        if d.column:
            properties.append(f"col={d.column}")
        properties.append(f"title={_property(d.rule)}")
        lines.append(f"::{_COMMAND[d.severity]} {','.join(properties)}::{_data(d.message)}")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def _data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")
