"""Turn each seed file into a Seed or into Problems (never an exception), in parallel when many."""

from __future__ import annotations

import errno
import gc
import hashlib
import marshal
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from itertools import repeat
from stat import S_ISREG
from typing import Any, NamedTuple, TypeVar

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from syndicate import plain
from syndicate.errors import Problem, SyndicateError
from syndicate.seeds import fast_validation, frontmatter, repairs, urls, yamlsrc
from syndicate.seeds.candidate import Candidate
from syndicate.seeds.discovery import (
    DEFAULT_MAX_SEED_BYTES,
    PARALLEL_MIN_SEEDS,
    SeedFile,
    Stat,
    gc_paused,
)
from syndicate.seeds.models import Seed

CHUNK = 250  # the most files a worker reads at a time (see chunked)

T = TypeVar("T")
R = TypeVar("R")


@dataclass(slots=True)
class LoadedSeed:
    """The outcome of reading one seed file: a seed (or None) and what was wrong or repaired."""

    file: SeedFile
    seed: Seed | None
    problems: list[Problem] = field(default_factory=list)


# A Scan as plain values:
# (size, mtime_ns, ctime_ns, digest, Candidate.row() or None, Problem rows).
ScanRow = tuple[int, int, int, bytes, tuple[Any, ...] | None, tuple[tuple[Any, ...], ...]]


class Scan(NamedTuple):  # a tuple: made for every seed, 100,000 times per build
    """One seed file as a build remembers it: stat, content digest, and what came of it."""

    size: int
    mtime_ns: int
    ctime_ns: int
    digest: bytes
    candidate: Candidate | None
    problems: tuple[Problem, ...]

    def stat(self) -> Stat:
        """The stat of the file as it was read."""
        return (self.size, self.mtime_ns, self.ctime_ns)

    def row(self) -> ScanRow:
        """As plain values: for the parse cache and from worker processes (cheap to pickle)."""
        item = None if self.candidate is None else self.candidate.row()
        problems = tuple(p.row() for p in self.problems)
        return (self.size, self.mtime_ns, self.ctime_ns, self.digest, item, problems)

    @classmethod
    def from_row(cls, name: str, row: ScanRow | tuple[Any, ...]) -> Scan:
        size, mtime_ns, ctime_ns, digest, item, problems = row
        candidate = None if item is None else Candidate.from_row(name, item)
        return cls(size, mtime_ns, ctime_ns, digest, candidate, _problems(problems))


def _problems(rows: tuple[tuple[Any, ...], ...]) -> tuple[Problem, ...]:
    return tuple(map(Problem.from_row, rows)) if rows else ()


def read(file: SeedFile, max_bytes: int = DEFAULT_MAX_SEED_BYTES) -> LoadedSeed:
    """Read, parse, repair and validate one seed file."""
    found = _bytes_of(file, max_bytes)
    if isinstance(found, Problem):
        return LoadedSeed(file, None, [found])
    return parse(file, found[0])


def _bytes_of(file: SeedFile, max_bytes: int) -> tuple[bytes, os.stat_result] | Problem:
    """The file's bytes and stat, or why it cannot be read as a seed."""
    # os calls on the path string: a Path per file costs 10% of a cold build of clean seeds
    try:
        fd = _open(file)
    except _LinkOutsideError:
        return Problem(
            file.shown,
            1,
            "file",
            "symbolic link points outside the seeds folder (it changed while the build ran);"
            " not followed",
        )
    except OSError as exc:
        return Problem(file.shown, 1, "file", f"cannot read file: {exc.strerror or exc}")
    try:
        info = os.fstat(fd)
        if not S_ISREG(info.st_mode):
            return Problem(file.shown, 1, "file", "not a regular file")
        if info.st_size > max_bytes:
            message = (
                f"file is {info.st_size:,} bytes, over the limit of {max_bytes:,}"
                " (a larger limit: --max-seed-size)"
            )
            return Problem(file.shown, 1, "file", message)
        return _read_all(fd, info.st_size), info
    except OSError as exc:
        return Problem(file.shown, 1, "file", f"cannot read file: {exc.strerror or exc}")
    finally:
        os.close(fd)


# A named pipe opens without waiting for a writer (then it is refused: not a regular file).
_READ = (
    os.O_RDONLY
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_NONBLOCK", 0)
)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_IS_A_LINK = {errno.ELOOP, errno.EMLINK}  # O_NOFOLLOW on a link: Linux and macOS, FreeBSD


