"""A declared RELAX NG schema made ready for libxml2: local files only, compact syntax converted.

libxml2 reads a grammar's ``include`` and ``externalRef`` targets itself. Before it does,
each target is resolved here (XML catalogs first, then relative to the including file); a
target that stays remote is a :class:`SchemaError` naming the URL, and a compact-syntax
target is converted. Grammars that needed a change are written to a private temporary folder
that is removed when the process ends.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

from lxml import etree

from teitools.errors import DocumentError, SchemaError
from teitools.validation.catalog import Catalogs
from teitools.validation.compact import Resolver, rnc_to_rng
from teitools.validation.discovery import RNG_NS, resolve
from teitools.validation.grammar import Grammar
from teitools.xmlload import load, parse_bytes

#: Nested includes stop here (a cycle would never end).
MAX_INCLUDE_DEPTH = 32
_REFERENCES = (f"{{{RNG_NS}}}include", f"{{{RNG_NS}}}externalRef")


def compile_declared_relaxng(path: Path, catalogs: Catalogs) -> Grammar:
    """Compile the RELAX NG schema (XML or compact syntax) at ``path`` once per process.

    A grammar that includes nothing is compiled once whatever the catalogs (tei_all takes
    lxml some twenty seconds); one with includes once per set of catalogs.
    """
    return _compile(path, catalogs if _includes_anything(path) else None)


@cache
def _includes_anything(path: Path) -> bool:
    if path.suffix.lower() == ".rnc":
        return True
    try:
        root = load(path).getroot()
    except DocumentError as error:
        raise SchemaError(f"cannot read schema {path}: {error.diagnostic.message}") from None
    return next(root.iter(*_REFERENCES), None) is not None


@cache
def _compile(path: Path, catalogs: Catalogs | None) -> Grammar:
    source = _prepared_tree(path, catalogs or Catalogs(), 0)
    try:
        return Grammar(path, source, etree.RelaxNG(source))
    except etree.RelaxNGParseError as error:
        raise SchemaError(f"the RELAX NG schema {path} does not compile: {error}") from None


def _prepared_tree(path: Path, catalogs: Catalogs, depth: int) -> etree._ElementTree:
    if depth > MAX_INCLUDE_DEPTH:
        raise SchemaError(f"{path}: RELAX NG includes nest deeper than {MAX_INCLUDE_DEPTH}")
    try:
        if path.suffix.lower() == ".rnc":
            tree = parse_bytes(rnc_to_rng(path, _resolver(catalogs)), path)
        else:
            tree = load(path)
    except DocumentError as error:
        raise SchemaError(f"cannot read schema {path}: {error.diagnostic.message}") from None
    for reference in tree.getroot().iter(*_REFERENCES):
        href = reference.get("href", "")
        target = resolve(href, path, catalogs)
        if target is None:
            raise SchemaError(f"{path}: the schema it includes, {href}, is not a local file and "
                              "no XML catalog maps it (use --catalog)")
        if not target.is_file():
            raise SchemaError(f"{path}: the schema it includes, {href}, does not exist ({target})")
        reference.set("href", _prepared_file(target.resolve(), catalogs, depth + 1).as_uri())
    return tree


@cache
def _prepared_file(path: Path, catalogs: Catalogs, depth: int) -> Path:
    tree = _prepared_tree(path, catalogs, depth)
    if path.suffix.lower() != ".rnc" and not _changed(tree, path):
        return path
    copy = _workspace() / f"{len(list(_workspace().iterdir()))}-{path.stem}.rng"
    copy.write_bytes(etree.tostring(tree, xml_declaration=True, encoding="utf-8"))
    return copy


def _changed(tree: etree._ElementTree, path: Path) -> bool:
    """True when an include now points elsewhere than the original text said."""
    original = load(path)
    before = [e.get("href") for e in original.getroot().iter(*_REFERENCES)]
    after = [e.get("href") for e in tree.getroot().iter(*_REFERENCES)]
    return any(b is None or Path(path.parent, b).resolve().as_uri() != a
               for b, a in zip(before, after, strict=True))


def _resolver(catalogs: Catalogs) -> Resolver:
    def resolve_include(href: str, top: Path) -> Path | None:
        return resolve(href, top, catalogs)

    return resolve_include


@cache
def _workspace() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="teitools-rng-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder
