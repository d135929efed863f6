"""Dependencies that teitools patches are pinned to what the patches were written for, and the
caches of a long-lived process stay bounded.

citeproc-py, elementpath and rnc2rng are patched or driven through private names. An upgrade
that renames or reshapes one of them must fail here, not in a citation or a conversion.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import shutil
import tomllib
from collections.abc import Callable, Iterator
from importlib import metadata
from importlib.metadata import version
from pathlib import Path
from typing import Any

import elementpath.etree
import elementpath.regex
import elementpath.xpath2._xpath2_functions as xpath2_functions
import elementpath.xpath30._xpath30_functions as xpath30_functions
import elementpath.xpath31._xpath31_functions as xpath31_functions
import pytest
import rnc2rng
import rnc2rng.parser as rnc_parser
from elementpath import xpath_nodes
from elementpath.xpath3 import XPath3Parser
from lxml import etree
from packaging.requirements import Requirement
from packaging.version import Version
from xmlschema.validators import facets, identities

import teitools
import teitools.validation.xsd  # loading it installs the corrections, xmlschema's too
from teitools.cite import citeproc_patches
from teitools.cite.styles import CiteOptions, _citeproc_style, format_letter, load_style, style_path
from teitools.model.tei import read_edition
from teitools.validation import corpus
from teitools.validation.catalog import read_catalog
from teitools.validation.grammar import compile_relaxng
from teitools.validation.positions import SourceLines
from teitools.validation.schematron import xpath_semantics
from teitools.validation.schematron.engines import compile_rules
from tests.helpers import EDITION

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"

#: Each patched dependency: the range its patch was written and tested for, and the module.
PATCHED = {
    "citeproc-py": (">=0.11,<0.12", "teitools/cite/citeproc_patches.py"),
    "elementpath": (">=5.0,<5.2", "teitools/validation/schematron/xpath2.py"),
    "rnc2rng": (">=2.7,<2.8", "teitools/validation/compact.py"),
}


def _declared() -> dict[str, Requirement]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    requirements = [Requirement(line) for line in project["dependencies"]]
    return {r.name: r for r in requirements}


@pytest.mark.parametrize("name", sorted(PATCHED))
def test_patched_dependency_is_pinned_to_the_tested_range(name: str) -> None:
    written_for, module = PATCHED[name]
    declared = _declared()[name].specifier
    assert str(declared) == str(Requirement(f"{name}{written_for}").specifier), (
        f"pyproject.toml allows {name}{declared}, but {module} was written for {written_for}: "
        "check the patch against the new version, then update both"
    )
    assert any(spec.operator == "<" for spec in declared), f"{name} needs an upper bound"
    installed = Version(version(name))
    assert declared.contains(installed), f"{name} {installed} is installed, outside {declared}"
    comment = PYPROJECT.read_text(encoding="utf-8").split(f'    "{name}>', 1)[0].splitlines()[-3:]
    assert any(module in line for line in comment), (
        f"the comment above {name} in pyproject.toml names {module}"
    )


#: citeproc-py's methods that citeproc_patches replaces, with the parameters each replacement
#: takes and passes on.
CITEPROC_REPLACED = {
    "Name.get_option": ("self", "name", "context", "sort_options"),
    "Label.markup": ("self", "text"),
    "CitationStylesElement.get_macro": ("self", "name"),
    "CitationStylesElement.get_layout": ("self",),
    "Date.is_locale_date": ("self",),
    "Names.substitute": ("self",),
    "Locale.get_date": ("self", "form"),
    "Locale.get_term": ("self", "name", "form", "zero_padded"),
    "Parent.calls_variable": ("self",),
    "Text.calls_variable": ("self",),
    "Sort.sort": ("self", "items", "context"),
    "CitationItem.reference": ("self",),
    "CitationStylesElement.get_locale_option": ("self", "name"),
    "CitationStylesElement.xpath_search": ("self", "expression"),
    "SomewhatObjectifiedElement.__getattr__": ("self", "name"),
    "Date_Part.render": ("self", "args", "kwargs"),
    "Macro.render": ("self", "item", "context", "sort_options"),
    "Group.render": ("self", "args", "kwargs"),
    "Choose.render": ("self", "item", "context", "delimiter", "kwargs"),
    "If.render": ("self", "item", "context", "delimiter", "kwargs"),
    "Names.render": ("self", "args", "kwargs"),
    "Layout.render_children": ("self", "item", "delimiter", "kwargs"),
    "CitationStylesElement.get_root": ("self",),
    "CitationStylesElement.get_formatter": ("self",),
    "Formatted.format": ("self", "string"),
    "Affixed.wrap": ("self", "string"),
    "Delimited.join": ("self", "strings", "default_delimiter"),
    "Text.render": ("self", "args", "kwargs"),
    "Parent.render_children": ("self", "item", "delimiter", "kwargs"),
    "Group.process": ("self", "item", "context", "kwargs"),
}

#: What the replacements call on citeproc-py's objects.
CITEPROC_USED = {
    "citeproc.model.CitationStylesElement": ("xpath_search", "get_root", "get_option"),
    "citeproc.model.Label": ("wrap", "format", "case", "strip_periods"),
    "citeproc.model.Key": ("sort_keys",),
    "citeproc.source.CitationItem": ("bibliography", "key"),
}


def test_every_replaced_citeproc_method_has_the_signature_its_patch_expects() -> None:
    citeproc_patches.apply()
    assert sorted(citeproc_patches.ORIGINALS) == sorted(CITEPROC_REPLACED)
    for name, parameters in CITEPROC_REPLACED.items():
        original = citeproc_patches.ORIGINALS[name]
        function: Any = original.fget if isinstance(original, property) else original
        assert tuple(inspect.signature(function).parameters) == parameters, name
        assert function.__module__.startswith("citeproc."), f"{name} is citeproc-py's own"


#: Handlers in teitools' dependencies that catch ``KeyboardInterrupt`` (Ctrl-C, and SIGTERM
#: as teitools raises it) and do not raise again, each with why it cannot keep an interrupted
#: run going. Any other would: the run would go on to its end as if never stopped.
SWALLOWED_INTERRUPTIONS = {
    "citeproc/model.py:Delimited.join": "replaced by citeproc_patches, which lets it through",
    "click/_termui_impl.py:_pipepager": "click's pager, which teitools does not use",
    "click/termui.py:pause": "teitools never pauses",
    "jinja2/debug.py:fake_traceback": "runs only while a template's own error is being raised",
    "pygls/server.py:JsonRPCServer._start_io_async": "the language server stops, as asked",
    "pygls/server.py:JsonRPCServer._start_io_sync": "the language server stops, as asked",
}


#: A handler that may catch interruptions, as bytes of source (a superset: the AST decides).
CATCHES_INTERRUPTIONS = re.compile(rb"except\s*:|BaseException|KeyboardInterrupt")


def _runtime_distributions() -> set[str]:
    """teitools' dependencies (the language server's too), and theirs, by name."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    todo = [*project["dependencies"], *project["optional-dependencies"]["lsp"]]
    found: set[str] = set()
    while todo:
        requirement = Requirement(todo.pop())
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = requirement.name.lower().replace("_", "-")
        if name not in found:
            found.add(name)
            try:
                todo.extend(metadata.requires(name) or ())
            except metadata.PackageNotFoundError:  # a backport this Python does not need
                continue
    return found


