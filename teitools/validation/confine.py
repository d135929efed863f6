"""Schemas stay in their folder: what a schema may read besides itself.

A RELAX NG or Schematron schema can pull in other files (``include``, ``externalRef``,
``sch:include``, ``sch:extends``) and Schematron rules can call ``document()``. A schema
given with ``--schema`` may come from anyone, so before libxml2 or libxslt compiles it,
every file it names is checked: a local file in the schema's own folder (or below) is
allowed, anything else (another folder, ``file:///etc/...``, ``http://``) is refused. The
compiled Schematron rules run with no file or network access at all.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree

from teitools.errors import DocumentError, SchemaError
from teitools.xmlload import load

RNG_NS = "http://relaxng.org/ns/structure/1.0"
SCHEMATRON_NS = "http://purl.oclc.org/dsdl/schematron"
_REFERENCES = (f"{{{RNG_NS}}}include", f"{{{RNG_NS}}}externalRef",
               f"{{{SCHEMATRON_NS}}}include", f"{{{SCHEMATRON_NS}}}extends")

#: What Schematron rules compiled to XSLT may do: nothing outside the document they check.
NO_ACCESS = etree.XSLTAccessControl.DENY_ALL


def confine(tree: etree._ElementTree, path: Path) -> None:
    """Raise :class:`SchemaError` if the schema ``tree`` (read from ``path``), or any file it
    includes, names a file outside ``path``'s folder or a network resource."""
    folder = path.resolve().parent
    pending = [(tree, path.resolve())]
    seen = {path.resolve()}
    while pending:
        current, current_path = pending.pop()
        for element in current.getroot().iter(*_REFERENCES):
            href = element.get("href")
            if href is None:
                continue
            target = _local_target(href, current_path, folder, path)
            if target in seen:
                continue
            seen.add(target)
            try:
                pending.append((load(target), target))
            except DocumentError as error:
                raise SchemaError(f"the schema {path} includes {href}, which cannot be read: "
                                  f"{error.diagnostic.message}") from None


def _local_target(href: str, base: Path, folder: Path, schema: Path) -> Path:
    url = urljoin(base.as_uri(), href.strip())
    parts = urlsplit(url)
    refused = (f"the schema {schema} refers to {href!r}: a schema may only include files in its "
               f"own folder ({folder}) or below; teitools never fetches schemas from the network")
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise SchemaError(refused)
    target = Path(unquote(parts.path)).resolve()
    if not target.is_relative_to(folder):
        raise SchemaError(refused)
    return target
