"""Our feedgen extension: the one place that knows feedgen's quirks.

feedgen 1.0.0 writes only `href` for Atom entry links (issues #135, #143), keeps only one RSS
enclosure, has no Media RSS title, writes content:encoded only beside a description, wraps
content in CDATA (which `]]>` breaks), and dates default to "now". So:

- Atom entry links (alternate, enclosure, related) are written here, with all attributes;
- RSS media:content/media:thumbnail, content:encoded, dc:creator, atom:link rel="related"
  are written here; `new_feed` fixes every feed-level date and the generator;
- feed-level links other than self and alternate (WebSub `hub`, RFC 5005 `prev-archive`,
  `next-archive`, `current`) and `fh:archive` are written here: feedgen's RSS writes only the
  self atom:link, and its RSS channel link is the href of the last `link()` call.
"""

from __future__ import annotations

from typing import Any

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from syndicate.render.entry import Entry, FeedView, Person
from syndicate.render.writers._heads import FH_NS, Link

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_NS = "http://search.yahoo.com/mrss/"
DC_NS = "http://purl.org/dc/elements/1.1/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
RSS_EXTENSION = "syndicate_rss"
ATOM_EXTENSION = "syndicate_atom"


def _sub(parent: Any, tag: str, text: str | None = None, **attrib: str) -> Any:
    element = etree.SubElement(parent, tag, {k: attribute_text(v) for k, v in attrib.items() if v})
    if text is not None:
        element.text = text
    return element


_ATTRIBUTE_BREAKS = str.maketrans("\t\n\r", "   ")


def attribute_text(value: str) -> str:
    """Tabs and line breaks as spaces, as XML parsers read them in an attribute anyway: the
    serializer would write them as numeric references (`&#10;`), which some parsers leave
    undecoded in attributes. (URLs hold none: they are validated.)"""
    return value.translate(_ATTRIBUTE_BREAKS)


class RssFeedExtension(BaseExtension):  # type: ignore[misc]
    """Declares the namespaces our RSS items use once, on the root element; writes the channel's
    atom:link elements other than self."""

    links: tuple[Link, ...] = ()

    def extend_ns(self) -> dict[str, str]:
        return {"media": MEDIA_NS, "dc": DC_NS}

    def extend_rss(self, rss: Any) -> Any:
        channel = rss.find("channel")
        for rel, href, media_type in self.links:
            _sub(channel, f"{{{ATOM_NS}}}link", rel=rel, href=href, type=media_type)
        return rss


class AtomFeedExtension(BaseExtension):  # type: ignore[misc]
    """The feed's links other than self and alternate, and `fh:archive` on an archive page."""

    links: tuple[Link, ...] = ()
    archive: bool = False

    def extend_ns(self) -> dict[str, str]:
        return {"fh": FH_NS} if self.archive else {}

    def extend_atom(self, feed: Any) -> Any:
        for rel, href, media_type in self.links:
            _sub(feed, "link", rel=rel, href=href, type=media_type)
        if self.archive:
            _sub(feed, f"{{{FH_NS}}}archive")
        return feed


class RssItemExtension(BaseEntryExtension):  # type: ignore[misc]
    """Media RSS, content:encoded, dc:creator and related links of one RSS item."""

    entry: Entry | None = None

    def extend_rss(self, item: Any) -> Any:
        entry = self.entry
        assert entry is not None
        if entry.author:
            _sub(item, f"{{{DC_NS}}}creator", entry.author.name)
        if entry.summary:  # without one, the body is the description (_items.rss_description)
            _sub(item, f"{{{CONTENT_NS}}}encoded", entry.content_html)
        for index, picture in enumerate(entry.images):
            size = {"width": _int(picture.width), "height": _int(picture.height)}
            content = _sub(
                item,
                f"{{{MEDIA_NS}}}content",
                url=picture.url,
                type=picture.mime_type,
                medium="image",
                **size,
            )
            if picture.title:
                _sub(content, f"{{{MEDIA_NS}}}title", picture.title, type="plain")
            if index == 0:
                _sub(item, f"{{{MEDIA_NS}}}thumbnail", url=picture.url, **size)
        for link in entry.related:
            _sub(item, f"{{{ATOM_NS}}}link", rel="related", href=link.url, title=link.title)
        return item


