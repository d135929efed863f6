"""What the letter and register scaffolds share: the edition they add to, ids and the error."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from teitools.errors import TeiToolsError
from teitools.load.inputs import REGISTER_FILES
from teitools.model.tei import read_edition
from teitools.model.types import Edition


class ScaffoldError(TeiToolsError, ValueError):
    """A scaffold cannot be made as asked: an unknown register id, a bad date, a taken file."""


@dataclass(frozen=True)
class EditionFolder:
    """The folder that holds an edition's registers (``persons.xml``…) and ``letters/``,
    and the edition read from it."""

    root: Path
    edition: Edition

    @classmethod
    def read(cls, root: Path) -> EditionFolder:
        """Read the edition in ``root``; :class:`ScaffoldError` when it has no registers."""
        present = [root / name for name in REGISTER_FILES if (root / name).is_file()]
        if not present:
            raise ScaffoldError(
                f"{root}: no registers here ({', '.join(REGISTER_FILES)}); "
                "give the edition's folder with --edition"
            )
        letters = root / "letters"
        paths = [letters] if letters.is_dir() and any(letters.glob("*.xml")) else present
        return cls(root, read_edition(paths, registers=present))


def did_you_mean(value: str, known: Collection[str]) -> str:
    """`` Did you mean "x"?`` for the closest of ``known``, or nothing."""
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
    return f' Did you mean "{close[0]}"?' if close else ""


def slug(text: str) -> str:
    """``text`` as an id part: lower-case ASCII letters and digits joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def fresh_id(wanted: str, taken: Collection[str]) -> str:
    """``wanted`` if free, else ``wanted-2``, ``wanted-3``…"""
    if wanted not in taken:
        return wanted
    number = 2
    while f"{wanted}-{number}" in taken:
        number += 1
    return f"{wanted}-{number}"


def register_ids(edition: Edition) -> set[str]:
    """Every id the registers hold (persons, organisations, places, sources)."""
    return {*edition.persons, *edition.organisations, *edition.places, *edition.sources}
