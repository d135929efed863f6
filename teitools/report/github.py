"""GitHub Actions workflow commands: each finding becomes an annotation on the file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from teitools.diagnostics import Report, Severity, escape_controls
from teitools.report.names import decodable, printable
from teitools.report.text import summary

if TYPE_CHECKING:
    from teitools.report.base import ReportStyle

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(report: Report, style: ReportStyle) -> str:
    lines = []
    for d in report.diagnostics:
        properties = [f"file={_property(printable(d.file))}"]
        if d.line:
            properties.append(f"line={d.line}")
        if d.column:
            properties.append(f"col={d.column}")
        properties.append(f"title={_property(d.rule)}")
        lines.append(f"::{_COMMAND[d.severity]} {','.join(properties)}::{_data(decodable(d.message))}")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def _data(value: str) -> str:
    # Line breaks in GitHub's own escapes (the annotation shows them as line breaks); any other
    # control or separator character made visible, since other readers of the log end lines
    # at U+2028 or NEL too.
    return escape_controls(value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _property(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")


#: GitHub shows at most 1 MiB of step summary; long reports are cut to this many rows.
SUMMARY_ROWS = 200


def step_summary(report: Report, style: ReportStyle) -> str:
    """A Markdown summary for ``$GITHUB_STEP_SUMMARY``: the summary line and a table of findings."""
    passed = not report.failed(strict=style.strict)
    lines = [f"### teitools validate: {'passed' if passed else 'failed'}", "", summary(report), ""]
    if report.diagnostics:
        lines += ["| File | Line | Column | Severity | Rule | Message |", "|---|---:|---:|---|---|---|"]
        lines += [
            f"| {_cell(printable(d.file))} | {d.line} | {d.column} | {d.severity} "
            f"| `{_cell(d.rule).replace('`', '')}` "
            f"| {_cell(decodable(d.message))} |"
            for d in report.diagnostics[:SUMMARY_ROWS]
        ]
        hidden = len(report.diagnostics) - SUMMARY_ROWS
        if hidden > 0:
            lines += [
                "",
                f"… and {hidden} more finding{'s' if hidden != 1 else ''} "
                "(see the annotations or the job log).",
            ]
        lines.append("")
    return "\n".join(lines) + "\n"


def _cell(value: str) -> str:
    """Text safe inside a Markdown table cell: no pipes or line breaks, no raw HTML."""
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("|", "\\|")
        .replace("\r", " ")
        .replace("\n", " ")
    )
