"""docs/cli.md is tested against the real command line: every option of every command is named
in the command's section, and every command in `teitools --help` has a section."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import click
import pytest

from teitools.cli import cli
from tests.helpers import ROOT, run_cli

DOC = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


def _section(name: str) -> str:
    found = re.search(rf"^## `teitools {name}`\n(.*?)(?=^## |\Z)", DOC, re.MULTILINE | re.DOTALL)
    assert found, f"docs/cli.md has no section for teitools {name}"
    return found[1]


def _options(command: click.Command) -> list[tuple[str, ...]]:
    """Each option's names (``("--output", "-o")``), the subcommands' too."""
    names = [tuple(param.opts) for param in command.params if isinstance(param, click.Option)]
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            names += _options(sub)
    return names


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_option_of_a_command_is_in_its_section(name: str) -> None:
    section = _section(name)

    def named(option: str) -> bool:
        return re.search(rf"[`\[|]{re.escape(option)}\b", section) is not None

    missing = [opts for opts in _options(cli.commands[name]) if not any(named(o) for o in opts)]
    assert missing == [], f"teitools {name}: {missing} not in docs/cli.md"


def test_the_root_options_are_documented() -> None:
    for option in ("--color", "-V", "--version", "NO_COLOR", "FORCE_COLOR", "_TEITOOLS_COMPLETE"):
        assert option in DOC, option


def test_help_lists_commands_in_workflow_order_with_whole_descriptions() -> None:
    code, out, _ = run_cli("--help")
    assert code == 0
    listed = re.findall(r"^  ([a-z]+)  +(.+)$", out.split("Commands:")[1], re.MULTILINE)
    assert [name for name, _ in listed] == [
        "init",
        "new",
        "validate",
        "cite",
        "export",
        "site",
        "build",
        "report",
        "lsp",
    ]
    for name, description in listed:
        first_line = (cli.commands[name].help or "").split("\n\n")[0].replace("\n", " ")
        assert first_line.startswith(description.rstrip()), name
        assert not description.endswith("..."), name
    assert "works with no arguments" not in out


def test_the_doc_does_not_claim_every_command_needs_no_arguments() -> None:
    assert "Every command works with no arguments" not in DOC


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version_flags(flag: str) -> None:
    code, out, _ = run_cli(flag)
    assert code == 0 and out.startswith("teitools, version ")


def test_shell_completion_as_documented_completes_commands() -> None:
    env = {
        **os.environ,
        "_TEITOOLS_COMPLETE": "bash_complete",
        "COMP_WORDS": "teitools ne",
        "COMP_CWORD": "1",
    }
    done = subprocess.run(
        [sys.executable, "-c", "from teitools.cli import cli; cli(prog_name='teitools')"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert "plain,new" in done.stdout.splitlines(), done.stdout + done.stderr
