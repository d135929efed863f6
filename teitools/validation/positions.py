"""Columns for findings: libxml2 gives lines, encoders also want the column."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

from lxml import etree


class SourceLines:
    """The lines of a document, read only when a finding needs a column; ``data``, the bytes
    already read, saves reading the file again."""

    def __init__(self, path: Path, data: bytes | None = None) -> None:
        self._path = path
        self._data = data

    @cached_property
    def _lines(self) -> list[str]:
        try:
            data = self._data if self._data is not None else self._path.read_bytes()
        except OSError:  # standard input named after a file that does not exist: columns unknown
            return []
        encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8"
        return data.decode(encoding, errors="replace").splitlines()

    def line(self, number: int) -> str:
        """The text of the 1-based line ``number``; empty past the end."""
        return self._lines[number - 1] if 0 < number <= len(self._lines) else ""

    def column_of_attribute(self, line: int, attribute: str) -> int:
        """1-based column of the first ``attribute=`` on ``line``; 1 when it is not found."""
        if not 0 < line <= len(self._lines):
            return 1
        match = re.search(rf"(?<![\w:.-]){re.escape(attribute)}\s*=", self._lines[line - 1])
        return match.start() + 1 if match else 1

    def position_of_text(self, line: int, text: str) -> tuple[int, int]:
        """Line and column of ``text``'s first word on ``line`` or after it; ``(line, 1)`` when
        it is not found (an entity or character reference may spell it differently)."""
        word = text.split(maxsplit=1)[0] if text.split() else ""
        for number in range(max(line, 1), len(self._lines) + 1):
            found = self._lines[number - 1].find(word) if word else -1
            if found >= 0:
                return number, found + 1
        return line, 1

    def column_of(self, element: etree._Element, attribute: str | None = None) -> int:
        """1-based column of ``element``'s start tag (or of ``attribute`` in it) on its line."""
        line = line_of(element)
        if not 0 < line <= len(self._lines):
            return 1
        text = self._lines[line - 1]
        tag = element.tag if isinstance(element.tag, str) else ""
        local = etree.QName(tag).localname if tag else ""
        prefix = element.prefix
        qname = f"{prefix}:{local}" if prefix else local
        # The n-th start tag of that name on the line is the n-th such element starting there.
        starts = list(re.finditer(rf"<{re.escape(qname)}(?=[\s/>]|$)", text))
        if not starts:
            return 1
        match = starts[min(_ordinal_on_line(element, line), len(starts) - 1)]
        if attribute:
            # Within this start tag: another element's attribute of that name is not this one's.
            end = text.find(">", match.end())
            attr_match = re.compile(rf"\s({re.escape(attribute)})\s*=").search(
                text, match.end(), end if end >= 0 else len(text)
            )
            if attr_match:
                return attr_match.start(1) + 1
        return match.start() + 1


def _ordinal_on_line(element: etree._Element, line: int) -> int:
    """How many elements of ``element``'s name start on its line before it."""
    if not isinstance(element.tag, str):
        return 0
    count = 0
    for other in element.getroottree().iter(element.tag):
        if other is element:
            return count
        if other.sourceline == line and other.prefix == element.prefix:
            count += 1
    return count


def line_of(node: object) -> int:
    """The 1-based line lxml recorded for a node; 0 when it has none."""
    line = getattr(node, "sourceline", None)
    return line if isinstance(line, int) else 0


def attribute_display_name(clark: str) -> str:
    """``{http://www.w3.org/XML/1998/namespace}id`` -> ``xml:id``; plain names unchanged."""
    if clark.startswith("{http://www.w3.org/XML/1998/namespace}"):
        return "xml:" + clark.split("}", 1)[1]
    return clark.split("}", 1)[-1]
