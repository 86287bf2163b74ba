"""JSON Feed 1.1, written as a Pydantic model of the document would dump it (fixed key order):
the model is the reference (`_jsonfeed_models.py`), and what it would dump is written straight
wherever that is certain (Pydantic is asked only for the rest: see `write`).

RFC 5005 archive pages: JSON Feed has no link relations, so `next_url` (the spec's pagination,
towards older items) is the `prev-archive` page, and a feed-level `_syndicate` object carries
every relation by name. `feed_url` stays the feed's own URL on every page: it is the feed's id.
"""

from __future__ import annotations

import types
from datetime import datetime
from json.encoder import encode_basestring
from typing import BinaryIO

from syndicate.render.entry import Entry, FeedView, Person
from syndicate.render.writers import WRITERS, archive_links

WRITER = WRITERS["json"]
MEDIA_TYPE = WRITER.media_type
VERSION = "https://jsonfeed.org/version/1.1"


def write(view: FeedView, stream: BinaryIO) -> None:
    """The JSON Feed document of `view`, written straight (`head_json`, `item_json`), with
    Pydantic for any part that cannot be."""
    _write(view, stream, fast=True)


def write_pydantic(view: FeedView, stream: BinaryIO) -> None:
    """The same document with every part dumped by Pydantic: the reference."""
    _write(view, stream, fast=False)


def _write(view: FeedView, stream: BinaryIO, fast: bool) -> None:
    """The document Pydantic would dump with every item in `items` (indent 2), written an
    item at a time: the document without items, then each item dumped on its own and indented
    by two levels (JSON text has no raw newline inside a string, so every newline is layout)."""
    links = archive_links(view, WRITER)
    text = (head_json(view, links) if fast else None) or _models().head(view, links)
    if not text.endswith(_NO_ITEMS):
        raise ValueError("the items are not the document's last member")  # never seen
    if not view.entries:
        stream.write(text.encode("utf-8") + b"\n")
        return
    stream.write(text[: -len(_NO_ITEMS)].encode("utf-8") + b"[\n")
    separator = b""
    for entry in view.entries:
        data = item_json(entry) if fast else None
        if data is None:
            item = _ITEM_INDENT + _models().item(entry).replace("\n", "\n" + _ITEM_INDENT)
            data = item.encode("utf-8")
        stream.write(separator + data)
        separator = b",\n"
    stream.write(b"\n  ]\n}\n")


_NO_ITEMS = "[]\n}"
_ITEM_INDENT = "    "


def _models() -> types.ModuleType:
    """The reference: Pydantic and the document's models, imported when first needed."""
    from syndicate.render.writers import _jsonfeed_models

    return _jsonfeed_models


def head_json(view: FeedView, links: dict[str, str]) -> str | None:
    """What the reference's `head` dumps, written straight (its strings escaped as in
    `item_json`); None (use Pydantic) when a string holds a lone surrogate, which Pydantic
    refuses."""
    q = encode_basestring
    parts = [
        f'{{\n  "version": "{VERSION}",\n  "title": {q(view.title)}',
        f',\n  "home_page_url": {q(view.home_url)}',
        f',\n  "feed_url": {q(view.url_of(WRITER.document()))}',
    ]
    optional = (
        ("description", view.description or None),
        ("next_url", links.get("prev-archive")),
        ("icon", view.icon),
        ("favicon", view.icon),
        ("language", view.language),
    )
    parts += [f',\n  "{key}": {q(value)}' for key, value in optional if value is not None]
    if view.author is not None:
        parts.append(_authors_json(view.author, "  "))
    if view.hubs:
        hubs = ",\n".join(
            f'    {{\n      "type": "WebSub",\n      "url": {q(hub)}\n    }}' for hub in view.hubs
        )
        parts.append(f',\n  "hubs": [\n{hubs}\n  ]')
    page = view.archive_page
    if page is not None or links:  # `_syndicate`, as FeedExtension orders it
        members = []
        if page is not None:
            members += ['"archive": true', f'"self": {q(view.url_of(WRITER.document(page)))}']
        members += [f'"{relation.replace("-", "_")}": {q(url)}' for relation, url in links.items()]
        parts.append(',\n  "_syndicate": {\n    ' + ",\n    ".join(members) + "\n  }")
    parts.append(f',\n  "items": {_NO_ITEMS}')
    text = "".join(parts)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which Pydantic refuses
        return None
    return text


