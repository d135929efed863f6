"""The language server: pygls wiring of the edition's checks, completion and navigation.

One server serves one workspace (the folder the editor opened, the process's working folder
from ``initialize`` on, so that files are named as ``teitools validate`` run there names
them). A document outside the workspace folder is left alone: nothing is read or checked
for it, so the server reads nothing a ``teitools validate`` in the workspace would not.
Findings are published when a document is opened or saved, and :data:`DEBOUNCE_SECONDS`
after the last change; each carries the document version it was made from, and a check of
an older version than the buffer's is dropped, so a result is never stale.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import ServerTextPosition

from teitools import __version__
from teitools.diagnostics import Diagnostic, Severity
from teitools.errors import DocumentError, TeiToolsError
from teitools.load.parser import read_bytes
from teitools.load.record import FileRecord
from teitools.lsp.actions import fixes
from teitools.lsp.completion import complete
from teitools.lsp.edition import Edition, edition_folder
from teitools.lsp.registers import Entry
from teitools.lsp.text import Span, finding_span, pointer_at, pointer_spans
from teitools.lsp.vocabulary import Vocabulary, vocabulary_for
from teitools.validation import sandbox

#: Quiet time after a change before the buffer is checked: typing a word is one check.
DEBOUNCE_SECONDS = 0.05
#: Only loopback: the server reads the workspace for whoever connects.
TCP_HOST = "127.0.0.1"
_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
_ENCODING = re.compile(rb"^<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']")
_log = logging.getLogger(__name__)


class TeiServer(LanguageServer):
    """The server's state: the workspace folder, its editions, pending checks."""

    def __init__(self) -> None:
        super().__init__("teitools", __version__)
        self.root: Path | None = None
        self.editions: dict[Path, Edition] = {}
        self.vocabularies: dict[str, Vocabulary] = {}
        self.pending: dict[str, asyncio.TimerHandle] = {}

    def path_of(self, uri: str) -> Path | None:
        """The document's path relative to the workspace folder; None outside it."""
        fs_path = to_fs_path(uri)
        if fs_path is None or self.root is None:
            return None
        path = Path(os.path.normpath(fs_path))
        try:
            return path.relative_to(self.root)
        except ValueError:
            return None

    def uri_of(self, file: str) -> str:
        return from_fs_path(str(self.root / file) if self.root else file) or file

    def edition_of(self, path: Path) -> Edition:
        folder = edition_folder(path)
        if folder not in self.editions:
            self.editions[folder] = Edition(folder)
        return self.editions[folder]

    def lines_of(self, file: str) -> list[str]:
        """A file's text as lines: its buffer when it is open, else as it is on disk."""
        document = self.workspace.text_documents.get(self.uri_of(file))
        if document is not None:
            source: str = document.source
            return source.splitlines()
        try:
            return read_bytes(Path(file)).decode("utf-8", errors="replace").splitlines()
        except DocumentError:
            return []

    def to_client(self, lines: list[str], span: Span) -> types.Range:
        codec = self.workspace.position_codec
        return types.Range(
            codec.position_to_client_units(lines, ServerTextPosition(*span.start)),
            codec.position_to_client_units(lines, ServerTextPosition(*span.end)),
        )

    def check(self, uri: str, version: int | None) -> None:
        """Check the document's buffer and publish the findings, unless it changed since."""
        self.pending.pop(uri, None)
        document = self.workspace.text_documents.get(uri)
        path = self.path_of(uri)
        if document is None or path is None or (version is not None and document.version != version):
            return
        edition = self.edition_of(path)
        data = _buffer_bytes(document.source)
        lines = document.source.splitlines()
        try:
            findings = edition.check(path, data)
            self.vocabularies[uri] = vocabulary_for(FileRecord(path, data), edition.options)
            published = [self.diagnostic(lines, d) for d in findings if d.file == str(path)]
        except TeiToolsError as error:  # what stops `teitools validate` too: a broken setting or schema
            published = [_failure(f"teitools: error: {error}")]
        except Exception as error:
            _log.exception("checking %s failed", path)
            published = [
                _failure(f"teitools: internal error (a bug in teitools, please report it): {error!r}")
            ]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=published, version=document.version)
        )
        if edition.is_register(path):
            for other in list(self.workspace.text_documents):
                other_path = self.path_of(other)
                if other != uri and other_path is not None and self.edition_of(other_path) is edition:
                    self.schedule(other)

    def diagnostic(self, lines: list[str], finding: Diagnostic) -> types.Diagnostic:
        span = finding_span(lines, finding.line, finding.column, finding.message)
        return types.Diagnostic(
            range=self.to_client(lines, span),
            message=finding.message,
            severity=_SEVERITY[finding.severity],
            code=finding.rule,
            source="teitools",
        )

    def schedule(self, uri: str) -> None:
        document = self.workspace.text_documents.get(uri)
        if document is None:
            return
        if (waiting := self.pending.pop(uri, None)) is not None:
            waiting.cancel()
        loop = asyncio.get_running_loop()
        self.pending[uri] = loop.call_later(DEBOUNCE_SECONDS, self.check, uri, document.version)


