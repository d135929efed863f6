"""The search index keeps its stated budget: at most ENTRY_BYTES per letter, however long the
letter, while a short letter's whole text stays searchable."""

from __future__ import annotations

import json
from pathlib import Path

from teitools.site.builder import build_site
from teitools.site.search import ENTRY_BYTES, INDEX_SCRIPT
from tests.helpers import edition_from, fixture_site

#: "slovo" (word) in Cyrillic, written as escapes.
WORD = "\u0441\u043b\u043e\u0432\u043e"


def _entries(script: str) -> list[dict[str, str]]:
    entries: list[dict[str, str]] = json.loads(script[script.index("=") + 1 : script.rindex(";")])
    return entries


def _size(entry: dict[str, str]) -> int:
    return len(json.dumps(entry, ensure_ascii=True, separators=(",", ":"), sort_keys=True)) + 1


def test_a_very_long_letter_is_searchable_by_its_opening_within_the_budget(tmp_path: Path) -> None:
    # Cyrillic costs six bytes a letter in the index (\\uXXXX): the budget counts bytes, not letters.
    words = [f"{WORD}{n} word{n}" for n in range(20_000)]
    edition, _ = edition_from(tmp_path, f"<p>{' '.join(words)}</p>")
    [entry] = _entries(build_site(edition)[INDEX_SCRIPT])
    assert _size(entry) <= ENTRY_BYTES
    assert ENTRY_BYTES - _size(entry) <= 33, "the text fills the budget but for one word (33 bytes)"
    assert entry["text"].startswith(f"{WORD}0 word0 {WORD}1 word1")
    kept = entry["text"].split(" ")
    assert kept == " ".join(words).split(" ")[: len(kept)], "cut after a whole word"
    assert entry["names"] == "Ann Bob"


def test_the_fixture_letters_are_whole_in_the_index_and_within_the_budget() -> None:
    entries = _entries(fixture_site()[INDEX_SCRIPT])
    assert len(entries) == 8
    # Short letters lose nothing: a cut text fills the budget to within a word, these do not.
    assert max(_size(entry) for entry in entries) < ENTRY_BYTES - 100


def test_a_long_letter_in_plain_ascii_fills_the_budget_to_a_word(tmp_path: Path) -> None:
    # Plain ASCII is measured in one go, up to the first quote; quotes cost two bytes (\").
    words = [f"word{n}" if n % 50 else f'"quoted{n}"' for n in range(5_000)]
    edition, _ = edition_from(tmp_path, f"<p>{' '.join(words)}</p>")
    [entry] = _entries(build_site(edition)[INDEX_SCRIPT])
    assert _size(entry) <= ENTRY_BYTES
    assert ENTRY_BYTES - _size(entry) <= len('"quoted4999"') + 3, "the text fills the budget but for one word"
    kept = entry["text"].split(" ")
    assert kept == words[: len(kept)], "cut after a whole word"
