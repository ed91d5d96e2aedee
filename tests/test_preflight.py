"""The clearinghouse pre-flight split: `edi-lint IN --accepted OK --rejected HELD`.

Both outputs must be valid 837P interchanges (checked with pyx12), accepted must lint clean,
rejected must hold exactly the failing claims, and no claim may be lost or duplicated.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, read_expected
from edi_lint.cli import main
from edi_lint.findings import Finding, Severity
from edi_lint.rules.registry import all_rule_infos
from edi_lint.x12.tokenizer import segments_from_bytes

SPLIT_FIXTURES = [
    "multi_envelope.837",
    "patient_loop.837",
    "precedence_rendering.837",
    "sample.837",
    "precedence_pos.837",
    "modifiers.837",
    "delims_pipe.837",
    "delims_exotic.x12",
    "delims_crlf.837",
    "delims_oneline.837",
]


def invoke(*args: str, input: bytes | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def clm01s(data: bytes) -> list[str]:
    return [seg.get(1) for seg in segments_from_bytes(data) if seg.id == "CLM"] if data else []


def segment_ids(data: bytes) -> list[str]:
    return [seg.id for seg in segments_from_bytes(data)]


def pyx12_valid(data: bytes) -> tuple[bool, str]:
    """pyx12's verdict on an interchange file, and its 999 (accepted: IK5*A, AK9*A)."""
    import pyx12.params
    import pyx12.x12n_document

    ack = io.StringIO()
    previous = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        ok = pyx12.x12n_document.x12n_document(
            param=pyx12.params.ParamsBase(), src_file=io.StringIO(data.decode("latin-1")),
            fd_997=ack, fd_html=None,
        )
    finally:
        logging.disable(previous)
    return ok, ack.getvalue()


def split(tmp_path: Path, source: Path, *extra: str):
    accepted, rejected = tmp_path / "ok.837", tmp_path / "held.837"
    result = invoke(str(source), "--accepted", str(accepted), "--rejected", str(rejected), *extra)
    return result, accepted, rejected


@pytest.mark.parametrize("name", SPLIT_FIXTURES)
def test_split_outputs_are_valid_and_partition_the_claims(tmp_path, name):
    source = FIXTURES / name
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    result, accepted, rejected = split(tmp_path, source, "--format", "json")
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before  # the input is never modified
    good, bad = accepted.read_bytes(), rejected.read_bytes()

    errors = {code for code, info in all_rule_infos().items() if info.severity >= Severity.ERROR}
    failing = {claim for rule, claim, _ in read_expected(FIXTURES / f"{name}.expected") if claim and rule in errors}
    every = clm01s(source.read_bytes())
    assert Counter(clm01s(good)) + Counter(clm01s(bad)) == Counter(every)  # none lost, none duplicated
    assert set(clm01s(bad)) == failing
    assert set(clm01s(good)) == set(every) - failing
    assert result.exit_code == (1 if failing else 0)

    doc = json.loads(result.stdout)
    where = {c["claim_id"]: c["accepted"] for c in doc["claims"]}
    assert where == {claim: claim not in failing for claim in every}
    assert doc["split"]["accepted"] == len(clm01s(good)) and doc["split"]["rejected"] == len(clm01s(bad))

    for data in (good, bad):
        if not data:
            continue  # an output with no claims is an empty file
        ok, ack = pyx12_valid(data)
        assert ok, ack
        assert "IK5*A" in ack and "IK5*R" not in ack and "IK3" not in ack
        if name != "delims_bom_indented.edi":
            isa = data[:106]
            assert isa in source.read_bytes()  # delimiters and ISA identifiers as in the input

    if good:
        relint = invoke(str(accepted), "--format", "json")
        assert relint.exit_code == 0, relint.stdout
        assert [f for f in json.loads(relint.stdout)["findings"] if f["severity"] == "error"] == []
    if bad:
        relint = invoke(str(rejected), "--format", "json")
        flagged = {f["claim_id"] for f in json.loads(relint.stdout)["findings"]}
        assert flagged == failing


