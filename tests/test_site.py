"""The static site: pages, order, registers, search index, links that resolve, determinism."""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from teitools.cli import main
from tests.helpers import CHRONOLOGICAL, EDITION, assert_valid_html, copy_edition, fixture_site


def test_the_site_has_an_index_a_page_per_letter_registers_and_search() -> None:
    pages = [name for name in fixture_site() if not name.startswith("letters/cite/")]
    assert sorted(pages) == sorted(
        [
            "index.html",
            "correspondents.html",
            "about.html",
            "persons.html",
            "organisations.html",
            "places.html",
            "sources.html",
            "search-index.js",
            "search.js",
            "filters.js",
            "teitools.css",
            "favicon.svg",
            "cite.js",
            *(f"letters/{i}.html" for i in CHRONOLOGICAL),
            # Each letter's TEI file, offered for download from its page.
            *(f"letters/{i}.xml" for i in CHRONOLOGICAL),
        ]
    )
    # Each letter's cite block links to its CSL-JSON, BibLaTeX and RIS files.
    downloads = [name for name in fixture_site() if name.startswith("letters/cite/")]
    assert sorted(n.rsplit(".", 1)[1] for n in downloads) == sorted(["bib", "json", "ris"] * 8)


def _pages() -> list[str]:
    return sorted(name for name in fixture_site() if name.endswith(".html"))


def test_every_page_is_valid_html5() -> None:
    for name in _pages():
        try:
            assert_valid_html(fixture_site()[name])
        except AssertionError as error:
            raise AssertionError(f"{name} is not valid HTML5") from error


def test_every_link_resolves_inside_the_site() -> None:
    for name in _pages():
        for href in re.findall(r'(?:href|src)="([^"]*)"', fixture_site()[name]):
            if href.startswith(("https://", "http://")):
                continue
            target, _, fragment = href.partition("#")
            target = target.partition("?")[0]  # a query is a filtered view of the page (filters.js)
            path = posixpath.normpath(posixpath.join(posixpath.dirname(name), target)) if target else name
            page = fixture_site().get(path)
            assert page is not None, f"{name}: {href}"
            if fragment:
                assert f'id="{unquote(fragment)}"' in page, f"{name}: {href}"


def test_index_lists_letters_in_chronological_order_with_uncertain_dates_marked() -> None:
    index = fixture_site()["index.html"]
    assert (
        re.findall(r'<a href="letters/([^"]+)\.html">[^<]*</a><span class="incipit">', index) == CHRONOLOGICAL
    )
    assert (
        '<span class="date uncertain">between 1930 and 7 August 1932 (uncertain)</span>'
        '<a href="letters/stalin-kaganovich-1930.html">Joseph Stalin to Lazar Kaganovich (?)</a>'
        '<span class="incipit">[…] belonging to co-operatives and collective farms. '
        "The thefts are organised by …</span>"
    ) in index
    assert (
        '<span class="date">22 August 1935</span><a '
        'href="letters/stalin-kaganovich-1935-08-22.html">Joseph Stalin to Lazar Kaganovich'
        "</a>"
    ) in index


def test_letter_pages_link_to_the_previous_and_next_letters() -> None:
    for number, letter_id in enumerate(CHRONOLOGICAL):
        links = dict(
            re.findall(r'rel="(prev|next)" href="([^"]+)\.html"', fixture_site()[f"letters/{letter_id}.html"])
        )
        assert links.get("prev") == (CHRONOLOGICAL[number - 1] if number else None)
        after = CHRONOLOGICAL[number + 1] if number + 1 < len(CHRONOLOGICAL) else None
        assert links.get("next") == after


def _entry(page: str, ref: str) -> str:
    start = page.index(f'id="{ref}"')
    return page[start : page.index("</section>", start)]


