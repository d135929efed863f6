"""The "Cite this letter" block of a letter page.

This is the hook the citations feature fills: :func:`cite_section` returns the block's
HTML, and every letter page (HTML export and site) places it after the notes. Until
citations exist the section is present but empty (and hidden by the stylesheet), so that
links to ``#cite`` and the page structure do not change when it is filled.
"""

from __future__ import annotations

from teitools.model import Edition, Letter


def cite_section(letter: Letter, edition: Edition) -> str:
    """The HTML of the "Cite this letter" section for ``letter`` (empty placeholder)."""
    del letter, edition  # used once citations are formatted here
    return '<section id="cite" class="cite"></section>\n'
