"""Envelope, hierarchy and balancing integrity: the counts and numbers a clearinghouse checks first.

These are SNIP type 1-3 checks (reference rules-837p-97026.md §1.1, §4.2 and catalogue X002-X007).
Envelope rules are `file` rules: a checker sees only the segment ids it asks for, in file order, so
a file of a million segments costs one dictionary lookup per segment for all of them together.
Counts use the segments' file ordinals: SE01 = SE's ordinal - ST's ordinal + 1.
"""

from __future__ import annotations

from decimal import Decimal

from edi_lint.claims import LX01_MAX_LENGTH, decimal_value, integer_value
from edi_lint.findings import printable
from edi_lint.rules.api import Problem, claim_rule, file_rule
from edi_lint.rules.marks import HlReader

ZERO = Decimal(0)
ENVELOPE_SOURCE = "ASC X12 005010 control segments (ISA/IEA, GS/GE, ST/SE); reference rules-837p-97026.md §1.1, §4.2"


def _same(a: str, b: str) -> bool:
    return a.strip() == b.strip()


class _ControlPair:
    """Remembers the opener's control number and compares the trailer's against it."""

    def __init__(self, opener: str, trailer: str, opener_pos: int, trailer_pos: int, what: str):
        self.opener, self.trailer = opener, trailer
        self.opener_pos, self.trailer_pos = opener_pos, trailer_pos
        self.what = what
        self.open = None

    def segment(self, seg):
        sid = seg.elements[0]
        if sid == self.opener:
            self.open = seg
            return ()
        if sid == self.trailer and self.open is not None:
            want = self.open.get(self.opener_pos).strip()
            got = seg.get(self.trailer_pos).strip()
            self.open = None
            if want != got:
                o, t = self.opener, self.trailer
                return (Problem(
                    f"{t}{self.trailer_pos:02d} {self.what} control number {got or '(empty)'} does not match "
                    f"{o}{self.opener_pos:02d} {want or '(empty)'}",
                    seg, f"{t}{self.trailer_pos:02d}", expected=want, actual=got),)
        return ()

    def finish(self):
        return ()


@file_rule(
    "ENV002", "interchange-control-number-mismatch",
    claim_status="A3:21", status_entity="41",
    summary="IEA02 does not repeat the interchange control number ISA13.",
    source=ENVELOPE_SOURCE + " [S13][S15]",
    tags=("snip1", "envelope"), ruleset="integrity", segment_ids=("ISA", "IEA"),
    example_bad="ISA*...*000000905*0*T*:~ ... IEA*1*000000906~",
    example_good="ISA*...*000000905*0*T*:~ ... IEA*1*000000905~",
)
def interchange_control_number(path):
    """The trailer of an interchange carries the same control number as its header.

    A mismatch usually means two files were concatenated by hand or a trailer was edited; the
    receiver rejects the whole interchange (TA1).
    """
    return _ControlPair("ISA", "IEA", 13, 2, "interchange")


@file_rule(
    "ENV003", "group-control-number-mismatch",
    claim_status="A3:21", status_entity="41",
    summary="GE02 does not repeat the functional group control number GS06.",
    source=ENVELOPE_SOURCE + " [S15]",
    tags=("snip1", "envelope"), ruleset="integrity", segment_ids=("GS", "GE"),
    example_bad="GS*HC*SENDER*RECEIVER*20260120*0930*1001*X*005010X222A1~ ... GE*1*1002~",
    example_good="GS*HC*SENDER*RECEIVER*20260120*0930*1001*X*005010X222A1~ ... GE*1*1001~",
)
def group_control_number(path):
    """The GE trailer closes the group its GS opened: GE02 = GS06. A mismatch rejects the group (999)."""
    return _ControlPair("GS", "GE", 6, 2, "group")


@file_rule(
    "ENV004", "transaction-control-number-mismatch",
    claim_status="A3:21", status_entity="41",
    summary="SE02 does not repeat the transaction set control number ST02.",
    source=ENVELOPE_SOURCE + " [S15]",
    tags=("snip1", "envelope"), ruleset="integrity", segment_ids=("ST", "SE"),
    example_bad="ST*837*0001*005010X222A1~ ... SE*24*0002~",
    example_good="ST*837*0001*005010X222A1~ ... SE*24*0001~",
)
def transaction_control_number(path):
    """The SE trailer closes the transaction its ST opened: SE02 = ST02. A mismatch rejects the set (999 IK5)."""
    return _ControlPair("ST", "SE", 2, 2, "transaction set")


