"""Files validated by the schemas they declare: discovery, catalogs, XSD 1.1, RELAX NG compact.

Each ``tests/fixtures/declared/*.xml`` says what it must produce, one comment per finding:
``<!-- expect: RULE line N -->``; a file without such comments must pass.
"""

from __future__ import annotations

import re
import shutil
import socket
from pathlib import Path

import pytest
from lxml import etree

from teitools.cli import main
from teitools.load.declarations import declarations
from teitools.load.parser import parse_bytes
from teitools.load.resources import schema_file
from teitools.validation.catalog import Catalogs, read_catalog
from teitools.validation.discovery import resolve
from teitools.validation.runner import ValidateOptions, validate
from teitools.validation.xsd import compile_xsd
from tests.helpers import FIXTURES

DECLARED = FIXTURES / "declared"
FILES = sorted(DECLARED.glob("*.xml"))
EXPECT = re.compile(r"<!-- expect: ([a-z0-9-]+) line (\d+)")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test: nothing is ever fetched."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from ``tmp_path``: a document there, outside any git repository, is in the current
    folder's repository, so the schemas beside it may be declared (docs/security.md, 2a)."""
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("fixture", FILES, ids=[p.stem for p in FILES])
def test_declared_fixture_gives_exactly_the_expected_findings(fixture: Path) -> None:
    expected = sorted((rule, int(line)) for rule, line in EXPECT.findall(fixture.read_text()))
    report = validate([fixture])
    assert sorted((d.rule, d.line) for d in report.diagnostics) == expected
    assert all(d.column > 0 for d in report.diagnostics)


def test_cli_reports_an_unresolved_url_with_how_to_map_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["validate", str(DECLARED / "unresolved.xml")])
    out = capsys.readouterr().out
    assert code == 1
    assert "https://schemas.example.org/edition/letter.rng" in out
    assert "--catalog" in out
    assert "[schema-unresolved]" in out


def _pi_tree(text: str) -> etree._ElementTree:
    return parse_bytes(text.encode(), Path("doc.xml"))


def test_declarations_read_every_pseudo_attribute_and_xsi() -> None:
    tree = _pi_tree(
        '<?xml-model href="a.rng" type="application/xml" '
        'schematypens="http://relaxng.org/ns/structure/1.0"?>\n'
        '<?xml-model href="a.sch" schematypens="http://purl.oclc.org/dsdl/schematron" '
        'phase="strict"?>\n'
        '<?xml-model href="b.rnc" type="application/relax-ng-compact-syntax"?>\n'
        '<?xml-stylesheet href="view.xsl"?>\n'
        '<r xmlns="urn:r" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n'
        '   xsi:schemaLocation="urn:other other.xsd urn:r r.xsd"/>'
    )
    found = [(d.href, d.language, d.line, d.phase, d.origin) for d in declarations(tree)]
    assert found == [
        ("a.rng", "relaxng", 1, None, "xml-model"),
        ("a.sch", "schematron", 2, "strict", "xml-model"),
        ("b.rnc", "relaxng-compact", 3, None, "xml-model"),
        ("r.xsd", "xsd", 6, None, "xsi"),  # libxml2's line of a start tag is where it ends
    ]


def test_no_namespace_schema_location_is_read() -> None:
    tree = _pi_tree(
        '<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="r.xsd"/>'
    )
    assert [(d.href, d.language) for d in declarations(tree)] == [("r.xsd", "xsd")]


def _catalog(folder: Path, body: str, name: str = "catalog.xml") -> Path:
    path = folder / name
    path.write_text(
        f'<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">{body}</catalog>', encoding="utf-8"
    )
    return path


