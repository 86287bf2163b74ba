"""`syndicate explain`: why an item is, or is not, in each feed.

Selection (FEEDS.md section 3) is replayed step by step for one seed: the feed's rules, then
one item per webUrl, then the order and the limit. Each step that keeps the item out says so
in words an editor can act on.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from syndicate import build
from syndicate.config import Config, FeedConfig
from syndicate.config import load as load_config
from syndicate.errors import Problem, SyndicateError
from syndicate.seeds import discovery, reading, urls
from syndicate.seeds.candidate import Candidate, domain_names
from syndicate.seeds.models import Seed, topic_key
from syndicate.selection import rules
from syndicate.selection.select import duplicate_rank, page_of, select
from syndicate.words import plural

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class NotFoundError(SyndicateError):
    """No seed matches what `explain` was asked about: exit status 1."""

    exit_code = 1


@dataclass(frozen=True, slots=True)
class Verdict:
    feed: str
    included: bool
    reason: str  # "position 3 of 20", "excluded: quality 55 < min_quality 70", ...


@dataclass(slots=True)
class Explanation:
    """One seed file and what each feed does with it (no verdicts when it was rejected)."""

    path: str
    seed: Seed | None
    problems: list[Problem] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    # How a URL asked about that is not the seed's exactly was matched ("" when it is).
    near: str = ""

    @property
    def rejected(self) -> bool:
        return self.seed is None


def explain(
    options: build.BuildOptions,
    target: str,
    feed_id: str | None = None,
    on_seed: build.OnSeed | None = None,
) -> list[Explanation]:
    """Explanations for the seed file or the webUrl `target`, one per matching seed file.

    Raises ConfigError for a bad config, SyndicateError (exit 2) for an unknown feed id and
    NotFoundError when no seed matches.
    """
    config = load_config(options.config_path)
    feeds = _feeds(config, feed_id)
    seen = build.BuildReport()
    candidates = build.load_candidates(options, seen, on_seed)
    near = ""
    if _is_url(target):
        found = _by_url(target, candidates)
        if not found:
            found, near = _near_url(target, candidates)
        if not found:
            raise NotFoundError(_not_found_url(target, seen, candidates))
        names = [c.name for c in found]
    else:
        names = [_seed_name(options.seeds_dir, target)]
        if not discovery.is_seed_name(names[0]):
            raise NotFoundError(f"{target}: not a seed file ({_SEED_FILES})")
        found = [c for c in candidates if c.name == names[0]]
    explanations = []
    for name in names:
        loaded = _reread(options, name)
        explanation = Explanation(loaded.file.shown, loaded.seed, loaded.problems, near=near)
        explanations.append(explanation)
        if loaded.seed is None:
            continue
        candidate = next((c for c in found if c.name == name), None)
        if candidate is None:
            raise NotFoundError(f"{target}: not a seed file ({_SEED_FILES})")
        explanation.verdicts = [
            verdict(candidate, loaded.seed, feed, candidates, options.seeds_dir) for feed in feeds
        ]
    return explanations


_SEED_FILES = (
    f"syndicate reads {', '.join(discovery.SEED_SUFFIXES)}; hidden files and README files are"
    " skipped"
)


def _reread(options: build.BuildOptions, name: str) -> reading.LoadedSeed:
    """The full seed, read again: selection keeps only what it needs of each seed."""
    path = options.seeds_dir / name
    if not path.is_file():
        raise NotFoundError(f"{path.as_posix()}: no such seed file")
    return reading.read(discovery.SeedFile(path, name, path.as_posix()), options.max_seed_bytes)


def _feeds(config: Config, feed_id: str | None) -> list[FeedConfig]:
    if feed_id is None:
        return list(config.feeds)
    chosen = [f for f in config.feeds if f.id == feed_id]
    if not chosen:
        ids = ", ".join(f.id for f in config.feeds)
        raise SyndicateError(f"no feed {feed_id!r} in the config; feeds: {ids}")
    return chosen


def _is_url(target: str) -> bool:
    return target.lower().startswith(("http://", "https://"))


def _by_url(target: str, candidates: Sequence[Candidate]) -> list[Candidate]:
    try:
        url = urls.to_uri(target.strip())
    except ValueError:
        url = target.strip()
    return [c for c in candidates if c.web_url in (url, target)]


def _not_found_url(
    target: str, report: build.BuildReport, candidates: Sequence[Candidate] = ()
) -> str:
    message = f"no valid seed has webUrl {target}"
    if report.seeds_rejected:
        rejected = plural(report.seeds_rejected, "seed file")
        message += f" ({rejected} rejected: see `syndicate check`)"
    closest = difflib.get_close_matches(
        _normal(target)[0], sorted({c.web_url for c in candidates}), n=3, cutoff=0.6
    )
    if closest:
        message += "; the closest: " + ", ".join(closest)
    return message


_TRACKING = re.compile(r"utm_[^=&]*", re.IGNORECASE)


def _normal(url: str) -> tuple[str, frozenset[str]]:
    """A URL with what rarely tells two articles apart taken away (scheme http/https, the
    host's case, a trailing slash, utm_* parameters, a fragment), and what was taken."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # no URL a seed can have (`http://[`): compared as it is
        return url.strip(), frozenset()
    taken: set[str] = set()
    if parts.scheme.lower() == "http":
        taken.add("http for https")
    if parts.netloc != parts.netloc.lower():
        taken.add("the case of the host")
    path = parts.path
    if path.endswith("/"):
        path = path.rstrip("/")
        taken.add("a trailing slash")
    pairs = [p for p in parts.query.split("&") if p]
    kept = [p for p in pairs if not _TRACKING.fullmatch(p.split("=", 1)[0])]
    if len(kept) != len(pairs):
        taken.add("utm_* parameters")
    if parts.fragment:
        taken.add("a fragment")
    normal = urlunsplit(("https", parts.netloc.lower(), path, "&".join(kept), ""))
    return normal, frozenset(taken)


def _near_url(target: str, candidates: Sequence[Candidate]) -> tuple[list[Candidate], str]:
    """The seeds whose webUrl is the target's but for the differences _normal takes away,
    and, in words, which differences those were."""
    wanted, taken = _normal(target)
    found: list[Candidate] = []
    differences: set[str] = set()
    for candidate in candidates:
        normal, theirs = _normal(candidate.web_url)
        if normal == wanted:
            found.append(candidate)
            differences |= taken ^ theirs  # what one of the two has and the other has not
    if not found:
        return [], ""
    what = ", ".join(sorted(differences)) or "nothing"
    urls = ", ".join(sorted({c.web_url for c in found}))
    return found, f"no seed has webUrl {target} exactly; matched {urls} (differs by: {what})"


def _seed_name(seeds_dir: Path, target: str) -> str:
    """The seed's path relative to the seeds folder, from a path given either way."""
    path = Path(target)
    if not path.exists() and (seeds_dir / path).exists():
        path = seeds_dir / path
    elif not path.exists() and not path.is_symlink():  # nowhere: say so, wherever it was
        shown = seeds_dir.as_posix().rstrip("/")
        where = (
            ""
            if path.absolute().is_relative_to(seeds_dir.absolute())
            else f" (here or in {shown}/)"
        )
        raise NotFoundError(f"{target}: no such seed file{where}")
    for resolve in (os.path.abspath, os.path.realpath):
        try:
            return Path(resolve(path)).relative_to(resolve(seeds_dir)).as_posix()
        except ValueError:
            continue
    raise NotFoundError(f"{target}: not inside the seeds folder {seeds_dir.as_posix()}/")


# ------------------------------------------------------------------------------- one feed


def verdict(
    candidate: Candidate,
    seed: Seed,
    feed: FeedConfig,
    candidates: Sequence[Candidate],
    seeds_dir: Path,
) -> Verdict:
    """Replay selection for one feed: rules, then duplicates, then order and limit."""
    failed = [r for r in rules.active_rules(feed) if not r(candidate)]
    if failed:
        reasons = "; ".join(why_not(r.field, getattr(feed, r.field), seed) for r in failed)
        return Verdict(feed.id, False, f"excluded: {reasons}")
    kept = select(candidates, feed, 0)
    position = next((i for i, c in enumerate(kept, 1) if c is candidate), None)
    if position is None:
        winner = next(c for c in kept if c.web_url == candidate.web_url)
        shown = (seeds_dir / winner.name).as_posix()
        return Verdict(feed.id, False, f"duplicate of {shown}, {_why_winner(winner, candidate)}")
    if feed.limit and position > feed.limit:
        if feed.archive:
            return _archived(feed, position, len(kept))
        return Verdict(feed.id, False, f"cut by limit {feed.limit}: position {position}")
    size = min(len(kept), feed.limit) if feed.limit else len(kept)
    return Verdict(feed.id, True, f"position {position} of {size}")


def _archived(feed: FeedConfig, position: int, kept: int) -> Verdict:
    """An item beyond the limit of an archived feed: which archive page holds it."""
    archived = kept - feed.limit
    page = page_of(position - feed.limit - 1, archived, feed.page_size)
    pages = -(-archived // feed.page_size)
    where = f"archive page {page} of {pages}"
    return Verdict(feed.id, True, f"{where} (beyond limit {feed.limit}): position {position}")


def _why_winner(winner: Candidate, loser: Candidate) -> str:
    won, lost = duplicate_rank(winner), duplicate_rank(loser)
    if won[0] != lost[0]:
        return f"which has higher quality ({winner.quality} > {loser.quality})"
    if won[1] != lost[1]:
        return f"which is newer ({_date(from_instant(winner.instant))})"
    return "which has the same quality and date and a path that sorts first"


def from_instant(microseconds: int) -> datetime:
    return _EPOCH + timedelta(microseconds=microseconds)


def why_not(field_name: str, value: Any, seed: Seed) -> str:
    """Why the rule `field_name: value` of a feed does not keep `seed`."""
    explain_rule = _WHY_NOT.get(field_name)
    if explain_rule is None:
        return f"{field_name} {_value(value)} does not keep it"
    return explain_rule(value, seed)


def _value(value: Any) -> str:
    if isinstance(value, datetime):
        return _date(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _date(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _has(names: Sequence[str]) -> str:
    return _value(list(names)) if names else "none"


def _matching(wanted: Sequence[str], have: Sequence[str]) -> list[str]:
    keys = {topic_key(h) for h in have}
    return [w for w in wanted if topic_key(w) in keys]


def _provider_names(seed: Seed) -> list[str]:
    provider = seed.provider
    if provider is None:
        return []
    return [provider.name, *domain_names(provider.domain)]  # as a rule may name them


def _provider(seed: Seed) -> str:
    provider = seed.provider
    if provider is None:
        return "none"
    return _value(provider.name) + (f" ({provider.domain})" if provider.domain else "")


def _topics(value: list[str], seed: Seed) -> str:
    return f"no topic in topics {_value(value)} (item topics: {_has(seed.topics)})"


def _exclude_topics(value: list[str], seed: Seed) -> str:
    return f"topic {_value(_matching(value, seed.topics)[0])} is in exclude_topics"


def _min_quality(value: int, seed: Seed) -> str:
    return f"quality {seed.quality} < min_quality {value}"


def _published_only(value: bool, seed: Seed) -> str:
    return "not published (published_only: true)"


def _providers(value: list[str], seed: Seed) -> str:
    if seed.provider is None:
        return f"no provider; providers is {_value(value)}"
    return f"provider {_provider(seed)} not in providers {_value(value)}"


def _exclude_providers(value: list[str], seed: Seed) -> str:
    match = next(iter(_matching(value, _provider_names(seed))), value[0])
    return f"provider {_provider(seed)} is excluded by exclude_providers {_value([match])}"


def _categories(value: list[str], seed: Seed) -> str:
    if seed.category is None:
        return f"no category; categories is {_value(value)}"
    return f"category {_value(seed.category)} not in categories {_value(value)}"


def _published_after(value: datetime, seed: Seed) -> str:
    return f"published {_date(seed.published_date_time)}, before published_after {_date(value)}"


_WHY_NOT: dict[str, Callable[[Any, Seed], str]] = {
    "topics": _topics,
    "exclude_topics": _exclude_topics,
    "min_quality": _min_quality,
    "published_only": _published_only,
    "providers": _providers,
    "exclude_providers": _exclude_providers,
    "categories": _categories,
    "published_after": _published_after,
}


def render(explanations: Sequence[Explanation]) -> list[str]:
    """Text lines: a header per seed file, then one line per feed."""
    lines: list[str] = []
    for explanation in explanations:
        if explanation.near:
            lines.append(f"note: {explanation.near}")
        seed = explanation.seed
        if seed is None:
            lines.append(f"{explanation.path}: rejected, so it is in no feed")
            continue
        facts = [_date(seed.published_date_time), f"quality {seed.quality}"]
        facts.append("published" if seed.published else "not published")
        if seed.provider:
            facts.append(f"provider {_provider(seed)}")
        if seed.category:
            facts.append(f"category {_value(seed.category)}")
        lines.append(f"{explanation.path}: {_value(seed.title)} <{seed.web_url}>")
        lines.append(f"  {', '.join(facts)}; topics: {_has(seed.topics)}")
        width = max((len(v.feed) for v in explanation.verdicts), default=0)
        for item in explanation.verdicts:
            mark = "in " if item.included else "out"
            lines.append(f"  {mark} {item.feed:<{width}}  {item.reason}")
    return lines
