"""The one record every stage after the rules reads: a finding, plus per-file results.

Reporters, exit codes, baselines and the pre-flight split read these records, never parser
internals, so the parser can change without touching any output.
"""

from __future__ import annotations

import re
from operator import attrgetter
from dataclasses import dataclass, field, fields
from enum import IntEnum

SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}")


def segment_id(text: str) -> str | None:
    """`text` when it is a valid X12 segment identifier (a capital letter, then one or two capitals or
    digits), else None. With a stray terminator, what stands where an id should be is element data (a
    surname, a date of birth): findings quote an id only through this, and a position otherwise."""
    return text if len(text) <= 3 and SEGMENT_ID.fullmatch(text) else None


def printable(value, limit: int | None = None) -> str:
    """A value from the file, safe to print on one line: control characters (a newline or an ESC
    in CLM01, say) escaped, and cut to `limit` characters when given."""
    text = str(value)
    cut = limit is not None and len(text) > limit
    if cut:
        text = text[:limit]
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text + "..." if cut else text


def printable_lines(text: str) -> str:
    """Text meant to span lines (a rule's explanation) with every other control character escaped."""
    return "\n".join(printable(line) for line in str(text).splitlines())


def one_line(text: str) -> str:
    """A message on one output line: line breaks a rule's author wrote become spaces, any other
    control character (from file data) is escaped."""
    return printable(" ".join(text.splitlines()) if ("\n" in text or "\r" in text) else text)


class Severity(IntEnum):
    """Ordered so that `finding.severity >= fail_on` is the exit-code test."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use error, warning or info)") from None


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at one place. Frozen: rules create findings, nothing edits them."""

    rule: str  # stable code, e.g. PT001
    name: str  # kebab name, e.g. missing-gp-modifier
    severity: Severity
    message: str
    path: str = ""
    claim_id: str | None = None  # CLM01
    line_number: int | None = None  # LX01; None above service-line level
    loop: str | None = None  # 2400, 2310B, ST_LOOP ...
    segment: str | None = None  # SV1, CLM, PRV ...
    element: str | None = None  # X12 notation: SV101-3, CLM05-1, PRV03
    segment_index: int | None = None  # 1-based ordinal of the segment in the file
    line: int | None = None  # 1-based physical line
    column: int | None = None  # 1-based column
    byte_offset: int | None = None
    transaction: str | None = None  # ST02 of the enclosing transaction
    expected: str | None = None
    actual: str | None = None
    # Segment ordinal of the claim's CLM: tells apart claims that share a CLM01 (it happens)
    claim_segment_index: int | None = None

    def to_dict(self) -> dict:
        # Every field is immutable (str, int, None, Severity): no deep copy (dataclasses.asdict) needed.
        data = dict(zip(_FINDING_FIELDS, _finding_values(self)))
        data["severity"] = self.severity.label
        return data

    def sort_key(self) -> tuple:
        return (self.path, self.segment_index or 0, self.rule, self.element or "")


_FINDING_FIELDS = tuple(f.name for f in fields(Finding))
_finding_values = attrgetter(*_FINDING_FIELDS)


@dataclass(slots=True)
class ClaimVerdict:
    """Where one claim went: accepted when it has no finding at or above the fail-on level."""

    claim_id: str
    transaction: str | None
    segment_index: int
    accepted: bool


@dataclass(slots=True)
class FileResult:
    """Everything known about one linted input, in the order the JSON contract lists it."""

    path: str
    status: str = "linted"  # "linted" or "error"
    error: str | None = None
    claims: int = 0
    service_lines: int = 0
    # Sorted by Finding.sort_key. A list, or for a file with many findings a spill.SpilledFindings (a
    # read-only sequence merged from a temporary file as it is iterated; indexing makes it a list).
    findings: list[Finding] = field(default_factory=list)
    verdicts: list[ClaimVerdict] = field(default_factory=list)
    # The threshold of the configuration that linted this file: the exit code is the worst
    # per-file verdict (not part of any report).
    fail_on: Severity | None = Severity.ERROR
    records: list = field(default_factory=list)  # records.ClaimRecord per claim, when Settings.keep_claims

    def summary(self) -> dict:
        return {
            "path": self.path,
            "status": self.status,
            "error": self.error,
            "claims": self.claims,
            "service_lines": self.service_lines,
            "findings": len(self.findings),
        }
