"""Every length limit of the seed model keeps the item: text over its limit is shortened on a
grapheme-cluster boundary with "…", the same in RSS, Atom, JSON Feed and the preview page, and
a warning names the seed, the line and the field; lists over their limit keep their start."""

from __future__ import annotations

import json
from html import unescape
from pathlib import Path

import pytest
from lxml import etree

from syndicate.seeds.models import MAX_EXCERPT, MAX_NAME, MAX_TITLE, MAX_TOPICS
from syndicate.seeds.shorten import ELLIPSIS

from badinput import Workspace, seed_text

ATOM = "{http://www.w3.org/2005/Atom}"
FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467"  # one grapheme cluster, 5 code points


def _seed_lines(lines: list[str]) -> list[str]:
    """The problems of seeds (the config's feed `cv` selects nothing here: a warning)."""
    return [line for line in lines if line.startswith("seeds/")]


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.chdir(tmp_path)
    return Workspace.create(tmp_path)


def test_long_title_is_shortened_alike_in_every_format_and_the_page(ws: Workspace) -> None:
    # The cut at 999 characters would fall inside the family emoji: it goes whole.
    title = "x" * 996 + FAMILY + " and more"
    ws.seed("long.txt", seed_text(title=title, url="https://example.com/long"))
    run = ws.build()
    assert run.code == 0, run.report()
    shortened = "x" * 996 + ELLIPSIS
    assert _seed_lines(run.lines) == [
        f"seeds/long.txt:2: title: warning: title is {len(title):,} characters, over the limit"
        " of 1,000; shortened to 997, ending with '…'"
    ]
    feed = ws.out / "all"
    assert json.loads((feed / "feed.json").read_text("utf-8"))["items"][0]["title"] == shortened
    rss = etree.parse(str(feed / "rss.xml"))
    assert rss.findtext("channel/item/title") == shortened
    atom = etree.parse(str(feed / "atom.xml"))
    assert atom.findtext(f"{ATOM}entry/{ATOM}title") == shortened
    page = (feed / "index.html").read_text("utf-8")
    assert f">{shortened}</a>" in unescape(page)
    assert FAMILY not in page


def test_title_at_the_limit_is_written_whole(ws: Workspace) -> None:
    ws.seed("long.txt", seed_text(title="é" * MAX_TITLE))
    run = ws.build()
    assert (run.code, _seed_lines(run.lines)) == (0, [])
    assert ws.items()[0]["title"] == "é" * MAX_TITLE


def _over(limit: int) -> str:
    return "y" * (limit + 5)


def _shortened(limit: int) -> str:
    return "y" * (limit - 1) + ELLIPSIS


def _warning(line: int, field: str, key: str, limit: int) -> str:
    return (
        f"seeds/bad.txt:{line}: {field}: warning: {key} is {limit + 5:,} characters, over the"
        f" limit of {limit:,}; shortened to {limit:,}, ending with '…'"
    )


@pytest.mark.parametrize(
    ("extra", "expected", "read"),
    [
        pytest.param(
            f'excerpt: "{_over(MAX_EXCERPT)}"\n',
            _warning(5, "excerpt", "excerpt", MAX_EXCERPT),
            lambda item: item["summary"],
            id="excerpt",
        ),
        pytest.param(
            f'provider:\n  name: "{_over(MAX_NAME)}"\n',
            _warning(6, "provider.name", "name", MAX_NAME),
            lambda item: item["authors"][0]["name"],
            id="provider-name",
        ),
        pytest.param(
            f'images:\n  - url: "https://example.com/i.png"\n    title: "{_over(MAX_TITLE)}"\n',
            _warning(7, "images[0].title", "title", MAX_TITLE),
            lambda item: item["attachments"][0]["title"],
            id="image-title",
        ),
        pytest.param(
            f'related:\n  - title: "{_over(MAX_TITLE)}"\n    webUrl: "https://example.com/r"\n',
            _warning(6, "related[0].title", "title", MAX_TITLE),
            lambda item: item["_syndicate"]["related"][0]["title"],
            id="related-title",
        ),
        pytest.param(
            'related:\n  - title: "R"\n    webUrl: "https://example.com/r"\n'
            f'    provider:\n      name: "{_over(MAX_NAME)}"\n',
            _warning(9, "related[0].provider.name", "name", MAX_NAME),
            lambda item: item["_syndicate"]["related"][0]["provider"],
            id="related-provider-name",
        ),
    ],
)
def test_text_over_its_limit_is_shortened(
    ws: Workspace, extra: str, expected: str, read: object
) -> None:
    ws.seed("bad.txt", seed_text(extra=extra))
    run = ws.build()
    assert run.code == 0, run.report()
    assert _seed_lines(run.lines) == [expected]
    limit = int(expected.split("limit of ")[1].split(";")[0].replace(",", ""))
    assert callable(read)
    assert read(ws.items()[0]) == _shortened(limit)


def test_related_excerpt_over_its_limit_is_shortened(ws: Workspace) -> None:
    extra = (
        f'related:\n  - title: "R"\n    webUrl: "https://example.com/r"\n'
        f'    excerpt: "{_over(MAX_EXCERPT)}"\n'
    )
    ws.seed("bad.txt", seed_text(extra=extra))
    run = ws.build()
    assert run.code == 0, run.report()
    assert _seed_lines(run.lines) == [_warning(8, "related[0].excerpt", "excerpt", MAX_EXCERPT)]


def test_more_topics_than_the_limit_keeps_the_first(ws: Workspace) -> None:
    topics = ", ".join(f"t{n}" for n in range(MAX_TOPICS + 20))
    ws.seed("bad.txt", seed_text(extra=f"topics: [{topics}]\n"))
    run = ws.build()
    assert run.code == 0, run.report()
    expected = "seeds/bad.txt:5: topics: warning: kept the first 100 of 120 topics"
    assert _seed_lines(run.lines) == [expected]
    assert ws.items()[0]["tags"] == [f"t{n}" for n in range(MAX_TOPICS)]
