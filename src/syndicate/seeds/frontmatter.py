"""Split a seed file into its YAML front matter; loud when the delimiters are wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass

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


def decode(data: bytes) -> str:
    """UTF-8 with or without a byte order mark; anything else is an error. Lines may end in
    LF, CRLF or CR."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4]:
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
    closing = _closing_line(text, start)
    if closing < 0:
        raise FrontMatterError("front matter is not closed by a '---' line", 1)
    return FrontMatter(text[start:closing], 2)


def _closing_line(text: str, start: int) -> int:
    """Where the first line `---` at or after `start` (a line start) begins, or -1."""
    at = start
    while True:
        at = text.find("---", at)
        if at < 0:
            return -1
        if (at == start or text[at - 1] == "\n") and _CLOSING.match(text, at):
            return at
        at += 3
