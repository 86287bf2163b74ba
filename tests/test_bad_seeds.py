"""Bad seeds: each is reported as `PATH:LINE: field: message` and skipped, the rest is built.

A rejected seed makes the build exit 1 and leaves the output exactly as a build of the good
seeds alone; a repaired value is a `warning:` line and does not change the exit status.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndicate.seeds import reading, yamlsrc
from syndicate.seeds.candidate import Candidate
from syndicate.seeds.discovery import SeedFile
from syndicate.seeds.models import Seed
from syndicate.seeds.reading import LoadedSeed, parse, read
from syndicate.words import XML_FORBIDDEN

from badinput import (
    GOOD_SEEDS,
    Workspace,
    mtimes,
    seed_text,
    tree,
)
from conftest import make_corpus


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.chdir(tmp_path)
    return Workspace.create(tmp_path)


def _case(name: str, content: str | bytes, expected: str | re.Pattern[str], *marks: Any) -> Any:
    return pytest.param(content, expected, id=name, marks=marks)


def _not_http(name: str, url: str) -> Any:
    return _case(name, seed_text(url=url), f"{NOT_HTTP}{url!r}")


URL_LINE = "seeds/bad.txt:3: webUrl: "
NOT_HTTP = URL_LINE + "not an absolute http(s) URL: "
SPACES = URL_LINE + "URL contains spaces or control characters"
DATE_LINE = "seeds/bad.txt:4: publishedDateTime: "
OUTSIDE = " is outside 1970-01-01 .. 2099-12-31"
LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)
LATIN1 = seed_text(extra="excerpt: Café\n").encode("latin-1")
UTF16 = seed_text().encode("utf-16-le")

REJECTED = [
    # Malformed YAML and front matter.
    _case(
        "bad-indentation",
        seed_text(extra="provider:\n  name: X\n    domain: x.com\n"),
        "seeds/bad.txt:7: front matter: a ': ' where a value was expected: put a value that holds"
        " ': ' in quotes, or check the indentation",
    ),
    _case(
        "unclosed-quote",
        '---\ntitle: "Unclosed\nwebUrl: "https://example.com/x"\n'
        "publishedDateTime: 2020-06-11T22:56:00Z\n---\n",
        # the line the quote opens on: the next quote closes it, and YAML stops after that
        "seeds/bad.txt:2: front matter: a quoted value starts here and ends on line 3, where"
        " YAML then stops: close the quote on this line",
    ),
    # YAML 1.1 ends lines at NEL, U+2028 and U+2029; editors do not: lines are the editor's
    *[
        _case(
            f"line-separator-{name}-before-the-problem",
            seed_text(extra="quality: high\n").replace("A story", f"Breaking{char}news"),
            "seeds/bad.txt:5: quality: must be a whole number, got 'high'",
        )
        for name, char in [("u2028", "\u2028"), ("u2029", "\u2029"), ("nel", "\x85")]
    ],
    _case(
        "list-left-open",
        seed_text(extra="topics: [\n"),
        "seeds/bad.txt:5: front matter: a [list] or {mapping} is not closed, or has a ',' with"
        " no item after it: close it with ']' or '}'",
    ),
    # a line that runs on without ': ': named, not the next line, where YAML stops
    _case(
        "value-over-two-lines",
        seed_text(extra="excerpt: A summary\nthat goes on\npublished: true\n"),
        "seeds/bad.txt:6: front matter: a key without ': ' after it, or a value over several"
        " lines: write 'key: value', and put a multi-line value in quotes",
    ),
    _case(
        "list-item-without-a-space",
        seed_text(extra="topics:\n  - AI\n  -Robots\nquality: 5\n"),
        "seeds/bad.txt:7: front matter: a key without ': ' after it, or a value over several"
        " lines: write 'key: value', and put a multi-line value in quotes",
    ),
    # values YAML reads as its own syntax, in plain words
    _case(
        "text-after-a-closing-quote",
        seed_text(extra='category: "Tech" news\n'),
        'seeds/bad.txt:5: front matter: more text after the closing " of a quoted value: put'
        " the whole value in quotes (a quote inside it: \\\" between double quotes, '' between"
        " single ones)",
    ),
    _case(
        "text-after-a-closing-single-quote-in-a-list",
        seed_text(extra="topics:\n  - 'AI' robots\n"),
        "seeds/bad.txt:6: front matter: more text after the closing ' of a quoted value: put"
        " the whole value in quotes (a quote inside it: \\\" between double quotes, '' between"
        " single ones)",
    ),
    # a plain value that holds a quote or a bracket, then ': ': the colon is the mistake
    *[
        _case(
            f"colon-after-a-plain-value-ending-in-{name}",
            seed_text(extra=f"category: {value}: more\n"),
            "seeds/bad.txt:5: front matter: a ': ' where a value was expected: put a value that"
            " holds ': ' in quotes, or check the indentation",
        )
        for name, value in [("bracket", "see [1]"), ("quote", 'he said "hi"')]
    ],
    _case(
        "text-after-a-list",
        seed_text(extra="category: [Tech] news\n"),
        "seeds/bad.txt:5: front matter: more text after a [list] or {mapping}: a value that"
        " starts with '[' or '{' is one; put the value in quotes",
    ),
    _case(
        "a-value-starting-with-a-star",
        seed_text(extra="category: *Exclusive* report\n"),
        "seeds/bad.txt:5: front matter: a value that starts with '*' (YAML's alias): put the"
        " value in quotes",
    ),
    _case(
        "a-value-starting-with-an-exclamation-mark",
        seed_text(extra="category: !Important news\n"),
        "seeds/bad.txt:5: category: unsupported YAML tag !Important: to write a value that"
        " starts with '!', quote it",
    ),
    *[
        _case(f"yaml-syntax-as-a-value-{name}", seed_text(extra=f"category: {value}\n"), message)
        for name, value, message in [
            (
                "dash",
                "-",
                "seeds/bad.txt:5: front matter: a '-' where a value was expected: a list item"
                " starts its own line ('- item'); put a value that starts with '-' in quotes",
            ),
            (
                "bar",
                "|x",
                "seeds/bad.txt:5: front matter: a value that starts with '|' or '>' (YAML's"
                " block text): put the value in quotes",
            ),
            (
                "greater",
                ">x",
                "seeds/bad.txt:5: front matter: a value that starts with '|' or '>' (YAML's"
                " block text): put the value in quotes",
            ),
            (
                "question",
                "?",
                "seeds/bad.txt:5: front matter: a '?' where a value was expected: put a value"
                " that starts with '?' in quotes",
            ),
            (
                "equals",
                "=",
                "seeds/bad.txt:5: category: '=' alone means something else in YAML: put it"
                " in quotes",
            ),
            (
                "merge",
                "<<",
                "seeds/bad.txt:5: category: '<<' alone means something else in YAML: put it"
                " in quotes",
            ),
        ]
    ],
    _case(
        "closing-bracket-as-a-value",
        seed_text(extra="x: ]\n"),
        "seeds/bad.txt:5: front matter: ']' cannot start a value: put the value in quotes",
    ),
    _case(
        "unclosed-single-quote",
        "---\ntitle: 'Unclosed\nwebUrl: 'https://example.com/x'\n"
        "publishedDateTime: 2020-06-11T22:56:00Z\n---\n",
        "seeds/bad.txt:2: front matter: a quoted value starts here and ends on line 3, where"
        " YAML then stops: close the quote on this line",
    ),
    _case(
        "misaligned-after-a-quote-over-two-lines",
        '---\ntitle: "Fine\n  on two lines"\nwebUrl: "https://example.com/x"\n'
        "publishedDateTime: 2020-06-11T22:56:00Z\n bad: indent\n---\n",
        re.compile(r"seeds/bad\.txt:6: front matter: .*"),  # not line 2: that quote is fine
    ),
    _case(
        "unclosed-quote-at-end",
        seed_text(extra='quality: 5\nexcerpt: "never closed\ntopics: [AI]\n'),
        # the line where the quote opens, not the end of the front matter where YAML notices
        "seeds/bad.txt:6: front matter: a quoted value is not closed: add the closing quote",
    ),
    _case(
        "tab-indentation",
        seed_text(extra="provider:\n\tname: X\n"),
        "seeds/bad.txt:6: front matter: a tab character: YAML indents with spaces; replace the tab"
        " with spaces",
    ),
    _case(
        "blank-lines-before-opening-line",
        "\n  \n" + seed_text(),
        "seeds/bad.txt:1: front matter: file does not start with a '---' line: remove the blank"
        " lines before it",
    ),
    _case(
        "no-opening-line",
        seed_text()[4:],
        "seeds/bad.txt:1: front matter: file does not start with a '---' line",
    ),
    _case(
        "four-dashes",
        "-" + seed_text(),
        "seeds/bad.txt:1: front matter: file does not start with a '---' line",
    ),
    _case(
        "not-closed",
        seed_text()[: -len("---\n")],
        "seeds/bad.txt:1: front matter: front matter is not closed by a '---' line",
    ),
    _case("empty-file", "", "seeds/bad.txt:1: front matter: file is empty"),
    _case("blank-file", " \n\n\t\n", "seeds/bad.txt:1: front matter: file is empty"),
    _case(
        "empty-front-matter", "---\n---\n", "seeds/bad.txt:1: front matter: front matter is empty"
    ),
    _case(
        "list-front-matter",
        "---\n- title\n- webUrl\n---\n",
        "seeds/bad.txt:2: front matter: front matter must be a mapping of fields",
    ),
    _case(
        "scalar-front-matter",
        "---\njust a sentence\n---\n",
        "seeds/bad.txt:2: front matter: front matter must be a mapping of fields",
    ),
    # Required fields and types.
    _case(
        "missing-title",
        "---\nwebUrl: https://example.com/x\npublishedDateTime: 2020-06-11T22:56:00Z\n---\n",
        "seeds/bad.txt:2: title: required field is missing",
    ),
    _case(
        "missing-webUrl",
        "---\ntitle: T\npublishedDateTime: 2020-06-11T22:56:00Z\n---\n",
        "seeds/bad.txt:2: webUrl: required field is missing",
    ),
    _case(
        "missing-publishedDateTime",
        "---\ntitle: T\nwebUrl: https://example.com/x\n---\n",
        "seeds/bad.txt:2: publishedDateTime: required field is missing",
    ),
    _case(
        "empty-title",
        seed_text(title="   "),
        "seeds/bad.txt:2: title: must not be empty",
    ),
    # Characters a reader shows as nothing: the item would have no title.
    *[
        _case(
            f"invisible-title-{name}",
            seed_text(title=title),
            f"seeds/bad.txt:2: title: has only invisible characters ({codes}): write some text",
        )
        for name, title, codes in [
            ("zero-width-space", "\u200b", "U+200B"),
            ("joiners-and-spaces", " \u200d\u00a0\u2060 ", "U+200D, U+2060"),
            ("byte-order-mark", "\ufeff", "U+FEFF"),
            ("hangul-filler", "\u3164\u3164", "U+3164"),
            ("tag-characters", "\U000e0041\U000e007f", "U+E0041, U+E007F"),
        ]
    ],
    _case(
        "title-is-a-list",
        seed_text().replace('title: "A story"', "title: [a, b]"),
        "seeds/bad.txt:2: title: must be text, got a list",
    ),
    _case(
        "quality-as-text",
        seed_text(extra="quality: high\n"),
        "seeds/bad.txt:5: quality: must be a whole number, got 'high'",
    ),
    _case(
        "quality-quoted",
        seed_text(extra='quality: "80"\n'),
        "seeds/bad.txt:5: quality: must be a whole number, got '80': write it without quotes",
    ),
    _case(
        "quality-as-float",
        seed_text(extra="quality: 1.5\n"),
        "seeds/bad.txt:5: quality: must be a whole number, got 1.5",
    ),
    _case(
        "published-yes-please",
        seed_text(extra="published: yes please\n"),
        "seeds/bad.txt:5: published: must be true or false, got 'yes please'",
    ),
    _case(
        "title-is-a-boolean",
        seed_text().replace('title: "A story"', "title: true"),
        "seeds/bad.txt:2: title: must be text, got true: put it in quotes to keep it as text",
    ),
    _case(
        "offset-out-of-range",
        seed_text(date="2020-06-11T22:56:00+25:00"),
        "seeds/bad.txt:4: publishedDateTime: not a valid date-time (its offset must be between"
        " -23:59 and +23:59): '2020-06-11T22:56:00+25:00'",
    ),
    _case(
        "unclosed-ipv6-host",
        seed_text(url="https://[::1/story"),
        URL_LINE + "URL has an invalid host or port: 'https://[::1/story'",
    ),
    _case(
        "surrogate-escape",
        seed_text(extra='excerpt: "smile \\ud83d\\ude00"\n'),
        "seeds/bad.txt:5: front matter: a \\u escape that is no character: \\ud800 to \\udfff are"
        " halves of a pair, as JSON writes an emoji (\\ud83d\\ude00); write the character"
        " itself, or one \\U escape of 8 digits (\\U0001F600)",
    ),
    _case(
        "document-end-marker",
        seed_text(extra="...\nx: 1\n"),
        "seeds/bad.txt:5: front matter: a line '...' or '%' in the front matter, which is one"
        " YAML document: remove it",
    ),
    # YAML 1.1's other spellings of booleans and numbers are not read as such.
    *[
        _case(
            f"published-{word}",
            seed_text(extra=f"published: {word}\n"),
            f"seeds/bad.txt:5: published: must be true or false, got '{word}'",
        )
        for word in ("yes", "No", "on", "OFF")
    ],
    *[
        _case(
            f"quality-{name}",
            seed_text(extra=f"quality: {value}\n"),
            f"seeds/bad.txt:5: quality: must be a whole number, got '{value}'",
        )
        for name, value in [
            ("octal", "017"),
            ("hex", "0x50"),
            ("binary", "0b101"),
            ("underscore", "1_000"),
            ("sexagesimal", "1:30"),
        ]
    ],
    _case(
        "topics-as-string",
        seed_text(extra="topics: Computer Vision\n"),
        "seeds/bad.txt:5: topics: must be a list (one '- item' per line, or [a, b]),"
        " got 'Computer Vision'",
    ),
    _case(
        "duplicate-key",
        seed_text(extra='title: "Again"\n'),
        "seeds/bad.txt:5: title: duplicate key 'title' (first given on line 2)",
    ),
    _case(
        "null-keys-spelled-twice",
        seed_text(extra="~: a\nnull: b\n"),
        "seeds/bad.txt:6: null: duplicate key: '~' and 'null' are one key (first given on line 5)",
    ),
    _case(
        "quality-too-high",
        seed_text(extra="quality: 1000001\n"),
        "seeds/bad.txt:5: quality: must be 1000000 or less, got 1000001",
    ),
    _case(
        "quality-too-low",
        seed_text(extra="quality: -1000001\n"),
        "seeds/bad.txt:5: quality: must be -1000000 or more, got -1000001",
    ),
    # Dates.
    _case(
        "impossible-date",
        seed_text(date="2020-02-30T10:00:00Z"),
        DATE_LINE + "not a valid date-time*",
    ),
    _case(
        "month-13",
        seed_text(date="2020-13-01T10:00:00Z"),
        DATE_LINE + "not a valid date-time*",
    ),
    _case("not-a-date", seed_text(date="yesterday"), DATE_LINE + "not a valid date-time*"),
    # ISO 8601 forms that are no RFC 3339 date-time (Python's parser takes them)
    *[
        _case(
            f"iso-not-rfc3339-{name}",
            seed_text(date=date),
            DATE_LINE + f"not a valid date-time: {date!r}; write it as 2020-06-11T22:56:00Z"
            " (date, T, time, Z or an offset such as +02:00)",
        )
        for name, date in [
            ("week", "2021-W01-1T00:00:00Z"),
            ("basic", "20210101T000000Z"),
            ("hour-only", "2021-01-01T00Z"),
            ("offset-minutes-61", "2021-01-01T00:00:00+05:61"),
            ("offset-seconds", "2021-01-01T00:00:00+01:00:30"),
            ("offset-without-colon", "2021-01-01T00:00:00+0130"),
            ("comma-fraction", "2021-01-01T00:00:00,5Z"),
        ]
    ],
    _case(
        "date-as-number",
        seed_text(date="1591915200"),
        DATE_LINE + "must be a date-time string such as 2020-06-11T22:56:00Z",
    ),
    _case(
        "before-1970",
        seed_text(date="1969-12-31T23:59:59Z"),
        DATE_LINE + "date-time '1969-12-31T23:59:59Z'" + OUTSIDE,
    ),
    _case(
        "before-1970-as-instant",
        seed_text(date="1970-01-01T00:30:00+01:00"),
        DATE_LINE + "date-time '1970-01-01T00:30:00+01:00'" + OUTSIDE,
    ),
    _case(
        "from-2100",
        seed_text(date="2100-01-01T00:00:00Z"),
        DATE_LINE + "date-time '2100-01-01T00:00:00Z'" + OUTSIDE,
    ),
    _case(
        "naive-from-2100",
        seed_text(date="2100-01-01"),
        DATE_LINE + "date-time '2100-01-01T00:00:00+00:00'" + OUTSIDE,
    ),
    # URLs.
    _not_http("javascript", "javascript:alert(1)"),
    _not_http("javascript-upper", "JavaScript:alert(1)"),
    _case(
        "javascript-by-reference",
        seed_text(url="javascript&#58;alert(1)"),
        NOT_HTTP + "'javascript&#58;alert(1)'",  # only references to '&' are decoded
    ),
    _not_http("data", "data:text/html,<b>x</b>"),
    _not_http("file", "file:///etc/passwd"),
    _not_http("ftp", "ftp://example.com/x"),
    _not_http("relative", "/news/story"),
    _not_http("scheme-relative", "//example.com/x"),
    _not_http("no-host", "https:///x"),
    _case("space", seed_text(url="https://example.com/a b"), SPACES),
    _case("control-character-at-the-end", seed_text(url="https://example.com/a\x1f"), SPACES),
    _case("line-break-at-the-end", seed_text(url="https://example.com/a\n"), SPACES),
    _case(
        "full-width-dot-number-host",
        seed_text(url="https://127\u30021/x"),
        URL_LINE + "URL host '127.1' ends in a number, which browsers read as an IPv4 address:"
        " write the address as four numbers from 0 to 255 (such as 192.0.2.1)",
    ),
    _case("tab", seed_text(url="https://example.com/a\tb"), SPACES),
    _case("newline", seed_text(url="https://example.com/a\nb"), SPACES),
    _case("delete-char", seed_text(url="https://example.com/a\x7fb"), SPACES),
    _case("c1-control", seed_text(url="https://example.com/a\x85b"), SPACES),
    _case("c0-control", seed_text(url="https://example.com/a\x01b"), SPACES),
    _case(
        "bad-port",
        seed_text(url="https://example.com:99999/"),
        URL_LINE + "URL has an invalid host or port: 'https://example.com:99999/'",
    ),
    _case(
        "too-long",
        seed_text(url="https://example.com/" + "a" * 5000),
        URL_LINE + "URL is longer than 4096 characters",
    ),
    # Unsafe YAML.
    _case(
        "python-name-tag",
        seed_text(extra="x: !!python/name:os.system\n"),
        "seeds/bad.txt:5: front matter: unsupported YAML tag !!python/name:os.system",
    ),
    _case(
        "custom-tag",
        seed_text(extra="x: !include /etc/passwd\n"),
        "seeds/bad.txt:5: x: unsupported YAML tag !include: to write a value that starts with"
        " '!', quote it",
    ),
    # A set has no stable order (it would change the output from one build to the next).
    _case(
        "set-tag",
        seed_text(extra="topics: !!set {alpha, beta, gamma}\n"),
        "seeds/bad.txt:5: front matter: unsupported YAML tag !!set",
    ),
    _case(
        "binary-tag",
        seed_text(extra="title2: !!binary aGVsbG8=\n"),
        "seeds/bad.txt:5: front matter: unsupported YAML tag !!binary",
    ),
    # An explicit tag is held to the spellings the plain value would need: never YAML 1.1's
    # reading of a value the tag does not fit, never a crash.
    *[
        _case(
            f"tag-{name}",
            seed_text(extra=f"{line}\n"),
            # the key's field, but for a tag on the key itself
            f"seeds/bad.txt:5: {line.partition(':')[0] if line[0] != '!' else 'front matter'}:"
            f" the tag {message}",
        )
        for name, line, message in [
            ("bool-y", "published: !!bool 'y'", "!!bool needs true or false, not 'y'"),
            ("bool-yes", "published: !!bool yes", "!!bool needs true or false, not 'yes'"),
            (
                "int-octal",
                "quality: !!int '017'",
                "!!int needs a whole number such as 17 or -3, not '017'",
            ),
            (
                "int-sexagesimal",
                "quality: !!int 1:30",
                "!!int needs a whole number such as 17 or -3, not '1:30'",
            ),
            (
                "int-empty",
                "quality: !!int ''",
                "!!int needs a whole number such as 17 or -3, not ''",
            ),
            ("float-word", "x: !!float abc", "!!float needs a number such as 0.5 or 2, not 'abc'"),
            ("null-word", "x: !!null x", "!!null needs null or nothing, not 'x'"),
            ("map-on-list", "x: !!map [a]", "!!map needs key: value lines, not a list"),
            ("seq-on-map", "topics: !!seq {b: 1}", "!!seq needs a list, not key: value lines"),
            ("str-on-map", "x: !!str {b: 1}", "!!str needs a single value, not key: value lines"),
            ("map-on-key", "!!map x: 1", "!!map needs key: value lines, not a single value"),
        ]
    ],
    _case(
        "tag-in-a-nested-value",
        seed_text(extra="related:\n  - title: !!int x\n"),
        "seeds/bad.txt:6: related[0].title: the tag !!int needs a whole number such as 17 or -3,"
        " not 'x'",
    ),
    _case(
        "anchor-without-alias",
        seed_text(extra="x:\n  - 1\n  - &x hello\n"),
        "seeds/bad.txt:7: front matter: YAML anchors and aliases (&name, *name) are not"
        " allowed: put a value that starts with '&' or '*' in quotes",
    ),
    _case(
        "alias",
        seed_text(extra="x: &x hello\ny: *x\n"),
        re.compile(r"seeds/bad\.txt:[56]: front matter: YAML anchors and aliases .*"),
    ),
    _case(
        "merge-key",
        seed_text(extra="base: {a: 1}\n<<: {quality: 5}\n"),
        "seeds/bad.txt:6: front matter: YAML merge keys (<<) are not allowed",
    ),
    _case(
        "merge-key-with-tag",
        seed_text(extra="base: {a: 1}\n<<: {quality: 5}\ncategory: !!str x\n"),
        "seeds/bad.txt:6: front matter: YAML merge keys (<<) are not allowed",
    ),
    _case(
        "complex-key",
        seed_text(extra="? [a, b]\n: 1\n"),
        "seeds/bad.txt:5: front matter: a mapping key must be a plain value",
    ),
    _case(
        "huge-integer",
        seed_text(extra="quality: " + "9" * 5000 + "\n"),
        "seeds/bad.txt:5: quality: number has too many digits",
    ),
    # Encodings.
    _case(
        "latin-1",
        LATIN1,
        "seeds/bad.txt:5: front matter: file is not UTF-8 "
        f"(byte 0xe9 at offset {LATIN1.index(0xE9)}): save it as UTF-8",
    ),
    _case(
        "latin-1-cr-line-ends",
        LATIN1.replace(b"\n", b"\r"),
        "seeds/bad.txt:5: front matter: file is not UTF-8 "
        f"(byte 0xe9 at offset {LATIN1.index(0xE9)}): save it as UTF-8",
    ),
    _case(
        "duplicate-key-cr-line-ends",
        seed_text(extra='title: "Again"\n').replace("\n", "\r"),
        "seeds/bad.txt:5: title: duplicate key 'title' (first given on line 2)",
    ),
    _case(
        "raw-control-character",
        seed_text().replace("A story", "A\x01story"),
        "seeds/bad.txt:2: front matter: *",
    ),
    _case(
        "raw-delete-in-url",
        seed_text().replace("/story", "/st\x7fory"),
        "seeds/bad.txt:3: front matter: *",
    ),
    _case(
        "raw-noncharacter",
        seed_text(extra='category: news\nexcerpt: "x\ufffe"\n'),
        "seeds/bad.txt:6: front matter: *",
    ),
    _case(
        "utf-16-le-bom",
        seed_text().encode("utf-16"),
        "seeds/bad.txt:1: front matter: file is UTF-16: save it as UTF-8",
    ),
    _case(
        "utf-16-be-bom",
        b"\xfe\xff" + seed_text().encode("utf-16-be"),
        "seeds/bad.txt:1: front matter: file is UTF-16: save it as UTF-8",
    ),
    _case(
        "utf-16-no-bom",
        UTF16,
        "seeds/bad.txt:1: front matter: file is UTF-16: save it as UTF-8",
    ),
]


@pytest.mark.parametrize(("content", "expected"), REJECTED)
def test_rejected_seed_is_reported_and_skipped(
    ws: Workspace, content: str | bytes, expected: str | re.Pattern[str]
) -> None:
    reference = ws.reference()
    ws.good_seeds()
    ws.seed("bad.txt", content)
    run = ws.build()
    assert run.code == 1, run.report()
    assert tree(ws.out) == reference, "every feed is built from the good seeds, as without bad.txt"
    assert all(line.startswith("seeds/bad.txt:") for line in run.lines), run.report()
    errors = [line for line in run.lines if ": warning: " not in line]
    assert len(errors) == 1, run.report()
    assert run.stdout.startswith("seeds: 3 read, 1 rejected"), run.report()
    run.expect(expected)


def test_every_bad_seed_is_reported_once_and_all_good_ones_built(ws: Workspace) -> None:
    reference = ws.reference()
    ws.good_seeds()
    bad = {
        "a-bad.txt": seed_text(extra="quality: high\n"),
        "m/nested-bad.md": "no front matter\n",
        "z-bad.yaml": seed_text(url="javascript:alert(1)"),
    }
    for name, text in bad.items():
        ws.seed(name, text)
    run = ws.build()
    assert run.code == 1
    assert tree(ws.out) == reference
    reported = [line.split(":")[0] for line in run.lines]
    assert reported == [f"seeds/{name}" for name in sorted(bad)], run.report()
    assert run.stdout.startswith("seeds: 5 read, 3 rejected, 0 warnings"), run.report()


def test_a_seeds_problems_are_reported_in_the_order_of_the_file(ws: Workspace) -> None:
    """A repair noticed before validation (a long image title, line 7) after an error found
    by it (an empty title, line 2): reported by line."""
    ws.seed(
        "bad.txt",
        seed_text(
            title="",
            extra="images:\n  - url: https://example.com/i.png\n    title: " + "x" * 1200 + "\n",
        ),
    )
    run = ws.build()
    assert run.code == 1, run.report()
    assert [line.split(": ")[1] for line in run.lines if line.startswith("seeds/")] == [
        "title",
        "images[0].title",
    ]
    run.expect("seeds/bad.txt:2: title: must not be empty", "seeds/bad.txt:7: images[0].title: *")


def test_body_after_front_matter_is_ignored(ws: Workspace) -> None:
    ws.good_seeds()
    ws.seed("body.txt", seed_text(url="https://example.com/body") + "Body text\n---\nkey: [\n")
    run = ws.build()
    assert run.code == 0, run.report()
    assert run.stderr == ""
    assert ws.item("https://example.com/body")["title"] == "A story"


def test_python_object_tag_is_rejected_and_not_executed(ws: Workspace, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    ws.good_seeds()
    tag = "!!python/object/apply:os.system"
    ws.seed("bad.txt", seed_text(extra=f'x: {tag} ["touch {marker}"]\n'))
    ws.seed("bad2.txt", seed_text(extra=f"x: {tag}\n  - touch {marker}\n"))
    run = ws.build()
    assert run.code == 1
    run.expect(
        "seeds/bad.txt:5: front matter: unsupported YAML tag !!python/object/apply:os.system",
        "seeds/bad2.txt:5: front matter: unsupported YAML tag !!python/object/apply:os.system",
    )
    assert not marker.exists()


def test_billion_laughs_is_rejected_quickly(ws: Workspace) -> None:
    ws.good_seeds()
    ws.seed("bad.txt", seed_text(extra=LAUGHS))
    started = time.perf_counter()
    run = ws.build()
    assert time.perf_counter() - started < 5
    assert run.code == 1
    run.expect(re.compile(r"seeds/bad\.txt:\d+: front matter: YAML anchors and aliases .*"))


def test_deep_nesting_is_rejected_not_a_crash(ws: Workspace) -> None:
    reference = ws.reference()
    ws.good_seeds()
    ws.seed("bad.txt", seed_text(extra="x: " + "[" * 5000 + "]" * 5000 + "\n"))
    run = ws.build()
    assert run.result.exception is None or isinstance(run.result.exception, SystemExit), (
        run.report()
    )
    assert run.code == 1, run.report()
    assert tree(ws.out) == reference
    assert [line for line in run.lines if line.startswith("seeds/bad.txt:")], run.report()


def _build_in_subprocess(root: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    """A build in its own process: a crash (or a hang) there cannot take pytest down."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "syndicate",
            "build",
            "--seeds",
            "seeds",
            "--config",
            "feeds.yaml",
            "--out",
            "out",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.parametrize(
    "nesting", ["[" * 100_000 + "]" * 100_000, "- " * 100_000 + "x"], ids=["flow", "block"]
)
def test_very_deep_nesting_does_not_crash_the_process(
    ws: Workspace, tmp_path: Path, nesting: str
) -> None:
    ws.good_seeds()
    ws.seed("bad.txt", seed_text(extra=f"x:\n  {nesting}\n"))
    done = _build_in_subprocess(tmp_path, timeout=60)
    assert done.returncode == 1, (done.returncode, done.stderr[-500:])
    assert done.stderr.startswith("seeds/bad.txt:"), done.stderr[-500:]
    assert {i["id"] for i in ws.items()} == {
        "https://example.com/good-1",
        "https://example.com/good-2",
    }


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_named_pipe_is_an_error_not_a_hang(ws: Workspace, tmp_path: Path) -> None:
    ws.good_seeds()
    os.mkfifo(ws.seeds / "pipe.txt")
    try:
        done = _build_in_subprocess(tmp_path, timeout=3)
    except subprocess.TimeoutExpired:
        pytest.fail("the build hung on seeds/pipe.txt")
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("seeds/pipe.txt:1: file: "), done.stderr


