"""The one seam between the pipeline and the incremental machinery.

`Past.open(options)` looks at what the last build left (its memo, the parse cache) and the
seed files now, and answers the pipeline's three questions:

- `replay()`: did nothing change? Then the last build's report, and nothing is read or written.
- `update(config)`: did the changes leave every feed's selection as it was? Then only the feeds
  that show an edited item are rendered again (update.py).
- `scan(...)` / `remember(...)`: otherwise the pipeline builds in full, reading through the
  parse cache, and the outcome is remembered for the next build.

With the cache off (`--no-cache`, `check`, library calls), every answer is "build in full", the
seeds are read and nothing is remembered: the same pipeline with the seam switched off.
This module imports no seed model, no renderer: a replayed build needs neither; nor the
memo, the parse cache or the walk until the cache is on (`check` reads every seed without them).
"""

from __future__ import annotations

import logging
import time
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from operator import attrgetter
from typing import TYPE_CHECKING

from syndicate.errors import Problem, SyndicateError
from syndicate.incremental.aside import Aside
from syndicate.run import BuildOptions, BuildReport, FeedReport, OnSeed
from syndicate.seeds import discovery

if TYPE_CHECKING:
    from pathlib import Path
    from types import TracebackType

    from syndicate.config import Config
    from syndicate.incremental import cache, memo, walk
    from syndicate.publish.output import Content
    from syndicate.render.store import EntryStore
    from syndicate.seeds.reading import Frame, Rows, Scan, Workers

log = logging.getLogger(__name__)

Discovered = tuple[list[discovery.SeedFile], list[Problem]]

# From this many seeds, a full build writes the parse cache in a child process (aside.py).
ASIDE_MIN_SEEDS = discovery.PARALLEL_MIN_SEEDS
# The most chosen items whose entries the memo keeps (an archived feed may choose every seed).
MEMO_ENTRIES = 5000


@dataclass(frozen=True, slots=True)
class Update:
    """An incremental build: its report, the files rendered again, the others left as they are."""

    report: BuildReport
    files: dict[str, Content]
    keep: frozenset[str]


@dataclass(frozen=True, slots=True)
class Chosen:
    """What a full build chose, for the memo: feed id -> seed names in feed order, the entries
    read, and which of the report's problems are selection's and rendering's."""

    names: dict[str, tuple[str, ...]]
    entries: EntryStore
    problems_before: int
    problems_after: int  # later ones (the size guard's) are the files', not the selection's


