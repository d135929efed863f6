"""Reading an ISO Schematron schema into plain data, whatever query language it uses.

Everything a schema says before any query runs is settled here: ``include`` is replaced by
what it points to, abstract patterns are instantiated (``is-a`` with ``param``), abstract
rules are copied into the rules that ``extends`` them, and Schematron embedded in a RELAX NG
or XSD grammar (TEI's ODD-generated schemas) is lifted into a standalone schema. The
evaluator (:mod:`teitools.validation.schematron.xpath2`) only sees the result.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urldefrag

from lxml import etree

from teitools.diagnostics import Severity
from teitools.errors import DocumentError, SchemaError
from teitools.load.parser import load
from teitools.validation import schema_memory
from teitools.validation.catalog import NO_CATALOGS, Catalogs, shown
from teitools.validation.includes import included_file

SCH_NS = "http://purl.oclc.org/dsdl/schematron"
#: The pre-ISO namespace (Schematron 1.5); read the same way.
SCH15_NS = "http://www.ascc.net/xml/schematron"
_NAMESPACES = (SCH_NS, SCH15_NS)
#: ``include`` may nest; a cycle or a runaway chain stops here.
MAX_INCLUDE_DEPTH = 16

#: Query bindings that need the XPath 2 engine (imported only for them: elementpath is
#: a large import that XPath 1 rules never need).
XPATH2_BINDINGS = frozenset({"xslt2", "xslt3", "xpath2", "xpath3", "xpath31"})

_SEVERITY_BY_ROLE = {
    "fatal": Severity.ERROR,
    "error": Severity.ERROR,
    "warning": Severity.WARNING,
    "warn": Severity.WARNING,
    "info": Severity.INFO,
    "information": Severity.INFO,
}


class PhaseError(SchemaError):
    """The phase asked for is not one the schema has: a mistake of whoever asked (a file's
    declaration), not of the schema."""


def severity_of(role: str | None) -> Severity:
    """The severity a Schematron ``@role`` stands for; no role (or an unknown one) is an error."""
    return _SEVERITY_BY_ROLE.get((role or "error").strip().lower(), Severity.ERROR)


@dataclass(frozen=True)
class Let:
    """A variable: ``name`` bound to the value of the expression ``value``."""

    name: str
    value: str


@dataclass(frozen=True)
class ValueOf:
    """``<value-of select="..."/>`` inside a message."""

    select: str


@dataclass(frozen=True)
class NameOf:
    """``<name path="..."/>`` inside a message; no path is the context node's name."""

    path: str | None


MessagePart = str | ValueOf | NameOf


@dataclass(frozen=True)
class Check:
    """An ``assert`` (fails when its test is false) or ``report`` (fires when true)."""

    kind: str
    test: str
    message: tuple[MessagePart, ...]
    id: str | None
    role: str | None
    flag: str | None
    diagnostics: tuple[str, ...]
    #: Where the check is in the schema file (0: unknown, or in an included file).
    line: int = 0


@dataclass(frozen=True)
class Rule:
    context: str
    lets: tuple[Let, ...]
    checks: tuple[Check, ...]
    id: str | None
    role: str | None
    flag: str | None
    #: Where the rule is in the schema file (0: unknown, or in an included file).
    line: int = 0


@dataclass(frozen=True)
class Pattern:
    id: str | None
    lets: tuple[Let, ...]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Phase:
    id: str
    active: tuple[str, ...]
    lets: tuple[Let, ...]


@dataclass(frozen=True)
class SchemaSource:
    """A Schematron schema with includes, abstract patterns and abstract rules resolved."""

    path: Path
    query_binding: str
    namespaces: tuple[tuple[str, str], ...]
    lets: tuple[Let, ...]
    patterns: tuple[Pattern, ...]
    phases: tuple[Phase, ...]
    default_phase: str | None
    diagnostics: tuple[tuple[str, tuple[MessagePart, ...]], ...]
    title: str

    def active_patterns(self, phase: str | None) -> tuple[tuple[Pattern, ...], tuple[Let, ...]]:
        """The patterns a phase runs and the phase's own variables.

        ``None`` and ``#DEFAULT`` mean the schema's ``defaultPhase`` (all patterns when it has
        none); ``#ALL`` means every pattern. An unknown phase is a :class:`SchemaError`.
        """
        wanted = self.default_phase if phase in (None, "#DEFAULT") else phase
        if wanted in (None, "#ALL"):
            return self.patterns, ()
        for candidate in self.phases:
            if candidate.id == wanted:
                active = set(candidate.active)
                return tuple(p for p in self.patterns if p.id in active), candidate.lets
        known = ", ".join(p.id for p in self.phases) or "none"
        raise PhaseError(f"{shown(self.path)}: the Schematron has no phase '{wanted}' (phases: {known})")


