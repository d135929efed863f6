"""``teitools lsp`` survives what an encoder can type, listens on loopback only, and exits
cleanly: a plain JSON-RPC client over the server's pipes, one server for many inputs."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

pytest.importorskip("pygls", reason="the lsp tests need pygls (the lsp extra)")

from teitools.validation.rng_index import RngIndex
from tests.helpers import ROOT, copy_edition

LETTER = "tei/letters/stalin-kaganovich-1935-08-22.xml"
_MARKUP = "<>/=\"'#&;![]?-: \n\tabcpersNameref"


class Rpc:
    """The client end of a server's stdin/stdout."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.next_id = 0

    def send(self, method: str, params: object, *, request: bool = False) -> int | None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.next_id += 1
            message["id"] = self.next_id
        body = json.dumps(message).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()
        return self.next_id if request else None

    def receive(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        length = 0
        while (line := self.process.stdout.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        assert length, f"the server closed its output (exit code {self.process.poll()})"
        message: dict[str, Any] = json.loads(self.process.stdout.read(length))
        return message

    def call(self, method: str, params: object) -> dict[str, Any]:
        wanted = self.send(method, params, request=True)
        while True:
            message = self.receive()
            if message.get("id") == wanted and "method" not in message:
                return message


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ws")
    copy_edition(root / "tei")
    return root


def _start(workspace: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "teitools", "lsp", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=workspace,
    )


@pytest.fixture(scope="module")
def rpc(workspace: Path) -> Iterator[Rpc]:
    process = _start(workspace)
    client = Rpc(process)
    client.call("initialize", {"processId": None, "rootUri": workspace.as_uri(), "capabilities": {}})
    client.send("initialized", {})
    uri = (workspace / LETTER).as_uri()
    text = (workspace / LETTER).read_text("utf-8")
    client.send(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "xml", "version": 1, "text": text}},
    )
    yield client
    if process.poll() is None:
        process.kill()
        process.wait()
    _close(process)


_edits = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3000),
        st.integers(min_value=0, max_value=40),
        st.text(alphabet=st.sampled_from(_MARKUP) | st.characters(), max_size=30),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edits=_edits,
    line=st.integers(min_value=0, max_value=60),
    character=st.integers(min_value=0, max_value=400),
)
def test_the_server_answers_whatever_the_buffer_holds(
    rpc: Rpc, workspace: Path, edits: list[tuple[int, int, str]], line: int, character: int
) -> None:
    uri = (workspace / LETTER).as_uri()
    text = (workspace / LETTER).read_text("utf-8")
    for at, removed, inserted in edits:
        at = min(at, len(text))  # noqa: PLW2901
        text = text[:at] + inserted + text[at + removed :]
    rpc.next_id += 1
    version = rpc.next_id + 1
    rpc.send(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
    )
    where = {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}
    for method in ("textDocument/completion", "textDocument/hover", "textDocument/definition"):
        answer = rpc.call(method, where)
        assert "error" not in answer, (method, answer)
    answer = rpc.call(
        "textDocument/codeAction",
        {
            **where,
            "range": {"start": where["position"], "end": where["position"]},
            "context": {"diagnostics": []},
        },
    )
    assert "error" not in answer
    while (message := rpc.receive()).get("method") != "textDocument/publishDiagnostics" or message[
        "params"
    ].get("version") != version:
        pass
    messages = [d["message"] for d in message["params"]["diagnostics"]]
    assert not any(m.startswith("teitools: internal error") for m in messages), messages
    assert rpc.process.poll() is None, "the server died"


def test_shutdown_and_exit_end_the_server_cleanly(workspace: Path) -> None:
    process = _start(workspace)
    client = Rpc(process)
    client.call("initialize", {"processId": None, "rootUri": workspace.as_uri(), "capabilities": {}})
    client.send("initialized", {})
    assert client.call("shutdown", None).get("result", "missing") is None
    client.send("exit", None)
    assert process.wait(timeout=10) == 0
    _close(process)


