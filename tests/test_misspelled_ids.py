"""A segment id the guide does not have, one character away from the id of the segment expected
where it stands (NMX*IL where the subscriber's NM1*IL goes, SVX after the LX), is one defect: one
IG301 that says which segment it probably is, and the segment read as that one, so the loop it opens
and the segments after it are checked where they stand (issue 10: "one defect gives one finding ...
say what the segment probably was"). Before, NMX*IL gave five findings: itself, the subscriber's N3,
N4 and DMG "out of place", and loop 2010BA missing."""

from __future__ import annotations

import pytest
from conftest import FIXTURES

from edi_lint.application import build_linter
from edi_lint.settings import Settings
from edi_lint.x12.tokenizer import segments_from_bytes
from edi_lint.x12.walker import LoopWalker

CLEAN = (FIXTURES / "clean.837").read_bytes()
MISSPELLED = "is not a segment id of the guide: probably a misspelled"


@pytest.fixture(scope="module")
def native():
    return build_linter(Settings(select=("IG",)))


def edit(old: bytes, new: bytes, data: bytes = CLEAN) -> bytes:
    assert data.count(old) == 1, old
    return data.replace(old, new)


def ig(linter, data: bytes) -> list:
    result = linter.lint_bytes(data, "x.837")
    assert result.status == "linted", result.error
    return result.findings


def test_a_misspelled_loop_opener_is_one_finding(native):
    found = ig(native, edit(b"NM1*IL*1*LINDQVIST", b"NMX*IL*1*LINDQVIST"))
    assert [(f.rule, f.segment) for f in found] == [("IG301", "NMX")], [f.message for f in found]
    assert f'NMX {MISSPELLED} NM1 ("Subscriber Name") of loop 2010BA, read as one' in found[0].message


def test_the_loop_it_opens_is_checked_where_it_stands(native):
    """The subscriber's N4 after NMX*IL is checked as the 2010BA N4 it is: its bad state code is
    reported, and it is not 'out of place'."""
    data = edit(b"NM1*IL*1*LINDQVIST", b"NMX*IL*1*LINDQVIST").replace(
        b"N4*LAKEVIEW*OR*976305678~", b"N4*LAKEVIEW*O1*976305678~", 1)
    rules = sorted((f.rule, f.segment) for f in ig(native, data))
    assert ("IG301", "NMX") in rules and ("IG301", "N4") not in rules, rules
    assert any(rule.startswith("IG4") and segment == "N4" for rule, segment in rules), rules


def test_a_misspelled_mandatory_segment_is_not_also_missing(native):
    """SVX where the first line's SV1 goes: one IG301, no 'mandatory segment SV1 is missing'."""
    found = ig(native, edit(b"SV1*HC:97026:GP*30*UN*1***1~\nDTP*472*D8*20260105~\nLX*2~",
                            b"SVX*HC:97026:GP*30*UN*1***1~\nDTP*472*D8*20260105~\nLX*2~"))
    assert [(f.rule, f.segment) for f in found] == [("IG301", "SVX")], [f.message for f in found]
    assert 'probably a misspelled SV1 ("Professional Service") of loop 2400' in found[0].message


def test_the_segment_just_matched_is_not_a_candidate(native):
    """N4 misspelled as NX right after the N3: NX is one character from N3 and from N4, and the N3
    (max use 1) could match again at its own position; it is read as the N4 expected next, so no
    second N3 (IG305) and no missing N4 (IG303)."""
    found = ig(native, edit(b"N4*LAKEVIEW*OR*976301234~", b"NX*LAKEVIEW*OR*976301234~"))
    assert [(f.rule, f.segment) for f in found] == [("IG301", "NX")], [f.message for f in found]
    assert "probably a misspelled N4" in found[0].message


@pytest.mark.parametrize("old, new", [
    (b"LX*2~\nSV1*HC:97035*40", b"LY*2~\nSV1*HC:97035*40"),  # a line's LX: the reader starts a line by its id
    (b"HL*3*1*22*0~", b"HX*3*1*22*0~"),  # a level's HL
    (b"CLM*CLEAN-2310B-PT", b"CLX*CLEAN-2310B-PT"),  # a claim's CLM
])
def test_ids_the_reader_and_counters_key_on_are_not_respelled(native, old, new):
    """LX, HL, CLM and the envelopes start lines, levels and claims by their id in the document reader
    and in the validator's counters: read as one from a misspelling, the segment would open a loop
    no one else sees. They are reported as before, not as misspelled."""
    found = ig(native, edit(old, new))
    assert found and not any(MISSPELLED in f.message for f in found), [f.message for f in found]
    assert found[0].rule == "IG301" and found[0].segment == new[:2 if new[2:3] == b"*" else 3].decode()


def test_a_qualifier_no_such_segment_has_here_is_not_respelled(native):
    """NMX*Q9: no NM1 the search could reach here has the code Q9, so NMX is not read as an NM1."""
    found = ig(native, edit(b"NM1*IL*1*LINDQVIST", b"NMX*Q9*1*LINDQVIST"))
    assert not any(MISSPELLED in f.message for f in found), [f.message for f in found]


def test_the_answer_depends_on_the_qualifier_not_only_the_id():
    """Two claims, each with NMX right after its HI, in the same walker state: NMX*82 is read as the
    rendering provider (2310B), NMX*DN as the referring provider (2310A). A memo keyed by the id
    alone, as for other unknown ids, would read the second as the first."""
    rendering = b"NMX*82*1*MARCHETTI*LUCA****XX*1582047639~\nPRV*PE*PXC*225100000X~\n"
    referring = b"NMX*DN*1*MARCHETTI*LUCA****XX*1582047639~\n"
    data = edit(b"HI*ABK:M25561~\n", b"HI*ABK:M25561~\n" + rendering)
    data = edit(b"HI*ABK:M5450*ABF:M62830~\nNM1*82", b"HI*ABK:M5450*ABF:M62830~\n" + referring + b"NM1*82", data)
    walked = list(LoopWalker().walk(segments_from_bytes(data)))
    loops = [(s.elements[0], s.elements[1], s.loop) for s in walked if s.elements[0] == "NMX"]
    assert loops == [("NMX", "82", "2310B"), ("NMX", "DN", "2310A")], loops
