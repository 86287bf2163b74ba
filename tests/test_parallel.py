"""The second core after reading: a build's chosen seeds read in worker processes
(render/store.py) and its streamed files staged in forked ones (publish/output.py) give the
same bytes, the same problems and, when a worker fails, the same error as the serial paths."""

from __future__ import annotations

import errno
import marshal
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syndicate import build
from syndicate.build import build as build_feeds
from syndicate.errors import OutputError, SyndicateError
from syndicate.incremental import aside, cache
from syndicate.publish import output, syncing
from syndicate.render import store
from syndicate.run import BuildOptions, BuildReport
from syndicate.seeds import reading

from badinput import leftovers, mtimes, tree
from conftest import build_into, make_corpus

CONFIG = """\
site:
  title: "Parallel"
  base_url: "https://example.org/feeds/"
feeds:
  - id: all
    title: "Everything"
    limit: 0
    published_only: false
  - id: recent
    title: "Recent"
    limit: 7
"""
BROKEN = ["017.txt", "004.txt"]  # made unreadable after the scan, before the entries


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path]:
    seeds = make_corpus(tmp_path / "seeds", 40, seed=11)
    for index, path in enumerate(sorted(seeds.iterdir())):
        path.rename(seeds / f"{index:03d}.txt")
    config = tmp_path / "feeds.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    return seeds, config


def _parallel(monkeypatch: pytest.MonkeyPatch, memory_bytes: int | None = None) -> dict[str, Any]:
    """Every parallel path taken however small the build; what was run in workers."""
    taken: dict[str, Any] = {"rows": 0, "staged": 0, "stores": []}
    monkeypatch.setattr(store, "PARALLEL_MIN_ENTRIES", 0)
    monkeypatch.setattr(reading, "CHUNK", 3)  # many chunks, results put back in order
    monkeypatch.setattr(output, "PARALLEL_MIN_ITEMS", 0)
    real_workers, real_forked, real_entries = (
        reading.in_workers,
        output._stage_forked,
        build._entries,
    )

    def in_workers(work: Any, *args: Any, **kwargs: Any) -> Any:
        taken["rows"] += work is store._rows_of
        return real_workers(work, *args, **kwargs)

    def stage_forked(*args: Any) -> output.Staged:
        taken["staged"] += 1
        return real_forked(*args)

    def entries(*args: Any) -> store.EntryStore:
        found = real_entries(*args)
        taken["stores"].append(found)
        return found

    monkeypatch.setattr(reading, "in_workers", in_workers)
    monkeypatch.setattr(output, "_stage_forked", stage_forked)
    monkeypatch.setattr(build, "_entries", entries)
    if memory_bytes is not None:
        monkeypatch.setattr(store, "MEMORY_BYTES", memory_bytes)
    return taken


def _break_after_scan(monkeypatch: pytest.MonkeyPatch, seeds: Path) -> None:
    """Seeds that change between the scan and the entries' reading."""
    real = build._candidates

    def candidates(*args: Any) -> Any:
        found = real(*args)
        for name in BROKEN:
            (seeds / name).write_text("no front matter any more\n", encoding="utf-8")
        return found

    monkeypatch.setattr(build, "_candidates", candidates)


@pytest.mark.parametrize("memory_bytes", [None, 2000], ids=["store-in-memory", "store-on-disk"])
def test_the_parallel_paths_write_the_bytes_of_the_serial_ones(
    tmp_path: Path,
    site: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    memory_bytes: int | None,
) -> None:
    seeds, config = site
    originals = {name: (seeds / name).read_bytes() for name in BROKEN}
    with monkeypatch.context() as patch:
        _break_after_scan(patch, seeds)
        serial = build_into(seeds, config, tmp_path / "serial", jobs=1)
    for name, data in originals.items():
        (seeds / name).write_bytes(data)
    taken = _parallel(monkeypatch, memory_bytes)
    _break_after_scan(monkeypatch, seeds)
    parallel = build_into(seeds, config, tmp_path / "parallel", jobs=2)

    assert taken["rows"] == 1 and taken["staged"] == 1
    (found,) = taken["stores"]
    assert found._file._rolled is (memory_bytes is not None)
    assert tree(tmp_path / "parallel") == tree(tmp_path / "serial")
    assert len(tree(tmp_path / "serial")) > 10
    assert parallel.problems == serial.problems
    assert [(p.path, p.message) for p in parallel.problems] == [
        ((seeds / name).as_posix(), "changed while the build ran; left out")
        for name in sorted(BROKEN)
    ]
    assert parallel.feeds == serial.feeds
    assert [f.items for f in parallel.feeds] == [37, 6]  # 40 seeds, 2 left out, 1 a duplicate


