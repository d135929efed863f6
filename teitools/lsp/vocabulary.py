"""What the schemas in force allow at a cursor: element and attribute names, closed value lists.

The schemas are those ``teitools validate`` would use for the file: the ones it declares (a
grammar and Schematron, resolved offline through the catalogs as validation resolves them),
else the project's (settings ``schemas``) or the shipped ones. The grammar is read, never
compiled, through :class:`~teitools.validation.rng_index.RngIndex` (so a user's schema costs
no compile outside validation's sandbox); closed lists come from its ``<value>`` choices and
from Schematron asserts of the form ``@rend='italic' or @rend='bold'`` (hi/@rend).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

from teitools.errors import TeiToolsError
from teitools.load.declarations import RELAXNG, SCHEMATRON
from teitools.load.parser import TEI_NS, load
from teitools.load.record import FileRecord
from teitools.load.resources import schema_file
from teitools.validation import schema_memory
from teitools.validation.catalog import catalogs_in_force
from teitools.validation.rng_index import ElementRule, RngIndex
from teitools.validation.runner import ValidateOptions
from teitools.validation.schema_jobs import declared_jobs, jobs_for_file

_SCH_NS = "http://purl.oclc.org/dsdl/schematron"
_CLOSED_TEST = re.compile(r"^\s*@([\w:.-]+)\s*=\s*'([^']*)'((?:\s+or\s+@\1\s*=\s*'[^']*')*)\s*$")
_MORE_VALUES = re.compile(r"'([^']*)'")
#: ``tei:hi``, or ``tei:hi[@rend]`` (the rule for the attribute only where it is given).
_CONTEXT = re.compile(r"^\s*tei:([\w.-]+)(?:\[@[\w.:-]+\])?\s*$")


@dataclass(frozen=True)
class Vocabulary:
    """The grammar's index (None: no RELAX NG grammar in force) and the closed value lists
    found in the Schematron: (element, attribute) -> values, names in the TEI namespace."""

    index: RngIndex | None
    closed: dict[tuple[str, str], frozenset[str]]

    def children(self, ancestors: tuple[str, ...]) -> list[str]:
        """The element names allowed inside the innermost of ``ancestors``."""
        rule = self._rule(ancestors)
        return sorted({_local(name) for name in rule.children}) if rule else []

    def attributes(self, element: str, ancestors: tuple[str, ...]) -> list[str]:
        """The attribute names ``element`` may have where it stands."""
        rule = self._rule((*ancestors, element))
        return sorted(_display(name) for name in rule.attributes) if rule else []

    def values(self, element: str, attribute: str, ancestors: tuple[str, ...]) -> list[str]:
        """The closed list of values of ``attribute`` on ``element``; none when it is open."""
        found = set(self.closed.get((element, attribute), ()))
        rule = self._rule((*ancestors, element))
        clark = _clark_attribute(attribute)
        if rule is not None and clark in rule.attributes:
            found |= {v for v in rule.attributes[clark].values if v}
        return sorted(found)

    def _rule(self, chain: tuple[str, ...]) -> ElementRule | None:
        if self.index is None or not chain:
            return None
        element: etree._Element | None = None
        try:
            for name in chain[-2:]:
                tag = _clark_element(name)
                element = etree.Element(tag) if element is None else etree.SubElement(element, tag)
        except ValueError:  # a half-typed name that is no XML name ("0publicationStmt")
            return None
        return self.index.rule_for(element) if element is not None else None


def vocabulary_for(record: FileRecord, options: ValidateOptions) -> Vocabulary:
    """The vocabulary of the schemas in force for ``record``'s file."""
    schema_memory.forget_changed()  # completion offers what the schemas say as last saved
    return _vocabulary(tuple(schemas_in_force(record, options)))


def schemas_in_force(record: FileRecord, options: ValidateOptions) -> list[Path]:
    """The RELAX NG (XML syntax) and Schematron files validation uses for this file."""
    paths: list[Path] = []
    declared = record.declarations if options.declared and not options.schemas else ()
    if declared:
        catalogs = catalogs_in_force(options.catalogs, _shipped("catalog.xml"), [record.path])
        jobs, _ = declared_jobs(declared, record.path, catalogs, str(record.path))
        paths += [job.path for job in jobs if job.language in (RELAXNG, SCHEMATRON)]
    if not declared or options.project_rules_on_declared:
        project = options.project_schemas or tuple(
            p for p in (_shipped("teitools.rng"), _shipped("teitools.sch")) if p is not None
        )
        jobs = [job for path in (*project, *options.schemas) for job in jobs_for_file(path)]
        paths += [job.path for job in jobs if job.language in (RELAXNG, SCHEMATRON)]
    return list(dict.fromkeys(paths))


def _shipped(name: str) -> Path | None:
    try:
        return schema_file(name)
    except TeiToolsError:
        return None


# A server sees a handful of schema sets; tei_all's index is some megabytes.
@schema_memory.forgotten_on_change
@lru_cache(maxsize=8)
def _vocabulary(paths: tuple[Path, ...]) -> Vocabulary:
    index: RngIndex | None = None
    closed: dict[tuple[str, str], frozenset[str]] = {}
    for path in paths:
        schema_memory.note(path)
        try:
            tree = load(path)
        except TeiToolsError:
            continue  # validation reports an unreadable schema; completion just offers less
        root = tree.getroot()
        if etree.QName(root).localname == "grammar" or path.suffix == ".rng":
            index = index or RngIndex(tree)
        closed.update(_closed_lists(root))
    return Vocabulary(index, closed)


def _closed_lists(root: etree._Element) -> dict[tuple[str, str], frozenset[str]]:
    found: dict[tuple[str, str], frozenset[str]] = {}
    for rule in root.iter(f"{{{_SCH_NS}}}rule"):
        context = _CONTEXT.match(rule.get("context", ""))
        if context is None:
            continue
        for check in rule.iter(f"{{{_SCH_NS}}}assert"):
            test = _CLOSED_TEST.match(check.get("test", ""))
            if test is not None:
                values = {test[2], *_MORE_VALUES.findall(test[3])}
                found[(context[1], test[1])] = frozenset(values)
    return found


def _local(clark: str) -> str:
    return clark.split("}", 1)[-1]


def _display(clark: str) -> str:
    if clark.startswith("{http://www.w3.org/XML/1998/namespace}"):
        return "xml:" + _local(clark)
    return _local(clark)


def _clark_element(name: str) -> str:
    # Unprefixed names are TEI's: the edition's files declare it as the default namespace.
    return f"{{{TEI_NS}}}{name.rsplit(':', maxsplit=1)[-1]}"


def _clark_attribute(name: str) -> str:
    if name.startswith("xml:"):
        return "{http://www.w3.org/XML/1998/namespace}" + name[4:]
    return name
