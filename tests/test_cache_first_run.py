"""A first run with an empty cache checks each file as ``--no-cache`` does, reading it once,
where it is checked; the first run and the re-run report what ``--no-cache`` reports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.corpus import write_corpus
from teitools.load.record import FileRecord
from teitools.validation import runner
from teitools.validation.runner import ValidateOptions, validate
from tests.conftest import RunCli
from tests.helpers import planted_corpus

#: Enough letters that ``--jobs 2`` starts workers (see peers.FILES_PER_WORKER).
LETTERS = 60

#: Mistakes of several layers, planted in the n-th letter: (n, text replaced, replacement).
PLANTED = (
    (3, 'rend="italic"', 'rend="cursive"'),  # Schematron
    (11, "<p>", "<p><para/>"),  # the grammar
    (19, 'ref="#', 'ref="#nobody-'),  # across files
    (23, "</TEI>", ""),  # well-formedness
    (41, "<p>", '<p xml:id="shared-id">'),  # one id in two letters
    (47, "<p>", '<p xml:id="shared-id">'),
)

RULES = """<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt">
  <ns prefix="t" uri="http://www.tei-c.org/ns/1.0"/>
  <pattern><rule context="t:TEI"><assert test="{test}">the planted rule fails</assert></rule></pattern>
</schema>
"""
DECLARATION = '<?xml-model href="own.sch" schematypens="http://purl.oclc.org/dsdl/schematron"?>\n'


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("first-run") / "edition"
    letters = planted_corpus(folder, LETTERS, 5, PLANTED, count=1)
    # A letter that declares a schema of its own: its key covers that schema's bytes.
    (folder / "letters" / "own.sch").write_text(RULES.format(test="true()"), "utf-8")
    declaring = letters[30]
    head, _, rest = declaring.read_text("utf-8").partition("\n")
    declaring.write_text(f"{head}\n{DECLARATION}{rest}", "utf-8")
    return folder


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("output", ["text", "json", "sarif"])
def test_first_run_and_rerun_report_byte_for_byte_what_no_cache_reports(
    jobs: int, output: str, edition: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    command = ("validate", edition, "--jobs", str(jobs), "--format", output)
    fresh = run_cli(*command, "--no-cache")
    assert fresh.code == 1, fresh.err
    cached = ("--cache-dir", tmp_path / "cache")
    first = run_cli(*command, *cached)
    rerun = run_cli(*command, *cached)
    assert (first.code, first.out) == (fresh.code, fresh.out)
    assert (rerun.code, rerun.out) == (fresh.code, fresh.out)
    assert list((tmp_path / "cache" / "v4" / "runs").iterdir()), "the re-run's report was not kept"


def test_a_first_run_with_workers_reads_no_letter_in_the_parent(
    edition: Path, tmp_path: Path, read: list[Path]
) -> None:
    # read: this process's reads (tests/test_cache.py); a worker's reads are its own.
    """Nothing is read for a key before the workers start: each worker hashes the bytes it
    checked, as it read them (the parent read every file first, which doubled the wall time)."""
    report = validate([edition], ValidateOptions(jobs=2, cache_dir=tmp_path / "cache"))
    assert len(report.files) == LETTERS + 3
    assert sorted(path.name for path in read) == ["persons.xml", "places.xml", "sources.xml"]


def test_a_rerun_after_a_first_run_with_workers_checks_nothing(
    edition: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The keys made from the workers' digests are the keys a re-run makes from the files."""
    options = ValidateOptions(jobs=2, cache_dir=tmp_path / "cache")
    first = validate([edition], options)
    runs = tmp_path / "cache" / "v4" / "runs"
    for entry in runs.iterdir():
        entry.unlink()  # so that every file is looked up in the pack

    def must_not_run(record: FileRecord, schemas: runner._SchemaSet) -> runner._FileResult:
        raise AssertionError(f"{record.path} was validated again")

    monkeypatch.setattr(runner, "check_file", must_not_run)
    assert validate([edition], ValidateOptions(cache_dir=tmp_path / "cache")) == first


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_changed_declared_schema_is_seen_after_a_first_run(jobs: int, tmp_path: Path) -> None:
    """A file checked on a first run is stored under a key that covers the schema it declares.

    Each run is a process of its own, as on the command line: a process compiles a declared
    schema once, so a second run in this one would not see the edit with or without a cache."""
    edition = tmp_path / "edition"
    letters = sorted(path for path in write_corpus(edition, 24, seed=7) if path.parent.name == "letters")
    schema = edition / "letters" / "own.sch"
    schema.write_text(RULES.format(test="true()"), "utf-8")
    for letter in letters:  # every letter, so that --jobs 2 has enough to start workers
        head, _, rest = letter.read_text("utf-8").partition("\n")
        letter.write_text(f"{head}\n{DECLARATION}{rest}", "utf-8")
    command = [sys.executable, "-m", "teitools", "validate", str(edition), "--jobs", str(jobs)]
    command += ["--cache-dir", str(tmp_path / "cache"), "--format", "json"]

    def failing() -> list[str]:
        run = subprocess.run(command, capture_output=True, text=True, check=False)
        assert run.returncode in (0, 1), run.stderr
        found = json.loads(run.stdout)["diagnostics"]
        return sorted(d["file"] for d in found if "the planted rule fails" in d["message"])

    assert failing() == []
    assert failing() == []  # from the cache, the files read for their keys this time
    schema.write_text(RULES.format(test="false()"), "utf-8")
    assert failing() == [str(p) for p in letters]
