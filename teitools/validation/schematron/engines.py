"""Layer 3 for any Schematron schema: the lxml fast path for XPath 1, elementpath for XPath 2+.

``queryBinding="xslt"`` (or none) runs through :mod:`teitools.validation.schematron.xslt1`, lxml's
compiled XSLT, which is fastest; when lxml cannot compile such a schema (it uses an XPath 2
function while declaring XSLT 1) the XPath 2 engine reads it in XPath 1 compatibility mode.
``xslt2``/``xslt3`` schemas, and Schematron embedded in RELAX NG or XSD grammars, run on
:mod:`teitools.validation.schematron.xpath2`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, cast

from lxml import etree

from teitools.diagnostics import Diagnostic
from teitools.errors import DocumentError, SchemaError
from teitools.load.declarations import SCHEMATRON_NAMESPACES
from teitools.load.parser import load
from teitools.validation import schema_memory
from teitools.validation.catalog import NO_CATALOGS, Catalogs, shown
from teitools.validation.positions import SourceLines

if TYPE_CHECKING:
    from teitools.validation.schematron.xpath2 import XPath2Schematron
    from teitools.validation.schematron.xslt1 import RuleSet


@dataclass(frozen=True)
class Rules:
    """A compiled Schematron schema, on whichever engine runs it."""

    path: Path
    engine: str  # "xpath1" (lxml) or "xpath2" (elementpath)
    compiled: RuleSet | XPath2Schematron

    def check(self, tree: etree._ElementTree, lines: SourceLines, file: str) -> list[Diagnostic]:
        # Each engine is imported by the first schema that needs it: the XSLT one (lxml's
        # isoschematron) is not needed when the screen finds every file clean.
        if self.engine == "xpath1":
            from teitools.validation.schematron.xslt1 import check_rules  # noqa: PLC0415

            return check_rules(tree, cast("RuleSet", self.compiled), lines, file)
        from teitools.validation.schematron.xpath2 import check_xpath2  # noqa: PLC0415

        return check_xpath2(tree, cast("XPath2Schematron", self.compiled), lines, file)


# A run uses a handful of rule sets (see grammar.compile_relaxng).
@schema_memory.forgotten_on_change
@lru_cache(maxsize=16)
def compile_rules(
    path: Path, phase: str | None = None, engine: str | None = None, catalogs: Catalogs = NO_CATALOGS
) -> Rules:
    """Compile the Schematron at ``path`` (or embedded in the grammar there) once per process.

    ``engine`` forces "xpath1" or "xpath2"; by default the schema's ``queryBinding`` decides.
    ``catalogs`` map the URLs the schema's includes name.
    """
    # The Schematron reader is imported by the first rules compiled: a run whose files the
    # screen finds clean compiles none (see has_embedded_rules).
    from teitools.validation.schematron.source import (  # noqa: PLC0415
        XPATH2_BINDINGS,
        is_schematron,
        read_schematron,
    )

    root = _root(path)
    binding = (root.get("queryBinding") or "xslt").lower() if is_schematron(root) else "xslt2"
    wants_xpath2 = engine == "xpath2" or (engine is None and binding in XPATH2_BINDINGS)
    if not wants_xpath2:
        if phase not in (None, "#ALL", "#DEFAULT"):  # lxml's skeleton ignores an unknown phase
            read_schematron(path, catalogs).active_patterns(phase)
        from teitools.validation.schematron.xslt1 import compile_schematron  # noqa: PLC0415 -- see Rules.check

        try:
            return Rules(path, "xpath1", compile_schematron(path, phase, catalogs))
        except SchemaError:
            if engine == "xpath1":
                raise
    from teitools.validation.schematron.xpath2 import compile_xpath2_schematron  # noqa: PLC0415

    return Rules(path, "xpath2", compile_xpath2_schematron(path, phase, catalogs))


# One boolean per schema file: cheap, so more are kept than compiled schemas.
@schema_memory.forgotten_on_change
@lru_cache(maxsize=256)
def has_embedded_rules(path: Path) -> bool:
    """True when the grammar at ``path`` carries Schematron patterns."""
    if path.suffix.lower() == ".rnc":
        return False
    root = _root(path)
    # No ISO Schematron pattern, none to extract: known without importing the Schematron
    # reader, which a run on the shipped grammar whose files the screen finds clean never needs.
    if next(root.iter(f"{{{SCHEMATRON_NAMESPACES[0]}}}pattern"), None) is None:
        return False
    from teitools.validation.schematron.source import embedded_schematron, is_schematron  # noqa: PLC0415

    return not is_schematron(root) and embedded_schematron(root) is not None


# Whole schema trees, read for the two functions above: as many as compiled rule sets.
@schema_memory.forgotten_on_change
@lru_cache(maxsize=16)
def _root(path: Path) -> etree._Element:
    schema_memory.note(path)
    try:
        return load(path).getroot()
    except DocumentError as error:
        raise SchemaError(f"cannot read schema {shown(path)}: {error.diagnostic.message}") from None
