"""The pages for people and readers: out/index.html, out/<id>/index.html, out/feeds.opml; and the
feed icons. Every check reads the built files back with a parser (html5lib, lxml, feedparser,
the Atom RELAX NG and JSON Feed schemas), never by comparing strings of markup."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import feedparser
import html5lib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from syndicate.config import Config, FeedConfig, Site
from syndicate.config import load as load_config
from syndicate.errors import ConfigError
from syndicate.publish.output import content_bytes
from syndicate.render import entry, pages
from syndicate.words import XML_FORBIDDEN, invisible

from conftest import GOLDEN, build_into, seed_text, write_seed
from feedcheck import atom_schema, json_validator

ATOM = "{http://www.w3.org/2005/Atom}"
ESCAPING = GOLDEN / "escaping"
SCRIPT_TITLE = "<script>alert('x')</script> & \"quotes\" ]]> <b>bold</b> 日本語 🧑‍💻"
MEDIA_TYPES = {
    "rss.xml": "application/rss+xml",
    "atom.xml": "application/atom+xml",
    "feed.json": "application/feed+json",
}
# Every element the pages use: anything else (script, iframe, object, b from a seed...) is a bug.
PAGE_TAGS = {
    "html", "head", "meta", "title", "link", "style", "body", "a", "main", "header", "footer",
    "nav", "section", "article", "h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "input", "img",
    "time", "span",
}  # fmt: skip


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def escaping(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The escaping golden case built once: markup in every text, an empty and a JSON-only feed."""
    out = tmp_path_factory.mktemp("escaping") / "out"
    build_into(ESCAPING / "seeds", ESCAPING / "feeds.yaml", out)
    return out


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(ESCAPING / "feeds.yaml")


def parse_html(data: bytes) -> Any:
    """The page as a browser reads it (html5lib: the WHATWG algorithm), failing on any parse
    error (a stray `<`, a bad end tag, a missing doctype)."""
    parser = html5lib.HTMLParser(
        tree=html5lib.getTreeBuilder("lxml"), strict=True, namespaceHTMLElements=False
    )
    return parser.parse(data).getroot()


def texts(elements: list[Any]) -> list[str]:
    return ["".join(e.itertext()) for e in elements]


def local_file(out: Path, base_url: str, url: str) -> Path:
    """The file in out/ that an absolute URL of the site names (a folder URL: its index.html)."""
    assert url.startswith(base_url), url
    path = out / url[len(base_url) :]
    return path / "index.html" if url.endswith("/") else path


