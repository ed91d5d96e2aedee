"""Small helpers the reporters share: display paths, positions and claim context.

Reporters print only a finding's message and location fields (path, line, column, claim id,
service-line number, loop, segment, element, transaction), never raw segments or the
expected/actual values, which may echo PHI.
"""

from __future__ import annotations

import json
import os
import posixpath
from pathlib import PurePosixPath, PureWindowsPath
from urllib.parse import quote

from edi_lint.findings import FileResult, Finding, printable


def finding_path(finding: Finding, result: FileResult) -> str:
    """The finding's own path, falling back to the file it came from."""
    return finding.path or result.path


def position(finding: Finding) -> tuple[int, int]:
    """1-based (line, column); findings without a position point at the start of the file."""
    line = finding.line if finding.line and finding.line > 0 else 1
    column = finding.column if finding.column and finding.column > 0 else 1
    return line, column


def context(finding: Finding) -> str:
    """`[claim CLM01, line 2]`, `[claim CLM01]`, or '' when the finding has no claim."""
    parts = []
    if finding.claim_id is not None:
        parts.append(f"claim {printable(finding.claim_id)}")
    if finding.line_number is not None:
        parts.append(f"line {finding.line_number}")
    return f"[{', '.join(parts)}]" if parts else ""


def location_details(finding: Finding) -> str:
    """Every location field that is set, e.g. `loop 2400, segment SV1, element SV101-3`."""
    fields = (
        ("transaction ", finding.transaction),
        ("claim ", finding.claim_id),
        ("line ", finding.line_number),
        ("loop ", finding.loop),
        ("segment ", finding.segment),
        ("element ", finding.element),
        ("segment #", finding.segment_index),
        ("byte offset ", finding.byte_offset),
    )
    return ", ".join(f"{label}{printable(value)}" for label, value in fields if value is not None)


def plural(count: int, word: str, plural_word: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural_word or word + 's')}"


def _is_absolute(path: str) -> bool:
    return os.path.isabs(path) or PureWindowsPath(path).is_absolute()


def relative_path(path: str, cwd: str | None) -> str | None:
    """`path` relative to `cwd` with POSIX separators, or None when it lies outside `cwd`.

    `cwd=None` means the process working directory.
    """
    base = os.path.abspath(cwd if cwd is not None else os.getcwd())
    full = path if _is_absolute(path) else os.path.join(base, path)
    full = os.path.normpath(full)
    try:
        rel = os.path.relpath(full, base)
    except ValueError:  # another drive on Windows
        return None
    rel = rel.replace(os.sep, "/")
    if rel == ".." or rel.startswith("../") or _is_absolute(rel):
        return None
    return posixpath.normpath(rel)


def display_path(path: str, cwd: str | None) -> str:
    """Relative POSIX path when inside `cwd`, otherwise the absolute path as given."""
    rel = relative_path(path, cwd)
    if rel is not None:
        return rel
    return os.path.normpath(path if _is_absolute(path) else os.path.abspath(path))


def artifact_uri(path: str, cwd: str | None) -> tuple[str, bool]:
    """(uri, is_relative): a percent-escaped relative URI, or an absolute file URI."""
    rel = relative_path(path, cwd)
    if rel is not None:
        return quote(rel, safe="/", errors="surrogateescape"), True  # a non-UTF-8 file name
    base = os.path.abspath(cwd if cwd is not None else os.getcwd())
    full = os.path.normpath(path if _is_absolute(path) else os.path.join(base, path))
    if PureWindowsPath(full).drive:
        return PureWindowsPath(full).as_uri(), False
    return PurePosixPath(full).as_uri(), False


def severity_counts(results: list[FileResult]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for result in results:
        for finding in result.findings:
            counts[finding.severity.label] = counts.get(finding.severity.label, 0) + 1
    return counts


def splice_array(text: str, mark: str, items):
    """`text` (a `json.dumps(..., indent=2)` holding the one-item array `[mark]`) with `items` in that
    array's place, in pieces: the same text as dumping the whole list, without ever holding it."""
    at = text.index(json.dumps(mark))
    line_start = text.rindex("\n", 0, at) + 1
    pad = text[line_start:at]
    rest = text[at + len(json.dumps(mark)):]
    first = True
    for item in items:
        yield (text[:line_start] if first else ",\n") + pad + dumps_indented(item, pad)
        first = False
    if first:  # no items: json.dumps writes []
        yield text[: line_start - 1] + rest[rest.index("]"):]
    else:
        yield rest


_ESCAPE = json.encoder.encode_basestring_ascii  # what json.dumps writes for a str (ensure_ascii)
_KEYS: dict = {}  # key -> its escaped text and ": " (report keys are few and fixed)


def dumps_indented(value, pad: str = "") -> str:
    """`json.dumps(value, indent=2).replace("\\n", "\\n" + pad)`, byte for byte, several times faster.

    json.dumps with an indent runs the pure-Python encoder, a generator per nested value; reports
    write one finding object at a time, so that cost was paid per finding. Written for the values
    reports hold (dicts with str keys, lists, tuples, str, int, float, bool, None); anything else
    goes to json.dumps itself.
    """
    kind = type(value)
    if kind is str:
        return _ESCAPE(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is dict:
        if not value:
            return "{}"
        inner = pad + "  "
        parts = []
        for key, item in value.items():
            if type(key) is not str:
                return json.dumps(value, indent=2).replace("\n", "\n" + pad)
            kind = type(item)
            if kind is str:
                text = _ESCAPE(item)
            elif item is None:
                text = "null"
            elif kind is int:
                text = int.__repr__(item)
            else:
                text = dumps_indented(item, inner)
            name = _KEYS.get(key)
            if name is None:
                name = _ESCAPE(key) + ": "
                if len(_KEYS) < 4096:
                    _KEYS[key] = name
            parts.append(name + text)
        return "{\n" + inner + (",\n" + inner).join(parts) + "\n" + pad + "}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = pad + "  "
        return "[\n" + inner + (",\n" + inner).join(dumps_indented(item, inner) for item in value) + "\n" + pad + "]"
    if kind is int:
        return int.__repr__(value)
    return json.dumps(value, indent=2).replace("\n", "\n" + pad)
