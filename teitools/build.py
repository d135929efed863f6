"""The main job: validate the edition, then publish the site and every export.

Nothing is published when validation finds errors, unless the caller forces it; a forced
build says which findings it published over.

A build removes what it no longer writes (a letter deleted from the edition must not stay
online), and only that: ``<output>/.teitools-build.json`` lists every file a build wrote, and
a file is removed only when the previous build listed it and this one did not write it. The
list grows before any file is written and shrinks only once all are, so an interrupted build
leaves no file it wrote unlisted. The per-letter ``html`` export is not part of a build: its
pages link to register pages that only the site has; the site's letter pages are those pages.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from teitools.diagnostics import Report, Severity
from teitools.errors import EXIT_FINDINGS, TeiToolsError
from teitools.export.base import ExportOptions
from teitools.export.output import StagedFiles, destination, remove_files, write_atomic
from teitools.export.registry import EXPORTERS
from teitools.load.inputs import DEFAULT_OUTPUT
from teitools.load.record import FileRecord
from teitools.load.settings import settings_for
from teitools.model.tei import EditionReader
from teitools.report.text import summary
from teitools.site.builder import SiteOptions, site_files
from teitools.site.tei_files import tei_text, tei_text_of
from teitools.validation.runner import ValidateOptions, project_rules_apply, validate
from teitools.validation.sandbox import Limits

#: Where ``teitools build`` writes when given no ``-o``.
SITE_FOLDER = "site"
#: The list of files the last build wrote, relative to the output folder.
MANIFEST = ".teitools-build.json"
#: Export formats a build leaves out: the site holds the letter pages (see above).
NOT_BUILT = frozenset({"html"})

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildOptions:
    """``output``: the folder to write; ``force``: publish even when validation fails;
    ``declared_only``: a file that declares schemas is judged by them alone; ``registers``:
    the register files (None: those beside or above the files); ``limits``: the budget of
    user-supplied schemas (see :mod:`teitools.validation.sandbox`); ``jobs``: the processes
    that render the site's letter pages (the site is the same for any number)."""

    output: Path = DEFAULT_OUTPUT
    force: bool = False
    declared_only: bool = False
    registers: tuple[Path, ...] | None = None
    limits: Limits = field(default_factory=Limits)
    jobs: int = 1


@dataclass(frozen=True)
class BuildResult:
    """What a build did: the validation report, the number of files per output folder, and
    the files of the previous build it removed."""

    report: Report
    written: dict[str, int]
    forced: bool
    removed: tuple[Path, ...] = ()


class PublishRefusedError(TeiToolsError):
    """Validation found errors, so nothing was published."""

    exit_code = EXIT_FINDINGS

    def __init__(self, report: Report) -> None:
        # The summary was said already, with the findings: not again here.
        super().__init__("nothing was published (fix the errors, or give --force to publish anyway)")
        self.report = report


def build(paths: Iterable[Path], options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Validate ``paths``, then write ``<output>/site`` and ``<output>/<format>`` for every
    export format. Raise :class:`PublishRefusedError` when validation fails and not ``force``."""
    say = progress or (lambda _message: None)
    paths = list(paths)
    # Every output folder is checked before the (long) validation, and before any is written.
    for folder in (options.output, *(options.output / name for name in (SITE_FOLDER, *_built()))):
        destination(folder)
    settings = settings_for(paths)
    say(f"validating {', '.join(str(p) for p in paths)}")
    # The letter model is read from the trees validation parses: every file is read once.
    reader = EditionReader()
    rules_on_declared = project_rules_apply(settings, declared_only=options.declared_only)
    validating = ValidateOptions(
        project_schemas=settings.schemas,
        project_rules_on_declared=rules_on_declared,
        registers=options.registers,
        limits=options.limits,
        rules=settings.rules,
    )
    texts: dict[Path, str | None] = {}

    def parsed(record: FileRecord, is_input: bool) -> None:
        reader.add(record, is_input)
        if is_input and record.data is not None:  # the site's TEI downloads, from the same bytes
            texts[record.path] = tei_text_of(record.data, record.path)

    report = validate(paths, validating, parsed=parsed)
    for finding in report.diagnostics:
        if finding.severity is Severity.ERROR:
            say(str(finding))
    say(summary(report))
    if report.failed() and not options.force:
        raise PublishRefusedError(report)
    if report.failed():
        count = len(report.files_with_findings())
        say(
            f"--force: publishing despite {report.error_count} validation error"
            f"{'s' if report.error_count != 1 else ''} in {count} file{'s' if count != 1 else ''}"
            " (listed above); files that cannot be read are left out"
        )
    edition = reader.edition()
    before = _manifest(options.output)
    now: set[str] = set()
    written: dict[str, int] = {}

    def publish(name: str, files: Iterable[tuple[str, str | bytes]]) -> None:
        # Each file goes to its temporary name as it is made (the site of a large edition is
        # never all in memory), and none is renamed into place before the list names them all:
        # an interruption leaves no file of this build unlisted (the temporaries are removed).
        with StagedFiles(options.output / name) as staged:
            relatives = []
            for relative, data in files:
                staged.add(relative, data)
                relatives.append(relative)
            names = {f"{name}/{relative}" for relative in relatives}
            _write_manifest(options.output, before | now | names)
            staged.commit()
        now.update(names)
        written[name] = count = len(relatives)
        what = "the site" if name == SITE_FOLDER else name
        say(f"wrote {what} ({count} file{'s' if count != 1 else ''}) to {options.output / name}")

    site_options = SiteOptions(
        title=settings.title or SiteOptions().title,
        settings=settings,
        tei_texts=lambda path: texts[path] if path in texts else tei_text(path),
    )
    publish(SITE_FOLDER, site_files(edition, site_options, jobs=options.jobs))
    for name in _built():
        result = EXPORTERS[name].export(edition, ExportOptions(settings=settings))
        for warning in result.warnings:
            say(str(warning))
        publish(name, result.files.items())
    removed = remove_files(options.output, sorted(before - now))
    _write_manifest(options.output, now)
    if removed:
        plural = "s" if len(removed) != 1 else ""
        say(f"removed {len(removed)} file{plural} the previous build wrote and this one did not")
    return BuildResult(report, written, forced=report.failed(), removed=tuple(removed))


def _built() -> list[str]:
    return sorted(name for name in EXPORTERS if name not in NOT_BUILT)


def _manifest(output: Path) -> set[str]:
    """The files the previous build listed; none when there is no readable list (a link, a
    FIFO or a device under its name is not read: it would lead elsewhere or never end)."""
    path = output / MANIFEST
    try:
        if path.is_symlink() or not path.is_file():
            return set()
        listed = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    files = listed.get("files") if isinstance(listed, dict) else None
    return {name for name in files if isinstance(name, str)} if isinstance(files, list) else set()


def _write_manifest(output: Path, files: set[str]) -> None:
    listing = {"written-by": "teitools build", "files": sorted(files)}
    write_atomic(output / MANIFEST, json.dumps(listing, indent=1) + "\n")
