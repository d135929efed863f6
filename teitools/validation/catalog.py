"""OASIS XML catalogs: mapping schema URLs to local files, so that nothing is fetched.

Supported entries: ``uri``, ``rewriteURI``, ``uriSuffix``, ``system``, ``rewriteSystem``,
``systemSuffix``, ``nextCatalog``, and ``group`` (with ``xml:base`` anywhere). A URL is looked
up as a URI first and as a system identifier next; an exact match wins over the longest
rewrite prefix, which wins over the longest suffix; delegated catalogs (``nextCatalog``) are
read only when the catalog itself has no answer. Catalog files are read with the hardened
parser like every other file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree

from teitools.errors import DocumentError, SchemaError
from teitools.load.inputs import work_tree
from teitools.load.parser import XML_NS, load
from teitools.validation import schema_memory

CATALOG_NS = "urn:oasis:names:tc:entity:xmlns:xml:catalog"
#: ``nextCatalog`` chains stop here (a cycle would never end).
MAX_CATALOG_DEPTH = 16
_EXACT = {"uri": "name", "system": "systemId"}
_REWRITE = {"rewriteURI": "uriStartString", "rewriteSystem": "systemIdStartString"}
_SUFFIX = {"uriSuffix": "uriSuffix", "systemSuffix": "systemSuffix"}


@dataclass(frozen=True)
class Catalog:
    """The entries of one catalog file, and the catalogs it delegates to."""

    path: Path
    exact: tuple[tuple[str, str, str], ...] = ()  # (kind, key, target URL)
    rewrite: tuple[tuple[str, str, str], ...] = ()
    suffix: tuple[tuple[str, str, str], ...] = ()
    next: tuple[Path, ...] = field(default=())

    def lookup(self, url: str, depth: int = 0) -> str | None:
        """The URL ``url`` maps to, or None when this catalog (and its chain) has no entry."""
        found = self.entry(url, depth)
        return None if found is None else found[0]

    def entry(self, url: str, depth: int = 0) -> tuple[str, Path] | None:
        """What :meth:`lookup` finds, with the path of the catalog file whose entry it is."""
        for kind in ("uri", "system"):
            found = self._own(url, kind)
            if found is not None:
                return found, self.path
        if depth >= MAX_CATALOG_DEPTH:
            return None
        for path in self.next:
            delegated = read_catalog(path).entry(url, depth + 1)
            if delegated is not None:
                return delegated
        return None

    def _own(self, url: str, kind: str) -> str | None:
        rewrite_kind = "rewriteURI" if kind == "uri" else "rewriteSystem"
        suffix_kind = "uriSuffix" if kind == "uri" else "systemSuffix"
        for entry_kind, key, target in self.exact:
            if entry_kind == kind and key == url:
                return target
        prefixes = [
            (key, target) for k, key, target in self.rewrite if k == rewrite_kind and url.startswith(key)
        ]
        if prefixes:
            key, target = max(prefixes, key=lambda pair: len(pair[0]))
            return target + url[len(key) :]
        suffixes = [(key, target) for k, key, target in self.suffix if k == suffix_kind and url.endswith(key)]
        if suffixes:
            return max(suffixes, key=lambda pair: len(pair[0]))[1]
        return None


# A run names a few catalogs (given, the environment's, the shipped one); 64 is ample.
@schema_memory.forgotten_on_change
@lru_cache(maxsize=64)
def read_catalog(path: Path) -> Catalog:
    """Read one catalog file; a missing or malformed catalog is a :class:`SchemaError`."""
    schema_memory.note(path)
    try:
        root = load(path).getroot()
    except DocumentError as error:
        raise SchemaError(f"cannot read XML catalog {shown(path)}: {error.diagnostic.message}") from None
    if etree.QName(root).namespace != CATALOG_NS:
        raise SchemaError(f"{shown(path)} is not an OASIS XML catalog (root must be in {CATALOG_NS})")
    exact: list[tuple[str, str, str]] = []
    rewrite: list[tuple[str, str, str]] = []
    suffix: list[tuple[str, str, str]] = []
    following: list[Path] = []
    for entry in root.iter(etree.Element):
        kind = etree.QName(entry).localname
        base = _base(entry, path)
        if kind in _EXACT and entry.get(_EXACT[kind]) and entry.get("uri"):
            exact.append((kind, entry.get(_EXACT[kind], ""), urljoin(base, entry.get("uri", ""))))
        elif kind in _REWRITE and entry.get(_REWRITE[kind]) and entry.get("rewritePrefix"):
            rewrite.append(
                (kind, entry.get(_REWRITE[kind], ""), urljoin(base, entry.get("rewritePrefix", "")))
            )
        elif kind in _SUFFIX and entry.get(_SUFFIX[kind]) and entry.get("uri"):
            suffix.append((kind, entry.get(_SUFFIX[kind], ""), urljoin(base, entry.get("uri", ""))))
        elif kind == "nextCatalog" and entry.get("catalog"):
            target = local_path(urljoin(base, entry.get("catalog", "")))
            if target is not None:
                following.append(target)
    return Catalog(path, tuple(exact), tuple(rewrite), tuple(suffix), tuple(following))


def _base(entry: etree._Element, path: Path) -> str:
    """The base URL an entry's relative URLs resolve against (``xml:base`` on it or above)."""
    bases = [e.get(f"{{{XML_NS}}}base") for e in (entry, *entry.iterancestors())]
    base = path.resolve().as_uri()
    for value in reversed([b for b in bases if b]):
        base = urljoin(base, value)
    return base


