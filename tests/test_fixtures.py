"""Each invalid fixture is reported with its rule id, at its line, with a column; valid ones pass.

A fixture says what it must produce in a comment after the XML declaration:
``<!-- expect: RULE line N -->``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from teitools.cli import main
from tests.helpers import EDITION, FIXTURES

EXPECT = re.compile(r"<!-- expect: ([a-z0-9-]+) line (\d+) -->")
#: A second finding the same mistake causes in another layer, where it cannot be folded.
ALSO = re.compile(r"<!-- also: ([a-z0-9-]+) line (\d+)")
INVALID = sorted((FIXTURES / "invalid").glob("*.xml"))
VALID = sorted((FIXTURES / "valid").glob("*.xml"))


def expectation(path: Path) -> tuple[str, int]:
    head = path.read_bytes()[:400].decode("utf-8", errors="replace")
    match = EXPECT.search(head)
    assert match, f"{path.name} does not say what it expects"
    return match[1], int(match[2])


@pytest.mark.parametrize("fixture", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_fixture_is_reported_with_rule_line_and_column(
    fixture: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rule, line = expectation(fixture)
    code = main(["validate", "--registers", str(EDITION), str(fixture)])
    out = capsys.readouterr().out
    assert code == 1
    pattern = rf"^{re.escape(str(fixture))}:{line}:([1-9]\d*): error: .+ \[{re.escape(rule)}\]$"
    assert re.search(pattern, out, re.MULTILINE), out
    assert "Traceback" not in out


@pytest.mark.parametrize("fixture", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_fixture_has_one_mistake(fixture: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Apart from the expected rule (and a declared second layer), no other error."""
    rule, _ = expectation(fixture)
    also = ALSO.findall(fixture.read_text(encoding="utf-8", errors="replace")[:600])
    main(["validate", "--format", "json", "--registers", str(EDITION), str(fixture)])
    out = capsys.readouterr().out
    errors = re.findall(r'"severity": "error",\s+"rule": "([a-z0-9-]+)"', out)
    assert sorted(errors) == sorted([rule, *(r for r, _ in also)])


@pytest.mark.parametrize("fixture", VALID, ids=[p.stem for p in VALID])
def test_valid_fixture_passes(fixture: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--registers", str(EDITION), str(fixture)]) == 0, capsys.readouterr().out
