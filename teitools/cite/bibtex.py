"""BibLaTeX and BibTeX export.

BibLaTeX: a letter in a volume is ``@incollection`` (every biblatex style, standard or
biblatex-chicago, has a driver for it; the standard styles have none for ``@letter``), titled
with writer, recipient(s) and the letter's date ("Joseph Stalin to Lazar Kaganovich, August
22, 1935", the form of CMOS 14.111), ``shorttitle`` "Stalin to Kaganovich" for short notes,
``origdate`` the letter's date, and the volume written out (``booktitle``, ``editor``,
``translator``, ``series``, ``publisher``, ``location``, ``date`` = its year), since only some
styles follow ``crossref``. A letter in no volume is ``@letter``. BibTeX: ``@incollection``
the same way (``@misc`` without a volume), for plain and natbib styles.

Values keep UTF-8 (Cyrillic, diacritics: biber and modern LaTeX read them); only the
characters TeX treats specially are escaped, so braces stay balanced whatever a value holds, and
every value is on one line. Titles are wrapped in an extra pair of braces
so that styles which change case leave "Stalin to Kaganovich" as it is.
"""

from __future__ import annotations

from collections.abc import Iterable

from teitools.cite.mapping import (
    Citable,
    Name,
    citables,
    csl_date,
    is_circa,
    single_line,
    uncertainty_notes,
    us_date,
)
from teitools.export.base import ExportOptions, ExportResult
from teitools.model.dates import PartialDate
from teitools.model.types import DateSpan, Edition

BIBLATEX_FILE = "letters.bib"
BIBTEX_FILE = "letters-bibtex.bib"

_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


#: Braces when a value's own are not balanced: BibTeX and biber count ``\\{`` and ``\\}`` as
#: braces too, so a lone ``\\}`` would end the field and let the rest of the value write fields
#: or entries of its own.
_UNBALANCED = {"{": r"\textbraceleft{}", "}": r"\textbraceright{}"}


def escape(text: str) -> str:
    """Escape the characters TeX treats specially (``& % # _ { } $ ~ ^ \\``); keep the rest."""
    special = _ESCAPES if _balanced(text) else {**_ESCAPES, **_UNBALANCED}
    return "".join(special.get(c, c) for c in text)


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def names(people: Iterable[Name]) -> str:
    """A BibTeX name list: "Davies, R. W. and Khlevniuk, Oleg V."; literal names braced."""
    parts = []
    for name in people:
        if name.family and not name.conjectural:
            family = escape(name.family)
            # A family name with a space or comma would be split by BibTeX: keep it whole.
            family = f"{{{family}}}" if " " in family or "," in family else family
            parts.append(f"{family}, {escape(name.given)}" if name.given else family)
        else:
            parts.append(f"{{{escape(name.display())}}}")
    return " and ".join(parts)


def edtf(span: DateSpan | None) -> str | None:
    """A biblatex date: ``1935-08-22``, ``1932-07``, ``1930?/1932-08-07?``, ``1930/..``."""
    if span is None:
        return None
    mark = "?" if is_circa(span) else ""
    if span.when is not None:
        return span.when.iso() + mark
    start = _iso(span.not_before, mark) or ".."
    end = _iso(span.not_after, mark) or ".."
    return None if start == end == ".." else f"{start}/{end}"


def biblatex_entry(citable: Citable) -> str:
    """One ``@incollection`` entry (``@letter`` for a letter printed in no volume)."""
    fields = [
        ("author", names(citable.senders)),
        ("title", f"{{{escape(dated_title(citable))}}}"),
        ("shorttitle", f"{{{escape(citable.title)}}}"),
        ("origdate" if citable.volume is not None else "date", edtf(citable.date)),
        *_volume_fields(citable, "location", "date"),
        ("type", escape(citable.kind) if citable.kind else None),
        ("langid", _langid(citable.letter.language)),
        ("note", escape(" ".join(uncertainty_notes(citable))) or None),
    ]
    return _entry("incollection" if citable.volume is not None else "letter", citable.key, fields)


def dated_title(citable: Citable) -> str:
    """ "Joseph Stalin to Lazar Kaganovich, August 22, 1935"; an uncertain range bracketed."""
    date = csl_date(citable.date)
    if date is None:
        return citable.full_title
    literal = date.get("literal")
    parts = date.get("date-parts")
    if isinstance(literal, str):
        when = literal
    elif isinstance(parts, list) and parts:
        when = us_date(PartialDate(*parts[0]))
        when = f"[{when}?]" if date.get("circa") else when
    else:
        return citable.full_title
    return f"{citable.full_title}, {when}"


def bibtex_entry(citable: Citable) -> str:
    """One ``@incollection`` entry (``@misc`` for a letter not printed in a volume)."""
    note = " ".join(
        [*([citable.kind.capitalize() + "."] if citable.kind else []), *uncertainty_notes(citable)]
    )
    fields = [
        ("author", names(citable.senders)),
        ("title", f"{{{escape(dated_title(citable))}}}"),
        *_volume_fields(citable, "address", "year"),
        ("year", _letter_year(citable) if citable.volume is None else None),
        ("note", escape(note) or None),
    ]
    # Without a volume there is nothing to be "in": an unpublished letter is @misc.
    return _entry("incollection" if citable.volume else "misc", citable.key, fields)


def export_biblatex(edition: Edition, options: ExportOptions) -> ExportResult:
    """The ``biblatex`` format: one file, entries sorted by date then id."""
    return ExportResult({BIBLATEX_FILE: "\n".join(biblatex_entry(c) for c in citables(edition))})


def export_bibtex(edition: Edition, options: ExportOptions) -> ExportResult:
    """The ``bibtex`` format: one file, entries sorted by date then id."""
    return ExportResult({BIBTEX_FILE: "\n".join(bibtex_entry(c) for c in citables(edition))})


def _volume_fields(citable: Citable, place: str, year: str) -> list[tuple[str, str | None]]:
    volume = citable.volume
    if volume is None:
        return []
    editors = [Name(e.family, e.given, e.literal) for e in volume.editors]
    translators = [Name(e.family, e.given, e.literal) for e in volume.translators]
    return [
        ("booktitle", f"{{{escape(volume.title)}}}" if volume.title else None),
        ("editor", names(editors) or None),
        ("translator", names(translators) if translators and place == "location" else None),
        ("series", f"{{{escape(volume.series)}}}" if volume.series else None),
        ("publisher", escape(volume.publisher) or None),
        (place, escape(volume.place) or None),
        (year, str(volume.year) if volume.year is not None else None),
    ]


def _entry(entry_type: str, key: str, fields: Iterable[tuple[str, str | None]]) -> str:
    present = [(name, value) for name, value in fields if value]
    width = max(len(name) for name, _ in present)
    lines = [f"  {name.ljust(width)} = {{{single_line(value)}}}," for name, value in present]
    return f"@{entry_type}{{{key},\n" + "\n".join(lines) + "\n}\n"


def _letter_year(citable: Citable) -> str | None:
    span = citable.date
    start = (span.when or span.not_before or span.not_after) if span else None
    return str(start.year) if start is not None else None


def _iso(date: PartialDate | None, mark: str) -> str:
    return date.iso() + mark if date is not None else ""


def _langid(language: str | None) -> str | None:
    """biblatex's babel/polyglossia language names for the languages letters are in."""
    known = {
        "en": "english",
        "ru": "russian",
        "de": "german",
        "fr": "french",
        "it": "italian",
        "es": "spanish",
        "pl": "polish",
        "uk": "ukrainian",
        "cs": "czech",
    }
    return known.get((language or "").split("-")[0].lower())
