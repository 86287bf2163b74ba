"""The parse cache: what each seed file gave last time, so a rebuild reads only what changed.

`.syndicate-cache/seeds-v2.marshal` beside the config (git-ignored). An entry is
reused when the file's path, size and mtime_ns are unchanged, or, when those changed (a fresh
`git clone` sets every mtime) or the mtime is too recent to trust, when its content digest is.
The cache is keyed by a fingerprint of syndicate's own source, Python and pydantic, and by the
seeds folder as given; a corrupt cache or one from another version is ignored with a warning.
It holds plain tuples written with `marshal` (no pickle: loading it runs no code).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import marshal
import os
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import Any

import pydantic

from syndicate.seeds import Scan

log = logging.getLogger(__name__)

CACHE_DIR = ".syndicate-cache"
CACHE_FILE = "seeds-v2.marshal"
SAVE_CHUNK = 5000  # rows per marshal value
# An mtime this close to the cache's own write time may hide a same-size edit: check the digest.
RACY_NS = 2_000_000_000


def default_folder(config_path: Path) -> Path:
    return config_path.parent / CACHE_DIR


def fingerprint(seeds_dir: Path) -> str:
    """Changes whenever the code (templates included) that builds the output may have changed."""
    return hashlib.blake2b(f"{_code_digest()}|{seeds_dir.as_posix()}".encode()).hexdigest()


@functools.cache
def _code_digest() -> str:
    digest = hashlib.blake2b(digest_size=16)
    package = Path(__file__).parent
    for source in sorted(package.rglob("*")):
        if source.is_file() and "__pycache__" not in source.parts:
            digest.update(source.relative_to(package).as_posix().encode())
            digest.update(source.read_bytes())
    digest.update(f"{sys.version}|{pydantic.VERSION}".encode())
    return digest.hexdigest()


class CorruptCacheError(ValueError):
    """A cache file whose bytes are not what write_marshal wrote."""


def read_marshal(path: Path, what: str) -> Iterator[Any] | None:
    """The values written to `path`, decoded one at a time; None when absent or unreadable
    (with a warning). Iterating raises CorruptCacheError where the bytes are damaged."""
    try:
        data = path.read_bytes()  # whole: marshal.load(stream) reads piece by piece
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("%s: unreadable %s ignored (%s)", path, what, exc)
        return None
    return _values(memoryview(data))


def _values(data: memoryview) -> Iterator[Any]:
    at = 0
    while at < len(data):
        size = int.from_bytes(data[at : at + 8], "little")
        at += 8
        if size > len(data) - at:
            raise CorruptCacheError("truncated")
        try:
            yield marshal.loads(data[at : at + size])
        except (EOFError, ValueError, TypeError) as exc:
            raise CorruptCacheError(str(exc)) from None
        at += size


def write_marshal(path: Path, values: Iterable[Any], what: str) -> None:
    """Each value as its length and its marshal bytes, so a reader can stop after the first
    (a key) and never holds more than one value's bytes while writing. Written aside, then
    renamed: a reader never sees half a file. A failure is a warning."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            for value in values:
                chunk = marshal.dumps(value)
                stream.write(len(chunk).to_bytes(8, "little"))
                stream.write(chunk)
        Path(temp).replace(path)
    except OSError as exc:
        log.warning("%s: %s not written (%s)", path, what, exc)


def clear(folder: Path) -> list[Path]:
    """Delete the cache files in `folder` (the parse cache and the build memo)."""
    removed = []
    for path in sorted(folder.glob("*.marshal")):
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


class SeedCache:
    def __init__(self, folder: Path, key: str) -> None:
        self.path = folder / CACHE_FILE
        self.key = key
        self.written_ns = 0

    def load(self) -> dict[str, Scan]:
        stored = read_marshal(self.path, "parse cache")
        if stored is None:
            return {}
        scans: dict[str, Scan] = {}
        try:
            key, written_ns = next(stored)
            if key != self.key:
                log.info("%s: parse cache from another version ignored", self.path)
                return {}
            for rows in stored:
                for row in rows:
                    scans[row[0]] = Scan.from_row(row[0], row[1:])
        except (CorruptCacheError, StopIteration, TypeError, ValueError, IndexError) as exc:
            log.warning("%s: corrupt parse cache ignored (%s)", self.path, exc)
            return {}
        self.written_ns = written_ns
        return scans

    def trusts(self, scan: Scan, size: int, mtime_ns: int) -> bool:
        """Whether a stat alone shows the file is the one this scan read."""
        return (
            scan.size == size and scan.mtime_ns == mtime_ns and mtime_ns < self.written_ns - RACY_NS
        )

    def save(self, scans: dict[str, Scan]) -> None:
        """The key, then the rows in chunks: saving never holds every row at once."""
        items = list(scans.items())
        chunks = (
            [(name, *scan.row()) for name, scan in items[i : i + SAVE_CHUNK]]
            for i in range(0, len(items), SAVE_CHUNK)
        )
        write_marshal(self.path, chain([(self.key, time.time_ns())], chunks), "parse cache")
