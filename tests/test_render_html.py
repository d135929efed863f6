"""HTML letter pages: golden files, valid HTML5, semantic markup, links, escaping, CLI."""

from __future__ import annotations

import re
from pathlib import Path

import html5lib
import pytest

from teitools.cite.html import cite_block
from teitools.cli import main
from teitools.export.base import ExportOptions
from teitools.render import html
from tests.conftest import Golden
from tests.helpers import (
    EDITION,
    EXPECTED,
    assert_valid_html,
    copy_edition,
    edition_from,
    fixture_edition,
    fixture_letter,
    letter_ids,
)

GOLDEN = EXPECTED / "html"
LETTERS = letter_ids()


def page_of(letter_id: str) -> str:
    return html.render_letter(fixture_letter(letter_id), fixture_edition(), ExportOptions())


@pytest.mark.parametrize("letter_id", sorted(LETTERS))
def test_letter_page_matches_its_golden_file(letter_id: str, golden: Golden) -> None:
    golden(f"html/{letter_id}.html", page_of(letter_id))


@pytest.mark.parametrize("letter_id", sorted(LETTERS))
def test_letter_page_is_valid_html5(letter_id: str) -> None:
    assert_valid_html(page_of(letter_id))


def test_every_golden_page_belongs_to_a_letter() -> None:
    assert {p.stem for p in GOLDEN.glob("*.html")} == set(LETTERS)


def test_html5lib_strict_mode_does_catch_errors() -> None:
    with pytest.raises(html5lib.html5parser.ParseError):
        assert_valid_html("<!DOCTYPE html><html><body><p>unclosed <b>bold</p></body></html>")


@pytest.mark.parametrize("letter_id", sorted(LETTERS))
def test_page_loads_nothing_from_the_network(letter_id: str) -> None:
    document = page_of(letter_id)
    # <link rel="schema.DC"> names the Dublin Core vocabulary; browsers never fetch it.
    loaded = re.sub(r'<link rel="schema\.DC"[^>]*>', "", document)
    resources = re.findall(r'<(?:link|script|img)[^>]*(?:href|src)="([^"]*)"', loaded)
    assert resources == ["../favicon.svg", "../teitools.css", "../cite.js"]
    assert '<html lang="en">' in document
    assert '<div class="reading-text" lang="en">' in document


def test_names_link_to_register_entries_with_the_canonical_name() -> None:
    document = page_of("stalin-kaganovich-1933")
    assert (
        '<a class="name person" href="../persons.html#ordzhonikidze" '
        'title="Grigory Ordzhonikidze (1886–1937)">Sergo</a>'
    ) in document
    tractor = page_of("stalin-kaganovich-1932-07")
    # A place inside an organisation's name: one link (links do not nest).
    assert (
        '<a class="name org" href="../organisations.html#stalingrad-tractor-plant" '
        'title="Stalingrad Tractor Plant">Stalingrad Tractor Plant</a>'
    ) in tractor
    assert '<a class="name place" href="../places.html#moscow" title="Moscow">Moscow</a>' in tractor


def test_dates_emphasis_quotes_supplied_and_gaps() -> None:
    letter = page_of("stalin-kaganovich-1935-08-22")
    assert '<p class="dateline"><time datetime="1935-08-22">22 August 1935</time></p>' in letter
    assert ('<span class="supplied" title="Supplied by the editors (clarification)">[grain]</span>') in letter
    assert '<dd><time datetime="1935-08-22">22 August 1935</time></dd>' in letter
    uncertain = page_of("stalin-kaganovich-1930")
    assert "<i>co-operatives</i>" in uncertain
    assert '<span class="gap" title="Words left out by the source' in uncertain
    assert (
        '<span class="uncertain">between 1930 and 7 August 1932 (uncertain; inferred by the editors)</span>'
    ) in uncertain
    assert "<q>“boldness”</q>" in page_of("stalin-molotov-1926-06-25")


def test_numbered_points_are_an_ordered_list_with_their_numbers() -> None:
    document = page_of("stalin-molotov-1926-06-25")
    values = re.findall(r'<li value="(\d+)">', document)
    assert values == ["3", "4", "5", "6", "9"]
    assert '<li class="between"><span class="gap"' in document


def test_notes_are_footnotes_with_back_links() -> None:
    document = page_of("stalin-kaganovich-1934-09-13")
    assert (
        '<sup class="noteref"><a href="#note-1" id="noteref-1" aria-label="Note 1">1</a></sup>'
    ) in document
    assert '<li id="note-1">' in document
    assert '<a class="backref" href="#noteref-1"' in document


def test_metadata_block_and_cite_block() -> None:
    document = page_of("stalin-molotov-1926-06-25")
    meta = document[document.index('<dl class="meta">') : document.index("</dl>")]
    for label in ("From", "To", "Date", "Text from", "Published in"):
        assert f"<dt>{label}</dt>" in meta
    assert 'href="../sources.html#lih-1995"' in meta
    assert (
        '<a href="../persons.html#bukharin" title="Nikolai Bukharin (1888–1938)">Nikolai Bukharin</a>'
    ) in meta
    assert document.count('id="cite"') == 1
    assert cite_block(fixture_letter("stalin-molotov-1926-06-25"), fixture_edition()) in document
    assert '<h2 id="cite-heading">Cite this letter</h2>' in document
    assert '<meta name="DC.type" content="letter">' in document


def test_unknown_references_are_plain_text_and_unsafe_urls_never_links(tmp_path: Path) -> None:
    edition, letter = edition_from(
        tmp_path,
        """<p><persName ref="#nobody">Nobody</persName>,
        <placeName ref="javascript:alert(1)">Evil</placeName>,
        <persName ref="https://example.org/p/1">Web</persName>,
        <orgName ref="data:text/html,x">Data</orgName> &lt;script&gt;alert("x")&lt;/script&gt;
        <date when="not-a-date">someday</date></p>""",
    )
    document = html.render_letter(letter, edition, ExportOptions())
    assert_valid_html(document)
    assert "<p>Nobody, Evil, " in document
    assert '<a class="name person external" href="https://example.org/p/1">Web</a>' in document
    assert "javascript:" not in document and "data:" not in document
    assert "<script>" not in document and "&lt;script&gt;" in document
    assert "someday" in document and "not-a-date" not in document


def test_export_needs_an_output_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "html", str(EDITION)]) == 2
    assert "give -o DIR" in capsys.readouterr().err


def test_export_writes_pages_and_their_stylesheet(tmp_path: Path) -> None:
    # Without base-url, as the golden pages are made: with one, each page also cites itself
    # with the day's access date.
    edition = copy_edition(tmp_path / "edition")
    settings = edition / "teitools.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace("base-url", "# base-url"), encoding="utf-8"
    )
    tmp_path = tmp_path / "out"
    assert main(["export", "html", str(edition), "-o", str(tmp_path)]) == 0
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    pages = [w for w in written if not w.startswith("letters/cite/")]
    assert pages == sorted(
        [*(f"letters/{i}.html" for i in LETTERS), "favicon.svg", "teitools.css", "cite.js"]
    )
    downloads = [w for w in written if w.startswith("letters/cite/")]
    assert sorted(Path(w).suffix for w in downloads) == sorted([".bib", ".json", ".ris"] * len(LETTERS))
    css = (tmp_path / "teitools.css").read_text(encoding="utf-8")
    assert "@media print" in css and "@media (max-width" in css and "url(" not in css
    assert (tmp_path / "letters" / "stalin-kaganovich-1933.html").read_text(encoding="utf-8") == (
        GOLDEN / "stalin-kaganovich-1933.html"
    ).read_text(encoding="utf-8")
