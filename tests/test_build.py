"""``teitools build``: validate, then publish the site and every export; refuse on errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from teitools.cli import main
from teitools.export.registry import EXPORTERS
from tests.helpers import EDITION, ROOT, copy_edition


@pytest.fixture
def broken_edition(tmp_path: Path) -> Path:
    """The edition with one pointer that resolves nowhere (a validation error)."""
    copy = copy_edition(tmp_path / "tei")
    letter = copy / "letters" / "stalin-kaganovich-1935-08-22.xml"
    source = letter.read_text(encoding="utf-8")
    letter.write_text(source.replace('ref="#kleiner"', 'ref="#kleinerr"'), encoding="utf-8")
    return copy


def test_build_writes_the_site_and_every_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "build"
    assert main(["build", "-o", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(["site", *EXPORTERS])
    assert (out / "site" / "index.html").is_file()
    assert (out / "text" / "stalin-kaganovich-1935-08-22.txt").is_file()
    assert (out / "html" / "teitools.css").is_file()
    captured = capsys.readouterr()
    assert captured.out == ""
    # The live tei/ grows: its counts are not fixed here (the fixture edition's are, below).
    lines = captured.err.splitlines()
    assert lines[0] == "teitools build: validating tei"
    assert re.fullmatch(r"teitools build: \d+ files checked: no problems", lines[1])
    assert re.fullmatch(
        rf"teitools build: wrote the site \(\d+ files\) to {re.escape(str(out / 'site'))}", lines[2]
    )


def test_build_of_the_fixture_edition_reports_its_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "build"
    assert main(["build", str(EDITION), "-o", str(out)]) == 0
    assert capsys.readouterr().err.splitlines()[1:3] == [
        "teitools build: 11 files checked: no problems",
        f"teitools build: wrote the site (52 files) to {out / 'site'}",
    ]


def test_build_refuses_to_publish_when_validation_fails(
    broken_edition: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "build"
    assert main(["build", str(broken_edition), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "stalin-kaganovich-1935-08-22.xml:" in err and "kleinerr" in err
    assert "nothing was published (fix the errors, or give --force to publish anyway)" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_force_publishes_and_says_what_it_skipped(
    broken_edition: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "build"
    assert main(["build", str(broken_edition), "-o", str(out), "--force"]) == 0
    err = capsys.readouterr().err
    assert "--force: publishing despite 1 validation error in 1 file (listed above)" in err
    page = (out / "site" / "letters" / "stalin-kaganovich-1935-08-22.html").read_text(encoding="utf-8")
    assert "Send Kleiner to the" in page
    assert "#kleinerr" not in page  # the broken pointer is not a link
