"""Atom 1.0 (RFC 4287), with its RFC 5005 archive pages and WebSub hub links."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from syndicate.render.entry import Entry, FeedView
from syndicate.render.writers import WRITERS, archive_links, stylesheet_href
from syndicate.render.writers._feedgen import (
    ATOM_EXTENSION,
    Link,
    new_entry,
    new_feed,
    person,
    register_atom,
    write_document,
)
from syndicate.render.writers._items import ATOM_XMLNS, atom_entry

WRITER = WRITERS["atom"]
MEDIA_TYPE = WRITER.media_type


def write(view: FeedView, stream: BinaryIO) -> None:
    """The Atom document of `view`, its entries written straight as bytes
    (`_items.atom_entry`), with feedgen for any entry that cannot be."""
    _write(view, stream, fast=True)


def write_feedgen(view: FeedView, stream: BinaryIO) -> None:
    """The same document with every entry built by feedgen: the reference."""
    _write(view, stream, fast=False)


def _write(view: FeedView, stream: BinaryIO, fast: bool) -> None:
    page = view.archive_page
    # An archive page is a document of the same feed: same id, its own self link.
    feed = new_feed(
        view, view.url_of(WRITER.document(page)), MEDIA_TYPE, view.url_of(WRITER.document())
    )
    if view.description:
        feed.subtitle(view.description)
    if view.icon:
        feed.icon(view.icon)
    if view.logo:
        feed.logo(view.logo)
    register_atom(feed, _links(view), archive=page is not None)
    root, _ = feed._create_atom()
    href = stylesheet_href(view, WRITER.document(page))
    fast = fast and root.get("xmlns") == ATOM_XMLNS and None not in root.nsmap
    write_document(root, root, _entries(view, fast), stream, href)


def _entries(view: FeedView, fast: bool = False) -> Iterator[Any | bytes]:
    """Each entry: its bytes (fast) or, when it has none or not `fast`, its element."""
    for entry in view.entries:
        data = atom_entry(entry) if fast else None
        yield _element(entry) if data is None else data


def _element(entry: Entry) -> Any:
    """The entry as feedgen and our extension build it."""
    item = new_entry(entry, ATOM_EXTENSION)
    item.id(entry.url)
    if entry.summary:
        item.summary(entry.summary)
    item.content(entry.content_html, type="html")
    if entry.author:
        item.author(person(entry.author))
    return item.atom_entry()


def _links(view: FeedView) -> tuple[Link, ...]:
    hubs = [("hub", hub, "") for hub in view.hubs]
    archive = [(rel, url, MEDIA_TYPE) for rel, url in archive_links(view, WRITER).items()]
    return (*hubs, *archive)