def test_tcp_listens_on_loopback_only(workspace: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = _start(workspace, "--tcp", str(port))
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=1)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server never listened on 127.0.0.1"
                time.sleep(0.1)
        # The kernel's tables of the server's sockets, read while its one client is still
        # connected (a server whose client has gone may stop listening): every socket
        # listening on the port is on loopback, none on IPv6 (where "::" would take IPv4 too).
        with connection:
            tables = {name: Path(f"/proc/{process.pid}/net/{name}") for name in ("tcp", "tcp6")}
            listening = {
                (name, r[1].rsplit(":", 1)[0])
                for name, table in tables.items()
                if table.exists()
                for r in (line.split() for line in table.read_text().splitlines()[1:])
                if r[3] == "0A" and int(r[1].rsplit(":", 1)[1], 16) == port
            }
        if tables["tcp"].exists():
            assert listening == {("tcp", "0100007F")}, listening  # 127.0.0.1, little-endian hex
    finally:
        process.terminate()
        process.wait(timeout=10)
        _close(process)


def _close(process: subprocess.Popen[bytes]) -> None:
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()


def test_the_core_command_line_never_imports_pygls() -> None:
    check = "import sys, teitools.cli; assert 'pygls' not in sys.modules, sorted(sys.modules)"
    assert subprocess.run([sys.executable, "-c", check], capture_output=True, check=False).returncode == 0


def test_without_pygls_the_command_says_what_to_install() -> None:
    # A fresh process in which importing pygls fails, as where the lsp extra is not installed.
    absent = "import sys; sys.modules['pygls'] = None; from teitools.cli import main; sys.exit(main(['lsp']))"
    run = subprocess.run([sys.executable, "-c", absent], capture_output=True, text=True, check=False)
    assert run.returncode == 2
    assert "pip install 'teitools[lsp]'" in run.stderr


def test_a_burst_of_changes_is_checked_once_at_its_last_version(workspace: Path) -> None:
    process = _start(workspace)
    client = Rpc(process)
    try:
        client.call("initialize", {"processId": None, "rootUri": workspace.as_uri(), "capabilities": {}})
        client.send("initialized", {})
        uri = (workspace / "tei/persons.xml").as_uri()
        text = (workspace / "tei/persons.xml").read_text("utf-8")
        document = {"uri": uri, "languageId": "xml", "version": 1, "text": text}
        client.send("textDocument/didOpen", {"textDocument": document})
        for version in range(2, 8):  # typing: one change after another, faster than the debounce
            typed = text.replace("<listPerson>", "<listPerson" if version % 2 else "<listPerson>", 1)
            client.send(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": typed}]},
            )
        published: list[dict[str, Any]] = []
        while not published or published[-1]["version"] != 7:
            message = client.receive()
            if message.get("method") == "textDocument/publishDiagnostics":
                published.append(message["params"])
        versions = [p["version"] for p in published]
        # Checked on opening, then far fewer times than changed (once, unless the machine stalls).
        assert versions[0] == 1 and len(versions) - 1 < 6, versions
        assert [d["code"] for d in published[-1]["diagnostics"]] == ["xml-syntax"]
    finally:
        process.kill()
        process.wait()
        _close(process)


def test_a_name_that_is_no_xml_name_gets_no_completion_and_no_error() -> None:
    """Found by the fuzzing above: completing inside `<0publicationStmt>` raised ValueError."""
    from teitools.lsp.vocabulary import Vocabulary  # noqa: PLC0415 -- the lsp extra is optional

    index = RngIndex(etree.parse(str(ROOT / "schemas" / "teitools.rng")))
    vocabulary = Vocabulary(index, {})
    assert "publicationStmt" in vocabulary.children(("teiHeader", "fileDesc"))
    assert vocabulary.children(("fileDesc", "0publicationStmt")) == []
    assert vocabulary.attributes("0publicationStmt", ("fileDesc",)) == []
