"""Selection for one feed (FEEDS.md section 3): rules, then one item per webUrl, order, limit."""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from typing import TypeVar

from syndicate.candidate import Candidate
from syndicate.models import topic_key
from syndicate.rules import FeedRules, active_rules, keeps

__all__ = [
    "Candidate",
    "archive_pages",
    "duplicate_rank",
    "feed_order",
    "page_of",
    "select",
    "topic_index",
]

TopicIndex = Mapping[str, list[Candidate]]
T = TypeVar("T")


def topic_index(candidates: Iterable[Candidate]) -> TopicIndex:
    """Candidates by topic key: a feed with `topics:` then looks only at its topics' items."""
    index: defaultdict[str, list[Candidate]] = defaultdict(list)
    for item in candidates:
        for topic in item.topics:
            index[topic].append(item)
    return index


def duplicate_rank(item: Candidate) -> tuple[int, int, str]:
    """Among items with the same webUrl the smallest rank wins: quality, newest, path."""
    return (-item.quality, -item.instant, item.name)


def feed_order(item: Candidate) -> tuple[int, int, str]:
    """Newest first (as instants), then higher quality, then webUrl ascending."""
    return (-item.instant, -item.quality, item.web_url)


def select(
    candidates: Iterable[Candidate],
    rules: FeedRules,
    limit: int,
    by_topic: TopicIndex | None = None,
) -> list[Candidate]:
    """The items of one feed, in feed order; `limit` 0 keeps them all.

    `by_topic` (from `topic_index(candidates)`) only saves time: the result is the same.
    """
    active = active_rules(rules)
    if by_topic is not None and rules.topics:
        candidates = chain.from_iterable(by_topic.get(topic_key(t), ()) for t in rules.topics)
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
