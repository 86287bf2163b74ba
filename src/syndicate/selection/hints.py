"""What to tell an editor about a feed that selects nothing (the topic no seed has, and the
nearest topic the seeds do have, spelled as a seed spells it), and about a rule's value that
no seed has but one is close to (a typo that would silently widen or narrow a feed)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from syndicate.config import FeedConfig
from syndicate.errors import Problem
from syndicate.seeds import discovery, reading
from syndicate.seeds.candidate import Candidate
from syndicate.seeds.models import topic_key


def empty_feed(
    config_path: str,
    feed: FeedConfig,
    candidates: list[Candidate],
    seeds_dir: Path,
    max_seed_bytes: int = discovery.DEFAULT_MAX_SEED_BYTES,
) -> Problem:
    """The warning for a feed that selected no items (the build goes on, exit status 0)."""
    message = f"feed {feed.id!r} selected no items"
    if feed.topics:
        known = {topic for item in candidates for topic in item.topics}
        missing = [t for t in feed.topics if topic_key(t) not in known]
        if missing:
            message += f"; no seed has topic {missing[0]!r}"
            close = difflib.get_close_matches(
                topic_key(missing[0]), sorted(known), n=1, cutoff=EMPTY_FEED_CUTOFF
            )
            if close:
                spelled = spelling(close[0], candidates, seeds_dir, max_seed_bytes)
                message += f" (did you mean {spelled!r}?)"
    return Problem(config_path, feed.line, f"feeds.{feed.id}", message, "warning")


# The list rules that name what seeds have: rule -> (what it names, what a value does).
NAMING_RULES = {
    "topics": ("topic", "selects"),
    "exclude_topics": ("topic", "excludes"),
    "providers": ("provider", "selects"),
    "exclude_providers": ("provider", "excludes"),
    "categories": ("category", "selects"),
}
_PLURALS = {"provider": "providers", "category": "categories"}
# How close (difflib's ratio) a value no seed has must be to one they have to be called a typo:
# 'Robotcs'/'Robotics' 0.93, 'newz'/'news' 0.75; 'AI Policy'/'AI Ethics' 0.44 is not one.
TYPO_CUTOFF = 0.75
# An empty feed's warning suggests the nearest topic down to difflib's default ratio.
EMPTY_FEED_CUTOFF = 0.6


# The warnings above name the values seeds have: an incremental build that changes a seed's
# values asks whether one of them could appear in (or leave) a warning (incremental/update.py).
def rule_values(feeds: Iterable[FeedConfig]) -> set[tuple[str, str]]:
    """(kind, key) of every value of the rules that name topics, providers or categories."""
    return {
        (kind, topic_key(value))
        for feed in feeds
        for rule, (kind, _) in NAMING_RULES.items()
        for value in getattr(feed, rule) or ()
    }


def seed_values(item: Candidate | None) -> set[tuple[str, str]]:
    """(kind, key) of the topics, providers and category a seed gives these warnings."""
    if item is None:
        return set()
    found = {("topic", key) for key in item.topics}
    found.update(("provider", key) for key in item.providers)
    found.update([("category", item.category)] if item.category else [])
    return found


def could_be_named(rules: set[tuple[str, str]], values: set[tuple[str, str]]) -> bool:
    """Whether one of `values` is one of the `rules`' values of its kind, or close enough to
    one for a warning to suggest it."""
    cutoff = min(TYPO_CUTOFF, EMPTY_FEED_CUTOFF)
    return any(
        kind == rule_kind
        and (key == value or difflib.get_close_matches(value, [key], n=1, cutoff=cutoff))
        for kind, key in values
        for rule_kind, value in rules
    )


@dataclass
class SeedValues:
    """The topic, provider and category keys the valid seeds have, each set made when used."""

    candidates: list[Candidate]
    topics: list[str]  # sorted (selection's Pool has them by topic already)

    @cached_property
    def providers(self) -> list[str]:
        return sorted({p for item in self.candidates for p in item.providers})

    @cached_property
    def categories(self) -> list[str]:
        return sorted({item.category for item in self.candidates if item.category})

    def of(self, kind: str) -> list[str]:
        return self.topics if kind == "topic" else getattr(self, _PLURALS[kind])


def misspelt_values(
    config_path: str,
    feed: FeedConfig,
    values: SeedValues,
    seeds_dir: Path,
    max_seed_bytes: int,
    empty: bool,
) -> list[Problem]:
    """A warning for each value of a topic, provider or category rule that no seed has while
    one they have is close to it: `exclude_topics: [AI Polcy]` would exclude nothing, without a
    word. (An empty feed's warning already names its first missing topic.)"""
    problems = []
    for rule, (kind, does) in NAMING_RULES.items():
        wanted = getattr(feed, rule) or []
        if not wanted or (empty and rule == "topics"):
            continue
        known = values.of(kind)
        present = set(known)
        for index, value in enumerate(wanted):
            key = topic_key(value)
            if key in present:
                continue
            close = difflib.get_close_matches(key, known, n=1, cutoff=TYPO_CUTOFF)
            if not close:
                continue  # a value for seeds to come: nothing to suggest
            spelled = close[0]
            if kind == "topic":
                spelled = spelling(spelled, values.candidates, seeds_dir, max_seed_bytes)
            message = (
                f"no seed has {kind} {value!r} (did you mean {spelled!r}?), so this value"
                f" {does} nothing"
            )
            line = feed.value_line(rule, index)
            problems.append(
                Problem(config_path, line, f"feeds.{feed.id}.{rule}", message, "warning")
            )
    return problems


def spelling(key: str, candidates: list[Candidate], seeds_dir: Path, max_seed_bytes: int) -> str:
    """The topic as the first seed (by path) that has it spells it; selection keeps only the
    folded key of each topic, so that seed is read again. The key itself if it cannot be."""
    having = sorted(c.name for c in candidates if key in c.topics)
    for name in having[:1]:
        path = seeds_dir / name
        loaded = reading.read(discovery.SeedFile(path, name, path.as_posix()), max_seed_bytes)
        if loaded.seed is not None:
            for topic in loaded.seed.topics:
                if topic_key(topic) == key:
                    return topic
    return key
