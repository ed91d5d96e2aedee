"""The 999 implementation acknowledgment (005010X231A1), with a TA1 when the interchange needs one.

One 999 interchange per input interchange: one 999 transaction set (AK1 ... AK9) per input functional
group, one AK2 ... IK5 per input transaction set. A finding becomes exactly one code at its level
(codes.py): one IK3 per bad segment (its element findings are IK4s under it, one per element), so a
defect found by two rules (an IG code and its engine twin) is acknowledged once, and a segment whose
qualifier is wrong (pyx12: "not recognised", then "missing" at the next segment) gets one IK3.

Acknowledgment codes follow the pre-flight split, which judges claim by claim:

* IK5 R when the set has an error at or above fail-on and none of its claims passed (an SE01 error
  holds the whole set, so it is always R); E when it has errors but some of its claims passed, or
  its errors are below fail-on; A when it has none.
* AK9 R when the group has its own error at or above fail-on (then AK904 is 0), when the validator
  could not run at all (IG001: nothing was checked, and the split holds every claim), or no set was
  accepted; P when some sets were rejected; E when all were accepted but some with errors; else A.
* TA1 (in the 999's interchange) when the input's interchange has envelope errors or ISA14 is 1:
  TA104 R for an error at or above fail-on, E below it, A with TA105 000 when clean. It sits after
  the functional group, before IEA, where pyx12's 999 and control maps place it (X12.5 puts a TA1
  before the first GS; pyx12 rejects that in an interchange after the first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from edi_lint.acks import codes
from edi_lint.acks.inbound import InInterchange, InSet, claim_span
from edi_lint.acks.x12out import Envelope, Options, Writer
from edi_lint.findings import Finding, Severity

GUIDE = "005010X231A1"
_ELEMENT = re.compile(r"^(?P<seg>[A-Z][A-Z0-9]{1,2})(?P<pos>\d{2})(?:-(?P<sub>\d{1,2}))?$")
_LOOP = re.compile(r"^\d{4}[A-Z]{0,2}$")


@dataclass
class _Ik3:
    segment: str
    position: int
    loop: str
    code: str
    claim_id: str | None
    notes: list[tuple] = field(default_factory=list)  # (position, component, reference, code, copy)


def build(interchanges: list[InInterchange], findings: list[Finding], accepted_at: dict[int, bool],
          fail_on: Severity | None, options: Options, segments: dict, eol: str) -> str:
    """The 999 file's text: one interchange per input interchange."""
    reported = [f for f in findings if f.segment_index is not None and codes.is_999(f.rule)
                and (f.severity >= Severity.ERROR or (fail_on is not None and f.severity >= fail_on))]
    blocking = {id(f) for f in reported if fail_on is not None and f.severity >= fail_on}
    # The validator could not run (IG001): nothing was validated, so no group can be accepted.
    unvalidated = any(f.rule == "IG001" and fail_on is not None and f.severity >= fail_on for f in findings)
    out = []
    for number, interchange in enumerate(interchanges, 1):
        mine = [f for f in reported if interchange.isa.index <= f.segment_index <= interchange.end]
        out.append(_interchange(interchange, mine, blocking, accepted_at, options, number, segments, eol,
                                unvalidated))
    return "".join(out)


def _codes_of(finding: Finding, table: dict, level: str) -> list[str]:
    if finding.rule == "ENV001":
        missing = [t.strip() for t in (finding.expected or "").split(",")]
        return [code for trailer, (lvl, code) in codes.MISSING_TRAILER.items() if lvl == level and trailer in missing]
    code = table.get(finding.rule)
    return [code] if code is not None else []


def _interchange(interchange, findings, blocking, accepted_at, options, number, segments, eol,
                 unvalidated: bool = False) -> str:
    isa = interchange.isa
    writer = Writer(isa.delimiters, eol)
    envelope = Envelope(interchange, options, number)
    envelope.open(writer, isa)
    envelope.open_group(writer, "FA", GUIDE)
    for count, group in enumerate(interchange.groups, 1):
        st02 = f"{count:04d}"
        writer.start_set("999", st02, GUIDE)
        gs = group.gs
        writer.seg("AK1", gs.get(1).strip(), gs.get(6).strip(), gs.get(8).strip())
        in_group = [f for f in findings if gs.index <= f.segment_index <= group.end]
        results = []
        for tset in group.sets:
            in_set = [f for f in in_group if tset.holds(f.segment_index)]
            results.append(_transaction_set(writer, tset, in_set, blocking, accepted_at, segments))
        group_notes = [(code, id(f) in blocking) for f in in_group for code in _codes_of(f, codes.AK9_CODES, "AK9")]
        if unvalidated:
            group_notes.append(("", True))
        _ak9(writer, group, results, group_notes)
        writer.end_set(st02)
    writer.seg("GE", str(len(interchange.groups)), envelope.group_control)
    notes = [(code, id(f) in blocking) for f in findings for code in _codes_of(f, codes.TA1_CODES, "TA1")]
    if notes or isa.get(14).strip() == "1":
        status = "R" if any(b for _, b in notes) else "E" if notes else "A"
        note = min(code for code, _ in notes) if notes else "000"
        writer.seg("TA1", isa.get(13).strip(), isa.get(9).strip(), isa.get(10).strip(), status, note)
    writer.seg("IEA", "1", envelope.control)
    return writer.text()


