"""Run the validation layers over files, in parallel when asked, and collect one report.

Every file is read once per run (see :mod:`teitools.load.record`): its record gives the cache
key its digest, gives the declared schemas, and is what the check parses; a worker process is
sent the record's bytes, never asked to read the file again. A file the cache has never seen
(every file, on a first run) is not read for its key: its check reads it, in a worker when
there are workers, and gives back the digest of the bytes it checked, which makes the key.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from lxml import etree

from teitools.diagnostics import Diagnostic, Report, Severity
from teitools.errors import SchemaError, TeiToolsError
from teitools.load.cores import available_cores
from teitools.load.declarations import RELAXNG, SCHEMATRON, Declaration
from teitools.load.inputs import find_registers, find_xml_names, registers_by_file, select_shard
from teitools.load.parser import TEI_NS
from teitools.load.record import FileRecord, known_record, read_record
from teitools.load.resources import schema_file
from teitools.load.settings import BUNDLED_PROJECT_RULES, RULE_SETS, Settings
from teitools.validation import schema_memory
from teitools.validation.cache import CachedResult, Checked, FileIndex, Progress, ResultCache, run_cached
from teitools.validation.catalog import Catalogs, catalogs_in_force
from teitools.validation.corpus import FileFacts, check_corpus, gather_facts, walk_file
from teitools.validation.grammar import check_grammar
from teitools.validation.peers import FILES_PER_WORKER, compact, not_tei, peer_facts, read_registers
from teitools.validation.positions import SourceLines, line_of
from teitools.validation.relaxng_files import compile_declared_relaxng
from teitools.validation.sandbox import Limits, WorkerFaultError, fault_text
from teitools.validation.schema_jobs import (
    DECLARED_BY,
    SCHEMA,
    SchemaJob,
    compile_jobs,
    declared_jobs,
    is_trusted,
    jobs_for_file,
    language_of,
    run_jobs,
)
from teitools.validation.schematron.engines import compile_rules
from teitools.validation.schematron.screen import screens

#: Told each file's record with its tree (``True``: an input; ``False``: a register read only
#: for the cross-file checks), so that another stage can use the tree the check parsed.
Parsed = Callable[[FileRecord, bool], None]


@dataclass(frozen=True)
class ValidateOptions:
    """How to validate.

    A file that declares its own schemas (``<?xml-model?>``, ``xsi:schemaLocation``) is judged
    by them alone; ``project_rules_on_declared`` also applies the project's schemas and the
    cross-file checks to it (the command line sets it in a project with settings, see
    :func:`project_rules_apply`: a declaration must not switch a project's rules off). Other
    files use ``project_schemas`` (default: the shipped ``teitools.rng`` and ``teitools.sch``).
    ``schemas`` (``--schema``) overrides: declarations are ignored, and each given schema
    replaces the project's schema of its kind (grammar or Schematron) for every file.
    ``catalogs`` are OASIS XML catalogs that map schema URLs to local files
    (``XML_CATALOG_FILES`` and the shipped catalog are used too). ``registers`` names the
    register files that pointers resolve against; None finds them beside or above the files.
    ``jobs`` > 1 validates files in parallel.
    ``cache_dir`` keeps per-file results between runs (see :mod:`teitools.validation.cache`);
    None validates every file afresh. ``changed_since`` (a git ref) keeps only the files
    changed since it and the files that depend on them (see :mod:`teitools.validation.changes`).
    ``limits`` bound the time and memory each file's schemas may take, except the shipped
    ones (see :mod:`teitools.validation.sandbox`).
    ``rules`` are the rule sets to apply (default: every one; the command line takes the
    edition's settings, see :mod:`teitools.load.settings`). Without the bundled edition's
    (``project:teitools-letters``) the shipped grammar does not run, and of the shipped
    Schematron only the rules of the sets chosen are reported.
    ``given`` are inputs whose bytes the caller read (standard input, an editor's buffer),
    checked under their record's path instead of reading that path; ``cross_file`` false
    leaves out the cross-file checks (``--schema`` alone: the given schemas and nothing else).
    ``shard`` ``(K, N)`` checks and reports
    only the K-th of N parts of the files (see :func:`~teitools.load.inputs.select_shard`);
    the cross-file checks still read every file's ids and pointers.
    """

    schemas: tuple[Path, ...] = ()
    registers: tuple[Path, ...] | None = None
    jobs: int = 1
    catalogs: tuple[Path, ...] = ()
    project_schemas: tuple[Path, ...] = ()
    declared: bool = True
    project_rules_on_declared: bool = False
    cache_dir: Path | None = None
    changed_since: str | None = None
    limits: Limits = field(default_factory=Limits)
    rules: tuple[str, ...] = RULE_SETS
    given: tuple[FileRecord, ...] = ()
    cross_file: bool = True
    shard: tuple[int, int] | None = None


@dataclass(frozen=True)
class _SchemaSet:
    """What each worker needs to know: the default jobs, and how to treat declarations."""

    jobs: tuple[SchemaJob, ...]
    catalogs: Catalogs
    declared: bool
    project_rules_on_declared: bool
    #: The shipped schemas are for TEI: a file with another root is reported as not-tei.
    tei_only: bool = True
    limits: Limits = field(default_factory=Limits)
    #: Rules of the shipped Schematron whose rule set was not chosen: their findings are dropped.
    dropped: frozenset[str] = frozenset()
    #: The shipped Schematron's job, when the screen answers for its rules: it runs only on
    #: the files the screen finds suspect (see :mod:`teitools.validation.schematron.screen`).
    screened: SchemaJob | None = None
    #: How many of the first ``jobs`` are the shipped grammar and Schematron, which the runner
    #: calls itself: for a letter, the bookkeeping of running jobs cost as much as the grammar.
    direct: int = 0
    #: The registers' ids, when no result is kept for other registers (no cache): a file's
    #: pointers to them are not gathered (see :func:`~teitools.validation.corpus.walk_file`).
    resolved: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _FileResult:
    diagnostics: tuple[Diagnostic, ...]
    facts: FileFacts | None


def project_rules_apply(settings: Settings, *, declared_only: bool = False) -> bool:
    """Whether the project's schemas and cross-file checks run on files that declare their
    own: yes in a project with settings, unless it (``declared-schemas-only``) or the user
    (``declared_only``) asks for declared schemas only. In a plain folder without settings a
    declaring file is judged by its own schemas alone, as it always was."""
    return settings.file is not None and not (declared_only or settings.declared_schemas_only)


def validate(
    paths: Iterable[Path | str],
    options: ValidateOptions | None = None,
    *,
    progress: Progress | None = None,
    parsed: Parsed | None = None,
) -> Report:
    """Validate files and folders; every file is reported on, even when others fail.

    ``progress(done, total)`` is called as files are checked, for a progress bar.
    ``parsed(record, is_input)`` is told every file's record, in order, with its tree when
    it parsed (see :data:`Parsed`); it needs one job and no cache, so that every file is
    checked, in order, in this process.
    """
    options = options or ValidateOptions()
    if parsed is not None and (options.jobs > 1 or options.cache_dir is not None):
        raise ValueError("validate(parsed=...) needs jobs=1 and no cache_dir")
    schemas = _schema_set(options, inputs := [Path(p) for p in paths])
    names, files, by_file, wanted, peers = _inputs(inputs, options, schemas)
    records = _Records(wanted, options.given)
    cache = _open_cache(files, schemas, options, records, by_file) if files is not None else None
    # A shard's cross-file findings depend on the other shards' files, which no key covers.
    if (
        cache is not None
        and files is not None
        and not peers
        and (known := cache.get_report(files)) is not None
    ):
        cache.flush()  # what the index learnt of files read for their keys
        return replace(known, schema_mode=_mode(options, schemas, records))
    # The registers' facts first, when no stage waits for their trees in order: a file's
    # pointers they resolve need not be kept until the cross-file pass (see peers.compact).
    early = read_registers(wanted, records.register) if options.cross_file and parsed is None else {}
    register_ids = frozenset(file_id for facts in early.values() for file_id, _ in facts.ids)
    # A worker's walk can leave the pointers out itself (see walk_file); of a result the cache
    # keeps, only when the registers they name are every file's, which its key covers (a file
    # of another edition may be checked against other registers next time).
    one_edition = options.registers is not None or (by_file is not None and len(set(by_file.values())) == 1)
    compact_in_workers = register_ids if early and (cache is None or one_edition) else None
    if compact_in_workers:
        schemas = replace(schemas, resolved=compact_in_workers)
    keep = (lambda result: compact(result, register_ids)) if early and not compact_in_workers else None
    every: list[Diagnostic] = []
    checked: list[FileFacts] = []
    for found, facts in _check_files(
        names, files, schemas, options.jobs, cache, progress, records, parsed, keep, compact_in_workers
    ):
        every += found
        if facts is not None:
            checked.append(facts)
    diagnostics = _once_per_schema(every)
    del every
    if options.cross_file:
        if peers:  # the whole edition's facts, but the findings of this shard's files only
            checked += list(peer_facts(peers, schemas, options.jobs, register_ids, checked, options.rules))
        register_facts = _register_facts(wanted, checked, records, parsed, early)
        across = check_corpus(checked, register_facts, options.rules)
        own = set(names)
        diagnostics += [d for d in across if d.file in own] if peers else across
    report = Report(tuple(names), tuple(sorted(diagnostics)))
    if cache is not None and files is not None and not peers and not records.changed:
        cache.put_report(files, report)
    return replace(report, schema_mode=_mode(options, schemas, records))


def _inputs(
    inputs: list[Path], options: ValidateOptions, schemas: _SchemaSet
) -> tuple[list[str], list[str] | None, dict[str, tuple[Path, ...]] | None, list[Path], list[Path]]:
    """The run's files by name, and again when the cache needs them all (its keys are made of
    every file's name); each file's registers when the cache needs them for its keys; the
    registers of the run; the files of the other shards (none without ``--shard``)."""
    # The files by name: a Path object each only for a mode that needs them all at once (50,000
    # Path objects were 20 MiB of a run's memory); a check makes its file's own.
    if options.changed_since is not None:
        names = [str(path) for path in _changed(inputs, options.changed_since, options, schemas)]
    else:
        given = {record.path for record in options.given}
        names = find_xml_names(p for p in inputs if p not in given) + [str(path) for path in given]
    cached = options.cache_dir is not None
    # With a cache, each file's registers are part of its key: found once for both.
    by_file = registers_by_file(names) if cached and options.registers is None else None
    if options.registers is not None:
        wanted = list(options.registers)
    elif by_file:
        wanted = list(dict.fromkeys(r for found in by_file.values() for r in found))
    else:
        wanted = find_registers(names)
    peers: list[Path] = []
    if options.shard is not None:
        paths = [Path(name) for name in names]
        mine = select_shard(paths, *options.shard)
        kept = set(mine)
        peers = [path for path in paths if path not in kept]  # unsorted: the pass sorts
        names = [str(path) for path in mine]
    return names, names if cached else None, by_file, wanted, peers


def _once_per_schema(found: list[Diagnostic]) -> list[Diagnostic]:
    """A problem in a declared schema is found by every file that declares it: reported once,
    on the schema, saying how many files declare it and naming the first."""
    declarers: dict[Diagnostic, list[str]] = {}
    kept: list[Diagnostic] = []
    for finding in found:
        declarer, schema = finding.detail(DECLARED_BY), finding.detail(SCHEMA)
        if declarer is None or schema is None:
            kept.append(finding)
        else:
            declarers.setdefault(replace(finding, file=schema), []).append(declarer)
    for finding, files in declarers.items():
        first = min(files)
        count = len(set(files))
        said = f"declared by {first}" if count == 1 else f"declared by {count:,} files, among them {first}"
        details = ((DECLARED_BY, first), ("declaring-files", str(count)), (SCHEMA, finding.file))
        kept.append(replace(finding, message=f"{finding.message} ({said})", details=details))
    return kept


def _mode(options: ValidateOptions, schemas: _SchemaSet, records: _Records) -> str | None:
    """``Report.schema_mode``: how declared schemas were treated, said only where it matters."""
    if options.schemas:
        return "given"
    if not records.declaring:  # no input declares schemas (or, declarations ignored, none was read)
        return None
    if not schemas.declared:
        return "project-only"
    return "project-and-declared" if schemas.project_rules_on_declared else "declared-only"


def iter_diagnostics(
    paths: Iterable[Path | str], options: ValidateOptions | None = None
) -> Iterable[Diagnostic]:
    """The findings of :func:`validate`, one by one."""
    yield from validate(paths, options).diagnostics


def is_valid(paths: Iterable[Path | str], options: ValidateOptions | None = None) -> bool:
    """True when :func:`validate` finds no error."""
    return not validate(paths, options).failed()


def _schema_set(options: ValidateOptions, inputs: list[Path]) -> _SchemaSet:
    # Before anything is compiled: a long-lived process keeps no schema edited since it was read.
    schema_memory.forget_changed()
    catalogs = catalogs_in_force(options.catalogs, _shipped_catalog(), inputs)
    paths = list(options.project_schemas or _shipped_schemas(options.rules))
    # The shipped Schematron holds rules of several sets: those not chosen are left out.
    dropped = frozenset() if options.project_schemas else _rules_outside(options.rules)
    if options.schemas:  # each given schema replaces the project's of its kind
        replaced = {_is_rules(path) for path in options.schemas}
        paths = [p for p in paths if _is_rules(p) not in replaced] + list(options.schemas)
        if any(replaced):  # the user's Schematron: every rule of it is reported
            dropped = frozenset()
    jobs = [job for path in paths for job in jobs_for_file(path)]
    declared = options.declared and not options.schemas
    tei_only = not options.schemas and not options.project_schemas
    shipped = schema_file("teitools.sch").absolute()
    screened = next(
        (
            j
            for j in jobs
            if j.language == SCHEMATRON and j.path == shipped and j.phase is None and screens(j.path)
        ),
        None,
    )
    direct = next((i for i, job in enumerate(jobs) if not _is_direct(job)), len(jobs))
    return _SchemaSet(
        tuple(jobs),
        catalogs,
        declared,
        options.project_rules_on_declared,
        tei_only,
        options.limits,
        dropped,
        screened,
        direct,
    )


def _rules_outside(rules: tuple[str, ...]) -> frozenset[str]:
    """The catalogued rules of no set in ``rules``: none when every set is chosen (each rule
    belongs to one of RULE_SETS), known without importing the catalogue, a table of every
    rule's text that only a run leaving sets out needs."""
    if set(RULE_SETS) <= set(rules):
        return frozenset()
    from teitools.validation.rule_catalogue import rules_outside  # noqa: PLC0415

    return rules_outside(rules)


def _is_direct(job: SchemaJob) -> bool:
    shipped = {
        schema_file("teitools.rng").absolute(): RELAXNG,
        schema_file("teitools.sch").absolute(): SCHEMATRON,
    }
    return shipped.get(job.path) == job.language and job.phase is None


def _shipped_schemas(rules: tuple[str, ...]) -> tuple[Path, ...]:
    """The shipped grammar is the bundled edition's closed subset of TEI, for its rules alone;
    the shipped Schematron also holds TEI's date rules, which every edition gets."""
    if BUNDLED_PROJECT_RULES in rules:
        return (schema_file("teitools.rng"), schema_file("teitools.sch"))
    return (schema_file("teitools.sch"),)


def _is_rules(path: Path) -> bool:
    return language_of(path.resolve()) == SCHEMATRON


def _shipped_catalog() -> Path | None:
    try:
        return schema_file("catalog.xml")
    except SchemaError:
        return None


def _changed(paths: list[Path], ref: str, options: ValidateOptions, schemas: _SchemaSet) -> list[Path]:
    # Imported for --changed-since alone: it runs git, through subprocess.
    from teitools.validation.changes import changed_files, select_changed  # noqa: PLC0415

    where = next((p if p.is_dir() else p.parent for p in paths if p.exists()), None)
    return select_changed(
        paths, changed_files(ref, where), registers=options.registers, schemas=_project_schema_files(schemas)
    )


def _project_schema_files(schemas: _SchemaSet) -> list[Path]:
    return sorted({job.path for job in schemas.jobs})


#: How many bytes of files read early (for the cache key, before workers start) a run keeps
#: for their checks: all of an edition of some thousands of letters, while a larger one reads
#: the rest again rather than holding it all.
EARLY_BYTES = 32 * 1024 * 1024


class _Records:
    """The records of a run's files, each read once.

    A record read early (for the cache key, or before workers start) is kept until the check
    takes it, while the kept bytes stay under :data:`EARLY_BYTES`; past that a record keeps
    only its digest and declarations, and the check reads the file again, so memory stays flat
    on editions of any size. A file whose bytes changed in between is checked as it is now and
    listed in :attr:`changed`, so its result is not stored under the key of the old bytes.
    The registers' records are kept for the whole run, found by their real path, so that a
    register given as an input, named in a cache key and read for the cross-file checks is
    still read once.
    """

    def __init__(self, registers: Iterable[Path], given: Iterable[FileRecord] = ()) -> None:
        # By name, as the run names its files: a Path made per file cost a third of a re-run.
        self._given = {str(record.path): record for record in given}
        self._register_names = {path.name for path in registers}
        self._registers: dict[Path, FileRecord | None] = {path.resolve(): None for path in registers}
        self._early: dict[str, FileRecord] = {}
        self._early_bytes = 0
        #: The digests of inputs not read, by name, from the cache's index: each is read only
        #: for its check, which compares the digest.
        self.indexed: dict[str, bytes] = {}
        #: The real paths of the registers that are inputs too (checked like any file).
        self.input_registers: set[Path] = set()
        #: Inputs (by name) whose bytes changed between the cache key and the check.
        self.changed: set[str] = set()
        #: Whether an input read so far declares schemas (set by whoever checks an input).
        self.declaring = False

    def peek(self, file: Path | str) -> FileRecord:
        """The record of ``file`` (an input, or a register a cache key names), read now if
        need be and kept for :meth:`take` (its bytes only while they fit in
        :data:`EARLY_BYTES`); of a file in :attr:`indexed`, a record of its digest alone."""
        name = os.fspath(file)
        found = self._early.get(name)
        if found is not None:
            return found
        digest = self.indexed.get(name)
        if digest is not None:
            return known_record(Path(name), digest)
        record = self._read(file if isinstance(file, Path) else Path(name))
        size = len(record.data or b"")
        if self._early_bytes + size > EARLY_BYTES:
            record = record.without_bytes()
        else:
            self._early_bytes += size
        self._early[name] = record
        self.declaring = self.declaring or bool(record.declarations)
        return record

    def take(self, path: Path) -> FileRecord:
        """The record of the input ``path`` for its check; it is not kept here any longer."""
        name = str(path)
        found = self._early.pop(name, None)
        if found is not None and not found.released:
            self._early_bytes -= len(found.data or b"")
            record = found
        else:
            record = self._read(path)
            # Its key was made from a digest, not from these bytes: the two are compared.
            expected = found.digest if found is not None else self.indexed.get(name)
            if expected is not None and record.digest != expected:
                self.changed.add(name)
        if path.name in self._register_names and (resolved := path.resolve()) in self._registers:
            self.input_registers.add(resolved)
        return record

    def early_declaring(self) -> list[FileRecord]:
        """The records read early (see :meth:`peek`) of files that declare schemas."""
        return [record for record in self._early.values() if record.declarations]

    def for_worker(self, file: str | Path) -> FileRecord | str:
        """What a worker is sent to check the input ``file``: the record when it was read
        here already, or its key made from a digest (it is read here, and compared), or it is
        standard input, or a register; else its name (a ``Path`` pickles as its parts, parsed
        again on arrival), for the worker to read."""
        name = os.fspath(file)
        if (
            name in self._early
            or name in self.indexed
            or name in self._given
            or os.path.basename(name) in self._register_names  # noqa: PTH119 -- a name
        ):
            return self.take(file if isinstance(file, Path) else Path(name))
        return name

    def keep_only(self, names: Iterable[str]) -> None:
        """Let go of the records of files that will not be checked (the cache had them)."""
        wanted = set(names)
        self._early = {name: record for name, record in self._early.items() if name in wanted}
        self._early_bytes = sum(len(record.data or b"") for record in self._early.values())
        self.indexed = {name: digest for name, digest in self.indexed.items() if name in wanted}

    def register(self, path: Path) -> FileRecord:
        """The record of one of the run's registers, for the cross-file checks."""
        return self._read(path)

    def _read(self, path: Path) -> FileRecord:
        given = self._given.get(str(path)) if self._given else None
        if given is not None:
            return given
        if path.name not in self._register_names:
            return read_record(path)
        resolved = path.resolve()
        if resolved not in self._registers:
            return read_record(path)
        record = self._registers[resolved]
        if record is None:
            record = self._registers[resolved] = read_record(path)
        return record if record.path == path else replace(record, path=path)


def _declared_schema_files(catalogs: Catalogs) -> Callable[[Path, tuple[Declaration, ...]], list[Path]]:
    """The schemas a file declares (resolved offline), so that its cache key covers them."""

    def declared(path: Path, declarations: tuple[Declaration, ...]) -> list[Path]:
        jobs, _ = declared_jobs(declarations, path, catalogs, str(path))
        return [job.path for job in jobs]

    return declared


def _open_cache(
    files: list[str],
    schemas: _SchemaSet,
    options: ValidateOptions,
    records: _Records,
    by_file: Mapping[str, Sequence[Path]] | None,
) -> ResultCache | None:
    if options.cache_dir is None:
        return None
    # Files whose status is indexed are not read for their keys (see cache.FileIndex); not
    # those whose bytes the caller gave, which are not the file's on disk.
    # A file no run indexed has no result either: it is read by its check alone (in a worker,
    # like a run without a cache), which gives the digest for its key.
    index = FileIndex.open(options.cache_dir)
    given = {str(record.path) for record in options.given}
    unknown: list[str] = []
    unseen: set[str] = set()
    if index is not None:
        for name in files:
            if name in given:
                continue
            if (digest := index.digest(name)) is not None:
                records.indexed[name] = digest
            elif index.seen(name):
                unknown.append(name)
            else:
                unseen.add(name)
    registers = dict.fromkeys(files, options.registers) if options.registers is not None else by_file or {}
    schema_files = _project_schema_files(schemas) + list(schemas.catalogs.paths)
    declared = _declared_schema_files(schemas.catalogs) if schemas.declared else None
    # Options that change what a file's check finds are part of every key.
    variant = (
        f"declared={schemas.declared};project-rules={schemas.project_rules_on_declared};"
        f"rules={','.join(options.rules)}"
    )
    if index is not None:
        for name in unknown:
            record = records.peek(name)
            if record.digest is not None:
                index.learn(name, record.digest, bool(record.declarations))
    return ResultCache.open(
        options.cache_dir,
        schema_files,
        registers,
        records.peek,
        variant=variant,
        index=index,
        declared=declared,
        unseen=unseen,
        indexed=records.indexed,
    )


def _check_files(
    names: list[str],
    files: list[str] | None,
    schemas: _SchemaSet,
    jobs: int,
    cache: ResultCache | None,
    progress: Progress | None,
    records: _Records,
    parsed: Parsed | None,
    keep: Callable[[CachedResult], CachedResult] | None = None,
    register_ids: frozenset[str] | None = None,
) -> Iterator[CachedResult]:
    """The result of each file (``names``; ``files``, the same, for the cache), in order."""
    # Compile before forking, so that workers inherit the schemas instead of each compiling.
    _compile(schemas)
    if cache is None or files is None:
        # Nothing to look up or to store: each result as it comes, no Path kept for a file.
        total = len(names)
        if progress is not None:
            progress(0, total)
        checks = _run(names, total, schemas, jobs, records, parsed, register_ids)
        for done, (result, _, _) in enumerate(checks, 1):
            kept = result if keep is None else keep(result)
            facts = kept[1]
            if facts is not None and facts.file == names[done - 1]:
                names[done - 1] = facts.file  # one string for the report and the facts, not two
            yield kept
            if progress is not None:
                progress(done, total)
        return

    def check(todo: list[str]) -> Iterator[Checked]:
        records.keep_only(todo)
        return _run(todo, len(todo), schemas, jobs, records, parsed, register_ids, digests=True)

    yield from run_cached(files, cache, check, progress, changed=records.changed, keep=keep)


def _run(
    files: Iterable[str] | Iterable[Path],
    count: int,
    schemas: _SchemaSet,
    jobs: int,
    records: _Records,
    parsed: Parsed | None,
    register_ids: frozenset[str] | None,
    *,
    digests: bool = False,
) -> Iterator[Checked]:
    """Each file checked, in order, with the digest of its bytes when ``digests``."""
    workers = min(jobs, available_cores(), count // FILES_PER_WORKER)
    if workers < 2:
        for file in files:
            path = file if isinstance(file, Path) else Path(file)
            taken = records.take(path)
            record = taken.parsed()  # parsed here: ``parsed`` is given the tree
            # From the tree: scanning the bytes for them would check the bytes a second time.
            declared = record.declarations
            records.declaring = records.declaring or bool(declared)
            result = check_file(record, schemas)
            if parsed is not None:
                parsed(record, True)
            yield (result.diagnostics, result.facts), taken.digest if digests else None, declared
        return
    if schemas.declared:
        _compile_declared(records.early_declaring(), schemas.catalogs)
    # Imported here: the pool's modules are a tenth of the start-up time of a run with one job.
    from teitools.validation.workers import check_in_workers  # noqa: PLC0415

    # By name: the worker's facts come back named with the run's own string for the file.
    todo = ((file, records.for_worker(file)) for file in files)
    checked = check_in_workers(todo, _checked, schemas, workers, register_ids, digests=digests)
    for diagnostics, facts, digest, declared in checked:
        records.declaring = records.declaring or bool(declared)
        yield (diagnostics, facts), digest, declared


def _checked(record: FileRecord, schemas: _SchemaSet) -> CachedResult:
    """:func:`check_file` as a worker calls it, for a result it can send as it is."""
    result = check_file(record, schemas)
    return result.diagnostics, result.facts


def _compile(schemas: _SchemaSet) -> None:
    # The screened rules are compiled by the first file that needs them, if any does.
    compile_jobs([job for job in schemas.jobs if job != schemas.screened], schemas.catalogs, schemas.limits)


def _compile_declared(records: list[FileRecord], catalogs: Catalogs) -> None:
    """Compile the shipped schemas the files read so far declare, once, in the parent process,
    so that the workers inherit them. Any other declared schema is compiled by each worker's sandbox
    (compiling a declared grammar whole costs lxml seconds in each: tei_all about ten,
    which :mod:`teitools.validation.rng_reduce` avoids for the files' verdicts). Problems are left for the
    file's own check to report."""
    seen: set[SchemaJob] = set()
    for record in records:
        declared = record.declarations
        if not declared:
            continue
        path = record.path
        jobs, _ = declared_jobs(declared, path, catalogs, str(path))
        for job in jobs:
            # A user's schema is compiled by each worker's sandbox, which checks with it.
            if job in seen or not is_trusted(job):
                continue
            seen.add(job)
            with contextlib.suppress(SchemaError):
                compile_jobs([job], catalogs, Limits())


RULE_INTERNAL = "internal-error"


def check_file(record: FileRecord, schemas: _SchemaSet) -> _FileResult:
    """Layers 1 to 3 for one file, from its record (parsed here unless it already is), and
    the facts layer 4 needs.

    A bug met while checking the file (an exception that is not a :class:`TeiToolsError`,
    here or in the sandbox) is one ``internal-error`` finding for this file, so that the
    other files are still checked and reported; a :class:`TeiToolsError` (the project's
    own schema is broken) still stops the run."""
    try:
        return _check_file(record, schemas)
    except TeiToolsError:
        raise
    except WorkerFaultError as fault:  # the same, met in the sandbox's worker
        return _FileResult((_internal_error(str(record.path), str(fault)),), None)
    except Exception as error:  # see the docstring: a finding, not the end of the run
        return _FileResult((_internal_error(str(record.path), fault_text(error)),), None)


def _internal_error(file: str, fault: str) -> Diagnostic:
    message = (
        f"teitools failed while checking this file ({fault}); its findings are not reported. "
        "This is a bug in teitools: please report it with the file"
    )
    return Diagnostic(file, 1, 1, Severity.ERROR, RULE_INTERNAL, message)


def _check_file(record: FileRecord, schemas: _SchemaSet) -> _FileResult:
    record = record.parsed()
    path = record.path
    file = str(path)
    tree = record.tree
    if tree is None:  # parsed() gives a tree, or the finding that says why there is none
        return _FileResult((record.problem,) if record.problem else (), None)
    lines = SourceLines(path, record.data)
    declared = record.declarations if schemas.declared else ()
    if declared:
        jobs, problems = declared_jobs(declared, path, schemas.catalogs, file)
        data = record.data or b""
        outcome = run_jobs(tree, jobs, schemas.catalogs, lines, file, data=data, limits=schemas.limits)
        # No folding here: a file's own schemas are reported as their authors wrote them.
        found = (*problems, *outcome.problems, *outcome.grammar, *outcome.rules)
        if not schemas.project_rules_on_declared:
            return _FileResult(found, None)
        own = _check_with_project_schemas(tree, data, path, schemas, lines)
        return _FileResult(found + own.diagnostics, own.facts)
    return _check_with_project_schemas(tree, record.data or b"", path, schemas, lines)


def _check_with_project_schemas(
    tree: etree._ElementTree, data: bytes, path: Path, schemas: _SchemaSet, lines: SourceLines
) -> _FileResult:
    file = str(path)
    root = tree.getroot()
    if not_tei(root, schemas.tei_only):
        return _FileResult((_not_tei(root, file, lines),), None)
    facts, suspect = walk_file(tree, path, screen=schemas.screened is not None, resolved=schemas.resolved)
    grammar: list[Diagnostic] = []
    rules: list[Diagnostic] = []
    for job in schemas.jobs[: schemas.direct]:
        if job == schemas.screened and not suspect:
            continue
        if job.language == RELAXNG:
            grammar += check_grammar(tree, compile_declared_relaxng(job.path, schemas.catalogs), lines, file)
        else:
            rules += compile_rules(job.path, catalogs=schemas.catalogs).check(tree, lines, file)
    problems: tuple[Diagnostic, ...] = ()
    if others := list(schemas.jobs[schemas.direct :]):
        outcome = run_jobs(
            tree, others, schemas.catalogs, lines, file, data=data, limits=schemas.limits, raise_errors=True
        )
        grammar += outcome.grammar
        rules += outcome.rules
        problems = outcome.problems
    # Problems are left only by a schema that exceeded its budget (the others raise).
    rules = [d for d in rules if d.rule not in schemas.dropped]
    found = (*_fold(grammar, rules), *problems)
    return _FileResult(found, facts)


def _fold(grammar: list[Diagnostic], rules: list[Diagnostic]) -> tuple[Diagnostic, ...]:
    """One mistake, one finding: a grammar finding that is the same mistake as a rule's (a bad
    date is both: the two name the same attribute value) gives way to the rule's, which names
    the precise rule; a fix the grammar finding suggested ("did you mean 1932-07-01?") is kept.
    Any other grammar finding stays, even on the element a rule reports on: a wrong @type and
    a pointer that names nobody are two mistakes."""
    if not rules:  # nothing to fold into (nearly every file): the bookkeeping below cost 3 µs
        return tuple(grammar)
    by_element: dict[tuple[int, str], list[Diagnostic]] = {}
    for finding in grammar:
        if finding.xpath:
            by_element.setdefault((finding.line, finding.xpath), []).append(finding)
    folded_away: set[int] = set()
    folded = []
    for finding in rules:
        twins = by_element.get((finding.line, finding.xpath), []) if finding.xpath else []
        twin = next((t for t in twins if id(t) not in folded_away and _same_value(t, finding)), None)
        if twin is not None:
            folded_away.add(id(twin))
            if hint := _SUGGESTION.search(twin.message):
                # The folded finding replaces it.
                finding = replace(finding, message=f"{finding.message.rstrip()} Did you mean {hint[1]}?")  # noqa: PLW2901
        folded.append(finding)
    kept = [d for d in grammar if id(d) not in folded_away]
    # libxml2 reports an invalid value inside an interleave as its container failing, in
    # words that name no mistake: that finding is the cascade of a rule's finding on a value
    # inside it, and gives way to it.
    inner = [r.xpath for r in rules if r.xpath and _VALUE.search(r.message)]
    kept = [
        d
        for d in kept
        if not (d.xpath and _CASCADE in d.message and any(x.startswith(d.xpath + "/") for x in inner))
    ]
    # A misspelt child or value ("<persname> ... Did you mean <persName>?", type="send" ...
    # Did you mean "sent"?) is why a rule finds the parent lacking one ("names nobody",
    # "has 0 correspAction type="sent""): the grammar finding names the mistake.
    misspelt = {d.xpath.rsplit("/", 1)[0] for d in kept if d.xpath and _MISSPELT.search(d.message)}
    folded = [r for r in folded if r.xpath not in misspelt]
    return (*kept, *folded)


def _same_value(grammar: Diagnostic, rule: Diagnostic) -> bool:
    """Whether the two findings name the same attribute value (``@when="1932-7-1"``)."""
    return bool(set(_VALUE.findall(grammar.message)) & set(_VALUE.findall(rule.message)))


#: An attribute value as findings quote it: ``@when="1932-7-1"`` or ``when="1932-7-1"``.
_VALUE = re.compile(r'@?([\w:.-]+)="([^"]*)"')
#: How a grammar finding says an element failed without saying why (see grammar._Explainer).
_CASCADE = "does not match the grammar"
_SUGGESTION = re.compile(r"[Dd]id you mean (\S+?)\?")
_MISSPELT = re.compile(r"Did you mean (<[^>]+>|\"[^\"]+\")\?")


def _not_tei(root: etree._Element, file: str, lines: SourceLines) -> Diagnostic:
    name = etree.QName(root)
    if name.localname in ("TEI", "teiCorpus") and name.namespace != TEI_NS:
        found = f"namespace '{name.namespace}'" if name.namespace else "no namespace"
        message = (
            f"<{name.localname}> is in {found}; TEI elements must be in the TEI namespace: "
            f'add xmlns="{TEI_NS}" to the root element'
        )
    else:
        message = f"the root element <{name.localname}> is not <TEI>: this is not a TEI document"
    return Diagnostic(file, line_of(root) or 1, lines.column_of(root), Severity.ERROR, "not-tei", message)


def _register_facts(
    wanted: list[Path],
    checked: list[FileFacts],
    records: _Records,
    parsed: Parsed | None,
    early: Mapping[Path, FileFacts],
) -> list[FileFacts]:
    # Only a checked file named as a register is one (resolving every file's path cost as
    # much as checking it).
    names = {path.name for path in wanted}
    candidates = [f for f in checked if f.file.rsplit("/", 1)[-1] in names or f.kind == "register"]
    by_file = {Path(f.file).resolve(): f for f in candidates if f.kind == "register"}
    checked_by_file = {Path(f.file).resolve(): f for f in candidates}
    for path in wanted:
        resolved = path.resolve()
        if resolved in by_file:
            continue
        if resolved in checked_by_file:  # a register that is an input too is read once
            by_file[resolved] = checked_by_file[resolved]
            continue
        if resolved in early:
            by_file[resolved] = early[resolved]
            continue
        record = records.register(path).parsed()
        if parsed is not None and resolved not in records.input_registers:
            parsed(record, False)
        if record.tree is None:
            continue  # an unreadable register is reported when it is itself validated
        by_file[resolved] = gather_facts(record.tree, path)
    return list(by_file.values())


def check_buffer(
    record: FileRecord,
    options: ValidateOptions,
    edition: Mapping[str, FileFacts],
    registers: Iterable[str],
) -> tuple[tuple[Diagnostic, ...], FileFacts | None]:
    """The findings :func:`validate` reports for one file in a run over its whole edition,
    for a file held in memory (an editor's unsaved buffer): ``record`` carries its bytes.

    ``edition`` holds the facts of the edition's other files (keyed by the file as
    findings name it; other unsaved buffers among them), ``registers`` which of them are
    the registers. Only the files that share an id with this one take part in the
    cross-file pass, so the answer costs one file's check however large the edition. The
    file's own facts are returned with its findings, for the caller to keep.
    """
    schemas = _schema_set(options, [record.path])
    _compile(schemas)
    result = check_file(record, schemas)
    mine = result.facts
    if mine is None:
        return result.diagnostics, None
    others = {file: facts for file, facts in edition.items() if file != mine.file}
    own_ids = {file_id for file_id, _ in mine.ids}
    rivals = [f for f in others.values() if any(file_id in own_ids for file_id, _ in f.ids)]
    register_facts = [others[file] for file in registers if file in others]
    if mine.kind == "register" and any(file == mine.file for file in registers):
        register_facts.append(mine)
    lines = SourceLines(record.path, record.data)
    across = [
        _column_in_buffer(finding, mine, lines)
        for finding in check_corpus([mine, *rivals], register_facts)
        if finding.file == mine.file
    ]
    return tuple(sorted((*result.diagnostics, *across))), mine


def _column_in_buffer(finding: Diagnostic, facts: FileFacts, lines: SourceLines) -> Diagnostic:
    """A cross-file finding's column looked up in the buffer, not in the file on disk: an
    unresolved pointer's attribute (its message starts ``@ref="#x"``), else the ``xml:id``."""
    attributes = ["xml:id"]
    if finding.rule == "ref-unresolved":
        attributes = [
            p.position.attribute
            for p in facts.pointers
            if p.position.line == finding.line
            and finding.message.startswith(f'@{p.position.attribute}="#{p.target}"')
        ]
    if not attributes:
        return finding
    return replace(finding, column=lines.column_of_attribute(finding.line, attributes[0]))
