"""Shared fixtures and hooks: the command line, golden files, the reference files in ../shared,
the edition read and tei_all compiled once per session, and the rule that a long test is marked
slow."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from pathlib import Path

import pytest
from lxml import etree

from teitools.load.parser import load
from teitools.load.record import FileRecord
from teitools.model.tei import read_edition
from teitools.model.types import Edition
from tests.helpers import EDITION, EXPECTED, REFERENCE, Run, reference_file
from tests.helpers import run_cli as _run_cli

RunCli = Callable[..., Run]
Golden = Callable[[str, str], None]

#: A test not marked ``slow`` that takes longer than this fails: ``-m "not slow"`` stays fast.
SLOW_SECONDS = 20.0


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regenerate-golden",
        action="store_true",
        default=False,
        help="Rewrite the expected output files in tests/expected/ instead of "
        "comparing with them (review the diff before committing).",
    )


_STARTED = pytest.StashKey[float]()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    item.stash[_STARTED] = time.monotonic()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    result = yield
    # Set-up counts: a test that is first to need an expensive fixture makes the fast loop wait.
    seconds = time.monotonic() - item.stash[_STARTED]
    if seconds > SLOW_SECONDS and item.get_closest_marker("slow") is None:
        pytest.fail(
            f"{item.nodeid} took {seconds:.1f} s (over {SLOW_SECONDS:.0f} s): mark it @pytest.mark.slow",
            pytrace=False,
        )
    return result


@pytest.fixture
def run_cli() -> RunCli:
    """:func:`tests.helpers.run_cli`: ``teitools ARGS`` in-process, from the project root."""
    return _run_cli


@pytest.fixture(scope="session")
def edition() -> Edition:
    """The fixture edition, read once for the whole session (the model is immutable)."""
    return read_edition([EDITION])


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    """Compare text with ``tests/expected/NAME`` byte for byte (line ends too), or rewrite it
    with --regenerate-golden."""

    def check(name: str, actual: str) -> None:
        path = EXPECTED / name
        if request.config.getoption("--regenerate-golden"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(actual.encode("utf-8"))
            return
        assert path.is_file(), f"{path} is missing: run pytest --regenerate-golden"
        assert actual == path.read_bytes().decode("utf-8"), f"output differs from {path}"

    return check


@pytest.fixture
def reference() -> Path:
    """``../shared/reference``, or a skip when it is absent."""
    if not REFERENCE.is_dir():
        pytest.skip(f"the reference files are absent ({REFERENCE})")
    return REFERENCE


@pytest.fixture(autouse=True)
def _isolated_ci_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test has its own result cache (and key), and never writes to a real CI's step summary."""
    monkeypatch.setenv("TEITOOLS_CACHE_DIR", str(tmp_path / "teitools-cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "teitools-cache" / "home"))  # the key
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


@pytest.fixture
def read(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files a validation run reads in this process, in order (a worker's are its own)."""
    from teitools.load.record import read_record  # noqa: PLC0415 -- for the tests that ask
    from teitools.validation import runner  # noqa: PLC0415

    seen: list[Path] = []

    def counting(path: Path) -> FileRecord:
        seen.append(path)
        return read_record(path)

    monkeypatch.setattr(runner, "read_record", counting)
    return seen


@pytest.fixture(scope="session")
def tei_all_source() -> etree._ElementTree:
    """The official tei_all RELAX NG schema (../shared/reference), read once; a skip when absent.
    Shared: no test may change it."""
    return load(reference_file("tei", "tei_all_4.9.0.rng"))


@pytest.fixture(scope="session")
def tei_all_relaxng(tei_all_source: etree._ElementTree) -> etree.RelaxNG:
    """tei_all compiled whole by lxml, once for the session: the compile takes about ten seconds,
    and test_edition and test_rng_reduce both validate with it."""
    return etree.RelaxNG(tei_all_source)
