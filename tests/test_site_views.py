"""The site's views of a correspondence: timeline, correspondents, map, filters, About, footer.

What a historian reads off them is asserted from the built pages: the counts on the bars, the
squares of the matrix, the dots of the map, the attributes the filters test. The same views in
a real browser (clicks, reloads, dark mode, accessibility) are in test_browser.py.
"""

from __future__ import annotations

import html
import itertools
import re
from pathlib import Path

import pytest

from teitools.load.settings import settings_for
from teitools.model.tei import read_edition
from teitools.model.types import Edition
from teitools.site.builder import SiteOptions, build_site
from teitools.site.timeline import MOST_LANES, timeline
from tests.helpers import EDITION, LIVE_EDITION, REFERENCE, fixture_edition, fixture_site, make_edition


def _bars(page: str) -> dict[str, tuple[int, int]]:
    """Label -> (letters, of which uncertain) for each bar of the page's timeline."""
    return {
        label: (int(count), int(uncertain))
        for label, count, uncertain in re.findall(
            r'class="bar" data-label="([^"]+)" data-count="(\d+)" data-uncertain="(\d+)"', page
        )
    }


def test_the_index_timeline_counts_letters_per_year_and_draws_the_range_apart() -> None:
    index = fixture_site()["index.html"]
    assert _bars(index) == {
        "1926": (1, 0),
        "1932": (1, 0),
        "1933": (1, 0),
        "1934": (2, 0),
        "1935": (1, 0),
        "1936": (1, 0),
    }
    # The letter dated between 1930 and 7 August 1932 is a dashed range, not a bar.
    ranges = re.findall(r'<a href="([^"]+)" aria-label="([^"]+)" class="range" data-count="(\d+)">', index)
    assert ranges == [
        (
            "index.html?from=1930-01&amp;to=1932-08",
            "Stalin to Kaganovich (?), between 1930 and 7 August 1932",
            "1",
        )
    ]
    assert 'class="band"' not in index and 'class="more"' not in index  # one range has its lane
    assert '<a href="index.html?from=1934&amp;to=1934" aria-label="1934: 2 letters"' in index
    assert "8 letters dated from 1926 to 1936, by year; 1 of them dated only to a range" in index


def test_a_short_span_has_a_bar_per_month_and_uncertain_and_undated_letters_apart(tmp_path: Path) -> None:
    sent = '<persName ref="#stalin">Stalin</persName><date {date}/>'
    edition = read_edition(
        [
            make_edition(
                tmp_path / "e",
                {
                    "a": {"sent": sent.format(date='when="1932-07-02"')},
                    "b": {"sent": sent.format(date='when="1932-07-20"')},
                    "c": {"sent": sent.format(date='when="1932-09-01" cert="low"')},
                    "d": {"sent": sent.format(date='when="1933-01"')},
                    "e": {"sent": '<persName ref="#stalin">Stalin</persName>'},
                },
            )
        ]
    )
    found = timeline(edition.chronological())
    assert found is not None and found.monthly
    assert [(bar.label, bar.certain, bar.uncertain) for bar in found.bars] == [
        ("July 1932", 2, 0),
        ("August 1932", 0, 0),
        ("September 1932", 0, 1),
        ("October 1932", 0, 0),
        ("November 1932", 0, 0),
        ("December 1932", 0, 0),
        ("January 1933", 1, 0),
    ]
    # Dates one way on the page: the bars and the summary as the index writes them, only the
    # axis shortened.
    assert [tick.label for tick in found.ticks][:2] == ["Jul 1932", "Aug 1932"]
    assert found.bars[0].href == "index.html?from=1932-07&to=1932-07"
    assert found.undated == 1
    assert found.summary == "4 letters dated from July 1932 to January 1933, by month; 1 letter undated."


def test_no_timeline_without_a_dated_letter(tmp_path: Path) -> None:
    edition = read_edition([make_edition(tmp_path / "e", {"a": {"sent": "<persName>Ann</persName>"}})])
    assert timeline(edition.letters) is None
    assert 'class="timeline' not in build_site(edition)["index.html"]


