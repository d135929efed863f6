"""The reading text keeps every word, whatever the encoding pattern.

One small letter per pattern in ``tests/fixtures/patterns/`` (``<space/>``, ``break="no"``,
renditions and glyphs, empty pointers, ``front`` and ``back``, choices, deletions, notes, page
breaks, quotation marks by language), each compared with its expected text export and HTML
fragment in ``tests/expected/patterns/`` (regenerate with ``--regenerate-golden`` and review
the diff). Then a property: for any generated letter, every word of its reading text appears
in the text export, in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teitools.export.base import ExportOptions
from teitools.model.dates import PartialDate
from teitools.model.tei import read_edition
from teitools.model.types import DateSpan
from teitools.render import html, text
from teitools.render.dates import span_phrase
from teitools.site.builder import build_site
from tests.conftest import Golden
from tests.helpers import EXPECTED, FIXTURES, assert_valid_html

PATTERNS = sorted((FIXTURES / "patterns").glob("*.xml"))
OPTIONS = ExportOptions(emphasis="asterisks")


def _rendered(path: Path) -> tuple[str, str]:
    edition = read_edition([path], registers=[])
    (letter,) = edition.letters
    return text.render_letter(letter, edition, OPTIONS), html.render_letter(letter, edition, OPTIONS)


def _fragment(page: str) -> str:
    """The part of a letter page that the letter's text decides: metadata, text and notes."""
    start = page.index('<dl class="meta"')
    return page[start : page.index('<section class="cite-letter"', start)]


@pytest.mark.parametrize("path", PATTERNS, ids=[p.stem for p in PATTERNS])
def test_pattern_text_export(path: Path, golden: Golden) -> None:
    golden(f"patterns/{path.stem}.txt", _rendered(path)[0])


@pytest.mark.parametrize("path", PATTERNS, ids=[p.stem for p in PATTERNS])
def test_pattern_html(path: Path, golden: Golden) -> None:
    page = _rendered(path)[1]
    assert_valid_html(page)
    golden(f"patterns/{path.stem}.html", _fragment(page))


def test_every_expected_file_belongs_to_a_pattern() -> None:
    names = {p.stem for p in PATTERNS}
    assert names
    assert {p.stem for p in (EXPECTED / "patterns").iterdir()} == names
    assert len(list((EXPECTED / "patterns").iterdir())) == 2 * len(names)


def test_no_word_is_glued_or_split() -> None:
    """The counts the issue measured on real editions, in miniature."""
    space = _rendered(FIXTURES / "patterns" / "space.xml")[0]
    assert "The words stand apart" in space
    joined = _rendered(FIXTURES / "patterns" / "lb-break-no.xml")[0]
    assert "long sentence" in joined
    assert "*divided* word, and a new line here." in joined
    pages = _rendered(FIXTURES / "patterns" / "pb-cb-break-no.xml")
    assert "the second, and a column break too; a column break between words." in pages[0]
    assert 'sec<span class="pb" title="Page 2">2</span>ond' in pages[1]


def test_front_and_back_are_read() -> None:
    reading = _rendered(FIXTURES / "patterns" / "front-back.xml")[0]
    for words in ("Vienna, 3 February 1901", "Dear Bruno,", "Yours ever,", "Anna", "Give my love"):
        assert words in reading
    assert "Clara Berg" not in reading  # the letter's own register is not its text


def test_the_site_letter_page_and_search_have_front_and_back() -> None:
    edition = read_edition([FIXTURES / "patterns" / "front-back.xml"], registers=[])
    site = build_site(edition)
    page = site["letters/front-back.html"]
    assert '<p class="salute">Yours ever,</p>' in page
    assert '<p class="dateline">Vienna, 3 February 1901</p>' in page
    assert "Give my love to Clara" in site["search-index.js"]


def test_quotation_marks_and_labels_follow_the_language() -> None:
    german_text, german_page = _rendered(FIXTURES / "patterns" / "quotes-de.xml")
    assert "„komm \u201ajetzt‘“" in german_text
    assert "\nAnmerkungen:\n" in german_text
    assert '<dl class="meta" lang="de">\n<dt>Von</dt>' in german_page
    assert "3. Februar 1901" in german_page
    assert "«\u00a0viens\u00a0»" in _rendered(FIXTURES / "patterns" / "quotes-fr.xml")[0]
    assert "«приходи „сейчас“»" in _rendered(FIXTURES / "patterns" / "quotes-ru.xml")[0]
    assert "“come ‘now’”" in _rendered(FIXTURES / "patterns" / "quotes-en.xml")[0]


def _render_body(tmp_path: Path, body: str, encoding: str = "") -> str:
    """The text export of a letter whose letter div holds ``body``."""
    path = tmp_path / "letter.xml"
    path.write_text(
        f"""<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>T</title>
        </titleStmt></fileDesc>{encoding}<profileDesc><correspDesc><correspAction type="sent"/>
        </correspDesc></profileDesc></teiHeader><text><body><div type="letter">{body}</div></body>
        </text></TEI>""",
        encoding="utf-8",
    )
    edition = read_edition([path], registers=[])
    return text.render_letter(edition.letters[0], edition, OPTIONS).split("\n", 2)[2]


def test_a_rendition_cannot_write_control_characters(tmp_path: Path) -> None:
    encoding = """<encodingDesc><tagsDecl><rendition xml:id="x">content: "\\1b[2J\\7\\a0ok"</rendition>
    </tagsDecl></encodingDesc>"""
    assert _render_body(tmp_path, '<p>a <c rendition="#x"/> b</p>', encoding) == "a [2J\u00a0ok b\n"


