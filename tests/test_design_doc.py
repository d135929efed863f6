"""docs/design.md names only what exists and describes every stage; docs/rules.md's tables are
the catalogue's, regenerated; the contributor docs point inside the checkout."""

from __future__ import annotations

import re

import pytest

from teitools.validation.rule_catalogue import RULES, TABLES, markdown_table, with_tables
from tests.helpers import ROOT
from tests.test_layout import LOOSE_MODULES, STAGES

DESIGN = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
RULES_PAGE = ROOT / "docs" / "rules.md"
#: Paths inside the checkout, as the design writes them in backticks.
PATHS = sorted(set(re.findall(r"`((?:teitools|tests|schemas|docs|tei)/[^`\s]*)`", DESIGN)))
#: Dotted module names: ``teitools.model.dates`` (``teitools.toml`` is a settings file).
DOTTED = sorted(set(re.findall(r"`(teitools(?:\.[a-z_0-9]+)+)`", DESIGN)) - {"teitools.toml"})
#: Bare module files, named within their package's paragraph: ``xslt1.py``.
BARE = sorted(set(re.findall(r"`([a-z_0-9]+\.py)`", DESIGN)))


@pytest.mark.parametrize("name", PATHS)
def test_every_path_in_the_design_exists(name: str) -> None:
    if "<" in name:  # a placeholder (``teitools/report/<name>.py``): its folder exists
        assert (ROOT / name.split("<", 1)[0]).is_dir(), name
    else:
        assert (ROOT / name).exists(), f"docs/design.md names {name}, which does not exist"


@pytest.mark.parametrize("name", DOTTED)
def test_every_module_named_with_dots_exists(name: str) -> None:
    path = ROOT.joinpath(*name.split("."))
    assert path.with_suffix(".py").is_file() or (path / "__init__.py").is_file(), name


@pytest.mark.parametrize("name", BARE)
def test_every_bare_module_name_is_a_module_of_the_package(name: str) -> None:
    assert any((ROOT / "teitools").rglob(name)), f"docs/design.md names {name}, no module of teitools"


def test_the_design_names_enough_to_be_checked() -> None:
    assert len(PATHS) > 60
    assert len(DOTTED) > 5


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_every_stage_package_has_its_section(stage: str) -> None:
    section = re.search(rf"^### `teitools/{stage}/`\n\n(.+?)(?=^#)", DESIGN, re.MULTILINE | re.DOTALL)
    assert section is not None, f"docs/design.md has no section ### `teitools/{stage}/`"
    assert "may import" in section[1], f"the section of {stage} says what it may import"


def test_every_loose_module_is_named() -> None:
    for module in LOOSE_MODULES:
        assert f"`teitools/{module}.py`" in DESIGN, module


def test_rules_page_tables_are_the_catalogue_regenerated() -> None:
    page = RULES_PAGE.read_text(encoding="utf-8")
    assert with_tables(page) == page, "docs/rules.md is stale: run python docs/rules_tables.py"
    for rule in RULES.values():
        assert f"| `{rule.id}` | {rule.level} |" in page, rule.id


def test_every_catalogued_rule_is_in_one_table_with_its_mistake_and_fix() -> None:
    rows = [markdown_table(table) for table in TABLES]
    for rule in RULES.values():
        assert rule.mistake and rule.fix, rule.id
        assert sum(f"| `{rule.id}` |" in table for table in rows) == 1, rule.id


def test_regenerating_replaces_a_stale_table_and_keeps_the_text_around_it() -> None:
    page = RULES_PAGE.read_text(encoding="utf-8")
    stale = page.replace("| `hi-rend` | error |", "| `hi-rend` | warning |")
    assert stale != page
    assert with_tables(stale) == page
    with pytest.raises(ValueError, match="marks the tables"):
        with_tables(page.replace("<!-- rules:start declared -->", ""))


@pytest.mark.parametrize("name", ["CONTRIBUTING.md", "README.md"])
def test_contributor_docs_point_inside_the_checkout(name: str) -> None:
    text = (ROOT / name).read_text(encoding="utf-8")
    assert "../" not in text, f"{name} points outside the checkout"
    for target in re.findall(r"\]\(([^)#:]+)\)", text):
        assert (ROOT / target).exists(), f"{name} links to {target}, which does not exist"


def test_contributing_points_to_the_design() -> None:
    assert "(docs/design.md)" in (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


def test_the_design_lists_each_export_and_report_registry() -> None:
    for registry in ("`EXPORTERS`", "`FORMATS`", "`RULES`"):
        assert registry in DESIGN