@dataclass(slots=True)
class Past:
    options: BuildOptions
    started_ns: int = field(default_factory=time.time_ns)  # before any seed is looked at
    last: memo.Memo | None = None
    key: str | None = None
    seen: memo.Seen | None = None  # the seed files' names and stats, once compared with a memo
    found: memo.ProblemRows = ()
    selection: memo.Selection | None = None
    _discovered: Discovered | None = None
    _listing: walk.Listing | None = None  # what a child walking the seeds found (walk.py)
    _aside: Aside = field(default_factory=Aside)
    _seed_cache: cache.SeedCache | None = None
    _preparing: Iterator[object] = field(default_factory=lambda: iter(()))
    _workers: Workers | None = None

    @classmethod
    def open(cls, options: BuildOptions, preparing: Iterable[object] | None = None) -> Past:
        """With the cache off, or no seeds folder yet, nothing is looked at until the seeds
        are read (a config error is reported before a missing seeds folder). `preparing`:
        steps the build may take while a child walks a large seeds folder (walk.py); without
        them, the folder is walked in place; what is left of them is taken while worker
        processes read the seeds (reading.in_workers)."""
        past = cls(options)
        if preparing is not None:
            past._preparing = preparing = iter(preparing)
        if not (options.use_cache and options.seeds_dir.is_dir()):
            return past
        from syndicate.incremental import cache, memo, walk

        with discovery.gc_paused():  # 100,000 SeedFiles and stat rows: no cycles, much collecting
            past.last = last = memo.load(options.cache_folder)
            if (
                preparing is not None
                and last is not None
                and walk.walks_aside(len(last.seen.names))
            ):
                past._listing = walk.discover_while(options.seeds_dir, preparing, last.seen)
            listed: memo.Seen | None = None
            if past._listing is not None:
                listed, found = past._listing.seen, past._listing.problems
            else:
                # Without a memo or a parse cache, nothing compares stats before files are read.
                with_stats = (
                    past.last is not None or (options.cache_folder / cache.CACHE_FILE).exists()
                )
                _, found = past._discovered = discover(options, with_stats)
            past.key, past.found = _memo_key(options), memo.rows_of(found)
            if past.last is not None:  # (a Seen is made only to compare with a memo)
                seen = listed if listed is not None else memo.Seen.of(past.discovered[0])
                past.seen = seen.sharing_names(past.last.seen)
        return past

    def __enter__(self) -> Past:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._workers is not None:
            self._workers.close()
        self._aside.wait()

    @property
    def workers(self) -> Workers:
        """The build's worker processes (seeds/reading.py): started by the scan, kept for the
        chosen seeds' entries unless the parse cache is written aside (a fork) before."""
        if self._workers is None:
            from syndicate.seeds.reading import Workers

            self._workers = Workers(self.options.jobs)
        return self._workers

    @property
    def discovered(self) -> Discovered:
        """The seed files, sorted by name, and what discovery reported."""
        if self._discovered is None:
            if self._listing is not None:
                self._discovered = (self._listing.files(), self._listing.problems)
            else:
                self._discovered = discover(self.options, with_stats=self.options.use_cache)
        return self._discovered

    @property
    def discovery_problems(self) -> list[Problem]:
        return self._listing.problems if self._listing is not None else self.discovered[1]

    def file_of(self, name: str) -> discovery.SeedFile | None:
        """The seed file of that name, if there is one."""
        if self._discovered is None and self._listing is not None:
            return self._listing.file_of(name)
        files = self.discovered[0]
        at = bisect_left(files, name, key=attrgetter("name"))
        found = files[at] if at < len(files) else None
        return found if found is not None and found.name == name else None

    # --------------------------------------------------------------- the three questions

    def replay(self) -> BuildReport | None:
        """The last build's report when nothing it depends on changed; else None, and the
        memo is forgotten before anything is written (a build that fails midway leaves none)."""
        last = self.unchanged()
        if last is not None:
            log.debug("nothing changed since the last build")
            return _replayed(last)
        if self.options.use_cache:
            from syndicate.incremental import memo

            memo.forget(self.options.cache_folder)
        return None

    def unchanged(self) -> memo.Memo | None:
        """The last build's memo when nothing it depends on changed, else None; nothing is
        forgotten or written (`check` asks too)."""
        if self.last is None or self.key is None or self.seen is None:
            return None
        from syndicate.incremental import memo

        if memo.holds(self.last, self.key, self.seen, self.found, self.options.out_dir):
            return self.last
        return None

    def update(self, config: Config) -> Update | None:
        """The incremental build, when the seeds that changed leave every selection as it was."""
        last, seen = self.last, self.seen
        if not (self.key and last is not None and seen is not None):
            return None
        if (last.key, last.found) != (self.key, self.found):
            return None
        from syndicate.incremental import update

        options = self.options
        sources = update.Sources(
            self.file_of,
            seen,
            self._parse_cache(),
            options.out_dir,
            options.max_seed_bytes,
            options.strict,
        )
        with discovery.gc_paused():
            found = update.update(config, last, sources)
        if found is None:
            return None
        log.debug("incremental build: %d files rendered again", len(found.files))
        self.selection = found.selection
        report = _replayed(last)
        report.seeds_read, report.seeds_rejected = len(seen.names), found.seeds_rejected
        report.problems = [*self.discovery_problems, *found.problems]
        return Update(report, found.files, found.keep)

    def scan(self, on_seed: OnSeed | None, rows: Rows | None = None) -> list[Scan]:
        """A Scan of every seed file: from the parse cache where a stat proves it current, else
        read (in parallel when many); the cache learns what was read. A file that discovery did
        not stat gets, in `discovered`, the stat its read took (for the memo). With `rows`,
        each seed read gives it its entry's row too (reading.scan_all)."""
        from syndicate.seeds import reading

        options, files = self.options, self.discovered[0]
        store, known = None, {}
        if options.use_cache:
            store = self._parse_cache()
            known = store.load()
        scans: list[Scan | None] = []
        work: list[tuple[int, discovery.SeedFile, Scan | None]] = []
        for index, file in enumerate(files):
            hit = known.get(file.name)
            if hit is not None and store is not None and store.trusts(hit, file):
                scans.append(hit)
                if on_seed:
                    on_seed(len(files))
                continue
            scans.append(None)
            work.append((index, file, hit))
        pairs = [(file, hit) for _, file, hit in work]
        # The workers' chunks, kept when they may become the parse cache's (a first build's).
        frames: list[Frame] | None = [] if store is not None and not known else None
        read = reading.scan_all(
            pairs, options.max_seed_bytes, options.jobs, rows, self._preparing, self.workers, frames
        )
        for (index, _, _), scan in zip(work, read, strict=True):
            scans[index] = scan
            if files[index].size < 0 <= scan.size:
                file = files[index]  # (not _replace: made for every seed of a first build)
                files[index] = discovery.SeedFile(
                    file.location, file.name, file.shown, scan.size, scan.mtime_ns, scan.ctime_ns
                )
            if on_seed:
                on_seed(len(files))
        done = [s for s in scans if s is not None]
        if store is not None:
            self._store(store, known, done, frames or [])
        return done

    def _parse_cache(self) -> cache.SeedCache:
        """The parse cache, one for the build (a damaged one is told once: see cache.py)."""
        if self._seed_cache is None:
            from syndicate.incremental import cache

            options = self.options
            key = cache.fingerprint(options.seeds_dir, options.max_seed_bytes)
            self._seed_cache = cache.SeedCache(options.cache_folder, key)
        return self._seed_cache

    def _store(
        self, store: cache.SeedCache, known: dict[str, Scan], scans: list[Scan], frames: list[Frame]
    ) -> None:
        """Teach the parse cache what was read: a few changes appended, else written anew:
        the workers' chunks as they are when they read every seed, without a cache before
        (a cold build), else encoded here (aside, in a child process, for a large cache)."""
        if not known and frames and all(encoded is not None for _, encoded in frames):
            store.save_frames(frames, self.started_ns)
            return
        from syndicate.incremental import cache

        files = self.discovered[0]
        if known:
            changes: dict[str, Scan | None] = {
                f.name: s
                for f, s in zip(files, scans, strict=True)
                if not _same_row(known.get(f.name), s)
            }
            changes.update(dict.fromkeys(known.keys() - {f.name for f in files}))
            if len(changes) <= cache.UPDATE_MAX_ROWS:
                if changes:
                    store.update(changes)
                return
        rows = {f.name: s for f, s in zip(files, scans, strict=True)}
        if len(rows) >= ASIDE_MIN_SEEDS:
            self.workers.close()  # no other process runs while this one forks (aside.py)
            self._aside.start(partial(store.save, rows, self.started_ns), f"{store.path}: writing")
        else:
            store.save(rows, self.started_ns)

    def remember(
        self, report: BuildReport, chosen: Chosen | None, check_problems: list[Problem]
    ) -> None:
        """Keep this build's memo for the next (`chosen`: what a full build chose;
        `check_problems`: the config's advice, which build and check say before the build's
        problems)."""
        self._aside.wait()  # the memo records the parse cache file as written
        if self.key is None:
            return
        if chosen is not None:
            self.selection = _selection(report, chosen, self.discovered)
        from syndicate.incremental import memo
        from syndicate.publish import output

        names = [*report.written, *report.unchanged, *output.record_names(report.hub_topics)]
        seen = self.seen or memo.Seen.of(self.discovered[0])  # a first build: the reads' stats
        memo.save(
            self.options.cache_folder,
            self.key,
            _memo_report(report),
            self.options.out_dir,
            names,
            self.found,
            seen,
            self.selection,
            self.started_ns,
            memo.rows_of(check_problems),
        )


