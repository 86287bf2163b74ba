"""What one build is asked to do (BuildOptions) and what it did (BuildReport): plain data that
every stage and command shares, importing nothing heavy."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from syndicate.errors import Problem
from syndicate.seeds.discovery import DEFAULT_MAX_SEED_BYTES

# Called once per seed read, with the number of seeds being read (for a progress bar).
OnSeed = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class BuildOptions:
    seeds_dir: Path = Path("seeds")
    config_path: Path = Path("config/feeds.yaml")
    out_dir: Path = Path("out")
    strict: bool = False
    max_seed_bytes: int = DEFAULT_MAX_SEED_BYTES
    jobs: int = os.cpu_count() or 1
    use_cache: bool = False  # the CLI turns it on; see incremental/

    @property
    def cache_folder(self) -> Path:
        from syndicate.incremental import cache  # here: a build with the cache off needs none

        return cache.default_folder(self.config_path)


@dataclass(frozen=True, slots=True)
class FeedReport:
    id: str
    items: int
    files: tuple[str, ...]


@dataclass(slots=True)
class BuildReport:
    seeds_read: int = 0
    seeds_rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    feeds: list[FeedReport] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # The feed files WebSub hubs are told about (`syndicate ping`); None: no hubs configured.
    hub_topics: tuple[str, ...] | None = None
    # Flood warnings about this build's change to out/ (review/diff.py): not kept in the memo,
    # since a build that replays it changes nothing.
    floods: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0
