"""NCCI procedure-to-procedure (PTP) edits, read from the CMS practitioner PTP file's layout.

CMS publishes the practitioner PTP edits every quarter as text (tab-separated) or CSV files, one per
code range (ccipra-v###r0-f1 ... f4), below a few lines of headers and copyright: column 1, column 2,
a before-1996 flag (*), effective date, deletion date (* = none), modifier indicator (0, 1 or 9) and
the edit's rationale. edi-lint ships no copy (it never downloads one); a user names theirs in
configuration (`code-sets.ncci = "ccipra.txt"`, or a folder holding the four files), and edi-lint's own
small table (rulesets/ncci-ptp-therapy.tsv) uses the same layout. Lines starting with '#' are comments.

The table is kept as sorted fixed-width records searched by bisection, so the full CMS file (millions
of rows) costs tens of megabytes, not a dict of Python objects.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from pathlib import Path

from edi_lint.codesets import CodeSetError

DAY = re.compile(r"(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])")
NO_DELETION = "99999999"
RECORD = 5 + 5 + 8 + 8 + 1  # column 1, column 2, effective, deletion, indicator
SUFFIXES = (".txt", ".csv", ".tsv")


class PtpTable:
    """The edits of a PTP file: `edits(column1, column2)` gives (effective, deletion, indicator) tuples,
    dates as CCYYMMDD strings (deletion '99999999' when the edit has none)."""

    def __init__(self, records: list[str], source: str):
        records.sort()
        self.data = "".join(records)
        self.count = len(records)
        self.source = source
        self.column1 = frozenset(r[:5] for r in records)  # fast paths: most lines are in no pair at all
        self.column2 = frozenset(r[5:10] for r in records)

    def __len__(self) -> int:
        return self.count

    def _key(self, index: int) -> str:
        return self.data[index * RECORD:index * RECORD + 10]

    def edits(self, column1: str, column2: str) -> list[tuple[str, str, str]]:
        key = column1 + column2
        low, high = 0, self.count
        while low < high:  # bisect over the records' first ten characters
            middle = (low + high) // 2
            if self._key(middle) < key:
                low = middle + 1
            else:
                high = middle
        found = []
        while low < self.count and self._key(low) == key:
            record = self.data[low * RECORD:(low + 1) * RECORD]
            found.append((record[10:18], record[18:26], record[26]))
            low += 1
        return found


def _fields(line: str) -> list[str]:
    if "\t" in line:
        return [f.strip().strip('"') for f in line.split("\t")]
    import csv  # only for a CSV file

    return [f.strip() for f in next(csv.reader([line]), [])]


def _rows(path: Path):
    # latin-1 never fails: the copyright lines of the CMS files are not UTF-8, the codes are ASCII
    with open(path, encoding="latin-1", newline="") as stream:
        for number, line in enumerate(stream, 1):
            if line.lstrip().startswith("#") or not line.strip():
                continue
            yield number, _fields(line.rstrip("\r\n"))


def _record(fields: list[str], where: str) -> str | None:
    """One fixed-width record; None for a header row or an indicator-9 row (not an edit)."""
    if len(fields) < 6:
        return None
    column1, column2 = fields[0].upper(), fields[1].upper()
    if not (len(column1) == len(column2) == 5 and column1.isalnum() and column2.isalnum() and column1.isascii()
            and column2.isascii()):
        return None  # a header or copyright line
    effective, deletion, indicator = fields[3], fields[4] or "*", fields[5]
    if indicator == "9":
        return None  # not an edit (its dates are not read)
    if not DAY.fullmatch(effective):
        raise CodeSetError(f"{where}: effective date {effective!r} is not CCYYMMDD")
    if deletion != "*" and not DAY.fullmatch(deletion):
        raise CodeSetError(f"{where}: deletion date {deletion!r} is not CCYYMMDD or *")
    if indicator not in ("0", "1"):
        raise CodeSetError(f"{where}: modifier indicator {indicator!r} is not 0, 1 or 9")
    return column1 + column2 + effective + (NO_DELETION if deletion == "*" else deletion) + indicator


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())
    return [path]


@lru_cache(maxsize=4)
def load_ptp_table(path: str) -> PtpTable:
    """Every edit of the PTP file (or of the .txt/.csv/.tsv files of a folder) at `path`.
    Raises CodeSetError when it cannot be read, a data row is malformed, or it holds no edit."""
    records: list[str] = []
    files = _files(Path(path))
    try:
        for file in files:
            for number, fields in _rows(file):
                record = _record(fields, f"{file}, line {number}")
                if record is not None:
                    records.append(record)
    except OSError as error:
        raise CodeSetError(f"{path}: cannot read the NCCI PTP file: {error.strerror or error}") from None
    if not records:
        raise CodeSetError(f"{path}: no NCCI PTP edit found (expected rows of column 1, column 2, flag, effective "
                           "date, deletion date, modifier indicator 0/1/9)")
    return PtpTable(records, path)
