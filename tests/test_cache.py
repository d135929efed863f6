"""The result cache: an unchanged file is not validated again; any change to an input is seen."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import teitools
from teitools.cli import main
from teitools.diagnostics import Report
from teitools.load.parser import load
from teitools.load.record import FileRecord
from teitools.validation import cache, runner
from teitools.validation.corpus import gather_facts
from teitools.validation.runner import ValidateOptions, validate
from tests.helpers import EDITION, FIXTURES, ROOT, copy_edition

LETTER_NAME = "stalin-kaganovich-1933.xml"
ALL_FIXTURES = sorted(FIXTURES.rglob("*.xml"))


@pytest.fixture
def edition(tmp_path: Path) -> Path:
    """A copy of the bundled edition to change."""
    return copy_edition(tmp_path / "tei")


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files the per-file layers actually run on, in order."""
    seen: list[Path] = []
    original = runner.check_file

    def counting(record: FileRecord, schemas: runner._SchemaSet) -> runner._FileResult:
        seen.append(record.path)
        return original(record, schemas)

    monkeypatch.setattr(runner, "check_file", counting)
    return seen


def run(paths: list[Path], cache_dir: Path, **options: Any) -> Report:
    return validate(paths, ValidateOptions(cache_dir=cache_dir, **options))


def test_an_unchanged_corpus_is_not_validated_again(
    edition: Path, tmp_path: Path, checked: list[Path]
) -> None:
    first = run([edition], tmp_path / "cache")
    assert len(checked) == 11
    checked.clear()
    second = run([edition], tmp_path / "cache")
    assert checked == []
    assert second == first


def test_a_changed_letter_alone_is_validated_again(
    edition: Path, tmp_path: Path, checked: list[Path]
) -> None:
    run([edition], tmp_path / "cache")
    letter = edition / "letters" / LETTER_NAME
    letter.write_text(letter.read_text(encoding="utf-8").replace("very bad", "bad"), encoding="utf-8")
    checked.clear()
    run([edition], tmp_path / "cache")
    assert checked == [letter]


def _change_schema(edition: Path, tmp_path: Path) -> dict[str, object]:
    schema = tmp_path / "teitools.sch"
    schema.write_bytes((ROOT / "schemas" / "teitools.sch").read_bytes())
    return {"schemas": (schema,)}


