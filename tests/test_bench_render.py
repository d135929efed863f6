"""The reading-format benchmark still runs (on a tiny corpus), so that it does not rot."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import ROOT


@pytest.mark.slow
def test_benchmark_runs_and_prints_its_table() -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_render.py"),
            *("--sizes", "16", "--scaling-sizes", "16", "32"),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "citation block: included"
    rows = [line.split()[:3] for line in lines[3:6]]
    assert [row[:2] for row in rows] == [["text", "16"], ["html", "16"], ["site", "16"]]
    assert rows[0][2] == "1", "text runs in one process; html and the site in --workers"
    assert lines[6].startswith("text export, scaling")
    scaling = [line.split() for line in lines[9:-1]]
    assert [row[0] for row in scaling] == ["16", "32"]
    assert all(row[-1] in ("met", "MISSED") for row in scaling)
