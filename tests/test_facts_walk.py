"""The walk that gathers a file's facts leaves out the pointers the registers resolve as
``compact_facts`` would, so that a run without a cache reports the same unresolved pointers."""

from __future__ import annotations

from pathlib import Path

import pytest

from teitools.load.parser import load
from teitools.load.settings import RULE_SETS
from teitools.validation.corpus import compact_facts, gather_facts, walk_file
from teitools.validation.rule_catalogue import RULES, rules_outside
from tests.conftest import RunCli
from tests.helpers import EDITION, make_edition

REGISTERS = ("persons.xml", "places.xml", "sources.xml")
KNOWN = frozenset(
    file_id for name in REGISTERS for file_id, _ in gather_facts(load(EDITION / name), EDITION / name).ids
)


@pytest.mark.parametrize("path", sorted((EDITION / "letters").glob("*.xml")), ids=lambda p: p.name)
def test_the_walk_keeps_the_pointers_compacting_keeps(path: Path) -> None:
    tree = load(path)
    whole, _ = walk_file(tree, path, screen=True)
    walked, _ = walk_file(tree, path, screen=True, resolved=KNOWN)
    assert walked == compact_facts(whole, KNOWN)
    assert all(pointer.target not in KNOWN for pointer in walked.pointers)


def test_a_pointer_beside_a_resolved_one_in_one_value_is_kept(tmp_path: Path) -> None:
    known = sorted(KNOWN)[0]
    body = f'<p><persName ref="#{known} #nobody-known" corresp="#{known}">X</persName></p>'
    edition = make_edition(tmp_path / "edition", {"writer-reader-1930": {"body": body}})
    letter = edition / "letters" / "writer-reader-1930.xml"
    walked, _ = walk_file(load(letter), letter, screen=True, resolved=KNOWN)
    assert [(p.target, p.position.attribute) for p in walked.pointers] == [("nobody-known", "ref")]


def test_validate_without_a_cache_names_the_unresolved_pointer(run_cli: RunCli, tmp_path: Path) -> None:
    known = sorted(KNOWN)[0]
    body = f'<p><persName ref="#{known} #nobody-known">X</persName> <orgName ref="#{known}">Y</orgName></p>'
    edition = make_edition(tmp_path / "edition", {"writer-reader-1930": {"body": body}})
    runs = [run_cli("validate", edition, *cache) for cache in (("--no-cache",), ())]
    for run in runs:
        unresolved = [line for line in run.out.splitlines() if "[ref-unresolved]" in line]
        assert len(unresolved) == 1, run.out
        assert '@ref="#nobody-known"' in unresolved[0]
    assert runs[0].out == runs[1].out


def test_an_id_a_letter_shares_with_a_checked_register_is_reported_once(
    run_cli: RunCli, tmp_path: Path
) -> None:
    person = next(
        file_id
        for file_id in sorted(KNOWN)
        if f'xml:id="{file_id}"' in (EDITION / "persons.xml").read_text("utf-8")
    )
    edition = make_edition(
        tmp_path / "edition", {"writer-reader-1930": {"body": f'<p xml:id="{person}">X</p>'}}
    )
    letter = edition / "letters" / "writer-reader-1930.xml"
    letter_line = next(
        n for n, line in enumerate(letter.read_text("utf-8").splitlines(), 1) if f'"{person}"' in line
    )
    run = run_cli("validate", edition / "letters", edition / "persons.xml", "--no-cache")
    duplicates = [line for line in run.out.splitlines() if "[id-duplicate]" in line]
    # The files in order of their names: the letter's folder comes first, so the register's
    # entry is the second use.
    assert len(duplicates) == 1, run.out
    assert duplicates[0].startswith(str(edition / "persons.xml") + ":")
    assert f"already used at {letter}:{letter_line};" in duplicates[0]


def test_every_catalogued_rule_belongs_to_a_rule_set_a_run_can_choose() -> None:
    # The runner drops no rule without reading the catalogue when every set is chosen.
    assert {rule.rule_set for rule in RULES.values()} <= set(RULE_SETS)
    assert rules_outside(RULE_SETS) == frozenset()
