"""Service lines built from a memo of SV1 values and, for the common LX/SV1/DTP shape, without a scan:
the same facts as a line read from scratch."""

from __future__ import annotations

from edi_lint import claims
from edi_lint.claims import ServiceLine
from edi_lint.x12.tokenizer import Delimiters, Segment

STAR = Delimiters("*", "^", ":", "~")
PIPE = Delimiters("|", "^", "*", "~")  # '*' is the component separator here


def _segment(text: str, delimiters: Delimiters, loop: str = "2400") -> Segment:
    seg = Segment(text.split(delimiters.element), 1, 0, (1, 0, "0001"), delimiters, text)
    seg.loop = loop
    return seg


def _line(delimiters: Delimiters, sv1_text: str, *more: Segment) -> ServiceLine:
    lx = _segment(f"LX{delimiters.element}1", delimiters)
    sv1 = _segment(sv1_text, delimiters)
    return ServiceLine(None, [lx, sv1, *more], sv1)


def test_same_sv1_text_under_other_separators_reads_differently():
    claims._SV1_VALUES.clear()
    text = "SV1|HC*97026*GP|30|UN|1|||1*2"
    pipe = _line(PIPE, text)
    star = _line(STAR, text)  # under '*' separators: SV1|HC, 97026, GP|30|UN|1|||1 and 2
    assert (pipe.procedure, pipe.modifiers, pipe.charge, pipe.diagnosis_pointers) == ("97026", ("GP",), "30", ["1", "2"])
    assert (star.procedure, star.modifiers, star.charge, star.diagnosis_pointers) == ("", (), "GP|30|UN|1|||1", [])


def test_lines_of_one_sv1_share_its_values_and_keep_their_own_dates():
    claims._SV1_VALUES.clear()
    first = _line(STAR, "SV1*HC:97110:GP*85*UN*2***1", _segment("DTP*472*D8*20260105", STAR))
    second = _line(STAR, "SV1*HC:97110:GP*85*UN*2***1", _segment("DTP*472*D8*20260106", STAR))
    assert first.procedure is second.procedure and first.modifiers is second.modifiers  # read once
    # the lists are each line's own: changing one line's leaves the other line (and the memo) alone
    assert first.procedure_composite == second.procedure_composite == ["HC", "97110", "GP"]
    first.procedure_composite.append("59")
    first.diagnosis_pointers.append("2")
    assert second.procedure_composite == ["HC", "97110", "GP"] and second.diagnosis_pointers == ["1"]
    third = _line(STAR, "SV1*HC:97110:GP*85*UN*2***1", _segment("DTP*472*D8*20260107", STAR))
    assert third.procedure_composite == ["HC", "97110", "GP"] and third.diagnosis_pointers == ["1"]
    assert (first.service_date, second.service_date) == ("20260105", "20260106")
    assert second.date_of_service is second.segments[2] and second._provider is None


def test_memo_is_emptied_when_full(monkeypatch):
    claims._SV1_VALUES.clear()
    monkeypatch.setattr(claims, "MAX_SV1_VALUES", 2)
    for charge in range(5):
        assert _line(STAR, f"SV1*HC:97110*{charge}*UN*1***1").charge == str(charge)
    assert len(claims._SV1_VALUES) <= 2


def test_line_of_another_shape_is_scanned():
    nm1 = _segment("NM1*82*1*DOE*JANE****XX*1234567893", STAR, loop="2420A")
    prv = _segment("PRV*PE*PXC*225100000X", STAR, loop="2420A")
    other_date = _segment("DTP*471*D8*20260101", STAR)
    date = _segment("DTP*472*D8*20260105", STAR)
    line = _line(STAR, "SV1*HC:97110:GP*85*UN*2***1", other_date, date, nm1, prv)
    assert (line.date_of_service, line._provider, line._provider_prv) == (date, nm1, prv)
    short = _line(STAR, "SV1*HC:97110:GP*85*UN*2***1", other_date)  # three segments, not a DTP*472
    assert (short.date_of_service, short.service_date) == (None, "")


def test_memo_follows_the_separators_of_each_line():
    """The memo holds the SV1s of one pair of element and component separators at a time: lines of
    interchanges that alternate them, or that name the same pair in another Delimiters, or an SV1
    made by hand without a text, each read as from scratch."""
    claims._SV1_VALUES.clear()
    text = "SV1|HC*97026*GP|30|UN|1|||1*2"
    star_again = Delimiters("*", "", ":", "\n")  # the same pair as STAR, another object
    for delimiters in (PIPE, STAR, PIPE, star_again, STAR, PIPE):
        line = _line(delimiters, text)
        expected = _read_from_scratch(delimiters, text)
        assert (line.procedure, line.modifiers, line.charge, line.diagnosis_pointers) == expected, delimiters
    bare = Segment(text.split("|"), 1, 0, (1, 0, "0001"), PIPE)  # no text: never remembered
    line = ServiceLine(None, [_segment("LX|1", PIPE), bare], bare)
    assert (line.procedure, line.charge) == ("97026", "30") and None not in claims._SV1_VALUES


def _read_from_scratch(delimiters: Delimiters, text: str) -> tuple:
    elements = text.split(delimiters.element)
    composite = elements[1].split(delimiters.component)
    pointers = elements[7].split(delimiters.component) if len(elements) > 7 and elements[7] else []
    procedure = composite[1] if len(composite) > 1 else ""
    return procedure, tuple(m for m in composite[2:6] if m), elements[2] if len(elements) > 2 else "", pointers
