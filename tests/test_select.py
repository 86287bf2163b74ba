"""Selection (FEEDS.md section 3): each rule, de-duplication, order, limit; hand-made seeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.seeds.models import Seed
from syndicate.selection.rules import RULES, FeedRules
from syndicate.selection.select import Candidate, Pool, feed_order, select, select_from

BASE = datetime(2022, 1, 1, tzinfo=UTC)


def seed(url: str = "https://e.com/1", hours: float = 0, **fields: Any) -> Seed:
    data = {
        "title": fields.pop("title", url),
        "webUrl": url,
        "publishedDateTime": (BASE + timedelta(hours=hours)).isoformat(),
        **fields,
    }
    return Seed.model_validate(data)


def pick(seeds: list[tuple[str, Seed]], limit: int = 0, **rules: Any) -> list[str]:
    candidates = [Candidate.of(s, name) for name, s in seeds]
    return [c.name for c in select(candidates, FeedRules(**rules), limit)]


def test_topics_any_of_case_insensitive_and_trimmed() -> None:
    seeds = [
        ("a", seed("https://e.com/a", topics=["Computer Vision", "AI"])),
        ("b", seed("https://e.com/b", topics=["robotics"])),
        ("c", seed("https://e.com/c", topics=[])),
    ]
    assert pick(seeds, topics=["  computer VISION "]) == ["a"]
    assert pick(seeds, topics=["Robotics", "ai"]) == ["a", "b"]
    assert pick(seeds) == ["a", "b", "c"]


def test_exclude_topics_none_of() -> None:
    seeds = [
        ("a", seed("https://e.com/a", topics=["AI", "Robotics"])),
        ("b", seed("https://e.com/b", topics=["AI"])),
    ]
    assert pick(seeds, exclude_topics=["ROBOTICS"]) == ["b"]
    assert pick(seeds, topics=["ai"], exclude_topics=["robotics"]) == ["b"]


def test_min_quality_is_inclusive() -> None:
    seeds = [("a", seed("https://e.com/a", quality=60)), ("b", seed("https://e.com/b", quality=59))]
    assert pick(seeds, min_quality=60) == ["a"]
    assert pick(seeds, min_quality=0) == ["a", "b"]


def test_missing_quality_counts_as_zero() -> None:
    assert pick([("a", seed())], min_quality=1) == []
    assert pick([("a", seed())], min_quality=0) == ["a"]


def test_published_only_and_default_unpublished() -> None:
    seeds = [
        ("a", seed("https://e.com/a", published=True)),
        ("b", seed("https://e.com/b", published=False)),
        ("c", seed("https://e.com/c")),
    ]
    assert pick(seeds, published_only=True) == ["a"]
    assert pick(seeds, published_only=False) == ["a", "b", "c"]


def test_providers_categories_and_dates() -> None:
    seeds = [
        (
            "a",
            seed(
                "https://e.com/a",
                hours=0,
                category="news",
                provider={"name": "BBC", "domain": "bbc.com"},
            ),
        ),
        (
            "b",
            seed(
                "https://e.com/b",
                hours=-48,
                category="Blog",
                provider={"name": "VentureBeat", "domain": "venturebeat.com"},
            ),
        ),
        ("c", seed("https://e.com/c", hours=-24)),
    ]
    assert pick(seeds, providers=["bbc.COM"]) == ["a"]
    assert pick(seeds, providers=["venturebeat"]) == ["b"]
    assert pick(seeds, exclude_providers=["bbc"]) == ["c", "b"]
    assert pick(seeds, categories=["blog"]) == ["b"]
    assert pick(seeds, published_after=(BASE - timedelta(hours=24)).isoformat()) == ["a", "c"]


def test_every_rule_field_has_a_predicate() -> None:
    assert set(RULES) == set(FeedRules.model_fields)


def test_duplicates_highest_quality_wins() -> None:
    seeds = [
        ("a", seed("https://e.com/x", hours=5, quality=10, title="low")),
        ("b", seed("https://e.com/x", hours=0, quality=90, title="high")),
    ]
    assert pick(seeds) == ["b"]


def test_duplicates_then_newest_then_smallest_path() -> None:
    newer = [("a", seed("https://e.com/x", hours=0)), ("b", seed("https://e.com/x", hours=1))]
    assert pick(newer) == ["b"]
    tie = [("z/b.txt", seed("https://e.com/x")), ("a.txt", seed("https://e.com/x"))]
    assert pick(tie) == ["a.txt"]


def test_duplicates_are_found_after_url_decoding() -> None:
    seeds = [
        ("a", seed("https://e.com/x?a=1&#038;b=2", quality=5)),
        ("b", seed("https://e.com/x?a=1&b=2", quality=1)),
    ]
    assert pick(seeds) == ["a"]


def test_rules_apply_before_deduplication() -> None:
    seeds = [
        ("a", seed("https://e.com/x", quality=90, published=False)),
        ("b", seed("https://e.com/x", quality=10, published=True)),
    ]
    assert pick(seeds, published_only=True) == ["b"]


def test_order_newest_instant_then_quality_then_url() -> None:
    same_instant = "2022-01-01T12:00:00+02:00"  # == 10:00Z
    seeds = [
        ("late", seed("https://e.com/late", hours=11)),
        (
            "offset",
            Seed.model_validate(
                {
                    "title": "t",
                    "webUrl": "https://e.com/b",
                    "publishedDateTime": same_instant,
                    "quality": 5,
                }
            ),
        ),
        ("q9", seed("https://e.com/c", hours=10, quality=9)),
        ("q5-a", seed("https://e.com/a", hours=10, quality=5)),
    ]
    assert pick(seeds) == ["late", "q9", "q5-a", "offset"]


def test_dates_are_compared_to_the_second_as_the_feeds_write_them() -> None:
    """A fraction is dropped when read (docs/seeds.md, Dates): in published_after, the order
    and the duplicates, as in every format."""
    late = "2022-01-01T00:00:00.9Z"
    seeds = [
        ("a", seed("https://e.com/a", quality=50)),  # 00:00:00
        (
            "b",
            Seed.model_validate(
                {"title": "b", "webUrl": "https://e.com/b", "publishedDateTime": late}
            ),
        ),
    ]
    assert pick(seeds) == ["a", "b"]  # the same second: higher quality first
    assert pick(seeds, published_after="2022-01-01T00:00:00.7Z") == ["a", "b"]
    same_url = [
        ("a", seed("https://e.com/s")),
        (
            "b",
            Seed.model_validate(
                {"title": "b", "webUrl": "https://e.com/s", "publishedDateTime": late}
            ),
        ),
    ]
    assert pick(same_url) == ["a"]  # the same date: the path that sorts first


def test_limit_keeps_the_first_n_and_zero_keeps_all() -> None:
    seeds = [(str(i), seed(f"https://e.com/{i}", hours=i)) for i in range(10)]
    assert pick(seeds, limit=3) == ["9", "8", "7"]
    assert len(pick(seeds, limit=0)) == 10


_seeds = st.lists(
    st.builds(
        lambda n, h, q, p, t: (
            f"s{n:03d}",
            seed(f"https://e.com/{n % 7}", hours=h, quality=q, published=p, topics=t),
        ),
        st.integers(0, 50),
        st.integers(-5, 5),
        st.integers(-3, 3),
        st.booleans(),
        st.lists(st.sampled_from(["AI", "Robotics", "Vision"]), max_size=2),
    ),
    max_size=25,
    unique_by=lambda pair: pair[0],
)


@given(_seeds, st.integers(0, 6), st.booleans(), st.integers(-3, 3))
def test_selection_invariants(
    seeds: list[tuple[str, Seed]], limit: int, only: bool, q: int
) -> None:
    candidates = [Candidate.of(s, name) for name, s in seeds]
    rules = FeedRules(published_only=only, min_quality=q)
    chosen = select(candidates, rules, limit)
    urls = [c.web_url for c in chosen]
    assert len(urls) == len(set(urls))
    assert all(c.quality >= q and (c.published or not only) for c in chosen)
    assert chosen == sorted(chosen, key=feed_order)
    everything = select(candidates, rules, 0)
    assert chosen == everything[: limit or None]
    assert select(list(reversed(candidates)), rules, limit) == chosen
    kept = {c.web_url for c in everything}
    passing = {c.web_url for c in candidates if c.quality >= q and (c.published or not only)}
    assert kept == passing


@settings(max_examples=500)
@given(
    _seeds,
    st.integers(0, 6),
    st.lists(st.sampled_from(["ai", "ROBOTICS", "vision", "x", "Ai"])),
    st.booleans(),
    st.integers(-3, 3),
)
def test_the_pool_selects_what_select_does(
    seeds: list[tuple[str, Seed]], limit: int, topics: list[str], only: bool, q: int
) -> None:
    """select_from walks a sorted pool and stops at the limit; select is the definition."""
    candidates = [Candidate.of(s, name) for name, s in seeds]
    rules = FeedRules(topics=topics or None, published_only=only, min_quality=q)
    assert select_from(Pool.of(candidates), rules, limit) == select(candidates, rules, limit)
