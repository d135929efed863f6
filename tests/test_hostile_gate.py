"""The gate itself: what a pull request commits cannot turn a failing run into a passing one.

Two attacks on ``teitools validate`` as a CI gate (issue 12, section 2): result-cache entries
planted where teitools reads them, and a schema declared in a letter to switch the project's
own rules off.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from teitools.load.record import FileRecord
from teitools.validation import runner
from tests.helpers import LIVE_EDITION, ROOT, run_cli

LETTER = "stalin-kaganovich-1933.xml"
ANYTHING_GOES = """<grammar xmlns="http://relaxng.org/ns/structure/1.0">
  <start><ref name="any"/></start>
  <define name="any">
    <element><anyName/>
      <zeroOrMore><choice><attribute><anyName/></attribute><text/><ref name="any"/></choice></zeroOrMore>
    </element>
  </define>
</grammar>
"""
RNG_TYPE = 'schematypens="http://relaxng.org/ns/structure/1.0"'


def _git(where: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=where,
        check=True,
        capture_output=True,
    )


def _broken_letter(edition: Path) -> Path:
    """A letter of the bundled edition with a broken pointer, a duplicate id and a bad id."""
    path = edition / "letters" / LETTER
    text = path.read_text(encoding="utf-8")
    text = text.replace('xml:id="stalin-kaganovich-1933"', 'xml:id="Stalin-1933"', 1)
    text = text.replace('ref="#stalin"', 'ref="#nobody"', 1)
    text = text.replace("<titleStmt>", '<titleStmt xml:id="twice">', 1)
    text = text.replace("<sourceDesc>", '<sourceDesc xml:id="twice">', 1)
    path.write_text(text, encoding="utf-8")
    return path


def _declare(path: Path, href: str) -> None:
    text = path.read_text(encoding="utf-8")
    model = f'<?xml-model href="{href}" type="application/xml" {RNG_TYPE}?>'
    path.write_text(text.replace("?>", f"?>\n{model}", 1), encoding="utf-8")


# (a) the result cache ------------------------------------------------------------------------


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A git repository holding a copy of the bundled edition with one broken letter."""
    repo = tmp_path / "repo"
    shutil.copytree(LIVE_EDITION, repo / "tei")
    _broken_letter(repo / "tei")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "edition")
    return repo


def _plant(
    monkeypatch: pytest.MonkeyPatch, repo: Path, folder: Path, attacker_home: Path, *args: str
) -> None:
    """Write into ``folder`` the entries a teitools whose checks find nothing writes, on the
    attacker's own machine (its own user cache folder): exactly the keys the victim's run
    computes, each saying "no problems"."""

    def finds_nothing(record: FileRecord, schemas: runner._SchemaSet) -> runner._FileResult:
        return runner._FileResult((), None)

    with monkeypatch.context() as patched:
        patched.setattr(runner, "check_file", finds_nothing)
        planted = run_cli(
            "validate",
            "tei",
            "--cache-dir",
            folder,
            *args,
            cwd=repo,
            env={"XDG_CACHE_HOME": str(attacker_home)},
        )
    assert planted.code == 0, planted
    assert list(folder.rglob("*.json")), "the attacker's run wrote no entries"


def _victim(repo: Path, home: Path, *args: str) -> tuple[int, str]:
    env = {"XDG_CACHE_HOME": str(home), "TEITOOLS_CACHE_DIR": None}
    done = run_cli("validate", "tei", *args, cwd=repo, env=env)
    return done.code, done.out + done.err


def test_the_broken_letter_fails(repository: Path, tmp_path: Path) -> None:
    code, out = _victim(repository, tmp_path / "home")
    assert code == 1, out
    assert {"ref-unresolved", "id-duplicate", "letter-id-pattern"} <= _rules(out)


