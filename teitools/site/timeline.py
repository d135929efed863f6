"""The timeline: letters per year (per month when the letters span three years or less).

A letter whose possible dates fall in one bar counts in that bar: solid when its date is
certain, hatched when it is not. A letter whose possible dates span several bars (``notBefore``
1930, ``notAfter`` August 1932) is drawn as a range under the bars, from its earliest to its
latest possible day, so that it is neither counted twice nor put at one guessed year.

Ranges are drawn so that many stay readable: letters with the same range share one line (its
count beside it), lines that do not overlap share a lane, and there are at most
:data:`MOST_LANES` lanes. Ranges that find no lane are counted ("+N"), and then a band under
the lanes shows, for each bar, how many letters dated only to a range may fall in it, as a
shade (darker: more); so the figure keeps its height whatever the number of ranges. Undated
letters are counted apart. Every bar, range and cell of the band links to the index filtered
to its time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from teitools.model.types import Letter
from teitools.render.dates import MONTHS, span_phrase
from teitools.render.templating import render

#: Span (in years) up to which the timeline has a bar per month.
MONTHLY_UP_TO_YEARS = 3

#: Month names shortened for the axis's labels; bars and summaries write them as the pages do.
_SHORT_MONTHS = tuple(month[:3] for month in MONTHS)
_LEFT, _RIGHT, _TOP = 8.0, 8.0, 18.0
_RANGE_ROW = 9.0
#: The most lanes of ranges under the bars; the ranges beyond them are counted and shaded.
MOST_LANES = 6
_LANE_GAP = 4.0  # the least room, in user units, between two ranges that share a lane
_BAND_HEIGHT = 10.0
_MORE_ROW = 13.0  # the row of the "+N" count, above the band
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
    """Letters whose possible dates span several bars, all the same days: one line."""

    x1: float
    x2: float
    y: float
    count: int
    label: str
    href: str

    @property
    def shows_count(self) -> bool:
        """Room for the count beside the line (it is always in its label)."""
        return self.count > 1


@dataclass(frozen=True)
class Cell:
    """A bar's part of the band: how many letters dated only to a range may fall in it."""

    x: float
    width: float
    count: int
    opacity: float
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
    #: Letters dated only to a range that found no lane, and the band that counts every range.
    more: int = 0
    more_y: float = 0.0
    band: tuple[Cell, ...] = ()
    band_y: float = 0.0

    @property
    def band_height(self) -> float:
        return _BAND_HEIGHT

    @property
    def ranged(self) -> int:
        """Letters dated only to a range, drawn or counted."""
        return sum(r.count for r in self.ranges) + self.more


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
    ranges, more = _lanes(ranged, x_of, axis_y + 24, link)
    # Under the axis: its labels, the lanes, and when some ranges found no lane their count and the band.
    bottom = axis_y + 24 + len({r.y for r in ranges}) * _RANGE_ROW
    band_y = bottom + _MORE_ROW if more else 0.0
    return Timeline(
        width=width,
        height=(band_y + _BAND_HEIGHT if more else bottom) + 4,
        axis_y=axis_y,
        monthly=monthly,
        bars=tuple(bars),
        ranges=ranges,
        ticks=_ticks(bins, monthly, bin_width, step),
        undated=undated,
        summary=_summary(
            len(dated), len(ranged), more, undated, (first_year, last_year), bins, monthly, step
        ),
        more=more,
        more_y=band_y - 4 if more else 0.0,
        band=_band(ranged, bars, bin_of) if more else (),
        band_y=band_y,
    )


_Day = tuple[int, int, int]


def _lanes(
    ranged: list[tuple[Letter, tuple[_Day, _Day]]],
    x_of: Callable[[_Day, bool], float],
    top: float,
    link: str,
) -> tuple[tuple[Range, ...], int]:
    """The lines of the ranges, in at most :data:`MOST_LANES` lanes, and the number of letters
    left over. Letters of the same days share a line; in date order, each line takes the first
    lane where it clears the line before it, so that the earliest ranges are the ones drawn."""
    groups: dict[tuple[_Day, _Day], list[Letter]] = {}
    for letter, span in ranged:
        groups.setdefault(span, []).append(letter)
    lane_ends: list[float] = []
    drawn = []
    more = 0
    for (start, end), letters in sorted(groups.items()):
        x1, x2 = x_of(start, False), x_of(end, True)
        lane = next((n for n, lane_end in enumerate(lane_ends) if lane_end + _LANE_GAP <= x1), None)
        if lane is None and len(lane_ends) < MOST_LANES:
            lane = len(lane_ends)
            lane_ends.append(x2)
        if lane is None:
            more += len(letters)
            continue
        # The count beside a shared line takes room in its lane too.
        lane_ends[lane] = x2 + (_COUNT_LABEL_WIDTH + 4 * len(str(len(letters))) if len(letters) > 1 else 0)
        label = (
            _range_label(letters[0])
            if len(letters) == 1
            else f"{len(letters)} letters dated {span_phrase(letters[0].date)}"
        )
        href = f"{link}from={_day(start)[:7]}&to={_day(end)[:7]}"
        drawn.append(Range(x1, x2, top + lane * _RANGE_ROW, len(letters), label, href))
    return tuple(drawn), more


def _band(
    ranged: list[tuple[Letter, tuple[_Day, _Day]]],
    bars: list[Bar],
    bin_of: Callable[[_Day], int],
) -> tuple[Cell, ...]:
    """For each bar, the letters dated only to a range that takes in some of its time."""
    counts = [0] * len(bars)
    for _, (start, end) in ranged:
        for number in range(bin_of(start), bin_of(end) + 1):
            counts[number] += 1
    most = max(counts) or 1
    slot = bars[1].x - bars[0].x if len(bars) > 1 else bars[0].width / 0.8
    return tuple(
        Cell(
            bar.x - slot * 0.1,
            slot,
            count,
            0.15 + 0.85 * count / most,
            f"{bar.label}: {_letters(count)} dated only to a range that takes it in",
            bar.href,
        )
        for bar, count in zip(bars, counts, strict=True)
        if count
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


def _label(key: tuple[int, int], monthly: bool, step: int = 1, *, short: bool = False) -> str:
    """A bar's time as the page writes dates ("July 1932", "1932", "1930–1939"); ``short``
    for the axis, where a month is "Jul 1932"."""
    if monthly:
        return f"{(_SHORT_MONTHS if short else MONTHS)[key[1] - 1]} {key[0]}"
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
    return tuple(Tick(_LEFT + (n + 0.5) * bin_width, _label(bins[n], monthly, short=True)) for n in kept)


def _summary(
    dated: int,
    ranged: int,
    more: int,
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
    if ranged and more:
        parts.append(
            f"{ranged} of them dated only to a range: {ranged - more} drawn as lines, "
            f"{more} more only counted; the shaded band counts all {ranged} by {unit}"
        )
    elif ranged:
        parts.append(f"{ranged} of them dated only to a range, drawn as lines")
    if undated:
        parts.append(f"{_letters(undated)} undated")
    return "; ".join(parts) + "."


def _letters(count: int) -> str:
    return f"{count} letter" + ("" if count == 1 else "s")
