"""Situational rules (WEDI SNIP type 4): "if A is present, B must be (or must not be)".

Each rule reads one of the guide's situational notes that neither the loop walker nor pyx12 checks:
a diagnosis pointer must point at a diagnosis, a replacement claim names the claim it replaces, the
patient loop is present exactly when the patient is not the subscriber, and so on. Sources are the
005010X222A1 TR3 notes as summarised in reference rules-837p-97026.md (§1.1, §1.4-§1.6, §4.2).
Dates are compared with the file's own creation date (BHT04), never with the clock, so a lint of the
same file gives the same answer on any day.
"""

from __future__ import annotations

import re
from functools import lru_cache

from array import array

from edi_lint.claims import decimal_value
from edi_lint.rules.api import Problem, claim_rule, file_rule, line_rule
from edi_lint.rules.marks import HlReader, HlTable, Marks, mark
from edi_lint.rules.codesets import _date, claim_periods, claim_span
from edi_lint.rules.straightline import passes_when

SNIP4 = ("snip4", "situational")


# -- diagnosis pointers --------------------------------------------------------------------------

@line_rule(
    "SIT001", "diagnosis-pointer-out-of-range",
    claim_status="A7:255",
    summary="An SV107 diagnosis pointer is not 1-12 or points past the last diagnosis of the claim's HI.",
    source="TR3 SV107 (pointers 1-12 to HI composites, at most 4) [S1][S21b]; reference §1.5, §4.2",
    tags=SNIP4 + ("diagnosis", "service-line"), ruleset="situational",
    example_bad="HI*ABK:M25561*ABF:M5450~ ... SV1*HC:97026:GP*30*UN*1***1:3~",
    example_good="HI*ABK:M25561*ABF:M5450~ ... SV1*HC:97026:GP*30*UN*1***1:2~",
    severity_reason="a pointer to no diagnosis leaves the line without a diagnosis, and the claim is rejected",
)
def diagnosis_pointer_out_of_range(line):
    """SV107 points from the service line to the diagnoses of the claim's HI segment: 1 is HI01, 2 is
    HI02 and so on. A pointer past the last diagnosis sent (or not a number from 1 to 12) points at
    nothing, and the front-end edit rejects the claim.
    """
    if line.sv1 is None:
        return ()
    pointers = line.diagnosis_pointers
    count = len(line.claim.diagnoses)
    if _pointers_to(count).issuperset(pointers):
        return ()  # the common case, without the messages below
    for pointer in pointers:
        text = pointer.strip()
        if not text:
            continue
        if len(text) > 2 or not text.isdecimal() or not 1 <= int(text) <= 12:  # SV107 pointers are 1-2 digits
            return (Problem(f"SV107 diagnosis pointer {text!r} is not a number from 1 to 12", line.sv1, "SV107",
                            actual=text),)
        if int(text) > count:
            return (Problem(f"SV107 diagnosis pointer {text} points past the claim's {count} diagnosis code(s) in HI",
                            line.sv1, "SV107", expected=f"1 to {count}", actual=text),)
    return ()


@lru_cache(maxsize=128)
def _pointers_to(count: int) -> frozenset[str]:
    """Every SV107 pointer, as written, that points at one of `count` diagnoses: 1-2 digits from 1 to
    `count` ("1", "01" ... "12"). Latin-1 text has no decimal digits but 0-9."""
    numbers = range(1, min(count, 99) + 1)
    return frozenset([str(n) for n in numbers] + [f"{n:02d}" for n in numbers])


# The pointers to each count of diagnoses an HI can hold (at most 12), made once: the pass test reads
# them with a dict lookup instead of a call to the lru_cache above (about twice the cost, on every line).
# Another count finds no pointers in the table, so the check itself decides.
POINTERS_BY_COUNT = {count: _pointers_to(count) for count in range(13)}

