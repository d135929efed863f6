"""One element, or one attribute value, checked by libxml2 against the grammar where it stands.

libxml2 places a mistake made inside an ``interleave`` (or a failed choice) at an ancestor:
"Extra element correspDesc in interleave", "Element profileDesc failed to validate content",
whatever is wrong three levels down. To find the element that is really at fault, the
grammar is checked piece by piece with the real validator, not with an approximation:

* a derived grammar makes every element pattern of the schema a definition of its own, and
  its start a choice of wrapper elements, one per pattern; a copy of an element wrapped in
  the wrapper of pattern N is validated against pattern N alone. An element is at fault
  when no pattern that may stand under its parent accepts it;
* an attribute's value is checked against that attribute's own pattern, in a small grammar
  of its own (so ``when="1878"`` is not reported because ``place`` beside it is wrong, and a
  suggested fix is offered only when the grammar accepts it).

Both are built on first need. Compiling a grammar costs time in proportion to its size
(``tei_all`` whole: several seconds, which :mod:`teitools.validation.rng_reduce` spares the
validation itself), so the derived grammar is made only for schemas of at most
:data:`MAX_DERIVED_NODES` nodes; libxml2 reports mistakes in those large schemas, which
use no ``interleave``, at their place anyway.
"""

from __future__ import annotations

from copy import deepcopy
from functools import cached_property

from lxml import etree

from teitools.validation.rng_index import RNG_NS, AttributeRule, RngIndex

#: Larger schemas are not compiled a second time (see the module docstring).
MAX_DERIVED_NODES = 6000
WRAPPER_NS = "urn:x-teitools:pattern"
_DATATYPE_LIBRARY = "datatypeLibrary"


def _rng(tag: str) -> str:
    return f"{{{RNG_NS}}}{tag}"


#: Patterns a piece cannot be checked with on its own: other files, an enclosing grammar.
_UNSUPPORTED = frozenset(map(_rng, ("include", "externalRef", "parentRef")))
_NESTED = _UNSUPPORTED | {_rng("grammar")}


#: An error of a piece's validation: the element of the checked document, libxml2's message.
PieceError = tuple[etree._Element, str]


