"""Schemas as jobs: what to run on a file (declared by it, or given), and running them.

A job is one schema in one language: a grammar (RELAX NG in either syntax, W3C XML Schema)
or Schematron (standalone, or embedded in a grammar). A grammar that embeds Schematron
patterns also runs them, as oXygen does by default. Problems with a declared schema (not
found offline, not readable, not compilable) are findings at the declaration's line, so one
bad declaration never stops the report on other files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from teitools.diagnostics import Diagnostic, Severity
from teitools.errors import DocumentError, SchemaError
from teitools.load import declarations as languages
from teitools.load.declarations import Declaration
from teitools.load.parser import load, parse_bytes
from teitools.load.resources import schemas_dir
from teitools.validation import sandbox, schema_memory
from teitools.validation.catalog import Catalogs, shown
from teitools.validation.grammar import Grammar, check_grammar
from teitools.validation.includes import declared_file
from teitools.validation.positions import SourceLines
from teitools.validation.relaxng_files import compile_declared_relaxng
from teitools.validation.sandbox import Limits
from teitools.validation.schematron.engines import Rules, compile_rules, has_embedded_rules

if TYPE_CHECKING:
    from teitools.validation.xsd import XmlSchema

RULE_UNRESOLVED = "schema-unresolved"
RULE_INVALID = "schema-invalid"
RULE_UNSUPPORTED = "schema-unsupported"
RULE_LIMIT = "schema-limit"
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
    jobs, problems, broken = _plan(declarations, document.absolute().parent, catalogs)
    found = [_problem(file, line, severity, rule, message) for line, severity, rule, message in problems]
    return list(jobs), found + [schema_problem(schema, error, file) for schema, error in broken]


_Problem = tuple[int, Severity, str, str]


# One entry per folder and set of declarations: small, but a corpus may have many folders.
@schema_memory.forgotten_on_change
@lru_cache(maxsize=1024)
def _plan(
    declarations: tuple[Declaration, ...], folder: Path, catalogs: Catalogs
) -> tuple[tuple[SchemaJob, ...], tuple[_Problem, ...], tuple[tuple[Path, SchemaError], ...]]:
    """The jobs, the problems of the declarations themselves, and the schemas that cannot be
    read (a problem of the schema, reported on it)."""
    # The files of a corpus declare the same schemas from the same folders: resolved once.
    jobs: dict[tuple[str, Path, str | None], SchemaJob] = {}
    problems: list[_Problem] = []
    broken: list[tuple[Path, SchemaError]] = []
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
        schema_memory.note(target)  # one written later is found then
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
            broken.append((target.absolute(), error))
    return tuple(jobs.values()), tuple(problems), tuple(broken)


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
    data: bytes,
    limits: Limits,
    raise_errors: bool = False,
) -> Outcome:
    """Run every job on a file's tree (parsed from ``data``); a schema that
    fails to compile is a finding, or raised. The shipped schemas run here; every other
    schema runs in the sandbox within ``limits``, and one that exceeds them is a
    ``schema-limit`` finding (see :mod:`teitools.validation.sandbox`)."""
    trusted = [job for job in jobs if is_trusted(job)]
    outcome = _run_here(tree, trusted, catalogs, lines, file, raise_errors)
    given = [job for job in jobs if not is_trusted(job)]
    if not given:
        return outcome
    path = Path(file)
    try:
        theirs = sandbox.call(_run_sandboxed, data, path, given, catalogs, file, raise_errors, limits=limits)
    except sandbox.LimitExceededError as stopped:
        theirs = Outcome(problems=(_limit_finding(file, given, stopped, limits),))
    return Outcome(
        outcome.grammar + theirs.grammar, outcome.rules + theirs.rules, outcome.problems + theirs.problems
    )


def is_trusted(job: SchemaJob) -> bool:
    """True for the schemas teitools ships, which need no sandbox."""
    return job.path.is_relative_to(_shipped())


# No arguments: the folder never changes.
@lru_cache(maxsize=1)
def _shipped() -> Path:
    return schemas_dir().resolve()


def _run_sandboxed(
    data: bytes, path: Path, jobs: list[SchemaJob], catalogs: Catalogs, file: str, raise_errors: bool
) -> Outcome:
    """In the sandbox's worker: the file parsed again from its bytes, and its jobs run."""
    # The worker outlives runs, and keeps what it compiled: not a schema edited since.
    schema_memory.forget_changed()
    return _run_here(parse_bytes(data, path), jobs, catalogs, SourceLines(path, data), file, raise_errors)


