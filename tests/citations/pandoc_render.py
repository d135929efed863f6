"""Render one CSL-JSON item with pandoc's citeproc, as teitools renders it with citeproc-py."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

PANDOC = shutil.which("pandoc")


def pandoc_render(
    item: dict[str, object], csl: Path, *, note_class: bool, locator: str | None = None
) -> tuple[str, str]:
    """(citation, bibliography entry) as pandoc prints them in plain text."""
    assert PANDOC is not None
    key = str(item["id"])
    cite = f"[@{key}, {locator}]" if locator else f"[@{key}]"
    body = f"Text.[^1]\n\n[^1]: {cite}\n" if note_class else f"{cite}\n"
    with tempfile.TemporaryDirectory() as folder:
        bibliography = Path(folder) / "items.json"
        bibliography.write_text(json.dumps([item], ensure_ascii=False), encoding="utf-8")
        result = subprocess.run(
            [
                PANDOC,
                "--citeproc",
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
            timeout=60,
        )
    blocks = [b.strip() for b in result.stdout.strip().split("\n\n")]
    if note_class:
        # "Text.[1]", the bibliography entry, then "[1] the note".
        note = next(b for b in blocks if b.startswith("[1] "))
        entry = next(b for b in blocks[1:] if not b.startswith("[1] "))
        return note.removeprefix("[1] "), entry
    return blocks[0], blocks[1]
