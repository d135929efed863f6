"""Partial ISO 8601 dates as TEI uses them: ``YYYY``, ``YYYY-MM`` and ``YYYY-MM-DD``."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_LOOSE = re.compile(r"^\s*(\d{4})\s*[-./]\s*(\d{1,2})(?:\s*[-./]\s*(\d{1,2}))?\s*$")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    def iso(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
        return text

    def earliest(self) -> tuple[int, int, int]:
        """The first day this date can mean, as (year, month, day)."""
        return (self.year, self.month or 1, self.day or 1)

    def latest(self) -> tuple[int, int, int]:
        """The last day this date can mean, as (year, month, day)."""
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return (self.year, month, day)


def parse_iso(value: str) -> PartialDate | None:
    """Parse a well-formed, real calendar date; None for anything else."""
    match = _ISO.match(value)
    if match is None:
        return None
    return _checked(int(match[1]), match[2], match[3])


def suggest_iso(value: str) -> str | None:
    """A corrected form of a near-miss such as ``1932-7-1`` (-> ``1932-07-01``), or None."""
    match = _LOOSE.match(value)
    if match is None:
        return None
    date = _checked(int(match[1]), match[2], match[3])
    return date.iso() if date is not None and date.iso() != value else None


def _checked(year: int, month_text: str | None, day_text: str | None) -> PartialDate | None:
    if month_text is None:
        return PartialDate(year)
    month = int(month_text)
    if not 1 <= month <= 12:
        return None
    if day_text is None:
        return PartialDate(year, month)
    day = int(day_text)
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return PartialDate(year, month, day)