# Maximum lengths (005010 element dictionary) of the counts and numbers checked here.
MAX_LENGTH = {"SE01": 10, "GE01": 6, "IEA01": 5, "HL01": 12}
SHOWN = 20  # characters of a wrong count or number quoted in a message


def _quoted(text: str) -> str:
    return printable(text, SHOWN) if text else "(empty)"


class _SegmentCount:
    def __init__(self):
        self.st = None

    def segment(self, seg):
        if seg.elements[0] == "ST":
            self.st = seg
            return ()
        if self.st is None:
            return ()
        want = seg.index - self.st.index + 1
        self.st = None
        got = integer_value(seg.get(1), MAX_LENGTH["SE01"])
        if got == want:
            return ()
        shown = _quoted(seg.get(1).strip())
        return (Problem(f"SE01 says {shown} segments, but the transaction has {want} from ST to SE inclusive",
                        seg, "SE01", expected=str(want), actual=seg.get(1).strip() or None),)

    def finish(self):
        return ()


@file_rule(
    "ENV005", "transaction-segment-count",
    claim_status="A3:21", status_entity="41",
    summary="SE01 is not the number of segments from ST to SE inclusive.",
    source=ENVELOPE_SOURCE + " (SE01 definition) [S15]",
    tags=("snip3", "envelope", "count"), ruleset="integrity", segment_ids=("ST", "SE"),
    example_bad="ST*837*0001*005010X222A1~ (22 more segments) SE*23*0001~",
    example_good="ST*837*0001*005010X222A1~ (22 more segments) SE*24*0001~",
)
def transaction_segment_count(path):
    """SE01 counts every segment of the transaction set, including the ST and the SE themselves.

    A wrong count is the most common sign of a claim removed or added by hand without fixing the
    trailer; the receiver's 999 rejects the transaction set (IK5 code 4).
    """
    return _SegmentCount()


class _ChildCount:
    """Counts child openers (ST in a GS, GS in an ISA) and compares with the trailer's count."""

    def __init__(self, opener: str, child: str, trailer: str, what: str):
        self.opener, self.child, self.trailer, self.what = opener, child, trailer, what
        self.count: int | None = None

    def segment(self, seg):
        sid = seg.elements[0]
        if sid == self.opener:
            self.count = 0
        elif sid == self.child:
            if self.count is not None:
                self.count += 1
        elif sid == self.trailer and self.count is not None:
            want, self.count = self.count, None
            got = integer_value(seg.get(1), MAX_LENGTH[f"{self.trailer}01"])
            if got != want:
                shown = _quoted(seg.get(1).strip())
                return (Problem(f"{self.trailer}01 says {shown} {self.what}, but {want} "
                                f"{'is' if want == 1 else 'are'} enclosed",
                                seg, f"{self.trailer}01", expected=str(want), actual=seg.get(1).strip() or None),)
        return ()

    def finish(self):
        return ()


@file_rule(
    "ENV006", "group-transaction-count",
    claim_status="A3:21", status_entity="41",
    summary="GE01 is not the number of transaction sets (ST) in the functional group.",
    source=ENVELOPE_SOURCE + " [S15]",
    tags=("snip3", "envelope", "count"), ruleset="integrity", segment_ids=("GS", "ST", "GE"),
    example_bad="GS*HC*... ST*837*0001*... SE*..~ ST*837*0002*... SE*..~ GE*1*1001~",
    example_good="GS*HC*... ST*837*0001*... SE*..~ ST*837*0002*... SE*..~ GE*2*1001~",
)
def group_transaction_count(path):
    """GE01 counts the transaction sets in its group. A wrong count rejects the group (999 AK9)."""
    return _ChildCount("GS", "ST", "GE", "transaction sets")


@file_rule(
    "ENV007", "interchange-group-count",
    claim_status="A3:21", status_entity="41",
    summary="IEA01 is not the number of functional groups (GS) in the interchange.",
    source=ENVELOPE_SOURCE + " [S13][S15]",
    tags=("snip3", "envelope", "count"), ruleset="integrity", segment_ids=("ISA", "GS", "IEA"),
    example_bad="ISA*... GS*HC*...~ ... GE*1*1001~ IEA*2*000001001~",
    example_good="ISA*... GS*HC*...~ ... GE*1*1001~ IEA*1*000001001~",
)
def interchange_group_count(path):
    """IEA01 counts the functional groups in its interchange. A wrong count rejects the interchange (TA1)."""
    return _ChildCount("ISA", "GS", "IEA", "functional groups")


