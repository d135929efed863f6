"""HTML output from a hostile letter: text and attributes escaped, no unsafe link ever made.

The letter puts markup in its text and title, quotes in attribute values, and
``javascript:``, ``data:`` and ``vbscript:`` URLs (plain, in mixed case, behind whitespace and
character references) in ``@ref`` and ``@target``. Every HTML file the html export (and the
site, when it exists) writes is parsed as a browser would: no script of the letter's, no
event-handler attribute, no link or source with an unsafe scheme; the letter's text is still
there, shown as text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from teitools.cli import cli, main
from tests.helpers import FIXTURES, make_edition

MINIMAL = FIXTURES / "valid" / "minimal-letter.xml"
SCRIPT_TEXT = '<script>alert("XSS-TEXT")</script>'
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "background", "cite", "srcset"}
)
UNSAFE_SCHEME = re.compile(r"^(?:javascript|data|vbscript|file):", re.IGNORECASE)
HOSTILE_BODY = """<p>&lt;script&gt;alert("XSS-TEXT")&lt;/script&gt; and &lt;img src=x onerror=alert(1)&gt;
  <persName ref="javascript:alert('XSS-REF')">Stalin</persName>
  <placeName ref="data:text/html,&lt;script&gt;alert(2)&lt;/script&gt;">Moscow</placeName>
  <ref target="javascript:alert('XSS-TARGET')">one</ref>
  <ref target="  JaVaScRiPt:alert(3)">two</ref>
  <ref target="java&#x09;script:alert(4)">three</ref>
  <ref target="&#x6A;avascript:alert(5)">four</ref>
  <ref target="data:text/html;base64,PHNjcmlwdD5hbGVydCg2KTwvc2NyaXB0Pg==">five</ref>
  <ref target="vbscript:msgbox(7)">six</ref>
  <ref target='https://example.org/"&gt;&lt;script&gt;alert(8)&lt;/script&gt;'>seven</ref>
  <ptr target="javascript:alert(9)"/>
  <hi rend='italic" onmouseover="alert(10)'>emphasis</hi>
  <foreign xml:lang='ru" onclick="alert(11)'>слово</foreign></p>"""


class _Page(HTMLParser):
    """What a browser would make of a page: elements with their attributes, scripts, text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._in_script = True
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>: an event handler")
            if name in URL_ATTRIBUTES and value is not None:
                squeezed = re.sub(r"[\x00-\x20]", "", value)
                if UNSAFE_SCHEME.match(squeezed):
                    self.problems.append(f"<{tag} {name}={value!r}>: an unsafe URL became a link")
            if name == "style" and value and "expression(" in value.lower():
                self.problems.append(f"<{tag} style={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "alert(" in data:
            self.problems.append(f"the letter's script runs: {data.strip()[:80]}")
        elif not self._in_script:
            self.text.append(data)


def _hostile_edition(tmp_path: Path) -> Path:
    root = make_edition(tmp_path / "edition", {})
    text = MINIMAL.read_text(encoding="utf-8")
    text = re.sub(r"<p>There are abominations.*?</p>", lambda _: HOSTILE_BODY, text, count=1, flags=re.DOTALL)
    text = text.replace(
        "<title>Stalin to Kaganovich, July 1932</title>",
        '<title>Stalin &lt;script&gt;alert("XSS-TITLE")&lt;/script&gt; to Kaganovich</title>',
    )
    (root / "letters" / "stalin-kaganovich-1932-07x.xml").write_text(text, encoding="utf-8")
    return root


def _check_pages(folder: Path) -> None:
    pages = sorted(folder.rglob("*.htm*"))
    assert pages, f"no HTML written below {folder}"
    shown = []
    for page in pages:
        parser = _Page()
        parser.feed(page.read_text(encoding="utf-8"))
        parser.close()
        assert not parser.problems, f"{page.name}:\n" + "\n".join(parser.problems)
        shown.append("".join(parser.text))
    # Escaped, not dropped: a reader still sees the letter's words, markup characters included.
    assert any(SCRIPT_TEXT in text for text in shown)


def test_html_output_escapes_text_and_never_links_unsafe_urls(tmp_path: Path) -> None:
    root = _hostile_edition(tmp_path)
    code = main(["export", "html", str(root / "letters"), "-o", str(tmp_path / "html")])
    assert code in (0, 1)
    _check_pages(tmp_path / "html")
    if "site" in cli.commands:
        assert main(["site", str(root), "-o", str(tmp_path / "site")]) in (0, 1)
        _check_pages(tmp_path / "site")


def test_the_page_checker_catches_what_it_must(tmp_path: Path) -> None:
    """The checks above can fail: unescaped output from the same letter is caught."""
    page = tmp_path / "bad" / "page.html"
    page.parent.mkdir()
    page.write_text(
        '<p>&lt;script&gt;alert("XSS-TEXT")&lt;/script&gt;</p>'
        '<a href=" java\tscript:alert(1)">x</a><i onmouseover="alert(10)">y</i>'
        '<script>alert("XSS-TEXT")</script>',
        encoding="utf-8",
    )
    with pytest.raises(AssertionError) as caught:
        _check_pages(page.parent)
    message = str(caught.value)
    assert "unsafe URL" in message and "event handler" in message and "script runs" in message
