"""Formatted citations: golden files for every letter, citeproc-py's gaps, the cite command."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from teitools.cite.citeproc_patches import ORIGINALS
from teitools.cite.mapping import citables, csl_item
from teitools.cite.styles import (
    CiteOptions,
    _Processor,
    format_bibliography,
    format_citation,
    format_letter,
    load_style,
)
from teitools.cli import main
from teitools.errors import CitationError
from teitools.model.tei import read_edition
from teitools.model.types import Edition, Letter
from tests.conftest import Golden
from tests.helpers import EDITION, ROOT, run_cli

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "cite" / "letters"
LETTERS = sorted((EDITION / "letters").glob("*.xml")) + sorted(FIXTURES.glob("*.xml"))
CASE = "stalin-kaganovich-1935-08-22"


@pytest.fixture(scope="module")
def edition() -> Edition:
    return read_edition([EDITION])


def _letter(edition: Edition, letter_id: str) -> Letter:
    return next(x for x in edition.letters if x.id == letter_id)


def _item(edition: Edition, letter_id: str) -> dict[str, object]:
    return csl_item(citables(edition, [_letter(edition, letter_id)])[0])


def _formats(edition: Edition, letter: Letter) -> str:
    lines = []
    for style in ("chicago", "mla", "apa"):
        for label, options in (
            ("note", CiteOptions(style=style, note=True)),
            ("note, page 45", CiteOptions(style=style, note=True, locator="45")),
            ("bibliography", CiteOptions(style=style)),
            ("bibliography html", CiteOptions(style=style, html=True)),
        ):
            try:
                text = format_letter(edition, letter, options)
            except CitationError as error:
                text = f"error: {error}"
            lines.append(f"{style} {label}: {text}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("path", LETTERS, ids=lambda p: p.stem)
def test_every_letter_in_every_style_matches_golden(path: Path, golden: Golden) -> None:
    edition = read_edition([path])
    (letter,) = edition.letters
    golden(f"cite/styles/{letter.id}.txt", _formats(edition, letter))


def test_chicago_note_reads_as_a_historian_cites_a_letter(edition: Edition) -> None:
    text = format_letter(edition, _letter(edition, CASE), CiteOptions(note=True, locator="45"))
    assert text == (
        "Joseph Stalin to Lazar Kaganovich, August 22, 1935, in The Stalin-Kaganovich "
        "Correspondence 1931-36, ed. R. W. Davies et al., Annals of Communism (Yale University "
        "Press, 2003), 45."
    )


def test_chicago_gives_a_certain_date_once_and_marks_an_uncertain_one(
    edition: Edition,
) -> None:
    note = format_letter(edition, _letter(edition, "stalin-kaganovich-1933"), CiteOptions(note=True))
    assert ", 1933, in The Stalin-Kaganovich" in note
    assert "(Yale University Press, 2003)." in note
    uncertain = format_letter(edition, _letter(edition, "stalin-kaganovich-1930"), CiteOptions(note=True))
    assert "(?), [between 1930 and August 7, 1932], in The Stalin" in uncertain
    assert "(Yale University Press, 2003)." in uncertain
    # What is formatted is the exported item: it has no original-date to print twice.
    assert "original-date" not in _item(edition, "stalin-kaganovich-1933")


# --- citeproc-py's gaps, one test each -------------------------------------------------------


def test_full_given_names_where_the_style_says_initialize_false(edition: Edition) -> None:
    entry = format_letter(edition, _letter(edition, CASE), CiteOptions())
    assert entry.startswith("Stalin, Joseph. To Lazar Kaganovich, August 22, 1935.")
    assert "Oleg V. Khlevniuk" in entry
    # APA initializes (it does not say initialize="false"): that must stay.
    apa = format_letter(edition, _letter(edition, CASE), CiteOptions(style="apa"))
    assert apa.startswith("Stalin, J. (2003).")


def test_commas_and_periods_go_inside_closing_quotation_marks(edition: Edition) -> None:
    mla = format_letter(edition, _letter(edition, CASE), CiteOptions(style="mla"))
    assert mla.startswith("Stalin, Joseph. Letter to Lazar Kaganovich, 22 Aug. 1935.")
    titled = {**_item(edition, CASE), "title": "On the grain procurements"}
    note = format_citation(titled, CiteOptions(note=True))
    assert "“On the Grain Procurements,” to Lazar Kaganovich" in note
    assert "”," not in note
    assert "“On the Grain Procurements.”" in format_bibliography([titled], CiteOptions(style="mla"))[0]


def test_the_locator_of_a_note_does_not_leak_into_the_bibliography(edition: Edition) -> None:
    item = _item(edition, CASE)
    plain = format_bibliography([item], CiteOptions())
    assert format_citation(item, CiteOptions(note=True, locator="45")).endswith(", 45.")
    after = format_bibliography([item], CiteOptions())
    assert after == plain
    assert "45" not in after[0]


def test_nothing_is_ambiguous_in_the_citation_of_one_letter(edition: Edition) -> None:
    # citeproc-py took every disambiguate="true" test as true: MLA added the title.
    assert (
        format_citation(_item(edition, CASE), CiteOptions(style="mla", note=True, locator="45"))
        == "(Stalin 45)"
    )


def test_apa_capitalizes_the_editor_label(edition: Edition) -> None:
    apa = format_letter(edition, _letter(edition, CASE), CiteOptions(style="apa"))
    assert "& L. A. Rogovaya (Eds.), The Stalin-Kaganovich" in apa


def test_typographic_apostrophe(edition: Edition) -> None:
    entry = format_letter(edition, _letter(edition, "stalin-molotov-1926-06-25"), CiteOptions())
    assert "In Stalin\u2019s Letters to Molotov, 1925-1936" in entry


def _seam_that(raises: type[BaseException]) -> object:
    def seam(*_: object) -> str:
        raise raises("in the middle of a join")

    return seam


def test_an_interruption_while_formatting_stops_the_formatting(
    edition: Edition, monkeypatch: pytest.MonkeyPatch
) -> None:
    # citeproc-py's Delimited.join caught everything, Ctrl-C and teitools' SIGTERM too, and a
    # build interrupted while it formatted a citation ran to the end (CI, stop 22).
    monkeypatch.setattr("citeproc.string.normalize_seam", _seam_that(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt, match="in the middle of a join"):
        format_letter(edition, _letter(edition, "stalin-molotov-1926-06-25"), CiteOptions(style="mla"))


def test_an_error_while_joining_still_leaves_that_part_empty() -> None:
    # What citeproc-py's fallback is for, which the patch above keeps for errors.
    from citeproc.model import Delimited  # noqa: PLC0415 -- patched by then (format_letter above)

    class Group:
        def get(self, _: str, default: str) -> str:
            return default

    def parts() -> Iterator[str]:
        yield "Stalin"
        raise ValueError("a part citeproc-py cannot join")

    assert str(Delimited.join(Group(), parts(), ", ")) == ""


def test_threads_formatting_at_once_each_get_their_own_letter(edition: Edition) -> None:
    # test_cite_pandoc formats in four threads; one thread got another's APA entry (CI, stop 23).
    items = [csl_item(c) for c in citables(edition)]
    jobs = [(item, style) for item in items for style in ("chicago", "mla", "apa")] * 3

    def entry(job: tuple[dict[str, object], str]) -> str:
        item, style = job
        return format_bibliography([item], CiteOptions(style=style))[0]

    alone = [entry(job) for job in jobs]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns often, as on a busy machine
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            together = list(pool.map(entry, jobs))
    finally:
        sys.setswitchinterval(interval)
    assert [i for i, (a, b) in enumerate(zip(alone, together, strict=True)) if a != b] == []


def test_bibliography_of_many_letters_in_style_order(edition: Edition) -> None:
    items = [csl_item(c) for c in citables(edition)]
    near_identical = [
        {
            **items[-2],
            "id": f"test1935-08-{day:02d}",
            "citation-key": f"test1935-08-{day:02d}",
            "event-date": {"date-parts": [[1935, 8, day]]},
        }
        for day in range(1, 29)
    ]
    entries = format_bibliography(items + near_identical, CiteOptions())
    alone = {format_bibliography([item], CiteOptions())[0] for item in items + near_identical}
    # Chicago entries do not depend on one another: each reads as it does alone.
    assert set(entries) == alone
    assert len(entries) == len(items) + len(near_identical)
    assert entries[0].startswith("Kaganovich, Lazar. To Joseph Stalin")
    assert entries[-1].startswith("Stalin, Joseph. To Vyacheslav Molotov")


def test_year_suffixes_where_author_date_citations_would_read_the_same(
    edition: Edition,
) -> None:
    # citeproc-py does not disambiguate: three letters of Stalin in one volume read
    # "(Stalin, 2003)" three times; APA wants 2003a, 2003b, 2003c, in bibliography order.
    item = _item(edition, CASE)
    key = "stalin1935-08-25molotov"
    other = {
        **item,
        "id": key,
        "citation-key": key,
        "event-date": {"date-parts": [[1935, 8, 25]]},
        "recipient": [{"family": "Molotov", "given": "Vyacheslav"}],
    }
    entries = format_bibliography(
        [other, item, _item(edition, "stalin-kaganovich-1933")], CiteOptions(style="apa")
    )
    assert [e.split("]")[0] for e in entries] == [
        "Stalin, J. (2003a). [Letter to Lazar Kaganovich",
        "Stalin, J. (2003b). [Letter to Lazar Kaganovich",
        "Stalin, J. (2003c). [Letter to Vyacheslav Molotov",
    ]
    # Chicago does not ask for year suffixes: nothing is added.
    chicago = format_bibliography([other, item], CiteOptions())
    assert not any("2003a" in e for e in chicago)


@pytest.mark.parametrize("style", ["chicago", "apa", "mla"])
def test_lazy_sort_orders_as_citeproc_py(style: str, edition: Edition) -> None:
    fixtures = read_edition([FIXTURES])
    items = [csl_item(c) for c in citables(edition)] + [csl_item(c) for c in citables(fixtures)]
    items += [{**items[-3], "id": f"same-day-{n}", "citation-key": f"same-day-{n}"} for n in range(3)]
    patched = _Processor(load_style(style), items, html=False).sorted_keys()
    unsorted = _Processor(load_style(style), items, html=False)
    unsorted._register_all()
    layout = unsorted._csl.root.bibliography.layout
    sort = layout.getparent().find("cs:sort", layout.nsmap)
    original = ORIGINALS["Sort.sort"](sort, list(unsorted._bib.items), layout)
    assert patched == [str(item.key) for item in original]
    assert patched != [str(item["id"]) for item in items]  # the sort did reorder
    assert len(set(patched)) == len(items)


def test_html_output_escapes_and_italicises() -> None:
    edition = read_edition([FIXTURES / "chaikovsky-dvorak-1888-01-22.xml"])
    html = format_letter(edition, edition.letters[0], CiteOptions(html=True))
    assert "<i>Letters &amp; Papers: 100% {complete} #1_draft</i>" in html
    evil = {**csl_item(citables(edition)[0]), "container-title": "<script>x</script> & Co"}
    html = format_citation(evil, CiteOptions(html=True, note=True))
    assert "<i>&lt;script&gt;x&lt;/script&gt; &amp; Co</i>" in html


# --- the cite command ------------------------------------------------------------------------


def test_cite_command_prints_the_entry() -> None:
    path = str(EDITION / "letters" / f"{CASE}.xml")
    code, out, err = run_cli("cite", *[path])
    assert (code, err) == (0, "")
    assert out.startswith("Stalin, Joseph. To Lazar Kaganovich, August 22, 1935. In ")
    code, out, _ = run_cli("cite", *[path, "--note", "--locator", "45", "--style", "apa"])
    assert (code, out) == (0, "(Stalin, 2003, p. 45)\n")
    code, out, _ = run_cli("cite", *[path, "--html", "--style", "mla"])
    assert code == 0
    assert "<i>The Stalin-Kaganovich Correspondence 1931-36</i>" in out


def test_cite_command_takes_a_csl_file() -> None:
    path = str(EDITION / "letters" / f"{CASE}.xml")
    code, out, _ = run_cli("cite", *[path, "--style", str(load_style("apa").path)])
    assert code == 0
    assert out.startswith("Stalin, J. (2003). [Letter to Lazar Kaganovich].")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere.xml"], "does not exist"),
        ([str(EDITION)], "is a directory"),
        ([str(EDITION / "persons.xml")], "no letter here"),
        ([str(EDITION / "letters" / f"{CASE}.xml"), "--style", "nope"], "unknown style 'nope'"),
        ([str(EDITION / "letters" / f"{CASE}.xml"), "--style", "x/y.csl"], "no such CSL style"),
        (
            [str(EDITION / "letters" / f"{CASE}.xml"), "--style", str(EDITION / "persons.xml")],
            "not a CSL style",
        ),
        ([str(EDITION / "letters" / f"{CASE}.xml"), "--locator", "45"], "add --note"),
        ([str(EDITION / "letters" / f"{CASE}.xml"), "--note", "--locator", " "], "give a page"),
        ([str(FIXTURES / "jones-smith-1902.xml")], "leaves this letter out of the bibliography"),
    ],
)
def test_cite_command_errors_exit_2_without_traceback(args: list[str], message: str) -> None:
    code, out, err = run_cli("cite", *args)
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_a_broken_csl_file_is_reported(tmp_path: Path) -> None:
    broken = tmp_path / "broken.csl"
    broken.write_text(
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="note">'
        '<citation><layout><text macro="missing"/></layout></citation>'
        "</style>",
        encoding="utf-8",
    )
    code, _, err = run_cli(
        "cite", *[str(EDITION / "letters" / f"{CASE}.xml"), "--note", "--style", str(broken)]
    )
    assert code == 2
    assert "citeproc-py cannot format with it" in err
    assert "Traceback" not in err
    code, _, err = run_cli("cite", *[str(EDITION / "letters" / f"{CASE}.xml"), "--style", str(broken)])
    assert code == 2
    assert "it has no bibliography; use --note" in err


def test_every_command_option_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cite", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--style", "--note", "--locator", "--html"):
        assert option in out
    assert "Example: teitools cite" in out


def test_the_examples_in_the_docs_are_what_the_command_prints(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = (ROOT / "docs" / "citations.md").read_text(encoding="utf-8")
    lines = docs.splitlines()
    examples = [
        (line.removeprefix("$ teitools ").split(), lines[number + 1])
        for number, line in enumerate(lines)
        if line.startswith("$ teitools cite ")
    ]
    assert len(examples) >= 2
    monkeypatch.chdir(ROOT)
    for args, expected in examples:
        assert main(args) == 0
        assert capsys.readouterr().out == expected + "\n"
