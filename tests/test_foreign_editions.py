"""Editions of the three kinds teitools meets outside its own: each read on its own terms.

- ``foreign-xsd``: XSD 1.1 with XPath 2 Schematron, declared per file (and a broken schema
  declared by three files);
- ``foreign-publisher``: TEI Publisher style, no schema, no settings;
- ``foreign-odd``: its own RELAX NG and XPath 2 Schematron, named in its settings.

On each, every command ends with a documented exit code (never 3, never a traceback), each
schema problem is reported once, and the findings are where jing puts them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from teitools.export.registry import EXPORTERS
from tests.conftest import RunCli
from tests.helpers import FIXTURES

KINDS = {
    "foreign-xsd": FIXTURES / "foreign-xsd",
    "foreign-publisher": FIXTURES / "foreign-publisher",
    "foreign-odd": FIXTURES / "foreign-odd",
}
JING = shutil.which("jing")


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_command_ends_with_a_documented_exit_code(run_cli: RunCli, kind: str, tmp_path: Path) -> None:
    edition = KINDS[kind]
    checked = run_cli("validate", edition, "--no-cache")
    assert checked.code in (0, 1), checked.err
    assert "Traceback" not in checked.err + checked.out
    letters = kind != "foreign-xsd"  # its files are documents with a schema, not letters
    for name in EXPORTERS:
        exported = run_cli("export", name, edition, "-o", f"{tmp_path / name}/")
        assert "Traceback" not in exported.err
        if name == "cmif" and "the CMIF export needs these settings" in exported.err:
            assert exported.code == 2  # a usage error that names the settings to add
        elif letters:
            assert exported.code == 0, (name, exported.err)
            assert any((tmp_path / name).iterdir()), name
        else:
            assert exported.code == 1 and "no letters found in" in exported.err, (name, exported.err)
    site = run_cli("site", edition, "-o", tmp_path / "site")
    assert site.code == (0 if letters else 1), site.err
    assert (tmp_path / "site" / "index.html").is_file() == letters


def test_a_broken_schema_declared_by_three_files_is_one_finding_on_the_schema(run_cli: RunCli) -> None:
    checked = run_cli("validate", KINDS["foreign-xsd"] / "broken", "--no-cache")
    invalid = [line for line in checked.out.splitlines() if line.endswith("[schema-invalid]")]
    assert len(invalid) == 1
    assert "foreign-xsd/broken/broken.xsd:10:1: error:" in invalid[0]  # the schema, at the broken test
    assert "(declared by 3 files," in invalid[0]


def test_an_edition_without_settings_gets_no_project_rules(run_cli: RunCli) -> None:
    assert (
        run_cli("validate", KINDS["foreign-publisher"], "--no-cache").out == "4 files checked: no problems\n"
    )


def test_its_own_schemas_find_what_they_say_where_they_say(run_cli: RunCli) -> None:
    odd = KINDS["foreign-odd"]
    checked = run_cli("validate", odd, "--no-cache")
    letter = odd / "letters" / "b-1790-03-01.xml"
    found = [
        (line.split(":")[1], line.rsplit("[", 1)[1])
        for line in checked.out.splitlines()
        if line.startswith(str(letter))
    ]
    # The grammar's finding at the attribute's line, the Schematron's at the date.
    assert found == [("17", "rng-invalid]"), ("18", "iso-date]")]
    assert "1790-3-1" in checked.out
    assert checked.out.endswith("3 files checked: 2 errors, 0 warnings in 1 file\n")


@pytest.mark.skipif(JING is None, reason="jing is not installed (apt-get install jing)")
def test_its_own_grammar_agrees_with_jing(run_cli: RunCli) -> None:
    odd = KINDS["foreign-odd"]
    files = sorted(str(p) for p in (odd / "letters").glob("*.xml"))
    jing = subprocess.run(
        [JING or "jing", "-c", str(odd / "schema" / "letters.rnc"), *files],
        check=False,
        capture_output=True,
        text=True,
    )
    jing_lines = sorted(re.findall(r"^(.+?):(\d+):\d+: error", jing.stdout, re.MULTILINE))
    ours = run_cli("validate", odd, "--no-cache").out
    our_lines = sorted(re.findall(r"^(.+?):(\d+):\d+: error: .*\[rng-invalid\]$", ours, re.MULTILINE))
    assert [(Path(f).name, line) for f, line in our_lines] == [(Path(f).name, line) for f, line in jing_lines]
    assert jing_lines  # the fixture has a grammar error for both to find


def test_roles_and_registers_are_read_as_its_files_say(run_cli: RunCli, tmp_path: Path) -> None:
    assert run_cli("export", "json", KINDS["foreign-odd"], "-o", tmp_path / "letters.json").code == 0
    letters = json.loads((tmp_path / "letters.json").read_text("utf-8"))["letters"]
    assert [
        (letter["id"], [p["id"] for p in letter["senders"]], [p["id"] for p in letter["recipients"]])
        for letter in letters
    ] == [
        ("a-1790-02-01", ["ann"], ["bob"]),
        ("b-1790-03-01", ["ann"], ["bob"]),
    ]
    # Bob, named in the text, is found in the register beside the letters.
    assert letters[0]["mentions"]["persons"] == [{"count": 1, "id": "bob", "name": "Bob Jones"}]
