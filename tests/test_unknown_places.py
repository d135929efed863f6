"""A place encoded as "unknown" is no place, in every output, as "unknown" is nobody.

The SIG's examples 05 and 06 write ``<placeName>unknown</placeName>`` for a place not known;
an output that carried it on would list "unknown" as a place of writing (correspSearch, a
JSON consumer's map, the letter page's "Received at").
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from teitools.export.base import ExportOptions
from teitools.export.registry import EXPORTERS
from teitools.load.settings import settings_for
from teitools.model.tei import read_edition
from teitools.model.types import Edition
from teitools.site.builder import build_site
from tests.helpers import REFERENCE, make_edition

SIG = REFERENCE / "correspdesc-examples"
#: SIG examples whose letter has a place they call "unknown".
UNKNOWN_PLACE = ("example05_fictional-letter.xml", "example06_embedded-letter.xml")

SENT = '<persName ref="#stalin">Stalin</persName><placeName>{sent}</placeName><date when="1932-07-02"/>'
RECEIVED = '<persName ref="#kaganovich">Kaganovich</persName><placeName>{received}</placeName>'


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One letter received at "unknown" and written at Sochi, one written at "Unknown"."""
    return make_edition(
        tmp_path_factory.mktemp("unknown") / "e",
        {
            "a": {"sent": SENT.format(sent="Sochi"), "received": RECEIVED.format(received="unknown")},
            "b": {"sent": SENT.format(sent=" Unknown "), "received": RECEIVED.format(received="Moscow")},
        },
    )


@pytest.fixture(scope="module")
def edition(folder: Path) -> Edition:
    return read_edition([folder])


def _records(edition: Edition, folder: Path) -> dict[str, dict[str, object]]:
    text = (
        EXPORTERS["json"]
        .export(edition, ExportOptions(settings=settings_for([folder])))
        .files["letters.json"]
    )
    return {record["id"]: record for record in json.loads(text)["letters"]}


def test_json_gives_no_place_for_unknown(edition: Edition, folder: Path) -> None:
    records = _records(edition, folder)
    assert records["a"]["place_received"] is None
    assert records["b"]["place_sent"] is None
    # A known place beside it is kept.
    assert records["a"]["place_sent"] == {"authority": [], "cert": None, "id": None, "name": "Sochi"}
    assert records["b"]["place_received"] == {"authority": [], "cert": None, "id": None, "name": "Moscow"}


def test_cmif_writes_no_place_name_for_unknown(edition: Edition, folder: Path) -> None:
    result = EXPORTERS["cmif"].export(edition, ExportOptions(settings=settings_for([folder])))
    (text,) = result.files.values()
    assert re.findall(r"<placeName>([^<]*)</placeName>", text) == ["Sochi", "Moscow"]


def test_html_and_site_pages_have_no_row_for_an_unknown_place(edition: Edition, folder: Path) -> None:
    exported = EXPORTERS["html"].export(edition, ExportOptions(settings=settings_for([folder]))).files
    site = build_site(edition)
    for files in (exported, site):
        a, b = files["letters/a.html"], files["letters/b.html"]
        assert "<dt>Written at</dt><dd>Sochi</dd>" in a and "Received at" not in a
        assert "<dt>Received at</dt><dd>Moscow</dd>" in b and "Written at" not in b
    assert "unknown" not in site["search-index.js"].casefold()
    assert "unknown" not in site["index.html"].casefold()


@pytest.mark.skipif(not SIG.is_dir(), reason=f"the SIG examples are absent ({SIG})")
def test_the_sig_examples_unknown_places_are_in_no_output() -> None:
    paths = [SIG / name for name in UNKNOWN_PLACE]
    assert all("<placeName>unknown</placeName>" in p.read_text(encoding="utf-8") for p in paths)
    edition = read_edition(paths)
    (text,) = EXPORTERS["json"].export(edition, ExportOptions()).files.values()
    assert isinstance(text, str) and '"name": "unknown"' not in text
    pages = {**EXPORTERS["html"].export(edition, ExportOptions()).files, **build_site(edition)}
    for file_name, page in pages.items():
        if file_name.endswith((".html", ".js")):  # not the TEI downloads, which are the files
            assert isinstance(page, str) and ">unknown<" not in page, file_name