def _failure(message: str) -> types.Diagnostic:
    """What stopped the check, shown at the top of the file in place of stale findings; it is
    no finding of a rule (``teitools validate`` stops with this message and exit code 2)."""
    return types.Diagnostic(
        range=types.Range(types.Position(0, 0), types.Position(0, 0)),
        message=message,
        severity=types.DiagnosticSeverity.Error,
        source="teitools",
    )


def _buffer_bytes(text: str) -> bytes:
    """The buffer as the file's bytes would be: in the encoding its XML declaration names."""
    data = text.encode("utf-8")
    declared = _ENCODING.match(data)
    if declared is None or declared[1].lower() in (b"utf-8", b"utf8"):
        return data
    try:
        return text.encode(declared[1].decode("ascii"))
    except (LookupError, UnicodeError):
        return data  # the check reports the mismatch as the file's encoding finding


server = TeiServer()


@server.feature(types.INITIALIZE)
def _initialize(ls: TeiServer, params: types.InitializeParams) -> None:
    folders = params.workspace_folders or []
    uri = folders[0].uri if folders else params.root_uri
    fs_path = to_fs_path(uri) if uri else None
    ls.root = Path(os.path.normpath(fs_path or Path.cwd()))
    # Files are named relative to the workspace, as a `teitools validate` run there names them.
    os.chdir(ls.root)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def _did_open(ls: TeiServer, params: types.DidOpenTextDocumentParams) -> None:
    _refresh_and_check(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def _did_change(ls: TeiServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def _did_save(ls: TeiServer, params: types.DidSaveTextDocumentParams) -> None:
    _refresh_and_check(ls, params.text_document.uri)


def _refresh_and_check(ls: TeiServer, uri: str) -> None:
    """On open and save: files changed on disk are read again, then the document is checked."""
    path = ls.path_of(uri)
    if path is not None:
        ls.edition_of(path).refresh()
    ls.check(uri, None)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def _did_close(ls: TeiServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    if (waiting := ls.pending.pop(uri, None)) is not None:
        waiting.cancel()
    path = ls.path_of(uri)
    if path is not None:
        ls.edition_of(path).close(path)
    ls.vocabularies.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(types.SHUTDOWN)
def _shutdown(ls: TeiServer, _params: None) -> None:
    for waiting in ls.pending.values():
        waiting.cancel()
    ls.pending.clear()
    sandbox.stop()  # the workers that check user schemas end with the server


@server.feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(trigger_characters=["#", "<", " ", '"']),
)
def _completion(ls: TeiServer, params: types.CompletionParams) -> types.CompletionList | None:
    uri = params.text_document.uri
    path = ls.path_of(uri)
    if path is None:
        return None
    document = ls.workspace.get_text_document(uri)
    offset = document.offset_at_position(params.position)
    items = complete(document.source, offset, ls.edition_of(path).entries(), ls.vocabularies.get(uri))
    start = document.client_position_at_offset(items.token_start)
    replace = types.Range(start, params.position)
    return types.CompletionList(
        is_incomplete=False,
        items=[
            types.CompletionItem(
                label=item.label,
                kind=item.kind,
                detail=item.detail or None,
                filter_text=item.filter_text,
                sort_text=item.sort_text,
                text_edit=types.TextEdit(range=replace, new_text=item.label),
            )
            for item in items.items
        ],
    )


def _pointer(
    ls: TeiServer, uri: str, position: types.Position
) -> tuple[Edition, str, Span, TextDocument] | None:
    """The pointer at ``position`` of the document: its edition, target and span, and the
    document; None outside a pointer or outside any edition."""
    path = ls.path_of(uri)
    if path is None:
        return None
    document = ls.workspace.get_text_document(uri)
    lines = document.source.splitlines()
    at = ls.workspace.position_codec.position_from_client_units(lines, position)
    found = pointer_at(lines, at.line, at.character)
    return (ls.edition_of(path), found.target, found.span, document) if found is not None else None


def _entry_location(ls: TeiServer, entry: Entry) -> types.Location:
    lines = ls.lines_of(entry.file)
    span = finding_span(lines, entry.line, entry.column)
    return types.Location(uri=ls.uri_of(entry.file), range=ls.to_client(lines, span))


@server.feature(types.TEXT_DOCUMENT_HOVER)
def _hover(ls: TeiServer, params: types.HoverParams) -> types.Hover | None:
    found = _pointer(ls, params.text_document.uri, params.position)
    if found is None:
        return None
    edition, target, span, document = found
    entry = edition.entries().get(target)
    if entry is None:
        return None
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=entry.hover()),
        range=ls.to_client(document.source.splitlines(), span),
    )


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def _definition(ls: TeiServer, params: types.DefinitionParams) -> types.Location | None:
    found = _pointer(ls, params.text_document.uri, params.position)
    entry = found[0].entries().get(found[1]) if found is not None else None
    return _entry_location(ls, entry) if entry is not None else None


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
def _references(ls: TeiServer, params: types.ReferenceParams) -> list[types.Location] | None:
    found = _pointer(ls, params.text_document.uri, params.position)
    if found is None:
        return None
    edition, target = found[0], found[1]
    locations = []
    for file in edition.files():
        facts = edition.facts(file)
        if facts is None or not any(p.target == target for p in facts.pointers):
            continue
        lines = ls.lines_of(file)
        locations += [
            types.Location(uri=ls.uri_of(file), range=ls.to_client(lines, span))
            for span in pointer_spans(lines, target)
        ]
    entry = edition.entries().get(target)
    if params.context.include_declaration and entry is not None:
        locations.insert(0, _entry_location(ls, entry))
    return locations


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
)
def _code_action(ls: TeiServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    uri = params.text_document.uri
    path = ls.path_of(uri)
    if path is None:
        return None
    edition = ls.edition_of(path)
    document = ls.workspace.get_text_document(uri)
    lines = document.source.splitlines()
    registers = {file: ls.lines_of(file) for file in edition.registers}
    known = set(edition.entries())
    codec = ls.workspace.position_codec
    actions = []
    for diagnostic in params.context.diagnostics:
        if diagnostic.source != "teitools" or not isinstance(diagnostic.code, str):
            continue
        start = codec.position_from_client_units(lines, diagnostic.range.start)
        finding = (start.line + 1, start.character + 1, diagnostic.code, diagnostic.message)
        for fix in fixes(str(path), lines, finding, registers, known):
            changes: dict[str, list[types.TextEdit]] = {}
            for edit in fix.edits:
                edit_lines = lines if edit.file == str(path) else registers.get(edit.file, [])
                changes.setdefault(ls.uri_of(edit.file), []).append(
                    types.TextEdit(range=ls.to_client(edit_lines, edit.span), new_text=edit.text)
                )
            actions.append(
                types.CodeAction(
                    title=fix.title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    edit=types.WorkspaceEdit(changes=changes),
                )
            )
    return actions


def serve(port: int | None = None) -> None:
    """Serve over stdin/stdout, or on 127.0.0.1:``port`` (one client, for debugging)."""
    # The server writes no file, so SIGTERM and SIGHUP may end it at once (the shell's 143 and
    # 129). The command line's handlers unwind the stack as Ctrl-C does, which pygls' event
    # loop may swallow: a server told to stop would then keep running.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    if port is None:
        server.start_io()
    else:
        server.start_tcp(TCP_HOST, port)
