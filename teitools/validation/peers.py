"""The facts of files a run does not check itself, for its cross-file pass: the registers,
read early, and under ``--shard K/N`` the files of the other shards.

A shard checks only its own files, but the cross-file checks must see the whole edition (an
id used in two shards is a duplicate in both), so it reads every other file's ids and
pointers too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from lxml import etree

from teitools.load.cores import available_cores
from teitools.load.parser import TEI_NS
from teitools.load.record import FileRecord, read_record
from teitools.validation.cache import CachedResult
from teitools.validation.corpus import FileFacts, compact_facts, gather_facts

_TEI_ROOTS = (f"{{{TEI_NS}}}TEI", f"{{{TEI_NS}}}teiCorpus")
#: Fewer files than this per worker are read in this process (as the runner does for checks).
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
    peers: list[Path], schemas: PeerSchemas, jobs: int, register_ids: frozenset[str]
) -> Iterator[FileFacts]:
    """The ids and pointers of the files other shards check, as their own check would gather
    them (parsed, not validated: a file whose check gathers none gives none here either),
    without the pointers the registers resolve, one file at a time (a shard of a large
    edition reads every other file), in ``jobs`` worker processes when there are cores."""
    workers = min(jobs, available_cores(), len(peers) // FILES_PER_WORKER)
    if workers < 2:
        for path in peers:
            facts = peer(read_record(path), schemas)[1]
            if facts is not None:
                yield compact_facts(facts, register_ids)
        return
    from teitools.validation.workers import check_in_workers  # noqa: PLC0415 -- its pool's modules, for many peers only

    todo = ((path, str(path)) for path in peers)
    for _found, facts, _declares in check_in_workers(todo, peer, schemas, workers, register_ids):
        if facts is not None:
            yield facts


def peer(record: FileRecord, schemas: PeerSchemas) -> CachedResult:
    """A file of another shard as the cross-file pass needs it: no findings, its facts."""
    tree = record.parsed().tree
    if tree is None:
        return (), None
    if schemas.declared and record.declarations and not schemas.project_rules_on_declared:
        return (), None
    root = tree.getroot()
    if root.tag not in _TEI_ROOTS and (schemas.tei_only or etree.QName(root).localname == "TEI"):
        return (), None
    return (), gather_facts(tree, record.path)


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