def test_a_paragraph_of_many_empty_pointers_is_tidied(tmp_path: Path) -> None:
    """Each run of empty pointers is tidied where it stands (a letter of 20,000 takes as long
    as its words, not their square)."""
    body = "<p>" + "word <ref target='#x'/>, " * 20_000 + "end.</p>"
    assert _render_body(tmp_path, body) == "word, " * 20_000 + "end.\n"


def test_date_phrases_follow_the_language() -> None:
    span = DateSpan(not_before=PartialDate(1930), not_after=PartialDate(1932, 8, 1))
    assert span_phrase(span, "de") == "zwischen 1930 und 1. August 1932"
    assert span_phrase(span, "fr") == "entre 1930 et 1er août 1932"
    assert (
        span_phrase(DateSpan(when=PartialDate(1932, 8)), "ru") == "\u0430\u0432\u0433\u0443\u0441\u0442 1932"
    )
    assert span_phrase(span, "pt") == span_phrase(span) == "between 1930 and 1 August 1932"


# The property: a generated letter, its reading words, and the text export.

#: Words in three scripts (Cyrillic written as escapes, as the linter wants).
_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüß\u0430\u0431\u0432", min_size=1, max_size=8)
_CHOICES = (("abbr", "expan"), ("sic", "corr"), ("orig", "reg"))


class _Letter:
    """A TEI letter being generated, and the words a reader must find, in order."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.words: list[str] = []

    def word(self) -> str:
        """A word of the reading text."""
        value = self.draw(_WORD)
        self.words.append(value)
        return value

    def aside(self) -> str:
        """A word that is not in the reading text (deleted, a rejected reading, a note's)."""
        return self.draw(_WORD)

    def split(self) -> str:
        first, second = self.aside(), self.aside()
        self.words.append(first + second)
        tag = self.draw(st.sampled_from(["lb", "pb", "cb"]))
        return f' {first}\n   <{tag} break="no"/>\n   {second} '

    def choice(self) -> str:
        rejected, chosen = self.draw(st.sampled_from(_CHOICES))
        return f" <choice><{rejected}>{self.aside()}</{rejected}><{chosen}>{self.word()}</{chosen}></choice> "

    def glyph(self) -> str:
        self.words.append("and")
        return ' <g ref="#et"/> '

    def empty_ref(self) -> str:
        return f'<ref target="#{self.aside()}"/>' + self.draw(st.sampled_from([", ", ". ", " "]))

    def mixed(self, depth: int = 0) -> str:
        """Mixed content: words, and the encoding patterns around them."""
        flat: dict[str, Callable[[], str]] = {
            "word": lambda: self.word() + " ",
            "space": lambda: self.word() + "<space/>",
            "lb": lambda: self.word() + "\n  <lb/>",
            "pb": lambda: self.word() + f'<pb n="{self.draw(st.integers(1, 9))}"/>',
            "split": self.split,
        }
        nested: dict[str, Callable[[], str]] = {
            "choice": self.choice,
            "del": lambda: f" <del>{self.aside()}</del> ",
            "surplus": lambda: f" <surplus>{self.aside()}</surplus> ",
            "app": lambda: f" <app><lem>{self.word()}</lem><rdg>{self.aside()}</rdg></app> ",
            "note": lambda: f"<note>{self.aside()}</note> ",
            "ref": self.empty_ref,
            "g": self.glyph,
            "hi": lambda: f' <hi rend="italic">{self.mixed(depth + 1)}</hi> ',
            "q": lambda: f" <q>{self.mixed(depth + 1)}</q> ",
        }
        kinds = {**flat, **nested} if depth < 2 else flat
        count = self.draw(st.integers(1, 4))
        return "".join(kinds[self.draw(st.sampled_from(sorted(kinds)))]() for _ in range(count))


_HEADER = """<teiHeader><fileDesc><titleStmt><title>T</title></titleStmt></fileDesc>
<encodingDesc><charDecl><glyph xml:id="et"><mapping type="standard">and</mapping></glyph>
</charDecl></encodingDesc><profileDesc><correspDesc>
<correspAction type="sent"><persName>A</persName></correspAction>
<correspAction type="received"><persName>B</persName></correspAction>
</correspDesc></profileDesc></teiHeader>"""


@st.composite
def _letter(draw: st.DrawFn) -> tuple[str, list[str]]:
    letter = _Letter(draw)
    front = ""
    if draw(st.booleans()):
        front = f"<front><opener><salute>{letter.mixed()}</salute></opener></front>"
    paragraphs = "".join(f"<p>{letter.mixed()}</p>" for _ in range(draw(st.integers(1, 3))))
    back = f"<back><closer><signed>{letter.mixed()}</signed></closer></back>"
    language = draw(st.sampled_from(["en", "de", "fr", "ru"]))
    source = f"""<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:lang="{language}">{_HEADER}
<text>{front}<body><div type="letter">{paragraphs}</div></body>{back}</text></TEI>"""
    return source, letter.words


def _reading_words(export: str) -> list[str]:
    reading = export.split("\n", 1)[1]  # the heading line is metadata
    reading = reading.rpartition("\nNotes:\n")[0] or reading
    for language_label in ("Anmerkungen", "\u041f\u0440\u0438\u043c\u0435\u0447\u0430\u043d\u0438\u044f"):
        reading = reading.rpartition(f"\n{language_label}:\n")[0] or reading
    return re.findall(r"\w+", re.sub(r"\[\d+\]", " ", reading).replace("*", ""))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_letter())
def test_every_reading_word_appears_in_the_text_export_in_order(
    tmp_path: Path, case: tuple[str, list[str]]
) -> None:
    source, words = case
    path = tmp_path / "letter.xml"
    path.write_text(source, encoding="utf-8")
    edition = read_edition([path], registers=[])
    (letter,) = edition.letters
    assert _reading_words(text.render_letter(letter, edition, OPTIONS)) == words
