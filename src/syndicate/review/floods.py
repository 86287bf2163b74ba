"""The flood guard of `build` and `check`: when a feed's document would change, its items
are compared with out/'s (diff.py), and a flood of old items is warned about. A build that
changes no feed reads nothing back and imports no reader of feeds."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from syndicate.publish.output import Content, same_content
from syndicate.review import documents

if TYPE_CHECKING:
    from syndicate.config import Config
    from syndicate.errors import Problem

# The flood guard of build and check reads a changed feed's old and new document back: past
# this size (a feed far over the size guard, which warns about it already) it does not, so that
# a rebuild of a big feed costs no more memory than a cold build. `syndicate diff` reads any.
FLOOD_MAX_BYTES = 20_000_000


def flood_problems(
    config: Config, config_path: str, out: Path, files: Mapping[str, Content]
) -> list[Problem]:
    """The flood warnings of a build about to write `files` into `out` (for build and check).

    Only feeds whose compared document changed are read back, so a build that changes
    nothing reads nothing; nor is a document over FLOOD_MAX_BYTES.
    """
    problems: list[Problem] = []
    for feed in config.feeds:
        before, after = documents.shared_document(
            documents.documents_in(out, feed.id), documents.documents_of(files, feed.id)
        )
        if before is None or after is None or _too_big(out / feed.id / before):
            continue
        if _same(out / feed.id / before, files, feed.id, after):
            continue
        from syndicate.review import diff  # here: a build that changes no feed needs none

        changed = diff.feed_diff(feed, feed.flood_threshold, out, files)
        if changed.flood is not None:
            problems.append(diff.flood_problem(config_path, feed.id, feed.line, changed.flood))
    return problems


def _too_big(path: Path) -> bool:
    try:
        return path.stat().st_size > FLOOD_MAX_BYTES
    except OSError:
        return False


def _same(path: Path, files: Mapping[str, Content], feed_id: str, document: str) -> bool:
    try:
        return same_content(path, files[f"{feed_id}/{document}"])
    except OSError:
        return False