class AtomEntryExtension(BaseEntryExtension):  # type: ignore[misc]
    """Every link of one Atom entry, with rel, type and title intact."""

    entry: Entry | None = None

    def extend_atom(self, element: Any) -> Any:
        entry = self.entry
        assert entry is not None
        # feedgen builds Atom elements without a namespace and declares it on the root.
        _sub(element, "link", rel="alternate", type="text/html", href=entry.url)
        for picture in entry.images:
            _sub(
                element,
                "link",
                rel="enclosure",
                type=picture.mime_type,
                href=picture.url,
                title=picture.title or "",
            )
        for link in entry.related:
            _sub(element, "link", rel="related", href=link.url, title=link.title)
        return element


def _int(value: int | None) -> str:
    return str(value) if value else ""


def new_feed(
    view: FeedView, self_url: str, self_type: str, feed_id: str | None = None
) -> FeedGenerator:
    """A FeedGenerator with the feed-level fields set and no date left to default to now.

    `feed_id` is the Atom id when it is not the self URL (an archive page has its feed's id).
    """
    feed = FeedGenerator()
    feed.title(view.title)
    feed.description(view.description)
    feed.id(feed_id or self_url)
    # RSS takes the channel <link> from the last link() call: self first, the site last. Atom
    # writes them in order: the site first (some readers take the first link as the site's).
    site = {"href": view.home_url, "rel": "alternate", "type": "text/html"}
    itself = {"href": self_url, "rel": "self", "type": self_type}
    for link in [site, itself] if self_type == "application/atom+xml" else [itself, site]:
        feed.link(**link)
    if view.language:
        feed.language(view.language)
    feed.generator(view.generator, version=view.version)
    feed.lastBuildDate(view.updated)
    if view.author:
        feed.author(person(view.author))
    return feed


def person(person: Person) -> dict[str, str]:
    fields = {"name": person.name, "uri": person.url, "email": person.email}
    return {k: v for k, v in fields.items() if v}


def new_entry(entry: Entry, extension: str) -> FeedEntry:
    """A feedgen entry with our extension attached, on its own: the writers make one at a
    time, write its element and let it go (see `write_document`)."""
    item = FeedEntry()
    entry_class = RssItemExtension if extension == RSS_EXTENSION else AtomEntryExtension
    rss = extension == RSS_EXTENSION
    item.register_extension(extension, entry_class, atom=not rss, rss=rss)
    getattr(item, extension).entry = entry
    item.title(entry.title)
    item.published(entry.published)
    item.updated(entry.published)
    for tag in entry.tags:
        item.category(term=tag)
    return item


def register_rss(feed: FeedGenerator, links: tuple[Link, ...] = ()) -> None:
    feed.register_extension(RSS_EXTENSION, RssFeedExtension, RssItemExtension, rss=True, atom=False)
    getattr(feed, RSS_EXTENSION).links = links


def register_atom(feed: FeedGenerator, links: tuple[Link, ...] = (), archive: bool = False) -> None:
    feed.register_extension(
        ATOM_EXTENSION, AtomFeedExtension, AtomEntryExtension, rss=False, atom=True
    )
    extension = getattr(feed, ATOM_EXTENSION)
    extension.links, extension.archive = links, archive


# Stands, in the empty document, where the entries go: after every other child of the channel
# (RSS) or feed (Atom), as feedgen appends them.
_MARKER = "syndicate-entries"


class Document:
    """The document `root` (from feedgen's `_create_rss`/`_create_atom`, no entries) as
    feedgen's `rss_str`/`atom_str(pretty=True)` give it, cut where its entries go, under
    `parent`: `head` before them, `tail` after. The document is serialized with a marker where
    the entries go; `item` serializes the document with an entry element at its place and cuts
    it out, so that its indentation and namespace prefixes are those of the whole document.
    """

    def __init__(self, root: Any, parent: Any) -> None:
        self.root, self._parent = root, parent
        marker = etree.SubElement(parent, _MARKER)
        whole = _serialized(root)
        parent.remove(marker)
        at = whole.index(f"<{_MARKER}/>".encode("ascii"))
        self.head = whole[: whole.rindex(b"\n", 0, at) + 1]
        self.tail = whole[whole.index(b"\n", at) + 1 :]

    def item(self, element: Any) -> bytes:
        """The bytes of one entry `element` in the document."""
        self._parent.append(element)
        whole = _serialized(self.root)
        self._parent.remove(element)
        head, tail = self.head, self.tail
        if not (whole.startswith(head) and whole.endswith(tail)):
            raise ValueError("an entry changed the rest of the document")  # never seen
        return whole[len(head) : len(whole) - len(tail)]


def _serialized(root: Any) -> bytes:
    data: bytes = etree.tostring(
        etree.ElementTree(root), pretty_print=True, encoding="UTF-8", xml_declaration=True
    )
    return data
