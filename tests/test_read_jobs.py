"""The edition read in worker processes (``--jobs``) is the one read in one process.

``teitools site`` and ``teitools export`` read and parse the letters' files in forked
workers, which send back each file's letters and register entries; the process that asked
adds them in the files' order. The edition here has what that order decides: enough letters
for several chunks, a file that cannot be parsed, letters that carry their own register
entries for a person the central register has too, the same file under two names, and two
CMIF files whose names must get ids unique across both (those are read by the asking
process, in turn).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from teitools.load.workers import CHUNK, can_fork
from teitools.model import tei
from teitools.model.tei import read_edition
from tests.conftest import RunCli
from tests.helpers import copy_edition, run_cli

pytestmark = pytest.mark.skipif(not can_fork(), reason="files are read in workers only where fork is safe")

#: A local entry for a person of the central register: it fills what the central one leaves
#: empty, in the order the files are read.
LOCAL_ENTRY = """<standOff><listPerson><person xml:id="{person}"><persName>Local {number}</persName>
<note>Local note {number}</note></person></listPerson></standOff>
</TEI>"""


@pytest.fixture(scope="module")
def edition_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = copy_edition(tmp_path_factory.mktemp("read-jobs") / "edition")
    letters = folder / "letters"
    originals = sorted(letters.glob("*.xml"))
    for number in range(3 * CHUNK):
        original = originals[number % len(originals)]
        new_id = f"{original.stem}-copy{number:03d}"
        text = re.sub(r'xml:id="[^"]+"', f'xml:id="{new_id}"', original.read_text("utf-8"), count=1)
        if number % 5 == 0:
            local = LOCAL_ENTRY.format(person=_central_person(folder), number=number)
            text = text.replace("</TEI>", local)
        (letters / f"{new_id}.xml").write_text(text, encoding="utf-8")
    (letters / "m-broken.xml").write_text("<TEI><unclosed></TEI>", encoding="utf-8")
    (letters / "z-same-file.xml").symlink_to(originals[0])
    for name in ("c-first-cmif.xml", "y-second-cmif.xml"):
        exported = run_cli("export", "cmif", originals[1], "-o", folder / name)
        assert exported.code == 0, exported.err
    return folder


def _central_person(folder: Path) -> str:
    found = re.search(r'<person xml:id="([^"]+)"', (folder / "persons.xml").read_text("utf-8"))
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize("keep_texts", [False, True], ids=["texts-in-files", "texts-kept"])
def test_two_workers_read_the_edition_one_process_reads(
    edition_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep_texts: bool
) -> None:
    alone = read_edition([edition_folder], keep_texts=keep_texts, jobs=1)
    # Where each file was read: the workers inherit the wrapper when they are forked.
    readers = tmp_path / "readers"
    file_reading = tei.file_reading

    def noted(*args: object, **kwargs: object) -> object:
        with readers.open("a", encoding="utf-8") as stream:
            stream.write(f"{os.getpid()}\n")
        return file_reading(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tei, "file_reading", noted)
    shared = read_edition([edition_folder], keep_texts=keep_texts, jobs=2)
    readings = readers.read_text("utf-8").split()
    # Two workers read every file; this process reads the two CMIF files again.
    assert len(set(readings) - {str(os.getpid())}) == 2
    assert readings.count(str(os.getpid())) == 2

    assert shared == alone
    # What the order decides is there to be decided.
    assert len(alone.letters) > 3 * CHUNK
    assert [Path(p.file).name for p in alone.problems] == ["m-broken.xml"]
    # The second name of a file is the file already read: none of its letters twice.
    assert not [letter for letter in alone.letters if letter.file.name == "z-same-file.xml"]
    assert sum(letter.file.name.endswith("-cmif.xml") for letter in alone.letters) == 2
    local_names = [
        v for v in alone.persons[_central_person(edition_folder)].variants if v.startswith("Local")
    ]
    in_file_order = [
        found.group(0)
        for path in sorted((edition_folder / "letters").glob("*-copy*.xml"))
        if (found := re.search(r"Local \d+", path.read_text("utf-8")))
    ]
    assert local_names == in_file_order and len(in_file_order) == len(range(0, 3 * CHUNK, 5))


def test_the_site_reads_in_workers_and_writes_what_one_process_writes(
    run_cli: RunCli, edition_folder: Path, tmp_path: Path
) -> None:
    trees = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs-{jobs}"
        result = run_cli("site", edition_folder, "-o", out, "--jobs", jobs)
        assert result.code == 1, result.err  # the broken file is reported and left out
        assert "m-broken.xml" in result.err
        trees[jobs] = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert trees["2"] == trees["1"]