def _run_here(
    tree: etree._ElementTree,
    jobs: list[SchemaJob],
    catalogs: Catalogs,
    lines: SourceLines,
    file: str,
    raise_errors: bool,
) -> Outcome:
    grammar: list[Diagnostic] = []
    rules: list[Diagnostic] = []
    problems: list[Diagnostic] = []
    for job in jobs:
        label = str(job.path)
        try:
            compiled = _compiled_before(job, catalogs)
            if compiled is None:  # only a compile is timed as one, with its longer budget
                sandbox.mark(sandbox.COMPILE, label)
                compiled = _compile_one(job, catalogs)
        except SchemaError as error:
            if raise_errors:
                raise
            # Imported here: the Schematron reader is imported by the first rules compiled.
            from teitools.validation.schematron.source import PhaseError  # noqa: PLC0415

            if isinstance(error, PhaseError):  # the declaration's mistake: said at its line
                problems.append(_problem(file, job.line, Severity.ERROR, RULE_INVALID, str(error)))
            else:
                problems.append(schema_problem(job.path, error, file))
            continue
        try:
            sandbox.mark(sandbox.EVALUATE, label)
            if isinstance(compiled, Grammar):
                grammar += check_grammar(tree, compiled, lines, file)
            elif isinstance(compiled, Rules):
                rules += compiled.check(tree, lines, file)
            else:
                # Imported when a file needs it: xmlschema is a large import.
                from teitools.validation.xsd import check_xsd  # noqa: PLC0415

                grammar += check_xsd(tree, compiled, lines, file)
        except SchemaError as error:
            if raise_errors:
                raise
            problems.append(_problem(file, job.line, Severity.ERROR, RULE_INVALID, str(error)))
    return Outcome(tuple(grammar), tuple(rules), tuple(problems))


#: The details of a problem in a declared schema: the file that declared it, and the schema.
DECLARED_BY = "declared-by"
SCHEMA = "schema"


def schema_problem(schema: Path, error: SchemaError, file: str) -> Diagnostic:
    """The finding for a declared schema that cannot be read or compiled: on the schema file,
    at the error's line when known, naming ``file``, which declared it. Every file declaring
    the schema finds the same; the run reports it once (see the runner)."""
    where = shown(schema)
    # The finding names the schema (and line) already: a message that starts with them says it once.
    message = re.sub(rf"^{re.escape(where)}(?: \(line \d+\))?: ", "", str(error))
    return Diagnostic(
        where,
        error.line,
        1 if error.line else 0,
        Severity.ERROR,
        RULE_INVALID,
        message,
        # The schema again in the details: a cached result is given back with its own file
        # as every finding's, and the run puts this one back on the schema.
        details=((DECLARED_BY, file), (SCHEMA, where)),
    )


def _compile_one(job: SchemaJob, catalogs: Catalogs) -> Grammar | Rules | XmlSchema:
    """The job's schema compiled, once per process (a sandbox worker is one) for as long as
    its files are unchanged; a schema that does not compile raises the same error each time."""
    key = _key(job, catalogs)
    failed = _FAILED.get(key)
    if failed is not None:  # a new error each time: one raised again would grow its traceback
        raise type(failed)(str(failed), failed.line)
    compiled = _COMPILED.get(key)
    if compiled is not None:
        return compiled
    try:
        compiled = _compile_new(job, catalogs)
    except SchemaError as error:
        if len(_FAILED) < _MAX_KEPT:
            _FAILED[key] = error
        raise
    if len(_COMPILED) >= _MAX_KEPT:  # the oldest goes (dicts keep their order)
        del _COMPILED[next(iter(_COMPILED))]
    _COMPILED[key] = compiled
    return compiled


def _compiled_before(job: SchemaJob, catalogs: Catalogs) -> Grammar | Rules | XmlSchema | None:
    """The job's schema if this process compiled it already (and it is unchanged), else None."""
    return _COMPILED.get(_key(job, catalogs))


_Key = tuple[str, Path, str | None, Catalogs, Path]


