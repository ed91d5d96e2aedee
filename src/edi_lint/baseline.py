"""Baselines for legacy files: record today's findings, then report only new ones.

    edi-lint fixtures/ --write-baseline .edi-lint-baseline.json   # record, exit 0
    edi-lint fixtures/ --baseline .edi-lint-baseline.json         # only findings not recorded

An entry is keyed by file (path relative to the baseline file's directory, POSIX separators, so a
baseline works from any working directory), rule code,
claim id (CLM01) and service-line number (LX01), with a count for identical keys; never by byte
offset, segment ordinal or physical line, which shift with every edit. Findings above claim level
have claim id and line number null. Matching consumes counts: two recorded PT001 on one line hide
two findings, a third is new.

Entries whose file was linted in this run but that no longer occur are "fixed": the command logs a
`baseline_fixed` warning listing them (rule, path, claim id, line number) and `--format json` gains a
`baseline` object {"path", "suppressed", "fixed": [entry, ...]} so the baseline can be pruned.
Entries for files not linted in this run are neither matched nor reported; when no entry names a
linted file at all (`unmatched` counts them), the command warns: the baseline was probably
written for other files, or moved away from the files it names.

File format (JSON; keys sorted so diffs stay small):

    {"version": 1, "tool": "edi-lint",
     "entries": [{"path": "fixtures/sample.837", "rule": "PT001", "claim_id": "C1",
                  "line_number": 2, "count": 1}, ...]}
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from edi_lint.findings import FileResult, Finding
from edi_lint.report._common import display_path
from edi_lint.small_files import BASELINE_LIMIT, read_text

VERSION = 1
Key = tuple[str, str, str | None, int | None]


class BaselineError(Exception):
    """A baseline file that cannot be read; the message is one line."""


def relative_to(path: str, base: str | None) -> str:
    """`path` (as linted: relative to the working directory, or absolute) relative to `base`, with
    POSIX separators; `..` is allowed, so a baseline in ci/ can name ../claims/a.837."""
    if base is None:
        return display_path(path, None)
    # folders resolved (the file itself is not: a fixture that is a link keeps its own name), so the file
    # named through a linked folder, or a baseline reached through one, still finds its entries
    folder, name = os.path.split(os.path.abspath(path))
    absolute = os.path.join(os.path.realpath(folder), name)
    try:
        return os.path.relpath(absolute, os.path.realpath(base)).replace(os.sep, "/")
    except ValueError:  # another drive on Windows
        return absolute


def key_of(finding: Finding, path: str, base: str | None) -> Key:
    return (relative_to(finding.path or path, base), finding.rule, finding.claim_id, finding.line_number)


def _entry(key: Key, count: int) -> dict:
    path, rule, claim_id, line_number = key
    return {"path": path, "rule": rule, "claim_id": claim_id, "line_number": line_number, "count": count}


def collect(results: list[FileResult], base: str | None = None) -> Counter:
    counts: Counter = Counter()
    for result in results:
        for finding in result.findings:
            counts[key_of(finding, result.path, base)] += 1
    return counts


def write(path: str | Path, results: list[FileResult], base: str | None = None) -> int:
    """Write the baseline of `results`; returns the number of findings recorded."""
    counts = collect(results, base)
    entries = [_entry(k, n) for k, n in sorted(counts.items(), key=lambda kv: _sortable(kv[0]))]
    doc = {"version": VERSION, "tool": "edi-lint", "entries": entries}
    Path(path).write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return sum(counts.values())


def _sortable(key: Key) -> tuple:
    path, rule, claim_id, line_number = key
    return (path, claim_id or "", line_number or 0, rule)


def load(path: str | Path) -> Counter:
    try:
        doc = json.loads(read_text(path, BASELINE_LIMIT))
    except OSError as error:
        raise BaselineError(f"cannot read baseline {path}: {error.strerror or error}") from None
    except ValueError as error:
        raise BaselineError(f"baseline {path} is not JSON: {error}") from None
    if not isinstance(doc, dict) or doc.get("version") != VERSION or not isinstance(doc.get("entries"), list):
        raise BaselineError(f"baseline {path} is not an edi-lint baseline (version {VERSION})")
    counts: Counter = Counter()
    for number, entry in enumerate(doc["entries"], start=1):
        key = _entry_key(entry)
        count = entry.get("count", 1) if isinstance(entry, dict) else None
        if key is None or type(count) is not int or count < 1:
            raise BaselineError(f"baseline {path} has a malformed entry (entry {number}): expected path and rule "
                                "strings, claim_id a string or null, line_number and count whole numbers")
        counts[key] += count
    return counts


def _entry_key(entry) -> Key | None:
    """The key of one baseline entry, or None when a field has the wrong type (keys of mixed types
    cannot be sorted or matched)."""
    if not isinstance(entry, dict):
        return None
    path, rule = entry.get("path"), entry.get("rule")
    claim_id, line_number = entry.get("claim_id"), entry.get("line_number")
    if not isinstance(path, str) or not isinstance(rule, str):
        return None
    if claim_id is not None and not isinstance(claim_id, str):
        return None
    if line_number is not None and type(line_number) is not int:
        return None
    return (path, rule, claim_id, line_number)


@dataclass
class Applied:
    """What applying a baseline did."""

    suppressed: int = 0
    fixed: list[dict] = field(default_factory=list)
    unmatched: int = 0  # recorded findings whose file was not linted in this run
    recorded: int = 0  # recorded findings in all

    @property
    def matched_nothing(self) -> bool:
        """Every entry names a file this run did not lint."""
        return self.recorded > 0 and self.unmatched == self.recorded

    def to_dict(self, path: str) -> dict:
        return {"path": path, "suppressed": self.suppressed, "fixed": self.fixed, "unmatched": self.unmatched}


def apply(results: list[FileResult], baseline: Counter, base: str | None = None) -> tuple[list[FileResult], Applied]:
    """New results holding only findings not in the baseline, and the fixed (unmatched) entries."""
    remaining = Counter(baseline)
    applied = Applied()
    linted_paths = set()
    filtered = []
    for result in results:
        if result.status != "error":  # a file that failed to lint fixed nothing
            linted_paths.add(relative_to(result.path, base))
        kept = []
        for finding in result.findings:
            key = key_of(finding, result.path, base)
            if remaining[key] > 0:
                remaining[key] -= 1
                applied.suppressed += 1
            else:
                kept.append(finding)
        filtered.append(replace(result, findings=kept, verdicts=list(result.verdicts)))
    applied.recorded = sum(baseline.values())
    for key, count in sorted(remaining.items(), key=lambda kv: _sortable(kv[0])):
        if count > 0 and key[0] in linted_paths:
            applied.fixed.append(_entry(key, count))
        elif key[0] not in linted_paths:
            applied.unmatched += baseline[key]
    return filtered, applied
