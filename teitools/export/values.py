"""Values an output schema rejects: left out of a record, each with a reason, instead of a failed export.

A letter can be valid by the schema it declares and still hold a value an output format
cannot take (``<language ident="en x">`` is no language tag for CSL-JSON). That is the
letter's problem, not a bug in teitools: the export leaves the value out and warns, naming the
letter. What cannot be left out (a record's id, a required field) stays in the record, so the
format's whole-document check still stops the export as the bug it is.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from jsonschema.protocols import Validator

from teitools.diagnostics import Diagnostic, Severity
from teitools.model.types import Letter

#: The rule id of the warning about a value left out.
REJECTED_RULE = "export-value"


@dataclass(frozen=True)
class Rejected:
    """One value left out: where it was (``senders/0/authority/1``), the value and why."""

    path: tuple[str | int, ...]
    value: object
    reason: str

    @property
    def field(self) -> str:
        return "/".join(str(p) for p in self.path)


def rejected_warning(letter: Letter, rejected: Rejected, line: int, output: str) -> Diagnostic:
    """The warning that ``rejected`` (a value of ``letter``, found at ``line``) was left out of
    ``output`` ("CSL-JSON", "the JSON metadata")."""
    return Diagnostic(
        str(letter.file),
        line,
        0,
        Severity.WARNING,
        REJECTED_RULE,
        f"letter {letter.id}: its {rejected.field} cannot be exported to {output}: {rejected.reason};"
        " it is left out",
    )


def drop_rejected(
    record: dict[str, Any],
    validator: Validator,
    *,
    nullable: Collection[str] = (),
    kept: Collection[str] = (),
    lists: Collection[str] = (),
) -> list[Rejected]:
    """Remove from ``record`` (in place) every value ``validator`` rejects, and say which.

    A bad value in a list named in ``lists`` (at any depth: ``authority``) is removed from the
    list. Otherwise the top-level field it is in goes: a field in ``nullable`` becomes None,
    any other is deleted, unless it is in ``kept`` (those, and errors about the record as a
    whole, are left for the caller's check to report).
    """
    rejected: list[Rejected] = []
    # Errors that nothing can be removed for; every other pass removes a value or sets one
    # to None, so the loop ends.
    stuck: set[tuple[str | int, ...]] = set()
    while True:
        errors = [e for e in validator.iter_errors(record) if tuple(e.absolute_path) not in stuck]
        if not errors:
            return rejected
        error = min(errors, key=lambda e: [str(p) for p in e.absolute_path])
        path = tuple(error.absolute_path)
        cut = max(
            (i for i, part in enumerate(path) if isinstance(part, int) and i and path[i - 1] in lists),
            default=None,
        )
        top = str(path[0]) if path else ""
        if cut is not None:
            container = _at(record, path[:cut])
            rejected.append(Rejected(path[: cut + 1], container.pop(path[cut]), error.message))
        elif top in nullable and record.get(top) is not None:
            rejected.append(Rejected(path[:1], record[top], error.message))
            record[top] = None
        elif top and top not in nullable and top not in kept and top in record:
            rejected.append(Rejected(path[:1], record.pop(top), error.message))
        else:
            stuck.add(path)


def _at(record: dict[str, Any], path: tuple[str | int, ...]) -> Any:
    node: Any = record
    for part in path:
        node = node[part]
    return node
