"""The pre-commit hook, the GitHub Action and the CI docs work as documented."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import FIXTURES, ROOT, copy_edition

HOOKS = ROOT / ".pre-commit-hooks.yaml"
ACTION = ROOT / "action.yml"
CI_DOC = ROOT / "docs" / "ci.md"
BIN = Path(sys.executable).parent
#: What a pip install of teitools needs: the package, its schemas, its metadata.
PACKAGE_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "action.yml")
PACKAGE_FOLDERS = ("teitools", "schemas")
GIT_USER = ("-c", "user.name=teitools tests", "-c", "user.email=tests@teitools.invalid")


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *GIT_USER, *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


def new_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    return path


# pre-commit ----------------------------------------------------------------------------------


def test_pre_commit_hooks_are_declared_for_staged_xml() -> None:
    hooks = {hook["id"]: hook for hook in load_yaml(HOOKS)}
    assert set(hooks) == {"teitools-validate", "teitools-validate-all"}
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["entry"] == "teitools validate"
        assert re.search(hook["files"], "tei/letters/a.xml")
        assert not re.search(hook["files"], "README.md")
    assert hooks["teitools-validate"].get("pass_filenames", True) is True
    assert hooks["teitools-validate-all"]["pass_filenames"] is False


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This working tree as a git repository of its own, so the hook tested is the current
    code (committed or not); returns its path and commit."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = new_repo(tmp_path_factory.mktemp("hook-repo"))
    for name in PACKAGE_FILES:
        shutil.copy(ROOT / name, repo / name)
    for name in PACKAGE_FOLDERS:
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "teitools")
    return repo, git(repo, "rev-parse", "HEAD").strip()


def pre_commit(project: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("TEITOOLS_CACHE_DIR", None)  # the hook uses its default cache (under XDG_CACHE_HOME)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
def test_pre_commit_hook_passes_good_and_fails_bad_staged_files(
    hook_repo: tuple[Path, str], tmp_path: Path
) -> None:
    repo, rev = hook_repo
    project = new_repo(tmp_path / "edition")
    copy_edition(project / "tei")
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n      - id: teitools-validate\n",
        encoding="utf-8",
    )
    home = tmp_path / "pre-commit-home"
    installed = pre_commit(project, home, "install-hooks")
    if installed.returncode != 0:
        pytest.skip(
            "pre-commit could not install the hook's environment (pip needs PyPI for "
            f"hatchling, lxml, click, jsonschema; offline?): {installed.stdout[-400:]}"
        )
    git(project, "add", ".")
    good = pre_commit(project, home, "run")
    assert good.returncode == 0, good.stdout + good.stderr
    assert re.search(r"teitools validate\.+Passed", good.stdout), good.stdout
    git(project, "commit", "-qm", "edition")

    bad = project / "tei" / "letters" / "stalin-kaganovich-1933.xml"
    bad.write_text(
        bad.read_text(encoding="utf-8").replace("very bad", '<hi rend="loud">very</hi> bad'), encoding="utf-8"
    )
    git(project, "add", str(bad))
    failed = pre_commit(project, home, "run")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert re.search(r"teitools validate\.+Failed", failed.stdout), failed.stdout
    assert re.search(
        r"tei/letters/stalin-kaganovich-1933\.xml:\d+:\d+: error: .+\[hi-rend\]", failed.stdout
    ), failed.stdout
    assert "1 file checked: 1 error" in failed.stdout  # only the staged file was validated
    status = git(project, "status", "--porcelain", "--untracked-files=all")
    assert ".teitools-cache" not in status  # the hook's cache ignores itself


# GitHub Action -------------------------------------------------------------------------------


def test_action_is_a_composite_action_with_the_documented_inputs() -> None:
    action = load_yaml(ACTION)
    assert action["name"] and action["description"]
    assert set(action["inputs"]) == {"paths", "strict", "args", "python-version", "cache"}
    for name, spec in action["inputs"].items():
        assert spec["description"], name
        assert isinstance(spec["default"], str), name  # action inputs are strings
    steps = action["runs"]["steps"]
    assert action["runs"]["using"] == "composite"
    uses = [step.get("uses", "") for step in steps]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert any(u.startswith("actions/cache@") for u in uses)
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], "inputs must reach scripts as env, not be spliced in"
    install = next(s for s in steps if s.get("name") == "Install teitools")
    assert "pip install" in install["run"] and "$GITHUB_ACTION_PATH" in install["run"]


def validate_step() -> dict[str, Any]:
    step: dict[str, Any] = next(s for s in load_yaml(ACTION)["runs"]["steps"] if s.get("name") == "Validate")
    return step


def run_validate_step(
    tmp_path: Path, paths: str, strict: str = "false", args: str = ""
) -> tuple[subprocess.CompletedProcess[str], str]:
    """The action's Validate step, as GitHub runs it: bash, the inputs in its env."""
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    summary = tmp_path / "summary.md"
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "TEITOOLS_PATHS": paths,
        "TEITOOLS_STRICT": strict,
        "TEITOOLS_ARGS": args,
        "GITHUB_STEP_SUMMARY": str(summary),
        "CI": "true",
    }
    result = subprocess.run(
        ["bash", "-c", validate_step()["run"]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return result, summary.read_text(encoding="utf-8") if summary.exists() else ""


def test_action_validate_step_passes_a_clean_edition(tmp_path: Path) -> None:
    copy_edition(tmp_path / "tei")
    result, summary = run_validate_step(tmp_path, "tei")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.endswith("11 files checked: no problems\n")
    assert summary.startswith("### teitools validate: passed")


def test_action_validate_step_annotates_findings_and_fails(tmp_path: Path) -> None:
    copy_edition(tmp_path / "tei")
    shutil.copy(FIXTURES / "invalid" / "hi-rend.xml", tmp_path / "hi-rend.xml")
    result, summary = run_validate_step(tmp_path, "tei/letters hi-rend.xml", args="--registers tei --jobs 2")
    assert result.returncode == 1
    assert re.search(
        r"^::error file=hi-rend\.xml,line=\d+,col=\d+,title=hi-rend::", result.stdout, re.MULTILINE
    ), result.stdout
    assert "| hi-rend.xml |" in summary and "`hi-rend`" in summary


def test_action_strict_input_fails_on_warnings(tmp_path: Path) -> None:
    letters = tmp_path / "tei" / "letters"
    copy_edition(tmp_path / "tei")
    (letters / "stalin-kaganovich-1933.xml").rename(letters / "misnamed.xml")
    assert run_validate_step(tmp_path, "tei")[0].returncode == 0
    result, _ = run_validate_step(tmp_path, "tei", strict="true")
    assert result.returncode == 1 and "::warning file=tei/letters/misnamed.xml" in result.stdout


# docs/ci.md ----------------------------------------------------------------------------------


def yaml_blocks() -> list[str]:
    return re.findall(r"```ya?ml\n(.*?)```", CI_DOC.read_text(encoding="utf-8"), re.DOTALL)


def test_ci_doc_configurations_are_valid_yaml() -> None:
    blocks = yaml_blocks()
    assert len(blocks) >= 4
    for block in blocks:
        assert yaml.safe_load(block) is not None


def test_ci_doc_shows_each_integration() -> None:
    text = CI_DOC.read_text(encoding="utf-8")
    documents = [yaml.safe_load(block) for block in yaml_blocks()]
    workflows = [d for d in documents if isinstance(d, dict) and "jobs" in d]
    action_uses = [
        step
        for w in workflows
        for job in w["jobs"].values()
        for step in job["steps"]
        if "teitools" in str(step.get("uses", ""))
    ]
    assert action_uses, "an example workflow uses the action"
    assert set(action_uses[0].get("with", {})) <= set(load_yaml(ACTION)["inputs"])
    pre_commit_configs = [d for d in documents if isinstance(d, dict) and "repos" in d]
    hook_ids = {
        hook["id"] for config in pre_commit_configs for repo in config["repos"] for hook in repo["hooks"]
    }
    assert hook_ids <= {hook["id"] for hook in load_yaml(HOOKS)} and hook_ids
    gitlab = [
        d
        for d in documents
        if isinstance(d, dict) and any(isinstance(job, dict) and "script" in job for job in d.values())
    ]
    assert gitlab and "junit" in str(gitlab[0])
    assert "--format sarif" in text and "--changed-since" in text
