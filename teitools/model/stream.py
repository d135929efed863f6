"""Reading an edition to write its letters one at a time, in memory that does not grow with it.

A letter is rendered with the whole edition's registers (its names resolve through them, and
every letter file may add entries of its own), so the registers must be complete before the
first letter is written. :func:`read_stream` therefore reads in two passes. The first reads
every file once for its register entries and, of each letter that is its file's only one,
keeps only what orders it (date and id), its file's name and the digest of the bytes read
(:class:`~teitools.model.tei.LetterToRead`: with the registers, 470 bytes a letter). The second, as
:class:`LetterStream` is iterated, reads each such file again, refuses it when its bytes are
not those of the first pass, and makes the letter whole, text included, for the caller to
render and let go. Letters from standard input, CMIF files and files of several letters are
kept whole from the first pass, as :func:`~teitools.model.tei.read_edition` keeps them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from teitools.load.record import FileRecord
from teitools.model.tei import KEPT, READ_AGAIN, EditionReader, LetterToRead, read_into
from teitools.model.types import Edition, Letter


class LetterStream:
    """An edition's letters in chronological order, each made when it is asked for.

    ``edition`` holds the registers and the files that could not be read (``problems``), and
    no letters; ``len()`` is the number of letters. Iterating reads the letters (again); it
    raises :class:`~teitools.errors.InputError` when a file changed since the first pass.
    """

    def __init__(self, edition: Edition, letters: Sequence[Letter | LetterToRead]) -> None:
        self.edition = edition
        self._letters = letters

    def __len__(self) -> int:
        return len(self._letters)

    def __iter__(self) -> Iterator[Letter]:
        for entry in self._letters:
            yield entry if isinstance(entry, Letter) else entry.letter()


def read_stream(
    paths: Iterable[Path],
    registers: Iterable[Path] | None = None,
    *,
    exclude: Sequence[str] = (),
    use_ignore_files: bool = True,
    given: FileRecord | None = None,
) -> LetterStream:
    """The files :func:`~teitools.model.tei.read_edition` reads (the same arguments), as a
    :class:`LetterStream`: the same letters, in the order of
    :meth:`~teitools.model.types.Edition.chronological`, with the same registers."""
    # Standard input cannot be read again: its letters are kept.
    reader = EditionReader(texts=READ_AGAIN if given is None else KEPT)
    read_into(reader, paths, registers, exclude=exclude, use_ignore_files=use_ignore_files, given=given)
    full = reader.edition()
    registers_only = Edition(
        (), full.persons, full.organisations, full.places, full.sources, problems=full.problems
    )
    return LetterStream(registers_only, reader.in_order())
