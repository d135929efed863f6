"""Shared fixtures: the command line, golden files, and the reference files in ../shared."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from teitools.cli import main

ROOT = Path(__file__).resolve().parents[1]
EDITION = ROOT / "tei"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXPECTED = Path(__file__).resolve().parent / "expected"
#: Third-party standards the tests check against, read where they lie, never copied.
SHARED = ROOT.parent / "shared"
REFERENCE = SHARED / "reference"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regenerate-golden",
        action="store_true",
        default=False,
        help="Rewrite the expected output files in tests/expected/ instead of "
        "comparing with them (review the diff before committing).",
    )


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


RunCli = Callable[..., Run]
Golden = Callable[[str, str], None]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """Run ``teitools ARGS`` in-process (from ``cwd``, default the project root)."""

    def run(*args: str | Path, cwd: Path = ROOT) -> Run:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


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


def reference_file(*parts: str) -> Path:
    """A file of ../shared/reference; the calling test is skipped when it is absent."""
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference file {path} is absent (../shared is not beside the checkout)")
    return path


@pytest.fixture(autouse=True)
def _isolated_ci_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test has its own result cache, and never writes to a real CI's step summary."""
    monkeypatch.setenv("TEITOOLS_CACHE_DIR", str(tmp_path / "teitools-cache"))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
