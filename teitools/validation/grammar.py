"""Layer 2: RELAX NG grammar, with libxml2's terse messages rewritten for encoders."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from lxml import etree

from teitools.diagnostics import Diagnostic, Severity
from teitools.errors import DocumentError, SchemaError
from teitools.load.parser import load
from teitools.model.dates import suggest_iso
from teitools.validation.positions import SourceLines, attribute_display_name, line_of
from teitools.validation.rng_index import ElementRule, RngIndex

RULE = "rng-invalid"
#: At most this many allowed names are listed in one message.
MAX_LISTED = 12
_DATE_TYPES = frozenset({"date", "gYear", "gYearMonth", "dateTime"})


@dataclass
class Grammar:
    """A compiled RELAX NG schema and, built on first need, its index for messages."""

    path: Path
    source: etree._ElementTree
    validator: etree.RelaxNG = field(repr=False)

    @cached_property
    def index(self) -> RngIndex:
        return RngIndex(self.source)


# A compiled grammar is large (tei_all: tens of MB) and a run declares a handful of schemas;
# a long-lived process that validates against many schemas recompiles the oldest instead.
@lru_cache(maxsize=16)
def compile_relaxng(path: Path) -> Grammar:
    """Compile the RELAX NG schema at ``path`` once per process."""
    try:
        source = load(path)
    except DocumentError as error:
        raise SchemaError(f"cannot read schema {path}: {error.diagnostic.message}") from None
    try:
        return Grammar(path, source, etree.RelaxNG(source))
    except etree.RelaxNGParseError as error:
        raise SchemaError(f"the RELAX NG schema {path} does not compile: {error}") from None


def check_grammar(
    tree: etree._ElementTree, grammar: Grammar, lines: SourceLines, file: str
) -> list[Diagnostic]:
    """Validate ``tree``; return one finding per independent mistake."""
    if grammar.validator.validate(tree):
        return []
    raw: list[tuple[etree._Element | None, str]] = []
    namespaces = {prefix: uri for e in tree.iter() for prefix, uri in e.nsmap.items() if prefix}
    for entry in grammar.validator.error_log:
        # libxml2's path uses the document's own prefixes; failing that, the element its
        # message names, or its line; failing all, the root: a finding always has a position.
        element = _element_at(tree, entry.path, namespaces)
        if element is None:
            element = _element_named_in(tree, entry.message, grammar.index)
        if element is None:
            element = _element_on_line(tree, entry.line)
        raw.append((tree.getroot() if element is None else element, entry.message))
    explainer = _Explainer(grammar.index, lines, file)
    findings = [explainer.explain(element, message, raw) for element, message in raw]
    # libxml2 may report one mistake twice; two elements with one mistake each are two findings.
    unique: dict[tuple[int, str | None, str], Diagnostic] = {}
    for finding in findings:
        if finding is not None:
            unique.setdefault((finding.line, finding.xpath, finding.message), finding)
    if any(d.line for d in unique.values()):
        # libxml2 also reports some mistakes without a position ("Extra element hi in
        # interleave"); the positioned finding for the same mistake is the one to read.
        unique = {key: d for key, d in unique.items() if d.line}
    return sorted(unique.values())


def _element_on_line(tree: etree._ElementTree, line: int) -> etree._Element | None:
    return next((e for e in tree.iter() if isinstance(e.tag, str) and e.sourceline == line), None)


def _element_at(
    tree: etree._ElementTree, path: str | None, namespaces: dict[str, str]
) -> etree._Element | None:
    if not path:
        return None
    try:
        found = tree.xpath(path, namespaces=namespaces)
    except etree.XPathError:
        return None
    if isinstance(found, list) and found and isinstance(found[0], etree._Element):
        return found[0]
    return None


def _element_named_in(tree: etree._ElementTree, message: str, index: RngIndex) -> etree._Element | None:
    """libxml2 gives no path for some errors inside an interleave; find the element it names."""
    if match := re.match(r"Extra element (\S+) in interleave", message):
        candidates = _elements_named(tree, match[1])
        return candidates[0] if candidates else None
    if match := re.match(r"Invalid attribute (\S+) for element (\S+)", message):
        for element in _elements_named(tree, match[2]):
            value = element.get(match[1])
            rule = index.rule_for(element)
            attr_rule = rule.attributes.get(match[1]) if rule else None
            if value is not None and (
                attr_rule is None or _value_problem(value, attr_rule.values, attr_rule.datatypes)
            ):
                return element
    return None


def _elements_named(tree: etree._ElementTree, local_name: str) -> list[etree._Element]:
    found = tree.xpath("//*[local-name() = $name]", name=local_name)
    return [e for e in found if isinstance(e, etree._Element)] if isinstance(found, list) else []


_WRAPPERS = re.compile(
    r"failed to validate content|Invalid sequence in interleave|doesn't allow value|"
    r"Error validating datatype|Element .* has extra content: (?!text)"
)


class _Explainer:
    def __init__(self, index: RngIndex, lines: SourceLines, file: str) -> None:
        self.index = index
        self.lines = lines
        self.file = file

    def explain(
        self,
        element: etree._Element | None,
        message: str,
        all_errors: list[tuple[etree._Element | None, str]],
    ) -> Diagnostic | None:
        if element is None:
            return self._finding(None, message)
        if _WRAPPERS.search(message) and self._has_deeper_error(element, message, all_errors):
            return None
        if match := re.match(r"Did not expect element (\S+) there", message):
            return self._unexpected_element(element)
        if match := re.match(r"Expecting an? element (\S+), got nothing", message):
            return self._finding(element, f"<{_name(element)}> is missing a required <{match[1]}> element")
        if match := re.match(r"Expecting element (\S+), got (\S+)", message):
            return self._finding(element, f"expected <{match[1]}> here, found <{match[2]}>")
        if re.match(r"Element \S+ failed to validate content", message):
            rule = self.index.rule_for(element)
            allowed = sorted(_local(c) for c in rule.children) if rule else []
            return self._finding(
                element,
                f"the content of <{_name(element)}> does not match the grammar"
                + (f"; allowed children: {_listing(allowed)}" if allowed else ""),
            )
        if re.match(r"Element \S+ failed to validate attributes", message):
            return self._bad_attributes(element)
        if match := re.match(r"Invalid attribute (\S+) for element (\S+)", message):
            return self._bad_attributes(element, only=match[1])
        if re.match(r"Element \S+ has extra content: text", message):
            return self._finding(
                element,
                f"text is not allowed directly inside <{_name(element)}>; wrap it in an element such as <p>",
            )
        if re.match(r"Extra element (\S+) in interleave", message):
            return self._diagnose(element)
        return self._finding(element, message.rstrip("."))

    def _diagnose(self, element: etree._Element) -> Diagnostic:
        """Explain an element libxml2 only says is wrong: its attributes, then its children."""
        rule = self.index.rule_for(element)
        if rule is None:
            return self._unexpected_element(element)
        attributes_ok = (
            all(
                attr in rule.attributes
                and not _value_problem(value, rule.attributes[attr].values, rule.attributes[attr].datatypes)
                for attr, value in element.attrib.items()
            )
            and _missing_required(element, rule) is None
        )
        if not attributes_ok:
            return self._bad_attributes(element)
        for child in element:
            if isinstance(child.tag, str) and child.tag not in rule.children:
                return self._unexpected_element(child)
        return self._finding(
            element,
            f"<{_name(element)}> does not match the grammar here: check "
            "its place, the order of its children and their content",
        )

    def _has_deeper_error(
        self,
        element: etree._Element,
        message: str,
        all_errors: list[tuple[etree._Element | None, str]],
    ) -> bool:
        for other, other_message in all_errors:
            if other is None or (other_message == message and other is element):
                continue
            if other is element and not _WRAPPERS.search(other_message):
                return True
            if any(ancestor is element for ancestor in other.iterancestors()):
                return True
        return False

    def _unexpected_element(self, element: etree._Element) -> Diagnostic:
        name = _name(element)
        parent = element.getparent()
        if parent is None:
            return self._finding(element, f"<{name}> is not allowed as the root element")
        rule = self.index.rule_for(parent)
        allowed = sorted(_local(c) for c in rule.children) if rule else []
        message = f"<{name}> is not allowed inside <{_name(parent)}>"
        if name in allowed:
            message = (
                f"<{name}> is not allowed at this position inside <{_name(parent)}> (wrong order or too many)"
            )
        elif allowed:
            hint = _closest(name, allowed)
            message += f"; allowed: {_listing(allowed)}"
            if hint:
                message += f". Did you mean <{hint}>?"
        if etree.QName(element).namespace != etree.QName(parent).namespace:
            namespace = etree.QName(element).namespace or ""
            message += f" (it is in namespace '{namespace}', not its parent's)"
        return self._finding(element, message)

    def _bad_attributes(self, element: etree._Element, only: str | None = None) -> Diagnostic:
        rule = self.index.rule_for(element)
        name = _name(element)
        if rule is None:
            return self._finding(element, f"<{name}> has attributes the schema does not allow")
        for attr_key, attr_value in element.attrib.items():
            attr, value = str(attr_key), str(attr_value)
            shown = attribute_display_name(attr)
            if only is not None and only not in (shown, attr):
                continue
            attr_rule = rule.attributes.get(attr)
            if attr_rule is None:
                allowed = sorted(attribute_display_name(a) for a in rule.attributes)
                hint = _closest(shown, allowed)
                text = f"attribute @{shown} is not allowed on <{name}>"
                text += f"; allowed: {_listing(allowed)}" if allowed else "; it takes no attributes"
                if hint:
                    text += f". Did you mean @{hint}?"
                return self._finding(element, text, shown)
            problem = _value_problem(value, attr_rule.values, attr_rule.datatypes)
            if problem:
                return self._finding(element, f'@{shown}="{value}" on <{name}> is invalid: {problem}', shown)
        missing = _missing_required(element, rule)
        if missing:
            return self._finding(element, f"<{name}> is missing the required attribute @{missing}")
        needed = sorted(
            attribute_display_name(a)
            for a, r in rule.attributes.items()
            if r.required_somewhere and a not in element.attrib
        )
        if needed:
            return self._finding(
                element, f"<{name}> is missing an attribute it needs here: @{', @'.join(needed)}"
            )
        return self._finding(element, f"<{name}> has an attribute value the schema does not allow")

    def _finding(
        self, element: etree._Element | None, message: str, attribute: str | None = None
    ) -> Diagnostic:
        line = line_of(element)
        column = self.lines.column_of(element, attribute) if element is not None else 0
        xpath = element.getroottree().getpath(element) if element is not None else None
        return Diagnostic(self.file, line, column, Severity.ERROR, RULE, message, xpath)


def _value_problem(value: str, values: set[str], datatypes: set[str]) -> str | None:
    if values and value in values:
        return None
    if datatypes & _DATE_TYPES:
        suggestion = suggest_iso(value)
        text = "expected a date written YYYY, YYYY-MM or YYYY-MM-DD (a real calendar date)"
        return text + (f"; did you mean {suggestion}?" if suggestion else "")
    if values and not datatypes:
        hint = _closest(value, sorted(values))
        text = f"allowed values: {_listing(sorted(values))}"
        return text + (f'. Did you mean "{hint}"?' if hint else "")
    if datatypes:
        return f"expected a value of type {', '.join(sorted(datatypes))}"
    return None


def _missing_required(element: etree._Element, rule: ElementRule) -> str | None:
    for attr, attr_rule in sorted(rule.attributes.items()):
        if attr_rule.required and attr not in element.attrib:
            return attribute_display_name(attr)
    return None


def _closest(name: str, candidates: list[str]) -> str | None:
    lowered = {c.lower(): c for c in candidates}
    if name.lower() in lowered and lowered[name.lower()] != name:
        return lowered[name.lower()]
    matches = difflib.get_close_matches(name, candidates, n=1, cutoff=0.75)
    return matches[0] if matches else None


def _listing(names: list[str]) -> str:
    shown = ", ".join(names[:MAX_LISTED])
    return shown + (f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else "")


def _local(clark: str) -> str:
    return clark.split("}", 1)[-1]


def _name(element: etree._Element) -> str:
    return etree.QName(element).localname
