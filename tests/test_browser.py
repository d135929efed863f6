"""The site in a real browser: headless Chromium, opened from file://, browsed and searched.

Skips with the reason when selenium, Chromium or chromedriver is absent (``.ci/run``
installs Debian's ``chromium`` and ``chromium-driver``). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import shutil
import threading
from collections.abc import Iterator
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from teitools.export.output import write_files
from teitools.load.settings import settings_for
from teitools.model.tei import read_edition
from teitools.site.builder import INDEX_LETTERS_SCRIPT, SiteOptions, build_site
from tests.helpers import EDITION, LIVE_EDITION, REFERENCE, ROOT

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
if CHROMIUM is None or CHROMEDRIVER is None:
    pytest.skip(
        "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)",
        allow_module_level=True,
    )

from selenium.webdriver.common.by import By  # noqa: E402 -- only once selenium is known present
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1100,900",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
    try:
        driver = webdriver.Chrome(service=service, options=options)
    except Exception as error:
        pytest.skip(f"Chromium could not be started: {error}")
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(params=["file", "http"])
def site_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The built site, opened from file:// or served as by `python -m http.server`."""
    site = tmp_path / "site"
    write_files(site, build_site(read_edition([EDITION])))
    with _opened(site, "", request.param) as url:
        yield url


@contextlib.contextmanager
def _opened(site: Path, page: str, how: str) -> Iterator[str]:
    """The address of ``page`` of ``site`` (``""``: the folder) opened from file:// (``how``
    "file") or served over http on a free port while the context lasts."""
    if how == "file":
        yield (site / page).as_uri() if page else site.as_uri()
        return
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}" + (f"/{page}" if page else "")
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No request log on stderr."""


def _severe_messages(driver: Any) -> list[str]:
    return [
        entry["message"] for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")
    ]


def test_browse_and_search_the_site_offline(browser: Any, site_url: str) -> None:
    wait = WebDriverWait(browser, 10)
    scheme = site_url.split(":", 1)[0]

    browser.get(f"{site_url}/index.html")
    assert browser.title == "Letters"
    letters = browser.find_elements(By.CSS_SELECTOR, "ol.letters li a")
    assert len(letters) == 8

    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / f"index-{scheme}.png"))

    # index -> a letter
    browser.find_element(By.CSS_SELECTOR, 'a[href="letters/stalin-kaganovich-1935-08-22.html"]').click()
    wait.until(expected_conditions.title_is("Stalin to Kaganovich, 22 August 1935"))
    browser.save_screenshot(str(ARTIFACTS / f"letter-{scheme}.png"))
    # a letter -> a person
    browser.find_element(By.LINK_TEXT, "Kleiner").click()
    wait.until(expected_conditions.title_is("Persons"))
    assert browser.current_url.endswith("persons.html#kleiner")
    entry = browser.find_element(By.ID, "kleiner")
    assert "Kleiner" in entry.text
    # the person -> back to a letter
    entry.find_element(By.CSS_SELECTOR, "ul li a").click()
    wait.until(expected_conditions.url_contains("stalin-kaganovich-1935-08-22.html"))
    assert "Send Kleiner to the Omsk region" in browser.find_element(By.CSS_SELECTOR, ".reading-text").text

    # search from the index
    browser.get(f"{site_url}/index.html")
    search = browser.find_element(By.ID, "search")
    search.send_keys("Kleiner")
    wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "search-status"), "1 letter found"))
    results = browser.find_elements(By.CSS_SELECTOR, "#search-results li a")
    assert [r.get_attribute("href").rsplit("/", 1)[-1] for r in results] == [
        "stalin-kaganovich-1935-08-22.html"
    ]
    browser.save_screenshot(str(ARTIFACTS / f"search-{scheme}.png"))
    results[0].click()
    wait.until(expected_conditions.url_contains("stalin-kaganovich-1935-08-22.html"))

    assert _severe_messages(browser) == []


def test_keyboard_reaches_the_skip_link_first(browser: Any, tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_files(site, build_site(read_edition([EDITION])))
    browser.get((site / "letters" / "stalin-molotov-1926-06-25.html").as_uri())
    browser.find_element(By.TAG_NAME, "body").send_keys("\t")
    focused = browser.switch_to.active_element
    assert focused.text == "Skip to content"
    browser.set_window_size(390, 844)  # a phone
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "phone.png"))
    assert _severe_messages(browser) == []


AXE = ROOT / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def live_site(tmp_path: Path) -> Path:
    """The bundled edition's site (its places have coordinates, so it has a map), with its settings."""
    settings = settings_for([LIVE_EDITION])
    site = tmp_path / "live-site"
    write_files(site, build_site(read_edition([LIVE_EDITION]), SiteOptions(settings.title, settings)))
    return site


