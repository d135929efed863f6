"""Checking files in worker processes, for ``validate --jobs N``.

The workers are started once per run, after the parent compiled the schemas (forked, they
inherit them), and are told once what to check with. They are sent batches of file names,
or the records the parent read already (for a cache key, standard input, a register), a few
batches each at a time, so that memory stays flat however many files; a worker reads the
files it is sent by name through the loader, and, for the result cache, hashes the bytes it
read (a file no run saw is not read in the parent for its key: the key is made of the
digest the worker sends back with the result). Each file's findings and facts come back as
plain tuples, which pickle without a Python call per object, the facts without the pointers
the registers resolve when the parent knows their ids (see
:func:`~teitools.validation.corpus.compact_facts`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any

from teitools.diagnostics import Diagnostic
from teitools.load.declarations import Declaration
from teitools.load.record import FileRecord, read_record
from teitools.validation.corpus import FileFacts, Pointer, Position, compact_facts

#: Files sent to a worker at a time: few enough that the workers finish together, enough
#: that a batch's round trip costs little beside its checks.
BATCH = 32

#: One file's check, as the runner does it: its findings and its facts.
Checker = Callable[[FileRecord, Any], tuple[tuple[Diagnostic, ...], FileFacts | None]]
#: What the parent is told of one file: its findings, facts, the digest of the bytes checked
#: (when asked for, and the file could be read), and the schemas it declares.
Result = tuple[tuple[Diagnostic, ...], FileFacts | None, bytes | None, tuple[Declaration, ...]]
#: A file's facts as a worker sends them: FileFacts' fields but the file (the parent knows
#: it), positions as plain ``(value, line, attribute)`` tuples.
_Packed = tuple[
    str, str, bool, str | None, tuple[tuple[str, int, str], ...], tuple[tuple[str, int, str], ...]
]
_Sent = tuple[tuple[Diagnostic, ...], _Packed | None, bytes | None, tuple[Declaration, ...]]

_state: tuple[Checker, Any, frozenset[str] | None, bool] | None = None


def check_in_workers(
    todo: Iterable[tuple[Path | str, FileRecord | str]],
    check: Checker,
    context: object,
    workers: int,
    register_ids: frozenset[str] | None,
    *,
    digests: bool = False,
) -> Iterator[Result]:
    """``check(record, context)`` for each file of ``todo`` (its path or name, as its facts
    are to name it, and its record or its name as a string: a ``Path`` pickles as its parts,
    parsed again on arrival), in ``workers`` processes; the results in the order of ``todo``,
    with the digests of the bytes checked when ``digests``."""
    pending: deque[tuple[list[Path | str], Future[list[_Sent]]]] = deque()
    items = iter(todo)
    start = (check, context, register_ids, digests)
    with ProcessPoolExecutor(max_workers=workers, initializer=_start, initargs=start) as pool:
        while batch := list(islice(items, BATCH)):
            pending.append(
                ([path for path, _ in batch], pool.submit(_check_batch, [item for _, item in batch]))
            )
            if len(pending) >= 3 * workers:
                yield from _received(*_result(pending.popleft()))
        while pending:
            yield from _received(*_result(pending.popleft()))


def _result(sent: tuple[list[Path | str], Future[list[_Sent]]]) -> tuple[list[Path | str], list[_Sent]]:
    paths, future = sent
    return paths, future.result()


def _start(check: Checker, context: object, register_ids: frozenset[str] | None, digests: bool) -> None:
    global _state  # noqa: PLW0603 -- one worker process, one run's checks
    _state = (check, context, register_ids, digests)


def _check_batch(todo: list[FileRecord | str]) -> list[_Sent]:
    """In a worker: each file (read here when sent by name) checked."""
    if _state is None:
        raise RuntimeError("a validation worker was sent files before it was started")
    check, context, register_ids, digests = _state
    results: list[_Sent] = []
    for item in todo:
        record = read_record(Path(item)) if isinstance(item, str) else item
        diagnostics, facts = check(record, context)
        if facts is not None and register_ids is not None:
            facts = compact_facts(facts, register_ids)
        packed = None if facts is None else _pack(facts)
        results.append((diagnostics, packed, record.digest if digests else None, record.declarations))
    return results


def _pack(facts: FileFacts) -> _Packed:
    ids = tuple((value, at.line, at.attribute) for value, at in facts.ids)
    pointers = tuple((p.target, p.position.line, p.position.attribute) for p in facts.pointers)
    return facts.stem, facts.kind, facts.in_letters_folder, facts.root_id, ids, pointers


def _received(paths: list[Path | str], results: list[_Sent]) -> Iterator[Result]:
    for path, (diagnostics, packed, digest, declared) in zip(paths, results, strict=True):
        if packed is None:
            yield diagnostics, None, digest, declared
            continue
        stem, kind, in_letters, root_id, ids, pointers = packed
        facts = FileFacts(
            str(path),
            stem,
            kind,
            in_letters,
            root_id,
            tuple((value, Position(line, attribute)) for value, line, attribute in ids),
            tuple(Pointer(target, Position(line, attribute)) for target, line, attribute in pointers),
        )
        yield diagnostics, facts, digest, declared
