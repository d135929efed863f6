"""The TEI XML of each letter, offered for download beside its page.

The file is the encoder's own, byte for byte, when it is UTF-8 (as nearly every TEI file is);
a file in another encoding is re-serialised as UTF-8 with a declaration that says so, because
the site's files are written as UTF-8 text. A file that can no longer be read is left out (its
page then has no download link) rather than stopping the site.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from lxml import etree

from teitools.errors import DocumentError
from teitools.load.encoding import declared_encoding
from teitools.load.parser import parse_bytes, read_bytes

_UTF8 = {"utf-8", "utf8"}


def tei_text(path: Path) -> str | None:
    """The text of the TEI file at ``path`` as UTF-8 can carry it; None when it cannot be read."""
    try:
        return tei_text_of(read_bytes(path), path)
    except DocumentError:
        return None


def tei_text_of(data: bytes, path: Path) -> str | None:
    """:func:`tei_text` of bytes already read (``teitools build`` keeps those validation read)."""
    try:
        declared = (declared_encoding(data) or "utf-8").lower()
        if declared in _UTF8 and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            try:
                return data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
            except UnicodeDecodeError:
                pass  # a file that lies about its encoding: let the parser read it
        tree = parse_bytes(data, path)
    except DocumentError:
        return None
    body = etree.tostring(tree, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
