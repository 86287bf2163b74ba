"""Faults around the output: workers of a killed build, a full disk under the cache, OS errors
while seeds are found and read, and file names that are not UTF-8."""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from syndicate.cli import main
from syndicate.incremental import cache
from syndicate.seeds import discovery, reading

from badinput import Run, Workspace, leftovers, tree

SRC = Path(__file__).resolve().parents[1] / "src"


def _run(*args: str) -> Run:
    return Run(CliRunner().invoke(main, list(args)))


def _check(ws: Workspace, *extra: str) -> Run:
    return _run("check", "--seeds", str(ws.seeds), "--config", str(ws.config), *extra)


# --------------------------------------------------------------------------- workers

KILLED_PARENT = """
import multiprocessing, sys, time
from pathlib import Path
sys.path.insert(0, {src!r})
from syndicate.seeds import discovery, reading

reading.PARALLEL_MIN_SEEDS = 2
real = reading._scan_of

def stuck(file, row, known):  # in the build's process: the workers have done their part
    pids = [str(p.pid) for p in multiprocessing.active_children()]
    Path("workers.txt").write_text(" ".join(pids))
    time.sleep(600)

reading._scan_of = stuck
files, _ = discovery.discover(Path("seeds"))
list(reading.scan_all([(f, None) for f in files], jobs=2))
"""


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, ended but not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_workers_end_when_the_build_is_killed(ws: Workspace) -> None:
    for i in range(6):
        ws.seed(f"more-{i}.txt", (ws.seeds / "good-1.txt").read_text("utf-8"))
    Path("killed.py").write_text(KILLED_PARENT.format(src=str(SRC)), encoding="utf-8")
    process = subprocess.Popen([sys.executable, "killed.py"])
    try:
        deadline = time.monotonic() + 60
        while not Path("workers.txt").exists() or not Path("workers.txt").read_text():
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        workers = [int(pid) for pid in Path("workers.txt").read_text().split()]
        assert len(workers) == 2 and all(map(_alive, workers))
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
    deadline = time.monotonic() + 10
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:  # do not leave them to the next test
        os.kill(pid, signal.SIGKILL)
    assert left == [], "workers outlived the killed build"


