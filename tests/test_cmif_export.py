"""`teitools export cmif`: CMIF v1.1 for correspSearch, checked against the SIG's schemas."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from teitools.load.parser import TEI_NS, XML_NS
from tests.conftest import Golden, RunCli
from tests.helpers import CHRONOLOGICAL, EDITION, REFERENCE, make_edition

NS = {"tei": TEI_NS}
BASE = "https://example.org/teitools/"
#: uuid5(NAMESPACE_URL, BASE)
BIBL_ID = "ae288d1d-0c2b-5bc3-b7d3-299096326318"
UUID = re.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def elements(node: etree._Element, path: str) -> list[etree._Element]:
    """The elements an XPath (with the tei prefix) selects."""
    found = node.xpath(path, namespaces=NS)
    assert isinstance(found, list)
    return [e for e in found if isinstance(e, etree._Element)]


def strings(node: etree._Element, path: str) -> list[str]:
    """The attribute values or text nodes an XPath selects."""
    found = node.xpath(path, namespaces=NS)
    assert isinstance(found, list)
    return [str(s) for s in found]


def attributes(element: etree._Element) -> dict[str, str]:
    return {str(k): str(v) for k, v in element.attrib.items()}


def cmif_rule_failures(tree: etree._ElementTree) -> list[str]:
    """The assertions of ``cmif.sch`` that fail on ``tree``, by their ids.

    ``cmif.sch`` is XPath 2 Schematron (``queryBinding="xslt2"``), which lxml cannot run, so
    each rule is written out here; ``test_every_schematron_rule_is_checked`` keeps this list
    in step with the file.
    """
    failures = []
    root = tree.getroot()
    # pattern uuid, rule tei:bibl: matches(@xml:id, UUID) (an unanchored search, as in XPath 2).
    for bibl in root.iter(f"{{{TEI_NS}}}bibl"):
        if not UUID.search(bibl.get(f"{{{XML_NS}}}id", "")):
            failures.append("W0001")
    # pattern correspDesc, rule tei:correspDesc: sent and received actions present.
    for desc in root.iter(f"{{{TEI_NS}}}correspDesc"):
        if not elements(desc, "tei:correspAction[@type='sent']"):
            failures.append("E0001")
        if not elements(desc, "tei:correspAction[@type='received']"):
            failures.append("E0002")
    # rule tei:correspDesc/@source: substring-after(., '#') = ancestor::tei:TEI//tei:bibl/@xml:id
    bibl_ids = set(strings(root, "//tei:bibl/@xml:id"))
    for source in strings(root, "//tei:correspDesc/@source"):
        if source.partition("#")[2] not in bibl_ids:
            failures.append("E0003")
    # pattern date, rule tei:date: at least one dating attribute.
    for date in root.iter(f"{{{TEI_NS}}}date"):
        if not any(date.get(a) for a in ("when", "from", "to", "notBefore", "notAfter")):
            failures.append("E0004")
    return failures


def test_every_schematron_rule_is_checked(reference: Path) -> None:
    schematron = (reference / "cmif" / "cmif.sch").read_text(encoding="utf-8")
    assert sorted(set(re.findall(r"\[([EW]\d{4})\]", schematron))) == [
        "E0001",
        "E0002",
        "E0003",
        "E0004",
        "W0001",
    ]
    contexts = re.findall(r'<rule context="([^"]+)"', schematron)
    assert contexts == ["tei:bibl", "tei:correspDesc", "tei:correspDesc/@source", "tei:date"]


def test_the_rule_checks_can_fail() -> None:
    broken = etree.fromstring(f"""<TEI xmlns="{TEI_NS}"><teiHeader><fileDesc><sourceDesc>
        <bibl xml:id="edition"/></sourceDesc></fileDesc><profileDesc>
        <correspDesc source="#elsewhere"><correspAction type="received"><date/>
        </correspAction></correspDesc></profileDesc></teiHeader></TEI>""")
    assert cmif_rule_failures(broken.getroottree()) == ["W0001", "E0001", "E0003", "E0004"]


def test_edition_export_matches_the_expected_file(run_cli: RunCli, golden: Golden) -> None:
    result = run_cli("export", "cmif", EDITION)
    assert (result.code, result.err) == (0, "")
    golden("cmif/edition.xml", result.out)


def test_edition_export_is_valid_cmif(run_cli: RunCli, reference: Path) -> None:
    result = run_cli("export", "cmif", EDITION)
    tree = etree.ElementTree(etree.fromstring(result.out.encode("utf-8")))
    grammar = etree.RelaxNG(etree.parse(str(reference / "cmif" / "cmi-customization.rng")))
    assert grammar.validate(tree), grammar.error_log
    assert cmif_rule_failures(tree) == []


def test_jing_accepts_the_export(run_cli: RunCli, reference: Path, tmp_path: Path) -> None:
    if shutil.which("jing") is None:
        pytest.skip("jing is not installed")
    output = tmp_path / "cmif.xml"
    assert run_cli("export", "cmif", EDITION, "-o", output).code == 0
    done = subprocess.run(
        ["jing", str(reference / "cmif" / "cmi-customization.rng"), str(output)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout
    assert done.stdout == ""


def test_jing_rejects_the_official_example_for_cert_medium(reference: Path) -> None:
    if shutil.which("jing") is None:
        pytest.skip("jing is not installed")
    cmif = reference / "cmif"
    done = subprocess.run(
        ["jing", str(cmif / "cmi-customization.rng"), str(cmif / "example01_basic.xml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert 'example01_basic.xml:43:87: error: value of attribute "cert" is invalid' in done.stdout


def _export(run_cli: RunCli, *args: str | Path) -> etree._Element:
    result = run_cli("export", "cmif", *args)
    assert result.code == 0, result.err
    return etree.fromstring(result.out.encode("utf-8"))


def _desc(root: etree._Element, letter_id: str) -> etree._Element:
    found = elements(root, f"//tei:correspDesc[@ref='{BASE}letters/{letter_id}.html']")
    assert len(found) == 1
    return found[0]


def test_each_letter_points_to_its_page_and_to_the_edition_bibl(run_cli: RunCli) -> None:
    root = _export(run_cli, EDITION)
    refs = strings(root, "//tei:correspDesc/@ref")
    assert refs == [f"{BASE}letters/{letter_id}.html" for letter_id in CHRONOLOGICAL]
    assert strings(root, "//tei:correspDesc/@source") == [f"#{BIBL_ID}"] * 8
    bibl = root.find(".//tei:sourceDesc/tei:bibl", NS)
    assert bibl is not None
    assert bibl.get(f"{{{XML_NS}}}id") == BIBL_ID
    assert bibl.get("type") == "online"


def test_uncertain_date_and_probable_recipient(run_cli: RunCli) -> None:
    desc = _desc(_export(run_cli, EDITION), "stalin-kaganovich-1930")
    date = desc.find("tei:correspAction[@type='sent']/tei:date", NS)
    assert date is not None
    assert attributes(date) == {
        "notBefore": "1930",
        "notAfter": "1932-08-07",
        "cert": "low",
        "evidence": "conjecture",
    }
    recipient = desc.find("tei:correspAction[@type='received']/tei:persName", NS)
    assert recipient is not None
    assert (recipient.text, attributes(recipient)) == ("Lazar Kaganovich", {"cert": "low"})


def test_authority_uris_only(run_cli: RunCli) -> None:
    root = _export(run_cli, EDITION)
    refs = {(p.text, p.get("ref")) for p in root.iterfind(".//tei:persName", NS)}
    assert refs == {
        ("Joseph Stalin", "http://www.wikidata.org/entity/Q855"),
        ("Lazar Kaganovich", None),
        ("Vyacheslav Molotov", None),
        ("Alexei Rykov", None),
        ("Nikolai Bukharin", None),
        ("other friends", None),
    }


def test_unknown_participants_are_kept_by_name(run_cli: RunCli) -> None:
    desc = _desc(_export(run_cli, EDITION), "stalin-molotov-1926-06-25")
    names = strings(desc, "tei:correspAction[@type='received']/tei:persName/text()")
    assert names == ["Vyacheslav Molotov", "Alexei Rykov", "Nikolai Bukharin", "other friends"]


def test_bibl_uuid_never_starts_with_a_digit(run_cli: RunCli) -> None:
    # uuid5 of this address is 019d41c9-…, which is not an xml:id; uuid5 of "…#1" is used.
    result = run_cli("export", "cmif", EDITION, "--base-url", "https://letters0.example.org/")
    assert 'xml:id="c7927565-43b5-56b6-99fd-d649e2b5a63a"' in result.out
    etree.fromstring(result.out.encode("utf-8"))  # a well-formed xml:id


def test_bibl_uuid_is_stable_and_follows_the_base_url(run_cli: RunCli) -> None:
    first = run_cli("export", "cmif", EDITION).out
    assert run_cli("export", "cmif", EDITION).out == first
    other = run_cli("export", "cmif", EDITION, "--base-url", "https://letters.example.net/ed").out
    assert 'xml:id="ce25544d-0d04-51d1-8318-e96a49d18b3f"' in other
    assert 'ref="https://letters.example.net/ed/letters/stalin-kaganovich-1933.html"' in other
    assert BIBL_ID not in other


WARNED_LETTERS = {  # one element per line, so that each warning has its own line number
    "stalin-kaganovich-1931": {
        "sent": '\n<persName ref="#stalin">Joseph Stalin</persName>'
        '\n<placeName ref="#moscow">Moscow</placeName>'
        '\n<date notBefore="1931-05" cert="medium" evidence="internal">spring 1931</date>',
        "received": '\n<persName ref="#kaganovich" cert="unknown">Lazar Kaganovich</persName>'
        '\n<placeName ref="#sochi">Sochi</placeName>',
    },
    "stalin-unknown-1932": {
        "sent": '\n<persName ref="#stalin">Joseph Stalin</persName>'
        '\n<date when="1932-13">a month that never was</date>',
        "received": "",
    },
}


def test_what_cmif_cannot_express_is_a_warning_naming_the_letter(run_cli: RunCli, tmp_path: Path) -> None:
    edition = make_edition(tmp_path / "ed", WARNED_LETTERS)
    result = run_cli("export", "cmif", edition)
    assert result.code == 0
    first = edition / "letters" / "stalin-kaganovich-1931.xml"
    second = edition / "letters" / "stalin-unknown-1932.xml"
    assert result.err.splitlines() == [
        f'{first}:16:0: warning: letter stalin-kaganovich-1931: the date has cert="medium", '
        'which CMIF cannot express (only "low"); it is exported as cert="low" [cmif-cert]',
        f'{first}:16:0: warning: letter stalin-kaganovich-1931: the date\'s evidence="internal" '
        'cannot be expressed in CMIF (only "conjecture"); it is left out [cmif-evidence]',
        f"{first}:18:0: warning: letter stalin-kaganovich-1931: the received persName "
        '\'Lazar Kaganovich\' has cert="unknown", which CMIF cannot express (only "low"); '
        'it is exported as cert="low" [cmif-cert]',
        f"{second}:15:0: warning: letter stalin-unknown-1932: the date 'a month that never was' "
        "has no machine-readable value (@when, @notBefore, @notAfter); it is left out of the "
        "CMIF [cmif-date]",
    ]
    root = etree.fromstring(result.out.encode("utf-8"))
    first_desc = _desc(root, "stalin-kaganovich-1931")
    assert etree.tostring(first_desc, encoding="unicode").split("\n") == [
        f'<correspDesc xmlns="{TEI_NS}" ref="{BASE}letters/stalin-kaganovich-1931.html" source="#{BIBL_ID}">',
        '        <correspAction type="sent">',
        '          <persName ref="http://www.wikidata.org/entity/Q855">Joseph Stalin</persName>',
        '          <placeName ref="https://www.geonames.org/524901">Moscow</placeName>',
        '          <date notBefore="1931-05" cert="low"/>',
        "        </correspAction>",
        '        <correspAction type="received">',
        '          <persName cert="low">Lazar Kaganovich</persName>',
        "          <placeName>Sochi</placeName>",
        "        </correspAction>",
        "      </correspDesc>",
        "      ",
    ]
    second_desc = _desc(root, "stalin-unknown-1932")
    assert [(etree.QName(e).localname, e.text) for e in second_desc.iter() if e.text and e.text.strip()] == [
        ("persName", "Joseph Stalin"),
        ("persName", "Unknown"),
    ]
    assert cmif_rule_failures(root.getroottree()) == []
    if REFERENCE.is_dir():  # the warnings above are checked without it
        rng = REFERENCE / "cmif" / "cmi-customization.rng"
        grammar = etree.RelaxNG(etree.parse(str(rng)))
        assert grammar.validate(root), grammar.error_log


def test_missing_settings_are_named(run_cli: RunCli, tmp_path: Path) -> None:
    edition = make_edition(tmp_path / "ed", WARNED_LETTERS, settings='title = "Letters"\n')
    result = run_cli("export", "cmif", edition)
    assert result.code == 2
    assert result.out == ""
    assert result.err == (
        f"teitools: error: the CMIF export needs these settings, missing from "
        f"{edition / 'teitools.toml'}: editors, publisher, licence-url, base-url "
        "(see docs/settings.md)\n"
    )


def test_publication_date_comes_from_settings_or_source_date_epoch(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = (EDITION / "teitools.toml").read_text("utf-8").replace('date = "2026-11-26"\n', "")
    edition = make_edition(tmp_path / "ed", WARNED_LETTERS, settings=settings)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "946684800")
    assert '<date when="2000-01-01"/>' in run_cli("export", "cmif", edition).out
    assert '<date when="2026-11-26"/>' in run_cli("export", "cmif", EDITION).out


FULL_SETTINGS = """title = "Letters"
editors = ["A. Editor", {name = "B. Editor", email = "b@example.org"}]
publisher = "An Academy"
publisher-url = "https://academy.example.org/"
licence = "CC0"
licence-url = "https://creativecommons.org/publicdomain/zero/1.0/"
base-url = "https://letters.example.org"