def _swallows_interruptions(handler: ast.ExceptHandler) -> bool:
    caught = handler.type
    names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
    catches = caught is None or any(
        isinstance(name, ast.Name) and name.id in {"BaseException", "KeyboardInterrupt"} for name in names
    )
    raises = any(isinstance(node, ast.Raise) for part in handler.body for node in ast.walk(part))
    return catches and not raises


def _interruption_handlers(source: bytes) -> Iterator[str]:
    """The qualified name of each function or method holding a handler that swallows
    interruptions."""

    def walk(node: ast.AST, names: tuple[str, ...]) -> Iterator[str]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                yield from walk(child, (*names, child.name))
                continue
            if isinstance(child, ast.ExceptHandler) and _swallows_interruptions(child):
                yield ".".join(names)
            yield from walk(child, names)

    yield from walk(ast.parse(source), ())


def test_no_dependency_keeps_running_after_an_interruption() -> None:
    found: set[str] = set()
    for name in _runtime_distributions():
        try:
            files = metadata.distribution(name).files or []
        except metadata.PackageNotFoundError:
            continue
        for file in files:
            if file.suffix != ".py" or {"test", "tests"} & set(file.parts):
                continue
            source = file.read_binary()
            if CATCHES_INTERRUPTIONS.search(source):  # parsed only where a handler may be
                found.update(f"{file}:{where}" for where in _interruption_handlers(source))
    assert found == set(SWALLOWED_INTERRUPTIONS)
    citeproc_patches.apply()
    assert "Delimited.join" in citeproc_patches.ORIGINALS


