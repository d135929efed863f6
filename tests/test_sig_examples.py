"""Letters from other editions: the TEI Correspondence SIG's correspDesc examples.

Each example renders as text, as HTML and in a site without error; references that resolve
nowhere are plain text. The files are read where they lie, in ../shared/reference; the tests
skip when that folder is absent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from teitools.cli import main
from teitools.export.base import ExportOptions
from teitools.model.tei import read_edition
from teitools.model.types import Edition
from teitools.render import html, text
from teitools.render.body import read_body
from teitools.site.builder import build_site
from tests.helpers import REFERENCE, assert_valid_html

EXAMPLES = REFERENCE / "correspdesc-examples"
NAMES = sorted(p.name for p in EXAMPLES.glob("*.xml")) if EXAMPLES.is_dir() else []
pytestmark = pytest.mark.skipif(
    not NAMES, reason=f"the SIG examples are absent ({EXAMPLES}: ../shared is not beside the checkout)"
)


def example(name: str) -> Edition:
    return read_edition([EXAMPLES / name])


def texts(name: str) -> list[str]:
    edition = example(name)
    return [text.render_letter(letter, edition, ExportOptions()) for letter in edition.letters]


@pytest.mark.parametrize("name", NAMES)
def test_every_example_renders_as_text_html_and_site(name: str) -> None:
    edition = example(name)
    assert edition.letters and not edition.problems
    for letter in edition.letters:
        assert text.render_letter(letter, edition, ExportOptions()).endswith("\n")
        page = html.render_letter(letter, edition, ExportOptions())
        assert_valid_html(page)
        assert "<a" in page  # at least the site navigation
    site = build_site(edition)
    for page_name, content in site.items():
        if page_name.endswith(".html"):
            assert_valid_html(content)


@pytest.mark.parametrize("name", NAMES)
def test_names_without_a_register_entry_are_plain_text(name: str) -> None:
    edition = example(name)
    for letter in edition.letters:
        page = html.render_letter(letter, edition, ExportOptions())
        for href in re.findall(r'href="([^"]*)"', page):
            page_name, _, fragment = href.removeprefix("../").partition("#")
            if page_name in ("persons.html", "places.html", "organisations.html") and fragment:
                assert fragment in {*edition.persons, *edition.places, *edition.organisations}


def test_several_senders_and_addressees() -> None:
    assert texts("example04_more-than-one-sender.xml") == [
        "Adolf Hauffen, Hans Lambel, Hans Meyer, Richard Rosenbaum, August Sauer, Hans Tschinkel,"
        " Franz Werner and Spiridion Wukadinovic to Bernhard Seuffert, 22 January 1898, Prague\n"
    ]
    assert texts("example03_more-than-one-addressee.xml") == [
        "Hans Marsilius Purrmann to Hermann Hesse and Ninon Hesse, 1951, Capo di Sorrento\n"
    ]


def test_email_with_copies() -> None:
    edition = example("example02_email.xml")
    letter = edition.letters[0]
    assert [(p.name, p.subtype) for p in letter.recipients] == [
        ("PN0002", "to"),
        ("PN0003", "to"),
        ("PN0004", "cc"),
        ("PN0005", "cc"),
    ]
    assert texts("example02_email.xml") == [
        "PN0001 to PN0002 and PN0003 (cc PN0004 and PN0005), 2 June 1999\n"
    ]
    page = html.render_letter(letter, edition, ExportOptions())
    assert "<dt>Copy to</dt><dd>PN0004, PN0005</dd>" in page


def test_a_letter_embedded_in_a_biography_is_only_its_own_div() -> None:
    edition = example("example06_embedded-letter.xml")
    letter = edition.letters[0]
    assert letter.body is not None and letter.body.get("decls") == "#letter1"
    assert texts("example06_embedded-letter.xml") == [
        "Adelbert von Chamisso to Louis de La Foye, 20 January 1805\n"
    ]


def test_an_anthology_gives_one_letter_per_correspdesc() -> None:
    assert texts("example07_anthology-of-letters.xml") == [
        "Amalia Beer to Giacomo Meyerbeer, 28 February 1815, Berlin\n\n"
        "Berlin den 28t Februar 1815\n\nMein lieber Sohn, …\n",
        "L. Schoenberger to Giacomo Meyerbeer, 4 March 1815, London\n\n"
        "London d. 4. März [1]815\n\nSchätzbarster Freund!\n\nWir sind ganz wohlbehalten …\n",
    ]
    assert [letter.id for letter in example("example07_anthology-of-letters.xml").letters] == [
        "letter1",
        "letter2",
    ]


def test_redirection_is_not_a_second_sender_or_recipient() -> None:
    edition = example("example09_redirecting.xml")
    letter = edition.letters[0]
    assert [p.name for p in letter.senders] == ["John Gneisenau Neihardt"]
    assert [p.name for p in letter.recipients] == ["Julius Temple House"]
    assert [p.name for p in letter.redirections] == ["unknown"]
    assert letter.place_received is not None and letter.place_received.name == "New York"
    page = html.render_letter(letter, edition, ExportOptions())
    assert "<dt>Redirected by</dt><dd>unknown</dd>" in page
    assert texts("example09_redirecting.xml") == [
        "John Gneisenau Neihardt to Julius Temple House, 17 December 1932, Branson (Montgomery)\n"
    ]


def test_participants_named_only_in_particdesc_and_editorial_apparatus() -> None:
    edition = example("example13_correspDesc-pointing-to-participDesc.xml")
    [output] = texts("example13_correspDesc-pointing-to-participDesc.xml")
    assert output.startswith("Bona Sforza to Ioannes Dantiscus, 29 April 1524, Cracovia\n")
    # corr over sic, add over del: "mit<sic>t</sic>i" reads "miti", "opera…t<add>urum</add>"
    assert " placida et miti [indige]bunt " in output and " Teque operaturum pro " in output
    page = html.render_letter(edition.letters[0], edition, ExportOptions())
    assert '<a class="name place" href="../places.html#CRA" title="Cracovia">Cracoviae</a>' in page
    assert read_body(edition.letters[0].body).notes == ()


def test_export_command_on_every_example(tmp_path: Path) -> None:
    files = [str(EXAMPLES / name) for name in NAMES]
    assert main(["export", "html", *files, "-o", str(tmp_path / "html")]) == 0
    assert main(["site", str(EXAMPLES), "-o", str(tmp_path / "site")]) == 0
    pages = list((tmp_path / "html" / "letters").glob("*.html"))
    assert len(pages) == sum(len(example(name).letters) for name in NAMES)
