"""Schemas that make teitools work without end: each file's evaluation stays within its budget.

Each hostile schema in ``fixtures/hostile/bounds/`` has a letter beside it that declares it
(``<?xml-model?>``, or ``xsi:schemaLocation`` in the tests below). The letters are named
``*.tei``, copied to ``*.xml`` here: the commands other tests run over all of ``fixtures/``
would otherwise spend the default budget (30 s) on each. each makes one engine
recurse, build a huge sequence, backtrack exponentially or walk the tree cubically. Each must
end, within a small budget, as a ``schema-limit`` error at the declaration that names the
schema, while the other files of the run are still checked. The same holds for every way a
user's schema comes in (``--schema``, the settings' ``schemas``, a catalog-mapped URL) and
every command that runs schemas (``validate``, with ``--jobs`` too, and ``build``). A
compact-syntax include of a FIFO, ``/dev/zero`` or a huge file is refused as letters are.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from teitools.diagnostics import Diagnostic, Report
from teitools.validation.runner import ValidateOptions, validate
from teitools.validation.sandbox import Limits
from tests.helpers import FIXTURES, make_edition, run_cli
from tests.xml_commands import run_process

BOUNDS = FIXTURES / "hostile" / "bounds"
#: A letter with one known mistake: proof that the run went on past the hostile file.
OTHER = FIXTURES / "invalid" / "corresp-action-one-date.xml"
OTHER_RULE, OTHER_LINE = "corresp-action-one-date", 22
#: Small budgets keep the tests fast; the memory one is above what the forked test process holds.
LIMITS = Limits(seconds=1.0, memory=1024 * 1024**2)
TIME_ARGS = ("--schema-time-limit", "1", "--schema-memory-limit", "1024")

CASES = [
    "xpath3-recursion",
    "xpath2-huge-range",
    "xpath2-redos",
    "xpath2-cubic",
    "xpath1-cubic",
    "xsd-pattern-redos",
    "xsd11-assert-loop",
]


def _folder(tmp_path: Path, case: str, copies: int = 1) -> Path:
    """A folder with the case's schema, ``copies`` of its letter and the letter with a known mistake."""
    folder = tmp_path / "letters"
    folder.mkdir(parents=True)
    schema = next(BOUNDS.glob(f"{case}.[sx][cs][hd]"))
    shutil.copy(schema, folder)
    for number in range(copies):
        shutil.copy(BOUNDS / f"{case}.tei", folder / f"{case}-{number}.xml")
    shutil.copy(OTHER, folder / "other.xml")
    return folder


def _limit_findings(report: Report) -> list[Diagnostic]:
    return [d for d in report.diagnostics if d.rule == "schema-limit"]


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_declared_schema_is_stopped_on_each_file_and_the_others_are_checked(
    tmp_path: Path, case: str
) -> None:
    folder = _folder(tmp_path, case, copies=2)
    started = time.monotonic()
    report = validate([folder], ValidateOptions(limits=LIMITS))
    elapsed = time.monotonic() - started
    stopped = _limit_findings(report)
    # Both copies: the worker killed on the first is replaced for the second.
    assert sorted(Path(d.file).name for d in stopped) == [f"{case}-0.xml", f"{case}-1.xml"]
    assert all((d.line, d.column) == (2, 1) and f"{case}." in d.message for d in stopped)
    assert any(
        d.rule == OTHER_RULE and d.line == OTHER_LINE and d.file.endswith("other.xml")
        for d in report.diagnostics
    )
    # Two files at one second each, and the forks and compiles: far from a hang.
    assert elapsed < 20


def test_the_message_says_what_ran_out_and_how_to_raise_it(tmp_path: Path) -> None:
    slow = _limit_findings(
        validate([_folder(tmp_path / "a", "xpath2-redos")], ValidateOptions(limits=LIMITS))
    )
    assert "within 1 s" in slow[0].message and "--schema-time-limit" in slow[0].message
    # Time enough that memory runs out first, even on a busy machine (filling 1 GiB takes a while).
    roomy = Limits(seconds=30.0, memory=LIMITS.memory)
    big = _limit_findings(
        validate([_folder(tmp_path / "b", "xpath2-huge-range")], ValidateOptions(limits=roomy))
    )
    assert "more than 1024 MiB" in big[0].message and "--schema-memory-limit" in big[0].message
    deep = _limit_findings(
        validate([_folder(tmp_path / "c", "xpath3-recursion")], ValidateOptions(limits=LIMITS))
    )
    assert "recursed deeper than 1000 levels" in deep[0].message


