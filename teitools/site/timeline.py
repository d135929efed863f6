"""The timeline: letters per year (per month when the letters span three years or less).

A letter whose possible dates fall in one bar counts in that bar: solid when its date is
certain, hatched when it is not. A letter whose possible dates span several bars (``notBefore``
1930, ``notAfter`` August 1932) is drawn as a dashed range under the bars, from its earliest to
its latest possible day, so that it is neither counted twice nor put at one guessed year.
Undated letters are counted apart. Every bar and range links to the index filtered to its time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from teitools.model.types import Letter
from teitools.render.dates import span_phrase
from teitools.render.templating import render

#: Span (in years) up to which the timeline has a bar per month.
MONTHLY_UP_TO_YEARS = 3

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_LEFT, _RIGHT, _TOP = 8.0, 8.0, 18.0
_RANGE_ROW = 7.0
_LABEL_SPACE = 40.0  # the least room, in user units, between two labels on the axis
#: The most bars a timeline has; a longer span gets a bar per several years.
MOST_BARS = 60
_YEAR_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000, 10**6)
_COUNT_LABEL_WIDTH = 10.0  # bars narrower than this carry no count above them


@dataclass(frozen=True)
class Bar:
    """One year or month: its letters, split into certain and uncertain dates."""

    label: str
    x: float
    width: float
    certain: int
    uncertain: int
    y_certain: float
    y_uncertain: float
    href: str

    @property
    def count(self) -> int:
        return self.certain + self.uncertain

    @property
    def shows_count(self) -> bool:
        """Room for the count above the bar (the count is always in its label)."""
        return self.width >= _COUNT_LABEL_WIDTH

    @property
    def description(self) -> str:
        described = f"{self.label}: {_letters(self.count)}"
        return described + (f", {self.uncertain} of uncertain date" if self.uncertain else "")


@dataclass(frozen=True)
class Range:
    """A letter whose possible dates span several bars."""

    x1: float
    x2: float
    y: float
    label: str
    href: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Timeline:
    """What the template draws, in SVG user units."""

    width: float
    height: float
    axis_y: float
    monthly: bool
    bars: tuple[Bar, ...]
    ranges: tuple[Range, ...]
    ticks: tuple[Tick, ...]
    undated: int
    summary: str


def timeline(
    letters: Sequence[Letter], *, link: str = "index.html?", width: float = 640, bar_height: float = 90
) -> Timeline | None:
    """The timeline of ``letters``; None when none has a date.

    ``link`` starts every bar's address (``index.html?person=stalin&`` for a person's letters);
    the bar adds ``from=…&to=…``.
    """
    spans = [(letter, _interval(letter)) for letter in letters]
    dated = [(letter, span) for letter, span in spans if span is not None]
    undated = len(spans) - len(dated)
    if not dated:
        return None
    first_year = min(start[0] for _, (start, _) in dated)
    last_year = max(end[0] for _, (_, end) in dated)
    monthly = last_year - first_year < MONTHLY_UP_TO_YEARS
    if monthly:
        first_month = min(start[:2] for _, (start, _) in dated)
        last_month = max(end[:2] for _, (_, end) in dated)
        bins = _months(first_month, last_month)
    # A bar per year, or per 2, 5, 10… years when the letters span centuries.
    step = 1 if monthly else next(s for s in _YEAR_STEPS if (last_year - first_year) // s < MOST_BARS)
    if not monthly:
        bins = [(year, 0) for year in range(first_year - first_year % step, last_year + 1, step)]
    position = {key: number for number, key in enumerate(bins)}
    bin_width = (width - _LEFT - _RIGHT) / len(bins)

    def key_of(day: tuple[int, int, int]) -> tuple[int, int]:
        return (day[0], day[1]) if monthly else (day[0] - day[0] % step, 0)

    def bin_of(day: tuple[int, int, int]) -> int:
        return position[key_of(day)]

    def x_of(day: tuple[int, int, int], end: bool) -> float:
        if monthly:
            fraction = (day[2] - (0 if end else 1)) / 31
        else:
            fraction = (day[0] - key_of(day)[0] + (day[1] - 1 + (1 if end else 0)) / 12) / step
        return _LEFT + (bin_of(day) + fraction) * bin_width

    certain = [0] * len(bins)
    uncertain = [0] * len(bins)
    ranged: list[tuple[Letter, tuple[tuple[int, int, int], tuple[int, int, int]]]] = []
    for letter, (start, end) in dated:
        if bin_of(start) != bin_of(end):
            ranged.append((letter, (start, end)))
        elif letter.date is not None and letter.date.uncertain:
            uncertain[bin_of(start)] += 1
        else:
            certain[bin_of(start)] += 1
    tallest = max((c + u for c, u in zip(certain, uncertain, strict=True)), default=0) or 1
    axis_y = _TOP + bar_height
    bars = []
    for number, key in enumerate(bins):
        label = _label(key, monthly, step)
        height_certain = bar_height * certain[number] / tallest
        height_uncertain = bar_height * uncertain[number] / tallest
        bars.append(
            Bar(
                label,
                _LEFT + number * bin_width + bin_width * 0.1,
                bin_width * 0.8,
                certain[number],
                uncertain[number],
                axis_y - height_certain,
                axis_y - height_certain - height_uncertain,
                f"{link}from={_param(key, monthly)}&to={_param(key, monthly, step - 1)}",
            )
        )
    ranges = tuple(
        Range(
            x_of(start, end=False),
            x_of(end, end=True),
            axis_y + 24 + row * _RANGE_ROW,
            _range_label(letter),
            f"{link}from={_day(start)[:7]}&to={_day(end)[:7]}",
        )
        for row, (letter, (start, end)) in enumerate(ranged)
    )
    return Timeline(
        width=width,
        height=axis_y + 24 + len(ranged) * _RANGE_ROW + 4,
        axis_y=axis_y,
        monthly=monthly,
        bars=tuple(bars),
        ranges=ranges,
        ticks=_ticks(bins, monthly, bin_width, step),
        undated=undated,
        summary=_summary(len(dated), len(ranged), undated, (first_year, last_year), bins, monthly, step),
    )


def timeline_figure(timeline_: Timeline | None, *, title: str, compact: bool = False) -> Markup:
    """The SVG figure of a timeline ("" when there is none)."""
    if timeline_ is None:
        return Markup("")
    return render("timeline.html", timeline=timeline_, title=title, compact=compact)


def _interval(letter: Letter) -> tuple[tuple[int, int, int], tuple[int, int, int]] | None:
    if letter.date is None:
        return None
    start, end = letter.date.earliest, letter.date.latest
    if start is None or end is None:  # only one bound: no range to draw
        start = end = start or end
    if start is None or end is None:
        return None
    return (start, end) if start <= end else (end, start)


def _range_label(letter: Letter) -> str:
    """The letter's title, with its date in words unless the title says it already."""
    label, date = letter.title or letter.id, span_phrase(letter.date)
    return label if date in label else f"{label}: {date}"


