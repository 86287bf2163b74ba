"""Atom 1.0 (RFC 4287), with its RFC 5005 archive pages and WebSub hub links."""

from __future__ import annotations

from functools import cache
from typing import Any, BinaryIO

from syndicate.render.entry import Entry, FeedView
from syndicate.render.writers import WRITERS, archive_links, stylesheet_href
from syndicate.render.writers._heads import Link, atom_head, write_xml
from syndicate.render.writers._items import ATOM_XMLNS, atom_entry

WRITER = WRITERS["atom"]
MEDIA_TYPE = WRITER.media_type


def write(view: FeedView, stream: BinaryIO) -> None:
    """The Atom document of `view`, written straight as bytes (`_heads.atom_head`,
    `_items.atom_entry`), with feedgen for any part that cannot be."""
    _write(view, stream, fast=True)


def write_feedgen(view: FeedView, stream: BinaryIO) -> None:
    """The same document built by feedgen: the reference."""
    _write(view, stream, fast=False)


def _write(view: FeedView, stream: BinaryIO, fast: bool) -> None:
    page = view.archive_page
    # An archive page is a document of the same feed: same id, its own self link.
    feed_id, self_url = view.url_of(WRITER.document()), view.url_of(WRITER.document(page))
    links = _links(view)
    head = atom_head(view, feed_id, self_url, MEDIA_TYPE, links) if fast else None
    document = cache(lambda: _document(view, feed_id, self_url, links))  # when first needed
    if head is None:
        head = (document().head, document().tail)
        # The fast entries are written without prefixes, in the Atom namespace the head declares.
        root = document().root
        fast = fast and root.get("xmlns") == ATOM_XMLNS and None not in root.nsmap
    href = stylesheet_href(view, WRITER.document(page))
    entry = atom_entry if fast else None
    write_xml(stream, head, href, view.entries, entry, lambda e: document().item(_element(e)))


def _document(view: FeedView, feed_id: str, self_url: str, links: tuple[Link, ...]) -> Any:
    """The document without entries as feedgen and our extension build it."""
    from syndicate.render.writers import _feedgen  # feedgen and lxml: only when needed

    feed = _feedgen.new_feed(view, self_url, MEDIA_TYPE, feed_id)
    if view.description:
        feed.subtitle(view.description)
    if view.icon:
        feed.icon(view.icon)
    if view.logo:
        feed.logo(view.logo)
    _feedgen.register_atom(feed, links, archive=view.archive_page is not None)
    root, _ = feed._create_atom()
    return _feedgen.Document(root, root)


def _element(entry: Entry) -> Any:
    """The entry as feedgen and our extension build it."""
    from syndicate.render.writers import _feedgen

    item = _feedgen.new_entry(entry, _feedgen.ATOM_EXTENSION)
    item.id(entry.url)
    if entry.summary:
        item.summary(entry.summary)
    item.content(entry.content_html, type="html")
    if entry.author:
        item.author(_feedgen.person(entry.author))
    return item.atom_entry()


def _links(view: FeedView) -> tuple[Link, ...]:
    hubs = [("hub", hub, "") for hub in view.hubs]
    archive = [(rel, url, MEDIA_TYPE) for rel, url in archive_links(view, WRITER).items()]
    return (*hubs, *archive)
