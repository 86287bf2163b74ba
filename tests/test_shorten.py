"""Shortening on grapheme-cluster boundaries, held to the `regex` module's `\\X` (UAX #29)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.seeds.shorten import ELLIPSIS, is_boundary, shorten

regex = pytest.importorskip("regex", reason="the regex module is the reference for \\X")

# What seed text holds, and every kind of character a cluster boundary depends on.
ALPHABET = (
    "ab Z1-"
    "\u0301\u0308\u0903"  # combining acute, diaeresis; a spacing mark (Devanagari visarga)
    "\u0915\u093f"  # Devanagari ka, vowel sign i (Mc)
    "\u200d\u200c\ufe0f"  # joiners, emoji variation selector
    "\U0001f9d1\U0001f4bb\u2764\U0001f469"  # emoji (pictographs)
    "\U0001f3fd"  # skin tone modifier
    "\U0001f1eb\U0001f1f7\U0001f1ef"  # regional indicators
    "\U000e0067\U000e007f"  # tags
    "\u1100\u1161\u11a8\uac00\uac01"  # Hangul jamo L, V, T; syllables LV, LVT
    "\r\n"
)


def _boundaries(text: str) -> set[int]:
    ends, at = set(), 0
    for cluster in regex.findall(r"\X", text):
        at += len(cluster)
        ends.add(at)
    return ends - {len(text)}


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=2, max_size=12))
def test_boundaries_are_those_of_the_regex_module(text: str) -> None:
    ours = {index for index in range(1, len(text)) if is_boundary(text, index)}
    assert ours == _boundaries(text), [hex(ord(c)) for c in text]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=40), st.integers(2, 30))
def test_shortened_text_fits_and_ends_on_a_boundary(text: str, limit: int) -> None:
    short = shorten(text, limit)
    if len(text) <= limit:
        assert short == text
        return
    assert short.endswith(ELLIPSIS)
    assert len(short) <= limit
    kept = short.removesuffix(ELLIPSIS)
    assert text.startswith(kept)
    assert kept == "" or len(kept.rstrip()) == len(kept)
    cut = len(kept)
    assert cut == 0 or cut in _boundaries(text) or text[cut:].lstrip() != text[cut:]


def test_shorten_examples() -> None:
    assert shorten("short", 10) == "short"
    assert shorten("exactly10!", 10) == "exactly10!"
    assert shorten("a title that goes on", 10) == "a title t…"
    assert shorten("a title  goes on", 10) == "a title…"
    family = "\U0001f469\u200d\U0001f469\u200d\U0001f467"  # one cluster of 5 code points
    assert shorten("ab" + family + "cd", 6) == "ab…"
    assert shorten("Cafe\u0301 au lait", 5) == "Caf…"
    assert shorten("\U0001f1eb\U0001f1f7\U0001f1eb\U0001f1f7", 3) == "\U0001f1eb\U0001f1f7…"
