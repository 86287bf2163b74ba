"""One feed's files: the current feed in each of its formats and, when it archives, its
RFC 5005 archive pages. Pure: the same config and entries give the same bytes.

A file is given as the function that writes it into an open file (`WriteTo`), called when the
output is written: a feed of 100,000 items is never held whole (see writers/).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from syndicate import __version__
from syndicate.config import FeedConfig, Site
from syndicate.render import entry
from syndicate.render.writers import WRITERS
from syndicate.selection.select import archive_pages

if TYPE_CHECKING:
    from syndicate.render.pages import WriteTo


def feed_view(
    site: Site,
    feed: FeedConfig,
    entries: Sequence[entry.Entry],
    archive: entry.Archive | None = None,
) -> entry.FeedView:
    """The current feed (`archive` None, or its page None) or one of its archive pages."""
    author = site.author
    current = archive is None or archive.page is None
    return entry.FeedView(
        id=feed.id,
        title=feed.title,
        description=description(site, feed),
        language=site.language,
        home_url=site.base_url,
        feed_base=f"{site.base_url}{feed.id}/",
        author=entry.Person(author.name, author.url, None, author.email)
        if author
        else entry.Person(site.title, site.base_url),
        generator="syndicate",
        version=__version__,
        entries=entries if isinstance(entries, entry.Dated) else tuple(entries),
        icon=feed.icon or site.icon,
        logo=feed.logo or site.logo,
        hubs=tuple(site.websub_hubs or ()) if current else (),
        stylesheet=_stylesheet() if site.stylesheet else None,
        archive=archive,
    )


def description(site: Site, feed: FeedConfig) -> str:
    """The description a feed publishes: its own, else the site's, else its title."""
    return feed.description or site.description or feed.title


def feed_files(
    site: Site, feed: FeedConfig, entries: Sequence[entry.Entry]
) -> tuple[entry.FeedView, dict[str, WriteTo]]:
    """The view of the current feed and the feed's files (by path in out/): the current feed
    in each format and, when the feed archives, the entries beyond its limit in archive pages.
    `entries` are all the feed's items, in feed order."""
    if not feed.archive:
        view = feed_view(site, feed, entries)
        return view, _current_files(feed, view)
    older = entries[feed.limit :]
    # Pages as slices of `older` (it may be read from a store: see store.py).
    paged = [
        older[page[0] : page[-1] + 1] for page in archive_pages(range(len(older)), feed.page_size)
    ]
    view = feed_view(site, feed, entries[: feed.limit], entry.Archive(len(paged)))
    return view, {**_current_files(feed, view), **_archive_files(site, feed, paged)}


def feed_paths(feed: FeedConfig) -> tuple[str, ...]:
    """The paths in out/ of the current feed's documents (what WebSub hubs hear about)."""
    return tuple(f"{feed.id}/{WRITERS[name].filename}" for name in feed.formats)


def _stylesheet() -> str:
    """The stylesheet's path in out/: pages.py (and Jinja2) imported only when a site has one,
    so that rendering the feeds alone (`check`) needs no templates."""
    from syndicate.render.pages import STYLESHEET

    return STYLESHEET


def _current_files(feed: FeedConfig, view: entry.FeedView) -> dict[str, WriteTo]:
    writes = (partial(WRITERS[name].write, view) for name in feed.formats)
    return dict(zip(feed_paths(feed), writes, strict=True))


def _archive_files(
    site: Site, feed: FeedConfig, paged: list[Sequence[entry.Entry]]
) -> dict[str, WriteTo]:
    files: dict[str, WriteTo] = {}
    for number, entries in enumerate(paged, 1):
        view = feed_view(site, feed, entries, entry.Archive(len(paged), number))
        for name in feed.formats:
            writer = WRITERS[name]
            if writer.archive_suffix:
                files[f"{feed.id}/{writer.document(number)}"] = partial(writer.write, view)
    return files
