"""CSL-JSON export: one array of items for Zotero, pandoc and any CSL processor.

Each letter becomes the item :func:`teitools.cite.mapping.csl_item` makes. The output is
checked against the project's own JSON Schema (``schemas/csl-json.schema.json``) before it is
written, so a mapping bug stops the export instead of producing a file Zotero rejects.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any, cast

import jsonschema
from jsonschema.protocols import Validator

from teitools.cite.mapping import citables, csl_item
from teitools.errors import CitationError
from teitools.export.base import ExportOptions, ExportResult
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
    """The ``csl-json`` format: one file with every letter."""
    data = items(edition)
    validate_items(data)
    return ExportResult({FILE_NAME: dumps(data)})


@cache
def _validator() -> Validator:
    schema = json.loads(schema_file(SCHEMA).read_text(encoding="utf-8"))
    # The schema's $refs point into its own definitions and never recurse: resolving them
    # once here halves the time jsonschema takes on a thousand letters.
    return jsonschema.Draft7Validator(_inline(schema, schema.get("definitions", {})))


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        reference = node.get("$ref")
        if isinstance(reference, str) and reference.startswith("#/definitions/"):
            return _inline(definitions[reference.removeprefix("#/definitions/")], definitions)
        return {k: _inline(v, definitions) for k, v in node.items() if k != "definitions"}
    if isinstance(node, list):
        return [_inline(v, definitions) for v in node]
    return node