def _change_every_seed(seeds: Path) -> None:
    for path in seeds.iterdir():
        text = path.read_text("utf-8")
        path.write_text(text.replace("title: ", "title: Changed ", 1), encoding="utf-8")


def _built_then_changed(site: tuple[Path, Path], out: Path) -> tuple[Any, Any]:
    """`out` built (serially), then every seed changed: out/'s files and mtimes before."""
    seeds, config = site
    build_into(seeds, config, out, jobs=1)
    before = tree(out), mtimes(out)
    _change_every_seed(seeds)
    return before


@pytest.mark.parametrize("how", ["fails", "is killed"])
def test_a_failing_worker_leaves_out_as_it_was(
    tmp_path: Path, site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    seeds, config = site
    out = tmp_path / "out"
    before, stamps = _built_then_changed(site, out)
    taken = _parallel(monkeypatch)
    parent, real = os.getpid(), output._stage

    def failing_stage(target: Path, data: output.Content) -> Path:
        if target == out / "all" / "atom.xml" and os.getpid() != parent:  # in a worker only
            if how == "is killed":
                os._exit(9)
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(target, data)

    monkeypatch.setattr(output, "_stage", failing_stage)
    with pytest.raises(OutputError) as caught:
        build_into(seeds, config, out, jobs=2)

    shown = out.as_posix()
    assert (
        str(caught.value)
        == {
            "fails": f"cannot write {shown}/all/atom.xml: No space left on device;"
            f" {shown}/ was left as it was",
            "is killed": f"cannot write {shown}/: a process writing its files ended unexpectedly;"
            f" {shown}/ was left as it was",
        }[how]
    )
    assert taken["staged"] == 1
    assert (tree(out), mtimes(out)) == (before, stamps)
    assert leftovers(out) == []

    monkeypatch.setattr(output, "_stage", real)
    build_into(seeds, config, out, jobs=2)
    assert b"Changed " in (out / "all" / "atom.xml").read_bytes()
    assert taken["staged"] == 2


@pytest.mark.parametrize("jobs", [1, 2], ids=["serial", "forked"])
def test_every_staged_file_is_on_disk_before_the_journal_is_written(
    tmp_path: Path, site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """Staging no longer waits for each file's fsync (syncing.py): the flushes run in threads
    of the build's process, and every one has ended before the journal names the files."""
    seeds, config = site
    taken = _parallel(monkeypatch)
    synced: list[str] = []
    real_sync, real_journal = syncing.sync_file, output._write_journal

    def sync_file(path: Path, mode: int) -> None:
        real_sync(path, mode)
        synced.append(os.fspath(path))  # (list.append holds the GIL: safe from threads)

    def write_journal(out: Path, entries: list[Any], folders: Any) -> None:
        staged = [os.fspath(out / temp) for _, temp, _ in entries if temp is not None]
        assert staged and sorted(staged) == sorted(synced)
        real_journal(out, entries, folders)

    monkeypatch.setattr(syncing, "sync_file", sync_file)
    monkeypatch.setattr(output, "_write_journal", write_journal)
    build_into(seeds, config, tmp_path / "out", jobs=jobs)
    assert taken["staged"] == jobs - 1
    assert len(synced) == len(tree(tmp_path / "out"))  # every file, the manifest too


@pytest.mark.parametrize("jobs", [1, 2], ids=["serial", "forked"])
def test_a_file_that_cannot_be_flushed_to_disk_leaves_out_as_it_was(
    tmp_path: Path, site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    seeds, config = site
    out = tmp_path / "out"
    before, stamps = _built_then_changed(site, out)
    _parallel(monkeypatch)
    real = syncing.sync_file

    def failing_sync(path: Path, mode: int) -> None:
        if path.name.startswith(".feed.json.") and path.parent.name == "recent":
            raise OSError(errno.EIO, "Input/output error")
        real(path, mode)

    monkeypatch.setattr(syncing, "sync_file", failing_sync)
    with pytest.raises(OutputError) as caught:
        build_into(seeds, config, out, jobs=jobs)
    shown = out.as_posix()
    assert str(caught.value) == (
        f"cannot write {shown}/recent/feed.json: Input/output error; {shown}/ was left as it was"
    )
    assert (tree(out), mtimes(out)) == (before, stamps)
    assert leftovers(out) == []


def test_an_interrupted_build_leaves_no_staged_file(
    tmp_path: Path, site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the build waits for a worker: that worker still stages its file, which
    is removed with the others; out/ is as it was."""
    seeds, config = site
    out = tmp_path / "out"
    before, stamps = _built_then_changed(site, out)
    _parallel(monkeypatch)
    real_result = Future.result
    waits: list[object] = []

    def interrupted(future: Future[Any], timeout: float | None = None) -> Any:
        if not waits and output._FORKED:  # the first wait of the build for a staged file
            waits.append(future)
            real_result(future, timeout)  # the worker staged it
            raise KeyboardInterrupt
        return real_result(future, timeout)

    monkeypatch.setattr(Future, "result", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_into(seeds, config, out, jobs=2)
    assert waits
    assert (tree(out), mtimes(out)) == (before, stamps)
    assert leftovers(out) == []


@pytest.mark.parametrize("jobs", [1, 2], ids=["serial", "forked"])
def test_a_umask_without_write_permission_still_stages_every_file(
    tmp_path: Path, site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """Under a umask of 0222 a staged file is created without write permission: its flush
    opens it to read, as a user without root's override may (watched here), and its mode
    comes last."""
    seeds, config = site
    out = tmp_path / "out"
    _built_then_changed(site, out)
    _parallel(monkeypatch)
    reopened: list[str] = []
    real_open = os.open

    def open_as_a_user(path: Any, flags: int, *args: Any) -> int:
        if str(path).endswith(".tmp") and not flags & os.O_CREAT:  # a staged file, again
            reopened.append(str(path))
            writing = flags & (os.O_WRONLY | os.O_RDWR)
            if writing and not Path(path).stat().st_mode & 0o200:
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(syncing.os, "open", open_as_a_user)
    old_mask = os.umask(0o222)
    try:
        report = build_into(seeds, config, out, jobs=jobs)
    finally:
        os.umask(old_mask)
    assert reopened  # the flushes went through the watched open
    assert len(report.written) > 5  # the files of every changed item, each with the mask's mode
    assert {oct((out / name).stat().st_mode & 0o777) for name in report.written} == {"0o444"}
    assert leftovers(out) == []


def test_ctrl_c_between_two_staged_results_leaves_no_staged_file(
    tmp_path: Path, site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the build takes a task's result (not while it waits for one): no task
    begins after it, and what the tasks already begun staged is removed too."""
    seeds, config = site
    out = tmp_path / "out"
    before, stamps = _built_then_changed(site, out)
    _parallel(monkeypatch)
    monkeypatch.setattr(output, "TASK_FILES", 1)  # many tasks: most are still queued
    real_add = syncing.Syncs.add

    def interrupted(self: syncing.Syncs, name: str, path: Path) -> None:
        real_add(self, name, path)
        raise KeyboardInterrupt

    monkeypatch.setattr(syncing.Syncs, "add", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_into(seeds, config, out, jobs=2)
    assert (tree(out), mtimes(out)) == (before, stamps)
    assert leftovers(out) == []


def test_no_process_to_spare_stages_in_the_build_process(
    tmp_path: Path, site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds, config = site
    build_into(seeds, config, tmp_path / "serial", jobs=1)
    taken = _parallel(monkeypatch)

    real_submit = ProcessPoolExecutor.submit

    def no_fork(pool: ProcessPoolExecutor, work: Any, *args: Any) -> Any:
        if work is output._stage_task:
            raise OSError(errno.EAGAIN, "Resource temporarily unavailable")
        return real_submit(pool, work, *args)

    monkeypatch.setattr(ProcessPoolExecutor, "submit", no_fork)
    build_into(seeds, config, tmp_path / "parallel", jobs=2)
    assert taken["staged"] == 1
    assert tree(tmp_path / "parallel") == tree(tmp_path / "serial")
    assert leftovers(tmp_path / "parallel") == []


def test_a_cold_build_prepares_its_rendering_while_workers_read_the_seeds(
    tmp_path: Path, site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build's process would only wait for the workers: it imports the writers and
    compiles the pages' templates meanwhile (build.py's _preparing), once they are started."""
    from syndicate.render import pages

    seeds, config = site
    monkeypatch.setattr(reading, "PARALLEL_MIN_SEEDS", 0)
    monkeypatch.setattr(reading, "CHUNK", 3)
    workers_then: list[int] = []
    compiled: set[str] = set()
    real_prepare = pages.prepare

    def prepare() -> None:
        workers_then.append(len(multiprocessing.active_children()))
        real_prepare()
        compiled.update(name for _, name in pages._environment().cache)  # (loader, name) keys

    monkeypatch.setattr(pages, "prepare", prepare)
    pages._environment.cache_clear()  # nothing compiled by an earlier test
    pages._style.cache_clear()
    parallel = build_into(seeds, config, tmp_path / "parallel", jobs=2)
    assert workers_then == [2]
    templates = resources.files("syndicate.render").joinpath("templates").iterdir()
    assert compiled == {t.name for t in templates}  # every one a build renders, compiled early
    serial = build_into(seeds, config, tmp_path / "serial", jobs=1)
    assert tree(tmp_path / "parallel") == tree(tmp_path / "serial")
    assert parallel.feeds == serial.feeds


@given(st.integers(0, 3000), st.integers(1, 8))
def test_work_is_cut_into_chunks_that_shrink_toward_the_end(count: int, jobs: int) -> None:
    """Every item once, in order, at most CHUNK at a time; the last chunks small enough that
    the workers end together (reading.chunked)."""
    chunks = reading.chunked(list(range(count)), jobs)
    assert [item for chunk in chunks for item in chunk] == list(range(count))
    assert all(0 < len(chunk) <= reading.CHUNK for chunk in chunks)
    sizes = [len(chunk) for chunk in chunks]
    assert sizes == sorted(sizes, reverse=True)
    if count >= 4 * jobs * reading.CHUNK:
        assert sizes[-1] <= reading.CHUNK // 10  # what is left at the end is a small piece


def test_the_seeds_read_again_end_in_small_chunks() -> None:
    """914 seeds read again (27 feeds of 50) were chunks of 250, 250, 250 and 164: one
    worker read 500 while the other read 414, then waited."""
    sizes = [len(chunk) for chunk in reading.chunked(list(range(914)), 2)]
    assert len(sizes) >= 8 and max(sizes[-2:]) <= reading.CHUNK // 10


def test_a_feeds_files_are_staged_by_one_worker() -> None:
    """A folder's files are one task (a feed's formats and preview pages show the same
    entries), cut at TASK_FILES, the largest tasks first; every file once."""
    names = [
        "ai/rss.xml",
        "ai/atom.xml",
        "ai/feed.json",
        "big/rss.xml",
        *(f"big/page-{n}.html" for n in range(2, 12)),
        "index.html",
        "feeds.opml",
        "ai/index.html",
    ]
    tasks = output._tasks(names)
    assert sorted(index for task in tasks for index in task) == list(range(len(names)))
    assert [[names[index] for index in task] for task in tasks] == [
        ["big/rss.xml", *(f"big/page-{n}.html" for n in range(2, 9))],
        ["ai/rss.xml", "ai/atom.xml", "ai/feed.json", "ai/index.html"],
        ["big/page-9.html", "big/page-10.html", "big/page-11.html"],
        ["index.html", "feeds.opml"],
    ]


def test_a_cold_build_keeps_the_chunks_its_workers_read_as_its_parse_cache(
    tmp_path: Path, site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no parse cache yet, the chunks the workers sent are written as the cache's own (no
    child process encodes every row again), and they load as the rows a serial build writes;
    the next build replays it."""
    seeds, config = site
    folders = {jobs: tmp_path / f"jobs-{jobs}" for jobs in (1, 2)}
    for folder in folders.values():
        folder.mkdir()
        (folder / "feeds.yaml").write_bytes(config.read_bytes())
    monkeypatch.setattr(reading, "PARALLEL_MIN_SEEDS", 0)
    monkeypatch.setattr(reading, "CHUNK", 3)
    saved: list[int] = []
    real_save_frames = cache.SeedCache.save_frames

    def save_frames(self: cache.SeedCache, frames: Any, started_ns: int) -> None:
        saved.append(len(frames))
        real_save_frames(self, frames, started_ns)

    def no_aside(self: aside.Aside, work: Any, what: str) -> None:
        raise AssertionError(f"forked: {what}")

    monkeypatch.setattr(cache.SeedCache, "save_frames", save_frames)
    monkeypatch.setattr(aside.Aside, "start", no_aside)

    def cold_build(jobs: int) -> BuildReport:
        folder = folders[jobs]
        options = BuildOptions(seeds, folder / "feeds.yaml", folder / "out", jobs=jobs)
        return build_feeds(replace(options, use_cache=True))

    reports = {jobs: cold_build(jobs) for jobs in folders}
    assert len(saved) == 1 and saved[0] > 10  # the parallel build's, in many chunks
    key = cache.fingerprint(seeds, reading.DEFAULT_MAX_SEED_BYTES)
    rows = {}
    for jobs, folder in folders.items():
        found = cache.SeedCache(folder / ".syndicate-cache", key).load()
        rows[jobs] = {name: scan.row() for name, scan in found.items()}
    assert len(rows[1]) == 40 and rows[2] == rows[1]
    assert tree(folders[2] / "out") == tree(folders[1] / "out")
    again = cold_build(2)  # now a rebuild: nothing changed
    assert again.written == [] and again.feeds == reports[2].feeds


def test_the_workers_that_read_the_seeds_read_the_chosen_ones_again(
    tmp_path: Path, site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One pool of worker processes a cold build: no second fork, and workers already warm."""
    seeds, config = site
    taken = _parallel(monkeypatch)
    monkeypatch.setattr(reading, "PARALLEL_MIN_SEEDS", 0)
    pools: list[Any] = []
    real_init = ProcessPoolExecutor.__init__

    def init(pool: ProcessPoolExecutor, *args: Any, **kwargs: Any) -> None:
        pools.append(kwargs.get("initializer"))
        real_init(pool, *args, **kwargs)

    monkeypatch.setattr(ProcessPoolExecutor, "__init__", init)
    parallel = build_into(seeds, config, tmp_path / "parallel", jobs=2)
    assert pools == [reading._worker_start, output._staging_start]
    assert taken["rows"] == 1  # the chosen seeds read in workers
    serial = build_into(seeds, config, tmp_path / "serial", jobs=1)
    assert tree(tmp_path / "parallel") == tree(tmp_path / "serial")
    assert parallel.problems == serial.problems


@pytest.mark.parametrize("use_cache", [False, True])
def test_the_workers_chunks_are_kept_only_for_a_parse_cache_to_write(
    tmp_path: Path, site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, use_cache: bool
) -> None:
    """A build without the cache (`--no-cache`, `check`) keeps none of them (at 100,000 seeds
    they are 20 MB); a rebuild over a cache does not either (its rows are not all read)."""
    seeds, config = site
    monkeypatch.setattr(reading, "PARALLEL_MIN_SEEDS", 0)
    kept: list[bool] = []
    real_scan_all = reading.scan_all

    def scan_all(*args: Any) -> Any:
        kept.append(args[-1] is not None)  # `frames`
        return real_scan_all(*args)

    monkeypatch.setattr(reading, "scan_all", scan_all)
    options = BuildOptions(seeds, config, tmp_path / "out", jobs=2, use_cache=use_cache)
    build_feeds(options)
    (seeds / "000.txt").write_text("no front matter any more\n", encoding="utf-8")
    build_feeds(options)
    assert kept == ([True, False] if use_cache else [False, False])


def test_the_workers_chunks_are_encoded_as_the_parse_cache_encodes() -> None:
    """A first build writes its workers' chunks as the cache's own: the same marshal version."""
    rows = [("a.txt", 3, 4, 5, b"digest", ("https://e.com/", 1, 2, True, frozenset({"ai"})), ())]
    assert cache.encode(rows) == marshal.dumps(rows, reading.MARSHAL_VERSION)


def test_a_reading_worker_that_is_killed_ends_the_build_with_an_error(
    tmp_path: Path, site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No traceback: the build stops (exit status 2), says why, and writes nothing."""
    seeds, config = site
    monkeypatch.setattr(reading, "PARALLEL_MIN_SEEDS", 0)
    monkeypatch.setattr(reading, "CHUNK", 3)
    parent, real = os.getpid(), reading._scan_row

    def killed(file: Any, *args: Any) -> Any:
        if file.name == "017.txt" and os.getpid() != parent:
            os._exit(9)
        return real(file, *args)

    monkeypatch.setattr(reading, "_scan_row", killed)
    with pytest.raises(SyndicateError) as caught:
        build_into(seeds, config, tmp_path / "out", jobs=2)
    assert caught.value.exit_code == 2
    assert str(caught.value) == (
        "a process reading the seeds ended before its work was done (was it killed, or out of"
        " memory?); nothing was written"
    )
    assert not (tmp_path / "out").exists()
