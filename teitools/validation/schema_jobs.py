"""Schemas as jobs: what to run on a file (declared by it, or given), and running them.

A job is one schema in one language: a grammar (RELAX NG in either syntax, W3C XML Schema)
or Schematron (standalone, or embedded in a grammar). A grammar that embeds Schematron
patterns also runs them, as oXygen does by default. Problems with a declared schema (not
found offline, not readable, not compilable) are findings at the declaration's line, so one
bad declaration never stops the report on other files.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

from teitools.diagnostics import Diagnostic, Severity
from teitools.errors import DocumentError, SchemaError
from teitools.load import declarations as languages
from teitools.load.declarations import Declaration
from teitools.load.parser import load
from teitools.validation.catalog import Catalogs
from teitools.validation.grammar import check_grammar
from teitools.validation.includes import declared_file
from teitools.validation.positions import SourceLines
from teitools.validation.relaxng_files import compile_declared_relaxng
from teitools.validation.schematron.engines import compile_rules, has_embedded_rules

RULE_UNRESOLVED = "schema-unresolved"
RULE_INVALID = "schema-invalid"
RULE_UNSUPPORTED = "schema-unsupported"
GRAMMARS = (languages.RELAXNG, languages.RELAXNG_COMPACT, languages.XSD)


@dataclass(frozen=True)
class SchemaJob:
    """Run the schema at ``path`` in ``language``; ``line`` is where a file declared it."""

    language: str
    path: Path
    phase: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Outcome:
    """What a file's jobs found: grammar findings, rule findings, problems with the schemas."""

    grammar: tuple[Diagnostic, ...] = ()
    rules: tuple[Diagnostic, ...] = ()
    problems: tuple[Diagnostic, ...] = ()


def jobs_for_file(
    path: Path, phase: str | None = None, line: int = 0, language: str | None = None
) -> list[SchemaJob]:
    """The jobs one schema file stands for: its grammar, and its (embedded) Schematron.

    ``language`` is what a declaration said; without it the file's syntax decides. A
    Schematron declaration naming a grammar means the grammar's embedded rules.
    """
    # Absolute, not resolved: messages name the schema as given, never where a link points.
    resolved = path.absolute()
    language = language or language_of(resolved)
    if language == languages.SCHEMATRON:
        return [SchemaJob(languages.SCHEMATRON, resolved, phase, line)]
    jobs = [SchemaJob(language, resolved, None, line)]
    if language != languages.RELAXNG_COMPACT and has_embedded_rules(resolved):
        jobs.append(SchemaJob(languages.SCHEMATRON, resolved, phase, line))
    return jobs


def language_of(path: Path) -> str:
    """The schema language of a file, from its syntax: compact RELAX NG by its suffix."""
    if path.suffix.lower() == ".rnc":
        return languages.RELAXNG_COMPACT
    try:
        root = load(path).getroot()
    except DocumentError as error:
        raise SchemaError(f"cannot read schema {path}: {error.diagnostic.message}") from None
    namespace = etree.QName(root).namespace
    if namespace == languages.RNG_NS:
        return languages.RELAXNG
    if namespace == languages.XSD_NS:
        return languages.XSD
    if namespace in languages.SCHEMATRON_NAMESPACES:
        return languages.SCHEMATRON
    raise SchemaError(
        f"{path} is not a schema teitools reads: expected RELAX NG (.rng or .rnc), "
        "W3C XML Schema (.xsd) or ISO Schematron (.sch)"
    )


def declared_jobs(
    declarations: tuple[Declaration, ...], document: Path, catalogs: Catalogs, file: str
) -> tuple[list[SchemaJob], list[Diagnostic]]:
    """The jobs a file's declarations ask for (duplicates once), and findings for those that
    cannot be run."""
    jobs, problems = _plan(declarations, document.absolute().parent, catalogs)
    return list(jobs), [
        _problem(file, line, severity, rule, message) for line, severity, rule, message in problems
    ]


_Problem = tuple[int, Severity, str, str]


