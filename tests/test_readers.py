"""Every generated file read back by real parsers (feedparser, lxml + RFC 4287 RELAX NG,
jsonschema + JSON Feed 1.1) and compared with the seeds that produced it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import GOLDEN, build_into, make_corpus
from feedcheck import read_back

CORPUS_CONFIG = """\
site:
  title: "Corpus"
  base_url: "https://example.org/c/"
  language: en
defaults:
  limit: 40
feeds:
  - id: everything
    title: "Everything"
    limit: 500
  - id: published
    title: "Published"
    published_only: true
  - id: vision
    title: "Vision"
    topics: ["computer vision", "Facial Recognition"]
    exclude_topics: ["robotics"]
    min_quality: 30
  - id: quality
    title: "Quality"
    min_quality: 80
    limit: 5
    formats: [atom, json]
"""


def _check(seeds: Path, config_path: Path, out: Path) -> dict[str, int]:
    build_into(seeds, config_path, out)
    return read_back(seeds, config_path, out)


@pytest.mark.parametrize("case", ["real-seeds", "escaping"])
def test_golden_cases_read_back(case: str, tmp_path: Path) -> None:
    folder = GOLDEN / case
    counts = _check(folder / "seeds", folder / "feeds.yaml", tmp_path / "out")
    assert sum(counts.values()) > 0


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("corpus"), 2000, seed=11)


def test_generated_corpus_reads_back(corpus: Path, tmp_path: Path) -> None:
    config_path = tmp_path / "feeds.yaml"
    config_path.write_text(CORPUS_CONFIG, encoding="utf-8")
    counts = _check(corpus, config_path, tmp_path / "out")
    assert counts["everything"] == 500
    assert 0 < counts["vision"] <= 40
    assert counts["quality"] == 5
    assert not (tmp_path / "out" / "quality" / "rss.xml").exists()


def test_secured_is_never_written(corpus: Path, tmp_path: Path) -> None:
    config_path = tmp_path / "feeds.yaml"
    config_path.write_text(CORPUS_CONFIG, encoding="utf-8")
    build_into(corpus, config_path, tmp_path / "out")
    secrets = [
        line.split('"')[1]
        for path in sorted(corpus.iterdir())[:200]
        for line in path.read_text("utf-8").splitlines()
        if line.startswith("secured:")
    ]
    assert secrets
    written = b"".join(p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert not any(s.encode() in written for s in secrets)
