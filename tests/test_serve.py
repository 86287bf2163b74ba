"""`syndicate serve`: run as an editor runs it (a process, a free port on the loopback), fetched
over HTTP, edited, broken, fixed and stopped with SIGINT; live reload in headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from syndicate.preview import live
from syndicate.preview.site import State

from conftest import SMALL_CONFIG, seed_text, write_seed

WAIT = 15.0  # seconds: a change must show well within this (debounce is 0.3 s)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Served:
    """A `syndicate serve` process and what it printed so far."""

    def __init__(self, folder: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "syndicate", *args, "serve", "--port", "0"],
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "NO_COLOR": "1"},
        )
        self.out: list[str] = []
        self.err: list[str] = []
        for stream, lines in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            threading.Thread(target=self._read, args=(stream, lines), daemon=True).start()
        line = self.wait_for(lambda: next((x for x in self.out if x.startswith("serving")), None))
        found = re.fullmatch(
            r"serving (http://127\.0\.0\.1:\d+/) \(files in (.+)\); Ctrl-C stops", line
        )
        assert found, line
        self.url, self.files = found.group(1), Path(found.group(2))

    @staticmethod
    def _read(stream: object, lines: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            lines.append(line.rstrip("\n"))

    def wait_for(self, found: Callable[[], str | None]) -> str:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            value = found()
            if value:
                return value
            assert self.process.poll() is None, (self.out, self.err)
            time.sleep(0.05)
        raise AssertionError(f"not seen in {WAIT} s; stdout {self.out}, stderr {self.err}")

    def get(self, path: str) -> tuple[int, str, bytes]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as answer:
                return answer.status, answer.headers["Content-Type"], answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=WAIT)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "feeds.yaml").write_text(SMALL_CONFIG, encoding="utf-8")
    write_seed(tmp_path / "seeds", "one.txt", seed_text("First story", published="true"))
    return tmp_path


@pytest.fixture
def served(project: Path) -> Iterator[Served]:
    server = Served(project)
    yield server
    server.stop()


def test_serves_every_format_with_its_content_type(served: Served, project: Path) -> None:
    expected = {
        "": "text/html; charset=utf-8",
        "all/": "text/html; charset=utf-8",
        "all/rss.xml": "application/rss+xml; charset=utf-8",
        "all/atom.xml": "application/atom+xml; charset=utf-8",
        "all/feed.json": "application/feed+json; charset=utf-8",
        "feeds.opml": "text/x-opml; charset=utf-8",
    }
    for path, kind in expected.items():
        status, content_type, body = served.get(path)
        assert (path, status, content_type) == (path, 200, kind)
        if path != "all/":
            assert served.url.encode() in body  # links point at the preview server
        assert b"https://example.org/feeds/" not in body
    assert served.get("all/")[2].count(b"<script") == 1
    assert served.get("nothing-here")[0] == 404
    assert served.get("../config/feeds.yaml")[0] == 404
    assert served.get(".syndicate-manifest.json")[0] == 404
    assert served.get("all")[0] == 200  # redirected to all/
    assert not (project / "out").exists()  # out/ is never touched


def test_a_change_shows_then_a_broken_config_keeps_the_last_good_build(
    served: Served, project: Path
) -> None:
    config = project / "config" / "feeds.yaml"
    config.write_text(SMALL_CONFIG.replace('"Everything"', '"Everything, renamed"'))
    served.wait_for(lambda: "Everything, renamed" in served.get("all/feed.json")[2].decode())
    config.write_text(SMALL_CONFIG.replace("    limit: 0", "    limt: 0"))
    error = "config/feeds.yaml:9: feeds[0].limt: unknown key 'limt' (did you mean 'limit'?)"
    served.wait_for(lambda: error if error in served.err else None)
    assert served.err[-1] == (
        "not rebuilt: the preview shows the last good build until this is fixed"
    )
    status, _, page = served.get("all/")
    assert status == 200
    assert "The last change could not be built" in page.decode()
    assert error.replace("'", "&#x27;") in page.decode()
    assert "Everything, renamed" in served.get("all/feed.json")[2].decode()  # the last good one
    config.write_text(SMALL_CONFIG)  # fixed
    served.wait_for(lambda: '"Everything"' in served.get("all/feed.json")[2].decode())
    served.wait_for(lambda: "fixed" if b'role="alert"' not in served.get("all/")[2] else None)


def test_a_rejected_seed_shows_on_the_page(served: Served, project: Path) -> None:
    write_seed(project / "seeds", "bad.txt", "---\ntitle: x\n---\n")
    served.wait_for(lambda: "Some seeds were rejected" in served.get("")[2].decode() or None)
    assert "seeds/bad.txt:" in served.get("")[2].decode()
    assert any(line.startswith("seeds/bad.txt:") for line in served.err)


def test_sigint_stops_cleanly_and_removes_the_temporary_files(served: Served) -> None:
    assert served.files.is_dir()
    assert served.stop() == 0
    assert not served.files.exists()
    assert not served.files.parent.exists()
    assert served.out[-1] == "stopped; the temporary files are removed"


def test_a_config_broken_from_the_start_shows_an_error_page(project: Path) -> None:
    config = project / "config" / "feeds.yaml"
    config.write_text("site: [\n")
    server = Served(project)
    try:
        status, kind, page = server.get("")
        assert (status, kind) == (503, "text/html; charset=utf-8")
        assert "config/feeds.yaml:1: config: a [list] or {mapping} is not closed" in page.decode()
        config.write_text(SMALL_CONFIG)
        server.wait_for(lambda: "First story" in server.get("all/")[2].decode() or None)
    finally:
        assert server.stop() == 0


def _serve_once(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`syndicate serve ARGS` where it must stop at once (exit 2), not serve."""
    return subprocess.run(
        [sys.executable, "-m", "syndicate", "serve", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_port_in_use_is_named(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _serve_once(project, "--port", str(port))
    assert result.returncode == 2
    assert result.stderr == (
        f"error: port {port} on 127.0.0.1 is in use: stop what uses it, or choose another "
        "port with --port\n"
    )


@pytest.mark.parametrize("missing", ["seeds", "config"])
def test_a_missing_seeds_folder_or_config_is_a_usage_error(project: Path, missing: str) -> None:
    """Nothing to preview: exit 2 at once, as build says it (an existing config or seed with
    mistakes is served, to be fixed live)."""
    args = ["--seeds", "nowhere"] if missing == "seeds" else ["--config", "none.yaml"]
    result = _serve_once(project, "--port", "0", *args)
    assert result.returncode == 2
    folder = project.absolute().as_posix()
    assert result.stderr == (
        "error: nowhere: seeds folder not found\n"
        if missing == "seeds"
        else f"error: config file not found: no none.yaml in {folder}/; run syndicate in the"
        " folder that holds it, or give its path with --config FILE\n"
    )
    assert result.stdout == ""


def test_pages_get_the_script_and_its_policy_entries() -> None:
    page = (
        b'<html><head><meta http-equiv="Content-Security-Policy" content="style-src &#39;x&#39;">'
        b"</head><body><p>hi</p></body></html>"
    )
    served = live.inject(page, State(version=7))
    assert b'<script data-version="7">' in served
    assert b"style-src &#x27;" + live.STYLE_SOURCE[1:-1].encode() + b"&#x27; &#39;x&#39;" in served
    assert b"connect-src &#x27;self&#x27;" in served
    assert live.inject(b"<html><body></body></html>", State()) == b"<html><body></body></html>"


# ------------------------------------------------------------------------------ browser


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_live_reload_in_a_browser(project: Path, tmp_path: Path) -> None:
    """An open preview page reloads itself after an edit: Chromium asks for the page again."""
    server = Served(project, "-v")
    browser = subprocess.Popen(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--remote-debugging-port=0",
            server.url + "all/",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    try:

        def page_loads() -> int:
            return sum('"GET /all/ HTTP' in line for line in server.err)

        def polls() -> int:
            return sum(f'"GET {live.VERSION_PATH} HTTP' in line for line in server.err)

        server.wait_for(lambda: "yes" if page_loads() == 1 and polls() >= 1 else None)
        config = project / "config" / "feeds.yaml"
        config.write_text(SMALL_CONFIG.replace('"Everything"', '"Everything, live"'))
        server.wait_for(lambda: "yes" if page_loads() >= 2 else None)  # reloaded
    finally:
        browser.terminate()
        browser.wait(timeout=WAIT)
        assert server.stop() == 0
