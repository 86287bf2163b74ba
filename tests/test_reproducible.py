"""Reproducible output: the committed out/ is what `syndicate build` makes, in any time zone,
at any time; the feedgen workarounds hold."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from lxml import etree

from conftest import GOLDEN, ROOT, build_into


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _cli_build(out: Path, tz: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TZ": tz, "LC_ALL": "C"}
    return subprocess.run(
        [sys.executable, "-m", "syndicate", "build", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_committed_out_matches_a_fresh_build(tmp_path: Path) -> None:
    result = _cli_build(tmp_path / "out", "UTC")
    assert result.returncode == 0, result.stderr
    fresh, committed = _files(tmp_path / "out"), _files(ROOT / "out")
    stale = sorted(n for n in fresh.keys() | committed.keys() if fresh.get(n) != committed.get(n))
    assert not stale, f"out/ is stale, run `syndicate build`: {stale}"


def test_two_builds_in_different_time_zones_seconds_apart(tmp_path: Path) -> None:
    first = _cli_build(tmp_path / "a", "Pacific/Kiritimati")
    time.sleep(1.1)
    second = _cli_build(tmp_path / "b", "America/Los_Angeles")
    assert first.returncode == second.returncode == 0
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_no_date_is_now(tmp_path: Path) -> None:
    build_into(GOLDEN / "real-seeds" / "seeds", GOLDEN / "real-seeds" / "feeds.yaml", tmp_path)
    year = time.strftime("%Y").encode()
    for data in _files(tmp_path).values():
        assert year not in data


def test_feedgen_quirks_are_worked_around(tmp_path: Path) -> None:
    build_into(GOLDEN / "escaping" / "seeds", GOLDEN / "escaping" / "feeds.yaml", tmp_path)
    atom = etree.parse(str(tmp_path / "all" / "atom.xml"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    # issue #135/#143: every entry link keeps rel, type and title
    for link in atom.iterfind("a:entry/a:link", ns):
        assert link.get("rel") in {"alternate", "enclosure", "related"}
        if link.get("rel") != "related":
            assert link.get("type")
    entry = atom.find("a:entry[a:title='Same story, higher quality']", ns)
    assert [(link.get("rel"), link.get("type")) for link in entry.iterfind("a:link", ns)] == [
        ("alternate", "text/html"),
        ("enclosure", "image/gif"),
    ]
    assert atom.find("a:updated", ns).text == "2021-03-07T10:00:00+00:00"
    rss = etree.parse(str(tmp_path / "all" / "rss.xml"))
    # the channel link is the site, not the self link given to feedgen first
    assert rss.findtext("channel/link") == "https://example.org/feeds/"
    assert rss.findtext("channel/lastBuildDate") == "Sun, 07 Mar 2021 10:00:00 +0000"
    # one enclosure per item even when the seed has several images
    (item,) = [
        i for i in rss.iterfind("channel/item") if i.findtext("title").startswith("<script>")
    ]
    assert len(item.findall("enclosure")) == 1
    assert len(item.findall("{http://search.yahoo.com/mrss/}content")) == 2
    # items in feed order (feedgen prepends by default)
    titles = [t.text for t in rss.iterfind("channel/item/title")]
    assert titles[0] == "Unpublished story"


def test_empty_feed_has_a_fixed_date(tmp_path: Path) -> None:
    build_into(GOLDEN / "escaping" / "seeds", GOLDEN / "escaping" / "feeds.yaml", tmp_path)
    atom = etree.parse(str(tmp_path / "empty" / "atom.xml"))
    assert atom.findtext("{http://www.w3.org/2005/Atom}updated") == "1970-01-01T00:00:00+00:00"
