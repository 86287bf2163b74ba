"""The pipeline: load config and seeds, select per feed, render every format, write all at once."""

from __future__ import annotations

import difflib
import gc
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from syndicate import __version__, entry, output, seeds
from syndicate.config import Config, FeedConfig, Site
from syndicate.config import load as load_config
from syndicate.errors import Problem, StrictModeError, SyndicateError
from syndicate.models import topic_key
from syndicate.select import Candidate, select
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


def load_candidates(
    options: BuildOptions, report: BuildReport, on_seed: Callable[[], None] | None = None
) -> list[Candidate]:
    """Every valid seed; problems go to the report (or stop the build with --strict)."""
    if not options.seeds_dir.is_dir():
        raise SyndicateError(f"{options.seeds_dir}: seeds folder not found")
    files, problems = seeds.discover(options.seeds_dir)
    report.problems.extend(problems)
    candidates: list[Candidate] = []
    for loaded in seeds.load_all(files, options.max_seed_bytes, options.jobs):
        report.seeds_read += 1
        report.problems.extend(loaded.problems)
        if loaded.seed is None:
            report.seeds_rejected += 1
            if options.strict:
                raise StrictModeError(loaded.problems[0])
        else:
            candidates.append(Candidate(loaded.seed, loaded.file.name))
        if on_seed:
            on_seed()
    gc.freeze()  # the seeds live to the end of the build: keep them out of later collections
    return candidates


def feed_view(site: Site, feed: FeedConfig, chosen: list[Candidate]) -> entry.FeedView:
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
        entries=tuple(entry.from_seed(c.seed) for c in chosen),
    )


def render(
    config: Config, config_path: str, candidates: list[Candidate], report: BuildReport
) -> dict[str, bytes]:
    """Every output file of every feed, by path relative to the output folder."""
    files: dict[str, bytes] = {}
    for feed in config.feeds:
        chosen = select(candidates, feed, feed.limit)
        view = feed_view(config.site, feed, chosen)
        names = []
        for name in feed.formats:
            writer = WRITERS[name]
            path = f"{feed.id}/{writer.filename}"
            files[path] = writer.render(view)
            names.append(path)
        report.feeds.append(FeedReport(feed.id, len(chosen), tuple(names)))
        if not chosen:
            report.problems.append(_empty_feed(config_path, feed, candidates))
    return files


def _empty_feed(config_path: str, feed: FeedConfig, candidates: list[Candidate]) -> Problem:
    message = f"feed {feed.id!r} selected no items"
    if feed.topics:
        known = {topic_key(t): t for c in candidates for t in c.seed.topics}
        missing = [t for t in feed.topics if topic_key(t) not in known]
        if missing:
            hint = f"; no seed has topic {missing[0]!r}"
            close = difflib.get_close_matches(topic_key(missing[0]), list(known), n=1)
            if close:
                hint += f" (did you mean {known[close[0]]!r}?)"
            message += hint
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
    files = render(config, options.config_path.as_posix(), candidates, report)
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