# --------------------------------------------------------------------------- size


def test_file_over_default_size_limit_is_rejected(ws: Workspace) -> None:
    ws.good_seeds()
    text = seed_text(url="https://example.com/big")
    limit = 1024 * 1024
    ws.seed("fits.txt", text + "x" * (limit - len(text)))
    ws.seed("bad.txt", text.replace("/big", "/bigger") + "x" * (limit + 1 - len(text) - 3))
    run = ws.build()
    assert run.code == 1
    assert {i["id"] for i in ws.items()} >= {"https://example.com/big"}
    assert "https://example.com/bigger" not in {i["id"] for i in ws.items()}
    run.expect(
        "seeds/bad.txt:1: file: file is 1,048,577 bytes, over the limit of 1,048,576"
        " (a larger limit: --max-seed-size)"
    )


def test_max_seed_size_option(ws: Workspace) -> None:
    text = seed_text()
    ws.seed("fits.txt", text)
    ws.seed("bad.txt", text + "\n")
    run = ws.build("--max-seed-size", str(len(text)))
    assert run.code == 1
    assert [i["id"] for i in ws.items()] == ["https://example.com/story"]
    run.expect(
        f"seeds/bad.txt:1: file: file is {len(text) + 1:,} bytes, over the limit of"
        f" {len(text):,} (a larger limit: --max-seed-size)"
    )


