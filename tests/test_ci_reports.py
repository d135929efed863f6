"""Reports for CI systems: SARIF, JUnit, GitHub's step summary, --output; the rule catalogue."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from lxml import etree

from teitools import validate
from teitools.diagnostics import Severity
from teitools.report.base import ReportStyle
from teitools.report.formats import FORMATS
from teitools.report.github import SUMMARY_ROWS, step_summary
from teitools.validation.rule_catalogue import RULES, describe
from teitools.validation.runner import ValidateOptions
from tests.helpers import EDITION, FIXTURES, ROOT, reference_file, run_cli

INVALID = FIXTURES / "invalid"
VALID = FIXTURES / "valid" / "minimal-letter.xml"
HI_REND = INVALID / "hi-rend.xml"
RULES_DOC = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
DOC_ROWS = dict(re.findall(r"^\| `([a-z0-9-]+)` \| (error|warning|info) \|", RULES_DOC, re.MULTILINE))


def expected_rule(fixture: Path) -> str:
    match = re.search(r"expect: ([a-z0-9-]+)", fixture.read_text("utf-8", errors="replace")[:400])
    assert match is not None, fixture
    return match[1]


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, object]:
    schema: dict[str, object] = json.loads(
        reference_file("sarif", "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
    )
    return schema


# The rule catalogue --------------------------------------------------------------------------


def test_catalogue_and_rules_doc_list_the_same_rules_with_the_same_severity() -> None:
    assert set(RULES) == set(DOC_ROWS)
    assert {rule_id: str(rule.level) for rule_id, rule in RULES.items()} == DOC_ROWS


def test_catalogue_entries_are_complete() -> None:
    for rule in RULES.values():
        assert re.fullmatch(r"[A-Z][A-Za-z]+", rule.name), rule
        assert rule.summary.endswith(".") and rule.help.endswith("."), rule
        assert rule.layer in {"well-formedness", "grammar", "schematron", "corpus", "declared schemas"}, rule


def test_an_unknown_rule_of_a_users_schema_still_gets_a_description() -> None:
    rule = describe("my-project-rule")
    assert rule.name == "MyProjectRule" and "my-project-rule" in rule.summary
    assert rule.level is Severity.ERROR


# SARIF ---------------------------------------------------------------------------------------


def test_sarif_of_every_invalid_fixture_validates_against_the_sarif_schema(
    sarif_schema: dict[str, object],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = run_cli(
        "validate",
        "--format",
        "sarif",
        "--registers",
        EDITION,
        "tests/fixtures/invalid",
        "tests/fixtures/valid",
    )
    assert code == 1
    log = json.loads(out)
    jsonschema.validate(log, sarif_schema)
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    results = run_["results"]
    expected_rules = {expected_rule(p) for p in INVALID.glob("*.xml")}
    assert expected_rules <= {rule["id"] for rule in rules}
    assert [rule["id"] for rule in rules] == sorted({r["ruleId"] for r in results})
    for rule in rules:
        assert rule["shortDescription"]["text"] == RULES[rule["id"]].summary
        assert rule["help"]["text"] == RULES[rule["id"]].help
        assert rule["defaultConfiguration"]["level"] in {"error", "warning", "note"}
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert uri.startswith("tests/fixtures/"), uri
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        if "region" in location:
            assert location["region"]["startLine"] >= 1


def test_sarif_result_points_at_the_line_and_column_of_the_finding(
    sarif_schema: dict[str, object],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    _, text, _ = run_cli(
        "validate", "--registers", "tests/fixtures/edition", "tests/fixtures/invalid/hi-rend.xml"
    )
    _, sarif, _ = run_cli(
        *[
            "validate",
            "--format",
            "sarif",
            "--registers",
            "tests/fixtures/edition",
            "tests/fixtures/invalid/hi-rend.xml",
        ]
    )
    position = re.search(r"hi-rend\.xml:(\d+):(\d+): error", text)
    assert position is not None, text
    line, column = int(position[1]), int(position[2])
    (result,) = json.loads(sarif)["runs"][0]["results"]
    assert result["ruleId"] == "hi-rend" and result["level"] == "error"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (line, column)


def test_sarif_for_a_clean_run_and_for_files_outside_the_working_directory(
    sarif_schema: dict[str, object],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    clean = json.loads(FORMATS["sarif"](validate([EDITION]), ReportStyle()))
    jsonschema.validate(clean, sarif_schema)
    assert clean["runs"][0]["results"] == []
    assert clean["runs"][0]["artifacts"][0]["location"]["uri"].startswith("file:///")


def test_sarif_describes_an_unreadable_file_without_a_region(
    sarif_schema: dict[str, object],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my letter.xml").write_bytes(b"")
    log = json.loads(FORMATS["sarif"](validate([tmp_path / "my letter.xml"]), ReportStyle()))
    jsonschema.validate(log, sarif_schema)
    (result,) = log["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "my%20letter.xml"


# JUnit ---------------------------------------------------------------------------------------


def test_junit_has_one_test_case_per_file_and_failures_carry_the_findings() -> None:
    valid = EDITION / "letters" / "stalin-kaganovich-1933.xml"
    files = [str(HI_REND), str(valid), str(INVALID / "xml-syntax.xml")]
    code, out, _ = run_cli("validate", "--format", "junit", "--registers", str(EDITION), *files)
    assert code == 1
    suites = etree.fromstring(out.encode("utf-8"))
    assert suites.tag == "testsuites"
    (suite,) = suites.findall("testsuite")
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert list(cases) == files
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "2", "0")
    assert cases[str(valid)].find("failure") is None
    failure = cases[str(HI_REND)].find("failure")
    assert failure is not None and failure.get("type") == "hi-rend"
    assert failure.get("message") == "1 error"
    assert re.search(r"hi-rend\.xml:\d+:\d+: error: .+ \[hi-rend\]", failure.text or "")
    syntax = cases[str(INVALID / "xml-syntax.xml")].find("failure")
    assert syntax is not None and "[xml-syntax]" in (syntax.text or "")


def test_junit_warnings_fail_only_with_strict(tmp_path: Path) -> None:
    letters = tmp_path / "letters"
    letters.mkdir()
    misnamed = letters / "misnamed.xml"
    misnamed.write_bytes((EDITION / "letters" / "stalin-kaganovich-1933.xml").read_bytes())
    # The file-name rule is the bundled edition's: this folder asks for its rules.
    (tmp_path / "teitools.toml").write_text('rules = ["project:teitools-letters"]\n', "utf-8")
    args = ["validate", "--format", "junit", "--registers", str(EDITION), str(misnamed)]
    code, out, _ = run_cli(*args)
    case = etree.fromstring(out.encode()).find("testsuite/testcase")
    assert code == 0 and case is not None and case.find("failure") is None
    assert "[letter-id-filename]" in (case.findtext("system-out") or "")
    code, out, _ = run_cli(*args, "--strict")
    case = etree.fromstring(out.encode()).find("testsuite/testcase")
    assert code == 1 and case is not None
    failure = case.find("failure")
    assert failure is not None and failure.get("message") == "0 errors, 1 warning"


# GitHub step summary -------------------------------------------------------------------------


def test_github_format_appends_a_markdown_table_to_the_step_summary(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    summary_file = tmp_path / "step-summary.md"
    summary_file.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary_file))
    code, out, _ = run_cli(
        *["validate", "--format", "github", "--registers", str(EDITION), str(HI_REND), str(VALID)]
    )
    assert code == 1
    assert out.startswith("::error file=")
    text = summary_file.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n### teitools validate: failed")
    assert "| File | Line | Column | Severity | Rule | Message |" in text
    (row,) = [line for line in text.splitlines() if "`hi-rend`" in line]
    assert row.startswith(f"| {HI_REND} | ")
    assert "&lt;hi&gt;" in row or "<" not in row.split("`hi-rend`")[1]


def test_other_formats_leave_the_step_summary_alone(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    summary_file = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary_file))
    run_cli("validate", "--format", "text", str(EDITION))
    assert not summary_file.exists()


def test_step_summary_of_a_clean_run_and_of_a_long_one() -> None:
    clean = step_summary(validate([EDITION]), ReportStyle())
    assert clean.startswith("### teitools validate: passed") and "| File |" not in clean
    report = validate([INVALID], ValidateOptions(registers=tuple(EDITION.glob("*.xml"))))
    long = step_summary(report.__class__(report.files, report.diagnostics * 20), ReportStyle())
    rows = [line for line in long.splitlines() if line.startswith("| ") and "| File |" not in line]
    assert len(rows) == SUMMARY_ROWS
    assert f"and {len(report.diagnostics) * 20 - SUMMARY_ROWS} more findings" in long


# --output ------------------------------------------------------------------------------------


@pytest.mark.parametrize("output_format", sorted(FORMATS))
def test_output_writes_the_report_to_a_file_and_a_summary_to_stderr(
    output_format: str,
    tmp_path: Path,
) -> None:
    target = tmp_path / "reports" / f"report.{output_format}"
    args = ["validate", "--format", output_format, "--registers", str(EDITION), str(HI_REND)]
    code, out, err = run_cli(*args, "--output", str(target))
    assert code == 1 and out == ""
    assert err == "1 file checked: 1 error, 0 warnings in 1 file\n"
    _, expected, _ = run_cli(*args)
    assert target.read_text(encoding="utf-8") == expected
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary left behind


def test_output_with_quiet_prints_nothing(tmp_path: Path) -> None:
    code, out, err = run_cli("validate", "-q", "-o", str(tmp_path / "r.txt"), str(EDITION))
    assert (code, out, err) == (0, "", "")
    assert (tmp_path / "r.txt").read_text(encoding="utf-8") == "11 files checked: no problems\n"


def test_output_into_a_missing_unwritable_place_is_a_clean_error(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    code, _, err = run_cli("validate", "-o", str(blocker / "report.txt"), str(EDITION))
    assert code == 2 and err.startswith("teitools: error: cannot write") and "Traceback" not in err
