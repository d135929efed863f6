"""Outputs: names never leave the output folder, writes are atomic, failures leave no trace.

* Names derived from ids or titles (``../../etc/x``, ``/abs``, a symbolic link pointing out)
  are refused by :func:`teitools.export.output.write_files`, directly and through every command that
  writes a folder.
* A full disk or an output path that cannot be a folder is a clear error, exit code 2, and no
  partial or temporary file, with the previous outputs untouched.
* A run interrupted (SIGINT, SIGTERM) while it writes leaves every output either as it was or
  complete, and no temporary file.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from teitools.errors import OutputError
from teitools.export.output import TEMPORARY_SUFFIX, write_atomic, write_files, write_stream
from teitools.export.registry import EXPORTERS
from tests.helpers import EDITION, FIXTURES, ROOT, make_edition
from tests.xml_commands import Command, harness_argv, run_batch, run_process, xml_commands

MINIMAL = FIXTURES / "valid" / "minimal-letter.xml"
ESCAPES = [
    "../../escaped.txt",
    "../escaped.txt",
    "a/../../escaped.txt",
    "/abs-escaped.txt",
    "",
    ".",
    "sub/../..",
    "nul\x00byte.txt",
]


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (symbolic links as their target text) and its content."""
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            files[str(path.relative_to(folder))] = str(path.readlink()).encode()
        elif path.is_file():
            files[str(path.relative_to(folder))] = path.read_bytes()
    return files


def _temporaries(folder: Path) -> list[Path]:
    return sorted(folder.rglob(f".*{TEMPORARY_SUFFIX}"))


