"""The "Cite this letter" block, the meta tags and COinS, read back as a reference manager
reads a page."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from bibtexparser.entrypoint import parse_string
from lxml import html

from teitools.cite.html import cite_block, letter_files, meta_tags
from teitools.cite.mapping import OnlineEdition
from teitools.model.tei import read_edition
from teitools.model.types import Edition, Letter
from tests.helpers import EDITION, make_edition

from .ris_reader import read_ris


@pytest.fixture(scope="module")
def edition() -> Edition:
    return read_edition([EDITION])


def _page(letter: Letter, edition: Edition) -> html.HtmlElement:
    return html.document_fromstring(
        f"<!DOCTYPE html><html><head><title>{letter.title}</title>{meta_tags(letter, edition)}"
        f"</head><body><main>…</main>{cite_block(letter, edition)}</body></html>"
    )


def _meta(page: html.HtmlElement) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for meta in page.xpath("//head/meta[@name]"):
        found.setdefault(str(meta.get("name")), []).append(str(meta.get("content")))
    return found


@pytest.mark.parametrize(
    "letter_id", ["stalin-kaganovich-1935-08-22", "stalin-kaganovich-1930", "stalin-molotov-1926-06-25"]
)
def test_page_carries_dublin_core_and_coins_for_a_letter(letter_id: str, edition: Edition) -> None:
    letter = next(x for x in edition.letters if x.id == letter_id)
    page = _page(letter, edition)
    meta = _meta(page)
    assert meta["DC.type"] == ["letter"]
    assert meta["DC.title"] == [letter.title]
    assert meta["DC.creator"] == ["Stalin, Joseph"]
    assert page.xpath("//head/link[@rel='schema.DC']/@href") == ["http://purl.org/dc/elements/1.1/"]
    (span,) = page.xpath("//span[@class='Z3988']")
    coins = parse_qs(span.get("title"), strict_parsing=True)
    assert coins["rft.type"] == ["letter"]
    assert coins["rft_val_fmt"] == ["info:ofi/fmt:kev:mtx:dc"]
    assert coins["rft.title"] == [letter.title]
    assert coins["rft.creator"] == ["Stalin, Joseph"]
    assert coins["rft.date"] == meta["DC.date"]


def test_dates_and_recipients_in_meta_tags(edition: Edition) -> None:
    def meta(letter_id: str) -> dict[str, list[str]]:
        letter = next(x for x in edition.letters if x.id == letter_id)
        return _meta(_page(letter, edition))

    assert meta("stalin-kaganovich-1935-08-22")["DC.date"] == ["1935-08-22"]
    assert meta("stalin-kaganovich-1932-07")["DC.date"] == ["1932-07"]
    assert meta("stalin-kaganovich-1930")["DC.date"] == ["1930/1932-08-07"]
    assert meta("stalin-kaganovich-1930")["DC.contributor"] == ["Kaganovich, Lazar (?)"]
    assert meta("stalin-molotov-1926-06-25")["DC.contributor"] == [
        "Molotov, Vyacheslav",
        "Rykov, Alexei",
        "Bukharin, Nikolai",
        "other friends",
    ]
    assert meta("stalin-molotov-1926-06-25")["DC.relation.isPartOf"] == [
        "Stalin's Letters to Molotov, 1925-1936"
    ]


def test_cite_block_shows_the_chicago_note_and_links_to_the_files(edition: Edition) -> None:
    letter = next(x for x in edition.letters if x.id == "stalin-kaganovich-1935-08-22")
    page = _page(letter, edition)
    (block,) = page.xpath("//section[@class='cite-letter']")
    assert block.xpath("string(h2)") == "Cite this letter"
    (note,) = block.xpath("div[@id='cite-chicago-note']/p[@class='citation']")
    assert note.xpath("string()") == (
        "Joseph Stalin to Lazar Kaganovich, August 22, 1935, in The Stalin-Kaganovich "
        "Correspondence 1931-36, ed. R. W. Davies et al., Annals of Communism (Yale University "
        "Press, 2003)."
    )
    assert note.xpath("i/text()") == ["The Stalin-Kaganovich Correspondence 1931-36"]
    links = {a.text: a.get("href") for a in block.xpath(".//ul/li/a")}
    files = letter_files(letter, edition)
    assert links == {
        "CSL-JSON": "cite/stalin1935-08-22kaganovich.json",
        "BibLaTeX": "cite/stalin1935-08-22kaganovich.bib",
        "RIS": "cite/stalin1935-08-22kaganovich.ris",
    }
    assert set(links.values()) == set(files)
    (item,) = json.loads(files[links["CSL-JSON"]])
    assert item["id"] == "stalin1935-08-22kaganovich"
    (entry,) = parse_string(files[links["BibLaTeX"]]).entries
    assert (entry.entry_type, entry.key) == ("incollection", "stalin1935-08-22kaganovich")
    (record,) = read_ris(files[links["RIS"]])
    assert record["ID"] == ["stalin1935-08-22kaganovich"]


def test_every_letter_has_a_block_and_tags(edition: Edition) -> None:
    for letter in edition.letters:
        page = _page(letter, edition)
        assert _meta(page)["DC.type"] == ["letter"]
        assert page.xpath("string(//p[@class='citation'])").strip()


def test_highwire_tags_describe_the_letter_in_its_volume(edition: Edition) -> None:
    letter = next(x for x in edition.letters if x.id == "stalin-kaganovich-1935-08-22")
    tags = _meta(_page(letter, edition))
    assert tags["citation_title"] == ["Joseph Stalin to Lazar Kaganovich"]
    assert tags["citation_author"] == ["Stalin, Joseph"]
    assert tags["citation_date"] == ["1935/08/22"]
    assert tags["citation_inbook_title"] == ["The Stalin-Kaganovich Correspondence 1931-36"]
    assert tags["citation_editor"][0] == "Davies, R. W."
    assert tags["citation_publisher"] == ["Yale University Press"]


def test_cite_block_lists_each_style_without_script(edition: Edition) -> None:
    letter = next(x for x in edition.letters if x.id == "stalin-kaganovich-1935-08-22")
    (block,) = _page(letter, edition).xpath("//section[@class='cite-letter']")
    styles = {d.xpath("string(h3)"): d for d in block.xpath("div[@class='cite-style']")}
    assert list(styles) == [
        "Chicago (18th ed.), note",
        "Chicago (18th ed.), bibliography",
        "Chicago (17th ed.), note",
        "MLA (9th ed.)",
        "APA (7th ed.)",
    ]
    # No address in these settings: only the printed volume is cited.
    mla = styles["MLA (9th ed.)"]
    assert mla.xpath("p[@class='cite-what']/text()") == ["In the printed volume"]
    assert mla.xpath("string(p[@class='citation'])").startswith(
        "Stalin, Joseph. Letter to Lazar Kaganovich, 22 Aug. 1935."
    )
    assert "(New Haven: Yale University Press, 2003)" in styles["Chicago (17th ed.), note"].xpath(
        "string(p[2])"
    )
    # What needs the script (the chooser, the copy buttons) is hidden until it runs.
    assert block.xpath("p[@class='cite-choice']/@hidden") == [""]
    assert block.xpath(".//button/@hidden") == [""] * 5
    assert not block.xpath(".//script")
    options = block.xpath(".//select[@id='cite-style']/option/@value")
    assert options == [d.get("data-style") for d in styles.values()]


ONLINE = OnlineEdition("Letters of the sample edition", "https://example.org/teitools/", date(2026, 12, 1))


def test_on_a_published_site_the_block_cites_the_page_before_the_volume(edition: Edition) -> None:
    letter = next(x for x in edition.letters if x.id == "stalin-kaganovich-1935-08-22")
    block = html.fragment_fromstring(str(cite_block(letter, edition, online=ONLINE)))
    (chicago,) = block.xpath("div[@id='cite-chicago-note']")
    assert chicago.xpath("p[@class='cite-what']/text()") == [
        "As read in this edition",
        "In the printed volume",
    ]
    read_here = chicago.xpath("string(p[@id='cite-chicago-note-1'])")
    assert read_here.endswith(
        "(Yale University Press, 2003), quoted in Chris Corin, “Stalin, Molotov, Kaganovich and Russia,” "
        "in Letters of the sample edition, accessed December 1, 2026, "
        "https://example.org/teitools/letters/stalin-kaganovich-1935-08-22.html."
    )
    # Each citation has its own button, labelled with what it copies, and one live region.
    buttons = block.xpath(".//button[@class='cite-copy']")
    assert len(buttons) == 10
    assert buttons[0].get("data-copy") == "cite-chicago-note-1"
    assert buttons[0].get("aria-label") == "Copy: Chicago (18th ed.), note, as read in this edition"
    assert [b.text for b in buttons] == ["Copy"] * 10
    assert all(block.xpath(f"//*[@id='{b.get('data-copy')}']") for b in buttons)
    assert block.xpath(".//*[@role='status']/@aria-live") == ["polite"]


def test_a_letter_in_no_volume_is_cited_as_the_letter(tmp_path: Path) -> None:
    folder = make_edition(tmp_path / "e", {"a": {}})
    edition = read_edition([folder])
    block = html.fragment_fromstring(str(cite_block(edition.letters[0], edition, online=ONLINE)))

    def cited(style: str) -> list[str]:
        return [str(t) for t in block.xpath(f"div[@data-style='{style}']/p[@class='cite-what']/text()")]

    assert cited("chicago-note") == ["As read in this edition", "The letter"]
    # Chicago and APA give a letter no one can consult no bibliography entry; its page they do.
    assert cited("chicago-bibliography") == cited("apa") == ["As read in this edition"]
    offline = html.fragment_fromstring(str(cite_block(edition.letters[0], edition)))
    assert [d.get("data-style") for d in offline.xpath("div")] == ["chicago-note", "chicago17-note", "mla"]


def test_zotero_and_google_scholar_tags_of_a_published_site(edition: Edition) -> None:
    def tags(letter_id: str) -> dict[str, list[str]]:
        letter = next(x for x in edition.letters if x.id == letter_id)
        page = html.document_fromstring(
            f"<!DOCTYPE html><html><head><title>t</title>{meta_tags(letter, edition, ONLINE)}</head></html>"
        )
        return _meta(page)

    molotov = tags("stalin-molotov-1926-06-25")
    assert molotov["z.recipients"] == [
        "Molotov, Vyacheslav",
        "Rykov, Alexei",
        "Bukharin, Nikolai",
        "other friends",
    ]
    assert molotov["citation_public_url"] == [
        "https://example.org/teitools/letters/stalin-molotov-1926-06-25.html"
    ]
    assert molotov["citation_online_date"] == ["2026/12/01"]
    # Without an address, no page is advertised and no build date given.
    letter = next(x for x in edition.letters if x.id == "stalin-molotov-1926-06-25")
    offline = _meta(_page(letter, edition))
    assert "citation_public_url" not in offline and "citation_online_date" not in offline
    assert offline["z.recipients"] == molotov["z.recipients"]


def test_an_undated_letter_gets_no_online_date_zotero_would_take_for_its_date(tmp_path: Path) -> None:
    folder = make_edition(tmp_path / "e", {"a": {}})
    edition = read_edition([folder])
    head = meta_tags(edition.letters[0], edition, ONLINE)
    meta = _meta(html.document_fromstring(f"<!DOCTYPE html><html><head><title>t</title>{head}</head></html>"))
    assert "citation_date" not in meta
    assert "citation_online_date" not in meta
    assert meta["citation_public_url"] == ["https://example.org/teitools/letters/a.html"]
