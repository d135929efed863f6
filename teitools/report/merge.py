"""Reports of the shards of one run (``validate --shard K/N``) merged into the report of the run.

Shards check disjoint sets of files, so every file's findings come from one report: merging
takes the union of the files and of the rule descriptors, and puts the files and findings in
the order one run over every file gives them. Files are in path order (one run lists the
files of each path given in that order; for one folder, the same); findings are sorted by
file, as :class:`~teitools.diagnostics.Report` keeps them, each file's in its shard's order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

from lxml import etree

from teitools.diagnostics import Diagnostic, Report, Severity
from teitools.errors import DocumentError, InputError
from teitools.load.parser import parse_bytes, read_bytes
from teitools.report import json as json_report


@dataclass(frozen=True)
class Merged:
    """The merged report and whether it fails the run, as its shards' verdicts say."""

    text: str
    failed: bool


def merge_reports(paths: Sequence[Path], format_name: str) -> Merged:
    """Merge the reports in ``paths``, all in the format ``format_name`` (one of
    :data:`MERGEABLE`); raise :class:`InputError` for a file that is not such a report."""
    merge = MERGEABLE[format_name]
    try:
        return merge([(path, read_bytes(path)) for path in paths])
    except DocumentError as error:
        raise InputError(str(error)) from None


def _path_order(name: str) -> tuple[str, ...]:
    """The key that puts file names in the order :func:`~teitools.load.inputs.find_xml_files`
    lists a folder's files: by their parts, so ``a/b.xml`` comes before ``a-b.xml``."""
    return PurePosixPath(name).parts


def _not_a_report(path: Path, format_name: str, why: str) -> InputError:
    return InputError(f"{path}: not a teitools {format_name} report ({why})")


def _json_data(path: Path, data: bytes, format_name: str) -> dict[str, Any]:
    try:
        loaded = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise _not_a_report(path, format_name, f"not JSON: {error}") from None
    if not isinstance(loaded, dict):
        raise _not_a_report(path, format_name, "not a JSON object")
    return loaded


def _merge_json(reports: list[tuple[Path, bytes]]) -> Merged:
    files: dict[str, None] = {}
    diagnostics: list[Diagnostic] = []
    modes: list[str] = []
    valid = True
    for path, data in reports:
        loaded = _json_data(path, data, "json")
        try:
            files.update(dict.fromkeys(str(file) for file in loaded["files"]))
            diagnostics += [
                Diagnostic(
                    d["file"],
                    d["line"],
                    d["column"],
                    Severity(d["severity"]),
                    d["rule"],
                    d["message"],
                    d["xpath"],
                )
                for d in loaded["diagnostics"]
            ]
            valid = valid and loaded["valid"] is True
            modes += [loaded["summary"]["schemas"]] if "schemas" in loaded["summary"] else []
        except (KeyError, TypeError, ValueError) as error:
            raise _not_a_report(path, "json", f"no valid {error}") from None
    # Every shard of a run says the same where it says anything: a shard with no file that
    # declares schemas says nothing.
    report = Report(
        tuple(sorted(files, key=_path_order)), tuple(sorted(diagnostics)), next(iter(modes), None)
    )
    merged = json_report.as_data(report)
    merged["valid"] = valid  # under --strict a warning fails too, which only the shards know
    return Merged(json.dumps(merged, indent=2, ensure_ascii=False) + "\n", failed=not valid)


def _merge_sarif(reports: list[tuple[Path, bytes]]) -> Merged:
    first: dict[str, Any] | None = None
    schema_uri = None
    rules: dict[str, Any] = {}
    artifacts: dict[str, Any] = {}
    by_file: dict[str, list[dict[str, Any]]] = {}
    schemas: list[Any] = []
    for path, data in reports:
        try:
            log = _json_data(path, data, "sarif")
            run = log["runs"][0]
            first, schema_uri = first or run, schema_uri or log["$schema"]
            for rule in run["tool"]["driver"]["rules"]:
                rules.setdefault(rule["id"], rule)
            for artifact in run["artifacts"]:
                artifacts.setdefault(artifact["location"]["uri"], artifact)
            for result in run["results"]:
                uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                by_file.setdefault(uri, []).append(result)
            schemas += [run["properties"]["schemas"]] if "properties" in run else []
        except (KeyError, IndexError, TypeError) as error:
            raise _not_a_report(path, "sarif", f"no valid {error}") from None
    if first is None:
        raise InputError("no SARIF report to merge")
    index = {rule_id: position for position, rule_id in enumerate(sorted(rules))}
    results = []
    for uri in sorted(by_file, key=unquote):  # as findings are sorted: by file name
        for result in by_file[uri]:
            results.append({**result, "ruleIndex": index[result["ruleId"]]})
    run = {
        "tool": {
            "driver": {**first["tool"]["driver"], "rules": [rules[rule_id] for rule_id in sorted(rules)]}
        },
        "columnKind": first["columnKind"],
        "artifacts": [artifacts[uri] for uri in sorted(artifacts, key=lambda uri: _path_order(unquote(uri)))],
        "results": results,
        **({"properties": {"schemas": schemas[0]}} if schemas else {}),
    }
    log = {"$schema": schema_uri, "version": "2.1.0", "runs": [run]}
    failed = any(result.get("level") == "error" for result in results)
    return Merged(json.dumps(log, indent=2, ensure_ascii=False) + "\n", failed=failed)


def _merge_junit(reports: list[tuple[Path, bytes]]) -> Merged:
    cases: dict[str, etree._Element] = {}
    name = None
    for path, data in reports:
        root = parse_bytes(data, path).getroot()
        suite = root.find("testsuite")
        if root.tag != "testsuites" or suite is None:
            raise _not_a_report(path, "junit", "no <testsuites> with a <testsuite>")
        name = name or root.get("name")
        for case in suite.iterfind("testcase"):
            for element in case.iter():  # the indentation: the merged report is indented afresh
                element.tail = None
                if len(element) and element.text is not None and not element.text.strip():
                    element.text = None
            cases.setdefault(case.get("name", ""), case)
    ordered = [cases[case_name] for case_name in sorted(cases, key=_path_order)]
    tests, failures = str(len(ordered)), str(sum(1 for case in ordered if case.find("failure") is not None))
    suites = etree.Element("testsuites", name=name or "", tests=tests, failures=failures, errors="0")
    suite = etree.SubElement(
        suites, "testsuite", name=name or "", tests=tests, failures=failures, errors="0", skipped="0"
    )
    suite.extend(ordered)
    xml = etree.tostring(suites, encoding="UTF-8", xml_declaration=True, pretty_print=True)
    return Merged(xml.decode("utf-8"), failed=failures != "0")


#: The formats whose reports can be merged, by name (as ``validate --format`` names them).
MERGEABLE: dict[str, Callable[[list[tuple[Path, bytes]]], Merged]] = {
    "json": _merge_json,
    "sarif": _merge_sarif,
    "junit": _merge_junit,
}
