"""The export formats: one module per format, one entry per format in :data:`EXPORTERS`.

Every format module exposes ``export(edition, options) -> dict[str, str]``: relative output
file name -> content. A single-file format returns one entry (its default file name); a
per-letter format returns one entry per letter (plus any shared assets).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from teitools.model import Edition


@dataclass(frozen=True)
class ExportOptions:
    """Choices shared by the formats; each format reads the ones it knows."""

    emphasis: str = "asterisks"


ExportFunction = Callable[[Edition, ExportOptions], dict[str, str]]


@dataclass(frozen=True)
class Exporter:
    """A format: its function, and how its output goes out.

    ``single_file`` formats write ``-o FILE`` or stdout. Folder formats write ``-o DIR``;
    without ``-o`` they print ``to_stdout(files)`` when that is given, else ``-o`` is required.
    """

    export: ExportFunction
    single_file: bool
    description: str
    to_stdout: Callable[[dict[str, str]], str] | None = None


#: Format name -> exporter. A new format is one module and one entry here.
EXPORTERS: dict[str, Exporter] = {}


def _register_reading_formats() -> None:
    # Imported here because the format modules import ExportOptions from this module.
    from teitools.render import html, text  # noqa: PLC0415

    EXPORTERS["text"] = Exporter(
        text.export, single_file=False, to_stdout=text.to_stdout,
        description="plain reading text, one .txt per letter (stdout: all letters)")
    EXPORTERS["html"] = Exporter(
        html.export, single_file=False,
        description="one HTML page per letter and its stylesheet (needs -o DIR)")


_register_reading_formats()
