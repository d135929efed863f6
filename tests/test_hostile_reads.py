"""A stranger's schema or catalog cannot make teitools read a file outside the repository.

Issue 12, section 1. The attacker writes the repository: its letters, the schemas they declare
(``xml-model``, ``xsi:schemaLocation``), the settings file's ``schemas``, and the catalog a CI
job passes with ``--catalog``. Outside the repository lies a secret file with a unique marker;
the secret must never appear in any output, whichever entry point and command reads it. What
the schema may still read (its own folder, a catalog mapping inside the repository) must
still work.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from teitools.validation import sandbox, xsd
from tests.helpers import EDITION, FIXTURES, run_cli
from tests.xml_commands import run_batch, xml_commands

MINIMAL = FIXTURES / "valid" / "minimal-letter.xml"
SCH_NS = "http://purl.oclc.org/dsdl/schematron"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
_SCH = f'<schema xmlns="{SCH_NS}" queryBinding="{{binding}}">{{body}}</schema>'
#: A bare pattern (what a Schematron include pulls in) reporting its text on the root.
_PATTERN = (
    f'<pattern xmlns="{SCH_NS}"><rule context="/*"><report test="true()">{{}}</report></rule></pattern>'
)
_REPORT = '<pattern><rule context="/*"><report test="{test}">{message}</report></rule></pattern>'


@dataclass(frozen=True)
class Layout:
    """A repository (``repo``, with ``.git``) and, beside it, a secret folder it must not reach."""

    repo: Path
    secret: Path
    marker: str


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    marker = f"SECRET-{uuid.uuid4().hex}"
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "passwords.txt").write_text(f"{marker}\n", encoding="utf-8")
    (secret / "secret.sch").write_text(_PATTERN.format(marker), encoding="utf-8")
    enumeration = (
        f'<xs:simpleType name="t"><xs:restriction base="xs:string"><xs:enumeration value="{marker}"/>'
        "</xs:restriction></xs:simpleType>"
    )
    (secret / "secret.xsd").write_text(f'<xs:schema xmlns:xs="{XSD_NS}">{enumeration}</xs:schema>', "utf-8")
    (secret / "secret-ns.xsd").write_text(
        f'<xs:schema xmlns:xs="{XSD_NS}" targetNamespace="urn:secret">{enumeration}</xs:schema>', "utf-8"
    )
    (secret / "secret.rng").write_text(
        f'<element xmlns="http://relaxng.org/ns/structure/1.0" name="{marker}"><empty/></element>', "utf-8"
    )
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "schemas").mkdir()
    return Layout(repo, secret, marker)


def _letter(layout: Layout, declaration: str = "", name: str = "letter.xml") -> Path:
    """The minimal letter in the repository, ``declaration`` on its line 2; its path relative
    to the repository, from where every command runs."""
    head, rest = MINIMAL.read_text(encoding="utf-8").split("\n", 1)
    path = layout.repo / "letters" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(f"{head}\n{declaration}\n{rest}" if declaration else f"{head}\n{rest}", encoding="utf-8")
    return path.relative_to(layout.repo)


def _notes(layout: Layout, declaration: str = "") -> Path:
    """A one-element document for the XML Schema attacks: its value is checked against the
    enumeration the hostile schema pulls in, whose value is the secret."""
    path = layout.repo / "notes.xml"
    path.write_text(f'<?xml version="1.0"?>\n<notes{declaration}>x</notes>\n', encoding="utf-8")
    return path.relative_to(layout.repo)


def _hrefs(layout: Layout, name: str) -> dict[str, str]:
    """The three ways to name a file outside the schema's folder."""
    target = layout.secret / name
    return {
        "absolute": str(target),
        "parent": f"../../secret/{name}",
        "file-url": target.as_uri(),
    }


def _assert_refused(layout: Layout, code: int, out: str, err: str, *, expected_code: int) -> None:
    said = out + err
    assert code == expected_code, said
    assert layout.marker not in said, "the secret file's contents are in the output"
    assert "Traceback" not in said


