"""The HTML frame every page shares: head, stylesheet, site navigation, skip link.

Pages load nothing from the network: the stylesheet is a file beside them
(:data:`~teitools.render.links.STYLESHEET`, from :func:`stylesheet`) and scripts are local.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from teitools.render.links import (
    INDEX_PAGE,
    ORGANISATIONS_PAGE,
    PERSONS_PAGE,
    PLACES_PAGE,
    SOURCES_PAGE,
    STYLESHEET,
)

_CSS = Path(__file__).with_name("teitools.css")
_NAV = ((INDEX_PAGE, "Letters"), (PERSONS_PAGE, "Persons"), (ORGANISATIONS_PAGE, "Organisations"),
        (PLACES_PAGE, "Places"), (SOURCES_PAGE, "Sources"))
_CURRENT = ' aria-current="page"'


def stylesheet() -> str:
    """The CSS of every page (screen, phone and print)."""
    return _CSS.read_text(encoding="utf-8")


def page(title: str, main: str, *, current: str = "", scripts: tuple[str, ...] = ()) -> str:
    """A complete HTML5 document; ``main`` is trusted HTML, ``title`` plain text.

    ``current`` is the file name of this page in the site navigation ("" for a letter).
    """
    nav = "".join(
        f'<li><a href="{href}"{_CURRENT if href == current else ""}>{label}</a></li>'
        for href, label in _NAV)
    script_tags = "".join(f'<script src="{escape(s)}"></script>\n' for s in scripts)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f'<link rel="stylesheet" href="{STYLESHEET}">\n'
        "</head>\n<body>\n"
        '<a class="skip" href="#main">Skip to content</a>\n'
        f'<nav class="site" aria-label="Edition"><ul>{nav}</ul></nav>\n'
        f'<main id="main">\n{main}</main>\n'
        f"{script_tags}</body>\n</html>\n"
    )