def test_an_ordinary_declared_schema_still_reports_its_findings_through_the_sandbox(tmp_path: Path) -> None:
    folder = tmp_path / "letters"
    folder.mkdir()
    (folder / "plain.sch").write_text(
        '<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">'
        '<ns prefix="tei" uri="http://www.tei-c.org/ns/1.0"/><pattern><rule context="tei:p">'
        '<assert id="p-has-n" test="@n = \'y\'">a p needs n="y"</assert></rule></pattern></schema>',
        encoding="utf-8",
    )
    letter = (
        (BOUNDS / "xpath2-redos.tei").read_text(encoding="utf-8").replace("xpath2-redos.sch", "plain.sch")
    )
    (folder / "letter.xml").write_text(letter, encoding="utf-8")
    report = validate([folder], ValidateOptions(limits=LIMITS))
    assert [(d.rule, d.line) for d in report.diagnostics] == [("p-has-n", 4)]


def test_a_schema_given_with_schema_is_bounded_for_validate_with_jobs(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "xpath3-recursion", copies=2)
    schema = folder / "xpath3-recursion.sch"
    for letter in folder.glob("xpath3-recursion-*.xml"):  # not declared: given
        letter.write_text(_undeclared(letter), encoding="utf-8")
    run = run_cli("validate", "--no-cache", "--jobs", "2", "--schema", schema, *TIME_ARGS, folder)
    assert run.code == 1, run.err
    assert run.out.count("[schema-limit]") == 3  # every file is checked against the given schema
    assert "Traceback" not in run.out + run.err


def test_a_schema_named_in_the_settings_is_bounded(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "xpath2-redos")
    letter = folder / "xpath2-redos-0.xml"
    letter.write_text(_undeclared(letter), encoding="utf-8")
    (folder / "teitools.toml").write_text('schemas = ["xpath2-redos.sch"]\n', encoding="utf-8")
    run = run_cli("validate", "--no-cache", *TIME_ARGS, letter)
    assert run.code == 1, run.err
    assert f"{letter}:1:1: error: the schema" in run.out and "[schema-limit]" in run.out


def test_a_catalog_mapped_and_an_xsi_declared_schema_are_bounded(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "xsd11-assert-loop")
    shutil.copy(BOUNDS / "xpath2-redos.sch", folder)
    catalog = folder / "catalog.xml"
    catalog.write_text(
        '<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">'
        f'<uri name="https://example.org/rules.sch" uri="{folder / "xpath2-redos.sch"}"/></catalog>',
        encoding="utf-8",
    )
    mapped = (BOUNDS / "xpath2-redos.tei").read_text(encoding="utf-8")
    (folder / "mapped.xml").write_text(
        mapped.replace('href="xpath2-redos.sch"', 'href="https://example.org/rules.sch"'), encoding="utf-8"
    )
    tei = "http://www.tei-c.org/ns/1.0"
    (folder / "xsi.xml").write_text(
        f'<TEI xmlns="{tei}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n'
        f'     xsi:schemaLocation="{tei} xsd11-assert-loop.xsd"><p>A letter.</p></TEI>\n',
        encoding="utf-8",
    )
    run = run_cli("validate", "--no-cache", "--catalog", catalog, *TIME_ARGS, folder)
    assert run.code == 1, run.err
    stopped = {line.split(":")[0] for line in run.out.splitlines() if line.endswith("[schema-limit]")}
    assert stopped == {str(folder / name) for name in ("mapped.xml", "xsi.xml", "xsd11-assert-loop-0.xml")}


