"""``teitools build``: validate, then publish the site and every export; refuse on errors."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from teitools import build as build_module
from teitools.build import MANIFEST, NOT_BUILT
from teitools.cli import main
from teitools.export.registry import EXPORTERS
from teitools.site import builder
from tests.helpers import EDITION, ROOT, copy_edition, run_cli


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
    built = {name for name in EXPORTERS if name not in NOT_BUILT}
    assert sorted(p.name for p in out.iterdir()) == sorted([MANIFEST, "site", *built])
    assert (out / "site" / "index.html").is_file()
    assert (out / "text" / "stalin-kaganovich-1935-08-22.txt").is_file()
    # The per-letter html pages link to register pages only the site has: the site's are built.
    assert not (out / "html").exists()
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
        f"teitools build: wrote the site (53 files) to {out / 'site'}",
    ]


def test_build_refuses_to_publish_when_validation_fails(
    broken_edition: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "build"
    assert main(["build", str(broken_edition), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "stalin-kaganovich-1935-08-22.xml:" in err and "kleinerr" in err
    assert "nothing was published (fix the errors, or give --force to publish anyway)" in err
    assert err.count("1 file checked") + err.count("files checked") == 1, err  # the summary once
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


def test_a_build_removes_only_the_files_the_previous_build_wrote(tmp_path: Path) -> None:
    edition = copy_edition(tmp_path / "tei")
    out = tmp_path / "build"
    assert run_cli("build", edition, "-o", out).code == 0
    page = out / "site" / "letters" / "stalin-kaganovich-1935-08-22.html"
    text = out / "text" / "stalin-kaganovich-1935-08-22.txt"
    assert page.is_file() and text.is_file()
    mine = out / "site" / "CNAME"
    mine.write_text("letters.example.org\n", encoding="utf-8")
    (edition / "letters" / "stalin-kaganovich-1935-08-22.xml").unlink()
    done = run_cli("build", edition, "-o", out)
    assert done.code == 0, done.err
    assert not page.exists() and not text.exists()  # a deleted letter is not deployed again
    assert (
        "removed 6 files the previous build wrote and this one did not" in done.err
    )  # page, its TEI download, cite json, text…
    assert mine.read_text(encoding="utf-8") == "letters.example.org\n"  # never written by a build: kept
    listed = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert "site/index.html" in listed and "site/CNAME" not in listed
    assert not any("1935-08-22" in name for name in listed)


def test_a_build_lists_what_it_writes_before_writing_it(tmp_path: Path) -> None:
    """A file listed by no build is never removed, even one named like a build's output."""
    out = tmp_path / "build"
    (out / "text").mkdir(parents=True)
    stray = out / "text" / "old-letter.txt"
    stray.write_text("kept\n", encoding="utf-8")
    assert run_cli("build", EDITION, "-o", out).code == 0
    assert stray.read_text(encoding="utf-8") == "kept\n"


def test_the_site_is_written_as_it_is_made_and_an_interruption_leaves_the_previous_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No build holds the whole site in memory: each file is on disk (under its temporary
    name) before the next is made. Stopped half-way, the build leaves the previous site and its
    list as they were, and no temporary file."""
    edition, out, fresh = copy_edition(tmp_path / "tei"), tmp_path / "build", tmp_path / "fresh"
    assert run_cli("build", edition, "-o", out).code == 0
    previous = _files(out)
    settings = edition / "teitools.toml"  # a new title: the pages change
    settings.write_text(settings.read_text("utf-8").replace("sample edition", "edition"), "utf-8")
    made = builder.site_files
    on_disk: list[int] = []

    def watched(*args: Any, **kwargs: Any) -> Iterator[tuple[str, str]]:
        for number, file in enumerate(made(*args, **kwargs)):
            on_disk.append(len(list(output.rglob(".*.tmp"))))
            if number == 30:
                raise KeyboardInterrupt
            yield file

    monkeypatch.setattr(build_module, "site_files", watched)
    for output in (fresh, out):
        with pytest.raises(KeyboardInterrupt):
            build_module.build([edition], build_module.BuildOptions(output=output))
    assert on_disk[:31] == list(range(31))  # when the n-th file is made, the n - 1 before are written
    assert _files(fresh) == {}
    assert _files(out) == previous


def _files(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
