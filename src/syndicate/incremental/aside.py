"""Work done aside, in a forked child process, while the build goes on.

A cold build renders on one core once every seed is parsed, and the other core would idle
while the same process encodes and writes the parse cache (0.5-0.8 s at 100,000 seeds). A
forked child has every row already in memory: it writes the cache there, and the build waits
for it before it writes the memo, which records the cache file (`Aside`).

A rebuild of a large seeds folder walks it (a stat per seed) on one core while the other idles;
a forked child walks it and sends back what it found, while the build prepares (`compute`).

Only where fork is safe: a POSIX system, and no other thread in this process (a child would
inherit locks held by threads that do not exist in it). Elsewhere the work is done in place.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import Callable
from functools import partial
from types import TracebackType

log = logging.getLogger(__name__)


class Aside:
    """`start(work, what)` runs `work` in a child process (or in place); leaving the `with`
    block waits for every child, also when the block raises."""

    def __init__(self) -> None:
        self._children: list[tuple[int, str]] = []

    def __enter__(self) -> Aside:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.wait()

    def start(self, work: Callable[[], None], what: str) -> None:
        if not can_fork():
            work()
            return
        sys.stdout.flush()  # a child must not write what this process has buffered
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError:  # no process to spare (EAGAIN, ENOMEM): do it here
            work()
            return
        if pid == 0:
            _run_child(work)
        self._children.append((pid, what))

    def wait(self) -> None:
        """Wait for every child started; one that failed is a warning (its work is lost)."""
        while self._children:
            pid, what = self._children.pop(0)
            _, status = os.waitpid(pid, 0)
            code = os.waitstatus_to_exitcode(status)
            if code != 0:
                log.warning("%s failed (its process ended with status %d)", what, code)


class Pending:
    """The bytes a child computes (see `compute`)."""

    def __init__(self, pid: int, fd: int) -> None:
        self._pid, self._fd = pid, fd

    def ready(self) -> bool:
        """Whether the child has begun sending its result (it is done working), without
        waiting."""
        import select

        return bool(select.select([self._fd], [], [], 0)[0])

    def cancel(self) -> None:
        """End the child now, its work unwanted (the build is stopping)."""
        import signal

        os.close(self._fd)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)
        os.waitpid(self._pid, 0)

    def result(self) -> bytes | None:
        """The child's bytes, once it has sent them all and ended; None when it failed."""
        chunks = []
        try:
            while chunk := os.read(self._fd, 1 << 20):
                chunks.append(chunk)
        finally:
            os.close(self._fd)
            _, status = os.waitpid(self._pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            return None
        return b"".join(chunks)


def compute(work: Callable[[], bytes]) -> Pending | None:
    """`work()` in a forked child, its bytes sent back through a pipe; None where this process
    may not fork (see can_fork) or no process can be spared: the caller then works in place."""
    if not can_fork():
        return None
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:
        os.close(read_end)
        _run_child(partial(_send, work, write_end))
    os.close(write_end)
    return Pending(pid, read_end)


def _send(work: Callable[[], bytes], fd: int) -> None:
    with open(fd, "wb") as pipe:  # a file descriptor: the pipe to the parent
        pipe.write(work())


def can_fork() -> bool:
    """Whether this process may fork: a POSIX system, and no thread but this one."""
    return hasattr(os, "fork") and threading.active_count() == 1


def _run_child(work: Callable[[], None]) -> None:
    """In the child: do the work, then exit at once (no atexit, no buffers of the parent).
    Ctrl-C is the parent's to handle: it cancels a child whose work it no longer wants, and
    lets a cache write finish (a cache file is renamed into place whole)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    code = 1
    try:
        work()
        code = 0
    except BaseException as exc:  # reported by the parent (the exit status), never raised
        log.warning("%s", exc)
    finally:
        logging.shutdown()
        os._exit(code)
