"""The exceptions teitools raises when work cannot go on.

Findings about a document are :class:`~teitools.diagnostics.Diagnostic` values, not
exceptions. An exception means the work itself stopped: a path that does not exist, a broken
schema, an output folder that cannot be written. Each type owns the exit code the command
line uses for it, so ``cli.py`` maps failures to codes in one place.
"""

from __future__ import annotations

from typing import ClassVar

from teitools.diagnostics import Diagnostic

#: Exit codes of the ``teitools`` command, as documented in ``docs/cli.md``.
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
#: A bug in teitools itself (the command line uses the same number for unexpected errors).
EXIT_INTERNAL = 3


class TeiToolsError(Exception):
    """Root of every error teitools raises on purpose."""

    exit_code: ClassVar[int] = EXIT_USAGE


class InputError(TeiToolsError, OSError):
    """A path given to teitools is missing, unreadable or holds no XML."""


class UnsafeXmlError(TeiToolsError, ValueError):
    """A document asks for something the hardened parser refuses (DTD, entities)."""


class SchemaError(TeiToolsError, ValueError):
    """A schema cannot be read or compiled; ``line`` is where in the schema file, when known."""

    def __init__(self, message: str, line: int = 0) -> None:
        # Both in args, so that the error keeps its line when it crosses a process boundary.
        super().__init__(message, line)
        self.line = line

    def __str__(self) -> str:
        return str(self.args[0])


class OutputError(TeiToolsError, OSError):
    """An output file or folder cannot be written."""


class SettingsError(TeiToolsError, ValueError):
    """A project settings file is malformed or has an invalid value."""


class OutputSchemaError(TeiToolsError, ValueError):
    """teitools produced output that its own schema rejects: a bug in teitools, not in the input."""

    exit_code: ClassVar[int] = EXIT_INTERNAL


class DocumentError(TeiToolsError, ValueError):
    """A document cannot be read as safe, well-formed XML.

    It carries the finding that says why, so that validation can report it like any other
    and exporters can stop on that one file with a positioned message.
    """

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


class CitationError(TeiToolsError, ValueError):
    """A letter cannot be cited as asked: no such letter, an unknown style, a broken CSL file."""


class GitError(TeiToolsError, RuntimeError):
    """git is missing, the folder is not in a git repository, or a ref does not exist."""