# the check's first two tests: no SV1, or every pointer points at a diagnosis (read from the line's
# shared pointers: the list diagnosis_pointers hands out is copied only when asked for)
passes_when(diagnosis_pointer_out_of_range,
            "u.sv1 is None or {by_count}.get(len(u.claim.diagnoses), {none}).issuperset(u._pointers)",
            by_count=POINTERS_BY_COUNT, none=frozenset())


# -- claim frequency and the payer claim number --------------------------------------------------

@claim_rule(
    "SIT002", "replacement-without-payer-claim-number",
    claim_status="A7:21",
    summary="A replacement (7) or void (8) claim has no 2300 REF*F8 naming the payer's claim number.",
    source="TR3 2300 REF*F8 'Required when CLM05-3 is 7 or 8' [S3][S23]; reference §4.2",
    tags=SNIP4 + ("claim",), ruleset="situational",
    example_bad="CLM*PCN1*115***11:B:7*Y*A*Y*Y~ HI*ABK:M25561~",
    example_good="CLM*PCN1*115***11:B:7*Y*A*Y*Y~ REF*F8*PAYERCLAIM1~ HI*ABK:M25561~",
    severity_reason="the payer cannot tell which claim is replaced or voided, and rejects it",
)
def replacement_without_payer_claim_number(claim):
    """A replacement (CLM05-3 = 7) or a void (8) must say which adjudicated claim it replaces: the
    payer's claim control number in REF*F8 of loop 2300.
    """
    parts = claim.facility
    frequency = parts[2].strip() if len(parts) > 2 else ""
    if frequency not in ("7", "8"):
        return ()
    if claim._first("REF", "2300", "F8") is not None:
        return ()
    what = "replacement" if frequency == "7" else "void"
    return (Problem(f"CLM05-3 is {frequency} ({what}) but the claim has no REF*F8 payer claim control number",
                    claim.clm, "CLM05-3", expected="REF*F8", actual=frequency),)


# the check's first test: not a replacement or a void (nearly every claim)
passes_when(replacement_without_payer_claim_number, "len(_r := u.facility) < 3 or _r[2].strip() not in ('7', '8')")


# -- subscriber and patient ----------------------------------------------------------------------

class _SubscriberLevels(HlReader):
    """Per 2000B subscriber: SBR02, claims directly under it, whether a patient (2000C) level names it.

    The HLs are read from the file's shared rules.marks.HlTable; kept here, in flat arrays (not
    segments: one transaction may hold every claim), are a slot per HL row and the few values of each
    subscriber.
    """

    def start(self, table):
        self.table = table
        # Unsigned arrays and bytearrays where no value is negative: their writes skip the PyArg_Parse
        # of the signed array types (about twice as fast, once or more per HL and per claim).
        self.slots = array("q")  # HL row -> its subscriber's slot; -1 not a subscriber
        # by slot, in the order the subscribers were first seen:
        self.sbr = array("q")  # its SBR's row in `marks`; -1 without SBR
        self.relationship: list = []  # SBR02
        self.direct = array("Q")  # claims directly under the subscriber
        self.patients = bytearray()  # 1 when a 2000C names it as parent
        self.marks = Marks()
        self.current: int | None = None  # the slot of the subscriber whose claims sit directly under it
        self.latest: int | None = None

    def segment(self, seg):
        sid = seg.elements[0]
        if sid == "HL":
            table = self.table
            # table.hl when another hierarchy rule has read this HL into the table
            _, parent_row, _, row, new, level, _ = table.hl if table.last is seg.elements else table.take(seg)
            slots = self.slots
            if new:
                slots.append(-1)
            self.current = None
            if level == "22":
                slot = slots[row]
                if slot < 0:
                    slot = slots[row] = len(self.sbr)
                    self.sbr.append(-1)
                    self.relationship.append("")
                    self.direct.append(0)
                    self.patients.append(0)
                self.current = self.latest = slot
            elif level == "23" and parent_row is not None and slots[parent_row] >= 0:
                self.patients[slots[parent_row]] = 1
            return ()
        if sid == "SBR":
            latest = self.latest
            if seg.loop == "2000B" and latest is not None and self.sbr[latest] == -1:
                self.sbr[latest] = self.marks.add(seg)
                elements = seg.elements  # SBR02, read as seg.get(2) would (once per subscriber)
                relationship = elements[2].strip() if len(elements) > 2 else ""
                self.relationship[latest] = "18" if relationship == "18" else relationship
            return ()
        if sid == "CLM":
            if self.current is not None:
                self.direct[self.current] += 1
            return ()
        if sid == "ST":
            self.start(self.feed.table_from(seg))
            return ()
        problems = self.finish()  # SE
        self.start(self.feed.table_from(seg))  # stray HLs up to the next ST make a table of their own
        return problems

    def finish(self):
        problems = []
        for slot, at in enumerate(self.sbr):
            if at < 0:
                continue
            relationship, direct = self.relationship[slot], self.direct[slot]
            if relationship == "18" and self.patients[slot]:
                problems.append(Problem("SBR02 is 18 (the subscriber is the patient) but a 2000C patient loop is "
                                        "under this subscriber", self.marks.segment(at), "SBR02", actual="18"))
            elif relationship != "18" and direct:
                shown = relationship or "(empty)"
                problems.append(Problem(f"SBR02 is {shown}: the patient is not the subscriber, but {direct} claim(s) "
                                        "sit directly under the subscriber with no 2000C patient loop (send SBR02 = 18 "
                                        "when the subscriber is the patient)", self.marks.segment(at), "SBR02",
                                        expected="18", actual=relationship or None))
        self.start(HlTable())  # the end of the file, or an SE (which then takes the feed's next table)
        return tuple(problems)