def _visible_letters(driver: Any) -> list[str]:
    return [
        item.find_element(By.TAG_NAME, "a").get_attribute("href").rsplit("/", 1)[-1]
        for item in driver.find_elements(By.CSS_SELECTOR, "#letter-list li")
        if item.is_displayed()
    ]


def test_timeline_bars_and_filters_select_letters_and_survive_a_reload(browser: Any, site_url: str) -> None:
    wait = WebDriverWait(browser, 10)
    scheme = site_url.split(":", 1)[0]
    browser.get(f"{site_url}/index.html")
    bars = browser.find_elements(By.CSS_SELECTOR, ".timeline a.bar")
    counts = {bar.get_attribute("data-label"): int(bar.get_attribute("data-count")) for bar in bars}
    assert counts == {"1926": 1, "1932": 1, "1933": 1, "1934": 2, "1935": 1, "1936": 1}
    assert len(browser.find_elements(By.CSS_SELECTOR, ".timeline a.range")) == 1
    assert len(_visible_letters(browser)) == 8

    # A bar leads to its letters.
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", bars[3])
    wait.until(expected_conditions.url_contains("from=1934"))
    assert _visible_letters(browser) == [
        "kaganovich-stalin-1934-08-28.html",
        "stalin-kaganovich-1934-09-13.html",
    ]
    assert browser.find_element(By.ID, "filter-from").get_attribute("value") == "1934"
    assert "2 of 8 letters: from 1934; to 1934" in browser.find_element(By.ID, "filter-status").text

    # A correspondent narrows the year's letters further; the choice goes into the address.
    Select(browser.find_element(By.ID, "filter-person")).select_by_visible_text("Lazar Kaganovich")
    wait.until(expected_conditions.url_contains("person=kaganovich"))
    assert len(_visible_letters(browser)) == 2
    browser.find_element(By.ID, "filter-from").clear()
    browser.find_element(By.ID, "filter-from").send_keys("1935\t")
    wait.until(expected_conditions.url_contains("from=1935"))
    assert _visible_letters(browser) == []  # from 1935 to 1934: nothing

    # The view survives a reload, and can be cleared.
    browser.get(f"{site_url}/index.html?person=molotov&from=1926&to=1930")
    assert _visible_letters(browser) == ["stalin-molotov-1926-06-25.html"]
    browser.refresh()
    assert _visible_letters(browser) == ["stalin-molotov-1926-06-25.html"]
    assert (
        Select(browser.find_element(By.ID, "filter-person")).first_selected_option.text
        == "Vyacheslav Molotov"
    )
    browser.save_screenshot(str(ARTIFACTS / f"filtered-{scheme}.png"))
    browser.find_element(By.ID, "filter-clear").click()
    assert len(_visible_letters(browser)) == 8
    assert "person=" not in browser.current_url
    assert _severe_messages(browser) == []


def test_correspondents_square_leads_to_the_pairs_letters(browser: Any, site_url: str) -> None:
    wait = WebDriverWait(browser, 10)
    browser.get(f"{site_url}/correspondents.html")
    cells = browser.find_elements(By.CSS_SELECTOR, "svg a.cell")
    assert [int(cell.get_attribute("data-count")) for cell in cells] == [6, 1, 1, 1, 1, 1]
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / f"correspondents-{site_url.split(':', 1)[0]}.png"))
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", cells[-1])
    wait.until(expected_conditions.url_contains("sender=kaganovich"))
    assert _visible_letters(browser) == ["kaganovich-stalin-1934-08-28.html"]
    assert _severe_messages(browser) == []


def test_search_forgives_transliteration_and_marks_matches(browser: Any, site_url: str) -> None:
    wait = WebDriverWait(browser, 10)
    browser.get(f"{site_url}/index.html")
    search = browser.find_element(By.ID, "search")
    search.send_keys("Molotow")
    wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "search-status"), "1 letter found"))
    results = browser.find_elements(By.CSS_SELECTOR, "#search-results li a")
    assert [r.get_attribute("href").rsplit("/", 1)[-1] for r in results] == ["stalin-molotov-1926-06-25.html"]
    assert "q=Molotow" in browser.current_url
    # A misspelt word of the text ("procurments"): found, and the real word is marked.
    search.clear()
    search.send_keys("procurments")
    wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "search-status"), "letter"))
    marks = [mark.text for mark in browser.find_elements(By.CSS_SELECTOR, "#search-results mark")]
    assert marks and all(mark.startswith("procurement") for mark in marks)
    snippet = browser.find_element(By.CSS_SELECTOR, "#search-results .incipit").text
    assert snippet.split()[0] in ("…", "You")  # cut at a word boundary, or the letter's first word
    # The search respects the filters.
    browser.get(f"{site_url}/index.html?q=grain&person=molotov")
    wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "search-status"), "found"))
    assert browser.find_element(By.ID, "search-status").text == "0 letters found"
    assert _severe_messages(browser) == []


