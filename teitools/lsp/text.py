"""Where things are in a buffer's text: the spans findings cover and what the cursor is in.

The buffer an encoder is typing is often not well-formed, so nothing here parses it as XML:
the start tag, attribute or pointer at a position is found by scanning the text around it.
Columns are counted in characters (code points), as findings count them; the server turns
them into the client's units (UTF-16 by default) at the edge, with pygls's position codec.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Attributes whose ``#id`` tokens point at register entries (as the cross-file checks read them).
POINTER_ATTRIBUTES = frozenset({"ref", "corresp", "source", "resp"})
#: The pointers completion offers register ids in.
COMPLETED_POINTERS = frozenset({"ref", "corresp", "source"})

_NAME = r"[^\s<>/=\"'!?]+"
_ATTRIBUTE = re.compile(rf"({_NAME})\s*=\s*(\"[^\"]*\"|'[^']*')")
# Markup that opens or closes no element, and start/end tags, for the open-element scan.
_TOKENS = re.compile(
    rf"<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>|<!DOCTYPE[^>]*>|</({_NAME})\s*>"
    rf"|<({_NAME})(?:\"[^\"]*\"|'[^']*'|[^'\">])*?(/?)>",
    re.DOTALL,
)


@dataclass(frozen=True)
class Span:
    """From (line, column) to (line, column), 0-based, columns in characters."""

    start: tuple[int, int]
    end: tuple[int, int]


_NAMED_ATTRIBUTE = re.compile(r'@([\w:.-]+)="([^"]*)"')


def finding_span(lines: list[str], line: int, column: int, message: str = "") -> Span:
    """What a finding at 1-based ``line``:``column`` covers: the start tag that begins there
    (to its ``>``, over several lines if need be), the attribute (name and value), or else the
    line's text; the start of the document for a finding without a position.

    Findings give the column of the first such attribute on the line; when the ``message``
    names the attribute and its value (``@ref="#omsk"``), the one with that value is covered."""
    if not 0 < line <= len(lines):
        return Span((0, 0), (0, 0))
    row, col = line - 1, max(column - 1, 0)
    text = lines[row]
    named = _NAMED_ATTRIBUTE.search(message)
    if named is not None:
        written = re.search(rf'(?<![\w:.-]){re.escape(named[1])}\s*=\s*"{re.escape(named[2])}"', text)
        if written is not None:
            return Span((row, written.start()), (row, written.end()))
    if col < len(text) and text[col] == "<":
        return Span((row, col), _tag_end(lines, row, col))
    attribute = _ATTRIBUTE.match(text, col)
    if attribute is not None:
        return Span((row, col), (row, attribute.end()))
    stripped = len(text) - len(text.lstrip())
    return Span((row, stripped), (row, len(text.rstrip())))


def _tag_end(lines: list[str], row: int, col: int) -> tuple[int, int]:
    quote = ""
    for at_row in range(row, len(lines)):
        text = lines[at_row]
        for at_col in range(col + 1 if at_row == row else 0, len(text)):
            char = text[at_col]
            if quote:
                quote = "" if char == quote else quote
            elif char in "\"'":
                quote = char
            elif char == ">":
                return (at_row, at_col + 1)
            elif char == "<":  # a half-typed tag ends where the next one starts
                return (at_row, at_col)
    return (row, len(lines[row]))


@dataclass(frozen=True)
class Cursor:
    """What the cursor is in, for completion.

    ``kind``: ``element`` (typing a start tag's name), ``attribute`` (an attribute's name in a
    start tag), ``value`` (inside an attribute's quotes) or ``content`` (between tags).
    ``element`` is the start tag's name (for ``content``, the enclosing element's);
    ``ancestors`` the open elements around the tag, outermost first. ``typed`` is what was
    typed of the token being completed, which starts at ``token_start`` (an offset).
    """

    kind: str
    element: str | None
    ancestors: tuple[str, ...]
    attribute: str | None = None
    typed: str = ""
    token_start: int = 0
    present: frozenset[str] = frozenset()


def cursor_at(text: str, offset: int) -> Cursor:
    """The :class:`Cursor` at ``offset`` of ``text``."""
    before = text[:offset]
    opening = before.rfind("<")
    if opening == -1 or before.rfind(">") > opening or before.startswith(("<!--", "<?"), opening):
        ancestors = open_elements(before)
        return Cursor("content", ancestors[-1] if ancestors else None, ancestors[:-1], token_start=offset)
    ancestors = open_elements(before[:opening])
    inside = before[opening + 1 :]
    name = re.match(_NAME, inside)
    if name is None or name.end() == len(inside):  # typing the name itself
        typed = name[0] if name else ""
        return Cursor("element", None, ancestors, typed=typed, token_start=offset - len(typed))
    rest = inside[name.end() :]
    present = frozenset(m[1] for m in _ATTRIBUTE.finditer(rest))
    unclosed = re.search(rf"({_NAME})\s*=\s*([\"'])([^\"']*)$", rest)
    if unclosed is not None:
        value = unclosed[3]
        token = value.rsplit(None, 1)[-1] if value and not value[-1].isspace() else ""
        return Cursor("value", name[0], ancestors, unclosed[1], token, offset - len(token), present)
    typed_name = re.search(rf"\s({_NAME})?$", rest)
    typed = (typed_name[1] or "") if typed_name else ""
    return Cursor("attribute", name[0], ancestors, None, typed, offset - len(typed), present)


def open_elements(text: str) -> tuple[str, ...]:
    """The elements still open at the end of ``text``, outermost first."""
    stack: list[str] = []
    for token in _TOKENS.finditer(text):
        closing, opening, empty = token[1], token[2], token[3]
        if closing:
            if closing in stack:
                del stack[len(stack) - 1 - stack[::-1].index(closing) :]
        elif opening and not empty:
            stack.append(opening)
    return tuple(stack)


@dataclass(frozen=True)
class Pointer:
    """One ``#id`` token of a pointer attribute, or an ``xml:id``, under the cursor."""

    attribute: str
    target: str
    span: Span


