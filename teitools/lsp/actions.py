"""Fixes for findings, offered as code actions: what the finding's message says to do.

Each fix is text edits, found from the finding (rule, message, where it starts) and the
buffer's text: apply a "Did you mean" (an element's or attribute's name, a value, a date),
write a date in ISO form, add the ``#`` a pointer lacks, add a missing register entry.
A person, place or source entry is the one ``teitools new`` writes
(:func:`teitools.scaffold.entries.entry_insertion`), named as the letter names it; an
organisation, which ``teitools new`` does not make, gets its id and name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from teitools.lsp.text import POINTER_ATTRIBUTES, Span, finding_span, value_span
from teitools.model.dates import suggest_iso
from teitools.scaffold.entries import EntryRequest, entry_insertion

_ELEMENT_HINT = re.compile(r"Did you mean <([\w:.-]+)>\?")
_ATTRIBUTE_HINT = re.compile(r"Did you mean @([\w:.-]+)\?")
_VALUE_HINT = re.compile(r'Did you mean "([^"]*)"\?')
_DATE_HINT = re.compile(r"[Dd]id you mean (\d{4}(?:-\d{2}){0,2})\?")
_FIRST_ATTRIBUTE = re.compile(r'@?([\w:.-]+)="([^"]*)"')
#: Where a missing entry goes, by the element that points at it: register file, list, entry.
REGISTER_FOR = {
    "persName": ("persons.xml", "listPerson", "person", "persName"),
    "orgName": ("persons.xml", "listOrg", "org", "orgName"),
    "placeName": ("places.xml", "listPlace", "place", "placeName"),
}
_SOURCE_REGISTER = ("sources.xml", "listBibl", "bibl", "title")
#: The entries ``teitools new`` makes, by the register element.
_SCAFFOLD_KINDS = {"person": "person", "place": "place", "bibl": "source"}


@dataclass(frozen=True)
class Edit:
    """Replace ``span`` of ``file`` with ``text``."""

    file: str
    span: Span
    text: str


@dataclass(frozen=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]


def fixes(
    file: str,
    lines: list[str],
    finding: tuple[int, int, str, str],
    registers: dict[str, list[str]],
    known_ids: set[str],
) -> list[Fix]:
    """The fixes for one finding at 1-based (line, column) with its rule and message in
    ``file`` (whose text is ``lines``); ``registers`` maps register file names to their files'
    text (to add an entry to), ``known_ids`` the register ids (to add a ``#`` only to a real one)."""
    line, column, rule, message = finding
    span = finding_span(lines, line, column, message)
    row, col = span.start
    if not 0 <= row < len(lines):
        return []
    found: list[Fix] = []
    if (hint := _ELEMENT_HINT.search(message)) is not None:
        found += _rename_element(file, lines, span, hint[1])
    if (hint := _ATTRIBUTE_HINT.search(message)) is not None:
        name = re.match(r"[\w:.-]+", lines[row][col:])
        if name is not None:
            edit = Edit(file, Span((row, col), (row, col + name.end())), hint[1])
            found.append(Fix(f"Rename the attribute to @{hint[1]}", (edit,)))
    attribute = _FIRST_ATTRIBUTE.search(message)
    value = value_span(lines, row, col, attribute[1]) if attribute else None
    if (hint := _VALUE_HINT.search(message)) is not None and value is not None:
        found.append(Fix(f'Change the value to "{hint[1]}"', (Edit(file, value, hint[1]),)))
    if attribute is not None and value is not None and rule in ("date-format", "rng-invalid"):
        date = _DATE_HINT.search(message)
        suggestion = date[1] if date else suggest_iso(attribute[2]) if rule == "date-format" else None
        if suggestion:
            found.append(Fix(f'Write the date as "{suggestion}"', (Edit(file, value, suggestion),)))
    if attribute is not None and value is not None and attribute[1] in POINTER_ATTRIBUTES:
        tokens = attribute[2].split()
        if tokens and any(t in known_ids for t in tokens) and not any(t.startswith("#") for t in tokens):
            fixed = " ".join(f"#{t}" for t in tokens)
            found.append(Fix(f'Add the missing "#": {fixed}', (Edit(file, value, fixed),)))
    if rule == "ref-unresolved" and attribute is not None:
        found += _add_entry(lines, row, col, attribute[2].lstrip("#"), registers)
    return found


def _rename_element(file: str, lines: list[str], span: Span, new: str) -> list[Fix]:
    row, col = span.start
    name = re.match(r"<([\w:.-]+)", lines[row][col:])
    if name is None:
        return []
    old = name[1]
    edits = [Edit(file, Span((row, col + 1), (row, col + 1 + len(old))), new)]
    end_row, end_col = span.end
    if not lines[end_row][:end_col].endswith("/>"):
        closing = _closing_tag(lines, end_row, end_col, old)
        if closing is not None:
            edits.append(Edit(file, closing, new))
    return [Fix(f"Rename <{old}> to <{new}>", tuple(edits))]


def _closing_tag(lines: list[str], row: int, col: int, name: str) -> Span | None:
    """The name in the ``</name>`` that closes the element whose start tag ends at row:col
    (the same name opened in between is counted, so a nested one is skipped)."""
    depth = 0
    pattern = re.compile(rf"<(/?){re.escape(name)}(?=[\s/>])([^>]*?)(/?)>")
    for at_row in range(row, len(lines)):
        for match in pattern.finditer(lines[at_row], col if at_row == row else 0):
            if match[1]:
                if depth == 0:
                    return Span((at_row, match.start() + 2), (at_row, match.start() + 2 + len(name)))
                depth -= 1
            elif not match[3]:
                depth += 1
    return None


def _add_entry(
    lines: list[str], row: int, col: int, entry_id: str, registers: dict[str, list[str]]
) -> list[Fix]:
    start = lines[row].rfind("<", 0, col + 1)
    element = re.match(r"<([\w:.-]+)", lines[row][start:]) if start >= 0 else None
    if element is None or not re.fullmatch(r"[A-Za-z_][\w.-]*", entry_id):
        return []
    register, listing, tag, name_tag = REGISTER_FOR.get(element[1], _SOURCE_REGISTER)
    target = next((file for file in registers if file.rsplit("/", 1)[-1] == register), None)
    if target is None:
        return []
    text = registers[target]
    kind = _SCAFFOLD_KINDS.get(tag)
    if kind is not None:
        named = re.match(r"[^<]*", lines[row][lines[row].find(">", start) + 1 :])
        name = " ".join(named[0].split()) if named and named[0].strip() else entry_id
        source = "\n".join(text)
        insertion = entry_insertion(source, EntryRequest(kind, name, id=entry_id), entry_id)
        if insertion is None:
            return []
        at, entry_text = insertion
        position = (source.count("\n", 0, at), 0)
        edit = Edit(target, Span(position, position), entry_text)
        return [Fix(f'Add <{tag} xml:id="{entry_id}"> to {register}', (edit,))]
    closing = next((i for i, text_line in enumerate(text) if text_line.strip() == f"</{listing}>"), None)
    if closing is None:
        return []
    outer = text[closing][: len(text[closing]) - len(text[closing].lstrip())]
    inner = outer + "  "
    extra = ' type="main"' if tag in ("person", "place") else ""
    entry = (
        f'{inner}<{tag} xml:id="{entry_id}">\n'
        f"{inner}  <{name_tag}{extra}>{entry_id}</{name_tag}>\n"
        f"{inner}</{tag}>\n"
    )
    edit = Edit(target, Span((closing, 0), (closing, 0)), entry)
    return [Fix(f'Add <{tag} xml:id="{entry_id}"> to {register}', (edit,))]
