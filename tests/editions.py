"""Building small editions for tests: the bundled registers plus letters written here."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import EDITION

LETTER = """<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="{id}" xml:lang="en">
  <teiHeader>
    <fileDesc>
      <titleStmt><title>{title}</title></titleStmt>
      <publicationStmt><publisher>teitools</publisher></publicationStmt>
      <sourceDesc>
        <bibl type="transcription" corresp="#corin-article">Chris Corin</bibl>
      </sourceDesc>
    </fileDesc>
    <profileDesc>
      <correspDesc>
        <correspAction type="sent">{sent}</correspAction>
        <correspAction type="received">{received}</correspAction>
      </correspDesc>
    </profileDesc>
  </teiHeader>
  <text>
    <body>
      <div type="letter">{body}</div>
    </body>
  </text>
</TEI>
"""


def make_edition(folder: Path, letters: dict[str, dict[str, str]], *, settings: str | None = None) -> Path:
    """An edition in ``folder``: the bundled registers (and settings, unless ``settings``
    replaces them), and one file per entry of ``letters`` (id -> template fields)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("persons.xml", "places.xml", "sources.xml"):
        shutil.copy(EDITION / name, folder / name)
    toml = settings if settings is not None else (EDITION / "teitools.toml").read_text("utf-8")
    toml = toml.replace('"../schemas/', f'"{EDITION.parent}/schemas/')
    (folder / "teitools.toml").write_text(toml, encoding="utf-8")
    (folder / "letters").mkdir(exist_ok=True)
    for letter_id, fields in letters.items():
        values = {
            "title": "A test letter",
            "sent": "",
            "received": "",
            "body": "<p/>",
            **fields,
            "id": letter_id,
        }
        (folder / "letters" / f"{letter_id}.xml").write_text(LETTER.format(**values), "utf-8")
    return folder


def copy_edition(folder: Path) -> Path:
    """A copy of the bundled edition in ``folder``, its settings pointing at the project's
    schemas (the bundled ``teitools.toml`` names them relative to itself)."""
    shutil.copytree(EDITION, folder, ignore=shutil.ignore_patterns("teitools.toml"))
    toml = (EDITION / "teitools.toml").read_text("utf-8")
    (folder / "teitools.toml").write_text(
        toml.replace('"../schemas/', f'"{EDITION.parent}/schemas/'), encoding="utf-8"
    )
    return folder
