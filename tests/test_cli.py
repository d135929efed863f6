"""The validate command as encoders and CI use it: exit codes, formats, bad input."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from teitools import ValidateOptions, is_valid, iter_diagnostics, validate
from teitools.cli import cli
from tests.helpers import EDITION, FIXTURES, ROOT, copy_edition, run_cli

LETTER = EDITION / "letters" / "stalin-kaganovich-1935-08-22.xml"
HI_REND = FIXTURES / "invalid" / "hi-rend.xml"
TEI_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def test_clean_edition_exits_0_with_summary() -> None:
    code, out, _ = run_cli("validate", str(EDITION))
    assert code == 0
    assert out == "11 files checked: no problems\n"


def test_default_path_is_the_bundled_edition(tmp_path: Path) -> None:
    copy_edition(tmp_path / "tei")
    code, out, _ = run_cli("validate", cwd=tmp_path)
    assert (code, out) == (0, "11 files checked: no problems\n")


def test_findings_exit_1_and_name_file_line_column_rule() -> None:
    code, out, _ = run_cli("validate", "--registers", str(EDITION), str(HI_REND))
    assert code == 1
    assert f'{HI_REND}:39:114: error: hi rend="emphasis" is not one of' in out
    assert out.rstrip().endswith("1 file checked: 1 error, 0 warnings in 1 file")


def test_one_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    shutil.copy(LETTER, tmp_path / LETTER.name)
    (tmp_path / "broken.xml").write_text(TEI_HEAD + "<TEI><p>unclosed</TEI>\n", encoding="utf-8")
    code, out, _ = run_cli("validate", "--format", "json", str(tmp_path))
    report = json.loads(out)
    assert code == 1
    assert report["summary"]["files"] == 2
    assert {d["file"] for d in report["diagnostics"]} == {str(tmp_path / "broken.xml")}


@pytest.mark.parametrize(
    ("name", "content", "rule", "line"),
    [
        (
            "unclosed.xml",
            TEI_HEAD + '<TEI xmlns="http://www.tei-c.org/ns/1.0">\n<p>x</TEI>\n',
            "xml-syntax",
            3,
        ),
        ("no-namespace.xml", TEI_HEAD + "<TEI>\n</TEI>\n", "not-tei", 2),
        ("html.xml", TEI_HEAD + "<html/>\n", "not-tei", 2),
        ("empty.xml", "", "input-empty", 1),
        ("entity.xml", TEI_HEAD + '<!DOCTYPE TEI [<!ENTITY e "boom">]>\n<TEI>&e;</TEI>\n', "xml-unsafe", 2),
        (
            "xxe.xml",
            TEI_HEAD + '<!DOCTYPE TEI [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<TEI>&e;</TEI>\n',
            "xml-unsafe",
            2,
        ),
        ("nbsp.xml", TEI_HEAD + '<TEI xmlns="http://www.tei-c.org/ns/1.0">&nbsp;</TEI>\n', "xml-syntax", 2),
    ],
)
def test_bad_input_is_a_finding_never_a_traceback(
    tmp_path: Path, name: str, content: str, rule: str, line: int
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    code, out, err = run_cli("validate", str(path))
    assert code == 1
    assert re.search(rf"^{re.escape(str(path))}:{line}:\d+: error: .+ \[{rule}\]$", out, re.MULTILINE), out
    assert "Traceback" not in out + err
    assert "root:" not in out  # the external entity's target never appears


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00", "input-encoding"),
        (TEI_HEAD.encode() + b'<TEI xmlns="http://www.tei-c.org/ns/1.0">\xff\xfe</TEI>', "input-encoding"),
    ],
)
def test_binary_and_invalid_utf8(tmp_path: Path, data: bytes, rule: str) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(data)
    code, out, _ = run_cli("validate", str(path))
    assert code == 1
    assert f"[{rule}]" in out


def test_duplicate_id_in_one_file_is_a_finding(tmp_path: Path) -> None:
    text = LETTER.read_text(encoding="utf-8").replace("<p>", '<p xml:id="twice">', 1)
    text = text.replace("<opener>", '<opener xml:id="twice">', 1)
    path = tmp_path / "letters" / LETTER.name
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    code, out, _ = run_cli("validate", "--registers", str(EDITION), str(path))
    assert code == 1
    assert re.search(r'xml:id "twice" is already used at .+ \[id-duplicate\]', out)


@pytest.mark.parametrize(
    "args",
    [["validate", "/no/such/path.xml"], ["validate", "--format", "yaml"], ["validate", "--jobs", "0"]],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    code, out, err = run_cli(*args)
    assert code == 2
    assert out == ""
    assert err.strip()


def test_folder_without_xml_exits_2(tmp_path: Path) -> None:
    code, _, err = run_cli("validate", str(tmp_path))
    assert code == 2
    assert err == f"teitools: error: {tmp_path}: no .xml files in this folder\n"


def test_warnings_fail_only_with_strict(tmp_path: Path) -> None:
    path = tmp_path / "letters" / "misnamed.xml"
    path.parent.mkdir()
    shutil.copy(LETTER, path)
    # The file-name rule is the bundled edition's: this folder asks for its rules.
    (tmp_path / "teitools.toml").write_text('rules = ["project:teitools-letters"]\n', "utf-8")
    args = ["validate", "--registers", str(EDITION), str(path)]
    code, out, _ = run_cli(*args)
    assert code == 0
    assert "warning:" in out and "[letter-id-filename]" in out
    assert run_cli(*args, "--strict")[0] == 1


def test_json_report_matches_its_schema() -> None:
    _, out, _ = run_cli("validate", "--format", "json", "--registers", str(EDITION), str(HI_REND))
    report = json.loads(out)
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(report)
    assert report["valid"] is False
    assert report["diagnostics"][0]["rule"] == "hi-rend"
    assert report["diagnostics"][0]["line"] == 39


def test_github_format_is_workflow_commands() -> None:
    _, out, _ = run_cli("validate", "--format", "github", "--registers", str(EDITION), str(HI_REND))
    first = out.splitlines()[0]
    assert first.startswith(f"::error file={HI_REND},line=39,col=114,title=hi-rend::hi rend=")


def test_no_colour_when_not_a_terminal() -> None:
    _, out, _ = run_cli("validate", "--registers", str(EDITION), str(HI_REND))
    assert "\033[" not in out


def test_parallel_jobs_give_the_same_report() -> None:
    files = [EDITION, FIXTURES / "invalid"]
    options = ValidateOptions(registers=tuple(sorted(EDITION.glob("*.xml"))))
    serial = validate(files, options)
    parallel = validate(files, ValidateOptions(registers=options.registers, jobs=2))
    assert serial == parallel
    assert serial.error_count > 20


def test_library_api_shares_one_signature() -> None:
    options = ValidateOptions(registers=tuple(sorted(EDITION.glob("*.xml"))))
    assert is_valid([LETTER], options)
    assert not is_valid([HI_REND], options)
    assert [d.rule for d in iter_diagnostics([HI_REND], options)] == ["hi-rend"]


def test_schema_option_swaps_in_another_grammar(tmp_path: Path) -> None:
    grammar = tmp_path / "only-tei.rng"
    grammar.write_text(
        '<element name="TEI" ns="http://www.tei-c.org/ns/1.0" '
        'xmlns="http://relaxng.org/ns/structure/1.0"><empty/></element>\n',
        encoding="utf-8",
    )
    code, out, _ = run_cli("validate", "--schema", str(grammar), str(LETTER))
    assert code == 1
    assert "[rng-invalid]" in out


def test_every_command_has_help_with_an_example() -> None:
    for name, command in cli.commands.items():
        assert command.help, name
        assert "Example:" in command.help, name


def test_python_dash_m_and_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "teitools", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("teitools, version ")
