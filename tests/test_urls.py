"""URL checks: the host patterns written without backtracking accept exactly what the plain
(backtracking) definition of a host accepts, and to_uri's verdicts on typical URLs."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic_core import SchemaValidator, ValidationError

from syndicate.seeds import models, urls
from syndicate.seeds.urls import to_uri

# The definition: a label starts and ends with a letter, digit or '_', '-' only inside.
LABEL = "[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?"
HOST = f"{LABEL}(?:\\.{LABEL})*\\.?|\\[[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*\\]"
SCHEME = "[hH][tT][tT][pP][sS]?://"
# What may follow the host (RFC 3986): no '[' or ']', and '#' only to start the fragment.
PART = "A-Za-z0-9\\-._~:/?@!$&'()*+,;="
CLEAN = f"[{PART.replace(';', '')}]*(?:%[0-9A-Fa-f]{{2}}[{PART.replace(';', '')}]*)*"
REFERENCE_PATTERNS = {
    "_HOST": re.compile(HOST),
    "_SIMPLE": re.compile(f"{SCHEME}(?:{HOST})(?:[/?][{PART}%]*)?(?:#[{PART}%]*)?"),
    "_CLEAN": re.compile(f"{SCHEME}(?:{HOST})(?:[/?]{CLEAN})?(?:#{CLEAN})?"),
}
# Hosts and URLs built from the characters that matter at label edges.
PIECES = st.text(alphabet="aZ09_-.:/?#[]%2F&;", max_size=16)


@settings(max_examples=3000)
@given(body=PIECES, prefix=st.sampled_from(["", "http://", "https://", "HtTpS://a", "http://a-"]))
def test_host_patterns_accept_what_the_definition_accepts(prefix: str, body: str) -> None:
    text = prefix + body
    for name, reference in REFERENCE_PATTERNS.items():
        fast = getattr(urls, name)
        assert bool(fast.fullmatch(text)) == bool(reference.fullmatch(text)), (name, text)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a?b=1&c=2", "https://example.com/a?b=1&c=2"),
        ("https://a-b.example.com./x", "https://a-b.example.com./x"),
        ("https://x_y.example/", "https://x_y.example/"),
        ("https://example.com/a&amp;b", "https://example.com/a&b"),
        ("https://bücher.example/ä", "https://xn--bcher-kva.example/%C3%A4"),
        ("https://192.0.2.1/a", "https://192.0.2.1/a"),
        ("https://1.2.3.4./x?a&#038;b", "https://1.2.3.4./x?a&b"),
        ("https://123.example/", "https://123.example/"),
        ("https://a.0xz/", "https://a.0xz/"),  # a last label that is no number: a domain
        ("https://e.example:8080/", "https://e.example:8080/"),
        # the references to '&' only, in any spelling; any other stays as written
        ("https://e.example/?a&#38;b&#0038;c&#X26;d&AMP;e", "https://e.example/?a&b&c&d&e"),
        ("https://good.example&#64;evil.example/", None),  # '&' is no host character
        # the fragment starts at the first '#': a second one is percent-encoded
        ("https://e.example/x?a=&#39;b&#x2F;c&lt;d", "https://e.example/x?a=&#39;b&%23x2F;c&lt;d"),
        ("https://e.example/a&#32;b", "https://e.example/a&#32;b"),
        # an IDN host: its port kept, whatever its case
        ("https://Bücher.example:8443/a", "https://xn--bcher-kva.example:8443/a"),
        ("https://BÜCHER.example:8443/a", "https://xn--bcher-kva.example:8443/a"),
        # what a URL cannot hold as written, percent-encoded (with a warning: test_bad_seeds)
        ("https://e.example/x?q=a|b", "https://e.example/x?q=a%7Cb"),
        ("https://e.example/caf%C-id", "https://e.example/caf%25C-id"),
        ("https://e.example/{a}^`", "https://e.example/%7Ba%7D%5E%60"),
        # '[' and ']' only in an IPv6 host; '#' once
        ("https://e.example/a[1]?ids[]=2", "https://e.example/a%5B1%5D?ids%5B%5D=2"),
        ("https://e.example/p#sec#2", "https://e.example/p#sec%232"),
        ("https://bücher.example/a[1]#x#y", "https://xn--bcher-kva.example/a%5B1%5D#x%23y"),
        ("http://[2001:db8::1]:8080/v6#top", "http://[2001:db8::1]:8080/v6#top"),
        # an IPv6 host, and what follows it encoded as after any other host
        ("https://[2001:db8::1]:8080/h?x=1#f#2", "https://[2001:db8::1]:8080/h?x=1#f%232"),
        ("https://[2001:db8::1]/h?q=a|b", "https://[2001:db8::1]/h?q=a%7Cb"),
        ("https://[2001:db8::1]/h?q=%zz", "https://[2001:db8::1]/h?q=%25zz"),
        ("https://[2001:db8::1]/ü", "https://[2001:db8::1]/%C3%BC"),
        ("https://e.example?q#f", "https://e.example?q#f"),
    ],
)
def test_usable_urls(url: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(ValueError, match="not a valid domain name"):
            to_uri(url)
    else:
        assert to_uri(url) == expected


@pytest.mark.parametrize(
    ("url", "characters"),
    [
        ("https://e.example/a?b=1&c=%20", ""),
        ("https://e.example/ä", ""),  # an IRI: converted, as documented, without a word
        ("https://e.example/x?q=a|b|c", "|"),
        ("https://e.example/%C-{x}%", "%{}"),
        ('https://e.example/"<>\\^`', '"<>\\^`'),
    ],
)
def test_what_a_url_cannot_hold_as_written(url: str, characters: str) -> None:
    assert urls.encoded_characters(url) == characters


@pytest.mark.parametrize("code", [*range(0x80), 0x80, 0xE9, 0x2028, 0xFFFD, 0x10FFFF])
def test_each_character_a_url_cannot_hold_is_named(code: int) -> None:
    """Every ASCII character outside RFC 3986's sets is named, a lone `%` and `[` or `]` after
    the host too; non-ASCII characters (an IRI's) are not."""
    character = chr(code)
    held = string.ascii_letters + string.digits + "-._~:/?#@!$&'()*+,;="
    expected = "" if character in held or code >= 0x80 else character
    assert urls.encoded_characters(f"https://e.example/?q={character}") == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://-a.example.com/", "URL host is not a valid domain name: '-a.example.com'"),
        ("https://a-.example.com/", "URL host is not a valid domain name: 'a-.example.com'"),
        ("https://a..b/", "URL host is not a valid domain name: 'a..b'"),
        ("javascript:alert(1)", "not an absolute http(s) URL: 'javascript:alert(1)'"),
        ("https://exa mple.com/", "URL contains spaces or control characters"),
        ("https://[::1/x", "URL has an invalid host or port: 'https://[::1/x'"),
        # after an IPv6 host's ']': a port or nothing (Python's parser keeps the x)
        ("https://[::1]x/a", "URL has an invalid host or port: 'https://[::1]x/a'"),
        ("https://[::1]x/ä", "URL has an invalid host or port: 'https://[::1]x/ä'"),
        (
            "https://evil.example\\@good.example/",
            "URL contains a backslash (write '/' or %5C): 'https://evil.example\\\\@good.example/'",
        ),
        ("https://e.example:0/", "URL has an invalid host or port: 'https://e.example:0/'"),
        # a user part: credentials, or a link dressed up as another site's
        (
            "https://www.bbc.com@evil.example/news",
            "URL has 'www.bbc.com@' before its host (a user name and password, or a trick: the"
            " link opens evil.example); write the URL without it",
        ),
        (
            "https://u:p@BÜCHER.example:8443/",
            "URL has 'u:p@' before its host (a user name and password, or a trick: the link"
            " opens BÜCHER.example:8443); write the URL without it",
        ),
        # Browsers read a host that ends in a number as an IPv4 address (0x7f.1: 127.0.0.1).
        *[
            (
                url,
                f"URL host {host!r} ends in a number, which browsers read as an IPv4 address:"
                " write the address as four numbers from 0 to 255 (such as 192.0.2.1)",
            )
            for url, host in [
                ("https://0x7f.1/", "0x7f.1"),
                ("http://2130706433/x", "2130706433"),
                ("https://1.2.3.04/", "1.2.3.04"),
                ("https://1.2.3.256/", "1.2.3.256"),
                ("https://example.123/", "example.123"),
                ("https://a.0x/", "a.0x"),
                ("https://0x7f.1/a;b", "0x7f.1"),  # the second fast path
                ("https://0x7f.1:8080/", "0x7f.1"),  # the full path
                # dots and digits that IDNA makes ASCII: the host browsers open
                ("https://127\u30021/x", "127.1"),
                ("https://0x7f\uff0e1/x", "0x7f.1"),
                ("https://\uff10\uff58\uff17\uff46\uff0e\uff11/", "0x7f.1"),
            ]
        ],
        # brackets whose insides are no IPv6 address: Python's URL parser raises on them later
        *[
            (url, f"URL host {host!r} is not a valid IPv6 address")
            for url, host in [
                ("https://[:]/a.jpg", "[:]"),  # the first fast path
                ("https://[:.]/a;b", "[:.]"),  # the second
                ("https://[1:2:3:4:5:6:7:8:9]/", "[1:2:3:4:5:6:7:8:9]"),
            ]
        ],
        # spaces of any kind and control characters, at an end too: never cut off quietly
        *[
            (url, "URL contains spaces or control characters")
            for url in (
                "https://e.example/a\x1f",
                "\thttps://e.example/a",
                "https://e.example/a\n",
                "https://e.example/a\u3000",
                "https://e.example/a\u00a0b",
                "https://e.example/a\u2028b",
            )
        ],
        # what XML forbids: percent-encoding would hide it in the item's id
        ("https://e.example/a\ufffeb", "URL contains U+FFFE, a character XML does not allow"),
        ("https://e.example/\ufdd0", "URL contains U+FDD0, a character XML does not allow"),
        ("https://e.example/\U0001fffe", "URL contains U+1FFFE, a character XML does not allow"),
        # IDNA 2003 would write ss.example, browsers xn--zca.example: two different hosts.
        *[
            (
                f"https://{host}/",
                f"URL host {host!r} has a character (ß, ς or a zero-width joiner) that"
                " browsers and other software encode differently; write the host in its xn-- form",
            )
            for host in ("ß.example", "straße.example", "σας.example", "a\u200db.example")
        ],
    ],
)
def test_unusable_urls(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        to_uri(url)


@pytest.mark.parametrize(
    "url", ["https://[::1]/x", "https://[::1]:8080/x", "https://[::ffff:1.2.3.4]/"]
)
def test_an_ipv6_address_is_a_host(url: str) -> None:
    assert to_uri(url) == url


# --------------------------------------------------------------- the fast path's clean URLs

CLEAN_URL = re.compile(urls.CLEAN_URL)
# The pattern as pydantic-core runs it (seeds/fast_validation.py): Rust's regex crate.
RUST_CLEAN_URL = SchemaValidator(
    {"type": "str", "pattern": f"^(?:{urls.CLEAN_URL})$", "regex_engine": "rust-regex"}
)


def rust_accepts(text: str) -> bool:
    try:
        RUST_CLEAN_URL.validate_python(text)
    except ValidationError:
        return False
    return True


@settings(max_examples=2000)
@given(url=st.from_regex(CLEAN_URL, fullmatch=True))
def test_a_clean_url_is_what_the_seed_model_keeps_as_it_is(url: str) -> None:
    """Every URL the fast path's validator takes without asking `_url` is one that `_url`
    returns unchanged (within the length limit, which the validator checks too)."""
    assert rust_accepts(url)
    if len(url) <= urls.MAX_URL_LENGTH:
        assert to_uri(url) == url
        assert models._url(url) == url


@settings(max_examples=3000)
@given(
    body=st.text(alphabet="aZg09_-.:/?#[]%2F&;x é", max_size=24),
    prefix=st.sampled_from(["", "http://", "https://", "HtTpS://a", "http://a-", "https://0x"]),
)
def test_python_and_rust_read_the_clean_url_pattern_alike(prefix: str, body: str) -> None:
    """And each string it accepts is kept as it is by `to_uri` (none it refuses is wrong:
    the validator then asks `_url`)."""
    text = prefix + body
    accepted = CLEAN_URL.fullmatch(text) is not None
    assert rust_accepts(text) == accepted, text
    if accepted:
        assert to_uri(text) == text


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("https://www.bbc.com/news/uk-65252284", True),
        ("HTTP://a_b.example/x?y=1&z=%2F#top", True),
        ("https://e.de/", True),  # a last label ending in a hex digit, still no number
        ("https://192.0.2.1/a", False),  # a number: check_host has a word to say
        ("https://a.0x1f/", False),
        ("https://example.com./x", False),  # a trailing dot
        ("https://e.example:8080/", False),  # a port
        ("https://e.example/a;b", False),  # ';': a character reference, perhaps
        ("https://e.example/100%", False),  # '%' not before two hex digits
        ("https://e.example/a b", False),
        ("https://e.example/\n", False),  # Rust's '$' is the end of the text only
        ("https://bücher.example/", False),
    ],
)
def test_clean_urls(url: str, clean: bool) -> None:
    assert (CLEAN_URL.fullmatch(url) is not None) == clean
    assert rust_accepts(url) == clean


@settings(max_examples=1000)
@given(host=st.from_regex(f"(?:{urls.CLEAN_HOST})", fullmatch=True))
def test_a_clean_host_is_a_domain_the_seed_model_keeps_as_it_is(host: str) -> None:
    """The fast path's validator takes a provider's domain of this form without asking the
    model's checks, which give it unchanged."""
    if len(host) <= models.MAX_DOMAIN:
        assert re.fullmatch(models.DOMAIN_PATTERN[1:-1], host)
        assert models._domain(models._ascii_domain(host)) == host
