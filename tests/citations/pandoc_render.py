"""Render CSL-JSON items with pandoc's citeproc, as teitools renders them with citeproc-py."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

PANDOC = shutil.which("pandoc")
#: A Lua filter that heads each bibliography entry with its key, to split a run of many items.
ENTRY_KEYS = Path(__file__).resolve().parent / "entry_keys.lua"
_MARKER = "@@entry "


def pandoc_render(
    items: list[dict[str, object]], csl: Path, *, note_class: bool, locator: str | None = None
) -> list[tuple[str, str]]:
    """Each item's (citation, bibliography entry) as pandoc prints them in plain text ("" for an
    item the style gives no entry), from one run with one document citing each item in turn:
    pandoc takes seconds to read a large style such as Chicago's, milliseconds to format.

    In one document a style may print an item for another's sake (a year suffix, an author
    replaced by a dash): render those styles one item at a time."""
    assert PANDOC is not None
    cites = [f"[@{item['id']}, {locator}]" if locator else f"[@{item['id']}]" for item in items]
    if note_class:
        body = "".join(f"Text.[^{n}]\n\n[^{n}]: {cite}\n\n" for n, cite in enumerate(cites, 1))
    else:
        body = "".join(f"{cite}\n\n" for cite in cites)
    with tempfile.TemporaryDirectory() as folder:
        bibliography = Path(folder) / "items.json"
        bibliography.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        result = subprocess.run(
            [
                PANDOC,
                "--citeproc",  # before the filter, which reads the entries it makes
                "--lua-filter",
                str(ENTRY_KEYS),
                "--bibliography",
                str(bibliography),
                "--csl",
                str(csl),
                "-f",
                "markdown",
                "-t",
                "plain",
                "--wrap=none",
            ],
            input=body,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
    blocks = [b.strip() for b in result.stdout.strip().split("\n\n")]
    entries = {
        block.removeprefix(_MARKER): following
        for block, following in itertools.pairwise(blocks)
        if block.startswith(_MARKER)
    }
    if note_class:
        # "Text.[1]" and so on, the bibliography entries, then "[1] the note" and so on.
        notes = blocks[-len(items) :]
        for number, note in enumerate(notes, 1):
            assert note.startswith(f"[{number}] "), (number, result.stdout)
        citations = [note.removeprefix(f"[{number}] ") for number, note in enumerate(notes, 1)]
    else:
        citations = blocks[: len(items)]
    return [
        (citation, entries.get(str(item["id"]), "")) for item, citation in zip(items, citations, strict=True)
    ]
