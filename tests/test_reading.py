"""Reading a seed file's bytes with plain os calls: short reads and files that changed size."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from syndicate.errors import Problem
from syndicate.seeds import discovery, reading

DATA = b"---\ntitle: x\n---\n" + b"y" * 200_000


def _read_all(path: Path, size: int) -> bytes:
    fd = os.open(path, os.O_RDONLY)
    try:
        return reading._read_all(fd, size)
    finally:
        os.close(fd)


def test_short_reads_are_read_on_to_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "seed.md"
    path.write_bytes(DATA)
    real_read = os.read
    monkeypatch.setattr(reading.os, "read", lambda fd, n: real_read(fd, min(n, 1000)))
    assert _read_all(path, len(DATA)) == DATA


@pytest.mark.parametrize("size_seen", [0, 10, len(DATA) - 1, len(DATA), len(DATA) + 50])
def test_a_file_whose_size_changed_since_its_stat_is_read_whole(
    tmp_path: Path, size_seen: int
) -> None:
    path = tmp_path / "seed.md"
    path.write_bytes(DATA)
    assert _read_all(path, size_seen) == DATA


def test_the_descriptor_is_closed_when_reading_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "seed.md"
    path.write_bytes(DATA)
    closed: list[int] = []
    real_close = os.close

    def failing_read(fd: int, n: int) -> bytes:
        raise OSError(5, "Input/output error")

    def recording_close(fd: int) -> None:
        closed.append(fd)
        real_close(fd)

    monkeypatch.setattr(reading.os, "read", failing_read)
    monkeypatch.setattr(reading.os, "close", recording_close)
    found = reading._bytes_of(discovery.SeedFile(path, "seed.md", "seeds/seed.md"), 10**6)
    assert len(closed) == 1
    assert found == Problem("seeds/seed.md", 1, "file", "cannot read file: Input/output error")


def _discovered(seeds: Path, name: str) -> discovery.SeedFile:
    (file,) = (f for f in discovery.discover(seeds)[0] if f.name == name)
    return file


GOOD = (
    b'---\ntitle: "x"\nwebUrl: "https://example.com/x"\n'
    b"publishedDateTime: 2024-01-01T00:00:00Z\n---\n"
)


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="no O_NOFOLLOW here")
@pytest.mark.parametrize("was", ["file", "link inside"])
def test_a_seed_swapped_for_a_link_outside_after_discovery_is_not_read(
    tmp_path: Path, was: str
) -> None:
    """A link is followed only when it leads inside the seeds folder: discovery looks, and the
    read looks again at the file it opens (a swap in between would read elsewhere)."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "real.txt").write_bytes(GOOD)
    secret = tmp_path / "secret.txt"
    secret.write_bytes(GOOD.replace(b"/x", b"/secret"))
    if was == "file":
        (seeds / "a.txt").write_bytes(GOOD)
    else:
        (seeds / "a.txt").symlink_to("real.txt")
    file = _discovered(seeds, "a.txt")
    (seeds / "a.txt").unlink()
    (seeds / "a.txt").symlink_to(secret)
    loaded = reading.read(file)
    assert loaded.seed is None
    assert [str(p) for p in loaded.problems] == [
        f"{file.shown}:1: file: symbolic link points outside the seeds folder (it changed while"
        " the build ran); not followed"
    ]


def test_a_link_inside_the_seeds_folder_is_read(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    (seeds / "sub").mkdir(parents=True)
    (seeds / "real.txt").write_bytes(GOOD)
    (seeds / "sub" / "a.txt").symlink_to("../real.txt")
    loaded = reading.read(_discovered(seeds, "sub/a.txt"))
    assert loaded.problems == []
    assert loaded.seed is not None and str(loaded.seed.web_url) == "https://example.com/x"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_seed_swapped_for_a_named_pipe_after_discovery_is_refused_at_once(
    tmp_path: Path,
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_bytes(GOOD)
    file = _discovered(seeds, "a.txt")
    (seeds / "a.txt").unlink()
    os.mkfifo(seeds / "a.txt")
    loaded = reading.read(file)
    assert [str(p) for p in loaded.problems] == [f"{file.shown}:1: file: not a regular file"]
