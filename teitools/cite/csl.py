"""CSL-JSON export: one array of items for Zotero, pandoc and any CSL processor.

Each letter becomes the item :func:`teitools.cite.mapping.csl_item` makes. The output is
checked against the project's own JSON Schema (``schemas/csl-json.schema.json``) before it is
written, so a mapping bug stops the export instead of producing a file Zotero rejects.
"""

from __future__ import annotations

import json
from functools import cache, lru_cache
from typing import Any, cast

import jsonschema
from jsonschema.protocols import Validator

from teitools.cite.mapping import Citable, citables, csl_item
from teitools.diagnostics import Diagnostic
from teitools.errors import CitationError
from teitools.export.base import ExportOptions, ExportResult
from teitools.export.values import Rejected, drop_rejected, rejected_warning
from teitools.load.resources import schema_file
from teitools.model.types import Edition

FILE_NAME = "letters.json"
SCHEMA = "csl-json.schema.json"


def items(edition: Edition) -> list[dict[str, object]]:
    """The CSL-JSON items of every letter, sorted by date then id."""
    return [csl_item(c) for c in citables(edition)]


def dumps(data: list[dict[str, object]]) -> str:
    """CSL-JSON text: UTF-8 kept, two-space indent, a final newline."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def validate_items(data: list[dict[str, object]]) -> None:
    """Raise :class:`CitationError` when ``data`` breaks the project's CSL-JSON schema."""
    found = _validator().iter_errors(cast("Any", data))
    errors = sorted(found, key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top)"
        raise CitationError(
            f"CSL-JSON export breaks {SCHEMA} at {where}: {first.message} "
            f"({len(errors)} problem(s); a bug in teitools, please report it)"
        )


def export(edition: Edition, options: ExportOptions) -> ExportResult:
    """The ``csl-json`` format: one file with every letter; a value CSL-JSON cannot take
    (a language that is no language tag) is left out with a warning naming the letter."""
    data: list[dict[str, object]] = []
    warnings: list[Diagnostic] = []
    for citable in citables(edition):
        item, left_out = checked_item(citable)
        data.append(item)
        warnings += left_out
    validate_items(data)
    return ExportResult({FILE_NAME: dumps(data)}, tuple(warnings))


def checked_item(citable: Citable) -> tuple[dict[str, object], list[Diagnostic]]:
    """The letter's CSL-JSON item without the values CSL-JSON cannot take, and a warning for
    each value left out."""
    item = csl_item(citable)
    rejected = drop_rejected(item, _item_validator(), kept=_KEPT, lists=_NAMES)
    return item, [_warning(citable, r) for r in rejected]


def valid_item(citable: Citable) -> tuple[dict[str, object], list[Diagnostic]]:
    """:func:`checked_item`, and :class:`CitationError` if what is left still breaks the
    schema (as :func:`validate_items` of the one item would say), in one pass of the schema
    over an item that is valid, as nearly every item is."""
    item = csl_item(citable)
    if item_is_valid(item):
        # The array schema asks of each item what the item schema asks, and nothing else.
        return item, []
    item, left_out = checked_item(citable)
    validate_items([item])
    return item, left_out


def item_is_valid(item: dict[str, object]) -> bool:
    """Whether ``item`` is valid against the schema's item, as jsonschema says, field by field.

    The item schema is an object of listed properties, some required, no others allowed, and
    nothing that relates one field to another: an item is valid exactly when it has the
    required fields, no other than the listed ones, and each value is valid against its
    property. Letters share most values (writers, recipients, the volume, its editors), so
    each field's verdict is remembered per value, frozen with its exact Python types (a tuple
    is no JSON array to jsonschema); a value of another type, or a schema of another shape,
    goes to jsonschema whole."""
    shape = _item_shape()
    if shape is None:
        return _item_validator().is_valid(cast("Any", item))
    required, properties = shape
    if type(item) is not dict or not required <= item.keys() or not item.keys() <= properties:
        return _item_validator().is_valid(cast("Any", item))
    for name, value in item.items():
        frozen = _frozen(value)
        if frozen is None:
            return _item_validator().is_valid(cast("Any", item))
        if not _value_is_valid(name, frozen):
            return False
    return True


