"""Big feeds (issue 17): writers that write item by item give the bytes of the whole document,
preview pages of 100 items with links between them, and the size guard's warnings."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from test_pages import CHROMIUM, _chromium, check_page_safety, parse_html, texts

from syndicate.config import FeedConfig, Site
from syndicate.publish import guard, output
from syndicate.render import entry
from syndicate.render.feed import feed_view
from syndicate.render.store import EntryStore
from syndicate.render.writers import (
    WRITERS,
    _feedgen,
    _jsonfeed_models,
    atom,
    jsonfeed,
    rss,
    stylesheet_href,
)
from syndicate.render.writers._heads import with_stylesheet

from conftest import build_into, run, seed_text, write_seed

BASE = "https://example.org/feeds/"
START = datetime(2021, 1, 1, tzinfo=UTC)


def item(number: int, title: str = "Story") -> entry.Entry:
    url = f"https://example.com/{number}?a=1&b=2"
    picture = entry.Picture(f"https://example.com/{number}.png", "image/png", 10, 20, "a & b")
    related = entry.RelatedLink("https://example.com/r", "Related <b>", START, "Wire")
    return entry.Entry(
        url,
        f"{title} {number}",
        f"Excerpt {number} & more\nsecond line",
        entry.render_html(title, url, "x", None, (picture,), (related,)),
        START - timedelta(hours=number),
        entry.Person("Provider", "https://provider.example"),
        ("AI", "Vision & Co"),
        (picture,),
        (related,),
    )


# --------------------------------------------------------------------------- streaming writers


def whole_rss(view: entry.FeedView) -> bytes:
    """RSS as feedgen writes it with every entry in the tree (the writers before issue 17)."""
    feed = _feedgen.new_feed(view, view.url_of("rss.xml"), rss.MEDIA_TYPE)
    image = view.logo or view.icon
    if image:
        feed.image(url=image, title=view.title, link=view.home_url)
    _feedgen.register_rss(feed, tuple(("hub", hub, "") for hub in view.hubs))
    root, document = feed._create_rss()
    for item in view.entries:
        root.find("channel").append(rss._element(item))
    data = etree.tostring(document, pretty_print=True, encoding="UTF-8", xml_declaration=True)
    return with_stylesheet(data, stylesheet_href(view, "rss.xml"))


def whole_atom(view: entry.FeedView) -> bytes:
    page = view.archive_page
    writer = atom.WRITER
    feed = _feedgen.new_feed(
        view, view.url_of(writer.document(page)), atom.MEDIA_TYPE, view.url_of(writer.document())
    )
    if view.description:
        feed.subtitle(view.description)
    _feedgen.register_atom(feed, atom._links(view), archive=page is not None)
    root, document = feed._create_atom()
    for item in view.entries:
        root.append(atom._element(item))
    data = etree.tostring(document, pretty_print=True, encoding="UTF-8", xml_declaration=True)
    return with_stylesheet(data, stylesheet_href(view, writer.document(page)))


def whole_json(view: entry.FeedView) -> bytes:
    """The JSON Feed document dumped in one piece by Pydantic, with every item."""
    buffer = io.BytesIO()
    jsonfeed.write(view.__class__(**{**_fields(view), "entries": ()}), buffer)
    document = json.loads(buffer.getvalue())
    items = [json.loads(_jsonfeed_models.item(e).encode("utf-8")) for e in view.entries]
    assert "items" in document
    model = _jsonfeed_models.Document.model_validate({**document, "items": items})
    return _jsonfeed_models.dumped(model).encode("utf-8") + b"\n"


def _fields(view: entry.FeedView) -> dict[str, object]:
    return {name: getattr(view, name) for name in view.__dataclass_fields__}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    count=st.integers(0, 4),
    hubs=st.booleans(),
    stylesheet=st.booleans(),
    archive=st.sampled_from([None, (3, None), (3, 2)]),
)
def test_written_item_by_item_is_the_whole_document(
    count: int, hubs: bool, stylesheet: bool, archive: tuple[int, int | None] | None
) -> None:
    site = Site.model_validate(
        {
            "title": "T & <t>",
            "base_url": BASE,
            "stylesheet": stylesheet,
            **({"websub_hubs": ["https://hub.example/"]} if hubs else {}),
        }
    )
    feed = FeedConfig.model_validate({"id": "f", "title": "F & <f>", "description": "d"})
    pages = None if archive is None else entry.Archive(*archive)
    view = feed_view(site, feed, tuple(item(n) for n in range(count)), pages)
    assert WRITERS["rss"].render(view) == whole_rss(view)
    assert WRITERS["atom"].render(view) == whole_atom(view)
    assert WRITERS["json"].render(view) == whole_json(view)


def test_entries_from_the_store_give_the_same_bytes(tmp_path: Path) -> None:
    """A store small enough to spill to disk: the same documents as from entries in memory."""
    site = Site.model_validate({"title": "T", "base_url": BASE})
    feed = FeedConfig.model_validate({"id": "f", "title": "F"})
    items = [item(n) for n in range(30)]
    store = EntryStore(memory_bytes=1000)
    for number, each in enumerate(items):
        store.add(f"seed-{number}", each)
    stored = store.entries([f"seed-{n}" for n in range(30)])
    assert stored[3] == items[3] and list(stored[5:7]) == items[5:7]
    for writer in WRITERS.values():
        expected = writer.render(feed_view(site, feed, tuple(items)))
        assert writer.render(feed_view(site, feed, stored)) == expected
    store.close()


def test_check_compares_written_content_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_bytes(b"abcdef")

    def write(data: bytes) -> output.WriteTo:
        return lambda stream: [stream.write(data[i : i + 2]) for i in range(0, len(data), 2)]

    assert output.same_content(path, write(b"abcdef"))
    assert not output.same_content(path, write(b"abcdeX"))
    assert not output.same_content(path, write(b"abcd"))  # shorter
    assert not output.same_content(path, write(b"abcdefgh"))  # longer
    assert output.content_size(write(b"abcdefgh")) == 8
    # build --check compares and measures in one rendering, to the end
    assert output.measured(path, write(b"abcdef")) == (True, 6)
    assert output.measured(path, write(b"aXcdefgh")) == (False, 8)
    assert output.measured(path, write(b"abcd")) == (False, 4)
    assert output.measured(path, write(b"abcdefgh")) == (False, 8)
    assert output.measured(tmp_path / "missing", write(b"ab")) == (False, 2)
    assert output.measured(path, b"abcdef") == (True, 6)


# --------------------------------------------------------------------------- preview pages

PAGED_CONFIG = """\
site:
  title: "Paged"
  base_url: "https://example.org/feeds/"