@pytest.mark.parametrize("owner", sorted(CITEPROC_USED))
def test_citeproc_still_has_what_the_patches_call(owner: str) -> None:
    module, cls = owner.rsplit(".", 1)
    target = getattr(importlib.import_module(module), cls)
    for attribute in CITEPROC_USED[owner]:
        # CitationItem's bibliography and key are set on each instance.
        found = hasattr(target, attribute) or attribute in inspect.getsource(target.__init__)
        assert found, f"{owner}.{attribute}"


def test_elementpath_regex_translation_is_still_where_xpath_semantics_wraps_it() -> None:
    # Loaded above (through teitools.validation.xsd), xpath_semantics wrapped it.
    assert vars(xpath_semantics)["xpath2_functions"] is xpath2_functions
    wrapped: Any = vars(xpath2_functions)["translate_pattern"]
    assert wrapped.cache_info().maxsize == 1024, "regex translations are no longer remembered"
    assert vars(xpath_semantics)["translate_pattern"] is elementpath.regex.translate_pattern
    parameters = tuple(inspect.signature(elementpath.regex.translate_pattern).parameters)
    # matches(), replace() and tokenize() pass these three positionally.
    assert parameters[:3] == ("pattern", "flags", "xsd_version")
    assert "translate_pattern(pattern, flags, self.parser.xsd_version)" in inspect.getsource(xpath2_functions)
    # analyze-string() (XPath 3), and xmlschema's pattern facets and identity constraints.
    for module in (xpath30_functions, facets, identities):
        assert "translate_pattern(" in inspect.getsource(module), module.__name__
        assert vars(module)["translate_pattern"] is wrapped, module.__name__


def test_elementpath_string_values_and_path_steps_are_where_xpath_semantics_corrects_them() -> None:
    """The string value of an element comes from etree_iter_strings(elem, normalize), looked
    up in xpath_nodes (and XPath 3.1's functions); '/' and '//' are one token class for every
    parser. If elementpath moves either, these corrections silently stop applying."""
    for module in (xpath_nodes, xpath31_functions):
        assert "etree_iter_strings(" in inspect.getsource(module), module.__name__
        assert vars(module)["etree_iter_strings"].__module__ == xpath_semantics.__name__
    assert tuple(inspect.signature(elementpath.etree.etree_iter_strings).parameters) == ("elem", "normalize")
    for symbol in ("/", "//"):
        token = elementpath.XPath1Parser.symbol_table[symbol]
        assert elementpath.XPath2Parser.symbol_table[symbol] is token
        assert XPath3Parser.symbol_table[symbol] is token
        assert token.select.__qualname__.startswith("_in_document_order")


def test_elementpath_folder_probe_is_still_the_one_xpath2_switches_off() -> None:
    """doc() and collection() ask is_local_dir_url whether a URI is a folder; xpath_semantics replaces
    it so that a rule cannot probe the file system. If elementpath renames it, this fails."""
    assert "is_local_dir_url(" in inspect.getsource(xpath2_functions)
    probe: Any = vars(xpath2_functions)["is_local_dir_url"]
    assert probe("file:///") is False, "xpath_semantics no longer hides which folders exist"


def test_rnc2rng_parser_has_what_compact_replaces_and_drives() -> None:
    assert tuple(inspect.signature(rnc_parser.parse).parameters) == ("src", "f")
    assert tuple(inspect.signature(rnc_parser.lex).parameters) == ("src",)
    assert tuple(inspect.signature(rnc_parser.State).parameters) == ("fn", "src")
    assert tuple(inspect.signature(rnc_parser.parser.parse).parameters) == ("tokenizer", "state")
    assert tuple(inspect.signature(rnc2rng.dumps).parameters)[:1] == ("root",)
    # An include is read by looking up the module's parse() by name, which compact.py replaces.
    assert "parse(f=url)" in inspect.getsource(rnc_parser.component_include)


def _teitools_functions() -> list[tuple[str, Any]]:
    found = []
    for info in pkgutil.walk_packages(teitools.__path__, "teitools."):
        if info.name in {"teitools.__main__"}:
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if callable(value) and hasattr(value, "cache_info"):
                found.append((f"{info.name}.{name}", value))
    return found


def test_every_cache_is_bounded_or_holds_one_entry() -> None:
    functions = _teitools_functions()
    assert len(functions) > 15
    citeproc_patches.apply()
    functions += [(f"citeproc memo {i}", memo) for i, memo in enumerate(citeproc_patches.MEMOS)]
    unbounded = [
        name
        for name, function in functions
        if function.cache_info().maxsize is None and inspect.signature(function).parameters
    ]
    assert unbounded == []


