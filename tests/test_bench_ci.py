"""The CI benchmark's generated edition is valid, so the benchmark times complete validations."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from teitools import validate
from tests.helpers import ROOT


def bench_ci() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_ci", ROOT / "benchmarks" / "bench_ci.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_edition_validates_clean_and_its_ids_are_unique(tmp_path: Path) -> None:
    bench = bench_ci()
    files = bench.generate(tmp_path / "tei", 60)
    report = validate([tmp_path / "tei"])
    assert report.diagnostics == ()
    assert len(report.files) == 60 + 3
    assert len({f.name for f in files}) == 60


def test_every_letter_stays_valid_when_changed(tmp_path: Path) -> None:
    # Any letter may be the one the benchmark changes: one in five ends with a closer or a list.
    bench = bench_ci()
    files = bench.generate(tmp_path / "tei", 60)
    for letter in files:
        bench.change(letter)
        assert "A changed sentence." in letter.read_text(encoding="utf-8")
    assert validate([tmp_path / "tei"]).diagnostics == ()
