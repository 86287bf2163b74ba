"""Selection for one feed (FEEDS.md section 3): rules, then one item per webUrl, order, limit."""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from syndicate.seeds.candidate import Candidate
from syndicate.seeds.models import topic_key
from syndicate.selection.rules import FeedRules, active_rules, keeps

__all__ = [
    "Candidate",
    "Pool",
    "archive_pages",
    "duplicate_rank",
    "feed_order",
    "page_of",
    "select",
    "select_from",
]

T = TypeVar("T")


def duplicate_rank(item: Candidate) -> tuple[int, int, str]:
    """Among items with the same webUrl the smallest rank wins: quality, newest, path."""
    return (-item.quality, -item.instant, item.name)


def feed_order(item: Candidate) -> tuple[int, int, str]:
    """Newest first (as instants), then higher quality, then webUrl ascending."""
    return (-item.instant, -item.quality, item.web_url)


def select(candidates: Iterable[Candidate], rules: FeedRules, limit: int) -> list[Candidate]:
    """The items of one feed, in feed order; `limit` 0 keeps them all. The definition;
    `select_from` gives the same faster when several feeds select from many candidates."""
    active = active_rules(rules)
    best: dict[str, Candidate] = {}
    for item in candidates:
        if active and not keeps(active, item):
            continue
        held = best.get(item.web_url)
        if held is None or duplicate_rank(item) < duplicate_rank(held):
            best[item.web_url] = item
    if limit:
        return heapq.nsmallest(limit, best.values(), key=feed_order)
    return sorted(best.values(), key=feed_order)


@dataclass(frozen=True, slots=True)
class Pool:
    """Every candidate in feed order, by topic (each list in feed order too), and the webUrls
    that more than one candidate holds: what lets a feed stop at its limit."""

    ordered: list[Candidate]
    by_topic: Mapping[str, list[Candidate]]
    shared_urls: Mapping[str, list[Candidate]]

    @classmethod
    def of(cls, candidates: Iterable[Candidate]) -> Pool:
        ordered = sorted(candidates, key=feed_order)
        by_topic: defaultdict[str, list[Candidate]] = defaultdict(list)
        by_url: dict[str, list[Candidate]] = {}
        for item in ordered:
            for topic in item.topics:
                by_topic[topic].append(item)
            held = by_url.get(item.web_url)
            if held is None:
                by_url[item.web_url] = [item]
            else:
                held.append(item)
        shared = {url: items for url, items in by_url.items() if len(items) > 1}
        return cls(ordered, dict(by_topic), shared)


def select_from(pool: Pool, rules: FeedRules, limit: int) -> list[Candidate]:
    """`select(pool.ordered, rules, limit)`, walking the candidates in feed order and stopping
    at the limit: an item is taken when it passes the rules and, if its webUrl is shared, it
    is the best-ranked of the holders that pass."""
    active = active_rules(rules)
    source: Iterable[Candidate] = pool.ordered
    if rules.topics:
        lists = [pool.by_topic.get(key, []) for key in dict.fromkeys(map(topic_key, rules.topics))]
        source = lists[0] if len(lists) == 1 else _distinct(heapq.merge(*lists, key=feed_order))
    chosen: list[Candidate] = []
    for item in source:
        if active and not keeps(active, item):
            continue
        holders = pool.shared_urls.get(item.web_url)
        if holders is not None:
            passing = [other for other in holders if not active or keeps(active, other)]
            if min(passing, key=duplicate_rank) is not item:
                continue
        chosen.append(item)
        if len(chosen) == limit:
            break
    return chosen


def _distinct(items: Iterable[Candidate]) -> Iterator[Candidate]:
    """An item in several of a feed's topics comes once."""
    seen: set[str] = set()
    for item in items:
        if item.name not in seen:
            seen.add(item.name)
            yield item


def archive_pages(older: Sequence[T], size: int) -> list[list[T]]:
    """RFC 5005 archive pages of the items beyond the current feed (`older`, in feed order).

    Pages are cut from the oldest item: page 1 (first in the list) holds the `size` oldest
    items, and only the newest page is partial. So a new item never moves an archived one: it
    pushes the current feed's oldest item onto the newest page. Within a page, feed order.
    """
    oldest_first = list(reversed(older))
    return [
        list(reversed(oldest_first[start : start + size]))
        for start in range(0, len(oldest_first), size)
    ]


def page_of(index: int, archived: int, size: int) -> int:
    """The archive page (from 1) of the `index`-th archived item in feed order (from 0)."""
    return (archived - 1 - index) // size + 1
