"""Feed rules: each is a config field and, right beside it, the predicate it applies to a seed.

To add a rule: add its field to `FeedRules` and register its predicate with `@rule("field")`.
A rule whose value is None (or an empty list for exclusions) is not applied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool

from syndicate.seeds.candidate import Candidate, instant
from syndicate.seeds.models import _instant, topic_key
from syndicate.words import invisible


def _names(values: list[str]) -> list[str]:
    cleaned = [" ".join(v.split()) for v in values]
    if any(invisible(v) for v in cleaned):  # empty, or only characters such as U+200B
        raise ValueError("names must not be empty")
    return cleaned


NameList = Annotated[list[Annotated[str, Field(strict=True)]], AfterValidator(_names)]
# An inclusion list must name something: `topics: []` would silently empty the feed.
WantedList = Annotated[NameList, Field(min_length=1)]


class FeedRules(BaseModel):
    """Which seeds a feed keeps. All optional; `defaults:` in the config sets any of them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    topics: WantedList | None = Field(
        None, description="Keep items with any of these topics (case-insensitive). Absent: all."
    )
    exclude_topics: NameList = Field(
        [], description="Drop items with any of these topics (case-insensitive)."
    )
    min_quality: int | None = Field(
        None, strict=True, description="Keep items whose quality is at least this."
    )
    published_only: StrictBool = Field(
        False, description="Keep only items marked `published: true`."
    )
    providers: WantedList | None = Field(
        None, description="Keep items from any of these providers (name or domain, any case)."
    )
    exclude_providers: NameList = Field(
        [], description="Drop items from these providers (name or domain, any case)."
    )
    categories: WantedList | None = Field(
        None, description="Keep items of any of these categories (any case)."
    )
    published_after: Annotated[datetime, BeforeValidator(_instant)] | None = Field(
        None, description="Keep items published at or after this date-time (RFC 3339)."
    )


Predicate = Callable[[Candidate, Any], bool]


@dataclass(frozen=True, slots=True)
class Rule:
    field: str
    keep: Predicate
    prepare: Callable[[Any], Any]


RULES: dict[str, Rule] = {}


def rule(
    field: str, prepare: Callable[[Any], Any] = lambda value: value
) -> Callable[[Predicate], Predicate]:
    def register(keep: Predicate) -> Predicate:
        RULES[field] = Rule(field, keep, prepare)
        return keep

    return register


def _keys(values: list[str]) -> frozenset[str]:
    return frozenset(topic_key(v) for v in values)


@rule("topics", _keys)
def _in_topics(item: Candidate, wanted: frozenset[str]) -> bool:
    return not wanted.isdisjoint(item.topics)


@rule("exclude_topics", _keys)
def _not_in_topics(item: Candidate, unwanted: frozenset[str]) -> bool:
    return unwanted.isdisjoint(item.topics)


@rule("min_quality")
def _quality_at_least(item: Candidate, minimum: int) -> bool:
    return item.quality >= minimum


@rule("published_only")
def _published(item: Candidate, only: bool) -> bool:
    return item.published or not only


@rule("providers", _keys)
def _from_providers(item: Candidate, wanted: frozenset[str]) -> bool:
    return not wanted.isdisjoint(item.providers)


@rule("exclude_providers", _keys)
def _not_from_providers(item: Candidate, unwanted: frozenset[str]) -> bool:
    return unwanted.isdisjoint(item.providers)


@rule("categories", _keys)
def _in_categories(item: Candidate, wanted: frozenset[str]) -> bool:
    return item.category in wanted


@rule("published_after", instant)
def _published_after(item: Candidate, start: int) -> bool:
    return item.instant >= start


@dataclass(frozen=True, slots=True)
class ActiveRule:
    field: str
    value: Any
    keep: Predicate

    def __call__(self, item: Candidate) -> bool:
        return self.keep(item, self.value)


def active_rules(rules: FeedRules) -> list[ActiveRule]:
    """The rules a feed applies, with their values prepared for fast matching."""
    active = []
    for field, spec in RULES.items():
        value = getattr(rules, field)
        if value is None or value == [] or value is False:
            continue
        active.append(ActiveRule(field, spec.prepare(value), spec.keep))
    return active


def keeps(active: list[ActiveRule], item: Candidate) -> bool:
    for rule_ in active:  # noqa: SIM110 - a plain loop: this runs per seed and per feed
        if not rule_.keep(item, rule_.value):
            return False
    return True
