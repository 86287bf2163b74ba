"""URLs from seeds: decode leaked HTML character references, accept only absolute http(s)."""

from __future__ import annotations

import html.entities
import re
from urllib.parse import quote, urlsplit, urlunsplit

MAX_URL_LENGTH = 4096

_REFERENCE = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));")
# Characters RFC 3986 allows in a URI (unreserved, reserved and '%').
_URI_CHARS = "A-Za-z0-9\\-._~:/?#\\[\\]@!$&'()*+,;="
_PLAIN_URI = re.compile(f"[{_URI_CHARS}%]+")
_SAFE_IN_PATH = "-._~:/?#[]@!$&'()*+,;=%"
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f-\x9f]")
# The common case, checked in one step: http(s), a plain host without port or userinfo, then
# only URI characters. Anything else takes the full path below.
# A label: letters, digits, '_' and '-', not starting or ending with '-'. Written without
# backtracking (the longest run, then no '-' at its end): what follows a label in a host is
# '.', ':', '/', '?', '#' or the end, so a shorter run could never match where this fails.
_LABEL = "[A-Za-z0-9_][A-Za-z0-9_-]*+(?<!-)"
_HOST = re.compile(f"{_LABEL}(?:\\.{_LABEL})*+\\.?|\\[[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*\\]")
_SIMPLE = re.compile(f"[hH][tT][tT][pP][sS]?://(?:{_HOST.pattern})(?:[/?#][{_URI_CHARS}%]*)?")
# Most URLs, taken as they are in one step: _SIMPLE without ';' (so no character reference to
# decode) and with '%' only before two hex digits.
_CLEAN_CHARS = f"[{_URI_CHARS.replace(';', '')}]*+"
_CLEAN = re.compile(
    f"[hH][tT][tT][pP][sS]?://(?:{_HOST.pattern})"
    f"(?:[/?#]{_CLEAN_CHARS}(?:%[0-9A-Fa-f]{{2}}{_CLEAN_CHARS})*+)?"
)


def _decode_reference(match: re.Match[str]) -> str:
    decimal, hexadecimal, name = match.groups()
    if decimal or hexadecimal:
        code = int(decimal) if decimal else int(hexadecimal, 16)
        if 0 < code < 0x110000 and not 0xD800 <= code <= 0xDFFF:
            return chr(code)
        return match.group(0)
    return html.entities.html5.get(f"{name};", match.group(0))


def decode_references(url: str) -> str:
    """`&#038;`, `&#x26;`, `&amp;` -> `&`; `&region=us` (not a complete reference) stays."""
    return _REFERENCE.sub(_decode_reference, url) if "&" in url else url


def to_uri(url: str) -> str:
    """The URL as written, decoded of references; IRIs become URIs. ValueError if unusable."""
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"URL is longer than {MAX_URL_LENGTH} characters")
    if _CLEAN.fullmatch(url):
        return url
    url = decode_references(url)
    if _SIMPLE.fullmatch(url) and ("%" not in url or not _LONE_PERCENT.search(url)):
        return url
    if _FORBIDDEN.search(url):
        raise ValueError("URL contains spaces or control characters")
    if "\\" in url:  # browsers read it as '/': https://a.example\@b.example/ opens a.example
        raise ValueError(f"URL contains a backslash (write '/' or %5C): {url!r}")
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed IPv6 host: Python's "Invalid IPv6 URL"
        raise ValueError(f"URL has an invalid host or port: {url!r}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    try:
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise ValueError(f"URL has an invalid host or port: {url!r}") from None
    if not host:
        raise ValueError(f"URL has no host: {url!r}")
    ipv6 = "[" in parts.netloc and ":" in host
    if host.isascii() and not _HOST.fullmatch(f"[{host}]" if ipv6 else host):
        raise ValueError(f"URL host is not a valid domain name: {host!r}")
    if _PLAIN_URI.fullmatch(url) and not _LONE_PERCENT.search(url):
        return url
    return _iri_to_uri(parts.scheme, parts.netloc, host, parts.path, parts.query, parts.fragment)


# Characters IDNA 2003 (Python's "idna" codec) maps away where browsers (UTS 46, not
# transitional) keep them: `ß.example` would become ss.example, another host than the reader's.
_DEVIATIONS = frozenset("\u00df\u03c2\u200c\u200d")


def _iri_to_uri(scheme: str, netloc: str, host: str, path: str, query: str, fragment: str) -> str:
    if not host.isascii():
        if _DEVIATIONS.intersection(host):
            raise ValueError(
                f"URL host {host!r} has a character (ß, ς or a zero-width joiner) that browsers"
                " and other software encode differently; write the host in its xn-- form"
            )
        try:
            ascii_host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError(f"URL host is not a valid domain name: {host!r}") from None
        netloc = netloc.replace(host, ascii_host) if host in netloc else ascii_host
    if not _PLAIN_URI.fullmatch(netloc) or not _HOST.fullmatch(
        netloc.rpartition("@")[2].split(":")[0]
    ):
        raise ValueError(f"URL host is not a valid domain name: {host!r}")

    def encode(part: str) -> str:
        return quote(_LONE_PERCENT.sub("%25", part), safe=_SAFE_IN_PATH)

    return urlunsplit((scheme, netloc, encode(path), encode(query), encode(fragment)))
