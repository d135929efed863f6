"""The bundled edition (``tei/``, growing) and the frozen fixture edition the golden tests read
are valid: against the project's schemas, and against the official tei_all."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from teitools import validate
from teitools.load.parser import load
from teitools.model.tei import read_edition
from tests.helpers import EDITION, FIXTURES, LIVE_EDITION, reference_file, run_cli

EDITIONS = pytest.mark.parametrize("folder", [LIVE_EDITION, EDITION], ids=["tei", "fixture-edition"])
EDITION_FILES = sorted(LIVE_EDITION.rglob("*.xml")) + sorted(EDITION.rglob("*.xml"))
VALID_FIXTURES = sorted((FIXTURES / "valid").glob("*.xml"))
#: The fixture edition is frozen at the eight letters its expected outputs describe.
FIXTURE_LETTERS = 8


def test_the_fixture_edition_has_the_eight_letters_and_three_registers() -> None:
    assert len(sorted((EDITION / "letters").glob("*.xml"))) == FIXTURE_LETTERS
    for register in ("persons.xml", "places.xml", "sources.xml"):
        assert (EDITION / register).is_file()


@EDITIONS
def test_edition_validates_clean(folder: Path) -> None:
    report = validate([folder])
    assert report.diagnostics == ()
    assert len(report.files) == len(sorted(folder.rglob("*.xml")))


def test_teitools_validate_tei_exits_0_from_the_project_root() -> None:
    # The command CONTRIBUTING.md tells an encoder to run, over whatever tei/ now holds.
    result = run_cli("validate", "tei")
    assert (result.code, result.err) == (0, ""), result.out
    assert result.out.endswith(": no problems\n")


@EDITIONS
def test_every_letter_points_at_the_article_and_its_volume(folder: Path) -> None:
    edition = read_edition([folder / "letters"])
    for letter in edition.letters:
        refs = {s.role: s.ref for s in letter.sources}
        assert refs["transcription"] == "corin-article", letter.id
        assert refs["edition"] in {"lih-1995", "davies-2003"}, letter.id
        assert refs["edition"] in edition.sources


@pytest.mark.slow
@pytest.mark.parametrize(
    "path", EDITION_FILES + VALID_FIXTURES, ids=lambda p: str(p.relative_to(FIXTURES.parents[1]))
)
def test_valid_against_tei_all_with_lxml(path: Path, tei_all_relaxng: etree.RelaxNG) -> None:
    """The project's schema is a subset of TEI: what it accepts, tei_all accepts."""
    assert tei_all_relaxng.validate(load(path)), str(tei_all_relaxng.error_log)


@pytest.mark.slow
def test_valid_against_tei_all_with_jing() -> None:
    jing = shutil.which("jing")
    if jing is None:
        pytest.skip("jing is not installed (Debian package jing; .ci/run installs it)")
    schema = reference_file("tei", "tei_all_4.9.0.rng")
    files = [str(p) for p in EDITION_FILES + VALID_FIXTURES]
    result = subprocess.run([jing, str(schema), *files], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout
