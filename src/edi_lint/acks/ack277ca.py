"""The 277CA claim acknowledgment (005010X214): claim by claim, what was accepted and what rejected.

One 277CA interchange (one transaction set) per input interchange. Inside it, per input transaction
set: 2000A information source (the acknowledging party; name and id from the input's 1000B receiver),
2000B information receiver (the input's 1000A submitter) with the batch totals (QTY*90/QTY*AA accepted
and rejected claims, AMT*YU/AMT*YY their CLM02 sums; each only when not zero, as the guide asks),
2000C per billing provider (2010AA, NPI; the same totals for its claims as QTY*QA/QTY*QC), and 2000D per claim: patient name, TRN02 = CLM01, STC, REF*D9
when the claim has one, DTP*472 spanning its service dates, and a 2220D (SVC, STC) for each service
line a finding at or above fail-on points at.

Every claim of the input appears exactly once, with the verdict of the pre-flight split: accepted
claims get A1:20 (accepted for processing) with action WQ; rejected ones action U and one status per
distinct finding code, each rule's declared `claim_status`/`status_entity` (codes.claim_status), up
to three per STC segment (STC01, STC10, STC11). A claim held back only by a finding above it (an
envelope or level error, a truncated file) gets that finding's status, or A3:21 when there is none.
"""

from __future__ import annotations

import bisect
from decimal import Decimal

from edi_lint.acks import codes
from edi_lint.acks.inbound import InInterchange, claim_span
from edi_lint.acks.x12out import Envelope, Options, Writer, amount
from edi_lint.claims import decimal_value
from edi_lint.findings import Finding, Severity

GUIDE = "005010X214"


def build(interchanges: list[InInterchange], findings: list[Finding], accepted_at: dict[int, bool],
          fail_on: Severity | None, options: Options, infos: dict, eol: str) -> str:
    """The 277CA file's text: one interchange per input interchange that has claims."""
    blocking = [f for f in findings if fail_on is not None and f.severity >= fail_on]
    out = []
    for number, interchange in enumerate(interchanges, 1):
        if not interchange.claims:
            continue
        out.append(_interchange(interchange, blocking, accepted_at, options, infos, number, eol))
    return "".join(out)


class _Statuses:
    """Which findings each claim gets: by segment range, else by CLM01 within its transaction."""

    def __init__(self, tset, blocking: list[Finding], infos: dict):
        self.infos = infos
        claims = sorted(tset.claims, key=lambda c: c.clm.index)
        self.claims = claims
        self.starts = [c.clm.index for c in claims]
        self.by_claim: dict[int, list[Finding]] = {c.clm.index: [] for c in claims}
        self.above: list[Finding] = []  # in the set but in no claim: they hold claims of their scope
        for finding in blocking:
            index = finding.segment_index
            inside = index is not None and tset.holds(index)
            claim = self._claim_at(index) if inside else None
            if claim is None and finding.claim_id is not None and finding.transaction == tset.st.get(2):
                claim = next((c for c in claims if c.id == finding.claim_id), None)
            if claim is not None:
                self.by_claim[claim.clm.index].append(finding)
            elif inside or index is None:
                self.above.append(finding)

    def _claim_at(self, index: int):
        position = bisect.bisect_right(self.starts, index) - 1
        if position >= 0:
            first, last = claim_span(self.claims[position])
            if first <= index <= last:
                return self.claims[position]
        return None

    def of(self, claim, line=None) -> list[tuple[str, str, str]]:
        """Distinct (category, status, entity) of the claim's findings (of one service line, when given:
        its LX01 number, or for findings without one, a segment inside the line)."""
        found = self.by_claim.get(claim.clm.index, [])
        if line is not None:
            first, last = line.segments[0].index, line.segments[-1].index
            found = [f for f in found if (f.line_number == line.number if f.line_number is not None
                                          else f.segment_index is not None and first <= f.segment_index <= last)]
        return self._distinct(found)

    def _distinct(self, findings: list[Finding]) -> list[tuple[str, str, str]]:
        """One status per category:status code (the first finding's entity), in finding order."""
        statuses: dict[tuple[str, str], tuple[str, str, str]] = {}
        for finding in findings:
            status = codes.claim_status(self.infos.get(finding.rule), finding.loop)
            statuses.setdefault(status[:2], status)
        return list(statuses.values())

    def held(self, outer: list[Finding]) -> list[tuple[str, str, str]]:
        return self._distinct(self.above + outer) or [(*codes.HELD_STATUS.split(":"), "")]