# --- Schematron <include> and <extends> ----------------------------------------------------


def _hostile_sch(layout: Layout, how: str, element: str = "include", binding: str = "xslt") -> Path:
    href = _hrefs(layout, "secret.sch")[how]
    body = (
        f'<include href="{href}"/>'
        if element == "include"
        else f'<pattern><rule context="/*"><extends href="{href}"/></rule></pattern>'
    )
    schema = layout.repo / "schemas" / "hostile.sch"
    schema.write_text(_SCH.format(binding=binding, body=body), encoding="utf-8")
    return schema


@pytest.mark.parametrize("binding", ["xslt", "xslt2"])
@pytest.mark.parametrize("how", ["absolute", "parent", "file-url"])
def test_schematron_include_outside_the_schema_folder_is_refused(
    layout: Layout, how: str, binding: str
) -> None:
    _hostile_sch(layout, how, binding=binding)
    letter = _letter(layout)
    run = run_cli("validate", "--schema", "schemas/hostile.sch", letter, cwd=layout.repo)
    _assert_refused(layout, run.code, run.out, run.err, expected_code=2)
    assert "schemas/hostile.sch: the schema it includes" in run.err
    assert "outside the folder of the schema being compiled; refused" in run.err


@pytest.mark.parametrize("how", ["absolute", "parent", "file-url"])
def test_schematron_extends_href_is_refused(layout: Layout, how: str) -> None:
    _hostile_sch(layout, how, element="extends")
    run = run_cli("validate", "--schema", "schemas/hostile.sch", _letter(layout), cwd=layout.repo)
    _assert_refused(layout, run.code, run.out, run.err, expected_code=2)
    assert '<extends href="…"> is not supported' in run.err


def test_a_refused_include_reads_the_same_whether_or_not_the_file_exists(layout: Layout) -> None:
    """The refusal must not tell an attacker which files exist outside the repository."""
    letter = _letter(layout)
    said = []
    for name in ("secret.sch", "no-such-file.sch"):
        schema = layout.repo / "schemas" / "hostile.sch"
        schema.write_text(
            _SCH.format(binding="xslt", body=f'<include href="{layout.secret / name}"/>'), "utf-8"
        )
        run = run_cli("validate", "--schema", "schemas/hostile.sch", letter, cwd=layout.repo)
        said.append((run.code, run.err.replace(name, "NAME")))
    assert said[0] == said[1]


def test_a_declared_schematron_with_a_hostile_include_is_a_finding(layout: Layout) -> None:
    _hostile_sch(layout, "absolute")
    letter = _letter(layout, f'<?xml-model href="../schemas/hostile.sch" schematypens="{SCH_NS}"?>')
    run = run_cli("validate", letter, cwd=layout.repo)
    _assert_refused(layout, run.code, run.out, run.err, expected_code=1)
    assert re.search(
        r"^schemas/hostile\.sch:\d+:\d+: error: .*outside the folder.*\(declared by letters/letter\.xml\) "
        r"\[schema-invalid\]$",
        run.out,
        re.M,
    ), run.out


@pytest.mark.parametrize("how", ["absolute", "parent", "file-url"])
def test_a_declared_schema_outside_the_repository_is_refused_unread(layout: Layout, how: str) -> None:
    """The declaration itself names a schema outside the repository: refused, and the answer
    is the same for a file that does not exist."""
    said = []
    for name in ("secret.sch", "no-such-file.sch"):
        letter = _letter(layout, f'<?xml-model href="{_hrefs(layout, name)[how]}" schematypens="{SCH_NS}"?>')
        run = run_cli("validate", letter, cwd=layout.repo)
        _assert_refused(layout, run.code, run.out, run.err, expected_code=1)
        assert re.search(
            r"^letters/letter\.xml:2:1: error: the schema .* declared here is outside the repository "
            r"being validated; refused .*\[schema-invalid\]$",
            run.out,
            re.M,
        ), run.out
        said.append(run.out.replace(name, "NAME"))
    assert said[0] == said[1]


