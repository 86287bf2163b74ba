"""RFC 5005 archives (`archive: true`): stable pages numbered from the oldest, linked with
prev-archive / next-archive / current and fh:archive (Atom) or next_url and `_syndicate` (JSON
Feed), walked back by feedparser and checked against the Atom and JSON Feed schemas."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from syndicate.selection.select import archive_pages, page_of

from conftest import build_into, run, seed_text, write_seed
from feedcheck import atom_schema, json_validator

BASE = "https://example.org/feeds/"
ATOM_NS = "http://www.w3.org/2005/Atom"
FH_NS = "http://purl.org/syndication/history/1.0"
NS = {"a": ATOM_NS, "fh": FH_NS}
START = datetime(2021, 1, 1, tzinfo=UTC)


def config(limit: int = 3, page_size: int | None = 2, formats: str = "") -> str:
    size = f"    archive_page_size: {page_size}\n" if page_size else ""
    return f"""\
site:
  title: "Archive test"
  base_url: "{BASE}"
feeds:
  - id: news
    title: "News"
    limit: {limit}
    archive: true
{size}{formats}"""


def url_of(number: int) -> str:
    return f"https://example.com/story-{number:03d}"


def add_seeds(seeds: Path, numbers: range) -> None:
    """Seed `n` is published n hours after START: a higher number is newer."""
    for n in numbers:
        date = (START + timedelta(hours=n)).strftime("%Y-%m-%dT%H:%M:%SZ")
        write_seed(seeds, f"s{n:03d}.txt", seed_text(f"Story {n}", url_of(n), date))


def newest_first(count: int) -> list[str]:
    return [url_of(n) for n in range(count - 1, -1, -1)]


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path, Path]:
    seeds, conf, out = tmp_path / "seeds", tmp_path / "feeds.yaml", tmp_path / "out"
    conf.write_text(config(), encoding="utf-8")
    return seeds, conf, out


def tree(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def local(out: Path, url: str) -> Path:
    """The file in out/ that a URL of the site names (and nothing outside it)."""
    assert url.startswith(BASE), url
    path = out / url.removeprefix(BASE)
    assert path.resolve().is_relative_to(out.resolve())
    return path


# --------------------------------------------------------------------------- paging


def test_pages_are_cut_from_the_oldest() -> None:
    older = list(range(9, 0, -1))  # feed order: newest (9) first
    assert archive_pages(older, 4) == [[4, 3, 2, 1], [8, 7, 6, 5], [9]]
    assert archive_pages([], 4) == []
    for index, item in enumerate(older):
        assert page_of(index, len(older), 4) == next(
            number for number, page in enumerate(archive_pages(older, 4), 1) if item in page
        )


@given(st.integers(0, 40), st.integers(0, 15), st.integers(1, 6))
def test_new_items_never_move_archived_ones(before: int, added: int, size: int) -> None:
    old = archive_pages(list(range(before, 0, -1)), size)
    new = archive_pages(list(range(before + added, 0, -1)), size)
    for number, page in enumerate(old[:-1], 1):
        assert new[number - 1] == page, f"closed page {number} changed"
    if old:
        assert set(old[-1]) <= set(new[len(old) - 1])


# --------------------------------------------------------------------------- files


def test_archive_files_and_their_numbers(site: tuple[Path, Path, Path]) -> None:
    seeds, conf, out = site
    add_seeds(seeds, range(10))  # current: 9 8 7; archived: 6..0 -> pages [1 0] [3 2] [5 4] [6]
    report = build_into(seeds, conf, out)
    assert report.exit_code == 0
    names = sorted(p.relative_to(out / "news").as_posix() for p in (out / "news").rglob("*"))
    assert names == [
        "archive",
        *[f"archive/{n}.{ext}" for n in range(1, 5) for ext in ("json", "xml")],
        "atom.xml",
        "feed.json",
        "index.html",
        "rss.xml",
    ]
    assert report.feeds[0].items == 3
    page_one = etree.parse(str(out / "news/archive/1.xml"))
    assert [e.text for e in page_one.iterfind("a:entry/a:id", NS)] == [url_of(1), url_of(0)]
    rss = feedparser.parse((out / "news/rss.xml").read_bytes())
    assert [e.id for e in rss.entries] == newest_first(10)[:3]
    assert not [link for link in rss.feed.links if "archive" in link.rel]


def test_archive_links_in_atom(site: tuple[Path, Path, Path]) -> None:
    seeds, conf, out = site
    add_seeds(seeds, range(10))
    build_into(seeds, conf, out)
    current = etree.parse(str(out / "news/atom.xml"))
    assert current.find("fh:archive", NS) is None
    assert links(current) == {
        "self": f"{BASE}news/atom.xml",
        "alternate": BASE,
        "prev-archive": f"{BASE}news/archive/4.xml",
    }
    for number in range(1, 5):
        page = etree.parse(str(out / f"news/archive/{number}.xml"))
        assert page.find("fh:archive", NS) is not None
        assert page.findtext("a:id", namespaces=NS) == f"{BASE}news/atom.xml"
        expected = {
            "self": f"{BASE}news/archive/{number}.xml",
            "alternate": BASE,
            "current": f"{BASE}news/atom.xml",
        }
        if number > 1:
            expected["prev-archive"] = f"{BASE}news/archive/{number - 1}.xml"
        if number < 4:
            expected["next-archive"] = f"{BASE}news/archive/{number + 1}.xml"
        assert links(page) == expected
        newest = page.findtext("a:entry/a:updated", namespaces=NS)
        assert page.findtext("a:updated", namespaces=NS) == newest


def links(document: Any) -> dict[str, str]:
    found = {link.get("rel"): link.get("href") for link in document.iterfind("a:link", NS)}
    assert len(found) == len(document.findall("a:link", NS)), "a relation is repeated"
    return found


def test_archive_links_in_json_feed(site: tuple[Path, Path, Path]) -> None:
    seeds, conf, out = site
    add_seeds(seeds, range(10))
    build_into(seeds, conf, out)
    current = json.loads((out / "news/feed.json").read_bytes())
    assert current["feed_url"] == f"{BASE}news/feed.json"
    assert current["next_url"] == f"{BASE}news/archive/4.json"
    assert current["_syndicate"] == {"prev_archive": f"{BASE}news/archive/4.json"}
    for number in range(1, 5):
        page = json.loads((out / f"news/archive/{number}.json").read_bytes())
        assert page["feed_url"] == f"{BASE}news/feed.json"
        extension = page["_syndicate"]
        assert extension["archive"] is True
        assert extension["self"] == f"{BASE}news/archive/{number}.json"
        assert extension["current"] == f"{BASE}news/feed.json"
        older = f"{BASE}news/archive/{number - 1}.json" if number > 1 else None
        newer = f"{BASE}news/archive/{number + 1}.json" if number < 4 else None
        assert page.get("next_url") == older == extension.get("prev_archive")
        assert extension.get("next_archive") == newer


def test_pages_validate(site: tuple[Path, Path, Path]) -> None:
    seeds, conf, out = site
    add_seeds(seeds, range(10))
    build_into(seeds, conf, out)
    documents = sorted((out / "news").rglob("*.xml"))
    assert len([d for d in documents if d.parent.name == "archive"]) == 4
    for path in documents:
        if path.name == "rss.xml":
            continue
        tree_ = etree.parse(str(path))
        assert atom_schema().validate(tree_), (path, atom_schema().error_log.last_error)
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
    for path in sorted((out / "news").rglob("*.json")):
        document = json.loads(path.read_bytes())
        errors = sorted(json_validator().iter_errors(document), key=str)
        assert not errors, (path, errors[0].message, list(errors[0].absolute_path))


# --------------------------------------------------------------------------- readers


def walk_atom(out: Path) -> list[str]:
    """Entry ids as feedparser sees them: the current feed, then prev-archive to the end."""
    ids: list[str] = []
    path: Path | None = out / "news/atom.xml"
    seen: set[Path] = set()
    while path is not None:
        assert path not in seen, f"prev-archive loops back to {path}"
        seen.add(path)
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, parsed.get("bozo_exception")
        ids += [entry.id for entry in parsed.entries]
        older = [link.href for link in parsed.feed.links if link.rel == "prev-archive"]
        assert len(older) <= 1
        path = local(out, older[0]) if older else None
    return ids


def walk_json(out: Path) -> list[str]:
    ids: list[str] = []
    url: str | None = f"{BASE}news/feed.json"
    for _ in range(100):
        if url is None:
            return ids
        document = json.loads(local(out, url).read_bytes())
        ids += [item["id"] for item in document["items"]]
        url = document.get("next_url")
    raise AssertionError("next_url never ends")


@pytest.mark.parametrize(("count", "limit", "size"), [(0, 3, 2), (3, 3, 2), (10, 3, 2), (12, 4, 0)])
def test_a_reader_walks_back_through_every_item_once(
    count: int, limit: int, size: int, tmp_path: Path
) -> None:
    seeds, conf, out = tmp_path / "seeds", tmp_path / "feeds.yaml", tmp_path / "out"
    seeds.mkdir()
    conf.write_text(config(limit, size or None), encoding="utf-8")
    add_seeds(seeds, range(count))
    build_into(seeds, conf, out)
    assert walk_atom(out) == newest_first(count)
    assert walk_json(out) == newest_first(count)


# --------------------------------------------------------------------------- stability


def test_closed_pages_keep_their_bytes_when_items_arrive(site: tuple[Path, Path, Path]) -> None:
    seeds, conf, out = site
    add_seeds(seeds, range(10))  # pages [1 0] [3 2] [5 4] [6]
    build_into(seeds, conf, out)
    before = tree(out)
    add_seeds(seeds, range(10, 14))  # current 13 12 11; pages [1 0] [3 2] [5 4] [7 6] [9 8] [10]
    report = build_into(seeds, conf, out)
    after = tree(out)
    for number in (1, 2, 3):
        for ext in ("xml", "json"):
            name = f"news/archive/{number}.{ext}"
            assert after[name] == before[name], f"{name} was rewritten"
    assert sorted(n for n in report.written if n.startswith("news/archive/")) == [
        f"news/archive/{n}.{ext}" for n in (4, 5, 6) for ext in ("json", "xml")
    ]
    assert walk_atom(out) == walk_json(out) == newest_first(14)


def test_a_full_newest_page_changes_once_when_a_newer_page_opens(
    site: tuple[Path, Path, Path],
) -> None:
    seeds, conf, out = site
    add_seeds(seeds, range(7))  # current 6 5 4; pages [1 0] [3 2]: the newest page is full
    build_into(seeds, conf, out)
    first = tree(out)
    add_seeds(seeds, range(7, 8))  # 3 moves into page 3: page 2 gets its next-archive link
    build_into(seeds, conf, out)
    second = tree(out)
    assert second["news/archive/1.xml"] == first["news/archive/1.xml"]
    assert second["news/archive/2.xml"][0] != first["news/archive/2.xml"][0]
    page_two = etree.parse(str(out / "news/archive/2.xml"))
    assert links(page_two)["next-archive"] == f"{BASE}news/archive/3.xml"
    add_seeds(seeds, range(8, 9))
    build_into(seeds, conf, out)
    assert tree(out)["news/archive/2.xml"] == second["news/archive/2.xml"]


def test_a_no_op_rebuild_rewrites_nothing(site: tuple[Path, Path, Path]) -> None:
    seeds, conf, out = site
    add_seeds(seeds, range(10))
    build_into(seeds, conf, out)
    before = tree(out)
    report = build_into(seeds, conf, out)
    assert report.written == [] and report.removed == []
    assert tree(out) == before


def test_pages_no_longer_needed_are_removed(site: tuple[Path, Path, Path]) -> None:
    seeds, conf, out = site
    add_seeds(seeds, range(10))
    build_into(seeds, conf, out)
    for n in range(5, 10):
        (seeds / f"s{n:03d}.txt").unlink()
    report = build_into(seeds, conf, out)  # current 4 3 2; pages [1 0]
    assert sorted(report.removed) == [
        f"news/archive/{n}.{ext}" for n in (2, 3, 4) for ext in ("json", "xml")
    ]
    assert sorted(p.name for p in (out / "news/archive").iterdir()) == ["1.json", "1.xml"]
    assert walk_atom(out) == newest_first(5)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=st.integers(0, 12),
    added=st.integers(1, 6),
    limit=st.integers(1, 4),
    size=st.integers(1, 4),
)
def test_property_only_the_newest_page_and_the_feed_change(
    before: int, added: int, limit: int, size: int
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        seeds, conf, out = root / "seeds", root / "feeds.yaml", root / "out"
        seeds.mkdir()
        conf.write_text(config(limit, size), encoding="utf-8")
        add_seeds(seeds, range(before))
        build_into(seeds, conf, out)
        old = tree(out)
        add_seeds(seeds, range(before, before + added))
        build_into(seeds, conf, out)
        new = tree(out)
        pages = sorted({int(n.rsplit("/", 1)[1].split(".")[0]) for n in old if "/archive/" in n})
        for number in pages[:-1]:
            for ext in ("xml", "json"):
                name = f"news/archive/{number}.{ext}"
                assert new[name] == old[name], f"closed page {name} changed"
        assert walk_atom(out) == walk_json(out) == newest_first(before + added)


# --------------------------------------------------------------------------- config


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            config(limit=0),
            "feeds.yaml:8: feeds[0].archive: archive: true needs a limit above 0 "
            "(limit 0 keeps every item in the feed, so nothing would be archived)",
        ),
        (
            config(formats="    formats: [rss]\n"),
            "feeds.yaml:8: feeds[0].archive: archive: true needs one of these formats: atom, json",
        ),
        (
            config(page_size=None) + "    archive_page_size: 0\n",
            "feeds.yaml:9: feeds[0].archive_page_size: must be 1 or more, got 0",
        ),
        (
            config().replace("archive: true", "archive: yes please"),
            "feeds.yaml:8: feeds[0].archive: must be true or false, got 'yes please'",
        ),
    ],
    ids=["limit-0", "rss-only", "page-size-0", "not-a-bool"],
)
def test_config_errors(
    text: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("feeds.yaml").write_text(text, encoding="utf-8")
    Path("seeds").mkdir()
    result = run("build", "--config", "feeds.yaml", "--no-cache")
    assert result.exit_code == 2
    assert message in result.stderr.splitlines(), result.stderr
    assert not Path("out").exists()


def test_archive_can_be_a_default(tmp_path: Path) -> None:
    seeds, conf, out = tmp_path / "seeds", tmp_path / "feeds.yaml", tmp_path / "out"
    conf.write_text(
        f"""\
