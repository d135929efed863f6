"""The facts of files a run does not check itself, for its cross-file pass: the registers,
read early, and under ``--shard K/N`` the files of the other shards.

A shard checks only its own files, but the cross-file checks must see the whole edition (an
id used in two shards is a duplicate in both), so it reads every other file's ids and
pointers too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path
from typing import Protocol

from lxml import etree

from teitools.load.cores import available_cores
from teitools.load.parser import TEI_NS
from teitools.load.record import FileRecord, read_record
from teitools.load.settings import BUNDLED_PROJECT_RULES, IDS_ACROSS_FILES
from teitools.validation.cache import CachedResult
from teitools.validation.corpus import FileFacts, compact_facts, gather_facts

_TEI_ROOTS = (f"{{{TEI_NS}}}TEI", f"{{{TEI_NS}}}teiCorpus")
#: Fewer files than this per worker are checked (or read for their facts) in this process:
#: starting a worker costs about as much as checking that many letters.
FILES_PER_WORKER = 8


class PeerSchemas(Protocol):
    """What the runner's schema set tells about which files the cross-file pass sees."""

    @property
    def declared(self) -> bool: ...
    @property
    def project_rules_on_declared(self) -> bool: ...
    @property
    def tei_only(self) -> bool: ...


def peer_facts(
    peers: list[Path],
    schemas: PeerSchemas,
    jobs: int,
    register_ids: frozenset[str],
    own: Iterable[FileFacts],
    rules: Collection[str],
) -> Iterator[FileFacts]:
    """The facts of the files other shards check that can change a finding of this shard's
    files (``own``, their facts): as their own check would gather them (parsed, not
    validated: a file whose check gathers none gives none here either), without the pointers
    the registers resolve, in ``jobs`` worker processes when there are many and cores.

    The other shards' findings are not reported here, so another file matters only as a
    register (a file of that kind resolves pointers, see :func:`may_matter`) or, under the
    rules that check ids across files (``rules``), when it uses one of this shard's ids: the
    first user of an id, in file order, is named in every other's finding. Every file is read,
    but only those whose bytes may be either are parsed (a few in an edition without
    duplicate ids): the cross-file findings are those of the unsharded run."""
    across = BUNDLED_PROJECT_RULES in rules or IDS_ACROSS_FILES in rules
    ids = frozenset(file_id for facts in own for file_id, _ in facts.ids) if across else frozenset()
    # The paths only: where many files may matter (an edition in UTF-16), their bytes are
    # not all held at once; the few that do in most editions are read again.
    needed = [path for path in peers if may_matter(read_record(path), ids)]
    workers = min(jobs, available_cores(), len(needed) // FILES_PER_WORKER)
    if workers < 2:
        for path in needed:
            facts = peer(read_record(path), schemas)[1]
            if facts is not None:
                yield compact_facts(facts, register_ids)
        return
    from teitools.validation.workers import check_in_workers  # noqa: PLC0415 -- its pool's modules, for many peers only

    todo = ((path, str(path)) for path in needed)
    for _found, facts, _digest, _declared in check_in_workers(todo, peer, schemas, workers, register_ids):
        if facts is not None:
            yield facts


#: An ``xml:id`` attribute as written: the prefix ``xml`` is bound once for all by XML itself.
_XML_ID = re.compile(rb"""xml:id\s*=\s*(?:"([^"]*)"|'([^']*)')""")
#: What a value that the parser would give otherwise than written may hold: a reference
#: (``&#x61;``), white space (normalised), a byte outside ASCII (in a declared encoding).
_REWRITTEN = re.compile(rb"[&\s\x80-\xff]")
#: The elements that make a file a register (see :func:`~teitools.validation.corpus.walk_file`).
_REGISTER_LIST = re.compile(rb"list(?:Person|Place|Bibl|Org)")
_ASCII_STARTS = (b"<", b"\xef\xbb\xbf", b" ", b"\t", b"\r", b"\n")


def may_matter(record: FileRecord, ids: frozenset[str]) -> bool:
    """Whether the file of ``record`` may be a register or use one of ``ids``, from its bytes:
    the answer errs only towards yes (a file that cannot be read gives no facts at all).

    Searched for as written, an ``xml:id`` is found wherever the parser would find it (and in
    comments too, which only makes a file parsed for nothing); a file in which ASCII is not
    ASCII (UTF-16), or whose value the parser might rewrite, is parsed."""
    data = record.data
    if data is None:
        return False
    if not data.startswith(_ASCII_STARTS) or b"\x00" in data[:4]:
        return True
    if _REGISTER_LIST.search(data):
        return True
    if not ids:
        return False
    for double, single in _XML_ID.findall(data):
        value = double or single
        if _REWRITTEN.search(value) or value.decode("ascii") in ids:
            return True
    return False


def peer(record: FileRecord, schemas: PeerSchemas) -> CachedResult:
    """A file of another shard as the cross-file pass needs it: no findings, its facts."""
    tree = record.parsed().tree
    if tree is None:
        return (), None
    if schemas.declared and record.declarations and not schemas.project_rules_on_declared:
        return (), None
    if not_tei(tree.getroot(), schemas.tei_only):
        return (), None
    return (), gather_facts(tree, record.path)


def not_tei(root: etree._Element, tei_only: bool) -> bool:
    """Whether the project's checks leave out a file with this root: a root named ``TEI``
    outside the TEI namespace, or any root but ``TEI`` and ``teiCorpus`` when ``tei_only``."""
    return root.tag not in _TEI_ROOTS and (tei_only or etree.QName(root).localname == "TEI")


def read_registers(wanted: list[Path], register: Callable[[Path], FileRecord]) -> dict[Path, FileFacts]:
    """The facts of the registers that parse, by real path (``register`` gives each one's record)."""
    found = {}
    for path in wanted:
        record = register(path).parsed()
        if record.tree is not None:
            found[path.resolve()] = gather_facts(record.tree, path)
    return found


def compact(result: CachedResult, known: frozenset[str]) -> CachedResult:
    """A result as the cross-file pass needs it (see :func:`~teitools.validation.corpus.compact_facts`)."""
    diagnostics, facts = result
    return result if facts is None else (diagnostics, compact_facts(facts, known))
