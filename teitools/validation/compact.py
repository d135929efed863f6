"""RELAX NG compact syntax (``.rnc``) converted to the XML syntax, in Python, with rnc2rng.

rnc2rng (maintained by Dirkjan Ochtman, MIT) parses the compact syntax and writes the XML
syntax. It inlines ``include`` by reading the included file itself, with ``urlopen`` for a
URL; teitools routes those reads through its own resolution (catalogs, local files only), so
nothing is fetched. Two things rnc2rng cannot do are refused with a clear message instead of
being converted wrongly: an ``include`` with overriding definitions (``include "x.rnc" {…}``),
which it would silently drop, and the ``external`` pattern.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import rnc2rng
import rnc2rng.parser as rnc_parser

from teitools.errors import DocumentError, SchemaError
from teitools.load.parser import read_bytes
from teitools.validation import schema_memory

#: Maps an include's URL (as written, relative to the including file) to a local file or None.
Resolver = Callable[[str, Path], Path | None]

_OVERRIDE = re.compile(r"(?m)^[^#\n]*\binclude\s+\"[^\"]*\"(\s*inherit\s*=\s*[\w.-]+)?\s*\{")
_EXTERNAL = re.compile(r"(?m)^[^#\n]*\bexternal\s+\"")
_LOCK = threading.Lock()
_EMPTY_PREFIX = re.compile(r'\s+xmlns:[A-Za-z_][\w.-]*=""')


def rnc_to_rng(path: Path, resolver: Resolver) -> bytes:
    """The XML syntax of the compact-syntax schema at ``path``, as UTF-8 bytes."""
    source = _read(path)
    with _LOCK, _includes_through(resolver, path):
        try:
            tree = rnc_parser.parser.parse(rnc_parser.lex(source), state=rnc_parser.State(str(path), source))
            xml = rnc2rng.dumps(tree)
        except SchemaError:
            raise
        except Exception as error:  # rply and rnc2rng raise many types, even AssertionError
            raise SchemaError(
                f"the RELAX NG compact schema {path} does not convert: {type(error).__name__}: {error}"
            ) from None
    # rnc2rng declares `namespace local = ""` as xmlns:local="", which XML namespaces forbid;
    # it writes every name with an explicit ns attribute, so the declaration is not needed.
    return _EMPTY_PREFIX.sub("", str(xml)).encode("utf-8")


def _read(path: Path) -> str:
    schema_memory.note(path)
    # The loader's checks, as for a letter: a FIFO would block, /dev/zero never end.
    try:
        data = read_bytes(path)
    except DocumentError as error:
        raise SchemaError(f"cannot read schema {path}: {error.diagnostic.message}") from None
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    text = data.decode(encoding, errors="replace")
    if _OVERRIDE.search(text):
        raise SchemaError(
            f'{path}: an include with overriding definitions (include "…" {{ … }}) '
            "is not supported in compact syntax; convert the schema to the XML "
            "syntax (e.g. with trang) and declare the .rng"
        )
    if _EXTERNAL.search(text):
        raise SchemaError(
            f"{path}: the external pattern is not supported in compact syntax; "
            "declare the XML syntax (.rng) of the schema instead"
        )
    return text


@contextmanager
def _includes_through(resolver: Resolver, top: Path) -> Iterator[None]:
    """While converting, rnc2rng's reads of included files go through ``resolver``."""
    original: Any = rnc_parser.parse

    def parse_included(src: str | None = None, f: Any = None) -> Any:
        if not isinstance(f, str):
            return original(src=src, f=f)
        target = resolver(f, top)
        if target is None:
            raise SchemaError(
                f"{top}: the included schema {f} is not a local file and no XML "
                "catalog maps it; teitools never fetches from the network "
                "(map it with --catalog)"
            )
        text = _read(target)
        return rnc_parser.parser.parse(rnc_parser.lex(text), state=rnc_parser.State(str(target), text))

    rnc_parser.parse = parse_included
    try:
        yield
    finally:
        rnc_parser.parse = original
