"""The pipeline: config -> seeds -> selection -> rendering -> the output tree, in that order.

What makes rebuilds fast (the build memo, the parse cache, incremental updates) sits behind one
seam, `incremental.seam.Past`: with the cache off, a build is the same code with every answer of
the seam being "build in full". The stages are imported when a build needs them: a replayed
build reads no seed and renders nothing, so it imports neither pydantic nor the writers.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from syndicate.errors import OutputError, Problem, StrictModeError
from syndicate.incremental.seam import Chosen, Past
from syndicate.render.writers import WRITERS
from syndicate.run import BuildOptions, BuildReport, FeedReport, OnSeed
from syndicate.seeds.discovery import gc_paused

if TYPE_CHECKING:
    from syndicate.config import Config
    from syndicate.publish.guard import SizeOf
    from syndicate.publish.output import Content
    from syndicate.render.store import EntryStore
    from syndicate.seeds.candidate import Candidate
    from syndicate.seeds.reading import Workers

__all__ = ["BuildOptions", "BuildReport", "OnSeed", "build", "load_candidates", "prepare"]

log = logging.getLogger(__name__)


def build(options: BuildOptions, on_seed: OnSeed | None = None) -> BuildReport:
    """Build every feed and write the output tree all at once."""
    with Past.open(options, _preparing()) as past:
        replayed = past.replay()  # nothing changed since the last build
        if replayed is not None:
            return replayed
        from syndicate.config import load as load_config  # imported only now: see above
        from syndicate.config import placeholder_problems

        config = load_config(options.config_path)  # config errors come before seed errors
        # Said first by build and check (a base_url left as the placeholder of `syndicate
        # init`); the memo keeps it apart, for the builds and checks that replay this one.
        advice = placeholder_problems(config, options.config_path.as_posix())
        update = past.update(config)  # only some feeds show the seeds that changed
        chosen = None
        if update is not None:
            report = _write(options, config, update.report, update.files, update.keep)
        else:
            report = BuildReport()
            scanned = _scanned_entries(config)  # rows the scan makes for an unbounded feed
            candidates = _candidates(options, past, report, on_seed, scanned)
            files, chosen = render(config, options, candidates, report, scanned, past.workers)
            report = _write(options, config, report, files)
        report.problems.extend(size_warnings(config, options, report))
        past.remember(report, chosen, advice)
        report.problems[:0] = advice
        return report


# What a build that renders imports, and a replayed one does not: imported one module a step
# while a large seeds folder is walked in another process (incremental/walk.py).
STAGES = (
    "pydantic",
    "syndicate.seeds.models",
    "syndicate.config",
    "syndicate.incremental.update",
    *(writer.module for writer in WRITERS.values()),
    "syndicate.publish.output",
    "syndicate.review.diff",
)


def _preparing() -> Iterator[None]:
    for name in STAGES:
        importlib.import_module(name)
        yield
    from syndicate.render import pages

    pages.prepare()
    yield


def prepare(
    options: BuildOptions,
    on_seed: OnSeed | None = None,
    config: Config | None = None,
    with_pages: bool = True,
) -> tuple[BuildReport, dict[str, Content]]:
    """Everything a build would write: the report and {path in out/: content}, where a feed's
    files and preview pages are what writes them (output.Content); nothing is read from or
    written to the cache. Config errors raise before any seed is read. Without `with_pages`,
    the feeds' files only (what `check` measures and compares: the report is the same)."""
    from syndicate.config import load as load_config

    config = config or load_config(options.config_path)
    report = BuildReport()
    scanned = _scanned_entries(config)
    candidates = load_candidates(options, report, on_seed, scanned)
    files, _ = render(config, options, candidates, report, scanned, with_pages=with_pages)
    return report, files


def load_candidates(
    options: BuildOptions,
    report: BuildReport,
    on_seed: OnSeed | None = None,
    scanned: EntryStore | None = None,
) -> list[Candidate]:
    """What selection needs of every valid seed, the cache left alone; problems go to the
    report (with --strict, the first bad seed stops the build). With `scanned`, the entry of
    each seed read is stashed there too."""
    with Past(options) as past:
        return _candidates(options, past, report, on_seed, scanned)


def _candidates(
    options: BuildOptions,
    past: Past,
    report: BuildReport,
    on_seed: OnSeed | None,
    scanned: EntryStore | None = None,
) -> list[Candidate]:
    report.problems.extend(past.discovery_problems)
    candidates: list[Candidate] = []
    with gc_paused():
        for scan in past.scan(on_seed, None if scanned is None else scanned.stash):
            report.seeds_read += 1
            report.problems.extend(scan.problems)
            if scan.candidate is not None:
                candidates.append(scan.candidate)
                continue
            report.seeds_rejected += 1
            if options.strict:
                raise StrictModeError(*scan.problems)
    return candidates


