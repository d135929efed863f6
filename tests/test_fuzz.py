"""Fuzzing: generated and mutated documents through validation, every report format and export.

Inputs are generated TEI-like trees (well-formed, then perhaps broken byte by byte) and the
edition's own files mutated: elements and attributes dropped, duplicated, swapped and
changed; bytes flipped, inserted, deleted and cut; the file re-encoded with or without a
matching declaration. For each, in-process and fast:

* :func:`teitools.validation.validate` raises nothing but teitools' own errors, and every
  finding has a file and a position (line >= 1 and column >= 1; only ``input-unreadable``
  may have no position);
* every report format renders the report;
* :func:`teitools.model.tei.read_edition` and every registered exporter raise nothing but
  teitools' own errors, and every problem has a position;
* each input is handled within a bound.

The ``ci`` profile runs a few dozen inputs per test; ``HYPOTHESIS_PROFILE=long`` at least
10,000 (see docs/security.md).
"""

from __future__ import annotations

import copy
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from teitools.diagnostics import Diagnostic, Report
from teitools.errors import TeiToolsError
from teitools.export.base import ExportOptions
from teitools.export.registry import EXPORTERS
from teitools.load.settings import settings_for
from teitools.model.tei import read_edition
from teitools.report.base import ReportStyle
from teitools.report.formats import FORMATS
from teitools.validation.runner import ValidateOptions, validate
from tests import fuzzing_profiles  # noqa: F401 - registers and loads the profiles
from tests.helpers import EDITION, FIXTURES

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
#: Seconds one input may take through validation and every export.
BOUND = 20.0
SOURCES = sorted(EDITION.rglob("*.xml")) + sorted((FIXTURES / "valid").glob("*.xml"))
REGISTERS = tuple(sorted(EDITION.glob("*.xml")))
#: The bundled edition's settings, so that formats that need them (CMIF) run too.
OPTIONS = ExportOptions(settings=settings_for([EDITION]))

ELEMENTS = [
    "TEI",
    "teiHeader",
    "fileDesc",
    "titleStmt",
    "title",
    "publicationStmt",
    "sourceDesc",
    "bibl",
    "profileDesc",
    "correspDesc",
    "correspAction",
    "persName",
    "orgName",
    "placeName",
    "date",
    "note",
    "langUsage",
    "language",
    "text",
    "body",
    "div",
    "p",
    "opener",
    "closer",
    "dateline",
    "salute",
    "signed",
    "hi",
    "ref",
    "ptr",
    "gap",
    "supplied",
    "lb",
    "pb",
    "foreign",
    "unclear",
    "del",
    "add",
    "choice",
    "sic",
    "corr",
    "listPerson",
    "person",
    "xi:include",
    "html",
    "script",
]
ATTRIBUTES = [
    "xml:id",
    "ref",
    "target",
    "when",
    "notBefore",
    "notAfter",
    "from",
    "to",
    "type",
    "rend",
    "cert",
    "reason",
    "xml:lang",
    "ident",
    "corresp",
    "decls",
    "source",
    "evidence",
    "href",
]
VALUES = st.one_of(
    st.sampled_from(
        [
            "#stalin",
            "#kaganovich",
            "#moscow",
            "#nobody",
            "#",
            "",
            " ",
            "sent",
            "received",
            "1932-07-01",
            "1932-13-45",
            "-0044-03-15",
            "1932-07",
            "99999",
            "low",
            "high",
            "italic",
            "javascript:alert(1)",
            "data:text/html,x",
            "../../etc/passwd",
            "/abs",
            "stalin-kaganovich-1932-07x",
            "a b c",
            "#stalin #kaganovich",
            "omitted",
            "en",
        ]
    ),
    st.text(max_size=20),
)
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]) | st.sampled_from("\n\t <>&\"'"),
    max_size=30,
)


def _element(tag: str) -> etree._Element:
    if tag.startswith("xi:"):
        return etree.Element(f"{{http://www.w3.org/2001/XInclude}}{tag[3:]}")
    return etree.Element(f"{{{TEI_NS}}}{tag}")