# One entry per folder and set of declarations: small, but a corpus may have many folders.
@lru_cache(maxsize=1024)
def _plan(
    declarations: tuple[Declaration, ...], folder: Path, catalogs: Catalogs
) -> tuple[tuple[SchemaJob, ...], tuple[_Problem, ...]]:
    # The files of a corpus declare the same schemas from the same folders: resolved once.
    jobs: dict[tuple[str, Path, str | None], SchemaJob] = {}
    problems: list[_Problem] = []
    document = folder / "document.xml"
    for declared in declarations:
        if declared.language == languages.UNKNOWN:
            problems.append(
                (
                    declared.line,
                    Severity.WARNING,
                    RULE_UNSUPPORTED,
                    f"the schema {declared.href} declared here is not in a language "
                    "teitools reads (RELAX NG, W3C XML Schema, ISO Schematron); it "
                    "was not applied",
                )
            )
            continue
        try:  # outside the repository, or mapped there by a catalog in it: refused, said so
            target = declared_file(declared.href, document, catalogs)
        except SchemaError as error:
            problems.append((declared.line, Severity.ERROR, RULE_INVALID, str(error)))
            continue
        if target is None:
            problems.append(
                (declared.line, Severity.ERROR, RULE_UNRESOLVED, unresolved_message(declared.href))
            )
            continue
        if not target.is_file():
            problems.append(
                (
                    declared.line,
                    Severity.ERROR,
                    RULE_UNRESOLVED,
                    f"the schema {declared.href} declared here does not exist "
                    f"({target}); correct the href or map it with --catalog",
                )
            )
            continue
        try:
            for job in jobs_for_file(target, declared.phase, declared.line, declared.language):
                jobs.setdefault((job.language, job.path, job.phase), job)
        except SchemaError as error:
            problems.append((declared.line, Severity.ERROR, RULE_INVALID, str(error)))
    return tuple(jobs.values()), tuple(problems)


def unresolved_message(url: str) -> str:
    return (
        f"the schema {url} declared here cannot be read offline: teitools never fetches "
        "from the network. Map it to a local copy with an XML catalog, e.g. "
        f'<uri name="{url}" uri="schemas/{Path(url).name or "schema"}"/>, given with '
        "--catalog FILE or XML_CATALOG_FILES"
    )


def run_jobs(
    tree: etree._ElementTree,
    jobs: list[SchemaJob],
    catalogs: Catalogs,
    lines: SourceLines,
    file: str,
    *,
    raise_errors: bool = False,
) -> Outcome:
    """Run every job on ``tree``; a schema that fails to compile is a finding, or raised."""
    grammar: list[Diagnostic] = []
    rules: list[Diagnostic] = []
    problems: list[Diagnostic] = []
    for job in jobs:
        try:
            if job.language in (languages.RELAXNG, languages.RELAXNG_COMPACT):
                compiled = compile_declared_relaxng(job.path, catalogs)
                grammar += check_grammar(tree, compiled, lines, file)
            elif job.language == languages.XSD:
                # Imported when a file needs it: xmlschema is a large import.
                from teitools.validation.xsd import check_xsd, compile_xsd  # noqa: PLC0415

                grammar += check_xsd(tree, compile_xsd(job.path, catalogs), lines, file)
            else:
                rules += compile_rules(job.path, job.phase, catalogs=catalogs).check(tree, lines, file)
        except SchemaError as error:
            if raise_errors:
                raise
            problems.append(_problem(file, job.line, Severity.ERROR, RULE_INVALID, str(error)))
    return Outcome(tuple(grammar), tuple(rules), tuple(problems))


def compile_jobs(jobs: list[SchemaJob], catalogs: Catalogs) -> None:
    """Compile every job's schema now (before workers fork); raise :class:`SchemaError`."""
    for job in jobs:
        if job.language in (languages.RELAXNG, languages.RELAXNG_COMPACT):
            compile_declared_relaxng(job.path, catalogs)
        elif job.language == languages.XSD:
            from teitools.validation.xsd import compile_xsd  # noqa: PLC0415

            compile_xsd(job.path, catalogs)
        else:
            compile_rules(job.path, job.phase, catalogs=catalogs)


def _problem(file: str, line: int, severity: Severity, rule: str, message: str) -> Diagnostic:
    return Diagnostic(file, line, 1 if line else 0, severity, rule, message)
