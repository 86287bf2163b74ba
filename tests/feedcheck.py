"""Read a built out/ tree back with real parsers and compare it with the seeds behind it.

Used by the reader tests on the golden cases and on generated corpora.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import feedparser
import jsonschema
from lxml import etree

from syndicate import config as config_module
from syndicate.build import BuildOptions, BuildReport, load_candidates
from syndicate.config import Config
from syndicate.render.feed import description
from syndicate.seeds.discovery import SeedFile
from syndicate.seeds.models import Seed
from syndicate.seeds.reading import read as read_seed
from syndicate.selection.select import Candidate, select

from conftest import SCHEMAS

MEDIA_NS = "http://search.yahoo.com/mrss/"


@cache
def atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng")))


@cache
def json_validator() -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMAS / "jsonfeed-1.1.schema.json").read_text("utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@dataclass(frozen=True)
class Seen:
    """What one format's parser saw of one item."""

    id: str
    link: str
    title: str
    published: datetime


def expected_items(
    config: Config, candidates: list[Candidate], seeds: dict[str, Seed]
) -> dict[str, list[Seed]]:
    return {f.id: [seeds[c.name] for c in select(candidates, f, f.limit)] for f in config.feeds}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(html: str) -> str:
    """The text a browser shows of `html` (its tags dropped, references decoded)."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def _time(struct: Any) -> datetime:
    return datetime(*struct[:6], tzinfo=UTC)


def check_rss(path: Path, seeds: list[Seed], self_url: str, home: str, about: str) -> list[Seen]:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, (path, parsed.get("bozo_exception"))
    assert parsed.version == "rss20"
    assert parsed.feed.link == home
    # feedparser reads the channel description as HTML: its text is the feed's description
    assert html_text(parsed.feed.description) == about
    assert [link.href for link in parsed.feed.links if link.rel == "self"] == [self_url]
    assert len(parsed.entries) == len(seeds)
    tree = etree.parse(str(path))
    items = tree.findall("channel/item")
    seen = []
    for entry, item, seed in zip(parsed.entries, items, seeds, strict=True):
        assert entry.link == seed.web_url
        assert entry.id == seed.web_url
        assert item.find("guid").get("isPermaLink") == "true"
        assert entry.title == seed.title
        assert [t.term for t in entry.get("tags", [])] == seed.topics
        enclosures = [e.href for e in entry.get("enclosures", [])]
        assert enclosures == [i.url for i in seed.images[:1]]
        media = item.findall(f"{{{MEDIA_NS}}}content")
        assert [m.get("url") for m in media] == [i.url for i in seed.images]
        assert all(m.get("medium") == "image" for m in media)
        for element, image in zip(media, seed.images, strict=True):
            assert element.get("width") == (str(image.width) if image.width else None)
        thumbs = item.findall(f"{{{MEDIA_NS}}}thumbnail")
        assert [t.get("url") for t in thumbs] == [i.url for i in seed.images[:1]]
        related = [(link.href, link.get("title")) for link in entry.links if link.rel == "related"]
        assert related == [(r.web_url, r.title) for r in seed.related]
        if seed.provider:
            assert entry.author == seed.provider.name
        # Every item has a description (the Best Practices Profile: no content:encoded without
        # one): the excerpt beside the body in content:encoded, else the body itself.
        assert item.findtext("description")
        encoded = item.find("{http://purl.org/rss/1.0/modules/content/}encoded")
        if seed.excerpt:
            assert "content" in entry and entry.content[0].value
            assert encoded is not None
        else:
            assert encoded is None
        seen.append(Seen(entry.id, entry.link, entry.title, _time(entry.published_parsed)))
    return seen


def check_atom(path: Path, seeds: list[Seed], self_url: str, home: str, about: str) -> list[Seen]:
    tree = etree.parse(str(path))
    schema = atom_schema()
    assert schema.validate(tree), (path, schema.error_log.last_error)
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, (path, parsed.get("bozo_exception"))
    assert parsed.version == "atom10"
    assert parsed.feed.id == self_url
    assert (parsed.feed.subtitle, parsed.feed.subtitle_detail.type) == (about, "text/plain")
    assert parsed.feed.link == home
    assert len(parsed.entries) == len(seeds)
    seen = []
    for entry, seed in zip(parsed.entries, seeds, strict=True):
        assert entry.link == seed.web_url, "the alternate link must be the article"
        assert entry.id == seed.web_url
        assert entry.title == seed.title
        assert entry.title_detail.type == "text/plain"
        assert [t.term for t in entry.get("tags", [])] == seed.topics
        enclosures = [(e.href, e.type) for e in entry.get("enclosures", [])]
        assert [e[0] for e in enclosures] == [i.url for i in seed.images]
        assert all(t.startswith("image/") for _, t in enclosures)
        related = [(link.href, link.get("title")) for link in entry.links if link.rel == "related"]
        assert related == [(r.web_url, r.title) for r in seed.related]
        alternates = [link for link in entry.links if link.rel == "alternate"]
        assert [(link.href, link.type) for link in alternates] == [(seed.web_url, "text/html")]
        if seed.excerpt:
            assert entry.summary_detail.type == "text/plain"
        assert entry.content[0].type == "text/html"
        if seed.provider:
            assert entry.author_detail.name == seed.provider.name
        assert _time(entry.published_parsed) == _time(entry.updated_parsed)
        seen.append(Seen(entry.id, entry.link, entry.title, _time(entry.published_parsed)))
    return seen


def check_json(path: Path, seeds: list[Seed], self_url: str, home: str, about: str) -> list[Seen]:
    document = json.loads(path.read_bytes())
    errors = sorted(json_validator().iter_errors(document), key=str)
    assert not errors, (path, errors[0].message, list(errors[0].absolute_path))
    assert document["feed_url"] == self_url
    assert document["description"] == about
    assert document["home_page_url"] == home
    assert [document["author"]] == document["authors"]
    assert len(document["items"]) == len(seeds)
    seen = []
    for item, seed in zip(document["items"], seeds, strict=True):
        assert item["id"] == item["url"] == seed.web_url
        assert item["title"] == seed.title
        assert item.get("summary") == (seed.excerpt or None)
        assert item.get("content_text") == (seed.excerpt or None)
        assert item.get("tags", []) == seed.topics
        assert item.get("image") == (seed.images[0].url if seed.images else None)
        assert [a["url"] for a in item.get("attachments", [])] == [i.url for i in seed.images]
        related = item.get("_syndicate", {}).get("related", [])
        assert [(r["url"], r["title"]) for r in related] == [
            (r.web_url, r.title) for r in seed.related
        ]
        if seed.provider:
            assert item["authors"][0]["name"] == seed.provider.name
        # JSON Feed 1.0's `author` (for its readers, such as gofeed 1.1): the same person
        assert [item["author"]] == item["authors"] if "authors" in item else "author" not in item
        assert not {"quality", "heat", "secured", "published"} & item.keys()
        published = datetime.fromisoformat(item["date_published"])
        seen.append(Seen(item["id"], item["url"], item["title"], published))
    return seen


CHECKS = {"rss.xml": check_rss, "atom.xml": check_atom, "feed.json": check_json}


def check_tree(
    out: Path, config: Config, candidates: list[Candidate], full: dict[str, Seed]
) -> dict[str, int]:
    """Parse every file of every feed; returns items per feed. Asserts on any mismatch."""
    counts = {}
    for feed_id, seeds in expected_items(config, candidates, full).items():
        views = []
        for name, check in CHECKS.items():
            path = out / feed_id / name
            if not path.exists():
                continue
            self_url = f"{config.site.base_url}{feed_id}/{name}"
            feed = next(f for f in config.feeds if f.id == feed_id)
            about = description(config.site, feed)
            views.append(check(path, seeds, self_url, config.site.base_url, about))
        for other in views[1:]:
            assert other == views[0], f"{feed_id}: formats disagree"
        counts[feed_id] = len(seeds)
    return counts


def read_back(seeds: Path, config_path: Path, out: Path) -> dict[str, int]:
    """check_tree on the out/ folder built from `seeds` and `config_path`."""
    config = config_module.load(config_path)
    candidates = load_candidates(BuildOptions(seeds, config_path, out), BuildReport())
    full = {}
    for path in sorted(seeds.rglob("*.txt")):
        name = path.relative_to(seeds).as_posix()
        loaded = read_seed(SeedFile(path, name, name))
        if loaded.seed is not None:
            full[name] = loaded.seed
    return check_tree(out, config, candidates, full)
