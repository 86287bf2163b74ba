"""A build with an unbounded feed (`limit: 0`, or archived) keeps the entry row the scan made
of each seed (EntryStore.stash) instead of reading the chosen seeds again: the same bytes and
the same report as reading them again; a seed changed since the scan, or answered from the
parse cache, is read again; a build of bounded feeds makes no rows."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from syndicate import build
from syndicate.render import store
from syndicate.run import BuildReport
from syndicate.seeds import reading

from badinput import tree
from conftest import (
    build_into,
    edit_keeping_size_and_mtime,
    make_corpus,
    seed_text,
    write_seed,
)

SITE = """\
site:
  title: "Scanned"
  base_url: "https://example.org/feeds/"
feeds:
"""
UNBOUNDED = """\
  - id: all
    title: "Everything"
    limit: 0
    published_only: false
  - id: recent
    title: "Recent"
    limit: 7
"""
ARCHIVED = """\
  - id: kept
    title: "Archived"
    limit: 5
    archive: true
    published_only: false
"""
BOUNDED = """\
  - id: recent
    title: "Recent"
    limit: 7
  - id: more
    title: "More"
    limit: 50
"""
SEEDS = 40
CHANGED = "017.txt"  # changed after the scan, before the entries are read


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """40 generated seeds, one with warnings (dropped fields), one rejected."""
    folder = make_corpus(tmp_path / "seeds", SEEDS, seed=5)
    for index, path in enumerate(sorted(folder.iterdir())):
        path.rename(folder / f"{index:03d}.txt")
    warned = seed_text(
        "Warned", "https://example.com/warned", ampWebUrl="file:///etc/passwd", quality="90"
    )
    write_seed(folder, "050.txt", warned)
    write_seed(folder, "051.txt", "no front matter\n")
    return folder


def _config(tmp_path: Path, feeds: str) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(SITE + feeds, encoding="utf-8")
    return path


class Watch:
    """What a build stashed and which chosen seeds it read again."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, stashing: bool = True) -> None:
        self.rows_made = 0
        self.stashed: list[str] = []
        self.read_again: list[str] = []
        real_rows, real_stash = store.entry_rows, store.EntryStore.stash
        real_entry_row = reading._entry_row

        def entry_rows(seeds_dir: Path, names: list[str], *args: Any) -> Any:
            self.read_again.extend(names)
            return real_rows(seeds_dir, names, *args)

        def stash(found: store.EntryStore, name: str, *args: Any) -> None:
            self.stashed.append(name)
            real_stash(found, name, *args)

        def entry_row(seed: Any) -> Any:
            self.rows_made += 1  # in this process only (serial scans)
            return real_entry_row(seed)

        monkeypatch.setattr(store, "entry_rows", entry_rows)
        monkeypatch.setattr(store.EntryStore, "stash", stash)
        monkeypatch.setattr(reading, "_entry_row", entry_row)
        if not stashing:
            monkeypatch.setattr(build, "_scanned_entries", lambda config: None)


