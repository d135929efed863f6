"""Project settings: ``[tool.teitools]`` in ``pyproject.toml`` or a ``teitools.toml``.

The settings of an edition live beside its corpus. :func:`settings_for` looks in the folder
of the first path given and in its parents, and in each folder takes ``teitools.toml`` (all
of it) or else the ``[tool.teitools]`` table of ``pyproject.toml``; a ``pyproject.toml``
without that table is passed over. The file is checked against ``settings.schema.json``;
any mistake is a :class:`SettingsError` naming the file, the key and what is allowed.

``rules`` chooses the rule sets validation applies (what each checks is in
:data:`teitools.validation.rule_catalogue.RULE_SETS`): an edition without settings, or whose
settings do not say, gets :data:`DEFAULT_RULES`, what XML and TEI require of any edition;
the bundled edition asks for its own guidelines as well (``project:teitools-letters``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from teitools.errors import SettingsError
from teitools.load.inputs import work_tree
from teitools.load.json_subset import conforms
from teitools.load.resources import schema_file, schemas_dir

if TYPE_CHECKING:
    import jsonschema

SETTINGS_FILE = "teitools.toml"
PYPROJECT_FILE = "pyproject.toml"
DEFAULT_CITATION_STYLE = "chicago"
_URL = re.compile(r"^https?://\S+$")

#: What XML and TEI require of any file (well-formed, the TEI root, ids unique within a
#: document, TEI's date constraints, the schemas the edition declares); always applied.
TEI_RULES = "tei"
#: Local ``#id`` pointers resolve in the edition's registers.
POINTER_RULES = "pointers"
#: No ``xml:id`` is used twice in the whole edition (TEI asks it only within a document).
IDS_ACROSS_FILES = "ids-across-files"
#: The bundled sample edition's encoding guidelines (its grammar, Schematron and letter ids).
BUNDLED_PROJECT_RULES = "project:teitools-letters"
#: Every rule set, in the order the documentation lists them.
RULE_SETS = (TEI_RULES, POINTER_RULES, IDS_ACROSS_FILES, BUNDLED_PROJECT_RULES)
#: The rule sets of an edition whose settings do not choose: nothing that is one project's
#: convention, so that an edition teitools has never seen is judged on its own terms.
DEFAULT_RULES = (TEI_RULES, POINTER_RULES)


@dataclass(frozen=True)
class Editor:
    name: str
    email: str = ""


@dataclass(frozen=True)
class CmifSettings:
    """The CMIF export's own settings (the ``[cmif]`` table)."""

    bibl: str = ""
    bibl_type: str = "online"
    bibl_id: str | None = None
    url: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class Settings:
    """An edition's settings; ``file`` is where they were read from (None: defaults)."""

    file: Path | None = None
    title: str = ""
    editors: tuple[Editor, ...] = ()
    publisher: str = ""
    publisher_url: str | None = None
    licence: str = ""
    licence_url: str | None = None
    base_url: str | None = None
    citation_style: str = DEFAULT_CITATION_STYLE
    schemas: tuple[Path, ...] = ()
    #: A file that declares schemas is judged by them alone (``declared-schemas-only``).
    declared_schemas_only: bool = False
    #: The rule sets to validate with (``rules``); ``tei`` is always among them.
    rules: tuple[str, ...] = DEFAULT_RULES
    cmif: CmifSettings = field(default_factory=CmifSettings)

    def override(self, *, base_url: str | None = None) -> Settings:
        """These settings with the command line's choices (None: keep the setting)."""
        if base_url is None:
            return self
        if not _URL.match(base_url):
            raise SettingsError(
                f"--base-url {base_url!r} is invalid: expected a web address "
                "starting with http:// or https://"
            )
        return replace(self, base_url=_with_slash(base_url))


def settings_for(paths: Iterable[Path]) -> Settings:
    """The settings of the edition the paths belong to (defaults when there are none)."""
    first = next(iter(paths), None)
    found = find_settings_file(first if first is not None else Path())
    return load_settings(found) if found is not None else Settings()


