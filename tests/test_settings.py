"""Project settings: where they are found, what they hold, and how mistakes are reported."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from teitools.load.settings import Editor, Settings, find_settings_file, load_settings, settings_for
from tests.conftest import RunCli
from tests.helpers import EDITION, ROOT, make_edition


def test_bundled_edition_settings() -> None:
    settings = settings_for([EDITION / "letters" / "stalin-kaganovich-1933.xml"])
    assert settings.file == EDITION / "teitools.toml"
    assert settings.title == "Stalin's letters to Molotov and Kaganovich: a teitools sample edition"
    assert settings.editors == (Editor("teitools developers"),)
    assert (settings.publisher, settings.licence, settings.licence_url) == (
        "teitools",
        "CC BY 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    )
    assert settings.base_url == "https://example.org/teitools/"
    assert settings.citation_style == "chicago"
    assert settings.schemas == ()
    assert settings.cmif.bibl.startswith("Stalin's letters to Molotov and Kaganovich")
    assert (settings.cmif.bibl_type, settings.cmif.date) == ("online", "2026-11-26")


def test_no_settings_gives_defaults(tmp_path: Path) -> None:
    (tmp_path / "letter.xml").write_text("<TEI/>", "utf-8")
    assert settings_for([tmp_path / "letter.xml"]) == Settings()
    assert Settings().citation_style == "chicago"


def test_found_in_parent_folders_teitools_toml_first(tmp_path: Path) -> None:
    deep = tmp_path / "edition" / "letters" / "1930"
    deep.mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text('[tool.teitools]\ntitle = "From pyproject"\n')
    assert find_settings_file(deep) == tmp_path / "pyproject.toml"
    assert settings_for([deep]).title == "From pyproject"
    (tmp_path / "teitools.toml").write_text('title = "From teitools.toml"\n')
    assert settings_for([deep]).title == "From teitools.toml"
    # A pyproject.toml without [tool.teitools] nearer the corpus is passed over.
    (tmp_path / "edition" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_settings_file(deep) == tmp_path / "teitools.toml"


def test_editor_tables_and_trailing_slash(tmp_path: Path) -> None:
    path = tmp_path / "teitools.toml"
    path.write_text(
        'editors = ["A. Editor", {name = "B. Editor", email = "b@example.org"}]\n'
        'base-url = "https://letters.example.net/ed"\n'
        "[cmif]\ndate = 2026-11-26\n",
        "utf-8",
    )
    settings = load_settings(path)
    assert settings.cmif.date == "2026-11-26"  # a TOML date, unquoted
    assert settings.editors == (Editor("A. Editor"), Editor("B. Editor", "b@example.org"))
    assert settings.base_url == "https://letters.example.net/ed/"


BAD_SETTINGS = [
    pytest.param(
        (
            "teitools.toml",
            'citaton-style = "mla"\n',
            "{file}: unknown setting 'citaton-style'; allowed keys: base-url, "
            "citation-style, cmif, declared-schemas-only, editors, licence, licence-url, publisher, "
            "publisher-url, rules, schemas, title",
        ),
        id="unknown key",
    ),
    pytest.param(
        (
            "teitools.toml",
            'citation-style = "harvard"\n',
            '{file}: citation-style = \'harvard\' is not allowed; allowed values: "chicago", "mla", "apa"',
        ),
        id="bad citation style",
    ),
    pytest.param(
        (
            "teitools.toml",
            '[cmif]\nbibl-type = "digital"\n',
            "{file}: cmif.bibl-type = 'digital' is not allowed; allowed values: "
            '"online", "print", "hybrid"',
        ),
        id="bad bibl type",
    ),
    pytest.param(
        (
            "teitools.toml",
            '[cmif]\nbibliography = "x"\n',
            "{file}: unknown setting 'bibliography' in [cmif]; allowed keys: bibl, "
            "bibl-id, bibl-type, date, url",
        ),
        id="unknown cmif key",
    ),
    pytest.param(
        (
            "teitools.toml",
            'editors = "A. Editor"\n',
            "{file}: editors = 'A. Editor' is invalid: expected a list (The edition's "
            "editors: names, or tables with a name and an e-mail address.)",
        ),
        id="editors not a list",
    ),
    pytest.param(
        (
            "teitools.toml",
            '[cmif]\nbibl-id = "0f5b6a62-3e42-5c1a-9d3b-6c1f4f7e2a10"\n',
            "{file}: cmif.bibl-id = '0f5b6a62-3e42-5c1a-9d3b-6c1f4f7e2a10' is invalid: "
            "expected a lower-case UUID starting with a letter (it is an xml:id), such as "
            "f5055f00-9182-4728-8f81-a0cf016b616b (A UUID for the bibl, when the edition "
            "already has one registered; by default one is derived from base-url. It "
            "must start with a letter: it is an xml:id.)",
        ),
        id="bibl id starts with digit",
    ),
    pytest.param(
        (
            "teitools.toml",
            'editors = ["A. Editor", {email = "b@example.org"}]\n',
            "{file}: editors[1] = {{'email': 'b@example.org'}} is invalid: expected a name, "
            "or a table with name and email",
        ),
        id="editor without name",
    ),
    pytest.param(
        (
            "teitools.toml",
            'base-url = "example.org/letters"\n',
            "{file}: base-url = 'example.org/letters' is invalid: expected a web address "
            "starting with http:// or https:// (The address the edition's site is "
            "published at; letter pages are <base-url>letters/<id>.html.)",
        ),
        id="base url without scheme",
    ),
    pytest.param(
        (
            "teitools.toml",
            '[cmif]\ndate = "2026-02-30"\n',
            "{file}: cmif.date = '2026-02-30' is not a real calendar date; expected a "
            "date written YYYY-MM-DD",
        ),
        id="impossible date",
    ),
    pytest.param(
        (
            "teitools.toml",
            'schemas = ["missing.rng"]\n',
            "{file}: schemas[0] = 'missing.rng': no such file (paths are relative to {folder})",
        ),
        id="missing schema",
    ),
    pytest.param(
        (
            "teitools.toml",
            'title = "unterminated\n',
            # tomllib words the rest (its position is checked below).
            "{file}: not valid TOML: ",
        ),
        id="TOML syntax",
    ),
    pytest.param(
        (
            "pyproject.toml",
            "[tool.teitools]\ncitation-style = 3\n",
            "{file}: tool.teitools.citation-style = 3 is not allowed; allowed values: "
            '"chicago", "mla", "apa"',
        ),
        id="pyproject",
    ),
]


@pytest.mark.parametrize("case", BAD_SETTINGS)
@pytest.mark.parametrize("command", ["export json", "export cmif", "validate"])
def test_bad_settings_are_reported_with_exit_code_2(
    run_cli: RunCli, tmp_path: Path, case: tuple[str, str, str], command: str
) -> None:
    name, content, message = case
    edition = make_edition(tmp_path / "ed", {"stalin-molotov-1930": {}}, settings="")
    (edition / "teitools.toml").unlink()
    (edition / name).write_text(content, "utf-8")
    result = run_cli(*command.split(), edition)
    assert result.code == 2
    assert result.out == ""
    expected = message.format(file=edition / name, folder=edition)
    assert result.err.startswith(f"teitools: error: {expected}")
    assert result.err.count("\n") == 1
    assert result.err.endswith(")\n" if "TOML" in expected else f"{expected}\n")
    if "TOML" in expected:
        assert "(at line 1, column " in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize("named", ["../outside.rng", "../missing.rng", "/etc/passwd", "link/x.rng"])
def test_a_settings_schema_outside_its_repository_is_refused_alike_whether_it_exists(
    run_cli: RunCli, tmp_path: Path, named: str
) -> None:
    """A contributor's settings file cannot make teitools read, or probe for, outside files."""
    folder = tmp_path / "edition"
    folder.mkdir()
    (tmp_path / "outside.rng").write_text("<grammar/>", "utf-8")
    (folder / "link").symlink_to(tmp_path)
    (folder / "letter.xml").write_text("<TEI/>", "utf-8")
    (folder / "teitools.toml").write_text(f'schemas = ["{named}"]\n', "utf-8")
    result = run_cli("validate", folder / "letter.xml")
    assert result.code == 2
    assert result.err == (
        f"teitools: error: {folder / 'teitools.toml'}: schemas[0] = {named!r} is outside the repository "
        "of the settings file; refused (a project's schemas must be in its repository)\n"
    )


