"""The report for programs, in the shape of ``schemas/report.schema.json``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from teitools import __version__
from teitools.diagnostics import Report
from teitools.report.names import decodable

if TYPE_CHECKING:
    from teitools.report.base import ReportStyle

SCHEMA_VERSION = 1


def render(report: Report, style: ReportStyle) -> str:
    return json.dumps(as_data(report, strict=style.strict), indent=2, ensure_ascii=False) + "\n"


def as_data(report: Report, *, strict: bool = False) -> dict[str, Any]:
    """The report as JSON-ready data."""
    return {
        "version": SCHEMA_VERSION,
        "tool": {"name": "teitools", "version": __version__},
        "valid": not report.failed(strict=strict),
        "summary": {
            "files": len(report.files),
            "errors": report.error_count,
            "warnings": report.warning_count,
            "files_with_findings": len(report.files_with_findings()),
            **({"schemas": report.schema_mode} if report.schema_mode is not None else {}),
        },
        # JSON escapes control characters itself; only bytes that are not UTF-8 need showing.
        "files": [decodable(file) for file in report.files],
        "diagnostics": [
            {
                "file": decodable(d.file),
                "line": d.line,
                "column": d.column,
                "severity": str(d.severity),
                "rule": d.rule,
                "message": decodable(d.message),
                "xpath": d.xpath,
            }
            for d in report.diagnostics
        ],
    }
