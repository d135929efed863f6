"""A plain `teitools validate` of one letter imports only what it needs, so that it starts fast."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pytest

from teitools.load.declarations import _parsed_declarations, declarations_in_prolog
from teitools.load.json_subset import conforms
from teitools.load.settings import _schema
from tests.helpers import LIVE_EDITION, ROOT

#: Packages a one-letter validation with the shipped schemas never needs (a .rnc schema, an
#: XPath 2 Schematron, an XSD, a citation, a page, a settings mistake each bring their own).
HEAVY = ("rnc2rng", "elementpath", "xmlschema", "citeproc", "jinja2", "jsonschema")
LETTER = LIVE_EDITION / "letters" / "stalin-kaganovich-1933.xml"


def _command(*args: str | Path, cwd: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "teitools", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(cache), "HOME": str(cache)},
        timeout=120,
    )


def _imported(stderr: str) -> set[str]:
    names = (line.split("|")[-1].strip() for line in stderr.splitlines() if line.startswith("import time:"))
    return {name.split(".")[0] for name in names}


@pytest.mark.parametrize("cached", [True, False], ids=["cache", "no-cache"])
def test_validating_one_bundled_letter_imports_no_heavy_package(tmp_path: Path, cached: bool) -> None:
    run = _command(
        "validate", LETTER.relative_to(ROOT), *([] if cached else ["--no-cache"]), cwd=ROOT, cache=tmp_path
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "1 file checked: no problems" in run.stdout
    assert _imported(run.stderr).isdisjoint(HEAVY), sorted(_imported(run.stderr) & set(HEAVY))


#: teitools' own modules that a valid letter's validation never needs: the letter model, the
#: Schematron reader (the screen finds the letter clean, so no rules are compiled) and the
#: grammar's explanations of a mistake.
NOT_NEEDED = (
    "teitools.model.types",
    "teitools.model.dates",
    "teitools.validation.schematron.source",
    "teitools.validation.rng_contexts",
)


def test_validating_one_valid_letter_imports_neither_the_model_nor_the_schematron_reader(
    tmp_path: Path,
) -> None:
    run = _command("validate", LETTER.relative_to(ROOT), "--no-cache", cwd=ROOT, cache=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    names = {
        line.split("|")[-1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")
    }
    assert "teitools.validation.runner" in names
    assert names.isdisjoint(NOT_NEEDED), sorted(names & set(NOT_NEEDED))


def test_a_compact_syntax_schema_still_works_from_the_command(tmp_path: Path) -> None:
    # The command imports lxml without rnc2rng; teitools' own conversion imports it when needed.
    schema = tmp_path / "any.rnc"
    schema.write_text(
        'default namespace = "http://www.tei-c.org/ns/1.0"\n'
        "start = element TEI { any }\n"
        "any = (element * { any } | attribute * { text } | text)*\n",
        "utf-8",
    )
    run = _command("validate", "--no-cache", "--schema", schema, LETTER, cwd=tmp_path, cache=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "rnc2rng" in _imported(run.stderr)


def _bundled_settings() -> dict[str, object]:
    with (LIVE_EDITION / "teitools.toml").open("rb") as handle:
        return tomllib.load(handle)


INVALID: list[dict[str, object]] = [
    {"title": 3},
    {"title": ""},
    {"unknown-key": "x"},
    {"editors": "one editor"},
    {"editors": [{"email": "no-name@example.org"}]},
    {"editors": [True]},
    {"base-url": "not a url"},
    {"cmif": {"bibl-type": "nonsense"}},
    {"cmif": {"date": "yesterday"}},
    {"cmif": {"unknown": 1}},
    {"citation-style": 1},
    {"schemas": "teitools.rng"},
    {"declared-schemas-only": "yes"},
    {"rules": ["tei", "tei"]},
    {"rules": ["no-such-set"]},
    {"rules": "tei"},
]


def test_the_quick_settings_check_accepts_the_bundled_settings() -> None:
    table = _bundled_settings()
    assert not list(jsonschema.Draft202012Validator(_schema()).iter_errors(table))
    assert conforms(table, _schema()) is True


@pytest.mark.parametrize("change", INVALID, ids=[next(iter(c)) + f"-{i}" for i, c in enumerate(INVALID)])
def test_the_quick_settings_check_never_accepts_what_jsonschema_rejects(change: dict[str, object]) -> None:
    table = {**_bundled_settings(), **change}
    rejected = bool(list(jsonschema.Draft202012Validator(_schema()).iter_errors(table)))
    assert rejected, "the example must be invalid settings"
    assert conforms(table, _schema()) is not True


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "fixtures").rglob("*.xml")), ids=lambda p: p.name)
def test_the_quick_look_for_declarations_finds_what_the_parser_finds(path: Path) -> None:
    # Every run looks for declarations in every file; most have none, found without a parser.
    data = path.read_bytes()
    assert declarations_in_prolog(data) == _parsed_declarations(data)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_a_declaration_in_any_encoding_is_found(encoding: str) -> None:
    text = (
        f'<?xml version="1.0" encoding="{encoding.removesuffix("-sig").upper()}"?>\n'
        '<?xml-model href="letter.rng" schematypens="http://relaxng.org/ns/structure/1.0"?>\n'
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"/>\n'
    )
    (found,) = declarations_in_prolog(text.encode(encoding))
    assert (found.href, found.language) == ("letter.rng", "relaxng")
