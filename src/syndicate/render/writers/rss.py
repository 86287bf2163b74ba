"""RSS 2.0 (with the RSS Advisory Board's Best Practices Profile, but for character references:
see below); WebSub hub links.

RSS has no archive pages: an archived feed's history is in its Atom and JSON Feed pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from syndicate.render.entry import Entry, FeedView
from syndicate.render.writers import WRITERS, stylesheet_href
from syndicate.render.writers._feedgen import (
    RSS_EXTENSION,
    new_entry,
    new_feed,
    register_rss,
    write_document,
)
from syndicate.render.writers._items import RSS_PREFIXES, rss_description, rss_item

WRITER = WRITERS["rss"]
MEDIA_TYPE = WRITER.media_type
# Character references are written as the serializer writes them: `&amp;`, `&lt;`, `&gt;`,
# which every XML parser decodes. The Best Practices Profile's hexadecimal references (`&#x26;`)
# are not: fast-xml-parser 5 with its default options (and the JavaScript readers built on it)
# leaves numeric references undecoded, in attribute values (an enclosure URL requested as
# `?w=1200&#x26;strip=all`) and in element text (a title shown as `AT&#x26;T`) alike.


def write(view: FeedView, stream: BinaryIO) -> None:
    """The RSS document of `view`, its items written straight as bytes (`_items.rss_item`),
    with feedgen for any item that cannot be."""
    _write(view, stream, fast=True)


def write_feedgen(view: FeedView, stream: BinaryIO) -> None:
    """The same document with every item built by feedgen: the reference."""
    _write(view, stream, fast=False)


def _write(view: FeedView, stream: BinaryIO, fast: bool) -> None:
    feed = new_feed(view, view.url_of("rss.xml"), MEDIA_TYPE)
    image = view.logo or view.icon
    if image:
        # <image> needs url, title and link; title and link are the channel's (RSS 2.0 spec).
        feed.image(url=image, title=view.title, link=view.home_url)
    register_rss(feed, tuple(("hub", hub, "") for hub in view.hubs))
    root, _ = feed._create_rss()
    href = stylesheet_href(view, WRITER.filename)
    fast = fast and root.nsmap == RSS_PREFIXES
    write_document(root, root.find("channel"), _items(view, fast), stream, href)


def _items(view: FeedView, fast: bool = False) -> Iterator[Any | bytes]:
    """Each item: its bytes (fast) or, when it has none or not `fast`, its element."""
    for entry in view.entries:
        data = rss_item(entry) if fast else None
        yield _element(entry) if data is None else data


def _element(entry: Entry) -> Any:
    """The item as feedgen and our extension build it."""
    item = new_entry(entry, RSS_EXTENSION)
    item.link(href=entry.url)
    item.guid(entry.url, permalink=True)
    item.description(rss_description(entry))
    if entry.images:
        lead = entry.images[0]
        item.enclosure(lead.url, "0", lead.mime_type)
    return item.rss_entry()
