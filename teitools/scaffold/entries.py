"""``teitools new person|place|source``: a register entry with a fresh id, in the file's style.

The entry is text put before the list's closing tag (``</listPerson>``…), indented as the
entries already there, so that the rest of the register file is kept byte for byte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from teitools.model.dates import parse_iso
from teitools.scaffold.common import EditionFolder, ScaffoldError, fresh_id, register_ids, slug


@dataclass(frozen=True)
class EntryRequest:
    """An entry to make: ``kind`` is person, place or source; ``name`` the person's name
    (forenames, then the surname last), the place's name or the source's title. ``id``
    overrides the id made from the name; ``birth``/``death`` (persons), ``type`` (places),
    ``author`` and ``year`` (sources) are optional."""

    kind: str
    name: str
    id: str | None = None
    birth: str | None = None
    death: str | None = None
    type: str | None = None
    author: str | None = None
    year: str | None = None


@dataclass(frozen=True)
class NewEntry:
    """The entry's id and text, the register it belongs in, and that file with it added."""

    id: str
    text: str
    register: Path
    updated: str


#: For each kind: its register file, the list it goes in, and its element.
KINDS = {
    "person": ("persons.xml", "listPerson", "person"),
    "place": ("places.xml", "listPlace", "place"),
    "source": ("sources.xml", "listBibl", "bibl"),
}


def new_entry(folder: EditionFolder, request: EntryRequest) -> NewEntry:
    """The entry of ``request`` and its register with it added; :class:`ScaffoldError` for
    an id that is taken or a date that is not ISO."""
    file_name, list_name, _ = KINDS[request.kind]
    register = folder.root / file_name
    try:
        source = register.read_text(encoding="utf-8")
    except OSError as error:
        raise ScaffoldError(f"cannot read {register}: {error.strerror or error}") from None
    taken = register_ids(folder.edition) | set(re.findall(r'xml:id="([^"]+)"', source))
    if request.id is not None:
        if request.id in taken:
            raise ScaffoldError(f'xml:id="{request.id}" is already used in the registers; choose another')
        entry_id = request.id
    else:
        entry_id = fresh_id(_id_from(request), taken)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9._-]*", entry_id):
        raise ScaffoldError(f'"{entry_id}" cannot be an xml:id: give --id with letters, digits and hyphens')
    for label, value in (("--birth", request.birth), ("--death", request.death), ("--year", request.year)):
        if value is not None and parse_iso(value) is None:
            raise ScaffoldError(f'{label} "{value}" is not YYYY, YYYY-MM or YYYY-MM-DD')
    insertion = entry_insertion(source, request, entry_id)
    if insertion is None:
        raise ScaffoldError(f"{register}: no <{list_name}> to add the {request.kind} to")
    at, text = insertion
    return NewEntry(entry_id, text, register, source[:at] + text + source[at:])


def entry_insertion(source: str, request: EntryRequest, entry_id: str) -> tuple[int, str] | None:
    """Where in the register text ``source`` the entry goes (the start of its list's closing
    tag's line) and its text, indented as the entries there; None when the list is missing.
    ``teitools new`` and the language server's "add the entry" fix both write this."""
    closing = re.search(rf"^([ \t]*)</{KINDS[request.kind][1]}>", source, re.MULTILINE)
    if closing is None:
        return None
    indent = _entry_indent(source, closing.start(), closing[1])
    step = indent[len(closing[1]) :] or "  "
    lines = _lines(request, entry_id)
    return closing.start(), "\n".join(indent + step * depth + line for depth, line in lines) + "\n"


def _id_from(request: EntryRequest) -> str:
    if request.kind == "person":
        return slug(request.name.split()[-1]) or "person"
    if request.kind == "source":
        author = request.author.split()[-1] if request.author else request.name.split()[0]
        return "-".join(part for part in (slug(author), request.year and request.year[:4]) if part)
    return slug(request.name) or request.kind


def _entry_indent(source: str, before: int, list_indent: str) -> str:
    """The indentation of the entries already in the list (of its last line that opens one),
    else one step deeper than the list's closing tag."""
    opened = re.findall(r"^([ \t]*)<(?:person|org|place|bibl|biblStruct)\b", source[:before], re.MULTILINE)
    return opened[-1] if opened else list_indent + "  "


def _lines(request: EntryRequest, entry_id: str) -> list[tuple[int, str]]:
    name = escape(request.name)
    if request.kind == "person":
        *given, family = request.name.split()
        forename = f"<forename>{escape(' '.join(given))}</forename> " if given else ""
        lines = [
            (0, f"<person xml:id={quoteattr(entry_id)}>"),
            (1, f'<persName type="main">{forename}<surname>{escape(family)}</surname></persName>'),
        ]
        lines += [(1, f"<{tag} when={quoteattr(value)}/>") for tag, value in _life(request)]
        return [*lines, (0, "</person>")]
    if request.kind == "place":
        kind = f" type={quoteattr(request.type)}" if request.type else ""
        return [
            (0, f"<place xml:id={quoteattr(entry_id)}{kind}>"),
            (1, f'<placeName type="main">{name}</placeName>'),
            (0, "</place>"),
        ]
    lines = [(0, f"<bibl xml:id={quoteattr(entry_id)}>")]
    if request.author:
        *given, family = request.author.split()
        forename = f"<forename>{escape(' '.join(given))}</forename> " if given else ""
        lines.append(
            (1, f"<author><persName>{forename}<surname>{escape(family)}</surname></persName></author>,")
        )
    lines.append((1, f'<title level="a">{name}</title>'))
    if request.year:
        lines.append((1, f"<date when={quoteattr(request.year)}>{escape(request.year)}</date>"))
    return [*lines, (0, "</bibl>")]


def _life(request: EntryRequest) -> list[tuple[str, str]]:
    return [(tag, value) for tag, value in (("birth", request.birth), ("death", request.death)) if value]
