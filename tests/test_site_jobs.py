"""The site is the same where this system cannot fork (Windows, macOS): ``--jobs`` is accepted
and the letters are rendered in this process, as with ``--jobs 1``. (Forked workers against
one process: tests/test_render_jobs.py.)"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from teitools.load import workers
from tests.conftest import RunCli
from tests.helpers import run_cli as run_teitools
from tests.test_site_index import repeated_edition

#: Enough letters for several of the workers' chunks, so that a second worker would pay.
LETTERS = 2 * workers.CHUNK + 3


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return repeated_edition(tmp_path_factory.mktemp("jobs") / "edition", LETTERS)


@pytest.fixture(scope="module")
def one_process(edition: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("jobs-1") / "site"
    result = run_teitools("site", edition, "-o", out, "--jobs", "1", "--accessed", "2026-12-01")
    assert result.code == 0, result.err
    return _tree(out)


def test_without_fork_several_jobs_give_the_same_files_in_one_process(
    run_cli: RunCli,
    edition: Path,
    tmp_path: Path,
    one_process: dict[str, bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(workers, "can_fork", lambda: False)

    def no_pool(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a pool of workers was made where fork is unavailable")

    monkeypatch.setattr(multiprocessing, "get_context", no_pool)
    result = run_cli("site", edition, "-o", tmp_path / "site", "--jobs", "2", "--accessed", "2026-12-01")
    assert result.code == 0, result.err
    tree = _tree(tmp_path / "site")
    assert tree.keys() == one_process.keys()
    assert [name for name in tree if tree[name] != one_process[name]] == []
    pages = [name for name in tree if name.startswith("letters/") and name.endswith(".html")]
    assert len(pages) == LETTERS
