"""Hostile XML through every command that reads XML: refused or bounded, never a way in.

One hostile file per attack class: the committed ones are in ``fixtures/hostile/`` (each says
in a comment what validate must report), the large ones are generated here. Each runs
through every command (:func:`xml_commands.xml_commands`) in a subprocess with a time and a
memory limit. Each must end within the limit with exit code 1 or 2 and a message naming the
file (validate: with the rule id at the expected line), never a traceback; a secret file's
contents never appear in any output, and a loopback HTTP server never gets a request.
"""

from __future__ import annotations

import functools
import gzip
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from teitools.errors import DocumentError
from teitools.load import parser
from teitools.load.parser import MAX_DEPTH, MAX_MARKUP, MAX_TEXT_BYTES
from tests.helpers import EDITION, FIXTURES, make_edition
from tests.xml_commands import (
    Command,
    LoopbackServer,
    Result,
    loopback_server,
    run_batch,
    run_process,
    xml_commands,
)

HOSTILE = FIXTURES / "hostile"
EXPECT = re.compile(r"<!-- hostile: .*?; expect: ([a-z-]+) line (\d+) -->")
MINIMAL = FIXTURES / "valid" / "minimal-letter.xml"
P_OPEN = "<p>There are abominations"


@dataclass(frozen=True)
class Attack:
    """A hostile file in an edition folder, what validate must say, and the secret it must keep."""

    path: Path
    rule: str
    line: int
    marker: str


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with loopback_server() as running:
        yield running


def _edition(tmp_path: Path) -> Path:
    """An edition folder with the real registers, whose letters/ the attack goes into."""
    return make_edition(tmp_path / "edition", {})


def _secret(tmp_path: Path) -> tuple[Path, str]:
    marker = f"SECRET-{uuid.uuid4().hex}"
    secret = tmp_path / "secret" / "passwords.txt"
    secret.parent.mkdir()
    secret.write_text(f"{marker}\n", encoding="utf-8")
    return secret, marker


def _fill(template: str, secret: Path, server: LoopbackServer) -> str:
    return template.replace("@SECRET@", str(secret)).replace("@URL@", server.url)


def _minimal_with(payload: str) -> tuple[str, int]:
    """The minimal letter with ``payload`` at the start of its paragraph, and that line."""
    text = MINIMAL.read_text(encoding="utf-8")
    line = text[: text.index(P_OPEN)].count("\n") + 1
    return text.replace(P_OPEN, f"<p>{payload}There are abominations", 1), line


def _committed(name: str) -> Callable[[Path, Path, LoopbackServer], tuple[bytes, str, int]]:
    def make(_root: Path, secret: Path, server: LoopbackServer) -> tuple[bytes, str, int]:
        template = (HOSTILE / name).read_text(encoding="utf-8")
        match = EXPECT.search(template)
        assert match, f"{name} does not say what it expects"
        return _fill(template, secret, server).encode("utf-8"), match[1], int(match[2])

    return make


def _quadratic(_root: Path, secret: Path, server: LoopbackServer) -> tuple[bytes, str, int]:
    data, rule, line = _committed("quadratic-blowup.xml")(_root, secret, server)
    return data.replace(b"@BIG@", b"a" * 100_000).replace(b"@REFS@", b"&a;" * 20_000), rule, line


def _utf16_doctype(_root: Path, secret: Path, server: LoopbackServer) -> tuple[bytes, str, int]:
    """The external-entity attack in UTF-16, where a byte search for <!DOCTYPE finds nothing."""
    data, rule, line = _committed("xxe-local-file.xml")(_root, secret, server)
    text = data.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
    return text.encode("utf-16"), rule, line


