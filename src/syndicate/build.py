"""The pipeline: load config and seeds, select per feed, render every format, write all at once."""

from __future__ import annotations

import difflib
import gc
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from syndicate import __version__, cache, entry, memo, output, pages, seeds
from syndicate.candidate import Candidate
from syndicate.config import Config, FeedConfig, Site
from syndicate.config import load as load_config
from syndicate.errors import Problem, StrictModeError, SyndicateError
from syndicate.models import Seed, topic_key
from syndicate.select import Pool, archive_pages, select_from
from syndicate.writers import WRITERS

log = logging.getLogger(__name__)


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
    max_seed_bytes: int = seeds.DEFAULT_MAX_SEED_BYTES
    jobs: int = os.cpu_count() or 1
    use_cache: bool = False  # the CLI turns it on; see cache.py

    @property
    def cache_folder(self) -> Path:
        return cache.default_folder(self.config_path)


Discovered = tuple[list[seeds.SeedFile], list[Problem]]


def discover(options: BuildOptions) -> Discovered:
    if not options.seeds_dir.is_dir():
        raise SyndicateError(f"{options.seeds_dir}: seeds folder not found")
    return seeds.discover(options.seeds_dir)


def load_candidates(
    options: BuildOptions,
    report: BuildReport,
    on_seed: Callable[[], None] | None = None,
    discovered: Discovered | None = None,
) -> list[Candidate]:
    """What selection needs of every valid seed; problems go to the report (or, with
    --strict, the first bad seed stops the build)."""
    files, problems = discovered or discover(options)
    report.problems.extend(problems)
    store = None
    known: dict[str, seeds.Scan] = {}
    with seeds.gc_paused():
        if options.use_cache:
            store = cache.SeedCache(options.cache_folder, cache.fingerprint(options.seeds_dir))
            known = store.load()
        scans = _scan(files, known, store, options, on_seed)
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
        if store is not None:
            store.save({f.name: s for f, s in zip(files, scans, strict=True)})
    gc.freeze()  # what was loaded lives to the end: keep it out of later collections
    return candidates


def _scan(
    files: list[seeds.SeedFile],
    known: dict[str, seeds.Scan],
    store: cache.SeedCache | None,
    options: BuildOptions,
    on_seed: Callable[[], None] | None,
) -> list[seeds.Scan]:
    """A Scan per file: from the cache where a stat proves it current, else read."""
    scans: list[seeds.Scan | None] = []
    work: list[tuple[int, seeds.SeedFile, seeds.Scan | None]] = []
    for index, file in enumerate(files):
        hit = known.get(file.name)
        if hit is not None and store is not None and store.trusts(hit, file.size, file.mtime_ns):
            scans.append(hit)
            if on_seed:
                on_seed()
            continue
        scans.append(None)
        work.append((index, file, hit))
    pairs = [(file, hit) for _, file, hit in work]
    for (index, _, _), scan in zip(
        work, seeds.scan_all(pairs, options.max_seed_bytes, options.jobs), strict=True
    ):
        scans[index] = scan
        if on_seed:
            on_seed()
    return [s for s in scans if s is not None]


def _read_seeds(options: BuildOptions, names: set[str], report: BuildReport) -> dict[str, Seed]:
    """The full Seed of each published item, read again (selection kept only its facts)."""
    found: dict[str, Seed] = {}
    for name in sorted(names):
        file = seeds.SeedFile(options.seeds_dir / name, name, (options.seeds_dir / name).as_posix())
        loaded = seeds.read(file, options.max_seed_bytes)
        if loaded.seed is None:
            message = "changed while the build ran; left out"
            report.problems.append(Problem(file.shown, 1, "file", message))
            continue
        found[name] = loaded.seed
    return found


def feed_view(
    site: Site, feed: FeedConfig, chosen: list[Seed], archive: entry.Archive | None = None
) -> entry.FeedView:
    """The current feed (`archive` None, or its page None) or one of its archive pages."""
    author = site.author
    current = archive is None or archive.page is None
    return entry.FeedView(
        id=feed.id,
        title=feed.title,
        description=feed.description or site.description or feed.title,
        language=site.language,
        home_url=site.base_url,
        feed_base=f"{site.base_url}{feed.id}/",
        author=entry.Person(author.name, author.url, None, author.email)
        if author
        else entry.Person(site.title, site.base_url),
        generator="syndicate",
        version=__version__,
        entries=tuple(entry.from_seed(seed) for seed in chosen),
        icon=feed.icon or site.icon,
        logo=feed.logo or site.logo,
        hubs=tuple(site.websub_hubs or ()) if current else (),
        stylesheet=pages.STYLESHEET if site.stylesheet else None,
        archive=archive,
    )


