"""One owner for every letter address: what CMIF and JSON advertise is what the site writes,
and no two letters share a page or a citation key (render/links.py's ``letter_pages``,
cite/mapping.py's ``citation_keys``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import RunCli
from tests.helpers import make_edition

#: The bundled settings' base URL, which make_edition copies.
BASE = "https://example.org/teitools/"
STALIN = '<persName ref="#stalin">Stalin</persName>'
KAGANOVICH = '<persName ref="#kaganovich">Kaganovich</persName>'
TEI = "{http://www.tei-c.org/ns/1.0}"


@pytest.fixture
def awkward_edition(tmp_path: Path) -> Path:
    """Ids a file name cannot hold as they are, and one id that two files share."""
    letter = {"sent": STALIN + '<date when="1900-01-01"/>', "received": KAGANOVICH}
    folder = make_edition(
        tmp_path / "edition",
        {"brief-müller-1900": letter, "12 a": letter, "dup-1900": letter},
    )
    second = folder / "letters" / "more"
    second.mkdir()
    (second / "dup-1900.xml").write_text((folder / "letters" / "dup-1900.xml").read_text("utf-8"), "utf-8")
    return folder


def _written_pages(site: Path) -> set[str]:
    return {f"{BASE}letters/{page.name}" for page in (site / "letters").glob("*.html")}


def test_advertised_addresses_are_the_pages_the_site_writes(
    run_cli: RunCli, awkward_edition: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    assert run_cli("site", awkward_edition, "-o", site).code == 0
    pages = _written_pages(site)
    assert len(pages) == 4, "four letters, four pages (the shared id gets a second page)"

    done = run_cli("export", "json", awkward_edition)
    assert done.code == 0, done.err
    json_urls = [record["url"] for record in json.loads(done.out)["letters"]]
    cmif = tmp_path / "cmif.xml"
    done = run_cli("export", "cmif", awkward_edition, "-o", cmif)
    assert done.code == 0, done.err
    cmif_urls = [desc.get("ref", "") for desc in etree.parse(cmif).iter(f"{TEI}correspDesc")]

    assert sorted(json_urls) == sorted(cmif_urls) == sorted(pages)
    assert f"{BASE}letters/brief-m_ller-1900.html" in pages


def test_html_export_writes_the_same_page_names(
    run_cli: RunCli, awkward_edition: Path, tmp_path: Path
) -> None:
    site, export = tmp_path / "site", tmp_path / "html"
    assert run_cli("site", awkward_edition, "-o", site).code == 0
    assert run_cli("export", "html", awkward_edition, "-o", export).code == 0
    assert _written_pages(export) == _written_pages(site)


@pytest.mark.parametrize("fmt", ["csl-json", "biblatex", "bibtex", "ris"])
def test_two_letters_never_share_a_citation_key(run_cli: RunCli, awkward_edition: Path, fmt: str) -> None:
    done = run_cli("export", fmt, awkward_edition)
    assert done.code == 0, done.err
    if fmt == "csl-json":
        keys = [item["id"] for item in json.loads(done.out)]
    elif fmt == "ris":
        keys = re.findall(r"^ID  - (.+?)\r?$", done.out, re.M)
    else:
        keys = re.findall(r"^@\w+\{([^,]+),", done.out, re.M)
    assert len(keys) == 4
    assert len(set(keys)) == 4, keys


def test_the_sig_examples_give_every_letter_its_own_key_and_page(
    run_cli: RunCli, reference: Path, tmp_path: Path
) -> None:
    examples = reference / "correspdesc-examples"
    done = run_cli("export", "csl-json", examples)
    assert done.code in (0, 1), done.err
    keys = [item["id"] for item in json.loads(done.out)]
    assert len(keys) == len(set(keys))
    done = run_cli("export", "html", examples, "-o", tmp_path / "html")
    assert done.code in (0, 1), done.err
    assert len(list((tmp_path / "html" / "letters").glob("*.html"))) == len(keys)
