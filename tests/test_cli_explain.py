"""`syndicate explain` (why an item is or is not in a feed) and `syndicate feeds` (the overview)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import run, seed_text, write_seed

CONFIG = """\
site:
  title: "Test site"
  base_url: "https://example.org/feeds/"
feeds:
  - id: all
    title: "Everything"
    limit: 0
  - id: vision
    title: "Vision"
    topics: ["Computer Vision"]
    min_quality: 70
    limit: 1
  - id: bbc-news
    title: "BBC news"
    published_only: true
    exclude_topics: [Robotics]
    providers: [bbc.com]
    categories: [news]
    published_after: 2020-01-02T00:00:00Z
    formats: [json]
"""
BBC = "{name: BBC, domain: bbc.com}"
SEEDS = {
    "a.txt": seed_text(
        "A",
        "https://example.com/a",
        "2020-01-01T00:00:00Z",
        quality="80",
        topics="[Computer Vision]",
    ),
    # the same webUrl as a.txt, lower quality
    "b.txt": seed_text(
        "B",
        "https://example.com/a",
        "2020-01-02T00:00:00Z",
        quality="55",
        topics="[Computer Vision]",
    ),
    "c.txt": seed_text(
        "C",
        "https://example.com/c",
        "2020-01-03T00:00:00Z",
        quality="90",
        topics="[Computer Vision, Robotics]",
        published="true",
        provider=BBC,
        category="news",
    ),
    "sub/d.txt": seed_text(
        "D",
        "https://example.com/d",
        "2020-01-04T00:00:00Z",
        quality="10",
        published="true",
        provider="{name: Wired}",
        category="tech",
    ),
    "e.txt": seed_text(
        "E",
        "https://example.com/e?a=1&#038;b=2",
        "2020-01-05T00:00:00Z",
        published="true",
        provider=BBC,
        category="News",
    ),
}


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "feeds.yaml").write_text(CONFIG, encoding="utf-8")
    for name, text in SEEDS.items():
        write_seed(tmp_path / "seeds", name, text)
    return tmp_path


def explained(*args: str, code: int = 0) -> list[str]:
    result = run("explain", *args)
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    assert result.stderr == ""
    return result.stdout.splitlines()


# --------------------------------------------------------------------------- explain


def test_in_a_feed_and_cut_by_the_limit(ws: Path) -> None:
    assert explained("seeds/a.txt") == [
        'seeds/a.txt: "A" <https://example.com/a>',
        '  2020-01-01T00:00:00Z, quality 80, not published; topics: ["Computer Vision"]',
        "  in  all       position 4 of 4",
        "  out vision    cut by limit 1: position 2",
        "  out bbc-news  excluded: not published (published_only: true); no provider;"
        ' providers is ["bbc.com"]; no category; categories is ["news"];'
        " published 2020-01-01T00:00:00Z, before published_after 2020-01-02T00:00:00Z",
    ]


def test_duplicate_and_quality(ws: Path) -> None:
    assert explained("seeds/b.txt")[2:4] == [
        "  out all       duplicate of seeds/a.txt, which has higher quality (80 > 55)",
        "  out vision    excluded: quality 55 < min_quality 70",
    ]


def test_excluded_topic_and_provider_and_category(ws: Path) -> None:
    lines = explained("seeds/c.txt")
    assert lines[1] == (
        '  2020-01-03T00:00:00Z, quality 90, published, provider "BBC" (bbc.com),'
        ' category "news"; topics: ["Computer Vision", "Robotics"]'
    )
    assert lines[2:] == [
        "  in  all       position 3 of 4",
        "  in  vision    position 1 of 1",
        '  out bbc-news  excluded: topic "Robotics" is in exclude_topics',
    ]
    assert explained("seeds/sub/d.txt")[3:] == [
        '  out vision    excluded: no topic in topics ["Computer Vision"] (item topics: none);'
        " quality 10 < min_quality 70",
        '  out bbc-news  excluded: provider "Wired" not in providers ["bbc.com"];'
        ' category "tech" not in categories ["news"]',
    ]


@pytest.mark.parametrize("written", ["bücher.example", "xn--bcher-kva.example"])
def test_a_provider_excluded_by_its_domain_in_either_form(ws: Path, written: str) -> None:
    """A rule may name a Unicode domain either way (the seed's is kept in its xn-- form)."""
    config = CONFIG.replace("    formats: [json]\n", "") + (
        f'  - id: no-books\n    title: "No books"\n    exclude_providers: ["{written}"]\n'
    )
    (ws / "config" / "feeds.yaml").write_text(config, encoding="utf-8")
    provider = '{name: Books, domain: "bücher.example"}'
    write_seed(ws / "seeds", "f.txt", seed_text("F", "https://example.com/f", provider=provider))
    assert explained("seeds/f.txt", "--feed", "no-books")[2:] == [
        '  out no-books  excluded: provider "Books" (xn--bcher-kva.example) is excluded by'
        f' exclude_providers ["{written}"]'
    ]


def test_by_url_decoded_like_the_seed_and_one_feed(ws: Path) -> None:
    for url in ("https://example.com/e?a=1&b=2", "https://example.com/e?a=1&#038;b=2"):
        assert explained(url, "--feed", "bbc-news") == [
            'seeds/e.txt: "E" <https://example.com/e?a=1&b=2>',
            '  2020-01-05T00:00:00Z, quality 0, published, provider "BBC" (bbc.com),'
            ' category "News"; topics: none',
            "  in  bbc-news  position 1 of 1",
        ]


def test_by_url_explains_every_seed_with_it(ws: Path) -> None:
    lines = explained("https://example.com/a", "--feed", "all")
    assert [line for line in lines if not line.startswith("  2020")] == [
        'seeds/a.txt: "A" <https://example.com/a>',
        "  in  all  position 4 of 4",
        'seeds/b.txt: "B" <https://example.com/a>',
        "  out all  duplicate of seeds/a.txt, which has higher quality (80 > 55)",
    ]


def test_duplicates_newer_then_path(ws: Path) -> None:
    write_seed(
        ws / "seeds", "x1.txt", seed_text("X1", "https://example.com/x", "2021-01-01T00:00:00Z")
    )
    write_seed(
        ws / "seeds", "x2.txt", seed_text("X2", "https://example.com/x", "2021-01-02T00:00:00Z")
    )
    write_seed(
        ws / "seeds", "x3.txt", seed_text("X3", "https://example.com/x", "2021-01-02T00:00:00Z")
    )
    assert explained("x1.txt", "--feed", "all")[2] == (
        "  out all  duplicate of seeds/x2.txt, which is newer (2021-01-02T00:00:00Z)"
    )
    assert explained("x3.txt", "--feed", "all")[2] == (
        "  out all  duplicate of seeds/x2.txt,"
        " which has the same quality and date and a path that sorts first"
    )


def test_a_seed_path_given_inside_the_seeds_folder(ws: Path) -> None:
    assert explained("sub/d.txt", "--feed", "all")[2] == "  in  all  position 2 of 4"
    assert explained(str(ws / "seeds" / "sub" / "d.txt"), "--feed", "all")[0].startswith(
        "seeds/sub/d.txt: "
    )


def test_other_seeds_folder_and_config(ws: Path) -> None:
    (ws / "config" / "feeds.yaml").rename(ws / "f.yaml")
    (ws / "seeds").rename(ws / "items")
    result = run("explain", "items/c.txt", "--seeds", "items", "--config", "f.yaml", "-q")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == 'items/c.txt: "C" <https://example.com/c>'


def test_a_rejected_seed_shows_its_problems(ws: Path) -> None:
    write_seed(ws / "seeds", "bad.txt", "")
    result = run("explain", "seeds/bad.txt")
    assert result.exit_code == 1
    assert result.stderr == "seeds/bad.txt:1: front matter: file is empty\n"
    assert result.stdout == "seeds/bad.txt: rejected, so it is in no feed\n"


def test_a_repaired_seed_shows_its_warnings(ws: Path) -> None:
    write_seed(ws / "seeds", "naive.txt", seed_text("N", "https://example.com/n", "2020-06-11"))
    result = run("explain", "seeds/naive.txt", "--feed", "all")
    assert result.exit_code == 0
    assert result.stderr.startswith("seeds/naive.txt:")
    assert "publishedDateTime: warning: " in result.stderr
    assert result.stdout.splitlines()[2] == "  in  all  position 1 of 5"


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            "https://example.com/zz",
            "no valid seed has webUrl https://example.com/zz; the closest: https://example.com/d,"
            " https://example.com/c, https://example.com/a",
        ),
        ("seeds/nope.txt", "seeds/nope.txt: no such seed file"),
        ("elsewhere.txt", "elsewhere.txt: not inside the seeds folder seeds/"),
        (
            "seeds/.hidden.txt",
            "seeds/.hidden.txt: not a seed file (syndicate reads .txt, .md, .yaml, .yml;"
            " hidden files and README files are skipped)",
        ),
        (
            "seeds/README.md",
            "seeds/README.md: not a seed file (syndicate reads .txt, .md, .yaml, .yml;"
            " hidden files and README files are skipped)",
        ),
    ],
)
def test_not_found_exits_1(ws: Path, target: str, message: str) -> None:
    write_seed(ws, "elsewhere.txt", seed_text())
    write_seed(ws / "seeds", ".hidden.txt", seed_text())
    write_seed(ws / "seeds", "README.md", seed_text())  # a seed's text, in a README: skipped
    result = run("explain", target)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"error: {message}\n"


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            "seeds/notes/readme.txt",
            "seeds/notes/readme.txt: not a seed file (syndicate reads .txt, .md, .yaml, .yml;"
            " hidden files and README files are skipped)",
        ),
        ("nope.txt", "nope.txt: no such seed file (here or in seeds/)"),
    ],
)
def test_a_readme_of_prose_or_a_file_nowhere_is_named_so(
    ws: Path, target: str, message: str
) -> None:
    """A README is not read as a seed: explain says so, never "rejected" for its prose."""
    write_seed(ws / "seeds" / "notes", "readme.txt", "How to add seeds: one file per story.\n")
    result = run("explain", target)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"error: {message}\n"