def test_the_correspondents_matrix_counts_each_writer_and_recipient_pair() -> None:
    page = fixture_site()["correspondents.html"]
    cells = re.findall(r'<a href="([^"]+)" aria-label="([^"]+)" class="cell" data-count="(\d+)">', page)
    assert [(label, int(count)) for _, label, count in cells] == [
        ("Joseph Stalin to Lazar Kaganovich: 6 letters", 6),
        ("Joseph Stalin to Alexei Rykov: 1 letter", 1),
        ("Joseph Stalin to Nikolai Bukharin: 1 letter", 1),
        ("Joseph Stalin to other friends: 1 letter", 1),
        ("Joseph Stalin to Vyacheslav Molotov: 1 letter", 1),
        ("Lazar Kaganovich to Joseph Stalin: 1 letter", 1),
    ]
    assert cells[0][0] == "index.html?sender=stalin&amp;recipient=kaganovich"
    # "other friends" point at the register's "unknown" placeholder: named, not linked.
    assert cells[3][0] == "index.html?sender=stalin&amp;recipient=name%3Aother%20friends"
    assert '<a href="persons.html#kaganovich">Lazar Kaganovich</a>' in page
    assert "persons.html#unknown" not in page
    assert "in the 8 letters of the edition that name a writer and a recipient" in page


def test_the_map_draws_the_places_with_coordinates_over_the_land() -> None:
    page = build_site(read_edition([LIVE_EDITION]))["places.html"]
    dots = re.findall(r'class="place[^"]*" data-name="([^"]+)"><title>([^<]+)</title>', page)
    assert dots == [
        ("Gorky", "Gorky: 1 letter naming it"),
        ("Moscow", "Moscow: 1 letter naming it"),
        ("Sochi", "Sochi: in the register, not in a letter"),
        ("Stalingrad", "Stalingrad: 1 letter naming it"),
    ]
    land = re.search(r'<path class="land" d="([^"]+)"/>', page)
    assert land is not None and land[1].count("M") >= 1 and land[1].endswith("Z")  # Eurasia at least
    assert "Without coordinates, not on the map: Bashkir region, Omsk region, Ukraine." in page
    # Moscow lies north-west of Stalingrad on the map as on the globe.
    moscow, stalingrad = (_dot(page, name) for name in ("Moscow", "Stalingrad"))
    assert moscow[0] < stalingrad[0] and moscow[1] < stalingrad[1]


def _dot(page: str, name: str) -> tuple[float, float]:
    found = re.search(rf'data-name="{name}"><title>[^<]+</title><circle cx="([\d.]+)" cy="([\d.]+)"', page)
    assert found is not None, name
    return float(found[1]), float(found[2])


def test_no_map_when_no_place_has_coordinates() -> None:
    assert 'class="places-map"' not in fixture_site()["places.html"]


def test_each_letter_in_the_index_carries_what_the_filters_test() -> None:
    index = fixture_site()["index.html"]
    item = re.search(r'<li( data-[^>]+)><span class="date">July 1932</span>', index)
    assert item is not None
    assert item[1] == (
        ' data-earliest="1932-07-01" data-latest="1932-07-31" data-senders="stalin"'
        ' data-recipients="kaganovich" data-places="gorky moscow stalingrad"'
    )
    options = re.findall(r'<option value="([^"]+)">([^<]+)</option>', index)
    assert ("stalin", "Joseph Stalin") in options and ("moscow", "Moscow") in options
    assert ("unknown", "unknown") not in options and ("name%3Aother%20friends", "other friends") in options
    assert 'placeholder="1926"' in index and 'placeholder="1936"' in index