def test_catalog_entries_map_urls_to_local_files(tmp_path: Path) -> None:
    (tmp_path / "next").mkdir()
    _catalog(tmp_path / "next", '<uri name="http://x.org/next.rng" uri="n.rng"/>')
    path = _catalog(
        tmp_path,
        """
        <uri name="http://x.org/exact.rng" uri="local/exact.rng"/>
        <rewriteURI uriStartString="http://x.org/" rewritePrefix="short/"/>
        <rewriteURI uriStartString="http://x.org/long/" rewritePrefix="long/"/>
        <system systemId="http://s.org/sys.xsd" uri="sys.xsd"/>
        <rewriteSystem systemIdStartString="http://sys.org/" rewritePrefix="sys/"/>
        <uriSuffix uriSuffix="/tei_all.rng" uri="tei/tei_all.rng"/>
        <systemSuffix systemSuffix="/xml.xsd" uri="xml.xsd"/>
        <group xml:base="grouped/"><uri name="http://x.org/in-group.rng" uri="g.rng"/></group>
        <nextCatalog catalog="next/catalog.xml"/>""",
    )
    catalog = read_catalog(path)
    base = tmp_path.as_uri()
    assert catalog.lookup("http://x.org/exact.rng") == f"{base}/local/exact.rng"
    assert catalog.lookup("http://x.org/a/b.rng") == f"{base}/short/a/b.rng"
    assert catalog.lookup("http://x.org/long/c.rng") == f"{base}/long/c.rng"
    assert catalog.lookup("http://s.org/sys.xsd") == f"{base}/sys.xsd"
    assert catalog.lookup("http://sys.org/d/e.xsd") == f"{base}/sys/d/e.xsd"
    assert catalog.lookup("http://y.org/p/tei_all.rng") == f"{base}/tei/tei_all.rng"
    assert catalog.lookup("http://y.org/2001/xml.xsd") == f"{base}/xml.xsd"
    assert catalog.lookup("http://x.org/in-group.rng") == f"{base}/grouped/g.rng"
    assert catalog.lookup("http://elsewhere.org/next.rng") is None
    assert catalog.lookup("http://x.org/next.rng") == f"{base}/short/next.rng"
    chained = read_catalog(_catalog(tmp_path, '<nextCatalog catalog="next/catalog.xml"/>', "chain.xml"))
    assert chained.lookup("http://x.org/next.rng") == f"{base}/next/n.rng"


def test_resolution_tries_catalogs_then_the_document_folder(tmp_path: Path) -> None:
    catalogs = Catalogs((_catalog(tmp_path, '<uri name="http://x.org/s.rng" uri="s.rng"/>'),))
    document = tmp_path / "letters" / "a.xml"
    assert resolve("http://x.org/s.rng", document, catalogs) == tmp_path / "s.rng"
    assert resolve("../schema/s.rng", document, catalogs) == tmp_path / "schema" / "s.rng"
    assert resolve("http://unmapped.org/s.rng", document, catalogs) is None


def test_xml_catalog_files_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(DECLARED / "note.rnc", tmp_path)  # what notes.rnc includes
    schema = Path(shutil.copy(DECLARED / "notes.rnc", tmp_path))  # a catalog maps inside its repository
    catalog = _catalog(tmp_path, f'<uri name="http://x.org/notes.rnc" uri="{schema.as_uri()}"/>')
    document = tmp_path / "doc.xml"
    document.write_text(
        '<?xml-model href="http://x.org/notes.rnc" '
        'type="application/relax-ng-compact-syntax"?>\n'
        '<notes xmlns="urn:example:notes"><note from="1932">x</note></notes>\n'
    )
    assert [d.rule for d in validate([document]).diagnostics] == ["schema-unresolved"]
    monkeypatch.setenv("XML_CATALOG_FILES", catalog.as_uri())
    assert validate([document]).diagnostics == ()


