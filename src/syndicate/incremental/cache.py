"""The parse cache: what each seed file gave last time, so a rebuild reads only what changed.

`.syndicate-cache/seeds-v5.marshal` beside the config (git-ignored). An entry is
reused when the file's path, size, mtime_ns and ctime_ns are unchanged, or, when those
changed (a fresh `git clone` sets every mtime) or the mtime is too recent to trust (see
RACY_NS), when its content digest is. The ctime catches an edit that set the mtime back
(`touch -r`, `cp -p`, an archive's stored times): no tool sets a ctime.
The cache is keyed by a fingerprint of syndicate's own source, Python and pydantic, and by the
seeds folder as given; a corrupt cache or one from another version is ignored with a warning.
It holds plain tuples written with `marshal` (no pickle: loading it runs no code): the key,
the rows sorted by name in chunks, then a journal of later changes (see SeedCache), so that a
build that changed a few seeds decodes only the chunks it needs and rewrites nothing.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import importlib.util
import logging
import marshal
import mmap
import os
import re
import sys
import zlib
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from syndicate.seeds.discovery import SeedFile
    from syndicate.seeds.reading import Scan

log = logging.getLogger(__name__)

CACHE_DIR = ".syndicate-cache"
# The format of the parse cache and of the build memo: a new one is a new file name. (5: each
# frame carries a CRC-32 of its bytes, so a damaged one is found, never read as another value.)
FORMAT = 5
CACHE_FILE = f"seeds-v{FORMAT}.marshal"
SAVE_CHUNK = 5000  # rows per marshal value
# An mtime this close to the start of the build that cached the file (or later) may hide a
# same-size edit made after it was read, in the same mtime tick: check the digest.
RACY_NS = 2_000_000_000


def default_folder(config_path: Path) -> Path:
    return config_path.parent / CACHE_DIR


def fingerprint(seeds_dir: Path, max_seed_bytes: int) -> str:
    """Changes whenever the code (templates included) that builds the output may have changed,
    or what reading a seed gives (the seeds folder, the size limit: a file over it is
    rejected unread, one under it is read)."""
    key = f"{_code_digest()}|{seeds_dir.as_posix()}|{max_seed_bytes}"
    return hashlib.blake2b(key.encode()).hexdigest()


@functools.cache
def _code_digest() -> str:
    digest = hashlib.blake2b(digest_size=16)
    package = Path(__file__).parents[1]  # the whole syndicate package
    for source in sorted(package.rglob("*")):
        if source.is_file() and "__pycache__" not in source.parts:
            digest.update(source.relative_to(package).as_posix().encode())
            digest.update(source.read_bytes())
    digest.update(sys.version.encode())
    digest.update(_pydantic_version())
    return digest.hexdigest()


def _pydantic_version() -> bytes:
    """pydantic's version file, read rather than imported (a no-op build imports no pydantic)."""
    spec = importlib.util.find_spec("pydantic")  # a top-level name: found, not imported
    if spec is None or spec.origin is None:
        return b""
    return (Path(spec.origin).parent / "version.py").read_bytes()


class CorruptCacheError(ValueError):
    """A cache file whose bytes are not what write_marshal wrote."""


def read_marshal(path: Path, what: str) -> Iterator[Any] | None:
    """The values written to `path`, decoded one at a time; None when absent or unreadable
    (with a warning). Iterating raises CorruptCacheError where the bytes are damaged."""
    frames = read_frames(path, what)
    return None if frames is None else map(decode, frames)


