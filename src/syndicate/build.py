"""The pipeline: load config and seeds, select per feed, render every format, write all at once."""

from __future__ import annotations

import difflib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from syndicate.config import Config, FeedConfig
from syndicate.config import load as load_config
from syndicate.errors import Problem, StrictModeError, SyndicateError
from syndicate.incremental import cache, memo
from syndicate.incremental import update as incremental
from syndicate.incremental.aside import Aside
from syndicate.publish import guard, output
from syndicate.render import entry, pages
from syndicate.render.feed import feed_files, feed_paths
from syndicate.render.store import EntryStore
from syndicate.seeds import discovery, reading
from syndicate.seeds.candidate import Candidate
from syndicate.seeds.models import topic_key
from syndicate.selection.select import Pool, select_from

log = logging.getLogger(__name__)

# From this many seeds, a full build writes the parse cache in a child process (aside.py).
ASIDE_MIN_SEEDS = reading.PARALLEL_MIN_SEEDS


@dataclass(frozen=True, slots=True)
class FeedReport:
    id: str
    items: int
    files: tuple[str, ...]


@dataclass(slots=True)
class BuildReport:
    seeds_read: int = 0
    seeds_rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    feeds: list[FeedReport] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # The feed files WebSub hubs are told about (`syndicate ping`); None: no hubs configured.
    hub_topics: tuple[str, ...] | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0


@dataclass(frozen=True, slots=True)
class BuildOptions:
    seeds_dir: Path = Path("seeds")
    config_path: Path = Path("config/feeds.yaml")
    out_dir: Path = Path("out")
    strict: bool = False
    max_seed_bytes: int = discovery.DEFAULT_MAX_SEED_BYTES
    jobs: int = os.cpu_count() or 1
    use_cache: bool = False  # the CLI turns it on; see cache.py

    @property
    def cache_folder(self) -> Path:
        return cache.default_folder(self.config_path)


Discovered = tuple[list[discovery.SeedFile], list[Problem]]
# Called once per seed read, with the number of seeds being read (for a progress bar).
OnSeed = Callable[[int], None]


def discover(options: BuildOptions, with_stats: bool = True) -> Discovered:
    if not options.seeds_dir.is_dir():
        raise SyndicateError(f"{options.seeds_dir}: seeds folder not found")
    return discovery.discover(options.seeds_dir, with_stats)


def load_candidates(
    options: BuildOptions,
    report: BuildReport,
    on_seed: OnSeed | None = None,
    discovered: Discovered | None = None,
    aside: Aside | None = None,
) -> list[Candidate]:
    """What selection needs of every valid seed; problems go to the report (or, with
    --strict, the first bad seed stops the build). With `aside`, a large parse cache is
    written in a child process while the caller goes on (see aside.py)."""
    files, problems = discovered or discover(options, with_stats=options.use_cache)
    report.problems.extend(problems)
    store = None
    known: dict[str, reading.Scan] = {}
    started_ns = time.time_ns()  # before any seed is read: the cache's trust time
    with reading.gc_paused():
        if options.use_cache:
            store = cache.SeedCache(options.cache_folder, cache.fingerprint(options.seeds_dir))
            known = store.load()
        scans = _scan(files, known, store, options, on_seed)
        changes: dict[str, reading.Scan | None] = {}
        cached = len(known)
        if cached:  # what the cache must learn: new and changed scans, removed files
            changes = {
                f.name: s for f, s in zip(files, scans, strict=True) if known.get(f.name) is not s
            }
            changes.update(dict.fromkeys(known.keys() - {f.name for f in files}))
        del known
        candidates: list[Candidate] = []
        for scan in scans:
            report.seeds_read += 1
            report.problems.extend(scan.problems)
            if scan.candidate is None:
                report.seeds_rejected += 1
                if options.strict:
                    raise StrictModeError(scan.problems[0])
            else:
                candidates.append(scan.candidate)
        if store is not None and cached and len(changes) <= cache.UPDATE_MAX_ROWS:
            if changes:
                store.update(changes)
        elif store is not None:
            rows = {f.name: s for f, s in zip(files, scans, strict=True)}
            if aside is not None and len(rows) >= ASIDE_MIN_SEEDS:
                aside.start(partial(store.save, rows, started_ns), f"{store.path}: writing")
            else:
                store.save(rows, started_ns)
    return candidates


