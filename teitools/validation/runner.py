"""Run the validation layers over files, in parallel when asked, and collect one report."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from lxml import etree

from teitools.diagnostics import Diagnostic, Report, Severity
from teitools.errors import DocumentError, SchemaError
from teitools.paths import find_registers, find_xml_files
from teitools.resources import schema_file
from teitools.validation.corpus import FileFacts, check_corpus, gather_facts
from teitools.validation.grammar import check_grammar, compile_relaxng
from teitools.validation.positions import SourceLines
from teitools.validation.rules import check_rules, compile_schematron
from teitools.xmlload import TEI_NS, load

RNG_NS = "http://relaxng.org/ns/structure/1.0"
SCHEMATRON_NS = "http://purl.oclc.org/dsdl/schematron"
_TEI_ROOTS = (f"{{{TEI_NS}}}TEI", f"{{{TEI_NS}}}teiCorpus")


@dataclass(frozen=True)
class ValidateOptions:
    """How to validate.

    ``schemas`` replaces the project's RELAX NG and/or Schematron (each file is recognised by
    its root element). ``registers`` names the register files that pointers resolve against;
    None finds them beside or above the files. ``jobs`` > 1 validates files in parallel.
    """

    schemas: tuple[Path, ...] = ()
    registers: tuple[Path, ...] | None = None
    jobs: int = 1


@dataclass(frozen=True)
class _SchemaSet:
    relaxng: Path | None
    schematron: Path | None


@dataclass(frozen=True)
class _FileResult:
    diagnostics: tuple[Diagnostic, ...]
    facts: FileFacts | None


def validate(paths: Iterable[Path | str], options: ValidateOptions | None = None) -> Report:
    """Validate files and folders; every file is reported on, even when others fail."""
    options = options or ValidateOptions()
    files = find_xml_files(Path(p) for p in paths)
    schemas = _schema_set(options.schemas)
    results = _check_files(files, schemas, options.jobs)
    diagnostics = [d for result in results for d in result.diagnostics]
    checked = [r.facts for r in results if r.facts is not None]
    register_facts = _register_facts(files, options.registers, checked)
    diagnostics += check_corpus(checked, register_facts)
    return Report(tuple(str(f) for f in files), tuple(sorted(diagnostics)))


def iter_diagnostics(
    paths: Iterable[Path | str], options: ValidateOptions | None = None
) -> Iterable[Diagnostic]:
    """The findings of :func:`validate`, one by one."""
    yield from validate(paths, options).diagnostics


def is_valid(paths: Iterable[Path | str], options: ValidateOptions | None = None) -> bool:
    """True when :func:`validate` finds no error."""
    return not validate(paths, options).failed()


def _schema_set(overrides: tuple[Path, ...]) -> _SchemaSet:
    relaxng: Path | None = schema_file("teitools.rng")
    schematron: Path | None = schema_file("teitools.sch")
    for path in overrides:
        kind = _schema_kind(path)
        if kind == "relaxng":
            relaxng = path.resolve()
        else:
            schematron = path.resolve()
    return _SchemaSet(relaxng, schematron)


def _schema_kind(path: Path) -> str:
    try:
        root = load(path).getroot()
    except DocumentError as error:
        raise SchemaError(f"cannot read schema {path}: {error.diagnostic.message}") from None
    namespace = etree.QName(root).namespace
    if namespace == RNG_NS:
        return "relaxng"
    if namespace == SCHEMATRON_NS:
        return "schematron"
    raise SchemaError(f"{path} is neither a RELAX NG (XML syntax) nor an ISO Schematron schema")


def _check_files(files: list[Path], schemas: _SchemaSet, jobs: int) -> list[_FileResult]:
    # Compile before forking, so that workers inherit the schemas instead of each compiling.
    _compile(schemas)
    if jobs <= 1 or len(files) < 2:
        return [check_file(f, schemas) for f in files]
    workers = min(jobs, os.cpu_count() or 1, len(files))
    chunk = max(1, len(files) // (workers * 4))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(check_file, files, [schemas] * len(files), chunksize=chunk))


def _compile(schemas: _SchemaSet) -> None:
    if schemas.relaxng is not None:
        compile_relaxng(schemas.relaxng)
    if schemas.schematron is not None:
        compile_schematron(schemas.schematron)


def check_file(path: Path, schemas: _SchemaSet) -> _FileResult:
    """Layers 1 to 3 for one file, and the facts layer 4 needs."""
    file = str(path)
    try:
        tree = load(path)
    except DocumentError as error:
        return _FileResult((error.diagnostic,), None)
    lines = SourceLines(path)
    root = tree.getroot()
    if root.tag not in _TEI_ROOTS:
        return _FileResult((_not_tei(root, file, lines),), None)
    grammar: list[Diagnostic] = []
    rules: list[Diagnostic] = []
    if schemas.relaxng is not None:
        grammar = check_grammar(tree, compile_relaxng(schemas.relaxng), lines, file)
    if schemas.schematron is not None:
        rules = check_rules(tree, compile_schematron(schemas.schematron), lines, file)
    return _FileResult(_fold(grammar, rules), gather_facts(tree, path))


def _fold(grammar: list[Diagnostic], rules: list[Diagnostic]) -> tuple[Diagnostic, ...]:
    """One mistake, one finding: a grammar finding on the very element a rule reports on
    (a bad date is both) gives way to the rule's, which names the precise rule; a fix the
    grammar finding suggested ("did you mean 1932-07-01?") is kept."""
    by_element = {(d.line, d.xpath or ""): d for d in grammar if d.xpath}
    folded = []
    for finding in rules:
        twin = by_element.pop((finding.line, finding.xpath or ""), None)
        hint = _SUGGESTION.search(twin.message) if twin else None
        folded.append(replace(finding, message=f"{finding.message.rstrip()} Did you mean {hint[1]}?")
                      if hint else finding)
    kept = [d for d in grammar if not d.xpath or (d.line, d.xpath) in by_element]
    # A grammar finding on an ancestor of a rule's finding is the cascade of that mistake
    # (libxml2 reports an invalid date inside an interleave as its container failing).
    inner = [r.xpath for r in rules if r.xpath]
    kept = [d for d in kept if not d.xpath or not any(x.startswith(d.xpath + "/") for x in inner)]
    return (*kept, *folded)


_SUGGESTION = re.compile(r"[Dd]id you mean (\S+?)\?")


def _not_tei(root: etree._Element, file: str, lines: SourceLines) -> Diagnostic:
    name = etree.QName(root)
    if name.localname in ("TEI", "teiCorpus") and name.namespace != TEI_NS:
        found = f"namespace '{name.namespace}'" if name.namespace else "no namespace"
        message = (f"<{name.localname}> is in {found}; TEI elements must be in the TEI namespace: "
                   f'add xmlns="{TEI_NS}" to the root element')
    else:
        message = f"the root element <{name.localname}> is not <TEI>: this is not a TEI document"
    return Diagnostic(file, root.sourceline or 1, lines.column_of(root), Severity.ERROR, "not-tei", message)


def _register_facts(
    files: list[Path], registers: tuple[Path, ...] | None, checked: list[FileFacts]
) -> list[FileFacts]:
    by_file = {Path(f.file).resolve(): f for f in checked if f.kind == "register"}
    wanted = list(registers) if registers is not None else find_registers(files)
    for path in wanted:
        resolved = path.resolve()
        if resolved in by_file:
            continue
        try:
            tree = load(path)
        except DocumentError:
            continue  # an unreadable register is reported when it is itself validated
        by_file[resolved] = gather_facts(tree, path)
    return list(by_file.values())
