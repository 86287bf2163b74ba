"""Write the output tree: all files staged beside their targets, then put in place at once.

A file whose bytes did not change is left alone (its mtime stays). Files that an earlier build
wrote (listed in the manifest) and this one does not are removed; nothing else is touched.

Beside the files, two records of syndicate's own: the manifest (the files it wrote) and, when
WebSub hubs are configured, the changes record that `syndicate ping` reads: the feed files
the last build changed. A build that changes nothing leaves the record as it is, so that
rebuilding leaves out/ byte-identical (see docs/output.md, "WebSub").

A file's content is its bytes or a function that writes them into an open binary file (a
feed of 100,000 items is written item by item, never held): such a file is staged first, then
compared with the file in place, a block at a time; `plan` compares it as it is written.

How a write stays all-or-nothing, also when the process is killed: see "writing" below and
docs/publishing.md.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from syndicate.errors import OutputError
from syndicate.incremental.aside import can_fork
from syndicate.publish.syncing import Syncs
from syndicate.words import plural

if sys.platform != "win32":
    import fcntl

if TYPE_CHECKING:
    from concurrent.futures import Future

log = logging.getLogger(__name__)

MANIFEST = ".syndicate-manifest.json"
CHANGES = ".syndicate-changes.json"
BLOCK = 1024 * 1024  # bytes compared at a time

# A file's content: its bytes, or what writes them into an open binary file.
WriteTo = Callable[[BinaryIO], None]
Content = bytes | WriteTo


@dataclass(frozen=True, slots=True)
class Written:
    """Content already written to a staged file beside its target (by `write_tree`)."""

    path: Path
    size: int


def content_bytes(content: Content) -> bytes:
    """The bytes of a file's content (for small files and tests: a big feed's are big)."""
    if isinstance(content, bytes):
        return content
    buffer = io.BytesIO()
    content(buffer)
    return buffer.getvalue()


def content_size(content: Content) -> int:
    """How many bytes `content` is, counted as it is written (nothing kept)."""
    return measured(None, content)[1]


def measured(path: Path | None, content: Content) -> tuple[bool, int]:
    """Whether the file at `path` holds `content`, and how many bytes `content` is: written
    content is rendered once, to its end, compared and counted as it goes (nothing kept)."""
    if isinstance(content, bytes):
        return path is not None and same_content(path, content), len(content)
    existing = None
    if path is not None:
        with contextlib.suppress(OSError):
            existing = path.open("rb")
    meter = _Meter(existing)
    try:
        content(cast(BinaryIO, meter))
        return meter.same and existing is not None and existing.read(1) == b"", meter.size
    finally:
        if existing is not None:
            existing.close()


def size_in(out: Path) -> Callable[[str], int | None]:
    """The size of a file of `out` by its path there; None when there is none."""

    def size_of(name: str) -> int | None:
        try:
            return (out / name).stat().st_size
        except OSError:
            return None

    return size_of


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
    files: Mapping[str, Content | Written],
    topics: Collection[str] | None = None,
    keep: Collection[str] = (),
    sizes: dict[str, int] | None = None,
) -> WriteReport:
    """What `write_tree` would do, without writing: the files that would change.

    `topics` (the feed files WebSub hubs hear about) keeps the changes record: see `records`.
    `keep`: files of the last build that stay as they are (an incremental build).
    `sizes`, when given, gets each file's size: written content is then rendered to its end
    (once) rather than up to its first difference.
    """
    report = WriteReport()
    for name, data in sorted(files.items()):
        if sizes is not None and not isinstance(data, Written):
            same, sizes[name] = measured(out / name, data)
        else:
            same = same_content(out / name, data)
        (report.unchanged if same else report.written).append(name)
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
    return [name for name, data in own.items() if not same_content(out / name, data)]


def same_content(path: Path, data: Content | Written) -> bool:
    """Whether the file at `path` holds `data`, read a block at a time when it is big."""
    try:
        if isinstance(data, bytes):
            return path.stat().st_size == len(data) and path.read_bytes() == data
        if isinstance(data, Written):
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


class _Meter:
    """A binary file to write to that counts what is written and whether it matches
    `existing` (None: nothing to match)."""

    def __init__(self, existing: BinaryIO | None) -> None:
        self._existing = existing
        self.same = existing is not None
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.same and self._existing is not None:
            self.same = self._existing.read(len(data)) == data
        return len(data)


# ------------------------------------------------------------------------------- writing
#
# A write has two steps: `stage` writes every changed file beside its target (`.NAME.XXXXXXXX.tmp`,
# flushed to disk), then `commit` replaces the targets. The commit is journalled: a hard link
# (or a copy) keeps each old file's bytes (`.NAME.XXXXXXXX.old.tmp`), the journal lists every
# target with its staged file and its backup, and only then are the targets replaced. A failure
# partway puts every old file back; a process killed partway leaves the journal, and the next
# command that looks (`recover`) puts them back. A lock on out/ keeps two builds apart.

JOURNAL = ".syndicate-journal.json"
# Files that only syndicate names so: staged files, backups, the journal's own staged file.
_LEFTOVER = re.compile(r"\..+\.[a-z0-9_]{8}(?:\.old)?\.tmp")


@dataclass(slots=True)
class Staged:
    """Files written beside their targets, not yet in place (see `stage` and `commit`)."""

    out: Path
    files: list[tuple[str, Path]] = field(default_factory=list)  # (name in out/, staged file)
    folders: list[Path] = field(default_factory=list)  # created for them, outermost first

    def discard(self) -> None:
        """Remove the staged files and the folders made for them (a write that stops here)."""
        for _, temp in self.files:
            _unlink_quietly(temp)
        self.files.clear()
        _remove_empty(self.folders)

    def drop(self, names: Collection[str]) -> None:
        """Remove the staged files of `names` (their content turned out unchanged)."""
        dropped = set(names)
        for name, temp in self.files:
            if name in dropped:
                _unlink_quietly(temp)
        self.files = [(name, temp) for name, temp in self.files if name not in dropped]

    def join(self, other: Staged) -> None:
        self.files += other.files
        self.folders += other.folders


def write_tree(
    out: Path,
    files: Mapping[str, Content],
    topics: Collection[str] | None = None,
    keep: Collection[str] = (),
    jobs: int = 1,
) -> WriteReport:
    """Replace the files under `out` all at once; on failure every old file is intact.

    With `topics`, the changes record lists those of them this write changed (see `records`).
    `keep`: the files of the last build that stay as they are (an incremental build).
    `jobs` > 1: the written content is staged by that many forked processes (see
    `_stage_forked`); the caller gives 1 when there is too little to write for that to pay.
    Leftovers of an interrupted write are undone or removed first (see `recover`).
    """
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: output path exists and is not a folder")
    try:
        folders = _make_folders(out)
    except OSError as exc:
        raise OutputError(f"cannot create {_folder(out)}: {_reason(exc)}") from None
    try:
        with _locked(out, wait=True):
            _undo_journal(out)
            sweep(out)
            _refuse_linked_folders(out, files)
            # Written content is staged first (rendered once), then compared with the file
            # in place; what turns out unchanged is dropped.
            rendered = {n: c for n, c in files.items() if not isinstance(c, bytes)}
            try:
                streamed = _stage_streamed(out, rendered, jobs)
            except OutputError:  # a full disk, a read-only out/: fine if nothing changes
                if not all(same_content(out / n, c) for n, c in rendered.items()):
                    raise
                streamed = Staged(out)  # each as it is in out/: compared again by `plan`
            try:
                ready: dict[str, Content | Written] = dict(files)
                ready.update({n: Written(temp, temp.stat().st_size) for n, temp in streamed.files})
                report = plan(out, ready, topics, keep)
                streamed.drop(report.unchanged)
                changes: dict[str, Content] = {
                    name: files[name] for name in report.written if isinstance(files[name], bytes)
                }
                own = records(out, [*files, *keep], report, topics)
                changes.update({name: own[name] for name in stale_records(out, own)})
                for name in [*changes, *(name for name, _ in streamed.files)]:
                    if (out / name).is_dir():
                        raise OutputError(f"{out / name}: a folder is where an output file goes")
                staged = stage(out, changes)
            except BaseException:
                streamed.discard()
                raise
            staged.join(streamed)
            try:
                _refuse_linked_folders(out, report.removed)
            except BaseException:
                staged.discard()
                raise
            with ctrl_c_deferred():  # a few renames: all of them, or none (see commit)
                commit(staged, report.removed)
    except BaseException:
        _remove_empty(folders)
        raise
    return report


def _refuse_linked_folders(out: Path, names: Iterable[str]) -> None:
    """OutputError when a folder of out/ on the way to one of `names` is a symbolic link: a
    write or a removal would reach through it to files elsewhere (out/ itself may be one)."""
    looked: set[str] = set()
    for name in names:
        folder = ""
        for part in name.split("/")[:-1]:
            folder = f"{folder}/{part}" if folder else part
            if folder in looked:
                continue
            looked.add(folder)
            if (out / folder).is_symlink():
                raise OutputError(
                    f"{_shown(out, folder)} is a symbolic link: syndicate never writes or"
                    f" removes files through one; remove the link; {_as_it_was(out)}"
                )


def stage(out: Path, changes: Mapping[str, Content]) -> Staged:
    """Every file of `changes` written beside its target, nothing replaced yet. On failure
    nothing is left: OutputError names the file and the reason."""
    staged = Staged(out)
    name = ""
    try:
        with Syncs(_file_mode()) as syncs:
            for name, data in changes.items():
                staged.folders += _make_folders((out / name).parent)
                staged.files.append((name, _stage(out / name, data)))
                syncs.add(name, staged.files[-1][1])
            if failed := syncs.failure():
                name, exc = failed  # the file the error below names
                raise exc
    except OSError as exc:
        staged.discard()
        raise OutputError(
            f"cannot write {_shown(out, name)}: {_reason(exc)}; {_as_it_was(out)}"
        ) from None
    except BaseException:
        staged.discard()
        raise
    return staged


def jobs_for(items: int, jobs: int) -> int:
    """How many processes to stage a tree of `items` feed items with (see `write_tree`)."""
    return jobs if items >= PARALLEL_MIN_ITEMS else 1


# Written content is staged in forked processes when the feeds hold this many items in all:
# below it, starting the processes costs more than the second core saves (docs/speed.md).
PARALLEL_MIN_ITEMS = 500

# What the forked processes of `_stage_forked` write: (target, content), found by index (a
# WriteTo is a closure over the build's entries, which a forked process has; never pickled).
_FORKED: list[tuple[Path, Content]] = []


def _stage_streamed(out: Path, changes: Mapping[str, Content], jobs: int) -> Staged:
    if jobs <= 1 or len(changes) < 2 or not can_fork():
        return stage(out, changes)
    return _stage_forked(out, changes, min(jobs, len(changes)))


def _stage_forked(out: Path, changes: Mapping[str, Content], jobs: int) -> Staged:
    """`stage`, each file written by one of `jobs` forked worker processes (`_stage_task`, a
    folder at a time): the same staged files in the same order; on failure the same error, and
    nothing left."""
    import multiprocessing  # imported here: a build that writes little never needs them
    from concurrent.futures import CancelledError, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    staged = Staged(out)
    name = ""
    try:
        for name in changes:
            staged.folders += _make_folders((out / name).parent)
    except OSError as exc:
        staged.discard()
        raise OutputError(
            f"cannot write {_shown(out, name)}: {_reason(exc)}; {_as_it_was(out)}"
        ) from None
    names = list(changes)
    _FORKED[:] = [(out / name, changes[name]) for name in names]
    tasks = _tasks(names)
    paths: dict[int, Path] = {}  # index in names -> where it was staged
    failed: tuple[str, BaseException] | None = None
    futures = []
    sys.stdout.flush()  # a child must not write what this process has buffered
    sys.stderr.flush()
    try:
        # Each file staged is flushed to disk here, in threads, while the workers write the
        # next ones (syncing.py); the threads start after the fork, and end before the return.
        with Syncs(_file_mode()) as syncs:
            with ProcessPoolExecutor(
                jobs,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_staging_start,
                initargs=(os.getpid(),),
            ) as pool:
                # The processes are forked at the first submit: one that fails (no process to
                # spare, EAGAIN) submitted nothing, and the files are staged here instead.
                with contextlib.suppress(OSError):
                    futures = [pool.submit(_stage_task, task) for task in tasks]
                try:
                    for task, future in zip(tasks, futures, strict=False):  # none if unsubmitted
                        try:
                            done, failure = future.result()
                        except CancelledError:
                            continue
                        except BaseException as exc:  # the first failure cancels the rest
                            failed = failed or (names[task[0]], exc)
                            _cancel(futures)
                            continue
                        for index, path in zip(task, done, strict=False):
                            paths[index] = Path(path)
                            syncs.add(names[index], paths[index])
                        if failure is not None:
                            failed = failed or (names[failure[0]], failure[1])
                            _cancel(futures)
                except BaseException:  # (Ctrl-C between two results): no task begins now
                    _cancel(futures)
                    raise
            if failed is None:
                failed = syncs.failure()
    except BaseException:
        # The pool is shut down: every file staged is known, those whose results were not
        # taken yet too (its workers went on with the tasks they had begun).
        paths.update(_finished(tasks, futures))
        staged.files = [(names[index], path) for index, path in sorted(paths.items())]
        staged.discard()
        raise
    finally:
        _FORKED.clear()
    if not futures:
        staged.discard()
        return stage(out, changes)
    if failed is not None:  # a wait cut short here (Ctrl-C) is a failure, the task went on
        paths.update(_finished(tasks, futures))
    staged.files = [(names[index], path) for index, path in sorted(paths.items())]
    if failed is None:
        return staged
    staged.discard()
    name, error = failed
    if isinstance(error, BrokenProcessPool):  # a worker was killed (which file it wrote, and
        sweep(out)  # its staged file, are unknown): out/ is locked and was swept (write_tree),
        raise OutputError(  # so what is left now is this write's
            f"cannot write {_folder(out)}: a process writing its files ended unexpectedly;"
            f" {_as_it_was(out)}"
        ) from None
    if isinstance(error, OSError):
        raise OutputError(
            f"cannot write {_shown(out, name)}: {_reason(error)}; {_as_it_was(out)}"
        ) from None
    raise error


def _cancel(futures: Iterable[Future[Any]]) -> None:
    for future in futures:
        future.cancel()


def _finished(tasks: list[list[int]], futures: list[Future[Any]]) -> Iterator[tuple[int, Path]]:
    """(index, where it was staged) of each file staged by a task that ended (once the pool is
    shut down: every task has ended or was cancelled)."""
    for task, future in zip(tasks, futures, strict=False):
        if future.done() and not future.cancelled() and future.exception() is None:
            yield from zip(task, map(Path, future.result()[0]), strict=False)


# The most files a staging worker writes at a time (see _tasks).
TASK_FILES = 8


def _tasks(names: list[str]) -> list[list[int]]:
    """The indexes of `names` as the staging workers take them: the files of a folder together
    (a feed's formats and preview pages show the same entries, which a worker then reads once:
    see EntryStore.get), TASK_FILES at most, the largest tasks first (the last ones are small:
    the workers end together)."""
    by_folder: dict[str, list[int]] = {}
    for index, name in enumerate(names):
        by_folder.setdefault(name.rpartition("/")[0], []).append(index)
    tasks = [
        group[start : start + TASK_FILES]
        for group in by_folder.values()
        for start in range(0, len(group), TASK_FILES)
    ]
    return sorted(tasks, key=len, reverse=True)


def _staging_start(parent: int) -> None:
    """In each forked worker, first: no lock of the build's held (see _HELD), then the
    reading workers' start (an end with the build's process, however it ends)."""
    from syndicate.seeds.reading import _worker_start  # the build has imported it already

    for handle in _HELD:
        with contextlib.suppress(OSError):
            os.close(handle)
    _worker_start(parent)


def _stage_task(indexes: list[int]) -> tuple[list[str], tuple[int, BaseException] | None]:
    """In a forked worker: stage the files `_FORKED[i]` of `indexes`, in order; where each was
    staged, up to the first that failed, and that one's index and error (the others are not
    staged)."""
    done: list[str] = []
    for index in indexes:
        target, data = _FORKED[index]
        try:
            done.append(os.fspath(_stage(target, data)))
        except Exception as exc:  # told to the build's process, which raises it
            return done, (index, exc)
    return done, None


@contextlib.contextmanager
def ctrl_c_deferred() -> Iterator[None]:
    """Ctrl-C (SIGINT) held back meanwhile and delivered at the end (POSIX, main thread): a
    commit interrupted after its last rename would leave its backups, and one interrupted
    midway would have to be undone. Elsewhere `commit` undoes what an interrupt cut short."""
    import signal
    import threading

    main_thread = threading.current_thread() is threading.main_thread()
    if not (hasattr(signal, "pthread_sigmask") and main_thread):
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def commit(staged: Staged, removed: Collection[str] = ()) -> None:
    """Put the staged files in place and remove the files `removed` (names in out/), all or
    nothing: on failure every old file is put back, and OutputError names the file and the
    reason. A process killed meanwhile leaves the journal for `recover`."""
    out = staged.out
    if not staged.files and not removed:
        return  # nothing changes: no journal either
    entries: list[tuple[str, str | None, str | None]] = []  # (target, staged, backup)
    step, name = "keep the old bytes of", JOURNAL
    try:
        for name, temp in staged.files:
            entries.append((name, _rel(out, temp), _backup(out, name)))
        for name in removed:
            entries.append((name, None, _backup(out, name)))
        step, name = "write", JOURNAL
        _write_journal(out, entries, staged.folders)
    except OSError as exc:
        _drop_backups(out, entries)
        staged.discard()
        raise OutputError(
            f"cannot {step} {_shown(out, name)}: {_reason(exc)}; {_as_it_was(out)}"
        ) from None
    try:
        for name, temp in staged.files:
            step = "replace"
            temp.replace(out / name)
        for name in removed:
            step = "remove"
            (out / name).unlink(missing_ok=True)
        step, name = "remove", JOURNAL
        (out / JOURNAL).unlink()
    except OSError as exc:
        failed = f"cannot {step} {_shown(out, name)}: {_reason(exc)}"
        try:
            _undo(out, entries, staged.folders)
        except OSError as undo_exc:
            raise OutputError(
                f"{failed}; putting back the files already replaced failed too"
                f" ({_shown(out, _rel(out, Path(undo_exc.filename or out)))}:"
                f" {_reason(undo_exc)}): the next syndicate build or check puts them back"
            ) from None
        raise OutputError(f"{failed}; {_as_it_was(out)}") from None
    except KeyboardInterrupt:  # not held back (see ctrl_c_deferred): every file put back now
        with contextlib.suppress(OSError):  # else the journal stays for the next command
            _undo(out, entries, staged.folders)
        raise
    _drop_backups(out, entries)
    for name in removed:
        with contextlib.suppress(OSError):  # a folder that stays is no failure
            _prune(out, (out / name).parent)


def recover(out: Path, sweep_leftovers: bool = True) -> str | None:
    """Undo a write that a killed process left unfinished (its journal in `out`), and remove
    the temporary files an interrupted write left; what was done, in words, or None.

    Every command that reads or writes out/ calls it first. A write still running (another
    process holds the lock) is left alone. `sweep_leftovers` False: only the journal
    (`build --check` reports the leftovers instead, see `leftovers`).
    """
    if not out.is_dir():
        return None
    messages = []
    with _locked(out, wait=False) as free:
        if not free:
            return None
        undone = _undo_journal(out)
        if undone == 0:
            messages.append(
                f"{_folder(out)}: a build was stopped before it replaced any file;"
                " its journal removed, nothing to undo"
            )
        elif undone is not None:
            messages.append(
                f"{_folder(out)}: a build was stopped while it replaced files; undone:"
                f" {plural(undone, 'file')} put back as the build before it left them"
            )
        if sweep_leftovers:
            removed = sweep(out)
            if removed:
                messages.append(
                    f"{_folder(out)}: removed {plural(len(removed), 'temporary file')}"
                    " that a stopped build left"
                )
    return "\n".join(messages) or None


def leftovers(out: Path) -> list[str]:
    """The temporary files an interrupted write left in `out` (names in it), sorted."""
    found: list[str] = []
    pending = [("", os.fspath(out))]
    while pending:
        prefix, folder = pending.pop()
        try:
            with os.scandir(folder) as items:
                for item in items:
                    if item.is_dir(follow_symlinks=False):
                        pending.append((f"{prefix}{item.name}/", item.path))
                    elif _LEFTOVER.fullmatch(item.name):
                        found.append(prefix + item.name)
        except OSError:
            continue
    return sorted(found)


def sweep(out: Path) -> list[str]:
    """Remove the leftovers (see `leftovers`); the names removed."""
    removed = []
    for name in leftovers(out):
        try:
            (out / name).unlink()
        except OSError as exc:
            log.warning("%s: not removed (%s)", _shown(out, name), _reason(exc))
        else:
            removed.append(name)
    return removed


def _stage(target: Path, data: Content) -> Path:
    """`data` staged beside `target`, not yet on disk nor given its mode (see syncing.py)."""
    return _write_aside(target, data, sync=False)


def _write_aside(target: Path, data: Content, sync: bool = True) -> Path:
    """`data` in a new file beside `target` (`.NAME.XXXXXXXX.tmp`), on disk and with the mode
    a new file gets when it returns (unless not `sync`: then its caller does both, Syncs)."""
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
            if sync:
                os.fsync(stream.fileno())
        if sync:
            temp.chmod(_file_mode())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def _backup(out: Path, name: str) -> str | None:
    """A second name for the file `name` as it is now (a hard link, else a copy), kept until
    the commit ends; None when there is no such file."""
    target = out / name
    if not target.is_file():
        return None
    for _ in range(100):
        # os.urandom, as secrets.token_hex (whose import, hmac's, costs every command 1 ms)
        backup = target.with_name(f".{target.name}.{os.urandom(4).hex()}.old.tmp")
        try:
            os.link(target, backup)
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in _NO_LINKS:
                raise
            return _rel(out, _copy(target))
        return _rel(out, backup)
    raise FileExistsError(errno.EEXIST, "no free name for a backup", os.fspath(target))


# Where a file system has no hard links: the old bytes are copied instead.
_NO_LINKS = {errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS}


def _copy(target: Path) -> Path:
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".old.tmp")
    os.close(handle)
    copy = Path(name)
    try:
        shutil.copyfile(target, copy)
        shutil.copystat(target, copy)
    except BaseException:
        copy.unlink(missing_ok=True)
        raise
    return copy


def _write_journal(
    out: Path, entries: list[tuple[str, str | None, str | None]], folders: list[Path]
) -> None:
    record = {
        "syndicate-journal": 1,
        "files": [list(entry) for entry in entries],
        "folders": [_rel(out, folder) for folder in folders],
    }
    temp = _write_aside(out / JOURNAL, _json(record))
    try:
        temp.replace(out / JOURNAL)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _sync_folder(out)


def _read_journal(out: Path) -> tuple[list[tuple[str, str | None, str | None]], list[Path]] | None:
    """The journal's entries and folders; None when there is none. Names that are not where
    a write of syndicate's puts them are left out (a damaged journal moves nothing else)."""
    try:
        record = json.loads((out / JOURNAL).read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return [], []
    entries: list[tuple[str, str | None, str | None]] = []
    rows = record.get("files") if isinstance(record, dict) else None
    for row in rows if isinstance(rows, list) else []:
        if not (isinstance(row, list) and len(row) == 3 and isinstance(row[0], str)):
            continue
        target, temp, backup = row
        if _is_safe(target) and _beside(target, temp) and _beside(target, backup):
            entries.append((target, temp, backup))
    names = record.get("folders") if isinstance(record, dict) else None
    names = names if isinstance(names, list) else []
    return entries, [out / n for n in names if isinstance(n, str) and _is_safe(n)]


def _beside(target: str, other: object) -> bool:
    """Whether `other` is None or a leftover's name in `target`'s folder."""
    if other is None:
        return True
    if not isinstance(other, str) or not _is_safe(other):
        return False
    folder, _, name = other.rpartition("/")
    return folder == target.rpartition("/")[0] and _LEFTOVER.fullmatch(name) is not None


def _undo_journal(out: Path) -> int | None:
    """Undo the write that the journal in `out` describes; how many files it put back, or None
    when there is no journal."""
    found = _read_journal(out)
    if found is None:
        return None
    entries, folders = found
    try:
        put_back = _undo(out, entries, folders)
    except OSError as exc:
        raise OutputError(
            f"{_folder(out)}: a build was stopped while it replaced files, and putting back"
            f" its old files failed ({_shown(out, _rel(out, Path(exc.filename or out)))}:"
            f" {_reason(exc)}); fix that and run the command again"
        ) from None
    return put_back


def _undo(out: Path, entries: list[tuple[str, str | None, str | None]], folders: list[Path]) -> int:
    """Every target back as it was before the commit, then the journal removed. A target the
    commit never reached is left alone (only its staged file and backup go); when putting a
    file back fails, the others are still put back, the journal stays (the next command
    tries again) and the first error is raised."""
    put_back = 0
    failed: tuple[OSError, Path] | None = None
    for target, temp, backup in reversed(entries):
        path = out / target
        # Replaced (its staged file is gone) or, for a file to remove, removed.
        changed = not (out / temp).exists() if temp is not None else not path.exists()
        try:
            if changed and backup is not None and (out / backup).exists():
                (out / backup).replace(path)  # two links to one file: nothing happens, and ...
                _unlink_quietly(out / backup)  # ... the second name goes
                put_back += 1
            elif changed and backup is None and path.exists():
                path.unlink()  # a new file that was put in place: removed
                put_back += 1
            elif backup is not None:
                _unlink_quietly(out / backup)  # the old file is still in place
        except OSError as exc:
            failed = failed or (exc, path)
            continue
        if temp is not None:
            _unlink_quietly(out / temp)
    if failed is not None:
        error, path = failed
        error.filename = os.fspath(path)  # the file to put back, not its backup's name
        raise error
    (out / JOURNAL).unlink(missing_ok=True)
    _remove_empty(folders)
    return put_back


def _drop_backups(out: Path, entries: list[tuple[str, str | None, str | None]]) -> None:
    for _, _, backup in entries:
        if backup is not None:
            _unlink_quietly(out / backup)


def _make_folders(folder: Path) -> list[Path]:
    """Create `folder` and its missing parents; those created, outermost first."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    missing.reverse()
    for path in missing:
        try:
            path.mkdir()
        except FileExistsError:
            pass
        except OSError:
            _remove_empty(missing)
            raise
    return missing


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders (outermost first in the list) that are empty, innermost first."""
    for folder in reversed(folders):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _prune(out: Path, folder: Path) -> None:
    """Remove `folder` and its parents inside `out` while they are empty."""
    while folder != out and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


@contextlib.contextmanager
def _locked(out: Path, wait: bool) -> Iterator[bool]:
    """An exclusive lock on the folder `out` while the block runs (POSIX; elsewhere nothing):
    one write at a time. Yields False when another process holds it and `wait` is False. The
    system releases it when the process ends, however it ends."""
    if sys.platform == "win32":
        yield True
        return
    try:
        handle = os.open(out, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        yield True  # nothing to lock: writing reports why
        return
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                yield False
                return
            log.warning("%s: another build is writing it; waiting for it to finish", _folder(out))
            fcntl.flock(handle, fcntl.LOCK_EX)
        except OSError:
            pass  # a file system without locks: go on without
        _HELD.add(handle)
        yield True
    finally:
        _HELD.discard(handle)
        os.close(handle)


# The locks this process holds (their handles): a forked worker closes its copies, so that a
# build killed with its workers frees out/ once it has ended, not once they have.
_HELD: set[int] = set()


def _sync_folder(folder: Path) -> None:
    """The folder's entries on disk (the journal before any target is replaced)."""
    if sys.platform == "win32":
        return
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _rel(out: Path, path: Path) -> str:
    """`path` (absolute, or relative to the current folder) as a name in `out`."""
    return Path(os.path.relpath(path, out)).as_posix()


def _shown(out: Path, name: str) -> str:
    return (out / name).as_posix() if name else _folder(out)


def _folder(out: Path) -> str:
    return out.as_posix().rstrip("/") + "/"


def _as_it_was(out: Path) -> str:
    return f"{_folder(out)} was left as it was"


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
