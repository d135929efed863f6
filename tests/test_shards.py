"""`validate --shard K/N` and `report merge`: the shards of a CI matrix give the report of one run."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from teitools.load.inputs import find_xml_files, select_shard
from tests.helpers import copy_edition, run_cli

SHARDS = 3


def _edition_with_cross_file_findings(folder: Path) -> Path:
    """The fixture edition where every letter reuses one id (an id-duplicate in each letter but
    the first, wherever its shard is), one points at no register entry and one is misnamed."""
    edition = copy_edition(folder / "edition")
    letters = sorted((edition / "letters").glob("*.xml"))
    for letter in letters:
        text = letter.read_text("utf-8").replace("<p>", '<p xml:id="shared-id">', 1)
        letter.write_text(text, "utf-8")
    pointing = letters[-1].read_text("utf-8").replace("<p ", '<p corresp="#nobody" ', 1)
    letters[-1].write_text(pointing, "utf-8")
    letters[2].rename(letters[2].with_name("misnamed-letter.xml"))
    return edition


@pytest.mark.parametrize("output_format", ["json", "sarif", "junit"])
def test_the_merged_report_of_three_shards_is_the_report_of_one_run(
    tmp_path: Path, output_format: str
) -> None:
    _edition_with_cross_file_findings(tmp_path)
    whole = run_cli("validate", "edition", "--no-cache", "--format", output_format, "-o", "all", cwd=tmp_path)
    assert whole.code == 1
    parts = []
    for index in range(1, SHARDS + 1):
        part = tmp_path / f"shard-{index}"
        shard = f"{index}/{SHARDS}"
        run = run_cli(
            "validate",
            "edition",
            "--no-cache",
            "--shard",
            shard,
            "--format",
            output_format,
            "-o",
            part,
            cwd=tmp_path,
        )
        assert run.code in (0, 1), run.err
        parts.append(part)
    merged = run_cli("report", "merge", *parts, "--format", output_format, "-o", "merged", cwd=tmp_path)
    assert merged.code == 1  # the run fails, as the unsharded one does
    expected = (tmp_path / "all").read_text("utf-8")
    assert (tmp_path / "merged").read_text("utf-8") == expected
    for rule in ("id-duplicate", "ref-unresolved", "letter-id-filename"):
        assert rule in expected


def test_each_shard_reports_cross_file_findings_against_files_of_other_shards(tmp_path: Path) -> None:
    _edition_with_cross_file_findings(tmp_path)
    first_letter = find_xml_files([tmp_path / "edition" / "letters"])[0].relative_to(tmp_path).as_posix()
    without_first = []
    for index in range(1, SHARDS + 1):
        run = run_cli(
            "validate",
            "edition",
            "--no-cache",
            "--shard",
            f"{index}/{SHARDS}",
            "--format",
            "json",
            cwd=tmp_path,
        )
        report = json.loads(run.out)
        if first_letter not in report["files"]:
            without_first.append(sum(1 for d in report["diagnostics"] if d["rule"] == "id-duplicate"))
    # The shards that do not check the letter that uses the id first still see it.
    assert len(without_first) == SHARDS - 1
    assert all(without_first)


EXTRA_REGISTER = """<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0">
  <teiHeader><fileDesc><titleStmt><title>More people</title></titleStmt>
    <publicationStmt><p>Test.</p></publicationStmt><sourceDesc><p>Test.</p></sourceDesc></fileDesc>
  </teiHeader>
  <text><body><listPerson><person xml:id="extra-person"><persName>Extra</persName></person>
  </listPerson></body></text>
</TEI>
"""


def _first_id_by_reference(letters: list[Path]) -> None:
    """The first user of the shared id writes it with a character reference."""
    text = letters[0].read_text("utf-8").replace('xml:id="shared-id"', 'xml:id="shared&#x2d;id"', 1)
    letters[0].write_text(text, "utf-8")


def _first_in_utf16(letters: list[Path]) -> None:
    """The first user of the shared id is a file in UTF-16, where its bytes are not ASCII."""
    text = letters[0].read_text("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
    letters[0].write_bytes(text.encode("utf-16"))


def _register_of_its_own(letters: list[Path]) -> None:
    """A file that is a register by its content (not by its name) resolves a letter's pointer."""
    (letters[0].parent.parent / "more").mkdir()
    (letters[0].parent.parent / "more" / "people.xml").write_text(EXTRA_REGISTER, "utf-8")
    for letter in letters[:-1]:  # the last one's paragraph points at nobody already
        text = letter.read_text("utf-8").replace("<p ", '<p corresp="#extra-person" ', 1)
        letter.write_text(text, "utf-8")


