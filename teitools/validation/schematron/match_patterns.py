"""XSLT match patterns (a Schematron rule's ``context``) as expressions that select.

``tei:date`` matches a date anywhere, so it selects as ``//tei:date``. Where the pattern is
plain XPath 1, lxml selects the nodes (in C) much faster than elementpath can.
"""

from __future__ import annotations

import re

from lxml import etree

#: The name test that ends a path step: ``tei:date``, ``@when``, ``*``, ``attribute::n``.
_LAST_STEP = re.compile(
    r"^(?:(?P<axis>child|attribute)::)?(?P<at>@)?"
    r"(?P<name>(?:[A-Za-z_][\w.-]*:)?(?:[A-Za-z_][\w.-]*|\*))\s*(?:\[|$)"
)


def match_expression(context: str) -> str:
    """An XSLT match pattern as an expression selecting every node it matches.

    ``tei:date`` matches a date anywhere, so it becomes ``//tei:date``; absolute branches
    (``/``, ``/tei:TEI``) are kept; each branch of a top-level union is treated alike.
    """
    branches = [b.strip() for b in split_union(context)]
    rewritten = [b if b.startswith("/") else f"//{b}" for b in branches]
    return " | ".join(rewritten)


def lxml_xpath(expression: str, namespaces: dict[str, str]) -> etree.XPath | None:
    """``expression`` compiled by lxml when it is plain XPath 1 (no variables, no XSLT
    functions), else None."""
    if "$" in expression or "current()" in expression or "generate-id" in expression:
        return None
    try:
        return etree.XPath(expression, namespaces={k: v for k, v in namespaces.items() if k})
    except etree.XPathError:
        return None


def candidate_xpath(context: str, namespaces: dict[str, str]) -> etree.XPath | None:
    """An lxml expression finding a superset of what ``context`` matches, by the name test of
    each branch's last step (``(a | b)/tei:ptr[…]`` -> ``//tei:ptr``); None when a branch
    has no such test. When it finds nothing, the rule matches nothing, and elementpath need
    not walk the document (most of tei_all's rules are about elements a letter never has)."""
    tests = []
    for branch in split_union(context):
        step = split_steps(branch.strip())[-1].strip()
        match = _LAST_STEP.match(step)
        if match is None:
            return None
        attribute = match["at"] or match["axis"] == "attribute"
        tests.append(f"//{'@' if attribute else ''}{match['name']}")
    try:
        return etree.XPath(" | ".join(tests), namespaces={k: v for k, v in namespaces.items() if k})
    except etree.XPathError:
        return None


def split_steps(path: str) -> list[str]:
    """The steps of a path, split at top-level ``/`` (``//`` leaves an empty step)."""
    return _split_top_level(path, "/")


def split_union(expression: str) -> list[str]:
    """The branches of a top-level union ``a | b``."""
    return _split_top_level(expression, "|")


def _split_top_level(expression: str, separator: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    quote: str | None = None
    start = 0
    for index, char in enumerate(expression):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(expression[start:index])
            start = index + 1
    parts.append(expression[start:])
    return parts
