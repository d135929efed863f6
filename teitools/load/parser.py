"""The one hardened XML parser: every file teitools reads goes through :func:`load`.

The parser never loads a DTD, never expands or fetches an entity, never touches the network,
never follows XInclude and keeps libxml2's limits on depth and text size. A document that
declares a DTD or entities is refused as unsafe before libxml2 sees it, whatever it contains
(libxml2 reads external parameter entities of an internal subset even with DTD loading off);
a document with XInclude elements is refused too, rather than silently read without them.
Every limit is a named constant below; docs/security.md lists the guarantees and their tests.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote

from lxml import etree

from teitools.diagnostics import Diagnostic, Severity
from teitools.errors import DocumentError
from teitools.load.encoding import lying_declaration, normalise_line_ends

#: Larger files are refused before parsing; no letter or register comes near this.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
#: More markup than this (counted as ``<`` bytes) is refused before parsing: a flood of tiny
#: elements costs libxml2 over 100 bytes each, so 64 MiB of ``<a/>`` would need gigabytes.
MAX_MARKUP = 1_000_000
#: libxml2's own limits without XML_PARSE_HUGE, named here for the messages.
MAX_DEPTH = 256
MAX_TEXT_BYTES = 10_000_000

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_XINCLUDE = ("{http://www.w3.org/2001/XInclude}*", "{http://www.w3.org/2003/XInclude}*")


def hardened_parser() -> etree.XMLParser:
    """A new parser with the loader's settings: no entities resolved, no DTD loaded, no
    network, no huge trees, ids not collected (``xml:id`` values that are no NCName are
    validation's to report)."""
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
    return parse_bytes(read_bytes(path), path)


def read_bytes(path: Path) -> bytes:
    """The bytes of ``path``: a regular file of at most :data:`MAX_DOCUMENT_BYTES`.

    For code that hands a document to another parser (a streaming one, citeproc): pass the
    bytes through :func:`check_bytes` first.
    """
    try:
        if not path.is_file():
            raise DocumentError(_finding(path, 0, 0, "input-unreadable", _not_a_file(path)))
        # Unbuffered, and asked for the file's size first: asked for the limit at once, Python
        # would map and unmap 64 MiB for every letter.
        with path.open("rb", buffering=0) as handle:
            size = min(os.fstat(handle.fileno()).st_size, MAX_DOCUMENT_BYTES)
            chunks: list[bytes] = []
            total = 0
            while total <= MAX_DOCUMENT_BYTES:
                # The size the file has and one byte more (to see it grow), then the rest to the limit.
                chunk = handle.read(size + 1 - total if total <= size else MAX_DOCUMENT_BYTES + 1 - total)
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
            data = b"".join(chunks)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise DocumentError(_finding(path, 0, 0, "input-unreadable", f"cannot read file: {reason}")) from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError(
            _finding(
                path,
                0,
                0,
                "input-unreadable",
                f"file is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB; refused",
            )
        )
    return data


def _not_a_file(path: Path) -> str:
    # Checked before opening: opening a FIFO or a device would block or never end.
    if path.is_symlink() and not path.exists():
        return f"cannot read file: it is a broken symbolic link (to {path.readlink()})"
    if path.is_dir():
        return "cannot read file: it is a folder"
    return "cannot read file: it is not a regular file (a FIFO, socket or device); refused"


def parse_bytes(data: bytes, path: Path) -> etree._ElementTree:
    """Parse ``data`` (the bytes of ``path``) with the hardened parser."""
    data = check_bytes(data, path)
    parser = hardened_parser()
    try:
        root = etree.fromstring(data, parser, base_url=_base_url(path))
    except etree.XMLSyntaxError as error:
        raise DocumentError(_syntax_finding(path, error, data)) from None
    except (ValueError, LookupError) as error:
        # lxml raises these (not XMLSyntaxError) for some encoding declarations it cannot use.
        raise DocumentError(
            _finding(path, 1, 1, "input-encoding", f"cannot decode the file: {error}; save it as UTF-8")
        ) from None
    tree = root.getroottree()
    _refuse_dtd(tree, data, path)
    _refuse_xinclude(root, path)
    return tree


def _base_url(path: Path) -> str:
    """``path`` as lxml takes a base URL: UTF-8. A name with bytes that are not UTF-8 (kept by
    Python as lone surrogates) is percent-encoded, a URI reference to the same file, rather
    than failing as if the file's content could not be decoded."""
    name = str(path)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return quote(os.fsencode(path))
    return name


def check_bytes(data: bytes, path: Path) -> bytes:
    """Everything decided before libxml2 sees ``data``: not empty, not binary or compressed,
    the declared encoding not a lie, no DOCTYPE, not too many tags. Returns the bytes to parse
    (lone CRs made line ends); raises :class:`DocumentError`."""
    if not data.strip():
        raise DocumentError(_finding(path, 1, 1, "input-empty", "the file is empty; expected a TEI document"))
    if data.startswith(b"\x1f\x8b"):
        raise DocumentError(
            _finding(
                path,
                1,
                1,
                "input-encoding",
                "this is gzip-compressed data, not XML; teitools never decompresses input: "
                "decompress it yourself if you trust it",
            )
        )
    if b"\x00" in data[:1024] and not data.startswith(_BOMS[1:]):
        wide = data[:4] in (b"<\x00?\x00", b"\x00<\x00?")
        raise DocumentError(
            _finding(
                path,
                1,
                1,
                "input-encoding",
                "this looks like UTF-16 without a byte-order mark; save it as UTF-8"
                if wide
                else "this is a binary file, not XML (it contains NUL bytes)",
            )
        )
    lie = lying_declaration(data)
    if lie is not None:
        raise DocumentError(_finding(path, lie[0], lie[1], "input-encoding", lie[2]))
    data = normalise_line_ends(data)
    if data.count(b"<") > MAX_MARKUP:
        raise DocumentError(
            _finding(
                path,
                1,
                1,
                "xml-unsafe",
                f"the file has more than {MAX_MARKUP:,} tags; refused (split it into smaller files)",
            )
        )
    if _declares_dtd(data):
        raise _dtd_refused(data, path)
    return data


_PROLOG_SKIP = re.compile(r"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)
_DECLARED_ENCODING = re.compile(r"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")


def _declares_dtd(data: bytes) -> bool:
    """True when the prolog, read in any encoding the file may be in, has a ``<!DOCTYPE``.

    This runs before libxml2 sees the bytes, so that no DTD, internal subset or parameter
    entity is ever processed. A file is read as its byte-order mark or first bytes suggest,
    and as its declared encoding, so that no encoding hides the declaration.
    """
    for candidate in _candidate_texts(data):
        text = candidate.lstrip("\ufeff")
        prolog = _PROLOG_SKIP.match(text)
        start = prolog.end() if prolog else 0
        if text[start : start + 9].upper() == "<!DOCTYPE":
            return True
    return False


def _candidate_texts(data: bytes) -> list[str]:
    # The whole file, not a head: a long comment or PI may push the DOCTYPE far down.
    head = data
    guesses = ["latin-1"]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:2] in (b"<\x00", b"\x00<"):
        guesses.append("utf-16-le" if head.startswith(b"\xff\xfe") or head[:1] == b"<" else "utf-16-be")
    if head[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\x00<", b"<\x00\x00\x00"):
        guesses.append("utf-32-be" if head[:2] == b"\x00\x00" else "utf-32-le")
    if head.startswith(b"\x4c\x6f\xa7\x94"):
        guesses.append("cp500")  # EBCDIC
    texts = [head.decode(g, errors="replace") for g in guesses]
    for text in list(texts):
        declared = _DECLARED_ENCODING.match(text[:1024].lstrip("\ufeff"))
        if declared:
            try:
                texts.append(head.decode(declared[1], errors="replace"))
            except (LookupError, UnicodeError, ValueError):
                # Unknown, or not a text encoding (rot13, hex, idna...): libxml2 refuses it.
                continue
    return texts


def _dtd_refused(data: bytes, path: Path) -> DocumentError:
    line = _line_of(data, b"<!DOCTYPE")
    return DocumentError(
        _finding(
            path,
            line,
            1,
            "xml-unsafe",
            "a DOCTYPE (DTD or entity declarations) is refused: teitools never loads "
            "DTDs or expands entities; remove the DOCTYPE and write characters directly",
        )
    )


def _refuse_xinclude(root: etree._Element, path: Path) -> None:
    include = next(root.iter(*_XINCLUDE), None)
    if include is None:
        return
    raise DocumentError(
        _finding(
            path,
            include.sourceline or 1,
            1,
            "xml-unsafe",
            f"<{etree.QName(include).localname}> (XInclude) is refused: teitools never reads "
            "other files from inside a document; copy the included text into the file",
        )
    )


def _refuse_dtd(tree: etree._ElementTree, data: bytes, path: Path) -> None:
    # A second line of defence: the prolog scan should already have refused any DOCTYPE.
    info = tree.docinfo
    if info.internalDTD is None and not info.system_url and not info.public_id:
        return
    raise _dtd_refused(data, path)


def _line_of(data: bytes, needle: bytes) -> int:
    """The line of ``needle`` in the file, read in whichever encoding shows it; 1 if none."""
    for text in _candidate_texts(data):
        index = text.find(needle.decode("ascii"))
        if index >= 0:
            return text.count("\n", 0, index) + 1
    return 1


_SYNTAX_REWRITES: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        re.compile(r"Opening and ending tag mismatch: (\S+) line (\d+) and (\S+)"),
        "xml-syntax",
        "<{0}> opened on line {1} is not closed: found </{2}>; add </{0}> or fix the end tag",
    ),
    (
        re.compile(r"Premature end of data in tag (\S+) line (\d+)"),
        "xml-syntax",
        "the file ends before <{0}> (opened on line {1}) is closed; add </{0}>",
    ),
    (
        re.compile(r"EndTag: '</' not found"),
        "xml-syntax",
        "the file ends inside an element; close every open element",
    ),
    (
        re.compile(r"Entity '(\S+)' not defined"),
        "xml-syntax",
        "the entity &{0}; is not defined: TEI files do not use named entities; write "
        "the character itself, or &amp; &lt; &gt; &quot; &apos; for markup characters",
    ),
    (
        re.compile(r"Extra content at the end of the document"),
        "xml-syntax",
        "content after the root element's end tag: a document has one root element; "
        "remove what follows it or move it inside the root element",
    ),
    (
        re.compile(r"Document is empty|Start tag expected, '<' not found"),
        "xml-syntax",
        "no XML found: the file must start with an XML declaration or an element",
    ),
    (
        re.compile(
            r"Input is not proper UTF-8|invalid character in attribute value|"
            r"Char 0x[0-9A-F]+ out of allowed range|PCDATA invalid Char value|"
            r"Unsupported encoding|Document labelled UTF-16 but has UTF-8 content|"
            r"encoding"
        ),
        "input-encoding",
        "the bytes here are not valid in the file's declared encoding ({msg}); "
        "save the file as UTF-8 or fix the encoding declaration",
    ),
    (
        re.compile(r"Excessive depth in document|[Dd]epth .*exceed|too deep"),
        "xml-unsafe",
        f"elements are nested too deeply (more than {MAX_DEPTH} levels); refused",
    ),
    (
        re.compile(
            r"huge text node|Huge input lookup|huge text|[Tt]ext node too long|"
            r"AttValue length too long|Resource limit exceeded|XML_PARSE_HUGE"
        ),
        "xml-unsafe",
        f"a text node or attribute value is larger than {MAX_TEXT_BYTES // 1_000_000} MB; refused",
    ),
    (
        re.compile(r"[Aa]mplification|[Ee]ntity loop|[Dd]etected an entity reference loop"),
        "xml-unsafe",
        "entity expansion is refused ({msg})",
    ),
)


#: An element's start tag, as any encoding shows it when read as one of the candidates.
_START_TAG = re.compile(r"<[^\W\d]")


def _syntax_finding(path: Path, error: etree.XMLSyntaxError, data: bytes) -> Diagnostic:
    line, column = error.position
    message = str(error.msg or error).strip()
    message = re.sub(r",\s*line \d+, column \d+$", "", message)
    if message.startswith("Start tag expected") and any(_START_TAG.search(t) for t in _candidate_texts(data)):
        # libxml2 says the same whether the file has no element at all or text before one.
        return _finding(
            path,
            line,
            column,
            "xml-syntax",
            "text before the root element: only the XML declaration, comments and processing "
            "instructions may come before it; remove the text or move it inside the root element",
        )
    for pattern, rule, template in _SYNTAX_REWRITES:
        match = pattern.search(message)
        if match:
            return _finding(path, line, column, rule, template.format(*match.groups(), msg=message))
    return _finding(path, line, column, "xml-syntax", f"not well-formed XML: {message}")


def _finding(path: Path, line: int, column: int, rule: str, message: str) -> Diagnostic:
    return Diagnostic(str(path), max(line, 0), max(column, 0), Severity.ERROR, rule, message)
