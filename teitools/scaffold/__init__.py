"""Scaffolding: a new letter, or a new register entry, written in the edition's own style.

:mod:`teitools.scaffold.letter` writes ``letters/<id>.xml`` from the registers and settings;
:mod:`teitools.scaffold.entries` makes (and adds) a person, place or source entry.
"""
