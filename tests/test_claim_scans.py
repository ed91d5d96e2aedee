"""Claim views that find several segments in one pass must find what a scan for each would."""

from __future__ import annotations

from edi_lint.claims import Claim, Context, Header
from edi_lint.rules.situational import _patient_dmg, birth_after_service
from edi_lint.x12.tokenizer import Delimiters, Segment

STAR = Delimiters("*", "^", ":", "~")


def _segment(text: str, loop: str) -> Segment:
    seg = Segment(text.split("*"), 1, 0, (1, 0, "0001"), STAR, text)
    seg.loop = loop
    return seg


def _claim(subscriber: list[Segment], patient: list[Segment] | None = None, dates=("20260105",)) -> Claim:
    clm = _segment("CLM*PCN1*100***11:B:1*Y*A*Y*Y", "2300")
    lines = []
    for n, day in enumerate(dates, 1):
        lines += [_segment(f"LX*{n}", "2400"), _segment("SV1*HC:97110:GP*100*UN*1***1", "2400"),
                  _segment(f"DTP*472*D8*{day}", "2400")]
    header = Header(_segment("ISA*00", None), None, None, [])
    patient_context = Context(patient[0], patient) if patient else None
    return Claim([clm, *lines], header, None, Context(subscriber[0], subscriber), patient_context,
                 list(range(1, len(lines), 3)))


def _subscriber(*more: Segment) -> list[Segment]:
    return [_segment("HL*2*1*22*0", "2000B"), _segment("SBR*P*18*******MB", "2000B"),
            _segment("NM1*IL*1*DOE*JANE****MI*X1", "2010BA"), *more,
            _segment("NM1*PR*2*MEDICARE*****PI*04412", "2010BB")]


def test_subscriber_dmg_is_the_first_2010ba_dmg():
    stray = _segment("DMG*D8*20300101*F", "2010BB")  # not the subscriber's: another loop
    first, second = _segment("DMG*D8*19700101*F", "2010BA"), _segment("DMG*D8*19800101*F", "2010BA")
    claim = _claim(_subscriber(stray, first, second))
    assert claim.subscriber_dmg is first
    assert claim.payer.get(3) == "MEDICARE" and claim.filing_indicator == "MB"  # read in the same pass
    assert _claim(_subscriber()).subscriber_dmg is None


def test_patient_dmg_is_the_patients_when_there_is_a_patient_loop():
    subscriber_dmg = _segment("DMG*D8*19700101*F", "2010BA")
    patient = [_segment("HL*3*2*23*0", "2000C"), _segment("PAT*19", "2000C"),
               _segment("DMG*D8*20300101*M", "2010CA")]
    claim = _claim(_subscriber(subscriber_dmg), patient)
    assert _patient_dmg(claim) is patient[2]
    assert birth_after_service(claim)[0].segment is patient[2]  # born 2030, served 2026
    alone = _claim(_subscriber(subscriber_dmg))
    assert _patient_dmg(alone) is subscriber_dmg and birth_after_service(alone) == ()
    late = _claim(_subscriber(_segment("DMG*D8*20300101*F", "2010BA")))
    assert birth_after_service(late)[0].element == "DMG02"


def test_birth_after_service_passes_on_the_span_only_when_no_date_is_before_the_birth():
    """SIT007 passes a claim whose earliest first date of service is on or after the birth without
    reading its lines; otherwise the first line (in line order) served before the birth is named."""
    from edi_lint.rules.codesets import claim_periods, claim_span

    def claim(born, *dates):
        return _claim(_subscriber(_segment(f"DMG*D8*{born}*F", "2010BA")), dates=dates)

    assert birth_after_service(claim("20260105", "20260105", "20260110")) == ()  # born on the first day
    (problem,) = birth_after_service(claim("20260106", "20260110", "20260103", "20260105"))
    assert "20260103 of line 2" in problem.message  # not the latest date, nor the earliest line
    (problem,) = birth_after_service(claim("20260106", "20260105", "20260110"))  # the latest is after the birth
    assert "20260105 of line 1" in problem.message
    assert birth_after_service(claim("2026XX06", "20260105")) == ()  # a birth date that is no date
    both = claim("19700101", "20260110", "20260103", "20260230")
    assert claim_span(both) == ("20260103", "20260110") and len(claim_periods(both)) == 2
    assert claim_span(claim("19700101", "20260230")) is None


def test_hi_composites_are_read_as_written_and_the_memo_follows_the_separator(monkeypatch):
    """_hi_composites keeps an HI's composites by its text: the same text split on another component
    separator reads differently, and the memo is emptied when full."""
    from edi_lint.rules import external_codes
    from edi_lint.rules.external_codes import _diagnosis_composites, _hi_composites

    caret = Delimiters("*", "!", "^", "~")

    def hi(text: str, delimiters: Delimiters = STAR) -> Segment:
        seg = Segment(text.split("*"), 1, 0, (1, 0, "0001"), delimiters, text)
        seg.loop = "2300"
        return seg

    external_codes._HI_COMPOSITES.clear()
    for _ in range(2):  # the memo empty, then filled
        assert _hi_composites(hi("HI*ABK: M545 *ZZ:X**BF:7231:D8")) == ((1, "ABK", "M545"), (4, "BF", "7231"))
        assert _hi_composites(hi("HI*ABK^M545", caret)) == ((1, "ABK", "M545"),)
        assert _hi_composites(hi("HI*ABK^M545")) == ()  # ':' splits nothing: "ABK^M545" is no qualifier
        assert _hi_composites(hi("HI*ABK:M545", caret)) == ()
    monkeypatch.setattr(external_codes, "MAX_HI_COMPOSITES", 2)
    for n in range(5):
        assert _hi_composites(hi(f"HI*ABF:M54{n}")) == ((1, "ABF", f"M54{n}"),)
    assert len(external_codes._HI_COMPOSITES) <= 2
    claim = _claim(_subscriber())
    first, second = hi("HI*ABK:M545*ABF:M6281"), hi("HI*BK:7231")
    claim.segments[1:1] = [first, second]
    claim._line_starts = [3]
    assert _diagnosis_composites(claim) == [(first, 1, "ABK", "M545"), (first, 2, "ABF", "M6281"),
                                            (second, 1, "BK", "7231")]


