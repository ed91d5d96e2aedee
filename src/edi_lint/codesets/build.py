"""Rebuild the compact code-set tables shipped in edi_lint/codesets from maintained packages.

    pip install 'simple-icd-10-cm' 'zipcodes' && python -m edi_lint.codesets.build

ICD-10-CM comes from `simple-icd-10-cm` (it bundles the CMS release), ZIP-to-state from `zipcodes`
(embedded USPS-derived data). Both are read here, at build time only: a lint never imports them and
never downloads anything. tests/test_codesets.py checks that the shipped tables are exactly what
this script makes from the installed packages, so updating is: upgrade the package, run this,
update RELEASE in icd10cm.py when the CMS release changes, commit the tables.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
WIDTH = 7  # the longest ICD-10-CM code, without its decimal point


def icd10cm_tables() -> tuple[str, str]:
    """(billable codes, header codes): fixed-width sorted lines, so a lookup is a binary search."""
    import simple_icd_10_cm as icd

    billable, headers = [], []
    for code in icd.get_all_codes(with_dots=False):
        if not (icd.is_category(code) or icd.is_subcategory(code)):
            continue  # chapters and blocks (A00-A09) are never codes on a claim
        (billable if icd.is_leaf(code) else headers).append(code)
    return _fixed(billable), _fixed(headers)


def _fixed(codes) -> str:
    return "".join(f"{code:<{WIDTH}}\n" for code in sorted(set(codes)))


def zip_state_table() -> str:
    """`first last state` runs of ZIP codes that belong to one state, in ZIP order."""
    import zipcodes

    runs: list[list[str]] = []
    for code, state in sorted((z["zip_code"], z["state"]) for z in zipcodes.list_all()):
        if runs and runs[-1][2] == state:
            runs[-1][1] = code
        else:
            runs.append([code, code, state])
    return "".join(f"{first} {last} {state}\n" for first, last, state in runs)


def tables() -> dict[str, str]:
    billable, headers = icd10cm_tables()
    return {"icd10cm-billable.txt": billable, "icd10cm-headers.txt": headers, "zip-state.txt": zip_state_table()}


def main() -> int:
    for name, text in tables().items():
        (HERE / name).write_text(text, encoding="ascii")
        print(f"wrote {HERE / name} ({text.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