def test_a_url_python_cannot_split_is_looked_for_not_a_crash(ws: Path) -> None:
    write_seed(ws / "seeds", "v6.txt", seed_text(url="https://[:]/a"))  # rejected: no IPv6
    for target in ("http://[", "https://example.com/zz"):
        result = run("explain", target)
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith(f"error: no valid seed has webUrl {target} (1 seed"), (
            result.stderr
        )


def test_not_found_mentions_rejected_seeds(ws: Path) -> None:
    write_seed(ws / "seeds", "bad.txt", "")
    result = run("explain", "https://example.com/zz")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: no valid seed has webUrl https://example.com/zz"
        " (1 seed file rejected: see `syndicate check`); the closest: https://example.com/d,"
        " https://example.com/c, https://example.com/a\n"
    )


def test_unknown_feed_and_config_error_exit_2(ws: Path) -> None:
    result = run("explain", "seeds/a.txt", "--feed", "visoin")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "error: no feed 'visoin' in the config; feeds: all, vision, bbc-news\n"
    (ws / "config" / "feeds.yaml").write_text(CONFIG + "    colour: red\n", encoding="utf-8")
    broken = run("explain", "seeds/a.txt")
    assert (broken.exit_code, broken.stdout) == (2, "")
    # explain writes nothing: the problem is the last line, no "nothing was written"
    assert len(broken.stderr.splitlines()) == 1
    assert "feeds[2].colour: unknown key 'colour'" in broken.stderr