def _key(job: SchemaJob, catalogs: Catalogs) -> _Key:
    # A schema corrected while a process lives on (a test, an editor's server) is compiled
    # again: schema_memory empties both stores when any file the schema read changes. The
    # current folder is in the key: the paths in a kept error's message are relative to it.
    return (job.language, job.path, job.phase, catalogs, Path.cwd())


#: Compiled schemas (as many as the compilers' own caches keep), and the errors of those that
#: failed: a corpus declares one schema in thousands of files, and a schema that does not
#: compile must not cost a compile for each.
_MAX_KEPT = 16
_COMPILED: dict[_Key, Grammar | Rules | XmlSchema] = {}
_FAILED: dict[_Key, SchemaError] = {}
schema_memory.forget_with(_COMPILED.clear)
schema_memory.forget_with(_FAILED.clear)


def _compile_new(job: SchemaJob, catalogs: Catalogs) -> Grammar | Rules | XmlSchema:
    if job.language in (languages.RELAXNG, languages.RELAXNG_COMPACT):
        return compile_declared_relaxng(job.path, catalogs)
    if job.language == languages.XSD:
        from teitools.validation.xsd import compile_xsd  # noqa: PLC0415

        return compile_xsd(job.path, catalogs)
    return compile_rules(job.path, job.phase, catalogs=catalogs)


def compile_jobs(jobs: list[SchemaJob], catalogs: Catalogs, limits: Limits) -> None:
    """Compile every job's schema now (before workers fork); raise :class:`SchemaError`.

    The shipped schemas are compiled here; the others in the sandbox, where their files
    are then checked (a compile that exceeds ``limits`` is a :class:`SchemaError`)."""
    for job in jobs:
        if is_trusted(job):
            _compile_one(job, catalogs)
            continue
        try:
            sandbox.call(_compile_given, job, catalogs, limits=limits)
        except sandbox.LimitExceededError as stopped:
            raise SchemaError(_limit_message(stopped, limits)) from None


def _compile_given(job: SchemaJob, catalogs: Catalogs) -> None:
    schema_memory.forget_changed()  # as in _run_sandboxed
    sandbox.mark(sandbox.COMPILE, str(job.path))
    _compile_one(job, catalogs)


def _limit_finding(
    file: str, jobs: list[SchemaJob], stopped: sandbox.LimitExceededError, limits: Limits
) -> Diagnostic:
    """The finding for a file whose user-supplied schemas exceeded the budget, at the line
    that declared the schema (1 for a schema given or named in the settings)."""
    job = next((j for j in jobs if str(j.path) == stopped.label), None)
    line = job.line if job is not None else (jobs[0].line or 1)
    message = _limit_message(stopped, limits)
    if job is None:
        message += f" (schemas: {', '.join(str(j.path) for j in jobs)})"
    return Diagnostic(file, line or 1, 1, Severity.ERROR, RULE_LIMIT, message)


def _limit_message(stopped: sandbox.LimitExceededError, limits: Limits) -> str:
    what = f"the schema {shown(Path(stopped.label))}" if stopped.label else "a schema"
    if stopped.where:
        what += f", in {stopped.where},"
    doing = "compiling" if stopped.phase == sandbox.COMPILE else "checking this file"
    if stopped.kind == "time":
        seconds = limits.compile_seconds if stopped.phase == sandbox.COMPILE else limits.seconds
        reason = f"did not finish {doing} within {seconds:g} s"
        raise_it = "--schema-time-limit"
    elif stopped.kind == "memory":
        reason = f"needed more than {limits.memory // 1024**2} MiB of memory {doing}"
        raise_it = "--schema-memory-limit"
    elif stopped.kind == "recursion":
        reason = f"recursed deeper than {sandbox.RECURSION_LIMIT} levels {doing}"
        raise_it = ""
    else:
        reason = f"stopped the process {doing} ({stopped.detail}), most likely out of memory"
        raise_it = "--schema-memory-limit"
    hint = f"; the limit is set with {raise_it}" if raise_it else ""
    return f"{what} {reason}: its evaluation was stopped and its findings on this file are not reported{hint}"


def _problem(file: str, line: int, severity: Severity, rule: str, message: str) -> Diagnostic:
    return Diagnostic(file, line, 1 if line else 0, severity, rule, message)
