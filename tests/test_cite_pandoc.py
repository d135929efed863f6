"""teitools' formatted citations against pandoc's citeproc, a reference CSL processor.

Every letter of the edition, in Chicago (note and bibliography), MLA and APA (in-text
citation and bibliography), from the same CSL-JSON item and the same CSL file. Outputs must
be identical except for the differences in ``citations/known-differences.toml``, each with
its reason; an entry that no longer matches any difference fails the test as stale.

pandoc takes seconds to read Chicago's CSL file: a style's letters are formatted in one pandoc
run, one document citing each in turn, unless the style would then print one letter for
another's sake (MLA's dash for a repeated author, APA's year suffixes).
"""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from teitools.cite.mapping import citables, csl_item
from teitools.cite.styles import (
    CiteOptions,
    format_bibliography,
    format_citation,
    load_style,
)
from teitools.model.tei import read_edition
from tests.helpers import EDITION

from .citations.pandoc_render import pandoc_render

KNOWN = Path(__file__).resolve().parent / "citations" / "known-differences.toml"
STYLES = ("chicago", "mla", "apa")
LOCATOR = "45"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("pandoc") is None, reason="pandoc is not installed (apt-get install pandoc)"
    ),
]


@dataclass(frozen=True)
class Known:
    style: str
    form: str
    teitools: str
    pandoc: str
    reason: str


@dataclass(frozen=True)
class Pair:
    key: str
    style: str
    form: str  # "note" (Chicago's footnote, or the in-text citation) or "bibliography"
    teitools: str
    pandoc: str


def _known() -> list[Known]:
    data = tomllib.loads(KNOWN.read_text(encoding="utf-8"))
    return [Known(**entry) for entry in data.get("difference", [])]


def _alone(csl: Path) -> bool:
    """Whether a style formats each item in a document of its own: in one document of many it
    would print an item for another's sake (a year suffix, a repeated author as a dash, a number
    in citation order), and teitools formats one letter at a time. (Names added to tell apart
    two citations that print alike would show as a difference, never hide one.)"""
    text = csl.read_text(encoding="utf-8")
    shared = ("subsequent-author-substitute", 'disambiguate-add-year-suffix="true"', "citation-number")
    return any(feature in text for feature in shared)


#: The items pandoc formats in one run, in a style (its name and file).
Job = tuple[list[dict[str, object]], str, Path]


@pytest.fixture(scope="module")
def pairs() -> list[Pair]:
    edition = read_edition([EDITION])
    items = [csl_item(c) for c in citables(edition)]
    jobs: list[Job] = []
    for name in STYLES:
        path = load_style(name).path
        # One pandoc for a style's every item where it can: Chicago takes pandoc seconds to read.
        jobs += [(batch, name, path) for batch in ([[item] for item in items] if _alone(path) else [items])]

    def render(job: Job) -> list[tuple[str, dict[str, object], str, str]]:
        batch, name, path = job
        try:
            rendered = pandoc_render(batch, path, note_class=name == "chicago", locator=LOCATOR)
        except subprocess.CalledProcessError as error:  # pragma: no cover - pandoc broke
            keys = ", ".join(str(item["id"]) for item in batch)
            pytest.fail(f"pandoc failed on {keys} in {name}: {error.stderr}")
        return [(name, item, note, entry) for item, (note, entry) in zip(batch, rendered, strict=True)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        theirs = [one for result in pool.map(render, jobs) for one in result]
    found = []
    for name, item, note, entry in theirs:  # teitools' side in this thread: only pandoc ran in the pool
        ours_note = format_citation(item, CiteOptions(style=name, note=True, locator=LOCATOR))
        ours_entry = format_bibliography([item], CiteOptions(style=name))[0]
        key = str(item["id"])
        found.append(Pair(key, name, "note", ours_note, note))
        found.append(Pair(key, name, "bibliography", ours_entry, entry))
    return found


def _explain(pair: Pair, known: list[Known]) -> tuple[str, set[int]]:
    """pandoc's text with the known differences replaced by teitools' side, and which
    entries were used."""
    text, used = pair.pandoc, set()
    for number, entry in enumerate(known):
        if (
            (entry.style, entry.form) == (pair.style, pair.form)
            and entry.pandoc in text
            and entry.teitools in pair.teitools
        ):
            text = text.replace(entry.pandoc, entry.teitools)
            used.add(number)
    return text, used


def test_every_letter_formats_as_pandoc_does(pairs: list[Pair]) -> None:
    known = _known()
    unexplained = []
    for pair in pairs:
        explained, _ = _explain(pair, known)
        if explained != pair.teitools:
            unexplained.append(
                f"{pair.key} {pair.style} {pair.form}:\n"
                f"  teitools: {pair.teitools}\n  pandoc:   {pair.pandoc}"
            )
    assert not unexplained, "differences not in known-differences.toml:\n" + "\n".join(unexplained)
    assert len(pairs) == 8 * len(STYLES) * 2


def test_known_differences_are_not_stale(pairs: list[Pair]) -> None:
    known = _known()
    used: set[int] = set()
    for pair in pairs:
        used |= _explain(pair, known)[1]
    stale = [
        f"{k.style} {k.form}: {k.teitools!r} / {k.pandoc!r}"
        for number, k in enumerate(known)
        if number not in used
    ]
    assert not stale, "known differences that no longer occur (remove them):\n" + "\n".join(stale)


def test_known_differences_each_give_a_reason() -> None:
    for entry in _known():
        assert entry.style in STYLES
        assert entry.form in {"note", "bibliography"}
        assert entry.teitools != entry.pandoc
        assert len(entry.reason) > 40