def _utf7_doctype(_root: Path, secret: Path, server: LoopbackServer) -> tuple[bytes, str, int]:
    """The external-entity attack behind a declared UTF-7 encoding: every ``<`` and ``>`` after
    the declaration is ``+ADw-`` and ``+AD4-``, so the bytes hold no ``<!DOCTYPE`` at all."""
    data, _, _ = _committed("xxe-local-file.xml")(_root, secret, server)
    rest = data.decode("utf-8").split("\n", 1)[1]
    hidden = rest.replace("+", "+-").replace("<", "+ADw-").replace(">", "+AD4-")
    return b'<?xml version="1.0" encoding="UTF-7"?>\n' + hidden.encode("ascii"), "xml-unsafe", 3


def _long_prolog(_root: Path, secret: Path, server: LoopbackServer) -> tuple[bytes, str, int]:
    """The external-entity attack behind a 1 MB comment, past any fixed-size look at the head."""
    data, _, _ = _committed("xxe-local-file.xml")(_root, secret, server)
    head, rest = data.split(b"\n", 1)
    return head + b"\n<!--" + b" " * 1_000_000 + b"-->\n" + rest, "xml-unsafe", 4


def _deep(_root: Path, _secret: Path, _server: LoopbackServer) -> tuple[bytes, str, int]:
    text, line = _minimal_with("<hi>" * 100_000 + "</hi>" * 100_000)
    return text.encode("utf-8"), "xml-unsafe", line


def _huge_text(_root: Path, _secret: Path, _server: LoopbackServer) -> tuple[bytes, str, int]:
    text, line = _minimal_with("a" * (MAX_TEXT_BYTES + 1_000_000))
    return text.encode("utf-8"), "xml-unsafe", line


def _tag_flood(_root: Path, _secret: Path, _server: LoopbackServer) -> tuple[bytes, str, int]:
    text, _ = _minimal_with("<lb/>" * (MAX_MARKUP + 1))
    return text.encode("utf-8"), "xml-unsafe", 1


@functools.cache
def _bomb_bytes() -> bytes:
    """100 MB of XML in about 100 KB."""
    text, _ = _minimal_with("")
    head, tail = text.split(P_OPEN, 1)
    blown = head.encode() + P_OPEN.encode() + b"a" * 100_000_000 + tail.encode()
    return gzip.compress(blown, compresslevel=9, mtime=0)


def _gzip_bomb(_root: Path, _secret: Path, _server: LoopbackServer) -> tuple[bytes, str, int]:
    """Compressed XML: teitools must not decompress it, whatever the file is called."""
    return _bomb_bytes(), "input-encoding", 1


#: Attack class -> (file name, maker returning bytes, rule and line validate must report).
ATTACKS: dict[str, tuple[str, Callable[[Path, Path, LoopbackServer], tuple[bytes, str, int]]]] = {
    **{
        p.stem: (p.name, _committed(p.name))
        for p in sorted(HOSTILE.glob("*.xml"))
        if p.stem != "quadratic-blowup"
    },
    "quadratic-blowup": ("quadratic-blowup.xml", _quadratic),
    "doctype-in-utf16": ("doctype-in-utf16.xml", _utf16_doctype),
    "doctype-in-utf7": ("doctype-in-utf7.xml", _utf7_doctype),
    "doctype-after-long-comment": ("doctype-after-long-comment.xml", _long_prolog),
    "deep-nesting": ("deep-nesting.xml", _deep),
    "huge-text-node": ("huge-text-node.xml", _huge_text),
    "tag-flood": ("tag-flood.xml", _tag_flood),
    "gzip-bomb-named-gz": ("bomb.xml.gz", _gzip_bomb),
    "gzip-bomb-named-xml": ("bomb.xml", _gzip_bomb),
}


def _attack(name: str, tmp_path: Path, server: LoopbackServer) -> Attack:
    file_name, make = ATTACKS[name]
    root = _edition(tmp_path)
    secret, marker = _secret(tmp_path)
    data, rule, line = make(root, secret, server)
    path = root / "letters" / file_name
    path.write_bytes(data)
    return Attack(path, rule, line, marker)


