"""W3C XML Schema 1.0 and 1.1 through the xmlschema library, with lines and rule ``xsd-invalid``.

lxml knows only XSD 1.0; TEI projects publish XSD 1.1 (``vc:minVersion="1.1"``, assertions,
type alternatives), which xmlschema validates. Schemas are read from local files only
(``allow="local"``), every URL goes through the XML catalogs first, and XML data is parsed
with xmlschema's defused parser. The schema file itself, and every file it names in
``include``, ``import``, ``redefine`` or ``override``, is first read with the hardened loader
and confined as RELAX NG includes are (:func:`~teitools.validation.includes.included_file`), so
a schema with a DTD, or one naming a file outside its folder, is refused before xmlschema
reads anything; xmlschema's own reads go through an opener that enforces the same folders.
"""

from __future__ import annotations

import urllib.error
import urllib.request
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import xmlschema
from lxml import etree

from teitools.diagnostics import Diagnostic, Severity
from teitools.errors import DocumentError, SchemaError
from teitools.load.parser import load
from teitools.validation import schema_memory
from teitools.validation.catalog import Catalogs, local_path, shown
from teitools.validation.includes import included_file
from teitools.validation.positions import SourceLines, attribute_display_name, line_of
from teitools.validation.schematron import xpath_semantics

# Patterns, assertions and identity constraints as the XSD specification reads them.
xpath_semantics.install_for_xmlschema()

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
@schema_memory.forgotten_on_change
@lru_cache(maxsize=16)
def compile_xsd(path: Path, catalogs: Catalogs) -> XmlSchema:
    """Compile the XSD at ``path`` (1.0, or 1.1 when it says so) once per process."""
    home = path.resolve().parent
    source = _load(path)
    readable = _referenced_files(path, source, catalogs, home, depth=0)
    version = "1.1" if _is_xsd11(source.getroot()) else "1.0"
    schema_class = xmlschema.XMLSchema11 if version == "1.1" else xmlschema.XMLSchema10

    opener = _ConfinedOpener((home, _XMLSCHEMA_OWN), set(readable))

    def mapped(url: str) -> str:
        found = catalogs.lookup(url)
        if found is None:
            return url
        target = local_path(found)
        if target is not None:  # mapped by a catalog (and confined by it): readable too
            opener.files.add(target.resolve())
        return found

    with warnings.catch_warnings(record=True) as caught:
        # xmlschema warns, rather than fails, when an import cannot be read: a schema with a
        # hole in it is not one to validate against.
        warnings.simplefilter("always")
        try:
            validator = schema_class(
                str(path), allow="local", defuse="always", uri_mapper=mapped, opener=opener
            )
        except (xmlschema.XMLSchemaException, OSError, ValueError) as error:
            _refused(path, opener)
            reason = getattr(error, "reason", None) or getattr(error, "message", None) or error
            line = getattr(error, "sourceline", None)
            raise SchemaError(
                f"the XML Schema {shown(path)} does not compile: "
                f"{_one_line(str(reason))}; if it imports a schema by URL, map "
                "the URL with --catalog",
                line if isinstance(line, int) else 0,
            ) from None
    _refused(path, opener)
    imports = [w for w in caught if issubclass(w.category, xmlschema.XMLSchemaImportWarning)]
    if imports:
        raise SchemaError(
            f"the XML Schema {shown(path)} cannot be read offline: "
            f"{_one_line(str(imports[0].message))} Map the URL to a local copy "
            "with an XML catalog (--catalog FILE or XML_CATALOG_FILES)"
        )
    return XmlSchema(path, version, validator)


#: ``include``/``import`` chains stop here (a cycle is caught by the set of files seen).
MAX_INCLUDE_DEPTH = 32
_REFERENCES = tuple(f"{{{XSD_NS}}}{name}" for name in ("include", "import", "redefine", "override"))
#: The schemas xmlschema ships (xml.xsd, XLink...), which it reads for well-known namespaces.
_XMLSCHEMA_OWN = Path(xmlschema.__file__).resolve().parent