_TAG_SEPARATOR = ",\n        "


def item_json(entry: Entry) -> bytes | None:
    """The item `_write` writes for `entry`, written straight: Pydantic's dump, indented, its
    JSON strings escaped as Python's json escapes them (`"`, `\\` and the control characters,
    nothing else, as Pydantic). None (use Pydantic) for what Pydantic writes its own way: a lone
    surrogate, a date with microseconds or an offset in seconds, a naive date."""
    published = _date(entry.published)
    if published is None:
        return None
    q = encode_basestring
    url = q(entry.url)
    parts = [f'    {{\n      "id": {url},\n      "url": {url},\n      "title": {q(entry.title)}']
    if entry.summary is not None:
        summary = q(entry.summary)
        parts.append(f',\n      "summary": {summary},\n      "content_text": {summary}')
    parts.append(
        f',\n      "content_html": {q(entry.content_html)},\n      "date_published": "{published}"'
    )
    images = entry.images
    if images:
        parts.append(f',\n      "image": {q(images[0].url)}')
    if entry.tags:
        tags = _TAG_SEPARATOR.join(map(q, entry.tags))
        parts.append(f',\n      "tags": [\n        {tags}\n      ]')
    if entry.author is not None:
        parts.append(_authors_json(entry.author, "      "))
    if images:
        parts.append(',\n      "attachments": [')
        separator = "\n"
        for picture in images:
            parts.append(
                f'{separator}        {{\n          "url": {q(picture.url)}'
                f',\n          "mime_type": {q(picture.mime_type)}'
            )
            if picture.title is not None:
                parts.append(f',\n          "title": {q(picture.title)}')
            parts.append("\n        }")
            separator = ",\n"
        parts.append("\n      ]")
    if entry.related:
        parts.append(',\n      "_syndicate": {\n        "related": [')
        separator = "\n"
        for link in entry.related:
            parts.append(
                f'{separator}          {{\n            "url": {q(link.url)}'
                f',\n            "title": {q(link.title)}'
            )
            if link.published is not None:
                when = _date(link.published)
                if when is None:
                    return None
                parts.append(f',\n            "date_published": "{when}"')
            if link.provider is not None:
                parts.append(f',\n            "provider": {q(link.provider)}')
            parts.append("\n          }")
            separator = ",\n"
        parts.append("\n        ]\n      }")
    parts.append("\n    }")
    try:
        return "".join(parts).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which Pydantic refuses
        return None


def _authors_json(person: Person, indent: str) -> str:
    """`, "author": {...}, "authors": [{...}]` of one person as Pydantic dumps them, the
    members at `indent`. JSON Feed 1.1 has `authors`; its `author`, 1.0's, is deprecated, but
    a feed may keep it for the readers of 1.0 (gofeed 1.1 reads only `author`), and readers of
    1.1 take `authors`."""
    q = encode_basestring
    members = [f'"name": {q(person.name)}']
    if person.url is not None:
        members.append(f'"url": {q(person.url)}')
    if person.avatar is not None:
        members.append(f'"avatar": {q(person.avatar)}')
    one = f"{indent}  " + f",\n{indent}  ".join(members)
    many = f"{indent}    " + f",\n{indent}    ".join(members)
    return (
        f',\n{indent}"author": {{\n{one}\n{indent}}}'
        f',\n{indent}"authors": [\n{indent}  {{\n{many}\n{indent}  }}\n{indent}]'
    )


def _date(moment: datetime) -> str | None:
    """The date as Pydantic writes it (`Z` for UTC), when that is certain: whole seconds and an
    offset in whole minutes (ISO 8601 text of 25 characters; a naive date has 19)."""
    text = moment.isoformat()
    if len(text) != 25:
        return None
    return text[:-6] + "Z" if text.endswith("+00:00") else text