def test_the_about_page_says_what_the_edition_is_made_of() -> None:
    settings = settings_for([EDITION])
    about = build_site(fixture_edition(), SiteOptions(title=settings.title, settings=settings))["about.html"]
    text = re.sub(r"<[^>]+>", "", about)
    assert "8 letters, from 25 June 1926 to 23 August 1936." in text
    assert (
        "The text is taken from: Chris Corin, “Stalin, Molotov, Kaganovich and Russia” (8 letters)." in text
    )
    assert "Words the editors or the source supplied stand in square brackets" in text
    assert "An omission in the source is shown as […]." in text
    assert "The TEI files state: CC BY 4.0 (8 files)." in text
    assert '<a href="https://creativecommons.org/licenses/by/4.0/" rel="license">CC BY 4.0</a>' in about


def test_every_page_has_the_footer_with_licence_and_citation() -> None:
    settings = settings_for([EDITION])
    site = build_site(fixture_edition(), SiteOptions(title=settings.title, settings=settings))
    for name, content in site.items():
        if name.endswith(".html"):
            assert '<footer class="site">' in content, name
            assert "Cite the edition as: teitools developers (ed.)," in content, name
    letter = site["letters/stalin-kaganovich-1933.html"]
    assert '<a href="../about.html">About this edition</a>' in letter
    assert '<a href="stalin-kaganovich-1933.xml" download>The TEI XML of this letter</a>' in letter


def test_the_tei_download_is_the_encoders_file() -> None:
    site = fixture_site()
    assert site["letters/stalin-kaganovich-1933.xml"] == (
        EDITION / "letters" / "stalin-kaganovich-1933.xml"
    ).read_text("utf-8")


def test_a_file_in_another_encoding_is_offered_as_utf8(tmp_path: Path) -> None:
    folder = make_edition(tmp_path / "e", {"a": {"sent": "<persName>Zoë</persName>"}})
    path = folder / "letters" / "a.xml"
    path.write_bytes(
        path.read_text("utf-8").replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("latin-1")
    )
    offered = build_site(read_edition([folder]))["letters/a.xml"]
    assert offered.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<TEI')
    assert "<persName>Zoë</persName>" in offered


@pytest.mark.skipif(not (REFERENCE / "correspdesc-examples").is_dir(), reason="../shared/reference is absent")
def test_the_sig_examples_site_has_every_view() -> None:
    edition = read_edition(sorted((REFERENCE / "correspdesc-examples").glob("*.xml")))
    site = build_site(edition)
    assert {"index.html", "correspondents.html", "about.html", "places.html"} <= set(site)
    assert 'class="timeline"' in site["index.html"]
    assert 'class="cell"' in site["correspondents.html"]


def test_a_large_correspondence_charts_the_busiest_and_tables_every_pair(tmp_path: Path) -> None:
    letters = {
        f"l{number}": {
            "sent": f"<persName>Writer {number:02d}</persName><date when='1900-01-01'/>",
            "received": "<persName>Ann</persName>",
        }
        for number in range(35)
    }
    page = build_site(read_edition([make_edition(tmp_path / "e", letters)]))["correspondents.html"]
    assert page.count('class="cell"') == 30
    assert page.count("<tr><td>Writer ") == 35
    assert "The chart shows the 30 busiest writers and 1 busiest recipients" in page


def test_titles_have_typographic_apostrophes() -> None:
    settings = settings_for([EDITION])
    site = build_site(fixture_edition(), SiteOptions(title=settings.title, settings=settings))
    assert (
        "<h1>Stalin’s letters to Molotov and Kaganovich: a teitools sample edition</h1>" in site["index.html"]
    )
    assert "Stalin’s Letters to Molotov, 1925-1936" in site["sources.html"]
    # The HTML escapes a straight apostrophe: look for it as written and as escaped.
    pages = site["index.html"] + site["about.html"] + site["sources.html"]
    assert not any(f"Stalin{apostrophe}s" in pages for apostrophe in ("'", "&#39;", "&#x27;"))


