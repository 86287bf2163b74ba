"""The pages around the feeds, for people: `index.html` lists every feed, `<id>/index.html`
previews a feed's items as a reader shows them, `feeds.opml` lets a reader import every feed.

A preview page shows at most PREVIEW_ITEMS items: a bigger feed's preview goes on in
`<id>/page-2.html`, `page-3.html`... (older items), each page linked to the newer and older one,
so that no page grows with the feed. Each page is written when the output is (see `feed_pages`).

Rendered with Jinja2 from `templates/`, autoescape on: seed and config text reaches a page only
through a template variable, so it is always escaped. Pure and deterministic: the same site and
views give the same bytes (config order, dates from the items, no clock, no locale).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import cache, partial
from importlib import resources
from typing import Any, BinaryIO

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from syndicate import __version__
from syndicate.config import FeedConfig, Site
from syndicate.render.entry import Entry, FeedView, paragraphs
from syndicate.render.writers import WRITERS
from syndicate.words import plural

INDEX = "index.html"
OPML = "feeds.opml"
STYLESHEET = "feed.xsl"  # site.stylesheet: for browsers that apply XSLT to the feeds
OPML_MEDIA_TYPE = "text/x-opml"
PREVIEW_ITEMS = 100  # items on a feed's preview page; more go on further pages
# How people call each format: short (links, titles), then with its version.
LABELS = {
    "rss": ("RSS", "RSS 2.0"),
    "atom": ("Atom", "Atom 1.0"),
    "json": ("JSON Feed", "JSON Feed 1.1"),
}
# OPML has one xmlUrl per feed: the most widely read format the feed has.
OPML_PREFERENCE = ("rss", "atom", "json")
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# Pages load nothing but their own inline style (and, on a preview, the items' images).
_CSP = (
    "default-src 'none'; img-src {images}; style-src '{style}'; base-uri 'none'; form-action 'none'"
)


@dataclass(frozen=True, slots=True)
class FormatLink:
    name: str  # as in config `formats:`
    label: str  # "RSS"
    long_label: str  # "RSS 2.0"
    media_type: str
    filename: str  # in the feed's folder
    url: str  # absolute: what a reader subscribes to


@dataclass(frozen=True, slots=True)
class FeedPage:
    """One feed as the pages show it."""

    id: str
    view: FeedView
    formats: tuple[FormatLink, ...]
    page_url: str  # absolute URL of this page: out/<id>/ (its index.html), or page-<n>.html
    items: Sequence[Entry] = ()  # the items this preview page shows
    number: int = 1  # of this preview page, from 1 (the newest items)
    pages: int = 1  # preview pages of the feed
    first: int = 1  # the number in the feed of the page's first item
    newest: datetime | None = None  # the feed's newest item's date (view.updated)
    unpublished: int = 0  # the feed's items that are not published (view.unpublished)

    @property
    def newer(self) -> str | None:
        """The preview page of newer items, relative to this one; None on the first."""
        return preview_document(self.number - 1) if self.number > 1 else None

    @property
    def older(self) -> str | None:
        """The preview page of older items, relative to this one; None on the last."""
        return preview_document(self.number + 1) if self.number < self.pages else None

    @property
    def opml_format(self) -> FormatLink:
        by_name = {f.name: f for f in self.formats}
        preferred = [by_name[name] for name in OPML_PREFERENCE if name in by_name]
        return (preferred or list(self.formats))[0]


# Writes a page into an open binary file, when the output is written.
WriteTo = Callable[[BinaryIO], None]


def render_pages(
    site: Site, feeds: list[tuple[FeedConfig, FeedView]]
) -> dict[str, bytes | WriteTo]:
    """`index.html`, each feed's preview pages and `feeds.opml`, by path in out/."""
    return {**site_pages(site, feeds), **feed_pages(site, feeds)}


def preview_document(number: int) -> str:
    """The preview page `number` (from 1) in the feed's folder: `index.html`, `page-2.html`..."""
    return INDEX if number == 1 else f"page-{number}.html"


def site_pages(site: Site, feeds: list[tuple[FeedConfig, FeedView]]) -> dict[str, bytes]:
    """`index.html` and `feeds.opml` (and the stylesheet): they show of each feed only its
    config, its item count and its newest item's date."""
    env, common, style = _common(site)
    pages = [_page(feed, view) for feed, view in feeds]
    files = {
        INDEX: _render(env, "index.html", common, pages=pages, csp=_csp("'none'", style)),
        OPML: _render(env, "feeds.opml", common, pages=pages, modified=_newest(pages)),
    }
    if site.stylesheet:
        files[STYLESHEET] = (
            resources.files("syndicate.render").joinpath("static", STYLESHEET).read_bytes()
        )
    return files


