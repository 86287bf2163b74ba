"""What the last build left for the next: its memo, in `.syndicate-cache/build-v5.marshal`.

A rebuild that nothing has changed since the last build replays its report: nothing is read,
rendered or written. What a build depends on: syndicate's code, the config's bytes, the
options, the seed files with their sizes, mtimes and ctimes, and the output files it wrote
(the same). Any difference, or a seed mtime too recent to trust (see cache.RACY_NS), means a
build: an incremental one (incremental.py) from the Selection kept here when it can, else a
full one.

The file holds three values, decoded only as far as needed: the head (key, when the build
started, report, outputs, discovery's problems, the parse cache file's stat, and what `check`
reports besides the build's problems), the seed files as seen, and the Selection. `check`
answers from the memo too when nothing changed (review/check_replay.py).
"""

from __future__ import annotations

import hashlib
import logging
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from syndicate.errors import Problem
from syndicate.incremental import cache
from syndicate.seeds.discovery import SeedFile, Stat

log = logging.getLogger(__name__)

NAME, SIZE, MTIME, CTIME = (
    SeedFile._fields.index(f) for f in ("name", "size", "mtime_ns", "ctime_ns")
)

MEMO_FILE = f"build-v{cache.FORMAT}.marshal"
STATS_BLOCK = 4096  # bytes of packed stats compared at once (512 numbers)

Outputs = tuple[tuple[str, int, int, int], ...]  # (name in out/, size, mtime_ns, ctime_ns)
ProblemRows = tuple[tuple[Any, ...], ...]


@dataclass(frozen=True, slots=True)
class Seen:
    """The seed files a build saw: their names in order, then their sizes, mtime_ns and
    ctime_ns packed as signed 64-bit integers (compared, stored and loaded in one piece:
    100,000 seeds)."""

    names: tuple[str, ...]
    stats: bytes  # every size, every mtime_ns, then every ctime_ns, in the order of `names`

    @classmethod
    def of(cls, files: list[SeedFile]) -> Seen:
        numbers = array("q")
        for field in (SIZE, MTIME, CTIME):
            numbers.extend(map(itemgetter(field), files))
        return cls(tuple(map(itemgetter(NAME), files)), numbers.tobytes())

    def sizes(self) -> array[int]:
        return self.numbers()[: len(self.names)]

    def mtimes(self) -> array[int]:
        return self.numbers()[len(self.names) : 2 * len(self.names)]

    def ctimes(self) -> array[int]:
        return self.numbers()[2 * len(self.names) :]

    def numbers(self) -> array[int]:
        """Every size, every mtime_ns, then every ctime_ns."""
        numbers = array("q")
        numbers.frombytes(self.stats)
        return numbers

    def stats_of(self, names: Iterable[str]) -> dict[str, Stat]:
        """(size, mtime_ns, ctime_ns) of each of `names` that was seen."""
        numbers, count = self.numbers(), len(self.names)
        found = {}
        for name in names:
            at = bisect_left(self.names, name)
            if at < count and self.names[at] == name:
                found[name] = (numbers[at], numbers[count + at], numbers[2 * count + at])
        return found

    def differing(self, other: Seen) -> Iterator[int]:
        """Indexes of the files whose size, mtime or ctime differ from `other`'s (same names): the
        packed numbers compared a block at a time, then one by one where a block differs."""
        count, mine, theirs = len(self.names), self.stats, other.stats
        for start in range(0, len(mine), STATS_BLOCK):
            end = start + STATS_BLOCK
            if mine[start:end] != theirs[start:end]:
                for at in range(start, min(end, len(mine)), 8):
                    if mine[at : at + 8] != theirs[at : at + 8]:
                        yield at // 8 % count

    def sharing_names(self, other: Seen) -> Seen:
        """This Seen holding `other`'s names when they are equal: later comparisons of the
        names (100,000 strings) are then identity checks."""
        if self.names is not other.names and self.names == other.names:
            return Seen(other.names, self.stats)
        return self

    def rows(self) -> Iterator[tuple[str, int, int, int]]:
        """(name, size, mtime_ns, ctime_ns) of each file."""
        return zip(self.names, self.sizes(), self.mtimes(), self.ctimes(), strict=True)


@dataclass(frozen=True, slots=True)
class Selection:
    """What the last build chose, for an incremental build to start from."""

    chosen: dict[str, tuple[str, ...]]  # feed id -> its items' seed names, in feed order
    entries: dict[str, tuple[Any, ...]]  # seed name -> Entry.row(), for chosen items (or none)
    seed_problems: dict[str, ProblemRows]  # seed name -> its problems, for seeds that have any
    feed_problems: ProblemRows  # what selection and rendering reported

    def row(self) -> tuple[Any, ...]:
        return (self.chosen, self.entries, self.seed_problems, self.feed_problems)


