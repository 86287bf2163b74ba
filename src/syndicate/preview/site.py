"""The served copy: the site built as `build` builds it, with nothing changed but
`site.base_url`, which points at the local server, and rebuilt when a file changes.

A rebuild reuses the parse cache of the seeds that did not change (kept in the preview's own
temporary folder, never in config/) and writes only the files whose bytes changed. A rebuild
that fails (a config error, a missing seeds folder) keeps the last good build on show.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from syndicate import build
from syndicate.config import Config
from syndicate.config import load as load_config
from syndicate.errors import ConfigError, Problem, SyndicateError
from syndicate.publish import output


@dataclass(frozen=True, slots=True)
class PreviewOptions(build.BuildOptions):
    """Build options whose parse cache lives in the preview's temporary folder."""

    preview_cache: Path = Path(".syndicate-preview-cache")

    @property
    def cache_folder(self) -> Path:
        return self.preview_cache


@dataclass(frozen=True, slots=True)
class State:
    """What the last rebuild left: a version the pages poll, and what went wrong."""

    version: int = 0
    built: bool = False  # whether out/ holds a good build
    failed: bool = False  # the last rebuild could not build: out/ holds an older one
    problems: tuple[Problem, ...] = ()
    message: str | None = None  # an error that belongs to no file


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    seconds: float
    feeds: int = 0
    written: int = 0
    problems: tuple[Problem, ...] = ()
    message: str | None = None


@dataclass(slots=True)
class Preview:
    options: build.BuildOptions  # out_dir: where the served copy is written
    base_url: str
    cache_dir: Path
    _state: State = field(default_factory=State)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def out_dir(self) -> Path:
        return self.options.out_dir

    @property
    def state(self) -> State:
        with self._lock:
            return self._state

    def rebuild(self) -> Outcome:
        """Build the served copy again; never raises for a user's mistake."""
        started = time.perf_counter()
        options = PreviewOptions(
            self.options.seeds_dir,
            self.options.config_path,
            self.out_dir,
            strict=False,
            max_seed_bytes=self.options.max_seed_bytes,
            jobs=self.options.jobs,
            use_cache=True,
            preview_cache=self.cache_dir,
        )
        try:
            config = served(load_config(options.config_path), self.base_url)
            report = build.BuildReport()
            candidates = build.load_candidates(options, report)
            files, _ = build.render(config, options, candidates, report)
            written = output.write_tree(self.out_dir, files, report.hub_topics)
        except ConfigError as exc:
            return self._failed(started, tuple(exc.problems), None)
        except SyndicateError as exc:
            return self._failed(started, (), str(exc))
        problems = tuple(report.problems)
        with self._lock:
            self._state = State(self._state.version + 1, True, False, problems)
        return Outcome(
            True, time.perf_counter() - started, len(config.feeds), len(written.written), problems
        )

    def _failed(
        self, started: float, problems: tuple[Problem, ...], message: str | None
    ) -> Outcome:
        with self._lock:
            old = self._state
            self._state = State(old.version + 1, old.built, True, problems, message)
        return Outcome(False, time.perf_counter() - started, problems=problems, message=message)


def served(config: Config, base_url: str) -> Config:
    """The config with `site.base_url` pointing at the preview server, and nothing else changed."""
    site = config.site.model_copy(update={"base_url": base_url})
    return config.model_copy(update={"site": site})