def json_feed(out: Path, feed_id: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((out / feed_id / "feed.json").read_text("utf-8"))
    return loaded


def newest(document: dict[str, Any]) -> datetime | None:
    dates = [datetime.fromisoformat(i["date_published"]) for i in document["items"]]
    return max(dates, default=None)


def check_page_safety(out: Path, page: Path) -> Any:
    """A page parses without error, uses only our elements, no script or event handler, and
    every link or image is an http(s) URL or a file of out/."""
    root = parse_html(page.read_bytes())
    tags = {e.tag for e in root.iter() if isinstance(e.tag, str)}
    assert tags <= PAGE_TAGS, tags - PAGE_TAGS
    assert not root.findall(".//script") and b"<script" not in page.read_bytes().lower()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        assert not [a for a in element.attrib if a.lower().startswith("on")], element.attrib
        for name in ("href", "src"):
            value = element.get(name)
            if value is None:
                continue
            if re.match(r"(?i)https?://", value):
                continue
            if value.startswith("#"):
                assert root.find(f".//*[@id='{value[1:]}']") is not None, value
                continue
            assert ":" not in value and not value.startswith("/"), value
            assert (page.parent / value).resolve().is_file(), (page, value)
    return root


# --------------------------------------------------------------------------- index.html


def test_index_autodiscovers_every_feed_and_format(escaping: Path, config: Config) -> None:
    head = parse_html((escaping / "index.html").read_bytes()).find("head")
    links = head.findall("link[@rel='alternate']")
    base = config.site.base_url
    expected = [
        (f"{base}{feed.id}/{file}", MEDIA_TYPES[file])
        for feed in config.feeds
        for file in (pages.WRITERS[name].filename for name in feed.formats)
    ]
    assert [(link.get("href"), link.get("type")) for link in links] == expected
    for link, feed in zip(links, [f for f in config.feeds for _ in f.formats], strict=True):
        assert link.get("title").startswith(feed.title + " ("), link.get("title")
        assert local_file(escaping, base, link.get("href")).is_file()
    assert {link.get("type") for link in links} == set(MEDIA_TYPES.values())
    (outline,) = head.findall("link[@rel='outline']")
    assert local_file(escaping, base, outline.get("href")) == escaping / "feeds.opml"


def test_index_lists_every_feed(escaping: Path, config: Config) -> None:
    root = parse_html((escaping / "index.html").read_bytes())
    assert texts(root.findall(".//h1")) == [config.site.title]
    cards = root.findall(".//li[@class='feed']")
    assert [c.get("id") for c in cards] == [f"feed-{f.id}" for f in config.feeds]
    for card, feed in zip(cards, config.feeds, strict=True):
        (title,) = card.findall("h2/a")
        assert "".join(title.itertext()) == feed.title
        assert title.get("href") == f"{feed.id}/index.html"
        description = feed.description or config.site.description or feed.title
        assert description in texts(card.findall("p"))
        document = json_feed(escaping, feed.id)
        count = len(document["items"])
        meta = "".join(card.find("p[@class='meta']").itertext())
        assert meta.startswith(f"{count} item" + ("" if count == 1 else "s")), meta
        times = card.findall("p[@class='meta']/time")
        if count:
            (time,) = times
            moment = datetime.fromisoformat(time.get("datetime").replace("Z", "+00:00"))
            assert moment == newest(document)
        else:
            assert times == [] and "no items yet" in meta
        # one link and one read-only, selectable URL per format
        rows = card.findall("ul[@class='formats']/li")
        assert len(rows) == len(feed.formats)
        for row, name in zip(rows, feed.formats, strict=True):
            filename = pages.WRITERS[name].filename
            link, field = row.find("a"), row.find("input")
            assert link.get("href") == f"{feed.id}/{filename}"
            assert link.get("type") == MEDIA_TYPES[filename]
            assert (escaping / link.get("href")).is_file()
            assert field.get("value") == f"{config.site.base_url}{feed.id}/{filename}"
            assert field.get("readonly") is not None and field.get("disabled") is None
            assert feed.title in field.get("aria-label")


def test_index_loads_nothing_and_runs_nothing(escaping: Path) -> None:
    root = check_page_safety(escaping, escaping / "index.html")
    assert not [e for e in root.iter() if isinstance(e.tag, str) and e.get("src")]
    assert not root.findall(".//link[@rel='stylesheet']") and not root.findall(".//img")
    csp = root.find(".//meta[@http-equiv='Content-Security-Policy']").get("content")
    assert "default-src 'none'" in csp and "img-src 'none'" in csp and "script" not in csp


def test_inline_style_is_the_one_the_policy_allows(escaping: Path) -> None:
    for page in [escaping / "index.html", *sorted(escaping.glob("*/index.html"))]:
        root = parse_html(page.read_bytes())
        (style,) = root.findall(".//style")
        digest = base64.b64encode(hashlib.sha256(style.text.encode("utf-8")).digest()).decode()
        csp = root.find(".//meta[@http-equiv='Content-Security-Policy']").get("content")
        assert f"style-src 'sha256-{digest}'" in csp, page


def test_seed_text_beside_other_text_is_bidi_isolated(escaping: Path) -> None:
    """A provider's name, a related item's title and its provider: their direction marks (an
    unterminated U+202E) stop at their end, not reversing the date after them. (Titles,
    excerpts and topics are blocks of their own.)"""
    root = parse_html((escaping / "all" / "index.html").read_bytes())
    (style,) = root.findall(".//style")
    isolated = [
        selectors
        for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", style.text)
        if "unicode-bidi: isolate" in body
    ]
    named = {name.strip() for selectors in isolated for name in selectors.split(",")}
    assert {".provider", ".related li > a", ".related .meta"} <= {
        n.split("*/")[-1].strip() for n in named
    }
    assert root.findall(".//span[@class='provider']")  # the class the rule names is used


def test_index_escapes_config_text(tmp_path: Path) -> None:
    config = tmp_path / "feeds.yaml"
    config.write_text(
        'site:\n  title: "<b>Site</b> & co"\n  base_url: "https://example.org/news/"\n'
        '  description: "<script>alert(1)</script>"\n'
        'feeds:\n  - id: all\n    title: "A ]]> <script>x</script> & \\"B\\""\n',
        encoding="utf-8",
    )
    write_seed(tmp_path / "seeds", "a.txt", seed_text())
    build_into(tmp_path / "seeds", config, tmp_path / "out")
    for page in ("index.html", "all/index.html"):
        root = check_page_safety(tmp_path / "out", tmp_path / "out" / page)
        assert 'A ]]> <script>x</script> & "B"' in texts(root.iter("h1", "h2"))
        assert root.find(".//meta[@name='description']").get("content") in (
            "<script>alert(1)</script>",
            'A ]]> <script>x</script> & "B"',
        )
        titles = [link.get("title") for link in root.findall(".//link[@rel='alternate']")]
        assert titles[0] == 'A ]]> <script>x</script> & "B" (RSS)'
    opml = etree.parse(str(tmp_path / "out" / "feeds.opml"))
    assert opml.findtext("head/title") == "<b>Site</b> & co"
    assert opml.find("body/outline").get("text") == 'A ]]> <script>x</script> & "B"'


# --------------------------------------------------------------------------- preview pages


def test_every_feed_has_a_preview_page_with_its_autodiscovery(
    escaping: Path, config: Config
) -> None:
    for feed in config.feeds:
        page = escaping / feed.id / "index.html"
        root = check_page_safety(escaping, page)
        files = [pages.WRITERS[name].filename for name in feed.formats]
        links = root.findall("head/link[@rel='alternate']")
        assert [(link.get("href"), link.get("type")) for link in links] == [
            (f"{config.site.base_url}{feed.id}/{file}", MEDIA_TYPES[file]) for file in files
        ]
        assert texts(root.findall(".//h1")) == [feed.title]
        subscribe = root.findall(".//ul[@class='formats']/li")
        assert [row.find("a").get("href") for row in subscribe] == files
        assert [row.find("input").get("value") for row in subscribe] == [
            link.get("href") for link in links
        ]
        assert root.find(".//nav/a").get("href") == "../index.html"


def test_preview_shows_the_items_as_the_feeds_carry_them(escaping: Path, config: Config) -> None:
    for feed in config.feeds:
        if "json" not in feed.formats:
            continue
        document = json_feed(escaping, feed.id)
        root = parse_html((escaping / feed.id / "index.html").read_bytes())
        articles = root.findall(".//ol[@class='items']/li/article")
        assert len(articles) == len(document["items"])
        if not articles:
            assert "No items yet." in texts(root.findall(".//p"))
        for article, item in zip(articles, document["items"], strict=True):
            (link,) = article.findall("h3/a")
            assert "".join(link.itertext()) == item["title"]
            assert link.get("href") == item["url"]
            meta = article.find("p[@class='meta']")
            provider = meta.find("span[@class='provider']")
            if "authors" in item:
                assert provider.text == item["authors"][0]["name"]
            else:
                assert provider is None
            when = datetime.fromisoformat(meta.find("time").get("datetime").replace("Z", "+00"))
            assert when == datetime.fromisoformat(item["date_published"])
            images = article.findall("img")
            assert [i.get("src") for i in images] == ([item["image"]] if "image" in item else [])
            for image in images:
                assert image.get("alt") == (item["attachments"][0].get("title") or "")
            paragraphs = [p for p in article.findall("p") if p.get("class") is None]
            summary = item.get("summary", "")
            assert texts(paragraphs) == [s.strip() for s in summary.split("\n") if s.strip()]
            assert texts(article.findall("ul[@class='topics']/li")) == item.get("tags", [])
            related = item.get("_syndicate", {}).get("related", [])
            anchors = article.findall("section[@class='related']/ul/li/a")
            assert [(a.get("href"), "".join(a.itertext())) for a in anchors] == [
                (r["url"], r["title"]) for r in related
            ]


def test_seed_markup_shows_as_text_and_never_runs(escaping: Path) -> None:
    data = (escaping / "all" / "index.html").read_bytes()
    root = check_page_safety(escaping, escaping / "all" / "index.html")
    titles = texts(root.findall(".//article/h3/a"))
    assert SCRIPT_TITLE in titles
    body = "".join(root.find("body").itertext())
    for text in (
        "First paragraph with <img src=x onerror=alert(1)> and &amp; entity.",
        "Second paragraph: ]]> and <![CDATA[ x ]]>.",
        "Ex & <Co>",
        "AI & <Ethics>",
        "Related <i>one</i>",
    ):
        assert text in body
    assert not root.findall(".//b") and not root.findall(".//i")
    assert b"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in data


# --------------------------------------------------------------------------- OPML


def test_opml_lists_every_feed(escaping: Path, config: Config) -> None:
    tree = etree.parse(str(escaping / "feeds.opml"))  # a real XML parser: well-formed
    root = tree.getroot()
    assert (root.tag, root.get("version")) == ("opml", "2.0")
    assert tree.docinfo.encoding == "UTF-8"
    assert root.findtext("head/title") == config.site.title
    assert root.find("head/dateCreated") is None
    outlines = root.findall("body/outline")
    assert len(outlines) == len(config.feeds)
    base = config.site.base_url
    for outline, feed in zip(outlines, config.feeds, strict=True):
        assert outline.get("type") == "rss"
        assert outline.get("text") == outline.get("title") == feed.title
        preferred = next(n for n in ("rss", "atom", "json") if n in feed.formats)
        assert outline.get("xmlUrl") == f"{base}{feed.id}/{pages.WRITERS[preferred].filename}"
        assert local_file(escaping, base, outline.get("xmlUrl")).is_file()
        assert outline.get("htmlUrl") == f"{base}{feed.id}/"
        assert local_file(escaping, base, outline.get("htmlUrl")).is_file()
        assert (outline.get("version") == "RSS2") == (preferred == "rss")
    json_only = root.find("body/outline[@title='Vision, JSON only']")
    assert json_only.get("xmlUrl").endswith("/vision-json/feed.json")
    modified = parsedate_to_datetime(root.findtext("head/dateModified"))
    dates = [newest(json_feed(escaping, f.id)) for f in config.feeds]
    assert modified == max(d for d in dates if d is not None)


def test_opml_of_feeds_without_items_has_no_date() -> None:
    site = Site.model_validate({"title": "T", "base_url": "https://example.org/"})
    feed = FeedConfig.model_validate({"id": "a", "title": "A", "formats": ["atom"]})
    files = rendered(site, [(feed, view_of(feed, site, ()))])
    root = etree.fromstring(files["feeds.opml"])
    assert root.find("head/dateModified") is None and root.find("head/dateCreated") is None
    assert root.find("body/outline").get("xmlUrl") == "https://example.org/a/atom.xml"
    assert root.find("body/outline").get("version") is None
    assert sorted(files) == ["a/index.html", "feeds.opml", "index.html"]


# --------------------------------------------------------------------------- icons

ICON_CONFIG = """\
site:
  title: "Icons"
  base_url: "https://example.org/news/"
  icon: "https://example.org/icon.png"
  logo: "https://example.org/logo.png"
feeds:
  - id: inherits
    title: "Inherits the site's"
  - id: own
    title: "Has its own"
    icon: "https://cdn.example.net/own-icon.ico"
    logo: "https://cdn.example.net/own-logo.svg?v=1&#038;x=2"
"""


def _icons_of(out: Path, feed_id: str) -> dict[str, Any]:
    rss = etree.parse(str(out / feed_id / "rss.xml"))
    atom = etree.parse(str(out / feed_id / "atom.xml"))
    document = json_feed(out, feed_id)
    image = rss.find("channel/image")
    return {
        "rss": None
        if image is None
        else (image.findtext("url"), image.findtext("title"), image.findtext("link")),
        "atom": (atom.findtext(f"{ATOM}icon"), atom.findtext(f"{ATOM}logo")),
        "json": (document.get("icon"), document.get("favicon")),
    }


def _build_icons(tmp_path: Path, config_text: str) -> Path:
    (tmp_path / "feeds.yaml").write_text(config_text, encoding="utf-8")
    write_seed(tmp_path / "seeds", "a.txt", seed_text())
    report = build_into(tmp_path / "seeds", tmp_path / "feeds.yaml", tmp_path / "out")
    assert report.exit_code == 0, report.problems
    return tmp_path / "out"


def _valid(out: Path, feed_id: str) -> None:
    atom = etree.parse(str(out / feed_id / "atom.xml"))
    assert atom_schema().validate(atom), atom_schema().error_log
    json_validator().validate(json_feed(out, feed_id))
    for name in ("rss.xml", "atom.xml"):
        assert not feedparser.parse((out / feed_id / name).read_bytes()).bozo


def test_icons_in_every_format(tmp_path: Path) -> None:
    out = _build_icons(tmp_path, ICON_CONFIG)
    site_icon, site_logo = "https://example.org/icon.png", "https://example.org/logo.png"
    own_icon, own_logo = (
        "https://cdn.example.net/own-icon.ico",
        "https://cdn.example.net/own-logo.svg?v=1&x=2",
    )
    assert _icons_of(out, "inherits") == {
        "rss": (site_logo, "Inherits the site's", "https://example.org/news/"),
        "atom": (site_icon, site_logo),
        "json": (site_icon, site_icon),
    }
    assert _icons_of(out, "own") == {
        "rss": (own_logo, "Has its own", "https://example.org/news/"),
        "atom": (own_icon, own_logo),
        "json": (own_icon, own_icon),
    }
    for feed_id in ("inherits", "own"):
        _valid(out, feed_id)
    parsed = feedparser.parse((out / "own" / "atom.xml").read_bytes()).feed
    assert (parsed.icon, parsed.logo) == (own_icon, own_logo)
    assert feedparser.parse((out / "own" / "rss.xml").read_bytes()).feed.image.href == own_logo
    # the preview page shows the feed's logo and names its icon; the index loads neither
    root = parse_html((out / "own" / "index.html").read_bytes())
    assert root.find(".//header/img").get("src") == own_logo
    assert root.find("head/link[@rel='icon']").get("href") == own_icon
    index = parse_html((out / "index.html").read_bytes())
    assert not index.findall(".//img") and not index.findall(".//link[@rel='icon']")


def test_icon_alone_is_the_rss_image_and_the_json_icons(tmp_path: Path) -> None:
    out = _build_icons(
        tmp_path, ICON_CONFIG.replace('  logo: "https://example.org/logo.png"\n', "")
    )
    icon = "https://example.org/icon.png"
    assert _icons_of(out, "inherits") == {
        "rss": (icon, "Inherits the site's", "https://example.org/news/"),
        "atom": (icon, None),
        "json": (icon, icon),
    }
    _valid(out, "inherits")


def test_a_logo_alone_is_in_no_json_feed_field(tmp_path: Path) -> None:
    """JSON Feed's icon and favicon are square: a logo (about 2:1) would be cropped."""
    out = _build_icons(
        tmp_path, ICON_CONFIG.replace('  icon: "https://example.org/icon.png"\n', "")
    )
    logo = "https://example.org/logo.png"
    assert _icons_of(out, "inherits") == {
        "rss": (logo, "Inherits the site's", "https://example.org/news/"),
        "atom": (None, logo),
        "json": (None, None),
    }
    _valid(out, "inherits")


def test_no_icons_unless_configured(escaping: Path, config: Config) -> None:
    for feed in config.feeds:
        if feed.formats == ["rss", "atom", "json"]:
            assert _icons_of(escaping, feed.id) == {
                "rss": None,
                "atom": (None, None),
                "json": (None, None),
            }
        page = parse_html((escaping / feed.id / "index.html").read_bytes())
        assert not page.findall(".//header/img") and not page.findall("head/link[@rel='icon']")


@pytest.mark.parametrize("key", ["site.icon", "site.logo", "feeds[1].icon", "feeds[1].logo"])
@pytest.mark.parametrize("url", ["javascript:alert(1)", "/relative.png", "data:image/png,AAAA"])
def test_icons_must_be_http_urls(tmp_path: Path, key: str, url: str) -> None:
    where, name = key.rsplit(".", 1)
    old = {
        "site": f'  {name}: "https://example.org/{name}.png"\n',
        "feeds[1]": f'    {name}: "https://cdn.example.net/own-{name}',
    }[where]
    text = ICON_CONFIG
    start = text.index(old)
    end = text.index("\n", start) + 1
    indent = "  " if where == "site" else "    "
    text = text[:start] + f'{indent}{name}: "{url}"\n' + text[end:]
    (tmp_path / "feeds.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / "feeds.yaml")
    assert [p.field for p in raised.value.problems] == [key]


# --------------------------------------------------------------------------- reproducible


def test_pages_are_byte_reproducible(tmp_path: Path) -> None:
    def files(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }

    first = build_into(ESCAPING / "seeds", ESCAPING / "feeds.yaml", tmp_path / "a")
    build_into(ESCAPING / "seeds", ESCAPING / "feeds.yaml", tmp_path / "b")
    assert first.exit_code == 1  # the golden case has a broken seed, on purpose
    a, b = files(tmp_path / "a"), files(tmp_path / "b")
    assert a == b
    assert {"index.html", "feeds.opml", "all/index.html", "empty/index.html"} <= set(a)
    # (tests/test_reproducible.py builds the whole out/ in two time zones, seconds apart)


def test_a_url_that_is_not_http_is_never_written() -> None:
    """Seeds and config let only http(s) URLs through; the pages check again and fail loudly."""
    site = Site.model_validate({"title": "T", "base_url": "https://example.org/"})
    feed = FeedConfig.model_validate({"id": "a", "title": "A"})
    moment = datetime(2021, 3, 4, tzinfo=UTC)
    bad = entry.Entry("javascript:alert(1)", "t", None, "", moment, None, (), (), ())
    with pytest.raises(ValueError, match="not an http"):
        rendered(site, [(feed, view_of(feed, site, (bad,)))])


# --------------------------------------------------------------------------- any text

# What a seed or the config can hold once read: no characters XML forbids (removed on reading).
_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40
).filter(lambda s: s.strip() == s and s and not XML_FORBIDDEN.search(s) and not invisible(s))
# (text of invisible characters alone, such as U+E0000, is refused as blank: test_bad_config.py)


def rendered(site: Site, feeds: list[tuple[FeedConfig, entry.FeedView]]) -> dict[str, bytes]:
    """Every page's bytes (a feed's preview pages are rendered when written)."""
    return {name: content_bytes(c) for name, c in pages.render_pages(site, feeds).items()}


def view_of(feed: FeedConfig, site: Site, entries: tuple[entry.Entry, ...]) -> entry.FeedView:
    return entry.FeedView(
        id=feed.id,
        title=feed.title,
        description=feed.description or feed.title,
        language=None,
        home_url=site.base_url,
        feed_base=f"{site.base_url}{feed.id}/",
        author=None,
        generator="syndicate",
        version="0",
        entries=entries,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(site_title=_TEXT, feed_title=_TEXT, title=_TEXT, excerpt=_TEXT, topic=_TEXT, name=_TEXT)
def test_any_text_round_trips_as_text(
    site_title: str, feed_title: str, title: str, excerpt: str, topic: str, name: str
) -> None:
    site = Site.model_validate({"title": site_title, "base_url": "https://example.org/"})
    feed = FeedConfig.model_validate({"id": "f", "title": feed_title})
    provider = entry.Person(name, "https://example.com")
    moment = datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)
    item = entry.Entry(
        url="https://example.com/a?b=1&c=2",
        title=title,
        summary=excerpt,
        content_html="",
        published=moment,
        author=provider,
        tags=(topic,),
        images=(entry.Picture("https://example.com/i.png", "image/png", 1, 1, title),),
        related=(entry.RelatedLink("https://example.com/r", title, moment, name),),
    )
    files = rendered(site, [(feed, view_of(feed, site, (item,)))])
    root = parse_html(files["f/index.html"])
    assert not root.findall(".//script")
    assert texts(root.findall(".//h1")) == [feed.title]
    article = root.find(".//article")
    assert texts(article.findall("h3/a")) == [title]
    assert article.find("h3/a").get("href") == "https://example.com/a?b=1&c=2"
    assert article.find("img").get("alt") == title
    assert article.find("p/span").text == name
    assert texts([p for p in article.findall("p") if p.get("class") is None]) == [excerpt]
    assert texts(article.findall("ul/li")) == [topic]
    assert texts(article.findall("section/ul/li/a")) == [title]
    index = parse_html(files["index.html"])
    assert texts(index.findall(".//h1")) == [site.title]
    assert index.find("head/link[@rel='alternate']").get("title") == f"{feed.title} (RSS)"
    opml = etree.fromstring(files["feeds.opml"])
    assert opml.findtext("head/title") == site.title
    assert opml.find("body/outline").get("text") == feed.title


# --------------------------------------------------------------------------- in a browser
# Skipped where Debian's `chromium` is not installed. SYNDICATE_SCREENSHOTS=DIR keeps the
# screenshots (index.png, all-index.png) for a person to look at; the test checks them itself.

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CARDS = {(0xF5, 0xF6, 0xF8), (0x1B, 0x1C, 0x20)}  # .feed background in site.css: light, dark


def _chromium(*args: str, home: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={home / 'profile'}",
            *args,
        ],
        capture_output=True,
        timeout=120,
        check=False,
        env={**os.environ, "HOME": str(home)},
    )