def test_person_register_lists_letters_sent_received_and_mentioned() -> None:
    stalin = _entry(fixture_site()["persons.html"], "stalin")
    assert "<h2>Stalin, Joseph</h2>" in stalin and "<p>1878–1953</p>" in stalin
    # His letters in date order, each with its direction: 7 sent, 1 received.
    listed = re.findall(
        r'<li><span class="direction">(to|from)</span> <a href="letters/([^"]+)\.html">', stalin
    )
    assert [page for _, page in listed] == CHRONOLOGICAL
    assert [direction for direction, _ in listed].count("to") == 7
    assert (
        '<span class="direction">from</span> <a href="letters/kaganovich-stalin-1934-08-28.html">'
        "Lazar Kaganovich, 28 August 1934</a>"
    ) in stalin
    # and a small timeline of them, its bars leading to the index filtered to him and a year
    assert 'href="index.html?person=stalin&amp;from=1934&amp;to=1934"' in stalin
    kleiner = _entry(fixture_site()["persons.html"], "kleiner")
    assert (
        '<h3>Mentioned in</h3>\n<ul><li><a href="letters/stalin-kaganovich-1935-08-22.html">'
        "Joseph Stalin to Lazar Kaganovich, 22 August 1935</a></li></ul>"
    ) in kleiner
    zinoviev = _entry(fixture_site()["persons.html"], "zinoviev")
    assert zinoviev.count("stalin-molotov-1926-06-25.html") == 1  # once, though named six times


def test_place_organisation_and_source_registers() -> None:
    omsk = _entry(fixture_site()["places.html"], "omsk-region")
    assert "Mentioned in" in omsk and "stalin-kaganovich-1935-08-22.html" in omsk
    committee = _entry(fixture_site()["organisations.html"], "central-committee")
    assert "stalin-kaganovich-1932-07.html" in committee
    assert "stalin-kaganovich-1934-09-13.html" in committee
    corin = _entry(fixture_site()["sources.html"], "corin-article")
    assert corin.count('<li><a href="') == len(CHRONOLOGICAL)


def test_search_index_holds_text_and_names_of_every_letter() -> None:
    script = fixture_site()["search-index.js"]
    prefix = "window.TEITOOLS_SEARCH_INDEX = "
    data = json.loads(script[script.index(prefix) + len(prefix) :].rstrip().rstrip(";"))
    assert [entry["href"] for entry in data] == [f"letters/{i}.html" for i in CHRONOLOGICAL]
    kleiner = [entry for entry in data if "Kleiner" in entry["text"]]
    assert [entry["href"] for entry in kleiner] == ["letters/stalin-kaganovich-1935-08-22.html"]
    assert "Vyacheslav Molotov" in data[0]["names"]
    assert "Zinoviev is the Chairman" in data[0]["text"]  # notes are searchable
    index = fixture_site()["index.html"]
    # The index loads the search code; the code loads the index's data on first use.
    assert '<script src="filters.js"></script>\n<script src="search.js"></script>' in index
    assert "search-index.js" not in index


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    assert main(["site", str(EDITION), "-o", str(tmp_path / "a")]) == 0
    assert main(["site", str(EDITION), "-o", str(tmp_path / "b")]) == 0
    first = {
        p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file()
    }
    second = {
        p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file()
    }
    assert first == second
    assert len(first) == len(fixture_site())


def test_site_command_reports_what_it_wrote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["site", "-o", str(tmp_path), str(EDITION)]) == 0
    assert capsys.readouterr().err == f"wrote {len(fixture_site())} files (8 letters) to {tmp_path}\n"


def test_site_needs_an_output_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["site", str(EDITION)]) == 2
    assert "Missing option '--output'" in capsys.readouterr().err


def test_a_broken_letter_is_reported_and_the_site_still_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = copy_edition(tmp_path / "tei")
    (copy / "letters" / "broken.xml").write_text("<TEI>\n<oops></TEI>\n", encoding="utf-8")
    assert main(["site", str(copy), "-o", str(tmp_path / "site")]) == 1
    err = capsys.readouterr().err
    assert re.search(r"broken\.xml:2:\d+: error: ", err) and "Traceback" not in err
    assert len(list((tmp_path / "site" / "letters").glob("*.html"))) == len(CHRONOLOGICAL)