def test_catalog_option_maps_a_declared_url(tmp_path: Path) -> None:
    schema = Path(shutil.copy(DECLARED / "notes.xsd", tmp_path))  # a catalog maps inside its repository
    catalog = _catalog(tmp_path, f'<uri name="http://x.org/notes.xsd" uri="{schema.as_uri()}"/>')
    document = tmp_path / "doc.xml"
    document.write_text(
        '<?xml-model href="http://x.org/notes.xsd" '
        'schematypens="http://www.w3.org/2001/XMLSchema"?>\n'
        '<notes xmlns="urn:example:notes"><note from="x">x</note></notes>\n'
    )
    report = validate([document], ValidateOptions(catalogs=(catalog,)))
    assert [(d.rule, d.line) for d in report.diagnostics] == [("xsd-invalid", 2)]


def test_the_xml_namespace_schema_is_a_local_file() -> None:
    schema = compile_xsd(DECLARED / "notes.xsd", Catalogs((schema_file("catalog.xml"),)))
    assert schema.version == "1.1"
    xml_schema = schema.validator.maps.namespaces["http://www.w3.org/XML/1998/namespace"][0]
    assert xml_schema.url.startswith("file:///")


def test_the_shipped_catalog_maps_the_xml_namespace_schema() -> None:
    shipped = read_catalog(schema_file("catalog.xml"))
    mapped = shipped.lookup("http://www.w3.org/2001/xml.xsd")
    assert mapped == (schema_file("xml.xsd")).as_uri()
    compiled = compile_xsd(schema_file("xml.xsd"), Catalogs())
    assert compiled.validator.target_namespace == "http://www.w3.org/XML/1998/namespace"


def test_a_declared_schema_replaces_the_projects(tmp_path: Path) -> None:
    """A TEI file with its own declaration is not judged by teitools.rng/teitools.sch."""
    letter = (FIXTURES / "invalid" / "hi-rend.xml").read_text(encoding="utf-8")
    shutil.copy(DECLARED / "note.rnc", tmp_path)  # what notes.rnc includes
    rnc = Path(shutil.copy(DECLARED / "notes.rnc", tmp_path)).as_uri()  # declared inside the repository
    declared = letter.replace(
        "?>", f'?>\n<?xml-model href="{rnc}" type="application/relax-ng-compact-syntax"?>', 1
    )
    path = tmp_path / "letter.xml"
    path.write_text(declared, encoding="utf-8")
    rules = {d.rule for d in validate([path]).diagnostics}
    assert rules == {"rng-invalid"}  # <TEI> is not <notes>; hi-rend is not checked
    both = validate(
        [path],
        ValidateOptions(
            project_rules_on_declared=True, registers=tuple(sorted(FIXTURES.parent.parent.glob("tei/*.xml")))
        ),
    )
    assert {"rng-invalid", "hi-rend"} <= {d.rule for d in both.diagnostics}


def test_schema_option_overrides_declarations() -> None:
    """--schema notes.xsd replaces the declared notes.rnc and notes.sch (the XSD's own 1.1
    assertion reports line 8, which notes.sch would have reported as note-order)."""
    report = validate([DECLARED / "rnc-invalid.xml"], ValidateOptions(schemas=(DECLARED / "notes.xsd",)))
    assert [(d.rule, d.line) for d in report.diagnostics] == [("xsd-invalid", 7), ("xsd-invalid", 8)]


def test_svrl_format_is_well_formed_svrl(capsys: pytest.CaptureFixture[str]) -> None:
    main(["validate", "--format", "svrl", str(DECLARED / "rnc-invalid.xml")])
    svrl = etree.fromstring(capsys.readouterr().out.encode())
    ns = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
    assert svrl.tag == "{http://purl.oclc.org/dsdl/svrl}schematron-output"
    [assertion] = svrl.findall("svrl:failed-assert[@id='note-order']", namespaces=ns)
    assert assertion.get("test") == "xs:integer(@from) le xs:integer(@to)"
    assert assertion.get("location", "").endswith("[2]")
    assert assertion.findtext("svrl:text", namespaces=ns) == "@from (1936) is after @to (1934)"
    assert svrl.xpath("count(//svrl:failed-assert[@id='rng-invalid'])", namespaces=ns) == 1
    assert svrl.xpath("count(svrl:active-pattern)", namespaces=ns) == 1