def build_day() -> dt.date:
    """The day a build is made on, in UTC: ``SOURCE_DATE_EPOCH`` (seconds since 1970, the
    reproducible-builds convention) when it is set to a number, else today. A CMIF file's date
    and the access date of the pages' citations are this day, so that a build repeated with
    the same ``SOURCE_DATE_EPOCH`` is byte for byte the same."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.datetime.now(tz=dt.UTC).date()


def find_settings_file(start: Path) -> Path | None:
    """The settings file nearest to ``start``: its folder (a file's folder) and its parents."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        found = settings_file_in(candidate)
        if found is not None:
            return found
    return None


def settings_file_in(folder: Path) -> Path | None:
    """The settings file of ``folder`` itself: its ``teitools.toml``, else its
    ``pyproject.toml`` when that has a ``[tool.teitools]`` table."""
    own = folder / SETTINGS_FILE
    if own.is_file():
        return own
    pyproject = folder / PYPROJECT_FILE
    if pyproject.is_file() and "teitools" in _tool_tables(_read_toml(pyproject)):
        return pyproject
    return None


def load_settings(path: Path) -> Settings:
    """Read and check one settings file (``teitools.toml`` or ``pyproject.toml``)."""
    data = _read_toml(path)
    table: object = data
    where = ""
    if path.name == PYPROJECT_FILE:
        table = _tool_tables(data).get("teitools", {})
        where = "tool.teitools"
    if not isinstance(table, dict):
        raise SettingsError(f"{path}: tool.teitools must be a table ([tool.teitools])")
    table = _dates_as_text(table)
    _check(table, path, where)
    return _settings(table, path, where)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path}: not valid TOML: {error}") from None
    except UnicodeDecodeError as error:
        raise SettingsError(
            f"{path}: not valid TOML: not UTF-8 (byte {error.start + 1} is {error.object[error.start]:#04x})"
        ) from None
    except OSError as error:
        raise SettingsError(f"{path}: cannot read: {error.strerror or error}") from None


def _dates_as_text(table: dict[str, Any]) -> dict[str, Any]:
    """A TOML date (``date = 2026-11-26``, unquoted) is as good as the string."""
    cmif = table.get("cmif")
    if isinstance(cmif, dict) and type(cmif.get("date")) is dt.date:
        return {**table, "cmif": {**cmif, "date": cmif["date"].isoformat()}}
    return table


def _tool_tables(pyproject: dict[str, Any]) -> dict[str, Any]:
    tool = pyproject.get("tool", {})
    return tool if isinstance(tool, dict) else {}


@cache
def _schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_file("settings.schema.json").read_text(encoding="utf-8"))
    return loaded


@cache
def _validator() -> jsonschema.protocols.Validator:
    # Imported only for settings the quick check does not accept: jsonschema is a larger
    # import than the rest of a one-letter validation.
    import jsonschema  # noqa: PLC0415

    return jsonschema.Draft202012Validator(_schema())


def _check(table: dict[str, Any], path: Path, where: str) -> None:
    if conforms(table, _schema()) is True:
        return
    errors = sorted(_validator().iter_errors(table), key=lambda e: list(e.absolute_path))
    if errors:
        raise SettingsError(_explain(errors[0], path, where))


def _explain(error: jsonschema.ValidationError, path: Path, where: str) -> str:
    """Say which key is wrong, in which file, and what it may be."""
    parts = [where] if where else []
    parts += [str(p) if isinstance(p, str) else f"[{p}]" for p in error.absolute_path]
    key = ".".join(parts).replace(".[", "[")
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        given = error.instance if isinstance(error.instance, dict) else {}
        unknown = sorted(set(given) - set(allowed))
        place = f" in [{key}]" if key else ""
        return (
            f"{path}: unknown setting {', '.join(repr(u) for u in unknown)}{place}; "
            f"allowed keys: {', '.join(allowed)}"
        )
    if error.validator == "enum":
        values = ", ".join(f'"{v}"' for v in schema.get("enum", []))
        return f"{path}: {key} = {error.instance!r} is not allowed; allowed values: {values}"
    description = schema.get("description", "")
    expected = {
        "type": f"a {_type_name(schema.get('type'))}",
        "pattern": _pattern_text(key),
        "minLength": "a non-empty string",
        "required": "a table with a name",
    }.get(str(error.validator), str(error.message))
    if error.validator == "oneOf" and "editors[" in key:
        expected = "a name, or a table with name and email"
    text = f"{path}: {key} = {error.instance!r} is invalid: expected {expected}"
    return text + (f" ({description})" if description else "")


