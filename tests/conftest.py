"""Shared test setup: paths, the reference files in ../shared, golden-file regeneration."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EDITION = ROOT / "tei"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: Third-party reference files (tei_all, CMIF, CSL, SARIF), read where they lie, never copied.
SHARED_REFERENCE = ROOT.parent / "shared" / "reference"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regenerate-golden",
        action="store_true",
        help="Rewrite the expected-output files from the current output instead of comparing.",
    )


@pytest.fixture
def regenerate_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--regenerate-golden"))


def reference_file(*parts: str) -> Path:
    """A file of ../shared/reference; the calling test is skipped when it is absent."""
    path = SHARED_REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference file {path} is absent (../shared is not beside the checkout)")
    return path


def check_golden(actual: str, golden: Path, regenerate: bool) -> None:
    """Compare ``actual`` with the golden file, or rewrite it with --regenerate-golden."""
    if regenerate:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
        return
    assert golden.exists(), f"no golden file {golden}; run pytest --regenerate-golden"
    assert actual == golden.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _isolated_ci_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test has its own result cache, and never writes to a real CI's step summary."""
    monkeypatch.setenv("TEITOOLS_CACHE_DIR", str(tmp_path / "teitools-cache"))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
