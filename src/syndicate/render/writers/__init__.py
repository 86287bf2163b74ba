"""Output formats. To add one: a module with a `write(view, stream)` and an entry in WRITERS.

The registry names each format's module; the module is imported when a feed is first rendered in
that format (the config, the schema and a replayed build need only the names)."""

from __future__ import annotations

import importlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from syndicate.render.entry import FeedView

ARCHIVE_FOLDER = "archive"


@dataclass(frozen=True, slots=True)
class Writer:
    name: str  # as written in config `formats:`
    filename: str  # out/<feed-id>/<filename>
    media_type: str
    # Holds `write(view: FeedView, stream: BinaryIO) -> None`, which writes the document into an
    # open binary file item by item: a big feed is never held whole.
    module: str
    # RFC 5005 archive pages are out/<feed-id>/archive/<n><archive_suffix>; None: no archive.
    archive_suffix: str | None = None

    @property
    def write(self) -> Callable[[FeedView, BinaryIO], None]:
        write: Callable[[FeedView, BinaryIO], None] = importlib.import_module(self.module).write
        return write

    def render(self, view: FeedView) -> bytes:
        """The whole document as bytes (for small documents and tests)."""
        buffer = io.BytesIO()
        self.write(view, buffer)
        return buffer.getvalue()

    def document(self, page: int | None = None) -> str:
        """The path in the feed's folder of the current feed (page None) or an archive page."""
        if page is None:
            return self.filename
        if self.archive_suffix is None:
            raise ValueError(f"{self.name} has no archive pages")
        return archive_document(page, self.archive_suffix)


def archive_document(page: int, suffix: str) -> str:
    """`archive/3.xml`: numbered from the oldest page, 1."""
    return f"{ARCHIVE_FOLDER}/{page}{suffix}"


def archive_links(view: FeedView, writer: Writer) -> dict[str, str]:
    """The RFC 5005 links of the document `view` renders, by relation, in this order:
    `current` (on an archive page), `prev-archive` (older), `next-archive` (newer)."""
    archive = view.archive
    if archive is None:
        return {}
    links = {}
    if archive.page is not None:
        links["current"] = view.url_of(writer.document())
    if archive.prev_archive:
        links["prev-archive"] = view.url_of(writer.document(archive.prev_archive))
    if archive.next_archive:
        links["next-archive"] = view.url_of(writer.document(archive.next_archive))
    return links


def stylesheet_href(view: FeedView, document: str) -> str | None:
    """The view's stylesheet as a URL relative to `document` (a path in the feed's folder), so
    that it is same-origin wherever out/ is served."""
    if view.stylesheet is None:
        return None
    return "../" * (document.count("/") + 1) + view.stylesheet


_HERE = __name__
WRITERS: dict[str, Writer] = {
    writer.name: writer
    for writer in (
        Writer("rss", "rss.xml", "application/rss+xml", f"{_HERE}.rss"),
        Writer("atom", "atom.xml", "application/atom+xml", f"{_HERE}.atom", ".xml"),
        Writer("json", "feed.json", "application/feed+json", f"{_HERE}.jsonfeed", ".json"),
    )
}