def _load(path: Path) -> etree._ElementTree:
    schema_memory.note(path)
    try:
        return load(path)
    except DocumentError as error:
        raise SchemaError(f"cannot read schema {shown(path)}: {error.diagnostic.message}") from None


def _referenced_files(
    path: Path, tree: etree._ElementTree, catalogs: Catalogs, home: Path, *, depth: int
) -> frozenset[Path]:
    """Every file the schema at ``path`` names, directly or not, resolved; each one allowed."""
    if depth > MAX_INCLUDE_DEPTH:
        raise SchemaError(f"{shown(path)}: XML Schema includes nest deeper than {MAX_INCLUDE_DEPTH}")
    found = {path.resolve()}
    for reference in tree.getroot().iter(*_REFERENCES):
        location = reference.get("schemaLocation")
        if not location:  # an import by namespace only: xmlschema's own copies, if any
            continue
        try:
            target = included_file(location, path, catalogs, home)
            if target.resolve() not in found:
                found |= _referenced_files(target, _load(target), catalogs, home, depth=depth + 1)
        except SchemaError as error:
            # Said at the reference in the schema being compiled: the outermost one wins.
            raise SchemaError(str(error), reference.sourceline or 0) from None
    return frozenset(found)


class _ConfinedOpener(urllib.request.OpenerDirector):
    """Opens local files inside ``folders`` or among ``files`` (the schema's, and those a
    catalog maps); records any other URL.

    The check above has already refused what a schema names outside its folder; this is
    what keeps xmlschema itself to those files, whatever it resolves a location to.
    """

    def __init__(self, folders: tuple[Path, ...], files: set[Path]) -> None:
        super().__init__()
        self.add_handler(urllib.request.FileHandler())
        self.folders = folders
        self.files = files
        self.refused: list[str] = []

    def open(
        self, fullurl: str | urllib.request.Request, data: Any = None, timeout: float | None = None
    ) -> Any:
        url = fullurl if isinstance(fullurl, str) else fullurl.full_url
        target = local_path(url)
        if target is not None:
            resolved = target.resolve()
            if resolved in self.files or any(resolved.is_relative_to(f) for f in self.folders):
                return super().open(fullurl, data, timeout)
        self.refused.append(url)
        raise urllib.error.URLError("refused by teitools")


def _refused(path: Path, opener: _ConfinedOpener) -> None:
    if opener.refused:
        raise SchemaError(
            f"the XML Schema {shown(path)} makes xmlschema read a file outside the schema's "
            "folder; refused (map its URL with an XML catalog to allow it)"
        )


def _is_xsd11(root: etree._Element) -> bool:
    versions = [e.get(f"{{{VC_NS}}}minVersion") for e in root.iter(etree.Element)]
    if any(v and v.strip() >= "1.1" for v in versions):
        return True
    return next(root.iter(*_XSD11_ONLY), None) is not None


def check_xsd(tree: etree._ElementTree, schema: XmlSchema, lines: SourceLines, file: str) -> list[Diagnostic]:
    """One finding per validation error xmlschema reports, at the element's line."""
    # Keyed by the element, not the line: two elements on one line with one mistake each are
    # two findings; only the same error reported twice on the same element is one.
    findings: dict[tuple[int, int, str | None, str], Diagnostic] = {}
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
            (line, column, xpath, message),
            Diagnostic(file, line, column, Severity.ERROR, RULE, message, xpath),
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
        names = sorted({_expected_name(str(tag)) for tag in expected})
        message += f"; expected: {', '.join(names)}"
    return message


def _expected_name(tag: str) -> str:
    """An expected name as xmlschema writes it, shown without its namespace: ``{ns}del``,
    ``tei:del`` (a prefix the schema declares), ``del``, or a wildcard's "from 'ns' namespace/s"."""
    if tag.startswith("{"):
        return tag.partition("}")[2]
    if tag.startswith("from "):
        return f"any element {tag}"
    return tag.rpartition(":")[2]


def _xsd_version_hint(error: Any) -> str:
    validator = getattr(error, "validator", None)
    schema = getattr(validator, "schema", None)
    return str(getattr(schema, "XSD_VERSION", "1.0"))


def _one_line(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else text
    return attribute_display_name(first) if first.startswith("{") else first
