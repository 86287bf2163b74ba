"""The parse cache never changes the output: after touching, editing (same size, same mtime),
renaming, deleting and adding seeds, a cached build equals an uncached one byte for byte."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from syndicate import build as syndicate_build
from syndicate.build import BuildReport
from syndicate.cli import main
from syndicate.incremental import cache, memo
from syndicate.seeds import discovery, reading

from conftest import GOLDEN, SMALL_CONFIG, build_into, seed_text, write_seed


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(GOLDEN / "escaping" / "seeds", tmp_path / "seeds")
    (tmp_path / "feeds.yaml").write_text(SMALL_CONFIG, encoding="utf-8")
    return tmp_path


def _same_with_and_without_cache(project: Path, tag: str) -> BuildReport:
    seeds, config = project / "seeds", project / "feeds.yaml"
    cached = build_into(seeds, config, project / f"cached-{tag}", use_cache=True)
    plain = build_into(seeds, config, project / f"plain-{tag}")
    assert _tree(project / f"cached-{tag}") == _tree(project / f"plain-{tag}")
    assert [str(p) for p in cached.problems] == [str(p) for p in plain.problems]
    assert (cached.seeds_read, cached.seeds_rejected) == (plain.seeds_read, plain.seeds_rejected)
    return cached


def test_cache_is_written_and_reused(project: Path) -> None:
    _same_with_and_without_cache(project, "first")
    assert (project / cache.CACHE_DIR / cache.CACHE_FILE).is_file()
    _same_with_and_without_cache(project, "again")


def test_a_build_removes_the_caches_of_older_formats(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = project / cache.CACHE_DIR
    folder.mkdir()
    older = [f"seeds-v{cache.FORMAT - 1}.marshal", f"build-v{cache.FORMAT - 1}.marshal"]
    others = [f"seeds-v{cache.FORMAT + 1}.marshal", "notes.marshal"]  # not ours to remove
    for name in [*older, *others]:
        (folder / name).write_bytes(b"old")
    monkeypatch.chdir(project)
    args = ["--seeds", "seeds", "--config", "feeds.yaml", "-q"]
    CliRunner().invoke(main, ["build", "--check", *args])
    assert all((folder / name).exists() for name in older)  # --check writes nothing
    CliRunner().invoke(main, ["build", *args])  # exit 1: a seed of the fixture is broken
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [cache.CACHE_FILE, memo.MEMO_FILE, *others]
    )


def test_touched_edited_renamed_deleted_added(project: Path) -> None:
    seeds = project / "seeds"
    _same_with_and_without_cache(project, "0")
    (seeds / "02_plain.txt").touch()
    _same_with_and_without_cache(project, "touched")
    # an edit that keeps size and mtime: only the digest can tell
    path = seeds / "04_duplicate_high.txt"
    stat = path.stat()
    path.write_text(path.read_text("utf-8").replace("quality: 90", "quality: 91"), "utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    report = _same_with_and_without_cache(project, "edited")
    assert report.seeds_read == 6
    (seeds / "03_duplicate_low.txt").rename(seeds / "99_renamed.txt")
    _same_with_and_without_cache(project, "renamed")
    (seeds / "05_broken.txt").unlink()
    _same_with_and_without_cache(project, "deleted")
    write_seed(seeds, "sub/new.txt", seed_text("New", "https://example.com/new", quality="99"))
    report = _same_with_and_without_cache(project, "added")
    assert report.seeds_rejected == 0 and report.seeds_read == 6


def test_a_no_op_rebuild_reads_no_seed(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seeds = project / "seeds"
    for path in seeds.iterdir():  # older than the cache by more than the racy window
        os.utime(path, (1_000_000_000, 1_000_000_000))
    _same_with_and_without_cache(project, "0")
    scanned: list[str] = []
    real_scan = reading.scan

    def counting_scan(file: discovery.SeedFile, *args: object) -> reading.Scan:
        scanned.append(file.name)
        return real_scan(file, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(reading, "scan", counting_scan)
    build_into(seeds, project / "feeds.yaml", project / "cached-0", use_cache=True)
    assert scanned == []
    (seeds / "02_plain.txt").touch()
    build_into(seeds, project / "feeds.yaml", project / "cached-0", use_cache=True)
    assert scanned == ["02_plain.txt"]


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "bad chunk"])
def test_corrupt_or_foreign_cache_is_ignored(
    project: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    _same_with_and_without_cache(project, "0")
    cache_file = project / cache.CACHE_DIR / cache.CACHE_FILE
    data = cache_file.read_bytes()
    damaged = {
        "garbage": b"not a cache",
        "truncated": data[: len(data) // 2],
        "empty": b"",
        "bad chunk": data[:-3] + b"\xff\xff\xff",
    }[damage]
    cache_file.write_bytes(damaged)
    with caplog.at_level(logging.WARNING):
        _same_with_and_without_cache(project, "corrupt")
    assert "parse cache ignored" in caplog.text
    store = cache.SeedCache(project / cache.CACHE_DIR, "another version")
    store.save({}, 0)
    _same_with_and_without_cache(project, "foreign")


def test_a_flipped_bit_anywhere_in_the_parse_cache_never_changes_the_output(
    project: Path,
) -> None:
    """A damaged byte of a row (a date a year off, a quality) is found by the frame's
    checksum: the cache is ignored, never read as another value."""
    _age_seeds(project)
    _same_with_and_without_cache(project, "0")
    folder = project / cache.CACHE_DIR
    data = (folder / cache.CACHE_FILE).read_bytes()
    for n, at in enumerate(range(12, len(data), max(len(data) // 25, 1))):
        damaged = bytearray(data)
        damaged[at] ^= 1 << (n % 8)
        (folder / cache.CACHE_FILE).write_bytes(bytes(damaged))
        (folder / memo.MEMO_FILE).unlink(missing_ok=True)  # else the build replays the memo
        _same_with_and_without_cache(project, f"flip-{at}")
        (folder / cache.CACHE_FILE).write_bytes(data)


def _age_seeds(project: Path) -> None:
    for path in (project / "seeds").rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))


def test_a_no_op_rebuild_replays_the_last_report(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _age_seeds(project)
    seeds, config, out = project / "seeds", project / "feeds.yaml", project / "out"
    first = build_into(seeds, config, out, use_cache=True)
    assert first.written

    def no_render(*args: object) -> None:
        raise AssertionError("a no-op rebuild must not render")

    monkeypatch.setattr(syndicate_build, "render", no_render)
    again = build_into(seeds, config, out, use_cache=True)
    assert [str(p) for p in again.problems] == [str(p) for p in first.problems]
    assert again.feeds == first.feeds
    assert (again.seeds_read, again.seeds_rejected) == (first.seeds_read, first.seeds_rejected)
    assert again.written == [] and sorted(again.unchanged) == sorted(first.written)
    assert again.exit_code == first.exit_code == 1  # 05_broken.txt is rejected either way


@pytest.mark.parametrize("change", ["seed", "out", "config", "new seed"])
def test_any_change_means_a_real_build(project: Path, change: str) -> None:
    _age_seeds(project)
    seeds, config, out = project / "seeds", project / "feeds.yaml", project / "out"
    build_into(seeds, config, out, use_cache=True)
    if change == "seed":
        path = seeds / "02_plain.txt"
        path.write_text(path.read_text("utf-8").replace("Minimal", "Tiny"), "utf-8")
    elif change == "out":
        (out / "all" / "rss.xml").write_text("broken", "utf-8")
    elif change == "config":
        config.write_text(SMALL_CONFIG.replace("Everything", "All of it"), "utf-8")
    else:
        write_seed(seeds, "07_new.txt", seed_text("New", "https://example.com/new"))
    cached = build_into(seeds, config, out, use_cache=True)
    assert cached.written
    build_into(seeds, config, project / "plain")
    assert _tree(out) == _tree(project / "plain")


def test_cache_clear_removes_the_parse_cache_and_the_memo(project: Path) -> None:
    seeds, config = project / "seeds", project / "feeds.yaml"
    build_into(seeds, config, project / "out", use_cache=True)
    folder = project / cache.CACHE_DIR
    assert sorted(p.name for p in folder.glob("*.marshal")) == [
        memo.MEMO_FILE,
        cache.CACHE_FILE,
    ]
    result = CliRunner().invoke(main, ["cache", "clear", "--config", str(config)])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"removed {folder / memo.MEMO_FILE}",
        f"removed {folder / cache.CACHE_FILE}",
    ]
    assert list(folder.glob("*.marshal")) == []
    again = CliRunner().invoke(main, ["cache", "clear", "--config", str(config)])
    assert again.stdout == f"no cache in {folder}\n"


@pytest.mark.parametrize(
    ("journal", "at", "warning"),
    [
        # the incremental build reads the changed seeds' rows, then the full build it falls
        # back on reads them all
        (False, 0.5, "corrupt parse cache ignored"),
        (True, -2, "parse cache update cut short"),  # in the last journal entry
    ],
    ids=["chunk", "journal"],
)
def test_a_damaged_cache_is_told_once_a_build(
    project: Path, caplog: pytest.LogCaptureFixture, journal: bool, at: float, warning: str
) -> None:
    """However many times a build reads the parse cache, each warning is given once."""
    _age_seeds(project)
    seeds, config, out = project / "seeds", project / "feeds.yaml", project / "out"
    build_into(seeds, config, out, use_cache=True)
    if journal:
        write_seed(seeds, "new.txt", seed_text(title="New"))
        build_into(seeds, config, out, use_cache=True)  # a journal entry for new.txt
    cache_file = project / cache.CACHE_DIR / cache.CACHE_FILE
    stat, data = cache_file.stat(), bytearray(cache_file.read_bytes())
    data[int(len(data) * at) if at > 0 else int(at)] ^= 0xFF
    cache_file.write_bytes(bytes(data))
    os.utime(cache_file, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # as the memo knows it
    write_seed(seeds, "newer.txt", seed_text(title="Newer"))
    with caplog.at_level(logging.WARNING):
        cached = build_into(seeds, config, out, use_cache=True)
    assert caplog.text.count(warning) == 1
    plain = build_into(seeds, config, project / "plain")
    assert _tree(out) == _tree(project / "plain")
    assert [str(p) for p in cached.problems] == [str(p) for p in plain.problems]
