"""The exported citation files in the programs scholars open them with.

- citeproc-js (the processor of Zotero, Juris-M, Manubot), installed by ``.ci/run`` with
  ``npm install --prefix .ci/node citeproc@2.4.63``: it must accept every exported CSL-JSON
  item and print exactly what ``teitools cite`` prints, in Chicago (17th and 18th editions,
  note and bibliography), MLA and APA, for the bundled edition and the SIG examples.
- biber with pdflatex: the BibLaTeX export compiled with the standard ``authoryear`` and
  ``verbose-note`` styles and with biblatex-chicago; the PDF's text (pdftotext) must show each
  letter's writer, recipient, date and volume.
- pandoc: reads the exported CSL-JSON (including the bracketed uncertain date) and prints it.

Each part skips, saying what to install, when its program is absent.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import citeproc
import pytest

from teitools.cite.bibtex import export_biblatex
from teitools.cite.csl import items as csl_items
from teitools.cite.mapping import OnlineEdition, citables, letter_url, online_item
from teitools.cite.styles import CiteOptions, format_bibliography, format_citation, load_style
from teitools.errors import CitationError
from teitools.export.base import ExportOptions
from teitools.model.tei import read_edition
from teitools.model.types import Edition
from tests.helpers import LIVE_EDITION, REFERENCE, ROOT

CITEPROC_JS = ROOT / ".ci" / "node" / "node_modules" / "citeproc"
RENDER = Path(__file__).resolve().parent / "citations" / "citeproc_render.js"
LOCALES = Path(citeproc.__file__).parent / "data" / "locales"
SIG = REFERENCE / "correspdesc-examples"
STYLES = ("chicago", "chicago17", "mla", "apa")
LOCATOR = "45"

needs_citeproc_js = pytest.mark.skipif(
    shutil.which("node") is None or not CITEPROC_JS.is_dir(),
    reason=f"citeproc-js is not installed (node and `npm install --prefix .ci/node citeproc@2.4.63`; "
    f"looked for {CITEPROC_JS})",
)
needs_latex = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("biber", "pdflatex", "pdftotext")),
    reason="biber, pdflatex or pdftotext is not installed "
    "(apt-get install biber texlive-latex-recommended texlive-bibtex-extra poppler-utils)",
)


def editions() -> list[tuple[str, Edition]]:
    found = [("tei", read_edition([LIVE_EDITION]))]
    if SIG.is_dir():
        found.append(("sig", read_edition(sorted(SIG.glob("*.xml")))))
    return found


EDITIONS = editions()
ONLINE = OnlineEdition(
    "Stalin's letters to Molotov and Kaganovich: a teitools sample edition",
    "https://example.org/teitools/",
    date(2026, 12, 1),
)
#: What the tests have citeproc-js print, (which items, edition, style) -> the items; and
#: what it printed for each.
Key = tuple[str, str, str]
Requests = dict[Key, list[dict[str, object]]]
Rendered = dict[Key, dict[str, list[str]]]


def _cited_online(edition: Edition) -> list[dict[str, object]]:
    """The items of ``teitools cite --edition``: the page, the access date, "quoted in"."""
    return [online_item(c, ONLINE, letter_url(edition, c.letter, ONLINE.base_url)) for c in citables(edition)]


def _requests() -> Requests:
    requests: Requests = {}
    for name, edition in EDITIONS:
        for style in STYLES:
            requests["export", name, style] = csl_items(edition)
            requests["online", name, style] = _cited_online(edition)
    uncertain = [i for i in csl_items(EDITIONS[0][1]) if i["id"] == "stalin1930kaganovich"]
    requests["uncertain", "tei", "chicago"] = uncertain
    return requests


def citeproc_js(requests: Requests) -> Rendered:
    """Each request's notes (cited with a page) and bibliography entries, from one node process:
    loading citeproc-js and building its engine for a style take seconds, formatting milliseconds."""
    keys = list(requests)
    batch = {
        "module": str(CITEPROC_JS),
        "locales": str(LOCALES),
        "requests": [
            {
                "style": str(load_style(key[2]).path),
                "items": requests[key],
                "cites": [{"id": item["id"], "locator": LOCATOR} for item in requests[key]],
            }
            for key in keys
        ],
    }
    result = subprocess.run(
        ["node", str(RENDER)],
        input=json.dumps(batch),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    out: list[dict[str, list[str]]] = json.loads(result.stdout)
    return dict(zip(keys, out, strict=True))


@pytest.fixture(scope="module")
def requests() -> Requests:
    return _requests()


@pytest.fixture(scope="module")
def rendered(requests: Requests) -> Rendered:
    """What citeproc-js prints for every test of this module, rendered once."""
    return citeproc_js(requests)


@pytest.mark.slow
@needs_citeproc_js
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("name", [name for name, _ in EDITIONS])
def test_citeproc_js_prints_what_teitools_cite_prints(
    name: str, style: str, requests: Requests, rendered: Rendered
) -> None:
    key = ("export", name, style)
    _assert_citeproc_js_agrees(name, requests[key], style, rendered[key])


@pytest.mark.slow
@needs_citeproc_js
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("name", [name for name, _ in EDITIONS])
def test_citeproc_js_prints_the_edition_citations_of_cite_edition(
    name: str, style: str, requests: Requests, rendered: Rendered
) -> None:
    """``teitools cite --edition`` (the page, the access date, "quoted in") reads the same in
    citeproc-js."""
    key = ("online", name, style)
    _assert_citeproc_js_agrees(name, requests[key], style, rendered[key])


def _assert_citeproc_js_agrees(
    name: str, items: list[dict[str, object]], style: str, rendered: dict[str, list[str]]
) -> None:
    assert rendered["errors"] == [], f"citeproc-js refused the {name} export: {rendered['errors']}"
    differences = []
    for item, note, theirs in zip(items, rendered["notes"], rendered["entries"], strict=True):
        ours = format_citation(item, CiteOptions(style=style, note=True, locator=LOCATOR))
        if ours != note:
            differences.append(f"{item['id']} {style} note:\n  teitools: {ours}\n  citeproc-js: {note}")
        try:
            entry = format_bibliography([item], CiteOptions(style=style))[0]
        except CitationError:
            entry = ""  # the style has no bibliography entry for an unpublished letter
        if entry != theirs:
            differences.append(
                f"{item['id']} {style} bibliography:\n  teitools: {entry}\n  citeproc-js: {theirs}"
            )
    assert not differences, "\n".join(differences)


@pytest.mark.slow
@needs_citeproc_js
def test_citeproc_js_reads_the_uncertain_range_as_uncertain(requests: Requests, rendered: Rendered) -> None:
    key = ("uncertain", "tei", "chicago")
    assert [item["id"] for item in requests[key]] == ["stalin1930kaganovich"]
    note = rendered[key]["notes"][0]
    assert "[between 1930 and August 7, 1932]" in note


def _compile(folder: Path, bib: str, options: str, package: str = "biblatex") -> str:
    (folder / "letters.bib").write_text(bib, encoding="utf-8")
    (folder / "doc.tex").write_text(
        # No hyphenation, so that a phrase is not split across lines.
        "\\documentclass{article}\\usepackage[T1]{fontenc}\\usepackage[utf8]{inputenc}\n"
        "\\hyphenpenalty=10000\\exhyphenpenalty=10000\\AtBeginDocument{\\raggedright}\n"
        f"\\usepackage[{options}]{{{package}}}\\addbibresource{{letters.bib}}\n"
        "\\begin{document}\\nocite{*}\\printbibliography\\end{document}\n",
        encoding="utf-8",
    )

    def run(*command: str) -> None:
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=180, check=False)
        assert done.returncode == 0, f"{command[0]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}"

    run("pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex")
    run("biber", "doc")
    run("pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex")
    run("pdftotext", "-enc", "UTF-8", "-nopgbrk", "doc.pdf", "doc.txt")
    text = (folder / "doc.txt").read_text(encoding="utf-8").translate(_T1_GLYPHS)
    return " ".join(text.split())


#: The T1 bitmap fonts' glyph slots pdftotext gives as control characters: en dash, quotes.
_T1_GLYPHS = str.maketrans({"\x15": "–", "\x10": "“", "\x11": "”"})


@pytest.mark.slow
@needs_latex
@pytest.mark.parametrize(
    ("package", "options"),
    [("biblatex", "style=authoryear"), ("biblatex", "style=verbose-note"), ("biblatex-chicago", "notes")],
)
def test_biblatex_styles_show_each_letters_date_and_volume(
    tmp_path: Path, package: str, options: str
) -> None:
    if package == "biblatex-chicago" and not all(map(_has_tex_file, ("biblatex-chicago.sty", "xstring.sty"))):
        pytest.skip(
            "biblatex-chicago or its xstring is not installed "
            "(apt-get install texlive-bibtex-extra texlive-latex-extra)"
        )
    edition = read_edition([LIVE_EDITION])
    bib = export_biblatex(edition, ExportOptions()).files["letters.bib"]
    text = _compile(tmp_path, bib, options, package)
    for phrase in (
        "Joseph Stalin to Lazar Kaganovich, August 22, 1935",
        "Joseph Stalin to Lazar Kaganovich (?), [between 1930 and August 7, 1932]",
        "Lazar Kaganovich to Joseph Stalin, August 28, 1934",
        "The Stalin–Kaganovich Correspondence, 1931–36",
        "Steven Shabad",
        "Stalin’s Letters to Molotov, 1925–1936",
        "Yale University Press",
    ):
        assert phrase in text.replace("'", "’"), f"{phrase!r} not in the {options} bibliography:\n{text}"
    assert text.count("Annals of Communism") == len(edition.letters)


def _has_tex_file(name: str) -> bool:
    found = subprocess.run(["kpsewhich", name], capture_output=True, text=True, check=False)
    return bool(found.stdout.strip())


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc is not installed (apt-get install pandoc)")
def test_pandoc_reads_the_exported_csl_json(tmp_path: Path) -> None:
    items = csl_items(read_edition([LIVE_EDITION]))
    (tmp_path / "letters.json").write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    style = load_style("chicago").path
    body = "Text.[^1]\n\n[^1]: [@stalin1930kaganovich]\n"
    done = subprocess.run(
        [
            "pandoc",
            "--citeproc",
            "--bibliography",
            "letters.json",
            "--csl",
            str(style),
            "-t",
            "plain",
            "--wrap=none",
        ],
        input=body,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "Joseph Stalin to Lazar Kaganovich (?), [between 1930 and August 7, 1932], in" in done.stdout
