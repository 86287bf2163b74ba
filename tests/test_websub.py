"""WebSub: hub links in every format, the changes record `syndicate build` keeps, and
`syndicate ping` against a small HTTP server this test starts on 127.0.0.1 (never any other
address; every request has a timeout, every server thread stops with its test)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import feedparser
import pytest
from click.testing import Result
from lxml import etree

from syndicate.publish import output, websub

from conftest import run, seed_text, write_seed
from feedcheck import atom_schema, json_validator

BASE = "https://example.org/feeds/"
ATOM = "{http://www.w3.org/2005/Atom}"
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY")


# --------------------------------------------------------------------------- a local hub


@dataclass(frozen=True)
class Reply:
    status: int = 204
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0  # seconds before answering (for timeouts)


@dataclass
class Hub:
    """A WebSub hub on 127.0.0.1: records every request and answers from a script per path."""

    port: int
    script: dict[str, list[Reply]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/hub") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def reply(self, path: str) -> Reply:
        with self.lock:
            queue = self.script.get(path, [])
            return queue.pop(0) if len(queue) > 1 else (queue[0] if queue else Reply())

    def topics(self, path: str = "/hub") -> list[str]:
        return [r["form"]["hub.url"] for r in self.requests if r["path"] == path]


def _handler(hub: Hub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(min(length, 65536))
            with hub.lock:
                hub.requests.append(
                    {
                        "path": self.path,
                        "method": "POST",
                        "content_type": self.headers.get("Content-Type"),
                        "user_agent": self.headers.get("User-Agent"),
                        "form": dict(parse_qsl(body.decode("ascii"), strict_parsing=True)),
                        "pairs": parse_qsl(body.decode("ascii")),
                    }
                )
            self._answer(hub.reply(self.path))

        def do_GET(self) -> None:
            with hub.lock:
                hub.requests.append({"path": self.path, "method": "GET", "form": {}})
            self._answer(Reply(405))

        def _answer(self, reply: Reply) -> None:
            if reply.delay:
                time.sleep(reply.delay)
            try:
                self.send_response(reply.status)
                for name, value in reply.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[Hub]:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setattr(websub, "BACKOFF", 0.01)
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    server.daemon_threads = True
    state = Hub(server.server_address[1])
    server.RequestHandlerClass = _handler(state)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# --------------------------------------------------------------------------- a site


def site_config(hubs: list[str] | None) -> str:
    hub_line = f"  websub_hubs: {json.dumps(hubs)}\n" if hubs is not None else ""
    return f"""\
site:
  title: "WebSub test"
  base_url: "{BASE}"
{hub_line}feeds:
  - id: all
    title: "Everything"
    limit: 0
  - id: vision
    title: "Vision"
    topics: ["Computer Vision"]
    formats: [atom, json]
