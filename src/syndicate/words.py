"""Small wording and character helpers shared by the command line, the pages and the models."""

from __future__ import annotations

import re


def plural(count: int, word: str) -> str:
    """`1 item`, `2 items`."""
    return f"{count} {word}{'' if count == 1 else 's'}"


# Characters XML 1.0 forbids (C0 controls but tab/newline/CR, U+FFFE/U+FFFF, lone surrogates),
# and those it discourages and readers mangle (DEL, C1 controls, noncharacters): removed from
# a seed's text (seeds/repairs.py), refused in a URL (seeds/urls.py) and in the config's text.
_NONCHARACTERS = "".join(
    f"{chr(p * 0x10000 + 0xFFFE)}-{chr(p * 0x10000 + 0xFFFF)}" for p in range(1, 17)
)
XML_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff"
    + _NONCHARACTERS
    + "]"
)

# Characters a reader shows as nothing: white space, and format characters and fillers (zero
# width space and joiners, direction marks, the byte order mark, soft hyphen, variation
# selectors, Hangul fillers, the blank Braille pattern, tag characters).
_INVISIBLE = re.compile(
    "[\\s\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\U0001d173-\U0001d17a"
    "\U000e0000-\U000e0fff]*"
)


_SHOWN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")


def invisible(text: str) -> bool:
    """Whether a reader would show `text` as nothing (it is empty, or only such characters)."""
    if text[:1] in _SHOWN:  # most text: asked of every title and topic
        return False
    return _INVISIBLE.fullmatch(text) is not None


def invisible_names(text: str) -> str:
    """`U+200B, U+FEFF`: the first few characters of an invisible `text` that are not spaces."""
    codes = dict.fromkeys(f"U+{ord(c):04X}" for c in text if not c.isspace())
    return ", ".join(list(codes)[:3])


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
    return _CONTROL.sub(_code, readable(path))


def _code(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# Control characters, and the marks and overrides that reorder a line on a terminal (U+202E
# would show `qual‮ity` as `qualyti`).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escaped(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"
