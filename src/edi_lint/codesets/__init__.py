"""External code sets (WEDI SNIP type 5), as compact tables shipped with edi-lint.

Nothing here downloads anything or imports the packages the tables were built from: a table is a
sorted text file of fixed-width lines, read once on first use and searched by bisection, so a
one-claim run pays well under a millisecond for it. `python -m edi_lint.codesets.build` rebuilds the
tables from the maintained packages (simple-icd-10-cm, zipcodes).

Licensed code sets (NUCC taxonomy, CPT, HCPCS) are not shipped: a user names their own files in
configuration (`code-sets.taxonomy = "nucc.csv"`), read by `load_user_table`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent


class FixedWidthTable:
    """A sorted file of fixed-width lines; `code in table` is a binary search over its bytes."""

    def __init__(self, data: bytes):
        self.data = data
        self.width = data.index(b"\n") + 1 if data else 1
        self.count = len(data) // self.width

    def __contains__(self, code: str) -> bool:
        width = self.width
        key = code.encode("ascii", "replace").ljust(width - 1)
        if len(key) != width - 1:
            return False
        data, low, high = self.data, 0, self.count
        while low < high:
            middle = (low + high) // 2
            start = middle * width
            found = data[start:start + width - 1]
            if found == key:
                return True
            if found < key:
                low = middle + 1
            else:
                high = middle
        return False

    def __len__(self) -> int:
        return self.count


# -- ICD-10-CM ----------------------------------------------------------------------------------

class Icd10Release(NamedTuple):
    """Which CMS release the shipped table is, and the dates of service it answers for."""

    name: str
    package: str
    first_day: date  # start of the fiscal year of the release
    last_day: date  # end of that fiscal year: later dates of service need a newer release


RELEASE = Icd10Release("ICD-10-CM FY2026 (CMS April 1, 2026 update)", "simple-icd-10-cm 1.5.0",
                       date(2025, 10, 1), date(2026, 9, 30))
ICD10_FORMAT = re.compile(r"[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}")


@lru_cache(maxsize=1)
def icd10cm() -> tuple[FixedWidthTable, FixedWidthTable]:
    """(billable codes, header codes that have codes below them) of RELEASE."""
    return (FixedWidthTable((HERE / "icd10cm-billable.txt").read_bytes()),
            FixedWidthTable((HERE / "icd10cm-headers.txt").read_bytes()))


# -- places of service ----------------------------------------------------------------------------

@lru_cache(maxsize=1)
def places_of_service() -> dict[str, tuple[str, date | None, date | None]]:
    """code -> (name, first day, last day) from pos.tsv (the CMS Place of Service Code Set)."""
    table = {}
    for row in (HERE / "pos.tsv").read_text(encoding="utf-8").splitlines():
        if not row.strip() or row.startswith("#"):
            continue
        code, name, first, last = (row.split("\t") + ["", ""])[:4]
        table[code] = (name, _day(first), _day(last))
    return table


def _day(text: str) -> date | None:
    text = text.strip()
    return date.fromisoformat(text) if text else None


# -- states and ZIP codes -------------------------------------------------------------------------

US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK "
    "OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI FM MH PW AA AE AP".split())
CANADIAN_PROVINCES = frozenset("AB BC MB NB NL NS NT NU ON PE QC SK YT".split())


@lru_cache(maxsize=1)
def _zip_runs() -> tuple[list[str], list[tuple[str, str]]]:
    starts, runs = [], []
    for row in (HERE / "zip-state.txt").read_text(encoding="ascii").splitlines():
        first, last, state = row.split()
        starts.append(first)
        runs.append((last, state))
    return starts, runs


@lru_cache(maxsize=8192)
def zip_state(zip5: str) -> str | None:
    """The state a five-digit ZIP code belongs to; None when no known ZIP range holds it (memoised:
    the same few addresses repeat on every claim)."""
    starts, runs = _zip_runs()
    at = bisect_right(starts, zip5) - 1
    if at < 0:
        return None
    last, state = runs[at]
    return state if zip5 <= last else None


# -- user-supplied tables -------------------------------------------------------------------------

class CodeSetError(Exception):
    """A configured code-set file that cannot be read; str() names the file."""


@lru_cache(maxsize=16)
def load_user_table(path: str) -> frozenset[str]:
    """Codes from the first column of a CSV or text file (a header row is skipped), upper-cased."""
    import csv  # only when a code set is configured: a plain run does not pay for the module

    try:
        with open(path, encoding="utf-8-sig", newline="") as stream:
            codes = {row[0].strip().upper() for row in csv.reader(stream) if row and row[0].strip()}
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise CodeSetError(f"{path}: cannot read the code-set file: {getattr(error, 'strerror', None) or error}") \
            from None
    # every NUCC, CPT and HCPCS code has a digit: a header row such as "Code" is dropped
    codes = {c for c in codes if re.fullmatch(r"[0-9A-Z]{2,12}", c) and any(ch.isdigit() for ch in c)}
    if not codes:
        raise CodeSetError(f"{path}: no codes found in the first column")
    return frozenset(codes)