def test_every_new_rule_id_is_documented() -> None:
    from teitools.validation import schema_jobs, xsd  # noqa: PLC0415 -- the ids under test

    rules_doc = (FIXTURES.parents[1] / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in (
        schema_jobs.RULE_UNRESOLVED,
        schema_jobs.RULE_INVALID,
        schema_jobs.RULE_UNSUPPORTED,
        xsd.RULE,
    ):
        assert f"| `{rule}` |" in rules_doc, rule


def test_parallel_validation_gives_the_same_report() -> None:
    one = validate(FILES)
    two = validate(FILES, ValidateOptions(jobs=2))
    assert two.diagnostics == one.diagnostics
    assert len(one.diagnostics) == sum(len(EXPECT.findall(p.read_text())) for p in FILES)


def test_a_file_record_finds_the_declarations_in_the_prolog() -> None:
    from teitools.load.record import read_record  # noqa: PLC0415

    found = read_record(DECLARED / "rnc-valid.xml").declarations
    assert [(d.href, d.language, d.line) for d in found] == [
        ("notes.rnc", "relaxng-compact", 2),
        ("notes.sch", "schematron", 3),
    ]
    assert [d.href for d in read_record(DECLARED / "xsd11-valid.xml").declarations] == ["notes.xsd"]
    parsed = read_record(DECLARED / "rnc-valid.xml").parsed()
    assert parsed.tree is not None and parsed.declarations == found


def test_an_xsd_import_by_url_resolves_through_the_catalog(tmp_path: Path) -> None:
    (tmp_path / "common.xsd").write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:common">'
        '<xs:simpleType name="year"><xs:restriction base="xs:gYear"/></xs:simpleType>'
        "</xs:schema>",
        encoding="utf-8",
    )
    (tmp_path / "main.xsd").write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:c="urn:common">'
        '<xs:import namespace="urn:common" schemaLocation="http://x.org/common.xsd"/>'
        '<xs:element name="year" type="c:year"/></xs:schema>',
        encoding="utf-8",
    )
    document = tmp_path / "doc.xml"
    document.write_text(
        '<year xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:noNamespaceSchemaLocation="main.xsd">July</year>',
        encoding="utf-8",
    )
    offline = validate([document])
    assert [d.rule for d in offline.diagnostics] == ["schema-invalid"]
    assert "--catalog" in offline.diagnostics[0].message
    catalog = _catalog(tmp_path, '<uri name="http://x.org/common.xsd" uri="common.xsd"/>')
    mapped = validate([document], ValidateOptions(catalogs=(catalog,)))
    assert [(d.rule, d.line) for d in mapped.diagnostics] == [("xsd-invalid", 1)]


@pytest.mark.parametrize("syntax", ["rng", "rnc"])
def test_a_grammar_include_by_url_resolves_through_the_catalog(tmp_path: Path, syntax: str) -> None:
    if syntax == "rnc":
        shutil.copy(DECLARED / "note.rnc", tmp_path / "part.rnc")
        (tmp_path / "main.rnc").write_text(
            'default namespace = "urn:example:notes"\n'
            'include "http://x.org/part.rnc"\nstart = element notes { note+ }\n',
            encoding="utf-8",
        )
    else:
        (tmp_path / "part.rng").write_text(
            '<grammar xmlns="http://relaxng.org/ns/structure/1.0" ns="urn:example:notes">'
            '<define name="note"><element name="note"><attribute name="from"/><text/>'
            "</element></define></grammar>",
            encoding="utf-8",
        )
        (tmp_path / "main.rng").write_text(
            '<grammar xmlns="http://relaxng.org/ns/structure/1.0" ns="urn:example:notes">'
            '<include href="http://x.org/part.rng"/>'
            '<start><element name="notes"><oneOrMore><ref name="note"/></oneOrMore>'
            "</element></start></grammar>",
            encoding="utf-8",
        )
    document = tmp_path / "doc.xml"
    document.write_text(
        f'<?xml-model href="main.{syntax}"?>\n<notes xmlns="urn:example:notes">'
        "<note>no @from</note></notes>\n",
        encoding="utf-8",
    )
    offline = validate([document])
    assert [d.rule for d in offline.diagnostics] == ["schema-invalid"]
    assert f"http://x.org/part.{syntax}" in offline.diagnostics[0].message
    catalog = _catalog(tmp_path, f'<uri name="http://x.org/part.{syntax}" uri="part.{syntax}"/>')
    mapped = validate([document], ValidateOptions(catalogs=(catalog,)))
    assert [(d.rule, d.line) for d in mapped.diagnostics] == [("rng-invalid", 2)]


