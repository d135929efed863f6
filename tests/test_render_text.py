"""Plain-text export: golden files for every letter, word order, whitespace, emphasis, CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from teitools.cli import main
from teitools.export.base import ExportOptions
from teitools.load.parser import TEI_NS
from teitools.render import text
from teitools.render.body import read_body
from tests.conftest import Golden
from tests.helpers import (
    EDITION,
    EXPECTED,
    ROOT,
    copy_edition,
    edition_from,
    fixture_edition,
    fixture_letter,
    letter_ids,
)

GOLDEN = EXPECTED / "text"
LETTERS = letter_ids()


def letter_text(letter_id: str, emphasis: str = "asterisks") -> str:
    edition = fixture_edition()
    return text.render_letter(fixture_letter(letter_id), edition, ExportOptions(emphasis=emphasis))


@pytest.mark.parametrize("letter_id", sorted(LETTERS))
def test_letter_matches_its_golden_file(letter_id: str, golden: Golden) -> None:
    golden(f"text/{letter_id}.txt", letter_text(letter_id))


def test_every_golden_file_belongs_to_a_letter() -> None:
    assert {p.stem for p in GOLDEN.glob("*.txt")} == set(LETTERS)


def _words(value: str) -> list[str]:
    return re.findall(r"\w+", value.casefold())


def _tei_words_outside_notes(element: etree._Element) -> tuple[list[str], list[str]]:
    """The words of a body in document order: running text, and the notes' text."""
    running: list[str] = []
    notes: list[str] = []

    def walk(node: etree._Element, in_note: bool) -> None:
        is_note = node.tag == f"{{{TEI_NS}}}note"
        target = notes if in_note or is_note else running
        if isinstance(node.tag, str) and node.text:
            target.extend(_words(node.text))
        for child in node:
            walk(child, in_note or is_note)
            if child.tail:
                (notes if in_note or is_note else running).extend(_words(child.tail))

    walk(element, False)
    return running, notes


@pytest.mark.parametrize("letter_id", sorted(LETTERS))
def test_the_words_of_the_body_appear_in_document_order(letter_id: str) -> None:
    letter = fixture_letter(letter_id)
    assert letter.body is not None
    running, notes = _tei_words_outside_notes(letter.body)
    output = letter_text(letter_id, emphasis="none")
    body_part, _, notes_part = output.partition("\nNotes:\n")
    body_part = body_part.split("\n", 1)[1]  # the heading line is metadata, not body
    body_part = re.sub(r"\[\d+\]|\[…\]", " ", body_part)  # note markers and gaps
    notes_part = re.sub(r"^\[\d+\] ", "", notes_part, flags=re.MULTILINE)
    # A numbered point's number is an attribute in the TEI, not text.
    body_part = re.sub(r"^\d+\. ", "", body_part, flags=re.MULTILINE)
    assert _words(body_part) == running
    assert _words(notes_part) == notes
    assert running, "every letter of the edition has words"


@pytest.mark.parametrize("letter_id", sorted(LETTERS))
def test_whitespace_is_normalised(letter_id: str) -> None:
    output = letter_text(letter_id)
    assert output.endswith("\n") and not output.endswith("\n\n")
    assert "  " not in output.replace("\n   ", "\n")
    assert not re.search(r" \n|\n ", output)
    assert "\n\n\n" not in output


def test_heading_says_who_wrote_to_whom_when() -> None:
    assert letter_text("stalin-kaganovich-1935-08-22").startswith(
        "Joseph Stalin to Lazar Kaganovich, 22 August 1935\n\n22 August 1935\n\n"
    )
    assert letter_text("stalin-kaganovich-1932-07").startswith(
        "Joseph Stalin to Lazar Kaganovich, July 1932\n"
    )
    assert letter_text("stalin-kaganovich-1930").startswith(
        "Joseph Stalin to Lazar Kaganovich (?), between 1930 and 7 August 1932 (uncertain)\n"
    )
    assert letter_text("stalin-molotov-1926-06-25").startswith(
        "Joseph Stalin to Vyacheslav Molotov, Alexei Rykov, Nikolai Bukharin and other friends, "
        "25 June 1926\n"
    )


def test_editorial_marks_supplied_gaps_and_notes() -> None:
    molotov = letter_text("stalin-molotov-1926-06-25")
    assert "\n\n3. [the Zinoviev group] […] has become the leader" in molotov
    assert "\n\n[…]\n\n9. I assure you" in molotov
    assert "Comintern Executive Committee[1], which" in molotov
    assert molotov.endswith("\nNotes:\n[1] Zinoviev is the Chairman\n")
    assert "[…] belonging to *co-operatives*" in letter_text("stalin-kaganovich-1930")
    assert "“the verdict is final […]”" in letter_text("stalin-kaganovich-1936-08-23")


