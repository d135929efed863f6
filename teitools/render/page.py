"""The HTML frame every page shares: head, stylesheet, site navigation, skip link.

Pages load nothing from the network: the stylesheet is a file beside them
(:data:`~teitools.render.links.STYLESHEET`, from :func:`stylesheet`) and scripts are local.
The frame is ``templates/page.html``; the assets are in ``static/``.
"""

from __future__ import annotations

from markupsafe import Markup

from teitools.render.links import (
    ABOUT_PAGE,
    CITE_SCRIPT,
    CORRESPONDENTS_PAGE,
    FAVICON,
    INDEX_PAGE,
    ORGANISATIONS_PAGE,
    PERSONS_PAGE,
    PLACES_PAGE,
    SOURCES_PAGE,
    STYLESHEET,
)
from teitools.render.templating import render, static

_NAV = (
    (INDEX_PAGE, "Letters"),
    (CORRESPONDENTS_PAGE, "Correspondents"),
    (PERSONS_PAGE, "Persons"),
    (ORGANISATIONS_PAGE, "Organisations"),
    (PLACES_PAGE, "Places"),
    (SOURCES_PAGE, "Sources"),
    (ABOUT_PAGE, "About"),
)


def stylesheet() -> str:
    """The CSS of every page (screen, phone and print)."""
    return static(STYLESHEET)


def assets() -> dict[str, str]:
    """The files every page refers to, by file name: the stylesheet, the icon and the letter
    pages' script.

    A page without an icon makes a browser ask the server for /favicon.ico (a 404 logged as a
    console error when the site is served): every page names this local one instead.
    """
    return {STYLESHEET: stylesheet(), FAVICON: static(FAVICON), CITE_SCRIPT: static(CITE_SCRIPT)}


def page(
    title: str,
    main: Markup,
    *,
    current: str = "",
    scripts: tuple[str, ...] = (),
    root: str = "",
    head: Markup | None = None,
    footer: Markup | None = None,
) -> str:
    """A complete HTML5 document around ``main``; ``title`` is plain text.

    ``current`` is the file name of this page in the site navigation ("" for a letter);
    ``root`` leads from this page to the site's top folder ("../" from a letter page);
    ``head`` goes into ``<head>`` (a letter's citation meta tags); ``footer`` after ``<main>``
    (the site's licence and citation of the edition).
    """
    return str(
        render(
            "page.html",
            title=title,
            main=main,
            head=head or "",
            footer=footer or "",
            nav=_NAV,
            current=current,
            scripts=scripts,
            root=root,
            favicon=FAVICON,
            stylesheet=STYLESHEET,
        )
    )
