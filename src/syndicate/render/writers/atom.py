"""Atom 1.0 (RFC 4287), with its RFC 5005 archive pages and WebSub hub links."""

from __future__ import annotations

from syndicate.render.entry import FeedView
from syndicate.render.writers import WRITERS, archive_links, stylesheet_href
from syndicate.render.writers._feedgen import (
    ATOM_EXTENSION,
    Link,
    add_entry,
    new_feed,
    person,
    register_atom,
    with_stylesheet,
)

WRITER = WRITERS["atom"]
MEDIA_TYPE = WRITER.media_type


def render(view: FeedView) -> bytes:
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
    for entry in view.entries:
        item = add_entry(feed, entry, ATOM_EXTENSION)
        item.id(entry.url)
        if entry.summary:
            item.summary(entry.summary)
        item.content(entry.content_html, type="html")
        if entry.author:
            item.author(person(entry.author))
    result: bytes = feed.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return with_stylesheet(result, stylesheet_href(view, WRITER.document(page)))


def _links(view: FeedView) -> tuple[Link, ...]:
    hubs = [("hub", hub, "") for hub in view.hubs]
    archive = [(rel, url, MEDIA_TYPE) for rel, url in archive_links(view, WRITER).items()]
    return (*hubs, *archive)
