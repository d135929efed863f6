"""The ``teitools`` command line: a thin shell over the library.

This is the only module that imports click. Commands turn options into library calls and
library results into output; every failure is turned into a message and an exit code in
:func:`main`, in one place.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

import click

from teitools import __version__
from teitools.build import DEFAULT_OUTPUT, BuildOptions, build
from teitools.errors import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, TeiToolsError
from teitools.exporters import EXPORTERS, ExportOptions
from teitools.model import read_edition
from teitools.output import write_atomic, write_files
from teitools.paths import DEFAULT_EDITION
from teitools.report import FORMATS, ReportStyle
from teitools.settings import settings_for
from teitools.site import SiteOptions, build_site
from teitools.validation import ValidateOptions, validate

#: Exit code when stopped by Ctrl-C, SIGTERM or SIGHUP (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130

_PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


def _use_colour(stream: object) -> bool:
    return "NO_COLOR" not in os.environ and bool(getattr(stream, "isatty", lambda: False)())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="teitools")
def cli() -> None:
    """Validate, read, cite and publish scholarly editions of letters in TEI P5.

    Every command works with no arguments on the bundled edition in ./tei.
    """


@cli.command("validate")
@_PATHS
@click.option("--format", "output_format", type=click.Choice(sorted(FORMATS)), default="text",
              show_default=True, help="Report format: text for people, json for programs, "
              "github for workflow annotations.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Validate this many files in parallel.")
@click.option("--schema", "schemas", multiple=True, type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="Use this RELAX NG or Schematron file instead of the "
              "project's own (give both to replace both); overrides the schemas setting.")
@click.option("--registers", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Register files (persons.xml, places.xml, sources.xml) that #id pointers "
              "must resolve in; default: those beside or above the files.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
def validate_command(
    paths: tuple[Path, ...],
    output_format: str,
    jobs: int,
    schemas: tuple[Path, ...],
    registers: tuple[Path, ...],
    strict: bool,
) -> None:
    """Check TEI files: well-formedness, RELAX NG, Schematron and cross-file rules.

    PATHS are files or folders (default: ./tei). Exit code 0 when no errors are found, 1
    when there are errors (or warnings, with --strict), 2 for a usage error or a path that
    cannot be read.

    Example: teitools validate tei/letters --format github
    """
    register_files: tuple[Path, ...] | None = None
    if registers:
        register_files = tuple(_expand_registers(registers))
    paths = paths or (DEFAULT_EDITION,)
    schemas = schemas or settings_for(paths).schemas
    options = ValidateOptions(schemas=schemas, registers=register_files, jobs=jobs)
    report = validate(paths, options)
    style = ReportStyle(colour=_use_colour(sys.stdout), strict=strict)
    click.echo(FORMATS[output_format](report, style), nl=False)
    sys.exit(EXIT_FINDINGS if report.failed(strict=strict) else EXIT_OK)


@cli.command("export")
@click.argument("format_name", metavar="FORMAT", type=click.Choice(sorted(EXPORTERS)))
@_PATHS
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="Output file (one-file formats) or folder (per-letter formats); "
              "default: stdout.")
@click.option("--emphasis", type=click.Choice(["asterisks", "upper", "none"]),
              default="asterisks", show_default=True, help="How text export shows emphasis.")
@click.option("--base-url", help="The address the edition is published at (letter pages are "
              "BASE-URL/letters/ID.html); overrides base-url in the project settings.")
def export_command(
    format_name: str, paths: tuple[Path, ...], output: Path | None, emphasis: str,
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
@click.option("--output", "-o", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the site to (created if needed).")
def site_command(path: Path | None, output: Path) -> None:
    """Write the static HTML edition: index, letter pages, registers, sources, search.

    PATH is a folder or file of letters (default: ./tei). The site works offline: open
    index.html in a browser, or serve the folder with `python -m http.server`. Files that
    cannot be read are reported on stderr and left out (exit code 1).

    Example: teitools site tei -o build/site
    """
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
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_OUTPUT, show_default=True, help="Folder to write everything to.")
@click.option("--force", is_flag=True, help="Publish even when validation finds errors "
              "(the errors are listed, and the build says it published over them).")
def build_command(path: Path | None, output: Path, force: bool) -> None:
    """Validate the edition, then write the site and every export format.

    PATH defaults to ./tei. Writes OUTPUT/site and OUTPUT/<format> for each export format.
    Exit code 1, with nothing written, when validation finds errors (unless --force).
    Progress goes to stderr.

    Example: teitools build -o build
    """
    build((path or DEFAULT_EDITION,), BuildOptions(output=output, force=force),
          progress=lambda message: click.echo(f"teitools build: {message}", err=True))


def _expand_registers(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.xml")) if path.is_dir() else [path])
    return files


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return its exit code instead of raising."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="teitools",
                 standalone_mode=False)
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
        click.echo(f"teitools: error: {error}", err=True)
        return error.exit_code
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else EXIT_OK
    except KeyboardInterrupt:
        click.echo("teitools: interrupted", err=True)
        return EXIT_INTERRUPTED
    except Exception as error:
        click.echo(f"teitools: internal error (a bug in teitools, please report it): "
                   f"{type(error).__name__}: {error}", err=True)
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