@pytest.mark.parametrize("change", ["letter bytes", "schema bytes", "register bytes", "teitools code"])
def test_a_change_to_any_input_invalidates_the_entry(
    change: str,
    edition: Path,
    tmp_path: Path,
    checked: list[Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    letter = edition / "letters" / LETTER_NAME
    schema = tmp_path / "own.sch"
    schema.write_bytes((ROOT / "schemas" / "teitools.sch").read_bytes())
    options = {"schemas": (schema,)}
    run([letter], tmp_path / "cache", **options)
    run([letter], tmp_path / "cache", **options)
    assert checked == [letter], "the second run must come from the cache"
    edits: dict[str, Callable[[], object]] = {
        "letter bytes": lambda: letter.write_bytes(letter.read_bytes() + b"\n"),
        "schema bytes": lambda: schema.write_bytes(schema.read_bytes() + b"\n"),
        "register bytes": lambda: (edition / "persons.xml").write_bytes(
            (edition / "persons.xml").read_bytes() + b"\n"
        ),
        "teitools code": lambda: monkeypatch.setattr(cache, "code_digest", lambda: b"edited"),
    }
    edits[change]()
    run([letter], tmp_path / "cache", **options)
    assert checked == [letter, letter]


def test_explicit_registers_are_part_of_the_key(tmp_path: Path, checked: list[Path]) -> None:
    fixture = FIXTURES / "valid" / "minimal-letter.xml"
    registers = tuple(shutil.copy(p, tmp_path) for p in EDITION.glob("*.xml"))
    register_paths = tuple(Path(p) for p in registers)
    run([fixture], tmp_path / "cache", registers=register_paths)
    run([fixture], tmp_path / "cache", registers=register_paths)
    assert checked == [fixture]
    register_paths[0].write_bytes(register_paths[0].read_bytes() + b"\n")
    run([fixture], tmp_path / "cache", registers=register_paths)
    assert checked == [fixture, fixture]


def test_cached_results_equal_fresh_ones_for_every_fixture(tmp_path: Path) -> None:
    registers = tuple(EDITION.glob("*.xml"))
    for fixture in ALL_FIXTURES:
        fresh = validate([fixture], ValidateOptions(registers=registers))
        run([fixture], tmp_path / "cache", registers=registers)
        cached = run([fixture], tmp_path / "cache", registers=registers)
        assert cached == fresh, fixture.name
        assert [d.xpath for d in cached.diagnostics] == [d.xpath for d in fresh.diagnostics]


@pytest.mark.parametrize("path", [*sorted(EDITION.rglob("*.xml")), *ALL_FIXTURES[:5]], ids=lambda p: p.name)
def test_cached_facts_equal_fresh_facts(path: Path) -> None:
    try:
        facts = gather_facts(load(path), path)
    except teitools.TeiToolsError:
        pytest.skip("not readable XML: no facts")
    stored = json.loads(json.dumps(cache._encode(((), facts))))
    assert cache._decode(stored, str(path)) == ((), facts)


def test_the_cache_folder_ignores_itself_in_git(edition: Path, tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    run([edition], tmp_path / ".teitools-cache")
    assert (tmp_path / ".teitools-cache" / ".gitignore").read_text(encoding="utf-8").endswith("*\n")
    assert (tmp_path / ".teitools-cache" / "CACHEDIR.TAG").is_file()
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert ".teitools-cache" not in status and "tei/" in status


@pytest.mark.parametrize("damage", ['{"diagnostics": [[1]]', '{"files": 1}', "", "[]"])
def test_a_damaged_entry_is_a_miss(damage: str, edition: Path, tmp_path: Path, checked: list[Path]) -> None:
    letter = edition / "letters" / LETTER_NAME
    first = run([letter], tmp_path / "cache")
    entries = list((tmp_path / "cache").rglob("*.json"))
    assert len(entries) == 3  # the file's, its status in the index and the run's
    for entry in entries:
        entry.write_text(damage, encoding="utf-8")
    assert run([letter], tmp_path / "cache") == first
    assert checked == [letter, letter]


def test_a_cache_that_cannot_be_written_is_left_alone(edition: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    assert run([edition], blocker).diagnostics == ()


def test_cross_file_checks_run_on_cached_files(edition: Path, tmp_path: Path) -> None:
    """A register losing an entry is seen in an unchanged letter, from the cache or not."""
    run([edition], tmp_path / "cache")
    persons = edition / "persons.xml"
    persons.write_text(
        persons.read_text(encoding="utf-8").replace('xml:id="ordzhonikidze"', 'xml:id="sergo"'),
        encoding="utf-8",
    )
    report = run([edition / "letters" / LETTER_NAME], tmp_path / "cache")
    assert {d.rule for d in report.diagnostics} == {"ref-unresolved"}


def test_a_parallel_run_fills_the_cache_for_any_run(
    edition: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = validate([edition])
    assert run([edition], tmp_path / "cache", jobs=2) == fresh
    shutil.rmtree(tmp_path / "cache" / f"v{cache.ENTRY_FORMAT}" / "runs")

    def must_not_run(record: FileRecord, schemas: runner._SchemaSet) -> runner._FileResult:
        raise AssertionError(f"{record.path} was validated again")

    monkeypatch.setattr(runner, "check_file", must_not_run)
    assert run([edition], tmp_path / "cache") == fresh


def test_after_one_change_only_that_file_is_validated_and_the_report_is_complete(
    edition: Path, tmp_path: Path, checked: list[Path]
) -> None:
    run([edition], tmp_path / "cache")
    letter = edition / "letters" / LETTER_NAME
    letter.write_text(
        letter.read_text(encoding="utf-8")
        .replace('rend="italic"', 'rend="loud"')
        .replace("very bad", '<hi rend="loud">very</hi> bad'),
        encoding="utf-8",
    )
    other = edition / "letters" / "stalin-kaganovich-1930.xml"
    other.write_text(
        other.read_text(encoding="utf-8").replace('"#kaganovich"', '"#kaganovitch"'), encoding="utf-8"
    )
    checked.clear()
    report = run([edition], tmp_path / "cache")
    assert sorted(checked) == sorted([letter, other])
    assert report == validate([edition])
    assert {d.rule for d in report.diagnostics} == {"hi-rend", "ref-unresolved"}


def test_cli_caches_by_default_and_no_cache_skips_it(
    edition: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TEITOOLS_CACHE_DIR")
    user_cache = tmp_path / "teitools-cache" / "home" / "teitools"  # XDG_CACHE_HOME, set for every test
    assert main(["validate", "--no-cache", str(edition)]) == 0
    assert not (user_cache / "repos").exists()
    assert main(["validate", str(edition)]) == 0
    # Outside the working tree, in the user's cache folder, one folder per repository.
    (folder,) = (user_cache / "repos").iterdir()
    assert _entries(folder) == 11 + 1  # files (in the pack), run
    assert not (tmp_path / ".teitools-cache").exists()
    assert main(["validate", "--cache-dir", "elsewhere", str(edition)]) == 0
    assert _entries(tmp_path / "elsewhere") == 11 + 1
    capsys.readouterr()


def _entries(folder: Path) -> int:
    """How many results a cache folder holds: the pack's entries and the runs' reports."""
    entries = folder / f"v{cache.ENTRY_FORMAT}"
    packed = sum(
        len(json.loads(part.read_bytes().partition(b"\n")[2]))
        for part in entries.glob(cache.PACK_FILES.format("*"))
    )
    return packed + len(list((entries / "runs").glob("*.json")))


@pytest.fixture
def indexed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files indexed however recently they changed: a test's files are a second old."""
    monkeypatch.setattr(cache, "RACY_NANOSECONDS", 0)


def test_a_rerun_reads_no_unchanged_letter(
    indexed: None, edition: Path, tmp_path: Path, read: list[Path]
) -> None:
    first = run([edition], tmp_path / "cache")
    assert len([path for path in read if path.parent.name == "letters"]) == 8
    read.clear()
    assert run([edition], tmp_path / "cache") == first
    assert read == []  # not even the registers: they are inputs too


def _same_size_and_times(letter: Path, old: str, new: str) -> None:
    """Edit ``letter`` as a tool that keeps the size and sets the modification time back would."""
    assert len(old) == len(new)
    status = letter.stat()
    letter.write_text(letter.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    os.utime(letter, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert letter.stat().st_size == status.st_size


def test_an_edit_that_keeps_the_size_and_the_modification_time_is_seen(
    indexed: None, edition: Path, tmp_path: Path
) -> None:
    assert run([edition], tmp_path / "cache").diagnostics == ()
    letter = edition / "letters" / LETTER_NAME
    _same_size_and_times(letter, 'ref="#stalin"', 'ref="#stalix"')
    assert {d.rule for d in run([edition], tmp_path / "cache").diagnostics} == {"ref-unresolved"}


def test_an_index_that_does_not_authenticate_is_not_trusted(
    indexed: None, edition: Path, tmp_path: Path
) -> None:
    """An index planted in the cache folder, saying that a changed letter is the old one, is
    not believed: the letter is read and its mistake found."""
    assert run([edition], tmp_path / "cache").diagnostics == ()
    letter = edition / "letters" / LETTER_NAME
    letter.write_text(letter.read_text(encoding="utf-8").replace('ref="#stalin"', 'ref="#nobody"'), "utf-8")
    index = tmp_path / "cache" / f"v{cache.ENTRY_FORMAT}" / cache.INDEX_FILES.format(cache._part(str(letter)))
    seal, _, payload = index.read_bytes().partition(b"\n")
    entries = json.loads(payload)
    status = letter.stat()
    now = [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev]
    entries[str(letter)][:5] = now
    index.write_bytes(seal + b"\n" + json.dumps(entries).encode("ascii"))
    assert {d.rule for d in run([edition], tmp_path / "cache").diagnostics} == {"ref-unresolved"}


def test_a_buffer_given_for_an_indexed_file_is_checked_as_given(
    indexed: None, edition: Path, tmp_path: Path
) -> None:
    """Bytes the caller gives (an editor's unsaved buffer) are checked, not the file on disk
    that the index knows."""
    letter = edition / "letters" / LETTER_NAME
    assert run([letter], tmp_path / "cache").diagnostics == ()
    changed = letter.read_bytes().replace(b'ref="#stalin"', b'ref="#nobody"')
    report = run([letter], tmp_path / "cache", given=(FileRecord(letter, changed),))
    assert {d.rule for d in report.diagnostics} == {"ref-unresolved"}
