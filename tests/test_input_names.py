"""The files a run checks, named without a Path object each, are named as ``str()`` of the
paths ``find_xml_files`` gives: findings and reports name them the same either way."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from teitools.load.inputs import find_registers, find_xml_files, find_xml_names
from tests.helpers import EDITION


@pytest.mark.parametrize(
    "given",
    [
        (".",),
        ("letters",),
        ("letters/",),
        ("./letters",),
        ("persons.xml", "."),
        ("letters/../letters",),
        ("ABSOLUTE",),
        ("ABSOLUTE/",),
    ],
)
def test_names_are_the_paths_find_xml_files_gives(tmp_path: Path, given: tuple[str, ...]) -> None:
    folder = tmp_path / "edition"
    for name in ("persons.xml", "letters/a.xml", "letters/b.xml", "letters/nested/c.xml"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("<x/>", "utf-8")
    paths = [Path(p.replace("ABSOLUTE", str(folder))) for p in given]
    with contextlib.chdir(folder):
        files = find_xml_files(paths)
        names = find_xml_names(paths)
    assert names == [str(path) for path in files]
    assert len(names) == len(set(names))  # persons.xml, given and found, once


def test_the_fixture_edition_is_named_alike() -> None:
    assert find_xml_names([EDITION]) == [str(path) for path in find_xml_files([EDITION])]


def test_registers_are_found_alike_from_names_and_from_paths(tmp_path: Path) -> None:
    # A letter linked from another folder belongs to the edition it points into.
    edition, elsewhere = tmp_path / "edition", tmp_path / "elsewhere"
    for name in ("persons.xml", "letters/a.xml"):
        (edition / name).parent.mkdir(parents=True, exist_ok=True)
        (edition / name).write_text("<x/>", "utf-8")
    elsewhere.mkdir()
    (elsewhere / "places.xml").write_text("<x/>", "utf-8")
    (elsewhere / "linked.xml").symlink_to(edition / "letters" / "a.xml")
    (elsewhere / "own.xml").write_text("<x/>", "utf-8")
    for files in ([elsewhere / "linked.xml"], [elsewhere / "own.xml"], find_xml_files([edition, elsewhere])):
        assert find_registers([str(path) for path in files]) == find_registers(files)
    assert find_registers([str(elsewhere / "linked.xml")]) == [edition / "persons.xml"]
    with contextlib.chdir(edition / "letters"):
        assert find_registers(["a.xml"]) == [(edition / "persons.xml")]
