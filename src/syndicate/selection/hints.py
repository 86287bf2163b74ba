"""What to tell an editor about a feed that selects nothing: the topic no seed has, and the
nearest topic the seeds do have, spelled as a seed spells it."""

from __future__ import annotations

import difflib
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
            close = difflib.get_close_matches(topic_key(missing[0]), sorted(known), n=1)
            if close:
                spelled = spelling(close[0], candidates, seeds_dir, max_seed_bytes)
                message += f" (did you mean {spelled!r}?)"
    return Problem(config_path, feed.line, f"feeds.{feed.id}", message, "warning")


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