def local_path(url: str) -> Path | None:
    """The local file a ``file:`` URL (or a plain path) names; None for any other scheme."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return Path(unquote(parts.path))
    if not parts.scheme or (len(parts.scheme) == 1 and os.name == "nt"):
        return Path(url)
    return None


def shown(path: Path) -> str:
    """``path`` as a message shows it: relative to the current folder when it lies below it.

    Paths are compared as written (symbolic links are not followed), so a message never
    shows where a link points.
    """
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Catalogs:
    """The catalogs in force, in the order they are asked: given ones, the environment's,
    then the catalog teitools ships for well-known schemas.

    An entry of a catalog file inside one of ``repositories`` (the repositories being
    validated, which a contributor can write) may map a URL only to a local file inside them
    or inside ``shipped`` (teitools' own schemas); any other mapping is a :class:`SchemaError`.
    Catalog files elsewhere (installed on the machine) are trusted. No repositories: no check
    (catalogs built by hand, in tests).
    """

    paths: tuple[Path, ...] = ()
    repositories: tuple[Path, ...] = ()
    shipped: Path | None = None

    def lookup(self, url: str) -> str | None:
        for path in self.paths:
            found = read_catalog(path).entry(url)
            if found is not None:
                self._confine(url, *found)
                return found[0]
        return None

    def _confine(self, url: str, found: str, catalog: Path) -> None:
        target = local_path(found)
        if target is None or not _inside(catalog, self.repositories):  # a URL is never fetched
            return
        if not _inside(target, (*self.repositories, *([self.shipped] if self.shipped else []))):
            raise SchemaError(
                f"the XML catalog {shown(catalog)} maps {url} to {found}, outside the repository "
                "being validated and teitools' own schemas; refused (a catalog in the repository "
                "may map URLs only to files in it)"
            )


def _inside(path: Path, folders: tuple[Path, ...]) -> bool:
    resolved = path.resolve()
    return any(resolved.is_relative_to(folder) for folder in folders)


def repositories_of(inputs: Iterable[Path]) -> tuple[Path, ...]:
    """The repositories being validated, resolved: for each input the nearest folder at or
    above it that holds ``.git`` (a folder, or a file in a git worktree); when none does, the
    current folder if the input lies below it, else the input's own folder."""
    here = Path.cwd().resolve()
    roots = []
    for given in inputs:
        resolved = given.resolve()
        outside = resolved.parent if not resolved.is_relative_to(here) else here
        roots.append(work_tree(resolved) or outside)
    return tuple(dict.fromkeys(roots)) or (here,)


#: No catalog at all: a schema may include files in its own folder only.
NO_CATALOGS = Catalogs()


def catalogs_in_force(given: tuple[Path, ...], shipped: Path | None, inputs: Iterable[Path] = ()) -> Catalogs:
    """``given`` (``--catalog``), then ``XML_CATALOG_FILES`` (space-separated paths or file
    URLs, as libxml2 reads it), then the shipped catalog. Those inside the repositories of
    ``inputs`` (:func:`repositories_of`) may map URLs only into them or the shipped schemas."""
    # Absolute but not resolved: a message names a catalog as the user gave it.
    paths = [p.absolute() for p in given]
    for item in os.environ.get("XML_CATALOG_FILES", "").split():
        path = local_path(item)
        if path is not None and path.is_file():
            paths.append(path.absolute())
    if shipped is not None:
        paths.append(shipped)
    home = shipped.resolve().parent if shipped is not None else None
    return Catalogs(tuple(dict.fromkeys(paths)), repositories_of(inputs), home)
