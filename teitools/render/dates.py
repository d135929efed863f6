"""Dates as a reader reads them: "22 August 1935", "between 1930 and 7 August 1932".

The model keeps dates as the files give them (:class:`~teitools.model.types.DateSpan`); every
phrase a page, a reading text, a citation or an export shows is made here, once. Whether a
date is uncertain is a separate answer (:func:`uncertainty`), so each output marks it in its
own way instead of taking a phrase apart. A phrase is English unless a ``language`` is given
(a letter page's metadata speaks the letter's language: "22. August 1935", "22 août 1935").
"""

from __future__ import annotations

from teitools.model.dates import PartialDate
from teitools.model.types import UNCERTAIN, DateSpan
from teitools.render.language import primary

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


class _Words:
    """How one language says dates: month names (with a day, and without), where the day
    goes, and the phrases of a range."""

    def __init__(
        self, months: str, day: str, phrases: dict[str, str], months_alone: str = "", first: str = "1"
    ) -> None:
        self.months = tuple(months.split())
        self.months_alone = tuple((months_alone or months).split())
        self.day = day
        self.phrases = phrases
        #: How the first day of a month is written ("1er" in French).
        self.first = first


_WORDS = {
    "en": _Words(
        " ".join(MONTHS),
        "{day} {month} {year}",
        {
            "between": "between {0} and {1}",
            "before": "not before {0}",
            "after": "not after {0}",
            "undated": "undated",
            "uncertain": "uncertain",
        },
    ),
    "de": _Words(
        "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
        "{day}. {month} {year}",
        {
            "between": "zwischen {0} und {1}",
            "before": "nicht vor {0}",
            "after": "nicht nach {0}",
            "undated": "undatiert",
            "uncertain": "unsicher",
        },
    ),
    "fr": _Words(
        "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
        "{day} {month} {year}",
        {
            "between": "entre {0} et {1}",
            "before": "pas avant {0}",
            "after": "pas après {0}",
            "undated": "sans date",
            "uncertain": "incertaine",
        },
        first="1er",
    ),
    "ru": _Words(
        "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
        "{day} {month} {year}",
        {
            "between": "между {0} и {1}",
            "before": "не ранее {0}",
            "after": "не позднее {0}",
            "undated": "без даты",
            "uncertain": "неточно",
        },
        "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь",
    ),
}


def _words(language: str | None) -> _Words:
    return _WORDS.get(primary(language), _WORDS["en"])


def partial_date_phrase(date: PartialDate, language: str | None = None) -> str:
    """ "22 August 1935", "July 1932", "1933" ("22. August 1935" in German)."""
    words = _words(language)
    if date.month is None:
        return str(date.year)
    if date.day is None:
        return f"{words.months_alone[date.month - 1]} {date.year}"
    day = words.first if date.day == 1 else str(date.day)
    return words.day.format(day=day, month=words.months[date.month - 1], year=date.year)


def span_phrase(span: DateSpan | None, language: str | None = None) -> str:
    """The date without a mark of uncertainty: "22 August 1935"; "between 1930 and 7 August
    1932"; "not before 1930"; the date's own text, or "undated", when it has no usable value."""
    phrases = _words(language).phrases
    if span is None:
        return phrases["undated"]
    if span.when is not None:
        return partial_date_phrase(span.when, language)
    start = partial_date_phrase(span.not_before, language) if span.not_before else ""
    end = partial_date_phrase(span.not_after, language) if span.not_after else ""
    if start and end:
        return phrases["between"].format(start, end)
    if start:
        return phrases["before"].format(start)
    if end:
        return phrases["after"].format(end)
    return span.text or phrases["undated"]


def uncertain_word(language: str | None = None) -> str:
    """ "uncertain", in ``language``: how a date is marked uncertain."""
    return _words(language).phrases["uncertain"]


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
    return f"{text} ({uncertain_word()})" if is_marked_uncertain(span) else text


def life_dates(birth: PartialDate | None, death: PartialDate | None) -> str:
    """ "1878–1953", "born 1878", "died 1953", or ""."""
    if birth and death:
        return f"{partial_date_phrase(birth)}–{partial_date_phrase(death)}"
    if birth:
        return f"born {partial_date_phrase(birth)}"
    if death:
        return f"died {partial_date_phrase(death)}"
    return ""