def read_frames(path: Path, what: str) -> Iterator[memoryview] | None:
    """The marshal bytes of each value written to `path`, not decoded (see read_marshal)."""
    try:  # mapped: only what is decoded is read (marshal.load on a stream reads in pieces)
        with path.open("rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            data = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("%s: unreadable %s ignored (%s)", path, what, exc)
        return None
    return _frames(memoryview(data))


def _frames(data: memoryview) -> Iterator[memoryview]:
    at = 0
    while at < len(data):
        size = int.from_bytes(data[at : at + 8], "little")
        check = int.from_bytes(data[at + 8 : at + _HEAD], "little")
        at += _HEAD
        if size > len(data) - at:
            raise CorruptCacheError("truncated")
        frame = data[at : at + size]
        if zlib.crc32(frame) != check:
            raise CorruptCacheError("damaged (its checksum differs)")
        yield frame
        at += size


_HEAD = 12  # a frame's length (8 bytes) and the CRC-32 of its bytes (4), little-endian


def _head(frame: bytes | memoryview) -> bytes:
    return len(frame).to_bytes(8, "little") + zlib.crc32(frame).to_bytes(4, "little")


def decode(frame: memoryview | bytes) -> Any:
    try:
        return marshal.loads(frame)
    except (EOFError, ValueError, TypeError) as exc:
        raise CorruptCacheError(str(exc)) from None


def encode(value: Any) -> bytes:
    # Version 2: without the back-references of versions 3 and 4, which make dumping 3x slower.
    return marshal.dumps(value, 2)


def write_marshal(path: Path, values: Iterable[Any], what: str) -> None:
    """Each value as its length and its marshal bytes, so a reader can stop after the first
    (a key) and never holds more than one value's bytes while writing. Written aside, then
    renamed: a reader never sees half a file. A failure is a warning."""
    write_frames(path, map(encode, values), what)


def write_frames(path: Path, frames: Iterable[bytes | memoryview], what: str) -> None:
    """`write_marshal` for values already encoded (copied as they are). The temporary file is
    named `.NAME.PID.XXXXXXXX.tmp` (see `sweep`); it never outlives a failed write."""
    if path.parent.absolute() in _NO_SPACE:
        log.debug("%s: %s not written (no space left in its folder)", path, what)
        return
    import tempfile  # here: 3 ms of imports a build that reads seeds pays while they are read

    temp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp"
        )
        temp = Path(name)
        with os.fdopen(handle, "wb") as stream:
            for frame in frames:
                stream.write(_head(frame))
                stream.write(frame)
        temp.replace(path)
    except BaseException as exc:  # Ctrl-C included: it is told, the temporary file is not left
        if temp is not None:
            with contextlib.suppress(OSError):
                temp.unlink()
        if not isinstance(exc, OSError):
            raise
        _not_written(path, what, exc)


# Folders where a cache write found no space: this process writes nothing more there.
_NO_SPACE: set[Path] = set()
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _not_written(path: Path, what: str, exc: OSError) -> None:
    """A failed write is a warning; lack of space is one warning, then no more writes."""
    if exc.errno not in _FULL:
        log.warning("%s: %s not written (%s)", path, what, exc)
        return
    _NO_SPACE.add(path.parent.absolute())
    log.warning(
        "%s: no space left to write the %s; this build goes on without the cache"
        " (the next one reads every seed again unless space is freed)",
        path.parent,
        what,
    )


# The temporary files of write_frames: `.NAME.PID.XXXXXXXX.tmp` (older ones without the PID).
_TEMP = re.compile(r"\..+\.marshal\.(?:(\d+)\.)?[a-z0-9_]{8}\.tmp")


def sweep(folder: Path, every: bool = False) -> list[Path]:
    """Remove the temporary files that stopped writes left in `folder`: those of processes
    that no longer run (of every process, with `every`). The files removed."""
    removed = []
    try:
        names = sorted(path.name for path in folder.iterdir())
    except OSError:
        return []
    for name in names:
        found = _TEMP.fullmatch(name)
        if found is None or not (every or not _running(found.group(1))):
            continue
        try:
            (folder / name).unlink()
        except OSError as exc:
            log.warning("%s: not removed (%s)", folder / name, exc)
        else:
            removed.append(folder / name)
    return removed


_FORMATS = re.compile(r"(?:seeds|build)-v(\d+)\.marshal")


def remove_older_formats(folder: Path) -> None:
    """Delete the parse caches and build memos an older syndicate wrote in `folder`: nothing
    reads them again (a newer syndicate's are left alone)."""
    with contextlib.suppress(OSError):
        for path in folder.iterdir():
            found = _FORMATS.fullmatch(path.name)
            if found is not None and int(found.group(1)) < FORMAT:
                with contextlib.suppress(OSError):
                    path.unlink()


def _running(pid: str | None) -> bool:
    """Whether the process `pid` runs (this one does; unknown: no)."""
    if pid is None:
        return False
    if int(pid) == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill(pid, 0) would end the process
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's: it exists
    return True


def clear(folder: Path) -> list[Path]:
    """Delete the cache files in `folder` (the parse cache and the build memo), and every
    temporary file of a cache write."""
    removed = []
    for path in sorted(folder.glob("*.marshal")):
        path.unlink(missing_ok=True)
        removed.append(path)
    return sorted([*removed, *sweep(folder, every=True)])


