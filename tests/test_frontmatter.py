"""The front matter found in a file's bytes (frontmatter.split_clean) is the one found in its
decoded text (decode, then split), and files it does not read are left to those."""

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


def by_text(data: bytes) -> frontmatter.FrontMatter | None:
    try:
        return frontmatter.split(frontmatter.decode(data))
    except frontmatter.FrontMatterError:
        return None


@settings(max_examples=3000)
@given(st.lists(PIECES, max_size=12).map(b"".join))
@example(b"---\na: \xc3\xa9\n---\n")
@example(b"\xef\xbb\xbf---\na: 1\n---  \nbody\n---\n")
@example(b"---\na: 1\n --- \n---\t\nrest \xff")  # not UTF-8 after the front matter
@example(b"---\na: 1\n---\r\nb: 2\n---\n")  # a CRLF line closes it in the text
@example(b"---\na: 1\rb: 2\n---\n")  # a lone CR is a line end in the text
def test_the_bytes_give_the_front_matter_the_text_gives(data: bytes) -> None:
    found = frontmatter.split_clean(data)
    if found is None:
        return  # decode and split read it, or say what is wrong
    matter, encoded = found
    assert matter == by_text(data)
    assert encoded == matter.yaml_text.encode()


@pytest.mark.parametrize(
    ("data", "clean"),
    [
        (b"---\ntitle: x\n---\n", True),
        (b"\xef\xbb\xbf---\ntitle: x\n---\nbody", True),
        (b"---\r\ntitle: x\r\n---\r\n", False),  # carriage returns: the text's way
        (b"---\ntitle: \xff\n---\n", False),  # not UTF-8: decode says where
        (b"---\ntitle: x\n", False),  # not closed: split says so
        (b"\n---\ntitle: x\n---\n", False),
    ],
)
def test_which_files_are_read_from_their_bytes(data: bytes, clean: bool) -> None:
    assert (frontmatter.split_clean(data) is not None) == clean
