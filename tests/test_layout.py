"""The package's layout is its architecture: stage packages, no import cycles, a light top.

The import graph is read from the source (every ``import`` and ``from ... import``, also those
inside functions and under ``TYPE_CHECKING``), so a cycle cannot hide behind a lazy import.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import ROOT

PACKAGE = ROOT / "teitools"
#: The modules that stay at the package's top: they belong to every stage.
LOOSE_MODULES = {"__init__", "__main__", "cli", "errors", "diagnostics", "build"}
STAGES = {"load", "model", "validation", "export", "render", "cite", "report", "site", "scaffold", "lsp"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str) -> Iterator[str]:
    """The teitools modules ``name`` imports (a ``from package import module`` names the module)."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name in MODULES)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0 and node.module, f"{name}: imports are absolute in teitools"
            base = node.module
            for alias in node.names:
                if f"{base}.{alias.name}" in MODULES:
                    yield f"{base}.{alias.name}"
                elif base in MODULES:
                    yield base


GRAPH = {name: set(_imports(name)) - {name} for name in MODULES}


def _cycles() -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(GRAPH[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return groups


def test_no_two_modules_import_each_other_even_indirectly() -> None:
    assert _cycles() == []


def test_the_graph_reader_sees_a_cycle() -> None:
    """The cycle finder itself: the package's own graph with one back edge added has a cycle."""
    GRAPH["teitools.model.types"].add("teitools.model.tei")
    try:
        assert any({"teitools.model.tei", "teitools.model.types"} <= set(group) for group in _cycles())
    finally:
        GRAPH["teitools.model.types"].discard("teitools.model.tei")


def test_at_most_six_modules_stay_loose_at_the_top() -> None:
    loose = {path.stem for path in PACKAGE.glob("*.py")}
    folders = {path.name for path in PACKAGE.iterdir() if path.is_dir() and path.name != "__pycache__"}
    assert loose == LOOSE_MODULES
    assert folders == STAGES


#: Modules a user may import alone: readers, renderers, exporters, report formats.
WITHOUT_THE_VALIDATOR = sorted(
    name
    for name in MODULES
    if name.split(".")[1:2]
    and name.split(".")[1] in {"load", "model", "export", "render", "cite", "report", "site"}
)


@pytest.mark.parametrize("module", ["teitools", *WITHOUT_THE_VALIDATOR])
def test_importing_a_reader_renderer_exporter_or_report_format_does_not_load_the_validator(
    module: str,
) -> None:
    code = (
        "import sys, importlib\n"
        f"importlib.import_module({module!r})\n"
        "print(sorted(m for m in sys.modules if m.startswith('teitools.validation')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip() == "[]"


def test_the_public_api_is_loaded_on_first_use() -> None:
    code = (
        "import sys, teitools\n"
        "assert 'teitools.validation.runner' not in sys.modules\n"
        "from teitools import validate, is_valid, iter_diagnostics, ValidateOptions, Diagnostic\n"
        "print(validate.__module__, sorted(set(dir(teitools)) >= set(teitools.__all__) and ['ok']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip() == "teitools.validation.runner ['ok']"
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        import teitools  # noqa: PLC0415 -- the attribute lookup is what is tested

        _ = teitools.nothing


def test_only_the_command_line_imports_click() -> None:
    """The library never imports click: cli.py turns library results into messages and exit codes."""
    importers = {
        name
        for name, path in MODULES.items()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Import | ast.ImportFrom)
        and any(
            (alias.name if isinstance(node, ast.Import) else node.module or "").split(".")[0] == "click"
            for alias in node.names
        )
    }
    assert importers == {"teitools.cli"}