def feed_pages(site: Site, feeds: list[tuple[FeedConfig, FeedView]]) -> dict[str, WriteTo]:
    """`<id>/index.html` and, for a feed of more than PREVIEW_ITEMS items, `<id>/page-<n>.html`:
    the preview of each feed's items, each page rendered when it is written."""
    env, common, style = _common(site)
    csp = _csp("http: https:", style)
    files: dict[str, WriteTo] = {}
    for feed, view in feeds:
        count = max(1, -(-len(view.entries) // PREVIEW_ITEMS))
        newest = view.updated if view.entries else None  # once: it reads every item's date
        unpublished = view.unpublished  # once too
        for number in range(1, count + 1):
            start = (number - 1) * PREVIEW_ITEMS
            page = _page(feed, view, number, count, start, newest, unpublished)
            write = partial(_write, env, "feed.html", common, page=page, csp=csp)
            files[f"{feed.id}/{preview_document(number)}"] = write
    return files


def _common(site: Site) -> tuple[Environment, dict[str, Any], str]:
    """The template environment, what every page gets, and the CSP source of its style."""
    css, style = _style()
    common: dict[str, Any] = {
        "site": site,
        "lang": site.language or "en",
        "version": __version__,
        "css": css,
        "opml_url": site.base_url + OPML,
    }
    return _environment(), common, style


@cache
def _style() -> tuple[Markup, str]:
    """The pages' inline style and its CSP source (rendered once: it has no variables)."""
    css = _environment().get_template("site.css").render()
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return Markup(css), f"sha256-{digest}"  # our own file: nothing to escape


def _csp(images: str, style: str) -> str:
    return _CSP.format(images=images, style=style)


def _page(
    feed: FeedConfig,
    view: FeedView,
    number: int = 1,
    pages: int = 1,
    start: int = 0,
    newest: datetime | None = None,
    unpublished: int = 0,
) -> FeedPage:
    """How the pages show `feed`: its preview page `number` of `pages`, from item `start`.
    `newest`: the view's newest date when the caller has it (it reads every item's date)."""
    formats = []
    for name in feed.formats:
        writer = WRITERS[name]
        label, long_label = LABELS.get(name, (name.upper(), name.upper()))
        formats.append(
            FormatLink(
                name,
                label,
                long_label,
                writer.media_type,
                writer.filename,
                view.url_of(writer.filename),
            )
        )
    page_url = view.feed_base if number == 1 else view.url_of(preview_document(number))
    items = view.entries[start : start + PREVIEW_ITEMS]
    if newest is None and view.entries:
        newest = view.updated
    return FeedPage(
        feed.id,
        view,
        tuple(formats),
        page_url,
        items,
        number,
        pages,
        start + 1,
        newest,
        unpublished,
    )


def _newest(pages: Iterable[FeedPage]) -> datetime | None:
    return max((p.newest for p in pages if p.newest is not None), default=None)


def _render(env: Environment, name: str, common: dict[str, Any], **context: Any) -> bytes:
    return env.get_template(name).render(**common, **context).encode("utf-8")


TEMPLATES = ("base.html", "_macros.html", "feed.html", "index.html", "feeds.opml")


def prepare() -> None:
    """Compile every template a build renders (else done when first rendered)."""
    _style()
    for name in TEMPLATES:
        _environment().get_template(name)


def _write(
    env: Environment, name: str, common: dict[str, Any], stream: BinaryIO, **context: Any
) -> None:
    stream.write(_render(env, name, common, **context))


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("syndicate.render", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(
        http_url=http_url,
        iso=iso,
        human_date=human_date,
        rfc822=rfc822,
        paragraphs=paragraphs,
        count=plural,
        number="{:,}".format,  # 4,949: as the command line writes counts
        xml_text=xml_text,
        xml_attr=xml_attr,
    )
    env.globals["items_html"] = items_html
    return env


def items_html(items: Iterable[Entry]) -> Markup:
    """The `<li>` of each item on a preview page (`item_html`)."""
    return Markup("".join(map(item_html, items)))


def item_html(item: Entry) -> Markup:
    """One item of a preview page: the bytes of the `preview_item` macro (templates/
    _macros.html, the reference), rendered in Python, every piece of text escaped as Jinja's
    autoescape escapes it."""
    parts = [
        '<li>\n<article class="item unpublished">\n'
        '<p class="status">Not published (published: false in its seed)</p>\n'
        if item.unpublished
        else '<li>\n<article class="item">\n',
        '<h3><a href="',
        _html(http_url(item.url)),
        '">',
        _html(item.title),
        '</a></h3>\n<p class="meta">',
    ]
    if item.author:
        parts += ('<span class="provider">', _html(item.author.name), "</span> · ")
    parts += (_time(item.published), "</p>\n")
    if item.images:
        image = item.images[0]
        parts += ('<img class="picture" src="', _html(http_url(image.url)), '" alt="')
        parts += (_html(image.title or ""), '"')
        if image.width:
            parts += (' width="', _html(image.width), '"')
        if image.height:
            parts += (' height="', _html(image.height), '"')
        parts.append(' loading="lazy" decoding="async" referrerpolicy="no-referrer">\n')
    for paragraph in paragraphs(item.summary):
        parts += ("<p>", _html(paragraph), "</p>\n")
    if item.tags:
        parts.append('<ul class="topics" aria-label="Topics">\n')
        for tag in item.tags:
            parts += ("<li>", _html(tag), "</li>\n")
        parts.append("</ul>\n")
    if item.related:
        parts.append('<section class="related">\n<h4>Related coverage</h4>\n<ul>\n')
        for link in item.related:
            parts += ('<li><a href="', _html(http_url(link.url)), '">', _html(link.title), "</a>")
            if link.provider or link.published:
                parts.append(' <span class="meta">(')
                if link.provider:
                    parts.append(_html(link.provider))
                if link.provider and link.published:
                    parts.append(", ")
                if link.published:
                    parts.append(_time(link.published))
                parts.append(")</span>")
            parts.append("</li>\n")
        parts.append("</ul>\n</section>\n")
    parts.append("</article>\n</li>\n")
    return Markup("".join(parts))


_HTML_SPECIAL = re.compile("[&<>\"']").search


def _html(value: object) -> str:
    """`value` as Jinja's autoescape writes it (markupsafe's `escape` of a plain value), without
    making a Markup of each piece."""
    text = str(value)
    if _HTML_SPECIAL(text) is None:
        return text
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&#34;").replace("'", "&#39;")


def _time(moment: datetime) -> str:
    """`<time>` of `moment`, as the macro writes it with the `iso` and `human_date` filters
    (their text holds nothing to escape)."""
    return f'<time datetime="{iso(moment)}">{human_date(moment)}</time>'


_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_XML_ATTRIBUTE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": " ", "\n": " ", "\r": " "}
)


def xml_text(value: str) -> Markup:
    """Text for an XML element with the predefined entities only: Jinja's HTML escaping writes
    `'` as `&#39;`, a numeric reference that some XML parsers (fast-xml-parser) leave as it is."""
    return Markup(str(value).translate(_XML_TEXT))


def xml_attr(value: str) -> Markup:
    """A double-quoted XML attribute value, predefined entities only; tabs and line breaks as
    the spaces an XML parser reads them as (a reference for them would be numeric)."""
    return Markup(str(value).translate(_XML_ATTRIBUTE))


def http_url(url: str) -> str:
    """A URL for href/src: seeds and config only let absolute http(s) URLs through; check."""
    if not url.lower().startswith(("http://", "https://")):
        raise ValueError(f"not an http(s) URL: {url!r}")
    return url


def iso(moment: datetime) -> str:
    """`2020-06-11T22:56:00Z`: strftime's `%Y-%m-%dT%H:%M:%SZ` of the UTC time, formatted by
    hand (a preview item has one or more; strftime itself for the years it pads its own way)."""
    utc = moment.astimezone(UTC)
    if utc.year < 1000:
        return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"{utc.year}-{utc.month:02d}-{utc.day:02d}"
        f"T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}Z"
    )


def human_date(moment: datetime) -> str:
    """`11 June 2020, 22:56 UTC`: English month names from a fixed table, not the locale."""
    utc = moment.astimezone(UTC)
    return f"{utc.day} {MONTHS[utc.month - 1]} {utc.year}, {utc.hour:02d}:{utc.minute:02d} UTC"


def rfc822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC))
