"""The site's controls and drawings in headless Chromium: the letter page's cite chooser and copy
buttons (styled in light and dark, worked from the keyboard, copying the shown style's text),
and the index timeline's drawing of uncertain dates, its counts read back from the SVG.

The browser, the sites and axe-core are those of test_browser.py (skipped, with its reason,
when selenium, Chromium or chromedriver is absent).
"""

from __future__ import annotations

from typing import Any

# Skips this module, with its reason, as it skips itself when the browser is absent.
from tests import test_browser as site_browser

browser = site_browser.browser
published_letter = site_browser.published_letter
live_site = site_browser.live_site
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
