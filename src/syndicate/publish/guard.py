"""The size guard: a warning for a feed whose subscription documents are too big to publish.

Every poll of a feed downloads the whole file, and many readers and hosted aggregators refuse
or cut feeds of a few megabytes. So a feed file bigger than its `max_feed_bytes` (default
10,000,000 bytes) or a feed of more items than its `max_feed_items` (default 1,000) is warned
about by `build`, `check` and `syndicate feeds`; 0 turns either off. A warning, not an error:
the feed is still written (an editor may mean it), and the exit status stays 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from syndicate.config import FeedConfig
from syndicate.errors import Problem

# The size of a file of the output (a path in out/); None when it is not known.
SizeOf = Callable[[str], int | None]


def warnings(
    config_path: str,
    feeds: list[FeedConfig],
    items: Mapping[str, int],
    files: Mapping[str, tuple[str, ...]],
    size_of: SizeOf,
) -> list[Problem]:
    """A warning for each feed over its limits: `items` is each feed's item count in its
    subscription documents, `files` their paths in out/, `size_of` gives a file's size."""
    problems = []
    for feed in feeds:
        count = items.get(feed.id)
        if count is None:
            continue
        sizes = {}
        if feed.max_feed_bytes:
            for path in files.get(feed.id, ()):
                size = size_of(path)
                if size is not None:
                    sizes[path] = size
        problem = feed_warning(config_path, feed, count, sizes)
        if problem is not None:
            problems.append(problem)
    return problems


def feed_warning(
    config_path: str, feed: FeedConfig, items: int, sizes: Mapping[str, int]
) -> Problem | None:
    """The warning for one feed with `items` items and files of `sizes` (path: bytes), if it
    is over a limit. It names the biggest file, its size and the item count."""
    too_many = bool(feed.max_feed_items) and items > feed.max_feed_items
    biggest = max(sizes.items(), key=lambda pair: (pair[1], pair[0]), default=None)
    too_big = biggest is not None and bool(feed.max_feed_bytes) and biggest[1] > feed.max_feed_bytes
    if not (too_many or too_big):
        return None
    facts = []
    if biggest is not None:
        name, size = biggest[0].rsplit("/", 1)[-1], size_text(biggest[1])
        over = f" (over max_feed_bytes: {size_text(feed.max_feed_bytes)})" if too_big else ""
        facts.append(f"{name} is {size}{over}")
    over = f" (over max_feed_items: {feed.max_feed_items:,})" if too_many else ""
    facts.append(f"{items:,} items{over}")
    fix = (
        "lower its `limit:` (the items beyond it stay in the archive pages)"
        if feed.archive
        else "give it a `limit:` (the newest N items), or a limit and `archive: true` to keep "
        "the older items in archive pages"
    )
    return Problem(
        config_path,
        feed.line,
        f"feeds.{feed.id}",
        f"feed {feed.id!r} is too big for feed readers: {', '.join(facts)}. Many readers and "
        "aggregators refuse or cut feeds this big, and every poll downloads the whole file; " + fix,
        "warning",
    )


def size_text(size: int) -> str:
    """`88.1 MB`, `12.5 kB`, `512 bytes` (decimal units, as the limit is written)."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f}".removesuffix(".0") + " MB"
    if size >= 1_000:
        return f"{size / 1_000:.1f}".removesuffix(".0") + " kB"
    return f"{size} bytes"
