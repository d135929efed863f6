"""XSLT match patterns (a Schematron rule's ``context``) as expressions that select.

``tei:date`` matches a date anywhere, so it selects as ``//tei:date``. Where the pattern is
plain XPath 1, lxml selects the nodes (in C) much faster than elementpath can.
"""

from __future__ import annotations

from lxml import etree


def match_expression(context: str) -> str:
    """An XSLT match pattern as an expression selecting every node it matches.

    ``tei:date`` matches a date anywhere, so it becomes ``//tei:date``; absolute branches
    (``/``, ``/tei:TEI``) are kept; each branch of a top-level union is treated alike.
    """
    branches = [b.strip() for b in split_union(context)]
    rewritten = [b if b.startswith("/") else f"//({b})" if "|" in b else f"//{b}"
                 for b in branches]
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


def split_union(expression: str) -> list[str]:
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
        elif char == "|" and depth == 0:
            parts.append(expression[start:index])
            start = index + 1
    parts.append(expression[start:])
    return parts

