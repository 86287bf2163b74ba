"""What reaches out/: written atomically, only what a build owns is removed, and every byte of
seed text stays text (no markup, no script, no URL that is not http(s)) in all three formats."""

from __future__ import annotations

import errno
import json
import re
import shutil
from pathlib import Path
from typing import Any

import feedparser
import pytest
from lxml import etree
from lxml import html as lxml_html

import syndicate.publish.output

from badinput import (
    CONFIG,
    GOOD_SEEDS,
    SITE_LINES,
    Workspace,
    age,
    leftovers,
    mtimes,
    quote,
    seed_text,
    tree,
)


def _change_every_item(ws: Workspace) -> None:
    for name, text in GOOD_SEEDS.items():
        ws.seed(name, text.replace("Good", "Better"))


# --------------------------------------------------------------------------- atomic writes


def test_failed_write_leaves_every_previous_file_intact(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ws.build().code == 0
    age(ws.out)
    before, stamps = tree(ws.out), mtimes(ws.out)
    _change_every_item(ws)
    real = syndicate.publish.output._stage
    calls = []

    def failing_stage(target: Path, data: bytes) -> Path:
        calls.append(target)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(target, data)

    monkeypatch.setattr(syndicate.publish.output, "_stage", failing_stage)
    run = ws.build()
    assert run.code == 2, run.report()
    assert run.lines == [
        "error: cannot write out/all/feed.json: No space left on device; out/ was left as it was"
    ]
    assert len(calls) == 3
    assert (tree(ws.out), mtimes(ws.out)) == (before, stamps)
    assert leftovers(ws.out) == []

    monkeypatch.setattr(syndicate.publish.output, "_stage", real)
    run = ws.build()
    assert run.code == 0, run.report()
    assert b"Better one" in (ws.out / "all" / "feed.json").read_bytes()


def test_a_full_render_that_changes_nothing_needs_no_room_to_write(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh clone's build (no cache) on a full disk or a read-only out/: every file is as it
    would be written, so nothing is written and the build succeeds."""
    ws.good_seeds()
    assert ws.build().code == 0
    age(ws.out)
    before, stamps = tree(ws.out), mtimes(ws.out)

    def full(target: Path, data: bytes) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(syndicate.publish.output, "_stage", full)
    run = ws.build("--no-cache", "--jobs", "1")
    assert run.code == 0, run.report()
    assert run.stdout.splitlines()[-1].startswith("files: 0 written")
    assert (tree(ws.out), mtimes(ws.out)) == (before, stamps)
    _change_every_item(ws)  # and when something does change, the error stands
    run = ws.build("--no-cache", "--jobs", "1")
    assert run.code == 2, run.report()
    assert "No space left on device" in run.lines[-1]
    assert (tree(ws.out), mtimes(ws.out)) == (before, stamps)


def test_feed_folder_blocked_by_a_file_fails_cleanly(ws: Workspace) -> None:
    assert ws.build().code == 0
    for path in (ws.out / "cv").iterdir():
        path.unlink()
    (ws.out / "cv").rmdir()
    (ws.out / "cv").write_text("a user's file where a feed folder goes\n", encoding="utf-8")
    _change_every_item(ws)
    before, stamps = tree(ws.out), mtimes(ws.out)
    run = ws.build()
    assert run.code == 2, run.report()
    assert run.lines == [
        "error: cannot write out/cv/rss.xml: Not a directory; out/ was left as it was"
    ]
    assert (tree(ws.out), mtimes(ws.out)) == (before, stamps)
    assert leftovers(ws.out) == []


def test_folder_in_place_of_an_output_file_fails_cleanly(ws: Workspace) -> None:
    assert ws.build().code == 0
    (ws.out / "cv" / "rss.xml").unlink()
    (ws.out / "cv" / "rss.xml").mkdir()
    _change_every_item(ws)
    before, stamps = tree(ws.out), mtimes(ws.out)
    run = ws.build()
    assert run.code == 2, run.report()
    assert len(run.lines) == 1 and run.lines[0].startswith("error: "), run.report()
    assert leftovers(ws.out) == []
    assert (tree(ws.out), mtimes(ws.out)) == (before, stamps)


def test_every_file_is_renamed_into_place_from_a_temporary_file(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = syndicate.publish.output._stage
    staged: dict[str, int] = {}

    def spy(target: Path, data: syndicate.publish.output.Content) -> Path:
        temp = real(target, data)
        assert temp.parent.resolve() == target.parent.resolve()
        assert temp.name.startswith(f".{target.name}.") and temp.name.endswith(".tmp")
        assert temp.read_bytes() == syndicate.publish.output.content_bytes(data)
        staged[target.relative_to(ws.out).as_posix()] = temp.stat().st_ino
        return temp

    monkeypatch.setattr(syndicate.publish.output, "_stage", spy)
    run = ws.build()
    assert run.code == 0, run.report()
    files = tree(ws.out)
    assert sorted(staged) == sorted(files)
    for name in files:
        assert (ws.out / name).stat().st_ino == staged[name], f"{name} was not renamed into place"
    assert leftovers(ws.out) == []


def test_out_is_a_regular_file(ws: Workspace) -> None:
    Path("afile").write_text("mine\n", encoding="utf-8")
    run = ws.build(out=Path("afile"))
    assert run.code == 2
    assert run.lines == ["error: afile: output path exists and is not a folder"]
    assert Path("afile").read_text("utf-8") == "mine\n"


def test_an_output_folder_that_cannot_be_written_still_tells_the_seeds_problems(
    ws: Workspace,
) -> None:
    """The editor learns both: what is wrong with the seeds, and why nothing was written."""
    ws.good_seeds()
    ws.seed("bad.txt", seed_text(title=""))
    Path("afile").write_text("mine\n", encoding="utf-8")
    run = ws.build(out=Path("afile"))
    assert run.code == 2
    assert run.lines == [
        "seeds/bad.txt:2: title: must not be empty",
        "error: afile: output path exists and is not a folder",
    ]


@pytest.mark.parametrize("change", ["write", "remove"])
def test_a_feed_folder_that_is_a_link_is_never_written_or_emptied_through(
    ws: Workspace, tmp_path: Path, change: str
) -> None:
    """out/cv -> a folder elsewhere: a build would replace (or, once the feed is gone from
    the config, remove) the files there. It stops instead, and says which link."""
    ws.good_seeds()
    assert ws.build().code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "rss.xml").write_text("someone else's file\n", encoding="utf-8")
    shutil.rmtree(ws.out / "cv")
    (ws.out / "cv").symlink_to(elsewhere, target_is_directory=True)
    if change == "remove":
        ws.write_config(CONFIG.split("  - id: cv")[0])
    before = tree(ws.out.resolve())
    run = ws.build("--no-cache")
    assert run.code == 2, run.report()
    assert run.lines == [
        "error: out/cv is a symbolic link: syndicate never writes or removes files through"
        " one; remove the link; out/ was left as it was"
    ]
    assert (elsewhere / "rss.xml").read_text("utf-8") == "someone else's file\n"
    assert sorted(p.name for p in elsewhere.iterdir()) == ["rss.xml"]
    assert tree(ws.out.resolve()) == before
    assert leftovers(ws.out) == []


def test_out_below_a_regular_file(ws: Workspace) -> None:
    Path("afile").write_text("mine\n", encoding="utf-8")
    run = ws.build(out=Path("afile/out"))
    assert run.code == 2
    assert len(run.lines) == 1 and run.lines[0].startswith("error: "), run.report()
    assert Path("afile").read_text("utf-8") == "mine\n"


# --------------------------------------------------------------------------- unchanged, removed


def test_unchanged_files_keep_their_mtime(ws: Workspace) -> None:
    assert ws.build().code == 0
    age(ws.out)
    stamps = mtimes(ws.out)
    run = ws.build()
    assert run.code == 0
    assert run.stdout.splitlines()[-1] == "files: 0 written, 10 unchanged, 0 removed"
    assert mtimes(ws.out) == stamps

    ws.seed("good-2.txt", GOOD_SEEDS["good-2.txt"].replace("Good two", "Good 2"))  # not in cv
    run = ws.build()
    assert run.code == 0
    assert run.stdout.splitlines()[-1] == "files: 4 written, 6 unchanged, 0 removed"
    now = mtimes(ws.out)
    changed = sorted(name for name in now if now[name] != stamps[name])
    assert changed == ["all/atom.xml", "all/feed.json", "all/index.html", "all/rss.xml"]


def test_files_of_a_removed_feed_are_deleted_and_nothing_else(ws: Workspace) -> None:
    assert ws.build().code == 0
    age(ws.out)
    Path("out/notes.txt").write_text("mine\n", encoding="utf-8")
    Path("out/cv/keep.txt").write_text("mine too\n", encoding="utf-8")
    Path("out/other").mkdir()
    Path("out/other/rss.xml").write_text("not ours\n", encoding="utf-8")
    stamps = mtimes(ws.out)
    ws.write_config(SITE_LINES + 'feeds:\n  - id: all\n    title: "Everything"\n    limit: 0\n')
    run = ws.build()
    assert run.code == 0, run.report()
    # the site pages list the feeds, so they change; the kept feed's files do not
    assert run.stdout.splitlines()[-1] == "files: 2 written, 4 unchanged, 4 removed"
    assert sorted(tree(ws.out)) == [
        ".syndicate-manifest.json",
        "all/atom.xml",
        "all/feed.json",
        "all/index.html",
        "all/rss.xml",
        "cv/keep.txt",
        "feeds.opml",
        "index.html",
        "notes.txt",
        "other/rss.xml",
    ]
    now = mtimes(ws.out)
    site_files = {".syndicate-manifest.json", "feeds.opml", "index.html"}
    assert all(now[n] == stamps[n] for n in now if n not in site_files)
    manifest = json.loads(Path("out/.syndicate-manifest.json").read_text("utf-8"))
    assert manifest == [
        "all/atom.xml",
        "all/feed.json",
        "all/index.html",
        "all/rss.xml",
        "feeds.opml",
        "index.html",
    ]


def test_folder_of_a_removed_feed_goes_when_empty(ws: Workspace) -> None:
    assert ws.build().code == 0
    ws.write_config(
        SITE_LINES + 'feeds:\n  - id: all\n    title: "Everything"\n    formats: [json]\n'
    )
    run = ws.build()
    assert run.code == 0, run.report()
    assert sorted(tree(ws.out)) == [
        ".syndicate-manifest.json",
        "all/feed.json",
        "all/index.html",
        "feeds.opml",
        "index.html",
    ]
    assert not (ws.out / "cv").exists()


def test_only_files_in_the_manifest_are_removed(ws: Workspace) -> None:
    assert ws.build().code == 0
    Path("out/.syndicate-manifest.json").unlink()
    ws.write_config(SITE_LINES + 'feeds:\n  - id: all\n    title: "Everything"\n')
    run = ws.build()
    assert run.code == 0, run.report()
    assert sorted(p.name for p in (ws.out / "cv").iterdir()) == [
        "atom.xml",
        "feed.json",
        "index.html",
        "rss.xml",
    ]


@pytest.mark.parametrize(
    "names",
    [
        ["../victim.txt"],
        ["all/../../victim.txt"],
        [str(Path("victim.txt").resolve())],
        "not a list",
    ],
    ids=["parent", "dotdot-inside", "absolute", "not-a-list"],
)
def test_a_tampered_manifest_never_removes_files_outside_out(ws: Workspace, names: Any) -> None:
    Path("victim.txt").write_text("precious\n", encoding="utf-8")
    ws.out.mkdir()
    Path("out/.syndicate-manifest.json").write_text(json.dumps(names), encoding="utf-8")
    run = ws.build()
    assert run.code == 0, run.report()
    assert Path("victim.txt").read_text("utf-8") == "precious\n"


def test_a_broken_manifest_is_ignored(ws: Workspace) -> None:
    ws.out.mkdir()
    Path("out/.syndicate-manifest.json").write_bytes(b"\xff{not json")
    run = ws.build()
    assert run.code == 0, run.report()
    manifest = json.loads(Path("out/.syndicate-manifest.json").read_text("utf-8"))
    assert len(manifest) == 10  # 2 feeds x (3 formats + preview page) + index.html + feeds.opml


def test_a_corrupt_parse_cache_is_ignored(ws: Workspace) -> None:
    assert ws.build().code == 0
    before = tree(ws.out)
    cache = ws.config.parent / ".syndicate-cache"
    if not cache.is_dir():
        pytest.skip("this build keeps no parse cache")
    for path in cache.rglob("*"):
        if path.is_file():
            path.write_bytes(b"\x00 not a cache")
    run = ws.build()
    assert run.code == 0, run.report()
    assert tree(ws.out) == before
    shutil.rmtree(cache)
    cache.write_text("a file where the cache folder goes\n", encoding="utf-8")
    run = ws.build()
    assert run.code == 0, run.report()
    assert tree(ws.out) == before


# --------------------------------------------------------------------------- text stays text

NASTY_TITLE = "<script>alert(1)</script> & <img src=x onerror=alert(2)> ]]> &amp; end"
NASTY_EXCERPT = (
    "Para <script>alert(3)</script> & ]]> <b>bold</b>\nsecond <img src=x onerror=alert(4)>"
)
NASTY = {
    "provider": "<script>alert('p')</script>",
    "image": "<img src=x onerror=alert(5)>",
    "related": "R ]]> <script>alert(6)</script> &",
    "topic": "<script>t</script>&",
}
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
ATOM_NS = "http://www.w3.org/2005/Atom"
BAD_SCHEMES = re.compile(rb"(?i)\b(?:javascript|vbscript|data|file|ftp)\s*:")


def _nasty_seed() -> str:
    return seed_text(
        title=NASTY_TITLE,
        url="https://example.com/nasty?a=1&#038;b=2",
        extra=(
            f"excerpt: {quote(NASTY_EXCERPT)}\n"
            f"topics: [{quote(NASTY['topic'])}, Computer Vision]\n"
            f"provider:\n  name: {quote(NASTY['provider'])}\n  domain: example.com\n"
            f"images:\n  - url: https://example.com/i.png\n    title: {quote(NASTY['image'])}\n"
            f"related:\n  - title: {quote(NASTY['related'])}\n    webUrl: https://example.com/r\n"
        ),
    )


def _contents(out: Path) -> list[str]:
    """The item's HTML content as each format carries it, read back by an XML/JSON parser."""
    rss = etree.parse(str(out / "all" / "rss.xml"))
    atom = etree.parse(str(out / "all" / "atom.xml"))
    feed = json.loads((out / "all" / "feed.json").read_text("utf-8"))
    # RSS: content:encoded, or the description when the item has no excerpt (output.md).
    rss_body = rss.findtext(f"channel/item/{{{CONTENT_NS}}}encoded")
    return [
        rss_body if rss_body is not None else rss.findtext("channel/item/description"),
        atom.findtext(f"{{{ATOM_NS}}}entry/{{{ATOM_NS}}}content"),
        feed["items"][0]["content_html"],
    ]


def test_markup_in_seed_text_stays_text_in_every_format(ws: Workspace) -> None:
    for name in GOOD_SEEDS:
        (ws.seeds / name).unlink()
    ws.seed("nasty.txt", _nasty_seed())
    run = ws.build()
    assert run.code == 0, run.report()

    for name in ("rss.xml", "atom.xml"):
        data = (ws.out / "all" / name).read_bytes()
        etree.fromstring(data)  # well-formed
        parsed = feedparser.parse(data)
        assert not parsed.bozo, parsed.get("bozo_exception")
        entry = parsed.entries[0]
        assert entry.title == NASTY_TITLE, name
        assert [t.term for t in entry.tags] == [NASTY["topic"], "Computer Vision"]
        related = [link for link in entry.links if link.get("rel") == "related"]
        assert [link.get("title") for link in related] == [NASTY["related"]], name

    item = json.loads((ws.out / "all" / "feed.json").read_text("utf-8"))["items"][0]
    assert item["title"] == NASTY_TITLE
    assert item["summary"] == item["content_text"] == NASTY_EXCERPT
    assert item["tags"] == [NASTY["topic"], "Computer Vision"]
    assert item["authors"][0]["name"] == NASTY["provider"]
    assert item["attachments"][0]["title"] == NASTY["image"]
    assert item["_syndicate"]["related"][0]["title"] == NASTY["related"]

    atom = feedparser.parse((ws.out / "all" / "atom.xml").read_bytes()).entries[0]
    assert atom.summary == NASTY_EXCERPT

    contents = _contents(ws.out)
    assert contents[0] == contents[1] == contents[2], "one HTML body in all three formats"
    root = lxml_html.fragment_fromstring(contents[0], create_parent="div")
    tags = {element.tag for element in root.iter() if isinstance(element.tag, str)}
    assert tags <= {"div", "p", "img", "a", "h3", "ul", "li"}, tags
    assert "script" not in tags and "b" not in tags
    for element in root.iter():
        assert not [a for a in element.attrib if a.lower().startswith("on")], element.attrib
    text = root.text_content()
    for piece in (
        "<script>alert(3)</script> & ]]> <b>bold</b>",
        "<img src=x onerror=alert(4)>",
        NASTY["related"],
        NASTY["provider"],
    ):
        assert piece in text
    assert root.find(".//img").get("alt") == NASTY["image"]
    assert [a.get("href") for a in root.iter("a")] == [
        "https://example.com/nasty?a=1&b=2",
        "https://example.com/r",
    ]


def test_markup_in_config_text_stays_text(ws: Workspace) -> None:
    ws.write_config(
        'site:\n  title: "<b>Site</b> & co"\n  base_url: "https://example.org/news/"\n'
        '  description: "<script>alert(1)</script>"\n'
        'feeds:\n  - id: all\n    title: "A ]]> <script>x</script> & B"\n'
    )
    run = ws.build()
    assert run.code == 0, run.report()
    for name in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse((ws.out / "all" / name).read_bytes())
        assert not parsed.bozo
        assert parsed.feed.title == "A ]]> <script>x</script> & B"
    document = json.loads((ws.out / "all" / "feed.json").read_text("utf-8"))
    assert document["title"] == "A ]]> <script>x</script> & B"
    assert document["description"] == "<script>alert(1)</script>"


def _all_urls(out: Path) -> list[str]:
    urls = []
    for name in ("rss.xml", "atom.xml"):
        for element in etree.parse(str(out / "all" / name)).iter():
            if not isinstance(element.tag, str):
                continue
            urls += [v for k, v in element.attrib.items() if k in ("href", "url", "src", "uri")]
            local = etree.QName(element).localname
            if local in ("link", "guid", "id", "uri") and element.text and element.text.strip():
                urls.append(element.text.strip())
    document = json.loads((out / "all" / "feed.json").read_text("utf-8"))

    def walk(node: Any, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif key in ("url", "id", "image", "avatar", "home_page_url", "feed_url"):
            urls.append(node)

    walk(document)
    for content in _contents(out):
        root = lxml_html.fragment_fromstring(content, create_parent="div")
        urls += [e.get(a) for e in root.iter() for a in ("href", "src") if e.get(a)]
    return urls


def test_no_url_other_than_http_reaches_any_output(ws: Workspace) -> None:
    bad = [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:image/png;base64,AAAA",
        "file:///etc/passwd",
        "vbscript:msgbox(1)",
        "ftp://example.com/x",
        "/relative.png",
        "javascript&#58;alert(1)",
        " javascript:alert(1)",
    ]
    images = "".join(f"  - url: {quote(url)}\n" for url in bad)
    provider_images = images.replace("  -", "    -")
    related = "".join(f"  - title: R{i}\n    webUrl: {quote(url)}\n" for i, url in enumerate(bad))
    ws.seed(
        "evil.txt",
        seed_text(
            url="https://example.com/evil",
            extra=(
                f"ampWebUrl: {quote(bad[0])}\ncdnAmpWebUrl: {quote(bad[2])}\n"
                f"provider:\n  name: P\n  domain: example.com\n  images:\n{provider_images}"
                f"images:\n{images}  - url: https://example.com/ok.png\n"
                f"related:\n{related}"
                "  - title: Fine\n    webUrl: https://example.com/fine\n"
                f"    images:\n{images.replace('  -', '      -')}"
            ),
        ),
    )
    for url in bad:
        ws.seed(f"evil-{bad.index(url)}.txt", seed_text(url=url))
    run = ws.build()
    assert run.code == 1, run.report()
    for name, data in tree(ws.out).items():
        assert not BAD_SCHEMES.search(data), (name, BAD_SCHEMES.search(data))
    urls = _all_urls(ws.out)
    assert "https://example.com/evil" in urls and "https://example.com/fine" in urls
    assert "https://example.com/ok.png" in urls
    for url in urls:
        assert re.match(r"https?://[^\s/]+", url), url
