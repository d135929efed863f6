"""Layer 2: RELAX NG grammar, with libxml2's terse messages rewritten for encoders."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from teitools.diagnostics import Diagnostic, Severity
from teitools.errors import DocumentError, SchemaError
from teitools.load.parser import load
from teitools.validation import schema_memory
from teitools.validation.catalog import shown
from teitools.validation.positions import SourceLines, attribute_display_name, line_of
from teitools.validation.rng_index import AttributeRule, ElementRule, RngIndex
from teitools.validation.rng_reduce import Reductions, element_names, reducible

if TYPE_CHECKING:
    from teitools.validation.rng_contexts import ContextChecker

RULE = "rng-invalid"
#: At most this many allowed names are listed in one message.
MAX_LISTED = 12
_DATE_TYPES = frozenset({"date", "gYear", "gYearMonth", "dateTime"})


@dataclass
class Grammar:
    """A RELAX NG schema ready to validate and, built on first need, its index for messages.

    A small grammar is compiled whole (``validator``); a large one (``validator`` None) is
    compiled reduced to the elements of the documents it validates, see
    :mod:`teitools.validation.rng_reduce`. The index and the context checks always read the
    whole ``source``, so a message lists what the grammar allows, not what a reduction kept.
    """

    path: Path
    source: etree._ElementTree
    validator: etree.RelaxNG | None = field(repr=False)

    @cached_property
    def index(self) -> RngIndex:
        return RngIndex(self.source)

    @cached_property
    def contexts(self) -> ContextChecker:
        # Imported for a file the grammar finds fault with: a valid run never needs it.
        from teitools.validation.rng_contexts import ContextChecker  # noqa: PLC0415

        return ContextChecker(self.source, self.index)

    @cached_property
    def _reductions(self) -> Reductions:
        return Reductions(self.source, shown(self.path))

    def validator_for(self, document: etree._ElementTree, *, explaining: bool = False) -> etree.RelaxNG:
        """A validator with the grammar's verdict on ``document``; with ``explaining``, also
        the messages the whole grammar gives (a reduced grammar's are cheaper otherwise)."""
        if self.validator is not None:
            return self.validator
        names = element_names(document)
        reductions = self._reductions
        return reductions.explaining(names) if explaining else reductions.deciding(names)


def compile_grammar(path: Path, source: etree._ElementTree) -> Grammar:
    """The grammar ``source`` read from ``path``: compiled now when small, else reduced for
    each document (see :class:`Grammar`); raises :class:`lxml.etree.RelaxNGParseError`."""
    if reducible(source):
        return Grammar(path, source, None)
    return Grammar(path, source, etree.RelaxNG(source))


# A compiled grammar is large (tei_all: tens of MB) and a run declares a handful of schemas;
# a long-lived process that validates against many schemas recompiles the oldest instead.
@schema_memory.forgotten_on_change
@lru_cache(maxsize=16)
def compile_relaxng(path: Path) -> Grammar:
    """Compile the RELAX NG schema at ``path`` once per process (until it changes)."""
    schema_memory.note(path)
    try:
        source = load(path)
    except DocumentError as error:
        raise SchemaError(f"cannot read schema {path}: {error.diagnostic.message}") from None
    try:
        return compile_grammar(path, source)
    except etree.RelaxNGParseError as error:
        raise SchemaError(f"the RELAX NG schema {path} does not compile: {error}") from None


def check_grammar(
    tree: etree._ElementTree, grammar: Grammar, lines: SourceLines, file: str
) -> list[Diagnostic]:
    """Validate ``tree``; return one finding per independent mistake."""
    if grammar.validator_for(tree).validate(tree):
        return []
    validator = grammar.validator_for(tree, explaining=True)
    if validator is not grammar.validator:
        validator.validate(tree)  # the explaining reduction's own error log
    raw: list[tuple[etree._Element | None, str]] = []
    explainer = _Explainer(grammar, lines, file)
    namespaces = {prefix: uri for e in tree.iter() for prefix, uri in e.nsmap.items() if prefix}
    for entry in validator.error_log:
        # libxml2's path uses the document's own prefixes; failing that, the element its
        # message names, or its line; failing all, the root: a finding always has a position.
        element = _element_at(tree, entry.path, namespaces)
        if element is None:
            element = _element_named_in(tree, entry.message, grammar.index, explainer)
        if element is None:
            element = _element_on_line(tree, entry.line)
        raw.append((tree.getroot() if element is None else element, entry.message))
    # Two same mistakes on one line are two findings: the column tells them apart.
    unique: dict[tuple[int, int, str], Diagnostic] = {}
    for element, message in raw:
        for finding in explainer.explain(element, message, raw):
            unique.setdefault((finding.line, finding.column, finding.message), finding)
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


def _element_named_in(
    tree: etree._ElementTree, message: str, index: RngIndex, explainer: _Explainer
) -> etree._Element | None:
    """libxml2 gives no path for some errors inside an interleave; find the element it names."""
    if match := re.match(r"Invalid attribute (\S+) for element (\S+)", message):
        for element in _elements_named(tree, match[2]):
            value = element.get(match[1])
            rule = index.rule_for(element)
            attr_rule = rule.attributes.get(match[1]) if rule else None
            if value is not None and (
                attr_rule is None or _value_problem(value, attr_rule, explainer.contexts) is not None
            ):
                return element
        return None
    match = re.match(r"Extra element (\S+) in interleave|Element (\S+) failed to validate", message)
    if match is None:
        return None
    return _named_at_fault(_elements_named(tree, match[1] or match[2]), explainer)


def _named_at_fault(candidates: list[etree._Element], explainer: _Explainer) -> etree._Element | None:
    """Of the elements a message names, the one at fault: wrong where it stands, else one
    that repeats a sibling of its name (the second of two), else the first."""
    wrong = next((e for e in candidates if explainer.errors_in_context(e) != []), None)
    if wrong is not None:
        return wrong
    repeated = (e for e in candidates if any(s.tag == e.tag for s in e.itersiblings(preceding=True)))
    return next(repeated, candidates[0] if candidates else None)


def _elements_named(tree: etree._ElementTree, local_name: str) -> list[etree._Element]:
    found = tree.xpath("//*[local-name() = $name]", name=local_name)
    return [e for e in found if isinstance(e, etree._Element)] if isinstance(found, list) else []


_WRAPPERS = re.compile(
    r"failed to validate content|Invalid sequence in interleave|doesn't allow value|"
    r"Error validating datatype|Element .* has extra content: (?!text)"
)
#: Messages that place a mistake at an ancestor (or say only that something failed): the
#: element at fault is looked for inside, with the grammar piece by piece.
_VAGUE = re.compile(
    r"Extra element \S+ in interleave|Element \S+ failed to validate content|"
    r"Invalid sequence in interleave|Element \S+ has extra content: (?!text)"
)


#: Text where libxml2 expected none; when the element does take text, a child is at fault.
_TEXT = re.compile(
    r"Element \S+ has extra content: text|Did not expect text in element|Expecting an element got text"
)


class _Explainer:
    def __init__(self, grammar: Grammar, lines: SourceLines, file: str) -> None:
        self.index = grammar.index
        self.contexts = grammar.contexts
        # One file's elements, each checked once however many errors lead to it.
        self._checked: dict[etree._Element, list[tuple[etree._Element, str]] | None] = {}
        self.lines = lines
        self.file = file

    def explain(
        self,
        element: etree._Element | None,
        message: str,
        all_errors: list[tuple[etree._Element | None, str]],
    ) -> list[Diagnostic]:
        """The findings one libxml2 error stands for: none when a deeper error explains it."""
        if element is None:
            return [self._finding(None, message)]
        if _WRAPPERS.search(message) and self._has_deeper_error(element, message, all_errors):
            return []
        parent = element.getparent()
        if (
            parent is not None
            and re.match(r"Element \S+ has extra content: (?!text)", message)
            and not self.index.patterns_for(element)
        ):
            # libxml2 names the child it stopped at: the parent's other children may be wrong too.
            return self._drill(parent)
        if _VAGUE.search(message) or (_TEXT.match(message) and self._takes_text(element)):
            # Text where text is allowed: libxml2 gave up on the mixed content because of a child.
            return self._drill(element, siblings=message.startswith("Extra element"))
        if (
            message.startswith("Expecting an element , got nothing")
            and not self._required_missing(element)
            and any(other is element and text != message for other, text in all_errors)
        ):
            # No name and nothing missing: libxml2's aside to another error on the element.
            return []
        missing = re.match(r"Expecting an? element (\S+), got nothing", message)
        if missing and any(isinstance(c.tag, str) and _name(c) == missing[1] for c in element):
            # "Missing" a child it has: libxml2 gave up on the content before reaching it.
            return self._drill(element)
        if re.match(r"Did not expect element \S+ there|Expecting element \S+, got \S+", message):
            # An element in its right place whose own content is wrong makes libxml2 say it
            # did not expect it, or expected another one there.
            inner = self._inner_errors(element)
            if inner:
                return self._inside(element, inner)
        return [self._precise(element, message)]

    def _precise(self, element: etree._Element, message: str) -> Diagnostic:
        """The finding for a libxml2 message that names the element at fault."""
        if re.match(r"Did not expect element (\S+) there", message):
            return self._unexpected_element(element)
        if match := re.match(r"Expecting an? element (\S*) ?, got nothing", message):
            return self._missing_child(element, match[1])
        if match := re.match(r"Expecting element (\S+), got (\S+)", message):
            return self._finding(element, f"expected <{match[1]}> here, found <{match[2]}>")
        if re.match(r"Element \S+ failed to validate attributes", message):
            return self._bad_attributes(element)
        if match := re.match(r"Invalid attribute (\S+) for element (\S+)", message):
            return self._bad_attributes(element, only=match[1])
        if _TEXT.match(message):
            return self._diagnose(element) if self._takes_text(element) else self._text_not_allowed(element)
        if _VAGUE.search(message):
            return self._diagnose(element)
        return self._finding(element, message.rstrip("."))

    def errors_in_context(self, element: etree._Element) -> list[tuple[etree._Element, str]] | None:
        """:meth:`ContextChecker.errors_in_context`, once per element of this file."""
        if element not in self._checked:
            self._checked[element] = self.contexts.errors_in_context(element)
        return self._checked[element]

    def _takes_text(self, element: etree._Element) -> bool:
        rule = self.index.rule_for(element)
        return rule is not None and rule.text

    def _inner_errors(self, element: etree._Element) -> list[tuple[etree._Element, str]]:
        """libxml2's errors for ``element`` checked alone where it stands; [] when it is valid
        there or that cannot be told."""
        return self.errors_in_context(element) or []

    def _drill(self, element: etree._Element, *, siblings: bool = False) -> list[Diagnostic]:
        """The findings for ``element``, which libxml2 only says does not fit; with
        ``siblings``, also for its siblings (libxml2 stops at the first child of an
        interleave that fails and says nothing of the others)."""
        errors = self.errors_in_context(element)
        if errors is None:
            return [self._diagnose(element)]
        # Valid in itself: what is wrong is where it stands.
        found = self._inside(element, errors) if errors else [self._unexpected_element(element)]
        for sibling in element.itersiblings() if siblings else ():
            if isinstance(sibling.tag, str) and (inner := self._inner_errors(sibling)):
                found += self._inside(sibling, inner)
        return found

    def _inside(self, element: etree._Element, errors: list[tuple[etree._Element, str]]) -> list[Diagnostic]:
        """``element`` is invalid where it stands (libxml2's ``errors``): report its own
        attributes and its children at fault, or, when each child is valid alone, the order
        or number of its children."""
        found = self._attribute_problems(element)
        rule = self.index.rule_for(element)
        if rule is not None and not rule.text and _stray_text(element) is not None:
            found.append(self._text_not_allowed(element))
        children: list[Diagnostic] = []
        for child in element:
            if not isinstance(child.tag, str):
                continue
            if not self.index.patterns_for(child):
                if rule is None or not rule.any_children:
                    children.append(self._unexpected_element(child))
                continue
            inner = self.errors_in_context(child)
            if inner:
                children += self._inside(child, inner)
        if children:
            return found + children
        own: dict[tuple[int, int, str], Diagnostic] = {(d.line, d.column, d.message): d for d in found}
        for other, message in errors:
            if _WRAPPERS.search(message) and self._has_deeper_error(other, message, list(errors)):
                continue
            if found and other is element:
                # Its attributes or text are wrong: libxml2's next words on it are the cascade.
                continue
            finding = self._precise(other, message)
            own.setdefault((finding.line, finding.column, finding.message), finding)
        return list(own.values()) or [self._diagnose(element)]

    def _diagnose(self, element: etree._Element) -> Diagnostic:
        """Explain an element libxml2 only says is wrong: its attributes, then its children."""
        rule = self.index.rule_for(element)
        if rule is None:
            return self._unexpected_element(element)
        attributes_ok = (
            all(
                attr in rule.attributes and not _value_problem(value, rule.attributes[attr], self.contexts)
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
        all_errors: list[tuple[etree._Element | None, str]] | list[tuple[etree._Element, str]],
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
        allowed = sorted({_local(c) for c in rule.children}) if rule else []
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

    def _missing_child(self, element: etree._Element, named: str) -> Diagnostic:
        name = _name(element)
        if named:
            return self._finding(element, f"<{name}> is missing a required <{named}> element")
        # libxml2 sometimes leaves the name out: the grammar's required children say it.
        rule = self.index.rule_for(element)
        missing = self._required_missing(element)
        if missing:
            return self._finding(element, f"<{name}> is missing a required <{'>, <'.join(missing)}> element")
        allowed = sorted({_local(c) for c in rule.children}) if rule else []
        return self._finding(
            element,
            f"<{name}> is missing a required element"
            + (f" (allowed: {_listing(allowed)})" if allowed else ""),
        )

    def _required_missing(self, element: etree._Element) -> list[str]:
        """The children the grammar requires that ``element`` lacks, by local name."""
        rule = self.index.rule_for(element)
        present = {child.tag for child in element}
        return sorted(_local(c) for c in (rule.required_children if rule else ()) if c not in present)

    def _text_not_allowed(self, element: etree._Element) -> Diagnostic:
        name = _name(element)
        rule = self.index.rule_for(element)
        # Only a child that holds text can take it in; <p> when it is one of them.
        holders = sorted(
            _local(child)
            for child in (rule.children if rule else ())
            if (child_rule := self.index.rule(child)) is not None and child_rule.text
        )
        stray = _stray_text(element)
        message = f"text is not allowed directly inside <{name}>"
        position = None
        if stray is not None:
            text, after = stray
            shown = " ".join(text.split())
            message = (
                f'text "{shown[:30]}{"…" if len(shown) > 30 else ""}" is not allowed directly inside <{name}>'
            )
            position = self.lines.position_of_text(after, text)
        if "p" in holders:
            message += "; wrap it in an element such as <p>"
        elif holders:
            message += f"; put it in one of: {_listing(holders)}"
        return self._finding(element, message, position=position)

    def _bad_attributes(self, element: etree._Element, only: str | None = None) -> Diagnostic:
        rule = self.index.rule_for(element)
        name = _name(element)
        if rule is None:
            return self._finding(element, f"<{name}> has attributes the schema does not allow")
        problems = self._attribute_problems(element, only)
        if problems:
            return problems[0]
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

    def _attribute_problems(self, element: etree._Element, only: str | None = None) -> list[Diagnostic]:
        """Each attribute of ``element`` the grammar does not allow, each value it does not
        accept, and the first required attribute that is missing."""
        rule = self.index.rule_for(element)
        if rule is None:
            return []
        name = _name(element)
        found = []
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
                found.append(self._finding(element, text, shown))
                continue
            problem = _value_problem(value, attr_rule, self.contexts)
            if problem:
                found.append(
                    self._finding(element, f'@{shown}="{value}" on <{name}> is invalid: {problem}', shown)
                )
        missing = _missing_required(element, rule)
        if missing and only is None:
            found.append(self._finding(element, f"<{name}> is missing the required attribute @{missing}"))
        return found

    def _finding(
        self,
        element: etree._Element | None,
        message: str,
        attribute: str | None = None,
        *,
        position: tuple[int, int] | None = None,
    ) -> Diagnostic:
        line = line_of(element)
        column = self.lines.column_of(element, attribute) if element is not None else 0
        if position is not None:
            line, column = position
        xpath = element.getroottree().getpath(element) if element is not None else None
        return Diagnostic(self.file, line, column, Severity.ERROR, RULE, message, xpath)


def _stray_text(element: etree._Element) -> tuple[str, int] | None:
    """The first text directly inside ``element`` that is not whitespace, and the line from
    which to look for it (where the element, or the child it follows, ends at the latest)."""
    if element.text and element.text.strip():
        return element.text.strip(), line_of(element)
    for child in element:
        if child.tail and child.tail.strip():
            return child.tail.strip(), max(line_of(node) for node in child.iter())
    return None


_ISO_DATE = re.compile(r"-?\d{4}(-\d{2}(-\d{2})?)?")


def _value_problem(value: str, rule: AttributeRule, contexts: ContextChecker) -> str | None:
    """What is wrong with ``value`` for the attribute ``rule``, with a fix the grammar
    accepts when one is close; None when the value is allowed."""
    # The letter model's dates, for a wrong value alone: the model is not needed to validate.
    from teitools.model.dates import suggest_iso  # noqa: PLC0415

    allowed = contexts.value_allowed(rule, value)
    if allowed or (allowed is None and _loosely_allowed(value, rule)):
        return None

    def accepted(candidate: str) -> bool:
        return contexts.value_allowed(rule, candidate) is not False

    if not value.startswith("#") and "anyURI" in rule.datatypes and contexts.value_allowed(rule, "#" + value):
        return f'a pointer to an entry starts with "#": did you mean "#{value}"?'
    if rule.datatypes & _DATE_TYPES:
        suggestion = suggest_iso(value)
        text = "expected a date written YYYY, YYYY-MM or YYYY-MM-DD (a real calendar date)"
        return text + (f"; did you mean {suggestion}?" if suggestion and accepted(suggestion) else "")
    if rule.values and not rule.datatypes:
        hint = _closest(value, sorted(rule.values))
        text = f"allowed values: {_listing(sorted(rule.values))}"
        return text + (f'. Did you mean "{hint}"?' if hint else "")
    if rule.datatypes:
        return f"expected a value of type {', '.join(sorted(rule.datatypes))}"
    return "the schema does not allow this value here"


def _loosely_allowed(value: str, rule: AttributeRule) -> bool:
    """Without an exact check (a large schema): the index's own reading of the rule."""
    from teitools.model.dates import suggest_iso  # noqa: PLC0415 -- see _value_problem

    if rule.values and value in rule.values:
        return True
    return (
        bool(rule.datatypes & _DATE_TYPES)
        and _ISO_DATE.fullmatch(value) is not None
        and not suggest_iso(value)
    )


def _missing_required(element: etree._Element, rule: ElementRule) -> str | None:
    for attr, attr_rule in sorted(rule.attributes.items()):
        if attr_rule.required and attr not in element.attrib:
            return attribute_display_name(attr)
    return None


def _closest(name: str, candidates: list[str]) -> str | None:
    if f"xml:{name}" in candidates:
        return f"xml:{name}"  # id for xml:id, lang for xml:lang
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