def _in_workers(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The scan in worker processes however few the seeds; the work functions given them."""
    works: list[Any] = []
    real = reading.in_workers

    def in_workers(work: Any, *args: Any, **kwargs: Any) -> Any:
        works.append(work)
        return real(work, *args, **kwargs)

    monkeypatch.setattr(reading, "PARALLEL_MIN_SEEDS", 0)
    monkeypatch.setattr(reading, "CHUNK", 3)  # many chunks, results put back in order
    monkeypatch.setattr(reading, "in_workers", in_workers)
    return works


def _change_after_scan(monkeypatch: pytest.MonkeyPatch, seeds: Path, how: str) -> bytes:
    """CHANGED gets another title between the scan and the entries: longer, or of the same
    size with another mtime. The title's new start."""
    real = build._candidates
    path = seeds / CHANGED
    data = path.read_bytes()
    at = data.index(b'title: "') + len(b'title: "')
    if how == "size":
        changed = data[:at] + b"Changed " + data[at:]
    else:
        assert data[at] < 128 and data[at] != ord("X")
        changed = data[:at] + b"X" + data[at + 1 :]

    def candidates(*args: Any) -> Any:
        found = real(*args)
        before = path.stat()
        path.write_bytes(changed)
        if how == "mtime":
            assert path.stat().st_size == before.st_size
            os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
        return found

    monkeypatch.setattr(build, "_candidates", candidates)
    return changed[at : at + 10]


def _same(a: BuildReport, b: BuildReport) -> None:
    assert a.problems == b.problems
    assert a.feeds == b.feeds
    assert (a.seeds_read, a.seeds_rejected) == (b.seeds_read, b.seeds_rejected)
    assert a.written == b.written


@pytest.mark.parametrize("feeds", [UNBOUNDED, ARCHIVED], ids=["limit-0", "archive"])
@pytest.mark.parametrize("jobs", [1, 2], ids=["serial", "parallel"])
def test_stashed_rows_give_the_bytes_of_reading_again(
    tmp_path: Path, seeds: Path, monkeypatch: pytest.MonkeyPatch, feeds: str, jobs: int
) -> None:
    config = _config(tmp_path, feeds)
    with monkeypatch.context() as patch:
        plain = Watch(patch, stashing=False)
        again = build_into(seeds, config, tmp_path / "again", jobs=1)
    works = _in_workers(monkeypatch) if jobs > 1 else []
    watch = Watch(monkeypatch)
    stashed = build_into(seeds, config, tmp_path / "stashed", jobs=jobs)

    assert plain.stashed == [] and len(plain.read_again) >= SEEDS
    assert sorted(watch.stashed) == sorted([f"{i:03d}.txt" for i in range(SEEDS)] + ["050.txt"])
    assert watch.read_again == []  # every chosen seed's row came from the scan
    if jobs > 1:
        assert works == [reading._scan_chunk_with_entries]
        assert watch.rows_made == 0  # made in the workers
    else:
        assert watch.rows_made == SEEDS + 1
    assert tree(tmp_path / "stashed") == tree(tmp_path / "again")
    assert len(tree(tmp_path / "again")) > 10
    _same(stashed, again)
    assert any("dropped ampWebUrl" in p.message for p in stashed.problems)


@pytest.mark.parametrize("how", ["size", "mtime"])
@pytest.mark.parametrize("jobs", [1, 2], ids=["serial", "parallel"])
def test_a_seed_changed_since_the_scan_is_read_again(
    tmp_path: Path, seeds: Path, monkeypatch: pytest.MonkeyPatch, how: str, jobs: int
) -> None:
    config = _config(tmp_path, UNBOUNDED)
    original = (seeds / CHANGED).read_bytes()
    with monkeypatch.context() as patch:
        Watch(patch, stashing=False)
        _change_after_scan(patch, seeds, how)
        again = build_into(seeds, config, tmp_path / "again", jobs=1)
    (seeds / CHANGED).write_bytes(original)
    if jobs > 1:
        _in_workers(monkeypatch)
    watch = Watch(monkeypatch)
    title = _change_after_scan(monkeypatch, seeds, how)
    stashed = build_into(seeds, config, tmp_path / "stashed", jobs=jobs)

    assert CHANGED in watch.stashed
    assert watch.read_again == [CHANGED]
    out = tree(tmp_path / "stashed")
    assert title in out["all/feed.json"]
    assert out == tree(tmp_path / "again")
    _same(stashed, again)


def test_a_seed_gone_since_the_scan_is_left_out_as_before(
    tmp_path: Path, seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(tmp_path, UNBOUNDED)
    real = build._candidates

    def candidates(*args: Any) -> Any:
        found = real(*args)
        (seeds / CHANGED).write_text("no front matter any more\n", encoding="utf-8")
        return found

    monkeypatch.setattr(build, "_candidates", candidates)
    watch = Watch(monkeypatch)
    report = build_into(seeds, config, tmp_path / "out", jobs=1)

    assert watch.read_again == [CHANGED]
    left_out = [p for p in report.problems if p.message == "changed while the build ran; left out"]
    assert [p.path for p in left_out] == [(seeds / CHANGED).as_posix()]


def test_parse_cache_hits_are_read_again(
    tmp_path: Path, seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A seed the parse cache answers was not parsed, so it has no row: its entry is read
    again; a seed edited since the cache was written is parsed, and its row kept."""
    config = _config(tmp_path, UNBOUNDED)
    with monkeypatch.context() as patch:
        plain = Watch(patch, stashing=False)
        build_into(seeds, config, tmp_path / "first", jobs=1, use_cache=True)
    path = seeds / CHANGED
    path.write_text(path.read_text("utf-8").replace("title: ", "title: Edited ", 1), "utf-8")
    config.write_text(config.read_text("utf-8") + "# another config: no replay\n", "utf-8")
    watch = Watch(monkeypatch)
    cached = build_into(seeds, config, tmp_path / "cached", jobs=1, use_cache=True)
    monkeypatch.undo()
    fresh = build_into(seeds, config, tmp_path / "fresh", jobs=1)

    assert watch.stashed == [CHANGED]
    assert CHANGED in plain.read_again
    assert watch.read_again == [name for name in plain.read_again if name != CHANGED]
    assert tree(tmp_path / "cached") == tree(tmp_path / "fresh")
    _same(cached, fresh)


@pytest.mark.parametrize("jobs", [1, 2], ids=["serial", "parallel"])
def test_bounded_feeds_make_no_rows(
    tmp_path: Path, seeds: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    config = _config(tmp_path, BOUNDED)
    works = _in_workers(monkeypatch) if jobs > 1 else []
    watch = Watch(monkeypatch)
    build_into(seeds, config, tmp_path / "out", jobs=jobs)

    assert watch.rows_made == 0 and watch.stashed == []
    assert len(watch.read_again) > 7  # the chosen seeds, read again
    if jobs > 1:
        assert works[0] is reading._scan_chunk


def test_which_configs_stash(tmp_path: Path) -> None:
    from syndicate.config import load

    def stashes(feeds: str) -> bool:
        return build._scanned_entries(load(_config(tmp_path, feeds))) is not None

    assert stashes(UNBOUNDED) and stashes(ARCHIVED)
    assert not stashes(BOUNDED)


def _entry_rows(folder: Path, names: tuple[str, ...]) -> dict[str, tuple[Any, ...]]:
    """A seed of each name written in `folder`, and the entry row of each."""
    rows = {}
    for name in names:
        path = write_seed(folder, name, seed_text(name, f"https://example.com/{name}"))
        loaded = reading.read(reading.SeedFile(path.as_posix(), name, name))
        assert loaded.seed is not None
        rows[name] = reading._entry_row(loaded.seed)
    return rows


def test_keep_scanned_keeps_unchanged_files_only(tmp_path: Path) -> None:
    found = store.EntryStore()
    rows = _entry_rows(tmp_path, ("a.txt", "b.txt", "c.txt", "e.txt"))
    for name, row in rows.items():
        info = (tmp_path / name).stat()
        found.stash(name, row, (info.st_size, info.st_mtime_ns, info.st_ctime_ns))
    assert len(found) == 0 and "a.txt" not in found  # stashed rows are no entries yet
    (tmp_path / "b.txt").write_text("changed\n", encoding="utf-8")
    edit_keeping_size_and_mtime(tmp_path / "e.txt", 'title: "e', 'title: "E')

    again = found.keep_scanned(tmp_path, ["a.txt", "b.txt", "d.txt", "e.txt"])

    assert again == ["b.txt", "d.txt", "e.txt"]
    assert found.names() == ["a.txt"] and found.row("a.txt") == rows["a.txt"]
    assert found.keep_scanned(tmp_path, ["c.txt"]) == ["c.txt"]  # unchosen rows were dropped


def test_entries_read_again_soon_are_the_ones_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed's entries are read by each format and by its preview pages: the last RECENT
    read are kept as objects (frozen), a row added again replaces its entry, and no more than
    RECENT are ever kept (a feed of 100,000 items stays out of memory)."""
    monkeypatch.setattr(store, "RECENT", 3)
    found = store.EntryStore()
    rows = _entry_rows(tmp_path, ("a.txt", "b.txt", "c.txt", "d.txt"))
    for name, row in rows.items():
        found.add_row(name, row)
    first = found.get("a.txt")
    assert found.get("a.txt") is first and first.row() == rows["a.txt"]
    found.add_row("a.txt", rows["b.txt"])  # the same name, another row
    assert found.get("a.txt") is not first and found.get("a.txt").row() == rows["b.txt"]
    for name in ("b.txt", "c.txt", "d.txt"):
        assert found.get(name).row() == rows[name]
        assert len(found._recent) <= store.RECENT
    assert found.get("a.txt").row() == rows["b.txt"]  # read from its row again