def test_title_of_1000_characters_is_accepted(ws: Workspace) -> None:
    ws.seed("long.txt", seed_text(title="é" * 1000))
    run = ws.build()
    assert run.code == 0, run.report()
    assert ws.items()[0]["title"] == "é" * 1000


# --------------------------------------------------------------------------- dates


@pytest.fixture
def set_timezone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is not available")

    def set_zone(zone: str) -> None:
        monkeypatch.setenv("TZ", zone)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()


NO_ZONE = "publishedDateTime: warning: date-time {!r} has no time zone; read as UTC"


@pytest.mark.parametrize(
    ("given", "published", "warning"),
    [
        ("2020-06-11T22:56:00", "2020-06-11T22:56:00Z", NO_ZONE),
        ("2020-06-11 22:56", "2020-06-11T22:56:00Z", NO_ZONE),
        (
            "2020-06-11",
            "2020-06-11T00:00:00Z",
            "publishedDateTime: warning: {!r} is a date without a time; read as 00:00 UTC",
        ),
    ],
)
def test_naive_date_is_read_as_utc_with_a_warning(
    ws: Workspace, set_timezone: Any, given: str, published: str, warning: str
) -> None:
    ws.seed("naive.txt", seed_text(date=given))
    outputs = []
    for zone in ("Asia/Tokyo", "America/New_York", "UTC"):
        set_timezone(zone)
        run = ws.build(out=Path(f"out-{zone.replace('/', '-')}"))
        assert run.code == 0, run.report()
        outputs.append(tree(Path(f"out-{zone.replace('/', '-')}")))
    assert outputs[0] == outputs[1] == outputs[2], "the time zone of the machine does not matter"
    shutil.copytree("out-UTC", ws.out)
    assert ws.items()[0]["date_published"] == published
    run.expect("seeds/naive.txt:4: " + warning.format(given))


