"""Loops to claims: group walked segments into claims with their envelope and provider context.

Streams one claim at a time. Also checks what the file is (which transaction, which guide) and
notices envelopes that never close, because only this stage sees the whole sequence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from edi_lint.claims import Claim, Context, Header
from edi_lint.findings import printable
from edi_lint.x12.tokenizer import Segment, X12Error

SUPPORTED_GUIDE = "005010X222A1"
PRODUCT = "edi-lint lints 837P 005010X222A1"

# Implementation guides a file may claim, by GS08/ST03 version code.
GUIDES = {
    "005010X222": "the original 837P 5010 guide (005010X222), superseded by the X222A1 errata",
    "005010X222A2": "837P 005010X222A2",
    "005010X223": "an 837I institutional claim (005010X223)",
    "005010X223A1": "an 837I institutional claim (005010X223A1)",
    "005010X223A2": "an 837I institutional claim (005010X223A2)",
    "005010X223A3": "an 837I institutional claim (005010X223A3)",
    "005010X224": "an 837D dental claim (005010X224)",
    "005010X224A1": "an 837D dental claim (005010X224A1)",
    "005010X224A2": "an 837D dental claim (005010X224A2)",
    "005010X224A3": "an 837D dental claim (005010X224A3)",
    "005010X298": "an 837 post-adjudicated claims data reporting file (005010X298), not a claim",
    "004010X098": "a 4010 837P (004010X098), a version retired in 2012",
    "004010X098A1": "a 4010 837P (004010X098A1), a version retired in 2012",
    "004010X096A1": "a 4010 837I institutional claim (004010X096A1)",
    "004010X097A1": "a 4010 837D dental claim (004010X097A1)",
}
TRANSACTIONS = {
    "835": "an 835 claim payment/remittance advice",
    "270": "a 270 eligibility inquiry",
    "271": "a 271 eligibility response",
    "276": "a 276 claim status request",
    "277": "a 277 claim status response",
    "278": "a 278 services review",
    "820": "an 820 premium payment",
    "834": "an 834 benefit enrollment",
    "999": "a 999 implementation acknowledgment",
    "997": "a 997 functional acknowledgment",
}

HEADER_LOOPS = {"ST_LOOP", "HEADER", "1000A", "1000B"}
BILLING_LOOPS = {"2000A", "2010AA", "2010AB", "2010AC"}
SUBSCRIBER_LOOPS = {"2000B", "2010BA", "2010BB"}
PATIENT_LOOPS = {"2000C", "2010CA"}
# Every loop nested in a claim (2300): its provider, other-payer, line and line-provider loops.
CLAIM_LOOPS = frozenset(
    ["2300", "2320", "2400", "2410", "2430", "2440"]
    + [f"2310{c}" for c in "ABCDEF"]
    + [f"2330{c}" for c in "ABCDEFG"]
    + [f"2420{c}" for c in "ABCDEFGH"]
)


# Memory bounds for hostile input: binary junk or a million repeats of one segment must not make the
# reader hold every segment. No 837P claim, header or provider level comes near MAX_HELD segments
# (a claim has at most 50 service lines).
UNEXPECTED_KEPT = 100
MAX_OPEN_ENVELOPES = 64
MAX_HELD = 100_000


def _too_long(what: str, first: Segment) -> X12Error:
    return X12Error(
        f"{what} that starts at line {first.line} (segment {first.index}) has more than {MAX_HELD:,} "
        "segments; no 837P holds that many, so the file is not linted further"
    )


class UnsupportedInput(X12Error):
    """X12, but not an 837P 005010X222A1 transaction."""


def describe_unsupported(st01: str, version: str) -> str | None:
    """None when the transaction is ours, else a one-line explanation naming what it is."""
    st01, version = printable(st01, 40), printable(version, 40)
    if st01 != "837":
        what = TRANSACTIONS.get(st01, f"an X12 {st01 or 'unknown'} transaction")
        return f"unsupported transaction: this is {what} ({version or 'no version'}); {PRODUCT}"
    if version == SUPPORTED_GUIDE:
        return None
    what = GUIDES.get(version)
    if what is None:
        if version.startswith("004010"):
            what = f"a 4010 837 ({version})"
        else:
            what = f"an 837 with unknown guide version {version or '(empty)'}"
    return f"unsupported version: this is {what}; {PRODUCT}"


@dataclass(slots=True)
class Structure:
    """What the document stage noticed about envelopes, for the engine to report."""

    unexpected: list[Segment] = field(default_factory=list)  # the first segments the guide has no place for
    open_envelopes: list[Segment] = field(default_factory=list)  # ISA/GS/ST still open at the end
    incomplete_claim: Claim | None = None
    unexpected_count: int = 0  # all of them; only the first UNEXPECTED_KEPT and the last are kept
    last_unexpected: Segment | None = None

    def note_unexpected(self, seg: Segment) -> None:
        self.unexpected_count += 1
        self.last_unexpected = seg
        if len(self.unexpected) < UNEXPECTED_KEPT:
            self.unexpected.append(seg)

    def open(self, seg: Segment) -> None:
        if len(self.open_envelopes) < MAX_OPEN_ENVELOPES:  # ISA after ISA after ISA ... is junk
            self.open_envelopes.append(seg)


class DocumentReader:
    """Feed walked segments in; get complete claims out, one at a time."""

    def __init__(self, segments: Iterable[Segment], segment_observer=None, observed_ids=None):
        """`segment_observer(seg)` is called for segments whose id is in `observed_ids` (all when None)."""
        self._segments = segments
        self._observe = segment_observer
        self._observed = frozenset(observed_ids) if observed_ids is not None else None
        self.structure = Structure()

    def claims(self) -> Iterator[Claim]:
        structure = self.structure
        observe = self._observe
        observed = self._observed
        isa = gs = st = None
        gs_version = ""
        header: Header | None = None
        header_segments: list[Segment] = []
        billing = subscriber = patient = None
        claim_segments: list[Segment] | None = None
        line_starts: list[int] = []
        stray: dict[str, Segment] = {}
        for seg in self._segments:
            sid = seg.elements[0]
            if observe is not None and (observed is None or sid in observed):
                observe(seg)
            loop = seg.loop
            if claim_segments is not None:
                if loop in CLAIM_LOOPS and sid != "CLM":  # most segments: one more of the claim's
                    if sid == "LX" and loop == "2400":
                        line_starts.append(len(claim_segments))
                    claim_segments.append(seg)
                    if len(claim_segments) > MAX_HELD:
                        raise _too_long("the claim", claim_segments[0])
                    continue
                if loop is None and sid not in ("SE", "GE", "IEA", "ISA", "GS", "ST", "HL"):
                    structure.note_unexpected(seg)
                    claim_segments.append(seg)  # kept, so no segment of a claim is ever dropped
                    if len(claim_segments) > MAX_HELD:
                        raise _too_long("the claim", claim_segments[0])
                    continue
                yield Claim(claim_segments, header, billing, subscriber, patient, line_starts)
                claim_segments = None
            if sid == "CLM" and loop == "2300":
                claim_segments = [seg]
                line_starts = []
            elif loop in ("2000A", "2000B", "2000C") and sid == "HL":
                level = seg.get(3)
                context = Context(seg, [seg])
                if level == "20":
                    billing, subscriber, patient = context, None, None
                elif level == "22":
                    subscriber, patient = context, None
                else:
                    patient = context
            elif loop in BILLING_LOOPS or loop in SUBSCRIBER_LOOPS or loop in PATIENT_LOOPS:
                level = billing if loop in BILLING_LOOPS else subscriber if loop in SUBSCRIBER_LOOPS else patient
                if level is not None:
                    level.segments.append(seg)
                    if len(level.segments) > MAX_HELD:
                        raise _too_long(f"the {loop} loop", level.segments[0])
            elif sid == "ISA":
                isa, gs, st = seg, None, None
                structure.open(seg)
            elif sid == "GS":
                gs, gs_version = seg, seg.get(8).strip()
                structure.open(seg)
            elif sid == "ST":
                st = seg
                version = seg.get(3).strip() or gs_version
                problem = describe_unsupported(seg.get(1).strip(), version)
                if problem is None and gs_version and gs_version != version:
                    # ST03 is ours but the functional group declares another guide: partners route by GS08
                    problem = describe_unsupported(seg.get(1).strip(), gs_version)
                    if problem is not None:
                        problem = problem.replace("this is", "GS08 says this is", 1).replace(
                            f"; {PRODUCT}", f", while ST03 says {printable(version, 40)}; {PRODUCT}")
                if problem is not None:
                    raise UnsupportedInput(problem)
                header_segments = [seg]
                header = Header(isa, gs, st, header_segments)
                billing = subscriber = patient = None
                structure.open(seg)
            elif sid in ("SE", "GE", "IEA"):
                self._close(sid)
            elif loop in HEADER_LOOPS:
                header_segments.append(seg)
                if len(header_segments) > MAX_HELD:
                    raise _too_long("the transaction header", header_segments[0])
            elif loop is None:
                structure.note_unexpected(seg)
                if header is None and sid[1:] in ("GS", "ST") and not sid[:1].isalnum():
                    stray.setdefault(sid[1:], seg)  # '~ST': the ISA's terminator is not the real one
        if header is None:
            raise X12Error(
                "no transaction found: the interchange has no ST segment "
                f"(segment terminator read from the ISA: {_shown(isa)})" + _stray_note(stray)
            )
        if claim_segments is not None:
            claim = Claim(claim_segments, header, billing, subscriber, patient, line_starts)
            if structure.open_envelopes:
                structure.incomplete_claim = claim  # cut off: not a complete claim to lint
            else:
                yield claim

    def _close(self, trailer: str) -> None:
        opener = {"SE": "ST", "GE": "GS", "IEA": "ISA"}[trailer]
        stack = self.structure.open_envelopes
        for position in range(len(stack) - 1, -1, -1):
            if stack[position].elements[0] == opener:
                del stack[position:]
                return


def _stray_note(stray: dict[str, Segment]) -> str:
    """What an ST hidden behind a stray character (`~ST|835|0001`) says the file is."""
    st = stray.get("ST")
    if st is None:
        return ""
    gs = stray.get("GS")
    version = st.get(3).strip() or (gs.get(8).strip() if gs is not None else "")
    note = f"; its segments start with {st.elements[0][:1]!r} (e.g. {st.elements[0]!r}), so that terminator is wrong"
    problem = describe_unsupported(st.get(1).strip(), version)
    return note + (f"; {problem}" if problem else "")


def _shown(isa: Segment | None) -> str:
    if isa is None:
        return "none"
    return repr(isa.delimiters.segment)
