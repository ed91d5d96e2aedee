"""Code sets and element formats: NPI check digits, taxonomy codes, SBR09, CLM05, service dates, units.

WEDI SNIP types 2 and 5 (reference rules-837p-97026.md §1.3-§1.5, §3.1, §3.2; catalogue X008-X018).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from edi_lint.rules.api import Problem, claim_rule, file_rule, line_rule
from edi_lint.rules.straightline import passes_when

# -- NPI ----------------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def npi_valid(npi: str) -> bool:
    """Luhn over the 9-digit base with the 80840 prefix (the constant 24), reference §3.1."""
    if len(npi) != 10 or not npi.isdigit():
        return False
    total = 24
    for i, ch in enumerate(reversed(npi[:9])):
        d = ord(ch) - 48
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10 == ord(npi[9]) - 48


ENTITY_NAMES = {
    "85": "billing provider", "87": "pay-to provider", "82": "rendering provider", "DN": "referring provider",
    "DK": "ordering provider", "DQ": "supervising provider", "77": "service facility", "PE": "payee",
    "P3": "primary care provider", "QB": "purchased service provider", "PW": "pick-up location",
    "45": "drop-off location", "40": "receiver", "41": "submitter", "PR": "payer",
}


# NPIs that npi_valid passed: a file names the same few providers on every claim. Invalid ones are
# never kept (they report every time). Emptied when full.
_VALID_NPIS: set[str] = set()
MAX_VALID_NPIS = 8192


class _NpiChecker:
    def segment(self, seg):
        elements = seg.elements  # read directly: this runs on every NM1 of the file
        size = len(elements)
        if size < 9 or elements[8].strip() != "XX":
            return ()
        npi = elements[9].strip() if size > 9 else ""
        if npi in _VALID_NPIS:  # the common case: one set lookup, not a call to the lru_cache'd check
            return ()
        if npi_valid(npi):
            if len(_VALID_NPIS) >= MAX_VALID_NPIS:
                _VALID_NPIS.clear()
            _VALID_NPIS.add(npi)
            return ()
        entity = seg.get(1).strip()
        who = ENTITY_NAMES.get(entity, f"NM1*{entity}")
        if len(npi) != 10 or not npi.isdigit():
            why = "is not 10 digits"
        else:
            why = "fails the NPI check digit (Luhn with the 80840 prefix)"
        if entity not in ENTITY_NAMES:  # a subscriber (IL) or patient (QC): NM109 is a member id, PHI
            return (Problem(f"NM109 of the {who} (NM108 = XX, an NPI) {why}", seg, "NM109"),)
        return (Problem(f"NM109 {npi or '(empty)'} of the {who} (NM108 = XX, an NPI) {why}", seg, "NM109",
                        actual=npi or None),)

    def finish(self):
        return ()


@file_rule(
    "CS001", "npi-check-digit",
    claim_status="A7:562",
    summary="An NM109 qualified as an NPI (NM108 = XX) is not 10 digits with a valid check digit.",
    source="CMS 'Requirements for NPI Check Digit' (ISO/IEC 7812 Luhn, prefix 80840) [S8]; reference §3.1 (X011)",
    tags=("snip5", "npi", "code-set"), ruleset="code-sets", segment_ids=("NM1",),
    example_bad="NM1*82*1*MARCHETTI*LUCA****XX*1234567890~",
    example_good="NM1*82*1*MARCHETTI*LUCA****XX*1234567893~",
)
def npi_check_digit(path):
    """Every NPI carries a Luhn check digit computed as if the card-issuer prefix 80840 were present.

    A transposed or mistyped NPI fails the check and is rejected before adjudication. Checked on
    every NM1 whose NM108 is XX: billing, pay-to, rendering, referring, supervising, service
    facility and the line-level providers.
    """
    return _NpiChecker()


# -- taxonomy and PRV -------------------------------------------------------------------------

TAXONOMY_FORMAT = re.compile(r"[0-9]{3}[0-9A-Z]{6}X")


class _PrvChecker:
    def __init__(self, check):
        self.segment = check  # the check itself, not a method calling it: the engine calls it per PRV

    def finish(self):
        return ()


# Texts (Segment.text) of PRVs whose taxonomy _taxonomy_format found well formed: a file repeats a few
# PRVs on thousands of claims and lines, and the verdict depends on the text alone (a segment is
# dispatched here by its id, so a text of another separator is never a PRV). Emptied when full.
_PRV_PASSING: set[str] = set()
MAX_PRV_PASSING = 4096


def _taxonomy_format(seg):
    text = seg.text
    if text in _PRV_PASSING:  # the common case: no pattern match
        return ()
    elements = seg.elements
    code = elements[3].strip() if len(elements) > 3 else ""
    if TAXONOMY_FORMAT.fullmatch(code):
        if text is not None:
            if len(_PRV_PASSING) >= MAX_PRV_PASSING:
                _PRV_PASSING.clear()
            _PRV_PASSING.add(text)
        return ()
    if not code:
        return (Problem(f"PRV03 (provider taxonomy) is empty in PRV*{seg.get(1).strip()}", seg, "PRV03"),)
    return (Problem(f"PRV03 taxonomy {code!r} is not a NUCC taxonomy code (10 characters: 3 digits, 6 letters or "
                    "digits, ending in X)", seg, "PRV03", actual=code),)


@file_rule(
    "CS002", "taxonomy-format",
    claim_status="A7:145",
    summary="A PRV03 provider taxonomy code is not in the NUCC format (3 digits, 6 alphanumerics, X).",
    source="NUCC Health Care Provider Taxonomy; format checked against all 856 codes of v21.1 [S10]; "
    "reference §3.2 (X012)",
    tags=("snip5", "taxonomy", "code-set"), ruleset="code-sets", segment_ids=("PRV",),
    example_bad="PRV*PE*PXC*2251000X~",
    example_good="PRV*PE*PXC*225100000X~",
)
def taxonomy_format(path):
    """NUCC taxonomy codes are 10 characters: three digits, six letters or digits, and a final X.

    A malformed code (a dropped zero, a lower-case x, an NPI pasted into PRV03) cannot match any
    payer's taxonomy edit. Existence in the current NUCC release is not checked here.
    """
    return _PrvChecker(_taxonomy_format)


def _prv_qualifier(seg):
    elements = seg.elements
    qualifier = elements[2].strip() if len(elements) > 2 else ""
    if qualifier == "PXC":
        return ()
    hint = " (ZZ is the 4010 qualifier)" if qualifier == "ZZ" else ""
    return (Problem(f"PRV02 is {qualifier or '(empty)'}; 005010X222A1 requires PXC{hint}", seg, "PRV02",
                    expected="PXC", actual=qualifier or None),)


@file_rule(
    "CS003", "prv-qualifier",
    claim_status="A7:145",
    summary="PRV02 is not PXC (the only taxonomy qualifier in 005010X222A1).",
    source="pyx12 005010X222A1 map [S1]; 4010 used ZZ [S12][S18]; reference §1.2 (X013)",
    tags=("snip2", "taxonomy"), ruleset="code-sets", segment_ids=("PRV",),
    example_bad="PRV*PE*ZZ*225100000X~",
    example_good="PRV*PE*PXC*225100000X~",
)
def prv_qualifier(path):
    """In 5010 the provider taxonomy is qualified by PXC; 4010 used ZZ. Generators that support both
    versions sometimes keep the old qualifier, and the receiver rejects the segment.
    """
    return _PrvChecker(_prv_qualifier)


# -- SBR09 ------------------------------------------------------------------------------------

SBR09_CODES = {
    "11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM", "LM", "MA", "MB", "MC",
    "OF", "TV", "VA", "WC", "ZZ",
}


class _Sbr09Checker:
    def segment(self, seg):
        elements = seg.elements
        code = elements[9].strip() if len(elements) > 9 else ""
        if not code or code in SBR09_CODES:
            return ()
        hint = " (09 self-pay and 10 central certification are 4010 codes)" if code in ("09", "10") else ""
        return (Problem(f"SBR09 claim filing indicator {code!r} is not in the 005010X222A1 code list{hint}",
                        seg, "SBR09", actual=code),)

    def finish(self):
        return ()


@file_rule(
    "CS004", "sbr09-code",
    claim_status="A7:21", status_entity="IL",
    summary="SBR09 (claim filing indicator) is not a code of the 005010X222A1 list.",
    source="pyx12 005010X222A1 map, SBR09 valid codes [S1]; meanings [S3b][S19]; reference §1.3 (X008)",
    tags=("snip2", "payer", "code-set"), ruleset="code-sets", segment_ids=("SBR",),
    example_bad="SBR*P*18*GRP1001******09~",
    example_good="SBR*P*18*GRP1001******CI~",
)
def sbr09_code(path):
    """SBR09 tells the payer what kind of coverage the claim is filed under (MB = Medicare Part B,
    CI = commercial, BL = Blue Cross Blue Shield ...). Codes outside the guide's list, such as the
    4010-era 09 (self-pay), are rejected. edi-lint also uses SBR09 to scope payer rules.
    """
    return _Sbr09Checker()


# -- CLM05 ------------------------------------------------------------------------------------

@claim_rule(
    "CS005", "clm05-facility-qualifier",
    claim_status="A7:249",
    summary="CLM05-2 (facility code qualifier) is not B.",
    source="pyx12 005010X222A1 map, CLM05-2 [S1]; reference §1.4, §1.7.1 (X009)",
    tags=("snip2", "claim"), ruleset="code-sets",
    example_bad="CLM*PCN1*115***11:A:1*Y*A*Y*Y~",
    example_good="CLM*PCN1*115***11:B:1*Y*A*Y*Y~",
)
def clm05_facility_qualifier(claim):
    """On a professional claim CLM05-1 is a place of service code, and CLM05-2 must say so with B.
    A (UB-04 bill type) belongs to institutional claims. An entirely empty CLM05 is reported here
    once (CS006 does not repeat it for the frequency code).
    """
    parts = claim.facility
    qualifier = parts[1].strip() if len(parts) > 1 else ""
    if qualifier == "B":
        return ()
    if not any(p.strip() for p in parts):  # one defect, one finding: CS006 stays silent on an empty CLM05
        return (Problem("CLM05 is empty: a professional claim needs place of service, B and a frequency code "
                        "(e.g. 11:B:1)", claim.clm, "CLM05-1", expected="11:B:1"),)
    return (Problem(f"CLM05-2 is {qualifier or '(empty)'}; a professional claim uses B (place of service codes)",
                    claim.clm, "CLM05-2", expected="B", actual=qualifier or None),)


# the check's first test: CLM05-2 is B (a fused claim run tests it inline)
passes_when(clm05_facility_qualifier, "len(_q := u.facility) > 1 and _q[1].strip() == 'B'")

FREQUENCY = {"1": "original", "7": "replacement of a prior claim", "8": "void of a prior claim"}


@claim_rule(
    "CS006", "clm05-frequency-code",
    claim_status="A7:535",
    summary="CLM05-3 (claim frequency code) is not 1 (original), 7 (replacement) or 8 (void).",
    source="X12 RFI 1538 [S23]; NUBC frequency codes [S24]; reference §1.4 (X009)",
    tags=("snip2", "claim"), ruleset="code-sets",
    example_bad="CLM*PCN1*115***11:B:0*Y*A*Y*Y~",
    example_good="CLM*PCN1*115***11:B:1*Y*A*Y*Y~",
)
def clm05_frequency_code(claim):
    """A provider submits an original claim (1), a replacement (7) or a void (8). Other NUBC codes
    are "not applicable to the submission of claims by a provider to a health plan" (RFI 1538).
    Beware a public how-to that swaps 7 and 8: 7 replaces, 8 voids. An entirely empty CLM05 is
    CS005's finding, not repeated here.
    """
    parts = claim.facility
    code = parts[2].strip() if len(parts) > 2 else ""
    if code in FREQUENCY or not any(p.strip() for p in parts):  # an empty CLM05 is CS005's
        return ()
    return (Problem(f"CLM05-3 claim frequency code is {code or '(empty)'}; expected 1 (original), 7 (replacement) "
                    "or 8 (void)", claim.clm, "CLM05-3", expected="1, 7 or 8", actual=code or None),)


passes_when(clm05_frequency_code, "len(_f := u.facility) > 2 and _f[2].strip() in {frequency}",
            frequency=FREQUENCY)  # the check's first test: a frequency code of the list


# -- service dates ----------------------------------------------------------------------------

@lru_cache(maxsize=4096)
def _date(text: str) -> date | None:
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _period(text: str) -> tuple[str, str] | None:
    """(first, last) CCYYMMDD of a DTP*472 value (D8: the same day twice); None when not valid.
    Memoised: a file bills a few hundred distinct dates on tens of thousands of lines."""
    first, _, last = text.partition("-")
    last = last or first
    if _date(first) is None or _date(last) is None:
        return None
    return first, last


def claim_periods(claim) -> list:
    """(line, first, last) for every line of the claim with a valid service date; computed once per
    claim (kept in the claim's __dict__) because several rules read it. The earliest and latest first
    date are noted in the same pass (`_edi_lint_span`, see claim_span): CS009-CS011 and SIT007 read them
    on every claim, and a second pass over the periods cost about as much as this one."""
    cache = claim.computed
    found = cache.get("_edi_lint_periods")
    if found is None:
        found = cache["_edi_lint_periods"] = []
        periods = _PERIODS
        low = high = None
        for line in claim.lines:
            if line.date_of_service is not None:
                text = line.service_date
                try:  # a subscript, not _period's memo: the text is nearly always there
                    period = periods[text]
                except KeyError:
                    if len(periods) >= MAX_PERIODS:
                        periods.clear()
                    period = periods[text] = _period(text)
                if period is not None:
                    first = period[0]
                    found.append((line, first, period[1]))
                    if low is None:
                        low = high = first
                    elif first < low:
                        low = first
                    elif first > high:
                        high = first
        cache["_edi_lint_span"] = (low, high) if low is not None else None
    return found


def claim_span(claim) -> tuple[str, str] | None:
    """(earliest, latest) first date of service of the claim's lines as CCYYMMDD text (valid CCYYMMDD
    text sorts like the dates it names, so no date object is made per line), None when no line has a
    valid one; noted by claim_periods."""
    span = claim.computed.get("_edi_lint_span", False)
    if span is False:
        claim_periods(claim)
        span = claim.computed["_edi_lint_span"]
    return span


_PERIODS: dict = {}  # DTP03 text -> _period(text), for claim_periods and service_period (emptied when full)
MAX_PERIODS = 4096


def service_period(line) -> tuple[str, str] | None:
    """(first, last) CCYYMMDD of the line's DTP*472 (D8: the same day twice); None when it is absent
    or not a valid date (DT001 reports that)."""
    if line.date_of_service is None:
        return None
    text = line.service_date
    try:  # claim_periods' memo: a subscript, not _period's lru_cache (the text is nearly always there)
        return _PERIODS[text]
    except KeyError:
        if len(_PERIODS) >= MAX_PERIODS:
            _PERIODS.clear()
        period = _PERIODS[text] = _period(text)
        return period


# DTP03 values that service_date_invalid found to be valid CCYYMMDD dates: a D8 line with one of them
# passes with one set lookup (a file bills a few hundred dates on tens of thousands of lines). Emptied
# when full.
_VALID_D8: set[str] = set()
MAX_VALID_D8 = 4096


@line_rule(
    "DT001", "service-date-invalid",
    claim_status="A7:187",
    summary="DTP*472 (service date) is not a valid D8 date or a valid RD8 range with start on or before end.",
    source="pyx12 005010X222A1 map, 2400 DTP*472 (D8 / RD8) [S1]; reference §4.2 (X016)",
    tags=("snip2", "date", "service-line"), ruleset="code-sets",
    example_bad="DTP*472*RD8*20260115-20260105~",
    example_good="DTP*472*RD8*20260105-20260115~",
)
def service_date_invalid(line):
    """The service date is CCYYMMDD (DTP02 = D8) or a range CCYYMMDD-CCYYMMDD (DTP02 = RD8) whose
    start is not after its end. An impossible date (20260230) or a reversed range is rejected.
    """
    dtp = line.date_of_service
    if dtp is None:
        return ()
    elements = dtp.elements
    value = line.service_date  # DTP03, stripped
    if len(elements) > 2 and elements[2] == "D8" and value in _VALID_D8:  # the common case, with one lookup
        return ()
    fmt = (elements[2] if len(elements) > 2 else "").strip()
    if fmt == "D8":
        if _date(value) is None:
            return (Problem(f"DTP03 service date {value or '(empty)'} is not a valid CCYYMMDD date", dtp, "DTP03",
                            actual=value or None),)
        if len(_VALID_D8) >= MAX_VALID_D8:
            _VALID_D8.clear()
        _VALID_D8.add(value)
        return ()
    if fmt == "RD8":
        start, _, end = value.partition("-")
        first, last = _date(start), _date(end)
        if first is None or last is None:
            return (Problem(f"DTP03 service date range {value or '(empty)'} is not CCYYMMDD-CCYYMMDD with valid dates",
                            dtp, "DTP03", actual=value or None),)
        if first > last:
            return (Problem(f"DTP03 service date range {value} ends before it starts", dtp, "DTP03",
                            actual=value),)
        return ()
    return (Problem(f"DTP02 date format is {fmt or '(empty)'}; a service date uses D8 or RD8", dtp, "DTP02",
                    expected="D8 or RD8", actual=fmt or None),)


# A date of _VALID_D8 under D8 passes (as the check's first test; "" is never in the set, so the line has a DTP)
passes_when(service_date_invalid, "u.service_date in {valid} and len(_d := u.date_of_service.elements) > 2 "
            "and _d[2] == 'D8'", valid=_VALID_D8)


@line_rule(
    "DT002", "service-date-missing",
    claim_status="A6:187",
    summary="A service line has no DTP*472 service date.",
    source="pyx12 005010X222A1 map: 2400 DTP*472 is required [S1]; reference §1.1 (X016)",
    tags=("snip2", "date", "service-line"), ruleset="code-sets",
    example_bad="LX*1~ SV1*HC:97026:GP*30*UN*1***1~ LX*2~",
    example_good="LX*1~ SV1*HC:97026:GP*30*UN*1***1~ DTP*472*D8*20260105~ LX*2~",
)
def service_date_missing(line):
    """Every professional service line carries its date of service (DTP*472 in loop 2400); the
    837P has no claim-level service date to fall back on.
    """
    if line.date_of_service is not None:
        return ()
    anchor = line.sv1 if line.sv1 is not None else line.lx
    # no element is at fault: the segment is missing; the finding points at the line's SV1
    return (Problem("the service line has no DTP*472 service date (required in loop 2400)", anchor, None,
                    expected="DTP*472"),)


# -- SV1 units ---------------------------------------------------------------------------------

@line_rule(
    "SVC001", "units-pairing",
    claim_status="A7:258",
    summary="SV103 (unit basis) and SV104 (unit count) are not both present.",
    source="X12 syntax note P0304 on SV1 (pyx12 005010X222A1 map) [S1]; reference §1.5 (X018)",
    tags=("snip1", "service-line", "units"), ruleset="code-sets",
    example_bad="SV1*HC:97026:GP*30*UN****1~",
    example_good="SV1*HC:97026:GP*30*UN*1***1~",
)
def units_pairing(line):
    """SV103 says what is counted (UN units, MJ minutes) and SV104 how many; the syntax rule P0304
    requires them together, and 005010X222A1 requires both on every line.
    """
    sv1 = line.sv1
    if sv1 is None:
        return ()
    basis, count = line.unit_basis.strip(), line.units.strip()  # SV103, SV104
    if basis and count:
        return ()
    if basis:
        return (Problem(f"SV103 is {basis} but SV104 (unit count) is empty", sv1, "SV104", actual=None),)
    if count:
        return (Problem(f"SV104 is {count} but SV103 (unit basis, UN or MJ) is empty", sv1, "SV103", actual=None),)
    return (Problem("SV103 (unit basis) and SV104 (unit count) are both empty", sv1, "SV103"),)