# A chunk: the rows of consecutive names, each (name, *Scan.row()).
Chunk = list[tuple[Any, ...]]
# Journal entries appended since the last rewrite beyond which the next update rewrites.
MAX_JOURNAL = 64
# Changed rows beyond which a build saves the whole cache rather than update it.
UPDATE_MAX_ROWS = 1000


@dataclass(frozen=True, slots=True)
class _Stored:
    """The cache file, split: chunk frames (not decoded) and the journal's changes, in order."""

    firsts: list[str]  # each chunk's first name
    chunks: list[memoryview]
    journal: list[tuple[str, tuple[Any, ...] | None]]  # (name, Scan.row() or None: removed)
    entries: int  # journal entries


class SeedCache:
    """The parse cache file: a head (cache key, trust time, each chunk's first name), the rows
    in chunks sorted by name (of SAVE_CHUNK, or as a first build's workers read them: see
    save_frames), then a journal: the changes of incremental builds,
    appended (each entry with its digest, so that an append cut short is seen and ignored)
    until MAX_JOURNAL entries, when the changes are merged into the chunks they touch."""

    def __init__(self, folder: Path, key: str) -> None:
        self.path = folder / CACHE_FILE
        self.key = key
        self.written_ns = 0
        self._told: set[str] = set()  # the warnings given: each once, however often it is read

    def load(self) -> dict[str, Scan]:
        from syndicate.seeds.reading import Scan  # the seed model: imported only when read

        stored = self._open()
        if stored is None:
            return {}
        scans: dict[str, Scan] = {}
        try:
            for frame in stored.chunks:
                for row in decode(frame):
                    scans[row[0]] = Scan.from_row(row[0], row[1:])
            for name, row in stored.journal:
                if row is None:
                    scans.pop(name, None)
                else:
                    scans[name] = Scan.from_row(name, row)
        except (CorruptCacheError, TypeError, ValueError, IndexError) as exc:
            return self._corrupt(exc)
        return scans

    def rows_of(self, names: Iterable[str]) -> dict[str, Scan] | None:
        """The cached Scan of each of `names` that the cache holds, decoding only the chunks
        that hold them; None when there is no usable cache."""
        from syndicate.seeds.reading import Scan

        stored = self._open()
        if stored is None:
            return None
        wanted = _by_chunk(stored.firsts, names)
        rows: dict[str, tuple[Any, ...] | None] = {}
        try:
            for index, names_there in wanted.items():
                if index < len(stored.chunks):
                    for row in decode(stored.chunks[index]):
                        if row[0] in names_there:
                            rows[row[0]] = row[1:]
            wanted_names = set().union(*wanted.values())
            rows.update((name, row) for name, row in stored.journal if name in wanted_names)
            return {name: Scan.from_row(name, row) for name, row in rows.items() if row is not None}
        except (CorruptCacheError, TypeError, ValueError, IndexError) as exc:
            self._corrupt(exc)
            return None

    def trusts(self, scan: Scan, file: SeedFile) -> bool:
        """Whether the file's stat alone shows it is the one this scan read."""
        return scan.stat() == file.stat() and file.mtime_ns < self.written_ns - RACY_NS

    def save(self, scans: Mapping[str, Scan], started_ns: int) -> None:
        """Every row, in chunks: saving never holds every row at once. `started_ns`, from
        before any seed was read, becomes the trust time (see `trusts`)."""
        items = sorted(scans.items())
        starts = range(0, len(items), SAVE_CHUNK)
        chunks = (
            encode([(name, *scan.row()) for name, scan in items[i : i + SAVE_CHUNK]])
            for i in starts
        )
        self._write(started_ns, [items[i][0] for i in starts], chunks)

    def save_frames(self, frames: Sequence[tuple[str, bytes | None]], started_ns: int) -> None:
        """`save`, of rows already encoded in chunks sorted by name: (first name, the marshal
        value of [(name, *Scan.row())...] as `encode` writes it), as worker processes read
        them (seeds/reading.py, Frame)."""
        self._write(started_ns, [first for first, _ in frames], [f for _, f in frames if f])

    def update(self, changes: Mapping[str, Scan | None]) -> None:
        """Record changed (a Scan) and removed (None) rows: appended to the journal, or merged
        into the chunks when the journal is full. The trust time stays the one of the last
        `save`: a row recorded here is trusted by stat only if its mtime was old then."""
        stored = self._open()
        if stored is None:
            return
        if stored.entries < MAX_JOURNAL:
            self._append(changes)
            return
        merged: dict[str, tuple[Any, ...] | None] = dict(stored.journal)
        merged.update(
            (name, None if scan is None else scan.row()) for name, scan in changes.items()
        )
        wanted = _by_chunk(stored.firsts, merged)
        kept: list[tuple[str, bytes | memoryview]] = []
        try:
            for index, frame in enumerate(stored.chunks):
                if index in wanted:
                    kept.extend(_pieces(_merged(decode(frame), wanted[index], merged)))
                else:
                    kept.append((stored.firsts[index], frame))
        except (CorruptCacheError, TypeError, ValueError, IndexError) as exc:
            self._corrupt(exc)
            return
        if not stored.chunks and 0 in wanted:  # no chunk yet to merge into
            kept.extend(_pieces(_merged([], wanted[0], merged)))
        self._write(self.written_ns, [first for first, _ in kept], (f for _, f in kept))

    def _append(self, changes: Mapping[str, Scan | None]) -> None:
        rows = tuple((name, None if scan is None else scan.row()) for name, scan in changes.items())
        payload = encode(rows)
        entry = hashlib.blake2b(payload, digest_size=16).digest() + payload
        if self.path.parent.absolute() in _NO_SPACE:
            return
        try:
            _append_to(self.path, _head(entry) + entry)
        except OSError as exc:
            _not_written(self.path, "parse cache update", exc)

    def _open(self) -> _Stored | None:
        """The file split into chunks and journal, once the key has been checked."""
        frames = read_frames(self.path, "parse cache")
        if frames is None:
            return None
        try:
            key, written_ns, firsts = decode(next(frames))
            if key != self.key:
                log.info("%s: parse cache from another version ignored", self.path)
                return None
            chunks = [next(frames) for _ in firsts]
        except (CorruptCacheError, StopIteration, TypeError, ValueError) as exc:
            self._corrupt(exc)
            return None
        self.written_ns = written_ns
        journal: list[tuple[str, tuple[Any, ...] | None]] = []
        entries = 0
        try:
            for frame in frames:
                digest, payload = frame[:16], frame[16:]
                if hashlib.blake2b(payload, digest_size=16).digest() != digest:
                    raise CorruptCacheError("journal entry does not match its digest")
                journal.extend(decode(payload))
                entries += 1
        except (CorruptCacheError, TypeError, ValueError) as exc:
            self._warn_once(f"{self.path}: parse cache update cut short, ignored ({exc})")
        return _Stored(list(firsts), chunks, journal, entries)

    def _corrupt(self, exc: Exception) -> dict[str, Scan]:
        self._warn_once(f"{self.path}: corrupt parse cache ignored ({exc})")
        self.written_ns = 0
        return {}

    def _warn_once(self, message: str) -> None:
        """A build may read the file more than once (the incremental look, then the full build
        it falls back on): each warning is given once."""
        if message not in self._told:
            self._told.add(message)
            log.warning("%s", message)

    def _write(
        self, written_ns: int, firsts: list[str], chunks: Iterable[bytes | memoryview]
    ) -> None:
        head = encode((self.key, written_ns, tuple(firsts)))
        write_frames(self.path, chain([head], chunks), "parse cache")