def _relaxng(folder: Path, number: int) -> Path:
    path = folder / f"grammar-{number}.rng"
    path.write_text(
        f'<element name="a{number}" xmlns="http://relaxng.org/ns/structure/1.0"><empty/></element>',
        encoding="utf-8",
    )
    return path


def _catalog(folder: Path, number: int) -> Path:
    path = folder / f"catalog-{number}.xml"
    path.write_text(
        '<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">'
        f'<uri name="http://example.org/{number}.rng" uri="local-{number}.rng"/></catalog>',
        encoding="utf-8",
    )
    return path


def _schematron(folder: Path, number: int) -> Path:
    path = folder / f"rules-{number}.sch"
    path.write_text(
        '<schema xmlns="http://purl.oclc.org/dsdl/schematron"><pattern><rule context="/*">'
        f'<assert test="false()" id="r{number}">rule {number}</assert></rule></pattern></schema>',
        encoding="utf-8",
    )
    return path


def _check_relaxng(compiled: Any, number: int) -> None:
    document = etree.ElementTree(etree.fromstring(f"<a{number}/>"))
    assert compiled.validator_for(document).validate(document)


def _check_catalog(compiled: Any, number: int) -> None:
    assert compiled.lookup(f"http://example.org/{number}.rng").endswith(f"local-{number}.rng")


def _check_schematron(compiled: Any, number: int) -> None:
    document = compiled.path.parent / "doc.xml"
    document.write_text("<doc/>\n", encoding="utf-8")
    findings = compiled.check(etree.parse(document), SourceLines(document), str(document))
    assert [f.rule for f in findings] == [f"r{number}"]


CACHED: dict[str, tuple[Callable[..., Any], Callable[[Path, int], Path], Callable[[Any, int], None]]] = {
    "compile_relaxng": (compile_relaxng, _relaxng, _check_relaxng),
    "read_catalog": (read_catalog, _catalog, _check_catalog),
    "compile_rules": (compile_rules, _schematron, _check_schematron),
}


@pytest.mark.parametrize("name", sorted(CACHED))
def test_a_long_lived_process_keeps_schema_caches_at_their_bound(name: str, tmp_path: Path) -> None:
    function, make, check = CACHED[name]
    bound = function.cache_info().maxsize  # type: ignore[attr-defined]
    assert bound is not None
    for number in range(2 * bound + 5):
        compiled = function(make(tmp_path, number))
        check(compiled, number)
    assert function.cache_info().currsize == bound  # type: ignore[attr-defined]
    # The first schema was let go; asked again, it is compiled again, and still right.
    check(function(make(tmp_path, 0)), 0)


def test_corpus_keeps_the_lines_of_few_files_and_reads_edited_files_again(tmp_path: Path) -> None:
    files = []
    for number in range(80):
        path = tmp_path / f"file-{number}.xml"
        path.write_text(f'<TEI xmlns="http://www.tei-c.org/ns/1.0">\n<p xml:id="same">{number}</p></TEI>\n')
        files.append(corpus.gather_facts(etree.parse(path), path))
    findings = corpus.check_corpus(files, [])
    assert len([f for f in findings if f.rule == "id-duplicate"]) == 79
    assert {f.column for f in findings} == {4}
    assert corpus._lines.cache_info().currsize == corpus._lines.cache_info().maxsize == 32
    # The same process checks again after a file was edited: the column follows the edit.
    edited = tmp_path / "file-79.xml"
    edited.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0">\n<p    xml:id="same">79</p></TEI>\n')
    again = corpus.check_corpus([*files[:79], corpus.gather_facts(etree.parse(edited), edited)], [])
    assert next(f.column for f in again if f.file == str(edited)) == 7


def test_many_styles_in_one_process_keep_the_style_caches_at_their_bound(tmp_path: Path) -> None:
    edition = read_edition([EDITION])
    letter = edition.letters[0]
    expected = format_letter(edition, letter, CiteOptions(style="mla"))
    copies = load_style.cache_info().maxsize
    assert copies is not None
    for number in range(copies + 4):
        path = tmp_path / f"mla-{number}.csl"
        shutil.copy(style_path("mla"), path)
        # A style let go by the caches formats the same as one they keep.
        assert format_letter(edition, letter, CiteOptions(style=str(path))) == expected
    assert load_style.cache_info().currsize == copies
    assert _citeproc_style.cache_info().currsize == _citeproc_style.cache_info().maxsize
    for memo in citeproc_patches.MEMOS:
        info = memo.cache_info()
        assert info.maxsize == citeproc_patches.MEMO_SIZE
        assert info.currsize <= info.maxsize
