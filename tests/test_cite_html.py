"""The "Cite this letter" block, the meta tags and COinS, read back as a reference manager
reads a page."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest
from bibtexparser.entrypoint import parse_string
from lxml import html

from teitools.cite.html import cite_block, letter_files, meta_tags
from teitools.model.tei import read_edition
from teitools.model.types import Edition, Letter
from tests.helpers import EDITION

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
    assert block.xpath("string(p[@class='citation'])") == (
        "Joseph Stalin to Lazar Kaganovich, August 22, 1935, in The Stalin-Kaganovich "
        "Correspondence 1931-36, ed. R. W. Davies et al., Annals of Communism (Yale University "
        "Press, 2003)."
    )
    assert block.xpath("p[@class='citation']/i/text()") == ["The Stalin-Kaganovich Correspondence 1931-36"]
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


def test_cite_block_offers_each_style_without_script(edition: Edition) -> None:
    letter = next(x for x in edition.letters if x.id == "stalin-kaganovich-1935-08-22")
    (block,) = _page(letter, edition).xpath("//section[@class='cite-letter']")
    choices = {d.xpath("string(summary)"): d.xpath("string(p)") for d in block.xpath("details")}
    assert list(choices) == [
        "Chicago (18th ed.), bibliography",
        "Chicago (17th ed.), note",
        "MLA (9th ed.)",
        "APA (7th ed.)",
    ]
    assert choices["MLA (9th ed.)"].startswith("Stalin, Joseph. Letter to Lazar Kaganovich, 22 Aug. 1935.")
    assert "(New Haven: Yale University Press, 2003)" in choices["Chicago (17th ed.), note"]
    assert not block.xpath(".//script")
