"""Property tests: any seed that validates renders in every format, parseable, text intact;
two builds give the same bytes."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import feedparser
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from syndicate.words import _INVISIBLE, XML_FORBIDDEN, invisible

from conftest import SMALL_CONFIG, build_into

TRICKY = [
    "]]>",
    "<script>alert(1)</script>",
    "&",
    "&amp;",
    "&#038;",
    "<![CDATA[",
    "\x00",
    "\x0b",
    "\ufffe",
    "\u2028",
    "\x85",
    "🧑‍💻",
    "\u00a0",
    "'",
    '"',
    "\\",
    "\r\n",
    "--",
    "\t",
]
text = st.lists(st.one_of(st.text(max_size=12), st.sampled_from(TRICKY)), max_size=6).map("".join)
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def feedparser_view(text: str) -> str:
    """feedparser "repairs" text of a UTF-8 feed whose Latin-1 encoding is valid UTF-8
    (it takes it for double-encoded mojibake): 'Ã©' reads as 'é'. Its heuristic, not our output."""
    try:
        return text.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _as_read(value: str) -> str:
    """The value as YAML reads it back (a raw NEL, for one, is a line break to YAML 1.1)."""
    text = yaml.safe_dump({"v": value}, allow_unicode=True)
    read: str = yaml.safe_load(text)["v"]
    return read


def _write_and_build(fields: dict[str, object], folder: Path) -> tuple[Path, list[str]]:
    (folder / "seeds").mkdir()
    body = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)
    (folder / "seeds" / "one.txt").write_text(f"---\n{body}---\n", encoding="utf-8")
    (folder / "feeds.yaml").write_text(SMALL_CONFIG, encoding="utf-8")
    report = build_into(folder / "seeds", folder / "feeds.yaml", folder / "out")
    return folder / "out" / "all", [str(p) for p in report.errors]


def _expected(value: str) -> str:
    """NEL as a line feed, other forbidden characters removed, carriage returns as line feeds,
    trimmed."""
    cleaned = XML_FORBIDDEN.sub("", value.replace("\x85", "\n"))
    cleaned = cleaned.replace("\r\n", "\n").replace("\r", "\n")
    return cleaned.strip()


@SETTINGS
@given(title=text, excerpt=text, topic=text, provider=text)
def test_any_valid_seed_renders_everywhere(
    title: str, excerpt: str, topic: str, provider: str
) -> None:
    assume(_expected(_as_read(title)))
    fields = {
        "title": title,
        "excerpt": excerpt,
        "webUrl": "https://example.com/a?x=1&#038;y=2",
        "publishedDateTime": "2020-01-02T03:04:05Z",
        "topics": [topic] if topic.strip() else [],
        "provider": {"name": provider or "P", "domain": "example.com"},
        "images": [{"url": "https://img.example.com/p.png", "title": title}],
        "related": [{"title": title, "webUrl": "https://r.example.com/1"}],
    }
    with tempfile.TemporaryDirectory(prefix="prop-") as temp:
        _check_rendering(fields, Path(temp), title, provider)


def _check_rendering(fields: dict[str, object], folder: Path, title: str, provider: str) -> None:
    out, errors = _write_and_build(fields, folder)
    if not _expected(_as_read(provider or "P")):
        return  # an empty provider name is dropped; covered by the bad-seed tests
    assert errors == []
    url = "https://example.com/a?x=1&y=2"
    want = _expected(_as_read(title))
    for name in ("rss.xml", "atom.xml"):
        data = (out / name).read_bytes()
        etree.fromstring(data)  # well-formed XML 1.0
        parsed = feedparser.parse(data)
        assert not parsed.bozo, parsed.get("bozo_exception")
        (entry,) = parsed.entries
        assert entry.link == url
        if name == "rss.xml" and entry.title_detail.type == "text/html":
            # RSS titles are ambiguous: feedparser reads a title whose text looks like HTML to
            # its heuristic (an entity-like "&amp;", a close tag like "</p>") as HTML. Atom
            # (type="text") and JSON are exact.
            assert feedparser.mixin._FeedParserMixin.looks_like_html(want), want
            continue
        assert entry.title == feedparser_view(want), name
    document = json.loads((out / "feed.json").read_bytes())
    (item,) = document["items"]
    assert item["url"] == url
    assert item["title"] == want
    assert "<script>" not in item["content_html"]


@SETTINGS
@given(st.lists(st.tuples(text, st.integers(0, 5), st.integers(0, 100)), min_size=1, max_size=8))
def test_two_builds_give_the_same_bytes(items: list[tuple[str, int, int]]) -> None:
    with tempfile.TemporaryDirectory(prefix="prop-") as temp:
        _build_twice(items, Path(temp))


def _build_twice(items: list[tuple[str, int, int]], folder: Path) -> None:
    seeds = folder / "seeds"
    seeds.mkdir()
    for index, (title, hour, quality) in enumerate(items):
        fields = {
            "title": title or "t",
            "webUrl": f"https://e.com/{index % 3}",
            "publishedDateTime": f"2020-01-01T0{hour}:00:00Z",
            "quality": quality,
        }
        body = yaml.safe_dump(fields, allow_unicode=True)
        (seeds / f"{index}.txt").write_text(f"---\n{body}---\n", encoding="utf-8")
    (folder / "feeds.yaml").write_text(SMALL_CONFIG, encoding="utf-8")
    build_into(seeds, folder / "feeds.yaml", folder / "a")
    build_into(seeds, folder / "feeds.yaml", folder / "b")
    for path in sorted((folder / "a").rglob("*")):
        if path.is_file():
            assert path.read_bytes() == (folder / "b" / path.relative_to(folder / "a")).read_bytes()


@given(st.text())
def test_invisible_answers_as_its_pattern(value: str) -> None:
    """words.invisible's shortcut (a first ASCII letter or digit is shown) changes no answer."""
    assert invisible(value) == (_INVISIBLE.fullmatch(value) is not None)
    assert invisible("A" + value) is False and invisible("\u200b" + value) == invisible(value)
