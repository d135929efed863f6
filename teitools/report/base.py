"""What every report format shares: the presentation choices and the renderer's signature."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from teitools.diagnostics import Report


@dataclass(frozen=True)
class ReportStyle:
    """Presentation choices shared by the formats; ``colour`` only affects text."""

    colour: bool = False
    strict: bool = False


#: A report format: each module exposes ``render(report, style) -> str``.
Renderer = Callable[[Report, ReportStyle], str]