[cmif]
bibl = "Letters, ed. A. Editor and B. Editor (2026)"
bibl-type = "hybrid"
bibl-id = "c0f5b6a6-3e42-5c1a-9d3b-6c1f4f7e2a10"
url = "https://data.example.org/letters-cmif.xml"
date = "2026-01-31"
"""


def test_every_setting_reaches_the_header(run_cli: RunCli, tmp_path: Path) -> None:
    edition = make_edition(tmp_path / "ed", {"stalin-molotov-1930": {}}, settings=FULL_SETTINGS)
    result = run_cli("export", "cmif", edition)
    assert (result.code, result.err) == (0, "")
    root = etree.fromstring(result.out.encode("utf-8"))
    header = root.find("tei:teiHeader/tei:fileDesc", NS)
    assert header is not None
    assert etree.tostring(header, encoding="unicode").split("\n") == [
        f'<fileDesc xmlns="{TEI_NS}">',
        "      <titleStmt>",
        "        <title>Letters</title>",
        "        <editor>A. Editor</editor>",
        "        <editor>B. Editor <email>b@example.org</email></editor>",
        "      </titleStmt>",
        "      <publicationStmt>",
        "        <publisher>",
        '          <ref target="https://academy.example.org/">An Academy</ref>',
        "        </publisher>",
        '        <idno type="url">https://data.example.org/letters-cmif.xml</idno>',
        '        <date when="2026-01-31"/>',
        "        <availability>",
        '          <licence target="https://creativecommons.org/publicdomain/zero/1.0/">CC0</licence>',
        "        </availability>",
        "      </publicationStmt>",
        "      <sourceDesc>",
        '        <bibl type="hybrid" xml:id="c0f5b6a6-3e42-5c1a-9d3b-6c1f4f7e2a10">Letters, ed. '
        "A. Editor and B. Editor (2026)</bibl>",
        "      </sourceDesc>",
        "    </fileDesc>",
        "    ",
    ]
    assert strings(root, "//tei:correspDesc/@ref") == [
        "https://letters.example.org/letters/stalin-molotov-1930.html"
    ]
    assert cmif_rule_failures(root.getroottree()) == []
    if REFERENCE.is_dir():
        rng = REFERENCE / "cmif" / "cmi-customization.rng"
        grammar = etree.RelaxNG(etree.parse(str(rng)))
        assert grammar.validate(root), grammar.error_log