def test_dates_at_the_edges_are_accepted(ws: Workspace) -> None:
    ws.seed("a.txt", seed_text(url="https://example.com/a", date="1970-01-01T00:00:00Z"))
    ws.seed("b.txt", seed_text(url="https://example.com/b", date="2099-12-31T23:59:59Z"))
    ws.seed("c.txt", seed_text(url="https://example.com/c", date="2100-01-01T00:30:00+01:00"))
    run = ws.build()
    assert run.code == 0, run.report()
    assert [i["date_published"] for i in ws.items()] == [
        "2099-12-31T23:59:59Z",
        "2099-12-31T23:30:00Z",
        "1970-01-01T00:00:00Z",
    ]


# --------------------------------------------------------------------------- URLs


def test_html_references_in_urls_are_decoded_and_nothing_else(ws: Workspace) -> None:
    ws.seed("a.txt", seed_text(url="https://example.com/a?x=1&#038;y=2&amp;z=3&#x26;w=4&region=us"))
    run = ws.build()
    assert run.code == 0, run.report()
    assert [i["url"] for i in ws.items()] == ["https://example.com/a?x=1&y=2&z=3&w=4&region=us"]


def test_a_url_is_percent_encoded_only_with_a_warning(ws: Workspace) -> None:
    """ASCII characters a URL cannot hold as written: encoded (the output holds URLs) and said,
    whether the seed is read by the fast path or the reference path."""
    yamlsrc.expect_many()  # a.txt is read by the fast path (in this process)
    for name in ("a.txt", "b.txt"):
        text = seed_text(url=f"https://example.com/{name}?q=a|b&p=caf%C-{{x}}&ids[]=1#top#2")
        # b.txt's YAML is one the fast path cannot read: a comment
        ws.seed(name, text if name == "a.txt" else text.replace("---\n", "---\n# hi\n", 1))
    run = ws.build()
    assert run.code == 0, run.report()
    written = "?q=a%7Cb&p=caf%25C-%7Bx%7D&ids%5B%5D=1#top%232"
    assert sorted(i["url"] for i in ws.items()) == [
        f"https://example.com/{name}{written}" for name in ("a.txt", "b.txt")
    ]
    for name, line in (("a.txt", 3), ("b.txt", 4)):
        run.expect(
            f"seeds/{name}:{line}: webUrl: warning: '|', '%', '{{', '}}', '[', ']', '#' are"
            f" percent-encoded (a URL cannot hold them as written): https://example.com/{name}"
            + written
        )