def test_envelope_identifiers_kept_and_counts_recomputed(tmp_path):
    source = FIXTURES / "multi_envelope.837"
    _, accepted, rejected = split(tmp_path, source)
    data = accepted.read_bytes()
    segs = list(segments_from_bytes(data))
    assert [s.id for s in segs if s.id in ("ISA", "GS", "ST", "SE", "GE", "IEA")] == [
        "ISA", "GS", "ST", "SE", "GE", "IEA"]
    isa = next(s for s in segs if s.id == "ISA")
    gs = next(s for s in segs if s.id == "GS")
    st = next(s for s in segs if s.id == "ST")
    assert isa.get(13) == "000000702" and gs.get(6) == "7021" and st.get(2) == "0002"
    st_at = next(i for i, s in enumerate(segs) if s.id == "ST")
    se_at = next(i for i, s in enumerate(segs) if s.id == "SE")
    se = segs[se_at]
    assert se.get(1) == str(se_at - st_at + 1) and se.get(2) == "0002"
    assert next(s for s in segs if s.id == "GE").elements[1:] == ["1", "7021"]
    assert next(s for s in segs if s.id == "IEA").elements[1:] == ["1", "000000702"]
    hls = [s.elements[1:5] for s in segs if s.id == "HL"]
    assert hls == [["1", "", "20", "1"], ["2", "1", "22", "0"]]

    held = list(segments_from_bytes(rejected.read_bytes()))
    assert [s.get(13) for s in held if s.id == "ISA"] == ["000000701", "000000702"]
    assert [s.elements[1:] for s in held if s.id == "IEA"] == [["1", "000000701"], ["2", "000000702"]]
    assert [s.elements[1:] for s in held if s.id == "GE"] == [["1", "7011"], ["2", "7021"], ["1", "7022"]]


def test_patient_levels_renumbered_with_children(tmp_path):
    _, accepted, rejected = split(tmp_path, FIXTURES / "patient_loop.837")
    good = list(segments_from_bytes(accepted.read_bytes()))
    # PAT-SPOUSE-2310B-NO-PRV (a warning only) and PAT-SPOUSE-CLEAN: billing, subscriber HL 5 and patient
    # HL 6 of the input, renumbered 2 and 3.
    assert [s.elements[1:5] for s in good if s.id == "HL"] == [
        ["1", "", "20", "1"], ["2", "1", "22", "1"], ["3", "2", "23", "0"]]
    assert [s.id for s in good].count("PAT") == 1
    bad = list(segments_from_bytes(rejected.read_bytes()))
    assert [s.elements[1:5] for s in bad if s.id == "HL"] == [
        ["1", "", "20", "1"], ["2", "1", "22", "1"], ["3", "2", "23", "0"], ["4", "1", "22", "0"]]
    # Each claim carries its own context: the patient's name sits right before its claim.
    ids = [s.id for s in bad]
    assert ids.index("CLM") > ids.index("PAT")


def test_line_breaks_and_delimiters_follow_the_input(tmp_path):
    _, accepted, rejected = split(tmp_path, FIXTURES / "delims_crlf.837")
    text = rejected.read_bytes()
    assert text.count(b"~\r\n") == text.count(b"~") and text.endswith(b"~\r\n")
    _, accepted, rejected = split(tmp_path, FIXTURES / "delims_oneline.837")
    assert b"\n" not in rejected.read_bytes()
    _, accepted, rejected = split(tmp_path, FIXTURES / "delims_exotic.x12")
    data = rejected.read_bytes()
    assert data.startswith(b"ISA!") and b"SV1!HC^97026" in data


def test_bom_and_indentation_are_not_carried_over(tmp_path):
    result, accepted, rejected = split(tmp_path, FIXTURES / "delims_bom_indented.edi")
    data = rejected.read_bytes()
    assert data.startswith(b"ISA*") and b"\n  " not in data
    ok, ack = pyx12_valid(data)
    assert ok, ack


def test_clean_file_gives_empty_rejected_file(tmp_path):
    result, accepted, rejected = split(tmp_path, FIXTURES / "clean.837")
    assert result.exit_code == 0
    assert rejected.exists() and rejected.read_bytes() == b""
    assert Counter(clm01s(accepted.read_bytes())) == Counter(clm01s((FIXTURES / "clean.837").read_bytes()))
    assert pyx12_valid(accepted.read_bytes())[0]


