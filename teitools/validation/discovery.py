"""Which schemas a file declares for itself, and where they are on this machine.

A file declares schemas with ``<?xml-model?>`` processing instructions (W3C's "Associating
Schemas with XML documents": ``href``, ``type``, ``schematypens``, ``phase``) and with
``xsi:schemaLocation`` / ``xsi:noNamespaceSchemaLocation`` for W3C XML Schema. A declaration's
URL is mapped through the XML catalogs in force, or resolved against the file; a URL that
stays remote is never fetched: it is reported as ``schema-unresolved``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

# The declarations are found while a file is read (teitools.load); named here too, for the
# validation modules that decide what to run.
from teitools.load.declarations import (
    RELAXNG,
    RELAXNG_COMPACT,
    RNG_NS,
    SCHEMATRON,
    SCHEMATRON_NAMESPACES,
    UNKNOWN,
    XSD,
    XSD_NS,
    XSI_NS,
    Declaration,
    declarations,
)
from teitools.validation.catalog import Catalogs, local_path

__all__ = [
    "RELAXNG",
    "RELAXNG_COMPACT",
    "RNG_NS",
    "SCHEMATRON",
    "SCHEMATRON_NAMESPACES",
    "UNKNOWN",
    "XSD",
    "XSD_NS",
    "XSI_NS",
    "Declaration",
    "declarations",
    "resolve",
]


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
