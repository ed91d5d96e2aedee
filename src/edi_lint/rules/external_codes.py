"""External code sets (WEDI SNIP type 5), looked up on the date of service.

Diagnoses are checked against the ICD-10-CM release shipped in edi_lint/codesets (built from the
simple-icd-10-cm package), places of service against the CMS list, states and ZIP codes against
USPS-derived tables (built from the zipcodes package). Licensed code sets (NUCC taxonomy, CPT,
HCPCS) are the user's own files, named in configuration (`code-sets.taxonomy = "nucc.csv"`); their
rules are skipped, and say so in --explain, when no file is configured.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from edi_lint import codesets
from edi_lint.phi import of_a_person
from edi_lint.rules.api import Problem, Rule, claim_rule, file_rule
from edi_lint.rules.base import RuleInfo
from edi_lint.rules.codesets import TAXONOMY_FORMAT, _date, claim_span, service_period

SNIP5 = ("snip5", "code-set")
ICD10_START = date(2015, 10, 1)  # ICD-10-CM replaced ICD-9-CM for dates of service from this day
DIAGNOSIS_QUALIFIERS = {"ABK": "icd10", "ABF": "icd10", "BK": "icd9", "BF": "icd9"}


def _diagnosis_composites(claim) -> list:
    """(HI segment, element number, qualifier, code) of every diagnosis composite in loop 2300;
    computed once per claim (kept in the claim's __dict__), since four rules read them."""
    cache = claim.computed
    found = cache.get("_edi_lint_dx")
    if found is not None:
        return found
    found = cache["_edi_lint_dx"] = []
    for seg in claim.segments:
        sid = seg.elements[0]
        if sid == "LX":
            break
        if sid != "HI" or seg.loop != "2300":
            continue
        for n, qualifier, code in _hi_composites(seg):
            found.append((seg, n, qualifier, code))
    return found


# An HI's diagnosis composites, (element number, qualifier, code) each, by the HI's text (Segment.text,
# what its elements were split from), for HIs whose composites split on the component separator
# _HI_SPLIT[0] (emptied when another comes): a file repeats a few dozen HI texts on thousands of claims,
# and splitting and stripping each composite again was most of what _diagnosis_composites cost.
# Emptied when full.
_HI_COMPOSITES: dict[str, tuple] = {}
_HI_SPLIT: list = [None]
MAX_HI_COMPOSITES = 4096


def _hi_composites(seg) -> tuple:
    """(element number, qualifier, code) of each composite of the HI `seg` whose qualifier is a
    diagnosis code list (DIAGNOSIS_QUALIFIERS), stripped."""
    separator = seg.delimiters.component
    if separator != _HI_SPLIT[0]:
        _HI_COMPOSITES.clear()
        _HI_SPLIT[0] = separator
    text = seg.text
    composites = _HI_COMPOSITES.get(text) if text is not None else None
    if composites is None:
        read = []
        for n, value in enumerate(seg.elements[1:], 1):
            if not value:
                continue
            parts = value.split(separator, 2)
            qualifier = parts[0].strip()
            if qualifier in DIAGNOSIS_QUALIFIERS:
                read.append((n, qualifier, parts[1].strip() if len(parts) > 1 else ""))
        composites = tuple(read)
        if text is not None:
            if len(_HI_COMPOSITES) >= MAX_HI_COMPOSITES:
                _HI_COMPOSITES.clear()
            _HI_COMPOSITES[text] = composites
    return composites


_service_span = claim_span  # CS009-CS011 read the claim's span of first service dates


@claim_rule(
    "CS007", "diagnosis-decimal-point",
    claim_status="A7:255",
    summary="A diagnosis code in HI carries a decimal point (X12 sends ICD codes without it).",
    source="TR3 HI note: do not transmit the decimal point in diagnosis codes [S21]; reference §1.6, §3.4",
    tags=SNIP5 + ("diagnosis",), ruleset="code-sets",
    example_bad="HI*ABK:M25.561~",
    example_good="HI*ABK:M25561~",
    severity_reason="the code does not match the code set as sent, and the claim is rejected",
)
def diagnosis_decimal_point(claim):
    """ICD codes are printed with a decimal point (M25.561) but sent in X12 without it (M25561): the
    point is implied after the third character. A code with the point fails the code-set lookup.
    """
    for seg, n, _, code in _diagnosis_composites(claim):
        if "." in code:
            return (Problem(f"diagnosis code {code} in HI0{n}-2 has a decimal point; send {code.replace('.', '')}",
                            seg, f"HI{n:02d}-2", expected=code.replace(".", ""), actual=code),)
    return ()


@claim_rule(
    "CS008", "icd10-code-format",
    claim_status="A7:255",
    summary="A code qualified as ICD-10-CM (ABK, ABF) is not shaped like an ICD-10-CM code.",
    source="CMS ICD-10-CM format edit [S49]: a letter, a digit, then 1-5 letters or digits; reference §3.4",
    tags=SNIP5 + ("diagnosis",), ruleset="code-sets",
    example_bad="HI*ABK:8901~ (an ICD-9 code under the ICD-10 qualifier)",
    example_good="HI*ABK:M25561~",
    severity_reason="the code cannot be an ICD-10-CM code, and the claim is rejected",
)
def icd10_code_format(claim):
    """ABK (principal) and ABF (other) say the code is ICD-10-CM: a letter, a digit, a letter or
    digit, and up to four more. An ICD-9 code (8901, V5789) sent under them, or a code with stray
    characters, is rejected. The decimal point is CS007's.
    """
    shaped = _ICD10_SHAPED
    for seg, n, qualifier, code in _diagnosis_composites(claim):
        if code in shaped:  # the common case: no copy, upper-casing or pattern match
            continue
        bare = code.replace(".", "").upper()
        if DIAGNOSIS_QUALIFIERS[qualifier] != "icd10" or not bare:
            continue
        if not codesets.ICD10_FORMAT.fullmatch(bare):
            return (Problem(f"diagnosis code {code} in HI{n:02d}-2 is qualified {qualifier} (ICD-10-CM) but is not an "
                            "ICD-10-CM code (a letter, a digit, then up to 5 letters or digits)", seg, f"HI{n:02d}-2",
                            actual=code),)
        if len(shaped) >= MAX_ICD10_SHAPED:
            shaped.clear()
        shaped.add(code)
    return ()


# HI codes, as written, that icd10_code_format found ICD-10 shaped: a file repeats a few dozen codes on
# thousands of claims, and the verdict depends on the text alone. Emptied when full.
_ICD10_SHAPED: set[str] = set()
MAX_ICD10_SHAPED = 4096


@claim_rule(
    "CS009", "icd9-after-icd10-date",
    claim_status="A7:255",
    summary="ICD-9-CM diagnoses (BK, BF) on a claim with a date of service from 2015-10-01.",
    source="HIPAA ICD-10 compliance date 2015-10-01 (45 CFR 162.1002); reference §1.6",
    tags=SNIP5 + ("diagnosis", "date"), ruleset="code-sets",
    example_bad="HI*BK:8901~ ... DTP*472*D8*20260105~",
    example_good="HI*ABK:M25561~ ... DTP*472*D8*20260105~",
    severity_reason="ICD-9-CM is not a valid code set for services from 2015-10-01; the claim is rejected",
)
def icd9_after_icd10_date(claim):
    """Services from 1 October 2015 are coded in ICD-10-CM (qualifiers ABK, ABF); ICD-9-CM (BK, BF)
    is valid only for earlier dates of service.
    """
    for seg, n, qualifier, _ in _diagnosis_composites(claim):
        if DIAGNOSIS_QUALIFIERS[qualifier] == "icd9":  # rare: only then are the dates of service read
            span = _service_span(claim)
            if span is None or _date(span[1]) < ICD10_START:
                return ()
            return (Problem(f"HI{n:02d}-1 is {qualifier} (ICD-9-CM) but the claim has a service date "
                            f"{span[1]}, on or after 2015-10-01: use ICD-10-CM (ABK/ABF)", seg,
                            f"HI{n:02d}-1", expected="ABK" if qualifier == "BK" else "ABF", actual=qualifier),)
    return ()


@claim_rule(
    "CS010", "icd10-not-valid-on-date",
    claim_status="A7:255",
    summary="An ICD-10-CM diagnosis is not a billable code of the release in force on the date of service.",
    source=f"CMS ICD-10-CM code tables, {codesets.RELEASE.name}, from the {codesets.RELEASE.package} package; "
    "reference §2.10 (M54.5 deleted 2021-10-01), §3.4",
    tags=SNIP5 + ("diagnosis", "date"), ruleset="code-sets",
    example_bad="HI*ABK:M545~ ... DTP*472*D8*20260105~ (M54.5 has been a header since 2021-10-01)",
    example_good="HI*ABK:M5450~ ... DTP*472*D8*20260105~",
    severity_reason="a code that is not billable on the date of service is rejected by the front-end edit",
)
def icd10_not_valid_on_date(claim):
    """Only the most specific ICD-10-CM codes are billable, and the code set changes every 1 October
    (M54.5 became the header of M54.50/M54.51/M54.59 in 2021). Codes are checked against the release
    edi-lint ships, for claims whose dates of service fall in that release's fiscal year; other
    claims are not checked (an older or newer release would be needed). Upgrade the table with
    `python -m edi_lint.codesets.build` after upgrading simple-icd-10-cm (see README).
    """
    span = _service_span(claim)
    # valid CCYYMMDD text (claim_periods keeps no other) compares like the dates it names
    if span is None or span[0] < _RELEASE_FIRST or span[1] > _RELEASE_LAST:
        return ()
    billable = _BILLABLE
    for seg, n, qualifier, code in _diagnosis_composites(claim):
        if code in billable:  # the common case: no copy, upper-casing or lookup
            continue
        if DIAGNOSIS_QUALIFIERS[qualifier] != "icd10":
            continue
        why = _icd10_verdict(code.replace(".", "").upper())
        if why is None:
            if len(billable) >= MAX_BILLABLE:
                billable.clear()
            billable.add(code)
            continue
        return (Problem(f"diagnosis code {code} in HI{n:02d}-2 {why} on {span[1]} ({codesets.RELEASE.name})", seg,
                        f"HI{n:02d}-2", actual=code),)
    return ()


# The shipped release's fiscal year as CCYYMMDD text, to compare with a claim's span of service dates.
_RELEASE_FIRST = f"{codesets.RELEASE.first_day:%Y%m%d}"
_RELEASE_LAST = f"{codesets.RELEASE.last_day:%Y%m%d}"
# HI codes, as written, that icd10_not_valid_on_date found billable (or not ICD-10 shaped: CS008's) in the
# shipped release: the verdict depends on the text alone. Emptied when full.
_BILLABLE: set[str] = set()
MAX_BILLABLE = 4096


@lru_cache(maxsize=8192)
def _icd10_verdict(code: str) -> str | None:
    """None when `code` is billable in the shipped release (or not ICD-10 shaped: CS008's), else why not.
    Memoised: a file repeats a few dozen codes on thousands of claims."""
    billable, headers = codesets.icd10cm()
    if not codesets.ICD10_FORMAT.fullmatch(code) or code in billable:
        return None
    if code in headers:
        return "is a header with more specific codes below it, not billable"
    return "is not in ICD-10-CM"


_TIMELESS: list = [None]  # _timeless_places, made on first use (a run that checks no place of service never reads pos.tsv)


def _timeless_places() -> frozenset:
    """Places of service in the CMS list with no first or last day: valid on any date of service."""
    places = frozenset(code for code, (_, first, last) in codesets.places_of_service().items() if not first and not last)
    _TIMELESS[0] = places
    return places


def _pos_problem(code: str, day: date | None, seg, element: str):
    if not code:
        return None
    known = codesets.places_of_service().get(code)
    if known is None:
        return Problem(f"{element} place of service {code} is not in the CMS place of service code set", seg, element,
                       actual=code)
    name, first, last = known
    if day is not None and ((first and day < first) or (last and day > last)):
        return Problem(f"{element} place of service {code} ({name}) is not valid on {day:%Y%m%d}: in force from "
                       f"{first or 'the start'} to {last or 'today'}", seg, element, actual=code)
    return None


@claim_rule(
    "CS011", "place-of-service-code",
    claim_status="A7:249",
    summary="CLM05-1 or SV105 is not a CMS place of service code in force on the date of service.",
    source="CMS Place of Service Code Set (edi_lint/codesets/pos.tsv); pyx12 code list pos [S1]; reference §3.5",
    tags=SNIP5 + ("place-of-service",), ruleset="code-sets",
    example_bad="CLM*PCN1*115***38:B:1*Y*A*Y*Y~",
    example_good="CLM*PCN1*115***11:B:1*Y*A*Y*Y~",
    severity_reason="an unknown place of service is rejected at the front end",
)
def place_of_service_code(claim):
    """The place of service (CLM05-1 for the claim, SV105 for a line that differs) is a two-digit
    code of the CMS list, and some codes exist only from a date (10, telehealth in the patient's
    home, from 2022-01-01). The list is data in edi_lint/codesets/pos.tsv.
    """
    problems = []
    claim_pos = claim.place_of_service.value
    if claim_pos not in (_TIMELESS[0] or _timeless_places()):  # a code valid on every date needs no date
        span = _service_span(claim)
        first = _date(span[0]) if span is not None else None
        found = _pos_problem(claim_pos or "", first, claim.clm, "CLM05-1")
        if found is not None:
            problems.append(found)
    for line in claim.lines:
        code = line.sv105
        if code and code != claim_pos:
            period = service_period(line)
            found = _pos_problem(code, _date(period[0]) if period else None, line.sv1, "SV105")
            if found is not None:
                problems.append(found)
    return tuple(problems)


class _N4Checker:
    def __init__(self, check):
        self.segment = check  # the check itself, not a method calling it: the engine calls it per N4

    def finish(self):
        return ()


def _state(seg):
    elements = seg.elements
    size = len(elements)
    if size > 4 and elements[4].strip():  # N404 country: a foreign address
        return ()
    state = elements[2].strip() if size > 2 else ""
    if not state or state in codesets.US_STATES or state in codesets.CANADIAN_PROVINCES:
        return ()
    if not (len(state) == 2 and state.isalpha()) and of_a_person(seg.loop):
        # a subscriber's or patient's address: a value that is no state code at all may be the ZIP or
        # the city shifted into N402 (PHI), so it is not quoted
        return (Problem("N402 is not a US state, territory or Canadian province code (nor two letters)", seg,
                        "N402"),)
    return (Problem(f"N402 state {state!r} is not a US state, territory or Canadian province code", seg, "N402",
                    actual=state),)


@file_rule(
    "CS012", "state-code",
    claim_status="A7:21",
    summary="An N402 state code (US address, no N404 country) is not a US state, territory or Canadian province.",
    source="X12 code source 22 (States and Provinces); USPS state abbreviations; reference §5.3",
    tags=SNIP5 + ("address",), ruleset="code-sets", segment_ids=("N4",),
    example_bad="N4*LAKEVIEW*XO*976301234~",
    example_good="N4*LAKEVIEW*OR*976301234~",
    severity_reason="an address with an unknown state is rejected",
)
def state_code(path):
    """N402 is a two-letter code of a US state, the District of Columbia, a territory (PR, GU, VI,
    AS, MP), a freely associated state (FM, MH, PW), a military post (AA, AE, AP) or a Canadian
    province, whenever the address has no country code (N404).
    """
    return _N4Checker(_state)


# (N402, N403's first five characters), as written, of N4s without N404 that _zip_in_state passed with
# N403 beginning with five digits: the verdict then depends on these alone, and a file repeats a few
# hundred of them on thousands of addresses. Emptied when full.
_ZIP_PASSING: set[tuple[str, str]] = set()
MAX_ZIP_PASSING = 4096


def _zip_in_state(seg):
    elements = seg.elements
    size = len(elements)
    if size == 4 and (elements[2], elements[3][:5]) in _ZIP_PASSING:  # the common case
        return ()
    if size > 4 and elements[4].strip():  # N404 country: a foreign address
        return ()
    state, zip_code = (elements[2].strip() if size > 2 else ""), (elements[3].strip() if size > 3 else "")
    if state not in codesets.US_STATES or len(zip_code) < 5 or not zip_code[:5].isdigit():
        return ()
    found = codesets.zip_state(zip_code[:5])
    if found is None or found == state:
        if size == 4 and elements[3][:5] == zip_code[:5]:
            if len(_ZIP_PASSING) >= MAX_ZIP_PASSING:
                _ZIP_PASSING.clear()
            _ZIP_PASSING.add((elements[2], zip_code[:5]))
        return ()
    if of_a_person(seg.loop):  # a subscriber's or patient's address: PHI, never quoted
        return (Problem(f"the ZIP code (N403) is in {found}, not in {state} (N402)", seg, "N403",
                        expected=found, actual=state),)
    return (Problem(f"ZIP code {zip_code[:5]} is in {found}, not in {state} (N402)", seg, "N403",
                    expected=found, actual=state),)


@file_rule(
    "CS013", "zip-not-in-state",
    claim_status="A7:21",
    severity="warning",
    summary="An N403 ZIP code belongs to another state than N402.",
    source="USPS ZIP code ranges, from the zipcodes package (edi_lint/codesets/zip-state.txt)",
    tags=SNIP5 + ("address",), ruleset="code-sets", segment_ids=("N4",),
    example_bad="N4*LAKEVIEW*WA*976301234~",
    example_good="N4*LAKEVIEW*OR*976301234~",
    severity_reason="a few ZIP codes cross state lines, so a mismatch is likely, not certain, to be a typo",
)
def zip_not_in_state(path):
    """The first five digits of a ZIP code fix its state (00501-00544 NY, 97001-97920 OR ...). A ZIP
    of another state than N402 is a typo in one of them, and payers that validate addresses reject it.
    """
    return _N4Checker(_zip_in_state)


# -- user-supplied code sets --------------------------------------------------------------------

NOT_CONFIGURED = ("Not configured: this rule is skipped. edi-lint does not ship the {what} (its terms of use are the "
                  "publisher's); "
                  "name your copy in configuration, e.g. `[tool.edi-lint.code-sets] {key} = \"{example}\"` (a CSV or "
                  "text file whose first column holds the codes).")
CONFIGURED = "Configured: checked against {path} ({count} codes)."


def user_code_set_rules(code_sets: dict) -> list[Rule]:
    """CS014 (NUCC taxonomy) and CS015 (CPT/HCPCS), checking against the files `code_sets` names.

    Built per configuration, because the rule's check and its --explain text depend on the files; a
    rule whose file is not configured is off by default (selecting it checks nothing).
    Raises codesets.CodeSetError for a file that cannot be read.
    """
    code_sets = code_sets or {}
    taxonomy_path = code_sets.get("taxonomy")
    taxonomies = codesets.load_user_table(taxonomy_path) if taxonomy_path else None
    procedure_paths = [code_sets[k] for k in ("cpt", "hcpcs") if code_sets.get(k)]
    procedures = frozenset().union(*(codesets.load_user_table(p) for p in procedure_paths)) if procedure_paths else None
    kinds = {k for k in ("cpt", "hcpcs") if code_sets.get(k)}

    taxonomy_doc = """NUCC publishes the Health Care Provider Taxonomy twice a year. A code that is well formed
(CS002) but not in the list the user supplies (retired, or mistyped into another valid shape) is
rejected by payers that check it."""
    taxonomy_info = RuleInfo(
        code="CS014", name="taxonomy-not-in-nucc", severity=_error(), scope="file",
        summary="A PRV03 taxonomy code is not in the NUCC taxonomy file named by code-sets.taxonomy.",
        explanation=taxonomy_doc + "\n\n" + (
            CONFIGURED.format(path=taxonomy_path, count=len(taxonomies)) if taxonomies is not None else
            NOT_CONFIGURED.format(what="NUCC taxonomy list", key="taxonomy", example="nucc_taxonomy.csv")),
        source="NUCC Health Care Provider Taxonomy code set (user-supplied CSV); reference §3.2",
        example_bad="PRV*PE*PXC*225100001X~", example_good="PRV*PE*PXC*225100000X~",
        tags=SNIP5 + ("taxonomy",), ruleset="code-sets", default_on=taxonomies is not None, claim_status="A7:145",
        severity_reason="payers that check the taxonomy reject a code that is not in the NUCC list",
    )

    def taxonomy_check(path):
        return _TaxonomyChecker(taxonomies)

    procedure_doc = """CPT (AMA) and HCPCS Level II (CMS) codes change every year. A procedure code that is not in
the user's CPT or HCPCS file for the year is rejected. CPT codes (5 digits, or 4 digits and F or T)
are checked when code-sets.cpt is given, HCPCS codes (a letter and 4 digits) when code-sets.hcpcs is."""
    procedure_info = RuleInfo(
        code="CS015", name="procedure-not-in-code-set", severity=_error(), scope="line",
        summary="An SV101-2 procedure code is not in the CPT or HCPCS file named by code-sets.cpt / code-sets.hcpcs.",
        explanation=procedure_doc + "\n\n" + (
            CONFIGURED.format(path=", ".join(procedure_paths), count=len(procedures)) if procedures is not None else
            NOT_CONFIGURED.format(what="CPT code set", key="cpt", example="cpt2026.csv")),
        source="AMA CPT, CMS HCPCS Level II (user-supplied files); reference §3.3",
        example_bad="SV1*HC:97999:GP*30*UN*1***1~", example_good="SV1*HC:97026:GP*30*UN*1***1~",
        tags=SNIP5 + ("procedure",), ruleset="code-sets", default_on=procedures is not None, claim_status="A7:454",
        severity_reason="a procedure code that does not exist in the year's code set is rejected",
    )

    def procedure_check(line):
        if procedures is None:
            return ()
        code = line.procedure.upper()
        kind = "hcpcs" if code[:1].isalpha() else "cpt"
        if kind not in kinds or code in procedures:
            return ()
        return (Problem(f"procedure code {code} is not in the configured {kind.upper()} code set", line.sv1,
                        "SV101-2", actual=code),)

    return [Rule(taxonomy_info, taxonomy_check, frozenset({"PRV"})), Rule(procedure_info, procedure_check)]


def _error():
    from edi_lint.findings import Severity

    return Severity.ERROR


class _TaxonomyChecker:
    def __init__(self, known):
        self.known = known

    def segment(self, seg):
        if self.known is None:
            return ()
        code = seg.get(3).strip()
        if not TAXONOMY_FORMAT.fullmatch(code) or code in self.known:
            return ()  # a malformed code is CS002's
        return (Problem(f"PRV03 taxonomy {code} is not in the configured NUCC taxonomy list", seg, "PRV03",
                        actual=code),)

    def finish(self):
        return ()
