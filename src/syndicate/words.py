"""Small wording helpers shared by the command line and the pages."""

from __future__ import annotations

import re


def plural(count: int, word: str) -> str:
    """`1 item`, `2 items`."""
    return f"{count} {word}{'' if count == 1 else 's'}"


# Longest path a problem shows on a terminal: longer ones are shortened in the middle.
SHOWN_MAX = 200


def short_path(path: str, limit: int = SHOWN_MAX) -> str:
    """`path` for a person to read: one longer than `limit` keeps its first folder and its end,
    `seeds/.../d/e.txt` (a path the system refuses as too long is thousands of characters)."""
    if len(path) <= limit:
        return path
    head, _, rest = path.partition("/")
    if not rest:
        return f"{path[: limit // 2]}...{path[-(limit // 2) :]}"
    tail = rest[-max(limit - len(head) - 5, 1) :]
    if "/" in tail[:-1]:
        tail = tail[tail.index("/") + 1 :]
    return f"{head}/.../{tail}"


def readable(text: str) -> str:
    """`text` as a terminal can show it: the bytes of a file name that are not UTF-8 (which
    Python keeps as lone surrogates, U+DC80..U+DCFF) as `\\xfe`, any other lone surrogate as
    `\\ud800` (what `backslashreplace` writes)."""
    return _SURROGATE.sub(_escaped, text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def readable_path(path: str) -> str:
    """`readable`, and a control character a file name may hold (a line break, an escape) as
    `\\x0a`: one problem stays one line, and no name can forge another problem's line or a
    terminal's escape sequence."""
    return _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", readable(path))


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _escaped(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"
