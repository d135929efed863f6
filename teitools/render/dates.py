"""Dates as a reader reads them: "22 August 1935", "between 1930 and 7 August 1932".

The model keeps dates as the files give them (:class:`~teitools.model.types.DateSpan`); every
phrase a page, a reading text, a citation or an export shows is made here, once. Whether a
date is uncertain is a separate answer (:func:`uncertainty`), so each output marks it in its
own way instead of taking a phrase apart.
"""

from __future__ import annotations

from teitools.model.dates import PartialDate
from teitools.model.types import UNCERTAIN, DateSpan

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def partial_date_phrase(date: PartialDate) -> str:
    """ "22 August 1935", "July 1932", "1933"."""
    if date.month is None:
        return str(date.year)
    if date.day is None:
        return f"{MONTHS[date.month - 1]} {date.year}"
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def span_phrase(span: DateSpan | None) -> str:
    """The date without a mark of uncertainty: "22 August 1935"; "between 1930 and 7 August
    1932"; "not before 1930"; the date's own text, or "undated", when it has no usable value."""
    if span is None:
        return "undated"
    if span.when is not None:
        return partial_date_phrase(span.when)
    if span.not_before and span.not_after:
        return f"between {partial_date_phrase(span.not_before)} and {partial_date_phrase(span.not_after)}"
    if span.not_before:
        return f"not before {partial_date_phrase(span.not_before)}"
    if span.not_after:
        return f"not after {partial_date_phrase(span.not_after)}"
    return span.text or "undated"


def is_marked_uncertain(span: DateSpan | None) -> bool:
    """True when a reader should be told the date is uncertain.

    A single date is uncertain when its ``@cert`` is below high; a range is uncertain unless
    ``@cert="high"`` says the editors are sure of it. A date with no usable value is shown as
    its text, unmarked.
    """
    if span is None:
        return False
    if span.when is not None:
        return span.cert in UNCERTAIN
    if span.not_before or span.not_after:
        return span.cert != "high"
    return False


def date_phrase(span: DateSpan | None) -> str:
    """The date as the reading texts and listings show it: "1933 (uncertain)" when uncertain."""
    text = span_phrase(span)
    return f"{text} (uncertain)" if is_marked_uncertain(span) else text


def life_dates(birth: PartialDate | None, death: PartialDate | None) -> str:
    """ "1878–1953", "born 1878", "died 1953", or ""."""
    if birth and death:
        return f"{partial_date_phrase(birth)}–{partial_date_phrase(death)}"
    if birth:
        return f"born {partial_date_phrase(birth)}"
    if death:
        return f"died {partial_date_phrase(death)}"
    return ""