def test_truncated_file_keeps_the_incomplete_claim(tmp_path):
    source = FIXTURES / "truncated.837"
    result, accepted, rejected = split(tmp_path, source, "--format", "json")
    assert result.exit_code == 1
    assert accepted.read_bytes() == b""  # ENV001 holds back the whole cut transaction
    assert clm01s(rejected.read_bytes()) == ["TRUNC-COMPLETE-01", "TRUNC-CUT-02"]
    doc = json.loads(result.stdout)
    assert {c["claim_id"]: c["accepted"] for c in doc["claims"]} == {
        "TRUNC-COMPLETE-01": False, "TRUNC-CUT-02": False}
    assert doc["split"]["incomplete"] == ["TRUNC-CUT-02"]
    ids = segment_ids(rejected.read_bytes())
    assert ids[-3:] == ["SE", "GE", "IEA"]  # the envelope is closed even though the input's was not


def test_fail_on_warning_holds_by_scope(tmp_path):
    """An above-claim finding holds what its segment is in: a claim, a transaction, nothing more."""
    text = (FIXTURES / "multi_envelope.837").read_text()
    clean = "CLM*ME-I2-G1-T2-CLEAN"

    def run(modified: str):
        path = tmp_path / "in.837"
        path.write_text(modified)
        # The edits insert a segment without fixing SE01; IG204 (segment count) is not what is tested here.
        result, accepted, rejected = split(tmp_path, path, "--fail-on", "warning", "--format", "json",
                                           "--ignore", "IG204")
        return clm01s(accepted.read_bytes()), json.loads(result.stdout)

    assert run(text)[0] == ["ME-I2-G1-T2-CLEAN"]
    # Inside another, already failing claim of the same transaction: the clean claim stays accepted.
    inside_other = text.replace("NM1*82*1*OSTROWSKI", "ZZQ*1~NM1*82*1*OSTROWSKI")
    good, doc = run(inside_other)
    assert good == ["ME-I2-G1-T2-CLEAN"] and any(f["rule"] == "IG301" for f in doc["findings"])
    # Inside the clean claim itself: held.
    good, doc = run(text.replace(clean + "*30***11:B:1*Y*A*Y*Y~", clean + "*30***11:B:1*Y*A*Y*Y~ZZQ*1~"))
    assert good == []
    # In the transaction header (BHT ... 1000B) of the clean claim's transaction: held.
    good, doc = run(text.replace("BHT*0019*00*ME7021B", "ZZQ*1~BHT*0019*00*ME7021B"))
    assert good == [] and doc["split"]["rejected"] == 5


def test_above_claim_scopes_unit():
    from edi_lint.application import build_linter
    from edi_lint.engine import Settings
    from edi_lint.preflight import final_verdicts

    data = (FIXTURES / "multi_envelope.837").read_bytes()
    result = build_linter(Settings(collect_verdicts=True)).lint_bytes(data, "m.837")
    segs = list(segments_from_bytes(data))

    def accepted_with(segment_index):
        extra = Finding("ENV999", "x", Severity.ERROR, "x", segment_index=segment_index)
        result.findings.append(extra)
        try:
            return {v.claim_id for v in final_verdicts(data, result, Severity.ERROR) if v.accepted}
        finally:
            result.findings.remove(extra)

    everything = {"ME-I2-G1-T2-CLEAN"}
    assert accepted_with(None) == set()  # no location at all: the whole file
    ises = [s.index for s in segs if s.id == "ISA"]
    gses = [s.index for s in segs if s.id == "GS"]
    ges = [s.index for s in segs if s.id == "GE"]
    ieas = [s.index for s in segs if s.id == "IEA"]
    assert accepted_with(ises[0]) == everything  # interchange 1 holds nothing accepted
    assert accepted_with(ieas[0]) == everything
    assert accepted_with(ises[1]) == set()
    assert accepted_with(ieas[1]) == set()
    assert accepted_with(gses[1]) == set() and accepted_with(ges[1]) == set()
    assert accepted_with(gses[2]) == everything and accepted_with(ges[2]) == everything
    # The clean claim's subscriber level (its NM1*IL) holds it; the other subscriber's does not.
    oduya = next(s.index for s in segs if s.id == "NM1" and s.get(3) == "ODUYA")
    assert accepted_with(oduya) == set()
    sato = next(s.index for s in segs if s.id == "NM1" and s.get(3) == "SATO")
    assert accepted_with(sato) == everything


