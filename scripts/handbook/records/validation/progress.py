"""A one-line progress bar on stderr, shown only for files large enough to wait for."""

from __future__ import annotations

import sys
import time

MIN_ROWS = 20000
WIDTH = 30


class Progress:
    def __init__(self, stream=None, force: bool = False, min_rows: int = MIN_ROWS):
        self.stream = stream or sys.stderr
        self.enabled = force or (hasattr(self.stream, "isatty") and self.stream.isatty())
        self.min_rows = min_rows
        self.total = 0
        self.label = ""
        self.shown = False
        self._last = 0.0

    def start(self, total: int, label: str) -> None:
        self.total, self.label, self._last = total, label, 0.0
        self.shown = self.enabled and total >= self.min_rows

    def update(self, done: int) -> None:
        if not self.shown:
            return
        now = time.monotonic()
        if now - self._last < 0.1:
            return
        self._last = now
        self._draw(min(done, self.total))

    def _draw(self, done: int) -> None:
        share = done / self.total if self.total else 1
        bar = "█" * int(share * WIDTH) + "░" * (WIDTH - int(share * WIDTH))
        self.stream.write(f"\r{self.label} {bar} {share:4.0%}  {done}/{self.total} 行")
        self.stream.flush()

    def finish(self) -> None:
        if self.shown:
            self._draw(self.total)
            self.stream.write("\n")
            self.stream.flush()
        self.shown = False
