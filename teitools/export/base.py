"""What every export format takes and returns: :class:`ExportOptions` and :class:`ExportResult`.

A format module exposes ``export(edition, options) -> ExportResult``: the files (relative
output file name -> content) and the warnings about what the format could not express. A
single-file format returns one file (its default file name); a per-letter format returns one
file per letter (plus any shared assets), and also exposes ``iter_files(edition, options)``,
which yields those files one at a time for the command line to write as they come. Warnings are findings
(:class:`~teitools.diagnostics.Diagnostic`, severity warning) naming the letter; the command
line prints them on stderr and they do not change the exit code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from teitools.diagnostics import Diagnostic
from teitools.load.settings import Settings
from teitools.model.types import Edition

if TYPE_CHECKING:
    from teitools.model.stream import LetterStream


@dataclass(frozen=True)
class ExportOptions:
    """Choices shared by the formats; each format reads the ones it knows.

    ``settings`` are the edition's project settings (title, base URL, CMIF bibl...), with
    any command-line overrides already applied; ``accessed`` is the access date the letter
    pages cite the edition with (None: today). ``jobs`` is how many processes a per-letter
    format may render letters in (the output is the same for any number).
    """

    emphasis: str = "asterisks"
    settings: Settings = field(default_factory=Settings)
    accessed: date | None = None
    jobs: int = 1


@dataclass(frozen=True)
class ExportResult:
    """What a format produced: files (relative name -> content) and warnings."""

    files: dict[str, str]
    warnings: tuple[Diagnostic, ...] = ()


ExportFunction = Callable[[Edition, ExportOptions], ExportResult]
#: A per-letter format's files one by one (relative name, content), so that none is kept; the
#: text format also takes a :class:`~teitools.model.stream.LetterStream`.
StreamFunction = Callable[["Edition | LetterStream", ExportOptions], Iterator[tuple[str, str]]]
