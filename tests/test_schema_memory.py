"""A long-lived process (the language server) checks against the schemas as they are on disk.

Compiled schemas are kept per process (teitools/validation/schema_memory.py); before, a
schema edited after its first use went on being applied as it was, in every language, until
the process ended, and a declared schema written after the first run stayed "missing".
"""

from __future__ import annotations

import inspect
import pkgutil
from importlib import import_module
from pathlib import Path

import pytest

import teitools.validation
from teitools.validation import corpus, schema_jobs, schema_memory
from teitools.validation.runner import ValidateOptions, validate

TEI = "http://www.tei-c.org/ns/1.0"
SCHEMATRON = "http://purl.oclc.org/dsdl/schematron"
RNG = "http://relaxng.org/ns/structure/1.0"
XSD = "http://www.w3.org/2001/XMLSchema"

LETTER = f"""<?xml version="1.0"?>
<?xml-model href="{{href}}" type="application/xml" schematypens="{{language}}"?>
<TEI xmlns="{TEI}"><teiHeader/><text/></TEI>
"""

SCH = f"""<schema xmlns="{SCHEMATRON}" queryBinding="{{binding}}">
  <ns prefix="tei" uri="{TEI}"/>
  <pattern><rule context="tei:TEI">
    <assert test="{{test}}" id="edited">the rule as edited</assert>
  </rule></pattern>
</schema>
"""

RNG_MAIN = f'<grammar xmlns="{RNG}"><include href="part.rng"/></grammar>\n'
RNG_PART = f"""<grammar xmlns="{RNG}" ns="{TEI}"><start><element name="TEI">{{content}}</element></start>
<define name="any"><element><anyName/><zeroOrMore><ref name="any"/></zeroOrMore></element></define></grammar>
"""

XSD_MAIN = f"""<xs:schema xmlns:xs="{XSD}" targetNamespace="{TEI}">
<xs:include schemaLocation="part.xsd"/></xs:schema>
"""
XSD_PART = f"""<xs:schema xmlns:xs="{XSD}" targetNamespace="{TEI}" elementFormDefault="qualified">
<xs:element name="TEI">{{content}}</xs:element></xs:schema>
"""
ANY_CONTENT = (
    '<xs:complexType><xs:sequence><xs:any processContents="skip" minOccurs="0" maxOccurs="unbounded"/>'
    "</xs:sequence></xs:complexType>"
)
ANY_CHILDREN = '<zeroOrMore><ref name="any"/></zeroOrMore>'

#: language -> (declared file, its namespace, files written first, the one file edited, its edited text)
CASES = {
    "schematron": (
        "rules.sch",
        SCHEMATRON,
        {"rules.sch": SCH.format(binding="xslt", test="true()")},
        ("rules.sch", SCH.format(binding="xslt", test="false()")),
    ),
    "schematron-xpath2": (
        "rules.sch",
        SCHEMATRON,
        {"rules.sch": SCH.format(binding="xslt2", test="true()")},
        ("rules.sch", SCH.format(binding="xslt2", test="false()")),
    ),
    "relax-ng-include": (
        "main.rng",
        RNG,
        {"main.rng": RNG_MAIN, "part.rng": RNG_PART.format(content=ANY_CHILDREN)},
        ("part.rng", RNG_PART.format(content='<element name="nothing"><empty/></element>')),
    ),
    "xsd-include": (
        "main.xsd",
        XSD,
        {"main.xsd": XSD_MAIN, "part.xsd": XSD_PART.format(content=ANY_CONTENT)},
        ("part.xsd", XSD_PART.format(content="<xs:complexType><xs:sequence/></xs:complexType>")),
    ),
}


def _findings(folder: Path) -> list[str]:
    report = validate([folder / "letter.xml"], ValidateOptions())
    return [finding.rule for finding in report.diagnostics]


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_schema_edited_between_two_runs_of_one_process_is_applied_as_edited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    declared, language, files, (edited, text) = CASES[case]
    monkeypatch.chdir(tmp_path)
    for name, content in files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    (tmp_path / "letter.xml").write_text(LETTER.format(href=declared, language=language), encoding="utf-8")
    assert _findings(tmp_path) == []
    (tmp_path / edited).write_text(text, encoding="utf-8")
    assert _findings(tmp_path) != [], f"{edited} was applied as it was before the edit"
    (tmp_path / edited).write_text(files[edited], encoding="utf-8")
    assert _findings(tmp_path) == []


def test_a_declared_schema_written_after_a_run_is_found_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    letter = LETTER.format(href="rules.sch", language=SCHEMATRON)
    (tmp_path / "letter.xml").write_text(letter, encoding="utf-8")
    assert _findings(tmp_path) == ["schema-unresolved"]
    (tmp_path / "rules.sch").write_text(SCH.format(binding="xslt", test="false()"), encoding="utf-8")
    assert _findings(tmp_path) == ["edited"]


#: Caches of the validation package keyed by a path that are not schemas' (or never change).
NOT_SCHEMAS = {
    corpus._lines: "a letter's lines, for columns: cleared at the start of every run",
    schema_jobs._shipped: "the shipped schemas' folder, which no run changes",
}


def test_every_cache_keyed_by_a_path_forgets_an_edited_schema() -> None:
    """A cache added later, for a schema read by path, must be registered too."""
    keyed_by_path = {}
    for module_info in pkgutil.walk_packages(teitools.validation.__path__, "teitools.validation."):
        module = import_module(module_info.name)
        for name, function in vars(module).items():
            if not hasattr(function, "cache_info") or function.__module__ != module.__name__:
                continue
            parameters = inspect.signature(function).parameters.values()
            if any("Path" in str(parameter.annotation) for parameter in parameters):
                keyed_by_path[f"{module.__name__}.{name}"] = function
    # Read once every module is imported: each registers its caches as it is.
    registered = {id(cache) for cache in schema_memory._caches}
    missing = [name for name, f in keyed_by_path.items() if id(f) not in registered and f not in NOT_SCHEMAS]
    assert missing == []
    assert len(keyed_by_path) > len(NOT_SCHEMAS) + 8, "the search no longer finds the schema caches"


def test_completion_offers_the_values_of_a_schematron_as_last_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from teitools.load.record import read_record  # noqa: PLC0415 -- the language server's own
    from teitools.lsp.vocabulary import vocabulary_for  # noqa: PLC0415

    monkeypatch.chdir(tmp_path)
    rules = tmp_path / "rules.sch"
    rules.write_text(SCH.format(binding="xslt", test="@rend='italic' or @rend='bold'"), encoding="utf-8")
    letter = tmp_path / "letter.xml"
    letter.write_text(LETTER.format(href="rules.sch", language=SCHEMATRON), encoding="utf-8")
    offered = vocabulary_for(read_record(letter), ValidateOptions()).closed
    assert offered[("TEI", "rend")] == {"italic", "bold"}
    rules.write_text(SCH.format(binding="xslt", test="@rend='italic' or @rend='underline'"), encoding="utf-8")
    offered = vocabulary_for(read_record(letter), ValidateOptions()).closed
    assert offered[("TEI", "rend")] == {"italic", "underline"}
