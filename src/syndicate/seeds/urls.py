"""URLs from seeds: decode leaked HTML character references, accept only absolute http(s)."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

from syndicate.words import XML_FORBIDDEN

MAX_URL_LENGTH = 4096

# The references to '&' that WordPress leaks into URLs; no other reference is decoded (`&#64;`
# would put an '@' in the URL, another host).
_REFERENCE = re.compile(r"&(?:#0*38|#[xX]0*26|amp|AMP);")
# Characters RFC 3986 allows in a URI (unreserved, reserved and '%').
_URI_CHARS = "A-Za-z0-9\\-._~:/?#\\[\\]@!$&'()*+,;="
_PLAIN_URI = re.compile(f"[{_URI_CHARS}%]+")
# After the host: '[' and ']' nowhere (only an IPv6 host holds them), '#' once (RFC 3986 3.3-3.5).
_PART_CHARS = "A-Za-z0-9\\-._~:/?@!$&'()*+,;="
_SAFE_IN_PART = "-._~:/?@!$&'()*+,;=%"
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Spaces of any kind and control characters (then what else XML forbids: XML_FORBIDDEN, which
# percent-encoding would hide in the item's id).
_FORBIDDEN = re.compile(
    "[\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
)
# The common case, checked in one step: http(s), a plain host without port or userinfo, then
# only URI characters. Anything else takes the full path below.
# A label: letters, digits, '_' and '-', not starting or ending with '-'. Written without
# backtracking (the longest run, then no '-' at its end): what follows a label in a host is
# '.', ':', '/', '?', '#' or the end, so a shorter run could never match where this fails.
_LABEL = "[A-Za-z0-9_][A-Za-z0-9_-]*+(?<!-)"
_HOST = re.compile(f"{_LABEL}(?:\\.{_LABEL})*+\\.?|\\[[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*\\]")
_SIMPLE = re.compile(
    f"[hH][tT][tT][pP][sS]?://(?P<host>{_HOST.pattern})"
    f"(?:[/?][{_PART_CHARS}%]*)?(?:#[{_PART_CHARS}%]*)?"
)
# Most URLs, taken as they are in one step: _SIMPLE without ';' (so no character reference to
# decode) and with '%' only before two hex digits.
_CLEAN_CLASS = f"[{_PART_CHARS.replace(';', '')}]"
_CLEAN_PART = f"{_CLEAN_CLASS}*+(?:%[0-9A-Fa-f]{{2}}{_CLEAN_CLASS}*+)*+"
_CLEAN = re.compile(
    f"[hH][tT][tT][pP][sS]?://(?P<host>{_HOST.pattern})(?:[/?]{_CLEAN_PART})?(?:#{_CLEAN_PART})?"
)


# Patterns that Python's re and Rust's regex crate (pydantic-core's: seeds/fast_validation.py)
# read alike (no possessive quantifier, no lookaround). LABEL: a host name's label, as _LABEL
# (the seed model's domain pattern is made of it too). CLEAN_HOST: a host name whose last label
# starts with a letter or '_' (never a number: check_host has nothing to say), without a
# trailing dot or a port. CLEAN_URL: the URLs `to_uri` returns as they are: _CLEAN's, with such
# a host. tests/test_urls.py holds them to check_host and `to_uri`.
LABEL = "[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?"
CLEAN_HOST = f"(?:{LABEL}\\.)*[A-Za-z_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?"
_CLEAN_URL_PART = f"{_CLEAN_CLASS}*(?:%[0-9A-Fa-f]{{2}}{_CLEAN_CLASS}*)*"
CLEAN_URL = f"[hH][tT][tT][pP][sS]?://{CLEAN_HOST}(?:[/?]{_CLEAN_URL_PART})?(?:#{_CLEAN_URL_PART})?"


def decode_references(url: str) -> str:
    """`&#038;`, `&#x26;`, `&amp;` -> `&`; `&region=us` (not a complete reference) and any
    other reference (`&#64;`) stay."""
    return _REFERENCE.sub("&", url) if "&" in url else url


def to_uri(url: str) -> str:
    """The URL as written, decoded of references; IRIs become URIs. ValueError if unusable."""
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"URL is longer than {MAX_URL_LENGTH} characters")
    if clean := _CLEAN.fullmatch(url):
        check_host(clean["host"])
        return url
    url = decode_references(url)
    simple = _SIMPLE.fullmatch(url)
    if simple and ("%" not in url or not _LONE_PERCENT.search(url)):
        check_host(simple["host"])
        return url
    if _FORBIDDEN.search(url):
        raise ValueError("URL contains spaces or control characters")
    if bad := XML_FORBIDDEN.search(url):  # the controls are refused above: a noncharacter
        raise ValueError(f"URL contains U+{ord(bad.group()):04X}, a character XML does not allow")
    if "\\" in url:  # browsers read it as '/': https://a.example\@b.example/ opens a.example
        raise ValueError(f"URL contains a backslash (write '/' or %5C): {url!r}")
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed IPv6 host: Python's "Invalid IPv6 URL"
        raise ValueError(f"URL has an invalid host or port: {url!r}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    if "@" in parts.netloc:  # https://www.bbc.com@evil.example/ opens evil.example
        user, _, host = parts.netloc.rpartition("@")
        raise ValueError(
            f"URL has {user + '@'!r} before its host (a user name and password, or a trick:"
            f" the link opens {host}); write the URL without it"
        )
    try:
        host = parts.hostname or ""
        if parts.port == 0:  # a bad port raises ValueError; 0 is none a server listens on
            raise ValueError
        if parts.netloc.startswith("[") and not _AFTER_IPV6.fullmatch(parts.netloc):
            raise ValueError  # `[::1]x`: Python's parser keeps the x, browsers refuse it
    except ValueError:
        raise ValueError(f"URL has an invalid host or port: {url!r}") from None
    if not host:
        raise ValueError(f"URL has no host: {url!r}")
    as_written = f"[{host}]" if "[" in parts.netloc and ":" in host else host  # IPv6: [..]
    check_host(as_written)
    if host.isascii() and not _HOST.fullmatch(as_written):
        raise ValueError(f"URL host is not a valid domain name: {host!r}")
    encoded = encoded_characters(url)
    if url.isascii() and not encoded:
        return url
    if encoded:
        global encoded_count  # read by the fast seed path: see below
        encoded_count += 1
    return _iri_to_uri(parts.scheme, parts.netloc, host, parts.path, parts.query, parts.fragment)


# How many URLs `to_uri` has given with ASCII characters percent-encoded (`encoded_characters`)
# in this process: a seed read by the fast path during which it moved is read again by the
# reference path, which says so in a warning (seeds/reading.py, seeds/repairs.py). (An IRI's
# non-ASCII characters are encoded too, as documented, without a word.)
encoded_count = 0
_AFTER_IPV6 = re.compile(r"\[[^\]]*\](?::[0-9]*)?")  # an IPv6 host, then a port or nothing
# The ASCII characters a URI cannot hold as they are (listed: a class of "all but" with
# every non-ASCII character in it takes milliseconds to compile, at every start).
_ASCII_NOT_IN_URI = "".join(c for c in map(chr, range(0x80)) if not _PLAIN_URI.fullmatch(c))
_NOT_IN_URI = re.compile(f"[{re.escape(_ASCII_NOT_IN_URI)}]|%(?![0-9A-Fa-f]{{2}})")
_NOT_AFTER_HOST = re.compile(r"[\[\]]")


def encoded_characters(url: str) -> str:
    """The ASCII characters of `url` (decoded of references) that a URL cannot hold as they are
    and `to_uri` percent-encodes, each once, in order: `|`, `{`, `"`, `%` not followed by two
    hex digits, `[` or `]` after the host, a second `#`... (Spaces and control characters are
    refused instead.)"""
    found = dict.fromkeys(match.group(0)[0] for match in _NOT_IN_URI.finditer(url))
    rest = _after_host(url)
    found.update(dict.fromkeys(_NOT_AFTER_HOST.findall(rest)))
    if rest.count("#") > 1:
        found["#"] = None
    return "".join(found)


def _after_host(url: str) -> str:
    """What follows the authority (user, host and port) of `url`: its path, query and
    fragment."""
    start = url.find("//")
    start = 0 if start < 0 else start + 2
    ends = [at for at in map(url.find, "/?#", (start,) * 3) if at >= 0]
    return url[min(ends) :] if ends else ""


# Characters IDNA 2003 (Python's "idna" codec) maps away where browsers (UTS 46, not
# transitional) keep them: `ß.example` would become ss.example, another host than the reader's.
_DEVIATIONS = frozenset("\u00df\u03c2\u200c\u200d")


_HEX = frozenset("0123456789abcdefABCDEF")
_NOT_HEX = frozenset("ghijklmnopqrstuvwyzGHIJKLMNOPQRSTUVWYZ_-")  # ends no number (x: 0x)


def check_host(host: str) -> None:
    """ValueError for a host no reader can reach as written: an IPv6 address in brackets that
    is none (`[:]`), or a host ending in a number that is not an IPv4 address's four."""
    if host[-1:] in _NOT_HEX:  # most hosts (.com, .org, .uk): asked of every URL of every seed
        return
    if host.startswith("["):
        import ipaddress  # only for the rare URL with an IPv6 address

        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise ValueError(f"URL host {host!r} is not a valid IPv6 address") from None
    else:
        check_number_host(host)