class _LinkOutsideError(Exception):
    """A file link that now leads outside the seeds folder."""


def _open(file: SeedFile) -> int:
    """A descriptor for the seed file. Discovery read a link only when it led inside the seeds
    folder; the link is looked at again here, on the file actually opened, so that a file
    swapped for a link to elsewhere while the build runs is not read."""
    try:
        return os.open(file.location, _READ | _NOFOLLOW)
    except OSError as exc:
        if not _NOFOLLOW or exc.errno not in _IS_A_LINK:
            raise
    fd = os.open(file.location, _READ)  # a link: where the descriptor leads must be inside
    try:
        location = os.fspath(file.location)
        root = os.path.realpath(location[: len(location) - len(file.name)])
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")  # noqa: PTH115
        except OSError:  # no /proc: the path the link resolves to
            target = os.path.realpath(location)
        if not _inside(target, root):
            raise _LinkOutsideError
    except BaseException:
        os.close(fd)
        raise
    return fd


def _inside(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([root, path]) == root
    except ValueError:  # another drive
        return False


def _read_all(fd: int, size: int) -> bytes:
    """The bytes of the open file `fd` with plain os calls (an open file object costs 40% more
    per seed). One read of size + 1 bytes returns them all unless the file changed meanwhile or
    the read was cut short: then read on to the end."""
    data = os.read(fd, size + 1)
    if len(data) == size:
        return data
    parts = [data]
    while part := os.read(fd, 1 << 16):
        parts.append(part)
    return b"".join(parts)


def parse(file: SeedFile, data: bytes) -> LoadedSeed:
    """Turn the bytes of one seed file into a LoadedSeed."""
    try:
        matter, utf8 = frontmatter.read(data)
    except frontmatter.FrontMatterError as exc:
        return _rejected(file, exc.line, "front matter", exc.message)
    return _parse_fast(file, matter.yaml_text, utf8) or _parse_reference(file, matter)


def _parse_fast(file: SeedFile, text: str, utf8: bytes | None = None) -> LoadedSeed | None:
    """A clean seed through the fast parser; None for anything to report or repair.
    `utf8`: `text` in UTF-8, when the caller has it."""
    raw = yamlsrc.load_fast(text, utf8)
    if raw is None:
        return None
    encoded = urls.encoded_count
    try:
        seed = fast_validation.validate(raw)
    except ValidationError:
        return None
    # a URL percent-encoded: the reference path says so (repairs.encoded_urls)
    return LoadedSeed(file, seed) if urls.encoded_count == encoded else None


def _parse_reference(file: SeedFile, matter: frontmatter.FrontMatter) -> LoadedSeed:
    """PyYAML with a line for every key: the reference reading, and every message's source."""
    try:
        raw = yamlsrc.load(matter.yaml_text, matter.first_line)
    except yamlsrc.YamlError as exc:
        return _rejected(file, exc.line, _field(exc.loc), exc.message, exc.detail)
    if raw is None:
        return _rejected(file, 1, "front matter", "front matter is empty")
    if not isinstance(raw, yamlsrc.LineDict):
        return _rejected(
            file, matter.first_line, "front matter", "front matter must be a mapping of fields"
        )
    return _validate(file, raw, matter.yaml_text)


def _validate(file: SeedFile, raw: yamlsrc.LineDict, text: str) -> LoadedSeed:
    """The seed of `raw`, repaired where it can be; its problems in the order of the file."""
    loaded = _validated(file, raw, text)
    loaded.problems.sort(key=lambda problem: problem.line)  # stable: one line's stay in order
    return loaded


def _validated(file: SeedFile, raw: yamlsrc.LineDict, text: str) -> LoadedSeed:
    loaded = LoadedSeed(file, None)
    for loc, message in repairs.before_validation(raw, text):
        loaded.problems.append(_problem(file, raw, loc, message, "warning"))
    for _attempt in range(3):
        try:
            loaded.seed = Seed.model_validate(raw)
            return loaded
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
        targets = [repairs.drop_target(tuple(e["loc"])) for e in errors]
        if any(t is None for t in targets):
            # Every problem, each on its own line, in the order of the file: the errors that
            # reject the seed, and what would be dropped once they are fixed.
            problems = [
                _error_problem(file, raw, error, target)
                for error, target in zip(errors, targets, strict=True)
            ]
            loaded.problems.extend(sorted(problems, key=lambda p: p.line))
            return loaded
        for error, target in zip(errors, targets, strict=True):
            assert target is not None
            loaded.problems.append(_error_problem(file, raw, error, target))
        for target in sorted({t for t in targets if t is not None}, key=_drop_order, reverse=True):
            repairs.drop(raw, target)
    loaded.problems.append(Problem(file.shown, 1, "front matter", "could not be repaired"))
    return loaded


def _drop_order(target: tuple[str | int, ...]) -> tuple[Any, ...]:
    return tuple((0, p) if isinstance(p, int) else (1, p) for p in target)


def _error_problem(
    file: SeedFile,
    raw: yamlsrc.LineDict,
    error: ErrorDetails,
    target: tuple[str | int, ...] | None,
) -> Problem:
    """One validation error as a problem: an error when it rejects the seed (no target), else
    a warning that says what is dropped."""
    loc = tuple(error["loc"])
    message = _message(error)
    if target is not None:
        message += f"; dropped {_field(target)}"
    return Problem(
        file.shown,
        yamlsrc.line_of(raw, loc),
        _field(loc),
        message,
        "error" if target is None else "warning",
        plain.validation_detail(error),
    )


def _problem(
    file: SeedFile,
    raw: yamlsrc.LineDict,
    loc: tuple[str | int, ...],
    message: str,
    severity: str = "error",
) -> Problem:
    return Problem(
        file.shown,
        yamlsrc.line_of(raw, loc),
        _field(loc),
        message,
        "warning" if severity == "warning" else "error",
    )


def _rejected(
    file: SeedFile, line: int, field_name: str, message: str, detail: str = ""
) -> LoadedSeed:
    return LoadedSeed(file, None, [Problem(file.shown, line, field_name, message, detail=detail)])


def _field(loc: tuple[str | int, ...]) -> str:
    return plain.field_path(loc, "front matter")


def _message(error: ErrorDetails) -> str:
    return plain.validation_message(error)


# What a worker returns for a file whose digest is the one the cache knew:
# (size, mtime_ns, ctime_ns, digest).
Unchanged = tuple[int, int, int, bytes]
# A ScanRow with the seed's entry's row (Entry.row) at the end (scan_all's `rows`).
WithEntry = tuple[
    int, int, int, bytes, tuple[Any, ...] | None, tuple[tuple[Any, ...], ...], tuple[Any, ...]
]
# Where scan_all's entry rows go: (seed name, Entry.row(), (size, mtime_ns, ctime_ns)) -> None.
Rows = Callable[[str, tuple[Any, ...], Stat], None]


def scan(file: SeedFile, max_bytes: int, known: Scan | None = None) -> Scan:
    """Read one seed file into a Scan; `known` is reused when the content is unchanged.
    A file that cannot be read gets size -1: it is looked at again by every build."""
    row = _scan_row(file, max_bytes, known.digest if known else None)
    return _scan_of(file, _stashed(file, row, None), known)


def _scan_row(
    file: SeedFile, max_bytes: int, known_digest: bytes | None, entries: bool = False
) -> ScanRow | Unchanged | WithEntry:
    """The file's Scan as plain values (what a worker process sends back), or Unchanged; with
    `entries`, a valid seed's row has its entry's row (`_entry_row`) at the end."""
    found = _bytes_of(file, max_bytes)
    if isinstance(found, Problem):
        return (-1, -1, -1, b"", None, (found.row(),))
    data, stat = found
    size, mtime_ns, ctime_ns = stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns
    digest = hashlib.blake2b(data, digest_size=16).digest()
    if digest == known_digest:
        return (size, mtime_ns, ctime_ns, digest)
    loaded = parse(file, data)
    item = Candidate.of(loaded.seed, file.name).row() if loaded.seed else None
    problems = tuple(p.row() for p in loaded.problems)
    if entries and loaded.seed is not None:
        entry = _entry_row(loaded.seed)
        return (size, mtime_ns, ctime_ns, digest, item, problems, entry)
    return (size, mtime_ns, ctime_ns, digest, item, problems)


def _entry_row(seed: Seed) -> tuple[Any, ...]:
    """The seed's entry as the entry store keeps it (`Entry.row`), made where the seed was
    parsed: a build with an unbounded feed publishes (nearly) every seed, and would otherwise
    read each one twice (render/store.py, `EntryStore.stash`)."""
    from syndicate.render.entry import from_seed

    return from_seed(seed).row()


def _stashed(
    file: SeedFile, row: ScanRow | Unchanged | WithEntry, rows: Rows | None
) -> ScanRow | Unchanged:
    """`row` without its entry's row, which goes to `rows` (with the file's stat)."""
    if len(row) <= 6:
        return row
    assert rows is not None
    rows(file.name, row[6], row[:3])
    return row[:6]


def _scan_of(file: SeedFile, row: ScanRow | Unchanged, known: Scan | None) -> Scan:
    if len(row) == 4:  # the content is the one the cache knew
        assert known is not None
        return Scan(*row, known.candidate, known.problems)
    return Scan.from_row(file.name, row)


def scan_all(
    work: list[tuple[SeedFile, Scan | None]],
    max_bytes: int = DEFAULT_MAX_SEED_BYTES,
    jobs: int = 1,
    rows: Rows | None = None,
    preparing: Iterable[object] = (),
    workers: Workers | None = None,
    frames: list[Frame] | None = None,
) -> Iterator[Scan]:
    """Scan every (file, what the cache knew of it), in order; in `jobs` processes when there
    are enough files (`workers`' when given, else a pool for this scan alone), while this one
    takes the steps of `preparing` (see in_workers). With `rows`, each seed parsed (not one
    the cache knew) also gives its entry's row: `rows(name, row, stat)`, called before its
    Scan is yielded. With `frames`, each chunk the workers read is added to it as a Frame.

    The cyclic garbage collector is paused meanwhile (see gc_paused). Worker processes get
    plain values and give each chunk's rows as one marshal value: pickling dataclasses costs
    more than scanning.
    """
    entries = rows is not None
    with gc_paused():
        if jobs <= 1 or len(work) < PARALLEL_MIN_SEEDS:
            for file, known in work:
                row = _scan_row(file, max_bytes, known.digest if known else None, entries)
                yield _scan_of(file, _stashed(file, row, rows), known)
            return
        parts = chunked(work, jobs)
        # Made as they are sent: the workers are forked at the first, and start on it while
        # this process makes the others.
        chunks = (
            [(os.fspath(f.location), f.name, f.shown, k.digest if k else None) for f, k in part]
            for part in parts
        )
        chunk_scan = _scan_chunk_with_entries if entries else _scan_chunk
        found = in_workers(chunk_scan, chunks, max_bytes, jobs, preparing, workers)
        with closing(found) as results:
            for part, (encoded, encoded_entries) in zip(parts, results, strict=True):
                named_rows = marshal.loads(encoded)
                if frames is not None:
                    whole = all(len(named) == 7 for named in named_rows)  # name and a ScanRow
                    frames.append((part[0][0].name, encoded if whole else None))
                entry_of = dict(marshal.loads(encoded_entries)) if encoded_entries else {}
                for (file, known), named in zip(part, named_rows, strict=True):
                    entry = entry_of.get(file.name)
                    row = named[1:] if entry is None else (*named[1:], entry)
                    yield _scan_of(file, _stashed(file, row, rows), known)


# A chunk of rows as a worker sent it: (the first seed's name, its rows [(name, *ScanRow)] as
# one marshal value, or None when a row is not a whole ScanRow). On a cold build they are the
# parse cache's chunks as they are (incremental/cache.py, SeedCache.save_frames).
Frame = tuple[str, bytes | None]
MARSHAL_VERSION = 2  # the parse cache's (cache.encode): no back-references, dumped 3x faster


def chunked(work: list[T], jobs: int) -> list[list[T]]:
    """`work` cut into the chunks `jobs` worker processes take one at a time: CHUNK items (few
    results to send back), then smaller ones toward the end, each a fraction of what is left,
    so that the workers end together (with chunks of 250 seeds to the end, one worker went
    on alone for about 20 ms at the end of a scan; 914 seeds read again made chunks of 250,
    250, 250 and 164: 500 seeds for one worker, 414 for the other)."""
    least = max(1, CHUNK // 10)
    chunks, start = [], 0
    while start < len(work):
        size = max(least, min(CHUNK, (len(work) - start) // (2 * jobs)))
        chunks.append(work[start : start + size])
        start += size
    return chunks


class Workers:
    """A build's worker processes, forked when first given work (`run`) and kept for the next
    (the chosen seeds read again by the processes that read every seed: no fork, and their
    caches warm) until `close`, or the end of a `with` block. This process may fork no other
    child meanwhile (aside.can_fork): what does closes them first."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._pool: Any = None  # a ProcessPoolExecutor once started

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """End the processes; work not begun is cancelled."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(cancel_futures=True)

    def run(
        self,
        work: Callable[[list[T], int], R],
        chunks: Iterable[list[T]],
        max_bytes: int,
        preparing: Iterable[object] = (),
    ) -> Generator[R, None, None]:
        """`work(chunk, max_bytes)` of every chunk, in order (see in_workers); a caller that
        stops early, or fails, ends the processes. SyndicateError when one of them ended
        before its work was done (killed, or out of memory)."""
        from concurrent.futures.process import BrokenProcessPool  # the pool's module: 14 ms

        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor

            yamlsrc.expect_many()  # the workers inherit it: each reads many seeds
            fast_validation.prepare()  # and this too
            if sys.platform.startswith("linux"):
                import ctypes  # noqa: F401 (for _end_with_parent: imported once, before the fork)
            self._pool = ProcessPoolExecutor(
                self.jobs, initializer=_worker_start, initargs=(os.getpid(),)
            )
        results = self._pool.map(work, chunks, repeat(max_bytes))  # every worker forked now
        try:
            for _ in preparing:
                pass
            yield from results
        except BrokenProcessPool:
            self.close()
            raise SyndicateError(
                "a process reading the seeds ended before its work was done (was it killed,"
                " or out of memory?); nothing was written"
            ) from None
        except BaseException:  # GeneratorExit included: the caller stopped early
            self.close()
            raise


def in_workers(
    work: Callable[[list[T], int], R],
    chunks: Iterable[list[T]],
    max_bytes: int,
    jobs: int,
    preparing: Iterable[object] = (),
    workers: Workers | None = None,
) -> Generator[R, None, None]:
    """`work(chunk, max_bytes)` of every chunk, in order, in `workers` when given (they stay),
    else in a pool of `jobs` worker processes for this work alone (see _worker_start); workers
    left unstarted are cancelled when the caller stops early. Once every worker is started,
    this process takes the steps of `preparing` (imports the build needs next: see build.py)
    before it waits for the first results."""
    if workers is not None:
        yield from workers.run(work, chunks, max_bytes, preparing)
        return
    with Workers(jobs) as own:
        yield from own.run(work, chunks, max_bytes, preparing)


def _worker_start(parent: int) -> None:
    """In each worker process, first: no cyclic collector (see gc_paused), Ctrl-C left to the
    build's process (which stops the pool: no traceback from each worker), and an end with the
    build's process however that one ends (killed included), never a worker left behind."""
    gc.disable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not _end_with_parent():  # elsewhere: a thread that watches for the parent's end
        threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    if sys.platform != "win32":  # (there, os.kill would end the process)
        try:
            os.kill(parent, 0)
        except ProcessLookupError:  # the build ended before the watch began
            os._exit(1)
        except OSError:
            pass


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _end_with_parent() -> bool:
    """Ask Linux to kill this process when its parent ends; False where that cannot be done."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # in worker processes only

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int, every: float = 0.5) -> None:
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)


def _scan_chunk(
    chunk: list[tuple[str, str, str, bytes | None]], max_bytes: int, entries: bool = False
) -> tuple[bytes, bytes | None]:
    """In a worker: the rows of a chunk, [(name, *row)], as one marshal value (see Frame);
    with `entries`, the entry rows of its valid seeds too, [(name, Entry.row())], as another."""
    named_rows, entry_rows = [], []
    for location, name, shown, known_digest in chunk:
        row = _scan_row(SeedFile(location, name, shown), max_bytes, known_digest, entries)
        if len(row) > 6:  # WithEntry
            entry_rows.append((name, row[6]))
            row = row[:6]
        named_rows.append((name, *row))
    encoded_entries = marshal.dumps(entry_rows, MARSHAL_VERSION) if entries else None
    return marshal.dumps(named_rows, MARSHAL_VERSION), encoded_entries


def _scan_chunk_with_entries(
    chunk: list[tuple[str, str, str, bytes | None]], max_bytes: int
) -> tuple[bytes, bytes | None]:
    return _scan_chunk(chunk, max_bytes, entries=True)
