"""The HTML frame every page shares: head, stylesheet, site navigation, skip link.

Pages load nothing from the network: the stylesheet is a file beside them
(:data:`~teitools.render.links.STYLESHEET`, from :func:`stylesheet`) and scripts are local.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from teitools.render.links import (
    FAVICON,
    INDEX_PAGE,
    ORGANISATIONS_PAGE,
    PERSONS_PAGE,
    PLACES_PAGE,
    SOURCES_PAGE,
    STYLESHEET,
)

_CSS = Path(__file__).with_name("teitools.css")
#: A page without an icon makes a browser ask the server for /favicon.ico (a 404 logged as a
#: console error when the site is served): every page names this local one instead.
_ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<rect x="1" y="3" width="14" height="10" rx="1" fill="#f4f1e8" stroke="#7a2e1d"/>'
    '<path d="M1.5 3.5 8 9l6.5-5.5" fill="none" stroke="#7a2e1d"/></svg>\n'
)
_NAV = (
    (INDEX_PAGE, "Letters"),
    (PERSONS_PAGE, "Persons"),
    (ORGANISATIONS_PAGE, "Organisations"),
    (PLACES_PAGE, "Places"),
    (SOURCES_PAGE, "Sources"),
)
_CURRENT = ' aria-current="page"'


def stylesheet() -> str:
    """The CSS of every page (screen, phone and print)."""
    return _CSS.read_text(encoding="utf-8")


def assets() -> dict[str, str]:
    """The files every page refers to, by file name: the stylesheet and the icon."""
    return {STYLESHEET: stylesheet(), FAVICON: _ICON}


def page(
    title: str,
    main: str,
    *,
    current: str = "",
    scripts: tuple[str, ...] = (),
    root: str = "",
    head: str = "",
) -> str:
    """A complete HTML5 document; ``main`` and ``head`` are trusted HTML, ``title`` plain text.

    ``current`` is the file name of this page in the site navigation ("" for a letter);
    ``root`` leads from this page to the site's top folder ("../" from a letter page);
    ``head`` goes into ``<head>`` (a letter's citation meta tags).
    """
    nav = "".join(
        f'<li><a href="{root}{href}"{_CURRENT if href == current else ""}>{label}</a></li>'
        for href, label in _NAV
    )
    script_tags = "".join(f'<script src="{escape(root + s)}"></script>\n' for s in scripts)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f'<link rel="icon" href="{root}{FAVICON}" type="image/svg+xml">\n'
        f'<link rel="stylesheet" href="{root}{STYLESHEET}">\n'
        f"{head}</head>\n<body>\n"
        '<a class="skip" href="#main">Skip to content</a>\n'
        f'<nav class="site" aria-label="Edition"><ul>{nav}</ul></nav>\n'
        f'<main id="main">\n{main}</main>\n'
        f"{script_tags}</body>\n</html>\n"
    )
