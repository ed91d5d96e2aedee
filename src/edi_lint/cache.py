"""Compiled data kept between runs (the loop grammar, the implementation guide), trusted only when it is ours.

A cache file is one header line, `<kind> <key> <sha256 of the body>`, then the body. It is read only
when it is a regular file of this user's that no one else can write, no larger than its limit, and
its header names the expected kind, key (a hash of what the data was compiled from) and the body's
hash. Anything else is ignored with a debug log and the caller compiles again: the cache never
decides anything, it only saves time. Files are written atomically, readable by this user only;
writing one prunes the stale files of its kind (`prune`).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path


def directory() -> Path | None:
    """EDI_LINT_CACHE_DIR, else $XDG_CACHE_HOME/edi-lint, else ~/.cache/edi-lint (None without a home)."""
    explicit = os.environ.get("EDI_LINT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME")
    try:
        return (Path(base) if base else Path.home() / ".cache") / "edi-lint"
    except RuntimeError:  # no home directory to be found
        return None


def ignored(path: Path, event: str, reason: str) -> None:
    from edi_lint import logs

    logs.event("debug", event, path=str(path), reason=reason)


def read(path: Path, header: str, limit: int, event: str) -> bytes | None:
    """The body of `path` when it is ours, unchanged and written for `header` ("<kind> <key>"); else
    None (a missing file silently, anything else with the debug log `event`)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None
    except OSError as error:
        return ignored(path, event, f"cannot open: {error.strerror or error}")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return ignored(path, event, "not a regular file")
        if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
            return ignored(path, event, "owned by another user")
        if info.st_mode & 0o022:
            return ignored(path, event, "writable by other users")
        with os.fdopen(fd, "rb", closefd=False) as stream:
            raw = stream.read(limit + 1)
    except OSError as error:
        return ignored(path, event, f"cannot read: {error.strerror or error}")
    finally:
        os.close(fd)
    if len(raw) > limit:
        return ignored(path, event, "too large")
    first, _, body = raw.partition(b"\n")
    if first != f"{header} {hashlib.sha256(body).hexdigest()}".encode():
        return ignored(path, event, "stale or damaged (its hash does not match)")
    return body


def write(path: Path, header: str, body: bytes, event: str) -> None:
    """Write atomically (a temporary file in the same directory, then rename), readable by this user
    only. A directory that cannot be written only costs speed (a debug log says so)."""
    import tempfile

    tmp = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name.partition('-')[0]}-", suffix=".tmp", dir=path.parent)  # 0600
        with os.fdopen(fd, "wb") as stream:
            stream.write(f"{header} {hashlib.sha256(body).hexdigest()}\n".encode() + body)
        os.replace(tmp, path)
        tmp = None
        prune(path, header)
    except OSError as error:
        ignored(path, event, f"cannot be written: {error.strerror or error}")
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


KEEP = 8  # current-format files of one kind kept besides the one written: other installations may share the directory
# How our cache files are named (the kind, then the key's first hex digits), and how those written by
# edi-lint versions before the header line begin (their JSON's first key; never read now)
_NAME = r"(?P<kind>[a-z-]+)-[0-9a-f]{16,64}\.(?:json|marshal)"
_LEGACY = {"grammar": b'{"k":"l",', "ig-guide": b'{"loops":['}


def prune(written: Path, header: str) -> None:
    """Remove the stale files of the kind just written: every file of an earlier format, and all but
    the KEEP newest of the current one (written for other keys: another pyx12, ruleset text or
    edi-lint version). Only regular files of this user that are named as we name them and begin as
    we write them are removed; nothing else in the directory is touched, and failures are ignored."""
    named = re.fullmatch(_NAME, written.name)
    if named is None:
        return
    kind = named["kind"]
    current, legacy = header.partition(" ")[0].encode() + b" ", _LEGACY.get(kind)
    kept: list[tuple[int, str]] = []
    try:
        entries = list(os.scandir(written.parent))
    except OSError:
        return
    for entry in entries:
        match = re.fullmatch(_NAME, entry.name)
        if match is None or match["kind"] != kind or entry.name == written.name:
            continue
        opened = _first_bytes(entry.path)
        if opened is None:
            continue
        modified, first = opened
        if first.startswith(current):
            kept.append((modified, entry.path))
        elif legacy is not None and first.startswith(legacy):
            _remove(entry.path)
    for _, path in sorted(kept, reverse=True)[KEEP:]:
        _remove(path)


def _first_bytes(path: str) -> tuple[int, bytes] | None:
    """(modification time, first 64 bytes) of a regular file of this user's (a link is not followed), else None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or (hasattr(os, "geteuid") and info.st_uid != os.geteuid()):
            return None
        return info.st_mtime_ns, os.read(fd, 64)
    except OSError:
        return None
    finally:
        os.close(fd)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
