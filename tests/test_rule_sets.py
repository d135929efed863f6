"""The settings choose the rule sets; the bundled edition's own rules run only where asked.

``tests/fixtures/foreign-publisher/`` is an edition in TEI Publisher style without settings
(its README says what it holds): judged by what TEI requires it is valid, although its line
ids repeat across files, its ``hi`` renditions are its own and its letter ids follow no
pattern. Asking for the bundled edition's rules reports exactly those. ``teitools init``
writes its settings (``tests/expected/init/foreign-publisher.toml``) and never overwrites.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from teitools.load.settings import DEFAULT_RULES, RULE_SETS, settings_for
from teitools.validation.rule_catalogue import RULE_SETS as DESCRIBED
from teitools.validation.rule_catalogue import RULES
from teitools.validation.runner import ValidateOptions, validate
from tests.conftest import Golden
from tests.helpers import EDITION, FIXTURES, LIVE_EDITION, ROOT, run_cli

FOREIGN = FIXTURES / "foreign-publisher"
BUNDLED = 'rules = ["tei", "pointers", "project:teitools-letters"]\n'
INVALID = sorted((FIXTURES / "invalid").glob("*.xml"))
EXPECT = re.compile(r"<!-- expect: ([a-z0-9-]+) line (\d+) -->")


def _copy(tmp_path: Path, settings: str | None = None) -> Path:
    edition = tmp_path / "edition"
    shutil.copytree(FOREIGN, edition)
    if settings is not None:
        (edition / "teitools.toml").write_text(settings, encoding="utf-8")
    return edition


def _findings(edition: Path) -> list[tuple[str, int, str, str]]:
    """(file name, line, rule, message) of each finding of ``teitools validate EDITION``."""
    _, out, err = run_cli("validate", "--format", "json", edition)
    assert "Traceback" not in err
    return sorted(
        (Path(d["file"]).name, d["line"], d["rule"], d["message"]) for d in json.loads(out)["diagnostics"]
    )


def test_an_edition_without_settings_is_judged_by_what_tei_requires() -> None:
    assert settings_for([FOREIGN]).file is None
    code, out, _ = run_cli("validate", FOREIGN)
    assert (code, out) == (0, "4 files checked: no problems\n")


def test_asking_for_the_bundled_rules_reports_them(tmp_path: Path) -> None:
    found = _findings(_copy(tmp_path, BUNDLED))
    rules = {rule for _, _, rule, _ in found}
    assert {"letter-id-pattern", "hi-rend", "corresp-action-person", "id-duplicate", "rng-invalid"} <= rules
    hi = [(name, message) for name, _, rule, message in found if rule == "hi-rend"]
    assert ("L0001.xml", 'hi rend="sup" is not one of') in [(n, m[:27]) for n, m in hi]
    # The line ids of the second and third letters repeat the first's.
    repeated = sorted((name, line) for name, line, rule, _ in found if rule == "id-duplicate")
    assert repeated == [("L0002.xml", 26), ("L0002.xml", 27), ("L0003.xml", 26), ("L0003.xml", 27)]
    names_nobody = [(name, line) for name, line, rule, _ in found if rule == "corresp-action-person"]
    assert names_nobody == [("L0003.xml", 15)]  # the recipient named by @key only


def test_a_cached_result_is_not_taken_for_other_rule_sets(tmp_path: Path) -> None:
    edition = _copy(tmp_path)
    assert run_cli("validate", edition).code == 0
    (edition / "teitools.toml").write_text(BUNDLED, "utf-8")
    assert "[hi-rend]" in run_cli("validate", edition).out
    (edition / "teitools.toml").write_text('rules = ["tei"]\n', "utf-8")
    assert run_cli("validate", edition).code == 0


def test_the_library_applies_every_rule_set_unless_told(tmp_path: Path) -> None:
    """``ValidateOptions()`` checks as the bundled edition asks; ``rules`` that leave out
    ``tei`` still get it (a date that does not exist is always found)."""
    edition = _copy(tmp_path)
    letter = edition / "data" / "letters" / "L0001.xml"
    letter.write_text(letter.read_text("utf-8").replace('when="1797-06-22"', 'when="1797-06-31"'), "utf-8")
    every = {d.rule for d in validate([edition]).diagnostics}
    assert {"hi-rend", "letter-id-pattern", "date-real"} <= every
    assert {d.rule for d in validate([edition], ValidateOptions(rules=("pointers",))).diagnostics} == {
        "date-real"
    }


def test_ids_are_unique_within_each_file_by_default(tmp_path: Path) -> None:
    edition = _copy(tmp_path)
    letter = edition / "data" / "letters" / "L0001.xml"
    letter.write_text(letter.read_text("utf-8").replace('xml:id="l2"', 'xml:id="l1"'), "utf-8")
    assert _findings(edition) == [
        (
            "L0001.xml",
            27,
            "id-duplicate",
            'xml:id "l1" is already used at line 26 of this file; ids must be unique within a document',
        )
    ]


def test_ids_across_files_when_the_settings_ask(tmp_path: Path) -> None:
    found = _findings(_copy(tmp_path, 'rules = ["tei", "ids-across-files"]\n'))
    assert [(name, line, rule) for name, line, rule, _ in found] == [
        ("L0002.xml", 26, "id-duplicate"),
        ("L0002.xml", 27, "id-duplicate"),
        ("L0003.xml", 26, "id-duplicate"),
        ("L0003.xml", 27, "id-duplicate"),
    ]
    assert "already used at " in found[0][3] and "L0001.xml:26" in found[0][3]


def test_only_local_pointers_are_resolved(tmp_path: Path) -> None:
    """``gnd:…`` and web addresses are left alone; a ``#id`` with no register entry is found."""
    edition = _copy(tmp_path)
    letter = edition / "data" / "letters" / "L0001.xml"
    text = letter.read_text("utf-8")
    assert 'ref="gnd:118607626"' in text and 'target="https://d-nb.info/gnd/118540238"' in text
    letter.write_text(text.replace('ref="#schiller"', 'ref="#nobody"'), "utf-8")
    assert [(name, line, rule) for name, line, rule, _ in _findings(edition)] == [
        ("L0001.xml", 16, "ref-unresolved")
    ]


