"""--changed-since: the files changed since a git ref, and the letters that depend on them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from teitools.cli import main
from teitools.errors import GitError
from teitools.load import settings
from teitools.load.inputs import find_xml_files
from teitools.validation.changes import SETTINGS_FILES, changed_files, select_changed
from teitools.validation.runner import ValidateOptions, validate
from tests.helpers import EDITION, ROOT, copy_edition

LETTERS = sorted((EDITION / "letters").glob("*.xml"))


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A throwaway git repository holding a copy of the edition, committed."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "edition"
    copy_edition(repo / "tei")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@invalid", "commit", "-qm", "edition")
    return repo


def edit(path: Path, old: str = "</p>", new: str = " Edited.</p>") -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def selected(repo: Path, ref: str = "HEAD", **options: Any) -> list[str]:
    report = validate([repo / "tei"], ValidateOptions(changed_since=ref, **options))
    return [Path(f).relative_to(repo).as_posix() for f in report.files]


def test_nothing_changed_nothing_validated(repo: Path) -> None:
    assert selected(repo) == []


def test_a_changed_letter_alone_is_validated(repo: Path) -> None:
    edit(repo / "tei" / "letters" / LETTERS[2].name)
    assert selected(repo) == [f"tei/letters/{LETTERS[2].name}"]


def test_staged_committed_and_untracked_changes_all_count(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD").strip()
    letters = repo / "tei" / "letters"
    edit(letters / LETTERS[0].name)
    git(repo, "add", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@invalid", "commit", "-qm", "one")
    edit(letters / LETTERS[1].name)
    git(repo, "add", ".")
    edit(letters / LETTERS[2].name)
    shutil.copy(letters / LETTERS[3].name, letters / "new-letter.xml")
    (repo / ".gitignore").write_text("ignored.xml\n", encoding="utf-8")
    shutil.copy(letters / LETTERS[3].name, letters / "ignored.xml")
    expected = sorted([*(f"tei/letters/{p.name}" for p in LETTERS[:3]), "tei/letters/new-letter.xml"])
    assert sorted(selected(repo, base)) == expected
    since_last_commit = set(expected) - {f"tei/letters/{LETTERS[0].name}"}
    assert sorted(selected(repo)) == sorted(since_last_commit)


def test_a_changed_register_rechecks_every_letter_of_its_edition(repo: Path) -> None:
    edit(repo / "tei" / "persons.xml", "<listPerson>", "<listPerson>\n")
    everything = [f"tei/letters/{p.name}" for p in LETTERS]
    assert selected(repo) == [*everything, "tei/persons.xml", "tei/places.xml", "tei/sources.xml"]


def test_a_changed_register_of_another_edition_rechecks_only_that_edition(repo: Path) -> None:
    other = repo / "tei" / "other"
    (other / "letters").mkdir(parents=True)
    shutil.copy(EDITION / "places.xml", other / "places.xml")
    moved = other / "letters" / LETTERS[0].name
    git(repo, "mv", f"tei/letters/{LETTERS[0].name}", str(moved.relative_to(repo)))
    git(repo, "add", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@invalid", "commit", "-qm", "two editions")
    edit(other / "places.xml", "<listPlace>", "<listPlace>\n")
    assert selected(repo) == [f"tei/other/letters/{LETTERS[0].name}", "tei/other/places.xml"]


def test_a_deleted_register_rechecks_its_edition_and_finds_the_broken_pointers(repo: Path) -> None:
    (repo / "tei" / "sources.xml").unlink()
    report = validate([repo / "tei"], ValidateOptions(changed_since="HEAD"))
    assert len(report.files) == len(LETTERS) + 2  # the letters, persons.xml and places.xml
    assert {d.rule for d in report.diagnostics} == {"ref-unresolved"}


def test_explicit_registers_changed_select_everything(repo: Path) -> None:
    registers = tuple(sorted((repo / "tei").glob("*.xml")))
    edit(repo / "tei" / "places.xml", "<listPlace>", "<listPlace>\n")
    assert len(selected(repo, registers=registers)) == len(LETTERS) + 3


def test_a_changed_schema_selects_everything(repo: Path) -> None:
    schema = repo / "own.sch"
    shutil.copy(ROOT / "schemas" / "teitools.sch", schema)
    assert selected(repo, schemas=(schema,)) == selected(repo, "HEAD~0", schemas=(schema,))
    assert len(selected(repo, schemas=(schema,))) == len(LETTERS) + 3  # untracked: changed


def test_the_settings_files_are_those_the_settings_module_reads() -> None:
    assert set(SETTINGS_FILES) == {settings.SETTINGS_FILE, settings.PYPROJECT_FILE}


def test_changed_settings_select_every_file_below_them(repo: Path) -> None:
    settings = repo / "tei" / "teitools.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert len(selected(repo)) == len(LETTERS) + 3


def test_the_selection_is_named_and_ordered_as_a_full_run(repo: Path) -> None:
    for letter in LETTERS[::-1]:
        edit(repo / "tei" / "letters" / letter.name)
    hidden = repo / "tei" / ".drafts"
    hidden.mkdir()
    shutil.copy(LETTERS[0], hidden / "draft.xml")
    everything = [f for f in find_xml_files([repo / "tei"]) if f.parent.name == "letters"]
    changed = changed_files("HEAD", repo)
    assert select_changed([repo / "tei"], changed) == everything


def test_findings_of_the_changed_file_are_reported(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    edit(repo / "tei" / "letters" / LETTERS[0].name, 'ref="#stalin"', 'ref="#stalim"')
    assert main(["validate", "--changed-since", "HEAD", "tei"]) == 1
    out = capsys.readouterr().out
    assert "[ref-unresolved]" in out and out.endswith("1 file checked: 1 error, 0 warnings in 1 file\n")


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("no-such-branch", "'no-such-branch' is not a commit"),
        ("--output=x", "is not a git ref"),
    ],
)
def test_a_bad_ref_is_a_usage_error(
    repo: Path, ref: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", f"--changed-since={ref}", str(repo / "tei")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_outside_a_git_repository_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy_edition(tmp_path / "tei")
    assert main(["validate", "--changed-since", "HEAD", str(tmp_path / "tei")]) == 2
    assert "git rev-parse failed" in capsys.readouterr().err


def test_git_missing_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    with pytest.raises(GitError, match="needs git"):
        changed_files("HEAD")
