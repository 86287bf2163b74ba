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


# The same delimiters, looked for in a file's bytes (see split_clean).
_OPENING_BYTES = re.compile(rb"---[ \t]*(?:\n|\Z)")
_CLOSING_BYTES = re.compile(rb"---[ \t]*+$", re.MULTILINE)
_UTF8_BOM = b"\xef\xbb\xbf"


def split_clean(data: bytes) -> tuple[FrontMatter, bytes] | None:
    """`split(decode(data))` and the front matter's UTF-8 bytes, for a file without a carriage
    return whose front matter is where it should be; None for any other (then `decode` and
    `split` read it, or say what is wrong). Done on the bytes, without decoding the whole file
    first (a search in the decoded text costs several times more, and the fast parser's guard
    reads bytes): the delimiters are ASCII, which UTF-8 never uses inside another character,
    so they are found where they are in the text."""
    if b"\r" in data or data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4]:
        return None
    opening = _OPENING_BYTES.match(data, 3 if data.startswith(_UTF8_BOM) else 0)
    if opening is None:
        return None
    start = opening.end()
    closing = _closing_line_in_bytes(data, start)
    if closing < 0:
        return None
    yaml_bytes = data[start:closing]
    try:
        yaml_text = yaml_bytes.decode("utf-8")
        data[closing:].decode("utf-8")  # the rest of the file must be UTF-8 too
    except UnicodeDecodeError:
        return None
    return FrontMatter(yaml_text, 2), yaml_bytes


def _closing_line_in_bytes(data: bytes, start: int) -> int:
    """_closing_line in bytes."""
    at = start
    while True:
        at = data.find(b"---", at)
        if at < 0:
            return -1
        if (at == start or data[at - 1] == 10) and _CLOSING_BYTES.match(data, at):  # 10: \n
            return at
        at += 3


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