"""


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    Path("config").mkdir()
    write_seed(Path("seeds"), "a.txt", seed_text("A", "https://example.com/a"))
    write_seed(
        Path("seeds"),
        "b.txt",
        seed_text("B", "https://example.com/b", topics="[Computer Vision]"),
    )
    return tmp_path


def configure(hubs: list[str] | None) -> None:
    Path("config/feeds.yaml").write_text(site_config(hubs), encoding="utf-8")


def build() -> Result:
    result = run("build", "-q")
    assert result.exit_code == 0, result.output
    return result


def changes() -> list[str] | None:
    return output.read_changes(Path("out"))


ALL_FEEDS = [
    "all/atom.xml",
    "all/feed.json",
    "all/rss.xml",
    "vision/atom.xml",
    "vision/feed.json",
]


# --------------------------------------------------------------------------- hub links


def test_every_format_links_every_hub(ws: Path) -> None:
    hubs = ["https://hub.example.net/", "https://other.example.net/publish?x=1&y=2"]
    configure(hubs)
    build()
    atom = etree.parse("out/all/atom.xml")
    assert [link.get("href") for link in atom.iterfind(f"{ATOM}link[@rel='hub']")] == hubs
    assert atom_schema().validate(atom)
    rss = etree.parse("out/all/rss.xml")
    assert [link.get("href") for link in rss.iterfind(f"channel/{ATOM}link[@rel='hub']")] == hubs
    for name in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse(Path("out/all", name).read_bytes())
        assert not parsed.bozo
        assert [link.href for link in parsed.feed.links if link.rel == "hub"] == hubs
        assert [link.href for link in parsed.feed.links if link.rel == "self"] == [
            f"{BASE}all/{name}"
        ]
    document = json.loads(Path("out/all/feed.json").read_bytes())
    assert document["hubs"] == [{"type": "WebSub", "url": url} for url in hubs]
    assert not list(json_validator().iter_errors(document))


def test_no_hubs_no_links_and_no_record(ws: Path) -> None:
    configure(None)
    build()
    assert b'rel="hub"' not in Path("out/all/atom.xml").read_bytes()
    assert b'rel="hub"' not in Path("out/all/rss.xml").read_bytes()
    assert "hubs" not in json.loads(Path("out/all/feed.json").read_bytes())
    assert not Path("out", output.CHANGES).exists()
    assert output.CHANGES not in output.read_manifest(Path("out"))


@pytest.mark.parametrize(
    ("hubs", "message"),
    [
        ('["ftp://hub.example.net/"]', "websub_hubs[0]: "),
        ("[]", "websub_hubs: list at least one hub URL, or leave websub_hubs out"),
        ('["https://h.example/", "https://h.example/"]', "websub_hubs: a hub is listed twice"),
        ('"https://h.example/"', "websub_hubs: must be a list"),
        ('["https://h.example/#x"]', "websub_hubs[0]: must not have a fragment"),
    ],
)
def test_bad_hubs_are_config_errors(ws: Path, hubs: str, message: str) -> None:
    Path("config/feeds.yaml").write_text(
        site_config(None).replace("feeds:\n", f"  websub_hubs: {hubs}\nfeeds:\n", 1),
        encoding="utf-8",
    )
    result = run("build")
    assert result.exit_code == 2
    assert f"config/feeds.yaml:4: site.{message}" in result.stderr, result.stderr


# --------------------------------------------------------------------------- the record


def test_the_record_lists_the_feed_files_a_build_changed(ws: Path) -> None:
    configure(["https://hub.example.net/"])
    build()
    assert changes() == ALL_FEEDS
    assert output.CHANGES in output.read_manifest(Path("out"))
    record = Path("out", output.CHANGES)
    before = (record.read_bytes(), record.stat().st_mtime_ns)
    build()  # a no-op build: the record stays, byte for byte, not rewritten
    assert (record.read_bytes(), record.stat().st_mtime_ns) == before
    run("build", "-q", "--no-cache")
    assert (record.read_bytes(), record.stat().st_mtime_ns) == before
    check = run("build", "--check")
    assert check.exit_code == 0, check.stdout
    write_seed(Path("seeds"), "c.txt", seed_text("C", "https://example.com/c"))
    build()  # only the `all` feed changes
    assert changes() == ["all/atom.xml", "all/feed.json", "all/rss.xml"]


def test_a_build_that_changes_only_pages_empties_the_record(ws: Path) -> None:
    configure(["https://hub.example.net/"])
    build()
    Path("out/index.html").write_text("edited by hand", encoding="utf-8")
    build()
    assert changes() == []


def test_the_record_goes_with_the_hubs(ws: Path) -> None:
    configure(["https://hub.example.net/"])
    build()
    configure(None)
    result = run("build", "-v")
    assert result.exit_code == 0
    assert not Path("out", output.CHANGES).exists()
    assert output.CHANGES not in output.read_manifest(Path("out"))


def test_build_check_sees_a_missing_record(ws: Path) -> None:
    configure(["https://hub.example.net/"])
    build()
    Path("out", output.CHANGES).unlink()
    result = run("build", "--check")
    assert result.exit_code == 1
    assert f"added    {output.CHANGES}" in result.stdout
    run("build", "-q")
    assert changes() == []  # nothing else changed: no feed to notify


# --------------------------------------------------------------------------- ping


def test_ping_notifies_every_hub_of_every_changed_feed(ws: Path, hub: Hub) -> None:
    configure([hub.url("/hub"), hub.url("/other")])
    build()
    started = time.monotonic()
    result = run("ping", "--timeout", "5")
    assert result.exit_code == 0, result.output
    expected = [BASE + name for name in ALL_FEEDS]
    assert hub.topics("/hub") == hub.topics("/other") == expected
    for request in hub.requests:
        assert request["method"] == "POST"
        assert request["content_type"] == "application/x-www-form-urlencoded"
        assert request["user_agent"].startswith("syndicate/")
        assert [key for key, _ in request["pairs"]] == ["hub.mode", "hub.url"]
        assert request["form"]["hub.mode"] == "publish"
    assert result.stdout.splitlines() == [
        f"hub {hub.url('/hub')}: 5 of 5 accepted",
        *[f"  ok      {url}  204 No Content" for url in expected],
        f"hub {hub.url('/other')}: 5 of 5 accepted",
        *[f"  ok      {url}  204 No Content" for url in expected],
        "pinged 2 hubs: 10 of 10 notifications accepted",
    ]
    assert time.monotonic() - started < 10


def test_ping_after_a_build_that_changed_one_feed(ws: Path, hub: Hub) -> None:
    configure([hub.url()])
    build()
    write_seed(
        Path("seeds"), "c.txt", seed_text("C", "https://example.com/c", topics="[Computer Vision]")
    )
    write_seed(Path("seeds"), "a.txt", seed_text("A", "https://example.com/a"))
    build()
    result = run("ping")
    assert result.exit_code == 0, result.output
    assert hub.topics() == [BASE + name for name in ALL_FEEDS]  # c is in both feeds
    Path("seeds/c.txt").unlink()
    write_seed(Path("seeds"), "d.txt", seed_text("D", "https://example.com/d", topics="[NLP]"))
    build()
    hub.requests.clear()
    assert run("ping").exit_code == 0
    assert hub.topics() == [BASE + name for name in ALL_FEEDS]
    (Path("seeds") / "d.txt").unlink()
    write_seed(Path("seeds"), "e.txt", seed_text("E", "https://example.com/e", topics="[NLP]"))
    build()  # only `all` changes: e replaces d
    hub.requests.clear()
    assert run("ping").exit_code == 0
    assert hub.topics() == [f"{BASE}all/atom.xml", f"{BASE}all/feed.json", f"{BASE}all/rss.xml"]


def test_ping_retries_then_succeeds(ws: Path, hub: Hub) -> None:
    configure([hub.url()])
    build()
    hub.script["/hub"] = [Reply(503), Reply(500, b"busy\n"), Reply(202)]
    result = run("ping", "--retries", "2")
    assert result.exit_code == 0, result.output
    first = f"{BASE}all/atom.xml"
    assert f"  ok      {first}  202 Accepted (3 attempts)" in result.stdout.splitlines()
    assert hub.topics()[:3] == [first] * 3


def test_ping_reports_failures_and_exits_1(ws: Path, hub: Hub) -> None:
    configure([hub.url()])
    build()
    hub.script["/hub"] = [Reply(400, b"\n  unknown topic  \nmore\n")]
    result = run("ping", "--retries", "3")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"hub {hub.url()}: 0 of 5 accepted"
    assert f"  failed  {BASE}all/atom.xml  HTTP 400 Bad Request: unknown topic" in lines
    assert lines[-1] == "pinged 1 hub: 0 of 5 notifications accepted"
    assert len(hub.requests) == 5  # a 4xx is final: no retry
    quiet = run("ping", "-q")
    assert quiet.exit_code == 1
    assert quiet.stdout.splitlines()[0] == (
        f"failed  {hub.url()}  {BASE}all/atom.xml  HTTP 400 Bad Request: unknown topic"
    )
    assert len(quiet.stdout.splitlines()) == 5


def test_ping_gives_up_after_the_retries(ws: Path, hub: Hub) -> None:
    port = closed_port()
    configure([hub.url(), f"http://127.0.0.1:{port}/hub"])
    build()
    hub.script["/hub"] = [Reply(503, headers=(("Retry-After", "0"),))]
    result = run("ping", "--retries", "2", "--timeout", "2")
    assert result.exit_code == 1
    assert f"  failed  {BASE}all/atom.xml  HTTP 503 Service Unavailable (3 attempts)" in (
        result.stdout.splitlines()
    )
    lines = result.stdout.splitlines()
    down = lines.index(f"hub http://127.0.0.1:{port}/hub: 0 of 5 accepted")
    assert lines[down + 1].endswith("cannot connect: Connection refused (3 attempts)")
    assert lines[down + 2 : down + 6] == [
        f"  failed  {BASE}{name}  not sent: the hub is unreachable" for name in ALL_FEEDS[1:]
    ]
    assert len(hub.requests) == 15  # the hub that answers is asked every time


def test_ping_times_out(ws: Path, hub: Hub) -> None:
    configure([hub.url()])
    Path("config/feeds.yaml").write_text(
        site_config([hub.url()]).split("  - id: vision")[0].replace("limit: 0", "formats: [json]"),
        encoding="utf-8",
    )
    build()
    hub.script["/hub"] = [Reply(204, delay=1.0)]
    started = time.monotonic()
    result = run("ping", "--timeout", "0.2", "--retries", "1")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1] == (
        f"  failed  {BASE}all/feed.json  timed out after 0.2 s (2 attempts)"
    )
    assert time.monotonic() - started < 5
    assert len(hub.requests) == 2


def test_ping_does_not_follow_a_redirect(ws: Path, hub: Hub) -> None:
    configure([hub.url()])
    build()
    hub.script["/hub"] = [Reply(302, headers=(("Location", hub.url("/elsewhere")),))]
    result = run("ping")
    assert result.exit_code == 1
    assert f"HTTP 302 Found: redirected to {hub.url('/elsewhere')} (not followed)" in result.stdout
    assert {r["path"] for r in hub.requests} == {"/hub"}
    assert len(hub.requests) == 5


def test_ping_with_nothing_changed_sends_nothing(ws: Path, hub: Hub) -> None:
    configure([hub.url()])
    build()
    Path("out/index.html").write_text("edited", encoding="utf-8")
    build()
    result = run("ping")
    assert (result.exit_code, result.stdout) == (
        0,
        "the last build changed no feed: no hub notified\n",
    )
    assert hub.requests == []


def test_ping_usage_and_config_errors(ws: Path, hub: Hub) -> None:
    configure(None)
    build()
    no_hubs = run("ping")
    assert no_hubs.exit_code == 2
    assert "no WebSub hub configured: set site.websub_hubs" in no_hubs.stderr
    configure([hub.url()])
    no_record = run("ping")  # built without hubs: no record yet
    assert no_record.exit_code == 2
    assert "out/.syndicate-changes.json: no record of the last build" in no_record.stderr
    assert run("ping", "--retries", "11").exit_code == 2
    assert run("ping", "--timeout", "0").exit_code == 2
    Path("config/feeds.yaml").write_text("site: {}\n", encoding="utf-8")
    assert run("ping").exit_code == 2
    assert hub.requests == []


def test_ping_skips_files_that_are_no_feed_of_the_config(ws: Path, hub: Hub) -> None:
    configure([hub.url()])
    build()
    record = {"changed": ["all/atom.xml", "gone/atom.xml", "../../etc/passwd"]}
    Path("out", output.CHANGES).write_text(json.dumps(record), encoding="utf-8")
    result = run("ping")
    assert result.exit_code == 0
    assert hub.topics() == [f"{BASE}all/atom.xml"]


# --------------------------------------------------------------------------- backoff


def test_backoff_doubles_honours_retry_after_and_is_capped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(websub, "BACKOFF", 1.0)
    assert [websub.delay(n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0]
    assert websub.delay(1, retry_after=7) == 7.0
    assert websub.delay(2, retry_after=1) == 2.0
    assert websub.delay(9) == websub.delay(1, retry_after=3600) == websub.MAX_DELAY


def test_notify_sleeps_between_attempts(hub: Hub) -> None:
    hub.script["/hub"] = [Reply(429, headers=(("Retry-After", "5"),)), Reply(503), Reply(204)]
    waits: list[float] = []
    results = websub.ping([hub.url()], ["https://example.org/f.xml"], 2.0, 3, waits.append)
    assert results[0].deliveries[0].accepted
    assert results[0].deliveries[0].attempts == 3
    assert waits == [5.0, websub.delay(2)]