@file_rule(
    "SIT003", "patient-loop-mismatch",
    claim_status="A7:21",
    summary="SBR02 = 18 (the subscriber is the patient) with a 2000C patient loop, or claims without a 2000C when "
    "SBR02 is not 18.",
    source="TR3 2000B SBR02 and 2000C HL notes: 2000C is sent only when the patient is not the subscriber [S1][S3]; "
    "reference §1.1",
    tags=SNIP4 + ("hierarchy", "patient"), ruleset="situational", segment_ids=("ST", "HL", "SBR", "CLM", "SE"),
    example_bad="HL*2*1*22*0~ SBR*P**GRP1001******MB~ ... CLM (SBR02 empty, no 2000C)",
    example_good="HL*2*1*22*0~ SBR*P*18*GRP1001******MB~ ... CLM",
    severity_reason="the payer cannot tell who the patient is, and rejects the claim",
)
def patient_loop_mismatch(path):
    """SBR02 = 18 says the subscriber is the patient: the claims then sit under the subscriber (2000B)
    and there is no patient loop. Any other relationship is sent in a 2000C patient loop (PAT01), and
    SBR02 is left empty. The two must agree; one finding per subscriber, however many claims it has.
    """
    return _SubscriberLevels()


@claim_rule(
    "SIT004", "secondary-without-other-payer",
    claim_status="A7:21",
    summary="SBR01 is S or T (secondary or tertiary payer) but the claim has no 2320 other subscriber loop.",
    source="TR3 2320 'Required when other payers are known to potentially be involved' [S3]; SBR01 payer "
    "responsibility; reference §1.1",
    tags=SNIP4 + ("payer", "cob"), ruleset="situational",
    example_bad="SBR*S*18*GRP1001******MB~ ... CLM ... (no 2320 SBR)",
    example_good="SBR*S*18*GRP1001******MB~ ... CLM ... SBR*P*18*OTHERGRP******CI~ (2320)",
    severity_reason="a secondary claim without the primary payer's data cannot be coordinated and is rejected",
)
def secondary_without_other_payer(claim):
    """When the destination payer is secondary (SBR01 = S) or tertiary (T), the payers ahead of it are
    known: each is sent in a 2320 loop (its SBR, and its adjudication). A secondary claim without any
    2320 loop cannot be coordinated.
    """
    sbr = claim.sbr
    if sbr is None:
        return ()
    responsibility = sbr.get(1).strip()
    if responsibility not in ("S", "T"):
        return ()
    for seg in claim.segments:
        if seg.loop == "2320":
            return ()
        if seg.elements[0] == "LX":
            break
    which = "secondary" if responsibility == "S" else "tertiary"
    return (Problem(f"SBR01 is {responsibility} (the payer is {which}) but the claim has no 2320 loop for the payer "
                    "ahead of it", sbr, "SBR01", expected="2320 SBR", actual=responsibility),)


