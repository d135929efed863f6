"""Neovim, headless, with the configuration docs/editors.md gives, shows the findings of
``teitools validate``: the documented Lua block is run as the user's xml ftplugin."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT, copy_edition, run_cli

pytest.importorskip("pygls", reason="teitools lsp needs pygls (the lsp extra)")
NVIM = shutil.which("nvim")
pytestmark = pytest.mark.skipif(NVIM is None, reason="Neovim (nvim) is not installed: apt-get install neovim")

LETTER = "tei/letters/stalin-kaganovich-1935-08-22.xml"
#: Waits for the server's diagnostics, then writes them where the test reads them.
_REPORT = """
local out = os.getenv("TEITOOLS_NVIM_OUT")
vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local found = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  local lsp = (d.user_data or {}).lsp or {}
  table.insert(found, { lnum = d.lnum, col = d.col, message = d.message, code = d.code or lsp.code })
end
vim.fn.writefile({ vim.fn.json_encode(found) }, out)
vim.cmd("qa!")
"""


def _documented_config() -> str:
    page = (ROOT / "docs" / "editors.md").read_text("utf-8")
    section = page.split("## Neovim", 1)[1]
    block = re.search(r"```lua\n(.*?)```", section, re.DOTALL)
    assert block is not None, "docs/editors.md gives no Lua block for Neovim"
    return block[1]


def test_neovim_shows_the_findings_of_validate(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    copy_edition(workspace / "tei")
    letter = workspace / LETTER
    letter.write_text(letter.read_text("utf-8").replace('ref="#kleiner"', 'ref="#kleinr"'), encoding="utf-8")
    config = tmp_path / "config"
    (config / "nvim" / "after" / "ftplugin").mkdir(parents=True)
    (config / "nvim" / "init.lua").write_text("", encoding="utf-8")
    (config / "nvim" / "after" / "ftplugin" / "xml.lua").write_text(_documented_config(), encoding="utf-8")
    report = tmp_path / "report.lua"
    report.write_text(_REPORT, encoding="utf-8")
    out = tmp_path / "diagnostics.json"
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(config),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        # The documented `cmd` is `teitools`: the one installed beside this Python.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "TEITOOLS_NVIM_OUT": str(out),
    }
    assert NVIM is not None
    subprocess.run(
        [NVIM, "--headless", "-n", str(letter), "-c", f"luafile {report}"],
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
    )
    found = json.loads(out.read_text("utf-8"))
    validated = json.loads(run_cli("validate", "--format", "json", "--no-cache", "tei", cwd=workspace).out)
    expected = [
        (d["line"] - 1, d["rule"], d["message"]) for d in validated["diagnostics"] if d["file"] == LETTER
    ]
    assert expected, "the mutated letter has a finding"
    assert sorted((d["lnum"], d["code"], d["message"]) for d in found) == sorted(expected)
