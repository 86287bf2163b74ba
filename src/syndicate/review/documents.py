"""Which of a feed's files are compared, in out/ and in a build: JSON Feed first (it carries
every field plainly), else Atom, else RSS. Names only: nothing is read."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

# Read in this order: the first a feed has is the one compared.
PREFERENCE = ("feed.json", "atom.xml", "rss.xml")


def feed_folders(out: Path) -> list[str]:
    """The feed ids in an output folder: its sub-folders that hold a feed file, sorted."""
    if not out.is_dir():
        return []
    return sorted(
        child.name
        for child in out.iterdir()
        if child.is_dir()
        and not child.name.startswith(".")
        and any((child / name).is_file() for name in PREFERENCE)
    )


def documents_in(out: Path, feed_id: str) -> list[str]:
    """The feed files a feed's folder in out/ holds, in PREFERENCE order."""
    return [name for name in PREFERENCE if (out / feed_id / name).is_file()]


def documents_of(files: Mapping[str, object], feed_id: str) -> list[str]:
    """The feed files a build would write for a feed, in PREFERENCE order."""
    return [name for name in PREFERENCE if f"{feed_id}/{name}" in files]


def shared_document(before: list[str], after: list[str]) -> tuple[str | None, str | None]:
    """Which file to read on each side: the preferred one both sides have (so that both are
    read alike), else each side's preferred one."""
    both = [name for name in before if name in after]
    if both:
        return both[0], both[0]
    return (before[0] if before else None), (after[0] if after else None)