def is_schematron(root: etree._Element) -> bool:
    return etree.QName(root).namespace in _NAMESPACES and etree.QName(root).localname == "schema"


def read_schematron(path: Path, catalogs: Catalogs = NO_CATALOGS) -> SchemaSource:
    """Read the Schematron schema at ``path``, or the Schematron embedded in a grammar there."""
    root = read_schematron_tree(path, catalogs).getroot()
    _instantiate_abstract_patterns(root, path)
    return _build(root, path)


def read_schematron_tree(path: Path, catalogs: Catalogs = NO_CATALOGS) -> etree._ElementTree:
    """The schema at ``path`` (or embedded there) as a tree, its includes expanded.

    An ``include`` may name only what :func:`~teitools.validation.includes.included_file`
    allows (the schema's folder and below, or a URL ``catalogs`` map), as for RELAX NG.
    """
    loaded = _load(path).getroot()
    root = loaded if is_schematron(loaded) else embedded_schematron(loaded)
    if root is None:
        raise SchemaError(f"{shown(path)} is not a Schematron schema and embeds no Schematron rules")
    root = copy.deepcopy(root)
    _expand_includes(root, path, 0, catalogs, path.resolve().parent)
    if any(_sch(e, "extends") and e.get("href") for e in root.iter(etree.Element)):
        # lxml's skeleton would fetch it with document(), outside teitools' hardened loader;
        # refused before anything is resolved, so the answer is the same wherever it points.
        raise SchemaError(
            f'{shown(path)}: <extends href="…"> is not supported; use <include> of '
            'a local file, or extends rule="…" with an abstract rule'
        )
    return root.getroottree()


def embedded_schematron(grammar: etree._Element) -> etree._Element | None:
    """A standalone schema made of the Schematron a RELAX NG or XSD grammar carries, or None.

    TEI's ODD processor writes constraints as ``sch:pattern`` (and ``sch:ns``) anywhere in the
    grammar; their query language is XPath 2 (``xslt2``), as the TEI Guidelines require.
    """
    wanted = {f"{{{SCH_NS}}}{name}" for name in ("ns", "let", "pattern", "phase", "diagnostics")}
    parts = [e for e in grammar.iter(*wanted) if not _inside_schematron(e, grammar)]
    if not any(etree.QName(e).localname == "pattern" for e in parts):
        return None
    schema = etree.Element(f"{{{SCH_NS}}}schema", queryBinding="xslt2", nsmap={"sch": SCH_NS})
    # As ISO's extraction from XSD does (and the XSLT it becomes sees): the prefixes in scope
    # where the rules are written (on xs:schema, most often) are bound, and sch:ns, which
    # comes after them, binds its own prefix over them.
    declared = {ns.get("prefix") for ns in parts if etree.QName(ns).localname == "ns"}
    in_scope: dict[str, str] = {}
    for part in parts:
        for prefix, uri in part.nsmap.items():
            if prefix and prefix not in declared:
                in_scope.setdefault(prefix, uri)
    for prefix, uri in in_scope.items():
        schema.append(etree.Element(f"{{{SCH_NS}}}ns", prefix=prefix, uri=uri))
    for part in parts:
        schema.append(copy.deepcopy(part))
    return schema


def _inside_schematron(element: etree._Element, top: etree._Element) -> bool:
    parent = element.getparent()
    while parent is not None and parent is not top:
        if etree.QName(parent).namespace == SCH_NS:
            return True
        parent = parent.getparent()
    return False


def _load(path: Path) -> etree._ElementTree:
    schema_memory.note(path)
    try:
        return load(path)
    except DocumentError as error:
        raise SchemaError(f"cannot read schema {shown(path)}: {error.diagnostic.message}") from None


