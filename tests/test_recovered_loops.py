"""A loop's first segment with a qualifier the guide does not allow there (NM1*IX where the
subscriber's NM1*IL goes, HL03 = Q9) is one defect: one IG301 that names the loops it could have
opened, and the loop's other segments checked where they stand, not each reported out of place
(issue 10: "one defect gives one finding ... say what the segment probably was").

So is a segment id the guide does not have, one character away from the id of a segment expected
where it stands (NMX*IL where the subscriber's NM1*IL goes, SVX after the LX): one IG301 that says
which segment it probably is, and the segment read as that one. Before, NMX*IL gave five findings:
itself, the subscriber's N3, N4 and DMG "out of place", and loop 2010BA missing."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES

import edi_lint
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


def test_wrong_subscriber_qualifier_is_one_finding(native):
    found = ig(native, edit(b"NM1*IL*1*LINDQVIST", b"NM1*IX*1*LINDQVIST"))
    assert [(f.rule, f.segment) for f in found] == [("IG301", "NM1")], [f.message for f in found]
    message = found[0].message
    assert "NM101 is none of the codes that open a loop here" in message
    assert 'IL for 2010BA ("Subscriber Name")' in message and "PR for 2010BB" in message
    assert "read as the start of loop 2010BA" in message


@pytest.mark.parametrize("opener", [b"NM1*IX", b"NMX*IL"])  # a wrong code; a misspelled id (below)
def test_the_loop_after_it_is_still_checked(native, opener):
    """The subscriber's N4 after the wrong NM1 is checked as the 2010BA N4 it is: a bad state code
    there is reported (before, the N4 was only 'out of place')."""
    data = edit(b"NM1*IL*1*LINDQVIST", opener + b"*1*LINDQVIST").replace(
        b"N4*LAKEVIEW*OR*976305678~", b"N4*LAKEVIEW*O1*976305678~", 1)
    rules = sorted((f.rule, f.segment) for f in ig(native, data))
    assert ("IG301", opener[:3].decode()) in rules and ("IG301", "N4") not in rules, rules
    assert any(rule.startswith("IG4") and segment == "N4" for rule, segment in rules), rules


def test_a_passed_loop_is_not_read_again(native):
    """NM1*Q9 after the payer's loop, before the CLM: the only NM1 loops of the subscriber level,
    2010BA and 2010BB, are behind the walk and occur once each, so it is read as neither (which
    would report a second 2010BA, IG304): one IG301, nothing else."""
    payer = b"NM1*PR*2*MERIDIAN MUTUAL HEALTH*****PI*MMH01~\n"
    found = ig(native, edit(payer + b"CLM*CLEAN-BILLING", payer + b"NM1*Q9*2*X~\nCLM*CLEAN-BILLING"))
    assert [f.rule for f in found if f.rule != "IG204"] == ["IG301"], [f.message for f in found]
    assert "read as" not in found[0].message


def test_wrong_hl03_keeps_its_claims_linted_and_held():
    """HL03 = Q9 where the subscriber's 22 goes: the level is read as the subscriber level the walker
    placed, so its claims are linted with their subscriber, and the split holds exactly them."""
    data = edit(b"HL*2*1*22*0~", b"HL*2*1*Q9*0~")
    report = edi_lint.lint(data)
    assert report.files[0].claims == 5  # as many as the clean file: none lost to the wrong code
    ig301 = [f for f in report.findings if f.rule == "IG301"]
    assert len(ig301) == 1 and "read as the start of loop 2000B" in ig301[0].message
    held = sorted(c.claim_id for c in report.rejected)
    assert held == ["CLEAN-2310B-PT", "CLEAN-BILLING-TAXONOMY"], held


def test_wrong_hl03_split_writes_the_level_with_its_claims(tmp_path):
    source = tmp_path / "in.837"
    source.write_bytes(edit(b"HL*2*1*22*0~", b"HL*2*1*Q9*0~"))
    ok, held = tmp_path / "ok.837", tmp_path / "held.837"
    report = edi_lint.split(source, ok, held)
    assert report.split["orphan_segments"] == []
    assert (report.split["accepted"], report.split["rejected"]) == (3, 2)
    rejected = held.read_bytes()
    assert rejected.count(b"\nHL*") + rejected.startswith(b"HL*") == 2  # the billing provider's and the wrong one
    assert b"HL*2*1*Q9*0~" in rejected and b"SBR*P*18*GRP1001******CI~" in rejected
    assert edi_lint.lint(ok).exit_code == 0  # what is forwarded is clean


def test_claim_level_candidates_are_all_named(native):
    """NM1*83 after the claim's HI could open any of 2310A-F: the message lists them all (it is read
    as the first, so a PRV that belongs to 2310B after it is still reported)."""
    found = ig(native, edit(b"NM1*82*1*MARCHETTI", b"NM1*83*1*MARCHETTI"))
    first = found[0]
    assert first.rule == "IG301" and first.claim_id == "CLEAN-2310B-PT"
    for loop in ("2310A", "2310B", "2310C", "2310D", "2310E", "2310F"):
        assert loop in first.message, first.message


def test_json_output_is_one_finding_per_defect():
    """As a pipeline sees it: the default run's JSON for a wrong NM101 has one IG finding."""
    report = edi_lint.lint(edit(b"NM1*85*1*HALVORSEN", b"NM1*86*1*HALVORSEN"))
    document = json.loads(report.to_json())
    assert [f["rule"] for f in document["findings"] if f["rule"].startswith("IG")] == ["IG301"]


def test_a_misplaced_segment_is_not_read_as_another_loop(native):
    """NM1*PR after the CLM is the payer's NM1 out of place (PR is a code the guide uses, in 2010BB),
    not a miscoded 2310 loop: it is reported where it stands and not read as anything, so the claim's
    HI after it is still found in its place."""
    payer = b"NM1*PR*2*MERIDIAN MUTUAL HEALTH*****PI*MMH01~\n"
    claim = b"CLM*CLEAN-BILLING-TAXONOMY*115***11:B:1*Y*A*Y*Y~\n"
    found = ig(native, edit(payer + claim, claim + payer))
    assert not any("read as the start of loop" in f.message for f in found)
    assert not any(f.segment == "HI" for f in found), [(f.rule, f.segment) for f in found]


def test_a_missing_loop_is_reported_once(native):
    """The subscriber's NM1 deleted: 2010BA is missing once, where the gap ends (at the payer's NM1),
    not again at the CLM after it (pyx12 reports it at both)."""
    found = ig(native, edit(b"NM1*IL*1*LINDQVIST*MARTA****MI*MMH5520914~", b""))
    missing = [f for f in found if f.rule == "IG303"]
    assert len(missing) == 1 and "2010BA" in missing[0].message, [f.message for f in missing]


# -- a misspelled segment id ------------------------------------------------------------------

def test_a_misspelled_loop_opener_is_one_finding(native):
    found = ig(native, edit(b"NM1*IL*1*LINDQVIST", b"NMX*IL*1*LINDQVIST"))
    assert [(f.rule, f.segment) for f in found] == [("IG301", "NMX")], [f.message for f in found]
    assert f'NMX {MISSPELLED} NM1 ("Subscriber Name") of loop 2010BA, read as one' in found[0].message


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
