"""Split a seed file into its YAML front matter; loud when the delimiters are wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import AnyStr

_CLOSING = re.compile(r"---[ \t]*+\r?$", re.MULTILINE)
_OPENING = re.compile(r"---[ \t]*\r?(?:\n|\Z)")
# A carriage return alone ends a line in YAML (old Mac files): a line feed, as it is read.
_LONE_CR = re.compile(r"\r(?!\n)")


class FrontMatterError(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True, slots=True)
class FrontMatter:
    yaml_text: str
    first_line: int  # file line on which yaml_text starts


def read(data: bytes) -> tuple[FrontMatter, bytes | None]:
    """The front matter of a seed file's bytes, and the same in UTF-8 when it was found in
    them (the fast parser's guard reads bytes), else None; FrontMatterError says what is wrong.

    A file without a carriage return is split in its bytes, and only its front matter decoded
    (searching the decoded text costs several times more): the delimiters are ASCII, which
    UTF-8 never uses inside another character, so they are where they are in the text. Any
    other file, and every one with a problem, is decoded whole and split as text (`decode`,
    `split`), which says what is wrong."""
    found = _split_bytes(data)
    if found is not None:
        return found
    return split(decode(data)), None


def decode(data: bytes) -> str:
    """UTF-8 with or without a byte order mark; anything else is an error. Lines may end in
    LF, CRLF or CR."""
    if _utf16(data):
        raise FrontMatterError("file is UTF-16: save it as UTF-8", 1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = len((data[: exc.start] + b"x").splitlines())  # LF, CRLF or CR
        raise FrontMatterError(
            f"file is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}):"
            " save it as UTF-8",
            line,
        ) from None
    if "\r" in text and _LONE_CR.search(text):
        text = _LONE_CR.sub("\n", text)
    return text


def split(text: str) -> FrontMatter:
    """The YAML between a first line `---` and the next line `---`; the body is ignored."""
    if not text or text.isspace():
        raise FrontMatterError("file is empty", 1)
    opening = _OPENING.match(text)
    if opening is None:
        if _OPENING.match(text.lstrip(" \t\r\n")):
            raise FrontMatterError(
                "file does not start with a '---' line: remove the blank lines before it", 1
            )
        raise FrontMatterError("file does not start with a '---' line", 1)
    start = opening.end()
    closing = _closing_line(text, start, _CLOSING, "---", "\n")
    if closing < 0:
        raise FrontMatterError("front matter is not closed by a '---' line", 1)
    return FrontMatter(text[start:closing], 2)


# The delimiters in a file's bytes without a carriage return (see `read`).
_OPENING_BYTES = re.compile(rb"---[ \t]*(?:\n|\Z)")
_CLOSING_BYTES = re.compile(rb"---[ \t]*+$", re.MULTILINE)
_UTF8_BOM = b"\xef\xbb\xbf"


def _split_bytes(data: bytes) -> tuple[FrontMatter, bytes] | None:
    """`split(decode(data))` and its YAML's bytes, for a file without a carriage return whose
    front matter is UTF-8 where it should be; None for any other."""
    if b"\r" in data or _utf16(data):
        return None
    opening = _OPENING_BYTES.match(data, 3 if data.startswith(_UTF8_BOM) else 0)
    if opening is None:
        return None
    start = opening.end()
    closing = _closing_line(data, start, _CLOSING_BYTES, b"---", b"\n")
    if closing < 0:
        return None
    yaml_bytes = data[start:closing]
    try:
        yaml_text = yaml_bytes.decode("utf-8")
        data[closing:].decode("utf-8")  # the rest of the file must be UTF-8 too
    except UnicodeDecodeError:
        return None
    return FrontMatter(yaml_text, 2), yaml_bytes


def _utf16(data: bytes) -> bool:
    return data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4]


def _closing_line(
    text: AnyStr, start: int, closing: re.Pattern[AnyStr], dashes: AnyStr, newline: AnyStr
) -> int:
    """Where the first line `---` at or after `start` (a line start) begins, or -1: the first
    `dashes` at a line start that `closing` matches (in a text, or in a file's bytes)."""
    at = start
    while True:
        at = text.find(dashes, at)
        if at < 0:
            return -1
        if (at == start or text[at - 1 : at] == newline) and closing.match(text, at):
            return at
        at += 3
