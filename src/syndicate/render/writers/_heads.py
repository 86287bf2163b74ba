"""The head and tail of RSS and Atom documents written straight as bytes: what feedgen and our
extension (`_feedgen.py`) serialize around the items, without importing either (feedgen and
lxml cost a command about 16 ms to import; see docs/speed.md).

`rss_head` and `atom_head` return None for a view they cannot render with certainty (an
empty field feedgen refuses or leaves out its own way, a naive date, a character XML does not
allow): the writer then takes the head from feedgen, the reference. `tests/test_writers_fast.py`
holds both to the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from html import escape
from typing import BinaryIO

from syndicate.render.entry import Entry, FeedView
from syndicate.render.writers._items import (
    RSS_PREFIXES,
    our_attribute,
    rfc822,
    xml_attribute,
    xml_bytes,
    xml_text,
)

# The bytes of a document, split where its items go.
Head = tuple[bytes, bytes]
# A feed-level link: rel, href, type ("" for none).
Link = tuple[str, str, str]

DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"
RSS_DOCS = "http://www.rssboard.org/rss-specification"  # feedgen's <docs>, always written
FH_NS = "http://purl.org/syndication/history/1.0"  # RFC 5005
_RSS_ROOT = (
    "<rss "
    + " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in RSS_PREFIXES.items())
    + ' version="2.0">\n  <channel>\n'
)


def with_stylesheet(xml: bytes, href: str | None) -> bytes:
    """`<?xml-stylesheet type="text/xsl" href=...?>` after the document's XML declaration."""
    if href is None:
        return xml
    declaration, newline, rest = xml.partition(b"\n")
    if not declaration.startswith(b"<?xml ") or not newline:
        raise ValueError("the document does not start with an XML declaration")
    quoted = escape(href, quote=True).encode("utf-8")
    return declaration + b'\n<?xml-stylesheet type="text/xsl" href="' + quoted + b'"?>\n' + rest


def _certain(view: FeedView, updated: datetime) -> bool:
    """The fields feedgen requires are there, and the date (`view.updated`) is aware."""
    author = view.author
    return bool(
        view.title
        and view.home_url
        and view.feed_base
        and updated.utcoffset() is not None
        and (author is None or author.name)
    )


def channel_description(view: FeedView) -> str:
    """The RSS channel's description, HTML to readers (feedparser, SimplePie), as an item's
    is: the feed's description escaped, so that `<br>` or `AT&T` stays the text the Atom
    subtitle and the JSON Feed description hold."""
    return escape(view.description, quote=False)


def rss_head(view: FeedView, self_url: str, self_type: str) -> Head | None:
    """The RSS document of `view` around its items (`rss.py`), or None (use feedgen)."""
    updated = view.updated  # the newest item's date: read once (a big feed has many)
    if not (view.description and _certain(view, updated)):
        return None
    parts = [
        DECLARATION,
        _RSS_ROOT,
        f"    <title>{xml_text(view.title)}</title>\n",
        f"    <link>{xml_text(view.home_url)}</link>\n",
        f"    <description>{xml_text(channel_description(view))}</description>\n",
        f'    <atom:link href="{xml_attribute(self_url)}" rel="self"',
        f' type="{xml_attribute(self_type)}"/>\n',
        f"    <docs>{RSS_DOCS}</docs>\n",
    ]
    if view.generator:
        parts.append(f"    <generator>{xml_text(view.generator)}</generator>\n")
    image = view.logo or view.icon
    if image:  # <image> needs url, title and link; title and link are the channel's
        parts += (
            f"    <image>\n      <url>{xml_text(image)}</url>\n",
            f"      <title>{xml_text(view.title)}</title>\n",
            f"      <link>{xml_text(view.home_url)}</link>\n    </image>\n",
        )
    if view.language:
        parts.append(f"    <language>{xml_text(view.language)}</language>\n")
    parts.append(f"    <lastBuildDate>{rfc822(updated)}</lastBuildDate>\n")
    parts += (_link("    <atom:link", "hub", hub, "") for hub in view.hubs)
    return _split("".join(parts), "  </channel>\n</rss>\n")


def atom_head(
    view: FeedView,
    feed_id: str,
    self_url: str,
    self_type: str,
    links: tuple[Link, ...],
) -> Head | None:
    """The Atom document of `view` around its entries (`atom.py`), or None (use feedgen).
    `links`: the feed-level links but self and alternate, (rel, href, type or "")."""
    updated = view.updated
    if not _certain(view, updated):
        return None
    archive = view.archive_page is not None
    parts = [DECLARATION, "<feed"]
    if archive:
        parts.append(f' xmlns:fh="{FH_NS}"')
    parts.append(' xmlns="http://www.w3.org/2005/Atom"')
    if view.language:
        parts.append(f' xml:lang="{xml_attribute(view.language)}"')
    parts += (
        f">\n  <id>{xml_text(feed_id)}</id>\n",
        f"  <title>{xml_text(view.title)}</title>\n",
        f"  <updated>{updated.isoformat()}</updated>\n",
    )
    author = view.author
    if author is not None:
        parts.append(f"  <author>\n    <name>{xml_text(author.name)}</name>\n")
        if author.email:
            parts.append(f"    <email>{xml_text(author.email)}</email>\n")
        if author.url:
            parts.append(f"    <uri>{xml_text(author.url)}</uri>\n")
        parts.append("  </author>\n")
    parts += (  # the site first: some readers take the first link as the site's
        f'  <link href="{xml_attribute(view.home_url)}" rel="alternate" type="text/html"/>\n',
        f'  <link href="{xml_attribute(self_url)}" rel="self"',
        f' type="{xml_attribute(self_type)}"/>\n',
    )
    if view.generator:
        version = f' version="{xml_attribute(view.version)}"' if view.version else ""
        parts.append(f"  <generator{version}>{xml_text(view.generator)}</generator>\n")
    if view.icon:
        parts.append(f"  <icon>{xml_text(view.icon)}</icon>\n")
    if view.logo:
        parts.append(f"  <logo>{xml_text(view.logo)}</logo>\n")
    if view.description:
        parts.append(f"  <subtitle>{xml_text(view.description)}</subtitle>\n")
    parts += (_link("  <link", rel, href, media_type) for rel, href, media_type in links)
    if archive:
        parts.append("  <fh:archive/>\n")
    return _split("".join(parts), "</feed>\n")


def _link(opening: str, rel: str, href: str, media_type: str) -> str:
    """A feed-level link our extension writes (`_feedgen._sub`): empty attributes left out."""
    attributes = (("rel", rel), ("href", href), ("type", media_type))
    written = "".join(f' {name}="{our_attribute(value)}"' for name, value in attributes if value)
    return f"{opening}{written}/>\n"


def _split(head: str, tail: str) -> Head | None:
    """Both in UTF-8, or None when XML cannot hold a character of the head (the tail is ours)."""
    data = xml_bytes(head)
    return None if data is None else (data, tail.encode("ascii"))


def write_xml(
    stream: BinaryIO,
    head: Head,
    stylesheet: str | None,
    entries: Iterable[Entry],
    item: Callable[[Entry], bytes | None] | None,
    reference: Callable[[Entry], bytes],
) -> None:
    """The document: `head` (with the `stylesheet` processing instruction), each entry's
    `item` bytes (or, where that gives None or there is no `item`, its `reference` bytes),
    then the tail."""
    stream.write(with_stylesheet(head[0], stylesheet))
    for entry in entries:
        data = None if item is None else item(entry)
        stream.write(reference(entry) if data is None else data)
    stream.write(head[1])