def _set(element: etree._Element, name: str, value: str) -> None:
    key = f"{{{XML_NS}}}{name[4:]}" if name.startswith("xml:") else name
    try:
        element.set(key, value)
    except ValueError:
        element.set(key, "x")  # a character XML cannot hold; lxml refuses it


@st.composite
def trees(draw: st.DrawFn, depth: int = 0) -> etree._Element:
    element = _element(draw(st.sampled_from(ELEMENTS)))
    for name in draw(st.lists(st.sampled_from(ATTRIBUTES), max_size=3, unique=True)):
        _set(element, name, draw(VALUES))
    try:
        element.text = draw(TEXT)
    except ValueError:
        element.text = "x"
    if depth < 6:
        for child in draw(st.lists(trees(depth + 1), max_size=4)):
            element.append(child)
            try:
                child.tail = draw(TEXT)
            except ValueError:
                child.tail = None
    return element


@st.composite
def generated_documents(draw: st.DrawFn) -> bytes:
    """A generated tree: alone under a TEI root, or planted in a real letter."""
    planted = draw(trees())
    if draw(st.booleans()):
        root = _element("TEI")
        root.append(planted)
    else:
        root = etree.parse(str(FIXTURES / "valid" / "minimal-letter.xml")).getroot()
        hosts = list(root.iter())
        hosts[draw(st.integers(0, len(hosts) - 1))].append(planted)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


@st.composite
def tree_mutations(draw: st.DrawFn, root: etree._Element) -> None:
    """Drop, duplicate, swap and change elements and attributes of ``root``, in place."""
    for _ in range(draw(st.integers(1, 5))):
        elements = [e for e in root.iter() if isinstance(e.tag, str)]
        target = elements[draw(st.integers(0, len(elements) - 1))]
        parent = target.getparent()
        operation = draw(
            st.sampled_from(
                [
                    "drop",
                    "duplicate",
                    "swap",
                    "drop-attribute",
                    "copy-attribute",
                    "change-attribute",
                    "change-text",
                ]
            )
        )
        if operation == "drop" and parent is not None:
            parent.remove(target)
        elif operation == "duplicate" and parent is not None:
            target.addnext(copy.deepcopy(target))
        elif operation == "swap" and parent is not None:
            other = elements[draw(st.integers(0, len(elements) - 1))]
            other_parent = other.getparent()
            if (
                other_parent is not None
                and other is not target
                and target not in other.iterancestors()
                and other not in target.iterancestors()
            ):
                marker = etree.Element("marker")
                target.addprevious(marker)
                other.addprevious(target)
                marker.addprevious(other)
                parent.remove(marker)
        elif operation == "drop-attribute" and target.attrib:
            del target.attrib[draw(st.sampled_from(sorted(target.attrib)))]
        elif operation == "copy-attribute":
            donor = elements[draw(st.integers(0, len(elements) - 1))]
            for name, value in donor.attrib.items():
                target.set(name, value)
        elif operation == "change-attribute":
            _set(target, draw(st.sampled_from(ATTRIBUTES)), draw(VALUES))
        elif operation == "change-text":
            try:
                target.text = draw(TEXT)
            except ValueError:
                target.text = None


@st.composite
def byte_mutations(draw: st.DrawFn, data: bytes) -> bytes:
    """Corrupt ``data``: flip, insert, delete, duplicate or cut bytes."""
    for _ in range(draw(st.integers(1, 3))):
        if not data:
            return data
        at = draw(st.integers(0, len(data) - 1))
        operation = draw(st.sampled_from(["flip", "insert", "delete", "duplicate", "truncate"]))
        if operation == "flip":
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        elif operation == "insert":
            data = (
                data[:at]
                + draw(
                    st.binary(min_size=1, max_size=8)
                    | st.sampled_from(
                        [
                            b"<",
                            b"&",
                            b"]]>",
                            b"<!DOCTYPE x>",
                            b"\xef\xbb\xbf",
                            b"\r",
                            b"\x00",
                            b"<!--",
                            b"<?x?>",
                        ]
                    )
                )
                + data[at:]
            )
        elif operation == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 64)) :]
        elif operation == "duplicate":
            data = data[:at] + data[at : at + 64] + data[at:]
        else:
            data = data[:at]
    return data