@pytest.mark.parametrize("name", ESCAPES)
def test_write_files_refuses_names_outside_the_folder(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out"
    before = _tree(tmp_path)
    with pytest.raises(OutputError, match="refusing to write"):
        write_files(out, {"fine.txt": "kept?", name: "escaped"})
    assert _tree(tmp_path) == before, "nothing is written when one name is refused"


def test_write_files_refuses_a_link_that_points_out(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (tmp_path / "elsewhere").mkdir()
    out.mkdir()
    (out / "link").symlink_to(tmp_path / "elsewhere")
    (out / "page.html").symlink_to(tmp_path / "elsewhere" / "target.html")
    for name in ("link/x.txt", "page.html"):
        with pytest.raises(OutputError, match="outside"):
            write_files(out, {name: "escaped"})
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_write_files_writes_inside_the_folder(tmp_path: Path) -> None:
    written = write_files(tmp_path / "out", {"a.txt": "a", "sub/b.txt": b"b", "c/../c.txt": "c"})
    root = (tmp_path / "out").resolve()
    assert [p.relative_to(root).as_posix() for p in written] == ["a.txt", "sub/b.txt", "c.txt"]
    assert _tree(tmp_path / "out") == {"a.txt": b"a", "sub/b.txt": b"b", "c.txt": b"c"}


def _hostile_ids(tmp_path: Path) -> Path:
    """An edition whose letters have ids that are paths out of any output folder."""
    root = make_edition(tmp_path / "edition", {})
    text = MINIMAL.read_text(encoding="utf-8")
    for number, letter_id in enumerate(["../../escaped-up", f"{tmp_path}/escaped-abs", "..", "/"]):
        (root / "letters" / f"letter-{number}.xml").write_text(
            text.replace('xml:id="stalin-kaganovich-1932-07x"', f'xml:id="{letter_id}"').replace(
                "<title>Stalin to", f"<title>../../{letter_id} Stalin to"
            ),
            encoding="utf-8",
        )
    return root


def test_ids_and_titles_never_escape_the_output_folder_of_any_command(tmp_path: Path) -> None:
    root = _hostile_ids(tmp_path)
    out = tmp_path / "out"
    commands = [
        *xml_commands(root, out, letter=root / "letters" / "letter-0.xml"),
        Command("export test-letters", ("export", "test-letters", str(root), "-o", str(out / "t"))),
    ]
    before = set(_tree(tmp_path))
    results = run_batch(
        commands, cwd=tmp_path, results=tmp_path / "results.json", harness=("--test-exporters",)
    )
    created = {
        p
        for p in set(_tree(tmp_path)) - before
        if not p.startswith(("out/", "results.json", "teitools-cache/"))
    }
    assert created == set(), f"written outside the output folder: {created}"
    assert not (tmp_path.parent / "escaped-up.txt").exists()
    by_label = dict(results)
    test_export = by_label["export test-letters"]
    assert test_export.code == 2
    assert "refusing to write '../../escaped-up.txt'" in test_export.err
    for label, result in results:
        assert "Traceback" not in result.err, label
        assert result.code in (0, 1, 2), f"{label}: {result.code}\n{result.err}"


def test_output_under_a_regular_file_is_a_clear_error(tmp_path: Path) -> None:
    """Permission bits mean nothing to root, so the unwritable folder is one below a file."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file\n", encoding="utf-8")
    for fmt in ("test-letters", "test-single"):
        result = run_process(
            ["export", fmt, str(EDITION), "-o", str(blocker / "out")],
            cwd=tmp_path,
            harness=("--test-exporters",),
        )
        assert result.code == 2, result.err
        expected = (
            rf"^teitools: error: cannot write {re.escape(str(blocker))}/out\S*: "
            rf"{re.escape(str(blocker))} is a file, not a folder$"
        )
        assert re.search(expected, result.err, re.MULTILINE), result.err
        assert "Traceback" not in result.err
    assert blocker.read_text(encoding="utf-8") == "a file\n"


@pytest.mark.parametrize(("fmt", "after"), [("test-letters", 0), ("test-single", 0)])
def test_disk_full_is_a_clear_error_and_keeps_the_previous_output(
    tmp_path: Path, fmt: str, after: int
) -> None:
    out = tmp_path / "out" / fmt
    out.parent.mkdir()  # the folder a one-file export goes in must exist
    first = run_process(
        ["export", fmt, str(EDITION), "-o", str(out)], cwd=tmp_path, harness=("--test-exporters",)
    )
    assert first.code == 0, first.err
    previous = _tree(tmp_path / "out")
    full = run_process(
        ["export", fmt, str(EDITION), "-o", str(out)],
        cwd=tmp_path,
        harness=("--test-exporters", "--padding", "1000", "--enospc-after", str(after)),
    )
    assert full.code == 2
    expected = r"^teitools: error: cannot write \S+: No space left on device$"
    assert re.search(expected, full.err, re.MULTILINE), full.err
    assert _tree(tmp_path / "out") == previous
    assert _temporaries(tmp_path) == []


def test_disk_full_in_process_removes_every_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_files(tmp_path, {"a.txt": "old a", "b.txt": "old b"})
    calls = []

    def sync() -> None:
        calls.append(0)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def fsync(fd: int) -> None:
        sync()

    monkeypatch.setattr(os, "sync", sync)
    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(OutputError, match="No space left on device"):
        write_files(tmp_path, {"a.txt": "new a", "b.txt": "new b", "c.txt": "new c"})
    with pytest.raises(OutputError, match="No space left on device"):
        write_atomic(tmp_path / "a.txt", "newer a")
    assert _tree(tmp_path) == {"a.txt": b"old a", "b.txt": b"old b"}


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs: a disk that really fills up (needs root and mount; skipped otherwise)."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


def test_a_really_full_disk(small_tmpfs: Path, tmp_path: Path) -> None:
    out = small_tmpfs / "out"
    first = run_process(
        ["export", "test-letters", str(EDITION), "-o", str(out)], cwd=tmp_path, harness=("--test-exporters",)
    )
    assert first.code == 0, first.err
    previous = _tree(small_tmpfs)
    full = run_process(
        ["export", "test-letters", str(EDITION), "-o", str(out)],
        cwd=tmp_path,
        harness=("--test-exporters", "--padding", "100000"),
    )
    assert full.code == 2
    assert "No space left on device" in full.err
    assert "Traceback" not in full.err
    assert _tree(small_tmpfs) == previous
    assert _temporaries(small_tmpfs) == []


def _corpus(folder: Path, count: int, variant: str) -> Path:
    """``count`` letters with distinct ids (and text that differs by ``variant``) plus registers."""
    make_edition(folder, {})
    text = MINIMAL.read_text(encoding="utf-8")
    for number in range(count):
        letter_id = f"stalin-kaganovich-{1000 + number}"
        (folder / "letters" / f"{letter_id}.xml").write_text(
            text.replace("stalin-kaganovich-1932-07x", letter_id).replace(
                "abominations", f"abominations ({variant})"
            ),
            encoding="utf-8",
        )
    return folder


def _writers(corpus: Path, out: Path) -> list[Command]:
    """Every command that writes a set of files (``write_files``), and the test formats (one
    writes a set, one a single file through ``write_atomic``, as every one-file format does)."""
    one_file = {f"export {name}" for name, exporter in EXPORTERS.items() if exporter.single_file}
    commands = [
        c
        for c in xml_commands(corpus, out)
        if "-o" in c.argv and c.label != "validate" and c.label not in one_file
    ]
    return [
        Command("export test-letters", ("export", "test-letters", str(corpus), "-o", str(out / "t"))),
        Command("export test-single", ("export", "test-single", str(corpus), "-o", str(out / "t.txt"))),
        *commands,
    ]


# 6 to 14 s on a busy two-core machine: every format is run, then interrupted, in a subprocess.
@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_interrupted_run_leaves_old_or_complete_files_and_no_temporary(
    tmp_path: Path, signum: signal.Signals
) -> None:
    """Every writing command with SIGTERM (what CI sends); the test format with SIGINT too."""
    old = _corpus(tmp_path / "old", 30, "old")
    new = _corpus(tmp_path / "new", 30, "new")
    harness = ("--test-exporters", "--padding", "20000")
    writers = _writers(new, tmp_path / "out")
    for command in writers if signum == signal.SIGTERM else writers[:1]:
        label = command.label
        old_argv = [a.replace(str(new), str(old)) for a in command.argv]
        out = tmp_path / "out"
        reference = tmp_path / "reference"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()  # the folder of the one-file export (t.txt) must exist
        reference.mkdir()
        assert run_process(old_argv, cwd=tmp_path, harness=harness, timeout=120).code in (0, 1), label
        previous = _tree(out)
        reference_argv = [a.replace(str(out), str(reference)) for a in command.argv]
        assert run_process(reference_argv, cwd=tmp_path, harness=harness, timeout=120).code in (0, 1), label
        complete = _tree(reference)
        process = subprocess.Popen(
            harness_argv(command.argv, (*harness, "--slow-fsync", "2", "--interruptible")),
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while not _temporaries(out) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        assert process.poll() is None, f"{label} finished before it could be interrupted"
        process.send_signal(signum)
        try:
            _, err = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()  # not left running into the next test
            _, err = process.communicate()
            pytest.fail(f"{label} went on for 30 s after {signum.name}:\n{err}")
        # 128 + the signal's number: 143 for SIGTERM, 130 for SIGINT.
        assert process.returncode == 128 + signum, f"{label}: exit {process.returncode}\n{err}"
        assert "teitools: interrupted" in err and "Traceback" not in err, err
        assert _temporaries(out) == [], label
        after = _tree(out)
        for name, content in after.items():
            assert content in (previous.get(name), complete.get(name)), f"{label}: {name} is partial"
        assert set(previous) <= set(after), f"{label}: previous outputs were removed"
        shutil.rmtree(reference)


WRITES = re.compile(
    r"\.write_text\(|\.write_bytes\(|\bopen\([^)]*['\"][wax]b?\+?['\"]|os\.open\(|"
    r"shutil\.(?:copy|move|rmtree)|"
    r"\.mkdir\(|\.unlink\(|\.rename\(|os\.(?:remove|rename|replace|makedirs)\(|tempfile\."
)


def test_only_the_output_module_writes_files() -> None:
    """Atomic, contained writes hold only if every output goes through teitools/export/output.py.

    The validation result cache writes its own entries (atomically, in its own folder), and
    declared RELAX NG schemas are rewritten into a private temporary folder; any other module
    that writes is a mistake.
    """
    package = ROOT / "teitools"
    writers = {
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if WRITES.search(path.read_text(encoding="utf-8"))
    }
    assert writers == {"export/output.py", "validation/cache.py", "validation/relaxng_files.py"}


def test_a_rewrite_leaves_unchanged_files_alone_and_replaces_the_others(tmp_path: Path) -> None:
    """A rebuild replaces only the files whose content changed: the others keep their inode and
    time (tools that copy changed files skip them), and nothing is left under a temporary name."""
    out = tmp_path / "out"
    write_stream(out, [("same.html", "kept"), ("sub/changed.html", "old"), ("link-free.txt", b"bytes")])
    before = {name: (out / name).stat() for name in ("same.html", "sub/changed.html", "link-free.txt")}
    written = write_stream(
        out, [("same.html", "kept"), ("sub/changed.html", "new"), ("link-free.txt", b"bytes")]
    )
    assert [p.relative_to(out).as_posix() for p in written] == [
        "same.html",
        "sub/changed.html",
        "link-free.txt",
    ]
    assert (out / "sub" / "changed.html").read_text(encoding="utf-8") == "new"
    assert (out / "sub" / "changed.html").stat().st_ino != before["sub/changed.html"].st_ino
    for name in ("same.html", "link-free.txt"):
        assert (out / name).stat().st_ino == before[name].st_ino
        assert (out / name).stat().st_mtime_ns == before[name].st_mtime_ns
    assert _temporaries(out) == []
