"""Shared test helpers: building into a temporary folder and the golden-file option."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from syndicate.build import BuildOptions, BuildReport, build
from syndicate.cli import main

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden"
SCHEMAS = Path(__file__).resolve().parent / "schemas"
BENCHMARKS = ROOT / "benchmarks"

# benchmarks/corpus.py, the generator of realistic seed corpora, is the tests' too.
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))
import corpus  # noqa: E402
from badinput import Workspace  # noqa: E402


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="Rewrite tests/golden/*/out from the build."
    )


def run(*args: str) -> Result:
    """`syndicate ARGS` in-process, output captured."""
    return CliRunner().invoke(main, list(args))


def build_into(seeds: Path, config: Path, out: Path, **options: object) -> BuildReport:
    return build(BuildOptions(seeds, config, out, **options))  # type: ignore[arg-type]


def make_corpus(folder: Path, count: int, seed: int) -> Path:
    """`folder` holding seed files 0..count-1 of the generated corpus `seed` (all valid)."""
    written = corpus.generate(folder, count, seed)
    assert written == count
    return folder


def write_seed(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def edit_keeping_size_and_mtime(path: Path, old: str, new: str) -> None:
    """Replace `old` by `new` (as long) in the file and set its mtime back, as `touch -r` or
    `cp -p` can: only the ctime tells the edit (waited for until the clock moves on)."""
    assert len(old.encode()) == len(new.encode())
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    while True:
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        after = path.stat()
        if after.st_ctime_ns != before.st_ctime_ns:
            break
        time.sleep(0.005)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def seed_text(
    title: str = "A story",
    url: str = "https://example.com/story",
    date: str = "2020-06-11T22:56:00Z",
    **fields: str,
) -> str:
    """A small valid seed; extra fields are YAML lines given as name=value text."""
    lines = [
        "---",
        f"title: {_quote(title)}",
        f"webUrl: {_quote(url)}",
        f"publishedDateTime: {date}",
    ]
    lines += [f"{name}: {value}" for name, value in fields.items()]
    lines += ["---", ""]
    return "\n".join(lines)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


SMALL_CONFIG = """\
site:
  title: "Test site"
  base_url: "https://example.org/feeds/"
  description: "Tests"
  language: en
feeds:
  - id: all
    title: "Everything"
    limit: 0
"""


@pytest.fixture
def small_config(tmp_path: Path) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(SMALL_CONFIG, encoding="utf-8")
    return path


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A project folder, the current one, with the good seeds of badinput and its config (a
    module that needs another project folder defines its own `ws`)."""
    monkeypatch.chdir(tmp_path)
    ws = Workspace.create(tmp_path)
    ws.good_seeds()
    return ws
