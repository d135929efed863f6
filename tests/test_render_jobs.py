"""Letters rendered in worker processes (``--jobs``) give the same files as in one process.

The site and the HTML export hand chunks of letters to forked workers and write the files as
they come back; the edition here has enough letters for several chunks, so that the workers
really share the work, and every file of the two trees is compared byte for byte.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from teitools.load.workers import CHUNK, can_fork
from tests.conftest import RunCli
from tests.helpers import copy_edition

pytestmark = pytest.mark.skipif(
    not can_fork(), reason="letters are rendered in workers only where fork is safe"
)

#: Letters in the test edition: several chunks, so that both workers get some.
LETTERS = 2 * CHUNK + 3


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def big_edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture edition's letters repeated under new ids, with its registers."""
    folder = copy_edition(tmp_path_factory.mktemp("big") / "edition")
    letters = folder / "letters"
    originals = sorted(letters.glob("*.xml"))
    for number in range(LETTERS - len(originals)):
        original = originals[number % len(originals)]
        new_id = f"{original.stem}-copy{number:03d}"
        text = re.sub(r'xml:id="[^"]+"', f'xml:id="{new_id}"', original.read_text(encoding="utf-8"), count=1)
        (letters / f"{new_id}.xml").write_text(text, encoding="utf-8")
    assert len(list(letters.glob("*.xml"))) == LETTERS
    return folder


# The copies' ids break the letter-id pattern: the build publishes them with --force.
@pytest.mark.parametrize(
    "command", [("site",), ("export", "html"), ("build", "--force")], ids=["site", "export-html", "build"]
)
def test_two_workers_write_the_same_tree_as_one_process(
    run_cli: RunCli, big_edition: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    trees = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs-{jobs}"
        result = run_cli(*command, big_edition, "-o", f"{out}/", "--jobs", jobs)
        assert result.code == 0, result.err
        trees[jobs] = _tree(out)
    # build writes the site below site/.
    pages = [
        name
        for name in trees["1"]
        if name.removeprefix("site/").startswith("letters/") and name.endswith(".html")
    ]
    assert len(pages) == LETTERS
    assert trees["2"].keys() == trees["1"].keys()
    different = [name for name in trees["1"] if trees["1"][name] != trees["2"][name]]
    assert different == []


def test_text_streams_the_same_letters_to_stdout_one_file_and_a_folder(
    run_cli: RunCli, big_edition: Path, tmp_path: Path
) -> None:
    """Text streams every letter to stdout or one file as it is made: the same text either way."""
    printed = run_cli("export", "text", big_edition)
    assert printed.code == 0, printed.err
    one_file = tmp_path / "all.txt"
    assert run_cli("export", "text", big_edition, "-o", one_file).code == 0
    assert one_file.read_text(encoding="utf-8") == printed.out
    assert printed.out.count("=" * 72) == LETTERS - 1
    folder = tmp_path / "texts"
    assert run_cli("export", "text", big_edition, "-o", f"{folder}/").code == 0
    assert len(list(folder.glob("*.txt"))) == LETTERS
