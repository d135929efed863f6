"""Reading editions that encode letters their own way (issue 13, part 2).

``tests/fixtures/foreign-roles/`` is a TEI Publisher-style edition: registers in
``data/indices/`` (persons in a ``text``, places in a ``standOff``), roles marked with
``persName/@type`` inside one ``correspAction``, a ``correspAction type="cc"``, ``@key``
pointers, ``rs`` mentions, series and analytic titles, an ``msDesc``, and a letter whose own
``back/listPerson`` has a short entry for a person the central register knows better.
``tests/fixtures/shared-ids/`` holds two files whose letters share one ``xml:id``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from teitools.load.inputs import find_registers
from teitools.load.parser import TEI_NS, XML_NS
from teitools.model.tei import read_edition
from teitools.validation.changes import select_changed
from tests.conftest import RunCli
from tests.helpers import FIXTURES
from tests.test_cmif_export import cmif_rule_failures

ROLES = FIXTURES / "foreign-roles"
INDICES = ROLES / "data" / "indices"
SHARED = FIXTURES / "shared-ids"
GOETHE_GND = "https://d-nb.info/gnd/118540238"
_T = f"{{{TEI_NS}}}"


def _json(run_cli: RunCli, *args: str | Path) -> dict[str, Any]:
    result = run_cli("export", "json", *args)
    assert (result.code, result.err) == (0, "")
    document: dict[str, Any] = json.loads(result.out)
    return document


def _record(document: dict[str, Any], letter_id: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [r for r in document["letters"] if r["id"] == letter_id]
    assert len(found) == 1
    return found[0]


def _names(people: list[dict[str, Any]]) -> list[tuple[str | None, str]]:
    return [(p["id"], p["name"]) for p in people]


def test_roles_marked_on_names_inside_one_action(run_cli: RunCli) -> None:
    document = _json(run_cli, ROLES)
    first, second = _record(document, "brief-001"), _record(document, "brief-002")
    assert _names(first["senders"]) == [("goethe", "Goethe")]
    assert _names(first["recipients"]) == [("schiller", "Schiller")]
    assert _names(second["senders"]) == [("schiller", "Schiller")]
    assert _names(second["recipients"]) == [("goethe", "Goethe")]  # type="recipient"


def test_a_cc_action_gives_a_labelled_copy_recipient_not_an_addressee(run_cli: RunCli) -> None:
    record = _record(_json(run_cli, ROLES), "brief-001")
    assert record["copy_recipients"] == [
        {"id": "meyer", "name": "Heinrich Meyer", "cert": None, "authority": [], "kind": "cc"}
    ]
    assert "meyer" not in [p["id"] for p in record["recipients"]]


def test_registers_in_an_indices_folder_and_a_standoff_resolve(run_cli: RunCli) -> None:
    assert [
        p.relative_to(ROLES).as_posix() for p in find_registers([ROLES / "data/letters/brief-001.xml"])
    ] == [
        "data/indices/orgs.xml",
        "data/indices/persons.xml",
        "data/indices/places.xml",
    ]
    record = _record(_json(run_cli, ROLES / "data" / "letters"), "brief-001")
    assert record["senders"][0]["authority"] == [GOETHE_GND]
    assert record["recipients"][0]["authority"] == ["https://d-nb.info/gnd/118607626"]  # via @key
    assert record["place_sent"] == {
        "id": "weimar",
        "name": "Weimar",
        "cert": None,
        "authority": ["https://www.geonames.org/2812482"],
    }


def test_a_local_entry_fills_gaps_and_never_erases_the_central_one() -> None:
    # Read in both orders: the letters before the registers, and (the folder) after them.
    for paths in ([ROLES / "data" / "letters"], [ROLES]):
        goethe = read_edition(paths).persons["goethe"]
        assert goethe.authority == (GOETHE_GND,)  # the central entry's GND is kept
        assert goethe.name.display() == "Johann Wolfgang Goethe"  # the central name first
        assert goethe.variants == ("J. W. von Goethe",)  # the local name is kept as a variant
        assert goethe.birth is not None and goethe.birth.iso() == "1749-08-28"
        assert goethe.death is not None and goethe.death.iso() == "1832-03-22"  # only the local entry says


def test_local_authority_reaches_the_cmif(run_cli: RunCli) -> None:
    result = run_cli("export", "cmif", ROLES)
    assert result.code == 0, result.err
    root = etree.fromstring(result.out.encode("utf-8"))
    refs = [p.get("ref") for p in root.iter(f"{_T}persName")]
    # Goethe (sent, received), Schiller twice, Meyer (no authority).
    assert refs == [
        GOETHE_GND,
        "https://d-nb.info/gnd/118607626",
        None,
        "https://d-nb.info/gnd/118607626",
        GOETHE_GND,
    ]


def test_rs_and_key_count_as_mentions(run_cli: RunCli) -> None:
    document = _json(run_cli, ROLES)
    first, second = _record(document, "brief-001")["mentions"], _record(document, "brief-002")["mentions"]
    # rs without @type: the registers say Meyer is a person; persons.xml#schiller is Schiller.
    assert first["persons"] == [
        {"id": "meyer", "name": "Heinrich Meyer", "count": 1},
        {"id": "schiller", "name": "Friedrich Schiller", "count": 1},
    ]
    assert first["places"] == [{"id": "jena", "name": "Jena", "count": 1}]  # rs type="place" key=
    # rs key= without @type, in the organisations' standOff register.
    assert first["organisations"] == [{"id": "hoftheater", "name": "Weimarer Hoftheater", "count": 1}]
    assert second["places"] == [{"id": "weimar", "name": "Weimar", "count": 1}]  # placeName key=
    # Kotzebue is only in the letter's own back/listPerson.
    assert second["persons"] == [{"id": "kotzebue", "name": "August von Kotzebue", "count": 1}]


def test_the_site_lists_rs_mentions_in_the_register(run_cli: RunCli, tmp_path: Path) -> None:
    assert run_cli("site", ROLES, "-o", tmp_path).code == 0
    persons = (tmp_path / "persons.html").read_text("utf-8")
    meyer = persons.split('id="meyer"', 1)[1].split("</section>", 1)[0]
    assert '<li><span class="direction">from</span> <a href="letters/brief-001.html">' in meyer  # a copy
    assert '<h3>Mentioned in</h3>\n<ul><li><a href="letters/brief-001.html">' in meyer


@pytest.mark.parametrize("edition", [ROLES, SHARED], ids=["foreign-roles", "shared-ids"])
def test_the_cmif_of_these_editions_is_valid(run_cli: RunCli, reference: Path, edition: Path) -> None:
    tree = etree.ElementTree(etree.fromstring(run_cli("export", "cmif", edition).out.encode("utf-8")))
    grammar = etree.RelaxNG(etree.parse(str(reference / "cmif" / "cmi-customization.rng")))
    assert grammar.validate(tree), grammar.error_log
    assert cmif_rule_failures(tree) == []
    # Read back, the copy recipient is still a copy.
    copies = [a for a in tree.iter(f"{_T}correspAction") if a.get("subtype") == "cc"]
    assert [(a.get("type"), len(a)) for a in copies] == ([("received", 1)] if edition == ROLES else [])


def test_the_letter_title_is_the_analytic_or_main_title_not_the_series(run_cli: RunCli) -> None:
    document = _json(run_cli, ROLES)
    assert _record(document, "brief-001")["title"] == "Goethe an Schiller, 6. Januar 1798"
    assert _record(document, "brief-002")["title"] == "Schiller an Goethe, 8. Januar 1798"


def test_the_manuscript_is_in_json_cmif_and_the_letter_page(run_cli: RunCli, tmp_path: Path) -> None:
    citation = "Weimar, Goethe- und Schiller-Archiv, GSA 28/1046"
    document = _json(run_cli, ROLES)
    assert _record(document, "brief-001")["manuscript"] == {
        "settlement": "Weimar",
        "repository": "Goethe- und Schiller-Archiv",
        "collection": None,
        "idno": "GSA 28/1046",
        "citation": citation,
    }
    assert _record(document, "brief-002")["manuscript"] is None

    cmif = etree.fromstring(run_cli("export", "cmif", ROLES).out.encode("utf-8"))
    bibls = {b.get(f"{{{XML_NS}}}id"): b.text for b in cmif.iter(f"{_T}bibl")}
    sources = [d.get("source") for d in cmif.iter(f"{_T}correspDesc")]
    # uuid5 of the base URL (the edition) and of the letter's page (its manuscript).
    assert sources == ["#bd7c48c8-9313-5839-96d4-824f42c05d21", "#af077ef1-2daa-5450-8d73-47d2fedd0dc1"]
    assert bibls == {
        "af077ef1-2daa-5450-8d73-47d2fedd0dc1": "Foreign roles: a fixture edition, https://example.org/roles/",
        "bd7c48c8-9313-5839-96d4-824f42c05d21": (
            f"Foreign roles: a fixture edition, https://example.org/roles/; manuscript: {citation}"
        ),
    }

    assert run_cli("export", "html", ROLES, "-o", tmp_path).code == 0
    page = (tmp_path / "letters" / "brief-001.html").read_text("utf-8")
    # The letter is in German, and so are the page's labels.
    assert f"<dt>Handschrift</dt><dd>{citation}</dd>" in page
    assert "<dt>Kopie an</dt>" in page


def test_files_sharing_an_id_get_distinct_keys_pages_and_addresses(run_cli: RunCli, tmp_path: Path) -> None:
    records = _json(run_cli, SHARED)["letters"]
    assert [(r["id"], r["key"], r["url"], r["manuscript"]["idno"]) for r in records] == [
        ("brief", "brief", "https://example.org/shared/letters/brief.html", "GSA 28/1798"),
        ("brief", "brief-2", "https://example.org/shared/letters/brief-2.html", "GSA 28/1799"),
    ]
    cmif = etree.fromstring(run_cli("export", "cmif", SHARED).out.encode("utf-8"))
    assert [d.get("ref") for d in cmif.iter(f"{_T}correspDesc")] == [r["url"] for r in records]
    assert len({d.get("source") for d in cmif.iter(f"{_T}correspDesc")}) == 2
    for command, folder in (("site", tmp_path / "site"), ("html", tmp_path / "html")):
        args = (
            ("site", SHARED, "-o", folder) if command == "site" else ("export", "html", SHARED, "-o", folder)
        )
        assert run_cli(*args).code == 0
        assert "GSA 28/1798" in (folder / "letters" / "brief.html").read_text("utf-8")
        assert "GSA 28/1799" in (folder / "letters" / "brief-2.html").read_text("utf-8")


def test_registers_option_on_every_command_that_reads_letters(run_cli: RunCli, tmp_path: Path) -> None:
    letter = tmp_path / "brief-002.xml"
    shutil.copy(ROLES / "data" / "letters" / "brief-002.xml", letter)
    shutil.copy(ROLES / "teitools.toml", tmp_path)  # the settings the build's CMIF needs
    # Alone, the letter knows Goethe only from its own short entry.
    assert run_cli("cite", letter, "--note").out == "Schiller to J. W. von Goethe, January 8, 1798.\n"
    cited = run_cli("cite", letter, "--note", "--registers", INDICES)
    assert cited.out == "Friedrich Schiller to Johann Wolfgang Goethe, January 8, 1798.\n"

    record = _record(_json(run_cli, letter, "--registers", INDICES), "brief-002")
    assert record["recipients"][0]["authority"] == [GOETHE_GND]
    assert _record(_json(run_cli, letter), "brief-002")["recipients"][0]["authority"] == []

    assert run_cli("site", letter, "-o", tmp_path / "site", "--registers", INDICES / "persons.xml").code == 0
    assert "Goethe, Johann Wolfgang" in (tmp_path / "site" / "persons.html").read_text("utf-8")

    validated = run_cli("validate", letter, "--no-cache", "--registers", INDICES)
    assert "ref-unresolved" not in validated.out
    built = run_cli("build", letter, "-o", tmp_path / "build", "--force", "--registers", INDICES)
    assert built.code == 0, built.err
    exported = json.loads((tmp_path / "build" / "json" / "letters.json").read_text("utf-8"))
    assert _record(exported, "brief-002")["recipients"][0]["authority"] == [GOETHE_GND]


def test_a_changed_register_in_an_indices_folder_rechecks_its_edition() -> None:
    selected = select_changed([ROLES], [INDICES / "orgs.xml"])
    assert [p.relative_to(ROLES).as_posix() for p in selected] == [
        "data/indices/orgs.xml",
        "data/indices/persons.xml",
        "data/indices/places.xml",
        "data/letters/brief-001.xml",
        "data/letters/brief-002.xml",
    ]


def test_a_standoff_register_is_read_once_by_validation(run_cli: RunCli, tmp_path: Path) -> None:
    edition = tmp_path / "roles"
    shutil.copytree(ROLES, edition)
    # ids unique across files, which this edition's settings ask for:
    (edition / "teitools.toml").write_text('rules = ["tei", "pointers", "ids-across-files"]\n', "utf-8")
    # Given as ".", the inputs are relative paths and the registers found for them are not.
    result = run_cli("validate", ".", "--no-cache", cwd=edition)
    duplicates = [line for line in result.out.splitlines() if "[id-duplicate]" in line]
    # Only the letter's own entry repeats a central id; places.xml (a standOff) is not
    # compared with itself.
    assert [line.split(":", 1)[0] for line in duplicates] == ["data/letters/brief-002.xml"]


def test_names_pointing_by_key_link_to_their_register_entry(run_cli: RunCli, tmp_path: Path) -> None:
    assert run_cli("export", "html", ROLES, "-o", tmp_path).code == 0
    page = (tmp_path / "letters" / "brief-002.html").read_text("utf-8")
    assert '<a class="name place" href="../places.html#weimar" title="Weimar">Weimar</a>' in page  # key=