_MONTH = "(?:January|February|March|April|May|June|July|August|September|October|November|December)"
#: Ways of writing a date other than the pages' "22 August 1935", "July 1932", "1933".
_OTHER_DATES = re.compile(
    rf"\b{_MONTH} \d{{1,2}}, \d{{4}}"  # August 22, 1935
    r"|\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\.? \d{4}"  # Aug 1935
    r"|\b\d{1,2} (?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\.? \d{4}"  # 22 Aug. 1935
    r"|\b\d{4}-\d{2}(?:-\d{2})?\b"  # 1935-08-22, 1935-08
)


def _shown(page: str) -> tuple[list[str], str]:
    """A page's headings (title, h1-h3) and what else a reader sees of it, in words: its text,
    tooltips and labels, without the scripts, the head, the axis's labels and the cite block,
    whose citations write dates as their style does ("August 22, 1935" in Chicago)."""
    headings = [
        html.unescape(re.sub("<[^>]+>", "", h))
        for _, h in re.findall(r"<(title|h[123])[^>]*>(.*?)</\1>", page, re.S)
    ]
    page = re.sub(
        r'<script.*?</script>|<head>.*?</head>|<section class="cite-letter".*?</section>',
        " ",
        page,
        flags=re.S,
    )
    page = re.sub(r'<text class="tick"[^>]*>[^<]*</text>', " ", page)
    said = " ".join(re.findall(r'(?:title|aria-label)="([^"]*)"', page))
    return headings, html.unescape(re.sub("<[^>]+>", " ", page) + " " + said)


def _sites() -> dict[str, dict[str, str]]:
    settings = settings_for([LIVE_EDITION])
    sites = {"bundled": build_site(read_edition([LIVE_EDITION]), SiteOptions(settings.title, settings))}
    if (REFERENCE / "correspdesc-examples").is_dir():
        sites["SIG"] = build_site(read_edition(sorted((REFERENCE / "correspdesc-examples").glob("*.xml"))))
    return sites


def test_every_page_type_sets_titles_with_curly_apostrophes_and_dates_one_way() -> None:
    for name, site in _sites().items():
        for file, page in site.items():
            if not file.endswith(".html"):
                continue
            headings, text = _shown(page)
            assert [h for h in headings if "'" in h] == [], (name, file)
            assert _OTHER_DATES.findall(text) == [], (name, file)


@pytest.mark.skipif(not (REFERENCE / "correspdesc-examples").is_dir(), reason="../shared/reference is absent")
def test_centuries_of_letters_get_a_bar_per_decade() -> None:
    edition = read_edition(sorted((REFERENCE / "correspdesc-examples").glob("*.xml")))
    found = timeline(edition.chronological())
    assert found is not None and len(found.bars) == 48  # 1520-1529 … 1990-1999
    assert [(bar.label, bar.count) for bar in found.bars if bar.count] == [
        ("1520–1529", 1),
        ("1770–1779", 1),
        ("1800–1809", 2),
        ("1810–1819", 2),
        ("1820–1829", 1),
        ("1990–1999", 1),
    ]
    assert found.bars[0].href == "index.html?from=1520&to=1529"
    assert found.summary == "8 letters dated from 1524 to 1999, by decade; 5 letters undated."


def test_without_settings_the_footer_does_not_cite_a_bare_title() -> None:
    site = fixture_site()  # built with no settings: the title "Letters" and nothing else
    assert "Cite the edition as" not in site["index.html"]
    assert "The settings name no editors, publisher or address" in site["about.html"]


#: Letters of an edition dated only to ranges, more than the timeline's lanes can hold.
SAME_RANGE = 12
SOME_RANGES = 30


