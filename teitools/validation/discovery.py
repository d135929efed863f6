"""Which schemas a file declares for itself, and where they are on this machine.

A file declares schemas with ``<?xml-model?>`` processing instructions (W3C's "Associating
Schemas with XML documents": ``href``, ``type``, ``schematypens``, ``phase``) and with
``xsi:schemaLocation`` / ``xsi:noNamespaceSchemaLocation`` for W3C XML Schema. A declaration's
URL is mapped through the XML catalogs in force, or resolved against the file; a URL that
stays remote is never fetched: it is reported as ``schema-unresolved``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from lxml import etree

from teitools.errors import DocumentError
from teitools.load.parser import check_bytes, read_bytes
from teitools.validation.catalog import Catalogs, local_path
from teitools.validation.positions import line_of

RNG_NS = "http://relaxng.org/ns/structure/1.0"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMATRON_NAMESPACES = ("http://purl.oclc.org/dsdl/schematron", "http://www.ascc.net/xml/schematron")

#: The schema languages teitools reads.
RELAXNG = "relaxng"
RELAXNG_COMPACT = "relaxng-compact"
XSD = "xsd"
SCHEMATRON = "schematron"
UNKNOWN = "unknown"

_BY_NAMESPACE = {RNG_NS: RELAXNG, XSD_NS: XSD, **dict.fromkeys(SCHEMATRON_NAMESPACES, SCHEMATRON)}
_BY_TYPE = {
    "application/relax-ng-compact-syntax": RELAXNG_COMPACT,
    "application/xml-dtd": UNKNOWN,
}
_BY_SUFFIX = {".rng": RELAXNG, ".rnc": RELAXNG_COMPACT, ".xsd": XSD, ".sch": SCHEMATRON}


@dataclass(frozen=True)
class Declaration:
    """One schema a file declares: where, in which language, and (Schematron) which phase."""

    href: str
    language: str
    line: int
    phase: str | None = None
    origin: str = "xml-model"


def declarations(tree: etree._ElementTree) -> tuple[Declaration, ...]:
    """The schemas ``tree`` declares, in document order: ``xml-model`` PIs, then ``xsi``."""
    found: list[Declaration] = []
    root = tree.getroot()
    for node in reversed(list(root.itersiblings(preceding=True))):
        if isinstance(node, etree._ProcessingInstruction) and node.target == "xml-model":
            declared = _from_xml_model(node)
            if declared is not None:
                found.append(declared)
    found.extend(_from_xsi(root))
    return tuple(found)


def declarations_in_file(path: Path) -> tuple[Declaration, ...]:
    """The schemas the file at ``path`` declares, reading only up to its root's start tag.

    Used to compile declared schemas before worker processes start; a file that cannot be
    read declares nothing here (it is reported when it is validated).
    """
    found: list[Declaration] = []
    try:
        # Through the loader's checks: a FIFO would block, a DOCTYPE's parameter entities
        # would be read by libxml2 even here.
        data = check_bytes(read_bytes(path), path)
    except DocumentError:
        return ()
    try:
        with io.BytesIO(data) as handle:
            events = etree.iterparse(
                handle,
                events=("pi", "start"),
                resolve_entities=False,
                load_dtd=False,
                no_network=True,
                huge_tree=False,
            )
            for event, node in events:
                if event == "start":
                    found.extend(_from_xsi(node))
                    break
                if isinstance(node, etree._ProcessingInstruction) and node.target == "xml-model":
                    declared = _from_xml_model(node)
                    if declared is not None:
                        found.append(declared)
    except (etree.XMLSyntaxError, OSError):
        return ()
    return tuple(found)


def _from_xml_model(node: etree._ProcessingInstruction) -> Declaration | None:
    href = (node.get("href") or "").strip()
    if not href:
        return None
    namespace = (node.get("schematypens") or "").strip()
    media_type = (node.get("type") or "").strip().lower()
    suffix = Path(urlsplit(href).path).suffix.lower()
    if namespace:
        language = _BY_NAMESPACE.get(namespace, UNKNOWN)
        if language == RELAXNG and (suffix == ".rnc" or media_type in _BY_TYPE):
            language = RELAXNG_COMPACT
    elif media_type in _BY_TYPE:
        language = _BY_TYPE[media_type]
    else:
        language = _BY_SUFFIX.get(suffix, UNKNOWN)
    return Declaration(href, language, line_of(node) or 1, node.get("phase"))


def _from_xsi(root: etree._Element) -> list[Declaration]:
    line = line_of(root) or 1
    found = []
    pairs = (root.get(f"{{{XSI_NS}}}schemaLocation") or "").split()
    own_namespace = etree.QName(root).namespace
    for namespace, href in zip(pairs[::2], pairs[1::2], strict=False):
        if namespace == own_namespace:  # the document's grammar; imports come from the schema
            found.append(Declaration(href, XSD, line, origin="xsi"))
    no_namespace = root.get(f"{{{XSI_NS}}}noNamespaceSchemaLocation")
    if no_namespace and no_namespace.strip():
        found.append(Declaration(no_namespace.strip(), XSD, line, origin="xsi"))
    return found


def resolve(href: str, document: Path, catalogs: Catalogs) -> Path | None:
    """The local file ``href`` (declared in ``document``) names, or None when it is remote.

    The catalogs are asked first with the URL as written, then with it made absolute; a
    relative URL that no catalog maps is resolved against the document's folder.
    """
    absolute = urljoin(document.absolute().as_uri(), href)
    for candidate in dict.fromkeys((href, absolute)):
        mapped = catalogs.lookup(candidate)
        if mapped is not None:
            return local_path(mapped)
    return local_path(absolute)
