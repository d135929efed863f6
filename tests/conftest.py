"""Shared fixtures: the bundled edition, the reference folder, and golden-file checks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EDITION = ROOT / "tei"
GOLDEN = Path(__file__).resolve().parent / "golden"
#: Third-party reference files (schemas, examples), outside the project; may be absent.
SHARED = Path(__file__).resolve().parents[1].parent / "shared"

GoldenCheck = Callable[[Path, str], None]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--regenerate-golden", action="store_true", default=False,
                     help="Rewrite the expected-output files under tests/golden from the "
                     "current outputs (review the diff before committing).")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> GoldenCheck:
    """Compare a text with its golden file byte for byte (or rewrite it on request)."""
    regenerate = bool(request.config.getoption("--regenerate-golden"))

    def check(path: Path, actual: str) -> None:
        if regenerate:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(actual.encode("utf-8"))
            return
        if not path.is_file():
            pytest.fail(f"no golden file {path.relative_to(ROOT)}: "
                        "run pytest --regenerate-golden and review it")
        expected = path.read_bytes().decode("utf-8")
        assert actual == expected, f"output differs from {path.relative_to(ROOT)}"

    return check
