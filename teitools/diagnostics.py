"""Findings: what validation reports about a document, as plain immutable data."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

#: What must never reach a line of text output raw: C0 and C1 controls and DEL (a line break
#: there starts a new line, and so a GitHub Actions workflow command such as ``::add-mask::``
#: or a forged finding; ESC starts a terminal escape sequence), the Unicode line and paragraph
#: separators, and the bidirectional controls that make a line read differently from its bytes.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_controls(text: str) -> str:
    """``text`` on one line with its control characters made visible: a newline becomes
    ``\\n``, ESC ``\\x1b``, U+2028 ``\\u2028``; every other character is kept as it is."""
    return _UNSAFE.sub(_escape_one, text)


def _escape_one(match: re.Match[str]) -> str:
    char = match[0]
    code = ord(char)
    return _SHORT.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


class Severity(StrEnum):
    """How serious a finding is; only errors fail a run unless ``--strict`` is given."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding at one position in one file.

    ``line`` and ``column`` are 1-based; 0 means the position is unknown (for example a file
    that could not be read at all). ``details`` carries what a format may need beyond the
    message, as (name, value) pairs: for Schematron findings the SVRL facts (``kind``,
    ``test``, ``location``, ``role``, ``flag``, ``pattern``, ``schema``).
    """

    file: str
    line: int
    column: int
    severity: Severity
    rule: str
    message: str
    xpath: str | None = field(default=None, compare=False)
    details: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def detail(self, name: str) -> str | None:
        """The value of one of ``details``, or None."""
        return next((value for key, value in self.details if key == name), None)

    def __str__(self) -> str:
        # The one line of text every plain-text output prints: what a file or a value in the
        # message holds must not break it (see :func:`escape_controls`).
        return escape_controls(
            f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message} [{self.rule}]"
        )


@dataclass(frozen=True)
class Report:
    """The result of validating a set of files: which files were checked and what was found."""

    files: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    #: How declared schemas were treated, when a file declared any or schemas were given:
    #: ``project-and-declared`` (as well as the project's rules), ``declared-only``,
    #: ``project-only`` (ignored), ``given`` (``--schema``); None when no file declared any.
    schema_mode: str | None = None

    @property
    def error_count(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warning_count(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity is Severity.WARNING)

    def failed(self, *, strict: bool = False) -> bool:
        """True when the run should fail: any error, or any warning when ``strict``."""
        return self.error_count > 0 or (strict and self.warning_count > 0)

    def files_with_findings(self) -> Counter[str]:
        return Counter(d.file for d in self.diagnostics)
