"""What a change does to subscribers: per feed, the items a build would add, remove and change,
compared with the feeds in out/ (read back from their files; see feeds_in_out.py), and the
flood guard's measure (floods.py says when build and check take it).

A feed flood: readers show an item they have not seen as new, whatever its date. A change
that adds many items older than the newest one a feed already has (a widened rule, a restored
batch of seeds) makes every subscriber's reader announce old stories as news. Adding more than
the feed's `flood_threshold` of them is warned about, by `diff`, `build` and `check`.

Pure apart from reading out/: nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from syndicate.config import Config, FeedConfig
from syndicate.errors import Problem
from syndicate.publish.output import Content, content_bytes
from syndicate.review import documents, feeds_in_out
from syndicate.review.feeds_in_out import FeedItems, Item, UnreadableFeedError
from syndicate.words import plural

Kind = Literal["added", "removed", "changed"]
Status = Literal["new", "removed", "changed", "unchanged"]
# The fields of an item a reviewer is told about, in this order.
FIELDS = ("title", "date", "summary", "enclosure", "related")


@dataclass(frozen=True, slots=True)
class ItemChange:
    kind: Kind
    item: Item  # the item as it would be published (as it was, when removed)
    fields: tuple[str, ...] = ()  # for "changed": which of FIELDS differ
    before: Item | None = None  # for "changed": the item as out/ has it


@dataclass(frozen=True, slots=True)
class Flood:
    """More than `threshold` added items are older than the newest item the feed had."""

    count: int
    oldest: datetime
    newest_before: datetime
    threshold: int

    def message(self) -> str:
        return (
            f"this change adds {plural(self.count, 'item')} older than the newest item the feed "
            f"already has ({_day(self.newest_before)}), the oldest from {_day(self.oldest)}: "
            "most feed readers will show them to subscribers as new (more than "
            f"flood_threshold: {self.threshold}). If that is not meant, narrow the rule "
            "(published_after, limit); if it is, raise flood_threshold for this feed"
        )


@dataclass(slots=True)
class FeedDiff:
    id: str
    title: str
    status: Status
    line: int | None  # the feed's line in the config; None for a feed the config dropped
    changes: list[ItemChange] = field(default_factory=list)
    flood: Flood | None = None
    before: int = 0  # items in out/
    after: int = 0  # items a build would publish
    note: str | None = None  # why out/'s copy could not be read, when it could not

    def count(self, kind: Kind) -> int:
        return sum(change.kind == kind for change in self.changes)

    @property
    def summary(self) -> str:
        """`ai: +3 \u22121 ~2`: added, removed (a minus sign, U+2212), changed."""
        counts = f"+{self.count('added')} \u2212{self.count('removed')} ~{self.count('changed')}"
        return f"{self.id}: {counts}"


@dataclass(slots=True)
class Diff:
    config_path: str
    out_dir: str
    feeds: list[FeedDiff] = field(default_factory=list)

    @property
    def changed(self) -> list[FeedDiff]:
        return [f for f in self.feeds if f.status != "unchanged"]

    @property
    def floods(self) -> list[FeedDiff]:
        return [f for f in self.feeds if f.flood is not None]

    def problems(self) -> list[Problem]:
        """The flood warnings, located on each feed's line in the config."""
        return [
            flood_problem(self.config_path, f.id, f.line or 1, f.flood)
            for f in self.feeds
            if f.flood is not None
        ]


def flood_problem(config_path: str, feed_id: str, line: int, flood: Flood) -> Problem:
    return Problem(config_path, line, f"feeds.{feed_id}", flood.message(), "warning")


def compare(
    config: Config,
    config_path: str,
    out: Path,
    files: Mapping[str, Content],
    flood_threshold: int | None = None,
) -> Diff:
    """Every feed of the config against its copy in `out`, then the feeds only out/ has.

    `files` are a build's files by path in out/; `flood_threshold` overrides every feed's.
    """
    result = Diff(config_path, out.as_posix())
    configured = {feed.id for feed in config.feeds}
    for feed in config.feeds:
        threshold = feed.flood_threshold if flood_threshold is None else flood_threshold
        result.feeds.append(feed_diff(feed, threshold, out, files))
    for feed_id in documents.feed_folders(out):
        if feed_id not in configured:
            result.feeds.append(_dropped(feed_id, out))
    return result


