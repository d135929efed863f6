"""The progress bar: on stderr for a person at a terminal, once a run takes a while; never in
CI, with --quiet, or when stderr is not a terminal."""

from __future__ import annotations

import io

import pytest

from teitools import cli
from teitools.validation.runner import validate
from tests.helpers import EDITION


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def at_terminal(monkeypatch: pytest.MonkeyPatch) -> Terminal:
    """stderr is a terminal, outside CI, and every run counts as a long one.

    Called in the test itself: pytest's capturing would replace a stderr set in a fixture.
    """
    stream = Terminal()
    monkeypatch.setattr("sys.stderr", stream)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(cli, "PROGRESS_AFTER_SECONDS", 0.0)
    return stream


def test_a_long_run_at_a_terminal_shows_a_bar(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal = at_terminal(monkeypatch)
    assert cli.main(["validate", "--no-cache", str(EDITION)]) == 0
    shown = terminal.getvalue()
    assert "Validating" in shown and "11/11" in shown
    assert "Validating" not in capsys.readouterr().out  # the report on stdout stays clean


@pytest.mark.parametrize("setting", ["CI", "--quiet"])
def test_no_bar_in_ci_or_when_quiet(setting: str, monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = at_terminal(monkeypatch)
    args = ["validate", "--no-cache", str(EDITION)]
    if setting == "CI":
        monkeypatch.setenv("CI", "true")
    else:
        args.append("--quiet")
    assert cli.main(args) == 0
    assert terminal.getvalue() == ""


def test_no_bar_for_a_short_run(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = at_terminal(monkeypatch)
    monkeypatch.setattr(cli, "PROGRESS_AFTER_SECONDS", 60.0)
    assert cli.main(["validate", "--no-cache", str(EDITION)]) == 0
    assert terminal.getvalue() == ""


def test_no_bar_when_stderr_is_not_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(cli, "PROGRESS_AFTER_SECONDS", 0.0)
    assert cli.main(["validate", "--no-cache", str(EDITION)]) == 0
    assert capsys.readouterr().err == ""


def test_the_library_reports_progress_through_a_callback() -> None:
    calls: list[tuple[int, int]] = []
    validate([EDITION], progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 11) and calls[-1] == (11, 11)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