def _interchange(interchange, blocking, accepted_at, options: Options, infos, number, eol) -> str:
    isa = interchange.isa
    writer = Writer(isa.delimiters, eol)
    envelope = Envelope(interchange, options, number)
    envelope.open(writer, isa)
    envelope.open_group(writer, "HN", GUIDE)
    writer.start_set("277", "0001", GUIDE)
    writer.seg("BHT", "0085", "08", isa.get(13).strip(), envelope.date, envelope.time, "TH")
    # Findings outside every set (envelope segments) hold all claims of the interchange.
    sets = [t for g in interchange.groups for t in g.sets]
    outer = [f for f in blocking if f.segment_index is not None
             and interchange.isa.index <= f.segment_index <= interchange.end
             and not any(t.holds(f.segment_index) for t in sets)]
    hl = 0
    for tset in sets:
        if not tset.claims:
            continue
        statuses = _Statuses(tset, blocking, infos)
        hl = _transaction_set(writer, tset, statuses, outer, accepted_at, envelope, options, hl)
    writer.end_set("0001")
    writer.seg("GE", "1", envelope.group_control)
    writer.seg("IEA", "1", envelope.control)
    return writer.text()


def _totals(writer: Writer, claims, accepted_at, quantities=("90", "AA")) -> None:
    """Accepted/rejected claim counts and charge sums; 2000B counts as 90/AA, 2000C as QA/QC."""
    accepted = [c for c in claims if accepted_at.get(c.clm.index, False)]
    rejected = [c for c in claims if not accepted_at.get(c.clm.index, False)]
    if accepted:
        writer.seg("QTY", quantities[0], str(len(accepted)))
    if rejected:
        writer.seg("QTY", quantities[1], str(len(rejected)))
    if accepted:
        writer.seg("AMT", "YU", amount(_charges(accepted)))
    if rejected:
        writer.seg("AMT", "YY", amount(_charges(rejected)))


def _charges(claims) -> Decimal:
    return sum((decimal_value(c.charge) or Decimal(0) for c in claims), Decimal(0))


def _transaction_set(writer, tset, statuses: _Statuses, outer, accepted_at, envelope, options, hl) -> int:
    claims = statuses.claims
    header = claims[0].header
    receiver = _first(header.segments, "NM1", "40")
    submitter = _first(header.segments, "NM1", "41")
    date = envelope.date
    # 2000A information source
    hl += 1
    source_hl = hl
    writer.seg("HL", str(hl), "", "20", "1")
    writer.seg("NM1", options.source_entity, "2", _value(receiver, 3, "RECEIVER"), "", "", "", "", "46",
               _value(receiver, 9, envelope.sender[1]))
    writer.seg("TRN", "1", isa_trace(envelope))
    writer.seg("DTP", "050", "D8", date)
    writer.seg("DTP", "009", "D8", date)
    # 2000B information receiver, with the batch totals
    hl += 1
    receiver_hl = hl
    writer.seg("HL", str(hl), str(source_hl), "21", "1")
    kind = submitter.get(2) if submitter is not None and submitter.get(2) in ("1", "2") else "2"
    writer.seg("NM1", "41", kind, _value(submitter, 3, "SUBMITTER"), _part(submitter, 4) if kind == "1" else "",
               _part(submitter, 5) if kind == "1" else "", "", "", "46", _value(submitter, 9, envelope.receiver[1]))
    bht = _first(header.segments, "BHT")
    writer.seg("TRN", "2", _value(bht, 3, tset.st.get(2).strip() or "0"))
    writer.seg("STC", ("A1", "19", options.source_entity), date, "WQ", amount(_charges(claims)))
    _totals(writer, claims, accepted_at)
    # 2000C billing provider, for each run of claims under the same billing provider level
    runs: list[list] = []
    for claim in claims:
        if runs and runs[-1][0].billing is claim.billing:
            runs[-1].append(claim)
        else:
            runs.append([claim])
    for run in runs:
        hl += 1
        provider_hl = hl
        writer.seg("HL", str(hl), str(receiver_hl), "19", "1")
        nm1 = run[0].billing_provider
        kind = nm1.get(2) if nm1 is not None and nm1.get(2) in ("1", "2") else "2"
        writer.seg("NM1", "85", kind, _value(nm1, 3, "PROVIDER"), _part(nm1, 4), _part(nm1, 5), "",
                   _part(nm1, 7) if kind == "1" else "", "XX", _value(nm1, 9, "0000000000"))
        writer.seg("TRN", "1", "0")
        writer.seg("STC", ("A1", "19", "85"), "", "WQ", amount(_charges(run)))
        _totals(writer, run, accepted_at, ("QA", "QC"))
        for claim in run:
            hl += 1
            _claim(writer, claim, statuses, outer, accepted_at, date, hl, provider_hl)
    return hl


