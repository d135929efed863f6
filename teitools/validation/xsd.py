"""W3C XML Schema 1.0 and 1.1 through the xmlschema library, with lines and rule ``xsd-invalid``.

lxml knows only XSD 1.0; TEI projects publish XSD 1.1 (``vc:minVersion="1.1"``, assertions,
type alternatives), which xmlschema validates. Schemas are read from local files only
(``allow="local"``), every URL goes through the XML catalogs first, and XML data is parsed
with xmlschema's defused parser. The schema file itself is first read with the hardened
loader, so a schema with a DTD is refused like any document.
"""

from __future__ import annotations

import stat
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import xmlschema
from lxml import etree

from teitools.diagnostics import Diagnostic, Severity
from teitools.errors import DocumentError, SchemaError
from teitools.load.parser import MAX_DOCUMENT_BYTES, load
from teitools.validation.catalog import Catalogs
from teitools.validation.positions import SourceLines, attribute_display_name, line_of

RULE = "xsd-invalid"
VC_NS = "http://www.w3.org/2007/XMLSchema-versioning"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
#: Elements only XSD 1.1 has; a schema using one of them is read as 1.1.
_XSD11_ONLY = tuple(
    f"{{{XSD_NS}}}{name}"
    for name in ("assert", "assertion", "alternative", "openContent", "defaultOpenContent", "override")
)


@dataclass
class XmlSchema:
    """A compiled W3C XML Schema."""

    path: Path
    version: str
    validator: Any = field(repr=False)


# As for RELAX NG (grammar.compile_relaxng): a run uses a handful of schemas, each large.
@lru_cache(maxsize=16)
def compile_xsd(path: Path, catalogs: Catalogs) -> XmlSchema:
    """Compile the XSD at ``path`` (1.0, or 1.1 when it says so) once per process."""
    try:
        source = load(path)
    except DocumentError as error:
        raise SchemaError(f"cannot read schema {path}: {error.diagnostic.message}") from None
    version = "1.1" if _is_xsd11(source.getroot()) else "1.0"
    schema_class = xmlschema.XMLSchema11 if version == "1.1" else xmlschema.XMLSchema10

    def mapped(url: str) -> str:
        target = catalogs.lookup(url) or url
        _check_readable(target)
        return target

    with warnings.catch_warnings(record=True) as caught:
        # xmlschema warns, rather than fails, when an import cannot be read: a schema with a
        # hole in it is not one to validate against.
        warnings.simplefilter("always")
        try:
            validator = schema_class(str(path), allow="local", defuse="always", uri_mapper=mapped)
        except (xmlschema.XMLSchemaException, OSError, ValueError) as error:
            reason = getattr(error, "reason", None) or getattr(error, "message", None) or error
            raise SchemaError(
                f"the XML Schema {path} does not compile: "
                f"{_one_line(str(reason))}; if it imports a schema by URL, map "
                "the URL with --catalog"
            ) from None
    imports = [w for w in caught if issubclass(w.category, xmlschema.XMLSchemaImportWarning)]
    if imports:
        raise SchemaError(
            f"the XML Schema {path} cannot be read offline: "
            f"{_one_line(str(imports[0].message))} Map the URL to a local copy "
            "with an XML catalog (--catalog FILE or XML_CATALOG_FILES)"
        )
    return XmlSchema(path, version, validator)


def _check_readable(url: str) -> None:
    """Refuse what the loader refuses in a letter (a FIFO would block, /dev/zero never end)
    before xmlschema opens an included or imported file; xmlschema maps each location as a
    ``file:`` URL (or, mapped by a catalog, an absolute path) before it reads it."""
    parts = urlsplit(url)
    path = Path(url2pathname(parts.path))
    if parts.scheme not in ("", "file") or not path.is_absolute():
        return
    try:
        status = path.stat()
    except OSError:
        return  # xmlschema reports a missing file itself
    if not stat.S_ISREG(status.st_mode):
        raise SchemaError(
            f"cannot read schema {path}: it is not a regular file (a FIFO, socket or device); refused"
        )
    if status.st_size > MAX_DOCUMENT_BYTES:
        raise SchemaError(
            f"cannot read schema {path}: file is larger than {MAX_DOCUMENT_BYTES // 1024**2} MiB; refused"
        )


def _is_xsd11(root: etree._Element) -> bool:
    versions = [e.get(f"{{{VC_NS}}}minVersion") for e in root.iter(etree.Element)]
    if any(v and v.strip() >= "1.1" for v in versions):
        return True
    return next(root.iter(*_XSD11_ONLY), None) is not None


def check_xsd(tree: etree._ElementTree, schema: XmlSchema, lines: SourceLines, file: str) -> list[Diagnostic]:
    """One finding per validation error xmlschema reports, at the element's line."""
    findings: dict[tuple[int, str], Diagnostic] = {}
    for error in schema.validator.iter_errors(tree):
        element = error.elem if isinstance(getattr(error, "elem", None), etree._Element) else None
        child = getattr(error, "invalid_child", None)
        if isinstance(child, etree._Element) and element is not None:
            message = _unexpected(child, element, getattr(error, "expected_tags", None))
            element = child
        else:
            message = _message(error)
        line = line_of(element) or line_of(error)
        column = lines.column_of(element) if element is not None else 0
        xpath = tree.getpath(element) if element is not None else None
        findings.setdefault(
            (line, message), Diagnostic(file, line, column, Severity.ERROR, RULE, message, xpath)
        )
    return sorted(findings.values())


def _message(error: Any) -> str:
    reason = _one_line(str(getattr(error, "reason", None) or error.message or error))
    element = getattr(error, "elem", None)
    if isinstance(element, etree._Element) and isinstance(element.tag, str):
        name = etree.QName(element).localname
        reason = reason.replace(f"attribute {{{etree.QName(element).namespace}}}", "attribute ")
        return f"<{name}>: {reason.rstrip('.')} (XML Schema {_xsd_version_hint(error)})"
    return reason.rstrip(".")


def _unexpected(child: etree._Element, parent: etree._Element, expected: Any) -> str:
    message = (
        f"<{etree.QName(child).localname}> is not allowed at this position inside "
        f"<{etree.QName(parent).localname}>"
    )
    if expected:
        names = sorted({etree.QName(str(tag)).localname for tag in expected})
        message += f"; expected: {', '.join(names)}"
    return message


def _xsd_version_hint(error: Any) -> str:
    validator = getattr(error, "validator", None)
    schema = getattr(validator, "schema", None)
    return str(getattr(schema, "XSD_VERSION", "1.0"))


def _one_line(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else text
    return attribute_display_name(first) if first.startswith("{") else first