def test_validate_uses_the_schemas_setting(run_cli: RunCli, tmp_path: Path, reference: Path) -> None:
    folder = tmp_path / "cmif"
    folder.mkdir()
    example = (reference / "cmif" / "example01_basic.xml").read_text(encoding="utf-8")
    # The settings' schemas are for files that declare none: drop the example's xml-model
    # declaration (a comment in its place keeps the line numbers).
    undeclared = re.sub(r"<\?xml-model [^>]*\?>", "<!-- no declaration -->", example, count=1)
    (folder / "example01_basic.xml").write_text(undeclared, encoding="utf-8")
    shutil.copy(reference / "cmif" / "cmi-customization.rng", folder)
    (folder / "teitools.toml").write_text('schemas = ["cmi-customization.rng"]\n', "utf-8")
    result = run_cli("validate", folder)
    finding = (
        f'{folder / "example01_basic.xml"}:43:72: error: @cert="medium" on <date> is '
        "invalid: allowed values: low [rng-invalid]"
    )
    assert result.code == 1
    assert finding in result.out.splitlines()
    # --schema overrides the setting: with the project's own RELAX NG the finding is gone.
    own = run_cli("validate", "--schema", ROOT / "schemas" / "teitools.rng", folder)
    assert finding not in own.out.splitlines()


def test_every_setting_is_documented() -> None:
    schema = json.loads((ROOT / "schemas" / "settings.schema.json").read_text("utf-8"))
    docs = (ROOT / "docs" / "settings.md").read_text("utf-8")
    keys = [k for k in schema["properties"] if k != "cmif"]
    keys += [f"[cmif]` `{k}" for k in schema["properties"]["cmif"]["properties"]]
    assert [k for k in keys if f"| `{k}` |" not in docs] == []


def test_tool_teitools_that_is_not_a_table(run_cli: RunCli, tmp_path: Path) -> None:
    edition = make_edition(tmp_path / "ed", {"stalin-molotov-1930": {}}, settings="")
    (edition / "teitools.toml").unlink()
    (edition / "pyproject.toml").write_text("[tool]\nteitools = 3\n", "utf-8")
    result = run_cli("export", "json", edition)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"teitools: error: {edition / 'pyproject.toml'}: tool.teitools must be a table ([tool.teitools])\n"
    )


def test_settings_file_not_in_utf8(run_cli: RunCli, tmp_path: Path) -> None:
    edition = make_edition(tmp_path / "ed", {"stalin-molotov-1930": {}}, settings="")
    (edition / "teitools.toml").write_bytes('title = "Gänsbacher"\n'.encode("latin-1"))
    result = run_cli("export", "json", edition)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"teitools: error: {edition / 'teitools.toml'}: not valid TOML: not UTF-8 (byte 11 is 0xe4)\n"
    )
