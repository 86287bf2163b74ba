"""Output formats. To add one: a module with a `Writer` and an entry in WRITERS."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from syndicate.entry import FeedView


@dataclass(frozen=True, slots=True)
class Writer:
    name: str  # as written in config `formats:`
    filename: str  # out/<feed-id>/<filename>
    media_type: str
    render: Callable[[FeedView], bytes]


def _registry() -> dict[str, Writer]:
    from syndicate.writers import atom, jsonfeed, rss

    return {w.name: w for w in (rss.WRITER, atom.WRITER, jsonfeed.WRITER)}


WRITERS: dict[str, Writer] = _registry()
