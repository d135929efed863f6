"""Nothing is lost: sources are never modified, one bad file never stops the others.

* Every file of ``tei/`` and ``tests/fixtures`` (name, content, mode) is the same after every
  command that reads XML has run on them.
* In a folder of 1,000 letter files where one cannot be read (a broken symbolic link: as
  root, permission bits do not stop a read, and a link whose target is gone is what a
  checkout or a sync really leaves behind), one is binary and one is broken XML, every other
  letter is validated and exported, and the report names exactly those three.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from teitools.cli import main
from teitools.export.base import ExportOptions
from teitools.export.registry import EXPORTERS
from teitools.load.settings import settings_for
from teitools.model.tei import read_edition
from tests.helpers import EDITION, FIXTURES, ROOT, make_edition
from tests.xml_commands import Command, run_batch, run_process, xml_commands

MINIMAL = FIXTURES / "valid" / "minimal-letter.xml"
GOOD_LETTERS = 997


def _fingerprint(*folders: Path) -> dict[str, str]:
    prints = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                content = hashlib.sha256(path.read_bytes()).hexdigest()
                prints[str(path.relative_to(ROOT))] = f"{content} {path.stat().st_mode:o}"
    return prints


def test_sources_are_never_modified_by_any_command(tmp_path: Path) -> None:
    before = _fingerprint(EDITION, FIXTURES)
    letter = next(iter(sorted((EDITION / "letters").glob("*.xml"))))
    commands = [
        *xml_commands(EDITION, tmp_path / "from-tei", letter=letter),
        *xml_commands(FIXTURES, tmp_path / "from-fixtures", letter=FIXTURES / "valid" / "minimal-letter.xml"),
        Command("validate --jobs 2", ("validate", "--jobs", "2", str(EDITION), str(FIXTURES))),
    ]
    results = run_batch(commands, cwd=tmp_path, results=tmp_path / "results.json", limit=120)
    for label, result in results:
        assert "Traceback" not in result.err, label
    assert _fingerprint(EDITION, FIXTURES) == before


def test_the_fingerprint_notices_a_change(tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(EDITION, folder)
    before = _fingerprint_of(folder)
    (folder / "persons.xml").write_bytes((folder / "persons.xml").read_bytes() + b" ")
    assert _fingerprint_of(folder) != before


def _fingerprint_of(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _folder(root: Path, good: int) -> tuple[Path, set[str]]:
    """An edition whose letters/ holds ``good`` good letters and three bad files."""
    letters = make_edition(root, {}) / "letters"
    text = MINIMAL.read_text(encoding="utf-8")
    for number in range(good):
        letter_id = f"stalin-kaganovich-{1000 + number}"
        (letters / f"{letter_id}.xml").write_text(
            text.replace("stalin-kaganovich-1932-07x", letter_id), encoding="utf-8"
        )
    (letters / "unreadable.xml").symlink_to(root / "moved-away.xml")
    (letters / "binary.xml").write_bytes(bytes(range(256)) * 8)
    (letters / "broken.xml").write_text(text.replace("</TEI>", ""), encoding="utf-8")
    assert len(list(letters.iterdir())) == good + 3
    return root, {str(letters / n) for n in ("unreadable.xml", "binary.xml", "broken.xml")}


@pytest.fixture(scope="module")
def thousand(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str]]:
    return _folder(tmp_path_factory.mktemp("thousand"), GOOD_LETTERS)


def test_validation_checks_every_file_and_names_the_three(
    thousand: tuple[Path, set[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, bad = thousand
    assert main(["validate", "--format", "json", str(root / "letters")]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["files"] == 1000
    failing = {d["file"]: d["rule"] for d in report["diagnostics"] if d["severity"] == "error"}
    assert set(failing) == bad
    assert {Path(f).name: rule for f, rule in failing.items()} == {
        "unreadable.xml": "input-unreadable",
        "binary.xml": "input-encoding",
        "broken.xml": "xml-syntax",
    }


def test_every_other_letter_is_exported_in_every_format(tmp_path: Path) -> None:
    """Every registered format, in-process, on 47 good letters and the three bad files (the
    1,000-file folder goes through the test format below: the citation formats take seconds
    per hundred letters)."""
    root, bad = _folder(tmp_path / "fifty", 47)
    edition = read_edition([root / "letters"])
    assert {p.file for p in edition.problems} == bad
    assert len(edition.letters) == 47
    for name, exporter in EXPORTERS.items():
        files = exporter.export(edition, ExportOptions(settings=settings_for([root]))).files
        assert files, name
        if not exporter.single_file:
            assert len(files) >= 47, f"{name} wrote {len(files)} files"


def test_the_writer_goes_on_past_the_three(thousand: tuple[Path, set[str]], tmp_path: Path) -> None:
    root, bad = thousand
    out = tmp_path / "out"
    result = run_process(
        ["export", "test-letters", str(root / "letters"), "-o", str(out)],
        cwd=tmp_path,
        harness=("--test-exporters", "--no-fsync"),
        timeout=120,
    )
    assert result.code == 1
    assert set(re.findall(r"^(\S+?\.xml):\d+:\d+: error: ", result.err, re.MULTILINE)) == bad
    assert len(list(out.glob("*.txt"))) == GOOD_LETTERS


def test_every_writing_command_goes_on_past_the_three(tmp_path: Path) -> None:
    """The same with every real command that writes, on 50 files to keep the suite fast (the
    1,000-file case of each format is the in-process export above)."""
    root, bad = _folder(tmp_path / "fifty", 47)
    out = tmp_path / "out"
    out.mkdir()  # the folder of t.txt: a one-file export does not create it
    commands = [
        Command("export test-single", ("export", "test-single", str(root), "-o", str(out / "t.txt"))),
        *(c for c in xml_commands(root / "letters", out) if c.label not in ("validate", "cite")),
    ]
    for label, result in run_batch(
        commands, cwd=tmp_path, results=tmp_path / "results.json", harness=("--test-exporters",), limit=60
    ):
        said = result.out + result.err
        assert result.code == 1, f"{label}: {result.code}\n{said[-2000:]}"
        named = set(re.findall(r"(\S+?\.xml):\d+:\d+: error: ", said))
        assert bad <= named, f"{label} did not name {bad - named}"
