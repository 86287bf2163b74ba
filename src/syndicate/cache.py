"""The parse cache: what each seed file gave last time, so a rebuild reads only what changed.

One file, `.syndicate-cache/seeds-v1.marshal` beside the config (git-ignored). An entry is
reused when the file's path, size and mtime_ns are unchanged, or, when those changed (a fresh
`git clone` sets every mtime) or the mtime is too recent to trust, when its content digest is.
The cache is keyed by a fingerprint of syndicate's own source, Python and pydantic, and by the
seeds folder as given; a corrupt cache or one from another version is ignored with a warning.
It holds plain tuples written with `marshal` (no pickle: loading it runs no code).
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pydantic

from syndicate.candidate import Candidate
from syndicate.errors import Problem, Severity
from syndicate.seeds import Scan

log = logging.getLogger(__name__)

CACHE_DIR = ".syndicate-cache"
CACHE_FILE = "seeds-v1.marshal"
# An mtime this close to the cache's own write time may hide a same-size edit: check the digest.
RACY_NS = 2_000_000_000


def default_folder(config_path: Path) -> Path:
    return config_path.parent / CACHE_DIR


def fingerprint(seeds_dir: Path) -> str:
    """Changes whenever the code that turns a file into a Scan may have changed."""
    digest = hashlib.blake2b(digest_size=16)
    package = Path(__file__).parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode())
        digest.update(source.read_bytes())
    digest.update(f"{sys.version}|{pydantic.VERSION}|{seeds_dir.as_posix()}".encode())
    return digest.hexdigest()


class SeedCache:
    def __init__(self, folder: Path, key: str) -> None:
        self.path = folder / CACHE_FILE
        self.key = key
        self.written_ns = 0

    def load(self) -> dict[str, Scan]:
        try:
            with self.path.open("rb") as stream:
                key, written_ns, rows = marshal.load(stream)
        except FileNotFoundError:
            return {}
        except (OSError, EOFError, ValueError, TypeError) as exc:
            log.warning("%s: unreadable parse cache ignored (%s)", self.path, exc)
            return {}
        if key != self.key:
            log.info("%s: parse cache from another version ignored", self.path)
            return {}
        try:
            scans = {row[0]: _scan(row) for row in rows}
        except (TypeError, ValueError, IndexError) as exc:
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
        rows = [_row(name, scan) for name, scan in scans.items()]
        data = marshal.dumps((self.key, time.time_ns(), rows))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".seeds.", suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            Path(temp).replace(self.path)
        except OSError as exc:
            log.warning("%s: parse cache not written (%s)", self.path, exc)

    def clear(self) -> bool:
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True


def _row(name: str, scan: Scan) -> tuple[Any, ...]:
    item = scan.candidate
    candidate = (
        None
        if item is None
        else (
            item.web_url,
            item.instant,
            item.quality,
            item.published,
            item.topics,
            item.providers,
            item.category,
        )
    )
    problems = tuple((p.path, p.line, p.field, p.message, p.severity) for p in scan.problems)
    return (name, scan.size, scan.mtime_ns, scan.digest, candidate, problems)


def _scan(row: tuple[Any, ...]) -> Scan:
    name, size, mtime_ns, digest, candidate, problems = row
    item = None if candidate is None else Candidate(name, *candidate)
    return Scan(
        size,
        mtime_ns,
        digest,
        item,
        tuple(Problem(p, line, f, m, _severity(s)) for p, line, f, m, s in problems),
    )


def _severity(value: str) -> Severity:
    if value not in ("error", "warning"):
        raise ValueError(f"bad severity {value!r}")
    return "error" if value == "error" else "warning"