@pytest.mark.parametrize(
    ("rnc", "reason"),
    [
        ('start = element n { xsd:string - "nobody" }', "does not convert"),  # rnc2rng 2.7 gap
        ('include "x.rnc" { start = element n { text } }', "overriding definitions"),
        ('start = external "x.rnc"', "external"),
    ],
)
def test_compact_syntax_it_cannot_convert_is_a_clear_finding(tmp_path: Path, rnc: str, reason: str) -> None:
    (tmp_path / "s.rnc").write_text(
        'datatypes xsd = "http://www.w3.org/2001/XMLSchema-datatypes"\n' + rnc + "\n", encoding="utf-8"
    )
    document = tmp_path / "doc.xml"
    document.write_text('<?xml-model href="s.rnc"?>\n<n/>\n', encoding="utf-8")
    [finding] = validate([document]).diagnostics
    assert (finding.rule, Path(finding.file).name) == ("schema-invalid", "s.rnc")  # on the schema
    assert reason in finding.message


@pytest.mark.parametrize(
    ("binding", "test", "expected"),
    [
        ("xslt2", "doc-available('file:///etc/hostname')", "read"),  # not available: assert fails
        ("xslt3", "string-length(unparsed-text('file:///etc/hostname')) = 0", "schema-invalid"),
        ("xslt", "count(document('file:///etc/hostname')) = 0", "schema-invalid"),
    ],
)
def test_schematron_rules_cannot_read_files(tmp_path: Path, binding: str, test: str, expected: str) -> None:
    (tmp_path / "s.sch").write_text(
        f'<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="{binding}">'
        f'<pattern><rule context="n"><assert test="{test}" id="read">read</assert></rule>'
        "</pattern></schema>",
        encoding="utf-8",
    )
    document = tmp_path / "doc.xml"
    document.write_text(
        '<?xml-model href="s.sch" schematypens="http://purl.oclc.org/dsdl/schematron"?>\n<n/>\n',
        encoding="utf-8",
    )
    [finding] = validate([document]).diagnostics
    assert finding.rule == expected
    if expected == "schema-invalid":
        assert "not allowed" in finding.message or "denied" in finding.message


def test_json_report_of_third_party_rule_ids_follows_the_report_schema(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import json  # noqa: PLC0415 -- only this test reads JSON

    import jsonschema  # noqa: PLC0415

    (tmp_path / "s.sch").write_text(
        '<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">'
        '<pattern id="tei_all-att.datable_Rule-2"><rule context="n">'
        '<assert test="false()"/></rule></pattern></schema>',
        encoding="utf-8",
    )
    document = tmp_path / "doc.xml"
    document.write_text(
        '<?xml-model href="s.sch" schematypens="http://purl.oclc.org/dsdl/schematron"?>\n<n/>\n',
        encoding="utf-8",
    )
    main(["validate", "--format", "json", str(document)])
    report = json.loads(capsys.readouterr().out)
    jsonschema.validate(report, json.loads(schema_file("report.schema.json").read_text()))
    [finding] = report["diagnostics"]
    assert finding["rule"] == "tei_all-att.datable_Rule-2"
    assert finding["message"] == "failed assert: false()"
