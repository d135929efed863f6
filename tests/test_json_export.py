"""`teitools export json`: one record per letter, in the shape of letters.schema.json."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from teitools.export import json as json_export
from tests.conftest import Golden, RunCli
from tests.helpers import EDITION, ROOT, make_edition

SCHEMA = json.loads((ROOT / "schemas" / "letters.schema.json").read_text("utf-8"))


def _export(run_cli: RunCli, *args: str | Path) -> dict[str, Any]:
    result = run_cli("export", "json", *args)
    assert (result.code, result.err) == (0, "")
    document: dict[str, Any] = json.loads(result.out)
    return document


def _letter(document: dict[str, Any], letter_id: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [r for r in document["letters"] if r["id"] == letter_id]
    assert len(found) == 1
    return found[0]


def test_edition_export_matches_the_expected_file(run_cli: RunCli, golden: Golden) -> None:
    result = run_cli("export", "json", EDITION)
    assert (result.code, result.err) == (0, "")
    golden("json/letters.json", result.out)


def test_edition_export_is_valid_against_the_schema(run_cli: RunCli) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    document = _export(run_cli, EDITION)
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert len(document["letters"]) == 8


def test_formatting_is_deterministic(run_cli: RunCli, tmp_path: Path) -> None:
    output = tmp_path / "letters.json"
    assert run_cli("export", "json", EDITION, "-o", output).code == 0
    text = output.read_text("utf-8")
    assert text == run_cli("export", "json", EDITION).out
    document = json.loads(text)
    assert text == json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert [r["id"] for r in document["letters"]][:3] == [
        "stalin-molotov-1926-06-25",
        "stalin-kaganovich-1930",
        "stalin-kaganovich-1932-07",
    ]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda r: r.update(extra=1), id="unknown key"),
        pytest.param(lambda r: r.pop("words"), id="missing key"),
        pytest.param(lambda r: r["date"].update(earliest="1930"), id="earliest not a day"),
        pytest.param(lambda r: r["senders"][0].update(authority=["Q855"]), id="authority not a URI"),
        pytest.param(
            lambda r: r["mentions"]["persons"].append({"id": "x", "name": "X", "count": 0}), id="count zero"
        ),
    ],
)
def test_the_schema_rejects_changes_to_the_shape(run_cli: RunCli, change: Any) -> None:
    document = _export(run_cli, EDITION)
    changed = copy.deepcopy(document)
    change(_letter(changed, "stalin-kaganovich-1930"))
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(changed)) != []


def test_uncertain_letter_record(run_cli: RunCli) -> None:
    record = _letter(_export(run_cli, EDITION), "stalin-kaganovich-1930")
    assert record["date"] == {
        "text": "between 1930 and 7 August 1932",
        "display": "between 1930 and 7 August 1932 (uncertain)",
        "when": None,
        "not_before": "1930",
        "not_after": "1932-08-07",
        "cert": "low",
        "evidence": "conjecture",
        "earliest": "1930-01-01",
        "latest": "1932-08-07",
    }
    assert record["recipients"] == [
        {"id": "kaganovich", "name": "Lazar Kaganovich", "cert": "low", "authority": []}
    ]
    assert record["senders"] == [
        {
            "id": "stalin",
            "name": "Joseph Stalin",
            "cert": None,
            "authority": ["http://www.wikidata.org/entity/Q855"],
        }
    ]
    assert record["url"] == "https://example.org/teitools/letters/stalin-kaganovich-1930.html"
    assert [(s["role"], s["id"], s["cert"]) for s in record["sources"]] == [
        ("transcription", "corin-article", None),
        ("edition", "davies-2003", "low"),
    ]


def test_mentions_and_word_count(run_cli: RunCli, tmp_path: Path) -> None:
    body = (
        '<p>Tell <persName ref="#molotov">Molotov</persName> and <persName ref="#molotov">'
        'Vyacheslav</persName> that <placeName ref="#moscow">Moscow</placeName> '
        '<supplied reason="clarification">really</supplied> can\'t wait'
        '<note type="editorial">a gloss of five words</note>.</p>'
        '<p>The <orgName ref="#politburo">Politburo</orgName> '
        "<persName>decides</persName>.</p>"
    )
    edition = make_edition(
        tmp_path / "ed",
        {
            "stalin-molotov-1930": {
                "sent": '<persName ref="#stalin">Joseph Stalin</persName>',
                "received": '<persName ref="#molotov">Vyacheslav Molotov</persName>',
                "body": body,
            }
        },
    )
    record = _letter(_export(run_cli, edition), "stalin-molotov-1930")
    assert record["mentions"] == {
        "persons": [{"id": "molotov", "name": "Vyacheslav Molotov", "count": 2}],
        "places": [{"id": "moscow", "name": "Moscow", "count": 1}],
        "organisations": [{"id": "politburo", "name": "Politburo", "count": 1}],
    }
    # Tell Molotov and Vyacheslav that Moscow can't wait / The Politburo decides
    assert record["words"] == 11
    assert record["place_sent"] is None
    assert record["language"] == "en"


def test_base_url_option_overrides_the_setting(run_cli: RunCli) -> None:
    document = _export(run_cli, "--base-url", "https://letters.example.net")
    assert document["edition"]["base_url"] == "https://letters.example.net/"
    assert (
        _letter(document, "stalin-kaganovich-1933")["url"]
        == "https://letters.example.net/letters/stalin-kaganovich-1933.html"
    )


def test_without_settings_the_edition_fields_are_null(run_cli: RunCli, tmp_path: Path) -> None:
    edition = make_edition(tmp_path / "ed", {"stalin-molotov-1930": {}}, settings="")
    document = _export(run_cli, edition)
    assert document["edition"] == {
        "title": None,
        "publisher": None,
        "licence": None,
        "licence_url": None,
        "base_url": None,
    }
    assert document["letters"][0]["url"] is None
    assert document["letters"][0]["senders"] == []


def test_an_invalid_record_is_a_reported_bug(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    original = json_export.letter_record

    def broken(*args: Any) -> dict[str, Any]:
        record = original(*args)
        record["words"] = -1
        return record

    monkeypatch.setattr(json_export, "letter_record", broken)
    result = run_cli("export", "json", EDITION)
    assert result.code == 3
    assert result.out == ""
    assert result.err == (
        "teitools: error: the JSON metadata breaks letters.schema.json at "
        "letters/0/words: -1 is less than the minimum of 0 (a bug in "
        "teitools, please report it)\n"
    )


def _property_names(schema: Any) -> set[str]:
    names: set[str] = set()
    if isinstance(schema, dict):
        names.update(schema.get("properties", {}))
        for value in schema.values():
            names |= _property_names(value)
    elif isinstance(schema, list):
        for value in schema:
            names |= _property_names(value)
    return names


def test_every_field_is_documented() -> None:
    docs = (ROOT / "docs" / "metadata.md").read_text("utf-8")
    missing = sorted(n for n in _property_names(SCHEMA) if f"| `{n}` |" not in docs)
    assert missing == []
