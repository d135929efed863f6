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
from teitools.validation.catalog import Catalogs, local_path, shown


def included_file(href: str, including: Path, catalogs: Catalogs, home: Path) -> Path:
    """The local file ``href`` (written in the schema ``including``) names, when it may be read.

    ``home`` is the resolved folder of the schema being compiled. A URL that stays remote, a
    file outside ``home`` that no catalog maps, and a file that does not exist are each a
    :class:`SchemaError` naming the schema and the href as written.
    """
    absolute = urljoin(including.absolute().as_uri(), href)
    mapped = next((m for c in dict.fromkeys((href, absolute)) if (m := catalogs.lookup(c)) is not None), None)
    target = local_path(mapped if mapped is not None else absolute)
    if target is None:
        raise SchemaError(
            f"{shown(including)}: the schema it includes, {href}, is not a local file and "
            "no XML catalog maps it (use --catalog)"
        )
    if mapped is None and not target.resolve().is_relative_to(home):
        raise SchemaError(
            f"{shown(including)}: the schema it includes, {href}, is outside the folder of the "
            "schema being compiled; refused (map it with an XML catalog to allow it)"
        )
    if not target.is_file():
        raise SchemaError(f"{shown(including)}: the schema it includes, {href}, does not exist")
    return target