def test_a_settings_schema_with_a_hostile_include_stops_with_exit_2(layout: Layout) -> None:
    _hostile_sch(layout, "parent")
    (layout.repo / "teitools.toml").write_text('schemas = ["schemas/hostile.sch"]\n', encoding="utf-8")
    run = run_cli("validate", _letter(layout), cwd=layout.repo)
    _assert_refused(layout, run.code, run.out, run.err, expected_code=2)
    assert "outside the folder of the schema being compiled" in run.err


def test_schematron_may_include_its_own_folder_and_catalog_mapped_files(layout: Layout) -> None:
    """What stays allowed: a file below the schema's folder, and a URL a catalog in the
    repository maps to a file in the repository."""
    (layout.repo / "schemas" / "parts").mkdir()
    (layout.repo / "shared").mkdir()
    for folder, word in ((layout.repo / "schemas" / "parts", "BELOW"), (layout.repo / "shared", "MAPPED")):
        (folder / "rules.sch").write_text(_PATTERN.format(word), encoding="utf-8")
    (layout.repo / "schemas" / "main.sch").write_text(
        _SCH.format(
            binding="xslt2",
            body='<include href="parts/rules.sch"/><include href="http://example.org/rules.sch"/>',
        ),
        encoding="utf-8",
    )
    _catalog(layout.repo / "catalog.xml", "http://example.org/rules.sch", "shared/rules.sch")
    run = run_cli(
        "validate",
        "--catalog",
        "catalog.xml",
        "--schema",
        "schemas/main.sch",
        _letter(layout),
        cwd=layout.repo,
    )
    assert run.code == 1, run.out + run.err
    assert "BELOW" in run.out
    assert "MAPPED" in run.out


# --- XML Schema include, import, redefine, override ----------------------------------------


def _hostile_xsd(layout: Layout, how: str, kind: str, target: str = "secret.xsd") -> Path:
    href = _hrefs(layout, "secret-ns.xsd" if kind == "import" else target)[how]
    if kind == "import":
        reference = f'<xs:import namespace="urn:secret" schemaLocation="{href}"/>'
        element = '<xs:element name="notes" type="s:t"/>'
    elif kind == "redefine":
        reference = (
            f'<xs:redefine schemaLocation="{href}"><xs:simpleType name="t"><xs:restriction base="t"/>'
            "</xs:simpleType></xs:redefine>"
        )
        element = '<xs:element name="notes" type="t"/>'
    else:
        reference = f'<xs:{kind} schemaLocation="{href}"/>'
        element = '<xs:element name="notes" type="t"/>'
    version = ' xmlns:vc="http://www.w3.org/2007/XMLSchema-versioning" vc:minVersion="1.1"'
    schema = layout.repo / "schemas" / "hostile.xsd"
    schema.write_text(
        f'<xs:schema xmlns:xs="{XSD_NS}" xmlns:s="urn:secret"{version if kind == "override" else ""}>'
        f"{reference}{element}</xs:schema>",
        encoding="utf-8",
    )
    return schema


@pytest.mark.parametrize("kind", ["include", "import", "redefine", "override"])
@pytest.mark.parametrize("how", ["absolute", "parent", "file-url"])
def test_xsd_reference_outside_the_schema_folder_is_refused(layout: Layout, how: str, kind: str) -> None:
    _hostile_xsd(layout, how, kind)
    run = run_cli("validate", "--schema", "schemas/hostile.xsd", _notes(layout), cwd=layout.repo)
    _assert_refused(layout, run.code, run.out, run.err, expected_code=2)
    assert "schemas/hostile.xsd: the schema it includes" in run.err
    assert "outside the folder of the schema being compiled; refused" in run.err


