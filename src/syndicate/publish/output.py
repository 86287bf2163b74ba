"""Write the output tree: all files staged beside their targets, then renamed into place.

A file whose bytes did not change is left alone (its mtime stays). Files that an earlier build
wrote (listed in the manifest) and this one does not are removed; nothing else is touched.

Beside the files, two records of syndicate's own: the manifest (the files it wrote) and, when
WebSub hubs are configured, the changes record that `syndicate ping` reads: the feed files
the last build changed. A build that changes nothing leaves the record as it is, so that
rebuilding leaves out/ byte-identical (see docs/output.md, "WebSub").
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from syndicate.errors import OutputError

MANIFEST = ".syndicate-manifest.json"
CHANGES = ".syndicate-changes.json"


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
    files: dict[str, bytes],
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


def _same(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def write_tree(
    out: Path,
    files: dict[str, bytes],
    topics: Collection[str] | None = None,
    keep: Collection[str] = (),
) -> WriteReport:
    """Replace the files under `out` atomically; on failure every old file is intact.

    With `topics`, the changes record lists those of them this write changed (see `records`).
    `keep`: the files of the last build that stay as they are (an incremental build).
    """
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: output path exists and is not a folder")
    report = plan(out, files, topics, keep)
    changes = {name: files[name] for name in report.written}
    own = records(out, [*files, *keep], report, topics)
    changes.update({name: own[name] for name in stale_records(out, own)})
    for name in changes:
        if (out / name).is_dir():
            raise OutputError(f"{out / name}: a folder is where an output file goes")
    staged: list[tuple[str, Path]] = []
    try:
        for name, data in changes.items():  # every file staged before any is replaced
            staged.append((name, _stage(out / name, data)))
        for name, temp in staged:
            temp.replace(out / name)
    except OSError as exc:
        for _, temp in staged:
            temp.unlink(missing_ok=True)
        raise OutputError(f"cannot write to {out}: {exc.strerror or exc}") from None
    for name in report.removed:
        _remove(out, name)
    return report


def _stage(target: Path, data: bytes) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        temp.chmod(_file_mode())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def _remove(out: Path, name: str) -> None:
    path = out / name
    path.unlink(missing_ok=True)
    folder = path.parent
    while folder != out and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
