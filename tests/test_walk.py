"""A rebuild's walk of a large seeds folder in a forked child (incremental/walk.py): it finds
what discovery finds in place, files, stats and problems; the build's preparing steps stop
when the child is done; a child that fails, or no fork, means the walk is done in place; and
builds that walk aside write and report what builds that do not walk aside do."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from syndicate.build import BuildReport
from syndicate.incremental import aside, memo, walk
from syndicate.seeds import discovery

from conftest import build_into, seed_text, write_seed

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")


def _tree(root: Path) -> None:
    """Seeds in nested folders, with what discovery skips or reports beside them."""
    for name in ("a.md", "b/c.txt", "b/d/e.yaml", "z z.yml", "b/README.md", ".hidden.md"):
        write_seed(root.parent, f"{root.name}/{name}", seed_text(name, "https://example.com/"))
    (root / "folder.md").mkdir()  # a folder named as a seed: a problem
    (root / "notes.pdf").write_bytes(b"not a seed")
    outside = root.parent / "outside.md"
    outside.write_text("---\n---\n")
    (root / "link-out.md").symlink_to(outside)  # a link outside the seeds: a warning
    (root / "link-in.md").symlink_to(root / "a.md")  # a link inside: read


def _roots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The seeds folder as it may be given: relative, absolute, `.`."""
    seeds = tmp_path / "seeds"
    _tree(seeds)
    monkeypatch.chdir(tmp_path)
    yield Path("seeds")
    yield seeds
    monkeypatch.chdir(seeds)
    yield Path()


def test_a_listing_gives_the_seed_files_discovery_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for root in _roots(tmp_path, monkeypatch):
        files, problems = discovery.discover(root)
        listing = walk._listing(root, walk._listed(root, ()), ())
        assert listing is not None
        assert listing.files() == files
        assert [str(p) for p in listing.problems] == [str(p) for p in problems]
        assert len(problems) == 2
        assert [listing.file_of(f.name) for f in files] == files
        assert listing.file_of("b/missing.md") is None
        assert listing.file_of("zzz.md") is None


def test_names_the_last_build_saw_are_not_sent_again(tmp_path: Path) -> None:
    root = tmp_path / "seeds"
    _tree(root)
    files, _ = discovery.discover(root)
    last = memo.Seen.of(files)
    same = walk._listed(root, last.names)
    other = walk._listed(root, ("a.md",))
    assert len(same) < len(other)
    for data, names in ((same, last.names), (other, ("a.md",))):
        listing = walk._listing(root, data, names)
        assert listing is not None and listing.seen == last and listing.files() == files


@needs_fork
def test_the_steps_are_taken_until_the_child_is_done(tmp_path: Path) -> None:
    root = tmp_path / "seeds"
    _tree(root)
    files, problems = discovery.discover(root)
    taken: list[int] = []
    listing = walk.discover_while(root, map(taken.append, itertools.count()), memo.Seen((), b""))
    assert listing is not None  # an endless iterable of steps: stopped by the child's end
    assert listing.files() == files and len(listing.problems) == len(problems)
    assert taken  # (the child takes at least a fork's time)
    finite = walk.discover_while(root, iter([None]), memo.Seen.of(files))
    assert finite is not None and finite.files() == files


@needs_fork
def test_a_child_that_fails_means_no_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def failing(root: Path, with_stats: bool = True) -> object:
        raise RuntimeError("the walk failed")

    monkeypatch.setattr(discovery, "discover", failing)
    assert walk.discover_while(tmp_path, [None], memo.Seen((), b"")) is None


def test_without_fork_there_is_no_child(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aside, "can_fork", lambda: False)
    assert aside.compute(lambda: b"") is None
    assert walk.discover_while(tmp_path, [None], memo.Seen((), b"")) is None
    assert not walk.walks_aside(10**9)


def test_only_a_large_seeds_folder_is_walked_aside(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aside, "can_fork", lambda: True)
    assert not walk.walks_aside(walk.WALK_ASIDE_MIN_SEEDS - 1)
    assert walk.walks_aside(walk.WALK_ASIDE_MIN_SEEDS)


@needs_fork
def test_rebuilds_that_walk_aside_equal_rebuilds_that_do_not(
    tmp_path: Path, small_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same edits, rebuilt with the walk aside and in place: the same files and reports;
    the aside one did walk aside and took the preparing steps."""
    listings: list[walk.Listing | None] = []
    real = walk.discover_while

    def recorded(*args: object) -> walk.Listing | None:
        listings.append(real(*args))  # type: ignore[arg-type]
        return listings[-1]

    monkeypatch.setattr(walk, "discover_while", recorded)
    outcomes = {}
    for min_seeds in (0, 10**9):
        monkeypatch.setattr(walk, "WALK_ASIDE_MIN_SEEDS", min_seeds)
        seeds = tmp_path / f"seeds-{min_seeds}"
        for i in range(5):
            write_seed(seeds, f"s{i}.md", seed_text(f"Story {i}", f"https://example.com/{i}"))
        (seeds / "folder.md").mkdir()  # what discovery reports, replayed and rebuilt
        out = tmp_path / f"out-{min_seeds}"
        reports = [build_into(seeds, small_config, out, use_cache=True)]
        for edit in range(6):
            if edit == 0:
                write_seed(seeds, "s0.md", seed_text("Story 0, edited", "https://example.com/0"))
            elif edit == 1:
                (seeds / "folder.md").rmdir()  # only discovery's problems change
            elif edit == 2:
                (seeds / "s1.md").unlink()
            elif edit == 3:
                write_seed(seeds, "sub/new.md", "---\ntitle: [unclosed\n---\n")
            # edit 4 only touches every seed; edit 5 changes nothing (a replay)
            mtime = 10**18 + (edit >= 4) * 1000  # long ago: trusted (no race with the build)
            for path in seeds.rglob("*.md"):
                if path.is_file():
                    os.utime(path, ns=(mtime, mtime))
            reports.append(build_into(seeds, small_config, out, use_cache=True))
        files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.*")}
        outcomes[min_seeds] = (files, [_shown(r, seeds) for r in reports])
    assert outcomes[0] == outcomes[10**9]
    assert len(listings) == 6 and all(listings)  # every rebuild walked aside, none in place


def _shown(report: BuildReport, seeds: Path) -> list[object]:
    return [
        report.seeds_read,
        report.seeds_rejected,
        [str(p).replace(seeds.as_posix(), "SEEDS") for p in report.problems],
        [(f.id, f.items, f.files) for f in report.feeds],
        sorted([*report.written, *report.unchanged]),
    ]


@needs_fork
def test_a_step_that_fails_ends_the_child(tmp_path: Path) -> None:
    root = tmp_path / "seeds"
    _tree(root)
    children = []
    real_compute = aside.compute

    def recorded(work: Callable[[], bytes]) -> aside.Pending | None:
        pending = real_compute(work)
        children.append(pending)
        return pending

    def steps() -> Iterator[None]:
        yield
        raise KeyboardInterrupt

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(aside, "compute", recorded)
        with pytest.raises(KeyboardInterrupt):
            walk.discover_while(root, steps(), memo.Seen((), b""))
    (pending,) = children
    assert pending is not None
    with pytest.raises(ChildProcessError):  # reaped: no child left behind
        os.waitpid(pending._pid, os.WNOHANG)