# the check's first two tests: no SBR, or a primary payer (nearly every claim)
# (SBR01 read as sbr.get(1) would, without its call)
passes_when(secondary_without_other_payer,
            "(_s := u.sbr) is None or len(_e := _s.elements) < 2 or _e[1].strip() not in ('S', 'T')")


# -- hierarchy -----------------------------------------------------------------------------------

class _HlChildren(HlReader):
    """HL04 says whether an HL has children; checked when its transaction ends.

    Followed HL by HL in the file's shared rules.marks.HlTable and flat arrays here, rather than by
    keeping the HL segments: in a transaction whose links hold (each HL01 new, each HL02 naming an
    earlier HL), an HL has children exactly when a later HL02 names it, and its table row is its row
    here.
    """

    def start(self, table):
        self.table = table
        self.codes = bytearray()  # row -> HL04: 1, 0, or 2 for anything else (bytearrays: cheap appends)
        self.has_children = bytearray()
        self.marks = Marks()
        self.broken = False
        self.top_level = False  # an HL with no HL02: it "names" HL01 "" (an empty HL01) as its parent

    def segment(self, seg):
        sid = seg.elements[0]
        if sid != "HL":
            problems = self._check() if sid == "SE" else ()
            self.start(self.feed.table_from(seg))  # an ST, or an SE: stray HLs up to the next ST are a table of their own
            return problems
        table = self.table
        # table.hl when another hierarchy rule has read this HL into the table
        parent, parent_row, _, _, new, level, code = table.hl if table.last is seg.elements else table.take(seg)
        if self.broken:
            return ()
        if parent:
            broken = parent_row is None
        else:
            parent_row, broken = None, level != "20"
        if broken or not new:
            # HL01/HL02 are wrong (IG381/IG382): HL04 cannot be judged, and would only echo them
            self.start(table)
            self.broken = True
            return ()
        if parent_row is not None:
            self.has_children[parent_row] = 1
        else:
            self.top_level = True  # no HL02
        self.codes.append(1 if code == "1" else 0 if code == "0" else 2)
        self.has_children.append(0)
        self.marks.add(seg)
        return ()

    def _check(self, complete: bool = True):
        """`complete` is False for a transaction the file ends inside (no SE): the children an
        HL04 of 1 announces may be exactly what was cut off, so only an HL04 of 0 is judged."""
        problems = []
        has_children = self.has_children
        table = self.table
        unnumbered = table.get("") if not self.broken else None
        if unnumbered is not None and self.top_level:
            has_children[unnumbered] = 1
        for row, code in enumerate(self.codes):
            if code == 1 and not has_children[row] and complete:
                number = table.number(row)
                problems.append(Problem(f"HL04 is 1 (has children) but no HL names HL {number} as its parent",
                                        self.marks.segment(row), "HL04", expected="0", actual="1"))
            elif code == 0 and has_children[row]:
                number = table.number(row)
                problems.append(Problem(f"HL04 is 0 (no children) but a later HL names HL {number} as its parent",
                                        self.marks.segment(row), "HL04", expected="1", actual="0"))
        return tuple(problems)

    def finish(self):
        problems = self._check(complete=False)  # a transaction without SE (ENV001 reports the truncation)
        self.start(HlTable())
        return problems


