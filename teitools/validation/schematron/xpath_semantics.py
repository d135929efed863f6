"""elementpath made to answer as the XPath 2 and XSD specifications (and Saxon) do.

elementpath (pinned below 5.2) departs from the specifications in three ways that change what a
Schematron rule or an XSD 1.1 assertion finds:

- Outside a character class, the multi-character escapes ``\\s \\S \\d \\D \\w \\W`` of a regular
  expression are handed to Python's ``re`` unchanged, and Python's meanings are wider: its
  ``\\s`` matches U+00A0 and U+2009, which XML whitespace (space, tab, CR, LF) does not; its
  ``\\w`` takes ``_`` but no symbol (``$``, ``+``) or combining mark, where XSD's ``\\w`` is
  everything except punctuation, separators and "other" characters. Inside a character class
  elementpath already uses the XSD sets, so each escape is rewritten as that class.
- A path ``E1/E2`` (or ``E1//E2``) returns its nodes in the order it met them, not in
  document order: ``//p//text()`` gives a paragraph's own text before that of its children.
- The string value of an element (``string(.)``, ``normalize-space()``, ``contains(., …)``)
  puts a child's tail before its own children's text (``<p>a<b>b<i>c</i>d</b>e</p>`` reads
  "abecd") and drops the text after a comment or processing instruction.

:func:`install` corrects both, once per process, wherever elementpath evaluates: matches(),
replace(), tokenize() and analyze-string() in XPath, and the pattern facets and identity
constraints xmlschema compiles. Each translated pattern is remembered too, since elementpath
translates on every call (a fifth of the time of a typical rule set).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from operator import attrgetter
from typing import Any

import elementpath.xpath2._xpath2_functions as xpath2_functions
import elementpath.xpath30._xpath30_functions as xpath30_functions
import elementpath.xpath31._xpath31_functions as xpath31_functions
from elementpath import XPath1Parser, XPathNode, xpath_nodes
from elementpath.regex import translate_pattern

#: Multi-character escapes whose meaning outside a class is Python's unless rewritten.
_CLASS_ESCAPES = frozenset("sSdDwW")
_installed = False


def xsd_escapes(pattern: str) -> str:
    """``pattern`` with each multi-character escape outside a character class written as the
    one-escape class that means the same (``\\s`` → ``[\\s]``), which elementpath reads with
    the XSD sets; everything else, escaped backslashes and classes included, as it was."""
    out: list[str] = []
    depth = 0  # classes nest through subtraction: [a-z-[aeiou]]
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            out.append(f"[\\{escaped}]" if depth == 0 and escaped in _CLASS_ESCAPES else f"\\{escaped}")
            index += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
        out.append(char)
        index += 1
    return "".join(out)


@lru_cache(maxsize=1024)
def _translate(pattern: str, flags: int = 0, *args: Any, **options: Any) -> str:
    return translate_pattern(xsd_escapes(pattern), flags, *args, **options)


def _in_document_order(select: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    def ordered(self: Any, context: Any = None) -> Iterator[Any]:
        items = list(select(self, context))
        # Nodes only: a path ending in a non-node step (//p/string()) keeps its order, and a
        # mix of both is an error elementpath does not raise, left as it was.
        if len(items) > 1 and all(isinstance(item, XPathNode) for item in items):
            items.sort(key=attrgetter("position"))  # stable: equal positions keep their order
        yield from items

    return ordered


def _iter_strings(node: Any, normalize: bool = False) -> Iterator[str]:
    """The text of ``node`` (an element or a document) in document order, for its string
    value; ``normalize`` strips the element's own text and its children's tails, as
    elementpath does for an element of element-only content."""
    start = node.getroot() if hasattr(node, "getroot") else node
    if start is None:
        return
    if start.text is not None:
        yield start.text.strip() if normalize else start.text
    stack: list[tuple[Any, Iterator[Any]]] = [(start, iter(start))]
    while stack:
        element, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if stack and element.tail is not None:  # the start's own tail is not its text
                yield element.tail.strip() if normalize and len(stack) == 1 else element.tail
        elif isinstance(child.tag, str):
            if child.text is not None:
                yield child.text
            stack.append((child, iter(child)))
        elif child.tail is not None:  # a comment or processing instruction: only its tail
            yield child.tail.strip() if normalize and len(stack) == 1 else child.tail


def install() -> None:
    """Correct elementpath for this process; calling it again changes nothing."""
    global _installed  # noqa: PLW0603 -- a process-wide patch, applied once
    if _installed:
        return
    _installed = True
    for module in (xpath2_functions, xpath30_functions):
        setattr(module, "translate_pattern", _translate)  # noqa: B010 -- mypy: not exported
    for module in (xpath_nodes, xpath31_functions):
        setattr(module, "etree_iter_strings", _iter_strings)  # noqa: B010 -- as above
    # One token class serves '/' (and one '//') in every parser, XPath 1 to 3.1.
    for symbol in ("/", "//"):
        token = XPath1Parser.symbol_table[symbol]
        token.select = _in_document_order(token.select)
    # doc() and collection() find no document (none is given to the context), but elementpath
    # first asks the file system whether the URI names a folder and says so: a rule could then
    # probe which folders exist. Never asking makes both answers the same for every URI.
    if hasattr(xpath2_functions, "is_local_dir_url"):
        setattr(xpath2_functions, "is_local_dir_url", lambda _url: False)  # noqa: B010 -- as above


def install_for_xmlschema() -> None:
    """:func:`install`, and XSD pattern facets and identity constraints read the same way."""
    install()
    # Imported here: only a run that validates an XSD needs xmlschema, a large import.
    from xmlschema.validators import facets, identities  # noqa: PLC0415

    for module in (facets, identities):
        setattr(module, "translate_pattern", _translate)  # noqa: B010 -- as in install()
