"""RIS export, in the shape Zotero's RIS import keeps a letter in a published volume.

A letter printed in a volume is ``TY  - CHAP`` (Zotero's "Book Section"): ``AU`` the
sender(s), ``TI`` a title naming writer and recipient(s) ("Joseph Stalin to Lazar
Kaganovich"), ``DA`` the letter's date, ``T2`` the volume, ``A2`` its editors (Zotero reads
``A2`` of a CHAP as editors), ``A4`` its translators, ``T3`` the series, ``PB``/``CY`` the
imprint. Zotero's book section has no recipient role: the recipients are in the title and
in an ``N1`` note. A letter in no volume is ``TY  - PCOMM`` (Zotero's "Letter") with the
recipients in ``A2``, which Zotero reads as recipients there. A date that is no single day,
month or year (a range, an open bound, a text) is also written out in an ``N1`` note, since
Zotero's RIS import keeps only the year, month and day of ``DA`` and drops its free-text
part. Lines end with CRLF, as the RIS specification asks; every value is put on one line,
since a line break in a value would start a line of its own (a second record, if it read
``ER  -`` then ``TY  -``).
"""

from __future__ import annotations

from teitools.cite.mapping import Citable, Name, citables, single_line, uncertainty_notes
from teitools.export.base import ExportOptions, ExportResult
from teitools.model.types import UNCERTAIN, DateSpan, Edition
from teitools.render.dates import date_phrase

FILE_NAME = "letters.ris"
EOL = "\r\n"


def ris_date(span: DateSpan | None) -> str | None:
    """RIS ``DA``: ``1935/08/22/``, ``1932/07//``; a range or open date gives its earliest
    known parts and says the rest in the free-text part: ``1930///between 1930 and …``."""
    if span is None:
        return None
    start = span.when or span.not_before or span.not_after
    if start is None:
        return None
    parts = f"{start.year:04d}/{_two(start.month)}/{_two(start.day)}/"
    if span.when is not None and span.cert not in UNCERTAIN:
        return parts
    return parts + date_phrase(span)


def date_note(span: DateSpan | None) -> str | None:
    """ "Date: between 1930 and 7 August 1932 (uncertain)." for a date that is no single day,
    month or year. ``DA`` says it in its free-text part, but Zotero's RIS import (the ``RIS.js``
    translator) keeps only the year, month and day of ``DA``: without the note such a letter
    would arrive dated by its earliest bound alone, or (a date given only as text) undated."""
    if span is None or span.when is not None:
        return None
    if span.not_before is None and span.not_after is None and not span.text.strip():
        return None
    return f"Date: {date_phrase(span)}."


def record(citable: Citable) -> str:
    """One RIS record, ending with ``ER  -``."""
    volume = citable.volume
    date = citable.date
    start = date.when or date.not_before or date.not_after if date else None
    lines: list[tuple[str, str | None]] = [
        ("TY", "CHAP" if volume is not None else "PCOMM"),
        ("ID", citable.key),
        *[("AU", n.inverted()) for n in citable.senders],
    ]
    if volume is None:
        lines += [("A2", n.inverted()) for n in citable.recipients]
    lines += [
        ("TI", citable.full_title),
        ("DA", ris_date(date)),
        ("PY", f"{start.year:04d}" if start else None),
        # M3 is Zotero's letter type for a letter; for a book section it would be read as a DOI.
        ("M3", citable.kind if volume is None else None),
        ("LA", citable.letter.language),
    ]
    if volume is not None:
        lines += [
            ("T2", volume.title or None),
            *[("A2", Name(e.family, e.given, e.literal).inverted()) for e in volume.editors],
            *[("A4", Name(e.family, e.given, e.literal).inverted()) for e in volume.translators],
            ("T3", volume.series or None),
            ("PB", volume.publisher or None),
            ("CY", volume.place or None),
            ("N1", f"Recipient(s): {'; '.join(n.display() for n in citable.recipients)}"),
            ("N1", f"{citable.kind.capitalize()}." if citable.kind else None),
            ("N1", f"Published in: {published_in(citable)}"),
        ]
    lines.append(("N1", date_note(date)))
    lines += [("N1", note) for note in uncertainty_notes(citable)]
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {single_line(value)}{EOL}" for tag, value in lines if value is not None)


def published_in(citable: Citable) -> str:
    """The volume as a reference: "R. W. Davies et al., eds., Title (Place: Publisher, 2003)"."""
    volume = citable.volume
    if volume is None:
        return ""
    editors = [Name(e.family, e.given, e.literal).display() for e in volume.editors]
    if len(editors) > 3:
        who = f"{editors[0]} et al., eds., "
    elif editors:
        who = " and ".join(editors) if len(editors) < 3 else f"{editors[0]}, {editors[1]} and {editors[2]}"
        who += ", eds., " if len(editors) > 1 else ", ed., "
    else:
        who = ""
    imprint = ", ".join(
        p
        for p in (
            ": ".join(p for p in (volume.place, volume.publisher) if p),
            str(volume.year) if volume.year else "",
        )
        if p
    )
    return f"{who}{volume.title}" + (f" ({imprint})" if imprint else "")


def export(edition: Edition, options: ExportOptions) -> ExportResult:
    """The ``ris`` format: one file, records sorted by date then id, a blank line between."""
    return ExportResult({FILE_NAME: EOL.join(record(c) for c in citables(edition))})


def _two(number: int | None) -> str:
    return f"{number:02d}" if number is not None else ""
