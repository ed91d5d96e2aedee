"""The line rules' memos of passing texts (SIT009's unit counts, DT001's D8 dates): a text passes
from the memo only after the rule found it passing, failing texts are never kept, and each memo is
emptied when full."""

from __future__ import annotations

from edi_lint.claims import ServiceLine
from edi_lint.rules import codesets, situational
from edi_lint.rules.codesets import service_date_invalid
from edi_lint.rules.situational import zero_units
from edi_lint.x12.tokenizer import Delimiters, Segment

STAR = Delimiters("*", "^", ":", "~")


def _segment(text: str) -> Segment:
    seg = Segment(text.split("*"), 1, 0, (1, 0, "0001"), STAR, text)
    seg.loop = "2400"
    return seg


def _line(units: str = "1", date: str = "D8*20260105") -> ServiceLine:
    sv1 = _segment(f"SV1*HC:97110:GP*85*UN*{units}***1")
    return ServiceLine(None, [_segment("LX*1"), sv1, _segment(f"DTP*472*{date}")], sv1)


def test_units_memo_keeps_only_passing_counts():
    situational._UNITS_PASSING.clear()
    assert zero_units(_line("2")) == () and "2" in situational._UNITS_PASSING
    assert zero_units(_line("2")) == ()  # from the memo
    assert zero_units(_line("X")) == () and "X" in situational._UNITS_PASSING  # not a number: IG's
    for _ in range(2):  # a zero count fires every time: it is never kept
        (problem,) = zero_units(_line("0"))
        assert problem.element == "SV104" and problem.actual == "0"
    assert "0" not in situational._UNITS_PASSING
    assert zero_units(_line("-1"))[0].actual == "-1"


def test_units_memo_is_emptied_when_full(monkeypatch):
    situational._UNITS_PASSING.clear()
    monkeypatch.setattr(situational, "MAX_UNITS_PASSING", 2)
    for units in range(1, 6):
        assert zero_units(_line(str(units))) == ()
    assert len(situational._UNITS_PASSING) <= 2
    assert zero_units(_line("0.0"))[0].actual == "0.0"


def test_date_memo_keeps_only_valid_d8_dates():
    codesets._VALID_D8.clear()
    assert service_date_invalid(_line(date="D8*20260105")) == () and "20260105" in codesets._VALID_D8
    assert service_date_invalid(_line(date="D8*20260105")) == ()  # from the memo
    # the same text under another format is not passed from the memo
    assert service_date_invalid(_line(date="RD8*20260105"))[0].element == "DTP03"
    assert service_date_invalid(_line(date="D9*20260105"))[0].element == "DTP02"
    for _ in range(2):
        assert service_date_invalid(_line(date="D8*20260230"))[0].actual == "20260230"
    assert "20260230" not in codesets._VALID_D8


def test_date_memo_is_emptied_when_full(monkeypatch):
    codesets._VALID_D8.clear()
    monkeypatch.setattr(codesets, "MAX_VALID_D8", 2)
    for day in range(1, 6):
        assert service_date_invalid(_line(date=f"D8*2026010{day}")) == ()
    assert len(codesets._VALID_D8) <= 2


def test_icd10_shape_memo_keeps_only_shaped_codes(monkeypatch):
    from types import SimpleNamespace

    from edi_lint.rules import external_codes
    from edi_lint.rules.external_codes import icd10_code_format

    def claim(*composites):
        hi = Segment(["HI", *composites], 1, 0, (1, 0, "0001"), STAR, None)
        hi.loop = "2300"
        return SimpleNamespace(segments=[hi, _segment("LX*1")], computed={})

    external_codes._ICD10_SHAPED.clear()
    assert icd10_code_format(claim("ABK:m54.50")) == ()
    assert external_codes._ICD10_SHAPED == {"m54.50"}  # as written: upper-cased and without its point, shaped
    assert icd10_code_format(claim("ABK:m54.50")) == ()  # from the memo
    assert icd10_code_format(claim("BK:8901")) == () and "8901" not in external_codes._ICD10_SHAPED  # ICD-9: not tested
    for _ in range(2):  # an ICD-9 code under ABK fires every time: it is never kept
        (problem,) = icd10_code_format(claim("ABK:M5450", "ABF:8901"))
        assert problem.element == "HI02-2" and problem.actual == "8901"
    assert external_codes._ICD10_SHAPED == {"m54.50", "M5450"}
    monkeypatch.setattr(external_codes, "MAX_ICD10_SHAPED", 2)
    assert icd10_code_format(claim("ABK:S335XXA")) == () and external_codes._ICD10_SHAPED == {"S335XXA"}


