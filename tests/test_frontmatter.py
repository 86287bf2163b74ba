"""A seed file's front matter as `frontmatter.read` finds it, in the file's bytes when it can,
is the one its decoded text gives (`decode`, then `split`), and so are its errors."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from syndicate.seeds import frontmatter

# Pieces that matter to the delimiters and the decoding: dashes, line ends, spaces and tabs, a
# byte order mark, multi-byte characters (and pieces of one), NUL, UTF-16's marks.
PIECES = st.sampled_from(
    [
        *(b"---", b"-", b"\n", b"\r", b" ", b"\t", b"a: 1", b"x"),
        *(b"\xef\xbb\xbf", "é—".encode(), b"\xc3", b"\x00", b"\xff\xfe"),
    ]
)


def by_text(data: bytes) -> frontmatter.FrontMatter | tuple[str, int]:
    try:
        return frontmatter.split(frontmatter.decode(data))
    except frontmatter.FrontMatterError as exc:
        return exc.message, exc.line


def by_read(data: bytes) -> tuple[frontmatter.FrontMatter | tuple[str, int], bytes | None]:
    try:
        return frontmatter.read(data)
    except frontmatter.FrontMatterError as exc:
        return (exc.message, exc.line), None


@settings(max_examples=3000)
@given(st.lists(PIECES, max_size=12).map(b"".join))
@example(b"---\na: \xc3\xa9\n---\n")
@example(b"\xef\xbb\xbf---\na: 1\n---  \nbody\n---\n")
@example(b"---\na: 1\n --- \n---\t\nrest \xff")  # not UTF-8 after the front matter
@example(b"---\na: 1\n---\r\nb: 2\n---\n")  # a CRLF line closes it in the text
@example(b"---\na: 1\rb: 2\n---\n")  # a lone CR is a line end in the text
def test_the_bytes_give_the_front_matter_the_text_gives(data: bytes) -> None:
    found, utf8 = by_read(data)
    assert found == by_text(data)
    if utf8 is not None:
        assert isinstance(found, frontmatter.FrontMatter)
        assert utf8 == found.yaml_text.encode()


@pytest.mark.parametrize(
    ("data", "in_bytes"),
    [
        (b"---\ntitle: x\n---\n", True),
        (b"\xef\xbb\xbf---\ntitle: x\n---\nbody", True),
        (b"---\r\ntitle: x\r\n---\r\n", False),  # carriage returns: read as text
        (b"---\ntitle: \xff\n---\n", False),  # not UTF-8: the text's error says where
        (b"---\ntitle: x\n", False),  # not closed: so does this one
        (b"\n---\ntitle: x\n---\n", False),
    ],
)
def test_which_files_are_read_in_their_bytes(data: bytes, in_bytes: bool) -> None:
    assert (by_read(data)[1] is not None) == in_bytes
