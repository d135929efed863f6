"""What the tests share: where things are, running the command line in-process, small editions.

Tests that compare with golden files or count letters read :data:`EDITION`, a frozen copy of
``tei/`` as it was when the expected outputs were written, so that adding a letter to ``tei/``
changes no expected output. Only the checks that every bundled letter is valid and builds read
:data:`LIVE_EDITION`.

A command whose process is the point (signals, start-up, memory limits, the wheel) runs in a
subprocess through ``tests/xml_commands.py`` or ``tests/teitools_harness.py``; everything else
runs through :func:`run_cli`.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import html5lib
import pytest
from click.testing import CliRunner

from teitools.cli import main
from teitools.load.parser import TEI_NS
from teitools.model.tei import read_edition
from teitools.model.types import Edition, Letter
from teitools.site.builder import build_site

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
EXPECTED = ROOT / "tests" / "expected"
#: The frozen fixture edition: what golden files, counts and expected ids describe.
EDITION = FIXTURES / "edition"
#: The bundled edition, which grows as letters are encoded.
LIVE_EDITION = ROOT / "tei"
#: Third-party standards the tests check against, read where they lie, never copied.
SHARED = ROOT.parent / "shared"
REFERENCE = SHARED / "reference"


class Run(NamedTuple):
    """One run of the command line: exit code, standard output, standard error."""

    code: int
    out: str
    err: str


def run_cli(
    *args: str | Path, cwd: Path = ROOT, env: Mapping[str, str | None] | None = None, stdin: str | None = None
) -> Run:
    """Run ``teitools ARGS`` in this process from ``cwd``, through :func:`teitools.cli.main`
    (so its exit codes and error messages are the user's), with ``env`` changes (None unsets)
    and ``stdin`` as standard input.

    Output is captured by click's test runner, separately for stdout and stderr, neither a
    terminal (so no colour and no progress bar).
    """
    runner = CliRunner()
    with contextlib.chdir(cwd), runner.isolation(input=stdin, env=dict(env or {})) as streams:
        code = main([str(a) for a in args])
    # click 8.1 gives (stdout, stderr), later versions add the two interleaved.
    out, err = streams[0], streams[1]
    return Run(code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8"))


def reference_file(*parts: str) -> Path:
    """A file of ../shared/reference; the calling test is skipped when it is absent."""
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference file {path} is absent (../shared is not beside the checkout)")
    return path


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


def _settings_here(toml: str) -> str:
    # A settings file may name schemas relative to itself; a copy elsewhere points at the project's.
    return toml.replace('"../schemas/', f'"{ROOT}/schemas/')


def make_edition(folder: Path, letters: dict[str, dict[str, str]], *, settings: str | None = None) -> Path:
    """An edition in ``folder``: the fixture edition's registers (and settings, unless
    ``settings`` replaces them), and one file per entry of ``letters`` (id -> template fields)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("persons.xml", "places.xml", "sources.xml"):
        shutil.copy(EDITION / name, folder / name)
    toml = settings if settings is not None else (EDITION / "teitools.toml").read_text("utf-8")
    (folder / "teitools.toml").write_text(_settings_here(toml), encoding="utf-8")
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


def copy_edition(folder: Path, source: Path = EDITION) -> Path:
    """A copy of ``source`` (the fixture edition unless named) in ``folder``, settings included."""
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("teitools.toml"))
    toml = (source / "teitools.toml").read_text("utf-8")
    (folder / "teitools.toml").write_text(_settings_here(toml), encoding="utf-8")
    return folder


#: The fixture edition's letter ids in date order (as every listing and export orders them).
CHRONOLOGICAL = [
    "stalin-molotov-1926-06-25",
    "stalin-kaganovich-1930",
    "stalin-kaganovich-1932-07",
    "stalin-kaganovich-1933",
    "kaganovich-stalin-1934-08-28",
    "stalin-kaganovich-1934-09-13",
    "stalin-kaganovich-1935-08-22",
    "stalin-kaganovich-1936-08-23",
]


def letter_ids(edition: Path = EDITION) -> list[str]:
    """The ids of an edition's letters, from their file names (a validation rule keeps the two
    equal), for parametrising tests without reading the edition at import time."""
    return sorted(path.stem for path in (edition / "letters").glob("*.xml"))


@functools.cache
def fixture_edition() -> Edition:
    """The fixture edition, read on first use and then shared (the model is immutable)."""
    return read_edition([EDITION])


def fixture_letter(letter_id: str) -> Letter:
    """One letter of the fixture edition."""
    return next(letter for letter in fixture_edition().letters if letter.id == letter_id)


@functools.cache
def fixture_site() -> Mapping[str, str]:
    """The fixture edition's site (page name -> content), built on first use, read-only."""
    return MappingProxyType(build_site(fixture_edition()))


def edition_from(tmp_path: Path, body: str, header_extra: str = "") -> tuple[Edition, Letter]:
    """A one-letter edition whose letter div holds ``body``."""
    source = f"""<TEI xmlns="{TEI_NS}" xml:id="t-1"><teiHeader><fileDesc><titleStmt><title>T</title>
    </titleStmt></fileDesc><profileDesc><correspDesc>
    <correspAction type="sent"><persName>Ann</persName><date when="1900-01-02"/></correspAction>
    <correspAction type="received"><persName>Bob</persName></correspAction>{header_extra}
    </correspDesc></profileDesc></teiHeader><text><body><div type="letter">{body}</div></body>
    </text></TEI>"""
    path = tmp_path / "t-1.xml"
    path.write_text(source, encoding="utf-8")
    edition = read_edition([path], registers=[])
    return edition, edition.letters[0]


def assert_valid_html(document: str) -> None:
    """Parse with html5lib in strict mode: any parse error fails."""
    parser = html5lib.HTMLParser(strict=True)
    parser.parse(document)
    assert not parser.errors


def planted_corpus(
    folder: Path, letters: int, seed: int, planted: Iterable[tuple[int, str, str]], *, count: int = -1
) -> list[Path]:
    """A ``benchmarks.corpus`` edition of ``letters`` letters with every rule set chosen (so
    that every layer runs), each ``(letter index, old, new)`` replaced in its letter (``count``
    times; -1: everywhere); its letters in order."""
    from benchmarks.corpus import write_corpus  # noqa: PLC0415 -- only these tests need it
    from teitools.load.settings import RULE_SETS  # noqa: PLC0415

    files = write_corpus(folder, letters, seed=seed)
    (folder / "teitools.toml").write_text(f"rules = {list(RULE_SETS)!r}\n".replace("'", '"'), "utf-8")
    ordered = sorted(path for path in files if path.parent.name == "letters")
    for index, old, new in planted:
        text = ordered[index].read_text("utf-8")
        assert old in text, (ordered[index], old)
        ordered[index].write_text(text.replace(old, new, count), "utf-8")
    return ordered