def test_map_dark_mode_and_about_page(browser: Any, live_site: Path) -> None:
    browser.get((live_site / "places.html").as_uri())
    names = [
        dot.get_attribute("data-name")
        for dot in browser.find_elements(By.CSS_SELECTOR, ".places-map a.place")
    ]
    assert names == ["Gorky", "Moscow", "Sochi", "Stalingrad"]
    assert browser.find_element(By.CSS_SELECTOR, ".places-map path.land").size["height"] > 50
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "map.png"))
    light = browser.execute_script("return getComputedStyle(document.body).backgroundColor")
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]}
    )
    dark = browser.execute_script("return getComputedStyle(document.body).backgroundColor")
    assert light == "rgb(253, 252, 248)" and dark == "rgb(27, 26, 24)"
    browser.save_screenshot(str(ARTIFACTS / "map-dark.png"))
    browser.get((live_site / "about.html").as_uri())
    assert "About this edition" in browser.find_element(By.TAG_NAME, "h1").text
    assert "CC BY 4.0" in browser.find_element(By.CSS_SELECTOR, "footer.site").text
    browser.save_screenshot(str(ARTIFACTS / "about-dark.png"))
    assert _severe_messages(browser) == []


PAGE_TYPES = (
    "index.html",
    "letters/stalin-kaganovich-1935-08-22.html",
    "persons.html",
    "organisations.html",
    "places.html",
    "sources.html",
    "correspondents.html",
    "about.html",
)


@pytest.mark.skipif(
    not AXE.is_file(), reason=f"axe-core is not installed ({AXE}; .ci/run installs it with npm)"
)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_core_finds_no_violation_on_any_page_type(browser: Any, live_site: Path, scheme: str) -> None:
    axe = AXE.read_text("utf-8")
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]}
    )
    found = {}
    for name in PAGE_TYPES:
        browser.get((live_site / name).as_uri())
        browser.execute_script(axe)
        result = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document).then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' ' +"
            " v.nodes.map(n => n.target.join(' ')).join(', '))));"
        )
        found[name] = result
    assert found == {name: [] for name in PAGE_TYPES}


SIG_EXAMPLES = REFERENCE / "correspdesc-examples"


@pytest.mark.skipif(not SIG_EXAMPLES.is_dir(), reason=f"the SIG examples are absent ({SIG_EXAMPLES})")
def test_the_sig_examples_site_renders_every_page_without_errors(browser: Any, tmp_path: Path) -> None:
    site = tmp_path / "sig-site"
    write_files(site, build_site(read_edition(sorted(SIG_EXAMPLES.glob("*.xml")))))
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert len(pages) > 10
    for name in pages:
        browser.get((site / name).as_uri())
        assert browser.find_element(By.TAG_NAME, "h1").text, name
        assert _severe_messages(browser) == [], name
    browser.get((site / "index.html").as_uri())
    assert browser.find_elements(By.CSS_SELECTOR, ".timeline a.bar")
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "sig-index.png"))


@pytest.fixture(params=["file", "http"])
def published_letter(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A letter page of the bundled edition as published (base-url, a fixed access date), opened
    from file:// or served over http."""
    settings = settings_for([LIVE_EDITION])
    site = tmp_path / "published"
    options = SiteOptions(settings.title, settings, accessed=date(2026, 12, 1))
    write_files(site, build_site(read_edition([LIVE_EDITION]), options))
    with _opened(site, "letters/stalin-kaganovich-1935-08-22.html", request.param) as url:
        yield url


def test_cite_block_shows_the_chosen_style_and_copies_a_citation(browser: Any, published_letter: str) -> None:
    wait = WebDriverWait(browser, 10)
    origin = published_letter.split("/letters/", maxsplit=1)[0]
    # As a reader's browser asks when a page reads the clipboard, granted here (for every
    # origin, file:// included): headless Chromium has no one to ask.
    browser.execute_cdp_cmd(
        "Browser.grantPermissions", {"permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]}
    )
    browser.get(published_letter)
    block = browser.find_element(By.ID, "cite")
    browser.execute_script("arguments[0].scrollIntoView()", block)

    def shown() -> list[str]:
        return [
            s.get_attribute("data-style")
            for s in block.find_elements(By.CSS_SELECTOR, ".cite-style")
            if s.is_displayed()
        ]

    # The script shows the chooser and one style, the first.
    assert block.find_element(By.ID, "cite-style").is_displayed()
    assert shown() == ["chicago-note"]
    Select(block.find_element(By.ID, "cite-style")).select_by_visible_text("MLA (9th ed.)")
    assert shown() == ["mla"]
    citation = block.find_element(By.ID, "cite-mla-1").text
    assert citation.startswith("Stalin, Joseph. Letter to Lazar Kaganovich, 22 Aug. 1935.")
    assert "accessed December 1, 2026, https://example.org/teitools/letters/" in citation
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / f"cite-{origin.split(':', 1)[0]}.png"))

    button = block.find_element(By.CSS_SELECTOR, "#cite-mla button, button[data-copy='cite-mla-1']")
    assert button.is_displayed() and button.tag_name == "button"
    assert button.get_attribute("aria-label") == "Copy: MLA (9th ed.), as read in this edition"
    button.click()
    status = block.find_element(By.CSS_SELECTOR, "[role='status']")
    wait.until(lambda _driver: status.text != "")
    selected = browser.execute_script("return window.getSelection().toString()")
    if status.text == "Copied" and not selected:
        # Copied through navigator.clipboard: read it back.
        copied = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "navigator.clipboard.readText().then(done, e => done('unreadable: ' + e));"
        )
        assert " ".join(copied.split()) == " ".join(citation.split())
    else:
        # The fallback: the citation is selected (and copied where execCommand still works).
        assert " ".join(selected.split()) == " ".join(citation.split())
        assert status.text in ("Copied", "Selected: press Ctrl+C (⌘C) to copy")
    assert _severe_messages(browser) == []


