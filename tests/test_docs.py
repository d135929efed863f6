"""Docs are tested: every rule id is documented, every command has a section, README is true."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from teitools.cli import cli
from tests.helpers import ROOT, copy_edition, run_cli

RULES_DOC = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
DOCUMENTED = set(re.findall(r"^\| `([a-z0-9-]+)` \|", RULES_DOC, re.MULTILINE))


def rule_ids_in_schematron() -> set[str]:
    text = (ROOT / "schemas" / "teitools.sch").read_text(encoding="utf-8")
    return set(re.findall(r'<(?:assert|report)\b[^>]*\bid="([^"]+)"', text))


def rule_ids_in_code() -> set[str]:
    """Every rule id the Python code can emit: string literals passed as a rule."""
    ids: set[str] = set()
    for path in (ROOT / "teitools").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        ids |= set(re.findall(r'"((?:xml|input|rng|ref|id|letter|not)-[a-z-]+)"', text))
    return ids - {"xml-model"}


def test_every_schematron_rule_is_documented() -> None:
    assert rule_ids_in_schematron() - DOCUMENTED == set()
    assert len(rule_ids_in_schematron()) >= 10


def test_every_python_rule_is_documented() -> None:
    assert rule_ids_in_code() - DOCUMENTED == set()


def test_every_command_has_a_section_in_the_cli_doc() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"## `teitools {name}`" in text, name


def readme_setup_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", text, re.DOTALL)
    assert block, "README.md starts with a code block of set-up commands"
    return [line for line in block[1].splitlines() if line.strip() and not line.startswith("#")]


def test_readme_starts_with_exactly_two_setup_commands() -> None:
    install_and_run, install_and_test = readme_setup_commands()
    assert "pip install" in install_and_run and install_and_run.rstrip().endswith("teitools build")
    assert "pip install" in install_and_test and "[test]" in install_and_test
    assert install_and_test.rstrip().endswith("pytest")


def test_ci_runs_the_readme_test_command() -> None:
    _, install_and_test = readme_setup_commands()
    assert install_and_test in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_tour_commands_run_as_shown(tmp_path: Path) -> None:
    """Each `$ teitools …` line of the tour prints what the README shows after it, over the
    fixture edition (so a new letter in tei/ needs no README change), and exits the same way
    over the live tei/."""
    project = tmp_path / "project"
    copy_edition(project / "tei")
    (project / "tests").symlink_to(ROOT / "tests")
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r"^\$ (teitools [^\n]+)\n(.*?)(?=^\$ |^```)", text, re.MULTILINE | re.DOTALL)
    assert examples
    for command, shown in examples:
        args = shlex.split(command)[1:]
        frozen = run_cli(*args, cwd=project, env={"NO_COLOR": "1"})
        assert frozen.out.strip() == shown.strip(), command
        assert run_cli(*args, cwd=ROOT).code == frozen.code, command


def test_contributing_names_the_commands_to_run() -> None:
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    _, install_and_test = readme_setup_commands()
    assert install_and_test in text
    assert "teitools validate" in text


def test_docs_folder_has_no_dangling_links() -> None:
    for doc in [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "docs").glob("*.md")]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8")):
            assert (doc.parent / target).exists() or (ROOT / target).exists(), f"{doc.name}: {target}"
