"""A rebuild's walk of a large seeds folder, in a forked child while the build prepares.

Before a rebuild knows whether anything changed, it stats every seed file: about 5 us a file,
half a second at 100,000 seeds, on one core. What the build does next when something did
change (import the config and seed models, the renderers, Jinja2: about 0.2 s) does not depend
on the walk, and an importing thread would only take turns with it (the walk holds the GIL).
So from WALK_ASIDE_MIN_SEEDS seeds (as many as the last build saw), a forked child walks the
folder and sends back the names, stats and problems it found, while the build takes its
preparing steps one at a time; it stops taking them as soon as the child is done, so a rebuild
that changes nothing waits at most for one step. Where fork is not safe (aside.can_fork), or
the child fails, the build walks the folder itself.
"""

from __future__ import annotations

import marshal
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from syndicate.errors import Problem
from syndicate.incremental import aside
from syndicate.incremental.memo import Seen
from syndicate.seeds import discovery

# Below this, the walk takes less than the preparing steps would; it is done in place.
WALK_ASIDE_MIN_SEEDS = 25_000


@dataclass(frozen=True, slots=True)
class Listing:
    """What discovery found, as the child sends it: the files' names and stats (a Seen) and
    the problems; the SeedFiles themselves are made only when asked for."""

    root: Path
    seen: Seen
    problems: list[Problem]

    def files(self) -> list[discovery.SeedFile]:
        """The SeedFiles discovery.discover gives (tests/test_walk.py holds them equal)."""
        seen = self.seen
        return discovery.seed_files(
            self.root, seen.names, seen.sizes(), seen.mtimes(), seen.ctimes()
        )

    def file_of(self, name: str) -> discovery.SeedFile | None:
        """The seed file of that name, if discovery found one."""
        stat = self.seen.stats_of([name]).get(name)
        if stat is None:
            return None
        size, mtime_ns, ctime_ns = stat
        (found,) = discovery.seed_files(self.root, [name], [size], [mtime_ns], [ctime_ns])
        return found


def discover_while(root: Path, steps: Iterable[object], last: Seen) -> Listing | None:
    """Discover the seed files below `root` in a child process while taking `steps` (an
    iterable, taken one item at a time) until it is done; None where no child could walk.
    `last`: the seed files the last build saw (most often the names are the same: then they
    are not sent, and the Listing holds `last`'s)."""
    pending = aside.compute(partial(_listed, root, last.names))
    if pending is None:
        return None
    try:
        for _ in steps:
            if pending.ready():
                break
    except BaseException:
        pending.cancel()
        raise
    data = pending.result()
    return None if data is None else _listing(root, data, last.names)


def _listed(root: Path, names_before: tuple[str, ...]) -> bytes:
    """In the child: discover, as plain values; the names joined by NUL (which no path holds),
    or None when they are `names_before`."""
    files, problems = discovery.discover(root, with_stats=True)
    seen = Seen.of(files)
    names = None if seen.names == names_before else "\0".join(seen.names)
    return marshal.dumps((names, seen.stats, [p.row() for p in problems]))


def _listing(root: Path, data: bytes, names_before: tuple[str, ...]) -> Listing | None:
    try:
        joined, stats, rows = marshal.loads(data)
        names = names_before if joined is None else tuple(joined.split("\0")) if joined else ()
    except (EOFError, ValueError, TypeError, AttributeError):
        return None
    return Listing(root, Seen(names, stats), [Problem.from_row(row) for row in rows])


def walks_aside(seeds_seen: int) -> bool:
    """Whether a rebuild after a build that saw `seeds_seen` seed files walks in a child."""
    return seeds_seen >= WALK_ASIDE_MIN_SEEDS and aside.can_fork()
