"""Rebuild when a seed or the config changes: watchfiles, debounced, in a thread of its own."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import watchfiles

DEBOUNCE_MS = 300


def watcher(
    seeds_dir: Path, config_path: Path, on_change: Callable[[list[str]], None]
) -> tuple[threading.Thread, threading.Event]:
    """A started thread that calls `on_change(paths)` after each burst of changes to the seeds
    or the config, until the returned event is set."""
    stop = threading.Event()
    seeds = seeds_dir.resolve()
    config = config_path.resolve()
    default = watchfiles.DefaultFilter()

    def wanted(change: watchfiles.Change, path: str) -> bool:
        where = Path(path)
        if where == config:
            return True
        return where.is_relative_to(seeds) and default(change, path)

    # A folder that does not exist yet is watched through the nearest one that does.
    roots = {_existing(seeds), _existing(config.parent)}

    def run() -> None:
        for changes in watchfiles.watch(
            *sorted(roots),
            watch_filter=wanted,
            debounce=DEBOUNCE_MS,
            stop_event=stop,
            raise_interrupt=False,
        ):
            on_change(sorted(path for _, path in changes))

    thread = threading.Thread(target=run, name="syndicate-watch", daemon=True)
    thread.start()
    return thread, stop


def _existing(path: Path) -> Path:
    while not path.is_dir() and path != path.parent:
        path = path.parent
    return path