def _leaks(folder: Path, marker: str) -> list[Path]:
    needles = [marker.encode(e) for e in ("utf-8", "utf-16-le", "utf-16-be")]
    return [p for p in folder.rglob("*") if p.is_file() and any(n in p.read_bytes() for n in needles)]


def _run_all(attack: Attack, tmp_path: Path) -> list[tuple[str, Result]]:
    commands = xml_commands(attack.path, tmp_path / "out")
    return run_batch(commands, cwd=tmp_path, results=tmp_path / "results.json")


@pytest.fixture(scope="module")
def attacked(
    tmp_path_factory: pytest.TempPathFactory, server: LoopbackServer
) -> dict[str, tuple[Attack, Path, list[tuple[str, Result]]]]:
    """Every attack through every command, in one subprocess (start-up is most of the cost);
    each command still runs under the time limit, and the whole under the memory limit."""
    base = tmp_path_factory.mktemp("attacks")
    planned = {}
    for name in ATTACKS:
        folder = base / name
        folder.mkdir()
        attack = _attack(name, folder, server)
        planned[name] = (attack, folder, xml_commands(attack.path, folder / "out"))
    commands = [c for _, _, batch in planned.values() for c in batch]
    results = iter(run_batch(commands, cwd=base, results=base / "results.json"))
    return {
        name: (attack, folder, [next(results) for _ in batch])
        for name, (attack, folder, batch) in planned.items()
    }


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_is_refused_by_every_command(
    name: str, attacked: dict[str, tuple[Attack, Path, list[tuple[str, Result]]]], server: LoopbackServer
) -> None:
    attack, folder, results = attacked[name]
    problems = []
    for label, result in results:
        said = result.out + result.err
        if result.code not in (1, 2):
            problems.append(f"{label}: exit code {result.code}")
        if "Traceback" in result.err:
            problems.append(f"{label}: traceback")
        if attack.path.name not in said:
            problems.append(f"{label}: no message names {attack.path.name}")
        if attack.marker in said:
            problems.append(f"{label}: the secret file's contents are in its messages")
        if label == "validate" and not re.search(
            rf"^{re.escape(str(attack.path))}:{attack.line}:\d+: error: .+ \[{attack.rule}\]$",
            result.out,
            re.MULTILINE,
        ):
            problems.append(f"validate: no [{attack.rule}] finding at line {attack.line}:\n{said}")
    problems += [f"secret leaked into {p}" for p in _leaks(folder / "out", attack.marker)]
    assert not problems, "\n".join(problems)
    assert server.requests == [], f"the loopback server was asked for {server.requests}"


def test_every_attack_class_of_the_issue_is_covered() -> None:
    wanted = {
        "billion-laughs",
        "quadratic-blowup",
        "xxe-local-file",
        "xxe-network",
        "xxe-parameter-network",
        "external-dtd-network",
        "xinclude-local",
        "xinclude-network",
        "deep-nesting",
        "huge-text-node",
        "gzip-bomb-named-gz",
    }
    assert wanted <= set(ATTACKS)


def test_folders_never_pick_up_compressed_files(tmp_path: Path) -> None:
    """A .xml.gz in a folder is not an XML file: it is neither read nor decompressed."""
    root = _edition(tmp_path)
    shutil.copy(MINIMAL, root / "letters" / "stalin-kaganovich-1932-07x.xml")
    (root / "letters" / "bomb.xml.gz").write_bytes(_bomb_bytes())
    result = run_process(["validate", str(root)], cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    assert "bomb" not in result.out + result.err


def test_nesting_just_under_the_limit_is_processed_by_every_command(tmp_path: Path) -> None:
    """Deep but allowed nesting must not exhaust the recursion of a renderer or a rule."""
    root = _edition(tmp_path)
    text, _ = _minimal_with('<hi rend="italic">' * (MAX_DEPTH - 12) + "deep" + "</hi>" * (MAX_DEPTH - 12))
    path = root / "letters" / "stalin-kaganovich-1932-07x.xml"
    path.write_text(text, encoding="utf-8")
    for label, result in _run_all(Attack(path, "", 0, "-"), tmp_path):
        assert result.code in (0, 1), f"{label}: exit {result.code}\n{result.err}"
        assert "Traceback" not in result.err, label
        assert "xml-unsafe" not in result.out + result.err, f"{label} refused a document within the limits"


def test_a_file_over_the_size_limit_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parser, "MAX_DOCUMENT_BYTES", 1000)
    path = tmp_path / "big.xml"
    path.write_bytes(MINIMAL.read_bytes()[:400] + b" " * 1000)
    with pytest.raises(DocumentError) as refused:
        parser.load(path)
    finding = refused.value.diagnostic
    assert (finding.rule, finding.line) == ("input-unreadable", 0)
    assert "larger than" in finding.message


