"""An incremental build: when the seeds that changed since the last build changed nothing that
selection sees, only the feeds that show them are rendered again.

Every feed's items are a function of the seeds' Candidates (rules, order, duplicates) and of
nothing else. So when each changed, added or removed seed either keeps its Candidate (its
title, excerpt, images... were edited) or passes no feed's rules before and after, every feed
chooses the items the last build chose (kept in the memo's Selection). Then only the feeds that
show an edited item change: they are rendered again, from the entries the memo keeps and the
edited seeds read again, with their preview pages. The site pages (`index.html`, `feeds.opml`)
show of each feed its item count and newest date, which are the same, so they are not.

Anything else is a full build: a Candidate that some feed sees changed, more than MAX_CHANGED
changed seeds, the config, options or code changed, an output file or the parse cache changed
since, a damaged memo or cache, --strict with a rejected seed, or a change the warnings about
rules' values could show (see hints.could_be_named). Tests build the same edits
incrementally and from scratch and require the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import compress
from pathlib import Path
from typing import Any

from syndicate.config import Config
from syndicate.errors import Problem
from syndicate.incremental import cache, memo
from syndicate.publish import output
from syndicate.render import entry, pages
from syndicate.render.feed import feed_files
from syndicate.seeds import discovery, reading
from syndicate.seeds.candidate import Candidate
from syndicate.selection import hints
from syndicate.selection.rules import ActiveRule, active_rules, keeps

MAX_CHANGED = cache.UPDATE_MAX_ROWS  # beyond this many changed seeds, build in full


@dataclass(frozen=True, slots=True)
class Update:
    """What an incremental build writes and reports."""

    files: dict[str, output.Content]  # the files rendered again, by path in out/
    keep: frozenset[str]  # the last build's other files, left as they are
    selection: memo.Selection
    seeds_rejected: int
    problems: list[Problem]  # those of the seeds and of selection (not discovery's)


@dataclass(frozen=True, slots=True)
class Sources:
    """Where the incremental build reads: the seed files now, the parse cache, the options."""

    file_of: Callable[[str], discovery.SeedFile | None]  # the seed file of a name, if any
    seen: memo.Seen  # the files' names and stats
    store: cache.SeedCache  # the parse cache
    out: Path
    max_seed_bytes: int
    strict: bool


def update(config: Config, last: memo.Memo, sources: Sources) -> Update | None:
    """The build from `last` to the seeds as they are now; None when it must be a full build."""
    changed = _changed(sources.seen, last)
    if changed is None or not _left_as_it_was(last, sources):
        return None
    selection = last.selection()
    if selection is None:
        return None
    before = sources.store.rows_of(changed)
    if before is None or not _as_last_read(before, last.seen.stats_of(changed)):
        return None
    after = _rescan(sources, changed, before)
    edited = None if after is None else _edited(config, selection, before, after)
    if after is None or edited is None:
        return None
    rendered = _render_edited(config, selection, edited, sources)
    if rendered is None:
        return None
    files, entries = rendered
    seed_problems = dict(selection.seed_problems)
    rejected = last.report.seeds_rejected
    for name, scan in after.items():
        rejected += _rejected(scan) - _rejected(before.get(name))
        seed_problems.pop(name, None)
        if scan is not None and scan.problems:
            seed_problems[name] = memo.rows_of(list(scan.problems))
    rows = [row for name in sorted(seed_problems) for row in seed_problems[name]]
    sources.store.update(after)
    return Update(
        files,
        frozenset(last.report.files) - files.keys(),
        memo.Selection(selection.chosen, entries, seed_problems, selection.feed_problems),
        rejected,
        [Problem.from_row(row) for row in [*rows, *selection.feed_problems]],
    )


def _left_as_it_was(last: memo.Memo, sources: Sources) -> bool:
    """Whether out/ and the parse cache are as the last build left them."""
    cache_as_left = last.cache_stat == memo.stat_of(sources.store.path)
    return cache_as_left and memo.outputs_intact(last, sources.out)


def _as_last_read(before: Mapping[str, reading.Scan], seen: dict[str, discovery.Stat]) -> bool:
    """Whether the cache holds each seed the last build saw as it saw it (its stat)."""
    return all(name in before and before[name].stat() == stat for name, stat in seen.items())


def _render_edited(
    config: Config, selection: memo.Selection, edited: set[str], sources: Sources
) -> tuple[dict[str, output.Content], dict[str, tuple[Any, ...]]] | None:
    """The files of the feeds that show an edited item (read again, the others from the
    memo's entries), and the entries now; None when an edited seed cannot be read again."""
    entries = dict(selection.entries)
    views = []
    files: dict[str, output.Content] = {}
    for feed in config.feeds:
        names = selection.chosen[feed.id]
        if edited.isdisjoint(names):
            continue
        for name in names:
            if name in edited or name not in entries:
                file = sources.file_of(name)
                loaded = None if file is None else reading.read(file, sources.max_seed_bytes)
                if loaded is None or loaded.seed is None:
                    return None  # changed again meanwhile
                entries[name] = entry.from_seed(loaded.seed).row()
        items = [entry.Entry.from_row(entries[name]) for name in names]
        view, feed_output = feed_files(config.site, feed, items)
        views.append((feed, view))
        files.update(feed_output)
    files.update(pages.feed_pages(config.site, views))
    return files, entries


def _changed(seen: memo.Seen, last: memo.Memo) -> set[str] | None:
    """The seed files added, removed, or with another stat than the last build saw,
    and those whose mtime is too recent to trust (see cache.RACY_NS); None: too many."""
    if seen.names == last.seen.names:  # most often: compare the stats side by side
        changed = {seen.names[i] for i in seen.differing(last.seen)}
    else:
        changed = {row[0] for row in set(seen.rows()).symmetric_difference(last.seen.rows())}
    trusted_before = last.written_ns - cache.RACY_NS
    mtimes, sizes = seen.mtimes(), seen.sizes()
    if max(mtimes, default=0) >= trusted_before:
        changed.update(compress(seen.names, map(trusted_before.__le__, mtimes)))
    if min(sizes, default=0) < 0:
        changed.update(compress(seen.names, map((0).__gt__, sizes)))
    return changed if len(changed) <= MAX_CHANGED else None


def _rescan(
    sources: Sources, changed: set[str], before: Mapping[str, reading.Scan]
) -> dict[str, reading.Scan | None] | None:
    """Each changed seed as it is now (None: removed), its cached Scan reused when its content
    is the same; None when --strict meets a rejected seed."""
    after: dict[str, reading.Scan | None] = {}
    for name in sorted(changed):
        file = sources.file_of(name)
        scan = (
            None if file is None else reading.scan(file, sources.max_seed_bytes, before.get(name))
        )
        if sources.strict and scan is not None and scan.candidate is None:
            return None
        after[name] = scan
    return after


def _edited(
    config: Config,
    selection: memo.Selection,
    before: Mapping[str, reading.Scan],
    after: Mapping[str, reading.Scan | None],
) -> set[str] | None:
    """The chosen items whose content changed; None when a change may change what a feed
    chooses."""
    rules = [active_rules(feed) for feed in config.feeds]
    named = hints.rule_values(config.feeds)
    chosen = {name for names in selection.chosen.values() for name in names}
    edited = set()
    for name, scan in after.items():
        old = before.get(name)
        was = None if old is None else old.candidate
        now = None if scan is None else scan.candidate
        if was != now:
            if (
                selection.feed_problems  # (an empty feed's warning names the topics seeds have)
                or _seen_by_a_feed(rules, was, now)
                or hints.could_be_named(named, hints.seed_values(was) ^ hints.seed_values(now))
            ):
                return None
        elif old is not None and scan is not None and old.digest != scan.digest:
            topics = {value for value in hints.seed_values(now) if value[0] == "topic"}
            if selection.feed_problems and hints.could_be_named(named, topics):
                return None  # a warning's hint may spell this topic as this seed does
            if name in chosen:
                edited.add(name)
    return edited


def _seen_by_a_feed(rules: list[list[ActiveRule]], *items: Candidate | None) -> bool:
    return any(keeps(active, item) for active in rules for item in items if item is not None)


def _rejected(scan: reading.Scan | None) -> int:
    return int(scan is not None and scan.candidate is None)
