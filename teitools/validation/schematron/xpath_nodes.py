"""Between elementpath's nodes and lxml's: the element a node is on, its SVRL location, and
lxml's results as elementpath nodes."""

from __future__ import annotations

from typing import Any

import elementpath
from lxml import etree


def as_nodes(found: Any, root: Any) -> list[Any] | None:
    """lxml's results as elementpath nodes (elements and attributes); None when a result has
    another kind, so that elementpath selects instead."""
    if not isinstance(found, list):
        return None
    elements = getattr(root, "elements", None)
    if elements is None:
        return None
    nodes = []
    for item in found:
        if isinstance(item, etree._Element) and isinstance(item.tag, str):
            node = elements.get(item)
        elif getattr(item, "is_attribute", False):
            parent = elements.get(item.getparent())
            node = (
                next((a for a in (parent.attributes or ()) if a.name == item.attrname), None)
                if parent is not None
                else None
            )
        else:
            return None
        if node is None:
            return None
        nodes.append(node)
    return nodes


def element_of(node: Any) -> tuple[etree._Element | None, str | None]:
    """The lxml element a node is on, and the attribute's name when the node is one."""
    attribute = None
    if isinstance(node, elementpath.AttributeNode):
        attribute = str(node.name)
        node = node.parent
    while node is not None and not isinstance(node, elementpath.ElementNode):
        if isinstance(node, elementpath.DocumentNode):
            document = node.value
            return (document.getroot() if hasattr(document, "getroot") else None), attribute
        node = node.parent
    if node is None:
        return None, attribute
    element = node.value
    return (element if isinstance(element, etree._Element) else None), attribute


def location_of(tree: etree._ElementTree, element: etree._Element | None, attribute: str | None) -> str:
    if element is None:
        return "/"
    path = qualified_path(element)
    if attribute:
        qname = etree.QName(attribute)
        step = (
            f"@*[local-name()='{qname.localname}' and namespace-uri()='{qname.namespace}']"
            if qname.namespace
            else f"@{qname.localname}"
        )
        path += f"/{step}"
    return path


def qualified_path(element: etree._Element) -> str:
    """An XPath to ``element`` that works without prefixes (SVRL's usual location form)."""
    steps = []
    node: etree._Element | None = element
    while node is not None:
        qname = etree.QName(node)
        parent = node.getparent()
        position = 1
        if parent is not None:
            same = [c for c in parent if c.tag == node.tag]
            position = same.index(node) + 1
        steps.append(
            f"*[local-name()='{qname.localname}' and namespace-uri()='{qname.namespace or ''}'][{position}]"
        )
        node = parent
    return "/" + "/".join(reversed(steps))