def test_explain_needs_a_target(ws: Path) -> None:
    result = run("explain")
    assert result.exit_code == 2
    assert "Missing argument 'SEED_PATH_OR_URL'" in result.stderr


# --------------------------------------------------------------------------- feeds


def test_feeds_table(ws: Path) -> None:
    result = run("feeds")
    assert result.exit_code == 0
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert [re.split(r"  +", line) for line in lines] == [
        ["id", "title", "items", "newest", "rules", "files"],
        ["all", "Everything", "4", "2020-01-05", "no limit", "rss.xml atom.xml feed.json"],
        [
            "vision",
            "Vision",
            "1",
            "2020-01-03",
            "topics: Computer Vision; quality >= 70; limit 1",
            "rss.xml atom.xml feed.json",
        ],
        [
            "bbc-news",
            "BBC news",
            "1",
            "2020-01-05",
            "not topics: Robotics; published only; providers: bbc.com; categories: news;"
            " from 2020-01-02T00:00:00Z; limit 50",
            "feed.json",
        ],
    ]
    # columns line up: text left-aligned, the item count right-aligned under its header
    end_of_items = lines[0].index("items") + len("items")
    for line in lines[1:]:
        assert line.index("2020-") == lines[0].index("newest")
        assert line[end_of_items - 1].isdigit() and line[end_of_items] == " "