def _months(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    months = []
    year, month = first
    while (year, month) <= last:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _label(key: tuple[int, int], monthly: bool, step: int = 1) -> str:
    if monthly:
        return f"{_MONTHS[key[1] - 1]} {key[0]}"
    return str(key[0]) if step == 1 else f"{key[0]}–{key[0] + step - 1}"


def _param(key: tuple[int, int], monthly: bool, later_years: int = 0) -> str:
    return f"{key[0]:04d}-{key[1]:02d}" if monthly else f"{key[0] + later_years:04d}"


def _day(day: tuple[int, int, int]) -> str:
    return f"{day[0]:04d}-{day[1]:02d}-{day[2]:02d}"


def _ticks(bins: list[tuple[int, int]], monthly: bool, bin_width: float, step: int) -> tuple[Tick, ...]:
    every = max(1, int(-(-_LABEL_SPACE // bin_width)))  # ceiling: labels never overlap
    if monthly:  # a label on January of each year, and on every `every`-th month
        chosen = [n for n, key in enumerate(bins) if n % every == 0 or (key[1] == 1 and every < 12)]
    else:
        years = next(s for s in _YEAR_STEPS if s >= every * step)  # a round number of years
        chosen = [n for n, key in enumerate(bins) if key[0] % years == 0 or len(bins) == 1]
    kept: list[int] = []
    for number in chosen:
        if not kept or (number - kept[-1]) * bin_width >= _LABEL_SPACE:
            kept.append(number)
    return tuple(Tick(_LEFT + (n + 0.5) * bin_width, _label(bins[n], monthly)) for n in kept)


def _summary(
    dated: int,
    ranged: int,
    undated: int,
    years: tuple[int, int],
    bins: list[tuple[int, int]],
    monthly: bool,
    step: int,
) -> str:
    span = (
        f"{_label(bins[0], monthly)} to {_label(bins[-1], monthly)}"
        if monthly
        else f"{years[0]} to {years[1]}"
    )
    unit = "month" if monthly else "year" if step == 1 else "decade" if step == 10 else f"{step} years"
    parts = [f"{_letters(dated)} dated from {span}, by {unit}"]
    if ranged:
        parts.append(f"{ranged} of them dated only to a range, drawn as dashed lines")
    if undated:
        parts.append(f"{_letters(undated)} undated")
    return "; ".join(parts) + "."


def _letters(count: int) -> str:
    return f"{count} letter" + ("" if count == 1 else "s")
