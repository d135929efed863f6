"""Writing only where asked: a symbolic link committed to the repository never redirects a write.

Someone who can open a pull request can commit ``build -> /home/ci/.ssh``. Every command that
writes (``build``, ``site``, ``export`` to a folder or a file, ``validate --output`` and the
result cache) must refuse, with exit code 2 and a message that names the link, to write
through a link in the working tree or through any link below its output folder, and must
leave the link's target untouched. A path the user names outside the working tree is theirs,
links and all.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from teitools.validation.cache import ENTRY_FORMAT
from tests.helpers import EDITION, copy_edition, run_cli

#: What every attack points at: it must stay exactly as it was.
VICTIM_TEXT = "the victim's own file\n"
#: The tests' own cache folder is unset, so that validate uses the default (the user's cache folder).
DEFAULT_CACHE = {"TEITOOLS_CACHE_DIR": None}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git working tree holding the fixture edition (a real one: the cache asks git whether
    its folder is tracked, and is not used when git cannot tell)."""
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    copy_edition(root / "tei", EDITION)
    return root


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A folder outside the repository, with one file in it."""
    folder = tmp_path / "victim"
    folder.mkdir()
    (folder / "x").write_text(VICTIM_TEXT, encoding="utf-8")
    return folder


def _assert_refused(result_code: int, err: str, link: str, victim: Path) -> None:
    assert result_code == 2, err
    assert "Traceback" not in err
    assert f"{link} is a symbolic link" in err, err
    assert sorted(p.name for p in victim.iterdir()) == ["x"], "something was written through the link"
    assert (victim / "x").read_text(encoding="utf-8") == VICTIM_TEXT


def _link(link: Path, target: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)


# Each case: the link to plant (relative to the repository; it points at the victim folder, or
# at its file x when the name ends in a file name), the command, and the link the error names.
FOLDER_LINKS = [
    ("build", ["build", "tei"], "build"),
    ("build/site", ["build", "tei"], "build/site"),
    ("build/cmif", ["build", "tei"], "build/cmif"),
    ("out", ["build", "tei", "-o", "out"], "out"),
    ("out", ["site", "tei", "-o", "out"], "out"),
    ("out", ["site", "tei", "-o", "out/nested/site"], "out"),
    ("out", ["export", "html", "tei", "-o", "out"], "out"),
    ("out", ["export", "text", "tei", "-o", "out"], "out"),
    ("out", ["export", "cmif", "tei", "-o", "out/cmif.xml"], "out"),
    ("out", ["export", "json", "tei", "-o", "out/letters.json"], "out"),
    ("out", ["validate", "tei", "--format", "sarif", "-o", "out/report.sarif"], "out"),
    ("reports", ["validate", "tei", "-o", "reports/../reports/x.txt"], "reports"),
    (".teitools-cache", ["validate", "tei", "--cache-dir", ".teitools-cache"], ".teitools-cache"),
    ("cache", ["validate", "tei", "--cache-dir", "cache"], "cache"),
    ("cache", ["validate", "tei", "--cache-dir", "cache/sub"], "cache"),
]


@pytest.mark.parametrize(
    ("link", "argv", "named"), FOLDER_LINKS, ids=[f"{a[0]}:{' '.join(a[1][:2])}" for a in FOLDER_LINKS]
)
def test_no_command_writes_through_a_folder_link_in_the_repository(
    repo: Path, victim: Path, link: str, argv: list[str], named: str
) -> None:
    _link(repo / link, victim)
    code, _out, err = run_cli(*argv, cwd=repo, env=DEFAULT_CACHE)
    _assert_refused(code, err, named, victim)
    if argv[0] == "build":
        assert not list(repo.glob("*/site/index.html")), "a refused build writes nothing"


FILE_LINKS = [
    ("build/site/index.html", ["build", "tei"], "build/site/index.html"),
    (
        "build/text/stalin-kaganovich-1935-08-22.txt",
        ["build", "tei"],
        "build/text/stalin-kaganovich-1935-08-22.txt",
    ),
    ("site/index.html", ["site", "tei", "-o", "site"], "site/index.html"),
    ("h/letters", ["export", "html", "tei", "-o", "h"], "h/letters"),
    ("cmif.xml", ["export", "cmif", "tei", "-o", "cmif.xml"], "cmif.xml"),
    ("report.txt", ["validate", "tei", "-o", "report.txt"], "report.txt"),
]


@pytest.mark.parametrize(
    ("link", "argv", "named"), FILE_LINKS, ids=[f"{a[0]}:{' '.join(a[1][:2])}" for a in FILE_LINKS]
)
def test_no_command_writes_through_a_link_planted_at_a_file_name(
    repo: Path, victim: Path, link: str, argv: list[str], named: str
) -> None:
    _link(repo / link, victim if link.endswith("letters") else victim / "x")
    code, _out, err = run_cli(*argv, cwd=repo, env=DEFAULT_CACHE)
    _assert_refused(code, err, named, victim)
    assert (repo / link).is_symlink(), "the planted link is left as it was"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_link_planted_inside_the_cache_folder_is_refused(repo: Path, victim: Path, jobs: str) -> None:
    entries = f"v{ENTRY_FORMAT}"
    (repo / ".teitools-cache").mkdir()
    _link(repo / ".teitools-cache" / entries, victim)
    argv = ("validate", "tei", "--jobs", jobs, "--cache-dir", ".teitools-cache")
    code, _out, err = run_cli(*argv, cwd=repo, env=DEFAULT_CACHE)
    _assert_refused(code, err, f".teitools-cache/{entries}", victim)


def test_a_folder_named_outside_the_repository_is_written_even_through_a_link(
    repo: Path, tmp_path: Path
) -> None:
    """The documented way to publish where a link points: name the path outside the tree."""
    target = tmp_path / "published"
    target.mkdir()
    alias = tmp_path / "alias"  # a link of the user's, outside the working tree
    alias.symlink_to(target)
    code, _out, err = run_cli("site", "tei", "-o", str(alias), cwd=repo, env=DEFAULT_CACHE)
    assert code == 0, err
    assert (target / "index.html").is_file()
    code, _out, err = run_cli("validate", "tei", "-o", str(alias / "report.txt"), cwd=repo, env=DEFAULT_CACHE)
    assert code == 0, err
    assert (target / "report.txt").is_file()


def test_without_links_every_command_still_writes_in_the_repository(repo: Path) -> None:
    assert run_cli("build", "tei", cwd=repo, env=DEFAULT_CACHE).code == 0
    assert (repo / "build" / "site" / "index.html").is_file()
    assert run_cli("validate", "tei", "-o", "reports/r.txt", cwd=repo, env=DEFAULT_CACHE).code == 0
    assert (repo / "reports" / "r.txt").read_text(encoding="utf-8").endswith("no problems\n")
    assert run_cli("validate", "tei", "--cache-dir", "cache", cwd=repo, env=DEFAULT_CACHE).code == 0
    assert any((repo / "cache").rglob("*.json")), "the cache is written"


def test_the_working_tree_is_found_from_a_subfolder(repo: Path, victim: Path) -> None:
    """Run from tei/, ``-o ../build`` is still inside the repository, so its link is refused."""
    _link(repo / "build", victim)
    code, _out, err = run_cli("site", ".", "-o", "../build", cwd=repo / "tei", env=DEFAULT_CACHE)
    _assert_refused(code, err, str(Path("..") / "build"), victim)