def _pixels(png: bytes) -> tuple[int, int, set[tuple[int, ...]]]:
    """Width, height and the colours of an 8-bit RGB(A) PNG (what Chromium writes)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, kind = struct.unpack(">IIBB", png[16:26])
    assert depth == 8 and kind in (2, 6), (depth, kind)
    chunks, at = [], 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        if png[at + 4 : at + 8] == b"IDAT":
            chunks.append(png[at + 8 : at + 8 + length])
        at += length + 12
    raw = zlib.decompress(b"".join(chunks))
    size = 4 if kind == 6 else 3
    stride = width * size
    previous = bytearray(stride)
    colours: set[tuple[int, ...]] = set()
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        kind_of_filter, row = line[0], bytearray(line[1:])
        for x in range(stride):
            left = row[x - size] if x >= size else 0
            up = previous[x]
            corner = previous[x - size] if x >= size else 0
            if kind_of_filter == 1:
                row[x] = (row[x] + left) & 0xFF
            elif kind_of_filter == 2:
                row[x] = (row[x] + up) & 0xFF
            elif kind_of_filter == 3:
                row[x] = (row[x] + (left + up) // 2) & 0xFF
            elif kind_of_filter == 4:
                guess = left + up - corner
                pa, pb, pc = abs(guess - left), abs(guess - up), abs(guess - corner)
                nearest = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                row[x] = (row[x] + nearest) & 0xFF
        colours.update(tuple(row[i : i + 3]) for i in range(0, stride, size * 7))
        previous = row
    return width, height, colours


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_pages_in_a_browser(escaping: Path, tmp_path: Path) -> None:
    shots = Path(os.environ.get("SYNDICATE_SCREENSHOTS", tmp_path))
    for page, size in (("index.html", (1000, 900)), ("all/index.html", (390, 1400))):
        url = (escaping / page).as_uri()
        dom = _chromium("--dump-dom", url, home=tmp_path)
        assert dom.returncode == 0, dom.stderr.decode(errors="replace")[-2000:]
        root = parse_html(dom.stdout)  # the DOM as the browser built it
        assert not root.findall(".//script")
        if page == "all/index.html":
            assert SCRIPT_TITLE in texts(root.findall(".//article/h3/a"))
        else:
            assert "Escaping & <Edge> cases" in texts(root.findall(".//h1"))
            assert len(root.findall(".//input[@readonly]")) == 13
        target = shots / page.replace("/", "-").replace(".html", ".png")
        window = f"--window-size={size[0]},{size[1]}"
        shot = _chromium(window, f"--screenshot={target}", url, home=tmp_path)
        assert shot.returncode == 0, shot.stderr.decode(errors="replace")[-2000:]
        width, height, colours = _pixels(target.read_bytes())
        assert (width, height) == size
        assert len(colours) > 20, "a blank page"  # text, links, borders rendered
        if page == "index.html":
            assert CARDS & colours, "the inline style was not applied (check the CSP hash)"


# ------------------------------------------------------------------------------- unpublished


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def test_preview_marks_unpublished_items_in_words(tmp_path: Path) -> None:
    """A feed with published_only: false (the repository's editors-preview): each unpublished
    item says so in text, and the header counts them; a feed of published items says nothing."""
    seeds = tmp_path / "seeds"
    write_seed(seeds, "a.txt", seed_text("Out now", "https://e.example/a", published="true"))
    write_seed(seeds, "b.txt", seed_text("Draft one", "https://e.example/b", published="false"))
    write_seed(seeds, "c.txt", seed_text("Draft two", "https://e.example/c"))
    config = tmp_path / "feeds.yaml"
    config.write_text(
        'site:\n  title: "S"\n  base_url: "https://example.org/s/"\nfeeds:\n'
        '  - id: preview\n    title: "Preview"\n    published_only: false\n'
        '  - id: live\n    title: "Live"\n    published_only: true\n',
        encoding="utf-8",
    )
    build_into(seeds, config, tmp_path / "out")
    page = parse_html((tmp_path / "out" / "preview" / "index.html").read_bytes())
    header = page.find(".//header[@class='feed-head']")
    assert "2 of 3 items are not published" in _text(header)
    marked = {
        _text(article.find(".//h3")): "Not published" in _text(article)
        for article in page.iterfind(".//article")
    }
    assert marked == {"Out now": False, "Draft one": True, "Draft two": True}
    live = parse_html((tmp_path / "out" / "live" / "index.html").read_bytes())
    assert "not published" not in _text(live).lower()
