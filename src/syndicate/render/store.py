"""The entries of a build's chosen items, kept out of the Python heap.

A feed with `limit: 0` over 100,000 seeds chooses 100,000 items, and an `Entry` (its rendered
HTML above all) takes a few kilobytes: held as objects, they alone would take hundreds of
megabytes. So each entry is kept as its marshalled row (`Entry.row`) in a spooled temporary
file (in memory while small, on disk beyond `MEMORY_BYTES`), and turned back into an `Entry`
only while a writer writes it. What stays in memory per item: where its row is and its date.
"""

from __future__ import annotations

import marshal
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any, overload

from syndicate.render.entry import Entry, from_seed
from syndicate.seeds import reading
from syndicate.seeds.discovery import SeedFile, Stat

MEMORY_BYTES = 32 * 1024 * 1024  # rows kept in memory up to this size, then in a file
# The entries last read, kept as objects (see EntryStore.get): about a megabyte.
RECENT = 256


class EntryStore:
    """Entries by seed name, written once and read any number of times."""

    def __init__(self, memory_bytes: int | None = None) -> None:
        size = MEMORY_BYTES if memory_bytes is None else memory_bytes
        self._file = tempfile.SpooledTemporaryFile(max_size=size)  # noqa: SIM115
        self._end = 0
        self._unflushed = False
        self._where: dict[
            str, tuple[int, int, datetime, bool]
        ] = {}  # offset, length, date, unpublished
        # Rows the scan made, not yet chosen: name -> (where, the file's stat).
        self._stashed: dict[str, tuple[tuple[int, int, datetime, bool], Stat]] = {}
        self._recent: dict[str, Entry] = {}

    def add(self, name: str, entry: Entry) -> None:
        self._put(name, entry.row(), entry.published, entry.unpublished)

    def add_row(self, name: str, row: tuple[Any, ...]) -> None:
        """Add an entry given as its row (`Entry.row`, as a worker process returns it)."""
        self._put(name, row, datetime.fromisoformat(row[4]), bool(row[9]))

    def stash(self, name: str, row: tuple[Any, ...], stat: Stat) -> None:
        """Keep the row the scan made of a seed whose file had this stat (a build
        with an unbounded feed; seeds/reading.py, `scan_all`): an entry of the store only
        once `keep_scanned` keeps it."""
        self.add_row(name, row)
        self._stashed[name] = (self._where.pop(name), stat)

    def keep_scanned(self, seeds_dir: Path, names: Sequence[str]) -> list[str]:
        """Add the stashed row of each of `names` whose seed file has still the stat (size,
        mtime, ctime) it had when scanned; the names left to read again (no row, or the file
        changed), in order. The other stashed rows are dropped."""
        stashed, self._stashed = self._stashed, {}
        if not stashed:
            return list(names)
        folder = seeds_dir.as_posix()
        again = []
        for name in names:
            found = stashed.get(name)
            if found is not None and found[1] == _stat(f"{folder}/{name}"):
                self._where[name] = found[0]
                self._recent.pop(name, None)
            else:
                again.append(name)
        return again

    def _put(self, name: str, row: tuple[Any, ...], published: datetime, unpub: bool) -> None:
        data = marshal.dumps(row)
        self._file.seek(self._end)
        self._file.write(data)
        self._unflushed = True
        self._where[name] = (self._end, len(data), published, unpub)
        self._end += len(data)
        self._recent.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._where

    def __len__(self) -> int:
        return len(self._where)

    def names(self) -> list[str]:
        return list(self._where)

    def row(self, name: str) -> tuple[Any, ...]:
        offset, length, _, _ = self._where[name]
        row: tuple[Any, ...] = marshal.loads(self._read(offset, length))
        return row

    def _read(self, offset: int, length: int) -> bytes:
        """Bytes of the file. Once on disk, read with pread, which leaves the file's offset
        alone: forked processes (publish/output.py) share it, and read rows at once."""
        if not getattr(self._file, "_rolled", True):  # in memory: each process has its copy
            self._file.seek(offset)
            return self._file.read(length)
        self.flush()
        return os.pread(self._file.fileno(), length, offset)

    def flush(self) -> None:
        """Every row added on disk (or in memory): before a fork, so that no child process
        has buffered rows of its parent to write."""
        if self._unflushed:
            self._file.flush()
            self._unflushed = False

    def get(self, name: str) -> Entry:
        """The entry of `name`. The last RECENT read are kept (entries are frozen): a feed's
        entries are read by each of its formats and by its preview pages, and a seed is often
        in several feeds; a feed larger than that is read from the rows each time (the store
        exists to keep such a feed out of memory)."""
        entry = self._recent.get(name)
        if entry is None:
            if len(self._recent) >= RECENT:
                self._recent.clear()
            entry = self._recent[name] = Entry.from_row(self.row(name))
        return entry

    def published(self, name: str) -> datetime:
        return self._where[name][2]

    def unpublished(self, name: str) -> bool:
        return self._where[name][3]

    def entries(self, names: Sequence[str]) -> StoredEntries:
        """The entries of `names`, in that order, read one at a time as they are used."""
        self.flush()
        return StoredEntries(self, tuple(names))

    def close(self) -> None:
        self._file.close()