class ContextChecker:
    """Answers "is this element valid where it stands?" and "is this value allowed?"."""

    def __init__(self, schema: etree._ElementTree, index: RngIndex) -> None:
        self._schema = schema
        self._index = index
        self._values: dict[etree._Element, etree.RelaxNG | None] = {}

    def errors_in_context(self, element: etree._Element) -> list[PieceError] | None:
        """libxml2's errors for ``element`` checked against the patterns that may stand under
        its parent: ``[]`` when one accepts it, the errors of the closest one otherwise (each
        on the element of the document it names). None when it cannot be told: no such
        pattern, or no derived grammar."""
        derived = self._derived
        patterns = self._index.patterns_for(element)
        if derived is None or not patterns:
            return None
        validator, numbers = derived
        best: list[PieceError] | None = None
        for pattern in patterns:
            number = numbers.get(pattern)
            if number is None:
                return None
            wrapper = etree.Element(f"{{{WRAPPER_NS}}}p{number}")
            piece = deepcopy(element)
            piece.tail = None
            wrapper.append(piece)
            if validator.validate(etree.ElementTree(wrapper)):
                return []
            originals = dict(zip(piece.iter(), element.iter(), strict=True))
            errors = [
                (originals.get(found, element), entry.message)
                for entry in validator.error_log
                for found in [_located(wrapper, entry.path, entry.message)]
            ]
            if best is None or len(errors) < len(best):
                best = errors
        return best

    def value_allowed(self, rule: AttributeRule, value: str) -> bool | None:
        """True when one of the attribute's patterns accepts ``value``; None when unknown."""
        verdicts = [self._value_ok(pattern, value) for pattern in rule.patterns]
        if any(verdicts):
            return True
        return None if not verdicts or None in verdicts else False

    def _value_ok(self, pattern: etree._Element, value: str) -> bool | None:
        if pattern not in self._values:
            self._values[pattern] = self._value_grammar(pattern)
        validator = self._values[pattern]
        if validator is None:
            return None
        document = etree.Element("v")
        document.text = value
        return bool(validator.validate(etree.ElementTree(document)))

    def _value_grammar(self, attribute: etree._Element) -> etree.RelaxNG | None:
        """A grammar whose document is ``<v>`` holding a value the attribute accepts."""
        grammar = etree.Element(_rng("grammar"))
        start = etree.SubElement(grammar, _rng("start"))
        holder = etree.SubElement(start, _rng("element"), name="v")
        content = [c for c in attribute if isinstance(c.tag, str)]
        if attribute.get("name") is None:
            content = content[1:]  # the name class
        if not content:
            etree.SubElement(holder, _rng("text"))
        pending = list(content)
        wanted: set[str] = set()
        for node in content:
            holder.append(_explicit_copy(node))
        while pending:
            for ref in pending.pop().iter(_rng("ref")):
                name = ref.get("name", "")
                if name not in wanted:
                    wanted.add(name)
                    for define in self._index.defines(name):
                        pending.append(define)
                        grammar.append(_explicit_copy(define))
        if any(node.tag in _UNSUPPORTED for node in grammar.iter()):
            return None
        try:
            return etree.RelaxNG(etree.ElementTree(grammar))
        except etree.RelaxNGParseError:
            return None

    @cached_property
    def _derived(self) -> tuple[etree.RelaxNG, dict[etree._Element, int]] | None:
        root = self._schema.getroot()
        if (
            root.tag != _rng("grammar")
            or sum(1 for _ in root.iter()) > MAX_DERIVED_NODES
            or any(node.tag in _NESTED for node in root.iter() if node is not root)
        ):
            return None
        originals = list(root.iter(_rng("element")))
        copy = deepcopy(root)
        copies = list(copy.iter(_rng("element")))
        for original, pattern in zip(originals, copies, strict=True):
            # Moved to the top, a pattern would lose what it inherits from where it stood.
            pattern.set("ns", _inherited(original, "ns"))
            pattern.set(_DATATYPE_LIBRARY, _inherited(original, _DATATYPE_LIBRARY))
        for start in list(copy.iter(_rng("start"))):
            start.getparent().remove(start)  # type: ignore[union-attr]
        choice = etree.SubElement(etree.SubElement(copy, _rng("start")), _rng("choice"))
        for number, pattern in enumerate(copies):
            name = f"teitools-pattern-{number}"
            reference = etree.Element(_rng("ref"), name=name)
            reference.tail = pattern.tail
            pattern.getparent().replace(pattern, reference)  # type: ignore[union-attr]
            etree.SubElement(copy, _rng("define"), name=name).append(pattern)
            wrapper = etree.SubElement(choice, _rng("element"))
            etree.SubElement(wrapper, _rng("name"), ns=WRAPPER_NS).text = f"p{number}"
            etree.SubElement(wrapper, _rng("ref"), name=name)
        try:
            validator = etree.RelaxNG(etree.ElementTree(copy))
        except etree.RelaxNGParseError:
            return None
        return validator, {pattern: number for number, pattern in enumerate(originals)}


def _located(wrapper: etree._Element, path: str | None, message: str) -> etree._Element:
    """The element of the checked piece an error names: by its path, else by the element
    named in an interleave message, else the piece itself."""
    piece = wrapper[0]
    if path:
        namespaces = {p: u for e in wrapper.iter() for p, u in e.nsmap.items() if p}
        try:
            found = wrapper.getroottree().xpath(path, namespaces=namespaces)
        except etree.XPathError:
            found = None
        if isinstance(found, list) and found and isinstance(found[0], etree._Element):
            return found[0] if found[0] is not wrapper else piece
    words = message.split()
    if len(words) > 2 and words[0] in ("Extra", "Element"):
        name = words[2] if words[0] == "Extra" else words[1]
        named = [e for e in piece.iter() if isinstance(e.tag, str) and etree.QName(e).localname == name]
        # The second of two is the one too many.
        repeated = (e for e in named if any(s.tag == e.tag for s in e.itersiblings(preceding=True)))
        found_named = next(repeated, named[0] if named else None)
        if found_named is not None:
            return found_named
    return piece


def _explicit_copy(node: etree._Element) -> etree._Element:
    """A copy of a pattern whose datatype nodes name their library, as they did in place."""
    copy = deepcopy(node)
    copy.tail = None
    for original, copied in zip(node.iter(), copy.iter(), strict=True):
        # A value without a type is a token of the built-in library, whatever is inherited.
        if copied.tag == _rng("data") or (copied.tag == _rng("value") and copied.get("type")):
            copied.set(_DATATYPE_LIBRARY, _inherited(original, _DATATYPE_LIBRARY))
    return copy


def _inherited(node: etree._Element, attribute: str) -> str:
    current: etree._Element | None = node
    while current is not None:
        value = current.get(attribute)
        if value is not None:
            return value
        current = current.getparent()
    return ""