feeds:
  - id: all
    title: "Everything"
    limit: 0
    max_feed_items: 0
  - id: few
    title: "A few"
    limit: 3
"""


@pytest.fixture(scope="module")
def paged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """250 items: the preview pages index.html (1-100), page-2.html (101-200), page-3.html."""
    root = tmp_path_factory.mktemp("paged")
    seeds = root / "seeds"
    for number in range(250):
        date = (START - timedelta(minutes=number)).strftime("%Y-%m-%dT%H:%M:%SZ")
        text = seed_text(f"Story {number}", f"https://example.com/{number}", date)
        write_seed(seeds, f"{number:03}.txt", text)
    config = root / "feeds.yaml"
    config.write_text(PAGED_CONFIG, encoding="utf-8")
    report = build_into(seeds, config, root / "out")
    assert report.exit_code == 0 and not report.problems, report.problems
    return root / "out"


def test_a_big_feed_is_previewed_100_items_a_page(paged: Path) -> None:
    names = ["index.html", "page-2.html", "page-3.html"]
    assert sorted(p.name for p in (paged / "all").glob("*.html")) == sorted(names)
    seen = []
    for number, name in enumerate(names, 1):
        root = check_page_safety(paged, paged / "all" / name)
        titles = texts(root.findall(".//ol[@class='items']/li/article/h3/a"))
        seen += titles
        first = (number - 1) * 100 + 1
        assert root.find(".//ol[@class='items']").get("start") == (
            None if number == 1 else str(first)
        )
        pager = root.findall(".//nav[@class='pager']")
        assert len(pager) == 2  # above and below the items
        last = min(first + 99, 250)
        assert (
            f"Items {first} to {last} of 250 · page {number} of 3"
            in texts(pager[0].findall("p"))[0]
        )
        links = {a.get("rel"): a.get("href") for a in pager[0].findall(".//a")}
        expected = {}
        if number > 1:
            expected["prev"] = names[number - 2]
        if number < 3:
            expected["next"] = names[number]
        assert links == expected
        canonical = root.find("head/link[@rel='canonical']").get("href")
        assert canonical == BASE + "all/" + ("" if number == 1 else name)
        alternates = root.findall("head/link[@rel='alternate']")
        assert [link.get("href") for link in alternates] == [
            f"{BASE}all/{file}" for file in ("rss.xml", "atom.xml", "feed.json")
        ]
        facts = root.find(".//header[@class='feed-head']/p[@class='meta']")
        assert "".join(facts.itertext()).startswith("250 items")
    assert seen == [f"Story {n}" for n in range(250)]  # every item once, in feed order


def test_a_small_feed_has_one_preview_page_without_a_pager(paged: Path) -> None:
    assert [p.name for p in (paged / "few").glob("*.html")] == ["index.html"]
    root = check_page_safety(paged, paged / "few" / "index.html")
    assert root.find(".//nav[@class='pager']") is None


def test_the_site_index_is_not_paged(paged: Path) -> None:
    root = parse_html((paged / "index.html").read_bytes())
    assert "250 items" in "".join(root.itertext())
    assert not list(paged.glob("page-*.html"))


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_preview_pages_in_a_browser(paged: Path, tmp_path: Path) -> None:
    dom = _chromium("--dump-dom", (paged / "all" / "page-2.html").as_uri(), home=tmp_path)
    assert dom.returncode == 0, dom.stderr.decode(errors="replace")[-2000:]
    root = parse_html(dom.stdout)
    titles = texts(root.findall(".//article/h3/a"))
    assert titles == [f"Story {n}" for n in range(100, 200)]
    assert [a.get("href") for a in root.findall(".//nav[@class='pager']//a")][:2] == [
        "index.html",
        "page-3.html",
    ]


# --------------------------------------------------------------------------- the size guard

GUARD_CONFIG = """\
site:
  title: "Guarded"
  base_url: "https://example.org/feeds/"
