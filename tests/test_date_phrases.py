"""Dates as readers read them are made in one place (teitools/render/dates.py), never in the model."""

from __future__ import annotations

import re

import pytest

from teitools.model.dates import PartialDate
from teitools.model.types import DateSpan
from teitools.render.dates import date_phrase, is_marked_uncertain, life_dates, span_phrase
from tests.helpers import ROOT

D = PartialDate


@pytest.mark.parametrize(
    ("span", "phrase", "uncertain"),
    [
        (DateSpan(when=D(1935, 8, 22)), "22 August 1935", False),
        (DateSpan(when=D(1932, 7)), "July 1932", False),
        (DateSpan(when=D(1933), cert="medium"), "1933", True),
        (DateSpan(when=D(1933), cert="high"), "1933", False),
        (DateSpan(not_before=D(1930), not_after=D(1932, 8, 7)), "between 1930 and 7 August 1932", True),
        (DateSpan(not_before=D(1930), not_after=D(1932), cert="high"), "between 1930 and 1932", False),
        (DateSpan(not_before=D(1930)), "not before 1930", True),
        (DateSpan(not_after=D(1930, 1)), "not after January 1930", True),
        (DateSpan(text="spring 1951"), "spring 1951", False),
        (DateSpan(), "undated", False),
        (None, "undated", False),
    ],
)
def test_phrase_and_uncertainty_are_separate_answers(
    span: DateSpan | None, phrase: str, uncertain: bool
) -> None:
    assert span_phrase(span) == phrase
    assert is_marked_uncertain(span) is uncertain
    assert date_phrase(span) == (f"{phrase} (uncertain)" if uncertain else phrase)


def test_life_dates() -> None:
    assert life_dates(D(1878, 12, 18), D(1953)) == "18 December 1878–1953"
    assert (life_dates(D(1878), None), life_dates(None, D(1953)), life_dates(None, None)) == (
        "born 1878",
        "died 1953",
        "",
    )


def test_the_model_holds_no_phrases() -> None:
    """No English a reader sees is written in the model, and no output strips a phrase back off."""
    words = re.compile(r'"[^"\n]*\b(?:between|not before|not after|uncertain|undated|January|August)\b')
    model = sorted((ROOT / "teitools" / "model").glob("*.py"))
    assert [path.name for path in model if words.search(path.read_text(encoding="utf-8"))] == []
    stripping = re.compile(r"removesuffix\(\s*\"\s*\(uncertain|endswith\(\s*\"\(uncertain")
    package = sorted((ROOT / "teitools").rglob("*.py"))
    assert [path.name for path in package if stripping.search(path.read_text(encoding="utf-8"))] == []
