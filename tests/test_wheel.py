"""The wheel works on its own: built, installed in a fresh venv, run with no checkout around.

An editable install or the checkout's ``schemas/`` folder could hide a wheel that forgot the
schemas, so the venv is created without system site packages and every command runs from a
temporary folder outside the checkout.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EDITION = ROOT / "tei"
LETTER = "stalin-kaganovich-1935-08-22"
REGISTERS = ("persons.xml", "places.xml", "sources.xml")
#: pip's words when it cannot reach an index or the index lacks a dependency: a reason to
#: skip (the machine is offline), not a defect of the wheel.
_NO_INDEX = re.compile(
    r"No matching distribution found|Could not find a version that satisfies"
    r"|NewConnectionError|Temporary failure in name resolution|Network is unreachable"
    r"|Connection refused|ConnectTimeoutError|ProxyError"
)

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Installed:
    """A wheel installed in a venv of its own, and a working folder far from the checkout."""

    wheel: Path
    venv: Path
    work: Path

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)


def _clean_env() -> dict[str, str]:
    # Nothing may point the venv's Python back at the checkout or at another environment.
    dropped = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH"}
    return {k: v for k, v in os.environ.items() if k not in dropped} | {"NO_COLOR": "1"}


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=600, check=False
    )


def _require(done: subprocess.CompletedProcess[str], what: str) -> None:
    """Fail on a non-zero exit, or skip when the cause is an unreachable package index."""
    if done.returncode == 0:
        return
    output = done.stdout + done.stderr
    offline = _NO_INDEX.search(output)
    if offline:
        pytest.skip(f"{what}: pip cannot reach a package index here ({offline[0]})")
    pytest.fail(f"{what} failed (exit {done.returncode}):\n{output[-4000:]}")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    pytest.importorskip("build", reason="the build package is in the test extra")
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    _require(
        _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)], base),
        "python -m build --wheel",
    )
    wheels = sorted(dist.glob("teitools-*.whl"))
    assert len(wheels) == 1, wheels
    venv = base / "venv"
    _require(_run([sys.executable, "-m", "venv", str(venv)], base), "python -m venv")
    _require(
        _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheels[0])], base),
        "pip install <wheel>",
    )
    work = base / "work"
    (work / "edition" / "letters").mkdir(parents=True)
    shutil.copy(EDITION / "letters" / f"{LETTER}.xml", work / "edition" / "letters")
    for register in REGISTERS:
        shutil.copy(EDITION / register, work / "edition")
    # Its settings ask for the bundled edition's rules (the shipped grammar among them).
    shutil.copy(EDITION / "teitools.toml", work / "edition")
    # The premise of every test here: nothing around the working folder is a checkout.
    assert not any(
        (folder / "schemas").is_dir() or (folder / "pyproject.toml").exists()
        for folder in (work, *work.parents)
    ), work
    return Installed(wheels[0], venv, work)


def test_wheel_carries_the_schemas_and_type_marker(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    for shipped in ("teitools.rng", "teitools.sch", "report.schema.json"):
        assert f"teitools/schemas/{shipped}" in names
    assert "teitools/py.typed" in names


def test_wheel_carries_the_page_templates_and_assets(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    render = ROOT / "teitools" / "render"
    # Every template and asset of the checkout, so that a new one is checked too.
    shipped = sorted(p for folder in ("templates", "static") for p in (render / folder).iterdir())
    assert {"page.html", "letter.html", "teitools.css", "search.js", "favicon.svg"} <= {
        p.name for p in shipped
    }
    for path in shipped:
        assert f"teitools/render/{path.relative_to(render).as_posix()}" in names


def test_installed_teitools_writes_the_site_from_its_templates(installed: Installed, tmp_path: Path) -> None:
    out = tmp_path / "site"
    done = _run([installed.bin("teitools"), "site", "edition", "-o", str(out)], installed.work)
    assert done.returncode == 0, done.stdout + done.stderr
    page = (out / "letters" / f"{LETTER}.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>\n") and page.endswith("</html>\n")
    assert '<h1 id="page-title">' in page and '<section class="cite-letter" id="cite"' in page
    static = ROOT / "teitools" / "render" / "static"
    for asset in ("teitools.css", "search.js", "favicon.svg", "cite.js"):
        assert (out / asset).read_bytes() == (static / asset).read_bytes(), asset


def test_installed_teitools_validates_a_letter_and_its_registers(installed: Installed) -> None:
    done = _run([installed.bin("teitools"), "validate", "edition"], installed.work)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 files checked: no problems" in done.stdout


def test_installed_teitools_loads_code_and_schemas_from_the_venv(installed: Installed) -> None:
    done = _run(
        [
            installed.bin("python"),
            "-c",
            "import teitools, teitools.load.resources as r; print(teitools.__file__); print(r.schemas_dir())",
        ],
        installed.work,
    )
    assert done.returncode == 0, done.stderr
    package, schemas = (Path(line).resolve() for line in done.stdout.splitlines())
    venv = installed.venv.resolve()
    assert package.is_relative_to(venv), package
    assert schemas.is_relative_to(venv), schemas
    assert (schemas / "teitools.rng").is_file()


def test_installed_teitools_reports_a_broken_letter_with_rule_ids(installed: Installed) -> None:
    broken = installed.work / "broken"
    shutil.copytree(installed.work / "edition", broken)
    letter = broken / "letters" / f"{LETTER}.xml"
    text = letter.read_text(encoding="utf-8")
    # One mistake for each layer: grammar, Schematron, cross-file.
    for good, bad in (
        ('<persName ref="#kleiner">Kleiner</persName>', '<persname ref="#kleiner">Kleiner</persname>'),
        ('<date when="1935-08-22">22 August 1935</date>\n', '<date when="1935-8-22">22 August 1935</date>\n'),
        ('ref="#bashkir-region"', 'ref="#bashkiria"'),
    ):
        assert good in text, good
        text = text.replace(good, bad, 1)
    letter.write_text(text, encoding="utf-8")
    done = _run([installed.bin("teitools"), "validate", "broken"], installed.work)
    assert done.returncode == 1, done.stdout + done.stderr
    for rule in ("rng-invalid", "date-format", "ref-unresolved"):
        finding = rf"broken/letters/{LETTER}\.xml:[1-9]\d*:[1-9]\d*: error: .+ \[{rule}\]"
        assert re.search(finding, done.stdout), f"no {rule} finding in:\n{done.stdout}"


def test_python_m_teitools_reports_the_wheel_version(installed: Installed) -> None:
    """The version is written once (teitools/__init__.py): the build and the command agree."""
    version = installed.wheel.name.split("-")[1]
    written = re.search(r'^__version__ = "(.+)"$', (ROOT / "teitools" / "__init__.py").read_text(), re.M)
    assert written is not None and version == written[1]
    done = _run([installed.bin("python"), "-m", "teitools", "--version"], installed.work)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"teitools, version {version}"
