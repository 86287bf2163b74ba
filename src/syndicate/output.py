"""Write the output tree: all files staged beside their targets, then renamed into place.

A file whose bytes did not change is left alone (its mtime stays). Files that an earlier build
wrote (listed in the manifest) and this one does not are removed; nothing else is touched.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from syndicate.errors import OutputError

MANIFEST = ".syndicate-manifest.json"


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


def plan(out: Path, files: dict[str, bytes]) -> WriteReport:
    """What `write_tree` would do, without writing: the files that would change."""
    report = WriteReport()
    for name, data in sorted(files.items()):
        (report.unchanged if _same(out / name, data) else report.written).append(name)
    report.removed = sorted(set(read_manifest(out)) - set(files))
    return report


def _same(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def write_tree(out: Path, files: dict[str, bytes]) -> WriteReport:
    """Replace the files under `out` atomically; on failure every old file is intact."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: output path exists and is not a folder")
    report = plan(out, files)
    manifest = json.dumps(sorted(files), indent=1).encode("utf-8") + b"\n"
    changes = {name: files[name] for name in report.written}
    if not _same(out / MANIFEST, manifest):
        changes[MANIFEST] = manifest
    for name in changes:
        if (out / name).is_dir():
            raise OutputError(f"{out / name}: a folder is where an output file goes")
    staged: list[tuple[str, Path]] = []
    try:
        for name, data in changes.items():
            staged.append((name, _stage(out / name, data)))
    except OSError as exc:
        for _, temp in staged:
            temp.unlink(missing_ok=True)
        raise OutputError(f"cannot write to {out}: {exc.strerror or exc}") from None
    try:
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