def test_carriage_returns_in_text_are_line_feeds_in_every_format(ws: Workspace) -> None:
    """A carriage return in a seed's text would be written `&#13;` in XML, which fast-xml-parser
    shows as such, while the JSON Feed holds the character: it is a line feed everywhere, as
    XML readers would read a raw one (no warning: line endings are not content)."""
    extra = 'excerpt: "Line one\\r\\nLine two"\nprovider:\n  name: "Wire\\rService"\n'
    ws.seed("a.txt", seed_text("Q3 results\rsummary", extra=extra))
    run = ws.build()
    assert run.code == 0 and "a.txt" not in run.stderr, run.report()
    for path in ws.out.rglob("*"):
        if path.is_file():
            assert b"&#13;" not in path.read_bytes() and b"\\r" not in path.read_bytes(), path
    (item,) = ws.items()
    assert item["title"] == "Q3 results\nsummary"
    assert item["authors"] == [{"name": "Wire\nService"}]
    for name in ("rss.xml", "atom.xml"):
        (entry,) = feedparser.parse((ws.out / "all" / name).read_bytes()).entries
        assert entry.title == "Q3 results\nsummary", name


def test_keys_that_are_not_text_are_unknown_keys_as_spelled(ws: Workspace) -> None:
    """YAML's 1, 1.0 and true are three keys (Python's dict would hold one): each an unknown
    field, ignored."""
    ws.seed("a.txt", seed_text(extra="1: x\n1.0: y\ntrue: z\n"))
    run = ws.build()
    assert run.code == 0, run.report()
    assert "a.txt" not in run.stderr
    assert len(ws.items()) == 1


def test_tags_that_fit_their_values_are_read_as_the_plain_values_are(ws: Workspace) -> None:
    ws.seed(
        "a.txt",
        seed_text(
            extra="quality: !!int '+17'\npublished: !!bool 'true'\nexcerpt: !!str 5\n"
            "topics: !!seq [!!str Vision]\nx: !!float 2\ny: !!null\n"
        ),
    )
    run = ws.build()
    assert run.code == 0, run.report()
    assert "a.txt" not in run.stderr
    (item,) = ws.items()
    assert (item["summary"], item["tags"]) == ("5", ["Vision"])


def test_an_invisible_provider_name_related_title_or_topic_is_dropped(ws: Workspace) -> None:
    """Each would show as nothing: the item keeps everything else."""
    extra = (
        'provider:\n  name: "\\u200b"\n'
        'topics: ["\\u2060", AI]\n'
        'related:\n  - title: "\\ufeff"\n    webUrl: https://example.com/r\n'
    )
    ws.seed("a.txt", seed_text(extra=extra))
    run = ws.build()
    assert run.code == 0, run.report()
    (item,) = ws.items()
    assert (item.get("authors"), item["tags"], item.get("_syndicate")) == (
        None,
        ["AI"],
        None,
    )
    run.expect(
        "seeds/a.txt:6: provider.name: warning: has only invisible characters (U+200B): write"
        " some text; dropped provider",
        "seeds/a.txt:9: related[0].title: warning: has only invisible characters (U+FEFF):"
        " write some text; dropped related[0]",
    )


def test_a_misspelt_field_is_a_warning_naming_the_field_meant(ws: Workspace) -> None:
    """Unknown fields are ignored; one close to a field's name (any case) is said, on its
    line, at every level, whichever path reads the seed: it would move the item silently."""
    yamlsrc.expect_many()  # a.txt is read by the fast path (in this process)
    extra = (
        "publishd: true\nQuality: 95\nsomethingNew: 1\n"
        "images:\n  - url: https://example.com/i.png\n    wdith: 10\n"
        "related:\n  - title: R\n    webUrl: https://example.com/r\n    provder:\n"
        "      name: X\n"
    )
    ws.seed("a.txt", seed_text(extra=extra))
    ws.seed("b.txt", seed_text(url="https://example.com/b", extra=extra + "# a comment\n"))
    run = ws.build()
    assert run.code == 0, run.report()
    for name in ("a.txt", "b.txt"):
        run.expect(
            f"seeds/{name}:5: publishd: warning: unknown field 'publishd' (did you mean"
            " 'published'?); ignored",
            f"seeds/{name}:6: Quality: warning: unknown field 'Quality' (did you mean"
            " 'quality'?); ignored",
            f"seeds/{name}:10: images[0].wdith: warning: unknown field 'wdith' (did you mean"
            " 'width'?); ignored",
            f"seeds/{name}:14: related[0].provder: warning: unknown field 'provder' (did you"
            " mean 'provider'?); ignored",
        )
    assert "somethingNew" not in run.stderr  # unknown, and close to no field: tolerated
    assert len([line for line in run.lines if line.startswith("seeds/")]) == 8


def test_a_date_time_may_end_in_a_lowercase_z(ws: Workspace) -> None:
    """RFC 3339 allows `t` and `z` in either case."""
    ws.seed("a.txt", seed_text(date="2020-06-11t22:56:00.5z"))
    run = ws.build()
    assert run.code == 0, run.report()
    assert "a.txt" not in run.stderr
    assert ws.items()[0]["date_published"] == "2020-06-11T22:56:00Z"  # whole seconds


def test_iri_becomes_uri(ws: Workspace) -> None:
    ws.seed(
        "a.txt",
        seed_text(
            url="https://bücher.de/straße",
            extra="images:\n  - url: https://bücher.de/bild-ä.png?q=ü#frag ment\n",
        ),
    )
    run = ws.build()
    assert run.code == 0, run.report()
    item = ws.items()[0]
    assert item["url"] == "https://xn--bcher-kva.de/stra%C3%9Fe"
    assert "image" not in item, "a space is not allowed, even in an IRI"
    run.expect("seeds/a.txt:*: images[0].url: warning: URL contains spaces or control characters*")
    (ws.seeds / "a.txt").write_text(
        seed_text(
            url="https://bücher.de/straße",
            extra="images:\n  - url: https://bücher.de/bild-ä.png?q=ü#frag\n",
        ),
        encoding="utf-8",
    )
    run = ws.build()
    assert run.code == 0, run.report()
    assert ws.items()[0]["image"] == "https://xn--bcher-kva.de/bild-%C3%A4.png?q=%C3%BC#frag"


def test_bad_image_url_drops_that_image(ws: Workspace) -> None:
    ws.seed(
        "a.txt",
        seed_text(
            extra=(
                "images:\n"
                "  - url: javascript:alert(1)\n"
                "  - url: https://example.com/ok.png\n"
                "  - url: /relative.png\n"
            )
        ),
    )
    run = ws.build()
    assert run.code == 0, run.report()
    item = ws.items()[0]
    assert [a["url"] for a in item["attachments"]] == ["https://example.com/ok.png"]
    assert item["image"] == "https://example.com/ok.png"
    run.expect(
        "seeds/a.txt:6: images[0].url: warning: not an absolute http(s) URL: "
        "'javascript:alert(1)'; dropped images[0]",
        "seeds/a.txt:8: images[2].url: warning: not an absolute http(s) URL: "
        "'/relative.png'; dropped images[2]",
    )


def test_a_line_separator_in_a_quoted_value_is_kept(ws: Workspace) -> None:
    """As PyYAML reads (and writes) it: U+2028 and U+2029 in a quoted value are kept."""
    ws.seed("a.txt", seed_text().replace('"A story"', '"A\u2028story"'))
    ws.seed(
        "b.txt",
        seed_text(url="https://example.com/b").replace('"A story"', '"B\u2029story"'),
    )
    run = ws.build()
    assert run.code == 0, run.report()
    assert sorted(item["title"] for item in ws.items()) == ["A\u2028story", "B\u2029story"]