def isa_trace(envelope: Envelope) -> str:
    return envelope.group_control


def _claim(writer, claim, statuses: _Statuses, outer, accepted_at, date, hl, parent) -> None:
    writer.seg("HL", str(hl), str(parent), "PT")
    subscriber = claim.subscriber.first("NM1", "IL") if claim.subscriber else None
    patient = claim.patient.first("NM1", "QC") if claim.patient else None
    person = patient or subscriber
    kind = person.get(2) if person is not None and person.get(2) in ("1", "2") else "1"
    writer.seg("NM1", "QC", kind, _value(person, 3, "UNKNOWN"), _part(person, 4), _part(person, 5), "",
               _part(person, 7), "MI", _value(subscriber, 9, _value(patient, 9, "UNKNOWN")))
    writer.seg("TRN", "2", claim.id.strip()[:50] or "0")
    accepted = accepted_at.get(claim.clm.index, False)
    if accepted:
        found = [(*codes.ACCEPTED_STATUS.split(":"), "")]
    else:
        found = statuses.of(claim) or statuses.held(outer)
    _stc(writer, found, date, "WQ" if accepted else "U", _money(claim.charge))
    d9 = next((s for s in claim.segments if s.elements[0] == "REF" and s.get(1) == "D9" and s.loop == "2300"), None)
    if d9 is not None and d9.get(2).strip():
        writer.seg("REF", "D9", d9.get(2).strip()[:50])
    writer.seg("DTP", "472", *_service_period(claim, date))
    if accepted:
        return
    for line in claim.lines:
        line_statuses = statuses.of(claim, line)
        if not line_statuses or line.sv1 is None:
            continue
        qualifier = line.qualifier if line.qualifier in ("AD", "ER", "HC", "HP", "IV", "NU", "WK") else "HC"
        procedure = [qualifier, line.procedure[:48] or "0", *(m[:2] for m in line.modifiers[:4])]
        units = decimal_value(line.units)
        writer.seg("SVC", procedure, _money(line.charge), "", "", "", "", amount(units) if units is not None else "")
        _stc(writer, line_statuses[:3], date, "U", None)
        ref = next((s for s in line.segments if s.elements[0] == "REF" and s.get(1) == "6R"), None)
        if ref is not None and ref.get(2).strip():
            writer.seg("REF", "FJ", ref.get(2).strip()[:50])
        dtp = line.date_of_service
        if dtp is not None and dtp.get(2) in ("D8", "RD8") and dtp.get(3).strip():
            writer.seg("DTP", "472", dtp.get(2), dtp.get(3).strip())


def _stc(writer, statuses, date, action, charge) -> None:
    for start in range(0, len(statuses), 3):
        chunk = statuses[start:start + 3]
        extra = chunk[1:]
        writer.seg("STC", chunk[0], date, action, charge if charge is not None else "", "", "", "", "", "",
                   *extra)


def _service_period(claim, fallback: str) -> tuple[str, str]:
    """RD8 from the earliest to the latest DTP*472 of the claim's lines; D8 for one day."""
    days = []
    for line in claim.lines:
        dtp = line.date_of_service
        value = dtp.get(3).strip() if dtp is not None else ""
        for part in value.split("-"):
            if len(part) == 8 and part.isdigit():
                days.append(part)
    if not days:
        return "D8", fallback
    first, last = min(days), max(days)
    return ("D8", first) if first == last else ("RD8", f"{first}-{last}")


def _first(segments, segment_id: str, qualifier: str | None = None):
    for seg in segments:
        if seg.elements[0] == segment_id and (qualifier is None or seg.get(1) == qualifier):
            return seg
    return None


# Maximum lengths of the 277CA elements values are copied into (NM103 ... NM109, TRN02, REF02).
_MAX = {3: 60, 4: 35, 5: 25, 7: 10, 9: 80}


def _value(seg, position: int, default: str) -> str:
    """An NM1/BHT element copied into the 277CA, cut to the 277CA's maximum length (a value that is
    too long in the input must not make the acknowledgment invalid too); `default` when empty."""
    value = seg.get(position).strip() if seg is not None else ""
    if position == 9 and len(value) < 2:
        value = ""
    return value[:_MAX.get(position, 50)] or default


def _part(seg, position: int) -> str:
    """An optional name part (NM104, NM105, NM107), cut to its maximum length."""
    return seg.get(position).strip()[:_MAX[position]] if seg is not None else ""


def _money(text: str) -> str:
    value = decimal_value(text)
    return amount(value) if value is not None else "0"
