"""The command line with no surprises: standard input, folder walking, outputs, colour, errors."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from teitools.export.registry import EXPORTERS
from tests.helpers import EDITION, ROOT, copy_edition, run_cli

LETTER = EDITION / "letters" / "stalin-kaganovich-1935-08-22.xml"
ESCAPE = "\033["


# Standard input ---------------------------------------------------------------------------


def test_validate_reads_standard_input_under_the_name_given(tmp_path: Path) -> None:
    edition = copy_edition(tmp_path / "tei")
    name = edition / "letters" / LETTER.name
    broken = LETTER.read_text(encoding="utf-8").replace('ref="#kleiner"', 'ref="#kleinerr"')
    done = run_cli("validate", "-", "--stdin-filename", name, stdin=broken)
    assert done.code == 1
    # The position is the buffer's, the registers those beside the file it stands for.
    assert f"{name}:38:" in done.out and "[ref-unresolved]" in done.out
    assert done.out.rstrip().endswith("1 file checked: 1 error, 0 warnings in 1 file")
    assert name.read_text(encoding="utf-8") != broken  # the file on disk was not read for it


def test_export_and_cite_read_standard_input(tmp_path: Path) -> None:
    edition = copy_edition(tmp_path / "tei")
    name = edition / "letters" / "draft.xml"  # need not exist
    text = LETTER.read_text(encoding="utf-8")
    exported = run_cli("export", "text", "-", "--stdin-filename", name, stdin=text)
    assert exported.code == 0 and exported.out.startswith("Joseph Stalin to Lazar Kaganovich, 22 August 1935")
    cited = run_cli("cite", "-", "--stdin-filename", name, "--note", stdin=text)
    assert cited.code == 0 and cited.out.startswith("Joseph Stalin to Lazar Kaganovich, August 22, 1935, in ")


def test_stdin_filename_without_dash_is_a_usage_error() -> None:
    done = run_cli("validate", LETTER, "--stdin-filename", "x.xml")
    assert done.code == 2 and "give - as the path" in done.err


# Walking folders ---------------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    copy_edition(root / "tei")
    copy_edition(root / "build" / "old-copy")
    copy_edition(root / "samples" / "invalid")
    (root / "samples" / "invalid" / "letters" / "broken.xml").write_text("<TEI>", encoding="utf-8")
    (root / ".gitignore").write_text("/build/\n", encoding="utf-8")
    return root


def test_gitignore_and_teitoolsignore_are_respected(repo: Path) -> None:
    def checked(*args: str) -> str:
        return run_cli("validate", *args, cwd=repo).out.splitlines()[-1].split(":")[0]

    assert checked(".") == "23 files checked"  # tei/ and samples/, not the git-ignored build/
    (repo / ".teitoolsignore").write_text("# test inputs\nsamples/\n", encoding="utf-8")
    assert run_cli("validate", ".", cwd=repo).out == "11 files checked: no problems\n"
    assert checked("samples/invalid") == "12 files checked"  # named, an ignored folder is read
    assert checked(".", "--no-ignore") == "34 files checked"


def test_exclude_leaves_out_matching_files(repo: Path) -> None:
    done = run_cli(
        "validate", "tei", "--exclude", "letters/stalin-*", "--exclude", "!*-1935-08-22.xml", cwd=repo
    )
    assert done.out == "5 files checked: no problems\n"
    exported = run_cli("export", "json", "tei", "--exclude", "letters/", cwd=repo)
    assert exported.code == 1 and "no letters found in tei" in exported.err


def test_the_repository_root_validates_only_the_edition() -> None:
    """`teitools validate .` here checks tei/, not tests/fixtures (invalid on purpose) or build/."""
    whole = run_cli("validate", ".", "--no-cache")
    edition = run_cli("validate", "tei", "--no-cache")
    assert whole.code == 0, whole.out
    assert whole.out == edition.out


# Outputs -----------------------------------------------------------------------------------


def test_export_help_and_list_name_every_format() -> None:
    helped = run_cli("export", "--help").out
    listed = run_cli("export", "--list")
    assert listed.code == 0
    assert [line.split("\t")[0] for line in listed.out.splitlines()] == list(EXPORTERS)
    for name, exporter in EXPORTERS.items():
        assert f"{name}  " in helped and exporter.description in " ".join(helped.split())


def test_dash_o_folder_or_file_for_every_format(tmp_path: Path) -> None:
    assert run_cli("export", "cmif", EDITION, "-o", f"{tmp_path / 'out'}/").code == 0
    assert (tmp_path / "out" / "cmif.xml").is_file()
    assert run_cli("export", "json", EDITION, "-o", tmp_path / "out").code == 0  # an existing folder
    assert (tmp_path / "out" / "letters.json").is_file()
    assert run_cli("export", "text", EDITION, "-o", tmp_path / "all.txt").code == 0
    assert (tmp_path / "all.txt").read_text(encoding="utf-8").count("\n\n") > 8
    assert run_cli("export", "text", EDITION, "-o", f"{tmp_path / 'texts'}/").code == 0
    assert len(list((tmp_path / "texts").glob("*.txt"))) == 8


def test_a_missing_folder_for_an_output_file_is_an_error(tmp_path: Path) -> None:
    done = run_cli("export", "cmif", EDITION, "-o", tmp_path / "typo" / "cmif.xml")
    assert done.code == 2
    assert done.err == (
        f"teitools: error: cannot write {tmp_path / 'typo' / 'cmif.xml'}: "
        f"the folder {tmp_path / 'typo'} does not exist (create it first)\n"
    )
    assert not (tmp_path / "typo").exists()


@pytest.mark.parametrize("command", [["export", "json"], ["site", "-o", "site"]])
def test_no_letters_is_an_error(tmp_path: Path, command: list[str]) -> None:
    registers = tmp_path / "registers"
    registers.mkdir()
    for name in ("persons.xml", "places.xml"):
        (registers / name).write_bytes((EDITION / name).read_bytes())
    done = run_cli(*command, registers, cwd=tmp_path)
    assert done.code == 1
    assert f"teitools: error: no letters found in {registers}" in done.err
    assert not (tmp_path / "site").exists()


# Messages and colour ----------------------------------------------------------------------


def test_a_finding_as_an_error_says_error_once(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text("<TEI>", encoding="utf-8")
    done = run_cli("cite", path)
    assert done.code == 2
    assert done.err.startswith(f"teitools: {path}:1:") and done.err.count("error:") == 1, done.err


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        (["--color", "always"], {}, True),
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
        ([], {"FORCE_COLOR": "1"}, True),
        ([], {"FORCE_COLOR": ""}, False),
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        (["--color", "always"], {"NO_COLOR": "1"}, True),
    ],
)
def test_colour_flag_and_variables(args: list[str], env: dict[str, str], coloured: bool) -> None:
    hi_rend = ROOT / "tests" / "fixtures" / "invalid" / "hi-rend.xml"
    done = run_cli(*args, "validate", "--registers", EDITION, hi_rend, env={"NO_COLOR": None, **env})
    assert done.code == 1
    assert (ESCAPE in done.out) is coloured


# --schema ----------------------------------------------------------------------------------

ANYTHING = """<grammar xmlns="http://relaxng.org/ns/structure/1.0">
  <start><ref name="any"/></start>
  <define name="any"><element><anyName/><zeroOrMore><choice><attribute><anyName/></attribute>
    <text/><ref name="any"/></choice></zeroOrMore></element></define>
