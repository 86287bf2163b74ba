"""`syndicate feeds`: the configured feeds, their rules in short and what they select now."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from syndicate import build
from syndicate.cli import report
from syndicate.config import FeedConfig
from syndicate.config import load as load_config
from syndicate.publish import guard
from syndicate.render.feed import description
from syndicate.render.writers import WRITERS
from syndicate.review.explain import from_instant
from syndicate.selection import rules
from syndicate.selection.hints import empty_feed
from syndicate.selection.select import select


@dataclass(frozen=True, slots=True)
class FeedOverview:
    feed: FeedConfig
    items: int
    newest: datetime | None
    files: tuple[str, ...]  # paths inside the output folder
    description: str  # as published: the feed's, else the site's, else its title

    def as_dict(self) -> dict[str, Any]:
        feed = self.feed
        active = {r.field for r in rules.active_rules(feed)}
        dumped = feed.model_dump(mode="json")
        return {
            "id": feed.id,
            "title": feed.title,
            "description": self.description,
            "rules": {name: value for name, value in dumped.items() if name in active},
            "limit": feed.limit,
            "formats": list(feed.formats),
            "items": self.items,
            "newest": _date(self.newest) if self.newest else None,
            "files": list(self.files),
        }


def overview(
    options: build.BuildOptions, on_seed: build.OnSeed | None = None
) -> tuple[list[FeedOverview], build.BuildReport]:
    """Every feed of the config with the items it selects from the seeds (nothing written).
    The warnings about feeds a build gives without rendering go to the report's problems: a
    feed that selects nothing, and the size guard's about item counts (sizes need the files
    rendered: `syndicate check` and `build` warn about those too)."""
    config = load_config(options.config_path)
    seen = build.BuildReport()
    candidates = build.load_candidates(options, seen, on_seed)
    path = options.config_path.as_posix()
    feeds = []
    for feed in config.feeds:
        chosen = select(candidates, feed, feed.limit)
        newest = from_instant(chosen[0].instant) if chosen else None
        files = tuple(f"{feed.id}/{WRITERS[name].filename}" for name in feed.formats)
        published = description(config.site, feed)
        feeds.append(FeedOverview(feed, len(chosen), newest, files, published))
        if not chosen:
            seeds, max_bytes = options.seeds_dir, options.max_seed_bytes
            seen.problems.append(empty_feed(path, feed, candidates, seeds, max_bytes))
    items = {f.feed.id: f.items for f in feeds}
    seen.problems.extend(guard.warnings(path, config.feeds, items, {}, lambda _: None))
    return feeds, seen


def _date(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _names(values: Sequence[str]) -> str:
    return ", ".join(values)


_SHORT: dict[str, Callable[[Any], str]] = {
    "topics": lambda v: f"topics: {_names(v)}",
    "exclude_topics": lambda v: f"not topics: {_names(v)}",
    "min_quality": lambda v: f"quality >= {v}",
    "published_only": lambda v: "published only",
    "providers": lambda v: f"providers: {_names(v)}",
    "exclude_providers": lambda v: f"not providers: {_names(v)}",
    "categories": lambda v: f"categories: {_names(v)}",
    "published_after": lambda v: f"from {_date(v)}",
}


def rules_in_short(feed: FeedConfig) -> str:
    """`topics: Computer Vision; published only; limit 20`."""
    parts = []
    for active in rules.active_rules(feed):
        value = getattr(feed, active.field)
        short = _SHORT.get(active.field)
        parts.append(short(value) if short else f"{active.field}: {value}")
    parts.append(f"limit {feed.limit}" if feed.limit else "no limit")
    if feed.archive:
        parts.append(f"archive pages of {feed.page_size}")
    return "; ".join(parts)


def table(feeds: Sequence[FeedOverview]) -> list[str]:
    rows = [
        (
            f.feed.id,
            f.feed.title,
            f.items,
            _date(f.newest)[:10] if f.newest else "-",
            rules_in_short(f.feed),
            " ".join(name.rsplit("/", 1)[-1] for name in f.files),
        )
        for f in feeds
    ]
    header = ("id", "title", "items", "newest", "rules", "files")
    return report.table(header, rows, right={2})


def to_json(feeds: Sequence[FeedOverview]) -> str:
    return json.dumps([f.as_dict() for f in feeds], indent=2, ensure_ascii=False)