@st.composite
def encodings(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` (UTF-8) re-encoded, with the declaration changed to match or not."""
    text = data.decode("utf-8", errors="replace")
    codec = draw(
        st.sampled_from(
            ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "latin-1", "cp1252", "ascii", "utf-32"]
        )
    )
    if draw(st.booleans()):
        declared = draw(
            st.sampled_from(
                [
                    codec.upper(),
                    codec.upper(),
                    "rot13",
                    "hex",
                    "idna",
                    "undefined",
                    "utf-7",
                    "klingon",
                    "UTF-16",
                    "ISO-8859-1",
                    "EBCDIC-US",
                ]
            )
        )
        text = text.replace('encoding="UTF-8"', f'encoding="{declared}"', 1)
    return text.encode(codec, errors=draw(st.sampled_from(["replace", "xmlcharrefreplace", "ignore"])))


@st.composite
def mutated_edition_files(draw: st.DrawFn) -> tuple[str, bytes]:
    source = draw(st.sampled_from(SOURCES))
    data = source.read_bytes()
    if draw(st.booleans()):
        tree = etree.parse(str(source))
        draw(tree_mutations(tree.getroot()))
        data = bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    if draw(st.booleans()):
        data = draw(byte_mutations(data))
    if draw(st.integers(0, 3)) == 0:
        data = draw(encodings(data))
    return source.name, data


def _check_position(finding: Diagnostic) -> None:
    assert finding.file, finding
    if finding.rule != "input-unreadable":
        assert finding.line >= 1 and finding.column >= 1, f"no position: {finding}"


def _check(name: str, data: bytes) -> None:
    """Validate, render and export one input, as a letter (or as a register, if it is one)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        if name in {r.name for r in REGISTERS}:
            for register in REGISTERS:
                shutil.copy(register, root / register.name)
            path, registers = root / name, tuple(root / r.name for r in REGISTERS)
        else:
            path, registers = root / "letters" / name, REGISTERS
            path.parent.mkdir()
        path.write_bytes(data)
        start = time.monotonic()
        try:
            report = validate([path], ValidateOptions(registers=registers))
        except TeiToolsError:
            report = Report((), ())
        for finding in report.diagnostics:
            _check_position(finding)
        for render in FORMATS.values():
            assert isinstance(render(report, ReportStyle()), str)
        try:
            edition = read_edition([path], registers=registers)
        except TeiToolsError:
            return
        for problem in edition.problems:
            _check_position(problem)
        for exporter in EXPORTERS.values():
            try:
                result = exporter.export(edition, OPTIONS)
            except TeiToolsError:
                continue
            assert all(isinstance(content, str | bytes) for content in result.files.values())
        assert time.monotonic() - start < BOUND


@pytest.mark.slow  # a hundred generated documents through every command: ~10 s, more on a busy machine
@given(generated_documents(), st.booleans(), st.data())
def test_generated_documents(document: bytes, break_it: bool, data: st.DataObject) -> None:
    if break_it:
        document = data.draw(byte_mutations(document))
    _check("generated.xml", document)


@given(mutated_edition_files())
def test_mutated_edition_files(mutated: tuple[str, bytes]) -> None:
    _check(*mutated)


@given(st.binary(max_size=2000))
def test_arbitrary_bytes(data: bytes) -> None:
    _check("bytes.xml", data)


def test_found_by_fuzzing_a_blank_pointer() -> None:
    """A second correspDesc with ref=" " crashed read_edition (IndexError) in every export."""
    letter = (FIXTURES / "valid" / "minimal-letter.xml").read_bytes()
    _check("blank-ref.xml", letter.replace(b"</TEI>", b'<correspDesc ref=" "/></TEI>'))
