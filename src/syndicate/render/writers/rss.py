"""RSS 2.0 (with the RSS Advisory Board's Best Practices Profile, but for character references:
see below); WebSub hub links.

RSS has no archive pages: an archived feed's history is in its Atom and JSON Feed pages.
"""

from __future__ import annotations

from functools import cache
from typing import Any, BinaryIO

from syndicate.render.entry import Entry, FeedView
from syndicate.render.writers import WRITERS, stylesheet_href
from syndicate.render.writers._heads import channel_description, rss_head, write_xml
from syndicate.render.writers._items import RSS_PREFIXES, rss_description, rss_item

WRITER = WRITERS["rss"]
MEDIA_TYPE = WRITER.media_type
# Character references are written as the serializer writes them: `&amp;`, `&lt;`, `&gt;`,
# which every XML parser decodes. The Best Practices Profile's hexadecimal references (`&#x26;`)
# are not: fast-xml-parser 5 with its default options (and the JavaScript readers built on it)
# leaves numeric references undecoded, in attribute values (an enclosure URL requested as
# `?w=1200&#x26;strip=all`) and in element text (a title shown as `AT&#x26;T`) alike.


def write(view: FeedView, stream: BinaryIO) -> None:
    """The RSS document of `view`, written straight as bytes (`_heads.rss_head`,
    `_items.rss_item`), with feedgen for any part that cannot be."""
    _write(view, stream, fast=True)


def write_feedgen(view: FeedView, stream: BinaryIO) -> None:
    """The same document built by feedgen: the reference."""
    _write(view, stream, fast=False)


def _write(view: FeedView, stream: BinaryIO, fast: bool) -> None:
    self_url = view.url_of(WRITER.filename)
    head = rss_head(view, self_url, MEDIA_TYPE) if fast else None
    document = cache(lambda: _document(view, self_url))  # feedgen's: built when first needed
    if head is None:
        head = (document().head, document().tail)
        # The fast items use the prefixes the head declares.
        fast = fast and document().root.nsmap == RSS_PREFIXES
    href = stylesheet_href(view, WRITER.filename)
    item = rss_item if fast else None
    write_xml(stream, head, href, view.entries, item, lambda e: document().item(_element(e)))


def _document(view: FeedView, self_url: str) -> Any:
    """The document without items as feedgen and our extension build it (`_feedgen.Document`)."""
    from syndicate.render.writers import _feedgen  # feedgen and lxml: only when needed

    feed = _feedgen.new_feed(view, self_url, MEDIA_TYPE)
    feed.description(channel_description(view))
    image = view.logo or view.icon
    if image:
        # <image> needs url, title and link; title and link are the channel's (RSS 2.0 spec).
        feed.image(url=image, title=view.title, link=view.home_url)
    _feedgen.register_rss(feed, tuple(("hub", hub, "") for hub in view.hubs))
    root, _ = feed._create_rss()
    return _feedgen.Document(root, root.find("channel"))


def _element(entry: Entry) -> Any:
    """The item as feedgen and our extension build it."""
    from syndicate.render.writers import _feedgen

    item = _feedgen.new_entry(entry, _feedgen.RSS_EXTENSION)
    item.link(href=entry.url)
    item.guid(entry.url, permalink=True)
    item.description(rss_description(entry))
    if entry.images:
        lead = entry.images[0]
        item.enclosure(lead.url, "0", lead.mime_type)
    return item.rss_entry()