def test_without_the_clipboard_api_the_copy_button_selects_the_citation(
    browser: Any, published_letter: str
) -> None:
    browser.get(published_letter)
    # As in a browser without navigator.clipboard (an older one, or a page not trusted with it).
    browser.execute_script("Object.defineProperty(navigator, 'clipboard', {value: undefined});")
    button = browser.find_element(By.CSS_SELECTOR, "button[data-copy='cite-chicago-note-1']")
    browser.execute_script("arguments[0].scrollIntoView()", button)
    button.click()
    status = browser.find_element(By.CSS_SELECTOR, "#cite [role='status']")
    WebDriverWait(browser, 10).until(lambda _driver: status.text != "")
    selected = browser.execute_script("return window.getSelection().toString()")
    citation = browser.find_element(By.ID, "cite-chicago-note-1").text
    assert " ".join(selected.split()) == " ".join(citation.split())
    assert status.text in ("Copied", "Selected: press Ctrl+C (⌘C) to copy")


@pytest.mark.slow  # a site of 209 letters, citations included, then the browser: 10 to 20 s
def test_a_large_index_pages_its_letters_and_filters_and_search_see_every_page(
    browser: Any, tmp_path: Path
) -> None:
    from tests.test_site_index import LETTERS, repeated_edition  # noqa: PLC0415 -- the same edition

    site = tmp_path / "big-site"
    write_files(site, build_site(read_edition([repeated_edition(tmp_path / "edition", LETTERS)]), jobs=2))
    wait = WebDriverWait(browser, 10)
    browser.get((site / "index.html").as_uri())
    assert len(_visible_letters(browser)) == 200
    more = browser.find_element(By.ID, "show-more")
    assert more.text == f"Show more letters (200 of {LETTERS} shown)"
    more.click()
    visible = _visible_letters(browser)
    assert len(visible) == LETTERS and len(set(visible)) == LETTERS
    index = (site / "index.html").read_text(encoding="utf-8")
    script = (site / INDEX_LETTERS_SCRIPT).read_text(encoding="utf-8")
    in_order = re.findall(r'<a href="letters/([^"]+)">', index) + [
        row[2].rsplit("/", 1)[-1] for row in json.loads(script[script.index("=") + 1 : script.rindex(";")])
    ]
    assert visible == in_order, "the letters made from data stand in date order after the page's"
    # A filter reaches the letters after the first page: every copy of Molotov's one letter.
    molotov = [name for name in visible if name.startswith("stalin-molotov-1926-06-25")]
    browser.get((site / "index.html").as_uri() + "?person=molotov")
    assert sorted(_visible_letters(browser)) == sorted(molotov) and len(molotov) > 20
    assert browser.find_element(By.ID, "filter-status").text.startswith(
        f"{len(molotov)} of {LETTERS} letters"
    )
    # So does the search, which asks the filters about each letter.
    search = browser.find_element(By.ID, "search")
    search.send_keys("Kleiner")
    kleiner = len([name for name in visible if name.startswith("stalin-kaganovich-1935-08-22")])
    wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "search-status"), "found"))
    assert browser.find_element(By.ID, "search-status").text == "0 letters found"  # none to Molotov
    browser.find_element(By.ID, "filter-clear").click()
    wait.until(
        expected_conditions.text_to_be_present_in_element(
            (By.ID, "search-status"), f"{kleiner} letters found"
        )
    )
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "index-paged.png"))
    assert _severe_messages(browser) == []