def _stat(path: str) -> Stat | None:
    """The file's size, mtime_ns and ctime_ns, or None when it cannot be looked at."""
    try:
        info = os.stat(path)  # noqa: PTH116 (a Path per chosen seed costs; see reading.py)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns


class StoredEntries(Sequence[Entry]):
    """A feed's entries, in feed order, read from an EntryStore when used (a slice is another
    StoredEntries). Writers iterate it; nothing holds more than one entry at a time."""

    __slots__ = ("_names", "_store")

    def __init__(self, store: EntryStore, names: tuple[str, ...]) -> None:
        self._store = store
        self._names = names

    def __len__(self) -> int:
        return len(self._names)

    @overload
    def __getitem__(self, index: int) -> Entry: ...
    @overload
    def __getitem__(self, index: slice) -> StoredEntries: ...
    def __getitem__(self, index: int | slice) -> Entry | StoredEntries:
        if isinstance(index, slice):
            return StoredEntries(self._store, self._names[index])
        return self._store.get(self._names[index])

    def __iter__(self) -> Iterator[Entry]:
        for name in self._names:
            yield self._store.get(name)

    def dates(self) -> Iterator[datetime]:
        """Each entry's date, without reading the entry."""
        return map(self._store.published, self._names)

    def unpublished(self) -> int:
        """How many entries are not published, without reading them."""
        return sum(map(self._store.unpublished, self._names))


# A build's chosen items are read in worker processes when there are at least this many: below
# it, starting the pool costs about what the second core saves (see docs/speed.md).
PARALLEL_MIN_ENTRIES = 500


def entry_rows(
    seeds_dir: Path,
    names: list[str],
    max_bytes: int,
    jobs: int = 1,
    workers: reading.Workers | None = None,
) -> Iterator[tuple[str, tuple[Any, ...] | None]]:
    """(name, Entry.row() of the seed, or None when it no longer reads as a seed) of each of
    `names`, in that order: its seed read again, validated and rendered, in `jobs` worker
    processes when there are many (`workers`, the ones that read the seeds, when given; else
    seeds/reading.py's pool for this alone)."""
    work = [((seeds_dir / name).as_posix(), name) for name in names]
    if jobs <= 1 or len(work) < PARALLEL_MIN_ENTRIES:
        for location, name in work:
            yield name, _row_of(location, name, max_bytes)
        return
    chunks = reading.chunked(work, jobs)
    rows = reading.in_workers(_rows_of, chunks, max_bytes, jobs, workers=workers)
    with closing(rows) as results:
        yield from zip(names, (row for chunk in results for row in chunk), strict=True)


def _rows_of(work: list[tuple[str, str]], max_bytes: int) -> list[tuple[Any, ...] | None]:
    """In a worker: the rows of one chunk of (location, name)."""
    return [_row_of(location, name, max_bytes) for location, name in work]


def _row_of(location: str, name: str, max_bytes: int) -> tuple[Any, ...] | None:
    loaded = reading.read(SeedFile(location, name, location), max_bytes)
    return None if loaded.seed is None else from_seed(loaded.seed).row()