def test_json_verdicts_reflect_held_back_findings_via_api(tmp_path):
    import edi_lint

    report = edi_lint.lint(FIXTURES / "truncated.837")
    assert [c.accepted for c in report.claims] == [False]
    report = edi_lint.split(FIXTURES / "truncated.837", tmp_path / "a.837", tmp_path / "r.837")
    assert [(c.claim_id, c.accepted) for c in report.claims] == [
        ("TRUNC-COMPLETE-01", False), ("TRUNC-CUT-02", False)]


def test_stdin_input(tmp_path):
    data = (FIXTURES / "sample.837").read_bytes()
    accepted, rejected = tmp_path / "a.837", tmp_path / "r.837"
    result = invoke("-", "--accepted", str(accepted), "--rejected", str(rejected), input=data)
    assert result.exit_code == 1
    assert Counter(clm01s(accepted.read_bytes()) + clm01s(rejected.read_bytes())) == Counter(clm01s(data))


@pytest.mark.parametrize("args, message", [
    (["A", "B"], "exactly one input"),
    (["A", "--accepted", "x.837"], "go together"),
    (["A", "--accepted", "A", "--rejected", "y.837"], "must not be the input"),
    (["A", "--accepted", "x.837", "--rejected", "x.837"], "different files"),
    (["A", "--accepted", "x.837", "--rejected", "y.837", "--baseline", "b.json"], "cannot be combined"),
])
def test_usage_errors(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "A").write_bytes((FIXTURES / "sample.837").read_bytes())
    (tmp_path / "B").write_bytes((FIXTURES / "clean.837").read_bytes())
    if "--accepted" not in args:
        args = args + ["--accepted", "x.837", "--rejected", "y.837"]
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert (tmp_path / "A").read_bytes() == (FIXTURES / "sample.837").read_bytes()
    assert not (tmp_path / "y.837").exists() or "different" in message


def test_unlintable_input_writes_nothing(tmp_path):
    bad = tmp_path / "bad.837"
    bad.write_text("hello, not X12\n")
    result, accepted, rejected = split(tmp_path, bad)
    assert result.exit_code == 2
    assert not accepted.exists() and not rejected.exists()


