"""What an acknowledgment reads from the input: its envelopes, and every claim inside them.

One pass over the input (tokenizer, loop walker, document reader) gives each interchange, functional
group and transaction set with the segment range it spans, and each claim view with the range of its
segments, so a finding's segment index says which set and which claim it is about.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from edi_lint.claims import Claim
from edi_lint.x12.tokenizer import Segment


@dataclass
class InSet:
    st: Segment
    end: int  # index of the last segment of the set (its SE, or the last one read before the next envelope)
    closed: bool = False
    claims: list[Claim] = field(default_factory=list)

    def holds(self, index: int) -> bool:
        return self.st.index <= index <= self.end


@dataclass
class InGroup:
    gs: Segment
    end: int
    closed: bool = False
    ge01: int | None = None  # the count its GE claims (AK902), when it has a GE with a number
    sets: list[InSet] = field(default_factory=list)


@dataclass
class InInterchange:
    isa: Segment
    end: int
    closed: bool = False
    groups: list[InGroup] = field(default_factory=list)

    @property
    def claims(self) -> list[Claim]:
        return [claim for group in self.groups for tset in group.sets for claim in tset.claims]


def claim_span(claim: Claim) -> tuple[int, int]:
    """First and last segment index of a claim (its CLM through its last line loop)."""
    return claim.segments[0].index, claim.segments[-1].index


def read(source, keep: set[int] = frozenset()) -> tuple[list[InInterchange], dict[int, Segment]]:
    """The interchanges of `source` (a path or bytes), with their groups, sets and claims in file order,
    and the segments whose index is in `keep` (the ones findings point at)."""
    from edi_lint.document import DocumentReader
    from edi_lint.x12.tokenizer import iter_segments
    from edi_lint.x12.walker import LoopWalker

    interchanges: list[InInterchange] = []
    kept: dict[int, Segment] = {}

    def observe(seg: Segment) -> None:
        sid, index = seg.elements[0], seg.index
        if index in keep:
            kept[index] = seg
        if sid == "ISA":
            interchanges.append(InInterchange(seg, index))
            return
        if not interchanges or interchanges[-1].closed:
            return
        interchange = interchanges[-1]
        interchange.end = index
        if sid == "IEA":
            interchange.closed = True
            return
        if sid == "GS":
            interchange.groups.append(InGroup(seg, index))
            return
        group = interchange.groups[-1] if interchange.groups and not interchange.groups[-1].closed else None
        if group is None:
            return
        group.end = index
        if sid == "GE":
            group.closed = True
            count = seg.get(1).strip()
            group.ge01 = int(count) if count.isdigit() and len(count) <= 6 else None
            return
        if sid == "ST":
            group.sets.append(InSet(seg, index))
            return
        tset = group.sets[-1] if group.sets and not group.sets[-1].closed else None
        if tset is not None:
            tset.end = index
            tset.closed = sid == "SE"

    stream = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else open(source, "rb")
    with stream:
        reader = DocumentReader(LoopWalker().walk(iter_segments(stream)), observe)
        claims = list(reader.claims())
    if reader.structure.incomplete_claim is not None:
        claims.append(reader.structure.incomplete_claim)
    sets = {id(tset.st): tset for i in interchanges for g in i.groups for tset in g.sets}
    for claim in claims:
        tset = sets.get(id(claim.header.st))
        if tset is not None:
            tset.claims.append(claim)
    return interchanges, kept
