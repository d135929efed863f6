"""Report formats for validation results: each module exposes ``render(report, style)``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from teitools.diagnostics import Report
from teitools.report import github, json, junit, sarif, svrl, text


@dataclass(frozen=True)
class ReportStyle:
    """Presentation choices shared by the formats; ``colour`` only affects text."""

    colour: bool = False
    strict: bool = False


Renderer = Callable[[Report, ReportStyle], str]

#: Format name -> renderer; the CLI offers exactly these names.
FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "json": json.render,
    "github": github.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "svrl": svrl.render,
}

__all__ = ["FORMATS", "Renderer", "ReportStyle"]