@file_rule(
    "SIT005", "hl-child-code",
    claim_status="A7:21",
    summary="HL04 (hierarchical child code) says 1 but no HL has it as parent, or 0 but one has.",
    source="X12 HL04 definition; TR3 2000A/2000B HL04 [S16][S17][S1]; reference §4.2 (HL04 = 1 iff child HLs follow)",
    tags=SNIP4 + ("hierarchy",), ruleset="situational", segment_ids=("ST", "HL", "SE"),
    example_bad="HL*2*1*22*1~ SBR*P*18... (no HL*3*2)",
    example_good="HL*2*1*22*0~ SBR*P*18...",
    severity_reason="a hierarchy that contradicts itself is rejected by the front end",
)
def hl_child_code(path):
    """HL04 = 1 announces child levels (a subscriber under a billing provider, a patient under a
    subscriber); 0 says there are none. A wrong HL04 makes the receiver look for a level that does
    not exist, or miss one that does. In a transaction whose HL numbers or parent links are already
    wrong (an HL01 used twice, an HL02 naming no earlier HL: IG381/IG382 report it), which HL has
    children cannot be known, so nothing is reported: one broken hierarchy gave hundreds of
    HL04 findings on a corpus file, each an echo of the HL02 error.
    """
    return _HlChildren()


# -- dates ---------------------------------------------------------------------------------------

MAX_ON_TIME = 4096


class _ServiceAfterCreation:
    """Service dates after BHT04, reported once per transaction (one wrong BHT04 is one defect).

    Keeps the first late date's position, how many there are and the latest, not every late DTP:
    with a wrong BHT04 every service line of the transaction is late.
    """

    def __init__(self):
        self.bht, self.created = None, None
        self.first, self.late, self.latest = None, 0, ""
        # Texts of DTP segments found not late against `created`, whatever their loop: a file repeats a
        # few hundred service dates on tens of thousands of lines. Emptied when `created` changes or full.
        self.on_time: set[str] = set()

    def segment(self, seg):
        text = seg.text
        if text in self.on_time:  # the common case: a service date seen before, not late
            return ()
        elements = seg.elements
        sid = elements[0]
        if sid == "DTP":  # one per service line
            if self.created is not None and len(elements) > 3 and elements[1] == "472":
                last = elements[3].strip()[-8:]  # D8, or the end of an RD8 range: CCYYMMDD compare as text
                if last > self.created:
                    if seg.loop == "2400" and _date(last) is not None:
                        if not self.late:
                            self.first = (mark(seg), last)
                        self.late += 1
                        self.latest = max(self.latest, last)
                    return ()  # late, or not as a service line's date: the loop decides, not the text
            if text is not None:
                on_time = self.on_time
                if len(on_time) >= MAX_ON_TIME:
                    on_time.clear()
                on_time.add(text)
        elif sid == "BHT":
            created = seg.get(4).strip()
            self.bht, self.created = (mark(seg), created), (created if _date(created) is not None else None)
            self.on_time.clear()
        elif sid == "ST":
            self.bht, self.created, self.first, self.late, self.latest = None, None, None, 0, ""
            self.on_time.clear()
        else:
            return self.finish()  # SE
        return ()

    def finish(self):
        late, first, latest = self.late, self.first, self.latest
        self.first, self.late, self.latest = None, 0, ""
        if not late:
            return ()
        bht, created = self.bht
        if late == 1:
            dtp, last = first
            return (Problem(f"service date {last} is after the file's creation date {created} (BHT04)", dtp, "DTP03",
                            actual=last),)
        return (Problem(f"BHT04 says the file was created on {created}, before {late} of its service dates "
                        f"(the latest {latest}): BHT04 or the service dates are wrong", bht, "BHT04", actual=created),)


@file_rule(
    "SIT006", "service-after-file-creation",
    claim_status="A7:187",
    summary="A service date (DTP*472) is later than the date the file was created (BHT04).",
    source="TR3 BHT04 (date the transaction set was created) and 2400 DTP*472 [S1][S3]; a claim is billed after "
    "the service",
    tags=SNIP4 + ("date", "service-line"), ruleset="situational", segment_ids=("ST", "BHT", "DTP", "SE"),
    example_bad="BHT*0019*00*BATCH1*20260120*0930*CH~ ... DTP*472*D8*20260125~",
    example_good="BHT*0019*00*BATCH1*20260120*0930*CH~ ... DTP*472*D8*20260105~",
    severity_reason="a service billed before it happened is rejected (a future date of service)",
)
def service_after_file_creation(path):
    """A claim is billed for services already furnished, so no date of service (the end of a range
    included) can be after the day the file was created (BHT04). The file's own date is used, never
    the clock: linting the same file gives the same answer on any day. One late date is reported at
    its DTP; several in one transaction are one finding at BHT04 (most likely the wrong one).
    """
    return _ServiceAfterCreation()


