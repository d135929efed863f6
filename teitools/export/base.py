"""What every export format takes and returns: :class:`ExportOptions` and :class:`ExportResult`.

A format module exposes ``export(edition, options) -> ExportResult``: the files (relative
output file name -> content) and the warnings about what the format could not express. A
single-file format returns one file (its default file name); a per-letter format returns one
file per letter (plus any shared assets). Warnings are findings
(:class:`~teitools.diagnostics.Diagnostic`, severity warning) naming the letter; the command
line prints them on stderr and they do not change the exit code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from teitools.diagnostics import Diagnostic
from teitools.load.settings import Settings
from teitools.model.types import Edition


@dataclass(frozen=True)
class ExportOptions:
    """Choices shared by the formats; each format reads the ones it knows.

    ``settings`` are the edition's project settings (title, base URL, CMIF bibl...), with
    any command-line overrides already applied; ``accessed`` is the access date the letter
    pages cite the edition with (None: today).
    """

    emphasis: str = "asterisks"
    settings: Settings = field(default_factory=Settings)
    accessed: date | None = None


@dataclass(frozen=True)
class ExportResult:
    """What a format produced: files (relative name -> content) and warnings."""

    files: dict[str, str]
    warnings: tuple[Diagnostic, ...] = ()


ExportFunction = Callable[[Edition, ExportOptions], ExportResult]