defaults:
  max_feed_items: {items}
feeds:
  - id: all
    title: "Everything"
    limit: 0
    max_feed_bytes: {size}
"""


def guarded(tmp_path: Path, items: int, size: int, seeds: int = 3) -> tuple[Path, Path]:
    for number in range(seeds):
        text = seed_text(f"Story {number}", f"https://example.com/{number}")
        write_seed(tmp_path / "seeds", f"{number}.txt", text)
    config = tmp_path / "feeds.yaml"
    config.write_text(GUARD_CONFIG.format(items=items, size=size), encoding="utf-8")
    return tmp_path / "seeds", config


ADVICE = (
    "Many readers and aggregators refuse or cut feeds this big, and every poll downloads the "
    "whole file; give it a `limit:` (the newest N items), or a limit and `archive: true` to "
    "keep the older items in archive pages"
)


def test_more_items_than_max_feed_items_is_warned_about(tmp_path: Path) -> None:
    seeds, config = guarded(tmp_path, items=2, size=0)
    report = build_into(seeds, config, tmp_path / "out")
    assert report.exit_code == 0
    assert [str(p) for p in report.problems] == [
        f"{config.as_posix()}:7: feeds.all: warning: feed 'all' is too big for feed readers: "
        f"3 items (over max_feed_items: 2). {ADVICE}"
    ]


@pytest.mark.parametrize(("items", "size"), [(3, 0), (0, 0), (3, 1_000_000)])
def test_at_or_under_the_limits_or_off_no_warning(tmp_path: Path, items: int, size: int) -> None:
    seeds, config = guarded(tmp_path, items=items, size=size)
    assert build_into(seeds, config, tmp_path / "out").problems == []


def test_a_file_bigger_than_max_feed_bytes_is_warned_about(tmp_path: Path) -> None:
    seeds, config = guarded(tmp_path, items=0, size=500)
    out = tmp_path / "out"
    report = build_into(seeds, config, out)
    sizes = {name: (out / "all" / name).stat().st_size for name in ("rss.xml", "atom.xml")}
    sizes["feed.json"] = (out / "all" / "feed.json").stat().st_size
    biggest = max(sizes, key=lambda name: (sizes[name], name))
    shown = guard.size_text(sizes[biggest])
    assert [str(p) for p in report.problems] == [
        f"{config.as_posix()}:7: feeds.all: warning: feed 'all' is too big for feed readers: "
        f"{biggest} is {shown} (over max_feed_bytes: 500 bytes), 3 items. {ADVICE}"
    ]
    # The largest file just at the limit: no warning.
    config.write_text(GUARD_CONFIG.format(items=0, size=sizes[biggest]), encoding="utf-8")
    assert build_into(seeds, config, out).problems == []


def test_check_and_feeds_warn_too(tmp_path: Path) -> None:
    seeds, config = guarded(tmp_path, items=2, size=0)
    checked = run("check", "--seeds", str(seeds), "--config", str(config))
    assert checked.exit_code == 0, checked.output
    warning = "feeds.all: warning: feed 'all' is too big for feed readers: 3 items"
    assert warning in checked.output
    listed = run("feeds", "--seeds", str(seeds), "--config", str(config))
    assert listed.exit_code == 0, listed.output
    assert warning in listed.output
    out = str(tmp_path / "out")
    stale = run("build", "--check", "--seeds", str(seeds), "--config", str(config), "--out", out)
    assert stale.exit_code == 1, stale.output  # nothing built yet: out/ is stale
    assert warning in stale.output


def test_an_archived_feed_is_told_to_lower_its_limit() -> None:
    feed = FeedConfig.model_validate(
        {"id": "a", "title": "A", "limit": 5, "archive": True, "max_feed_bytes": 10}
    )
    problem = guard.feed_warning("feeds.yaml", feed, 5, {"a/atom.xml": 12_345_678})
    assert problem is not None
    assert problem.message.endswith(
        "atom.xml is 12.3 MB (over max_feed_bytes: 10 bytes), 5 items. Many readers and "
        "aggregators refuse or cut feeds this big, and every poll downloads the whole file; "
        "lower its `limit:` (the items beyond it stay in the archive pages)"
    )


def test_guard_keys_are_config_keys_with_checked_values(tmp_path: Path) -> None:
    seeds, config = guarded(tmp_path, items=-1, size=0)
    result = run("check", "--seeds", str(seeds), "--config", str(config))
    assert result.exit_code == 2
    assert "defaults.max_feed_items" in result.output


def test_build_check_renders_each_feed_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`build --check` measures each file for the size guard while it compares it with out/:
    a big feed is rendered once, not once to measure and again to compare."""
    seeds, config = guarded(tmp_path, items=0, size=1_000_000)
    out = tmp_path / "out"
    build_into(seeds, config, out)
    calls = []
    real = rss.write

    def counting(view: entry.FeedView, stream: object) -> None:
        calls.append(view.id)
        real(view, stream)  # type: ignore[arg-type]

    monkeypatch.setattr(rss, "write", counting)
    checked = run(
        "build", "--check", "--seeds", str(seeds), "--config", str(config), "--out", str(out)
    )
    assert checked.exit_code == 0, checked.output
    assert calls == ["all"]


def test_the_pager_line_writes_counts_as_the_command_line_does() -> None:
    """4,949 items, as the size guard's messages write counts."""
    from syndicate.render import pages

    line = pages._environment().from_string(
        "{{ 4949 | number }} · {{ 101 | number }} · {{ 12345678 | number }}"
    )
    assert line.render() == "4,949 · 101 · 12,345,678"
