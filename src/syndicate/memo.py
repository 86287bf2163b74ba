"""The no-op shortcut: when nothing a build depends on changed since the last build, its
report is replayed and nothing is read, rendered or written.

What a build depends on: syndicate's code, the config's bytes, the options, the list of seed
files with their sizes and mtimes, and the output files it wrote (sizes and mtimes). Any
difference, or a seed mtime too recent to trust (see cache.RACY_NS), means a real build.
The memo lives beside the parse cache, in `.syndicate-cache/build-v2.marshal`.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syndicate import cache
from syndicate.errors import Problem
from syndicate.seeds import SeedFile

log = logging.getLogger(__name__)

MEMO_FILE = "build-v2.marshal"

Outputs = tuple[tuple[str, int, int], ...]  # (name in out/, size, mtime_ns)


@dataclass(frozen=True, slots=True)
class Memo:
    key: str
    written_ns: int
    report: tuple[Any, ...]  # see build.replay_report / build.memo_report
    outputs: Outputs


def key_of(
    fingerprint: str, config: bytes, settings: str, files: list[SeedFile], found: list[Problem]
) -> str:
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{fingerprint}\0{settings}\0".encode())
    digest.update(hashlib.blake2b(config).digest())
    for file in files:
        digest.update(f"{file.name}\0{file.size}\0{file.mtime_ns}\n".encode())
    for problem in found:
        digest.update(f"{problem}\n".encode())
    return digest.hexdigest()


def load(folder: Path) -> Memo | None:
    stored = cache.read_marshal(folder / MEMO_FILE, "build memo")
    try:
        return None if stored is None else Memo(*next(stored))
    except (cache.CorruptCacheError, StopIteration, TypeError):
        log.warning("%s: corrupt build memo ignored", folder / MEMO_FILE)
        return None


def holds(memo: Memo, key: str, files: list[SeedFile], out: Path) -> bool:
    """Whether the last build's memo describes this build exactly."""
    if memo.key != key:
        return False
    trusted_before = memo.written_ns - cache.RACY_NS
    if any(file.mtime_ns >= trusted_before for file in files):
        return False
    for name, size, mtime_ns in memo.outputs:
        try:
            stat = (out / name).stat()
        except OSError:
            return False
        if (stat.st_size, stat.st_mtime_ns) != (size, mtime_ns):
            return False
    return True


def save(folder: Path, key: str, report: tuple[Any, ...], out: Path, names: list[str]) -> None:
    outputs = []
    for name in sorted(names):
        try:
            stat = (out / name).stat()
        except OSError:
            return  # something else changed out/ meanwhile: no memo
        outputs.append((name, stat.st_size, stat.st_mtime_ns))
    memo = (key, time.time_ns(), report, tuple(outputs))
    cache.write_marshal(folder / MEMO_FILE, [memo], "build memo")