def render(
    config: Config,
    options: BuildOptions,
    candidates: list[Candidate],
    report: BuildReport,
) -> dict[str, bytes]:
    """Every output file of every feed, by path relative to the output folder."""
    pool = Pool.of(candidates)
    # An archived feed keeps every item: the newest `limit` in the feed, the rest in pages.
    chosen = {
        feed.id: select_from(pool, feed, 0 if feed.archive else feed.limit) for feed in config.feeds
    }
    names = {item.name for items in chosen.values() for item in items}
    full = _read_seeds(options, names, report)
    files: dict[str, bytes] = {}
    config_path = options.config_path.as_posix()
    views: list[tuple[FeedConfig, entry.FeedView]] = []
    for feed in config.feeds:
        items = [full[item.name] for item in chosen[feed.id] if item.name in full]
        view, feed_files = _render_feed(config.site, feed, items)
        views.append((feed, view))
        files.update(feed_files)
        paths = tuple(f"{feed.id}/{WRITERS[name].filename}" for name in feed.formats)
        report.feeds.append(FeedReport(feed.id, len(view.entries), paths))
        if not view.entries:
            report.problems.append(_empty_feed(config_path, feed, candidates))
    files.update(pages.render_pages(config.site, views))
    if config.site.websub_hubs:
        report.hub_topics = tuple(path for feed in report.feeds for path in feed.files)
    return files


def _render_feed(
    site: Site, feed: FeedConfig, items: list[Seed]
) -> tuple[entry.FeedView, dict[str, bytes]]:
    """The view of the current feed and the feed's files: the current feed in each format and,
    when the feed archives, the items beyond its limit in archive pages."""
    if not feed.archive:
        view = feed_view(site, feed, items)
        return view, _feed_files(feed, view)
    paged = archive_pages(items[feed.limit :], feed.page_size)
    view = feed_view(site, feed, items[: feed.limit], entry.Archive(len(paged)))
    return view, {**_feed_files(feed, view), **_archive_files(site, feed, paged)}


def _feed_files(feed: FeedConfig, view: entry.FeedView) -> dict[str, bytes]:
    """The current feed in each of its formats."""
    return {
        f"{feed.id}/{WRITERS[name].filename}": WRITERS[name].render(view) for name in feed.formats
    }


def _archive_files(site: Site, feed: FeedConfig, paged: list[list[Seed]]) -> dict[str, bytes]:
    """The archive pages of a feed in each format that has them, by path in out/."""
    files: dict[str, bytes] = {}
    for number, items in enumerate(paged, 1):
        view = feed_view(site, feed, items, entry.Archive(len(paged), number))
        for name in feed.formats:
            writer = WRITERS[name]
            if writer.archive_suffix:
                files[f"{feed.id}/{writer.document(number)}"] = writer.render(view)
    return files


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
    on_seed: Callable[[], None] | None = None,
    discovered: Discovered | None = None,
    config: Config | None = None,
) -> tuple[BuildReport, dict[str, bytes]]:
    """Everything a build writes, in memory: the report so far and {path in out/: bytes}.

    Config errors raise ConfigError before any seed is read.
    """
    config = config or load_config(options.config_path)
    report = BuildReport()
    candidates = load_candidates(options, report, on_seed, discovered)
    files = render(config, options, candidates, report)
    return report, files


def build(options: BuildOptions, on_seed: Callable[[], None] | None = None) -> BuildReport:
    """Build every feed and write the output tree all at once.

    With the cache on, a build that nothing has changed since the last one is replayed from
    its memo (see memo.py): same report, nothing read or written.
    """
    key = discovered = None
    if options.use_cache and options.seeds_dir.is_dir():
        discovered = discover(options)
        key = _memo_key(options, discovered)
        last = memo.load(options.cache_folder)
        if key and last is not None and memo.holds(last, key, discovered[0], options.out_dir):
            log.debug("nothing changed since the last build")
            return _replayed(last)  # the same config bytes were valid for the same code
    config = load_config(options.config_path)  # config errors come before seed errors
    report, files = prepare(options, on_seed, discovered, config)
    written = output.write_tree(options.out_dir, files, report.hub_topics)
    report.written, report.unchanged, report.removed = (
        written.written,
        written.unchanged,
        written.removed,
    )
    log.debug("built %d files", len(files))
    if key is not None:
        names = [*files, *output.record_names(report.hub_topics)]
        memo.save(options.cache_folder, key, _memo_report(report), options.out_dir, names)
    return report


def _memo_key(options: BuildOptions, discovered: Discovered) -> str | None:
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
    return memo.key_of(fingerprint, config, settings, *discovered)


def _memo_report(report: BuildReport) -> tuple[Any, ...]:
    problems = tuple(p.row() for p in report.problems)
    feeds = tuple((f.id, f.items, f.files) for f in report.feeds)
    files = tuple(sorted([*report.written, *report.unchanged]))
    return (report.seeds_read, report.seeds_rejected, problems, feeds, files)


def _replayed(last: memo.Memo) -> BuildReport:
    seeds_read, seeds_rejected, problems, feeds, files = last.report
    return BuildReport(
        seeds_read=seeds_read,
        seeds_rejected=seeds_rejected,
        problems=[Problem.from_row(row) for row in problems],
        feeds=[FeedReport(id_, items, tuple(paths)) for id_, items, paths in feeds],
        unchanged=list(files),
    )
