"""The export formats by name: one module per format, one entry per format in :data:`EXPORTERS`.

Each entry names its module, which is imported on first use (see :class:`Exporter`); the
formats themselves import only :mod:`teitools.export.base`, never this registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the letter model is imported by the format that runs, not by the command line
    from teitools.export.base import ExportFunction, ExportOptions, ExportResult, StreamFunction
    from teitools.model.stream import LetterStream
    from teitools.model.types import Edition


@dataclass(frozen=True)
class Exporter:
    """A format: the module that writes it, and how its output goes out.

    ``single_file`` formats write ``-o FILE`` or stdout. Folder formats write ``-o DIR``;
    without ``-o`` they print ``to_stdout(texts)`` (the pieces of one text, from the files'
    contents) when the module has such a function (named by ``stdout``), else ``-o`` is
    required. A folder format whose module names a ``stream`` function gives its files one at
    a time (:meth:`iter_files`), so that they are written as they come and none is kept. The
    module is imported on first use, so that a command needs only the formats it runs (the
    citation formats import a CSL processor).
    """

    module: str
    function: str
    single_file: bool
    description: str
    stdout: str | None = None
    stream: str | None = None
    #: Whether the ``stream`` function also takes a :class:`~teitools.model.stream.LetterStream`
    #: (the letters read one at a time), so that memory does not grow with the edition.
    reads_stream: bool = False

    def export(self, edition: Edition, options: ExportOptions) -> ExportResult:
        run: ExportFunction = getattr(import_module(self.module), self.function)
        return run(edition, options)

    def iter_files(
        self, edition: Edition | LetterStream, options: ExportOptions
    ) -> Iterator[tuple[str, str]]:
        """The format's files one by one: streamed when the format can, else from :meth:`export`.
        A :class:`~teitools.model.stream.LetterStream` only for a format that :attr:`reads_stream`."""
        from teitools.model.types import Edition  # noqa: PLC0415 -- imported by an export that runs, see above

        if isinstance(edition, Edition) and self.stream is None:
            return iter(self.export(edition, options).files.items())
        if self.stream is None or not (isinstance(edition, Edition) or self.reads_stream):
            raise TypeError(f"{self.module} takes an Edition, not a LetterStream")
        run: StreamFunction = getattr(import_module(self.module), self.stream)
        return run(edition, options)

    @property
    def to_stdout(self) -> Callable[[Iterable[str]], Iterator[str]] | None:
        if self.stdout is None:
            return None
        join: Callable[[Iterable[str]], Iterator[str]] = getattr(import_module(self.module), self.stdout)
        return join


#: Format name -> exporter. A new format is one module and one entry here.
EXPORTERS: dict[str, Exporter] = {
    "cmif": Exporter(
        "teitools.export.cmif",
        "export",
        single_file=True,
        description="CMIF v1.1 for correspSearch: one correspDesc per letter",
    ),
    "json": Exporter(
        "teitools.export.json",
        "export",
        single_file=True,
        description="JSON metadata: one record per letter (schemas/letters.schema.json)",
    ),
    "text": Exporter(
        "teitools.render.text",
        "export",
        single_file=False,
        stdout="to_stdout",
        stream="iter_files",
        reads_stream=True,
        description="plain reading text, one .txt per letter (stdout: every letter)",
    ),
    "html": Exporter(
        "teitools.render.html",
        "export",
        single_file=False,
        stream="iter_files",
        description="one HTML page per letter, as on the site (needs -o DIR)",
    ),
    "csl-json": Exporter(
        "teitools.cite.csl", "export", single_file=True, description="CSL-JSON for Zotero and pandoc"
    ),
    "biblatex": Exporter(
        "teitools.cite.bibtex",
        "export_biblatex",
        single_file=True,
        description="BibLaTeX @incollection entries (@letter when in no volume)",
    ),
    "bibtex": Exporter(
        "teitools.cite.bibtex", "export_bibtex", single_file=True, description="BibTeX @incollection entries"
    ),
    "ris": Exporter(
        "teitools.cite.ris",
        "export",
        single_file=True,
        description="RIS records (TY - CHAP, a book section) for Zotero",
    ),
}
