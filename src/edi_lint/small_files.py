"""Reading the small files a run is configured by: configuration, rulesets, baselines.

Each is read with a size limit and must be a regular file: `--config /dev/zero` or a ruleset that
is a FIFO must fail at once with a one-line reason, never read gigabytes or wait forever.
"""

from __future__ import annotations

import errno
import os
import stat

CONFIG_LIMIT = 1 << 20  # 1 MiB: a configuration file is a few hundred bytes
RULESET_LIMIT = 4 << 20  # 4 MiB
BASELINE_LIMIT = 256 << 20  # 256 MiB: about a million recorded findings


class NotReadable(OSError):
    """Not a regular file, or over the limit. An OSError, so callers' `cannot read` handling applies."""


def read_text(path, limit: int) -> str:
    """The UTF-8 text of the regular file `path`, at most `limit` bytes. Raises OSError (NotReadable
    with a one-line strerror) or UnicodeDecodeError."""
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotReadable(errno.EINVAL, "not a regular file")
        if info.st_size > limit:
            raise NotReadable(errno.EFBIG, f"larger than {_size(limit)}")
        with os.fdopen(fd, "rb", closefd=False) as stream:
            data = stream.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew while being read
        raise NotReadable(errno.EFBIG, f"larger than {_size(limit)}")
    return data.decode("utf-8")


def _size(limit: int) -> str:
    return f"{limit >> 20} MiB" if limit >= 1 << 20 else f"{limit >> 10} KiB"
