"""Which files a schema may make teitools read: one rule for RELAX NG, Schematron and XSD.

A schema names other files (RELAX NG ``include``/``externalRef``, Schematron ``include``,
XSD ``include``/``import``/``redefine``/``override``). Such a file is read only when it lies in
the folder of the schema first compiled, or below it (after following symbolic links), or
when an XML catalog maps the URL as written. Anything else is refused before it is opened, and
the refusal reads the same whether or not the file exists, so a hostile schema learns nothing
about the machine.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

from teitools.errors import SchemaError
from teitools.validation import schema_memory
from teitools.validation.catalog import Catalogs, repositories_of, shown
from teitools.validation.discovery import resolve


def included_file(href: str, including: Path, catalogs: Catalogs, home: Path) -> Path:
    """The local file ``href`` (written in the schema ``including``) names, when it may be read.

    ``home`` is the resolved folder of the schema being compiled. A URL that stays remote, a
    file outside ``home`` that no catalog maps, and a file that does not exist are each a
    :class:`SchemaError` naming the schema and the href as written.
    """
    target = resolve(href, including, catalogs)
    if target is None:
        raise SchemaError(
            f"{shown(including)}: the schema it includes, {href}, is not a local file and "
            "no XML catalog maps it (use --catalog)"
        )
    if not _may_read(href, including, target, catalogs, home):
        raise SchemaError(
            f"{shown(including)}: the schema it includes, {href}, is outside the folder of the "
            "schema being compiled; refused (map it with an XML catalog to allow it)"
        )
    schema_memory.note(target)  # an include corrected or written later is read then
    if target.exists() and not target.is_file():
        raise SchemaError(
            f"{shown(including)}: the schema it includes, {href}, is not a regular file "
            "(a FIFO, socket or device); refused"
        )
    if not target.is_file():
        raise SchemaError(f"{shown(including)}: the schema it includes, {href}, does not exist")
    return target


def declared_file(href: str, document: Path, catalogs: Catalogs) -> Path | None:
    """The local file a schema declaration (``xml-model``, ``xsi:schemaLocation``) in
    ``document`` names, or None when it stays remote.

    A declaration may name a file in the document's repository
    (:func:`~teitools.validation.catalog.repositories_of`) or a URL a catalog maps; anything
    else is a :class:`SchemaError`, whether or not the file exists.
    """
    target = resolve(href, document, catalogs)
    if target is not None and not _may_read(href, document, target, catalogs, repositories_of([document])[0]):
        raise SchemaError(
            f"the schema {href} declared here is outside the repository being validated; "
            "refused (map it with an XML catalog to allow it)"
        )
    return target


def _may_read(href: str, including: Path, target: Path, catalogs: Catalogs, home: Path) -> bool:
    """True when ``target`` (what ``href`` in ``including`` names) is in ``home`` or below, or
    when a catalog maps ``href`` (as written, or made absolute)."""
    absolute = urljoin(including.absolute().as_uri(), href)
    if any(catalogs.lookup(candidate) is not None for candidate in dict.fromkeys((href, absolute))):
        return True
    return target.resolve().is_relative_to(home)