def _same_row(known: Scan | None, scan: Scan) -> bool:
    """Whether the cache's row already says what `scan` says: the same read, or a read again
    of a file with the same stat and content (one edited since the cache was last written
    whole is read again by every full build, see SeedCache.trusts: its row is not appended
    again each time)."""
    if known is scan:
        return True
    return known is not None and known.stat() == scan.stat() and known.digest == scan.digest


def discover(options: BuildOptions, with_stats: bool = True) -> Discovered:
    require_seeds_folder(options.seeds_dir)
    return discovery.discover(options.seeds_dir, with_stats)


def require_seeds_folder(folder: Path) -> None:
    """SyndicateError (exit 2) when there is no seeds folder to read."""
    if not folder.is_dir():
        raise SyndicateError(f"{folder}: seeds folder not found")


def _memo_key(options: BuildOptions) -> str | None:
    from syndicate.incremental import cache, memo

    try:
        config = options.config_path.read_bytes()
    except OSError:
        return None  # load_config reports it
    settings = repr(
        (
            options.config_path.as_posix(),  # as the report's problems show it
            options.seeds_dir.as_posix(),
            options.out_dir.as_posix(),
            options.strict,
            options.max_seed_bytes,
        )
    )
    return memo.key_of(
        cache.fingerprint(options.seeds_dir, options.max_seed_bytes), config, settings
    )


