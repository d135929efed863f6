"""``--jobs 2`` finds exactly what ``--jobs 1`` finds, on a synthetic edition with mistakes of
every layer planted in it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from teitools.load.cores import available_cores
from teitools.validation.peers import FILES_PER_WORKER
from tests.conftest import RunCli
from tests.helpers import planted_corpus

LETTERS = 120

#: A mistake for each layer, planted in the n-th letter: (n, text replaced, replacement, rule).
PLANTED = (
    (3, 'rend="italic"', 'rend="cursive"', "hi-rend"),  # the Schematron rules
    (7, '<correspAction type="received">', '<correspAction type="recieved">', "rng-invalid"),
    (11, "<p>", "<p><para/>", "rng-invalid"),  # the grammar
    (19, 'ref="#', 'ref="#nobody-', "ref-unresolved"),  # across files
    (23, "</TEI>", "", "xml-syntax"),  # well-formedness
    (31, '<date when="19', '<date when="9', "date-format"),
    # One id in two letters, far apart (in different shards): found across files.
    (41, "<p>", '<p xml:id="shared-id">', "id-duplicate"),
    (97, "<p>", '<p xml:id="shared-id">', "id-duplicate"),
)


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("parallel") / "edition"
    # The grammar is the bundled edition's.
    planted_corpus(folder, LETTERS, 3, [(index, old, new) for index, old, new, _ in PLANTED])
    return folder


def _report(run_cli: RunCli, edition: Path, jobs: int | None) -> dict[str, object]:
    given = ("--jobs", str(jobs)) if jobs is not None else ()  # None: the default, every core
    run = run_cli("validate", edition, "--no-cache", "--format", "json", *given)
    assert run.code == 1, run.err
    report = json.loads(run.out)
    assert isinstance(report, dict)
    return report


def test_two_workers_report_what_one_process_reports(run_cli: RunCli, edition: Path) -> None:
    if min(2, available_cores(), (LETTERS + 3) // FILES_PER_WORKER) < 2:
        pytest.skip("one core: --jobs 2 runs in one process, so there is nothing to compare")
    one = _report(run_cli, edition, 1)
    two = _report(run_cli, edition, 2)
    assert two == one
    found = {finding["rule"] for finding in one["diagnostics"]}  # type: ignore[attr-defined]
    assert {rule for *_, rule in PLANTED} <= found


def test_the_default_number_of_jobs_reports_what_one_process_reports(run_cli: RunCli, edition: Path) -> None:
    assert _report(run_cli, edition, None) == _report(run_cli, edition, 1)


def test_shards_checked_with_workers_merge_into_the_report_of_one_process(
    run_cli: RunCli, edition: Path, tmp_path: Path
) -> None:
    """Each shard checks its files in workers and reads the other shards' files for what can
    change its findings: what the shards find across
    files is what one process over the whole edition finds."""
    whole = _report(run_cli, edition, 1)
    parts = []
    for index in (1, 2, 3):
        part = tmp_path / f"shard-{index}.json"
        run = run_cli(
            "validate",
            edition,
            "--no-cache",
            "--jobs",
            "2",
            "--shard",
            f"{index}/3",
            "--format",
            "json",
            "-o",
            part,
        )
        assert run.code in (0, 1), run.err
        parts.append(part)
    merged = run_cli("report", "merge", *parts, "--format", "json")
    assert merged.code == 1, merged.err
    assert json.loads(merged.out) == whole