#: Marks an element that an include brought in: its source line is not the schema's.
_INCLUDED = "{urn:teitools:internal}included"


def line_in_schema(element: etree._Element) -> int:
    """The line of ``element`` in the schema file it was read from; 0 when it came from an
    included file (whose lines would point into the wrong file)."""
    return 0 if element.get(_INCLUDED) is not None else element.sourceline or 0


def _sch(element: etree._Element, name: str) -> bool:
    if not isinstance(element.tag, str):  # comments and processing instructions
        return False
    qname = etree.QName(element)
    return qname.namespace in _NAMESPACES and qname.localname == name


def _expand_includes(root: etree._Element, path: Path, depth: int, catalogs: Catalogs, home: Path) -> None:
    if depth > MAX_INCLUDE_DEPTH:
        raise SchemaError(f"{shown(path)}: Schematron includes nest deeper than {MAX_INCLUDE_DEPTH}")
    for include in [e for e in root.iter(etree.Element) if _sch(e, "include")]:
        href, fragment = urldefrag(include.get("href", ""))
        if not href:
            raise SchemaError(f'{shown(path)}: <include href="{include.get("href")}"> names no file')
        try:
            replacement = _included(href, fragment, path, depth, catalogs, home)
        except SchemaError as error:
            # Said at the include in the schema being compiled: the outermost one wins.
            raise SchemaError(str(error), line_in_schema(include)) from None
        for element in replacement.iter(etree.Element):  # its lines are another file's
            element.set(_INCLUDED, "")
        parent = include.getparent()
        if parent is None:
            raise SchemaError(f"{shown(path)}: <include> cannot be the root element")
        if is_schematron(replacement):  # an included whole schema brings its content
            index = parent.index(include)
            for offset, child in enumerate(list(replacement)):
                parent.insert(index + offset, child)
            parent.remove(include)
        else:
            parent.replace(include, replacement)


def _included(
    href: str, fragment: str, path: Path, depth: int, catalogs: Catalogs, home: Path
) -> etree._Element:
    """What an include of ``href`` (``#fragment``) in the schema at ``path`` brings in, its own
    includes expanded."""
    target_path = included_file(href, path, catalogs, home)
    target = _load(target_path).getroot()
    if fragment:
        found = target.xpath("//*[@id=$id or @xml:id=$id]", id=fragment)
        if not isinstance(found, list) or not found or not isinstance(found[0], etree._Element):
            raise SchemaError(f"{shown(path)}: {href} has no element with id '{fragment}'")
        target = found[0]
    replacement = copy.deepcopy(target)
    _expand_includes(replacement, target_path, depth + 1, catalogs, home)
    return replacement


def _instantiate_abstract_patterns(root: etree._Element, path: Path) -> None:
    abstract = {p.get("id"): p for p in root if _sch(p, "pattern") and p.get("abstract") == "true"}
    for pattern in [p for p in root if _sch(p, "pattern") and p.get("is-a")]:
        template = abstract.get(pattern.get("is-a"))
        if template is None:
            raise SchemaError(
                f"{shown(path)}: pattern '{pattern.get('id')}' is-a "
                f"'{pattern.get('is-a')}', which is not an abstract pattern here"
            )
        params = {p.get("name", ""): p.get("value", "") for p in pattern if _sch(p, "param")}
        instance = copy.deepcopy(template)
        for attribute in ("abstract", "id"):
            if attribute in instance.attrib:
                del instance.attrib[attribute]
        if pattern.get("id"):
            instance.set("id", pattern.get("id", ""))
        _substitute(instance, params)
        root.replace(pattern, instance)
    for template in abstract.values():
        root.remove(template)


def _substitute(element: etree._Element, params: dict[str, str]) -> None:
    """Replace ``$name`` by the parameter's value in every attribute (longest names first)."""
    names = sorted(params, key=len, reverse=True)
    if not names:
        return
    pattern = re.compile(r"\$(" + "|".join(re.escape(n) for n in names) + r")(?![\w.-])")
    for node in element.iter(etree.Element):
        for key, value in node.attrib.items():
            node.set(key, pattern.sub(lambda m: params[m[1]], str(value)))