def _selection(
    report: BuildReport, chosen: Chosen, discovered: Discovered
) -> memo.Selection | None:
    """What the memo keeps for an incremental build; None when a chosen seed could not be
    read again (the report says so; the next build is a full one)."""
    if len(chosen.entries) != len({n for names in chosen.names.values() for n in names}):
        return None
    from syndicate.incremental import memo

    files, found = discovered
    name_of = {file.shown: file.name for file in files}
    seed_problems: dict[str, list[Problem]] = {}
    for problem in report.problems[len(found) : chosen.problems_before]:
        seed_problems.setdefault(name_of[problem.path], []).append(problem)
    feed_problems = report.problems[chosen.problems_before : chosen.problems_after]
    store = chosen.entries
    names = store.names() if len(store) <= MEMO_ENTRIES else []
    return memo.Selection(
        chosen.names,
        {name: store.row(name) for name in names},
        {name: memo.rows_of(problems) for name, problems in seed_problems.items()},
        memo.rows_of(feed_problems),
    )


def _memo_report(report: BuildReport) -> memo.MemoReport:
    from syndicate.incremental import memo

    return memo.MemoReport(
        report.seeds_read,
        report.seeds_rejected,
        memo.rows_of(report.problems),
        tuple((f.id, f.items, f.files) for f in report.feeds),
        tuple(sorted([*report.written, *report.unchanged])),
        report.hub_topics,
    )


def _replayed(last: memo.Memo) -> BuildReport:
    last_report = last.report
    return BuildReport(
        seeds_read=last_report.seeds_read,
        seeds_rejected=last_report.seeds_rejected,
        problems=[
            Problem.from_row(row) for row in [*(last.check_problems or ()), *last_report.problems]
        ],
        feeds=[FeedReport(id_, items, tuple(paths)) for id_, items, paths in last_report.feeds],
        unchanged=list(last_report.files),
        hub_topics=last_report.hub_topics,
    )
