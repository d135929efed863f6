"""Who wrote to whom: a matrix of writers (rows) and recipients (columns).

A cell's square grows with the number of letters (its area is proportional to the count) and
links to the index filtered to those letters; each name links to the person's register entry.
A matrix rather than a network: every pair is readable, none hides behind another, and a
screen reader can walk it row by row. Copies (``cc``) count as received, as on the register.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from urllib.parse import quote

from markupsafe import Markup

from teitools.model.types import Edition
from teitools.render.links import CORRESPONDENTS_PAGE
from teitools.render.page import page
from teitools.render.templating import render
from teitools.site.links import Correspondent, correspondent

#: The chart shows the busiest writers and recipients, at most this many of each, so that it
#: stays legible; the table under it lists every pair.
MOST_SHOWN = 30
_CELL = 34.0
_NAME_WIDTH = 170.0
_HEADER_HEIGHT = 120.0


@dataclass(frozen=True)
class Cell:
    x: float
    y: float
    size: float
    count: int
    writer: str
    recipient: str
    href: str

    @property
    def label(self) -> str:
        return f"{self.writer} to {self.recipient}: {self.count} letter{'s' if self.count != 1 else ''}"


@dataclass(frozen=True)
class Matrix:
    name_width: float
    header_height: float
    width: float
    height: float
    writers: tuple[tuple[Correspondent, float], ...]
    recipients: tuple[tuple[Correspondent, float], ...]
    cells: tuple[Cell, ...]
    letters: int
    #: Every pair, busiest first: (writer, recipient, letters, link).
    pairs: tuple[tuple[str, str, int, str], ...]
    left_out: tuple[int, int]  # writers and recipients not in the chart


def matrix(edition: Edition) -> Matrix | None:
    """The matrix of the edition's letters; None when no letter names both a writer and a recipient."""
    pairs: Counter[tuple[str, str]] = Counter()
    people: dict[str, Correspondent] = {}
    counted = 0
    for letter in edition.letters:
        before = sum(pairs.values())
        for sender in letter.senders:
            for recipient in (*letter.recipients, *letter.redirections):
                wrote, read = correspondent(sender, edition), correspondent(recipient, edition)
                if wrote is None or read is None:
                    continue
                people.setdefault(wrote.key, wrote)
                people.setdefault(read.key, read)
                pairs[(wrote.key, read.key)] += 1
        counted += sum(pairs.values()) > before
    if not pairs:
        return None
    sent: Counter[str] = Counter()
    received: Counter[str] = Counter()
    for (writer, reader), count in pairs.items():
        sent[writer] += count
        received[reader] += count
    every_row = sorted(sent, key=lambda key: (-sent[key], people[key].name.casefold(), key))
    every_column = sorted(received, key=lambda key: (-received[key], people[key].name.casefold(), key))
    rows, columns = every_row[:MOST_SHOWN], every_column[:MOST_SHOWN]
    most = max(pairs.values())
    cells = []
    for row, writer in enumerate(rows):
        for column, reader in enumerate(columns):
            count = pairs.get((writer, reader), 0)
            if not count:
                continue
            size = _CELL * 0.9 * math.sqrt(count / most)
            centre_x = _NAME_WIDTH + (column + 0.5) * _CELL
            centre_y = _HEADER_HEIGHT + (row + 0.5) * _CELL
            cells.append(
                Cell(
                    centre_x - size / 2,
                    centre_y - size / 2,
                    size,
                    count,
                    people[writer].name,
                    people[reader].name,
                    _link(writer, reader),
                )
            )
    ranked = sorted(
        pairs.items(), key=lambda item: (-item[1], people[item[0][0]].name, people[item[0][1]].name)
    )
    return Matrix(
        name_width=_NAME_WIDTH,
        header_height=_HEADER_HEIGHT,
        # The recipients' names slant up to the right beyond the last column.
        width=_NAME_WIDTH + len(columns) * _CELL + _HEADER_HEIGHT * 0.8,
        height=_HEADER_HEIGHT + len(rows) * _CELL + 4,
        writers=tuple((people[key], _HEADER_HEIGHT + (n + 0.5) * _CELL) for n, key in enumerate(rows)),
        recipients=tuple((people[key], _NAME_WIDTH + (n + 0.5) * _CELL) for n, key in enumerate(columns)),
        cells=tuple(cells),
        letters=counted,
        pairs=tuple(
            (people[writer].name, people[reader].name, count, _link(writer, reader))
            for (writer, reader), count in ranked
        ),
        left_out=(len(every_row) - len(rows), len(every_column) - len(columns)),
    )


def _link(writer: str, reader: str) -> str:
    return f"index.html?sender={quote(writer, safe='')}&recipient={quote(reader, safe='')}"


def correspondents_page(edition: Edition, site_footer: Markup) -> str:
    """The page with the matrix (or a sentence saying why there is none)."""
    main = render("correspondents.html", matrix=matrix(edition))
    return page("Correspondents", main, current=CORRESPONDENTS_PAGE, footer=site_footer)