def test_build_reports_a_hostile_declared_schema_and_publishes_nothing(tmp_path: Path) -> None:
    edition = make_edition(tmp_path / "edition", {})
    letters = edition / "letters"
    shutil.copy(BOUNDS / "xpath2-redos.sch", letters)
    shutil.copy(BOUNDS / "xpath2-redos.tei", letters / "xpath2-redos.xml")
    result = run_process(["build", str(edition), "-o", str(tmp_path / "out"), *TIME_ARGS], cwd=tmp_path)
    assert result.code == 1, result.err
    assert "[schema-limit]" in result.err and "Traceback" not in result.out + result.err
    assert not (tmp_path / "out" / "site").exists()


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "huge"])
@pytest.mark.parametrize(("suffix", "letter"), [("rnc", "include-special"), ("xsd", "include-special-xsd")])
def test_an_include_of_a_fifo_dev_zero_or_a_huge_file_is_refused_as_a_letter_is(
    tmp_path: Path, kind: str, suffix: str, letter: str
) -> None:
    folder = tmp_path / "letters"
    folder.mkdir()
    schema = folder / f"include-special.{suffix}"
    shutil.copy(BOUNDS / schema.name, folder)
    shutil.copy(BOUNDS / f"{letter}.tei", folder / f"{letter}.xml")
    special = folder / f"special.{suffix}"
    catalogs: tuple[Path, ...] = ()
    if kind == "fifo":
        os.mkfifo(special)
    elif kind == "huge":
        with special.open("wb") as handle:
            handle.truncate(100 * 1024 * 1024)  # sparse: no disk used
    else:  # only a catalog may point outside the schema's folder
        url = f"https://example.org/{special.name}"
        schema.write_text(
            schema.read_text(encoding="utf-8").replace(f'"{special.name}"', f'"{url}"'), "utf-8"
        )
        catalog = tmp_path / "catalog.xml"  # outside the repository (the letters' folder): trusted
        catalog.write_text(
            '<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">'
            f'<uri name="{url}" uri="/dev/zero"/></catalog>',
            encoding="utf-8",
        )
        catalogs = (catalog,)
    # A roomy budget: the file must be refused by what it is, before it is read, on a loaded
    # machine too (with one second, compiling the XSD could meet the budget first).
    roomy = Limits(seconds=30.0, memory=LIMITS.memory)
    started = time.monotonic()
    report = validate([folder / f"{letter}.xml"], ValidateOptions(catalogs=catalogs, limits=roomy))
    reason = {"fifo": "not a regular file", "dev-zero": "not a regular file", "huge": "larger than 64 MiB"}[
        kind
    ]
    # A problem of the schema: said once, on the schema, naming the file that declared it.
    assert [(d.rule, Path(d.file).name, d.detail("declared-by")) for d in report.diagnostics] == [
        ("schema-invalid", schema.name, str(folder / f"{letter}.xml"))
    ]
    assert reason in report.diagnostics[0].message
    assert time.monotonic() - started < 10  # refused before reading, not left to the compile budget


def test_a_worker_does_not_outlive_a_killed_teitools(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "xpath2-redos")
    marker = f"marker-{uuid.uuid4().hex}"
    script = (
        "import sys; from teitools.validation.runner import ValidateOptions, validate; "
        "validate([sys.argv[1]], ValidateOptions())"
    )
    process = subprocess.Popen([sys.executable, "-c", script, str(folder), marker])
    try:
        time.sleep(3)  # the worker is backtracking in matches() by now (the budget is 30 s)
        assert _running(marker), "no worker was started"
    finally:
        process.send_signal(signal.SIGKILL)  # a CI job's timeout: no chance to clean up
        process.wait()
    deadline = time.monotonic() + 5
    while _running(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(marker)


def _running(marker: str) -> bool:
    """True while a process (the killed one's forked worker has its command line) runs."""
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker.encode() in (entry / "cmdline").read_bytes():
                status = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if status != "Z":
                    return True
        except OSError:
            continue
    return False


def _undeclared(letter: Path) -> str:
    return "\n".join(
        line for line in letter.read_text(encoding="utf-8").splitlines() if not line.startswith("<?xml-model")
    )


@pytest.mark.parametrize(("case", "context"), [("xpath2-redos", "tei:p"), ("xpath2-cubic", "tei:TEI")])
def test_the_finding_names_the_xpath2_rule_that_ran_out(tmp_path: Path, case: str, context: str) -> None:
    folder = _folder(tmp_path, case)
    [stopped] = _limit_findings(validate([folder], ValidateOptions(limits=LIMITS)))
    assert stopped.message.startswith(
        f"the schema {folder / case}.sch, in the rule on {context} (pattern {case}), did not finish"
    )