def _scan(
    files: list[discovery.SeedFile],
    known: dict[str, reading.Scan],
    store: cache.SeedCache | None,
    options: BuildOptions,
    on_seed: OnSeed | None,
) -> list[reading.Scan]:
    """A Scan per file: from the cache where a stat proves it current, else read. A file that
    discovery did not stat gets, in `files`, the stat its read took (for the build memo)."""
    scans: list[reading.Scan | None] = []
    work: list[tuple[int, discovery.SeedFile, reading.Scan | None]] = []
    for index, file in enumerate(files):
        hit = known.get(file.name)
        if hit is not None and store is not None and store.trusts(hit, file.size, file.mtime_ns):
            scans.append(hit)
            if on_seed:
                on_seed(len(files))
            continue
        scans.append(None)
        work.append((index, file, hit))
    pairs = [(file, hit) for _, file, hit in work]
    for (index, _, _), scan in zip(
        work, reading.scan_all(pairs, options.max_seed_bytes, options.jobs), strict=True
    ):
        scans[index] = scan
        if files[index].size < 0 <= scan.size:
            files[index] = files[index]._replace(size=scan.size, mtime_ns=scan.mtime_ns)
        if on_seed:
            on_seed(len(files))
    return [s for s in scans if s is not None]


def _read_seeds(options: BuildOptions, names: set[str], report: BuildReport) -> EntryStore:
    """The entry of each published item, its seed read again (selection kept only its facts),
    kept out of memory until a writer writes it (store.py)."""
    found = EntryStore()
    for name in sorted(names):
        file = discovery.SeedFile(
            options.seeds_dir / name, name, (options.seeds_dir / name).as_posix()
        )
        loaded = reading.read(file, options.max_seed_bytes)
        if loaded.seed is None:
            message = "changed while the build ran; left out"
            report.problems.append(Problem(file.shown, 1, "file", message))
            continue
        found.add(name, entry.from_seed(loaded.seed))
    return found


@dataclass(frozen=True, slots=True)
class Rendered:
    files: dict[str, output.Content]  # by path in out/: bytes, or what writes them
    chosen: dict[str, tuple[str, ...]]  # feed id -> the seed names of its items, in feed order
    entries: EntryStore  # by seed name, for every chosen item read
    problems_before: int  # how many of the report's problems came before rendering's


def render(
    config: Config,
    options: BuildOptions,
    candidates: list[Candidate],
    report: BuildReport,
) -> Rendered:
    """Every output file of every feed, and what each feed chose."""
    problems_before = len(report.problems)
    pool = Pool.of(candidates)
    # An archived feed keeps every item: the newest `limit` in the feed, the rest in pages.
    chosen = {
        feed.id: select_from(pool, feed, 0 if feed.archive else feed.limit) for feed in config.feeds
    }
    names = {item.name for items in chosen.values() for item in items}
    entries = _read_seeds(options, names, report)
    files: dict[str, output.Content] = {}
    config_path = options.config_path.as_posix()
    views: list[tuple[FeedConfig, entry.FeedView]] = []
    for feed in config.feeds:
        items = entries.entries([item.name for item in chosen[feed.id] if item.name in entries])
        view, feed_output = feed_files(config.site, feed, items)
        views.append((feed, view))
        files.update(feed_output)
        report.feeds.append(FeedReport(feed.id, len(view.entries), feed_paths(feed)))
        if not view.entries:
            report.problems.append(_empty_feed(config_path, feed, candidates))
    files.update(pages.render_pages(config.site, views))
    if config.site.websub_hubs:
        report.hub_topics = tuple(path for feed in report.feeds for path in feed.files)
    names_chosen = {
        feed_id: tuple(item.name for item in items) for feed_id, items in chosen.items()
    }
    return Rendered(files, names_chosen, entries, problems_before)


