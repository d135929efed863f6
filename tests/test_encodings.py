"""Encodings and line ends: each file is read correctly, or reported at the byte that is wrong.

A real letter (with the registers beside it) is saved in each encoding an editor may produce.
Correct files validate clean and give the same letter as the UTF-8 original; broken ones give
one ``input-encoding`` finding at an exact line and column.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest

from teitools.diagnostics import Diagnostic
from teitools.model.tei import read_edition
from teitools.model.types import Letter
from teitools.validation.runner import validate
from tests.helpers import EDITION, FIXTURES, make_edition

LETTER = EDITION / "letters" / "stalin-kaganovich-1935-08-22.xml"
TEXT = LETTER.read_text(encoding="utf-8")
#: A word of the letter's body given accents, so that a wrong decoding would show.
WORD, ACCENTED = "Ukrainians", "Ukrainians (ó)"
assert WORD in TEXT.split("<body>", 1)[1]
UTF8_DECL = 'encoding="UTF-8"'


def _declare(name: str, text: str = TEXT) -> str:
    assert UTF8_DECL in text
    return text.replace(UTF8_DECL, f'encoding="{name}"', 1)


def _accented(text: str = TEXT) -> str:
    head, body = text.split("<body>", 1)
    return head + "<body>" + body.replace(WORD, ACCENTED, 1)


CORRECT: dict[str, bytes] = {
    "utf-8": TEXT.encode("utf-8"),
    "utf-8-with-bom": codecs.BOM_UTF8 + TEXT.encode("utf-8"),
    "utf-16-le-with-bom": codecs.BOM_UTF16_LE + _declare("UTF-16").encode("utf-16-le"),
    "utf-16-be-with-bom": codecs.BOM_UTF16_BE + _declare("UTF-16").encode("utf-16-be"),
    # The byte-order mark is the stronger signal (XML 1.0, appendix F).
    "utf-16-le-bom-declared-utf-8": codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
    "crlf": TEXT.replace("\n", "\r\n").encode("utf-8"),
    "lone-cr": TEXT.replace("\n", "\r").encode("utf-8"),
    "latin-1-declared": _declare("ISO-8859-1", _accented()).encode("latin-1"),
    "windows-1252-declared": _declare("windows-1252", _accented()).encode("cp1252"),
    "utf-8-accented": _accented().encode("utf-8"),
}


ACCENTED_VARIANTS = frozenset({"latin-1-declared", "windows-1252-declared", "utf-8-accented"})


def _edition_with(tmp_path: Path, data: bytes) -> Path:
    root = make_edition(tmp_path / "edition", {})
    path = root / "letters" / LETTER.name
    path.write_bytes(data)
    return path


def _letter(path: Path) -> Letter:
    edition = read_edition([path])
    assert edition.problems == ()
    (letter,) = edition.letters
    return letter


def _body_text(letter: Letter) -> str:
    assert letter.body is not None
    return " ".join("".join(letter.body.itertext()).split())


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_encodings_validate_clean_and_read_the_same(name: str, tmp_path: Path) -> None:
    path = _edition_with(tmp_path, CORRECT[name])
    report = validate([path.parent.parent])
    assert report.diagnostics == ()
    letter = _letter(path)
    original = _letter(_edition_with(tmp_path / "original", TEXT.encode("utf-8")))
    assert (letter.id, letter.title, letter.senders, letter.recipients, letter.date) == (
        original.id,
        original.title,
        original.senders,
        original.recipients,
        original.date,
    )
    expected = _body_text(original)
    if name in ACCENTED_VARIANTS:
        expected = expected.replace(WORD, ACCENTED, 1)
    assert _body_text(letter) == expected


def test_line_ends_do_not_move_positions(tmp_path: Path) -> None:
    """A finding is at the same line and column whatever the line ends."""
    fixture = FIXTURES / "invalid" / "hi-rend.xml"
    data = fixture.read_bytes()
    positions = []
    for variant, content in (
        ("lf", data),
        ("crlf", data.replace(b"\n", b"\r\n")),
        ("cr", data.replace(b"\n", b"\r")),
    ):
        path = tmp_path / variant / "letters" / fixture.name
        path.parent.mkdir(parents=True)
        path.write_bytes(content)
        findings = validate([path]).diagnostics
        positions.append([(d.line, d.column, d.rule) for d in findings if d.rule == "hi-rend"])
    assert positions[0] == positions[1] == positions[2] == [(39, 114, "hi-rend")]


def _position_of(data: bytes, needle: bytes) -> tuple[int, int]:
    """1-based line and column (in characters of the line up to there) of ``needle``."""
    offset = data.index(needle)
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, len(data[line_start:offset].decode("utf-8", "replace")) + 1


def _only_finding(path: Path) -> Diagnostic:
    findings = [d for d in validate([path]).diagnostics if d.file == str(path)]
    assert len(findings) == 1, findings
    return findings[0]


def test_utf8_bytes_declared_latin_1(tmp_path: Path) -> None:
    data = _declare("ISO-8859-1", _accented()).encode("utf-8")
    path = _edition_with(tmp_path, data)
    finding = _only_finding(path)
    expected = (*_position_of(data, "ó".encode()), "input-encoding")
    assert (finding.line, finding.column, finding.rule) == expected
    assert (
        'declares encoding="ISO-8859-1" but its bytes are UTF-8: "ó" here would be read as "Ã³"'
        in finding.message
    )


def test_latin_1_bytes_declared_utf8(tmp_path: Path) -> None:
    data = _accented().encode("latin-1")
    path = _edition_with(tmp_path, data)
    finding = _only_finding(path)
    assert (finding.line, finding.column, finding.rule) == (
        *_position_of(data, "ó".encode("latin-1")),
        "input-encoding",
    )


def test_invalid_bytes_in_utf8(tmp_path: Path) -> None:
    data = TEXT.encode("utf-8").replace(b"<p>", b"<p>ok \xff\xfe", 1)
    path = _edition_with(tmp_path, data)
    finding = _only_finding(path)
    expected = (*_position_of(data, b"\xff\xfe"), "input-encoding")
    assert (finding.line, finding.column, finding.rule) == expected


def test_utf16_declared_on_utf8_bytes(tmp_path: Path) -> None:
    path = _edition_with(tmp_path, _declare("UTF-16").encode("utf-8"))
    finding = _only_finding(path)
    assert (finding.line, finding.column, finding.rule) == (1, 31, "input-encoding")
    assert 'declares encoding="UTF-16" but is not UTF-16' in finding.message


def test_unknown_encoding(tmp_path: Path) -> None:
    path = _edition_with(tmp_path, _declare("klingon").encode("utf-8"))
    finding = _only_finding(path)
    assert (finding.line, finding.rule) == (1, "input-encoding")
    assert re.search(r"Unsupported encoding:? klingon", finding.message)


def test_utf16_without_bom_is_reported_not_misread(tmp_path: Path) -> None:
    path = _edition_with(tmp_path, _declare("UTF-16").encode("utf-16-le"))
    finding = _only_finding(path)
    assert (finding.line, finding.column, finding.rule) == (1, 1, "input-encoding")
    assert "UTF-16 without a byte-order mark" in finding.message


@pytest.mark.parametrize(
    "name",
    [
        "rot13",
        "hex",
        "zlib",
        "base64",
        "idna",
        "undefined",
        "punycode",
        "unicode_escape",
        "utf-8-sig",
        "mbcs",
    ],
)
def test_a_declared_encoding_that_is_no_text_encoding(name: str, tmp_path: Path) -> None:
    """Python knows these names, but they are not text encodings: a finding, never a crash."""
    path = _edition_with(tmp_path, _accented(_declare(name)).encode("utf-8"))
    finding = _only_finding(path)
    assert (finding.line, finding.rule) == (1, "input-encoding"), finding