def test_a_fraction_of_a_second_is_dropped_in_every_format(ws: Workspace) -> None:
    """RSS dates hold whole seconds: Atom and JSON Feed give the same instant."""
    ws.seed("a.txt", seed_text(date="2021-03-08T10:00:00.999999+01:00"))
    run = ws.build()
    assert run.code == 0, run.report()
    assert ws.items()[0]["date_published"] == "2021-03-08T09:00:00Z"
    for name in ("rss.xml", "atom.xml"):
        (entry,) = feedparser.parse((ws.out / "all" / name).read_bytes()).entries
        assert entry.published_parsed[:6] == (2021, 3, 8, 9, 0, 0), name
    assert b".999999" not in (ws.out / "all" / "atom.xml").read_bytes()


def test_a_next_line_character_is_a_line_end_not_glue(ws: Workspace) -> None:
    """NEL (U+0085, a C1 control XML discourages) ends a line: the words stay apart, folded
    to a space as YAML folds a line in a quoted value, or a line feed when written `\\N`."""
    ws.seed("a.txt", seed_text().replace('"A story"', '"Q3 results\u0085summary"'))
    ws.seed("b.txt", seed_text(url="https://example.com/b").replace('"A story"', '"Q4\\Nsoon"'))
    run = ws.build()
    assert run.code == 0, run.report()
    assert sorted(item["title"] for item in ws.items()) == ["Q3 results summary", "Q4\nsoon"]
    assert "a.txt" not in run.stderr and "b.txt" not in run.stderr


def test_an_image_listed_twice_is_one_enclosure(ws: Workspace) -> None:
    images = (
        "images:\n  - url: https://example.com/i.jpg\n  - url: https://example.com/j.jpg\n"
        "  - url: https://example.com/i.jpg\n    width: 5\n"
    )
    ws.seed("a.txt", seed_text(extra=images))
    run = ws.build()
    assert run.code == 0, run.report()
    urls = ["https://example.com/i.jpg", "https://example.com/j.jpg"]
    assert [a["url"] for a in ws.items()[0]["attachments"]] == urls
    atom = (ws.out / "all" / "atom.xml").read_text("utf-8")
    assert atom.count('rel="enclosure"') == 2
    rss = (ws.out / "all" / "rss.xml").read_text("utf-8")
    assert rss.count("<media:content") == 2


def test_spaces_around_a_url_are_no_part_of_it(ws: Workspace) -> None:
    ws.seed("a.txt", seed_text(url="  https://example.com/a "))
    run = ws.build()
    assert run.code == 0, run.report()
    assert [item["id"] for item in ws.items()] == ["https://example.com/a"]


def test_an_image_url_with_no_ipv6_address_in_brackets_is_dropped_not_a_crash(
    ws: Workspace,
) -> None:
    ws.good_seeds()
    ws.seed(
        "a.txt",
        seed_text(
            extra='images:\n  - url: "https://[:]/a.jpg"\n  - url: https://example.com/ok.png\n'
        ),
    )
    run = ws.build()
    assert run.code == 0, run.report()
    item = ws.item("https://example.com/story")
    assert [a["url"] for a in item["attachments"]] == ["https://example.com/ok.png"]
    run.expect(
        "seeds/a.txt:6: images[0].url: warning: URL host '[:]' is not a valid IPv6 address;"
        " dropped images[0]"
    )


def test_bad_related_url_drops_that_related_item(ws: Workspace) -> None:
    ws.seed(
        "a.txt",
        seed_text(
            extra=(
                "related:\n"
                "  - title: Evil\n"
                "    webUrl: data:text/html,hi\n"
                "  - title: Fine\n"
                "    webUrl: https://example.com/fine\n"
            )
        ),
    )
    run = ws.build()
    assert run.code == 0, run.report()
    related = ws.items()[0]["_syndicate"]["related"]
    assert related == [{"url": "https://example.com/fine", "title": "Fine"}]
    run.expect(
        "seeds/a.txt:7: related[0].webUrl: warning: not an absolute http(s) URL: "
        "'data:text/html,hi'; dropped related[0]"
    )


NOT_A_DOMAIN = "must be a domain name such as example.com, got {!r}"
A_NUMBER = (
    "URL host {!r} ends in a number, which browsers read as an IPv4 address: write the"
    " address as four numbers from 0 to 255 (such as 192.0.2.1)"
)


@pytest.mark.parametrize(
    ("domain", "message"),
    [
        *[
            (domain, NOT_A_DOMAIN.format(domain))
            for domain in ["-.-", ".", "a..b", "news-.example", "-news.example"]
        ],
        ("2130706433", A_NUMBER.format("2130706433")),
        ("0x7f.1:8080", A_NUMBER.format("0x7f.1")),
        ("example.com:99999", "port 99999 is out of range: a port is a number from 1 to 65535"),
        ("example.com:0", "port 0 is out of range: a port is a number from 1 to 65535"),
        ("example.com:00000", "port 00000 is out of range: a port is a number from 1 to 65535"),
        (
            "straße.example",
            "host 'straße.example' has a character (ß, ς or a zero-width joiner) that browsers"
            " and other software encode differently; write the host in its xn-- form",
        ),
    ],
)
def test_a_provider_domain_that_is_no_host_name_is_dropped(
    ws: Workspace, domain: str, message: str
) -> None:
    """The provider's link is https://DOMAIN: a domain no URL could have is not written."""
    ws.seed("a.txt", seed_text(extra=f'provider:\n  name: Prov\n  domain: "{domain}"\n'))
    run = ws.build()
    assert run.code == 0, run.report()
    assert ws.items()[0]["authors"] == [{"name": "Prov"}]
    run.expect(f"seeds/a.txt:7: provider.domain: warning: {message}; dropped provider.domain")


def test_a_provider_domain_in_unicode_is_written_as_a_url_host_is(ws: Workspace) -> None:
    """IDNA, as the host of a URL: the provider's link is https://xn--...; its port kept."""
    provider = 'provider:\n  name: Bücher\n  domain: "Bücher.example:8443"\n'
    ws.seed("a.txt", seed_text(extra=provider))
    run = ws.build()
    assert run.code == 0, run.report()
    assert "a.txt" not in run.stderr
    assert ws.items()[0]["authors"] == [
        {"name": "Bücher", "url": "https://xn--bcher-kva.example:8443"}
    ]
    # a `providers` rule may name the domain either way
    loaded = parse(SeedFile(Path("a.txt"), "a.txt", "a.txt"), (ws.seeds / "a.txt").read_bytes())
    assert loaded.seed is not None
    keys = Candidate.of(loaded.seed, "a.txt").providers
    assert {"bücher.example:8443", "xn--bcher-kva.example:8443"} <= keys


def test_bad_optional_urls_are_dropped(ws: Workspace) -> None:
    ws.seed(
        "a.txt",
        seed_text(
            extra=(
                "ampWebUrl: file:///etc/passwd\n"
                "cdnAmpWebUrl: vbscript:msgbox(1)\n"
                "provider:\n"
                "  name: Prov\n"
                "  domain: evil.com/<script>\n"
                "  images:\n"
                "    - url: javascript:void(0)\n"
            )
        ),
    )
    run = ws.build()
    assert run.code == 0, run.report()
    assert ws.items()[0]["authors"] == [{"name": "Prov"}]
    run.expect(
        "seeds/a.txt:5: ampWebUrl: warning: not an absolute http(s) URL: "
        "'file:///etc/passwd'; dropped ampWebUrl",
        "seeds/a.txt:6: cdnAmpWebUrl: warning: *",
        "seeds/a.txt:9: provider.domain: warning: *",
        "seeds/a.txt:11: provider.images[0].url: warning: *",
    )


# --------------------------------------------------------------------------- text


def test_xml_forbidden_characters_are_removed_with_a_warning(ws: Workspace) -> None:
    ws.seed(
        "a.txt",
        (
            '---\ntitle: "Ti\\x01tle\\uFFFE"\nwebUrl: https://example.com/a\n'
            "publishedDateTime: 2020-06-11T22:56:00Z\n"
            'excerpt: "one\\x00two\\x1b three\\uFFFF"\ntopics: ["A\\x02I"]\n---\n'
        ),
    )
    run = ws.build()
    assert run.code == 0, run.report()
    item = ws.items()[0]
    assert (item["title"], item["summary"], item["tags"]) == ("Title", "onetwo three", ["AI"])
    for name, data in tree(ws.out).items():
        text = data.decode("utf-8")
        assert not XML_FORBIDDEN.search(text), name
        assert "&#1;" not in text and "\\u0001" not in text, name
    run.expect(
        "seeds/a.txt:2: title: warning: removed characters that XML 1.0 does not allow",
        "seeds/a.txt:5: excerpt: warning: removed characters that XML 1.0 does not allow",
        "seeds/a.txt:6: topics[0]: warning: removed characters that XML 1.0 does not allow",
    )


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(("bom", "line_end"), [(b"\xef\xbb\xbf", "\r\n"), (b"", "\r")])
def test_utf8_with_bom_and_crlf_or_cr_line_ends_is_accepted(
    ws: Workspace, bom: bytes, line_end: str
) -> None:
    """CR alone ends a line in YAML, as in files from old Mac editors."""
    text = seed_text(
        title="Café ☕",
        extra='excerpt: "Line one\n  and two"\ntopics: [Computer Vision]\n',
    )
    ws.seed("plain.txt", text)
    plain = ws.build(out=Path("plain-out"))
    assert plain.code == 0, plain.report()
    (ws.seeds / "plain.txt").unlink()
    ws.seed("windows.txt", bom + text.replace("\n", line_end).encode("utf-8"))
    run = ws.build()
    assert run.code == 0, run.report()
    assert run.stderr == ""
    assert tree(ws.out) == tree(Path("plain-out"))


