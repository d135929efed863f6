"""Where teitools finds the files it ships: the schemas."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from teitools.errors import SchemaError

_PACKAGE = Path(__file__).resolve().parent.parent


@cache
def schemas_dir() -> Path:
    """The folder of the project's schemas.

    An installed wheel carries them as ``teitools/schemas``; a source checkout (and an
    editable install) has them in the top-level ``schemas/`` folder beside the package.
    """
    for candidate in (_PACKAGE / "schemas", _PACKAGE.parent / "schemas"):
        if (candidate / "teitools.rng").is_file():
            return candidate
    raise SchemaError("teitools' own schemas are missing from this installation; reinstall teitools")


def schema_file(name: str) -> Path:
    """The path of one shipped schema, e.g. ``schema_file("teitools.rng")``."""
    path = schemas_dir() / name
    if not path.is_file():
        raise SchemaError(f"the shipped schema {name} is missing; reinstall teitools")
    return path