def _append_to(path: Path, data: bytes) -> None:
    """`data` at the end of the file; on failure the file is cut back to what it was."""
    handle = os.open(path, os.O_WRONLY | getattr(os, "O_BINARY", 0))
    try:
        end = os.lseek(handle, 0, os.SEEK_END)
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(handle, view) :]
        except OSError:
            os.ftruncate(handle, end)  # no half entry left behind
            raise
    finally:
        os.close(handle)


def _by_chunk(firsts: list[str], names: Iterable[str]) -> dict[int, set[str]]:
    """Which chunk holds (or would hold) each name: the last whose first name is not after it."""
    found: dict[int, set[str]] = {}
    for name in names:
        found.setdefault(max(bisect_right(firsts, name) - 1, 0), set()).add(name)
    return found


def _pieces(rows: Chunk) -> Iterator[tuple[str, bytes]]:
    """A merged chunk as (first name, frame) pieces of at most SAVE_CHUNK rows."""
    for start in range(0, len(rows), SAVE_CHUNK):
        piece = rows[start : start + SAVE_CHUNK]
        yield piece[0][0], encode(piece)


def _merged(rows: Chunk, names: set[str], changes: Mapping[str, tuple[Any, ...] | None]) -> Chunk:
    kept = [row for row in rows if row[0] not in names]
    kept.extend((name, *row) for name in names if (row := changes[name]) is not None)
    kept.sort(key=lambda row: row[0])
    return kept