def test_charge_balance_in_whole_cents_agrees_with_the_decimal_sum():
    """BAL001 sums whole-cent amounts as integers (integrity._CENTS): it fires exactly where the
    Decimal sum differs from CLM02, with the same message, whether the memo is empty or filled."""
    from decimal import Decimal
    from types import SimpleNamespace

    from edi_lint.claims import decimal_value
    from edi_lint.rules import integrity
    from edi_lint.rules.integrity import claim_charge_balance

    cases = [("115", ["30", "85"]), ("115.00", ["30.0", "85"]), ("100", ["30", "85"]), ("0", ["0.004", "0.004"]),
             ("0.01", ["0.005", "0.005"]), ("0.01", ["0.004", "0.005"]), ("-5", ["-2.5", "-2.50"]),
             ("10", []), ("abc", ["1"]), ("10", ["5", "x"]), ("1E1", ["10"]), (" 7 ", ["3", " 4"]),
             ("999999999999999999", ["999999999999999998", "1"]), ("1" * 19, ["1" * 19]),
             ("1" * 19, ["1" * 18, "1" * 18]), ("0.1", ["0.05", "0.05"]), ("30", ["10.001", "19.999"])]
    clm = _segment("CLM*PCN1*115")
    for _ in range(2):  # the memo empty, then filled
        for total, charges in cases:
            claim = SimpleNamespace(charge=total, clm=clm, lines=[SimpleNamespace(charge=c) for c in charges])
            amounts = [decimal_value(c) for c in charges]
            fires = (decimal_value(total) is not None and bool(charges) and None not in amounts
                     and sum(amounts, Decimal(0)) != decimal_value(total))
            problems = claim_charge_balance(claim)
            assert bool(problems) == fires, (total, charges)
    assert "0.004" not in integrity._CENTS and integrity._CENTS["115.00"] == 11500 and "1" * 19 not in integrity._CENTS


def test_service_date_memo_keeps_texts_on_time_for_one_creation_date():
    """SIT006 passes a DTP text it found not late from a memo (_ServiceAfterCreation.on_time): never a
    late one, nor one late outside a service line (the loop decides there); emptied at BHT and ST."""
    from edi_lint.rules.situational import _ServiceAfterCreation

    def seg(text: str, loop: str | None = "2400") -> Segment:
        made = Segment(text.split("*"), 1, 0, (1, 0, "0001"), STAR, text)
        made.loop = loop
        return made

    checker = _ServiceAfterCreation()
    on_time, late = "DTP*472*D8*20260110", "DTP*472*D8*20260125"
    for opener in ("ST*837*0001", "BHT*0019*00*B1*20260120*0930*CH"):
        checker.segment(seg(opener, None))
    assert checker.segment(seg(on_time)) == () and checker.on_time == {on_time}
    assert checker.segment(seg(on_time)) == ()  # from the memo
    checker.segment(seg(late, "2300"))  # late, but not a service line's date: not counted, not kept
    assert checker.late == 0 and late not in checker.on_time
    checker.segment(seg(late))
    checker.segment(seg(late))
    assert checker.late == 2 and late not in checker.on_time
    assert len(checker.segment(seg("SE*9*0001", None))) == 1
    for opener in ("ST*837*0002", "BHT*0019*00*B2*20260105*0930*CH"):  # created earlier: the memo is emptied
        checker.segment(seg(opener, None))
    assert not checker.on_time
    checker.segment(seg(on_time))
    assert checker.late == 1


def test_zip_memo_keeps_only_passing_state_and_zip_pairs():
    """CS013 passes an N4 from a memo of (N402, N403's first five characters) as written, kept only when
    N403 began with those five digits: a ZIP of another state, or one padded before, is judged afresh."""
    from edi_lint.rules import external_codes
    from edi_lint.rules.external_codes import _zip_in_state

    def n4(text: str) -> Segment:
        made = Segment(text.split("*"), 1, 0, (1, 0, "0001"), STAR, text)
        made.loop = "2010AA"
        return made

    external_codes._ZIP_PASSING.clear()
    assert _zip_in_state(n4("N4*AUSTIN*TX*787015202")) == ()
    assert external_codes._ZIP_PASSING == {("TX", "78701")}
    assert _zip_in_state(n4("N4*AUSTIN*TX*787019999")) == ()  # from the memo
    for _ in range(2):  # a ZIP of another state fires every time: never kept
        assert _zip_in_state(n4("N4*AUSTIN*OK*787015202"))[0].expected == "TX"
    assert _zip_in_state(n4("N4*AUSTIN*TX* 78701")) == () and ("TX", " 7870") not in external_codes._ZIP_PASSING
    assert _zip_in_state(n4("N4*AUSTIN*OK* 78701"))[0].expected == "TX"
    assert _zip_in_state(n4("N4*AUSTIN*TX*78701*CA")) == ()  # a foreign address: not checked, not kept
    assert _zip_in_state(n4("N4*AUSTIN*TX")) == ()  # no N403
    assert external_codes._ZIP_PASSING == {("TX", "78701")}