def render(
    config: Config,
    options: BuildOptions,
    candidates: list[Candidate],
    report: BuildReport,
    scanned: EntryStore | None = None,
    workers: Workers | None = None,
    with_pages: bool = True,
) -> tuple[dict[str, Content], Chosen]:
    """Every output file of every feed (and the preview pages unless not `with_pages`), and
    what each feed chose (`scanned`: the entries the scan stashed, see _scanned_entries;
    `workers`: the processes that read the seeds, which read the chosen ones again, then end)."""
    from syndicate.render.feed import feed_files, feed_paths
    from syndicate.selection.hints import SeedValues, empty_feed, misspelt_values
    from syndicate.selection.select import Pool, select_from

    problems_before = len(report.problems)
    pool = Pool.of(candidates)
    # An archived feed keeps every item: the newest `limit` in the feed, the rest in pages.
    chosen = {f.id: select_from(pool, f, 0 if f.archive else f.limit) for f in config.feeds}
    published = {item.name for items in chosen.values() for item in items}
    entries = _entries(options, published, report, scanned, workers)
    values = SeedValues(candidates, sorted(pool.by_topic))
    files: dict[str, Content] = {}
    views = []
    for feed in config.feeds:
        items = entries.entries([item.name for item in chosen[feed.id] if item.name in entries])
        view, feed_output = feed_files(config.site, feed, items)
        views.append((feed, view))
        files.update(feed_output)
        report.feeds.append(FeedReport(feed.id, len(view.entries), feed_paths(feed)))
        path, seeds = options.config_path.as_posix(), options.seeds_dir
        if not view.entries:
            report.problems.append(
                empty_feed(path, feed, candidates, seeds, options.max_seed_bytes)
            )
        report.problems += misspelt_values(
            path, feed, values, seeds, options.max_seed_bytes, not view.entries
        )
    if with_pages:
        from syndicate.render import pages  # Jinja2: only when pages are rendered

        files.update(pages.render_pages(config.site, views))
    if config.site.websub_hubs:
        report.hub_topics = tuple(path for feed in report.feeds for path in feed.files)
    names = {feed_id: tuple(item.name for item in items) for feed_id, items in chosen.items()}
    return files, Chosen(names, entries, problems_before, len(report.problems))


def _scanned_entries(config: Config) -> EntryStore | None:
    """Where the scan stashes each seed's entry, when a feed is unbounded (`limit: 0`, or
    archived): it publishes (nearly) every seed, which _entries would read a second time.
    None for bounded feeds, whose few chosen seeds are cheaper read again."""
    if not any(feed.limit == 0 or feed.archive for feed in config.feeds):
        return None
    from syndicate.render.store import EntryStore

    return EntryStore()


def _entries(
    options: BuildOptions,
    names: set[str],
    report: BuildReport,
    scanned: EntryStore | None,
    workers: Workers | None,
) -> EntryStore:
    """The entry of each published item, kept out of memory until a writer writes it: the
    row the scan stashed when the seed's file is unchanged since, else its seed read again
    (selection kept only its facts; in worker processes when many: `workers`, which end
    then, as the feed files are staged by processes forked once no other runs)."""
    from syndicate.render.store import EntryStore, entry_rows

    found = EntryStore() if scanned is None else scanned
    jobs, seeds = options.jobs, options.seeds_dir
    again = found.keep_scanned(seeds, sorted(names))
    for name, row in entry_rows(seeds, again, options.max_seed_bytes, jobs, workers):
        if row is None:
            message = "changed while the build ran; left out"
            report.problems.append(Problem((seeds / name).as_posix(), 1, "file", message))
            continue
        found.add_row(name, row)
    if workers is not None:
        workers.close()
    return found


def _write(
    options: BuildOptions,
    config: Config,
    report: BuildReport,
    files: Mapping[str, Content],
    keep: frozenset[str] = frozenset(),
) -> BuildReport:
    from syndicate.publish import output
    from syndicate.review.floods import flood_problems

    report.floods = flood_problems(config, options.config_path.as_posix(), options.out_dir, files)

    # The items of the feeds rendered now (an incremental build keeps the others as they are).
    rendered = sum(f.items for f in report.feeds if any(path in files for path in f.files))
    jobs = output.jobs_for(rendered, options.jobs)
    try:
        written = output.write_tree(options.out_dir, files, report.hub_topics, keep, jobs)
    except OutputError as exc:  # the seeds' problems are still told
        exc.problems = (*report.problems, *report.floods)
        raise
    report.written = written.written
    report.unchanged = sorted([*written.unchanged, *keep])
    report.removed = written.removed
    log.debug("built %d files", len(files))
    return report


def size_warnings(
    config: Config, options: BuildOptions, report: BuildReport, size_of: SizeOf | None = None
) -> list[Problem]:
    """The size guard's warnings (publish/guard.py) about the feeds of `report`; the sizes are
    those of the files in out/ unless `size_of` gives them."""
    from syndicate.publish import guard, output

    items = {feed.id: feed.items for feed in report.feeds}
    files = {feed.id: feed.files for feed in report.feeds}
    size_of = size_of or output.size_in(options.out_dir)
    return guard.warnings(options.config_path.as_posix(), config.feeds, items, files, size_of)
