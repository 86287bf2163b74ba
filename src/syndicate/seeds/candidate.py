"""What selection needs to know of a valid seed: small enough to keep (and cache) for every
seed of a large corpus. The full Seed is read again only for the items a feed publishes."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from syndicate.seeds.models import Seed, topic_key

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def instant(moment: datetime) -> int:
    """An aware datetime as microseconds since the epoch: compared as instants, exactly."""
    return (moment - _EPOCH) // _MICROSECOND


# One object per distinct set of keys: a corpus has few (topics and providers repeat), and a
# frozenset costs 200 bytes, which 100,000 candidates would otherwise pay twice each.
_SHARED_KEYS: dict[frozenset[str], frozenset[str]] = {}


def shared(keys: frozenset[str]) -> frozenset[str]:
    return _SHARED_KEYS.setdefault(keys, keys)


# The keys of each list of names seen: lists repeat (a corpus of 4,000 seeds has 900 distinct
# topic and provider lists), and folding each name costs more than looking the list up.
_KEYS_OF: dict[tuple[str, ...], frozenset[str]] = {}
_KEYS_OF_MAX = 100_000


def _keys(values: list[str]) -> frozenset[str]:
    names = tuple(values)
    keys = _KEYS_OF.get(names)
    if keys is None:
        if len(_KEYS_OF) >= _KEYS_OF_MAX:
            _KEYS_OF.clear()
        keys = _KEYS_OF[names] = shared(frozenset(sys.intern(topic_key(v)) for v in values))
    return keys


def domain_names(domain: str | None) -> list[str]:
    """A provider's domain as a rule may name it: as written, and an IDN (`xn--bcher-kva.example`,
    as the seed model writes `bücher.example`) in Unicode too."""
    if not domain:
        return []
    if "xn--" not in domain:
        return [domain]
    try:
        return [domain, domain.encode("ascii").decode("idna")]
    except UnicodeError:
        return [domain]


class Candidate(NamedTuple):  # a tuple: made for every seed, 100,000 times per cold build
    name: str  # path relative to the seeds folder: the last tie-break, and where to re-read
    web_url: str
    instant: int  # publishedDateTime, microseconds since the epoch
    quality: int
    published: bool
    topics: frozenset[str]  # topic keys (trimmed, case-folded)
    providers: frozenset[str]  # provider name and domain keys
    category: str | None  # category key

    @classmethod
    def of(cls, seed: Seed, name: str) -> Candidate:
        provider = seed.provider
        names = [provider.name, *domain_names(provider.domain)] if provider else []
        return cls(
            name=name,
            web_url=seed.web_url,
            instant=instant(seed.published_date_time),
            quality=seed.quality,
            published=seed.published,
            topics=_keys(seed.topics),
            providers=_keys(names),
            category=sys.intern(topic_key(seed.category)) if seed.category else None,
        )

    def row(self) -> tuple[Any, ...]:
        """Everything but the name, as plain values: for the parse cache and worker processes."""
        return self[1:]

    @classmethod
    def from_row(cls, name: str, row: tuple[Any, ...]) -> Candidate:
        url, moment, quality, published, topics, providers, category = row
        return cls(
            name,
            url,
            moment,
            quality,
            published,
            shared(topics),
            shared(providers),
            None if category is None else sys.intern(category),
        )
