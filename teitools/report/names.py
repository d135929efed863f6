"""File names as the report formats can carry them: any name the operating system allows.

A POSIX file name is any bytes but ``/`` and NUL. Python keeps bytes that are not UTF-8 as lone
surrogates (``surrogateescape``), which no UTF-8 output can hold, and control characters
(a newline, ESC, U+0001) are not allowed in XML 1.0, end a GitHub workflow command, or move
the cursor of a terminal. Each format passes names (and messages, which quote names)
through the narrowest of these functions its consumer needs; ordinary names are unchanged.
"""

from __future__ import annotations

import re

from teitools.diagnostics import escape_controls

_SURROGATE = re.compile("[\ud800-\udfff]")
# What XML 1.0 forbids: C0 controls other than tab, line feed and carriage return; U+FFFE/F.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def decodable(text: str) -> str:
    """``text`` with each byte that is not UTF-8 shown as ``\\xNN`` (other lone surrogates as
    ``\\uNNNN``): the same name ``ls -b`` shows, and encodable as UTF-8."""
    return _SURROGATE.sub(_escape_surrogate, text)


def printable(name: str) -> str:
    """A file name on one line, with no control character: :func:`decodable`, then
    :func:`~teitools.diagnostics.escape_controls` (``\\t``, ``\\n``, ``\\xNN``...)."""
    return escape_controls(decodable(name))


def xml_text(text: str) -> str:
    """``text`` (a message) as XML 1.0 can hold it: :func:`decodable`, and the characters XML
    forbids as ``\\xNN``; line breaks and tabs are kept."""
    return _NOT_XML.sub(lambda match: escape_controls(match[0]), decodable(text))


def _escape_surrogate(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"
