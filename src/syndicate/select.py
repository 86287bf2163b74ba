"""Selection for one feed (FEEDS.md section 3): rules, then one item per webUrl, order, limit."""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from syndicate.candidate import Candidate
from syndicate.rules import FeedRules, active_rules, keeps

__all__ = ["Candidate", "duplicate_rank", "feed_order", "select"]


def duplicate_rank(item: Candidate) -> tuple[int, int, str]:
    """Among items with the same webUrl the smallest rank wins: quality, newest, path."""
    return (-item.quality, -item.instant, item.name)


def feed_order(item: Candidate) -> tuple[int, int, str]:
    """Newest first (as instants), then higher quality, then webUrl ascending."""
    return (-item.instant, -item.quality, item.web_url)


def select(candidates: Iterable[Candidate], rules: FeedRules, limit: int) -> list[Candidate]:
    """The items of one feed, in feed order; `limit` 0 keeps them all."""
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