site: {{title: T, base_url: "{BASE}"}}
defaults:
  limit: 2
  archive: true
  archive_page_size: 3
feeds:
  - {{id: news, title: News}}
  - {{id: plain, title: Plain, archive: false}}
""",
        encoding="utf-8",
    )
    add_seeds(seeds, range(6))
    build_into(seeds, conf, out)
    assert sorted(p.name for p in (out / "news/archive").iterdir()) == [
        "1.json",
        "1.xml",
        "2.json",
        "2.xml",
    ]
    assert not (out / "plain/archive").exists()
    assert walk_atom(out) == newest_first(6)


def test_explain_and_feeds_name_the_archive(
    site: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds, _, _ = site
    add_seeds(seeds, range(10))
    monkeypatch.chdir(seeds.parent)
    result = run("explain", "seeds/s002.txt", "--config", "feeds.yaml")
    assert result.exit_code == 0, result.output
    assert "  in  news  archive page 2 of 4 (beyond limit 3): position 8" in result.stdout
    current = run("explain", "seeds/s009.txt", "--config", "feeds.yaml")
    assert "  in  news  position 1 of 3" in current.stdout
    feeds = run("feeds", "--config", "feeds.yaml")
    assert "no limit" not in feeds.stdout
    assert "limit 3; archive pages of 2" in feeds.stdout
