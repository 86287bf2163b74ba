"""The pipeline: load config and seeds, select per feed, render every format, write all at once."""

from __future__ import annotations

import difflib
import gc
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from syndicate import __version__, cache, entry, output, pages, seeds
from syndicate.candidate import Candidate
from syndicate.config import Config, FeedConfig, Site
from syndicate.config import load as load_config
from syndicate.errors import Problem, StrictModeError, SyndicateError
from syndicate.models import Seed, topic_key
from syndicate.select import select
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


def load_candidates(
    options: BuildOptions, report: BuildReport, on_seed: Callable[[], None] | None = None
) -> list[Candidate]:
    """What selection needs of every valid seed; problems go to the report (or, with
    --strict, the first bad seed stops the build)."""
    if not options.seeds_dir.is_dir():
        raise SyndicateError(f"{options.seeds_dir}: seeds folder not found")
    files, problems = seeds.discover(options.seeds_dir)
    report.problems.extend(problems)
    store = None
    known: dict[str, seeds.Scan] = {}
    if options.use_cache:
        store = cache.SeedCache(options.cache_folder, cache.fingerprint(options.seeds_dir))
        known = store.load()
    scans = _scan(files, known, store, options, on_seed)
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
        if hit is not None and store is not None:
            try:
                stat = file.path.stat()
            except OSError:
                stat = None
            if stat is not None and store.trusts(hit, stat.st_size, stat.st_mtime_ns):
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


def feed_view(site: Site, feed: FeedConfig, chosen: list[Seed]) -> entry.FeedView:
    author = site.author
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
    )


def render(
    config: Config,
    options: BuildOptions,
    candidates: list[Candidate],
    report: BuildReport,
) -> dict[str, bytes]:
    """Every output file of every feed, by path relative to the output folder."""
    chosen = {feed.id: select(candidates, feed, feed.limit) for feed in config.feeds}
    names = {item.name for items in chosen.values() for item in items}
    full = _read_seeds(options, names, report)
    files: dict[str, bytes] = {}
    config_path = options.config_path.as_posix()
    views: list[tuple[FeedConfig, entry.FeedView]] = []
    for feed in config.feeds:
        items = [full[item.name] for item in chosen[feed.id] if item.name in full]
        view = feed_view(config.site, feed, items)
        views.append((feed, view))
        paths = []
        for name in feed.formats:
            writer = WRITERS[name]
            path = f"{feed.id}/{writer.filename}"
            files[path] = writer.render(view)
            paths.append(path)
        report.feeds.append(FeedReport(feed.id, len(items), tuple(paths)))
        if not items:
            report.problems.append(_empty_feed(config_path, feed, candidates))
    files.update(pages.render_pages(config.site, views))
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
    options: BuildOptions, on_seed: Callable[[], None] | None = None
) -> tuple[BuildReport, dict[str, bytes]]:
    """Everything a build writes, in memory: the report so far and {path in out/: bytes}.

    Config errors raise ConfigError before any seed is read.
    """
    config = load_config(options.config_path)
    report = BuildReport()
    candidates = load_candidates(options, report, on_seed)
    files = render(config, options, candidates, report)
    return report, files


def build(options: BuildOptions, on_seed: Callable[[], None] | None = None) -> BuildReport:
    """Build every feed and write the output tree all at once."""
    report, files = prepare(options, on_seed)
    written = output.write_tree(options.out_dir, files)
    report.written, report.unchanged, report.removed = (
        written.written,
        written.unchanged,
        written.removed,
    )
    log.debug("built %d files", len(files))
    return report