# -- hierarchy --------------------------------------------------------------------------------

class _HLNumbering:
    def __init__(self):
        self.expected, self.expected_text = 1, "1"

    def segment(self, seg):
        elements = seg.elements  # read directly, as seg.get would: this runs on every HL
        if elements[0] == "ST":
            self.expected, self.expected_text = 1, "1"
            return ()
        text = elements[1].strip() if len(elements) > 1 else ""
        want = self.expected
        if text == self.expected_text:  # the common case, without integer_value
            self.expected = want + 1
            self.expected_text = str(want + 1)
            return ()
        number = integer_value(text, MAX_LENGTH["HL01"])
        self.expected = (number if number is not None else want) + 1  # resynchronise: one finding per slip
        self.expected_text = str(self.expected)
        if number == want:
            return ()
        return (Problem(f"HL01 is {_quoted(text)}; expected {want} (HL01 starts at 1 in each transaction "
                        "and goes up by one per HL)", seg, "HL01", expected=str(want), actual=text or None),)

    def finish(self):
        return ()


@file_rule(
    "HL001", "hl-numbering",
    claim_status="A3:21",
    summary="HL01 does not start at 1 in the transaction or does not go up by one.",
    source="TR3 HL01 note (WPC) [S16]; X12 RFI 477 (numbering restarts in each ST/SE) [S17]; reference §1.1, §4.2",
    tags=("snip2", "hierarchy"), ruleset="integrity", segment_ids=("ST", "HL"),
    example_bad="HL*1**20*1~ ... HL*3*1*22*0~",
    example_good="HL*1**20*1~ ... HL*2*1*22*0~",
)
def hl_numbering(path):
    """"HL01 must begin with "1" within each ST/SE envelope and be incremented by one each time an HL
    is used in the transaction." Numbering restarts in every transaction set.
    """
    return _HLNumbering()


PARENT_LEVEL = {"22": ("20",), "23": ("22",)}
LEVEL_NAMES = {"20": "billing provider (20)", "22": "subscriber (22)", "23": "patient (23)"}


class _HLParents(HlReader):
    """Each HL's level by HL01, for one transaction: read from the file's shared rules.marks.HlTable."""

    def segment(self, seg):
        table = self.table
        if seg.elements[0] == "ST":
            self.table = self.feed.table_from(seg)
            return ()
        # table.hl when another hierarchy rule has read this HL into the table
        parent, _, above, _, _, level, _ = table.hl if table.last is seg.elements else table.take(seg)
        if above is None or not parent:  # a missing parent is IG382's, an empty HL02 IG401's
            return ()
        if level in PARENT_LEVEL and above not in PARENT_LEVEL[level]:
            want = PARENT_LEVEL[level][0]
            return (Problem(
                f"HL02 makes this {LEVEL_NAMES.get(level, level)} HL a child of HL {parent}, a "
                f"{LEVEL_NAMES.get(above, 'level ' + above)} HL; expected a "
                f"{LEVEL_NAMES[want]} parent", seg, "HL02", expected=want, actual=above),)
        return ()

    def finish(self):
        return ()


@file_rule(
    "HL002", "hl-parent",
    claim_status="A3:21",
    summary="HL02 names a parent HL of the wrong level (a subscriber under a subscriber, a patient under a billing provider).",
    source="TR3 HL structure (2000A -> 2000B -> 2000C); X12 RFI 477 [S17]; reference §4.2",
    tags=("snip2", "hierarchy"), ruleset="integrity", segment_ids=("ST", "HL"),
    example_bad="HL*1**20*1~ HL*2*1*22*1~ ... HL*3*2*22*0~",
    example_good="HL*1**20*1~ HL*2*1*22*1~ ... HL*3*2*23*0~",
)
def hl_parent(path):
    """A subscriber HL (22) hangs under a billing-provider HL (20) and a patient HL (23) under a
    subscriber HL; parents come earlier in the same transaction set and never cross ST/SE.

    A parent that does not come earlier is reported by the implementation-guide validation (IG382),
    and an empty HL02 below the top level too (IG401); this rule used to report them as well, so one
    defect gave two findings (424 times on the corpus). It now reports only what the guide
    validation does not: a parent HL of the wrong level.
    """
    return _HLParents()


# -- claims -----------------------------------------------------------------------------------