@pytest.mark.parametrize(
    ("variant", "found", "absent"),
    [
        (_first_id_by_reference, "already used at edition/letters/kaganovich-stalin-1934-08-28.xml", None),
        (_first_in_utf16, "already used at edition/letters/kaganovich-stalin-1934-08-28.xml", None),
        (_register_of_its_own, "id-duplicate", '"#extra-person" names no entry'),
    ],
)
def test_a_shard_reads_what_can_change_its_findings_in_the_files_it_does_not_check(
    tmp_path: Path, variant: Callable[[list[Path]], None], found: str, absent: str | None
) -> None:
    """A shard parses only the other files that may matter to its own findings, found from
    their bytes: an id written otherwise than as plain ASCII, or a register that is one by
    its content, still counts, so the merged shards report what the whole run reports."""
    edition = _edition_with_cross_file_findings(tmp_path)
    variant(sorted((edition / "letters").glob("*.xml")))
    whole = run_cli("validate", "edition", "--no-cache", "--format", "json", cwd=tmp_path)
    parts = []
    for index in range(1, SHARDS + 1):
        part = tmp_path / f"shard-{index}.json"
        run = run_cli(
            "validate",
            "edition",
            "--no-cache",
            "--shard",
            f"{index}/{SHARDS}",
            "--format",
            "json",
            "-o",
            part,
            cwd=tmp_path,
        )
        assert run.code in (0, 1), run.err
        parts.append(part)
    merged = run_cli("report", "merge", *parts, "--format", "json", cwd=tmp_path)
    assert json.loads(merged.out) == json.loads(whole.out)
    assert found in whole.out
    if absent is not None:
        assert absent not in whole.out


def test_shards_are_the_same_wherever_the_repository_is_checked_out(tmp_path: Path) -> None:
    assignments = []
    for checkout in ("here", "elsewhere/deeper"):
        repository = tmp_path / checkout
        copy_edition(repository / "tei")
        (repository / ".git").mkdir()
        files = find_xml_files([repository / "tei"])
        assignments.append(
            [
                sorted(p.relative_to(repository).as_posix() for p in select_shard(files, k, 4))
                for k in range(1, 5)
            ]
        )
    assert assignments[0] == assignments[1]
    assert sorted(name for shard in assignments[0] for name in shard) == sorted(
        p.relative_to(tmp_path / "here").as_posix() for p in find_xml_files([tmp_path / "here" / "tei"])
    )


def test_shards_are_balanced_by_size(tmp_path: Path) -> None:
    sizes = [9000, 5000, 4000, 3000, 3000, 2000, 1000, 1000, 500, 100]
    files = []
    for number, size in enumerate(sizes):
        path = tmp_path / f"file-{number}.xml"
        path.write_bytes(b"x" * size)
        files.append(path)
    totals = [sum(p.stat().st_size for p in select_shard(files, k, 3)) for k in range(1, 4)]
    assert sum(totals) == sum(sizes)
    assert max(totals) - min(totals) <= max(sizes)  # greedy by size: no shard takes the big ones
    assert max(totals) <= 10000


@pytest.mark.parametrize("shard", ["0/3", "4/3", "2", "a/b", "1/0"])
def test_a_shard_outside_the_range_is_a_usage_error(shard: str) -> None:
    run = run_cli("validate", "tei", "--no-cache", "--shard", shard)
    assert run.code == 2
    assert "give K/N" in run.err


def test_merging_a_file_that_is_not_a_report_says_which(tmp_path: Path) -> None:
    (tmp_path / "notes.json").write_text('["not", "a", "report"]', "utf-8")
    (tmp_path / "notes.xml").write_text("<notes/>", "utf-8")
    for name, output_format in (("notes.json", "json"), ("notes.json", "sarif"), ("notes.xml", "junit")):
        run = run_cli("report", "merge", name, "--format", output_format, cwd=tmp_path)
        assert run.code == 2
        assert f"{name}: not a teitools {output_format} report" in run.err
