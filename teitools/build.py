"""The main job: validate the edition, then publish the site and every export.

Nothing is published when validation finds errors, unless the caller forces it; a forced
build says which findings it published over.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from teitools.diagnostics import Report, Severity
from teitools.errors import EXIT_FINDINGS, TeiToolsError
from teitools.export.base import ExportOptions
from teitools.export.output import destination, write_files
from teitools.export.registry import EXPORTERS
from teitools.load.inputs import DEFAULT_OUTPUT
from teitools.load.record import FileRecord
from teitools.load.settings import settings_for
from teitools.model.tei import EditionReader
from teitools.report.text import summary
from teitools.site.builder import SiteOptions, build_site
from teitools.site.tei_files import tei_text, tei_text_of
from teitools.validation.runner import ValidateOptions, project_rules_apply, validate
from teitools.validation.sandbox import Limits

#: Where ``teitools build`` writes when given no ``-o``.
SITE_FOLDER = "site"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildOptions:
    """``output``: the folder to write; ``force``: publish even when validation fails;
    ``declared_only``: a file that declares schemas is judged by them alone; ``registers``:
    the register files (None: those beside or above the files); ``limits``: the budget of
    user-supplied schemas (see :mod:`teitools.validation.sandbox`)."""

    output: Path = DEFAULT_OUTPUT
    force: bool = False
    declared_only: bool = False
    registers: tuple[Path, ...] | None = None
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True)
class BuildResult:
    """What a build did: the validation report and the number of files per output folder."""

    report: Report
    written: dict[str, int]
    forced: bool


class PublishRefusedError(TeiToolsError):
    """Validation found errors, so nothing was published."""

    exit_code = EXIT_FINDINGS

    def __init__(self, report: Report) -> None:
        super().__init__(
            f"{summary(report)}; nothing was published (fix the errors, or give --force to publish anyway)"
        )
        self.report = report


def build(paths: Iterable[Path], options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Validate ``paths``, then write ``<output>/site`` and ``<output>/<format>`` for every
    export format. Raise :class:`PublishRefusedError` when validation fails and not ``force``."""
    say = progress or (lambda _message: None)
    paths = list(paths)
    # Every output folder is checked before the (long) validation, and before any is written.
    for folder in (options.output, *(options.output / name for name in (SITE_FOLDER, *EXPORTERS))):
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
    written: dict[str, int] = {}
    site = build_site(
        edition,
        SiteOptions(
            title=settings.title or SiteOptions().title,
            settings=settings,
            tei_texts=lambda path: texts[path] if path in texts else tei_text(path),
        ),
    )
    write_files(options.output / SITE_FOLDER, site)
    written[SITE_FOLDER] = len(site)
    say(f"wrote the site ({len(site)} files) to {options.output / SITE_FOLDER}")
    for name, exporter in sorted(EXPORTERS.items()):
        result = exporter.export(edition, ExportOptions(settings=settings))
        for warning in result.warnings:
            say(str(warning))
        outputs = result.files
        write_files(options.output / name, outputs)
        written[name] = len(outputs)
        say(
            f"wrote {name} ({len(outputs)} file{'s' if len(outputs) != 1 else ''}) to {options.output / name}"
        )
    return BuildResult(report, written, forced=report.failed())
