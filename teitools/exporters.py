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


def _register_citation_formats() -> None:
    # Imported here: the citation modules import ExportOptions from this module.
    from teitools.cite import bibtex, csl, ris  # noqa: PLC0415

    EXPORTERS["csl-json"] = Exporter(csl.export, True, "CSL-JSON for Zotero and pandoc")
    EXPORTERS["biblatex"] = Exporter(bibtex.export_biblatex, True, "BibLaTeX @letter entries")
    EXPORTERS["bibtex"] = Exporter(bibtex.export_bibtex, True, "BibTeX @incollection entries")
    EXPORTERS["ris"] = Exporter(ris.export, True, "RIS records (TY - PCOMM) for Zotero")


_register_citation_formats()
