"""The text report is coloured for a person at a terminal, and plain under NO_COLOR or in a pipe.

A real process is the point: whether stdout is a terminal is decided by the operating system,
so the command runs as a subprocess whose stdout is a pseudo-terminal or a pipe.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest

from tests.helpers import EDITION, FIXTURES, ROOT

HI_REND = FIXTURES / "invalid" / "hi-rend.xml"
COMMAND = [sys.executable, "-m", "teitools", "validate", "--registers", str(EDITION), str(HI_REND)]
#: The colour of an error's severity, as the text report writes it.
RED_ERROR = "\033[31merror\033[0m"
ESCAPE = "\033["


def _environment(**changes: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "CI", "FORCE_COLOR"}}
    env.update({k: v for k, v in changes.items() if v is not None})
    return env


def _on_a_terminal(env: dict[str, str]) -> tuple[int, str]:
    """Run the command with stdout on a pseudo-terminal; return its exit code and output."""
    controller, terminal = pty.openpty()
    try:
        with subprocess.Popen(
            COMMAND, stdout=terminal, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, cwd=ROOT, env=env
        ) as process:
            os.close(terminal)
            terminal = -1
            chunks = []
            while True:
                try:
                    chunk = os.read(controller, 65536)
                except OSError:  # EIO: the terminal's last writer has closed it
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            code = process.wait(timeout=60)
    finally:
        os.close(controller)
        if terminal >= 0:
            os.close(terminal)
    return code, b"".join(chunks).decode("utf-8")


def test_a_terminal_gets_colour() -> None:
    code, out = _on_a_terminal(_environment())
    assert code == 1
    assert RED_ERROR in out, out
    assert "\033[1m1 file checked: 1 error, 0 warnings in 1 file\033[0m" in out


def test_an_empty_no_color_still_gives_colour() -> None:
    # no-color.org: NO_COLOR disables colour only "when present and not an empty string".
    code, out = _on_a_terminal(_environment(NO_COLOR=""))
    assert code == 1
    assert RED_ERROR in out, out


@pytest.mark.parametrize("value", ["1", "yes"])
def test_no_color_on_a_terminal_gives_none(value: str) -> None:
    code, out = _on_a_terminal(_environment(NO_COLOR=value))
    assert code == 1
    assert "error: hi rend=" in out
    assert ESCAPE not in out, out


def test_a_pipe_gets_no_colour() -> None:
    done = subprocess.run(
        COMMAND, capture_output=True, text=True, check=False, cwd=ROOT, env=_environment(), timeout=60
    )
    assert done.returncode == 1
    assert "error: hi rend=" in done.stdout
    assert ESCAPE not in done.stdout + done.stderr