def _empty_feed(config_path: str, feed: FeedConfig, candidates: list[Candidate]) -> Problem:
    message = f"feed {feed.id!r} selected no items"
    if feed.topics:
        known = {topic for item in candidates for topic in item.topics}
        missing = [t for t in feed.topics if topic_key(t) not in known]
        if missing:
            message += f"; no seed has topic {missing[0]!r}"
            close = difflib.get_close_matches(topic_key(missing[0]), sorted(known), n=1)
            if close:
                message += f" (did you mean {close[0]!r}?)"
    return Problem(config_path, feed.line, f"feeds.{feed.id}", message, "warning")


def prepare(
    options: BuildOptions,
    on_seed: OnSeed | None = None,
    discovered: Discovered | None = None,
    config: Config | None = None,
) -> tuple[BuildReport, dict[str, output.Content]]:
    """Everything a build writes: the report so far and {path in out/: content}, where a
    feed's files and preview pages are what writes them (output.Content).

    Config errors raise ConfigError before any seed is read.
    """
    report, rendered = _full(
        options, config or load_config(options.config_path), on_seed, discovered
    )
    return report, rendered.files


def _full(
    options: BuildOptions,
    config: Config,
    on_seed: OnSeed | None,
    discovered: Discovered | None,
) -> tuple[BuildReport, Rendered]:
    report = BuildReport()
    with Aside() as aside:  # the parse cache is written while rendering
        candidates = load_candidates(options, report, on_seed, discovered, aside)
        return report, render(config, options, candidates, report)


def build(options: BuildOptions, on_seed: OnSeed | None = None) -> BuildReport:
    """Build every feed and write the output tree all at once.

    With the cache on, a build that nothing has changed since the last one is replayed from
    its memo (memo.py): same report, nothing read or written; one whose changes no feed's
    selection sees renders only the feeds that show them (incremental.py).
    """
    if not (options.use_cache and options.seeds_dir.is_dir()):
        config = load_config(options.config_path)
        report, rendered = _full(options, config, on_seed, None)
        return _guarded(config, options, _write(options, report, rendered.files))
    started_ns = time.time_ns()
    with reading.gc_paused():  # 100,000 SeedFiles and stat rows: no cycles, much collecting
        last = memo.load(options.cache_folder)
        # Without a memo or a parse cache, nothing compares stats before the files are read.
        with_stats = last is not None or (options.cache_folder / cache.CACHE_FILE).exists()
        discovered = discover(options, with_stats)
        key = _memo_key(options)
        found = memo.rows_of(discovered[1])
        seen = None  # the seed files with their stats, once there is a memo to compare with
        if last is not None:
            seen = memo.Seen.of(discovered[0]).sharing_names(last.seen)
            if key and memo.holds(last, key, seen, found, options.out_dir):
                log.debug("nothing changed since the last build")
                return _replayed(last)  # the same config bytes were valid for the same code
        memo.forget(options.cache_folder)
        config = load_config(options.config_path)  # config errors come before seed errors
        update, selection = None, None
        if key and last is not None and seen is not None and (last.key, last.found) == (key, found):
            store = cache.SeedCache(options.cache_folder, cache.fingerprint(options.seeds_dir))
            sources = incremental.Sources(
                discovered[0], seen, store, options.out_dir, options.max_seed_bytes, options.strict
            )
            update = incremental.update(config, last, sources)
    if last is not None and update is not None:
        log.debug("incremental build: %d files rendered again", len(update.files))
        report = _updated(last, discovered, update)
        selection = update.selection
        report = _write(options, report, update.files, update.keep)
    else:
        report, rendered = _full(options, config, on_seed, discovered)
        selection = _selection(report, rendered, discovered)
        report = _write(options, report, rendered.files)
    report = _guarded(config, options, report)
    if seen is None:  # a first build: where discovery took no stat, the read's (see _scan)
        seen = memo.Seen.of(discovered[0])
    if key is not None:
        names = [*report.written, *report.unchanged, *output.record_names(report.hub_topics)]
        memo.save(
            options.cache_folder,
            key,
            _memo_report(report),
            options.out_dir,
            names,
            found,
            seen,
            selection,
            started_ns,
        )
    return report