def test_taxonomy_memo_keeps_only_texts_of_well_formed_codes():
    from edi_lint.rules.codesets import _taxonomy_format

    def prv(text: str) -> Segment:
        made = Segment(text.split("*"), 1, 0, (1, 0, "0001"), STAR, text)
        made.loop = "2310B"
        return made

    codesets._PRV_PASSING.clear()
    assert _taxonomy_format(prv("PRV*PE*PXC*225100000X")) == ()
    assert codesets._PRV_PASSING == {"PRV*PE*PXC*225100000X"}
    assert _taxonomy_format(prv("PRV*PE*PXC*225100000X")) == ()  # from the memo
    for _ in range(2):  # a malformed code fires every time: never kept
        assert _taxonomy_format(prv("PRV*PE*PXC*2251000X"))[0].actual == "2251000X"
    assert _taxonomy_format(prv("PRV*PE*PXC"))[0].element == "PRV03"
    assert codesets._PRV_PASSING == {"PRV*PE*PXC*225100000X"}


def test_icd10_release_memo_and_span_text_agree_with_the_dates():
    """CS010 compares the claim's span of service dates with the release's fiscal year as CCYYMMDD text,
    and passes a code from a memo of codes as written found billable: never one it reports."""
    from datetime import timedelta
    from types import SimpleNamespace

    from edi_lint import codesets as codesets_module
    from edi_lint.rules import external_codes
    from edi_lint.rules.external_codes import icd10_not_valid_on_date

    hi = _segment("HI*ABK:M545")

    def claim(span, *codes):
        made = SimpleNamespace(computed={})  # Claim.computed: the values computed from a claim
        made.computed["_edi_lint_span"] = span
        made.computed["_edi_lint_dx"] = [(hi, n, "ABK", code) for n, code in enumerate(codes, 1)]
        return made

    first, last = codesets_module.RELEASE.first_day, codesets_module.RELEASE.last_day
    inside = (f"{first:%Y%m%d}", f"{last:%Y%m%d}")
    before = (f"{first - timedelta(days=1):%Y%m%d}", f"{first:%Y%m%d}")
    after = (f"{first:%Y%m%d}", f"{last + timedelta(days=1):%Y%m%d}")
    external_codes._BILLABLE.clear()
    for _ in range(2):  # the memo empty, then filled
        assert icd10_not_valid_on_date(claim(inside, "m54.50", "M5450")) == ()
        assert icd10_not_valid_on_date(claim(None, "M545")) == ()
        assert icd10_not_valid_on_date(claim(before, "M545")) == ()
        assert icd10_not_valid_on_date(claim(after, "M545")) == ()
        (problem,) = icd10_not_valid_on_date(claim(inside, "M5450", "M545"))
        assert problem.element == "HI02-2" and problem.actual == "M545"
    assert external_codes._BILLABLE == {"m54.50", "M5450"}


def test_places_valid_on_every_date_skip_the_date_and_dated_ones_do_not():
    """CS011 checks a claim's CLM05-1 that is valid on any date (external_codes._timeless_places) without
    its service dates; a code with a first or last day, or none of the list, is checked as before."""
    from types import SimpleNamespace

    from edi_lint.claims import Sourced
    from edi_lint.rules.external_codes import _timeless_places, place_of_service_code

    clm = _segment("CLM*PCN1*115***10:B:1")

    def claim(code, day):
        made = SimpleNamespace(place_of_service=Sourced(code, "CLM05-1", clm, "2300"), clm=clm, lines=[], computed={})
        made.computed["_edi_lint_span"] = (day, day)
        return made

    assert "11" in _timeless_places() and "10" not in _timeless_places() and "02" not in _timeless_places()
    assert place_of_service_code(claim("11", "20210105")) == ()
    assert place_of_service_code(claim("10", "20220105")) == ()
    (problem,) = place_of_service_code(claim("10", "20210105"))  # telehealth in the home: from 2022-01-01
    assert problem.element == "CLM05-1" and problem.actual == "10"
    assert place_of_service_code(claim("ZZ", "20210105"))[0].actual == "ZZ"
    assert place_of_service_code(claim(None, "20210105")) == ()


