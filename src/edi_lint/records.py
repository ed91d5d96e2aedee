"""Claim records: a plain-data picture of one claim, for reports that show claims to people.

The HTML report shows each claim as a biller knows it (payer, providers, service lines, the raw
segments). Reporters receive data and never parse, so the engine turns each claim view into a
record as it goes by, when asked (`Settings.keep_claims`). Records hold strings and numbers only
(they cross process boundaries with --jobs) and patient data is masked when the record is made,
unless `show_phi` asks otherwise: what is not kept cannot leak.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from edi_lint.claims import Claim, Sourced, decimal_value
from edi_lint.phi import masked_positions
from edi_lint.x12.tokenizer import Segment

MASK = "•••"


def visible_elements(seg: Segment, show_phi: bool) -> list[str]:
    """The segment's elements as shown in a report: patient data replaced by MASK. (The segment's
    own list when nothing is masked: segments are never changed once read.)"""
    elements = seg.elements
    hidden = () if show_phi else masked_positions(elements, seg.loop)
    if not hidden:
        return elements
    return [MASK if n in hidden and value else value for n, value in enumerate(elements)]


class Field(NamedTuple):
    """A value as the rules saw it, with the element, loop and segment it was read from."""

    value: str | None
    element: str
    loop: str | None
    segment_index: int | None

    @classmethod
    def of(cls, sourced: Sourced) -> "Field":
        seg = sourced.segment
        return cls(sourced.value, sourced.element, sourced.loop, seg.index if seg is not None else None)

    @classmethod
    def read(cls, seg: Segment | None, element: str, position: int) -> "Field":
        if seg is None:
            return cls(None, element, None, None)
        return cls(seg.get(position).strip() or None, element, seg.loop, seg.index)


class RawSegment(NamedTuple):
    index: int  # 1-based ordinal in the file, as in Finding.segment_index
    line: int
    loop: str | None
    elements: list[str]  # elements[0] is the segment id; patient data masked


@dataclass(slots=True)
class LineRecord:
    number: int | None  # LX01
    segment_index: int  # the LX
    procedure: Field  # SV101-2
    qualifier: str  # SV101-1 (HC ...)
    modifiers: tuple[str, ...]
    charge: Field  # SV102
    units: Field  # SV104
    unit_basis: str  # SV103
    place_of_service: Field  # SV105, else CLM05-1
    rendering_npi: Field
    rendering_taxonomy: Field
    date: str  # DTP*472 DTP03: CCYYMMDD or CCYYMMDD-CCYYMMDD
    diagnosis_pointers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Envelope:
    """The interchange, group and transaction a claim travels in."""

    interchange: str  # ISA13
    sender: str  # ISA06
    receiver: str  # ISA08
    date: str  # ISA09 (YYMMDD)
    usage: str  # ISA15: P production, T test
    group: str  # GS06
    transaction: str  # ST02


@dataclass(slots=True)
class ClaimRecord:
    claim_id: str  # CLM01
    segment_index: int  # the CLM
    last_index: int  # the claim's last segment
    line: int  # physical line of the CLM
    envelope: Envelope
    charge: Field  # CLM02
    line_total: str | None  # the SV102 sum; None when a line charge is not a number
    place_of_service: Field  # CLM05-1
    frequency: str  # CLM05-3
    dates: tuple[str, str] | None  # first and last date of service (CCYYMMDD)
    payer_name: str
    payer_id: str
    filing_indicator: str  # SBR09
    payer_family: str
    patient: str  # name, masked unless show_phi
    member_id: str  # 2010BA NM109, masked unless show_phi
    billing_name: str
    billing_npi: Field
    billing_taxonomy: Field
    rendering_npi: Field  # claim level: 2310B, else the billing provider
    rendering_taxonomy: Field
    diagnoses: tuple[str, ...]  # HI codes in pointer order: HI01 is pointer 1
    lines: tuple[LineRecord, ...]
    segments: tuple[RawSegment, ...]  # billing, subscriber, patient levels, then the claim, in file order
    component: str  # the file's component separator, to split composites such as SV101
    phi_shown: bool


def _envelope(claim: Claim) -> Envelope:
    header = claim.header
    isa, gs, st = header.isa, header.gs, header.st
    return Envelope(isa.get(13).strip(), isa.get(6).strip(), isa.get(8).strip(), isa.get(9).strip(),
                    isa.get(15).strip(), gs.get(6).strip() if gs is not None else "",
                    st.get(2).strip() if st is not None else "")


def _person(claim: Claim, show_phi: bool) -> tuple[str, str]:
    """(patient name, member id): the 2000C patient when there is one, else the subscriber."""
    subscriber = claim.subscriber.first("NM1", "IL", loop="2010BA") if claim.subscriber else None
    patient = claim.patient.first("NM1", "QC", loop="2010CA") if claim.patient else None
    person = patient or subscriber
    name = ", ".join(p for p in (person.get(3).strip(), person.get(4).strip()) if p) if person else ""
    member = subscriber.get(9).strip() if subscriber is not None else ""
    if show_phi:
        return name, member
    return (MASK if name else ""), (MASK if member else "")


def _dates(claim: Claim) -> tuple[str, str] | None:
    found = []
    for seg in claim.segments:
        if seg.elements[0] == "DTP" and seg.get(1) == "472":
            found.extend(d for d in seg.get(3).split("-") if d.strip())
    return (min(found), max(found)) if found else None


def _line_total(claim: Claim) -> str | None:
    total = 0
    for line in claim.lines:
        amount = decimal_value(line.charge)
        if amount is None:
            return None
        total += amount
    return str(total)


def _line(line) -> LineRecord:
    sv1 = line.sv1
    date = line.date_of_service
    return LineRecord(
        number=line.number,
        segment_index=line.lx.index,
        procedure=Field(line.procedure or None, "SV101-2", "2400", sv1.index if sv1 is not None else None),
        qualifier=line.qualifier,
        modifiers=line.modifiers,
        charge=Field.read(sv1, "SV102", 2),
        units=Field.read(sv1, "SV104", 4),
        unit_basis=line.unit_basis,
        place_of_service=Field.of(line.place_of_service),
        rendering_npi=Field.of(line.rendering_provider),
        rendering_taxonomy=Field.of(line.rendering_taxonomy),
        date=date.get(3).strip() if date is not None else "",
        diagnosis_pointers=tuple(line.diagnosis_pointers),
    )


def record_claim(claim: Claim, show_phi: bool = False) -> ClaimRecord:
    """The record of one claim, built from its claim view (public attributes only)."""
    levels = [c.segments for c in (claim.billing, claim.subscriber, claim.patient) if c is not None]
    raw = tuple(RawSegment(s.index, s.line, s.loop, visible_elements(s, show_phi))
                for group in levels + [claim.segments] for s in group)
    billing = claim.billing_provider
    billing_prv = claim.billing.first("PRV", "BI", loop="2000A") if claim.billing else None
    patient, member = _person(claim, show_phi)
    facility = claim.facility
    return ClaimRecord(
        claim_id=claim.id,
        segment_index=claim.clm.index,
        last_index=claim.segments[-1].index,
        line=claim.clm.line,
        envelope=_envelope(claim),
        charge=Field.read(claim.clm, "CLM02", 2),
        line_total=_line_total(claim),
        place_of_service=Field.of(claim.place_of_service),
        frequency=facility[2].strip() if len(facility) > 2 else "",
        dates=_dates(claim),
        payer_name=claim.payer_name.strip(),
        payer_id=claim.payer_id.strip(),
        filing_indicator=claim.filing_indicator,
        payer_family=claim.payer_family,
        patient=patient,
        member_id=member,
        billing_name=" ".join(p.strip() for p in (billing.get(3), billing.get(4)) if p.strip()) if billing else "",
        billing_npi=Field.read(billing, "NM109", 9),
        billing_taxonomy=Field.read(billing_prv, "PRV03", 3),
        rendering_npi=Field.of(claim.rendering_provider),
        rendering_taxonomy=Field.of(claim.rendering_taxonomy),
        diagnoses=tuple(claim.diagnoses),
        lines=tuple(_line(line) for line in claim.lines),
        segments=raw,
        component=claim.clm.delimiters.component,
        phi_shown=show_phi,
    )
