"""A write to out/ is all or nothing, also when it fails partway or the process is killed:
the commit journal, putting old files back, leftovers, and the lock (publish/output.py)."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndicate.build import BuildOptions, build
from syndicate.cli import main
from syndicate.errors import OutputError
from syndicate.publish import output

from badinput import CONFIG, GOOD_SEEDS, Run, Workspace, age, leftovers, mtimes, tree

SRC = Path(__file__).resolve().parents[1] / "src"


def _change(ws: Workspace, folder: Path | None = None) -> None:
    """Every item changed, one seed gone, one new with a new topic (a new feed folder would be
    made for it, and a file removed: every kind of step in one commit)."""
    for name, text in GOOD_SEEDS.items():
        ws.seed(name, text.replace("Good", "Better"), folder)
    ws.seed(
        "new.txt",
        GOOD_SEEDS["good-1.txt"].replace("good-1", "new-1").replace("Good one", "New"),
        folder,
    )


def _config_with_a_third_feed(ws: Workspace) -> None:
    ws.write_config(CONFIG + '  - id: nlp\n    title: "NLP"\n    topics: [NLP]\n')


def _prepared(ws: Workspace) -> tuple[dict[str, bytes], dict[str, int]]:
    """out/ built and aged, then seeds and config changed: (out/ now, its mtimes)."""
    assert ws.build().code == 0
    age(ws.out)
    _change(ws)
    _config_with_a_third_feed(ws)
    return tree(ws.out), mtimes(ws.out)


def _check(ws: Workspace) -> Run:
    args = ["check", "--seeds", str(ws.seeds), "--config", str(ws.config), "--out", str(ws.out)]
    return Run(CliRunner().invoke(main, args))


def _folders(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir())


class Replace:
    """os.replace that fails (with `error`) on the k-th call that writes into out/ and, with
    `after`, on every later one; the calls are kept, (source, target) as given."""

    def __init__(self, out: Path, k: int, error: BaseException, after: bool = False) -> None:
        self.out, self.k, self.error, self.after = out.resolve(), k, error, after
        self.calls: list[tuple[str, str]] = []
        self.real = os.replace

    def __call__(self, source: Any, target: Any, **kwargs: Any) -> None:
        if Path(target).resolve().is_relative_to(self.out):
            self.calls.append((os.fspath(source), os.fspath(target)))
            count = len(self.calls)
            if count == self.k or (self.after and count > self.k):
                raise self.error
        self.real(source, target, **kwargs)


class Killed(Exception):  # noqa: N818
    """What a kill looks like in-process: not an OSError, so the write's own handling of a
    failure does not run (CliRunner keeps it as the result's exception)."""


# --------------------------------------------------------------------------- a failed rename


def test_a_failed_rename_names_the_file_and_leaves_out_exactly_as_it_was(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, stamps = _prepared(ws)
    folders = _folders(ws.out)
    fake = Replace(ws.out, 4, PermissionError(errno.EPERM, "Operation not permitted"))
    monkeypatch.setattr(os, "replace", fake)
    run = ws.build()
    assert run.code == 2, run.report()
    target = Path(fake.calls[3][1]).as_posix()  # the 4th: the failed one
    assert fake.calls[0][1] == "out/.syndicate-journal.json"  # the journal goes first
    assert run.lines == [
        f"error: cannot replace {target}: Operation not permitted; out/ was left as it was"
    ]
    assert (tree(ws.out), mtimes(ws.out)) == (before, stamps)
    assert _folders(ws.out) == folders  # the new feed's folder is gone again
    assert leftovers(ws.out) == []

    monkeypatch.setattr(os, "replace", fake.real)
    run = ws.build()
    assert run.code == 0, run.report()
    assert b"Better one" in (ws.out / "all" / "feed.json").read_bytes()
    assert (ws.out / "nlp" / "rss.xml").is_file()


def test_a_failed_removal_puts_every_replaced_file_back(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, stamps = _prepared(ws)
    ws.write_config(CONFIG.split("  - id: cv")[0])  # the cv feed goes: its files are removed
    real_unlink = Path.unlink

    def unlink(path: Path, missing_ok: bool = False) -> None:
        if path.name == "atom.xml" and path.parent.name == "cv":
            raise PermissionError(errno.EPERM, "Operation not permitted")
        real_unlink(path, missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    run = ws.build()
    assert run.code == 2, run.report()
    assert run.lines == [
        "error: cannot remove out/cv/atom.xml: Operation not permitted; out/ was left as it was"
    ]
    assert (tree(ws.out), mtimes(ws.out)) == (before, stamps)
    assert leftovers(ws.out) == []


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(k=st.integers(min_value=1, max_value=40), after=st.booleans())
def test_property_a_failure_at_any_rename_leaves_out_byte_identical(
    k: int, after: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever rename fails (the journal's, a target's, or, with `after`, every one from then
    on, so that putting back fails too and the next command finishes it), out/ ends up
    byte-identical to before, with the same mtimes and no file of syndicate's left over."""
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        ws = Workspace(root, root / "seeds", root / "feeds.yaml", root / "out")
        ws.seeds.mkdir()
        ws.config.write_text(CONFIG, encoding="utf-8")
        ws.good_seeds()
        options = BuildOptions(ws.seeds, ws.config, ws.out)
        build(options)
        age(ws.out)
        _change(ws)
        _config_with_a_third_feed(ws)
        before, stamps, folders = tree(ws.out), mtimes(ws.out), _folders(ws.out)
        fake = Replace(ws.out, k, OSError(errno.EIO, "Input/output error"), after)
        with monkeypatch.context() as patch:
            patch.setattr(os, "replace", fake)
            try:
                report = build(options)
            except OutputError as exc:
                failed = str(exc)
            else:
                failed = ""
        renames = len(fake.calls)
        if not failed:  # k beyond the renames of this build: it wrote everything
            assert k > renames and report.written
            return
        if (ws.out / output.JOURNAL).exists():  # putting back failed: the next command does it
            assert after and "the next syndicate build or check puts them back" in failed
            assert output.recover(ws.out) is not None
        assert (tree(ws.out), mtimes(ws.out)) == (before, stamps), (k, after, failed)
        assert _folders(ws.out) == folders
        assert leftovers(ws.out) == []


def test_when_putting_back_fails_too_the_next_command_finishes_it(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, stamps = _prepared(ws)
    fake = Replace(ws.out, 4, PermissionError(errno.EPERM, "Operation not permitted"), after=True)
    monkeypatch.setattr(os, "replace", fake)
    run = ws.build()
    assert run.code == 2, run.report()
    failed = Path(fake.calls[3][1]).as_posix()
    first_back = Path(fake.calls[4][1]).as_posix()
    assert run.lines == [
        f"error: cannot replace {failed}: Operation not permitted; putting back the files"
        f" already replaced failed too ({first_back}: Operation not permitted): the next"
        " syndicate build or check puts them back"
    ]
    assert (ws.out / output.JOURNAL).is_file()
    monkeypatch.setattr(os, "replace", fake.real)
    result = _check(ws)
    assert result.lines[0] == (
        "out/: a build was stopped while it replaced files; undone:"
        " 2 files put back as the build before it left them"
    ), result.report()
    assert (tree(ws.out), mtimes(ws.out)) == (before, stamps)
    assert leftovers(ws.out) == []


def test_a_file_that_cannot_be_replaced_is_left_alone_while_the_others_are_put_back(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An immutable file (chattr +i): neither the commit nor the undo can rename onto it. It
    was never replaced, so the undo leaves it and puts back every file that was."""
    before, stamps = _prepared(ws)
    real = os.replace
    locked = (ws.out / "index.html").resolve()
    attempts: list[str] = []

    def replace(source: Any, target: Any, **kwargs: Any) -> None:
        if Path(target).resolve() == locked:
            attempts.append(os.fspath(source))
            raise PermissionError(errno.EPERM, "Operation not permitted")
        real(source, target, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    run = ws.build()
    assert run.code == 2, run.report()
    assert run.lines == [
        "error: cannot replace out/index.html: Operation not permitted; out/ was left as it was"
    ]
    assert len(attempts) == 1  # the commit's; the undo did not try to put it back
    assert (tree(ws.out), mtimes(ws.out)) == (before, stamps)
    assert not (ws.out / output.JOURNAL).exists()
    assert leftovers(ws.out) == []


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signal masks")
def test_ctrl_c_during_the_commit_waits_for_its_end(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real SIGINT at the 4th rename is held back until the commit has ended: out/ is the
    new build's, whole, with no backup or journal left; then the build stops (130)."""
    _prepared(ws)
    real = os.replace
    calls: list[str] = []

    def replace(source: Any, target: Any, **kwargs: Any) -> None:
        # the renames into out/ only: a cache written meanwhile (in this process or in a
        # forked one, by the order the tests ran in) is no rename of the commit
        if Path(os.fspath(target)).absolute().is_relative_to(ws.out.absolute()):
            calls.append(os.fspath(target))
            if len(calls) == 4:
                os.kill(os.getpid(), signal.SIGINT)
        real(source, target, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    run = ws.build()
    assert run.code == 130, run.report()
    assert run.lines == ["interrupted: nothing was left half-written"]
    assert len(calls) > 4  # every rename of the commit was made
    assert b"Better one" in (ws.out / "all" / "feed.json").read_bytes()
    assert (ws.out / "nlp" / "rss.xml").is_file()
    assert not (ws.out / output.JOURNAL).exists()
    assert leftovers(ws.out) == []


def test_ctrl_c_during_the_commit_puts_every_file_back_at_once(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where Ctrl-C cannot be held back (not POSIX, not the main thread), an interrupt
    midway through the renames: the build puts back what it replaced before it exits (130,
    as for any program SIGINT stops), leaving no journal for the next command."""
    before, stamps = _prepared(ws)
    monkeypatch.setattr(os, "replace", Replace(ws.out, 4, KeyboardInterrupt()))
    run = ws.build()
    assert run.code == 130, run.report()
    assert run.lines == ["interrupted: nothing was left half-written"]
    assert (tree(ws.out), mtimes(ws.out)) == (before, stamps)
    assert not (ws.out / output.JOURNAL).exists()
    assert leftovers(ws.out) == []


# --------------------------------------------------------------------------- a killed commit


def _killed_midway(ws: Workspace, monkeypatch: pytest.MonkeyPatch, k: int = 4) -> None:
    """A build stopped at its k-th rename as by kill -9: no cleanup of its own runs."""
    fake = Replace(ws.out, k, Killed())
    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", fake)
        run = ws.build()
    assert isinstance(run.result.exception, Killed), run.report()
    assert (ws.out / output.JOURNAL).is_file()


@pytest.mark.parametrize("command", ["build", "build --check", "check"])
def test_a_killed_commit_is_undone_by_the_next_command_that_looks(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    before, stamps = _prepared(ws)
    _killed_midway(ws, monkeypatch)
    assert tree(ws.out) != before  # mixed: some files of the new build, some of the old
    assert leftovers(ws.out) != []

    if command == "check":
        run = _check(ws)
        assert run.code == 0, run.report()
    else:
        run = ws.build(*command.split()[1:])
    assert run.lines[0] == (
        "out/: a build was stopped while it replaced files; undone:"
        " 2 files put back as the build before it left them"
    ), run.report()
    assert not (ws.out / output.JOURNAL).exists()
    assert leftovers(ws.out) == []
    if command == "build":
        assert run.code == 0, run.report()
        ws.build(out=Path("clean"))
        assert tree(ws.out) == tree(Path("clean"))
    else:  # nothing written beyond putting the old files back
        assert (tree(ws.out), mtimes(ws.out)) == (before, stamps)


def test_a_killed_commit_before_any_rename_leaves_only_the_journal_to_remove(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, stamps = _prepared(ws)
    _killed_midway(ws, monkeypatch, k=2)  # the journal in place, no target replaced
    assert (tree(ws.out) | {}).keys() >= before.keys()
    run = _check(ws)
    assert run.lines[0] == (
        "out/: a build was stopped before it replaced any file; its journal removed,"
        " nothing to undo"
    ), run.report()
    assert (tree(ws.out), mtimes(ws.out)) == (before, stamps)


def test_a_damaged_journal_never_moves_a_file_outside_out(ws: Workspace) -> None:
    assert ws.build().code == 0
    before = tree(ws.out)
    Path("victim.txt").write_text("precious\n", encoding="utf-8")
    Path("out/all/.x.abcdefgh.old.tmp").write_text("bait\n", encoding="utf-8")
    journal = {
        "syndicate-journal": 1,
        "files": [
            ["../victim.txt", None, "all/.x.abcdefgh.old.tmp"],
            ["all/rss.xml", None, "../victim.txt"],
            ["all/rss.xml", None, "cv/.x.abcdefgh.old.tmp"],
            ["all/feed.json", "all/feed.json", None],
            "not a row",
        ],
        "folders": ["..", "/tmp"],
    }
    Path("out", output.JOURNAL).write_text(json.dumps(journal), encoding="utf-8")
    run = ws.build("--check")
    assert run.lines[0].startswith("out/: a build was stopped"), run.report()
    assert Path("victim.txt").read_text("utf-8") == "precious\n"
    assert tree(ws.out) == before | {"all/.x.abcdefgh.old.tmp": b"bait\n"}
    Path("out", output.JOURNAL).write_bytes(b"\xff not json")
    run = ws.build()
    assert run.code == 0, run.report()
    assert tree(ws.out) == before


def test_a_write_in_progress_is_left_alone(ws: Workspace) -> None:
    """Another process holds the lock on out/ (its write runs): its journal is no leftover."""
    if sys.platform == "win32":
        pytest.skip("no lock on Windows")
    import fcntl

    assert ws.build().code == 0
    journal = ws.out / output.JOURNAL
    journal.write_text('{"syndicate-journal": 1, "files": []}', encoding="utf-8")
    (ws.out / "all" / ".rss.xml.abcdefgh.tmp").write_bytes(b"being written")
    handle = os.open(ws.out, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        assert output.recover(ws.out) is None
        assert journal.exists() and leftovers(ws.out) == ["out/all/.rss.xml.abcdefgh.tmp"]
    finally:
        os.close(handle)
    assert output.recover(ws.out) == (
        "out/: a build was stopped before it replaced any file; its journal removed,"
        " nothing to undo\nout/: removed 1 temporary file that a stopped build left"
    )


# --------------------------------------------------------------------------- leftovers


LEFTOVERS = [
    "all/.rss.xml.k2x9_q0a.tmp",  # a staged file
    "cv/.atom.xml.abcdefgh.old.tmp",  # a backup
    ".syndicate-journal.json.zz99zz99.tmp",  # the journal's staged file
]


def test_build_check_reports_leftovers_and_build_removes_them(ws: Workspace) -> None:
    assert ws.build().code == 0
    before = tree(ws.out)
    for name in LEFTOVERS:
        (ws.out / name).write_bytes(b"x" * 100)
    (ws.out / "all" / ".notes.tmp").write_bytes(b"a user's file")  # not syndicate's naming
    run = ws.build("--check")
    assert run.code == 1, run.report()
    assert run.stdout.splitlines() == [
        "out/ is stale: 3 files would change (run `syndicate build`)",
        "  leftover .syndicate-journal.json.zz99zz99.tmp",
        "  leftover all/.rss.xml.k2x9_q0a.tmp",
        "  leftover cv/.atom.xml.abcdefgh.old.tmp",
    ]
    assert len(leftovers(ws.out)) == 4  # --check removed nothing
    run = ws.build()
    assert run.code == 0, run.report()
    assert run.lines == ["out/: removed 3 temporary files that a stopped build left"]
    assert tree(ws.out) == before | {"all/.notes.tmp": b"a user's file"}
    assert ws.build("--check").code == 0


# --------------------------------------------------------------------------- kill -9


SLOW_BUILD = """
import os, sys, time
from pathlib import Path
sys.path.insert(0, {src!r})
import syndicate.publish.output as output
from syndicate.cli import main

moment = sys.argv[1]
real_stage, real_replace = output._stage, os.replace

def slow_stage(target, data):
    temp = real_stage(target, data)
    time.sleep(0.3)
    return temp

def slow_replace(source, target, **kwargs):
    real_replace(source, target, **kwargs)
    time.sleep(0.3)

if moment == "staging in workers":  # forked ones, however small the build
    output.PARALLEL_MIN_ITEMS = 0
    real_forked = output._stage_forked

    def forked(*args):
        Path("forked.txt").write_text("yes")
        return real_forked(*args)

    output._stage_forked = forked
if moment.startswith("staging"):
    output._stage = slow_stage
else:
    os.replace = slow_replace
main(sys.argv[2:])
"""


def _wait_for(condition: Callable[[], bool], process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert process.poll() is None, "the build ended before it could be killed"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def _staged_count(out: Path) -> int:
    """Staged files not yet renamed (backups and the journal's own not counted)."""
    return sum(not p.name.endswith(".old.tmp") for p in _staged_files(out))


def _staged_files(out: Path) -> Iterator[Path]:
    return (p for p in out.rglob("*.tmp") if p.is_file())


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("moment", ["staging", "staging in workers", "renaming"])
def test_a_build_killed_at_its_write_recovers_on_the_next_build(ws: Workspace, moment: str) -> None:
    """kill -9 when the first staged file appears (or between two renames): the next build's
    out/ is a clean build's, byte for byte, and nothing of the killed one is left."""
    assert ws.build().code == 0
    _change(ws)
    _config_with_a_third_feed(ws)
    script = Path("slow_build.py")
    script.write_text(SLOW_BUILD.format(src=str(SRC)), encoding="utf-8")
    args = ["build", "--seeds", "seeds", "--config", "feeds.yaml", "--out", "out", "--no-cache"]
    if moment == "staging in workers":
        args += ["--jobs", "2"]
    process = subprocess.Popen([sys.executable, str(script), moment, *args])
    try:
        if moment.startswith("staging"):
            _wait_for(lambda: next(_staged_files(ws.out), None) is not None, process)
        else:
            _wait_for((ws.out / output.JOURNAL).exists, process)
            staged = _staged_count(ws.out)
            _wait_for(lambda: _staged_count(ws.out) < staged, process)  # one target replaced
        process.kill()
    finally:
        process.wait()
    assert process.returncode == -9
    assert leftovers(ws.out) != []
    assert (ws.out / output.JOURNAL).exists() == (moment == "renaming")
    assert Path("forked.txt").exists() == (moment == "staging in workers")

    run = ws.build("--no-cache")
    assert run.code == 0, run.report()
    if moment == "renaming":
        assert re.fullmatch(
            r"out/: a build was stopped while it replaced files; undone: \d+ files? put back"
            r" as the build before it left them",
            run.lines[0],
        ), run.report()
    else:
        assert re.fullmatch(
            r"out/: removed \d+ temporary files? that a stopped build left", run.lines[0]
        ), run.report()
    assert ws.build(out=Path("clean")).code == 0
    assert tree(ws.out) == tree(Path("clean"))
    assert leftovers(ws.out) == []
    assert not (ws.out / output.JOURNAL).exists()
    shutil.rmtree("clean")