@pytest.mark.parametrize("fixture", INVALID, ids=[p.stem for p in INVALID])
def test_a_rule_runs_without_settings_only_when_it_is_not_a_project_rule(
    fixture: Path, tmp_path: Path
) -> None:
    """Each invalid fixture of the bundled edition, copied out of its folder (and so away from
    the settings that ask for the bundled rules): its finding remains if the rule is one of
    what TEI requires, and is gone if it is the bundled edition's."""
    match = EXPECT.search(fixture.read_bytes()[:400].decode("utf-8", errors="replace"))
    assert match
    rule = match[1]
    copy = tmp_path / fixture.name
    shutil.copy(fixture, copy)
    code, out, _ = run_cli("validate", "--registers", EDITION, copy)
    reported = f"[{rule}]" in out
    # The rng-invalid fixtures break the bundled grammar, which runs only with the bundled rules.
    if RULES[rule].rule_set in DEFAULT_RULES and rule != "rng-invalid":
        assert (code, reported) == (1, True), out
    else:
        assert not reported, out


def test_init_writes_the_settings_it_explains(tmp_path: Path, golden: Golden) -> None:
    edition = _copy(tmp_path)
    code, out, err = run_cli("init", edition)
    assert (code, err) == (0, "")
    written = (edition / "teitools.toml").read_text("utf-8")
    golden("init/foreign-publisher.toml", written)
    # What it prints is what the file says, and the file gives the rules it printed.
    reasons = [line.strip() for line in out.splitlines()[:-1]]
    assert reasons and all(f"# {reason}\n" in written for reason in reasons)
    assert out.splitlines()[-1] == f"wrote {edition / 'teitools.toml'}: rules = [tei, pointers]"
    assert settings_for([edition]).rules == ("tei", "pointers")
    assert run_cli("validate", edition).code == 0


def test_init_never_overwrites(tmp_path: Path) -> None:
    edition = _copy(tmp_path, "# mine\n")
    code, out, err = run_cli("init", edition)
    assert (code, out) == (2, "")
    assert "already holds the settings" in err and "left as it was" in err
    assert (edition / "teitools.toml").read_text("utf-8") == "# mine\n"
    (edition / "teitools.toml").unlink()
    (edition / "pyproject.toml").write_text('[tool.teitools]\ntitle = "Briefe"\n', "utf-8")
    assert run_cli("init", edition).code == 2
    assert not (edition / "teitools.toml").exists()


def test_init_reads_hostile_files_through_the_loader_and_says_so(tmp_path: Path) -> None:
    edition = _copy(tmp_path)
    hostile = FIXTURES / "hostile"
    for name in ("billion-laughs.xml", "xxe-local-file.xml", "xinclude-local.xml"):
        shutil.copy(hostile / name, edition / "data" / name)
    (edition / "data" / "gone.xml").symlink_to(tmp_path / "nowhere.xml")
    code, out, err = run_cli("init", edition)
    assert (code, err) == (0, "")
    assert "4 of 8 files cannot be read: validate says why" in out
    assert "rules = [tei, pointers]" in out


def test_init_says_which_settings_it_takes_the_place_of(tmp_path: Path) -> None:
    edition = _copy(tmp_path)
    (tmp_path / "teitools.toml").write_text(BUNDLED, "utf-8")
    code, out, _ = run_cli("init", edition / "data")
    assert code == 0
    assert f"these settings take the place of {tmp_path / 'teitools.toml'}, which applied" in out
    assert settings_for([edition / "data" / "letters"]).rules == ("tei", "pointers")


def test_init_chooses_ids_across_files_when_none_repeat(tmp_path: Path) -> None:
    edition = _copy(tmp_path)
    for letter in (edition / "data" / "letters").glob("L000[23].xml"):
        letter.unlink()
    (edition / "data" / "persons.xml").unlink()
    code, out, _ = run_cli("init", edition)
    assert code == 0
    assert "no rule set pointers: no register" in out
    assert out.splitlines()[-1].endswith("rules = [tei, ids-across-files]")


def test_a_rule_set_that_does_not_exist_is_a_settings_error(tmp_path: Path) -> None:
    edition = _copy(tmp_path, 'rules = ["tei", "project:mine"]\n')
    code, out, err = run_cli("validate", edition)
    assert (code, out) == (2, "")
    assert 'rules[1] = \'project:mine\' is not allowed; allowed values: "tei", "pointers"' in err


def test_the_bundled_edition_asks_for_its_own_rules() -> None:
    for edition in (LIVE_EDITION, EDITION):
        assert settings_for([edition]).rules == ("tei", "pointers", "project:teitools-letters")


def test_every_rule_set_is_described_accepted_and_documented() -> None:
    schema = json.loads((ROOT / "schemas" / "settings.schema.json").read_text("utf-8"))
    assert tuple(schema["properties"]["rules"]["items"]["enum"]) == RULE_SETS == tuple(DESCRIBED)
    assert {rule.rule_set for rule in RULES.values()} <= set(RULE_SETS)
    page = (ROOT / "docs" / "rules.md").read_text("utf-8")
    assert [name for name, text in DESCRIBED.items() if f"| `{name}` | {text} |" not in page] == []