def test_a_worker_whose_build_has_ended_ends_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The race the parent-death signal cannot cover: the build ended before it was set."""
    exits: list[int] = []

    def fake_exit(code: int) -> None:
        exits.append(code)

    monkeypatch.setattr(reading.os, "_exit", fake_exit)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    interrupt = signal.getsignal(signal.SIGINT)  # a worker ignores Ctrl-C: this process must not
    try:
        reading._worker_start(gone.pid)
        assert exits == [1]
        reading._worker_start(os.getpid())
        assert exits == [1]
    finally:
        signal.signal(signal.SIGINT, interrupt)
        import gc

        gc.enable()


# --------------------------------------------------------------------------- a full disk


class FullDisk:
    real_fdopen = os.fdopen

    """os.fdopen whose files in a `.syndicate-cache` folder take `room` bytes, then fail
    with ENOSPC (the files of out/ are written as usual)."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.real = os.fdopen

    def __call__(self, handle: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        stream = self.real(handle, mode, *args, **kwargs)
        if cache.CACHE_DIR not in Path(f"/proc/self/fd/{handle}").readlink().as_posix():
            return stream
        room = self.room

        class Full:
            def __enter__(self) -> Full:
                return self

            def __exit__(self, *exc: object) -> None:
                stream.close()

            def write(self, data: bytes) -> int:
                nonlocal room
                if len(data) > room:
                    stream.write(bytes(data[:room]))
                    stream.flush()
                    raise OSError(errno.ENOSPC, "No space left on device")
                room -= len(data)
                return int(stream.write(data))

        return Full()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads /proc (Linux)")
def test_a_full_disk_under_the_cache_warns_once_and_leaves_no_temp_file(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    reference = ws.reference()
    folder = ws.config.parent / cache.CACHE_DIR
    shutil.rmtree(folder, ignore_errors=True)  # the reference build's cache, if it made one
    monkeypatch.setattr(cache, "_NO_SPACE", set())
    monkeypatch.setattr(os, "fdopen", FullDisk(100))
    with caplog.at_level(logging.WARNING):
        run = ws.build()
    assert run.code == 0, run.report()
    assert tree(ws.out) == reference
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == [
        f"{folder}: no space left to write the parse cache; this build goes on without the"
        " cache (the next one reads every seed again unless space is freed)"
    ]
    assert sorted(p.name for p in folder.iterdir()) == []  # no temp file, no memo
    assert {folder.absolute()} == cache._NO_SPACE

    monkeypatch.setattr(os, "fdopen", FullDisk.real_fdopen)
    monkeypatch.setattr(cache, "_NO_SPACE", set())
    run = ws.build()
    assert run.code == 0, run.report()
    assert sorted(p.name for p in folder.iterdir()) == ["build-v5.marshal", cache.CACHE_FILE]


def test_an_append_cut_short_by_a_full_disk_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "file"
    path.write_bytes(b"before")
    real_write = os.write

    def half(handle: int, data: Any) -> int:
        if len(data) > 4:
            return real_write(handle, bytes(data[:4]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cache.os, "write", half)
    with pytest.raises(OSError, match="No space"):
        cache._append_to(path, b"0123456789")
    assert path.read_bytes() == b"before"


def test_cache_temp_files_of_stopped_builds_are_removed(ws: Workspace) -> None:
    assert ws.build().code == 0
    folder = ws.config.parent / cache.CACHE_DIR
    dead = ".seeds-v5.marshal.999999999.abcdefgh.tmp"  # no process has that number
    old_naming = ".build-v5.marshal.k2x9_q0a.tmp"  # before the process number was in it
    running = f".seeds-v5.marshal.{os.getppid()}.zzzzzzzz.tmp"  # a build still writing
    for name in (dead, old_naming, running):
        (folder / name).write_bytes(b"x" * 1000)
    run = ws.build()
    assert run.code == 0, run.report()
    assert run.lines == [
        f"{folder.as_posix()}/: removed 2 temporary files that a stopped build left"
    ]
    assert (folder / running).exists() and not (folder / dead).exists()
    assert not (folder / old_naming).exists()

    (folder / dead).write_bytes(b"x")
    run = _run("cache", "clear", "--config", str(ws.config))
    assert run.code == 0, run.report()
    assert run.stdout.splitlines() == [
        f"removed {folder / name}"
        for name in sorted([dead, running, cache.CACHE_FILE, "build-v5.marshal"])
    ]
    assert list(folder.iterdir()) == []


# --------------------------------------------------------------------------- OS errors


def _deep_folders(root: Path, depth: int, name: str) -> None:
    """`depth` nested folders below `root`, made through folder handles (the whole path is
    longer than the system accepts), with a seed at the bottom."""
    handle = os.open(root, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir(name, dir_fd=handle)
            inner = os.open(name, os.O_RDONLY, dir_fd=handle)
            os.close(handle)
            handle = inner
        seed = os.open("deep.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=handle)
        os.write(seed, b"---\ntitle: x\n---\n")
        os.close(seed)
    finally:
        os.close(handle)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX path limits")
def test_a_path_too_long_for_the_system_is_a_problem_not_a_crash(ws: Workspace) -> None:
    name = "n" * 45
    _deep_folders(ws.seeds, 100, name)
    parts = ["seeds"]
    while len("/".join(parts)) < os.pathconf(".", "PC_PATH_MAX"):
        parts.append(name)
    shown = "/".join(parts)  # the first folder whose path is too long
    for command in ("build", "check"):
        run = ws.build() if command == "build" else _check(ws)
        assert run.code == 1, run.report()
        lines = run.lines if command == "build" else run.stdout.splitlines()[:-1]
        # whole: the output is no terminal (a terminal shows it shortened, seeds/.../nnnn...)
        assert lines == [f"{shown}:1: file: cannot read folder: File name too long"], run.report()
    assert tree(ws.out) == ws.reference()


@pytest.mark.parametrize(
    ("code", "reason"),
    [(errno.EACCES, "Permission denied"), (errno.EIO, "Input/output error")],
)
def test_a_folder_that_cannot_be_listed_is_a_problem(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch, code: int, reason: str
) -> None:
    ws.seed("locked/story.txt", (ws.seeds / "good-1.txt").read_text("utf-8"))
    real = os.scandir

    def scandir(path: Any) -> Any:
        if Path(path).name == "locked":
            raise OSError(code, os.strerror(code), path)
        return real(path)

    monkeypatch.setattr(discovery.os, "scandir", scandir)
    run = ws.build()
    assert run.code == 1, run.report()
    assert run.lines == [f"seeds/locked:1: file: cannot read folder: {reason}"]
    assert tree(ws.out) == ws.reference()


def test_a_read_error_is_a_problem_for_that_file(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws.seed("bad-disk.txt", (ws.seeds / "good-1.txt").read_text("utf-8"))
    real_open, real_read = os.open, os.read
    broken: set[int] = set()

    def opening(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        handle = real_open(path, flags, *args, **kwargs)
        if Path(path).name == "bad-disk.txt":
            broken.add(handle)
        return handle

    def reading_(handle: int, size: int) -> bytes:
        if handle in broken:
            broken.discard(handle)
            raise OSError(errno.EIO, "Input/output error")
        return real_read(handle, size)

    monkeypatch.setattr(reading.os, "open", opening)
    monkeypatch.setattr(reading.os, "read", reading_)
    run = ws.build()
    assert run.code == 1, run.report()
    assert run.lines == ["seeds/bad-disk.txt:1: file: cannot read file: Input/output error"]
    assert tree(ws.out) == ws.reference()


def test_symlink_loops_are_reported_as_loops(ws: Workspace) -> None:
    (ws.seeds / "loop.txt").symlink_to("loop.txt")
    (ws.seeds / "a.md").symlink_to("b.md")
    (ws.seeds / "b.md").symlink_to("a.md")
    (ws.seeds / "folder-loop").symlink_to("folder-loop")  # not a seed name: skipped quietly
    run = ws.build()
    assert run.code == 1, run.report()
    message = "symbolic link loop: it leads back to itself through links; not followed"
    assert run.lines == [
        f"seeds/a.md:1: file: {message}",
        f"seeds/b.md:1: file: {message}",
        f"seeds/loop.txt:1: file: {message}",
    ]
    # the summary counts them (3 of the exit status's errors), a replayed build too
    summary = "seeds: 2 read, 0 rejected, 3 not read, 0 warnings"
    assert run.stdout.splitlines()[0] == summary
    assert ws.build().stdout.splitlines()[0] == summary
    assert tree(ws.out) == ws.reference()


def test_a_folder_with_a_seed_name_is_reported_and_its_seeds_read(ws: Workspace) -> None:
    reference = ws.reference()
    (ws.seeds / "good-2.txt").rename("good-2.saved")
    ws.seed("2024.txt/good-2.txt", Path("good-2.saved").read_text("utf-8"))
    run = ws.build()
    assert run.code == 1, run.report()
    assert run.lines == [
        "seeds/2024.txt:1: file: is a folder, not a seed file (its files are read as seeds);"
        " rename it without the seed file ending"
    ]
    assert tree(ws.out) == reference


# --------------------------------------------------------------------------- file names


@pytest.mark.skipif(sys.platform != "linux", reason="file names as bytes")
def test_a_file_name_that_is_not_utf8_is_escaped_in_every_format(ws: Workspace) -> None:
    (ws.seeds / os.fsdecode(b"\xfe-bad.txt")).write_bytes(b"no front matter\n")
    message = "file does not start with a '---' line"

    run = _check(ws, "--format", "json")
    assert run.code == 1, run.report()
    data = run.result.stdout_bytes
    data.decode("utf-8")  # valid UTF-8
    assert b'"file": "seeds/\\udcfe-bad.txt"' in data
    problems = json.loads(data)
    assert [p["file"] for p in problems] == ["seeds/\udcfe-bad.txt"]
    assert os.fsencode(problems[0]["file"]) == b"seeds/\xfe-bad.txt"  # the file's own bytes

    run = _check(ws)
    assert run.stdout.splitlines()[0] == f"seeds/\\xfe-bad.txt:1: front matter: {message}"
    run = _check(ws, "--format", "github")
    assert run.stdout.splitlines()[0] == (
        f"::error file=seeds/\\xfe-bad.txt,line=1,title=front matter::{message}"
    )
    run = ws.build()
    assert run.lines == [f"seeds/\\xfe-bad.txt:1: front matter: {message}"]
    assert leftovers(ws.out) == []


def test_a_file_name_with_a_line_break_cannot_forge_a_problem_line(ws: Workspace) -> None:
    """Text output shows a control character in a name escaped: one problem, one line (a
    name could otherwise print a second line that a person or CI reads as a problem)."""
    (ws.seeds / "x\n::error file=fake.txt,line=9::\x1b[2Jbad.txt").write_bytes(b"nope\n")
    shown = "seeds/x\\x0a::error file=fake.txt,line=9::\\x1b[2Jbad.txt"
    message = "file does not start with a '---' line"
    run = _check(ws)
    assert run.stdout.splitlines()[0] == f"{shown}:1: front matter: {message}"
    assert len(run.stdout.splitlines()) == 2  # that problem and the summary
    run = ws.build()
    assert run.lines == [f"{shown}:1: front matter: {message}"]


def test_ctrl_c_while_a_cache_is_written_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first build writes its parse cache in its own process (from the workers' chunks):
    Ctrl-C meanwhile is told, and the temporary file goes with it."""
    written: list[int] = []

    def interrupted(frame: bytes | memoryview) -> bytes:
        written.append(len(frame))
        if len(written) == 2:
            raise KeyboardInterrupt
        return real_head(frame)

    real_head = cache._head
    monkeypatch.setattr(cache, "_head", interrupted)
    path = tmp_path / cache.CACHE_DIR / cache.CACHE_FILE
    with pytest.raises(KeyboardInterrupt):
        cache.write_marshal(path, [("key",), [("a.txt", 1)], [("b.txt", 2)]], "parse cache")
    assert len(written) == 2
    assert sorted(p.name for p in path.parent.iterdir()) == []
