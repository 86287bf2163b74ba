"""The JSON Feed document as Pydantic models: the reference the JSON Feed writer's straight
paths are tested against and fall back to (jsonfeed.py), in a module of its own so that the
models are created only when it is needed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from syndicate.render.entry import Entry, FeedView, Person
from syndicate.render.writers.jsonfeed import VERSION, WRITER


class _Doc(BaseModel):
    # Each built when first used: a head that falls back needs no Item, an item no Document.
    model_config = ConfigDict(frozen=True, populate_by_name=True, defer_build=True)


class Author(_Doc):
    name: str
    url: str | None = None
    avatar: str | None = None


class Attachment(_Doc):
    url: str
    mime_type: str
    title: str | None = None


class RelatedItem(_Doc):
    url: str
    title: str
    date_published: datetime | None = None
    provider: str | None = None


class Extension(_Doc):
    related: list[RelatedItem]


class Hub(_Doc):
    type: str
    url: str


class FeedExtension(_Doc):
    """Feed-level `_syndicate`: where this document stands in the feed's archive."""

    archive: bool | None = None  # true on an archive page (RFC 5005 fh:archive)
    self_url: str | None = Field(None, alias="self")
    current: str | None = None
    prev_archive: str | None = None
    next_archive: str | None = None


class Item(_Doc):
    id: str
    url: str
    title: str
    summary: str | None = None
    content_text: str | None = None
    content_html: str
    date_published: datetime
    image: str | None = None
    tags: list[str] | None = None
    author: Author | None = None  # JSON Feed 1.0's, for its readers: see _authors_json
    authors: list[Author] | None = None
    attachments: list[Attachment] | None = None
    syndicate: Extension | None = Field(None, alias="_syndicate")


class Document(_Doc):
    version: str = VERSION
    title: str
    home_page_url: str
    feed_url: str
    description: str | None = None
    next_url: str | None = None  # older items: the prev-archive page
    # Both square (JSON Feed 1.1): our icon; our logo, about 2:1, would be cropped.
    icon: str | None = None
    favicon: str | None = None
    language: str | None = None
    author: Author | None = None  # JSON Feed 1.0's, for its readers: see _authors_json
    authors: list[Author] | None = None
    hubs: list[Hub] | None = None
    syndicate: FeedExtension | None = Field(None, alias="_syndicate")
    items: list[Item]  # written one at a time: see `write`


def _authors(person: Person | None) -> dict[str, Any]:
    """`author` (JSON Feed 1.0's) and `authors` (1.1's) of one person: see _authors_json."""
    if person is None:
        return {}
    one = _author(person)
    return {"author": one, "authors": [one]}


def _author(person: Person | None) -> Author | None:
    return (
        None if person is None else Author(name=person.name, url=person.url, avatar=person.avatar)
    )


def _item(entry: Entry) -> Item:
    related = [
        RelatedItem(url=r.url, title=r.title, date_published=r.published, provider=r.provider)
        for r in entry.related
    ]
    return Item(
        id=entry.url,
        url=entry.url,
        title=entry.title,
        summary=entry.summary,
        content_text=entry.summary,
        content_html=entry.content_html,
        date_published=entry.published,
        image=entry.images[0].url if entry.images else None,
        tags=list(entry.tags) or None,
        **_authors(entry.author),
        attachments=[
            Attachment(url=p.url, mime_type=p.mime_type, title=p.title) for p in entry.images
        ]
        or None,
        syndicate=Extension(related=related) if related else None,
    )


def _feed_extension(view: FeedView, links: dict[str, str]) -> FeedExtension | None:
    page = view.archive_page
    if page is None and not links:
        return None
    return FeedExtension(
        archive=True if page is not None else None,
        self_url=view.url_of(WRITER.document(page)) if page is not None else None,
        current=links.get("current"),
        prev_archive=links.get("prev-archive"),
        next_archive=links.get("next-archive"),
    )


def document(view: FeedView, links: dict[str, str]) -> Document:
    """The document of `view` without its items."""
    return Document(
        title=view.title,
        home_page_url=view.home_url,
        feed_url=view.url_of(WRITER.document()),
        description=view.description or None,
        next_url=links.get("prev-archive"),
        icon=view.icon,
        favicon=view.icon,
        language=view.language,
        **_authors(view.author),
        hubs=[Hub(type="WebSub", url=hub) for hub in view.hubs] or None,
        syndicate=_feed_extension(view, links),
        items=[],
    )


def head(view: FeedView, links: dict[str, str]) -> str:
    """The document of `view` without its items, dumped: what `jsonfeed.head_json` writes."""
    return dumped(document(view, links))


def item(entry: Entry) -> str:
    """The item of `entry`, dumped (not indented): what `jsonfeed.item_json` writes."""
    return dumped(_item(entry))


def dumped(model: BaseModel) -> str:
    return model.model_dump_json(by_alias=True, exclude_none=True, indent=2)
