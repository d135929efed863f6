"""``teitools cite --edition``: the letter cited as read in the digital edition (its page, the
access date, the source the text is quoted from), after its printed volume."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from teitools.cite.mapping import OnlineEdition, citables, letter_url, online_item
from teitools.model.tei import read_edition
from tests.helpers import EDITION, copy_edition, make_edition

from .conftest import RunCli

LETTER = EDITION / "letters" / "stalin-kaganovich-1935-08-22.xml"
PAGE = "https://example.org/teitools/letters/stalin-kaganovich-1935-08-22.html"
QUOTED = (
    "quoted in Chris Corin, “Stalin, Molotov, Kaganovich and Russia,” in Stalin’s letters to "
    "Molotov and Kaganovich: a teitools sample edition, accessed December 1, 2026"
)


def test_the_note_cites_the_volume_then_the_page_the_text_was_read_on(run_cli: RunCli) -> None:
    done = run_cli("cite", LETTER, "--edition", "--accessed", "2026-12-01", "--note", "--locator", "45")
    assert done.code == 0, done.err
    assert done.out == (
        "Joseph Stalin to Lazar Kaganovich, August 22, 1935, in The Stalin-Kaganovich Correspondence "
        "1931-36, ed. R. W. Davies et al., Annals of Communism (Yale University Press, 2003), 45, "
        f"{QUOTED}, {PAGE}.\n"
    )


@pytest.mark.parametrize(
    ("style", "start", "end"),
    [
        (
            "chicago",
            "Stalin, Joseph. To Lazar Kaganovich, August 22, 1935. In The",
            f"2003. {QUOTED}. {PAGE}.",
        ),
        (
            "chicago17",
            "Stalin, Joseph. To Lazar Kaganovich, August 22, 1935.",
            f"New Haven: Yale University Press, 2003. {QUOTED}. {PAGE}.",
        ),
        (
            "mla",
            "Stalin, Joseph. Letter to Lazar Kaganovich, 22 Aug. 1935.",
            f"2003, {QUOTED}, {PAGE}. Annals of Communism.",
        ),
        (
            "apa",
            "Stalin, J. (2003). [Letter to Lazar Kaganovich].",
            f"{QUOTED}. Letter to Lazar Kaganovich, August 22, 1935. {PAGE}",
        ),
    ],
)
def test_each_style_names_the_page_the_access_date_and_the_source_quoted(
    run_cli: RunCli, style: str, start: str, end: str
) -> None:
    done = run_cli("cite", LETTER, "--edition", "--accessed", "2026-12-01", "--style", style)
    assert done.code == 0, done.err
    assert done.out.startswith(start)
    assert done.out.endswith(end + "\n")


def test_the_access_date_is_today_unless_given(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    done = run_cli("cite", LETTER, "--edition")
    today = datetime.now(tz=UTC).date()
    assert f"accessed {today:%B} {today.day}, {today.year}. https://" in done.out


def test_source_date_epoch_fixes_the_access_date_of_the_cli_and_the_pages(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """As reproducible builds ask: the day of ``SOURCE_DATE_EPOCH`` (UTC), for ``cite`` and for
    the pages of ``export html``, which has no ``--accessed``."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "946771199")  # 1 January 2000, 23:59:59 UTC
    done = run_cli("cite", LETTER, "--edition")
    assert "accessed January 1, 2000. https://" in done.out
    exported = run_cli("export", "html", EDITION, "-o", tmp_path / "html")
    assert exported.code == 0, exported.err
    page = (tmp_path / "html" / "letters" / "stalin-kaganovich-1935-08-22.html").read_text("utf-8")
    assert "accessed January 1, 2000" in page


def test_base_url_on_the_command_line_wins(run_cli: RunCli) -> None:
    done = run_cli(
        "cite", LETTER, "--edition", "--accessed", "2026-12-01", "--base-url", "https://letters.test/ed"
    )
    assert done.out.rstrip().endswith(". https://letters.test/ed/letters/stalin-kaganovich-1935-08-22.html.")


def test_without_an_address_the_error_names_the_setting_and_the_option(
    run_cli: RunCli, tmp_path: Path
) -> None:
    folder = make_edition(tmp_path / "e", {"a": {}}, settings='title = "Letters"\n')
    done = run_cli("cite", folder / "letters" / "a.xml", "--edition")
    assert done.code == 2
    assert "base-url" in done.err and "--base-url" in done.err
    assert "Traceback" not in done.err
    assert done.out == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--accessed", "2026-12-01"], "--accessed and --base-url are for --edition"),
        (["--edition", "--accessed", "1 December 2026"], "does not match the format '%Y-%m-%d'"),
        (["--edition", "--base-url", "example.org"], "--base-url 'example.org' is invalid"),
    ],
)
def test_options_that_cannot_be_used_are_usage_errors(run_cli: RunCli, args: list[str], message: str) -> None:
    done = run_cli("cite", LETTER, *args)
    assert done.code == 2
    assert message in done.err


def test_a_letter_transcribed_from_its_volume_is_online_in_the_edition(tmp_path: Path) -> None:
    folder = copy_edition(tmp_path / "e")
    letter = folder / "letters" / "stalin-kaganovich-1935-08-22.xml"
    text = letter.read_text(encoding="utf-8")
    letter.write_text(text.replace('corresp="#corin-article"', 'corresp="#davies-2003"', 1), encoding="utf-8")
    edition = read_edition([folder])
    online = OnlineEdition("Letters", "https://example.org/e/", date(2026, 12, 1))
    (citable,) = [c for c in citables(edition) if c.letter.id == "stalin-kaganovich-1935-08-22"]
    item = online_item(citable, online, letter_url(edition, citable.letter, online.base_url))
    assert item["archive"] == "online in Letters, accessed December 1, 2026"
    assert item["URL"] == "https://example.org/e/letters/stalin-kaganovich-1935-08-22.html"
    # The printed volume stays the container: the edition item adds to the letter's own item.
    assert item["container-title"] == "The Stalin-Kaganovich Correspondence 1931-36"
