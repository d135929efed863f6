"""Every letter and register is read from disk once per run: by ``validate`` (with the cache
or without, in one process or with workers) and by ``teitools build``, which makes the letter
model from the trees validation parsed."""

from __future__ import annotations

import builtins
import io
import multiprocessing
import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from teitools.cli import main
from teitools.load.record import FileRecord
from teitools.validation import cache, runner
from teitools.validation.runner import ValidateOptions, validate
from tests.helpers import copy_edition

Reads = Callable[[Path], Counter[str]]


@pytest.fixture
def edition(tmp_path: Path) -> Path:
    return copy_edition(tmp_path / "tei")


@pytest.fixture
def reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Reads]:
    """How often each ``.xml`` file below a folder was opened for reading, by this process or
    its workers.

    Every open is logged with a write to a descriptor opened here, which forked workers
    inherit, so that their reads are counted too."""
    log = tmp_path / "reads.log"
    descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    original = io.open

    def counting(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if (
            isinstance(file, str | os.PathLike)
            and str(file).endswith(".xml")
            and set(mode).isdisjoint("wax+")
        ):
            os.write(descriptor, os.fsencode(os.path.realpath(file)) + b"\n")
        return original(file, mode, *args, **kwargs)

    monkeypatch.setattr(io, "open", counting)  # what pathlib opens files with
    monkeypatch.setattr(builtins, "open", counting)

    def counted(folder: Path) -> Counter[str]:
        below = os.path.realpath(folder) + os.sep
        return Counter(
            line for line in log.read_text(encoding="utf-8").splitlines() if line.startswith(below)
        )

    yield counted
    os.close(descriptor)


def _each_once(folder: Path) -> Counter[str]:
    return Counter({os.path.realpath(path): 1 for path in folder.rglob("*.xml")})


@pytest.mark.parametrize("cache", [False, True], ids=["no-cache", "cache"])
def test_validate_reads_each_file_once(cache: bool, edition: Path, tmp_path: Path, reads: Reads) -> None:
    options = ValidateOptions(cache_dir=tmp_path / "cache" if cache else None)
    report = validate([edition], options)
    assert report.diagnostics == () and len(report.files) == 11
    assert reads(edition) == _each_once(edition)


def test_a_run_from_the_cache_reads_each_file_once(edition: Path, tmp_path: Path, reads: Reads) -> None:
    options = ValidateOptions(cache_dir=tmp_path / "cache")
    first = validate([edition], options)
    letter = edition / "letters" / "stalin-kaganovich-1933.xml"
    letter.write_bytes(letter.read_bytes() + b"\n")  # one miss among hits
    before = reads(edition)
    assert validate([edition], options) == first
    assert reads(edition) - before == _each_once(edition)


def test_letters_alone_read_the_registers_once(edition: Path, reads: Reads) -> None:
    """The registers are read for the cross-file checks once per run, not once per letter."""
    assert validate([edition / "letters"]).diagnostics == ()
    assert reads(edition) == _each_once(edition)


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="counts workers' reads by fork")
def test_workers_are_sent_the_bytes_instead_of_reading_again(edition: Path, reads: Reads) -> None:
    assert validate([edition], ValidateOptions(jobs=2)) == validate([edition])
    assert reads(edition) == _each_once(edition) + _each_once(edition)  # once per run


def test_build_reads_each_file_once(
    edition: Path, tmp_path: Path, reads: Reads, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "build"
    assert main(["build", str(edition), "-o", str(out)]) == 0
    capsys.readouterr()
    assert len(list((out / "text").glob("*.txt"))) == 8
    assert reads(edition) == _each_once(edition)


@pytest.mark.parametrize("options", [ValidateOptions(jobs=2), ValidateOptions(cache_dir=Path("unused"))])
def test_trees_are_handed_on_only_from_a_run_that_parses_every_file_here(
    options: ValidateOptions, edition: Path
) -> None:
    with pytest.raises(ValueError, match="needs jobs=1 and no cache_dir"):
        validate([edition], options, parsed=lambda record, is_input: None)


def test_past_the_early_bytes_budget_files_are_read_again_with_the_same_results(
    edition: Path, tmp_path: Path, reads: Reads, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory stays flat on a large edition: bytes read for the cache key are kept only up to
    a budget, and the rest is read again for the check, with the same findings."""
    expected = validate([edition])
    _seen_without_results(edition, tmp_path / "cache")
    monkeypatch.setattr(runner, "EARLY_BYTES", 0)
    before = reads(edition)
    assert validate([edition], ValidateOptions(cache_dir=tmp_path / "cache")) == expected
    read = reads(edition) - before
    letters = {os.path.realpath(path) for path in (edition / "letters").glob("*.xml")}
    assert {path: read[path] for path in letters} == dict.fromkeys(letters, 2)


def test_a_file_changed_between_key_and_check_is_not_cached_under_the_old_key(
    edition: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "EARLY_BYTES", 0)
    letter = edition / "letters" / "stalin-kaganovich-1933.xml"
    valid = letter.read_bytes()
    broken = valid.replace(b"</TEI>", b"")
    original = runner._Records.take

    def take_after_an_edit(records: runner._Records, path: Path) -> FileRecord:
        if path == letter:
            letter.write_bytes(broken)  # edited after the cache key was made from the valid bytes
        return original(records, path)

    options = ValidateOptions(cache_dir=tmp_path / "cache")
    _seen_without_results(edition, tmp_path / "cache")
    with monkeypatch.context() as patch:
        patch.setattr(runner._Records, "take", take_after_an_edit)
        assert [d.rule for d in validate([edition], options).diagnostics] == ["xml-syntax"]
    letter.write_bytes(valid)
    assert validate([edition], options).diagnostics == (), "the broken result was stored for the valid bytes"


def _seen_without_results(edition: Path, folder: Path) -> None:
    """A cache whose index has seen every file but which holds no result: a run reads the
    files for their keys before checking them (a file no run saw is read by its check alone)."""
    validate([edition], ValidateOptions(cache_dir=folder))
    entries = folder / f"v{cache.ENTRY_FORMAT}"
    shutil.rmtree(entries / "runs")
    for part in entries.glob(cache.PACK_FILES.format("*")):
        part.unlink()