@claim_rule(
    "LX001", "lx-numbering",
    claim_status="A3:21",
    summary="The service lines of a claim are not numbered 1, 2, 3 ... in LX01.",
    source="TR3 2400 LX note, as embedded in fjiang2/medsys [S3]; reference §1.1, §4.2 (X006)",
    tags=("snip2", "service-line"), ruleset="integrity",
    example_bad="LX*1~ SV1*...~ LX*3~ SV1*...~",
    example_good="LX*1~ SV1*...~ LX*2~ SV1*...~",
)
def lx_numbering(claim):
    """"The Service Line LX segment must begin with one and is incremented by one for each additional
    service line of a claim." Payers quote LX01 back in the 277CA and the 835, so a gap or a repeat
    makes line-level rejections impossible to match.
    """
    want = 1
    problems = []
    for line in claim.lines:
        lx = line.segments[0]
        text = lx.elements[1].strip() if len(lx.elements) > 1 else ""
        if text == str(want):  # the common case, without int()
            want += 1
            continue
        number = integer_value(text, LX01_MAX_LENGTH)
        if number != want:
            problems.append(Problem(f"LX01 is {_quoted(text)}; expected {want} (lines are numbered 1, 2, 3 "
                                    "... within each claim)", lx, "LX01", expected=str(want),
                                    actual=text or None))
        want = (number if number is not None else want) + 1
    return problems


# Amounts, as written, that are a whole number of cents -> that number. Kept only for texts of at most
# MAX_CENTS_TEXT characters: their sums (a claim holds at most MAX_HELD segments) stay far within the 28
# digits of Decimal's context, so integer sums equal the Decimal sums exactly. Emptied when full.
_CENTS: dict[str, int] = {}
MAX_CENTS = 4096
MAX_CENTS_TEXT = 18


def _cents(text: str) -> int | None:
    """`text` (CLM02, SV102) in whole cents, kept in _CENTS; None when it is not a number of whole cents."""
    if len(text) > MAX_CENTS_TEXT:
        return None
    amount = decimal_value(text)
    if amount is None:
        return None
    scaled = amount * 100  # exact: at most 18 characters, within the context's 28 digits
    if scaled != scaled.to_integral_value():
        return None
    if len(_CENTS) >= MAX_CENTS:
        _CENTS.clear()
    cents = _CENTS[text] = int(scaled)
    return cents


def _shown(value: Decimal) -> str:
    try:
        return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else str(value)
    except ArithmeticError:  # more digits than the decimal context holds (a 40-digit 'amount')
        return str(value)


@claim_rule(
    "BAL001", "claim-charge-balance",
    claim_status="A7:400",
    summary="CLM02 (total claim charge) is not the sum of the service lines' SV102 charges.",
    source="WEDI SNIP type 3 balancing [S52][S53]; clearinghouse edit [S54]; worked example [S55]; reference §4.2 (X007)",
    tags=("snip3", "balancing", "amount"), ruleset="integrity",
    example_bad="CLM*PCN1*100***11:B:1*Y*A*Y*Y~ SV1*HC:97026:GP*30*UN*1***1~ SV1*HC:97110:GP*85*UN*2***1~",
    example_good="CLM*PCN1*115***11:B:1*Y*A*Y*Y~ SV1*HC:97026:GP*30*UN*1***1~ SV1*HC:97110:GP*85*UN*2***1~",
)
def claim_charge_balance(claim):
    """The total claim charge must equal the sum of the line item charges, compared as exact decimals
    (so 115, 115.0 and 115.00 agree). Unbalanced claims are rejected at the front end. Amounts that
    are not numbers are left to the implementation-guide checks.
    """
    total = _CENTS.get(claim.charge)
    if total is None:
        total = _cents(claim.charge)
    if total is not None:  # the common case: whole cents, summed as integers (no Decimal made)
        summed = 0
        for line in claim.lines:
            cents = _CENTS.get(line.charge)
            if cents is None:
                cents = _cents(line.charge)
                if cents is None:
                    break  # an amount in other units than cents: summed as Decimals below
            summed += cents
        else:
            if summed == total:
                return ()
    total = decimal_value(claim.charge)
    if total is None or not claim.lines:
        return ()
    lines = ZERO
    for line in claim.lines:
        charge = decimal_value(line.charge)
        if charge is None:
            return ()
        lines += charge
    if lines == total:
        return ()
    return (Problem(f"CLM02 is {_shown(total)} but the {len(claim.lines)} service line charges (SV102) add up to "
                    f"{_shown(lines)}", claim.clm, "CLM02", expected=_shown(lines), actual=claim.charge.strip()),)
