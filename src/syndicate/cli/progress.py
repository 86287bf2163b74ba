"""A one-line progress bar for reading seeds, for people at a terminal.

Nothing is drawn until reading has taken `delay` seconds (a small build shows no bar), and the
line is erased at the end, so the summary that follows reads as if the bar was never there.
The caller decides whether to use one at all: only on a terminal, never with --quiet.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO


class Progress:
    def __init__(
        self,
        stream: TextIO,
        total: int | None = None,
        label: str = "reading seeds",
        delay: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        width: int = 30,
    ) -> None:
        self.stream, self.total, self.label = stream, total, label
        self.delay, self.clock, self.width = delay, clock, width
        self.count = 0
        self._start = clock()
        self._drawn_at: float | None = None
        self._shown = 0  # length of the line on screen

    def tick(self, total: int | None = None) -> None:
        """One more seed read (of `total`, when the caller knows it)."""
        self.count += 1
        if total is not None:
            self.total = total
        now = self.clock()
        if now - self._start < self.delay:
            return
        if self._drawn_at is not None and now - self._drawn_at < 0.1 and not self._last():
            return
        self._draw(now)

    def _last(self) -> bool:
        return self.total is not None and self.count >= self.total

    def line(self) -> str:
        if not self.total:
            return f"{self.label}: {self.count}"
        done = min(self.count, self.total)
        filled = self.width * done // self.total
        bar = "#" * filled + "-" * (self.width - filled)
        return f"{self.label} [{bar}] {done}/{self.total}"

    def _draw(self, now: float) -> None:
        text = self.line()
        self.stream.write("\r" + text.ljust(self._shown))
        self.stream.flush()
        self._shown, self._drawn_at = len(text), now

    def close(self) -> None:
        """Erase the bar, if one was drawn."""
        if self._shown:
            self.stream.write("\r" + " " * self._shown + "\r")
            self.stream.flush()
            self._shown = 0

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