</grammar>
"""


def test_schema_alone_checks_only_that_schema(tmp_path: Path) -> None:
    grammar = tmp_path / "anything.rng"
    grammar.write_text(ANYTHING, encoding="utf-8")
    edition = copy_edition(tmp_path / "tei")
    letter = edition / "letters" / LETTER.name
    text = LETTER.read_text(encoding="utf-8").replace('ref="#kleiner"', 'ref="#nobody"')
    letter.write_text(text.replace("<p>", '<p><hi rend="emphasis">x</hi>', 1), encoding="utf-8")
    alone = run_cli("validate", "--schema", grammar, letter)
    assert (alone.code, alone.out.splitlines()[0]) == (
        0,
        "1 file checked: no problems; the schemas given with --schema, declared schemas ignored",
    ), alone.out
    with_rules = run_cli("validate", "--schema", grammar, "--project-rules", letter)
    assert with_rules.code == 1
    assert "[hi-rend]" in with_rules.out and "[ref-unresolved]" in with_rules.out
    assert run_cli("validate", "--project-rules", letter).code == 2


def test_messages_do_not_speak_of_the_article_of_the_bundled_edition(tmp_path: Path) -> None:
    """The bundled edition quotes an article; a finding in anyone's edition must not say so."""
    letter = tmp_path / "letters" / LETTER.name
    letter.parent.mkdir()
    text = LETTER.read_text(encoding="utf-8").replace("<p>", '<p><hi rend="emphasis">x</hi>', 1)
    text = text.replace('<persName ref="#kaganovich">Lazar Kaganovich</persName>', "")
    letter.write_text(text, encoding="utf-8")
    # An edition that asks for the bundled edition's rules, whose messages these are:
    (tmp_path / "teitools.toml").write_text(
        'rules = ["tei", "pointers", "project:teitools-letters"]\n', "utf-8"
    )
    done = run_cli("validate", "--registers", EDITION, letter)
    assert "[hi-rend]" in done.out and "[corresp-action-person]" in done.out, done.out
    assert "article" not in done.out


def test_a_fifo_named_gitignore_does_not_stop_the_walk(repo: Path) -> None:
    (repo / "tei" / ".gitignore").unlink(missing_ok=True)
    os.mkfifo(repo / "tei" / ".gitignore")
    assert run_cli("validate", "tei", cwd=repo).out == "11 files checked: no problems\n"


@pytest.mark.parametrize("name", list(EXPORTERS))
def test_dash_o_dir_slash_is_a_folder_for_every_format(tmp_path: Path, name: str) -> None:
    done = run_cli("export", name, EDITION, "-o", f"{tmp_path / 'out'}/")
    assert done.code == 0, done.err
    assert [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