def test_xsd_include_of_a_text_file_outside_is_refused_unread(layout: Layout) -> None:
    _hostile_xsd(layout, "absolute", "include", target="passwords.txt")
    run = run_cli("validate", "--schema", "schemas/hostile.xsd", _notes(layout), cwd=layout.repo)
    _assert_refused(layout, run.code, run.out, run.err, expected_code=2)
    assert "outside the folder" in run.err


def test_a_declared_xsd_with_a_hostile_import_is_a_finding(layout: Layout) -> None:
    _hostile_xsd(layout, "parent", "import")
    declaration = (
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:noNamespaceSchemaLocation="schemas/hostile.xsd"'
    )
    run = run_cli("validate", _notes(layout, declaration), cwd=layout.repo)
    _assert_refused(layout, run.code, run.out, run.err, expected_code=1)
    assert re.search(
        r"^schemas/hostile\.xsd:\d+:\d+: error: .*outside the folder.*\(declared by notes\.xml\) "
        r"\[schema-invalid\]$",
        run.out,
        re.M,
    ), run.out


def test_xmlschema_itself_is_kept_to_the_schema_folder(
    layout: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the check before xmlschema ever miss a reference (here it is made to see none),
    xmlschema's own reads are still refused outside the schema's folder."""

    def sees_nothing(path: Path, *_args: object, **_kwargs: object) -> frozenset[Path]:
        return frozenset({path.resolve()})

    monkeypatch.setattr(xsd, "_referenced_files", sees_nothing)
    sandbox.stop()  # a user's schema compiles in the sandbox worker: fork one that sees the patch
    _hostile_xsd(layout, "absolute", "include")
    try:
        run = run_cli("validate", "--schema", "schemas/hostile.xsd", _notes(layout), cwd=layout.repo)
    finally:
        sandbox.stop()  # and none that keeps it for the tests after this one
    _assert_refused(layout, run.code, run.out, run.err, expected_code=2)
    assert "makes xmlschema read a file outside the schema's folder; refused" in run.err


def test_xsd_may_include_files_in_its_own_folder(layout: Layout) -> None:
    (layout.repo / "schemas" / "parts").mkdir()
    (layout.repo / "schemas" / "parts" / "types.xsd").write_text(
        f'<xs:schema xmlns:xs="{XSD_NS}"><xs:simpleType name="t"><xs:restriction base="xs:string">'
        '<xs:enumeration value="ALLOWED"/></xs:restriction></xs:simpleType></xs:schema>',
        encoding="utf-8",
    )
    (layout.repo / "schemas" / "main.xsd").write_text(
        f'<xs:schema xmlns:xs="{XSD_NS}"><xs:include schemaLocation="parts/types.xsd"/>'
        '<xs:element name="notes" type="t"/></xs:schema>',
        encoding="utf-8",
    )
    run = run_cli("validate", "--schema", "schemas/main.xsd", _notes(layout), cwd=layout.repo)
    assert run.code == 1, run.out + run.err
    assert "ALLOWED" in run.out, "the included enumeration is what the value is checked against"


def test_xsd_may_import_a_namespace_xmlschema_ships(layout: Layout) -> None:
    """An import by namespace alone (XLink here) reads xmlschema's bundled copy, as before."""
    (layout.repo / "schemas" / "xlink.xsd").write_text(
        f'<xs:schema xmlns:xs="{XSD_NS}" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<xs:import namespace="http://www.w3.org/1999/xlink"/><xs:element name="notes"><xs:complexType>'
        '<xs:simpleContent><xs:extension base="xs:string"><xs:attribute ref="xlink:href"/></xs:extension>'
        "</xs:simpleContent></xs:complexType></xs:element></xs:schema>",
        encoding="utf-8",
    )
    notes = _notes(layout, ' xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="#a"')
    run = run_cli("validate", "--schema", "schemas/xlink.xsd", notes, cwd=layout.repo)
    assert run.code == 0, run.out + run.err


# --- Catalogs ------------------------------------------------------------------------------


def _catalog(path: Path, name: str, uri: str) -> Path:
    path.write_text(
        '<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">'
        f'<uri name="{name}" uri="{uri}"/></catalog>',
        encoding="utf-8",
    )
    return path


def test_a_catalog_may_not_map_a_declared_schema_outside_the_repository(layout: Layout) -> None:
    _catalog(layout.repo / "catalog.xml", "http://example.org/s.sch", (layout.secret / "secret.sch").as_uri())
    letter = _letter(layout, f'<?xml-model href="http://example.org/s.sch" schematypens="{SCH_NS}"?>')
    run = run_cli("validate", "--catalog", "catalog.xml", letter, cwd=layout.repo)
    _assert_refused(layout, run.code, run.out, run.err, expected_code=1)
    assert re.search(
        r"^letters/letter\.xml:2:1: error: the XML catalog catalog\.xml maps http://example\.org/s\.sch "
        r"to .*, outside the repository being validated .* \[schema-invalid\]$",
        run.out,
        re.M,
    ), run.out


def test_a_catalog_may_not_map_an_include_outside_the_repository(layout: Layout) -> None:
    _catalog(layout.repo / "catalog.xml", "http://example.org/s.rng", (layout.secret / "secret.rng").as_uri())
    (layout.repo / "schemas" / "x.rng").write_text(
        '<grammar xmlns="http://relaxng.org/ns/structure/1.0"><start><externalRef href="http://example.org/s.rng"/>'
        "</start></grammar>",
        encoding="utf-8",
    )
    run = run_cli(
        "validate", "--catalog", "catalog.xml", "--schema", "schemas/x.rng", _letter(layout), cwd=layout.repo
    )
    _assert_refused(layout, run.code, run.out, run.err, expected_code=2)
    assert "outside the repository being validated" in run.err


def test_a_catalog_may_map_into_the_repository_and_the_shipped_schemas(layout: Layout) -> None:
    (layout.repo / "shared").mkdir()
    (layout.repo / "shared" / "s.sch").write_text(
        _SCH.format(binding="xslt", body=_REPORT.format(test="true()", message="FROM-THE-REPOSITORY")),
        "utf-8",
    )
    _catalog(layout.repo / "catalog.xml", "http://example.org/s.sch", "shared/s.sch")
    letter = _letter(layout, f'<?xml-model href="http://example.org/s.sch" schematypens="{SCH_NS}"?>')
    run = run_cli("validate", "--catalog", "catalog.xml", letter, cwd=layout.repo)
    assert run.code == 1, run.out + run.err
    assert "FROM-THE-REPOSITORY" in run.out
    # The shipped catalog maps the XML namespace's schema into teitools' own schemas.
    (layout.repo / "schemas" / "lang.xsd").write_text(
        f'<xs:schema xmlns:xs="{XSD_NS}"><xs:import namespace="http://www.w3.org/XML/1998/namespace" '
        'schemaLocation="http://www.w3.org/2001/xml.xsd"/><xs:element name="notes"><xs:complexType>'
        '<xs:simpleContent><xs:extension base="xs:string"><xs:attribute ref="xml:lang"/></xs:extension>'
        "</xs:simpleContent></xs:complexType></xs:element></xs:schema>",
        encoding="utf-8",
    )
    notes = _notes(layout, ' xml:lang="en"')
    run = run_cli(
        "validate", "--catalog", "catalog.xml", "--schema", "schemas/lang.xsd", notes, cwd=layout.repo
    )
    assert run.code == 0, run.out + run.err


def test_a_catalog_installed_outside_the_repository_is_trusted(layout: Layout) -> None:
    """A contributor cannot write a catalog outside the repository (the machine's, or
    XML_CATALOG_FILES): its mappings are followed wherever they point."""
    (layout.secret / "ours.sch").write_text(
        _SCH.format(binding="xslt", body=_REPORT.format(test="true()", message="INSTALLED")), "utf-8"
    )
    catalog = _catalog(layout.secret / "catalog.xml", "http://example.org/s.sch", "ours.sch")
    letter = _letter(layout, f'<?xml-model href="http://example.org/s.sch" schematypens="{SCH_NS}"?>')
    run = run_cli("validate", "--catalog", catalog, letter, cwd=layout.repo)
    assert run.code == 1, run.out + run.err
    assert "INSTALLED" in run.out


# --- XPath 2: doc(), collection() ----------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "exists(collection('{}'))",
        "exists(doc('{}/'))",
        "exists(doc('{}/passwords.txt'))",
        "doc-available('{}/')",
    ],
)
def test_xpath2_functions_do_not_tell_an_existing_folder_from_a_missing_one(
    layout: Layout, expression: str
) -> None:
    letter = _letter(layout)
    said = []
    for folder in (layout.secret, layout.secret.parent / "missing"):
        # One schema file per probe: a compiled schema is kept for the process by its path.
        probe = layout.repo / "schemas" / f"probe-{folder.name}.sch"
        probe.write_text(
            _SCH.format(
                binding="xslt2", body=_REPORT.format(test=expression.format(folder), message="probed")
            ),
            "utf-8",
        )
        run = run_cli("validate", "--schema", probe.relative_to(layout.repo), letter, cwd=layout.repo)
        said.append((run.code, (run.out + run.err).replace(str(folder), "FOLDER")))
    assert said[0] == said[1]