class MemoReport(NamedTuple):
    """What a replayed build reports (build._memo_report makes it, build._replayed reads it)."""

    seeds_read: int
    seeds_rejected: int
    problems: ProblemRows
    feeds: tuple[tuple[str, int, tuple[str, ...]], ...]  # (id, items, feed files)
    files: tuple[str, ...]  # every file the build wrote or left unchanged, sorted
    hub_topics: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class Memo:
    key: str
    written_ns: int
    report: MemoReport
    outputs: Outputs
    found: ProblemRows  # what discovery reported
    cache_stat: tuple[int, ...] | None  # the parse cache file as the build left it
    seen: Seen
    selection_frame: memoryview | None  # the Selection, decoded only by an incremental build
    # What `check` reports before the build's problems (the config's own warnings); None: not
    # known (a head written without it), so `check` checks again.
    check_problems: ProblemRows | None = None

    def selection(self) -> Selection | None:
        if self.selection_frame is None:
            return None
        try:
            return Selection(*cache.decode(self.selection_frame))
        except (cache.CorruptCacheError, TypeError):
            return None


def key_of(fingerprint: str, config: bytes, settings: str) -> str:
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{fingerprint}\0{settings}\0".encode())
    digest.update(hashlib.blake2b(config).digest())
    return digest.hexdigest()


def rows_of(problems: list[Problem]) -> ProblemRows:
    return tuple(problem.row() for problem in problems)


def load(folder: Path) -> Memo | None:
    frames = cache.read_frames(folder / MEMO_FILE, "build memo")
    try:
        if frames is not None:
            key, written_ns, report, outputs, found, cache_stat, *rest = cache.decode(next(frames))
            seen = Seen(*cache.decode(next(frames)))
            return Memo(
                key,
                written_ns,
                MemoReport(*report),
                outputs,
                found,
                cache_stat,
                seen,
                _next_frame(frames),
                _check_problems(rest),
            )
    except (cache.CorruptCacheError, StopIteration, TypeError, ValueError):
        log.warning("%s: corrupt build memo ignored", folder / MEMO_FILE)
    return None


def _check_problems(rest: list[Any]) -> ProblemRows | None:
    """The head's optional last value; anything else than one tuple: not known."""
    if len(rest) == 1 and isinstance(rest[0], tuple):
        return tuple(rest[0])
    return None


def _next_frame(frames: Iterator[memoryview]) -> memoryview | None:
    try:
        return next(frames, None)
    except cache.CorruptCacheError:
        return None


def holds(memo: Memo, key: str, seen: Seen, found: ProblemRows, out: Path) -> bool:
    """Whether the last build's memo describes this build exactly."""
    if memo.key != key or memo.found != found or memo.seen != seen:
        return False
    if max(seen.mtimes(), default=0) >= memo.written_ns - cache.RACY_NS:
        return False
    return outputs_intact(memo, out)


def outputs_intact(memo: Memo, out: Path) -> bool:
    """Whether every file the last build wrote is as it left it."""
    for name, *as_left in memo.outputs:
        try:
            stat = (out / name).stat()
        except OSError:
            return False
        if [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns] != as_left:
            return False
    return True


def stat_of(path: Path) -> tuple[int, ...] | None:
    """What tells a file rewritten since (every cache write renames a new file into place)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def forget(folder: Path) -> None:
    """Delete the memo: done before a build writes anything, so that a build that fails
    midway leaves no memo to describe a cache or an out/ it did not finish."""
    try:
        (folder / MEMO_FILE).unlink(missing_ok=True)
    except OSError as exc:
        log.warning("%s: build memo not removed (%s)", folder / MEMO_FILE, exc)


def save(
    folder: Path,
    key: str,
    report: MemoReport,
    out: Path,
    names: list[str],
    found: ProblemRows,
    seen: Seen,
    selection: Selection | None,
    started_ns: int,
    check_problems: ProblemRows = (),
) -> None:
    """`started_ns`: when the build started, before it looked at any seed: a seed whose
    mtime is not well before is looked at again by the next build (see cache.RACY_NS).
    `check_problems`: what `check` would report besides the build's problems."""
    outputs = []
    for name in sorted(names):
        try:
            stat = (out / name).stat()
        except OSError:
            return  # something else changed out/ meanwhile: no memo
        outputs.append((name, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns))
    head = (
        key,
        started_ns,
        tuple(report),
        tuple(outputs),
        found,
        stat_of(folder / cache.CACHE_FILE),
        check_problems,
    )
    values = [head, (seen.names, seen.stats), None if selection is None else selection.row()]
    cache.write_marshal(folder / MEMO_FILE, values, "build memo")
