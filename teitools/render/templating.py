"""The one place HTML is made: Jinja2 templates (``templates/``) and the pages' assets (``static/``).

Every page module renders a template from here; none writes markup or escapes by hand. Values
are escaped on output; only :class:`~markupsafe.Markup` passes as it is, so a trusted fragment
(a rendered body, a formatted citation) says so in its type.

Escaping follows :func:`html.escape`, which the pages used before templates (``&quot;`` and
``&#x27;``, where markupsafe would write ``&#34;`` and ``&#39;``), so that pages stay
byte for byte what they were; text of the letters (the ``text`` filter) leaves quotes alone,
as in element content they need no escape.
"""

from __future__ import annotations

import html
from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

__all__ = ["render", "static"]


def _escaped(value: Any) -> Any:
    """The ``finalize`` hook: each ``{{ value }}`` escaped as :func:`html.escape` does."""
    if hasattr(value, "__html__"):  # Markup, and whatever else renders itself
        return value
    text = str(value)
    # Most values (names, dates, links) hold nothing to escape: passed on as they are, the
    # autoescape leaves them unchanged, and a page has thousands of them.
    if _ESCAPED.isdisjoint(text):
        return text
    return Markup(html.escape(text))  # noqa: S704 -- escaped on this line


def _text(value: str) -> Markup:
    """Element content: ``<``, ``>`` and ``&`` escaped, quotes kept."""
    if _ESCAPED_IN_TEXT.isdisjoint(value):
        return Markup(value)  # noqa: S704 -- holds nothing to escape
    return Markup(html.escape(value, quote=False))  # noqa: S704 -- escaped on this line


_ESCAPED = frozenset("&<>\"'")
_ESCAPED_IN_TEXT = frozenset("&<>")


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("teitools.render", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_escaped,
        # Block tags on lines of their own leave no blank lines behind.
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Templates are package data: they change only with a new install.
        auto_reload=False,
    )
    environment.filters["text"] = _text
    environment.filters["kind"] = lambda node: type(node).__name__
    return environment


def render(template: str, **context: object) -> Markup:
    """``templates/<template>`` rendered with ``context``."""
    # Autoescaped output: the template escaped every value it did not get as Markup.
    return Markup(_environment().get_template(template).render(**context))  # noqa: S704


def static(name: str) -> str:
    """The text of an asset the pages share (``static/<name>``: stylesheet, script, icon)."""
    return (files("teitools.render") / "static" / name).read_text(encoding="utf-8")