@pytest.mark.parametrize("special", ["fifo", "broken-link", "dev-zero"])
def test_special_files_are_refused_not_opened(tmp_path: Path, special: str) -> None:
    """A FIFO or a device given as input would block or never end if it were opened."""
    path = tmp_path / "letter.xml"
    if special == "fifo":
        os.mkfifo(path)
    elif special == "broken-link":
        path.symlink_to(tmp_path / "gone.xml")
    else:
        path.symlink_to("/dev/zero")
    result = run_process(["validate", str(path)], cwd=tmp_path, timeout=10)
    assert result.code == 1
    assert re.search(
        rf"^{re.escape(str(path))}:0:0: error: cannot read file: .+ \[input-unreadable\]$",
        result.out,
        re.MULTILINE,
    ), result.out + result.err


_RNG = '<grammar xmlns="http://relaxng.org/ns/structure/1.0">{}</grammar>'
_SCH = '<schema xmlns="http://purl.oclc.org/dsdl/schematron">{}</schema>'
_REPORT = '<pattern><rule context="/*"><report test="true()">found: {}</report></rule></pattern>'
#: A user-supplied schema that tries to read a file outside its folder or to use the network.
HOSTILE_SCHEMAS = {
    "rng-externalref-local": (
        "x.rng",
        _RNG.format('<start><externalRef href="file://@SECRET@.rng"/></start>'),
    ),
    "rng-include-local": (
        "x.rng",
        _RNG.format('<include href="@SECRET@.rng"/><start><ref name="x"/></start>'),
    ),
    "rng-externalref-network": ("x.rng", _RNG.format('<start><externalRef href="@URL@/x.rng"/></start>')),
    "rng-include-parent": ("x.rng", _RNG.format('<include href="../secret/passwords.txt.rng"/>')),
    "sch-document-local": (
        "x.sch",
        _SCH.format(_REPORT.format("<value-of select=\"document('file://@SECRET@.xml')\"/>")),
    ),
    "sch-document-network": (
        "x.sch",
        _SCH.format(_REPORT.format("<value-of select=\"document('@URL@/x.xml')\"/>")),
    ),
    "sch-include-local": ("x.sch", _SCH.format('<include href="file://@SECRET@.sch"/>')),
    "sch-include-network": ("x.sch", _SCH.format('<include href="@URL@/x.sch"/>')),
    "sch-xsl-key-document": (
        "x.sch",
        _SCH.format(
            '<xsl:include xmlns:xsl="http://www.w3.org/1999/XSL/Transform" href="file://@SECRET@.xsl"/>'
            '<xsl:key xmlns:xsl="http://www.w3.org/1999/XSL/Transform" name="k" match="*" '
            "use=\"document('file://@SECRET@.xml')\"/>"
            + _REPORT.format("<value-of select=\"key('k', 'x')\"/>")
        ),
    ),
    "sch-exsl-document-write": (
        "x.sch",
        _SCH.format(
            _REPORT.format(
                '<exsl:document xmlns:exsl="http://exslt.org/common" href="file://@SECRET@.written">written'
                '</exsl:document><xsl:copy-of xmlns:xsl="http://www.w3.org/1999/XSL/Transform" '
                "select=\"document('file://@SECRET@.xml')\"/>"
            )
        ),
    ),
}
#: Schemas that compile and run but whose hostile parts are inert: a finding, exit code 1.
INERT = frozenset({"sch-exsl-document-write"})