def ranged_edition(folder: Path) -> Path:
    """A letter of exact date in each year 1900-1910, ``SAME_RANGE`` letters written between
    1902 and 1904, and ``SOME_RANGES`` more of overlapping ranges of one to three years."""
    sent = '<persName ref="#stalin">Stalin</persName><date {date}/>'
    letters = {
        f"exact{year}": {"sent": sent.format(date=f'when="{year}-06-01"')} for year in range(1900, 1911)
    }
    for number in range(SAME_RANGE):
        letters[f"same{number:02d}"] = {"sent": sent.format(date='notBefore="1902" notAfter="1904-12-31"')}
    for number in range(SOME_RANGES):
        start, years = 1900 + number % 8, 1 + number % 3
        dates = f'notBefore="{start}-{1 + number % 12:02d}" notAfter="{start + years}-06-30"'
        letters[f"some{number:02d}"] = {"sent": sent.format(date=dates)}
    return make_edition(folder, letters)


def ranges_per_year(edition: Edition) -> dict[int, int]:
    """For each year, the letters of :func:`ranged_edition` dated only to a range that takes it in."""
    counts: dict[int, int] = {}
    for letter in edition.letters:
        if not letter.id.startswith("exact"):
            assert letter.date is not None and letter.date.earliest and letter.date.latest
            for year in range(letter.date.earliest[0], letter.date.latest[0] + 1):
                counts[year] = counts.get(year, 0) + 1
    return counts


def test_many_ranges_share_lanes_up_to_a_cap_and_a_band_counts_them_all(tmp_path: Path) -> None:
    edition = read_edition([ranged_edition(tmp_path / "e")])
    found = timeline(edition.chronological())
    assert found is not None and not found.monthly
    ranged = [letter for letter in edition.letters if not letter.id.startswith("exact")]
    # Each range is a line or counted in "+N", once: none lost, none twice.
    assert sum(r.count for r in found.ranges) + found.more == len(ranged) == found.ranged
    assert 0 < found.more < len(ranged)
    # The twelve letters of the same days are one line that says so.
    (same,) = [r for r in found.ranges if r.count == SAME_RANGE]
    assert same.label == "12 letters dated between 1902 and 31 December 1904"
    assert same.href == "index.html?from=1902-01&to=1904-12"
    # At most MOST_LANES lanes, and lines in one lane do not touch.
    lanes: dict[float, list[tuple[float, float]]] = {}
    for line in found.ranges:
        lanes.setdefault(line.y, []).append((line.x1, line.x2))
    assert len(lanes) == MOST_LANES
    for lines in lanes.values():
        assert all(end < start for (_, end), (start, _) in itertools.pairwise(lines))
    # The band: for each year, the letters dated only to a range that takes it in.
    bars = {bar.href: int(bar.label) for bar in found.bars}
    assert {bars[cell.href]: cell.count for cell in found.band} == ranges_per_year(edition)
    # Darker for more: the shade follows the count, the busiest year's the darkest.
    by_count = sorted(found.band, key=lambda cell: cell.count)
    assert [c.opacity for c in by_count] == sorted(c.opacity for c in by_count) and by_count[-1].opacity == 1
    assert by_count[0].opacity < by_count[-1].opacity
    assert found.summary == (
        f"53 letters dated from 1900 to 1910, by year; 42 of them dated only to a range: "
        f"{42 - found.more} drawn as lines, {found.more} more only counted; the shaded band counts all "
        "42 by year."
    )
    # The figure keeps its height: the lanes, the count and the band, not a row per range.
    assert found.height < found.axis_y + 24 + (MOST_LANES + 4) * 9


def test_the_index_draws_the_lanes_the_count_and_the_band(tmp_path: Path) -> None:
    index = build_site(read_edition([ranged_edition(tmp_path / "e")]))["index.html"]
    counts = [int(c) for c in re.findall(r'class="range" data-count="(\d+)"', index)]
    more = re.search(r'<g class="more" data-count="(\d+)">', index)
    assert more is not None and sum(counts) + int(more[1]) == SAME_RANGE + SOME_RANGES
    assert f">+{more[1]} more</text>" in index
    assert 'class="range-count" x="' in index and f">{SAME_RANGE}</text>" in index
    assert index.count('class="band"') == 11  # 1900 to 1910
