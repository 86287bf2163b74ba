"""The entries of a build's chosen items, kept out of the Python heap.

A feed with `limit: 0` over 100,000 seeds chooses 100,000 items, and an `Entry` (its rendered
HTML above all) takes a few kilobytes: held as objects, they alone would take hundreds of
megabytes. So each entry is kept as its marshalled row (`Entry.row`) in a spooled temporary
file (in memory while small, on disk beyond `MEMORY_BYTES`), and turned back into an `Entry`
only while a writer writes it. What stays in memory per item: where its row is and its date.
"""

from __future__ import annotations

import marshal
import tempfile
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, overload

from syndicate.render.entry import Entry

MEMORY_BYTES = 32 * 1024 * 1024  # rows kept in memory up to this size, then in a file


class EntryStore:
    """Entries by seed name, written once and read any number of times."""

    def __init__(self, memory_bytes: int = MEMORY_BYTES) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=memory_bytes)  # noqa: SIM115
        self._end = 0
        self._where: dict[
            str, tuple[int, int, datetime, bool]
        ] = {}  # offset, length, date, unpublished

    def add(self, name: str, entry: Entry) -> None:
        data = marshal.dumps(entry.row())
        self._file.seek(self._end)
        self._file.write(data)
        self._where[name] = (self._end, len(data), entry.published, entry.unpublished)
        self._end += len(data)

    def __contains__(self, name: object) -> bool:
        return name in self._where

    def __len__(self) -> int:
        return len(self._where)

    def names(self) -> list[str]:
        return list(self._where)

    def row(self, name: str) -> tuple[Any, ...]:
        offset, length, _, _ = self._where[name]
        self._file.seek(offset)
        row: tuple[Any, ...] = marshal.loads(self._file.read(length))
        return row

    def get(self, name: str) -> Entry:
        return Entry.from_row(self.row(name))

    def published(self, name: str) -> datetime:
        return self._where[name][2]

    def unpublished(self, name: str) -> bool:
        return self._where[name][3]

    def entries(self, names: Sequence[str]) -> StoredEntries:
        """The entries of `names`, in that order, read one at a time as they are used."""
        return StoredEntries(self, tuple(names))

    def close(self) -> None:
        self._file.close()


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
