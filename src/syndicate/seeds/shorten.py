"""Shorten text to a length limit on a grapheme-cluster boundary, ending with "…".

A limit of the seed model protects readers from absurd text; it never costs an item. Text over
its limit is cut where a reader sees a character end (never inside an emoji sequence, between a
letter and its accent, or inside a flag), at most `limit` characters (code points, as the model
counts them) with the ellipsis.

The boundaries are those of Unicode's extended grapheme clusters (UAX #29) for what seeds hold:
combining marks, spacing marks, joiners, variation selectors, emoji modifiers and tags,
regional-indicator pairs, Hangul syllables in jamo and CR LF. `tests/test_shorten.py` holds
them to the `regex` module's `\\X` on generated text.
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "\u2026"
_ZWJ = "\u200d"


def _extends(char: str) -> bool:
    """A character that belongs to the cluster before it (Extend, SpacingMark, ZWJ)."""
    code = ord(char)
    if char == _ZWJ or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
        return True  # joiner, variation selectors
    if 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F:
        return True  # emoji modifiers, tag characters
    if char == "\u200c":  # the zero width non-joiner is Extend too
        return True
    return unicodedata.category(char) in ("Mn", "Me", "Mc")


def _spacing(char: str) -> bool:
    return unicodedata.category(char) == "Mc"


def _pictographic(char: str) -> bool:
    """Emoji and other pictographs (Extended_Pictographic, as near as the category tells)."""
    return unicodedata.category(char) == "So" and not _regional(char)


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _jamo(char: str) -> str:
    """The Hangul syllable type: L, V, T, LV, LVT, or '' for other characters."""
    code = ord(char)
    if 0x1100 <= code <= 0x115F or 0xA960 <= code <= 0xA97C:
        return "L"
    if 0x1160 <= code <= 0x11A7 or 0xD7B0 <= code <= 0xD7C6:
        return "V"
    if 0x11A8 <= code <= 0x11FF or 0xD7CB <= code <= 0xD7FB:
        return "T"
    if 0xAC00 <= code <= 0xD7A3:
        return "LV" if (code - 0xAC00) % 28 == 0 else "LVT"
    return ""


def is_boundary(text: str, index: int) -> bool:
    """Whether a cluster boundary falls before `text[index]` (0 < index < len(text))."""
    before, after = text[index - 1], text[index]
    if before == "\r" and after == "\n":
        return False
    if before in "\r\n" or after in "\r\n":
        return True
    if _extends(after):
        return False
    if before == _ZWJ and _pictographic(after):
        at = index - 2  # an emoji ZWJ sequence: a pictograph, marks, the joiner, a pictograph
        while at >= 0 and text[at] != _ZWJ and _extends(text[at]) and not _spacing(text[at]):
            at -= 1
        if at >= 0 and _pictographic(text[at]):
            return False
    if _regional(before) and _regional(after):
        run = 0  # regional indicators pair up from the start of their run
        while index - run - 1 >= 0 and _regional(text[index - run - 1]):
            run += 1
        return run % 2 == 0
    first, second = _jamo(before), _jamo(after)
    if first == "L" and second in ("L", "V", "LV", "LVT"):
        return False
    if first in ("LV", "V") and second in ("V", "T"):
        return False
    return not (first in ("LVT", "T") and second == "T")


def shorten(text: str, limit: int) -> str:
    """`text` itself when it has at most `limit` characters; else its longest start that ends
    on a cluster boundary, without trailing spaces, then "…", `limit` characters at most."""
    if len(text) <= limit:
        return text
    cut = limit - len(ELLIPSIS)
    while cut > 0 and not is_boundary(text, cut):
        cut -= 1
    return text[:cut].rstrip() + ELLIPSIS