def test_feeds_json(ws: Path) -> None:
    result = run("feeds", "--format", "json")
    assert result.exit_code == 0
    feeds = json.loads(result.stdout)
    assert [f["id"] for f in feeds] == ["all", "vision", "bbc-news"]
    assert feeds[2] == {
        "id": "bbc-news",
        "title": "BBC news",
        "description": "BBC news",  # as published: no description of its own or the site's
        "rules": {
            "exclude_topics": ["Robotics"],
            "published_only": True,
            "providers": ["bbc.com"],
            "categories": ["news"],
            "published_after": "2020-01-02T00:00:00Z",
        },
        "limit": 50,
        "formats": ["json"],
        "items": 1,
        "newest": "2020-01-05T00:00:00Z",
        "files": ["bbc-news/feed.json"],
    }
    assert feeds[0]["rules"] == {}
    assert feeds[0]["files"] == ["all/rss.xml", "all/atom.xml", "all/feed.json"]


def test_feeds_notes_rejected_seeds_unless_quiet(ws: Path) -> None:
    """A rejected seed: exit 1, as for every command."""
    write_seed(ws / "seeds", "bad.txt", "")
    result = run("feeds")
    assert result.exit_code == 1
    assert result.stderr == "note: 1 seed file rejected, not counted (see `syndicate check`)\n"
    quiet = run("feeds", "-q", "--format", "json")
    assert (quiet.exit_code, quiet.stderr) == (1, "")
    assert len(json.loads(quiet.stdout)) == 3


def test_feeds_empty_feed_and_config_error(ws: Path) -> None:
    (ws / "seeds").rename(ws / "none")
    (ws / "seeds").mkdir()
    result = run("feeds", "--format", "json")
    assert result.exit_code == 0
    assert [(f["items"], f["newest"]) for f in json.loads(result.stdout)] == [(0, None)] * 3
    assert result.stderr.splitlines() == [
        f"config/feeds.yaml:{line}: feeds.{feed}: warning: feed {feed!r} selected no items{hint}"
        for line, feed, hint in [
            (5, "all", ""),
            (8, "vision", "; no seed has topic 'Computer Vision'"),
            (13, "bbc-news", ""),
        ]
    ]
    assert run("feeds").stdout.splitlines()[1].startswith("all       Everything      0  -  ")
    (ws / "config" / "feeds.yaml").write_text("feeds: []\n", encoding="utf-8")
    broken = run("feeds")
    assert (broken.exit_code, broken.stdout) == (2, "")


@pytest.mark.parametrize(
    ("target", "differs"),
    [
        ("https://example.com/c/", "a trailing slash"),
        ("http://example.com/c", "http for https"),
        ("https://EXAMPLE.com/c", "the case of the host"),
        ("https://example.com/c?utm_source=news&utm_medium=rss", "utm_* parameters"),
        (
            "http://Example.COM/c/?utm_campaign=x#top",
            "a fragment, a trailing slash, http for https, the case of the host, utm_* parameters",
        ),
    ],
)
def test_a_url_that_almost_matches_finds_the_seed(ws: Path, target: str, differs: str) -> None:
    result = run("explain", target)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"note: no seed has webUrl {target} exactly; matched https://example.com/c"
        f" (differs by: {differs})"
    )
    assert lines[1] == 'seeds/c.txt: "C" <https://example.com/c>'


def test_a_url_that_matches_nothing_lists_the_closest(ws: Path) -> None:
    result = run("explain", "https://example.com/e?a=1&b=3")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "error: no valid seed has webUrl https://example.com/e?a=1&b=3; the closest:"
        " https://example.com/e?a=1&b=2, https://example.com/a, https://example.com/d\n"
    )
