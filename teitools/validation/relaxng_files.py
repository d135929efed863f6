"""A declared RELAX NG schema made ready for libxml2: local files only, compact syntax converted.

libxml2 reads a grammar's ``include`` and ``externalRef`` targets itself. Before it does,
each target is resolved here (XML catalogs first, then relative to the including file); a
target that stays remote is a :class:`SchemaError` naming the URL, and a compact-syntax
target is converted. Grammars that needed a change are written to a private temporary folder
that is removed when the process ends.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from lxml import etree

from teitools.errors import DocumentError, SchemaError
from teitools.load.declarations import RNG_NS
from teitools.load.parser import load, parse_bytes
from teitools.validation import schema_memory
from teitools.validation.catalog import Catalogs, shown
from teitools.validation.grammar import Grammar, compile_grammar
from teitools.validation.includes import included_file

if TYPE_CHECKING:
    from teitools.validation.compact import Resolver

#: Nested includes stop here (a cycle would never end).
MAX_INCLUDE_DEPTH = 32
_REFERENCES = (f"{{{RNG_NS}}}include", f"{{{RNG_NS}}}externalRef")


def compile_declared_relaxng(path: Path, catalogs: Catalogs) -> Grammar:
    """Compile the RELAX NG schema (XML or compact syntax) at ``path`` once per process.

    A grammar that includes nothing is compiled once whatever the catalogs; one with includes
    once per set of catalogs. A large one is compiled reduced to each file's elements
    (:mod:`teitools.validation.rng_reduce`), in memory: nothing derived from it is stored.
    """
    return _compile(path, catalogs if _includes_anything(path) else None)


# One boolean per schema file: cheap, so more are kept than compiled grammars.
@schema_memory.forgotten_on_change
@lru_cache(maxsize=256)
def _includes_anything(path: Path) -> bool:
    schema_memory.note(path)
    if path.suffix.lower() == ".rnc":
        return True
    try:
        root = load(path).getroot()
    except DocumentError as error:
        raise SchemaError(f"cannot read schema {shown(path)}: {error.diagnostic.message}") from None
    return next(root.iter(*_REFERENCES), None) is not None


# As grammar.compile_relaxng: a run uses a handful of grammars, each large.
@schema_memory.forgotten_on_change
@lru_cache(maxsize=16)
def _compile(path: Path, catalogs: Catalogs | None) -> Grammar:
    source = _prepared_tree(path, catalogs or Catalogs(), 0, path.resolve().parent)
    try:
        return compile_grammar(path, source)
    except etree.RelaxNGParseError as error:
        raise SchemaError(f"the RELAX NG schema {shown(path)} does not compile: {error}") from None


def _prepared_tree(path: Path, catalogs: Catalogs, depth: int, home: Path) -> etree._ElementTree:
    """The schema at ``path`` with its includes pointing at prepared local copies.

    An include may name only what :func:`~teitools.validation.includes.included_file`
    allows: a schema cannot make teitools read any other file.
    """
    if depth > MAX_INCLUDE_DEPTH:
        raise SchemaError(f"{shown(path)}: RELAX NG includes nest deeper than {MAX_INCLUDE_DEPTH}")
    schema_memory.note(path)
    try:
        if path.suffix.lower() == ".rnc":
            # Imported only for compact syntax: rnc2rng's parser is a large import.
            from teitools.validation.compact import rnc_to_rng  # noqa: PLC0415

            tree = parse_bytes(rnc_to_rng(path, _resolver(catalogs, home)), path)
        else:
            tree = load(path)
    except DocumentError as error:
        raise SchemaError(f"cannot read schema {shown(path)}: {error.diagnostic.message}") from None
    for reference in tree.getroot().iter(*_REFERENCES):
        target = included_file(reference.get("href", ""), path, catalogs, home)
        # The path as written, not resolved: messages about the included file show it so.
        reference.set("href", _prepared_file(target.absolute(), catalogs, depth + 1, home).as_uri())
    return tree


# Paths only; a grammar with many includes prepares one per included file.
@schema_memory.forgotten_on_change
@lru_cache(maxsize=256)
def _prepared_file(path: Path, catalogs: Catalogs, depth: int, home: Path) -> Path:
    tree = _prepared_tree(path, catalogs, depth, home)
    if path.suffix.lower() != ".rnc" and not _changed(tree, path):
        return path
    data = etree.tostring(tree, xml_declaration=True, encoding="utf-8")
    # Named by content: a copy prepared again after the cache let it go is the same file,
    # so the workspace grows with the distinct grammars, not with how often they are asked.
    copy = _workspace() / f"{hashlib.sha256(data).hexdigest()[:16]}-{path.stem}.rng"
    if not copy.is_file():
        # Worker processes forked after the workspace was made share it: write, then rename.
        partial = copy.with_name(f"{copy.name}.{os.getpid()}.part")
        partial.write_bytes(data)
        partial.replace(copy)
    return copy


def _changed(tree: etree._ElementTree, path: Path) -> bool:
    """True when an include now points elsewhere than the original text said."""
    original = load(path)
    before = [e.get("href") for e in original.getroot().iter(*_REFERENCES)]
    after = [e.get("href") for e in tree.getroot().iter(*_REFERENCES)]
    base = path.absolute().as_uri()
    return any(b is None or urljoin(base, b) != a for b, a in zip(before, after, strict=True))


def _resolver(catalogs: Catalogs, home: Path) -> Resolver:
    def resolve_include(href: str, top: Path) -> Path | None:
        return included_file(href, top, catalogs, home)

    return resolve_include


# No arguments: one folder per process.
@cache
def _workspace() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="teitools-rng-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder
