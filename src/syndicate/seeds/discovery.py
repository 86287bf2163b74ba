"""Find the seed files below the seeds folder: sorted, hidden ones and READMEs skipped, links
checked."""

from __future__ import annotations

import errno
import gc
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from syndicate.errors import Problem

SEED_SUFFIXES = (".txt", ".md", ".yaml", ".yml")
DEFAULT_MAX_SEED_BYTES = 1024 * 1024
# From this many seeds, reading starts worker processes (below, they cost more than they save).
PARALLEL_MIN_SEEDS = 2000
# README.md, readme.txt...: notes for the people who add seeds (`syndicate init` writes one),
# never a seed. Any folder; any case.
README = "readme."


Stat = tuple[int, int, int]  # a file's (size, mtime_ns, ctime_ns)


class SeedFile(NamedTuple):  # a tuple: made 100,000 times per build, and read by index
    location: str | Path  # where to read it
    name: str  # relative POSIX path inside the seeds folder: the tie-break key
    shown: str  # how problems name it
    size: int = -1  # as seen when discovered (-1: unknown)
    mtime_ns: int = -1
    # An edit that sets the mtime back (touch -r, cp -p, an archive's stored times) still
    # moves the ctime, which no tool sets: stats are compared with both.
    ctime_ns: int = -1

    def stat(self) -> Stat:
        return (self.size, self.mtime_ns, self.ctime_ns)


def discover(root: Path, with_stats: bool = True) -> tuple[list[SeedFile], list[Problem]]:
    """Seed files below `root`, sorted by relative path; hidden files and folders are skipped,
    and so are README files (README.md, readme.txt...).

    Folder links are not followed; a file link is read only when it points inside `root`.
    Each file's size, mtime and ctime are taken on the way (the parse cache and the build memo
    compare them), unless `with_stats` is False: a build with neither has no use for them before it
    reads the files (a stat costs 4-5 us here: half of discovering 100,000 files).
    """
    files: list[SeedFile] = []
    problems: list[Problem] = []
    real_root = root.resolve()
    shown_prefix = _shown_prefix(root)
    pending = [("", os.fspath(root))]
    while pending:
        prefix, folder = pending.pop()
        try:
            _walk(
                folder, prefix, root, real_root, shown_prefix, with_stats, files, pending, problems
            )
        except OSError as exc:  # the folder cannot be listed (or stops being listable)
            shown = _shown(root, prefix.rstrip("/")) if prefix else root.as_posix()
            problems.append(_os_problem(shown, exc, "folder"))
    files.sort(key=attrgetter("name"))
    problems.sort(key=attrgetter("path"))
    return files, problems


def seed_files(
    root: Path,
    names: Iterable[str],
    sizes: Iterable[int],
    mtimes_ns: Iterable[int],
    ctimes_ns: Iterable[int],
) -> list[SeedFile]:
    """The SeedFiles `discover(root)` makes for the seed files `names` (relative POSIX paths)
    with those sizes, mtimes and ctimes."""
    base, shown_prefix = os.fspath(root), _shown_prefix(root)
    files = []
    for name, size, mtime_ns, ctime_ns in zip(names, sizes, mtimes_ns, ctimes_ns, strict=True):
        location = os.path.join(base, name)  # noqa: PTH118 (as os.scandir makes entry paths)
        shown = shown_prefix + name
        shown = location if shown == location else shown
        files.append(SeedFile(location, name, shown, size, mtime_ns, ctime_ns))
    return files


def _walk(
    folder: str,
    prefix: str,
    root: Path,
    real_root: Path,
    shown_prefix: str,
    with_stats: bool,
    files: list[SeedFile],
    pending: list[tuple[str, str]],
    problems: list[Problem],
) -> None:
    """One folder of `discover`: its seed files to `files`, its folders to `pending`."""
    with os.scandir(folder) as entries:
        for item in entries:  # a plain loop, no call per file: this runs 100,000 times
            name = item.name
            if name[0] == ".":
                continue
            rel = prefix + name if prefix else name
            if item.is_dir(follow_symlinks=False):
                if name.lower().endswith(SEED_SUFFIXES):
                    problems.append(_folder_named_as_seed(root, rel))
                pending.append((rel + "/", item.path))
                continue
            link = item.is_symlink()
            lower = name.lower()
            seed_named = lower.endswith(SEED_SUFFIXES) and not lower.startswith(README)
            if link and _loops(item.path):
                if seed_named:
                    problems.append(_link_loop(root, rel))
                continue
            outside = link and not _inside(Path(item.path), real_root)
            if seed_named:
                if outside:
                    problems.append(_link_outside(root, rel))
                    continue
                # a broken link inside is read, and reported, like any file
                size = mtime_ns = ctime_ns = -1
                if with_stats:
                    try:
                        stat = item.stat()
                        size, mtime_ns, ctime_ns = stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns
                    except OSError:
                        pass
                location = item.path
                shown = shown_prefix + rel
                if shown == location:
                    shown = location
                files.append(SeedFile(location, rel, shown, size, mtime_ns, ctime_ns))
            elif outside and item.is_dir():
                problems.append(_link_outside(root, rel))


def is_seed_name(name: str) -> bool:
    """Whether discovery reads the file at `name` (relative POSIX path) as a seed: a seed file
    ending, not a README, nothing hidden on the way."""
    parts = name.split("/")
    lower = parts[-1].lower()
    if any(part.startswith(".") for part in parts):
        return False
    return lower.endswith(SEED_SUFFIXES) and not lower.startswith(README)


def _loops(path: str) -> bool:
    """Whether the link at `path` leads, through links, back to itself."""
    try:
        os.stat(path)  # noqa: PTH116
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def _os_problem(shown: str, exc: OSError, what: str) -> Problem:
    return Problem(shown, 1, "file", f"cannot read {what}: {exc.strerror or exc}")


def _folder_named_as_seed(root: Path, rel: str) -> Problem:
    return Problem(
        _shown(root, rel),
        1,
        "file",
        "is a folder, not a seed file (its files are read as seeds);"
        " rename it without the seed file ending",
    )


def _link_loop(root: Path, rel: str) -> Problem:
    return Problem(
        _shown(root, rel),
        1,
        "file",
        "symbolic link loop: it leads back to itself through links; not followed",
    )


def _shown_prefix(root: Path) -> str:
    """What `(root / rel).as_posix()` starts with, as a string (cheaper, per file)."""
    return _shown(root, "x")[:-1]


def _inside(path: Path, real_root: Path) -> bool:
    try:
        path.resolve().relative_to(real_root)
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def _shown(root: Path, rel: str) -> str:
    return (root / rel).as_posix()


def _link_outside(root: Path, rel: str) -> Problem:
    return Problem(
        _shown(root, rel),
        1,
        "file",
        "symbolic link points outside the seeds folder; not followed",
        "warning",
    )


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off meanwhile: loading seeds or the cache creates many
    small objects and no cycles, and collecting while it runs costs several times the work.
    What was made meanwhile is then frozen (kept out of later collections: it is kept to the
    end of the build, and a collection that walked it would cost as much again)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
