"""The schemas a document declares for itself, as written in it.

A file declares schemas with ``<?xml-model?>`` processing instructions (W3C's "Associating
Schemas with XML documents": ``href``, ``type``, ``schematypens``, ``phase``) and with
``xsi:schemaLocation`` / ``xsi:noNamespaceSchemaLocation`` for W3C XML Schema. Finding them
is part of reading a file (they go into its :class:`~teitools.load.record.FileRecord`);
where they point and what is run is :mod:`teitools.validation.discovery`'s job.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

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


#: How a file in an encoding where ASCII is ASCII (UTF-8, ISO-8859-x...) can start.
_ASCII_STARTS = (b"<", b"\xef\xbb\xbf", b" ", b"\t", b"\r", b"\n")


def declarations_in_prolog(data: bytes) -> tuple[Declaration, ...]:
    """The schemas declared in ``data`` (bytes that passed the loader's checks), reading only
    up to the root's start tag; bytes that are not well-formed that far declare nothing here
    (the file's check reports them)."""
    # Most files declare nothing, and a search of the bytes costs a hundredth of starting a
    # parser: in an ASCII-compatible encoding a declaration has one of these words, as ASCII.
    return _parsed_declarations(data) if may_declare(data) else ()


def may_declare(data: bytes) -> bool:
    """False when ``data`` cannot declare a schema: in an encoding where ASCII is ASCII, a
    declaration has one of two words, as ASCII (a search of the bytes costs a hundredth of
    starting a parser, and most files declare nothing)."""
    ascii_compatible = data.startswith(_ASCII_STARTS) and b"\x00" not in data[:4]  # not UTF-16/32
    return not ascii_compatible or b"xml-model" in data or b"chemaLocation" in data


def _parsed_declarations(data: bytes) -> tuple[Declaration, ...]:
    found: list[Declaration] = []
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
    return Declaration(href, language, node.sourceline or 1, node.get("phase"))


def _from_xsi(root: etree._Element) -> list[Declaration]:
    line = root.sourceline or 1
    found = []
    pairs = (root.get(f"{{{XSI_NS}}}schemaLocation") or "").split()
    own_namespace = etree.QName(root).namespace if pairs else None
    for namespace, href in zip(pairs[::2], pairs[1::2], strict=False):
        if namespace == own_namespace:  # the document's grammar; imports come from the schema
            found.append(Declaration(href, XSD, line, origin="xsi"))
    no_namespace = root.get(f"{{{XSI_NS}}}noNamespaceSchemaLocation")
    if no_namespace and no_namespace.strip():
        found.append(Declaration(no_namespace.strip(), XSD, line, origin="xsi"))
    return found