def test_per_file_ignores_do_not_hold_claims(tmp_path, monkeypatch):
    """A finding switched off by per-file-ignores is not reported, so it must not reject its claim."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sample.837").write_bytes((FIXTURES / "sample.837").read_bytes())
    (tmp_path / "edi-lint.toml").write_text('[per-file-ignores]\n"*.837" = ["PT001"]\n')
    result, accepted, rejected = split(tmp_path, Path("sample.837"), "--format", "json")
    doc = json.loads(result.stdout)
    assert "PT001" not in {f["rule"] for f in doc["findings"]}
    assert clm01s(accepted.read_bytes()) == ["SAMPLE-GO-MODIFIER"]  # its only finding was PT001


def test_text_report_says_where_claims_went(tmp_path):
    result, accepted, rejected = split(tmp_path, FIXTURES / "truncated.837")
    assert result.stdout.splitlines()[-1] == (
        f"Pre-flight split: 0 claim(s) accepted -> {accepted}, 2 rejected -> {rejected} (1 cut off by truncation).")


def test_output_permissions_follow_umask(tmp_path):
    import os
    import stat

    _, accepted, rejected = split(tmp_path, FIXTURES / "sample.837")
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(accepted.stat().st_mode) == 0o666 & ~umask
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no temporary left behind


def test_missing_output_directory_is_a_usage_error(tmp_path):
    result = invoke(str(FIXTURES / "sample.837"), "--accepted", str(tmp_path / "no" / "a.837"),
                    "--rejected", str(tmp_path / "r.837"))
    assert result.exit_code == 2 and "does not exist" in result.stderr


def test_generated_file_with_many_shapes(tmp_path):
    """A generated file: 3 transactions, patient loops, 2310B and 2420A providers, 20% defects."""
    import importlib.util
    import sys

    path = FIXTURES.parent / "bench" / "gen837.py"
    spec = importlib.util.spec_from_file_location("bench_gen837_preflight", path)
    gen = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = gen
    spec.loader.exec_module(gen)
    source = tmp_path / "gen.837"
    with open(source, "w", newline="") as out:
        gen.generate(out, 120, tx=3, seed=11, defect_rate=0.2, newlines=True, patient_rate=0.5,
                     line_provider_rate=0.3)
    result, accepted, rejected = split(tmp_path, source, "--format", "json")
    good, bad = accepted.read_bytes(), rejected.read_bytes()
    assert Counter(clm01s(good)) + Counter(clm01s(bad)) == Counter(clm01s(source.read_bytes()))
    assert clm01s(good) and clm01s(bad)
    for data in (good, bad):
        ok, ack = pyx12_valid(data)
        assert ok and ack.count("IK5*A") == 3, ack
    assert invoke(str(accepted)).exit_code == 0
    failing = {f["claim_id"] for f in json.loads(result.stdout)["findings"] if f["severity"] == "error"}
    assert set(clm01s(bad)) == failing
    assert {f["claim_id"] for f in json.loads(invoke(str(rejected), "--format", "json").stdout)["findings"]
            if f["severity"] == "error"} == failing


@pytest.mark.parametrize("old, new, clean_accepted", [
    ("SE*31*0002~", "SE*30*0002~", False),  # the clean claim's own transaction: SE01 wrong
    ("GE*2*7021~", "GE*3*7021~", False),  # its group: GE01 wrong
    ("IEA*2*000000702~", "IEA*3*000000702~", False),  # its interchange: IEA01 wrong
    ("SE*24*0001~\nGE*1*7011~", "SE*23*0001~\nGE*1*7011~", True),  # another interchange's transaction
    ("SE*27*0001~", "SE*26*0001~", True),  # another group's transaction
])
def test_envelope_count_errors_hold_what_they_cover(tmp_path, old, new, clean_accepted):
    text = (FIXTURES / "multi_envelope.837").read_text()
    assert text.count(old) == 1
    source = tmp_path / "in.837"
    source.write_text(text.replace(old, new))
    result, accepted, rejected = split(tmp_path, source, "--format", "json")
    doc = json.loads(result.stdout)
    above_claim = [f for f in doc["findings"] if f["claim_id"] is None and f["severity"] == "error"]
    assert above_claim, "the envelope rules should report the wrong count"
    assert clm01s(accepted.read_bytes()) == (["ME-I2-G1-T2-CLEAN"] if clean_accepted else [])
    assert Counter(clm01s(accepted.read_bytes()) + clm01s(rejected.read_bytes())) == Counter(clm01s(text.encode()))
    for data in (accepted.read_bytes(), rejected.read_bytes()):
        if data:
            assert pyx12_valid(data)[0]  # the counts are recomputed, so the outputs are valid again


def test_interchanges_with_different_delimiters(tmp_path):
    parts = [(FIXTURES / n).read_bytes() for n in ("delims_pipe.837", "sample.837", "delims_exotic.x12")]
    source = tmp_path / "mixed.837"
    source.write_bytes(b"".join(parts))
    result, accepted, rejected = split(tmp_path, source)
    data = rejected.read_bytes()
    assert Counter(clm01s(accepted.read_bytes()) + clm01s(data)) == Counter(clm01s(source.read_bytes()))
    isas = [seg for seg in segments_from_bytes(data) if seg.id == "ISA"]
    assert [(i.delimiters.element, i.delimiters.segment) for i in isas] == [("|", "~"), ("*", "~"), ("!", "\n")]
    assert b"\n\n" not in data  # a newline terminator gets no extra line break
    for chunk in data.split(b"ISA")[1:]:  # each interchange, cut out of the output, is valid on its own
        ok, ack = pyx12_valid(b"ISA" + chunk)
        assert ok, ack


def test_duplicate_claim_ids_are_judged_one_by_one(tmp_path):
    text = (FIXTURES / "sample.837").read_text()
    # Give the clean-looking hospital claim the id of the GO claim: two claims, one CLM01.
    source = tmp_path / "dup.837"
    source.write_text(text.replace("CLM*SAMPLE-HOSPITAL-POS*", "CLM*SAMPLE-GO-MODIFIER*"))
    source.write_text(source.read_text().replace("SV1*HC:97026:GO*", "SV1*HC:97026:GP*"))  # first one clean
    result, accepted, rejected = split(tmp_path, source, "--format", "json")
    doc = json.loads(result.stdout)
    verdicts = [(c["claim_id"], c["accepted"]) for c in doc["claims"]]
    assert verdicts == [("SAMPLE-GO-MODIFIER", True), ("SAMPLE-GO-MODIFIER", False), ("SAMPLE-RENDERING-PTA", False)]
    assert clm01s(accepted.read_bytes()) == ["SAMPLE-GO-MODIFIER"]
    assert clm01s(rejected.read_bytes()) == ["SAMPLE-GO-MODIFIER", "SAMPLE-RENDERING-PTA"]


def test_standard_output_is_not_an_output_file(tmp_path):
    result = invoke(str(FIXTURES / "sample.837"), "--accepted", "-", "--rejected", str(tmp_path / "r.837"))
    assert result.exit_code == 2 and "file paths" in result.stderr


def clm_texts(data: bytes) -> list[str]:
    """CLM01 of every CLM segment, found textually (also in output parts a tokenizer would refuse)."""
    parts = [p.strip() for p in data.decode("latin-1").split("~")]
    return [p.split("*")[1] for p in parts if p.startswith("CLM*")]


def test_misplaced_claim_segment_is_carried_not_lost(tmp_path):
    """A CLM where the guide has no place for it (right after ST) is not a claim the reader can
    yield, but its data must not vanish: it holds its transaction and lands in the rejected file."""
    text = (FIXTURES / "multi_envelope.837").read_text()
    stray = "CLM*STRAY-CLAIM*30***11:B:1*Y*A*Y*Y~\n"
    source = tmp_path / "in.837"
    source.write_text(text.replace("ST*837*0002*005010X222A1~\n", "ST*837*0002*005010X222A1~\n" + stray))
    result, accepted, rejected = split(tmp_path, source, "--format", "json")
    doc = json.loads(result.stdout)
    assert clm01s(accepted.read_bytes()) == []  # the clean claim shares the stray's transaction
    assert Counter(clm_texts(accepted.read_bytes()) + clm_texts(rejected.read_bytes())) == Counter(
        clm_texts(source.read_bytes()))
    assert doc["split"]["orphan_segments"]
    # a misplaced CLM is still a claim: listed as held and counted as rejected (issue 11)
    assert {c["claim_id"]: c["accepted"] for c in doc["claims"]}["STRAY-CLAIM"] is False
    assert doc["split"]["rejected"] == len(clm01s(rejected.read_bytes()))
    assert "carried to the rejected file" in invoke(str(source), "--accepted", str(accepted), "--rejected",
                                                      str(rejected)).stdout


def test_orphans_hold_even_with_fail_on_never(tmp_path):
    text = (FIXTURES / "multi_envelope.837").read_text()
    source = tmp_path / "in.837"
    source.write_text(text.replace("ST*837*0002*005010X222A1~\n", "ST*837*0002*005010X222A1~\nZZQ*1~\n"))
    result, accepted, rejected = split(tmp_path, source, "--fail-on", "never", "--format", "json")
    assert result.exit_code == 1  # a claim was held: never 0, whatever held it (issue 11)
    good = clm01s(accepted.read_bytes())
    assert "ME-I2-G1-T2-CLEAN" not in good and "ME-I1-G1-T1-GO" in good  # only its transaction is held
    assert b"ZZQ*1~" in rejected.read_bytes()


def test_orphans_in_a_transaction_without_claims(tmp_path):
    """A transaction whose only 'claim' is misplaced: written to rejected at its place, in the same
    interchange and group as the other held claims (an envelope of its own repeated ISA13 and GS06)."""
    text = (FIXTURES / "sample.837").read_text()
    head = text[: text.index("HL*1**20*1~")]
    extra_st = head[head.index("ST*837"):].replace("ST*837*0001", "ST*837*0002") + \
        "CLM*LONELY*30***11:B:1*Y*A*Y*Y~\nSE*8*0002~\n"
    source = tmp_path / "in.837"
    source.write_text(text.replace("GE*1*1001~", extra_st + "GE*2*1001~"))
    result, accepted, rejected = split(tmp_path, source, "--format", "json")
    data = rejected.read_bytes()
    assert "LONELY" in clm_texts(data)
    assert Counter(clm_texts(accepted.read_bytes()) + clm_texts(data)) == Counter(clm_texts(source.read_bytes()))
    ids = segment_ids(data)
    assert ids.count("ISA") == ids.count("IEA") == 1 and ids.count("GS") == ids.count("GE") == 1
    assert ids.count("ST") == ids.count("SE") == 2


def test_broken_later_isa_holds_its_interchange(tmp_path):
    text = (FIXTURES / "multi_envelope.837").read_text()
    second = "ISA*00*          *00*          *ZZ*EDILINTFIXTURE *ZZ*RIVERBENDCH    *260120*0930*^*00501*000000702"
    assert text.count(second) == 1
    source = tmp_path / "in.837"
    source.write_text(text.replace(second, second.replace("EDILINTFIXTURE ", "EDILINTFIXTURE")))  # 1 short
    result, accepted, rejected = split(tmp_path, source)
    assert clm01s(accepted.read_bytes()) == []  # the clean claim sits in the broken interchange
    assert Counter(clm_texts(rejected.read_bytes())) == Counter(clm_texts(source.read_bytes()))


def test_mangled_files_lose_no_claim(tmp_path):
    """Seeded mangling (delete, duplicate, cut segments; cut the file): no exception, every CLM of the
    input in exactly one output, and the accepted file readable and clean when linted again."""
    import random

    import edi_lint

    texts = [(FIXTURES / n).read_text() for n in
             ("sample.837", "patient_loop.837", "multi_envelope.837", "precedence_rendering.837")]
    rng = random.Random(20261127)
    ok, held = tmp_path / "ok.837", tmp_path / "held.837"
    split_runs = 0
    for _ in range(80):
        segs = rng.choice(texts).split("~")
        for _ in range(rng.randint(1, 4)):
            if len(segs) < 2:
                break
            i, op = rng.randrange(len(segs)), rng.random()
            if op < 0.3:
                del segs[i]
            elif op < 0.6:
                segs.insert(rng.randrange(len(segs)), segs[i])
            elif op < 0.8:
                segs[i] = segs[i][: rng.randrange(len(segs[i]) + 1)]
            else:
                segs = segs[:i]
        data = "~".join(segs).encode("latin-1")
        report = edi_lint.split(data, ok, held)
        if report.split is None:
            assert report.exit_code == 2  # not lintable at all: nothing written
            continue
        split_runs += 1
        good, bad = ok.read_bytes(), held.read_bytes()
        assert Counter(clm_texts(good) + clm_texts(bad)) == Counter(clm_texts(data))
        assert report.split["accepted"] + report.split["rejected"] == len(report.claims)
        if good:
            assert edi_lint.lint(good).exit_code == 0
    assert split_runs > 40


def test_concise_report_is_findings_only_the_summary_on_stderr(tmp_path):
    """concise promises one `path:line:col: CODE message` per line: a grep or an editor reading stdout
    must not meet the split's summary; it is on stderr, and -q silences it."""
    result, accepted, rejected = split(tmp_path, FIXTURES / "sample.837", "--format", "concise")
    lines = result.stdout.splitlines()
    assert len(lines) == 5 and all(re.fullmatch(r".+:\d+:\d+: [A-Z]+\d{3} .+", line) for line in lines)
    assert result.stderr.startswith("Pre-flight split: ") and str(accepted) in result.stderr
    result, _, _ = split(tmp_path, FIXTURES / "sample.837", "--format", "concise", "-q")
    assert "Pre-flight split" not in result.stdout + result.stderr
