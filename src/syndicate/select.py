"""Selection for one feed (FEEDS.md section 3): rules, then one item per webUrl, order, limit."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from syndicate.models import Seed
from syndicate.rules import FeedRules, active_rules, keeps

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A valid seed and its path relative to the seeds folder (the last tie-break)."""

    seed: Seed
    name: str


def _instant(seed: Seed) -> int:
    return (seed.published_date_time - _EPOCH) // _MICROSECOND


def duplicate_rank(candidate: Candidate) -> tuple[int, int, str]:
    """Among items with the same webUrl the smallest rank wins: quality, newest, path."""
    seed = candidate.seed
    return (-seed.quality, -_instant(seed), candidate.name)


def feed_order(candidate: Candidate) -> tuple[int, int, str]:
    """Newest first (as instants), then higher quality, then webUrl ascending."""
    seed = candidate.seed
    return (-_instant(seed), -seed.quality, seed.web_url)


def select(candidates: Iterable[Candidate], rules: FeedRules, limit: int) -> list[Candidate]:
    """The items of one feed, in feed order; `limit` 0 keeps them all."""
    active = active_rules(rules)
    best: dict[str, Candidate] = {}
    for candidate in candidates:
        if not keeps(active, candidate.seed):
            continue
        url = candidate.seed.web_url
        held = best.get(url)
        if held is None or duplicate_rank(candidate) < duplicate_rank(held):
            best[url] = candidate
    if limit:
        return heapq.nsmallest(limit, best.values(), key=feed_order)
    return sorted(best.values(), key=feed_order)
