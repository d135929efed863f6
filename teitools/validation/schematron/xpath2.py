"""ISO Schematron with XPath 2/3 (``queryBinding="xslt2"``/``"xslt3"``), evaluated by elementpath.

lxml's Schematron compiles to XSLT 1 and so refuses ``matches()``, ``every … satisfies``,
``eq`` and the rest of XPath 2. This engine evaluates the schema directly: every expression
is parsed once when the schema is compiled; for each document one elementpath node tree is
built and each rule's context is matched against it. Per pattern, a node is handled by the
first rule whose context matches it, as in the ISO skeleton.

elementpath never reads a resource an expression names: ``doc()`` and ``collection()`` only
see documents given to the context (none are), ``unparsed-text()`` refuses every URI unless
external resources are allowed, which this engine never does, and no function tells an
existing file or folder from a missing one.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import elementpath
from elementpath import XPath2Parser, XPathContext
from elementpath.xpath3 import XPath3Parser
from lxml import etree

from teitools.diagnostics import Diagnostic
from teitools.errors import SchemaError
from teitools.validation import sandbox, schema_memory
from teitools.validation.catalog import NO_CATALOGS, Catalogs, shown
from teitools.validation.positions import SourceLines, line_of
from teitools.validation.schematron import xpath_semantics
from teitools.validation.schematron.match_patterns import candidate_xpath, lxml_xpath, match_expression
from teitools.validation.schematron.source import (
    XPATH2_BINDINGS,
    Check,
    Let,
    MessagePart,
    NameOf,
    SchemaSource,
    ValueOf,
    read_schematron,
    severity_of,
)
from teitools.validation.schematron.xpath_nodes import as_nodes, element_of, location_of

# Regular expressions and path order as the specifications define them (see the module).
xpath_semantics.install()

#: The rule id of a test that raises a dynamic error on a node.
RULE_DYNAMIC_ERROR = "schema-invalid"

_XPATH3_BINDINGS = frozenset({"xslt3", "xpath3", "xpath31"})


@dataclass(frozen=True)
class Result:
    """One failed assert or successful report, as SVRL would record it."""

    kind: str  # "failed-assert" or "successful-report"
    element: etree._Element | None
    attribute: str | None
    location: str
    test: str
    message: str
    id: str | None
    rule_id: str | None
    pattern_id: str | None
    role: str | None
    flag: str | None
    context: str


@dataclass
class _CompiledCheck:
    check: Check
    test: Any
    message: tuple[str | tuple[str, Any], ...]
    diagnostics: tuple[tuple[str, tuple[str | tuple[str, Any], ...]], ...]


@dataclass
class _CompiledRule:
    context: str
    match: Any
    #: The same match in lxml's XPath 1, when it compiles there: nodes found in C, then
    #: mapped to elementpath's nodes. None when the match needs XPath 2 (or fails in lxml).
    fast_match: etree.XPath | None
    #: lxml finding a superset of the matches by name, so that a rule about elements the
    #: document lacks costs no elementpath walk.
    candidates: etree.XPath | None
    lets: tuple[tuple[str, Any], ...]
    checks: tuple[_CompiledCheck, ...]
    id: str | None
    role: str | None
    flag: str | None


@dataclass
class _CompiledPattern:
    id: str | None
    lets: tuple[tuple[str, Any], ...]
    rules: tuple[_CompiledRule, ...]


@dataclass
class XPath2Schematron:
    """A compiled XPath 2/3 Schematron schema, for one phase."""

    source: SchemaSource
    phase: str | None
    namespaces: dict[str, str]
    lets: tuple[tuple[str, Any], ...] = ()
    patterns: tuple[_CompiledPattern, ...] = field(default=(), repr=False)
    #: The node XSLT's ``current()`` returns: the context node of the rule being checked.
    current: list[Any] = field(default_factory=lambda: [None], repr=False)

    def validate(self, tree: etree._ElementTree) -> list[Result]:
        """All failed asserts and successful reports for ``tree``, pattern by pattern."""
        base = XPathContext(root=tree, namespaces=self.namespaces)  # type: ignore[arg-type]  # elementpath accepts lxml trees; its annotations name only its own protocols
        variables = self._bind_global(self.lets, base, {})
        results: list[Result] = []
        for pattern in self.patterns:
            pattern_vars = self._bind_global(pattern.lets, base, variables)
            fired: set[int] = set()
            found: list[tuple[int, Result]] = []
            for rule in pattern.rules:
                sandbox.note(
                    f"the rule on {rule.context}" + (f" (pattern {pattern.id})" if pattern.id else "")
                )
                for node in self._matches(tree, base, rule, pattern_vars):
                    key = id(node)
                    if key in fired:
                        continue
                    fired.add(key)
                    found.extend(
                        (node.position, r)
                        for r in self._check_node(
                            tree, base, node, rule=rule, pattern=pattern, variables=pattern_vars
                        )
                    )
            results.extend(r for _, r in sorted(found, key=lambda pair: pair[0]))
        return results

    def _bind_global(
        self, lets: tuple[tuple[str, Any], ...], base: XPathContext, variables: dict[str, Any]
    ) -> dict[str, Any]:
        try:
            return _bind(lets, base, base.root, variables)
        except elementpath.ElementPathError as error:
            raise SchemaError(
                f"{shown(self.source.path)}: a schema or pattern variable cannot be evaluated: {error}"
            ) from None

    def _matches(
        self, tree: etree._ElementTree, base: XPathContext, rule: _CompiledRule, variables: dict[str, Any]
    ) -> list[Any]:
        if rule.fast_match is not None:
            try:
                found = rule.fast_match(tree)
            except etree.XPathError:
                rule.fast_match = None  # an XPath 2 function after all: elementpath from now on
            else:
                nodes = as_nodes(found, base.root)
                if nodes is not None:
                    return nodes
        if rule.candidates is not None and not rule.candidates(tree):
            return []
        context = copy.copy(base)
        context.variables = variables
        return _select(rule.match, context, rule.context, self.source.path)

    def _check_node(
        self,
        tree: etree._ElementTree,
        base: XPathContext,
        node: Any,
        *,
        rule: _CompiledRule,
        pattern: _CompiledPattern,
        variables: dict[str, Any],
    ) -> Iterable[Result]:
        self.current[0] = node
        element, attribute = element_of(node)

        def result(kind: str, check: Check | None, message: str) -> Result:
            return Result(
                kind=kind,
                element=element,
                attribute=attribute,
                location=location_of(tree, element, attribute),
                test=check.test if check else "",
                message=message,
                id=check.id if check else None,
                rule_id=rule.id,
                pattern_id=pattern.id,
                role=check.role if check else None,
                flag=check.flag if check else None,
                context=rule.context,
            )

        try:
            rule_vars = _bind(rule.lets, base, node, variables)
        except elementpath.ElementPathError as error:
            message = f"a variable (let) of this rule cannot be evaluated here: {error}"
            yield replace(result("failed-assert", None, message), id=RULE_DYNAMIC_ERROR)
            return
        context = copy.copy(base)
        context.item = node
        context.variables = rule_vars
        for compiled in rule.checks:
            check = compiled.check
            try:
                outcome = _evaluate(compiled.test, context, check.test, self.source.path)
                if (check.kind == "assert") == bool(compiled.test.boolean_value(outcome)):
                    continue
                message = _expand(compiled.message, context, self.source.path)
                extra = [_expand(d, context, self.source.path) for _, d in compiled.diagnostics]
            except (SchemaError, elementpath.ElementPathError) as error:
                # A dynamic error (a failed cast, say) on this node: a finding here, and the
                # other checks still run, where an XSLT processor would stop the whole file.
                yield replace(
                    result("failed-assert", check, _dynamic_error(check.test, error)), id=RULE_DYNAMIC_ERROR
                )
                continue
            kind = "failed-assert" if check.kind == "assert" else "successful-report"
            yield result(kind, check, " ".join([message, *extra]).strip())


def _dynamic_error(expression: str, error: Exception) -> str:
    reason = str(error).split(" fails: ", 1)[-1]
    return f"the Schematron expression {expression!r} cannot be evaluated here: {reason}"


# A run uses a handful of rule sets (see grammar.compile_relaxng).
@schema_memory.forgotten_on_change
@lru_cache(maxsize=16)
def compile_xpath2_schematron(
    path: Path, phase: str | None = None, catalogs: Catalogs = NO_CATALOGS
) -> XPath2Schematron:
    """Read and compile the schema at ``path`` (or the Schematron it embeds) once per process;
    ``catalogs`` map the URLs its includes name."""
    source = read_schematron(path, catalogs)
    return compile_source(source, phase)


def compile_source(source: SchemaSource, phase: str | None = None) -> XPath2Schematron:
    """Parse every expression of ``source`` once; a syntax error is a :class:`SchemaError`."""
    namespaces = dict(source.namespaces)
    if source.query_binding in _XPATH3_BINDINGS:
        parser: XPath2Parser = XPath3Parser(namespaces=namespaces)
    else:  # XPath 2, or XPath 1 rules lxml could not compile, read in compatibility mode
        parser = XPath2Parser(
            namespaces=namespaces, compatibility_mode=source.query_binding not in XPATH2_BINDINGS
        )
    current: list[Any] = [None]
    _add_xslt_functions(parser, current)
    patterns, phase_lets = source.active_patterns(phase)
    compile_one = _Compiler(parser, source.path)
    diagnostics = {name: compile_one.message(parts) for name, parts in source.diagnostics}
    compiled = []
    for pattern in patterns:
        rules = []
        for rule in pattern.rules:
            checks = tuple(
                _CompiledCheck(
                    check,
                    compile_one(check.test, check.line),
                    compile_one.message(check.message, check.line),
                    tuple((d, diagnostics[d]) for d in check.diagnostics if d in diagnostics),
                )
                for check in rule.checks
            )
            expression = match_expression(rule.context)
            rules.append(
                _CompiledRule(
                    rule.context,
                    compile_one(expression, rule.line),
                    lxml_xpath(expression, namespaces),
                    candidate_xpath(rule.context, namespaces),
                    compile_one.lets(rule.lets),
                    checks,
                    rule.id,
                    rule.role,
                    rule.flag,
                )
            )
        compiled.append(_CompiledPattern(pattern.id, compile_one.lets(pattern.lets), tuple(rules)))
    return XPath2Schematron(
        source, phase, namespaces, compile_one.lets(source.lets + phase_lets), tuple(compiled), current
    )


def _add_xslt_functions(parser: XPath2Parser, current: list[Any]) -> None:
    """The XSLT functions Schematron rules use beyond XPath: ``current()``, ``generate-id()``."""

    def current_node() -> Any:
        return current[0]

    def generate_id(node: Any) -> str:
        return "" if node is None else f"n{getattr(node, 'position', id(node))}"

    token = parser.external_function(current_node, name="current", sequence_types=("item()?",))
    token.label = "function"  # so that a path may follow it: current()/@ref
    with contextlib.suppress(elementpath.ElementPathValueError):  # XPath 3 has its own
        parser.external_function(generate_id, name="generate-id", sequence_types=("node()?", "xs:string"))


class _Compiler:
    def __init__(self, parser: XPath2Parser, path: Path) -> None:
        self.parser = parser
        self.path = path

    def __call__(self, expression: str, line: int = 0) -> Any:
        """``expression`` parsed; ``line`` is where the schema writes it, for the error."""
        try:
            return self.parser.parse(expression)
        except elementpath.ElementPathError as error:
            where = f" (line {line})" if line else ""
            raise SchemaError(
                f"{shown(self.path)}{where}: the XPath expression {expression!r} does not compile: {error}",
                line,
            ) from None

    def lets(self, lets: tuple[Let, ...]) -> tuple[tuple[str, Any], ...]:
        return tuple((let.name, self(let.value)) for let in lets)

    def message(self, parts: tuple[MessagePart, ...], line: int = 0) -> tuple[str | tuple[str, Any], ...]:
        compiled: list[str | tuple[str, Any]] = []
        for part in parts:
            if isinstance(part, ValueOf):
                compiled.append(("value-of", self(part.select, line)))
            elif isinstance(part, NameOf):
                compiled.append(("name", self(f"name({part.path or '.'})", line)))
            else:
                compiled.append(part)
        return tuple(compiled)


def _bind(
    lets: tuple[tuple[str, Any], ...], base: XPathContext, item: Any, variables: dict[str, Any]
) -> dict[str, Any]:
    if not lets:
        return variables
    bound = dict(variables)
    for name, token in lets:
        context = copy.copy(base)
        context.item = item
        context.variables = bound
        bound[name] = token.evaluate(context)
    return bound


def _select(token: Any, context: XPathContext, expression: str, path: Path) -> list[Any]:
    try:
        return list(token.select(context))
    except elementpath.ElementPathError as error:
        raise SchemaError(f"{shown(path)}: the rule context {expression!r} fails: {error}") from None


def _evaluate(token: Any, context: XPathContext, expression: str, path: Path) -> Any:
    # One context serves every test on a node; the focus is reset rather than the context
    # copied, since a path expression moves it.
    item = context.item
    try:
        return token.evaluate(context)
    except elementpath.ElementPathError as error:
        raise SchemaError(f"{shown(path)}: the test {expression!r} fails: {error}") from None
    finally:
        context.item, context.position, context.size, context.axis = item, 1, 1, None


def _expand(parts: tuple[str | tuple[str, Any], ...], context: XPathContext, path: Path) -> str:
    text: list[str] = []
    for part in parts:
        if isinstance(part, str):
            text.append(part)
            continue
        _, token = part
        value = _evaluate(token, context, "value-of", path)
        items = value if isinstance(value, list) else [value]
        text.append(" ".join(token.string_value(item) for item in items if item is not None))
    return " ".join("".join(text).split())


def check_xpath2(
    tree: etree._ElementTree, schema: XPath2Schematron, lines: SourceLines, file: str
) -> list[Diagnostic]:
    """Run ``schema`` on ``tree``; one finding per failed assert or successful report."""
    findings = []
    for result in schema.validate(tree):
        element = result.element
        line = line_of(element)
        attribute = etree.QName(result.attribute).localname if result.attribute else None
        if result.attribute and result.attribute.startswith("{http://www.w3.org/XML/1998/"):
            attribute = f"xml:{attribute}"
        column = lines.column_of(element, attribute) if element is not None else 0
        xpath = tree.getpath(element) if element is not None else None
        rule_id = result.id or result.rule_id or result.pattern_id or "schematron"
        details = [
            ("kind", result.kind),
            ("location", result.location),
            ("test", result.test),
            ("context", result.context),
            ("schema", str(schema.source.path)),
        ]
        details += [
            (name, value)
            for name, value in (
                ("role", result.role),
                ("flag", result.flag),
                ("pattern", result.pattern_id),
                ("rule", result.rule_id),
                ("id", result.id),
            )
            if value
        ]
        message = result.message or f"{result.kind.replace('-', ' ')}: {result.test}"
        findings.append(
            Diagnostic(file, line, column, severity_of(result.role), rule_id, message, xpath, tuple(details))
        )
    return findings
