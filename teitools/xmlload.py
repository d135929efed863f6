"""The one hardened XML parser: every file teitools reads goes through :func:`load`.

The parser never loads a DTD, never expands or fetches an entity, never touches the network,
never follows XInclude and keeps libxml2's limits on depth and text size. A document that
declares a DTD or entities is refused as unsafe, whatever it contains.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from teitools.diagnostics import Diagnostic, Severity
from teitools.errors import DocumentError

#: Larger files are refused before parsing; no letter or register comes near this.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_comments=False,
        collect_ids=False,
    )


def load(path: Path) -> etree._ElementTree:
    """Read and parse ``path`` safely; raise :class:`DocumentError` with a finding if it fails."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise DocumentError(
            _finding(path, 0, 0, "input-unreadable", f"cannot read file: {reason}")) from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError(
            _finding(path, 0, 0, "input-unreadable",
                     f"file is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB; refused")
        )
    return parse_bytes(data, path)


def parse_bytes(data: bytes, path: Path) -> etree._ElementTree:
    """Parse ``data`` (the bytes of ``path``) with the hardened parser."""
    if not data.strip():
        raise DocumentError(_finding(path, 1, 1, "input-empty", "the file is empty; expected a TEI document"))
    if b"\x00" in data[:1024] and not data.startswith(_BOMS[1:]):
        raise DocumentError(
            _finding(path, 1, 1, "input-encoding",
                     "this is a binary file, not XML (it contains NUL bytes)")
        )
    parser = _parser()
    try:
        root = etree.fromstring(data, parser, base_url=str(path))
    except etree.XMLSyntaxError as error:
        raise DocumentError(_syntax_finding(path, error)) from None
    tree = root.getroottree()
    _refuse_dtd(tree, data, path)
    return tree


def _refuse_dtd(tree: etree._ElementTree, data: bytes, path: Path) -> None:
    info = tree.docinfo
    if info.internalDTD is None and not info.system_url and not info.public_id:
        return
    line = _line_of(data, b"<!DOCTYPE")
    raise DocumentError(
        _finding(path, line, 1, "xml-unsafe",
                 "a DOCTYPE with a DTD or entity declarations is refused: teitools never loads "
                 "DTDs or expands entities; remove the DOCTYPE and write characters directly")
    )


def _line_of(data: bytes, needle: bytes) -> int:
    text = _decode_for_search(data)
    index = text.find(needle.decode("ascii"))
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


def _decode_for_search(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8", errors="replace")


_SYNTAX_REWRITES: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"Opening and ending tag mismatch: (\S+) line (\d+) and (\S+)"),
     "xml-syntax", "<{0}> opened on line {1} is not closed: found </{2}>; add </{0}> or fix the end tag"),
    (re.compile(r"Premature end of data in tag (\S+) line (\d+)"),
     "xml-syntax", "the file ends before <{0}> (opened on line {1}) is closed; add </{0}>"),
    (re.compile(r"EndTag: '</' not found"),
     "xml-syntax", "the file ends inside an element; close every open element"),
    (re.compile(r"Entity '(\S+)' not defined"),
     "xml-syntax", "the entity &{0}; is not defined: TEI files do not use named entities; write "
                   "the character itself, or &amp; &lt; &gt; &quot; &apos; for markup characters"),
    (re.compile(r"Document is empty|Start tag expected, '<' not found"),
     "xml-syntax", "no XML found: the file must start with an XML declaration or an element"),
    (re.compile(r"Input is not proper UTF-8|invalid character in attribute value|"
                r"Char 0x[0-9A-F]+ out of allowed range|PCDATA invalid Char value|"
                r"Unsupported encoding|Document labelled UTF-16 but has UTF-8 content|"
                r"encoding"),
     "input-encoding", "the bytes here are not valid in the file's declared encoding ({msg}); "
                       "save the file as UTF-8 or fix the encoding declaration"),
    (re.compile(r"Excessive depth in document"),
     "xml-unsafe", "elements are nested too deeply (more than 256 levels); refused"),
    (re.compile(r"xmlSAX2Characters: huge text node|Huge input lookup|huge text"),
     "xml-unsafe", "a text node is larger than 10 MB; refused"),
)


def _syntax_finding(path: Path, error: etree.XMLSyntaxError) -> Diagnostic:
    line, column = error.position
    message = str(error.msg or error).strip()
    message = re.sub(r",\s*line \d+, column \d+$", "", message)
    for pattern, rule, template in _SYNTAX_REWRITES:
        match = pattern.search(message)
        if match:
            return _finding(path, line, column, rule, template.format(*match.groups(), msg=message))
    return _finding(path, line, column, "xml-syntax", f"not well-formed XML: {message}")


def _finding(path: Path, line: int, column: int, rule: str, message: str) -> Diagnostic:
    return Diagnostic(str(path), max(line, 0), max(column, 0), Severity.ERROR, rule, message)
