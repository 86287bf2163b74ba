"""The seed document: one news item with its images, related coverage and provider."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cached_property
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    field_validator,
)
from pydantic.alias_generators import to_camel

from syndicate.seeds.urls import LABEL, check_number_host, idna_host, to_uri
from syndicate.words import invisible, invisible_names

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MAX_TITLE = 1_000
MAX_EXCERPT = 20_000
MAX_NAME = 500
MAX_TOPICS = 100
MAX_QUALITY = 1_000_000
MAX_IMAGE_SIDE = 100_000
NAIVE_DATE = re.compile(r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?")
# RFC 3339's date-time (seconds may be left out, and T may be a space, as the repair of a
# date-time without a zone writes it); Python's parser alone would also take ISO 8601's other
# forms (2021-W01-1, 20210101T000000Z, +0130, an offset of 61 minutes).
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:[Zz]|[+-]\d\d:[0-5]\d)")


def _url(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a URL string")
    return to_uri(value.strip(" "))  # spaces around it, nothing else: a control character or
    # a line break at an end is refused, as inside (a URL is an item's id: never quietly cut)


def _instant(value: object) -> datetime:
    """RFC 3339 date-time with an offset; naive ones are repaired (as UTC) before this."""
    if not isinstance(value, str):
        raise ValueError("must be a date-time string such as 2020-06-11T22:56:00Z")
    text = value.strip()
    form = "write it as 2020-06-11T22:56:00Z (date, T, time, Z or an offset such as +02:00)"
    if not _RFC3339.fullmatch(text):
        raise ValueError(f"not a valid date-time: {text!r}; {form}")
    try:
        # RFC 3339 allows a lowercase z, which Python's parser does not read
        parsed = datetime.fromisoformat(text[:-1] + "Z" if text.endswith("z") else text)
    except ValueError as exc:  # the form is RFC 3339's (above): an impossible day, hour...
        if str(exc).startswith("offset must be a timedelta"):  # Python's words, in ours
            raise ValueError(
                f"not a valid date-time (its offset must be between -23:59 and +23:59): {text!r}"
            ) from None
        raise ValueError(f"not a valid date-time ({exc}): {text!r}") from None
    if parsed.tzinfo is None:
        raise ValueError(f"date-time has no time zone: {text!r}")
    # Whole seconds: RSS dates have no fraction, and every format must give the same instant.
    instant = parsed if parsed.tzinfo is UTC else parsed.astimezone(UTC)
    if instant.microsecond:
        instant = instant.replace(microsecond=0)
    if not EARLIEST <= instant < LATEST:
        raise ValueError(f"date-time {text!r} is outside 1970-01-01 .. 2099-12-31")
    return instant


Url = Annotated[str, BeforeValidator(_url)]
Instant = Annotated[datetime, BeforeValidator(_instant)]
Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True)]


def _visible(value: str) -> str:
    if invisible(value):
        raise ValueError(
            f"has only invisible characters ({invisible_names(value)}): write some text"
        )
    return value


Shown = AfterValidator(_visible)  # required text a reader must see: a title, a name


def _text(min_length: int = 0, max_length: int | None = None) -> object:
    """Text trimmed first, then measured, so messages speak of characters."""
    return StringConstraints(
        strict=True, strip_whitespace=True, min_length=min_length, max_length=max_length
    )


Side = Annotated[StrictInt, Field(gt=0, le=MAX_IMAGE_SIDE)]


def _empty() -> list[Any]:
    """A new empty list, a list field's default. (Not `list` itself: pydantic reads a default
    factory's signature, and a built-in's is parsed from its text, 2 ms at every start.)"""
    return []


class _Model(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="ignore", alias_generator=to_camel, populate_by_name=True
    )


class Image(_Model):
    url: Url
    width: Side | None = None
    height: Side | None = None
    is_cached: StrictBool | None = None
    title: Annotated[str, _text(max_length=MAX_TITLE)] | None = None


# A host name as urls.py accepts one in a URL (labels of letters, digits, '_' and '-', not
# starting or ending with '-'), with an optional port: the provider's link is https://DOMAIN.
DOMAIN_PATTERN = rf"^{LABEL}(?:\.{LABEL})*\.?(?::[0-9]{{1,5}})?$"
MAX_DOMAIN = 253


def _domain(value: str) -> str:
    host, _, port = value.partition(":")
    check_number_host(host)
    if port and not 0 < int(port) < 65536:
        raise ValueError(f"port {port} is out of range: a port is a number from 1 to 65535")
    return value


def _ascii_domain(value: object) -> object:
    """A non-ASCII domain (`bücher.example`) in its IDNA form, as a URL's host is written."""
    if isinstance(value, str) and not value.isascii():
        host, colon, port = value.partition(":")
        return idna_host(host) + colon + port
    return value


class Provider(_Model):
    name: Annotated[str, _text(1, MAX_NAME), Shown]
    domain: (
        Annotated[
            StrictStr,
            Field(pattern=DOMAIN_PATTERN, max_length=MAX_DOMAIN),
            BeforeValidator(_ascii_domain),
            AfterValidator(_domain),
        ]
        | None
    ) = None
    images: list[Image] = Field(default_factory=_empty)


class Related(_Model):
    title: Annotated[str, _text(1, MAX_TITLE), Shown]
    web_url: Url
    excerpt: Annotated[str, _text(max_length=MAX_EXCERPT)] | None = None
    published_date_time: Instant | None = None
    amp_web_url: Url | None = None
    cdn_amp_web_url: Url | None = None
    type: Text | None = None
    provider: Provider | None = None
    quality: StrictInt | None = None
    images: list[Image] = Field(default_factory=_empty)


class Seed(_Model):
    title: Annotated[str, _text(1, MAX_TITLE), Shown]
    web_url: Url
    published_date_time: Instant
    category: Text | None = None
    excerpt: Annotated[str, _text(max_length=MAX_EXCERPT)] | None = None
    amp_web_url: Url | None = None
    cdn_amp_web_url: Url | None = None
    type: Text | None = None
    quality: Annotated[StrictInt, Field(ge=-MAX_QUALITY, le=MAX_QUALITY)] = 0
    heat: StrictInt | None = None
    published: StrictBool = False
    provider: Provider | None = None
    topics: Annotated[list[StrictStr], Field(default_factory=_empty, max_length=MAX_TOPICS)]
    images: list[Image] = Field(default_factory=_empty)
    related: list[Related] = Field(default_factory=_empty)
    # `secured` is opaque and never written: not part of the model on purpose.

    @field_validator("topics")
    @classmethod
    def _normalise_topics(cls, topics: list[str]) -> list[str]:
        """Trimmed, empty ones and case-insensitive repeats dropped (first spelling wins)."""
        seen: set[str] = set()
        kept: list[str] = []
        for topic in topics:
            name = " ".join(topic.split())
            key = name.casefold()
            if not invisible(name) and key not in seen:
                seen.add(key)
                kept.append(name)
        return kept

    @cached_property
    def topic_keys(self) -> frozenset[str]:
        return frozenset(topic_key(t) for t in self.topics)


def topic_key(topic: str) -> str:
    """How topics are compared: trimmed, inner spaces folded, case-insensitive."""
    return " ".join(topic.split()).casefold()