def feed_diff(
    feed: FeedConfig, threshold: int, out: Path, files: Mapping[str, Content]
) -> FeedDiff:
    produced = documents.documents_of(files, feed.id)
    before, notes = _read_back(out, feed.id, produced)
    after_name = before.document if before and before.document in produced else None
    after_name = after_name or (produced[0] if produced else None)
    after = (
        feeds_in_out.parse(after_name, content_bytes(files[f"{feed.id}/{after_name}"]))
        if after_name
        else FeedItems(feed.title, (), "")
    )
    note = "; ".join(notes) or None
    if before is None:
        if notes:
            note = f"{note}; compared as a new feed"
        changes = [ItemChange("added", item) for item in after.items]
        return FeedDiff(
            feed.id, feed.title, "new", feed.line, changes, after=len(after.items), note=note
        )
    changes = item_changes(before.items, after.items)
    return FeedDiff(
        feed.id,
        feed.title,
        "changed" if changes or before.title != after.title else "unchanged",
        feed.line,
        changes,
        flood_of(before.items, changes, threshold),
        before=len(before.items),
        after=len(after.items),
        note=note,
    )


def _read_back(
    out: Path, feed_id: str, produced: Sequence[str]
) -> tuple[FeedItems | None, list[str]]:
    """The feed as out/ has it: from the preferred document both sides have, else the next
    one; a document that cannot be read is noted and the next one is tried."""
    present = documents.documents_in(out, feed_id)
    order = [n for n in present if n in produced] + [n for n in present if n not in produced]
    notes: list[str] = []
    for name in order:
        try:
            return feeds_in_out.read_out(out, feed_id, name), notes
        except UnreadableFeedError as exc:
            notes.append(f"{out.as_posix()}/{feed_id}/{name}: {exc}")
    return None, notes


def _dropped(feed_id: str, out: Path) -> FeedDiff:
    present = documents.documents_in(out, feed_id)
    try:
        before = feeds_in_out.read_out(out, feed_id, present[0])
    except UnreadableFeedError as exc:
        note = f"{out.as_posix()}/{feed_id}/{present[0]}: {exc}"
        return FeedDiff(feed_id, "", "removed", None, note=note)
    changes = [ItemChange("removed", item) for item in before.items]
    return FeedDiff(feed_id, before.title, "removed", None, changes, before=len(before.items))


def item_changes(before: Sequence[Item], after: Sequence[Item]) -> list[ItemChange]:
    """Added, removed and changed items, in feed order: the new feed's order, with each removed
    item where its date puts it (both feeds are newest first)."""
    old = {item.url: item for item in before}
    new_urls = {item.url for item in after}
    removed = [ItemChange("removed", item) for item in before if item.url not in new_urls]
    merged: list[ItemChange] = []
    for item in after:
        while removed and removed[0].item.published > item.published:
            merged.append(removed.pop(0))
        was = old.get(item.url)
        if was is None:
            merged.append(ItemChange("added", item))
            continue
        fields = changed_fields(was, item)
        if fields:
            merged.append(ItemChange("changed", item, fields, was))
    return merged + removed


def changed_fields(before: Item, after: Item) -> tuple[str, ...]:
    differs = {
        "title": before.title != after.title,
        "date": before.published != after.published,
        "summary": (before.summary or "") != (after.summary or ""),
        "enclosure": before.enclosures != after.enclosures,
        "related": before.related != after.related,
    }
    return tuple(name for name in FIELDS if differs[name])


def flood_of(before: Sequence[Item], changes: Sequence[ItemChange], threshold: int) -> Flood | None:
    if not before:
        return None  # a feed with no items yet has no subscriber who saw anything
    newest = max(item.published for item in before)
    old = [c.item.published for c in changes if c.kind == "added" and c.item.published < newest]
    if len(old) <= threshold:
        return None
    return Flood(len(old), min(old), newest, threshold)


def _day(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d")
