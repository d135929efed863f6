"""Every report format handles any file name the operating system allows.

A POSIX file name is any bytes but ``/`` and NUL: control characters, a newline, bytes that are
not UTF-8, quotes, ``<&>``, text that looks like a GitHub workflow command. For each such name,
``validate`` in every format must give output its consumer accepts (XML well-formed, JSON valid
against ``schemas/report.schema.json``, SARIF valid against the SARIF 2.1.0 schema, one GitHub
workflow command per finding, one text line per finding), name the file recognisably, and
report exactly the findings the same file has under an ordinary name: never a traceback,
never a false finding.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from urllib.parse import unquote_to_bytes

import jsonschema
import pytest
from lxml import etree

from teitools.report.names import decodable, printable
from tests.helpers import EDITION, FIXTURES, ROOT, reference_file, run_cli

#: A letter with one finding (hi-rend, line 39); its copy as other.xml duplicates its id, so
#: that one finding's message quotes the other file's name.
LETTER = FIXTURES / "invalid" / "hi-rend.xml"
ORDINARY = b"letter.xml"
ODD_NAMES = {
    "control character": b"ctl\x01.xml",
    "escape sequence": b"esc\x1b[31mred.xml",
    "newline": b"two\nlines.xml",
    "carriage return and tab": b"cr\r\ttab.xml",
    "DEL and C1": b"del\x7f\xc2\x85.xml",
    "not UTF-8": b"bad\xff\xfe.xml",
    "Latin-1": b"caf\xe9.xml",
    "quotes and markup": b"q'\"<&>]]>.xml",
    "workflow command": b"::warning file=x.xml::pwned%0A,:.xml",
    "non-ASCII UTF-8": "Brief-Stalin–Kaganowitsch-ä.xml".encode(),
}
FORMATS = ["text", "json", "github", "sarif", "junit", "svrl"]


def _folder(tmp_path: Path, name: bytes) -> Path:
    folder = tmp_path / ("case-" + name.hex())
    folder.mkdir(parents=True)
    shutil.copy(LETTER, folder / os.fsdecode(name))
    shutil.copy(LETTER, folder / "other.xml")
    # hi-rend and the ids across files are the bundled edition's rules, which its settings ask for.
    shutil.copy(LETTER.parent / "teitools.toml", folder / "teitools.toml")
    return folder


def _findings(folder: Path, name: bytes) -> list[tuple[int, int, str, str]]:
    """The findings of ``folder`` as (line, column, rule, message), with either file's name in a
    message as FILE (which of the two has the duplicate id depends on how the names sort)."""
    code, out, err = run_cli("validate", "--format", "json", "--registers", EDITION, ".", cwd=folder)
    assert code == 1, err
    diagnostics = json.loads(out)["diagnostics"]
    assert {d["file"] for d in diagnostics} == {decodable(os.fsdecode(name)), "other.xml"}
    return sorted((d["line"], d["column"], d["rule"], _placeholder(d["message"], name)) for d in diagnostics)


def _placeholder(message: str, name: bytes) -> str:
    return message.replace(decodable(os.fsdecode(name)), "FILE").replace("other.xml", "FILE")


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, object]:
    schema: dict[str, object] = json.loads(
        reference_file("sarif", "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
    )
    return schema


@pytest.fixture(scope="module")
def report_schema() -> dict[str, object]:
    schema: dict[str, object] = json.loads((ROOT / "schemas" / "report.schema.json").read_text("utf-8"))
    return schema


@pytest.mark.parametrize("name", ODD_NAMES.values(), ids=ODD_NAMES.keys())
def test_an_odd_name_gives_the_findings_of_an_ordinary_one(tmp_path: Path, name: bytes) -> None:
    """No false input-encoding (or any other) finding, and the real ones all there."""
    expected = _findings(_folder(tmp_path / "plain", ORDINARY), ORDINARY)
    assert {f[2] for f in expected} == {"hi-rend", "id-duplicate"}
    assert any("FILE" in f[3] for f in expected), "a message quotes the other file"
    assert _findings(_folder(tmp_path, name), name) == expected


@pytest.mark.parametrize("output_format", FORMATS)
@pytest.mark.parametrize("name", ODD_NAMES.values(), ids=ODD_NAMES.keys())
def test_every_format_carries_any_file_name(
    tmp_path: Path,
    name: bytes,
    output_format: str,
    sarif_schema: dict[str, object],
    report_schema: dict[str, object],
) -> None:
    folder = _folder(tmp_path, name)
    argv = ["validate", "--format", output_format, "--registers", str(EDITION), "."]
    code, out, err = run_cli(*argv, cwd=folder)  # run_cli decodes stdout as strict UTF-8
    assert code == 1, err
    assert "Traceback" not in err and "internal error" not in err
    written = folder / "report.out"
    assert run_cli(*argv, "-o", str(written), cwd=folder).code == 1
    file = os.fsdecode(name)
    schema = sarif_schema if output_format == "sarif" else report_schema
    for report in (out, written.read_text(encoding="utf-8")):  # strict UTF-8 too
        CHECKS[output_format](report, file, schema)


def _check_text(out: str, file: str, _schema: dict[str, object]) -> None:
    # The name is whole on its finding's line. (A message quoting a name is the message's
    # business: control characters in messages are escaped by the text format itself.)
    assert f"\n{printable(file)}:39:114: error: " in f"\n{out}"
    assert out.endswith("2 files checked: 3 errors, 0 warnings in 2 files\n")
    _assert_no_control_character(printable(file))


def _check_json(out: str, file: str, schema: dict[str, object]) -> None:
    report = json.loads(out)
    jsonschema.validate(report, schema)
    assert decodable(file) in report["files"]
    assert {d["file"] for d in report["diagnostics"]} == {decodable(file), "other.xml"}


def _check_github(out: str, file: str, _schema: dict[str, object]) -> None:
    # The runner reads one command per line feed; the properties end at the next "::".
    lines = out.removesuffix("\n").split("\n")
    assert len(lines) == 4, "one workflow command per finding (three) and the summary"
    commands = lines[:3]
    assert all(line.startswith("::error file=") for line in commands), commands
    properties = [line.split("::")[1].removeprefix("error ").split(",") for line in commands]
    assert all([p.split("=")[0] for p in props] == ["file", "line", "col", "title"] for props in properties)
    files = {props[0].removeprefix("file=") for props in properties}
    expected = printable(file).replace("%", "%25").replace(":", "%3A").replace(",", "%2C")
    assert files == {expected, "other.xml"}
    _assert_no_control_character("".join(files))


def _check_sarif(out: str, file: str, schema: dict[str, object]) -> None:
    log = json.loads(out)
    jsonschema.validate(log, schema)
    run = log["runs"][0]
    uris = [unquote_to_bytes(a["location"]["uri"]) for a in run["artifacts"]]
    assert os.fsencode(file) in uris, "the URI is the name's exact bytes"
    results = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]]
    assert {unquote_to_bytes(uri) for uri in results} == {os.fsencode(file), b"other.xml"}


def _check_junit(out: str, file: str, _schema: dict[str, object]) -> None:
    suites = etree.fromstring(out.encode("utf-8"))
    names = {case.get("name") for case in suites.iter("testcase")}
    assert names == {printable(file), "other.xml"}
    failures = "".join(suites.itertext())
    assert failures.count(printable(file) + ":") >= 1


def _check_svrl(out: str, file: str, _schema: dict[str, object]) -> None:
    root = etree.fromstring(out.encode("utf-8"))
    patterns = root.findall("{http://purl.oclc.org/dsdl/svrl}active-pattern")
    assert {p.get("name") for p in patterns} == {printable(file), "other.xml"}
    documents = [unquote_to_bytes(p.get("document", "").removeprefix("file://")) for p in patterns]
    assert any(document.endswith(b"/" + os.fsencode(file)) for document in documents)


def _assert_no_control_character(out: str) -> None:
    assert not [c for c in out if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F], repr(out)


CHECKS = {
    "text": _check_text,
    "json": _check_json,
    "github": _check_github,
    "sarif": _check_sarif,
    "junit": _check_junit,
    "svrl": _check_svrl,
}


def test_a_name_that_is_not_utf8_is_cached_and_read_back(tmp_path: Path) -> None:
    """The result cache keeps such a name exactly: the second run gives the same report."""
    folder = _folder(tmp_path, ODD_NAMES["not UTF-8"])
    argv = ("validate", "--format", "json", "--registers", EDITION, "--cache-dir", tmp_path / "cache", ".")
    first = run_cli(*argv, cwd=folder)
    assert first.code == 1, first.err
    assert any((tmp_path / "cache").rglob("*.json")), "the result was cached"
    second = run_cli(*argv, cwd=folder)
    assert (second.code, second.out) == (first.code, first.out)