def check_number_host(host: str) -> None:
    """A host whose last label is a number is an IPv4 address to browsers (the WHATWG URL
    standard), which read 0x7f.1 or 2130706433 as 127.0.0.1: of those, only four numbers from
    0 to 255 (written without leading zeros) are taken, the address a reader sees."""
    if host[-1:] in _NOT_HEX:  # most hosts (.com, .org, .uk): nothing more to ask
        return
    last = host.rstrip(".").rpartition(".")[2]
    if not (last.isdigit() or (last[:2] in ("0x", "0X") and _HEX.issuperset(last[2:]))):
        return  # a domain name (its last label is not a number)
    numbers = host.rstrip(".").split(".")
    if len(numbers) == 4 and all(
        n.isdigit() and n.isascii() and int(n) <= 255 and (n == "0" or n[0] != "0") for n in numbers
    ):
        return
    raise ValueError(
        f"URL host {host!r} ends in a number, which browsers read as an IPv4 address: write"
        " the address as four numbers from 0 to 255 (such as 192.0.2.1)"
    )


def idna_host(host: str) -> str:
    """A non-ASCII host name in its ASCII (IDNA, `xn--`) form; ValueError if it has none, or
    one that browsers and Python would not agree on."""
    if _DEVIATIONS.intersection(host):
        raise ValueError(
            f"host {host!r} has a character (ß, ς or a zero-width joiner) that browsers"
            " and other software encode differently; write the host in its xn-- form"
        )
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"host is not a valid domain name: {host!r}") from None


def _iri_to_uri(scheme: str, netloc: str, host: str, path: str, query: str, fragment: str) -> str:
    if not host.isascii():
        try:
            ascii_host = idna_host(host)
        except ValueError as exc:
            raise ValueError(f"URL {exc}") from None
        check_number_host(ascii_host)  # `127。1` is 127.1 once in ASCII: 127.0.0.1
        # the port kept as written (`host`, lowercased, is not what the URL spells)
        netloc = ascii_host + "".join(netloc.partition(":")[1:])
    # the host as written: up to its port's ':', or an IPv6 address's ']'
    written = netloc[: netloc.index("]") + 1] if netloc.startswith("[") else netloc.split(":")[0]
    if not _PLAIN_URI.fullmatch(netloc) or not _HOST.fullmatch(written):
        raise ValueError(f"URL host is not a valid domain name: {host!r}")

    def encode(part: str) -> str:
        return quote(_LONE_PERCENT.sub("%25", part), safe=_SAFE_IN_PART)

    return urlunsplit((scheme, netloc, encode(path), encode(query), encode(fragment)))
