"""One record per input file, made when the file is read, so that no stage reads it again.

Input discovery names the files; each is read once into a :class:`FileRecord` (its bytes, and
what is learnt from them as stages ask: the digest for the result cache, the schemas it
declares, the parsed tree). Validation, the cache and the letter model all take records, so
a run reads every file from disk once. A record holds its tree only while one stage hands it
to the next: records kept for later, or sent to worker processes, carry the bytes alone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from lxml import etree

from teitools.diagnostics import Diagnostic
from teitools.errors import DocumentError
from teitools.load.declarations import Declaration, declarations, declarations_in_prolog, may_declare
from teitools.load.parser import check_bytes, parse_bytes, read_bytes


@dataclass(frozen=True)
class FileRecord:
    """A file as read: ``data`` its bytes (None when it could not be read), ``problem`` the
    finding that says why it cannot be read or parsed, ``tree`` the parsed document once
    :meth:`parsed` made it."""

    path: Path
    data: bytes | None
    problem: Diagnostic | None = None
    tree: etree._ElementTree | None = None
    #: True for a record that let go of its bytes (:meth:`without_bytes`): read the file again.
    released: bool = False

    @cached_property
    def digest(self) -> bytes | None:
        """SHA-256 of the bytes; None for a file that could not be read."""
        return None if self.data is None else hashlib.sha256(self.data).digest()

    @cached_property
    def declarations(self) -> tuple[Declaration, ...]:
        """The schemas the file declares; none when it cannot be read or parsed."""
        if self.data is not None and not may_declare(self.data):
            return ()  # from the bytes, faster than from the tree
        if self.tree is not None:
            return declarations(self.tree)
        if self.data is None or self.problem is not None:
            return ()
        try:
            # Through the loader's checks: a DOCTYPE's parameter entities would be read by
            # libxml2 even in a scan of the prolog.
            return declarations_in_prolog(check_bytes(self.data, self.path))
        except DocumentError:
            return ()

    def without_bytes(self) -> FileRecord:
        """This record's digest and declarations without its bytes or tree, to keep when
        memory is short; whoever needs the bytes reads the file again (and compares digests)."""
        light = replace(self, data=None, tree=None, released=True)
        # cached_property keeps its values in the instance's __dict__: the light record
        # answers from what this one computed.
        light.__dict__.update(digest=self.digest, declarations=self.declarations)
        return light

    def parsed(self) -> FileRecord:
        """This record with its tree, or with the finding that says why it cannot be parsed."""
        if self.tree is not None or self.problem is not None or self.data is None:
            return self
        try:
            return replace(self, tree=parse_bytes(self.data, self.path))
        except DocumentError as error:
            return replace(self, problem=error.diagnostic)


def known_record(path: Path, digest: bytes) -> FileRecord:
    """The record of a file not read, whose bytes' digest is known (from the result cache's
    index) and which declares no schema: like :meth:`FileRecord.without_bytes`, whoever needs
    its bytes reads the file again and compares digests."""
    record = FileRecord(path, None, released=True)
    record.__dict__.update(digest=digest, declarations=())
    return record


def read_record(path: Path) -> FileRecord:
    """Read ``path`` once, within the loader's limits (a FIFO, a device or a huge file is
    refused, never waited on); a file that cannot be read gives a record with its finding."""
    try:
        return FileRecord(path, read_bytes(path))
    except DocumentError as error:
        return FileRecord(path, None, error.diagnostic)
