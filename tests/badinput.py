"""Helpers for the bad-input suites (test_bad_seeds, test_bad_config, test_output_safety).

Every test works in its own folder (the `ws` fixture of each suite chdirs there), so problems
read `seeds/NAME:LINE: field: message` and `feeds.yaml:LINE: key: message` exactly.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from syndicate.cli import main

# Line 1 `---`, line 2 title, line 3 webUrl, line 4 publishedDateTime, extra lines from 5 on.
FIRST_EXTRA_LINE = 5

SITE_LINES = """\
site:
  title: "Test site"
  base_url: "https://example.org/news/"
  description: "Bad input tests"
  language: en
"""
# Two feeds: `all` keeps everything, `cv` only "Computer Vision" (any case); both without limit.
CONFIG = (
    SITE_LINES
    + """\
feeds:
  - id: all
    title: "Everything"
    limit: 0
  - id: cv
    title: "Computer Vision"
    topics: ["computer vision"]
    limit: 0
"""
)


def seed_text(
    title: str = "A story",
    url: str = "https://example.com/story",
    date: str = "2020-06-11T22:56:00Z",
    extra: str = "",
) -> str:
    """A valid seed; `extra` is raw YAML (lines ending in newline) placed from line 5 on."""
    return (
        f"---\ntitle: {quote(title)}\nwebUrl: {quote(url)}\npublishedDateTime: {date}\n{extra}---\n"
    )


_UNPRINTABLE = re.compile("[\x7f-\x9f\ufffe\uffff]")


def quote(text: str) -> str:
    """A YAML double-quoted scalar holding exactly `text` (control characters as escapes)."""
    return _UNPRINTABLE.sub(
        lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False)
    )


GOOD_SEEDS = {
    "good-1.txt": seed_text(
        "Good one",
        "https://example.com/good-1",
        "2020-06-11T10:00:00Z",
        "topics: [Computer Vision, AI]\nquality: 50\npublished: true\n",
    ),
    "good-2.txt": seed_text(
        "Good two", "https://example.com/good-2", "2020-06-12T10:00:00Z", "topics: [NLP]\n"
    ),
}


_REFERENCE: dict[str, bytes] = {}


class WrongLineError(AssertionError):
    """The expected problem was reported, but on another line (or naming another line).

    Tests that only fail this way are marked xfail(raises=WrongLineError): any other failure in them
    is still a real failure.
    """


@dataclass
class Workspace:
    """A seeds folder, a config file and an output folder, relative to the current folder."""

    root: Path
    seeds: Path
    config: Path
    out: Path

    @classmethod
    def create(cls, root: Path) -> Workspace:
        ws = cls(root, Path("seeds"), Path("feeds.yaml"), Path("out"))
        (root / "seeds").mkdir()
        (root / "feeds.yaml").write_text(CONFIG, encoding="utf-8")
        return ws

    def seed(self, name: str, content: str | bytes, folder: Path | None = None) -> Path:
        path = (folder or self.seeds) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogatepass")
        path.write_bytes(content)
        return path

    def good_seeds(self, folder: Path | None = None) -> None:
        for name, text in GOOD_SEEDS.items():
            self.seed(name, text, folder)

    def write_config(self, text: str) -> None:
        self.config.write_text(text, encoding="utf-8")

    def build(self, *extra: str, seeds: Path | None = None, out: Path | None = None) -> Run:
        args = [
            "build",
            "--seeds",
            str(seeds or self.seeds),
            "--config",
            str(self.config),
            "--out",
            str(out or self.out),
            *extra,
        ]
        return Run(CliRunner().invoke(main, args))

    def reference(self) -> dict[str, bytes]:
        """The output of a build of only the good seeds (built once, into ./ref-out)."""
        if not _REFERENCE:
            folder = Path("ref-seeds")
            folder.mkdir()
            self.good_seeds(folder)
            run = self.build(seeds=folder, out=Path("ref-out"))
            assert run.code == 0, run.report()
            _REFERENCE.update(tree(Path("ref-out")))
            shutil.rmtree(folder)
            shutil.rmtree("ref-out")
        return dict(_REFERENCE)

    def items(self, feed: str = "all") -> list[dict[str, Any]]:
        document = json.loads((self.out / feed / "feed.json").read_text("utf-8"))
        items: list[dict[str, Any]] = document["items"]
        return items

    def item(self, url: str, feed: str = "all") -> dict[str, Any]:
        found = [i for i in self.items(feed) if i["id"] == url]
        assert len(found) == 1, [i["id"] for i in self.items(feed)]
        return found[0]


@dataclass
class Run:
    result: Result

    @property
    def code(self) -> int:
        return self.result.exit_code

    @property
    def stderr(self) -> str:
        return self.result.stderr

    @property
    def stdout(self) -> str:
        return self.result.stdout

    @property
    def lines(self) -> list[str]:
        return self.stderr.splitlines()

    def report(self) -> str:
        text = f"exit {self.code}\n--- stdout\n{self.stdout}--- stderr\n{self.stderr}"
        if self.result.exception and not isinstance(self.result.exception, SystemExit):
            text += f"--- exception\n{self.result.exception!r}"
        return text

    def expect(self, *expected: str | re.Pattern[str]) -> None:
        """Each expected problem is one stderr line; `*` in an expected line matches anything."""
        for wanted in expected:
            check_line(self.lines, wanted, self.report())


def _matches(line: str, wanted: str | re.Pattern[str]) -> bool:
    if isinstance(wanted, str):
        wanted = re.compile(".*".join(re.escape(part) for part in wanted.split("*")))
    return wanted.fullmatch(line) is not None


_LOCATION = re.compile(r"^([^:]*):\d+: ")
_LINE_WORD = re.compile(r"\bline \d+\b")


def _shape(text: str) -> str:
    return _LINE_WORD.sub("line N", _LOCATION.sub(r"\1:N: ", text))


def check_line(lines: list[str], wanted: str | re.Pattern[str], context: str) -> None:
    if any(_matches(line, wanted) for line in lines):
        return
    if isinstance(wanted, str):
        shape = _shape(wanted)
        near = [line for line in lines if _matches(_shape(line), shape)]
        if near:
            raise WrongLineError(f"expected {wanted!r}, got {near}")
    raise AssertionError(f"no stderr line matches {wanted!r}\n{context}")


OLD = 1_000_000_000  # an mtime long ago (2001), in seconds


def age(root: Path) -> None:
    """Every file below `root` made old: a rewrite then shows in its mtime."""
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (OLD, OLD))


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` (hidden ones too), by POSIX path relative to it."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def mtimes(root: Path) -> dict[str, int]:
    return {
        p.relative_to(root).as_posix(): p.stat().st_mtime_ns
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def leftovers(root: Path) -> list[str]:
    """Temporary files a write may have left behind."""
    return sorted(p.as_posix() for p in root.rglob("*") if p.name.endswith(".tmp"))
