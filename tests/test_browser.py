"""The site in a real browser: headless Chromium, opened from file://, browsed and searched.

Skips with the reason when selenium, Chromium or chromedriver is absent (``.ci/run``
installs Debian's ``chromium`` and ``chromium-driver``). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from teitools.export.output import write_files
from teitools.model.tei import read_edition
from teitools.site.builder import build_site
from tests.helpers import EDITION, ROOT

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
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


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
    if request.param == "file":
        yield site.as_uri()
        return
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
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
