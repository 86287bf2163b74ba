"""The parse cache written aside (in a forked child) while a full build renders."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import pytest

from syndicate import build
from syndicate.incremental import aside, cache, memo, seam
from syndicate.incremental.aside import Aside
from syndicate.seeds.discovery import DEFAULT_MAX_SEED_BYTES

from conftest import build_into, seed_text, write_seed

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")


def _seeds(folder: Path, count: int) -> None:
    for i in range(count):
        write_seed(folder, f"s{i:03}.md", seed_text(f"Story {i}", f"https://example.com/{i}"))


def _build(tmp_path: Path, small_config: Path, name: str) -> tuple[dict[str, object], Path]:
    out = tmp_path / name
    build_into(tmp_path / "seeds", small_config, out, use_cache=True)
    folder = cache.default_folder(small_config)
    store = cache.SeedCache(folder, cache.fingerprint(tmp_path / "seeds", DEFAULT_MAX_SEED_BYTES))
    rows = dict(store.load())
    return rows, folder


@needs_fork
def test_a_cache_written_aside_holds_what_one_written_in_place_holds(
    tmp_path: Path, small_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seeds(tmp_path / "seeds", 30)
    forks = []
    real_fork = os.fork

    def counting_fork() -> int:
        pid = real_fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(aside.os, "fork", counting_fork)
    monkeypatch.setattr(seam, "ASIDE_MIN_SEEDS", 0)
    aside_rows, folder = _build(tmp_path, small_config, "out-aside")
    assert len(forks) == 1  # the save was done by a child
    last = memo.load(folder)
    assert last is not None and last.cache_stat == memo.stat_of(folder / cache.CACHE_FILE)

    cache.clear(folder)
    monkeypatch.setattr(seam, "ASIDE_MIN_SEEDS", 10**9)
    in_place_rows, _ = _build(tmp_path, small_config, "out-in-place")
    assert len(forks) == 1
    assert len(aside_rows) == 30
    assert aside_rows == in_place_rows


@needs_fork
def test_the_next_build_after_an_aside_save_is_replayed(
    tmp_path: Path, small_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The memo records the cache file the child wrote: the build waited for it."""
    _seeds(tmp_path / "seeds", 5)
    monkeypatch.setattr(seam, "ASIDE_MIN_SEEDS", 0)
    out = tmp_path / "out"
    build_into(tmp_path / "seeds", small_config, out, use_cache=True)
    monkeypatch.setattr(build, "render", _no_full_build)
    report = build_into(tmp_path / "seeds", small_config, out, use_cache=True)
    assert report.seeds_read == 5 and not report.written


def _no_full_build(*args: object) -> object:
    raise AssertionError("a full build")


@needs_fork
def test_a_failing_child_is_a_warning_and_the_parent_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def failing() -> None:
        raise OSError("disk full")

    with caplog.at_level(logging.WARNING, logger="syndicate.incremental.aside"), Aside() as work:
        work.start(failing, "saving the parse cache")
    assert [r.getMessage() for r in caplog.records if r.name == "syndicate.incremental.aside"] == [
        "saving the parse cache failed (its process ended with status 1)"
    ]


def test_with_another_thread_running_the_work_is_done_in_place() -> None:
    done = threading.Event()
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        with Aside() as work:
            work.start(done.set, "setting an event")  # a child's set would not reach us
        assert done.is_set()
    finally:
        release.set()
        other.join()


@needs_fork
def test_work_done_aside_is_done_by_a_child(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    done = threading.Event()

    def work() -> None:
        done.set()
        marker.write_text(str(os.getpid()))

    with Aside() as aside_work:
        aside_work.start(work, "writing a marker")
    assert not done.is_set()  # set in the child only
    assert marker.read_text() != str(os.getpid())


@needs_fork
def test_when_fork_fails_the_work_is_done_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(aside.os, "fork", no_fork)
    done = threading.Event()
    with Aside() as work:
        work.start(done.set, "setting an event")
    assert done.is_set()
