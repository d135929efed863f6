"""A JSON Schema check for the keywords the settings schema uses, without importing jsonschema.

Every run in a project reads its settings; importing jsonschema to check a few keys costs more
than the rest of a one-letter validation. :func:`conforms` answers True only when it is sure
the value is valid under JSON Schema 2020-12; a keyword it does not know makes the answer
None (unknown), and the caller then asks jsonschema, which also explains what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

#: Keywords that say nothing about validity.
_ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "default", "examples", "$comment"})

_TYPES: dict[str, Callable[[object], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "null": lambda v: v is None,
}


def conforms(value: object, schema: object) -> bool | None:
    """True if ``value`` is valid under ``schema``, False if it is not, None if unsure."""
    if isinstance(schema, bool):
        return schema
    if not isinstance(schema, Mapping):
        return None
    verdicts = [_keyword(name, argument, value, schema) for name, argument in schema.items()]
    if False in verdicts:
        return False
    return None if None in verdicts else True


def _keyword(name: str, argument: Any, value: object, schema: Mapping[str, Any]) -> bool | None:
    if name in _ANNOTATIONS:
        return True
    check = _KEYWORDS.get(name)
    return check(argument, value, schema) if check is not None else None


def _type(argument: Any, value: object, _schema: Mapping[str, Any]) -> bool | None:
    names = argument if isinstance(argument, list) else [argument]
    if not all(isinstance(n, str) and n in _TYPES for n in names):
        return None
    return any(_TYPES[n](value) for n in names)


def _enum(argument: Any, value: object, _schema: Mapping[str, Any]) -> bool | None:
    # JSON equality: true is not 1, as Python says it is.
    return isinstance(argument, list) and any(type(v) is type(value) and v == value for v in argument)


def _min_length(argument: Any, value: object, _schema: Mapping[str, Any]) -> bool | None:
    if not isinstance(value, str):
        return True  # the string keywords say nothing about other values
    return len(value) >= argument if isinstance(argument, int) else None


def _pattern(argument: Any, value: object, _schema: Mapping[str, Any]) -> bool | None:
    if not isinstance(value, str):
        return True
    try:
        return _compiled(argument).search(value) is not None if isinstance(argument, str) else None
    except re.error:
        return None  # a pattern Python reads otherwise than JSON Schema: jsonschema decides


def _items(argument: Any, value: object, _schema: Mapping[str, Any]) -> bool | None:
    return not isinstance(value, list) or _all([conforms(item, argument) for item in value])


def _unique_items(argument: Any, value: object, _schema: Mapping[str, Any]) -> bool | None:
    if argument is not True or not isinstance(value, list):
        return True
    if not all(isinstance(item, str) for item in value):
        return None  # JSON equality of other values is left to jsonschema
    return len(set(value)) == len(value)


def _required(argument: Any, value: object, _schema: Mapping[str, Any]) -> bool | None:
    return not isinstance(value, dict) or all(key in value for key in argument)


def _properties(argument: Any, value: object, _schema: Mapping[str, Any]) -> bool | None:
    if not isinstance(value, dict):
        return True
    return _all([conforms(value[key], sub) for key, sub in argument.items() if key in value])


def _additional(argument: Any, value: object, schema: Mapping[str, Any]) -> bool | None:
    if not isinstance(value, dict):
        return True
    if "patternProperties" in schema:
        return None
    known = schema.get("properties", {})
    return _all([conforms(item, argument) for key, item in value.items() if key not in known])


def _one_of(argument: Any, value: object, _schema: Mapping[str, Any]) -> bool | None:
    verdicts = [conforms(value, sub) for sub in argument]
    return None if None in verdicts else verdicts.count(True) == 1


_KEYWORDS: dict[str, Callable[[Any, object, Mapping[str, Any]], bool | None]] = {
    "type": _type,
    "enum": _enum,
    "minLength": _min_length,
    "pattern": _pattern,
    "items": _items,
    "uniqueItems": _unique_items,
    "required": _required,
    "properties": _properties,
    "additionalProperties": _additional,
    "oneOf": _one_of,
}


def _all(verdicts: list[bool | None]) -> bool | None:
    if False in verdicts:
        return False
    return None if None in verdicts else True


@lru_cache(maxsize=64)  # the settings schema has a handful of patterns
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)
