"""Implementation-guide (pyx12) validation: codes, locations, no side files, no PHI, no crashes."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pytest

from edi_lint import ig
from edi_lint.findings import Finding, Severity
from edi_lint.x12.tokenizer import segments_from_bytes

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real"
INVALID = "imsweb-x12-parser__837p_x222a1_invalid_{}.txt"

# A small, made-up 837P that pyx12 accepts without any error (one claim, one service line).
VALID = (
    "ISA*00*          *00*          *ZZ*SUBMITTER01    *ZZ*RECEIVER01     *240101*1200*^*00501*000000001*0*T*:~\n"
    "GS*HC*SUBMITTER01*RECEIVER01*20240101*1200*1*X*005010X222A1~\n"
    "ST*837*0001*005010X222A1~\n"
    "BHT*0019*00*BATCH1*20240101*1200*CH~\n"
    "NM1*41*2*ACME BILLING*****46*SUBMITTER01~\n"
    "PER*IC*HELP DESK*TE*5555550100~\n"
    "NM1*40*2*SOME PAYER*****46*RECEIVER01~\n"
    "HL*1**20*1~\n"
    "NM1*85*2*ACME CLINIC*****XX*1234567893~\n"
    "N3*1 MAIN STREET~\n"
    "N4*SPRINGFIELD*MI*490010000~\n"
    "REF*EI*123456789~\n"
    "HL*2*1*22*0~\n"
    "SBR*P*18*******CI~\n"
    "NM1*IL*1*DOE*JANE****MI*W123456789~\n"
    "N3*2 ELM STREET~\n"
    "N4*SPRINGFIELD*MI*490010000~\n"
    "DMG*D8*19700101*F~\n"
    "NM1*PR*2*SOME PAYER*****PI*PAYER1~\n"
    "CLM*PCN0001*100***11:B:1*Y*A*Y*Y~\n"
    "HI*ABK:R69~\n"
    "LX*1~\n"
    "SV1*HC:99213*100*UN*1***1~\n"
    "DTP*472*D8*20240101~\n"
    "SE*23*0001~\n"
    "GE*1*1~\n"
    "IEA*1*000000001~\n"
)

# The same claim with distinctive made-up PHI in failing elements and one misplaced segment.
PHI = (
    VALID.replace("NM1*IL*1*DOE*JANE****MI*W123456789~", "NM1*IL*1*ZZPHISURNAME" + "Q" * 60 + "*JANE****MI*ZZPHIMEMBERID~")
    .replace("N3*2 ELM STREET~", "N3*ZZPHISTREET   ~")
    .replace("DMG*D8*19700101*F~", "DMG*D8*ZZPHI999*F~\nN4*ZZPHICITY*MI*490010000~")
)


def corpus_file(name: str) -> bytes:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"the shared real-world corpus ({CORPUS}) is not present")
    return path.read_bytes()


def codes(findings: list[Finding]) -> list[str]:
    return [f.rule for f in findings]


# --------------------------------------------------------------------------------------------
# Rule metadata


def test_rules_metadata():
    assert "IG001" in ig.RULES
    names = set()
    for code, info in ig.RULES.items():
        assert info.code == code and re.fullmatch(r"IG\d{3}", code)
        assert re.fullmatch(r"ig(-[a-z0-9]+)+", info.name), info.name
        assert info.name not in names
        names.add(info.name)
        assert info.scope == "file" and info.ruleset == "ig"
        assert info.source == "pyx12 005010X222A1 map"
        assert info.summary and info.tags and set(info.tags) <= {"snip1", "snip2"}
        assert info.severity in (Severity.ERROR, Severity.WARNING)
    assert ig.RULES["IG303"].name == "ig-mandatory-segment-missing"
    assert ig.RULES["IG407"].name == "ig-invalid-code-value"
    assert ig.RULES["IG392"].severity == Severity.WARNING  # trailing separators: cosmetic
    assert ig.RULES["IG391"].severity == Severity.WARNING  # leading space: cosmetic


# --------------------------------------------------------------------------------------------
# Inline files (no corpus needed)


def test_valid_inline_file_has_no_findings():
    assert ig.validate(VALID.encode(), "valid.837") == []


def test_findings_carry_our_locations_and_defined_codes():
    data = VALID.replace("CLM*PCN0001*100***11:B:1*Y*A*Y*Y~", "CLM*PCN0001*100****Y*A*Y*Y~").encode()
    findings = ig.validate(data, "in/claim.837")
    assert codes(findings) == ["IG401"]
    (f,) = findings
    segments = list(segments_from_bytes(data))
    clm = next(s for s in segments if s.id == "CLM")
    assert (f.path, f.loop, f.segment, f.element) == ("in/claim.837", "2300", "CLM", "CLM05")
    assert (f.segment_index, f.line, f.column, f.byte_offset) == (clm.index, clm.line, clm.column, clm.offset)
    assert f.transaction == "0001"
    assert f.name == "ig-mandatory-element-missing" and f.severity == Severity.ERROR
    assert "CLM05" in f.message


def test_every_emitted_code_is_a_rule():
    variants = [
        PHI,
        VALID.replace("SE*23*0001~", "SE*99*0002~").replace("GE*1*1~", "GE*3*7~").replace("IEA*1*000000001~", "IEA*2*5~"),
        VALID.replace("HI*ABK:R69~", "HI*ABK:R69*~"),  # trailing separator
        VALID.replace("HL*2*1*22*0~", "HL*3*9*22*0~"),  # HL numbering
        VALID.replace("LX*1~", "LX*2~"),
        VALID.replace("REF*EI*123456789~", "REF*EI*123456789~\nREF*EI*123456789~"),  # max use
        VALID.replace("NM1*85*2*ACME CLINIC*****XX*1234567893~", "NM1*85*2*ACME CLINIC*****XX*1234567893*X*Y*Z*W~"),
    ]
    for text in variants:
        findings = ig.validate(text.encode(), "x.837")
        assert findings
        for f in findings:
            info = ig.RULES[f.rule]
            assert (f.name, f.severity) == (info.name, info.severity)
            assert f.message and "\n" not in f.message


def test_envelope_errors():
    text = VALID.replace("SE*23*0001~", "SE*99*0002~").replace("GE*1*1~", "GE*3*7~")
    findings = ig.validate(text.encode(), "x.837")
    by_code = {f.rule: f for f in findings}
    assert {"IG203", "IG204", "IG154", "IG155"} <= set(by_code)
    assert by_code["IG204"].segment == "SE" and by_code["IG204"].loop == "ST_LOOP"
    assert by_code["IG204"].segment_index == 25 and by_code["IG204"].transaction == "0001"
    assert by_code["IG155"].segment == "GE" and by_code["IG155"].transaction is None


def test_trailing_separator_is_a_warning():
    findings = ig.validate(VALID.replace("HI*ABK:R69~", "HI*ABK:R69*~").encode(), "x.837")
    assert [(f.rule, f.severity, f.segment, f.segment_index) for f in findings] == [
        ("IG392", Severity.WARNING, "HI", 21)
    ]


def test_bom_crlf_and_indentation_are_normalised():
    lines = VALID.splitlines()
    text = "\r\n".join(("    " if n > 1 else "") + line for n, line in enumerate(lines))
    data = b"\xef\xbb\xbf" + text.encode()  # pyx12 alone crashes on the BOM
    assert ig.validate(data, "bom.837") == []
    broken = data.replace(b"CLM*PCN0001*100***11:B:1*Y*A*Y*Y~", b"CLM*PCN0001*100****Y*A*Y*Y~")
    (f,) = ig.validate(broken, "bom.837")
    clm = next(s for s in segments_from_bytes(broken) if s.id == "CLM")
    assert f.rule == "IG401" and (f.line, f.column, f.byte_offset) == (clm.line, 5, clm.offset)


def test_unterminated_last_segment_and_one_line_file():
    one_line = VALID.replace("~\n", "~")
    assert ig.validate(one_line.encode(), "x.837") == []
    assert ig.validate(one_line[:-1].encode(), "x.837") == []  # IEA without its terminator


def test_no_phi_in_findings():
    data = PHI.encode()
    # The check is meaningful only if pyx12's own messages do quote the values.
    events, _ = ig._run_pyx12(ig._normalise(list(segments_from_bytes(data))))
    assert any("ZZPHI" in e.text for e in events)
    findings = ig.validate(data, "phi.837")
    found = {(f.rule, f.element or f.segment) for f in findings}
    assert {("IG405", "NM103"), ("IG408", "DMG02"), ("IG496", "N301"), ("IG301", "N4")} <= found
    for f in findings:
        for value in f.to_dict().values():
            assert "ZZPHI" not in str(value), f
        assert "QQQQ" not in f.message


def test_pyx12_logging_silenced_and_restored(caplog):
    logger = logging.getLogger("pyx12")
    before = (logger.level, logger.propagate, logger.disabled)
    with caplog.at_level(logging.DEBUG):
        ig.validate(PHI.encode(), "phi.837")
    assert not [r for r in caplog.records if r.name.startswith("pyx12")]
    assert (logger.level, logger.propagate, logger.disabled) == before
    import pyx12.error_handler

    assert pyx12.error_handler.err_handler.__name__ == "err_handler"  # the patch is undone


def test_no_side_files(tmp_path, monkeypatch):
    work = tmp_path / "in"
    work.mkdir()
    target = work / "claims.837"
    target.write_bytes(PHI.encode())
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    ig.validate(target.read_bytes(), str(target))
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_pyx12_exception_becomes_one_ig001(monkeypatch):
    import pyx12.x12n_document

    def boom(*args, **kwargs):
        raise RuntimeError("internal failure on 'ZZPHISURNAME'")

    monkeypatch.setattr(pyx12.x12n_document, "x12n_document", boom)
    findings = ig.validate(VALID.encode(), "x.837")
    assert len(findings) == 1
    (f,) = findings
    assert (f.rule, f.name, f.severity) == ("IG001", "ig-validator-failed", Severity.ERROR)
    assert "RuntimeError" in f.message and "ZZPHI" not in f.message and "\n" not in f.message


def test_no_map_for_guide_is_ig001():
    findings = ig.validate(VALID.replace("005010X222A1", "005010X222A2").encode(), "x.837")
    assert codes(findings) == ["IG001"]
    assert "Map not found" in findings[0].message


@pytest.mark.parametrize("data", [b"", b"hello world", b"GS*HC*A*B~", b"ISA*00*short~"])
def test_unreadable_input_is_ig001(data):
    findings = ig.validate(data, "bad.837")
    assert codes(findings) == ["IG001"]


def test_version_pyx12_rejects_is_ig001():
    text = VALID.replace("*00501*", "*00601*")
    findings = ig.validate(text.encode(), "x.837")
    assert codes(findings) == ["IG001"] and "rejected" in findings[0].message
    assert "00601" in findings[0].message and "SUBMITTER01" not in findings[0].message  # no ISA echo


def test_interchanges_with_different_delimiters():
    second = (
        VALID.replace("*", "|").replace(":", ">").replace("|^|", "|!|").replace("000000001", "000000002")
    )
    data = (VALID + second).encode()
    segments = list(segments_from_bytes(data))
    assert segments[27].id == "ISA" and segments[27].delimiters.element == "|"
    assert ig.validate(data, "x.837") == []
    broken = VALID + second.replace("|11>B>1|", "||")  # CLM05 missing in the second interchange
    findings = ig.validate(broken.encode(), "x.837")
    clm = [s for s in segments_from_bytes(broken.encode()) if s.id == "CLM"][1]
    assert [(f.rule, f.element, f.segment_index) for f in findings] == [("IG401", "CLM05", clm.index)]


# --------------------------------------------------------------------------------------------
# The real-world corpus: the seven intentionally invalid imsweb files name their error


def find(findings, rule, loop=None, segment=None, element=None):
    return [
        f
        for f in findings
        if f.rule == rule
        and (loop is None or f.loop == loop)
        and (segment is None or f.segment == segment)
        and (element is None or f.element == element)
    ]


@pytest.mark.parametrize(
    "name, rule, loop, segment, element, at",
    [
        ("bad_valid_code", "IG301", "2000A", "PER", None, 13),  # PER*IC not found in 2000A
        ("segment_errors", "IG303", "2010AA", "N3", None, 10),  # mandatory N3 missing in 2010AA
        ("bad_segment_identifier", "IG301", None, "NM31", None, 20),  # invalid identifier NM31
        ("missing_elements", "IG401", "2300", "CLM", "CLM05", 31),  # mandatory CLM05 missing
        ("2010aa_too_many", "IG304", "2010AA", "NM1", None, 15),  # loop 2010AA over max
        ("missing_2400_mult_repeats", "IG303", "2400", None, None, 35),  # mandatory loop 2400
        ("segments_out_of_order", "IG301", "2010AA", "N4", None, 12),  # N4 out of order
    ],
)
def test_invalid_corpus_files_name_the_intended_error(name, rule, loop, segment, element, at):
    data = corpus_file(INVALID.format(name))
    findings = ig.validate(data, name)
    hits = find(findings, rule, loop, segment, element)
    assert hits, [(f.rule, f.loop, f.segment, f.element) for f in findings]
    assert at in [f.segment_index for f in hits]
    by_index = {s.index: s for s in segments_from_bytes(data)}
    for f in findings:
        seg = by_index[f.segment_index]
        assert (f.line, f.column, f.byte_offset) == (seg.line, seg.column, seg.offset)
        assert f.transaction in (None, "987654")
    assert "IG001" not in codes(findings)


def test_corpus_specific_messages():
    findings = ig.validate(corpus_file(INVALID.format("bad_segment_identifier")), "x")
    assert any("NM31" in f.message for f in find(findings, "IG301", segment="NM31"))
    findings = ig.validate(corpus_file(INVALID.format("missing_2400_mult_repeats")), "x")
    assert len(find(findings, "IG303", loop="2400")) == 2  # claims #2 and #5
    findings = ig.validate(corpus_file(INVALID.format("2010aa_too_many")), "x")
    (f,) = find(findings, "IG304")
    assert "2010AA" in f.message and "2" in f.message
    findings = ig.validate(corpus_file(INVALID.format("segments_out_of_order")), "x")
    assert find(findings, "IG303", "2010AA", "N4")  # and N4 missing at its place
    assert not any("CALVERTON" in f.message for f in findings)  # N401 (a city) is not quoted


@pytest.mark.parametrize(
    "name",
    [
        "inteligenz-x12parser__837p_x222a1_st1309_cr_terminator.txt",
        "inteligenz-x12parser__837p_x222a1_medicaid_indented_masked.txt",
    ],
)
def test_bom_indented_corpus_files(name):
    data = corpus_file(name)
    assert data.startswith(b"\xef\xbb\xbf")
    findings = ig.validate(data, name)
    assert not [f for f in findings if f.rule in ("IG001", "IG391")]
    assert not any("leading space" in f.message for f in findings)
    by_index = {s.index: s for s in segments_from_bytes(data)}
    for f in findings:
        seg = by_index[f.segment_index]
        assert (f.line, f.column, f.byte_offset) == (seg.line, seg.column, seg.offset)


def test_valid_corpus_file_has_no_errors():
    findings = ig.validate(corpus_file("uhin-x12-parser-library__837p_x222a1_sample.edi"), "x")
    assert not [f for f in findings if f.severity >= Severity.ERROR]


def test_corpus_separators_do_not_change_findings():
    plain = ig.validate(corpus_file("imsweb-x12-parser__837p_x222a1_valid.txt"), "x")
    other = ig.validate(corpus_file("imsweb-x12-parser__837p_x222a1_valid_different_separators.txt"), "x")
    assert plain and [(f.rule, f.segment_index, f.element) for f in plain] == [
        (f.rule, f.segment_index, f.element) for f in other
    ]


def test_corpus_run_leaves_no_side_files(tmp_path):
    name = INVALID.format("segment_errors")
    data = corpus_file(name)
    shutil.copy(CORPUS / name, tmp_path / name)
    before = sorted(p.name for p in tmp_path.iterdir())
    ig.validate((tmp_path / name).read_bytes(), str(tmp_path / name))
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert (tmp_path / name).read_bytes() == data


def test_whole_corpus_never_raises():
    if not CORPUS.is_dir():
        pytest.skip(f"the shared real-world corpus ({CORPUS}) is not present")
    for path in sorted(CORPUS.iterdir()):
        if not path.is_file() or path.stat().st_size > 100_000:  # many_claims: see the timing notes
            continue
        findings = ig.validate(path.read_bytes(), path.name)
        assert all(f.rule in ig.RULES and f.path == path.name for f in findings)
        assert [f for f in findings if f.rule == "IG001"] in ([], findings)  # IG001 comes alone


def test_junk_input_stops_at_the_error_cap(monkeypatch):
    """pyx12 keeps every error; on junk the validation stops at a cap with one IG001 saying so."""
    monkeypatch.setattr(ig, "MAX_ERRORS", 20)
    junk = "".join(f"ZZ{i}*JUNK~\n" for i in range(200))
    data = VALID.replace("BHT*", junk + "BHT*", 1).encode()
    findings = ig.validate(data, "junk.837")
    assert len(findings) <= 21
    assert findings[-1].rule == "IG001" and "stopped after 20 errors" in findings[-1].message