def _written(folder: Path) -> list[Path]:
    """Every path below ``folder`` but the validation result cache's."""
    return sorted(p for p in folder.rglob("*") if "teitools-cache" not in p.parts)


#: Known gaps: none. (A RELAX NG include or externalRef may name only files in the schema's
#: folder or below it, or URLs a catalog maps.)
GAPS: dict[str, str] = {}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(reason=GAPS[n], strict=True)) if n in GAPS else n
        for n in sorted(HOSTILE_SCHEMAS)
    ],
)
def test_user_schema_cannot_read_files_or_reach_the_network(
    name: str, tmp_path: Path, server: LoopbackServer
) -> None:
    secret, marker = _secret(tmp_path)
    # The secret in the three shapes a schema could pull in; each would show the marker.
    Path(f"{secret}.rng").write_text(
        f'<element xmlns="http://relaxng.org/ns/structure/1.0" name="{marker}"><empty/></element>',
        encoding="utf-8",
    )
    Path(f"{secret}.xml").write_text(f"<s>{marker}</s>", encoding="utf-8")
    Path(f"{secret}.xsl").write_text(
        '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        f'<xsl:template match="/">{marker}</xsl:template></xsl:stylesheet>',
        encoding="utf-8",
    )
    Path(f"{secret}.sch").write_text(
        f'<pattern xmlns="http://purl.oclc.org/dsdl/schematron">'
        f'<rule context="/*"><report test="true()">{marker}</report></rule></pattern>',
        encoding="utf-8",
    )
    file_name, template = HOSTILE_SCHEMAS[name]
    schema = tmp_path / "schemas" / file_name
    schema.parent.mkdir()
    schema.write_text(_fill(template, secret, server), encoding="utf-8")
    before = _written(tmp_path)
    result = run_process(["validate", "--schema", str(schema), str(MINIMAL)], cwd=tmp_path)
    said = result.out + result.err
    if name in INERT:
        assert result.code == 1, said
    else:
        assert result.code == 2, said
        assert "schemas/" + file_name in result.err, "the message names the schema as given, relative"
    assert _written(tmp_path) == before, "the schema wrote a file"
    assert "Traceback" not in said
    assert marker not in said
    assert server.requests == []


def test_a_schema_may_include_files_in_its_own_folder(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    (schemas / "parts").mkdir(parents=True)
    (schemas / "parts" / "any.rng").write_text(
        _RNG.format(
            '<define name="anything"><element><anyName/><zeroOrMore><choice><attribute>'
            '<anyName/></attribute><text/><ref name="anything"/></choice></zeroOrMore>'
            "</element></define>"
        ),
        encoding="utf-8",
    )
    (schemas / "main.rng").write_text(
        _RNG.format('<include href="parts/any.rng"/><start><ref name="anything"/></start>'), encoding="utf-8"
    )
    result = run_process(
        ["validate", "--schema", str(schemas / "main.rng"), "--registers", str(EDITION), str(MINIMAL)],
        cwd=tmp_path,
    )
    assert result.code == 0, result.out + result.err


def test_the_watchdog_stops_and_names_a_command_that_hangs(tmp_path: Path) -> None:
    """The time limit above can fail: a command stuck (here in a 60-second disk flush) is killed
    after the limit and named."""
    hang = Command("export test-single", ("export", "test-single", str(EDITION), "-o", str(tmp_path / "t")))
    with pytest.raises(AssertionError, match=r"running: teitools export test-single .* did not finish in 2"):
        run_batch(
            [hang],
            cwd=tmp_path,
            results=tmp_path / "results.json",
            harness=("--test-exporters", "--slow-fsync", "60"),
            limit=2,
        )
