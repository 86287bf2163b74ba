#!/usr/bin/env python3
"""Benchmark the writers' per-item cost: each format written with its fast path and with its
reference, alternating.

    python benchmarks/bench_render.py [--count 2000] [--rounds 7] [--store]

The entries are those of `--count` generated seeds (benchmarks/corpus.py), read and rendered
once, held in memory (or, with `--store`, in an EntryStore, so that each item is read back from
it as in a build). Each round writes every format once with the fast path (RSS and Atom items
as bytes, JSON Feed items as text, preview page items in Python) and once with the reference
(feedgen, Pydantic, the Jinja macro), in turn. It prints the median microseconds per item of
each and the reference over the fast path, and checks that both give the same bytes. It judges
nothing and exits 0.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from syndicate.render import pages  # noqa: E402
from syndicate.render.entry import Entry, FeedView, Person, from_seed  # noqa: E402
from syndicate.render.store import EntryStore  # noqa: E402
from syndicate.render.writers import atom, jsonfeed, rss  # noqa: E402
from syndicate.seeds import reading  # noqa: E402
from syndicate.seeds.discovery import SeedFile  # noqa: E402

import corpus  # noqa: E402

Render = Callable[[FeedView], bytes]


def entries_of(count: int, seed: int) -> list[Entry]:
    """The entries of `count` generated seeds, newest first (as a feed orders them)."""
    entries = []
    with tempfile.TemporaryDirectory() as folder:
        for index in range(count):
            path = Path(folder) / corpus.file_name(index, "")
            path.write_text(corpus.seed_document(seed, index), encoding="utf-8")
            location = path.as_posix()
            loaded = reading.read(SeedFile(location, path.name, location))
            if loaded.seed is not None:
                entries.append(from_seed(loaded.seed))
    return sorted(entries, key=lambda e: e.published, reverse=True)


def view_of(entries: Sequence[Entry]) -> FeedView:
    return FeedView(
        id="all",
        title="All",
        description="Every item",
        language="en",
        home_url="https://example.org/",
        feed_base="https://example.org/all/",
        author=Person("Example", "https://example.org/"),
        generator="syndicate",
        version="bench",
        entries=entries,
    )


def _writer(write: Callable[[FeedView, io.BytesIO], None]) -> Render:
    def render(view: FeedView) -> bytes:
        buffer = io.BytesIO()
        write(view, buffer)
        return buffer.getvalue()

    return render


def _page_items(item_html: Callable[[Entry], str]) -> Render:
    def render(view: FeedView) -> bytes:
        return "".join(map(item_html, view.entries)).encode("utf-8")

    return render


def _macro(item: Entry) -> str:
    module = pages._environment().get_template("_macros.html").module
    return str(module.preview_item(item))  # type: ignore[attr-defined]


# format: (fast, reference)
FORMATS: dict[str, tuple[Render, Render]] = {
    "rss": (_writer(rss.write), _writer(rss.write_feedgen)),
    "atom": (_writer(atom.write), _writer(atom.write_feedgen)),
    "json": (_writer(jsonfeed.write), _writer(jsonfeed.write_pydantic)),
    "page items": (_page_items(pages.item_html), _page_items(_macro)),
}


def _timed(render: Render, view: FeedView) -> tuple[float, bytes]:
    start = time.perf_counter()
    data = render(view)
    return time.perf_counter() - start, data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="generated seeds (2000)")
    parser.add_argument("--seed", type=int, default=0, help="the corpus's random seed (0)")
    parser.add_argument("--rounds", type=int, default=7, help="rounds; medians over them (7)")
    parser.add_argument("--store", action="store_true", help="read each item from an EntryStore")
    args = parser.parse_args(argv)

    entries: Sequence[Entry] = entries_of(args.count, args.seed)
    store = None
    if args.store:
        store = EntryStore()
        for index, entry in enumerate(entries):
            store.add(str(index), entry)
        entries = store.entries([str(index) for index in range(len(entries))])
    view = view_of(entries)
    items = len(entries)
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in FORMATS}
    same: dict[str, bool] = {}
    for _ in range(args.rounds):
        for name, (fast, reference) in FORMATS.items():
            fast_time, fast_bytes = _timed(fast, view)
            reference_time, reference_bytes = _timed(reference, view)
            times[name][0].append(fast_time)
            times[name][1].append(reference_time)
            same[name] = same.get(name, True) and fast_bytes == reference_bytes
    where = "read from an EntryStore" if store else "in memory"
    print(f"{items} items ({where}), {args.rounds} rounds; median µs per item")
    print(f"{'format':<12} {'fast':>8} {'reference':>10} {'ratio':>6}  same bytes")
    for name, (fast_times, reference_times) in times.items():
        fast_us = statistics.median(fast_times) / items * 1e6
        reference_us = statistics.median(reference_times) / items * 1e6
        print(
            f"{name:<12} {fast_us:8.1f} {reference_us:10.1f} {reference_us / fast_us:6.2f}"
            f"  {'yes' if same[name] else 'NO'}"
        )
    if store is not None:
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
