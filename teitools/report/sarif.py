"""SARIF 2.1.0, the format code-scanning dashboards (GitHub, GitLab, Azure DevOps) read.

One run, with a rule descriptor for every rule id that occurs (texts from the rule catalogue)
and one result per finding. File locations are URIs relative to the working directory, the
repository root in CI (``uriBaseId`` ``%SRCROOT%``), so dashboards link them to the sources.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from teitools import __version__
from teitools.diagnostics import Diagnostic, Report, Severity
from teitools.report.names import decodable

if TYPE_CHECKING:
    from teitools.report.base import ReportStyle
    from teitools.validation.rule_catalogue import Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SOURCE_ROOT = "%SRCROOT%"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(report: Report, style: ReportStyle) -> str:
    return json.dumps(as_data(report), indent=2, ensure_ascii=False) + "\n"


def as_data(report: Report, base: Path | None = None) -> dict[str, Any]:
    """The SARIF log as JSON-ready data; URIs are relative to ``base`` (default: cwd)."""
    # The catalogue is imported here, not at the top, so that the report formats can be
    # imported without the validation package (tests/test_layout.py).
    from teitools.validation.rule_catalogue import describe  # noqa: PLC0415

    base = (base or Path.cwd()).resolve()
    rule_ids = sorted({d.rule for d in report.diagnostics})
    index = {rule_id: position for position, rule_id in enumerate(rule_ids)}
    files = dict.fromkeys([*report.files, *(d.file for d in report.diagnostics)])
    locations = {file: _location(file, base) for file in files}
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "teitools",
                        "version": __version__,
                        "rules": [_descriptor(describe(rule_id)) for rule_id in rule_ids],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "artifacts": [{"location": locations[file]} for file in report.files],
                "results": [_result(d, index[d.rule], locations[d.file]) for d in report.diagnostics],
                **({"properties": {"schemas": report.schema_mode}} if report.schema_mode else {}),
            }
        ],
    }


def _descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": f"{rule.summary} (layer: {rule.layer})"},
        "help": {"text": rule.help},
        "defaultConfiguration": {"level": _LEVEL[rule.level]},
        "properties": {"tags": ["tei", rule.layer]},
    }


def _result(diagnostic: Diagnostic, rule_index: int, location: dict[str, str]) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": location}
    if diagnostic.line > 0:
        region = {"startLine": diagnostic.line}
        if diagnostic.column > 0:
            region["startColumn"] = diagnostic.column
        physical["region"] = region
    return {
        "ruleId": diagnostic.rule,
        "ruleIndex": rule_index,
        "level": _LEVEL[diagnostic.severity],
        "message": {"text": decodable(diagnostic.message)},
        "locations": [{"physicalLocation": physical}],
    }


def _location(file: str, base: Path) -> dict[str, str]:
    path = Path(file).resolve()
    if path.is_relative_to(base):
        relative = os.path.relpath(path, base).replace(os.sep, "/")
        # The name's bytes, percent-encoded: exact for any name, and a valid URI reference.
        return {"uri": quote(os.fsencode(relative)), "uriBaseId": SOURCE_ROOT}
    return {"uri": path.as_uri()}
