"""The site's controls and drawings in headless Chromium: the letter page's cite chooser and copy
buttons (styled in light and dark, worked from the keyboard, copying the shown style's text),
and the index timeline's drawing of uncertain dates, its counts read back from the SVG.

The browser, the sites and axe-core are those of test_browser.py (skipped, with its reason,
when selenium, Chromium or chromedriver is absent).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from teitools.export.output import write_files
from teitools.model.tei import read_edition
from teitools.site.builder import build_site
from teitools.site.timeline import MOST_LANES

# test_browser skips this module, with its reason, as it skips itself when the browser is absent.
from tests import test_browser as site_browser
from tests.test_site_views import SAME_RANGE, SOME_RANGES, ranged_edition, ranges_per_year

browser = site_browser.browser
published_letter = site_browser.published_letter
ARTIFACTS, AXE = site_browser.ARTIFACTS, site_browser.AXE

from selenium.webdriver.common.by import By  # noqa: E402 -- only once test_browser found selenium
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

#: The page's background and its fields' (the citation, the buttons), light and dark.
COLOURS = {
    "light": ("rgb(244, 241, 232)", "rgb(255, 255, 255)"),
    "dark": ("rgb(38, 36, 31)", "rgb(18, 17, 15)"),
}


def _scheme(driver: Any, scheme: str) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]}
    )


def _copied(driver: Any, block: Any) -> str:
    """What the last copy button put on the clipboard (or, where the page may not write it,
    selected for the reader to copy)."""
    status = block.find_element(By.CSS_SELECTOR, "[role='status']")
    WebDriverWait(driver, 10).until(lambda _driver: status.text != "")
    selected = driver.execute_script("return window.getSelection().toString()")
    if status.text == "Copied" and not selected:
        copied = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "navigator.clipboard.readText().then(done, e => done('unreadable: ' + e));"
        )
        return " ".join(copied.split())
    assert status.text == "Selected: press Ctrl+C (⌘C) to copy", status.text
    return " ".join(selected.split())


@pytest.mark.slow  # ten citations copied and read back, axe-core in two schemes: 6 to 11 s
def test_the_cite_controls_are_styled_reached_by_keyboard_and_copy_the_shown_style(
    browser: Any, published_letter: str
) -> None:
    browser.execute_cdp_cmd(
        "Browser.grantPermissions", {"permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]}
    )
    browser.get(published_letter)
    block = browser.find_element(By.ID, "cite")
    browser.execute_script("arguments[0].scrollIntoView()", block)
    chooser = block.find_element(By.ID, "cite-style")
    select = Select(chooser)
    styles = [str(option.get_attribute("value")) for option in select.options]
    assert styles == ["chicago-note", "chicago-bibliography", "chicago17-note", "mla", "apa"]
    texts = {}
    for style in styles:
        select.select_by_value(style)
        browser.execute_script("arguments[0].focus()", chooser)
        shown = block.find_element(By.ID, f"cite-{style}")
        # The chooser names the style; its heading stays, for screen readers only.
        assert shown.find_element(By.TAG_NAME, "h3").size == {"height": 1, "width": 1}
        for number in (1, 2):  # as read in this edition, in the printed volume
            # From the chooser (or the previous button), Tab reaches the shown citation's button.
            browser.switch_to.active_element.send_keys(Keys.TAB)
            button = browser.switch_to.active_element
            assert button.get_attribute("data-copy") == f"cite-{style}-{number}"
            outline = browser.execute_script("return getComputedStyle(arguments[0]).outlineStyle", button)
            assert outline == "solid", "the focused button shows where the keyboard is"
            button.send_keys(Keys.SPACE)
            citation = " ".join(block.find_element(By.ID, f"cite-{style}-{number}").text.split())
            assert _copied(browser, block) == citation
            texts[style, number] = citation
            browser.execute_script("document.querySelector('#cite [role=status]').textContent = ''")
    assert len(set(texts.values())) == len(texts), "each button copied its own style's citation"
    assert site_browser._severe_messages(browser) == []  # before axe, whose file:// requests fail
    ARTIFACTS.mkdir(exist_ok=True)
    for scheme, (panel, field) in COLOURS.items():
        _scheme(browser, scheme)
        css = browser.execute_script(
            "const s = (q, p) => getComputedStyle(document.querySelector(q))[p];"
            "return [s('#cite', 'backgroundColor'), s('#cite-style', 'backgroundColor'),"
            " s('#cite-style', 'borderTopLeftRadius'), s('#cite-apa .cite-copy', 'backgroundColor'),"
            " s('#cite-apa .cite-copy', 'borderTopLeftRadius'), s('#cite-apa .cite-copy', 'cursor'),"
            " s('#cite-apa .citation', 'backgroundColor'), s('#cite-apa .citation', 'borderLeftStyle')]"
        )
        assert css == [panel, field, "4px", field, "4px", "pointer", field, "solid"], scheme
        block.screenshot(str(ARTIFACTS / f"cite-block-{scheme}.png"))
        if AXE.is_file():  # the whole page, every type of it, in test_browser.py
            browser.execute_script(AXE.read_text("utf-8"))
            violations = browser.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "axe.run(document.getElementById('cite')).then(r => done(r.violations.map(v => v.id)));"
            )
            assert violations == [], scheme


def test_the_timeline_draws_many_ranges_in_capped_lanes_with_a_count_and_a_band(
    browser: Any, tmp_path: Path
) -> None:
    edition = read_edition([ranged_edition(tmp_path / "edition")])
    site = tmp_path / "site"
    write_files(site, build_site(edition))
    browser.get((site / "index.html").as_uri())
    figure = browser.find_element(By.CSS_SELECTOR, "figure.timeline")
    lines = figure.find_elements(By.CSS_SELECTOR, "a.range")
    counts = [int(str(line.get_attribute("data-count"))) for line in lines]
    more = int(str(figure.find_element(By.CSS_SELECTOR, "g.more").get_attribute("data-count")))
    # Every letter dated only to a range is on a line or in "+N", and the screen says "+N more".
    assert sum(counts) + more == SAME_RANGE + SOME_RANGES and more > 0
    assert figure.find_element(By.CSS_SELECTOR, "g.more text").text == f"+{more} more"
    assert SAME_RANGE in counts  # the letters of one range share its line
    lanes = {round(line.find_element(By.TAG_NAME, "path").rect["y"]) for line in lines}
    assert len(lanes) == MOST_LANES
    # The band: for each year, every letter dated only to a range that takes it in.
    cells = {
        str(cell.get_dom_attribute("href")).rsplit("?", 1)[1]: int(str(cell.get_attribute("data-count")))
        for cell in figure.find_elements(By.CSS_SELECTOR, "a.band")
    }
    assert cells == {f"from={year}&to={year}": count for year, count in ranges_per_year(edition).items()}
    # A figure a reader takes in at a glance, whatever the number of ranges.
    assert figure.find_element(By.TAG_NAME, "svg").rect["height"] < 260
    ARTIFACTS.mkdir(exist_ok=True)
    figure.screenshot(str(ARTIFACTS / "timeline-ranges.png"))
    # A cell of the band leads to the letters that may date from its year: its ranges and the
    # year's one exact letter.
    cell = figure.find_element(By.CSS_SELECTOR, 'a.band[href$="from=1903&to=1903"]')
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", cell)
    WebDriverWait(browser, 10).until(lambda driver: "from=1903" in driver.current_url)
    visible = [
        item for item in browser.find_elements(By.CSS_SELECTOR, "#letter-list li") if item.is_displayed()
    ]
    assert len(visible) == cells["from=1903&to=1903"] + 1
    assert site_browser._severe_messages(browser) == []
    if AXE.is_file():  # the lines, the count and the band are named for a screen reader, light and dark
        for scheme in COLOURS:
            _scheme(browser, scheme)
            browser.execute_script(AXE.read_text("utf-8"))
            violations = browser.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "axe.run(document.querySelector('figure.timeline'))"
                ".then(r => done(r.violations.map(v => v.id)));"
            )
            assert violations == [], scheme