def _build(root: etree._Element, path: Path) -> SchemaSource:
    namespaces = tuple(
        (ns.get("prefix", ""), ns.get("uri", "")) for ns in root.iter(etree.Element) if _sch(ns, "ns")
    )
    abstract_rules = {
        r.get("id"): r for r in root.iter(etree.Element) if _sch(r, "rule") and r.get("abstract") == "true"
    }
    diagnostics = tuple(
        (d.get("id", ""), _message(d)) for d in root.iter(etree.Element) if _sch(d, "diagnostic")
    )
    patterns = tuple(
        _pattern(p, abstract_rules, path) for p in root if _sch(p, "pattern") and p.get("abstract") != "true"
    )
    phases = tuple(
        Phase(p.get("id", ""), tuple(a.get("pattern", "") for a in p if _sch(a, "active")), _lets(p))
        for p in root
        if _sch(p, "phase")
    )
    title = next((" ".join(_text(t).split()) for t in root if _sch(t, "title")), "")
    return SchemaSource(
        path=path,
        query_binding=(root.get("queryBinding") or "xslt").lower(),
        namespaces=namespaces,
        lets=_lets(root),
        patterns=patterns,
        phases=phases,
        default_phase=root.get("defaultPhase"),
        diagnostics=diagnostics,
        title=title,
    )


def _pattern(
    element: etree._Element, abstract_rules: dict[str | None, etree._Element], path: Path
) -> Pattern:
    rules = tuple(
        _rule(r, abstract_rules, path) for r in element if _sch(r, "rule") and r.get("abstract") != "true"
    )
    return Pattern(element.get("id"), _lets(element), rules)


def _rule(element: etree._Element, abstract_rules: dict[str | None, etree._Element], path: Path) -> Rule:
    lets: list[Let] = []
    checks: list[Check] = []
    _collect(element, abstract_rules, path, lets, checks, depth=0)
    return Rule(
        element.get("context", ""),
        tuple(lets),
        tuple(checks),
        element.get("id"),
        element.get("role"),
        element.get("flag"),
        line_in_schema(element),
    )


def _collect(
    element: etree._Element,
    abstract_rules: dict[str | None, etree._Element],
    path: Path,
    lets: list[Let],
    checks: list[Check],
    *,
    depth: int,
) -> None:
    if depth > MAX_INCLUDE_DEPTH:
        raise SchemaError(f"{shown(path)}: rule '{element.get('id')}' extends itself")
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if _sch(child, "let"):
            lets.append(_let(child))
        elif _sch(child, "assert") or _sch(child, "report"):
            checks.append(_check(child))
        elif _sch(child, "extends"):
            base = abstract_rules.get(child.get("rule"))
            if base is None:
                raise SchemaError(
                    f'{shown(path)}: <extends rule="{child.get("rule")}"> names no abstract '
                    "rule of this schema"
                )
            _collect(base, abstract_rules, path, lets, checks, depth=depth + 1)


def _check(element: etree._Element) -> Check:
    return Check(
        kind=etree.QName(element).localname,
        test=element.get("test", ""),
        message=_message(element),
        id=element.get("id"),
        role=element.get("role"),
        flag=element.get("flag"),
        diagnostics=tuple((element.get("diagnostics") or "").split()),
        line=line_in_schema(element),
    )


def _lets(element: etree._Element) -> tuple[Let, ...]:
    return tuple(_let(child) for child in element if _sch(child, "let"))


def _let(element: etree._Element) -> Let:
    value = element.get("value")
    if value is None:  # ISO 2016: the element content is the value, as a string
        text = _text(element).replace("'", "''")
        value = f"'{text}'"
    return Let(element.get("name", ""), value)


def _text(element: etree._Element) -> str:
    return "".join(str(t) for t in element.itertext())


def _message(element: etree._Element) -> tuple[MessagePart, ...]:
    parts: list[MessagePart] = []
    if element.text:
        parts.append(element.text)
    for child in element:
        if isinstance(child.tag, str) and _sch(child, "value-of"):
            parts.append(ValueOf(child.get("select", ".")))
        elif isinstance(child.tag, str) and _sch(child, "name"):
            parts.append(NameOf(child.get("path")))
        elif isinstance(child.tag, str):  # emph, dir, span, foreign markup: their text
            parts.extend(_message(child))
        if child.tail:
            parts.append(child.tail)
    return tuple(parts)