def _patient_dmg(claim):
    """The patient's DMG: 2010CA in the patient loop, else 2010BA (the subscriber is the patient),
    which the claim finds with the subscriber's SBR and payer. The patient loop's by a plain scan:
    each level is asked once per claim, and most have one claim, so Context.first's memo would only
    be filled, never read."""
    patient = claim.patient
    if patient is None:
        return claim.subscriber_dmg
    for seg in patient.segments:
        if seg.elements[0] == "DMG" and seg.loop == "2010CA":
            return seg
    return None


@claim_rule(
    "SIT007", "birth-after-service",
    claim_status="A7:187",
    summary="The patient's date of birth (DMG02) is after a date of service of the claim.",
    source="TR3 2010BA/2010CA DMG02 and 2400 DTP*472 [S1][S3]",
    tags=SNIP4 + ("date", "patient"), ruleset="situational",
    example_bad="DMG*D8*20260301*F~ ... DTP*472*D8*20260105~",
    example_good="DMG*D8*19740630*F~ ... DTP*472*D8*20260105~",
    severity_reason="a service before the patient's birth is impossible; the payer rejects the claim",
)
def birth_after_service(claim):
    """Nobody is treated before they are born: a date of birth after a date of service is a keying
    error in one of them. The finding names the service date only (a date of birth is personal data).
    """
    dmg = _patient_dmg(claim)
    if dmg is None:
        return ()
    values = dmg.elements  # read directly, as dmg.get would: this rule runs on every claim
    size = len(values)
    if size < 2 or values[1].strip() != "D8":
        return ()
    born = values[2].strip() if size > 2 else ""
    span = claim_span(claim)
    if span is None or span[0] >= born:  # the common case: no service date is before the birth
        return ()
    for line, first, _ in claim_periods(claim):
        if first < born:
            if _date(born) is None:  # checked only now: nearly every date of birth is before the service
                return ()
            number = line.number if line.number is not None else "?"
            return (Problem(f"the patient's date of birth (DMG02) is after the service date {first} of line "
                            f"{number}", dmg, "DMG02"),)
    return ()


# -- claims and lines ----------------------------------------------------------------------------

class _ClaimIds:
    """CLM01 seen in this interchange; the second and later claims with the same one are reported."""

    def __init__(self):
        self.seen: set[str] = set()

    def segment(self, seg):
        if seg.elements[0] == "ISA":  # another submitter's batch, e.g. files a clearinghouse joined
            self.seen = set()
            return ()
        elements = seg.elements
        claim_id = elements[1].strip() if len(elements) > 1 else ""
        if not claim_id:
            return ()
        if claim_id not in self.seen:
            self.seen.add(claim_id)
            return ()
        return (Problem(f"CLM01 {claim_id} is used by an earlier claim of this file; each claim needs its own "
                        "patient control number", seg, "CLM01", actual=claim_id),)

    def finish(self):
        return ()


