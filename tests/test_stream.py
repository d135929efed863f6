"""Reading letters one at a time (model/stream.py, TextInFile): the same letters and texts as
reading the edition whole, and a file that changes between the two passes is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from teitools.errors import InputError
from teitools.export.base import ExportOptions
from teitools.export.output import write_stream
from teitools.model.stream import read_stream
from teitools.model.tei import read_edition
from teitools.render import html, text
from tests.helpers import EDITION, FIXTURES, LIVE_EDITION, REFERENCE, make_edition, run_cli

#: Editions with what the stream must handle like the whole reading: letters of several files
#: sharing an id (their pages get suffixes in date order), files of several letters, CMIF.
FOLDERS = [
    EDITION,
    LIVE_EDITION,
    FIXTURES / "shared-ids",
    FIXTURES / "foreign-roles",
    FIXTURES / "foreign-publisher",
    REFERENCE / "correspdesc-examples",
    REFERENCE / "cmif",
]


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda folder: folder.name)
def test_the_stream_gives_the_letters_and_texts_of_the_whole_edition(folder: Path) -> None:
    if not folder.exists():
        pytest.skip(f"{folder} is absent (../shared is not beside the checkout)")
    whole = read_edition([folder])
    stream = read_stream([folder])
    assert len(stream) == len(whole.letters) > 0
    assert list(stream) == list(whole.chronological())
    assert stream.edition.persons == whole.persons and stream.edition.places == whole.places
    assert stream.edition.problems == whole.problems
    options = ExportOptions()
    assert list(text.iter_files(stream, options)) == list(text.iter_files(whole, options))


def test_a_letter_whose_text_stays_in_its_file_renders_as_a_kept_one() -> None:
    kept, in_file = read_edition([EDITION]), read_edition([EDITION], keep_texts=False)
    options = ExportOptions(accessed=None)
    for one, other in zip(kept.chronological(), in_file.chronological(), strict=True):
        assert html.render_letter(one, kept, options) == html.render_letter(other, in_file, options)


def _two_letters(folder: Path) -> Path:
    return make_edition(
        folder,
        {
            "first": {"sent": '<date when="1930-01-01"/>', "body": "<p>The first letter.</p>"},
            "second": {"sent": '<date when="1931-01-01"/>', "body": "<p>The second letter.</p>"},
        },
    )


def test_a_file_changed_between_the_passes_stops_the_export_and_nothing_is_written(tmp_path: Path) -> None:
    edition = _two_letters(tmp_path / "edition")
    stream = read_stream([edition])
    changed = edition / "letters" / "second.xml"
    changed.write_text(changed.read_text("utf-8").replace("The second", "Another"), "utf-8")
    out = tmp_path / "out"
    with pytest.raises(InputError, match=r"second\.xml changed"):
        write_stream(out, text.iter_files(stream, ExportOptions()))
    assert not out.exists() or not any(out.iterdir())  # not even the first letter's file


def test_a_file_gone_between_the_passes_is_refused_when_its_text_is_asked_for(tmp_path: Path) -> None:
    edition = _two_letters(tmp_path / "edition")
    letters = read_edition([edition], keep_texts=False).chronological()
    (edition / "letters" / "first.xml").unlink()
    with pytest.raises(InputError, match=r"first\.xml changed \(or went\)"):
        _ = letters[0].body
    assert letters[1].body is not None


def test_text_export_from_standard_input_is_read_once(tmp_path: Path) -> None:
    edition = _two_letters(tmp_path / "edition")
    letter = (edition / "letters" / "first.xml").read_text("utf-8")
    shown = edition / "letters" / "first.xml"
    shown.unlink()  # standard input is not read again from the file it stands for
    run = run_cli("export", "text", "-", "--stdin-filename", shown, stdin=letter)
    assert run.code == 0, run.err
    assert "The first letter." in run.out


GERMAN_QUOTE = """<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="zitat">
  <teiHeader>
    <fileDesc>
      <titleStmt><title>Ein Brief</title></titleStmt>
      <publicationStmt><p/></publicationStmt>
      <sourceDesc><p/></sourceDesc>
    </fileDesc>
    <profileDesc>
      <langUsage><language ident="de">Deutsch</language></langUsage>
      <correspDesc><correspAction type="sent"><date when="1930-01-01"/></correspAction></correspDesc>
    </profileDesc>
  </teiHeader>
  <text><body><div type="letter"><p>Er schrieb <q>nein</q>.</p></div></body></text>
</TEI>
"""


def test_the_language_in_langusage_gives_the_quotation_marks_however_the_letter_is_read(
    tmp_path: Path,
) -> None:
    (tmp_path / "zitat.xml").write_text(GERMAN_QUOTE, "utf-8")
    options = ExportOptions()
    whole = read_edition([tmp_path])
    texts = [
        text.render_letter(whole.letters[0], whole, options),
        *(content for _, content in text.iter_files(read_stream([tmp_path]), options)),
    ]
    assert all("Er schrieb „nein“." in one for one in texts), texts


def test_html_pages_rendered_in_workers_stop_at_a_changed_file_and_nothing_is_written(tmp_path: Path) -> None:
    # More letters than one worker's share, so that two processes render them.
    letters = {
        f"letter-{number:02d}": {"sent": f'<date when="19{number + 10:02d}-01-01"/>', "body": "<p>Words.</p>"}
        for number in range(40)
    }
    edition_folder = make_edition(tmp_path / "edition", letters)
    edition = read_edition([edition_folder], keep_texts=False)
    changed = edition_folder / "letters" / "letter-33.xml"
    changed.write_text(changed.read_text("utf-8").replace("Words.", "Other words."), "utf-8")
    out = tmp_path / "out"
    with pytest.raises(InputError, match=r"letter-33\.xml changed"):
        write_stream(out, html.iter_files(edition, ExportOptions(jobs=2)))
    assert not out.exists() or not any(path.is_file() for path in out.rglob("*"))