# --------------------------------------------------------------------------- files


def test_symlink_to_a_file_outside_seeds_is_not_read(ws: Workspace, tmp_path: Path) -> None:
    reference = ws.reference()
    ws.good_seeds()
    outside = tmp_path / "elsewhere" / "secret.txt"
    outside.parent.mkdir()
    outside.write_text(seed_text(url="https://example.com/secret"), encoding="utf-8")
    (ws.seeds / "link.txt").symlink_to(outside)
    (ws.seeds / "folder-link").symlink_to(outside.parent, target_is_directory=True)
    (ws.seeds / "inside.txt").symlink_to("good-1.txt")
    run = ws.build()
    assert run.code == 0, run.report()
    assert tree(ws.out) == reference
    run.expect(
        "seeds/link.txt:1: file: warning: symbolic link points outside the seeds folder; "
        "not followed",
        "seeds/folder-link:1: file: warning: symbolic link points outside the seeds folder; "
        "not followed",
    )
    assert not [line for line in run.lines if "inside.txt" in line]


def test_unreadable_file_is_an_error_for_that_file_only(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = ws.reference()
    ws.good_seeds()
    ws.seed("locked.txt", seed_text(url="https://example.com/locked"))

    real_open = os.open

    def locked_open(location: str, flags: int, *args: int, **kwargs: int) -> int:
        if Path(location).name == "locked.txt":
            raise PermissionError(13, "Permission denied", location)
        return real_open(location, flags, *args, **kwargs)

    monkeypatch.setattr(reading.os, "open", locked_open)
    run = ws.build()
    assert run.code == 1
    assert tree(ws.out) == reference
    assert run.lines == ["seeds/locked.txt:1: file: cannot read file: Permission denied"]


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read a chmod 000 file"
)
def test_chmod_000_file_is_an_error_for_that_file_only(ws: Workspace) -> None:
    reference = ws.reference()
    ws.good_seeds()
    locked = ws.seed("locked.txt", seed_text(url="https://example.com/locked"))
    locked.chmod(0)
    try:
        run = ws.build()
    finally:
        locked.chmod(0o644)
    assert run.code == 1
    assert tree(ws.out) == reference
    assert run.lines == ["seeds/locked.txt:1: file: cannot read file: Permission denied"]


def test_dangling_symlink_is_an_error_for_that_file_only(ws: Workspace) -> None:
    reference = ws.reference()
    ws.good_seeds()
    (ws.seeds / "dangling.txt").symlink_to("missing.txt")
    run = ws.build()
    assert run.code == 1
    assert tree(ws.out) == reference
    assert run.lines == ["seeds/dangling.txt:1: file: cannot read file: No such file or directory"]


def test_hidden_files_folders_and_other_suffixes_are_skipped(ws: Workspace) -> None:
    reference = ws.reference()
    ws.good_seeds()
    junk = "not a seed at all: [\n"
    for name in (
        ".hidden.txt",
        ".git/HEAD.txt",
        "sub/.drafts/x.md",
        ".cache/deep/y.yaml",
        "notes.json",
        "README",
        "story.txt.bak",
        "story.txt~",
        "story.txt.swp",
        "image.png",
    ):
        ws.seed(name, junk)
    run = ws.build()
    assert run.code == 0, run.report()
    assert run.stderr == ""
    assert tree(ws.out) == reference
    assert run.stdout.startswith("seeds: 2 read, 0 rejected")


def test_every_seed_suffix_is_read_recursively(ws: Workspace) -> None:
    for index, name in enumerate(("a.txt", "b/c.md", "d/e/f.yaml", "g.yml")):
        ws.seed(name, seed_text(url=f"https://example.com/{index}"))
    run = ws.build()
    assert run.code == 0, run.report()
    assert sorted(i["id"] for i in ws.items()) == [f"https://example.com/{i}" for i in range(4)]


# --------------------------------------------------------------------------- normalisation


def test_topics_are_trimmed_and_deduplicated_case_insensitively(ws: Workspace) -> None:
    ws.seed(
        "a.txt",
        seed_text(
            extra='topics: [" computer  vision ", "Computer Vision", "AI", "ai", "", "NLP"]\n'
        ),
    )
    run = ws.build()
    assert run.code == 0, run.report()
    assert ws.items()[0]["tags"] == ["computer vision", "AI", "NLP"]
    assert len(ws.items("cv")) == 1


def test_zero_or_negative_image_size_is_dropped_and_the_image_kept(ws: Workspace) -> None:
    ws.seed(
        "a.txt",
        seed_text(
            extra=("images:\n  - url: https://example.com/i.jpg\n    width: 0\n    height: -5\n")
        ),
    )
    run = ws.build()
    assert run.code == 0, run.report()
    assert ws.items()[0]["image"] == "https://example.com/i.jpg"
    rss = (ws.out / "all" / "rss.xml").read_text("utf-8")
    assert 'width="' not in rss and 'height="' not in rss
    run.expect(
        "seeds/a.txt:7: images[0].width: warning: must be a width in pixels above 0, got 0; "
        "dropped images[0].width",
        "seeds/a.txt:8: images[0].height: warning: must be a height in pixels above 0, got -5; "
        "dropped images[0].height",
    )


def test_more_than_50_related_keeps_the_first_50(ws: Workspace) -> None:
    related = "".join(f"  - title: R{i}\n    webUrl: https://example.com/r{i}\n" for i in range(55))
    ws.seed("a.txt", seed_text(extra="related:\n" + related))
    run = ws.build()
    assert run.code == 0, run.report()
    urls = [r["url"] for r in ws.items()[0]["_syndicate"]["related"]]
    assert urls == [f"https://example.com/r{i}" for i in range(50)]
    run.expect("seeds/a.txt:5: related: warning: kept the first 50 of 55 related")


def test_more_than_20_images_keeps_the_first_20(ws: Workspace) -> None:
    images = "".join(f"  - url: https://example.com/{i}.png\n" for i in range(21))
    ws.seed("a.txt", seed_text(extra="images:\n" + images))
    run = ws.build()
    assert run.code == 0, run.report()
    urls = [a["url"] for a in ws.items()[0]["attachments"]]
    assert urls == [f"https://example.com/{i}.png" for i in range(20)]
    run.expect("seeds/a.txt:5: images: warning: kept the first 20 of 21 images")


# --------------------------------------------------------------------------- --strict


def test_strict_stops_at_the_first_bad_seed_and_writes_nothing(ws: Workspace) -> None:
    ws.good_seeds()
    ws.seed("a-bad.txt", "no front matter\n")
    ws.seed("z-bad.txt", "---\ntitle: [\n---\n")
    run = ws.build("--strict")
    assert run.code == 1
    assert run.lines[0] == "seeds/a-bad.txt:1: front matter: file does not start with a '---' line"
    assert not [line for line in run.lines if "z-bad" in line]
    assert run.lines[-1] == "--strict: stopped at the first bad seed; nothing was written"
    assert not ws.out.exists()


def test_strict_leaves_a_previous_output_untouched(ws: Workspace) -> None:
    ws.good_seeds()
    assert ws.build().code == 0
    before, stamps = tree(ws.out), mtimes(ws.out)
    ws.seed("good-1.txt", GOOD_SEEDS["good-1.txt"].replace("Good one", "Changed"))
    ws.seed("bad.txt", seed_text(url="file:///etc/passwd"))
    run = ws.build("--strict")
    assert run.code == 1
    assert run.lines[0].startswith("seeds/bad.txt:")
    assert (tree(ws.out), mtimes(ws.out)) == (before, stamps)


def test_strict_accepts_repaired_seeds(ws: Workspace) -> None:
    ws.seed("naive.txt", seed_text(date="2020-06-11"))
    run = ws.build("--strict")
    assert run.code == 0, run.report()
    assert len(ws.items()) == 1


# --------------------------------------------------------------------------- properties

