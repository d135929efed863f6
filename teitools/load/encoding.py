"""What libxml2 reads without complaint but wrongly: encoding declarations that lie, old line ends.

A UTF-8 file that declares ``ISO-8859-1`` (or ``windows-1252``) parses without an error, and
every accented letter silently becomes two wrong ones ("á" -> "Ã¡"). A file that declares
``UTF-16`` but is not fails with a baffling syntax error. Both are reported here, before
parsing, as ``input-encoding`` findings at the first byte that shows the mistake. Lone CR line
ends (classic Mac OS) are read as line ends, as the XML specification says, so that positions
count lines as the encoder's editor does.
"""

from __future__ import annotations

import codecs
import re

_DECLARATION = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_LONE_CR = re.compile(rb"\r(?!\n)")
_NON_ASCII = re.compile(rb"[\x80-\xff]")
#: Python codec names of the single-byte encodings a TEI file may declare.
_SINGLE_BYTE = re.compile(r"^(latin_1|iso8859_\d+|cp125\d|cp437|cp850|mac_roman|koi8_[ru])$")
_WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_EBCDIC = b"\x4c\x6f\xa7\x94"  # "<?xm"


def declared_encoding(data: bytes) -> str | None:
    """The encoding named in an ASCII-compatible XML declaration, as written."""
    match = _DECLARATION.match(data[:1024])
    return match[1].decode("ascii") if match else None


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name.replace("-", "_")
    except LookupError:
        return None


def lying_declaration(data: bytes) -> tuple[int, int, str] | None:
    """(line, column, message) when the declared encoding is plainly not the file's; else None."""
    if data.startswith(_WIDE_BOMS):
        return None
    declared = declared_encoding(data)
    codec = _codec(declared) if declared else None
    if declared is None or codec is None:
        return None
    if codec.startswith(("utf_16", "utf_32")):
        column = data.find(declared.encode("ascii")) + 1
        return (
            1,
            column,
            f'the file declares encoding="{declared}" but is not {declared} '
            "(it has no byte-order mark and reads as 8-bit text); save it as UTF-8 and "
            'declare encoding="UTF-8"',
        )
    if not _SINGLE_BYTE.match(codec):
        return None
    first = _NON_ASCII.search(data)
    if first is None:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None  # really 8-bit text, as declared
    line = data.count(b"\n", 0, first.start()) + 1
    line_start = data.rfind(b"\n", 0, first.start()) + 1
    column = len(data[line_start : first.start()].decode("utf-8")) + 1
    character = text[len(data[: first.start()].decode("utf-8"))]
    misread = character.encode("utf-8").decode(codec, errors="replace")
    return (
        line,
        column,
        f'the file declares encoding="{declared}" but its bytes are UTF-8: '
        f'"{character}" here would be read as "{misread}"; change the declaration '
        'to encoding="UTF-8"',
    )


def normalise_line_ends(data: bytes) -> bytes:
    """Lone CRs become LFs in ASCII-compatible files (libxml2 counts lines by LF only)."""
    if b"\r" not in data or data.startswith((*_WIDE_BOMS, _EBCDIC)):
        return data
    return _LONE_CR.sub(b"\n", data)
