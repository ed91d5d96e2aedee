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


def _cut_inside(name: str, segments: int, keep: int) -> bytes:
    """The first `segments` whole segments of a fixture, then `keep` bytes of the next, with no terminator:
    a transfer cut off in the middle of a segment."""
    lines = (FIXTURES / name).read_bytes().splitlines(keepends=True)
    return b"".join(lines[:segments]) + lines[segments][:keep]


def test_a_segment_cut_by_truncation_is_not_checked_as_it_stands():
    """clean.837 cut inside the BHT (`BHT*0019*00*FX000001002*202601`) gave IG401 (BHT05, BHT06 missing),
    IG404 and IG408 (BHT04 short, not a date) besides ENV001: the cut, four more times. Now ENV001 alone
    names the cut segment."""
    data = _cut_inside("clean.837", 3, 30)
    assert data.endswith(b"BHT*0019*00*FX000001002*202601")
    report = edi_lint.lint(data)
    assert [f.rule for f in report.findings] == ["ENV001"]
    assert "last segment (#4, BHT) has no terminator" in report.findings[0].message
    assert report.exit_code == 1


def test_a_cut_segment_of_a_person_is_not_checked_either():
    """Cut inside the subscriber's NM1 (its member id cut short): no code-set or IG finding for it."""
    lines = (FIXTURES / "clean.837").read_bytes().splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if line.startswith(b"NM1*IL*"))
    report = edi_lint.lint(_cut_inside("clean.837", at, len(lines[at]) - 4))
    assert [f.rule for f in report.findings] == ["ENV001"]
    assert f"(#{at + 1}, NM1)" in report.findings[0].message


def test_a_whole_segment_before_the_cut_is_still_checked():
    """Truncation at a terminator cuts no segment: the last one received is checked like any other
    (here its BHT04 is short), and ENV001 names no cut segment."""
    data = _cut_after("clean.837", 4).replace(b"*20260120*0930*CH~", b"*202601*0930*CH~")
    report = edi_lint.lint(data)
    assert {"ENV001", "IG404"} <= {f.rule for f in report.findings}
    assert "no terminator" not in next(f.message for f in report.findings if f.rule == "ENV001")


def test_an_iea_without_a_terminator_is_whole():
    """Many files end `IEA*1*000001002` with no terminator: complete, so nothing is reported."""
    data = (FIXTURES / "clean.837").read_bytes().rstrip()
    assert data.endswith(b"~") and data.rstrip(b"~").rsplit(b"~", 1)[1].strip().startswith(b"IEA")
    assert edi_lint.lint(data.rstrip(b"~")).findings == []


def test_a_cut_segment_is_kept_in_the_held_claims_of_the_split(tmp_path):
    """Not checking the cut segment does not drop it: the pre-flight split holds it back with the rest
    of the cut transaction, byte for byte."""
    data = (FIXTURES / "truncated.837").read_bytes()
    assert data.endswith(b"\nHI*ABK:M25")  # cut inside the second claim's HI
    accepted, rejected = tmp_path / "ok.837", tmp_path / "held.837"
    report = edi_lint.split(data, accepted, rejected)
    assert "(#30, HI) has no terminator" in next(f.message for f in report.findings if f.rule == "ENV001")
    assert b"CLM*TRUNC-CUT-02*30***11:B:1*Y*A*Y*Y~\nHI*ABK:M25~\nSE*" in rejected.read_bytes()  # closed by the split
