"""Small wording helpers shared by the command line and the pages."""

from __future__ import annotations


def plural(count: int, word: str) -> str:
    """`1 item`, `2 items`."""
    return f"{count} {word}{'' if count == 1 else 's'}"
