"""The reading-format benchmark still runs (on a tiny corpus), so that it does not rot."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import ROOT


@pytest.mark.slow
def test_benchmark_runs_and_prints_its_table() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_render.py"), "--sizes", "16"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    rows = [line.split()[:2] for line in result.stdout.splitlines()[2:-1]]
    assert rows == [["text", "16"], ["html", "16"], ["site", "16"]]
