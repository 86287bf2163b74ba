"""The preview's HTTP server: the served copy's files with the content types readers expect,
pages with live reload (live.py), nothing outside the served folder, no directory listings."""

from __future__ import annotations

import errno
import ipaddress
import logging
import socket
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from syndicate.errors import SyndicateError
from syndicate.preview import live
from syndicate.preview.site import Preview
from syndicate.render.pages import OPML_MEDIA_TYPE
from syndicate.render.writers import ARCHIVE_FOLDER, WRITERS

log = logging.getLogger(__name__)

_UTF8 = "; charset=utf-8"
# By file name (a feed's documents), then by suffix.
BY_NAME = {w.filename: w.media_type + _UTF8 for w in WRITERS.values()}
ARCHIVE_TYPES = {
    w.archive_suffix: w.media_type + _UTF8 for w in WRITERS.values() if w.archive_suffix
}
BY_SUFFIX = {
    ".html": "text/html" + _UTF8,
    ".opml": OPML_MEDIA_TYPE + _UTF8,
    ".xsl": "text/xsl" + _UTF8,
    ".xml": "application/xml" + _UTF8,
    ".json": "application/json" + _UTF8,
}


def content_type(name: str) -> str:
    path = Path(name)
    if path.name in BY_NAME:
        return BY_NAME[path.name]
    if path.parent.name == ARCHIVE_FOLDER and path.suffix in ARCHIVE_TYPES:
        return ARCHIVE_TYPES[path.suffix]
    return BY_SUFFIX.get(path.suffix, "application/octet-stream")


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], preview: Preview | None = None) -> None:
        if ipaddress.ip_address(address[0]).version == 6:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)
        self.preview = preview


def listen(bind: str, port: int) -> PreviewServer:
    """A server listening on bind:port (port 0: one the system picks); exit 2 if it cannot."""
    try:
        ipaddress.ip_address(bind)
    except ValueError:
        raise SyndicateError(f"--bind {bind!r}: give an IP address, such as 127.0.0.1") from None
    try:
        return PreviewServer((bind, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise SyndicateError(
                f"port {port} on {bind} is in use: stop what uses it, or choose another "
                "port with --port"
            ) from None
        raise SyndicateError(f"cannot listen on {bind} port {port}: {exc.strerror}") from None


def url_of(server: PreviewServer) -> str:
    host, port = server.server_address[:2]
    name = host.decode() if isinstance(host, bytes) else str(host)
    shown = f"[{name}]" if ":" in name else name
    return f"http://{shown}:{port}/"


class Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "syndicate-preview"
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _answer(self, body: bool) -> None:
        preview = self.server.preview
        if preview is None:
            return self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/plain" + _UTF8, b"", body)
        state = preview.state
        path = unquote(urlsplit(self.path).path)
        if path == live.VERSION_PATH:
            return self._send(
                HTTPStatus.OK, "text/plain" + _UTF8, str(state.version).encode(), body
            )
        if not state.built:
            return self._send(
                HTTPStatus.SERVICE_UNAVAILABLE, "text/html" + _UTF8, live.error_page(state), body
            )
        root = preview.out_dir.resolve()
        parts = [p for p in path.split("/") if p]
        if any(p.startswith(".") or "\\" in p or "\0" in p for p in parts):
            return self._not_found(body)
        target = root.joinpath(*parts)
        if target.is_dir():
            if not path.endswith("/"):
                return self._redirect(path + "/", body)
            target = target / "index.html"
        try:
            data = target.read_bytes()
        except OSError:
            return self._not_found(body)
        kind = content_type(target.relative_to(root).as_posix())
        if kind.startswith("text/html"):
            data = live.inject(data, state)
        self._send(HTTPStatus.OK, kind, data, body)

    def _not_found(self, body: bool) -> None:
        self._send(HTTPStatus.NOT_FOUND, "text/plain" + _UTF8, b"not in the preview\n", body)

    def _redirect(self, location: str, body: bool) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: HTTPStatus, kind: str, data: bytes, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if body:
            self.wfile.write(data)