@pytest.mark.parametrize(
    ("emphasis", "expected"),
    [
        ("asterisks", "punishable by a *minimum* of ten years'"),
        ("upper", "punishable by a MINIMUM of ten years'"),
        ("none", "punishable by a minimum of ten years'"),
    ],
)
def test_emphasis_styles(emphasis: str, expected: str) -> None:
    assert expected in letter_text("stalin-kaganovich-1930", emphasis)


def test_no_breaks_or_doubled_spaces_at_inline_elements(tmp_path: Path) -> None:
    edition, letter = edition_from(
        tmp_path,
        """<p>A  <hi rend="italic"> spaced
        word </hi>and<persName>Ann</persName>
        <gap/>then<note>a <hi rend="italic">noted</hi>
        gloss</note> end<supplied>s</supplied> and <choice><sic>teh</sic><corr>the</corr></choice>
        <subst><del>old</del><add>new</add></subst> line<lb/>break <hi rend="bold italic">both</hi>
        <hi>plain hi</hi> <hi rend="superscript">er</hi></p>""",
    )
    output = text.render_letter(letter, edition, ExportOptions())
    assert output == (
        "Ann to Bob, 2 January 1900\n\n"
        "A *spaced word* andAnn […] then[1] end[s] and the new line break *both* "
        "*plain hi* er\n"
        "\nNotes:\n[1] a *noted* gloss\n"
    )


def test_lists_paragraphs_salutation_and_closing(tmp_path: Path) -> None:
    edition, letter = edition_from(
        tmp_path,
        """<opener><salute>Dear Bob,</salute></opener>
        <p>One.</p><p>Two.</p><list type="numbered"><item n="1">First</item>
        <item n="2"><p>Second</p><p>more</p></item></list>
        <closer><salute>Yours</salute><signed>Ann</signed></closer>""",
    )
    output = text.render_letter(letter, edition, ExportOptions())
    assert output == (
        "Ann to Bob, 2 January 1900\n\nDear Bob,\n\nOne.\n\nTwo.\n\n1. First\n\n"
        "2. Second\n\n   more\n\nYours\n\nAnn\n"
    )


def test_export_prints_every_letter_separated_by_a_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "text", str(EDITION)]) == 0
    out = capsys.readouterr().out
    assert out.count("\n" + "=" * 72 + "\n") == len(LETTERS) - 1
    first = out.index("Joseph Stalin to Vyacheslav Molotov")
    last = out.index("Joseph Stalin to Lazar Kaganovich, 23 August 1936")
    assert first == 0 and last > first


def test_export_to_a_folder_writes_one_file_per_letter(tmp_path: Path) -> None:
    assert main(["export", "text", str(EDITION), "-o", str(tmp_path / "out")]) == 0
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == sorted(f"{i}.txt" for i in LETTERS)
    assert (tmp_path / "out" / "stalin-kaganovich-1933.txt").read_text(encoding="utf-8") == (
        GOLDEN / "stalin-kaganovich-1933.txt"
    ).read_text(encoding="utf-8")


def test_a_broken_letter_is_reported_and_the_others_exported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = copy_edition(tmp_path / "tei")
    broken = copy / "letters" / "broken.xml"
    broken.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0">\n  <teiHeader>\n</TEI>\n', encoding="utf-8")
    assert main(["export", "text", str(copy), "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert re.search(r"broken\.xml:3:\d+: error: ", err), err
    assert "Traceback" not in err
    assert len(list((tmp_path / "out").glob("*.txt"))) == len(LETTERS)


def test_an_empty_body_renders_the_heading_only(tmp_path: Path) -> None:
    edition, letter = edition_from(tmp_path, "")
    assert read_body(letter.body).blocks == ()
    assert text.render_letter(letter, edition, ExportOptions()) == "Ann to Bob, 2 January 1900\n"


def test_the_documented_example_is_what_the_command_prints(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = (ROOT / "docs" / "reading.md").read_text(encoding="utf-8")
    command = "teitools export text tei/letters/stalin-kaganovich-1933.xml"
    shown = doc.split(f"$ {command}\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    assert main(command.split()[1:]) == 0
    assert capsys.readouterr().out == shown