def pointer_at(lines: list[str], row: int, col: int) -> Pointer | None:
    """The ``#id`` token of a pointer attribute (or the ``xml:id`` value) at row:col."""
    if not 0 <= row < len(lines):
        return None
    text = lines[row]
    for attribute in _ATTRIBUTE.finditer(text):
        name = attribute[1]
        value_start = attribute.start(2) + 1
        value_end = attribute.end(2) - 1
        if not value_start <= col <= value_end:
            continue
        if name == "xml:id":
            return Pointer(name, text[value_start:value_end], Span((row, value_start), (row, value_end)))
        if name not in POINTER_ATTRIBUTES:
            return None
        for token in re.finditer(r"\S+", text[value_start:value_end]):
            start, end = value_start + token.start(), value_start + token.end()
            if start <= col <= end and token[0].startswith("#"):
                return Pointer(name, token[0][1:], Span((row, start), (row, end)))
        return None
    return None


def pointer_spans(lines: list[str], target: str) -> list[Span]:
    """Every ``#target`` token of a pointer attribute in ``lines``."""
    found = []
    for row, text in enumerate(lines):
        if f"#{target}" not in text:
            continue
        for attribute in _ATTRIBUTE.finditer(text):
            if attribute[1] not in POINTER_ATTRIBUTES:
                continue
            value_start = attribute.start(2) + 1
            for token in re.finditer(r"\S+", attribute[2][1:-1]):
                if token[0] == f"#{target}":
                    found.append(Span((row, value_start + token.start()), (row, value_start + token.end())))
    return found


def value_span(lines: list[str], row: int, col: int, attribute: str) -> Span | None:
    """The value (inside the quotes) of ``attribute`` in the start tag at row:col."""
    if not 0 <= row < len(lines):
        return None
    for at_row in range(row, min(row + 20, len(lines))):
        text = lines[at_row]
        for match in _ATTRIBUTE.finditer(text, col if at_row == row else 0):
            if match[1] == attribute:
                return Span((at_row, match.start(2) + 1), (at_row, match.end(2) - 1))
        if ">" in text[col if at_row == row else 0 :]:
            return None
    return None
