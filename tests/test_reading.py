"""Reading a seed file's bytes with plain os calls: short reads and files that changed size."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from syndicate.errors import Problem
from syndicate.seeds import discovery, reading

DATA = b"---\ntitle: x\n---\n" + b"y" * 200_000


def test_short_reads_are_read_on_to_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "seed.md"
    path.write_bytes(DATA)
    real_read = os.read
    monkeypatch.setattr(reading.os, "read", lambda fd, n: real_read(fd, min(n, 1000)))
    assert reading._read_all(path, len(DATA)) == DATA


@pytest.mark.parametrize("size_seen", [0, 10, len(DATA) - 1, len(DATA), len(DATA) + 50])
def test_a_file_whose_size_changed_since_its_stat_is_read_whole(
    tmp_path: Path, size_seen: int
) -> None:
    path = tmp_path / "seed.md"
    path.write_bytes(DATA)
    assert reading._read_all(path, size_seen) == DATA


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