def test_claim_periods_and_span_agree_with_the_plain_reading():
    """claim_periods reads each DTP03 through a memo of texts (codesets._PERIODS), and _service_span takes
    the earliest and latest first date in one pass: both as _period, min and max give them."""
    from types import SimpleNamespace

    from edi_lint.rules.codesets import _period, claim_periods
    from edi_lint.rules.external_codes import _service_span

    texts = ["20260105", "20260103-20260110", "20260230", "", "20260101", "20260107-20260102", "20260103"]
    codesets._PERIODS.clear()
    for _ in range(2):  # the memo empty, then filled
        for shift in range(len(texts)):
            order = texts[shift:] + texts[:shift]
            lines = [SimpleNamespace(date_of_service=None if not t else _segment(f"DTP*472*D8*{t}"), service_date=t)
                     for t in order]
            claim = SimpleNamespace(lines=lines, computed={})
            expected = [(line, *_period(line.service_date)) for line in lines
                        if line.date_of_service is not None and _period(line.service_date) is not None]
            assert claim_periods(claim) == expected
            firsts = [first for _, first, _ in expected]
            assert _service_span(claim) == (min(firsts), max(firsts))
    assert codesets._PERIODS["20260230"] is None and codesets._PERIODS["20260103-20260110"] == ("20260103", "20260110")
    assert _service_span(SimpleNamespace(lines=[], computed={})) is None


def test_npi_memo_keeps_only_valid_npis_and_is_emptied_when_full(monkeypatch):
    from edi_lint.rules.codesets import _NpiChecker

    def nm1(npi: str) -> Segment:
        return _segment(f"NM1*85*2*CLINIC*****XX*{npi}")

    checker = _NpiChecker()
    codesets._VALID_NPIS.clear()
    assert checker.segment(nm1("1234567893")) == () and "1234567893" in codesets._VALID_NPIS
    assert checker.segment(nm1("1234567893")) == ()  # from the memo
    for _ in range(2):  # a failing check digit reports every time: it is never kept
        (problem,) = checker.segment(nm1("1234567890"))
        assert problem.element == "NM109" and problem.actual == "1234567890"
    assert "1234567890" not in codesets._VALID_NPIS
    monkeypatch.setattr(codesets, "MAX_VALID_NPIS", 2)
    for npi in ("1234567893", "1245319599", "1003000126", "1497758544"):
        assert codesets.npi_valid(npi) and checker.segment(nm1(npi)) == ()
    assert len(codesets._VALID_NPIS) <= 2


def test_service_period_memo_agrees_with_the_period_and_is_emptied_when_full(monkeypatch):
    from edi_lint.rules.codesets import _period, service_period

    codesets._PERIODS.clear()
    monkeypatch.setattr(codesets, "MAX_PERIODS", 3)
    texts = ("20260105", "20260105-20260107", "20260230", "2026010", "20260107-20260105", "20260105")
    for _ in range(2):
        for text in texts:
            line = _line(date=("RD8*" if "-" in text else "D8*") + text)
            assert service_period(line) == _period(text)
            assert len(codesets._PERIODS) <= 3
    line = _line()
    line.date_of_service = None
    assert service_period(line) is None


def test_units_per_day_memo_sums_what_decimal_value_sums(monkeypatch):
    from types import SimpleNamespace

    from edi_lint.claims import decimal_value
    from edi_lint.rules import declarative

    declarative._UNITS.clear()
    monkeypatch.setattr(declarative, "MAX_UNITS", 2)
    for units in (["1", "2"], ["1.5", "X", "0.00", "2"], ["", "-1", "3"], ["1", "1", "1"]):
        lines = [SimpleNamespace(units=u) for u in units]
        group = [lines, None]
        lines[0]._group = group
        expected = sum((decimal_value(u) or 0 for u in units), declarative._NO_UNITS)
        total = declarative._units_per_day(lines[0])
        assert total == expected and str(total) == str(expected)
        assert len(declarative._UNITS) <= 2