@file_rule(
    "SIT008", "duplicate-claim-id",
    claim_status="A7:21",
    summary="Two claims of one interchange have the same CLM01 (patient control number).",
    source="TR3 CLM01 note 1 (the submitter's key to match the 277CA and 835 to the claim) [S3]; X12 RFI 2416 and 535",
    tags=SNIP4 + ("claim", "duplicate"), ruleset="situational", segment_ids=("ISA", "CLM"),
    example_bad="CLM*PCN1*115***11:B:1*Y*A*Y*Y~ ... CLM*PCN1*60***11:B:1*Y*A*Y*Y~",
    example_good="CLM*PCN1*115***11:B:1*Y*A*Y*Y~ ... CLM*PCN2*60***11:B:1*Y*A*Y*Y~",
    severity="warning",
    severity_reason="the guide does not require CLM01 to be unique (X12 RFI 2416: it does not restrict the value "
    "beyond its name, and the patient account number is a usual choice, shared by a patient's claims), so two "
    "claims with one CLM01 are valid; but their 277CA and 835 answers cannot be told apart",
)
def duplicate_claim_id(path):
    """CLM01 is how the 277CA acknowledgment and the 835 remittance name the claim back to the
    provider. Two claims with one CLM01 in an interchange (ISA to IEA) get answers that cannot be
    told apart, and some clearinghouses take the second for a duplicate submission. The guide itself
    allows it: many practice systems send the patient account number, which two claims of one
    patient share. Interchanges joined into one file may come from different submitters, so each is
    checked on its own.
    """
    return _ClaimIds()


# SV104 texts that zero_units passes (not a number, or more than zero), so a line billing one of them
# is passed with one set lookup: a file bills the same few unit counts on every line. Its verdict
# depends on the text alone. Emptied when full: a file of distinct counts costs a lookup more per line.
_UNITS_PASSING: set[str] = set()
MAX_UNITS_PASSING = 4096


@line_rule(
    "SIT009", "zero-units",
    claim_status="A7:258",
    summary="SV104 (service unit count) is 0.",
    source="TR3 SV104 (units furnished; greater than zero); reference §5.3 X018 (SV104 > 0)",
    tags=SNIP4 + ("units", "service-line"), ruleset="situational",
    example_bad="SV1*HC:97026:GP*30*UN*0***1~",
    example_good="SV1*HC:97026:GP*30*UN*1***1~",
    severity_reason="a line that bills no service is rejected",
)
def zero_units(line):
    """A service line bills what was furnished: zero units (or minutes) is no service at all. A
    negative or zero count is rejected by the front end.
    """
    units = line.units
    if units in _UNITS_PASSING:  # the common case: no Decimal made or compared
        return ()
    value = decimal_value(units)
    if value is None or value > 0:
        if len(_UNITS_PASSING) >= MAX_UNITS_PASSING:
            _UNITS_PASSING.clear()
        _UNITS_PASSING.add(units)
        return ()
    return (Problem(f"SV104 is {line.units.strip()}: a service line bills at least one unit", line.sv1, "SV104",
                    actual=line.units.strip()),)


passes_when(zero_units, "u.units in {passing}", passing=_UNITS_PASSING)  # the check's first test


# -- billing provider (file rules: the 2010AA loop is shared by its claims, one finding per segment) ----

class _BillingSegment:
    loops = frozenset({"2010AA"})  # the engine passes only these segments: no call for the others

    def __init__(self, check):
        self.check = check

    def segment(self, seg):
        return self.check(seg) if seg.loop == "2010AA" else ()

    def finish(self):
        return ()


def _zip9(n4):
    if n4.get(4).strip():  # a foreign address (N404 country code) has no US ZIP code
        return ()
    zip_code = n4.get(3).strip()
    if len(zip_code) == 9 and zip_code.isdigit():
        return ()
    return (Problem(f"billing provider ZIP code {zip_code or '(empty)'} is not 9 digits (ZIP+4, no hyphen)", n4,
                    "N403", actual=zip_code or None),)


@file_rule(
    "SIT010", "billing-zip-not-nine-digits",
    claim_status="A7:21",
    summary="The billing provider's ZIP code (2010AA N403) is not 9 digits.",
    source="TR3 2010AA N403: 'the full nine-digit ZIP code' is required for the billing provider [S3]",
    tags=SNIP4 + ("billing-provider", "address"), ruleset="situational", segment_ids=("N4",),
    example_bad="N4*LAKEVIEW*OR*97630~",
    example_good="N4*LAKEVIEW*OR*976301234~",
    severity_reason="5010 requires the ZIP+4 of the billing provider; a 5-digit ZIP is rejected",
)
def billing_zip_not_nine_digits(path):
    """In 5010 the billing provider's address carries the full nine-digit ZIP code (ZIP+4), sent
    without a hyphen. A five-digit ZIP is rejected at the front end.
    """
    return _BillingSegment(_zip9)


