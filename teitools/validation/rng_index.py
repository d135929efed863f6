"""What a RELAX NG schema allows, element by element, for messages an encoder can act on.

libxml2 says only "Did not expect element persname there" or "Element title failed to
validate attributes". This index reads the schema once and answers the questions an encoder
has next: which children may stand here, which attributes are required, which values are
allowed. It is an approximation of the grammar (it ignores order and context), used only to
explain findings that the real validator made.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

RNG_NS = "http://relaxng.org/ns/structure/1.0"
_XML_NS = "http://www.w3.org/XML/1998/namespace"
_OPTIONAL_WRAPPERS = frozenset({"optional", "zeroOrMore", "choice"})


def _rng(tag: str) -> str:
    return f"{{{RNG_NS}}}{tag}"


@dataclass
class AttributeRule:
    """What an attribute of one element may hold."""

    required: bool
    values: set[str] = field(default_factory=set)
    datatypes: set[str] = field(default_factory=set)
    #: Required by at least one of the element's definitions (e.g. ``@ref`` in letters only).
    required_somewhere: bool = False
    #: The ``attribute`` patterns this rule was read from: their values are checked exactly.
    patterns: list[etree._Element] = field(default_factory=list)


@dataclass
class ElementRule:
    """Children and attributes one element name may have, merged over all its definitions."""

    children: set[str] = field(default_factory=set)
    #: Children every instance must have (outside any optional, zeroOrMore or choice).
    required_children: set[str] = field(default_factory=set)
    attributes: dict[str, AttributeRule] = field(default_factory=dict)
    text: bool = False
    #: A child pattern matches a name class (anyName, nsName, a choice of names): the index
    #: cannot list what it allows.
    any_children: bool = False


class RngIndex:
    """Element name (Clark notation) -> :class:`ElementRule`, built from a RELAX NG tree.

    An element may be defined more than once (TEI's ``p`` in the header and in the body);
    :meth:`rule_for` picks the definitions that can stand under the element's actual parent.
    """

    def __init__(self, schema: etree._ElementTree) -> None:
        self._defines: dict[str, list[etree._Element]] = {}
        for define in schema.iter(_rng("define")):
            self._defines.setdefault(define.get("name", ""), []).append(define)
        #: (parent name, child name) -> the child's element patterns reachable from that parent.
        self._contexts: dict[tuple[str, str], list[etree._Element]] = {}
        self._by_pattern: dict[etree._Element, ElementRule] = {}
        self._patterns_named: dict[str, list[etree._Element]] = {}
        by_name: dict[str, list[ElementRule]] = {}
        for element in schema.iter(_rng("element")):
            name = pattern_name(element)
            if name is not None:
                found = ElementRule()
                self._walk(element, found, optional=False, seen=set(), top=True, parent=name)
                self._by_pattern[element] = found
                self._patterns_named.setdefault(name, []).append(element)
                by_name.setdefault(name, []).append(found)
        self.elements = {name: _merge(rules) for name, rules in by_name.items()}
        self._in_context: dict[tuple[str, str], ElementRule | None] = {}

    def rule(self, clark_name: str) -> ElementRule | None:
        """What ``clark_name`` allows, merged over all its definitions."""
        return self.elements.get(clark_name)

    def rule_for(self, element: etree._Element) -> ElementRule | None:
        """What ``element`` allows where it stands: the definitions its parent can contain."""
        parent = element.getparent()
        if parent is None:
            return self.rule(str(element.tag))
        key = (str(parent.tag), str(element.tag))
        if key not in self._in_context:
            patterns = self._contexts.get(key, [])
            rules = [self._by_pattern[p] for p in patterns if p in self._by_pattern]
            self._in_context[key] = _merge(rules) if rules else self.rule(str(element.tag))
        return self._in_context[key]

    def patterns_for(self, element: etree._Element) -> list[etree._Element]:
        """The element patterns that may match ``element`` under its parent (any, at the root)."""
        parent = element.getparent()
        if parent is None:
            return self._patterns_named.get(str(element.tag), [])
        return list(dict.fromkeys(self._contexts.get((str(parent.tag), str(element.tag)), [])))

    def defines(self, name: str) -> list[etree._Element]:
        """The ``define`` elements of ``name`` (more than one when they combine)."""
        return self._defines.get(name, [])

    def _walk(
        self,
        node: etree._Element,
        into: ElementRule,
        *,
        optional: bool,
        seen: set[str],
        top: bool,
        parent: str,
    ) -> None:
        for child in _pattern_children(node, skip_name=top):
            local = etree.QName(child).localname
            if local == "element":
                self._add_child(child, into, optional=optional, parent=parent)
            elif local == "attribute":
                name = pattern_name(child)
                if name is not None:
                    into.attributes[name] = self._attribute_rule(child, required=not optional)
            elif local in ("text", "mixed"):
                into.text = True
                if local == "mixed":
                    self._walk(child, into, optional=optional, seen=seen, top=False, parent=parent)
            elif local in ("ref", "parentRef"):
                target = child.get("name", "")
                if target not in seen:
                    seen.add(target)
                    for define in self._defines.get(target, []):
                        self._walk(define, into, optional=optional, seen=seen, top=False, parent=parent)
            else:
                self._walk(
                    child,
                    into,
                    optional=optional or local in _OPTIONAL_WRAPPERS,
                    seen=seen,
                    top=False,
                    parent=parent,
                )

    def _add_child(self, pattern: etree._Element, into: ElementRule, *, optional: bool, parent: str) -> None:
        name = pattern_name(pattern)
        if name is None:
            into.any_children = True
            return
        into.children.add(name)
        if not optional:
            into.required_children.add(name)
        self._contexts.setdefault((parent, name), []).append(pattern)

    def _attribute_rule(self, attribute: etree._Element, *, required: bool) -> AttributeRule:
        rule = AttributeRule(required, required_somewhere=required, patterns=[attribute])
        pending = [attribute]
        seen: set[str] = set()
        while pending:
            for node in pending.pop().iter(_rng("value"), _rng("data"), _rng("ref")):
                local = etree.QName(node).localname
                if local == "value":
                    rule.values.add((node.text or "").strip())
                elif local == "data":
                    rule.datatypes.add(node.get("type", ""))
                elif node.get("name", "") not in seen:
                    seen.add(node.get("name", ""))
                    pending.extend(self._defines.get(node.get("name", ""), []))
        return rule


def _merge(rules: list[ElementRule]) -> ElementRule:
    """One rule allowing what any of ``rules`` allows; an attribute is required only when
    every one requires it (``required_somewhere`` when one does)."""
    merged = ElementRule()
    merged.required_children = set.intersection(*(r.required_children for r in rules)) if rules else set()
    for rule in rules:
        merged.children |= rule.children
        merged.text = merged.text or rule.text
        merged.any_children = merged.any_children or rule.any_children
        for attr, attr_rule in rule.attributes.items():
            into = merged.attributes.setdefault(attr, AttributeRule(required=True))
            into.values |= attr_rule.values
            into.datatypes |= attr_rule.datatypes
            into.patterns += attr_rule.patterns
            into.required_somewhere = into.required_somewhere or attr_rule.required
    for attr, attr_rule in merged.attributes.items():
        attr_rule.required = all(attr in r.attributes and r.attributes[attr].required for r in rules)
    return merged


def _pattern_children(node: etree._Element, *, skip_name: bool) -> Iterator[etree._Element]:
    """The RELAX NG children of ``node``; with ``skip_name``, without its leading name class."""
    children = [c for c in node if isinstance(c.tag, str) and etree.QName(c).namespace == RNG_NS]
    if skip_name and node.get("name") is None:
        children = children[1:]
    yield from children


def pattern_name(pattern: etree._Element) -> str | None:
    """The Clark name an element/attribute pattern matches, or None for name classes."""
    local = pattern.get("name")
    namespace = inherited_ns(pattern)
    if local is None:
        first = next((c for c in pattern if isinstance(c.tag, str)), None)
        if first is None or etree.QName(first).localname != "name" or not first.text:
            return None
        local = first.text.strip()
        namespace = first.get("ns", namespace)
    if ":" in local:
        prefix, local = local.split(":", 1)
        namespace = _XML_NS if prefix == "xml" else pattern.nsmap.get(prefix) or ""
    if (
        etree.QName(pattern).localname == "attribute"
        and pattern.get("ns") is None
        and ":" not in (pattern.get("name") or "")
    ):
        namespace = ""
    return f"{{{namespace}}}{local}" if namespace else local


def inherited_ns(node: etree._Element) -> str:
    """The namespace a name in ``node`` is in: the ``ns`` attribute of the nearest element
    that has one, ``node`` included ("" when none has)."""
    current: etree._Element | None = node
    while current is not None:
        ns = current.get("ns")
        if ns is not None:
            return ns
        current = current.getparent()
    return ""
