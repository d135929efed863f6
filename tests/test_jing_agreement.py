"""RELAX NG verdicts agree with jing's on every file the tests validate against a grammar.

One jing run per schema (the JVM starts slowly); the test is skipped where jing is absent.
The reference files (tei_all, CMIF) are compared in test_reference_schemas.py.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

from teitools.errors import DocumentError
from teitools.load.parser import load
from teitools.load.resources import schema_file
from teitools.validation.catalog import Catalogs
from teitools.validation.relaxng_files import compile_declared_relaxng
from tests.helpers import EDITION, FIXTURES

DECLARED = FIXTURES / "declared"


def _well_formed(paths: list[Path]) -> list[Path]:
    kept = []
    for path in paths:
        try:
            load(path)
        except DocumentError:
            continue  # jing and teitools both reject these before any grammar
        kept.append(path)
    return kept


CASES: dict[Path, list[Path]] = {
    schema_file("teitools.rng"): _well_formed(
        sorted(EDITION.rglob("*.xml"))
        + sorted((FIXTURES / "valid").glob("*.xml"))
        + sorted((FIXTURES / "invalid").glob("*.xml"))
        + sorted((FIXTURES / "tei-constraints").glob("*.xml"))
    ),
    DECLARED / "notes.rnc": sorted(DECLARED.glob("rnc-*.xml")),
    DECLARED / "rich.rnc": sorted(DECLARED.glob("rich-*.xml")),
}
PAIRS = [(schema, document) for schema, documents in CASES.items() for document in documents]


@cache
def _jing_invalid(schema: Path) -> frozenset[Path]:
    jing = shutil.which("jing")
    if jing is None:
        pytest.skip("jing is not installed (Debian package jing)")
    compact = ["-c"] if schema.suffix == ".rnc" else []
    result = subprocess.run(
        [jing, *compact, str(schema), *map(str, CASES[schema])], capture_output=True, text=True, check=False
    )
    return frozenset(
        Path(line.split(":", 1)[0]).resolve() for line in result.stdout.splitlines() if ": error:" in line
    )


@pytest.mark.parametrize(("schema", "document"), PAIRS, ids=[f"{s.name}-{d.stem}" for s, d in PAIRS])
def test_relaxng_verdict_agrees_with_jing(schema: Path, document: Path) -> None:
    grammar = compile_declared_relaxng(schema, Catalogs())
    tree = load(document)
    validator = grammar.validator_for(tree)
    ours = bool(validator.validate(tree))
    jing = document.resolve() not in _jing_invalid(schema)
    assert ours == jing, str(validator.error_log)