def test_diagnoses_memo_follows_the_separator_and_gives_each_claim_its_own_list(monkeypatch):
    """Claim.diagnoses reads an HI's codes from a memo of HI texts (claims._HI_CODES): the same text split
    on another component separator reads differently, an HI that lists no diagnoses is remembered as such
    and the next HI is read, each claim gets a list of its own, and the memo is emptied when full."""
    from edi_lint import claims

    caret = Delimiters("*", "!", "^", "~")

    def claim_with(*his: Segment) -> Claim:
        made = _claim(_subscriber())
        made.segments[1:1] = his
        made._line_starts = [1 + len(his)]
        return made

    def hi(text: str, delimiters: Delimiters = STAR) -> Segment:
        seg = Segment(text.split("*"), 1, 0, (1, 0, "0001"), delimiters, text)
        seg.loop = "2300"
        return seg

    claims._HI_CODES.clear()
    for _ in range(2):  # the memo empty, then filled
        assert claim_with(hi("HI*BK:7231*BF:M545*BF")).diagnoses == ["7231", "M545", ""]
        assert claim_with(hi("HI*ABK^M545", caret)).diagnoses == ["M545"]
        assert claim_with(hi("HI*ABK^M545")).diagnoses == []  # ':' splits nothing: no ABK qualifier
        assert claim_with(hi("HI*BG:01"), hi("HI*ABK:M545")).diagnoses == ["M545"]  # condition codes first
    assert claims._HI_CODES["HI*BG:01"] is None
    one, other = claim_with(hi("HI*ABK:M545")), claim_with(hi("HI*ABK:M545"))
    one.diagnoses.append("Z000")
    assert other.diagnoses == ["M545"]
    monkeypatch.setattr(claims, "MAX_HI_CODES", 2)
    for n in range(5):
        assert claim_with(hi(f"HI*ABK:M54{n}")).diagnoses == [f"M54{n}"]
    assert len(claims._HI_CODES) <= 2


def test_pointed_diagnoses_read_pointers_as_integer_value_does():
    """pointed_diagnoses reads the common pointers ("1" to "99") from claims._POINTERS, others with
    integer_value: both give the codes a plain reading of SV107 through integer_value gives."""
    from edi_lint import claims
    from edi_lint.claims import SV107_MAX_LENGTH, ServiceLine, integer_value

    codes = [f"C{n}" for n in range(1, 13)]
    made = _claim(_subscriber())
    made.__dict__["diagnoses"] = codes
    pointers = [str(n) for n in range(100)] + [" 1", "01", "1 ", "100", "X", "", "-1", "+2", "1.0"]
    for pointer in pointers:
        sv1 = _segment(f"SV1*HC:97110:GP*100*UN*1***{pointer}:1", "2400")  # ':' then 1: two pointers
        line = ServiceLine(made, [_segment("LX*1", "2400"), sv1], sv1)
        expected = [codes[n - 1] for n in (integer_value(p, SV107_MAX_LENGTH) for p in (pointer, "1"))
                    if n is not None and 1 <= n <= len(codes)]
        assert line.pointed_diagnoses == expected, pointer
    assert all(claims._POINTERS[str(n)] == n for n in range(100))


def test_a_released_claim_keeps_no_cycle_through_its_lines():
    """Claim.release breaks the cycles the rules make (a line's day group, in its _group slot, holds the
    lines of its day): once released, nothing made while linting the claim refers to its lines."""
    import gc

    from edi_lint.rules.declarative import _duplicate_of, _units_per_day

    claim = _claim(_subscriber(), dates=("20260105", "20260105", "20260106"))
    lines = claim.lines
    assert _duplicate_of(lines[1]) == "1" and _units_per_day(lines[0]) == 2
    assert lines[0]._group is lines[1]._group
    claim.release()
    for n in range(3):
        assert [r for r in gc.get_referrers(lines[n]) if r is not lines] == []


def test_computed_is_the_claims_dict():
    """Claim.computed, which the rules read their per-claim values from, is the claim's __dict__, where its
    cached properties keep theirs: one store, forgotten by release()."""
    from edi_lint.rules.codesets import claim_periods

    claim = _claim(_subscriber())
    assert claim.computed is claim.__dict__
    lines = claim.lines
    assert claim.computed["lines"] is lines and claim_periods(claim) is claim.__dict__["_edi_lint_periods"]
    claim.release()
    assert claim.__dict__ == {} and claim.computed is claim.__dict__
    assert claim.lines is not lines and claim.computed["lines"] is claim.lines  # made again when asked
    line = claim.lines[0]
    assert line.computed is line.__dict__
    taxonomy = line.rendering_taxonomy  # kept where the next read finds it without the descriptor
    assert line.__dict__["rendering_taxonomy"] is taxonomy and line.rendering_taxonomy is taxonomy
    claim.release()
    assert line.__dict__ == {} and line.computed is line.__dict__
