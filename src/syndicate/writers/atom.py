"""Atom 1.0 (RFC 4287)."""

from __future__ import annotations

from syndicate.entry import FeedView
from syndicate.writers import Writer
from syndicate.writers._feedgen import ATOM_EXTENSION, add_entry, new_feed, person, register_atom

MEDIA_TYPE = "application/atom+xml"


def render(view: FeedView) -> bytes:
    feed = new_feed(view, view.url_of("atom.xml"), MEDIA_TYPE)
    if view.description:
        feed.subtitle(view.description)
    if view.icon:
        feed.icon(view.icon)
    if view.logo:
        feed.logo(view.logo)
    register_atom(feed)
    for entry in view.entries:
        item = add_entry(feed, entry, ATOM_EXTENSION)
        item.id(entry.url)
        if entry.summary:
            item.summary(entry.summary)
        item.content(entry.content_html, type="html")
        if entry.author:
            item.author(person(entry.author))
    result: bytes = feed.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return result


WRITER = Writer("atom", "atom.xml", MEDIA_TYPE, render)
