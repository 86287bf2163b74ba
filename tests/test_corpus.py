"""benchmarks/corpus.py: the generated corpus depends only on the seed and each file's index."""

from __future__ import annotations

from pathlib import Path

from conftest import make_corpus


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_a_smaller_count_writes_a_prefix(tmp_path: Path) -> None:
    small = _files(make_corpus(tmp_path / "small", 20, seed=3))
    large = _files(make_corpus(tmp_path / "large", 50, seed=3))
    assert len(small) == 20 and len(large) == 50
    assert small == {name: large[name] for name in sorted(large)[:20]}
    assert sorted(small)[0].startswith("000_") and sorted(large)[-1].startswith("049_")


def test_another_seed_writes_other_files(tmp_path: Path) -> None:
    one = _files(make_corpus(tmp_path / "one", 10, seed=1))
    two = _files(make_corpus(tmp_path / "two", 10, seed=2))
    assert not set(one) & set(two)