SEED_FILE = SeedFile(Path("prop.txt"), "prop.txt", "seeds/prop.txt")
KEYS = st.sampled_from(
    [
        "title",
        "webUrl",
        "publishedDateTime",
        "excerpt",
        "quality",
        "published",
        "topics",
        "images",
        "related",
        "provider",
        "heat",
        "category",
        "type",
        "ampWebUrl",
        "cdnAmpWebUrl",
        "url",
        "width",
        "height",
        "isCached",
        "name",
        "domain",
        "secured",
    ]
) | st.text(max_size=8)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "https://example.com/x",
            "javascript:alert(1)",
            "https://bücher.de/ä?&#038;b",
            "2020-06-11",
            "2020-06-11T22:56:00Z",
            "2020-02-30T00:00:00Z",
            "1969-01-01T00:00:00Z",
            "\x01\ufffe",
            "<script>",
            "&amp;",
            "",
            " ",
            "yes",
        ]
    )
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=12,
)
DOCUMENTS = st.dictionaries(KEYS, VALUES, max_size=8)
BASE = {
    "title": "T",
    "webUrl": "https://example.com/a",
    "publishedDateTime": "2020-06-11T22:56:00Z",
}
PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
YAML_PROPERTY = settings(PROPERTY, max_examples=60)


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param("heat: " + "9" * 5000 + "\n", id="huge-int-in-heat"),
        pytest.param(
            "extra: " + "9" * 5000 + "\ncategory: !!str news\n",
            id="huge-int-unknown-field",
        ),
        pytest.param("x: " + "[" * 5000 + "]" * 5000 + "\n", id="deep-5000"),
        pytest.param("x: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n", id="deep-map"),
        pytest.param("x: !!binary '!!!'\n", id="bad-binary"),
        pytest.param(".nan: 1\n.inf: 2\n", id="float-keys"),
        pytest.param("x: !!set {a, b}\n", id="set"),
        pytest.param("x: !!omap [a: 1]\n", id="omap"),
    ],
)
def test_parse_never_raises_on_hostile_values(extra: str) -> None:
    _check_loaded(parse(SEED_FILE, seed_text(extra=extra).encode("utf-8")))


def _check_loaded(loaded: LoadedSeed) -> None:
    assert isinstance(loaded, LoadedSeed)
    errors = [p for p in loaded.problems if p.severity == "error"]
    for problem in loaded.problems:
        assert problem.line >= 1
        assert str(problem).startswith("seeds/prop.txt:")
    if loaded.seed is None:
        assert errors, loaded.problems
        return
    assert not errors, loaded.problems
    _check_seed(loaded.seed)


def _check_seed(seed: Seed) -> None:
    urls = [seed.web_url, seed.amp_web_url, seed.cdn_amp_web_url]
    texts: list[str | None] = [seed.title, seed.excerpt, seed.category, seed.type, *seed.topics]
    images = list(seed.images) + list(seed.provider.images if seed.provider else [])
    for related in seed.related:
        urls += [related.web_url, related.amp_web_url, related.cdn_amp_web_url]
        texts += [related.title, related.excerpt]
        images += related.images
    urls += [image.url for image in images]
    texts += [image.title for image in images]
    for url in filter(None, urls):
        assert re.match(r"https?://[^\s]+\Z", url, re.IGNORECASE), url
        assert url.isascii(), url
    for text in filter(None, texts):
        assert not XML_FORBIDDEN.search(text), text


def _front(text: str) -> bytes:
    return ("---\n" + text + "---\n").encode("utf-8", "surrogatepass")


@PROPERTY
@given(st.binary(max_size=300))
def test_parse_never_raises_on_bytes(data: bytes) -> None:
    _check_loaded(parse(SEED_FILE, data))
    _check_loaded(parse(SEED_FILE, b"---\n" + data + b"\n---\n"))


@PROPERTY
@given(st.text(max_size=300))
def test_parse_never_raises_on_text(text: str) -> None:
    _check_loaded(parse(SEED_FILE, text.encode("utf-8", "surrogatepass")))
    _check_loaded(parse(SEED_FILE, _front(text + "\n")))


@YAML_PROPERTY
@given(DOCUMENTS)
def test_parse_never_raises_on_yaml_documents(document: dict[Any, Any]) -> None:
    _check_loaded(parse(SEED_FILE, _front(yaml.safe_dump(document))))
    _check_loaded(parse(SEED_FILE, _front(yaml.safe_dump({**BASE, **document}))))


@YAML_PROPERTY
@given(DOCUMENTS, st.sampled_from(sorted(BASE)))
def test_parse_never_raises_on_yaml_values_of_required_fields(
    document: dict[Any, Any], key: str
) -> None:
    for value in list(document.values())[:3]:
        _check_loaded(parse(SEED_FILE, _front(yaml.safe_dump({**BASE, key: value}))))


# --------------------------------------------------------------------------- corpus

CORPUS_CONFIG = """\
site:
  title: "Corpus"
  base_url: "https://example.org/corpus/"
feeds:
  - id: all
    title: "All"
    limit: 0
  - id: cv
    title: "Computer Vision"
    topics: ["Computer Vision"]
    limit: 0
  - id: top
    title: "Top published"
    min_quality: 80
    published_only: true
    exclude_topics: [Robotics]
    limit: 0
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("corpus") / "seeds", 300, seed=7)


def test_broken_seeds_in_a_corpus_change_nothing_else(
    ws: Workspace, corpus: Path, tmp_path: Path
) -> None:
    ws.write_config(CORPUS_CONFIG)
    clean = ws.build(seeds=corpus, out=Path("clean-out"))
    assert clean.code == 0, clean.report()
    # The corpus's only warnings: its one URL with a '%' that is no escape (as the aggregator
    # wrote it), which is percent-encoded.
    warnings = clean.stderr.splitlines()
    assert warnings and all("'%' is percent-encoded" in line for line in warnings)

    mixed = tmp_path / "mixed"
    shutil.copytree(corpus, mixed)
    first = (corpus / min(p.name for p in corpus.iterdir())).read_text("utf-8")
    assert first.startswith("---\n")
    broken: dict[str, str | bytes] = {
        # Same webUrl as a good seed, higher quality, but rejected: must not replace it.
        "000_broken.txt": "---\nquality: high\n" + first[4:],
        "100_broken.txt": first[4:],
        "150_broken.md": seed_text(url="javascript:alert(1)", extra="topics: [Computer Vision]\n"),
        "200_broken.yaml": re.sub(
            r"^publishedDateTime: .*$",
            "publishedDateTime: 1960-01-01T00:00:00Z",
            first,
            count=1,
            flags=re.MULTILINE,
        ),
        "299_broken.txt": first.encode("utf-8").replace(b"title: ", b"title: \xff", 1),
    }
    for name, content in broken.items():
        path = mixed / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    run = ws.build(seeds=mixed, out=Path("mixed-out"))
    assert run.code == 1, run.report()
    errors = [line for line in run.lines if ": warning: " not in line]  # the corpus's: above
    reported = sorted({line.split(":")[0] for line in errors})
    assert reported == sorted(f"{mixed.as_posix()}/{name}" for name in broken), run.report()
    assert len(errors) == len(broken), run.report()
    assert run.stdout.startswith("seeds: 305 read, 5 rejected"), run.report()
    assert tree(Path("mixed-out")) == tree(Path("clean-out"))

    # Every valid corpus seed is in the unfiltered feed, once per webUrl.
    loaded = [read(SeedFile(p, p.name, p.as_posix())) for p in sorted(corpus.iterdir())]
    assert all(s.seed is not None for s in loaded)
    expected = {s.seed.web_url for s in loaded if s.seed is not None}
    feed = json.loads(Path("mixed-out/all/feed.json").read_text("utf-8"))
    assert sorted(i["id"] for i in feed["items"]) == sorted(expected)


def test_an_unclosed_flow_mapping_is_named_in_plain_words(tmp_path: Path) -> None:
    """Hypothesis found '{0' raising KeyError: the message's braces were format fields."""
    file = SeedFile(tmp_path / "x.txt", "x.txt", "seeds/x.txt")
    loaded = parse(file, b"---\n{0\n---\n")
    assert [p.message for p in loaded.problems] == [
        "a {mapping} is not closed: add the '}' (and separate its items with ',')"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"---\na: &x [*x]\n---\n", "YAML anchors and aliases (&name, *name) are not allowed"),
        (
            b"---\na: " + b"[" * 5000 + b"]" * 5000 + b"\n---\n",
            "lists or mappings nested too deeply ([ or { inside one another): flatten the value",
        ),
        (
            b"---\ntitle: x\nwebUrl: https://e.com/x\npublishedDateTime: 10000-01-01T00:00:00Z\n"
            b"---\n",
            "not a valid date-time: '10000-01-01T00:00:00Z'; write it as 2020-06-11T22:56:00Z",
        ),
    ],
    ids=["self-referring-anchor", "nested-too-deeply", "not-a-date-time"],
)
def test_parser_words_become_plain_words(tmp_path: Path, text: bytes, message: str) -> None:
    loaded = parse(SeedFile(tmp_path / "x.txt", "x.txt", "seeds/x.txt"), text)
    assert loaded.seed is None
    assert [p.message[: len(message)] for p in loaded.problems] == [message]