def _type_name(value: object) -> str:
    names = {
        "string": "string",
        "array": "list",
        "object": "table",
        "integer": "whole number",
        "boolean": "true or false",
    }
    return names.get(str(value), str(value))


def _pattern_text(key: str) -> str:
    if key.endswith("date"):
        return "a date written YYYY-MM-DD"
    if key.endswith("bibl-id"):
        return (
            "a lower-case UUID starting with a letter (it is an xml:id), such as "
            "f5055f00-9182-4728-8f81-a0cf016b616b"
        )
    if key.endswith("email"):
        return "an e-mail address"
    return "a web address starting with http:// or https://"


def _is_calendar_date(text: str) -> bool:
    """True for a day that exists; the schema has already checked the form YYYY-MM-DD."""
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _settings(table: Mapping[str, Any], path: Path, where: str) -> Settings:
    cmif = table.get("cmif", {})
    date = cmif.get("date")
    if date is not None and not _is_calendar_date(date):
        key = f"{where}.cmif.date" if where else "cmif.date"
        raise SettingsError(
            f"{path}: {key} = {date!r} is not a real calendar date; expected a date written YYYY-MM-DD"
        )
    return Settings(
        file=path,
        title=table.get("title", ""),
        editors=tuple(_editor(e) for e in table.get("editors", [])),
        publisher=table.get("publisher", ""),
        publisher_url=table.get("publisher-url"),
        licence=table.get("licence", ""),
        licence_url=table.get("licence-url"),
        base_url=_with_slash(table.get("base-url")),
        citation_style=table.get("citation-style", DEFAULT_CITATION_STYLE),
        schemas=_schema_paths(table.get("schemas", []), path, where),
        declared_schemas_only=table.get("declared-schemas-only", False),
        rules=_rule_sets(table.get("rules", DEFAULT_RULES)),
        cmif=CmifSettings(
            bibl=cmif.get("bibl", ""),
            bibl_type=cmif.get("bibl-type", "online"),
            bibl_id=cmif.get("bibl-id"),
            url=cmif.get("url"),
            date=date,
        ),
    )


def _rule_sets(values: Sequence[str]) -> tuple[str, ...]:
    """The rule sets asked for, with ``tei`` (which cannot be switched off), in a fixed order."""
    asked = {TEI_RULES, *values}
    return tuple(name for name in RULE_SETS if name in asked)


def _editor(value: str | Mapping[str, str]) -> Editor:
    if isinstance(value, str):
        return Editor(value)
    return Editor(value["name"], value.get("email", ""))


def _with_slash(url: str | None) -> str | None:
    return url if url is None or url.endswith("/") else url + "/"


def _schema_paths(values: Sequence[str], path: Path, where: str) -> tuple[Path, ...]:
    """The schemas a settings file names, as written (relative to it, symbolic links kept).

    A settings file is as much the contributor's as the letters are: a schema it names must be
    in its repository (:func:`~teitools.load.inputs.work_tree`, else its own folder) or among
    the shipped schemas. The refusal reads the same whether or not the file exists.
    """
    folder = path.parent.resolve()
    allowed = (work_tree(folder) or folder, schemas_dir().resolve())
    found = []
    for number, value in enumerate(values):
        key = f"{where}.schemas[{number}]" if where else f"schemas[{number}]"
        schema = Path(os.path.normpath(path.parent / value))
        if not any(schema.resolve().is_relative_to(home) for home in allowed):
            raise SettingsError(
                f"{path}: {key} = {value!r} is outside the repository of the settings file; refused "
                "(a project's schemas must be in its repository)"
            )
        if not schema.is_file():
            raise SettingsError(
                f"{path}: {key} = {value!r}: no such file (paths are relative to {path.parent})"
            )
        found.append(schema)
    return tuple(found)


__all__ = [
    "BUNDLED_PROJECT_RULES",
    "DEFAULT_RULES",
    "IDS_ACROSS_FILES",
    "POINTER_RULES",
    "RULE_SETS",
    "TEI_RULES",
    "CmifSettings",
    "Editor",
    "Settings",
    "find_settings_file",
    "load_settings",
    "settings_file_in",
    "settings_for",
]