@cache
def _item_shape() -> tuple[frozenset[str], frozenset[str]] | None:
    """The item schema's required and allowed fields, or None if it is not only that."""
    schema = _schema()["items"]
    if set(schema) - {"type", "required", "additionalProperties", "properties", "description", "title"}:
        return None
    if schema.get("type") != "object" or schema.get("additionalProperties") is not False:
        return None
    return frozenset(schema.get("required", ())), frozenset(schema["properties"])


#: The JSON types as json.loads makes them, the only ones whose verdicts are remembered.
_JSON_TYPES = (str, int, float, bool, type(None))


def _frozen(value: object) -> Any:
    """A hashable value that gives ``value`` back exactly (:func:`_thawed`), or None."""
    if type(value) in _JSON_TYPES:
        return (type(value), value)
    if type(value) is list:
        parts = [_frozen(v) for v in cast("list[object]", value)]
        return None if None in parts else (list, tuple(parts))
    if type(value) is dict:
        pairs = cast("dict[object, object]", value)
        if not all(type(k) is str for k in pairs):
            return None
        frozen = [(k, _frozen(v)) for k, v in pairs.items()]
        return None if any(v is None for _, v in frozen) else (dict, tuple(frozen))
    return None


def _thawed(frozen: Any) -> Any:
    kind, value = frozen
    if kind is list:
        return [_thawed(v) for v in value]
    if kind is dict:
        return {k: _thawed(v) for k, v in value}
    return value


# Keyed by a field and its value: a few hundred distinct values in an edition of thousands of
# letters, plus each letter's own date, title and id.
@lru_cache(maxsize=16_384)
def _value_is_valid(name: str, frozen: Any) -> bool:
    return _property_validator(name).is_valid(_thawed(frozen))


@lru_cache(maxsize=256)
def _property_validator(name: str) -> Validator:
    return jsonschema.Draft7Validator(_schema()["items"]["properties"][name])


#: The lists of names: a name CSL-JSON cannot take is left out of its list alone.
_NAMES = frozenset({"author", "recipient", "editor"})
#: Fields no item can go without: an error in one is a bug in teitools.
_KEPT = frozenset({"id", "citation-key", "type", "author", "recipient"})


def _warning(citable: Citable, rejected: Rejected) -> Diagnostic:
    letter = citable.letter
    field = str(rejected.path[0])
    if field == "language":
        line = letter.language_line
    elif field in {"issued", "original-date", "event-date"} and letter.date is not None:
        line = letter.date.line
    elif field in {"author", "recipient"}:
        people = letter.senders if field == "author" else letter.recipients
        line = next((p.line for p in people if p.line), letter.line)
    else:
        line = letter.line
    return rejected_warning(letter, rejected, line, "CSL-JSON")


@cache
def _validator() -> Validator:
    # The schema's $refs point into its own definitions and never recurse: resolving them
    # once here halves the time jsonschema takes on a thousand letters.
    return jsonschema.Draft7Validator(_schema())


@cache
def _item_validator() -> Validator:
    return jsonschema.Draft7Validator(_schema()["items"])


@cache
def _schema() -> Any:
    schema = json.loads(schema_file(SCHEMA).read_text(encoding="utf-8"))
    return _inline(schema, schema.get("definitions", {}))


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        reference = node.get("$ref")
        if isinstance(reference, str) and reference.startswith("#/definitions/"):
            return _inline(definitions[reference.removeprefix("#/definitions/")], definitions)
        return {k: _inline(v, definitions) for k, v in node.items() if k != "definitions"}
    if isinstance(node, list):
        return [_inline(v, definitions) for v in node]
    return node
