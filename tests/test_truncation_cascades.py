"""A truncated file is one defect, reported by ENV001 (README "Exit codes"): rules must not echo
the cut as defects of the part that was received."""

from __future__ import annotations

import edi_lint
from conftest import FIXTURES


def _cut_after(name: str, segments: int) -> bytes:
    """The first `segments` segments of a fixture (one segment a line), terminators included."""
    lines = (FIXTURES / name).read_bytes().splitlines(keepends=True)
    return b"".join(lines[:segments])


def test_hl04_of_one_is_not_judged_in_a_transaction_cut_before_its_children():
    """clean.837 cut after the billing provider's loop (HL*1**20*1 and its 2010AA): the subscriber
    HLs HL04 announces were cut off. SIT005 reported "HL04 is 1 but no HL names HL 1 as its parent"
    besides ENV001; the HL is right, the file is short."""
    data = _cut_after("clean.837", 13)
    assert data.rstrip().endswith(b"~") and b"HL*1**20*1~" in data and b"HL*2" not in data
    report = edi_lint.lint(data)
    assert sorted({f.rule for f in report.findings}) == ["ENV001"]


def test_hl04_of_zero_with_a_child_is_still_reported_in_a_truncated_transaction():
    data = _cut_after("clean.837", 20).replace(b"HL*1**20*1~", b"HL*1**20*0~")
    report = edi_lint.lint(data)
    assert "SIT005" in {f.rule for f in report.findings}
    assert "ENV001" in {f.rule for f in report.findings}
