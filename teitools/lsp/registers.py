"""The register entries pointers name, as completion, hover and go to definition show them.

The letter model (:mod:`teitools.model.tei`) reads registers for export and keeps no
positions; an editor needs where each entry is and one line to show for it, so this reads
the register trees itself, once per register version.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from teitools.load.parser import TEI_NS, XML_NS
from teitools.model.elements import text_of
from teitools.validation.positions import SourceLines, line_of

_T = f"{{{TEI_NS}}}"
_XML_ID = f"{{{XML_NS}}}id"
_LISTS = ("listPerson", "listPlace", "listBibl", "listOrg")
#: Register entry kinds by element: what the hover's first line calls an entry.
KINDS = {
    "person": "person",
    "place": "place",
    "org": "organisation",
    "bibl": "source",
    "biblStruct": "source",
}
_NAMES = {"person": "persName", "place": "placeName", "org": "orgName"}


@dataclass(frozen=True)
class Entry:
    """One register entry: its id, what it is, its names and dates, and where it is."""

    id: str
    kind: str
    name: str
    variants: tuple[str, ...]
    dates: str
    authority: tuple[str, ...]
    file: str
    line: int
    column: int

    @property
    def detail(self) -> str:
        """The completion item's detail: the name and the dates, e.g. "Joseph Stalin, 1878–1953"."""
        return ", ".join(part for part in (self.name, self.dates) if part)

    def hover(self) -> str:
        """The entry as hover Markdown: name, kind, dates, variants, authority links, file."""
        lines = [f"**{_escape(self.name or self.id)}** ({self.kind}, `#{self.id}`)"]
        if self.dates:
            lines.append(f"Dates: {_escape(self.dates)}")
        if self.variants:
            lines.append(f"Also: {_escape('; '.join(self.variants))}")
        lines += [
            f"Authority: <{link}>" if "://" in link else f"Authority: {_escape(link)}"
            for link in self.authority
        ]
        lines.append(f"Defined in {_escape(self.file)}:{self.line}")
        return "\n\n".join(lines)


def _escape(text: str) -> str:
    # Names are data from the register: Markdown in them is shown, never interpreted.
    return "".join(f"\\{char}" if char in "\\`*_[]<>#|" else char for char in text)


def read_entries(tree: etree._ElementTree, file: str, data: bytes | None) -> list[Entry]:
    """The entries (elements with an ``xml:id`` in the register lists) of one register."""
    lines = SourceLines(Path(file), data)
    root = tree.getroot()
    found: list[Entry] = []
    for name in _LISTS:
        for listing in root.iter(f"{_T}{name}"):
            for element in listing.iter():
                if not isinstance(element.tag, str) or element.get(_XML_ID) is None:
                    continue
                found.append(_entry(element, file, lines))
    return found


def _entry(element: etree._Element, file: str, lines: SourceLines) -> Entry:
    local = etree.QName(element).localname
    names = [text_of(n) for n in element.findall(f"{_T}{_NAMES.get(local, 'persName')}")]
    if local in ("bibl", "biblStruct"):
        title = element.find(f".//{_T}title")
        names = [text_of(title)] if title is not None else [text_of(element)[:80]]
    main = element.find(f"{_T}persName[@type='main']")
    name = text_of(main) if main is not None else (names[0] if names else "")
    variants = tuple(n for n in names if n and n != name)
    return Entry(
        id=element.get(_XML_ID, ""),
        kind=KINDS.get(local, local),
        name=name,
        variants=variants,
        dates=_dates(element, local),
        authority=tuple(text_of(i) for i in element.findall(f"{_T}idno") if text_of(i)),
        file=file,
        line=line_of(element),
        column=lines.column_of(element, "xml:id"),
    )


def _dates(element: etree._Element, local: str) -> str:
    if local in ("bibl", "biblStruct"):
        date = element.find(f".//{_T}date")
        return (date.get("when") or text_of(date)) if date is not None else ""
    birth, death = element.find(f"{_T}birth"), element.find(f"{_T}death")
    born = (birth.get("when") or text_of(birth)) if birth is not None else ""
    died = (death.get("when") or text_of(death)) if death is not None else ""
    return f"{born}–{died}" if born or died else ""
