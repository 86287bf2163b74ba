"""Items read back from feed files: what subscribers of a feed in out/ see, for `syndicate diff`
and the flood guard. No git and no memo: the feed files themselves, JSON Feed first (it carries
every field plainly), else Atom, else RSS (documents.py).

Only what a reviewer compares is kept of an item: its id (the URL), title, date, summary, its
enclosures (the images attached to it) and its related links.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

_ATOM = "{http://www.w3.org/2005/Atom}"
_MEDIA = "{http://search.yahoo.com/mrss/}"


class UnreadableFeedError(ValueError):
    """A feed file that is not the feed it should be (the message says why)."""


@dataclass(frozen=True, slots=True)
class Item:
    url: str  # the item's id in every format
    title: str
    published: datetime
    summary: str | None
    enclosures: tuple[str, ...]
    related: tuple[tuple[str, str], ...]  # (url, title)

    @property
    def day(self) -> str:
        return self.published.astimezone(UTC).strftime("%Y-%m-%d")


@dataclass(frozen=True, slots=True)
class FeedItems:
    """One feed document read back: its title, its items in feed order, and which file it was."""

    title: str
    items: tuple[Item, ...]
    document: str  # the file name in the feed's folder: feed.json, atom.xml or rss.xml


def parse(document: str, data: bytes) -> FeedItems:
    """The items of a feed file's bytes; UnreadableFeedError when they are not a feed."""
    try:
        return _READERS[document](data, document)
    except UnreadableFeedError:
        raise
    # (lxml's XMLSyntaxError is a SyntaxError)
    except KeyError as exc:  # a JSON Feed item without a member syndicate writes
        raise UnreadableFeedError(f"not a feed syndicate can read (no {exc})") from None
    except (ValueError, TypeError, AttributeError, SyntaxError) as exc:
        raise UnreadableFeedError(f"not a feed syndicate can read ({exc})") from None


def read_out(out: Path, feed_id: str, document: str) -> FeedItems:
    path = out / feed_id / document
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFeedError(f"cannot read: {exc.strerror}") from None
    return parse(document, data)


# ------------------------------------------------------------------------------ JSON Feed


def _json_feed(data: bytes, document: str) -> FeedItems:
    doc = json.loads(data)
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise UnreadableFeedError("not a JSON Feed (no items list)")
    return FeedItems(_text(doc.get("title")), tuple(_json_item(i) for i in doc["items"]), document)


def _json_item(item: dict[str, Any]) -> Item:
    url = item.get("url") or item["id"]
    attachments = [a["url"] for a in item.get("attachments") or [] if isinstance(a, dict)]
    if not attachments and item.get("image"):
        attachments = [item["image"]]
    extension = item.get("_syndicate") or {}
    related = tuple(
        (r["url"], _text(r.get("title")))
        for r in extension.get("related") or []
        if isinstance(r, dict)
    )
    return Item(
        str(url),
        _text(item.get("title")),
        _instant(datetime.fromisoformat(item["date_published"])),
        item.get("summary"),
        tuple(str(a) for a in attachments),
        related,
    )


# ------------------------------------------------------------------------------ Atom


def _xml_root(data: bytes) -> Any:
    """The root element of an XML document: our own files, but read as untrusted (no
    entities, no DTD, no network)."""
    from lxml import etree

    return etree.fromstring(data, _xml_parser())


@cache
def _xml_parser() -> Any:
    """lxml is imported here: a feed with a JSON Feed never needs it, and importing it costs a
    command about 6 ms."""
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=True,
        remove_comments=True,
    )


def _atom(data: bytes, document: str) -> FeedItems:
    root = _xml_root(data)
    if root.tag != f"{_ATOM}feed":
        raise UnreadableFeedError("not an Atom feed")
    return FeedItems(
        _text(root.findtext(f"{_ATOM}title")),
        tuple(_atom_entry(e) for e in root.iterfind(f"{_ATOM}entry")),
        document,
    )


def _atom_entry(entry: Any) -> Item:
    links = entry.findall(f"{_ATOM}link")
    alternate = [link.get("href") for link in links if link.get("rel") in (None, "alternate")]
    url = alternate[0] if alternate else entry.findtext(f"{_ATOM}id")
    date = entry.findtext(f"{_ATOM}published") or entry.findtext(f"{_ATOM}updated")
    return Item(
        str(url),
        _text(entry.findtext(f"{_ATOM}title")),
        _instant(datetime.fromisoformat(str(date))),
        entry.findtext(f"{_ATOM}summary"),
        tuple(link.get("href") for link in links if link.get("rel") == "enclosure"),
        tuple(
            (link.get("href"), link.get("title") or "")
            for link in links
            if link.get("rel") == "related"
        ),
    )


# ------------------------------------------------------------------------------ RSS


def _rss(data: bytes, document: str) -> FeedItems:
    root = _xml_root(data)
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise UnreadableFeedError("not an RSS 2.0 feed")
    return FeedItems(
        _text(channel.findtext("title")),
        tuple(_rss_item(i) for i in channel.iterfind("item")),
        document,
    )


def _rss_item(item: Any) -> Item:
    from email.utils import parsedate_to_datetime  # here: a cold check compares no RSS file

    url = item.findtext("link") or item.findtext("guid")
    images = [m.get("url") for m in item.iterfind(f"{_MEDIA}content")]
    if not images:
        images = [e.get("url") for e in item.iterfind("enclosure")]
    return Item(
        str(url),
        _text(item.findtext("title")),
        _instant(parsedate_to_datetime(str(item.findtext("pubDate")))),
        item.findtext("description"),
        tuple(images),
        tuple(
            (link.get("href"), link.get("title") or "")
            for link in item.iterfind(f"{_ATOM}link")
            if link.get("rel") == "related"
        ),
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _instant(moment: datetime) -> datetime:
    if moment.tzinfo is None:  # RSS dates with -0000, or a stray naive date: read as UTC
        return moment.replace(tzinfo=UTC)
    return moment


_READERS: dict[str, Callable[[bytes, str], FeedItems]] = {
    "feed.json": _json_feed,
    "atom.xml": _atom,
    "rss.xml": _rss,
}
