"""Write the output tree: all files staged beside their targets, then renamed into place.

A file whose bytes did not change is left alone (its mtime stays). Files that an earlier build
wrote (listed in the manifest) and this one does not are removed; nothing else is touched.

Beside the files, two records of syndicate's own: the manifest (the files it wrote) and, when
WebSub hubs are configured, the changes record that `syndicate ping` reads: the feed files
the last build changed. A build that changes nothing leaves the record as it is, so that
rebuilding leaves out/ byte-identical (see README, "WebSub").

A file's content is its bytes or a function that writes them into an open binary file (a
feed of 100,000 items is written item by item, never held): such a file is staged first, then
compared with the file in place, a block at a time; `plan` compares it as it is written.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, cast

from syndicate.errors import OutputError

MANIFEST = ".syndicate-manifest.json"
CHANGES = ".syndicate-changes.json"
BLOCK = 1024 * 1024  # bytes compared at a time

# A file's content: its bytes, or what writes them into an open binary file.
WriteTo = Callable[[BinaryIO], None]
Content = bytes | WriteTo


@dataclass(frozen=True, slots=True)
class Staged:
    """Content already written to a temporary file beside its target (by `write_tree`)."""

    path: Path
    size: int


def content_bytes(content: Content) -> bytes:
    """The bytes of a file's content (for small files and tests: a big feed's are big)."""
    if isinstance(content, bytes):
        return content
    buffer = io.BytesIO()
    content(buffer)
    return buffer.getvalue()


@dataclass(slots=True)
class WriteReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def read_manifest(out: Path) -> list[str]:
    try:
        names = json.loads((out / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(names, list):
        return []
    return [n for n in names if isinstance(n, str) and _is_safe(n)]


def _is_safe(name: str) -> bool:
    parts = name.split("/")
    return bool(name) and not name.startswith("/") and ".." not in parts and "" not in parts


def read_changes(out: Path) -> list[str] | None:
    """The feed files the last build changed (paths in out/); None when there is no record."""
    try:
        record = json.loads((out / CHANGES).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    changed = record.get("changed") if isinstance(record, dict) else None
    if not isinstance(changed, list):
        return None
    return [n for n in changed if isinstance(n, str) and _is_safe(n)]


def plan(
    out: Path,
    files: Mapping[str, Content | Staged],
    topics: Collection[str] | None = None,
    keep: Collection[str] = (),
) -> WriteReport:
    """What `write_tree` would do, without writing: the files that would change.

    `topics` (the feed files WebSub hubs hear about) keeps the changes record: see `records`.
    `keep`: files of the last build that stay as they are (an incremental build).
    """
    report = WriteReport()
    for name, data in sorted(files.items()):
        (report.unchanged if _same(out / name, data) else report.written).append(name)
    own = {CHANGES} if topics is not None else set()
    report.removed = sorted(set(read_manifest(out)) - set(files) - set(keep) - own)
    return report


def records(
    out: Path,
    files: Collection[str],
    report: WriteReport,
    topics: Collection[str] | None,
) -> dict[str, bytes]:
    """syndicate's own files as they must be after writing `files` as `report` plans.

    The manifest lists every file of the output (`files`, the changes record too). The
    changes record, kept only when `topics` is given, lists the topics this write changes;
    when it changes nothing at all the record stays as it is, so a rebuild is a no-op.
    """
    names = sorted({*files, CHANGES}) if topics is not None else sorted(files)
    result = {MANIFEST: _json(names)}
    if topics is not None:
        result[CHANGES] = _changes_record(out, report, topics)
    return result


def record_names(topics: Collection[str] | None) -> list[str]:
    """The names of syndicate's own files in out/ (see `records`)."""
    return [MANIFEST, CHANGES] if topics is not None else [MANIFEST]


def _changes_record(out: Path, report: WriteReport, topics: Collection[str]) -> bytes:
    if report.written or report.removed:
        return _json({"changed": [name for name in report.written if name in topics]})
    previous = read_changes(out)
    return _json({"changed": previous if previous is not None else []})


def _json(value: object) -> bytes:
    return json.dumps(value, indent=1).encode("utf-8") + b"\n"


def stale_records(out: Path, own: dict[str, bytes]) -> list[str]:
    """Which of syndicate's own files (from `records`) differ from what is in `out`."""
    return [name for name, data in own.items() if not _same(out / name, data)]