def _ak9(writer: Writer, group, results: list[str], notes: list[tuple[str, bool]]) -> None:
    received = len(results)
    accepted = sum(1 for r in results if r in ("A", "E"))
    if any(b for _, b in notes) or (received and not accepted):
        status = "R"
        if any(b for _, b in notes):
            accepted = 0
    elif accepted < received:
        status = "P"
    elif notes or "E" in results:
        status = "E"
    else:
        status = "A"
    ge01 = group.ge01
    ak9_codes = sorted({code for code, _ in notes if code}, key=_code_order)[:5]
    writer.seg("AK9", status, str(ge01 if ge01 is not None else received), str(received), str(accepted), *ak9_codes)


def _code_order(code: str) -> tuple:
    return (0, int(code), "") if code.isdigit() else (1, 0, code)


def _transaction_set(writer: Writer, tset: InSet, findings, blocking, accepted_at, segments) -> str:
    st = tset.st
    writer.seg("AK2", st.get(1).strip(), st.get(2).strip(), st.get(3).strip())
    set_notes: list[tuple[str, bool]] = []
    problems: dict[tuple, _Ik3] = {}
    spans = [(claim_span(c), c.id) for c in tset.claims]
    any_blocking = False
    ordered = sorted(findings, key=lambda f: (f.segment_index, f.rule, f.element or ""))
    # A segment with a bad qualifier is "not recognised" and then "missing" right after: one defect.
    unrecognised = {(f.segment_index + 1, f.segment) for f in ordered if codes.ik3_code(f.rule, f.segment) == "2"}
    for finding in ordered:
        if finding.rule in codes.IK3_CODES and codes.ik3_code(finding.rule, finding.segment) == "3" \
                and (finding.segment_index, finding.segment) in unrecognised:
            continue
        is_blocking = id(finding) in blocking
        set_codes = _codes_of(finding, codes.IK5_CODES, "IK5")
        if set_codes or finding.rule in codes.IK5_CODES:
            set_notes.extend((code, is_blocking) for code in set_codes or [""])
            any_blocking |= is_blocking
            continue
        if finding.rule in codes.TA1_CODES or finding.rule in codes.AK9_CODES or finding.rule == "ENV001":
            continue
        index = finding.segment_index
        seg = segments.get(index)
        segment_id = finding.segment or (seg.elements[0] if seg is not None else "")
        if not re.fullmatch(r"[A-Z0-9]{2,3}", segment_id or ""):
            segment_id = "XXX" if not segment_id else segment_id[:3].upper().ljust(2, "X")
        ik304 = codes.ik3_code(finding.rule, segment_id)
        ik403 = codes.IK4_CODES.get(finding.rule)
        if ik304 is None and ik403 is None:
            continue
        any_blocking |= is_blocking
        key = (index, segment_id, ik304 or "8")
        problem = problems.get(key)
        if problem is None:
            claim_id = next((cid for (first, last), cid in spans if first <= index <= last), None)
            loop = finding.loop or ""
            problem = problems[key] = _Ik3(segment_id, index - st.index + 1,
                                           loop[:4] if _LOOP.match(loop) else "", ik304 or "8", claim_id)
        if ik403 is not None:
            element = finding.element or codes.COUNTER_ELEMENT.get(finding.rule)
            note = _ik4(element, ik403, seg)
            if note is not None:
                _add_note(problem.notes, note)
    for problem in problems.values():
        writer.seg("IK3", problem.segment, str(problem.position), problem.loop, problem.code)
        if problem.claim_id and len(problem.claim_id) <= 35:
            writer.seg("CTX", ("CLM01", problem.claim_id))
        for position, component, reference, code, copy in problem.notes:
            writer.seg("IK4", (position, component), reference, code, copy)
    claims_passed = any(accepted_at.get(c.clm.index, False) for c in tset.claims)
    if not problems and not set_notes:
        status = "A"
    elif (any_blocking and not claims_passed) or any(b for _, b in set_notes):
        status = "R"
    else:
        status = "E"
    ik5_codes = {code for code, _ in set_notes if code}
    if problems:
        ik5_codes.add("5")
    writer.seg("IK5", status, *sorted(ik5_codes, key=_code_order)[:5])
    return status


# When one element breaks several checks (too long and not a valid code), the IK4 gives the first of
# these: the most basic problem, the one the sender fixes first.
_IK4_ORDER = ("1", "2", "3", "4", "5", "6", "8", "9", "7", "10", "12", "13")


def _add_note(notes: list[tuple], note: tuple) -> None:
    """One IK4 per element position."""
    for at, present in enumerate(notes):
        if present[:2] == note[:2]:
            if _rank(note[3]) < _rank(present[3]):
                notes[at] = note
            return
    notes.append(note)


def _rank(code: str) -> int:
    return _IK4_ORDER.index(code) if code in _IK4_ORDER else len(_IK4_ORDER)


def _ik4(element: str | None, code: str, seg) -> tuple | None:
    from edi_lint.acks import elements

    match = _ELEMENT.match(element or "")
    if match is None:
        return None
    segment_id, position = match["seg"], int(match["pos"])
    component = int(match["sub"]) if match["sub"] else 0
    reference = elements.reference(segment_id, position, component)
    copy = ""
    if seg is not None and seg.elements[0] == segment_id and code not in ("1", "2"):
        value = seg.component(position, component) if component else seg.get(position)
        if elements.copyable(reference, value):
            copy = value
    return (str(position), str(component) if component else "", reference, code, copy)
