"""Where the schemas a file declares for itself are on this machine.

The declarations are found when the file is read (:mod:`teitools.load.declarations`): a file
declares schemas with ``<?xml-model?>`` processing instructions (W3C's "Associating
Schemas with XML documents": ``href``, ``type``, ``schematypens``, ``phase``) and with
``xsi:schemaLocation`` / ``xsi:noNamespaceSchemaLocation`` for W3C XML Schema. A declaration's
URL is mapped through the XML catalogs in force, or resolved against the file; a URL that
stays remote is never fetched: it is reported as ``schema-unresolved``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

from teitools.validation.catalog import Catalogs, local_path


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