def test_entries_committed_under_teitools_cache_are_not_trusted(
    repository: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attack of issue 12: the planted entries are committed under ``.teitools-cache/``
    and the victim runs with the default cache folder, or names that folder explicitly."""
    planted = repository / ".teitools-cache"
    _plant(monkeypatch, repository, planted, tmp_path / "attacker")
    (planted / ".gitignore").unlink()  # so that git add takes the entries
    _git(repository, "add", "-f", ".teitools-cache")
    _git(repository, "commit", "-qm", "cache")
    for args in ((), ("--cache-dir", ".teitools-cache")):
        code, out = _victim(repository, tmp_path / "victim", *args)
        assert code == 1, (args, out)
        assert {"ref-unresolved", "id-duplicate", "letter-id-pattern"} <= _rules(out), args


def test_entries_planted_in_the_configured_cache_without_its_key_are_not_trusted(
    repository: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CI cache folder outside the checkout that someone else could write to: entries not
    authenticated with the victim's key are misses."""
    shared = tmp_path / "ci-cache"
    _plant(monkeypatch, repository, shared, tmp_path / "attacker")
    code, out = _victim(repository, tmp_path / "victim", "--cache-dir", str(shared))
    assert code == 1, out
    assert {"ref-unresolved", "id-duplicate", "letter-id-pattern"} <= _rules(out)


def _rules(output: str) -> set[str]:
    return {line.rsplit("[", 1)[1].rstrip("]") for line in output.splitlines() if line.endswith("]")}


# (b) a declared schema -----------------------------------------------------------------------


@pytest.fixture
def edition(tmp_path: Path) -> Path:
    """A copy of the bundled edition (it has its own teitools.toml) with one broken letter."""
    folder = tmp_path / "tei"
    shutil.copytree(LIVE_EDITION, folder)
    _broken_letter(folder)
    (folder / "anything.rng").write_text(ANYTHING_GOES, encoding="utf-8")
    shutil.copy(ROOT / "schemas" / "teitools.rng", folder / "teitools.rng")
    return folder


CATALOG = """<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
  <uri name="https://example.org/anything.rng" uri="tei/anything.rng"/>
</catalog>
"""
EXPECTED = {"ref-unresolved", "id-duplicate", "letter-id-pattern"}


@pytest.mark.parametrize(
    ("href", "args"),
    [
        ("../anything.rng", ()),
        ("../teitools.rng", ()),  # as encoders declare it, for completion in their editor
        ("https://example.org/anything.rng", ("--catalog", "../catalog.xml")),
    ],
    ids=["anything-goes", "teitools-rng", "catalog"],
)
def test_a_declared_schema_does_not_switch_the_projects_rules_off(
    edition: Path, href: str, args: tuple[str, ...]
) -> None:
    (edition.parent / "catalog.xml").write_text(CATALOG, encoding="utf-8")
    _declare(edition / "letters" / LETTER, href)
    done = run_cli("validate", ".", "--no-cache", *args, cwd=edition)
    assert done.code == 1, done
    assert _rules(done.out) >= EXPECTED
    assert done.out.rstrip().endswith("declared schemas checked as well as the project's rules"), done.out


def test_the_mode_is_in_the_json_report(edition: Path) -> None:
    _declare(edition / "letters" / LETTER, "../anything.rng")
    done = run_cli("validate", ".", "--no-cache", "--format", "json", cwd=edition)
    assert done.code == 1, done
    report = json.loads(done.out)
    assert report["summary"]["schemas"] == "project-and-declared"
    assert {d["rule"] for d in report["diagnostics"]} >= EXPECTED


def test_build_runs_the_projects_rules_on_a_declaring_letter(edition: Path, tmp_path: Path) -> None:
    _declare(edition / "letters" / LETTER, "../anything.rng")
    done = run_cli("build", str(edition), "-o", str(tmp_path / "out"))
    assert done.code == 1, done
    assert _rules(done.err) >= EXPECTED
    assert not (tmp_path / "out").exists()


def test_a_cached_run_keeps_the_projects_rules(edition: Path, tmp_path: Path) -> None:
    _declare(edition / "letters" / LETTER, "../anything.rng")
    for _ in range(2):  # the second run comes from the cache
        done = run_cli("validate", ".", "--cache-dir", str(tmp_path / "cache"), cwd=edition)
        assert done.code == 1, done
        assert _rules(done.out) >= EXPECTED


@pytest.mark.parametrize("how", ["option", "setting"])
def test_declared_only_restores_declared_schemas_only(edition: Path, how: str) -> None:
    """The documented way back: the declaring letter is judged by its own schema alone, and
    the summary says so."""
    _declare(edition / "letters" / LETTER, "../anything.rng")
    args = ["--declared-only"] if how == "option" else []
    if how == "setting":
        settings = edition / "teitools.toml"
        text = settings.read_text(encoding="utf-8")
        settings.write_text(text.replace("[cmif]", "declared-schemas-only = true\n\n[cmif]", 1), "utf-8")
    done = run_cli("validate", ".", "--no-cache", *args, cwd=edition)
    assert not EXPECTED & _rules(done.out), done.out
    assert done.out.rstrip().endswith("declared schemas only, where a file declares any"), done.out


def test_a_plain_folder_without_settings_keeps_declared_schemas_only(edition: Path) -> None:
    (edition / "teitools.toml").unlink()
    _declare(edition / "letters" / LETTER, "../anything.rng")
    done = run_cli("validate", ".", "--no-cache", cwd=edition)
    assert done.code == 0, done
    assert done.out.rstrip().endswith("declared schemas only, where a file declares any"), done.out


def test_the_action_caches_a_folder_outside_the_checkout() -> None:
    """The GitHub Action keeps the default cache folder (and its key), never one in the
    working tree that a pull request could commit to."""
    action = (ROOT / "action.yml").read_text(encoding="utf-8")
    cached = [
        line.split(":", 1)[1].strip() for line in action.splitlines() if line.strip().startswith("path:")
    ]
    assert cached == ["~/.cache/teitools"]


@pytest.mark.parametrize("how", ["--schema", "settings", "--jobs"])
def test_other_entry_points_keep_the_cross_file_checks(edition: Path, how: str) -> None:
    """An anything-goes grammar given with --schema --project-rules or as the project's own in
    the settings replaces teitools.rng, never the cross-file checks; files checked in workers
    keep them. (--schema alone is jing-like on purpose: the schema given and nothing else; the
    command line is CI's, not a pull request's.)"""
    _declare(edition / "letters" / LETTER, "../anything.rng")
    schema = ["--schema", "anything.rng", "--project-rules"]
    args = {"--schema": schema, "settings": [], "--jobs": ["--jobs", "2"]}[how]
    if how == "settings":
        settings = edition / "teitools.toml"
        text = settings.read_text(encoding="utf-8")
        settings.write_text(text.replace("[cmif]", 'schemas = ["anything.rng"]\n\n[cmif]', 1), "utf-8")
    done = run_cli("validate", ".", "--no-cache", *args, cwd=edition)
    assert done.code == 1, done
    assert _rules(done.out) >= EXPECTED


def test_a_user_without_a_home_folder_validates_without_a_cache(
    repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No HOME and no passwd entry (some CI containers): no cache, not an internal error."""

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    done = run_cli(
        "validate", "tei", cwd=repository, env={"XDG_CACHE_HOME": None, "TEITOOLS_CACHE_DIR": None}
    )
    assert (done.code, done.err) == (1, "")
    assert "[ref-unresolved]" in done.out
