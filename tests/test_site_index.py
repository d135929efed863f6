"""A large edition's index: the page lists the first INDEX_PAGE_LETTERS letters, and the
others are data for its script, so the page of 10,000 letters is no heavier than it shows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from teitools.model.tei import read_edition
from teitools.site.builder import INDEX_LETTERS_SCRIPT, INDEX_PAGE_LETTERS, build_site
from tests.helpers import copy_edition, fixture_site

# The site of 209 letters, citations included: 6 to 12 s on a busy two-core machine.
pytestmark = pytest.mark.slow

#: Enough letters for a second page.
LETTERS = INDEX_PAGE_LETTERS + 9


def repeated_edition(folder: Path, count: int) -> Path:
    """The fixture edition's letters repeated under new ids up to ``count``, with its registers."""
    copy_edition(folder)
    originals = sorted((folder / "letters").glob("*.xml"))
    for number in range(count - len(originals)):
        original = originals[number % len(originals)]
        new_id = f"{original.stem}-copy{number:04d}"
        text = re.sub(r'xml:id="[^"]+"', f'xml:id="{new_id}"', original.read_text(encoding="utf-8"), count=1)
        (folder / "letters" / f"{new_id}.xml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    edition = read_edition([repeated_edition(tmp_path_factory.mktemp("big") / "edition", LETTERS)])
    return build_site(edition, jobs=2)


def test_the_index_lists_the_first_page_and_gives_the_rest_as_data(big_site: dict[str, str]) -> None:
    index = big_site["index.html"]
    listed = re.findall(
        r'<li data-earliest="[^"]*"[^>]*><span class="date[^"]*">[^<]*</span><a href="([^"]+)"', index
    )
    assert len(listed) == INDEX_PAGE_LETTERS
    assert f"{LETTERS} letters in date order" in index
    script = big_site[INDEX_LETTERS_SCRIPT]
    rows = json.loads(script[script.index("=") + 1 : script.rindex(";")])
    assert len(rows) == LETTERS - INDEX_PAGE_LETTERS
    pages = sorted(name for name in big_site if re.fullmatch(r"letters/[^/]+\.html", name))
    assert sorted(listed + [row[2] for row in rows]) == pages, "every letter once, on the page or in the data"
    # The data script comes before the filters, which read it.
    scripts = re.findall(r'<script src="([^"]+)"></script>', index)
    assert scripts == [INDEX_LETTERS_SCRIPT, "filters.js", "search.js"]
    assert "the letters after the first 200 need JavaScript" in index


def test_a_small_edition_lists_every_letter_and_has_no_letters_script() -> None:
    index = fixture_site()["index.html"]
    assert INDEX_LETTERS_SCRIPT not in fixture_site()
    assert INDEX_LETTERS_SCRIPT not in index
    assert "the list below has every letter" in index