def _write(
    options: BuildOptions,
    report: BuildReport,
    files: dict[str, output.Content],
    keep: frozenset[str] = frozenset(),
) -> BuildReport:
    written = output.write_tree(options.out_dir, files, report.hub_topics, keep)
    report.written, report.unchanged, report.removed = (
        written.written,
        sorted([*written.unchanged, *keep]),
        written.removed,
    )
    log.debug("built %d files", len(files))
    return report


def _guarded(config: Config, options: BuildOptions, report: BuildReport) -> BuildReport:
    """The report with the size guard's warnings, from the feed files as written."""
    report.problems.extend(size_warnings(config, options, report, output.size_in(options.out_dir)))
    return report


def size_warnings(
    config: Config, options: BuildOptions, report: BuildReport, size_of: guard.SizeOf
) -> list[Problem]:
    """The size guard's warnings (guard.py) about the feeds of `report`."""
    items = {feed.id: feed.items for feed in report.feeds}
    files = {feed.id: feed.files for feed in report.feeds}
    return guard.warnings(options.config_path.as_posix(), config.feeds, items, files, size_of)


def _memo_key(options: BuildOptions) -> str | None:
    try:
        config = options.config_path.read_bytes()
    except OSError:
        return None  # load_config reports it
    settings = repr(
        (
            options.seeds_dir.as_posix(),
            options.out_dir.as_posix(),
            options.strict,
            options.max_seed_bytes,
        )
    )
    fingerprint = cache.fingerprint(options.seeds_dir)
    return memo.key_of(fingerprint, config, settings)


# The most chosen items whose entries the memo keeps (an archived feed may choose every seed).
MEMO_ENTRIES = 5000


def _selection(
    report: BuildReport, rendered: Rendered, discovered: Discovered
) -> memo.Selection | None:
    """What the memo keeps for an incremental build; None when a chosen seed could not be
    read again (the report says so; the next build is a full one)."""
    if len(rendered.entries) != len({n for names in rendered.chosen.values() for n in names}):
        return None
    files, found = discovered
    name_of = {file.shown: file.name for file in files}
    seed_problems: dict[str, list[Problem]] = {}
    for problem in report.problems[len(found) : rendered.problems_before]:
        seed_problems.setdefault(name_of[problem.path], []).append(problem)
    feed_problems = report.problems[rendered.problems_before :]
    store = rendered.entries
    names = store.names() if len(store) <= MEMO_ENTRIES else []
    return memo.Selection(
        rendered.chosen,
        {name: store.row(name) for name in names},
        {name: memo.rows_of(problems) for name, problems in seed_problems.items()},
        memo.rows_of(feed_problems),
    )


def _updated(last: memo.Memo, discovered: Discovered, update: incremental.Update) -> BuildReport:
    """The report of an incremental build: the last build's, with the seeds' problems now."""
    report = _replayed(last)
    report.seeds_read = len(discovered[0])
    report.seeds_rejected = update.seeds_rejected
    report.problems = [*discovered[1], *update.problems]
    return report


def _memo_report(report: BuildReport) -> memo.MemoReport:
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
        problems=[Problem.from_row(row) for row in last_report.problems],
        feeds=[FeedReport(id_, items, tuple(paths)) for id_, items, paths in last_report.feeds],
        unchanged=list(last_report.files),
        hub_topics=last_report.hub_topics,
    )
