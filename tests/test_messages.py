"""Messages an encoder can act on: common slips in a real letter, with the exact finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from teitools import ValidateOptions, validate
from tests.helpers import EDITION

LETTER = EDITION / "letters" / "stalin-kaganovich-1935-08-22.xml"
REGISTERS = ValidateOptions(registers=tuple(sorted(EDITION.glob("*.xml"))))


def findings_after(tmp_path: Path, old: str, new: str, count: int = 1) -> list[str]:
    text = LETTER.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "letters" / LETTER.name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return [f"{d.line}:{d.column} {d.message} [{d.rule}]" for d in validate([path], REGISTERS).diagnostics]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "<langUsage>",
            "<langUsage foo='1'>",
            ["29:18 attribute @foo is not allowed on <langUsage>; it takes no attributes [rng-invalid]"],
        ),
        (
            '<language ident="en">English (translated from Russian)</language>',
            '<lang ident="en">English (translated from Russian)</lang>',
            ["30:9 <lang> is not allowed inside <langUsage>; allowed: language [rng-invalid]"],
        ),
        (
            '<persName ref="#kleiner">Kleiner</persName>',
            '<persname ref="#kleiner">Kleiner</persname>',
            [
                "38:349 <persname> is not allowed inside <p>; allowed: date, gap, hi, note, orgName, "
                "persName, placeName, q, supplied. Did you mean <persName>? [rng-invalid]"
            ],
        ),
        (
            '<placeName ref="#omsk-region">',
            "<placeName>",
            ["38:263 <placeName> is missing the required attribute @ref [rng-invalid]"],
        ),
        (
            'ref="#kleiner"',
            'ref="#kliener"',
            [
                '38:274 @ref="#kliener" names no entry in the registers '
                "(persons.xml, places.xml, sources.xml); "
                'add an entry with xml:id="kliener" or correct the pointer '
                '(to add it: teitools new person "Kleiner" --id kliener --write) [ref-unresolved]'
            ],
        ),
    ],
    ids=["attribute-not-allowed", "child-not-allowed", "misspelt-element", "missing-ref", "unknown-person"],
)
def test_one_slip_one_precise_finding(tmp_path: Path, old: str, new: str, expected: list[str]) -> None:
    assert findings_after(tmp_path, old, new) == expected


def test_bad_date_inside_the_header_is_one_finding_per_date_with_the_fix(tmp_path: Path) -> None:
    """libxml2 reports a bad date in the header as its interleave failing; that cascade is folded."""
    found = findings_after(tmp_path, 'when="1935-08-22"', 'when="1935-8-22"', count=2)
    assert [f.split(" ", 1)[0] for f in found] == ["23:11", "37:27"]
    assert all(f.endswith("[date-format]") for f in found)
    assert "Did you mean 1935-08-22?" in found[1]
