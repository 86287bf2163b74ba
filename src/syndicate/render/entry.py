"""A format-neutral view of a feed and its items: what every writer renders, and nothing more."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from posixpath import splitext
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from syndicate.seeds.models import Image, Provider, Related, Seed

# A fixed table, so that output never depends on the machine's mime.types.
IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".jpe": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".svg": "image/svg+xml",
    ".bmp": "image/bmp",
    ".ico": "image/vnd.microsoft.icon",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".heic": "image/heic",
}
DEFAULT_IMAGE_TYPE = "image/jpeg"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    url: str | None = None
    avatar: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Picture:
    url: str
    mime_type: str
    width: int | None
    height: int | None
    title: str | None


@dataclass(frozen=True, slots=True)
class RelatedLink:
    url: str
    title: str
    published: datetime | None
    provider: str | None


@dataclass(frozen=True, slots=True)
class Entry:
    url: str  # also the id, in every format
    title: str
    summary: str | None
    content_html: str
    published: datetime
    author: Person | None
    tags: tuple[str, ...]
    images: tuple[Picture, ...]
    related: tuple[RelatedLink, ...]
    unpublished: bool = False  # `published: false` in its seed: marked on the preview page

    def row(self) -> tuple[Any, ...]:
        """As plain values (dates as ISO 8601 text): what the build memo keeps of a chosen item.
        Written out field by field (`dataclasses.astuple` copies deeply: several times slower);
        store.py relies on row[4] being the date and row[9] the unpublished flag."""
        author = self.author
        return (
            self.url,
            self.title,
            self.summary,
            self.content_html,
            self.published.isoformat(),
            None if author is None else (author.name, author.url, author.avatar, author.email),
            self.tags,
            tuple((p.url, p.mime_type, p.width, p.height, p.title) for p in self.images),
            tuple(
                (link.url, link.title, _iso(link.published), link.provider) for link in self.related
            ),
            self.unpublished,
        )

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Entry:
        url, title, summary, content_html, published, author, tags, images, related, unpub = row
        return cls(
            url,
            title,
            summary,
            content_html,
            datetime.fromisoformat(published),
            None if author is None else Person(*author),
            tuple(tags),
            tuple(Picture(*image) for image in images),
            tuple(
                RelatedLink(url, title, None if when is None else datetime.fromisoformat(when), by)
                for url, title, when, by in related
            ),
            unpub,
        )


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


@dataclass(frozen=True, slots=True)
class Archive:
    """Where a document stands in its feed's RFC 5005 archive. Pages are numbered from the
    oldest (1), so a page keeps its number, and its items, as newer items arrive."""

    pages: int  # archive pages the feed has; 0: none yet
    page: int | None = None  # this archive page; None: the current feed (subscription document)

    @property
    def prev_archive(self) -> int | None:
        """The next older page (for the current feed: the newest page), if any."""
        if self.page is None:
            return self.pages or None
        return self.page - 1 or None

    @property
    def next_archive(self) -> int | None:
        """The next newer page, if any (the newest page's next is the current feed)."""
        if self.page is None or self.page >= self.pages:
            return None
        return self.page + 1


@runtime_checkable
class Dated(Protocol):
    """Entries that know their dates and how many are unpublished without being read
    (store.StoredEntries)."""

    def dates(self) -> Iterator[datetime]: ...

    def unpublished(self) -> int: ...


@dataclass(frozen=True, slots=True)
class FeedView:
    id: str
    title: str
    description: str
    language: str | None
    home_url: str  # the site: base_url
    feed_base: str  # base_url + id + "/"
    author: Person | None
    generator: str
    version: str
    entries: Sequence[Entry]  # in feed order; a big feed's are read as used (store.py)
    icon: str | None = None  # small, square: Atom icon, JSON Feed favicon
    logo: str | None = None  # larger, wide: Atom logo, JSON Feed icon; RSS image (else icon)
    hubs: tuple[str, ...] = ()  # WebSub hubs (the current feed only)
    stylesheet: str | None = None  # path in out/ of the XSL for browsers (site.stylesheet)
    archive: Archive | None = None  # None: the feed keeps no archive

    @property
    def archive_page(self) -> int | None:
        """The archive page this view renders; None for the current feed."""
        return self.archive.page if self.archive else None

    @property
    def updated(self) -> datetime:
        """The newest item's date; the epoch for an empty feed (never "now")."""
        entries = self.entries
        dates = entries.dates() if isinstance(entries, Dated) else (e.published for e in entries)
        return max(dates, default=EPOCH)

    @property
    def unpublished(self) -> int:
        """How many items say `published: false` (the preview pages mark them)."""
        entries = self.entries
        if isinstance(entries, Dated):
            return entries.unpublished()
        return sum(e.unpublished for e in entries)

    def url_of(self, filename: str) -> str:
        return self.feed_base + filename


def image_type(url: str) -> str:
    """The MIME type guessed from the URL path; `image/jpeg` when it has no known extension."""
    return IMAGE_TYPES.get(splitext(urlsplit(url).path)[1].lower(), DEFAULT_IMAGE_TYPE)


def provider_person(provider: Provider | None) -> Person | None:
    if provider is None:
        return None
    return Person(
        name=provider.name,
        url=f"https://{provider.domain}" if provider.domain else None,
        avatar=provider.images[0].url if provider.images else None,
    )


def _picture(image: Image) -> Picture:
    return Picture(image.url, image_type(image.url), image.width, image.height, image.title)


def _related(item: Related) -> RelatedLink:
    name = item.provider.name if item.provider else None
    return RelatedLink(item.web_url, item.title, item.published_date_time, name)


def from_seed(seed: Seed) -> Entry:
    author = provider_person(seed.provider)
    # An image listed twice is one enclosure (readers would show it twice): the first kept.
    firsts = {image.url: image for image in reversed(seed.images)}
    images = tuple(_picture(i) for i in seed.images if firsts[i.url] is i)
    related = tuple(_related(r) for r in seed.related)
    return Entry(
        url=seed.web_url,
        title=seed.title,
        summary=seed.excerpt or None,
        content_html=render_html(seed.title, seed.web_url, seed.excerpt, author, images, related),
        published=seed.published_date_time,
        author=author,
        tags=tuple(seed.topics),
        images=images,
        related=related,
        unpublished=not seed.published,
    )


def render_html(
    title: str,
    url: str,
    excerpt: str | None,
    author: Person | None,
    images: tuple[Picture, ...],
    related: tuple[RelatedLink, ...],
) -> str:
    """The item body: lead image, excerpt paragraphs, related coverage, link to the story.

    Every piece of seed text is escaped here; URLs were checked to be absolute http(s).
    """
    parts: list[str] = []
    if images:
        lead = images[0]
        size = "".join(
            f' {name}="{value}"'
            for name, value in (("width", lead.width), ("height", lead.height))
            if value
        )
        alt = escape(lead.title or title)
        parts.append(f'<p><img src="{escape(lead.url)}" alt="{alt}"{size}></p>')
    if excerpt:
        parts.extend(f"<p>{escape(p)}</p>" for p in paragraphs(excerpt))
    source = f" at {escape(author.name)}" if author else ""
    parts.append(f'<p><a href="{escape(url)}">Read the full story{source}</a></p>')
    if related:
        parts.append("<h3>Related coverage</h3>")
        parts.append("<ul>")
        for link in related:
            by = f" ({escape(link.provider)})" if link.provider else ""
            parts.append(f'<li><a href="{escape(link.url)}">{escape(link.title)}</a>{by}</li>')
        parts.append("</ul>")
    return "\n".join(parts)


def paragraphs(text: str | None) -> list[str]:
    """The excerpt's paragraphs: its non-blank lines, trimmed."""
    return [line.strip() for line in (text or "").split("\n") if line.strip()]
