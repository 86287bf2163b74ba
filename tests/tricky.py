"""A small generated corpus of seeds that are hard on writers and readers: URLs with `&`
(raw, and as the references WordPress leaks), `'`, `;`, `%`, non-ASCII paths; titles with
markup, `&`, quotes and emoji; long titles and excerpts. Deterministic for a given `seed`."""

from __future__ import annotations

import random
from pathlib import Path

from conftest import write_seed

_AMPERSANDS = ("&", "&#038;", "&#x26;", "&amp;")
_WORDS = ("AT&T", "<b>bold</b>", "R&D", '"quoted"', "it's", "]]>", "naïve", "🧑‍💻", "a;b")

CONFIG = """\
site:
  title: "Tricky & <co>"
  base_url: "https://example.org/t/"
  language: en
feeds:
  - id: everything
    title: "Everything"
    limit: 0
  - id: published
    title: "Published"
    published_only: true
    topics: ["AI"]
"""


def _query(rng: random.Random) -> tuple[str, str]:
    """A query as a seed may write it, and as it reads after decoding."""
    pairs = [f"{k}={rng.randint(1, 2000)}" for k in rng.sample("wqsabz", rng.randint(1, 4))]
    written, meant = pairs[0], pairs[0]
    for pair in pairs[1:]:
        amp = rng.choice(_AMPERSANDS)
        written += amp + pair
        meant += "&" + pair
    if rng.random() < 0.2:
        written += "&region=us;x='1'%20"
        meant += "&region=us;x='1'%20"
    return written, meant


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def make(folder: Path, count: int = 60, seed: int = 15) -> dict[str, dict[str, object]]:
    """Write `count` seeds; return, by file name, the URLs and title each must read back as."""
    rng = random.Random(seed)
    expected: dict[str, dict[str, object]] = {}
    for index in range(count):
        query, meant = _query(rng)
        url = f"https://news{index % 7}.example.com/story/{index}?{query}"
        title = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 5))) + f" {index}"
        images, image_urls = [], []
        for number in range(rng.randint(0, 3)):
            image_query, image_meant = _query(rng)
            suffix = rng.choice(("jpg", "png", "webp", ""))
            path = f"https://cdn.example.com/img/{index}-{number}.{suffix}?{image_query}"
            images.append(f"  - url: {_quoted(path)}\n    width: 800\n    title: {_quoted(title)}")
            image_urls.append(path.replace(image_query, image_meant))
        related_query, related_meant = _query(rng)
        related = f"https://other.example/r/{index}?{related_query}"
        lines = [
            "---",
            f"title: {_quoted(title)}",
            f"webUrl: {_quoted(url)}",
            f"publishedDateTime: 2021-03-{1 + index % 28:02d}T{index % 24:02d}:00:00Z",
            f"published: {'true' if index % 3 else 'false'}",
            f"quality: {index}",
            "topics: [AI]",
            f"excerpt: {_quoted('Excerpt with ' + title)}",
        ]
        if images:
            lines += ["images:", *images]
        lines += ["related:", f"  - title: {_quoted('Related ' + title)}"]
        lines += [f"    webUrl: {_quoted(related)}", "---", ""]
        name = f"{index:03d}.txt"
        write_seed(folder, name, "\n".join(lines))
        expected[name] = {
            "url": url.replace(query, meant),
            "title": title,
            "images": image_urls,
            "related": related.replace(related_query, related_meant),
        }
    return expected