def _same(path: Path, data: Content | Staged) -> bool:
    """Whether the file at `path` holds `data`, read a block at a time when it is big."""
    try:
        if isinstance(data, bytes):
            return path.stat().st_size == len(data) and path.read_bytes() == data
        if isinstance(data, Staged):
            return path.stat().st_size == data.size and _same_files(path, data.path)
        with path.open("rb") as existing:
            comparer = _Comparer(existing)
            try:
                data(cast(BinaryIO, comparer))  # writers only call write()
            except _DiffersError:
                return False
            return existing.read(1) == b""
    except OSError:
        return False


def _same_files(one: Path, other: Path) -> bool:
    with one.open("rb") as first, other.open("rb") as second:
        while True:
            block = first.read(BLOCK)
            if block != second.read(BLOCK):
                return False
            if not block:
                return True


class _DiffersError(Exception):
    pass


class _Comparer:
    """A binary file to write to that compares what is written with `existing`, and stops
    the writing at the first difference (raising _DiffersError)."""

    def __init__(self, existing: BinaryIO) -> None:
        self._existing = existing

    def write(self, data: bytes) -> int:
        if self._existing.read(len(data)) != data:
            raise _DiffersError
        return len(data)


def write_tree(
    out: Path,
    files: Mapping[str, Content],
    topics: Collection[str] | None = None,
    keep: Collection[str] = (),
) -> WriteReport:
    """Replace the files under `out` atomically; on failure every old file is intact.

    With `topics`, the changes record lists those of them this write changed (see `records`).
    `keep`: the files of the last build that stay as they are (an incremental build).
    """
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: output path exists and is not a folder")
    streamed: dict[str, Staged] = {}
    try:
        # Written content is staged first, then compared with the file in place.
        for name, content in files.items():
            if not isinstance(content, bytes):
                streamed[name] = _stage_written(out / name, content)
        ready = {**files, **streamed}
        report = plan(out, ready, topics, keep)
        for name in report.unchanged:
            if name in streamed:
                streamed.pop(name).path.unlink(missing_ok=True)
    except OSError as exc:
        _discard(streamed.values())
        raise OutputError(f"cannot write to {out}: {exc.strerror or exc}") from None
    except BaseException:
        _discard(streamed.values())
        raise
    changes = {name: ready[name] for name in report.written}
    own = records(out, [*files, *keep], report, topics)
    changes.update({name: own[name] for name in stale_records(out, own)})
    for name in changes:
        if (out / name).is_dir():
            _discard(streamed.values())
            raise OutputError(f"{out / name}: a folder is where an output file goes")
    staged: list[tuple[str, Path]] = []
    try:
        for name, data in changes.items():  # every file staged before any is replaced
            staged.append(
                (name, data.path if isinstance(data, Staged) else _stage(out / name, data))
            )
        for name, temp in staged:
            temp.replace(out / name)
    except OSError as exc:
        for _, temp in staged:
            temp.unlink(missing_ok=True)
        _discard(streamed.values())
        raise OutputError(f"cannot write to {out}: {exc.strerror or exc}") from None
    for name in report.removed:
        _remove(out, name)
    return report


def _stage(target: Path, data: Content) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            if isinstance(data, bytes):
                stream.write(data)
            else:
                data(stream)
            stream.flush()
            os.fsync(stream.fileno())
        temp.chmod(_file_mode())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def size_in(out: Path) -> Callable[[str], int | None]:
    """The size of a file of `out` by its path there; None when there is none."""

    def size_of(name: str) -> int | None:
        try:
            return (out / name).stat().st_size
        except OSError:
            return None

    return size_of


def content_size(content: Content) -> int:
    """How many bytes `content` is, counted as it is written (nothing kept)."""
    if isinstance(content, bytes):
        return len(content)
    counter = _Counter()
    content(cast(BinaryIO, counter))
    return counter.size


class _Counter:
    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)


def _stage_written(target: Path, write: WriteTo) -> Staged:
    temp = _stage(target, write)
    return Staged(temp, temp.stat().st_size)


def _discard(staged: Collection[Staged]) -> None:
    for item in staged:
        item.path.unlink(missing_ok=True)


def _remove(out: Path, name: str) -> None:
    path = out / name
    path.unlink(missing_ok=True)
    folder = path.parent
    while folder != out and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