# --- Messages ------------------------------------------------------------------------------


def test_messages_show_schema_paths_as_given_not_where_links_point(layout: Layout) -> None:
    elsewhere = layout.repo.parent / "elsewhere"
    elsewhere.mkdir()
    (layout.repo / "linked").symlink_to(elsewhere)
    (elsewhere / "broken.sch").write_text(
        _SCH.format(binding="xslt2", body=_REPORT.format(test="((", message="x")), "utf-8"
    )
    run = run_cli("validate", "--schema", "linked/broken.sch", _letter(layout), cwd=layout.repo)
    assert run.code == 2, run.out + run.err
    assert "linked/broken.sch" in run.err
    assert str(elsewhere) not in run.err


# --- Every command ------------------------------------------------------------------------


def test_no_command_reveals_the_secret_through_a_declared_schema(layout: Layout) -> None:
    """A letter declaring a hostile Schematron, one declaring a hostile XSD and one declaring a
    URL that the catalog maps outside the repository, through every command."""
    _hostile_sch(layout, "absolute")
    _hostile_xsd(layout, "parent", "include")
    _catalog(layout.repo / "catalog.xml", "http://example.org/s.sch", (layout.secret / "secret.sch").as_uri())
    _letter(layout, f'<?xml-model href="../schemas/hostile.sch" schematypens="{SCH_NS}"?>', "a.xml")
    _letter(layout, f'<?xml-model href="../schemas/hostile.xsd" schematypens="{XSD_NS}"?>', "b.xml")
    _letter(layout, f'<?xml-model href="http://example.org/s.sch" schematypens="{SCH_NS}"?>', "c.xml")
    for name in ("persons.xml", "places.xml", "sources.xml"):
        (layout.repo / name).write_bytes((EDITION / name).read_bytes())
    commands = xml_commands(layout.repo / "letters", layout.repo / "out")
    results = run_batch(commands, cwd=layout.repo, results=layout.repo / "results.json")
    problems = []
    for label, result in results:
        said = result.out + result.err
        if result.code not in (0, 1, 2) or "Traceback" in said:
            problems.append(f"{label}: exit {result.code}\n{said}")
        if layout.marker in said:
            problems.append(f"{label}: the secret is in its output")
    written = [
        p
        for p in (layout.repo / "out").rglob("*")
        if p.is_file() and layout.marker in p.read_text("utf-8", "replace")
    ]
    assert not problems, "\n".join(problems)
    assert not written, f"the secret was written to {written}"