PO_BOX = re.compile(r"\b(P\.?\s*O\.?\s*BOX|POST\s+OFFICE\s+BOX|LOCK\s*BOX|LOCKBOX|POB)\b")


def _po_box(n3):
    for number in (1, 2):
        if PO_BOX.search(n3.get(number).upper()):
            return (Problem(f"N30{number} of the billing provider is a post office or lock box; send a street address "
                            "here and the box in the pay-to address (2010AB)", n3, f"N30{number}"),)
    return ()


@file_rule(
    "SIT011", "billing-address-po-box",
    claim_status="A7:21",
    summary="The billing provider's street address (2010AA N301/N302) is a post office box or lock box.",
    source="TR3 2010AA N3: the billing provider address is a street address; a PO box or lock box goes in "
    "2010AB pay-to address [S3]",
    tags=SNIP4 + ("billing-provider", "address"), ruleset="situational", segment_ids=("N3",),
    example_bad="N3*PO BOX 4471~",
    example_good="N3*410 CEDAR HOLLOW RD~",
    severity_reason="the guide forbids a PO box here, and payers reject the claim",
)
def billing_address_po_box(path):
    """The billing provider's address is where the practice is: a street address. A post office box
    or lock box for payments belongs in the pay-to address loop 2010AB.
    """
    return _BillingSegment(_po_box)


ORGANISATION_WORDS = re.compile(
    r"\b(INC|LLC|L\.L\.C|PLLC|LLP|LTD|CORP|CORPORATION|COMPANY|CO|PC|P\.C|PA|GROUP|ASSOCIATES|CLINIC|CENTER|CENTRE|"
    r"HOSPITAL|SERVICES|THERAPY|REHAB|REHABILITATION|MEDICAL|HEALTH|HEALTHCARE|PRACTICE|PARTNERS|INSTITUTE)\b")


def _person_named_like_organisation(nm1):
    if nm1.get(1).strip() != "85" or nm1.get(2).strip() != "1":
        return ()
    name, first = nm1.get(3).strip().upper(), nm1.get(4).strip()
    match = ORGANISATION_WORDS.search(name)
    if match is None and first:
        return ()
    why = f"its name contains {match.group(0)!r}" if match else "it has no first name (NM104)"
    return (Problem(f"the billing provider is sent as a person (NM102 = 1) but {why}: an organisation is NM102 = 2",
                    nm1, "NM102", expected="2", actual="1"),)


@file_rule(
    "SIT012", "billing-person-with-organisation-name",
    claim_status="A7:21",
    severity="warning",
    summary="The billing provider is sent as a person (NM102 = 1) but its name is an organisation's.",
    source="TR3 2010AA NM102 (1 person, 2 non-person entity) and NM104 (first name, required for a person) [S3]; "
    "reference §1.7.2",
    tags=SNIP4 + ("billing-provider",), ruleset="situational", segment_ids=("NM1",),
    example_bad="NM1*85*1*RIVERBEND PHYSICAL THERAPY LLC*****XX*1318720459~",
    example_good="NM1*85*2*RIVERBEND PHYSICAL THERAPY LLC*****XX*1318720459~",
    severity_reason="the name is matched by words, so it can be wrong; a mismatch with the NPI's entity type is "
    "usually rejected",
)
def billing_person_with_organisation_name(path):
    """NM102 says whether the billing provider is a person (1: last name in NM103, first name in
    NM104) or an organisation (2: its name in NM103). A group practice sent as a person fails the
    payer's match with the NPI's entity type. Flagged when NM102 is 1 and NM103 holds a word such as
    LLC, INC, CLINIC or THERAPY, or there is no first name.
    """
    return _BillingSegment(_person_named_like_organisation)
