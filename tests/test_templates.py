"""The pages are made from templates that escape on output, and from nothing else.

A register name or letter title that carries markup and quotes is shown as text on every kind
of page (letter, index, each register, sources), inside elements and inside attributes alike;
no page module builds markup by hand any more, so no page can forget to escape; the templates
and assets are package data; HTML stays out of ``teitools validate``.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from teitools.model.tei import read_edition
from teitools.render.links import (
    INDEX_PAGE,
    ORGANISATIONS_PAGE,
    PERSONS_PAGE,
    PLACES_PAGE,
    SOURCES_PAGE,
)
from teitools.site.builder import build_site
from tests.helpers import ROOT, copy_edition

#: Breaks out of an attribute if its quote is not escaped, and is a script if ``<`` is not.
HOSTILE = '<script>alert("X")</script>" onmouseover="alert(1)'
LETTER = "stalin-kaganovich-1932-07"


class _Parsed(HTMLParser):
    """A page as a browser reads it: inline scripts, event handlers, text, attribute values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self.text: list[str] = []
        self.attributes: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        if tag == "script" and not dict(attrs).get("src"):
            self.scripts.append("inline script")
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        self.attributes += [value for _, value in attrs if value]

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)
        else:
            self.text.append(data)


def _parse(html: str) -> _Parsed:
    parsed = _Parsed()
    parsed.feed(html)
    parsed.close()
    return parsed


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The site of the bundled edition with markup in a person's, an organisation's, a place's
    and a source's name, and in a letter's title and recipient."""
    root = copy_edition(tmp_path_factory.mktemp("hostile") / "tei")
    escaped = HOSTILE.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    replacements = {
        "persons.xml": [
            ("<surname>Stalin</surname>", f"<surname>Stalin{escaped}</surname>"),
            (
                '<orgName type="main">Central Committee</orgName>',
                f'<orgName type="main">Central Committee{escaped}</orgName>',
            ),
        ],
        "places.xml": [
            (
                '<placeName type="main">Moscow</placeName>',
                f'<placeName type="main">Moscow{escaped}</placeName>',
            )
        ],
        "sources.xml": [
            (
                '<title level="a">Stalin, Molotov, Kaganovich and Russia</title>',
                f'<title level="a">Stalin, Molotov, Kaganovich and Russia{escaped}</title>',
            )
        ],
        f"letters/{LETTER}.xml": [
            (
                "<title>Stalin to Kaganovich, July 1932</title>",
                f"<title>Stalin to Kaganovich{escaped}</title>",
            ),
            # The index names the recipient as the letter does.
            (
                '<persName ref="#kaganovich">Lazar Kaganovich</persName>',
                f'<persName ref="#kaganovich">Lazar Kaganovich{escaped}</persName>',
            ),
        ],
    }
    for name, pairs in replacements.items():
        path = root / name
        text = path.read_text(encoding="utf-8")
        for old, new in pairs:
            assert old in text, f"{name} no longer has {old!r}: update the test"
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    edition = read_edition([root])
    assert not edition.problems
    return build_site(edition)


@pytest.mark.parametrize(
    "page",
    [f"letters/{LETTER}.html", INDEX_PAGE, PERSONS_PAGE, ORGANISATIONS_PAGE, PLACES_PAGE, SOURCES_PAGE],
)
def test_markup_and_quotes_in_names_and_titles_are_shown_as_text_on_every_page(
    hostile_site: dict[str, str], page: str
) -> None:
    parsed = _parse(hostile_site[page])
    assert parsed.scripts == [], f"{page}: {parsed.scripts}"
    assert parsed.handlers == [], f"{page}: a name's quote ended an attribute"
    assert HOSTILE in "".join(parsed.text), f"{page}: the hostile name is not shown as text"


def test_a_hostile_name_in_a_tooltip_stays_inside_its_attribute(hostile_site: dict[str, str]) -> None:
    parsed = _parse(hostile_site[f"letters/{LETTER}.html"])
    # The register's name of Stalin is the tooltip of each link to him: the whole name, quotes and all.
    assert any(HOSTILE in value for value in parsed.attributes)
    assert any(HOSTILE in value for value in _parse(hostile_site[PERSONS_PAGE]).text)


#: The one module that sets how templates escape, and so the one that may call escape().
ESCAPING = ROOT / "teitools" / "render" / "templating.py"
PAGE_MODULES = [
    path
    for path in (
        *sorted((ROOT / "teitools" / "render").glob("*.py")),
        *sorted((ROOT / "teitools" / "site").glob("*.py")),
        ROOT / "teitools" / "cite" / "html.py",
    )
    if path != ESCAPING
]
_TAG = re.compile(r"<[a-zA-Z/!]")


def hand_made_html(source: str) -> list[str]:
    """Where Python code writes markup: an ``escape()`` call, or a string (f-string parts
    included, docstrings not) that opens or closes a tag."""
    tree = ast.parse(source)
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name == "escape":
                found.append(f"line {node.lineno}: escape()")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and _TAG.search(node.value)
        ):
            found.append(f"line {node.lineno}: {node.value!r}")
    return sorted(found)


@pytest.mark.parametrize("module", PAGE_MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_page_modules_write_no_markup_and_escape_nothing_by_hand(module: Path) -> None:
    found = hand_made_html(module.read_text(encoding="utf-8"))
    assert found == [], f"{module.name} builds HTML by hand: {found}"


def test_the_hand_made_html_check_sees_escapes_and_tags_but_not_docstrings() -> None:
    assert hand_made_html('x = f"<p>{escape(text)}</p>"') == [
        "line 1: '</p>'",
        "line 1: '<p>'",
        "line 1: escape()",
    ]
    assert hand_made_html("x = html.escape(value)") == ["line 1: escape()"]
    assert hand_made_html("x = '</a>'") == ["line 1: '</a>'"]
    assert hand_made_html('def f():\n    """Returns ``"<id>"``."""\n    return render("page.html")') == []


def test_validate_does_not_load_the_template_engine() -> None:
    script = (
        "import sys\n"
        "from teitools.cli import main\n"
        "main(['validate', 'tests/fixtures/valid/minimal-letter.xml'])\n"
        "print('jinja2' in sys.modules, 'markupsafe' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert done.stdout.strip().endswith("False False"), done.stdout + done.stderr
