"""A large RELAX NG grammar cut down to the elements a document uses, with the same verdict.

lxml compiles ``tei_all`` (some 600 elements, 16,000 nodes) in seconds, in every process,
though a letter uses some thirty of its elements. An element pattern whose name class matches
no element of the document can never match anything in it, so what it says about its content
cannot change the verdict on that document. Two reductions use that:

* to decide (:meth:`Reductions.deciding`), each such pattern becomes ``notAllowed``, a
  choice loses the branches that can then match nothing, and the definitions no longer
  reached from the start go: ``tei_all`` for a letter shrinks to some 1,500 nodes and compiles
  in milliseconds. What a removed pattern could match in the document is nothing, and so is
  what ``notAllowed`` matches;
* to explain a document found invalid (:meth:`Reductions.explaining`), each such pattern keeps
  its name class in its place but gets ``<empty/>`` for content. libxml2's messages name the
  elements it expected ("Expecting an element fileDesc, got nothing"), and with ``notAllowed``
  they would change (the group around a removed pattern fails as a whole); with the names kept
  they are the full grammar's. It compiles in 0.3 to 0.9 s for ``tei_all``.

What stays whole is every element pattern that may match an element of the document: its
attributes, datatypes, ``notAllowed`` and wildcards. A name class with ``anyName`` or
``nsName`` (TEI's ``egXML`` content) is matched exactly against the document's names, and kept
when it matches one. A pattern reduced for a set of names is sound for every document whose
names are among them, so one reduction serves the files of a corpus until a file brings a new
name; the reductions then cover the union.

A grammar that is small (it compiles fast), not one self-contained ``grammar`` (includes,
external references, nested grammars), or that refers to a definition it does not have, is
compiled whole, so its own mistakes are reported as before. A mistake inside definitions that
no document reaches, which libxml2 reports when it compiles the whole grammar, is not seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from copy import deepcopy

from lxml import etree

from teitools.errors import SchemaError
from teitools.validation.rng_index import RNG_NS, inherited_ns, pattern_name

#: Grammars with fewer nodes are compiled whole: they compile fast, and stay exactly as written.
MIN_REDUCED_NODES = 10_000
_XML_NS = "http://www.w3.org/XML/1998/namespace"


def _rng(tag: str) -> str:
    return f"{{{RNG_NS}}}{tag}"


_ELEMENT = _rng("element")
_DEFINE = _rng("define")
_REF = _rng("ref")
_SELF_CONTAINED = frozenset(map(_rng, ("include", "externalRef", "parentRef", "grammar")))


def reducible(schema: etree._ElementTree) -> bool:
    """True when ``schema`` is large and self-contained, so :func:`reduce_grammar` applies."""
    root = schema.getroot()
    if root.tag != _rng("grammar"):
        return False
    nodes = 0
    defined: set[str] = set()
    referred: set[str] = set()
    for node in root.iter():
        nodes += 1
        if node is not root and node.tag in _SELF_CONTAINED:
            return False
        if node.tag == _DEFINE:
            defined.add(node.get("name", ""))
        elif node.tag == _REF:
            referred.add(node.get("name", ""))
    return nodes >= MIN_REDUCED_NODES and referred <= defined


def element_names(document: etree._ElementTree) -> frozenset[str]:
    """The Clark names of the elements in ``document``."""
    return frozenset(str(e.tag) for e in document.iter() if isinstance(e.tag, str))


class Reductions:
    """The reduced grammars of one large grammar, for the element names seen so far.

    A reduction is made again only when a document has a name the last one did not cover;
    a reduced grammar that libxml2 refuses gives way to the whole grammar (whose error,
    if it has one, is the schema's)."""

    def __init__(self, schema: etree._ElementTree, label: str) -> None:
        self._schema = schema
        self._label = label
        self._made: dict[bool, tuple[frozenset[str], etree.RelaxNG]] = {}
        self._whole: etree.RelaxNG | None = None

    def deciding(self, names: frozenset[str]) -> etree.RelaxNG:
        """A validator whose verdict on a document with these element names is the grammar's."""
        return self._validator(names, keep_names=False)

    def explaining(self, names: frozenset[str]) -> etree.RelaxNG:
        """As :meth:`deciding`, with the grammar's own messages on an invalid document."""
        return self._validator(names, keep_names=True)

    def _validator(self, names: frozenset[str], *, keep_names: bool) -> etree.RelaxNG:
        if self._whole is not None:
            return self._whole
        covered, validator = self._made.get(keep_names, (frozenset(), None))
        if validator is not None and names <= covered:
            return validator
        covered |= names
        try:
            validator = etree.RelaxNG(reduce_grammar(self._schema, covered, keep_names=keep_names))
        except etree.RelaxNGParseError:
            return self._compile_whole()
        self._made[keep_names] = (covered, validator)
        return validator

    def _compile_whole(self) -> etree.RelaxNG:
        try:
            self._whole = etree.RelaxNG(self._schema)
        except etree.RelaxNGParseError as error:
            raise SchemaError(f"the RELAX NG schema {self._label} does not compile: {error}") from None
        return self._whole


def reduce_grammar(
    schema: etree._ElementTree, names: frozenset[str], *, keep_names: bool
) -> etree._ElementTree:
    """``schema`` (see :func:`reducible`) with the patterns of elements not in ``names``
    replaced by ``notAllowed``, or with ``keep_names`` cut down to their name class; the
    definitions then unreached, and annotations, removed."""
    root = deepcopy(schema.getroot())
    for node in list(root.iter()):
        # Annotations (documentation, embedded Schematron) and comments mean nothing to libxml2.
        if not isinstance(node.tag, str) or etree.QName(node).namespace != RNG_NS:
            _remove(node)
    for pattern in list(root.iter(_ELEMENT)):
        parent = pattern.getparent()
        if parent is None or _may_match(pattern, names):
            continue
        if keep_names:
            _cut_down(pattern)
        else:
            _replace(pattern, "notAllowed")
    if not keep_names:
        _Nothing(root).simplify(root)
    reached = _reached(root)
    for define in list(root.iter(_DEFINE)):
        if define.get("name", "") not in reached:
            _remove(define)
    return etree.ElementTree(root)


class _Nothing:
    """Which patterns can match nothing now, by RELAX NG's own simplification (section 4.20
    of the specification): a group, interleave or one-or-more with a part that is
    ``notAllowed`` is ``notAllowed``; so is a choice of only such branches, and a reference to
    a definition that is. libxml2 builds no automaton for a content model whose choices
    still hold such branches, and then validates a letter seven times slower (1.2 ms against
    0.18 for ``tei_all`` whole; 0.34 once they are dropped from every choice that keeps
    another branch, as here).

    Only that: the rest of the simplification (a group that holds ``notAllowed`` made
    ``notAllowed``, an optional part that can only be absent made ``empty``) is sound too, but
    libxml2 2.x then misjudged valid letters or never finished compiling (the SIG's
    example 12), so the patterns are left as the schema wrote them."""

    def __init__(self, root: etree._Element) -> None:
        self._defines: dict[str, list[etree._Element]] = {}
        for define in root.iter(_DEFINE):
            self._defines.setdefault(define.get("name", ""), []).append(define)
        self._known: dict[str, bool] = {}

    def simplify(self, node: etree._Element) -> None:
        """Drop the branches that match nothing from the choices in ``node``."""
        pruned = etree.QName(node).localname == "choice" and not self.matches_nothing(node)
        for child in _content(node):
            if pruned and self.matches_nothing(child):
                node.remove(child)  # a branch that matches nothing; another one stays
            else:
                self.simplify(child)

    def matches_nothing(self, node: etree._Element) -> bool:
        kind = etree.QName(node).localname
        if kind == "notAllowed":
            return True
        if kind == "ref":
            return self._define(node.get("name", ""))
        if kind == "choice":
            return all(self.matches_nothing(c) for c in _content(node))
        if kind in ("group", "interleave", "oneOrMore", "mixed", "list", "attribute"):
            return self._group(_content(node))
        # An element is kept even when its content is nothing: it is one the document uses.
        return False

    def _group(self, nodes: list[etree._Element]) -> bool:
        return any(self.matches_nothing(n) for n in nodes)

    def _define(self, name: str) -> bool:
        if name not in self._known:
            self._known[name] = False  # a reference back to itself passes through an element
            defines = self._defines.get(name, [])
            verdicts = [self._group(_content(d)) for d in defines]
            combine = next((d.get("combine") for d in defines if d.get("combine")), "")
            self._known[name] = bool(verdicts) and (all(verdicts) if combine == "choice" else any(verdicts))
        return self._known[name]


def _content(node: etree._Element) -> list[etree._Element]:
    """The patterns inside ``node``: its RELAX NG children without the name class of an
    element or attribute (which a simplification never touches)."""
    children = [c for c in node if isinstance(c.tag, str)]
    if node.tag in (_ELEMENT, _rng("attribute")) and node.get("name") is None:
        return children[1:]
    return children


def _replace(node: etree._Element, kind: str) -> None:
    stand_in = etree.Element(_rng(kind))
    stand_in.tail = node.tail
    parent = node.getparent()
    if parent is not None:
        parent.replace(node, stand_in)


def _may_match(pattern: etree._Element, names: Iterable[str]) -> bool:
    clark = pattern_name(pattern)
    if clark is not None:
        return clark in names
    name_class = _name_class(pattern)
    return name_class is None or any(_matches(name_class, name) for name in names)


def _cut_down(pattern: etree._Element) -> None:
    """Keep the pattern's name (class) and the namespace it stands in; give it empty content."""
    keep = _name_class(pattern) if pattern.get("name") is None else None
    for child in list(pattern):
        if child is not keep:
            pattern.remove(child)
    etree.SubElement(pattern, _rng("empty"))


def _name_class(pattern: etree._Element) -> etree._Element | None:
    return next((c for c in pattern if isinstance(c.tag, str)), None)


def _matches(name_class: etree._Element, clark: str) -> bool:
    """Whether ``name_class`` (name, anyName, nsName, choice) matches the name ``clark``;
    True for anything else, which is then kept."""
    namespace, _, local = clark[1:].partition("}") if clark.startswith("{") else ("", "", clark)
    kind = etree.QName(name_class).localname
    if kind == "choice":
        return any(_matches(c, clark) for c in name_class if isinstance(c.tag, str))
    if kind == "name":
        return _name_of(name_class) == (namespace, local)
    excepted = next((c for c in name_class if c.tag == _rng("except")), None)
    if excepted is not None and any(_matches(c, clark) for c in excepted if isinstance(c.tag, str)):
        return False
    if kind == "anyName":
        return True
    if kind == "nsName":
        return inherited_ns(name_class) == namespace
    return True


def _name_of(name: etree._Element) -> tuple[str, str]:
    text = (name.text or "").strip()
    if ":" in text:
        prefix, local = text.split(":", 1)
        return (_XML_NS if prefix == "xml" else name.nsmap.get(prefix) or ""), local
    return inherited_ns(name), text


def _reached(root: etree._Element) -> set[str]:
    """The names of the definitions reached from the grammar's start."""
    defines: dict[str, list[etree._Element]] = {}
    for define in root.iter(_DEFINE):
        defines.setdefault(define.get("name", ""), []).append(define)
    reached: set[str] = set()
    pending = list(root.iter(_rng("start")))
    while pending:
        for ref in pending.pop().iter(_REF):
            name = ref.get("name", "")
            if name not in reached:
                reached.add(name)
                pending.extend(defines.get(name, ()))
    return reached


def _remove(node: etree._Element) -> None:
    """Remove ``node`` but not the text after it (a tail is part of the parent's content)."""
    parent = node.getparent()
    if parent is None:
        return
    previous = node.getprevious()
    if node.tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)
