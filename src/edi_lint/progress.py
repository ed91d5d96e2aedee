"""At an interactive terminal, a one-line progress counter while files are linted (application.run_files).

The counter goes to stderr only, only when stderr is a TTY, only for many files (>= MANY_FILES) or
much data (>= LARGE_BYTES in total, so one large file counts), and never with -q or json logs. It is
drawn with a carriage return at most every REDRAW_S seconds and erased before the report is written,
so it never mixes into stdout (json, sarif, junit ...) nor into a redirected stderr.
"""

from __future__ import annotations

import os
import sys
import time

MANY_FILES = 20
LARGE_BYTES = 8 << 20
REDRAW_S = 0.1


def _size(name: str) -> int:
    try:
        return os.path.getsize(name) if name != "-" else 0
    except OSError:
        return 0


def wanted(files: list[str], stream=None, quiet: bool = False, log_format: str = "console") -> bool:
    stream = stream if stream is not None else sys.stderr
    if quiet or log_format == "json":
        return False
    try:
        if not stream.isatty():
            return False
    except (AttributeError, ValueError):
        return False
    return len(files) >= MANY_FILES or sum(_size(f) for f in files) >= LARGE_BYTES


class Progress:
    """`edi-lint: 12/40 files, 31%` on one line; bytes read move the percentage within a file."""

    def __init__(self, files: list[str], stream=None):
        self.stream = stream if stream is not None else sys.stderr
        self.total_files = len(files)
        self.total_bytes = sum(_size(f) for f in files) or 1
        self.done_files = 0
        self.done_bytes = 0
        self.last = 0.0
        self.width = 0

    def advance(self, nbytes: int) -> None:
        self.done_bytes += nbytes
        self.draw()

    def file_done(self, name: str, counted_bytes: int = 0) -> None:
        self.done_files += 1
        self.done_bytes += max(0, _size(name) - counted_bytes)
        self.draw(force=self.done_files == self.total_files)

    def draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < REDRAW_S:
            return
        self.last = now
        percent = min(100, 100 * self.done_bytes // self.total_bytes)
        text = f"edi-lint: {self.done_files}/{self.total_files} files, {percent}%"
        self.width = max(self.width, len(text))
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()

    def close(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
