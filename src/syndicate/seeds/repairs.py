"""Repairs applied to a seed's raw YAML data before and after validation.

Everything here is pure: it takes the parsed data (LineDict/LineList from yamlsrc), changes it
in place, and returns what it did as (loc, message) pairs, which the loader turns into warnings.

- Characters that XML 1.0 forbids are removed from every string; carriage returns become line
  feeds (what XML readers make of them), so every format holds the same text.
- A date-time without a time zone is read as UTC.
- More than MAX_IMAGES images, MAX_RELATED related items or MAX_TOPICS topics: the rest are
  dropped.
- Text over its length limit (a title, an excerpt, a provider name) is shortened on a
  grapheme-cluster boundary, ending with "…" (see shorten.py): a limit never costs an item.
- A broken decoration (an image, a related item, the provider, an optional URL) is dropped
  instead of rejecting the whole story; see `drop_target`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from syndicate.seeds import fieldnames, urls
from syndicate.seeds.models import MAX_EXCERPT, MAX_NAME, MAX_TITLE, MAX_TOPICS, NAIVE_DATE
from syndicate.seeds.yamlsrc import LineDict, LineList
from syndicate.words import XML_FORBIDDEN

Loc = tuple[str | int, ...]
Repair = tuple[Loc, str]

MAX_IMAGES = 20
MAX_RELATED = 50
# The lists a seed may hold so many items of, by where they are ("": the seed, "related": each
# related item); the rest are dropped, with a warning. The fast path's validator refuses a seed
# past one of them (seeds/fast_validation.py), which this path then reads.
LIST_CAPS: dict[str, dict[str, int]] = {
    "": {"images": MAX_IMAGES, "related": MAX_RELATED, "topics": MAX_TOPICS},
    "related": {"images": MAX_IMAGES},
}

# Raw unwanted characters or carriage returns, or YAML escapes that can produce them: a cheap
# test on file text.
_MAY_HOLD_FORBIDDEN = re.compile(XML_FORBIDDEN.pattern[:-1] + "\r]|\\\\[0abvfexuUNr]")

_DATED = ("publishedDateTime",)


def _is_naive(value: Any) -> bool:
    return isinstance(value, str) and NAIVE_DATE.fullmatch(value.strip()) is not None


def before_validation(data: LineDict, text: str) -> list[Repair]:
    repairs: list[Repair] = []
    if _MAY_HOLD_FORBIDDEN.search(text):
        repairs.extend(_strip_forbidden(data, ()))
    for key, limit in LIST_CAPS[""].items():
        repairs.extend(_cap(data, key, limit, ()))
    repairs.extend(_shorten_texts(data, ()))
    repairs.extend(_naive_date(data, ()))
    related = data.get("related")
    if isinstance(related, list):
        for index, item in enumerate(related):
            if isinstance(item, LineDict):
                repairs.extend(_naive_date(item, ("related", index)))
                for key, limit in LIST_CAPS["related"].items():
                    repairs.extend(_cap(item, key, limit, ("related", index)))
    repairs.extend(encoded_urls(data, ()))
    repairs.extend(fieldnames.near_misses(data))
    return repairs


_URL_KEYS = frozenset({"webUrl", "ampWebUrl", "cdnAmpWebUrl", "url"})


def _texts(node: Any, loc: Loc, urls: bool) -> Iterator[tuple[Any, str | int, Loc, str]]:
    """Every string below `node`, as (its container, its key or index, its loc, the string):
    only the URLs (the values of _URL_KEYS) with `urls`, else everything but them."""
    if isinstance(node, dict):
        children: Iterator[tuple[Any, Any]] = iter(list(node.items()))
    elif isinstance(node, list):
        children = enumerate(node)
    else:
        return
    for key, value in children:
        if not isinstance(value, str):
            yield from _texts(value, (*loc, key), urls)
        elif (isinstance(node, dict) and key in _URL_KEYS) == urls:
            yield node, key, (*loc, key), value


def _strip_forbidden(node: Any, loc: Loc) -> Iterator[Repair]:
    # a URL is the item's id: never changed here; the model rejects a bad one
    for container, key, where, value in _texts(node, loc, urls=False):
        if "\x85" in value:  # NEL ends a line: a line feed, as a carriage return is below
            container[key] = value = value.replace("\x85", "\n")
        cleaned = XML_FORBIDDEN.sub("", value)
        forbidden = cleaned != value
        if "\r" in cleaned:  # XML readers see a line feed (written as &#13;, a reference
            # that fast-xml-parser leaves as text): every format holds the line feed
            cleaned = cleaned.replace("\r\n", "\n").replace("\r", "\n")
        if cleaned != value:
            container[key] = cleaned
        if forbidden:
            yield where, "removed characters that XML 1.0 does not allow"


def encoded_urls(node: Any, loc: Loc) -> Iterator[Repair]:
    """A URL the model will write percent-encoded (`urls.encoded_characters`): not a repair,
    but a change to a URL, which is never made without a word (a webUrl is the item's id)."""
    for _, _, where, value in _texts(node, loc, urls=True):
        text = urls.decode_references(value.strip(" "))
        found = urls.encoded_characters(text)
        if found:
            try:
                written = urls.to_uri(text)
            except ValueError:  # the model says what is wrong with it
                continue
            yield where, _encoded_message(found, written)


def _encoded_message(found: str, written: str) -> str:
    shown = ", ".join(repr(char) for char in found)
    verb, pronoun = ("is", "it") if len(found) == 1 else ("are", "them")
    return f"{shown} {verb} percent-encoded (a URL cannot hold {pronoun} as written): {written}"


# The length limits of the seed model's text, by key (a provider's `name` only in a provider).
TEXT_LIMITS = {"title": MAX_TITLE, "excerpt": MAX_EXCERPT}
_NESTED = ("images", "related", "provider")


def _shorten_texts(data: LineDict, loc: Loc) -> Iterator[Repair]:
    """Text over its limit shortened where the model would measure it (trimmed)."""
    limits = {"name": MAX_NAME} if loc and loc[-1] == "provider" else TEXT_LIMITS
    for key, limit in limits.items():
        value = data.get(key)
        if isinstance(value, str) and len(value) > limit and len(text := value.strip()) > limit:
            from syndicate.seeds.shorten import shorten  # (unicodedata: 1 ms to import)

            data[key] = shorten(text, limit)
            yield (
                (*loc, key),
                (
                    f"{key} is {len(text):,} characters, over the limit of {limit:,};"
                    f" shortened to {len(data[key]):,}, ending with '…'"
                ),
            )
    for key in _NESTED:
        child = data.get(key)
        if isinstance(child, LineDict):
            yield from _shorten_texts(child, (*loc, key))
        elif isinstance(child, LineList):
            for index, item in enumerate(child):
                if isinstance(item, LineDict):
                    yield from _shorten_texts(item, (*loc, key, index))


def _cap(data: LineDict, key: str, limit: int, loc: Loc) -> Iterator[Repair]:
    items = data.get(key)
    if isinstance(items, LineList) and len(items) > limit:
        count = len(items)
        del items[limit:]
        del items.lines[limit:]
        yield (*loc, key), f"kept the first {limit} of {count} {key}"


def _naive_date(data: LineDict, loc: Loc) -> Iterator[Repair]:
    for key in _DATED:
        value = data.get(key)
        if isinstance(value, str) and _is_naive(value):
            text = value.strip()
            if len(text) > 10:
                data[key] = text + "+00:00"
                yield (*loc, key), f"date-time {text!r} has no time zone; read as UTC"
            else:
                data[key] = text + "T00:00:00+00:00"
                yield (*loc, key), f"{text!r} is a date without a time; read as 00:00 UTC"


def drop_target(loc: Loc) -> Loc | None:
    """The part of the seed to drop for a validation error at `loc`, or None to reject the seed.

    Core fields (title, webUrl, publishedDateTime, excerpt, quality, published, topics)
    reject the seed: they decide what readers see and which feeds an item is in.
    """
    if not loc:
        return None
    head = loc[0]
    if head in ("ampWebUrl", "cdnAmpWebUrl", "heat", "category", "type"):
        return loc[:1]
    if head == "images":
        return _image_target(loc)
    if head == "provider":
        return _provider_target(loc)
    if head == "related":
        if len(loc) < 3:
            return loc[:2]
        field = loc[2]
        if field == "images":
            return _prefixed(loc[:2], _image_target(loc[2:]))
        if field == "provider":
            return _prefixed(loc[:2], _provider_target(loc[2:]))
        if field in ("title", "webUrl"):
            return loc[:2]
        return loc[:3]
    return None


def _image_target(loc: Loc) -> Loc:
    if len(loc) >= 3 and loc[2] in ("width", "height", "isCached", "title"):
        return loc[:3]
    return loc[:2]


def _provider_target(loc: Loc) -> Loc:
    if len(loc) >= 2 and loc[1] == "images":
        return _prefixed(loc[:1], _image_target(loc[1:]))
    if len(loc) >= 2 and loc[1] == "domain":
        return loc[:2]
    return loc[:1]


def _prefixed(prefix: Loc, rest: Loc) -> Loc:
    return (*prefix, *rest)


def drop(data: LineDict, target: Loc) -> None:
    """Remove the key or list item at `target` (which must exist)."""
    node: Any = data
    for part in target[:-1]:
        node = node[part]
    last = target[-1]
    if isinstance(node, LineList) and isinstance(last, int):
        del node[last]
        del node.lines[last]
    elif isinstance(node, dict):
        node.pop(last, None)
