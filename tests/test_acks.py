"""Acknowledgments: the 999 (with TA1) and the 277CA written for an input.

Every acknowledgment this file writes goes through `written()`, which validates it with pyx12's own
validator against the 999 (005010X231A1) or 277CA (005010X214) map and fails on any error pyx12 reports.
Each one-defect mutant of fixtures/clean.837 is checked for the exact codes it must produce.
"""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import edi_lint
from conftest import FIXTURES
from edi_lint.x12.tokenizer import segments_from_bytes

CLEAN = (FIXTURES / "clean.837").read_text()


def pyx12_errors(text: str) -> list:
    """Every error pyx12 reports for `text`, at any level (interchange to element)."""
    import pyx12.params
    import pyx12.x12n_document

    logger = logging.getLogger("pyx12")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        report = io.StringIO()
        valid = pyx12.x12n_document.x12n_document(pyx12.params.ParamsBase(), io.StringIO(text), None, None, None,
                                                  report)
    finally:
        logger.setLevel(level)
    found = []

    def collect(node):
        if isinstance(node, dict):
            found.extend(node.get("errors") or [])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(json.loads(report.getvalue()))
    if not valid and not found:
        found.append("pyx12 says the document is not valid")
    return found


def written(path: Path, guide: str) -> str:
    """The acknowledgment at `path`, after checking that pyx12 validates it with no error."""
    text = path.read_text(encoding="latin-1")
    assert all(seg.split("*")[8] == guide for seg in segs(text) if seg.startswith("GS*"))
    assert pyx12_errors(text) == [], text
    return text


def segs(text: str) -> list[str]:
    """Segments as 'ID*...' strings, whatever the delimiters."""
    out = []
    for seg in segments_from_bytes(text.encode("latin-1")):
        d = seg.delimiters
        out.append("*".join(e.replace(d.component, ":") for e in seg.elements))
    return out


def ack(tmp_path: Path, data: str | bytes, **kwargs):
    source = data.encode("latin-1") if isinstance(data, str) else data
    report = edi_lint.acknowledge(source, ack_999=tmp_path / "out.999", ack_277ca=tmp_path / "out.277", **kwargs)
    assert report.files[0].status == "linted", report.files[0].error
    return report, segs(written(tmp_path / "out.999", "005010X231A1")), segs(written(tmp_path / "out.277", "005010X214"))


def mutant(old: str, new: str, se01: int | None = None) -> str:
    assert CLEAN.count(old) == 1, old
    text = CLEAN.replace(old, new)
    if se01 is not None:
        text = text.replace("SE*73*0001~", f"SE*{se01}*0001~")
    return text


def errors_999(segments: list[str]) -> list[str]:
    return [s for s in segments if s.split("*")[0] in ("TA1", "IK3", "CTX", "IK4", "IK5", "AK9")]


def claim_list(segments: list[str]) -> list[tuple[str, list[str]]]:
    """(CLM01, the STC and SVC segments of its 2200D and 2220D) per claim of a 277CA, in order."""
    result: list[tuple[str, list[str]]] = []
    pending = False
    for seg in segments:
        parts = seg.split("*")
        if parts[0] == "HL":
            pending = parts[3] == "PT"
        elif parts[0] == "TRN" and pending:
            result.append((parts[2], []))
            pending = False
        elif parts[0] in ("STC", "SVC") and result and not pending:
            result[-1][1].append(seg)
    return result


def claim_statuses(segments: list[str]) -> dict[str, list[str]]:
    """CLM01 -> its STC/SVC segments, for files whose claim ids are unique."""
    claims = claim_list(segments)
    assert len({claim_id for claim_id, _ in claims}) == len(claims)
    return dict(claims)


# --- one defect each: the exact acknowledgment ------------------------------------------------


def test_clean_file_is_accepted_everywhere(tmp_path):
    report, s999, s277 = ack(tmp_path, CLEAN)
    assert errors_999(s999) == ["IK5*A", "AK9*A*1*1*1"]
    statuses = claim_statuses(s277)
    assert len(statuses) == 5
    assert all(stcs == [f"STC*A1:20*20260120*WQ*{charge}"] for stcs, charge in
               zip(statuses.values(), ["115", "95", "50", "115", "75"]))
    assert "QTY*90*5" in s277 and "AMT*YU*450" in s277 and not any(s.startswith("QTY*AA") for s in s277)


def test_wrong_se01_rejects_the_transaction_set_without_an_ik3(tmp_path):
    _, s999, s277 = ack(tmp_path, mutant("SE*73*0001~", "SE*72*0001~"))
    assert errors_999(s999) == ["IK5*R*4", "AK9*R*1*1*0"]
    statuses = claim_statuses(s277)
    assert all(stcs[0].startswith("STC*A3:21:41*20260120*U*") and len(stcs) == 1 for stcs in statuses.values())
    assert "QTY*AA*5" in s277 and "AMT*YY*450" in s277


def test_hl_out_of_sequence_is_one_ik3_with_the_counter_copied(tmp_path):
    _, s999, s277 = ack(tmp_path, mutant("HL*3*1*22*0~", "HL*4*1*22*0~"))
    # HL at segment 42 is the 40th of the set; HL01 is data element 628; a counter may be copied.
    assert errors_999(s999) == ["IK3*HL*40*2000*8", "IK4*1*628*I12*4", "IK5*E*5", "AK9*E*1*1*1"]
    statuses = claim_statuses(s277)
    assert [stcs[0].split("*")[3] for stcs in statuses.values()] == ["WQ", "WQ", "U", "U", "U"]


def test_missing_required_segment_names_its_loop_and_claim(tmp_path):
    text = mutant("NM1*PR*2*MERIDIAN MUTUAL HEALTH*****PI*MMH01~\n", "", se01=72)
    _, s999, s277 = ack(tmp_path, text)
    assert errors_999(s999) == ["IK3*NM1*18*2010*3", "CTX*CLM01:CLEAN-BILLING-TAXONOMY", "IK5*E*5", "AK9*E*1*1*1"]
    assert claim_statuses(s277)["CLEAN-BILLING-TAXONOMY"] == ["STC*A3:21:PR*20260120*U*115"]


def test_bad_code_value_is_an_ik4_with_the_code_copied(tmp_path):
    text = mutant("SV1*HC:97110:GP*85*UN*2***1~\nDTP*472*D8*20260105~", "SV1*HC:97110:GP*85*ZZ*2***1~\nDTP*472*D8*20260105~")
    _, s999, s277 = ack(tmp_path, text)
    assert errors_999(s999) == ["IK3*SV1*25*2400*8", "CTX*CLM01:CLEAN-BILLING-TAXONOMY", "IK4*3*355*7*ZZ",
                                "IK5*E*5", "AK9*E*1*1*1"]
    assert claim_statuses(s277)["CLEAN-BILLING-TAXONOMY"] == [
        "STC*A3:21*20260120*U*115", "SVC*HC:97110:GP*85*****2", "STC*A3:21*20260120*U"]


def test_bad_qualifier_is_one_ik3_not_unrecognised_plus_missing(tmp_path):
    _, s999, _ = ack(tmp_path, mutant("SBR*P*18*GRP1001******CI~", "SBR*Q*18*GRP1001******CI~"))
    assert errors_999(s999) == ["IK3*SBR*13*2000*2", "IK5*E*5", "AK9*E*1*1*1"]


def test_too_long_code_is_one_ik4_for_one_element(tmp_path):
    _, s999, _ = ack(tmp_path, mutant("SBR*P*18*GRP1001******CI~", "SBR*P*18*GRP1001******CIX~"))
    assert errors_999(s999) == ["IK3*SBR*13*2000*8", "IK4*9*1032*5*CIX", "IK5*E*5", "AK9*E*1*1*1"]


def test_interchange_control_number_mismatch_gives_a_rejecting_ta1(tmp_path):
    _, s999, s277 = ack(tmp_path, mutant("IEA*1*000001002~", "IEA*1*000001003~"))
    assert errors_999(s999) == ["IK5*A", "AK9*A*1*1*1", "TA1*000001002*260120*0930*R*001"]
    assert s999[-2].startswith("TA1*")  # before IEA, where pyx12's maps place it
    assert all(stcs[0].split("*")[3] == "U" for stcs in claim_statuses(s277).values())


def test_group_control_number_mismatch_rejects_the_group(tmp_path):
    _, s999, _ = ack(tmp_path, mutant("GE*1*1002~", "GE*1*1003~"))
    assert errors_999(s999) == ["IK5*A", "AK9*R*1*1*0*4"]


def test_ta1_requested_by_isa14_on_a_clean_interchange(tmp_path):
    _, s999, _ = ack(tmp_path, mutant("*000001002*0*T*:~", "*000001002*1*T*:~"))
    assert errors_999(s999) == ["IK5*A", "AK9*A*1*1*1", "TA1*000001002*260120*0930*A*000"]


def test_truncated_file_acknowledges_each_missing_trailer_once(tmp_path):
    _, s999, s277 = ack(tmp_path, (FIXTURES / "truncated.837").read_bytes())
    assert errors_999(s999) == ["IK5*R*2", "AK9*R*1*1*0*3", "TA1*000001009*260120*0930*R*023"]
    assert all(stcs[0].split("*")[3] == "U" for stcs in claim_statuses(s277).values())


def test_rejected_97026_line_gets_its_rule_status_at_claim_and_line(tmp_path):
    text = mutant("SV1*HC:97026:GP*30*UN*1***1~\nDTP*472*D8*20260105~", "SV1*HC:97026*30*UN*1***1~\nDTP*472*D8*20260105~")
    _, s999, s277 = ack(tmp_path, text)
    assert errors_999(s999) == ["IK5*A", "AK9*A*1*1*1"]  # a business rule is not a 999 matter
    statuses = claim_statuses(s277)
    assert statuses["CLEAN-BILLING-TAXONOMY"] == [
        "STC*A7:453*20260120*U*115", "SVC*HC:97026*30*****1", "STC*A7:453*20260120*U"]
    assert statuses["CLEAN-2310B-PT"] == ["STC*A1:20*20260120*WQ*95"]
    assert ["QTY*90*4", "QTY*AA*1", "AMT*YU*335", "AMT*YY*115"] == [
        s for s in s277 if s.startswith(("QTY*90", "QTY*AA", "AMT*"))][:4]


# --- the split and the 277CA agree ------------------------------------------------------------


def _charges(path: Path) -> tuple[int, Decimal]:
    data = path.read_bytes()
    clms = [s for s in segments_from_bytes(data) if s.id == "CLM"] if data else []
    return len(clms), sum((Decimal(s.get(2)) for s in clms), Decimal(0))


def _total(segments: list[str], qualifier: str) -> Decimal:
    """Sum of the 2000B totals (QTY*90, AMT*YU ...) over every information receiver of a 277CA."""
    total, level = Decimal(0), None
    for seg in segments:
        if seg.startswith("HL*"):
            level = seg.split("*")[3]
        elif level == "21" and seg.startswith(qualifier + "*"):
            total += Decimal(seg.split("*")[2])
    return total


@pytest.mark.parametrize("name", ["sample.837", "multi_envelope.837", "patient_loop.837", "truncated.837",
                                  "delims_exotic.x12", "delims_bom_indented.edi"])
def test_277ca_totals_and_statuses_equal_the_split(tmp_path, name):
    report = edi_lint.split(FIXTURES / name, tmp_path / "ok.837", tmp_path / "held.837",
                            ack_999=tmp_path / "out.999", ack_277ca=tmp_path / "out.277")
    written(tmp_path / "out.999", "005010X231A1")
    s277 = segs(written(tmp_path / "out.277", "005010X214"))
    accepted, accepted_sum = _charges(tmp_path / "ok.837")
    rejected, rejected_sum = _charges(tmp_path / "held.837")
    assert (report.split["accepted"], report.split["rejected"]) == (accepted, rejected)
    assert _total(s277, "QTY*90") == accepted and _total(s277, "QTY*AA") == rejected
    assert _total(s277, "AMT*YU") == accepted_sum and _total(s277, "AMT*YY") == rejected_sum
    statuses = claim_list(s277)
    verdicts = sorted(report.files[0].verdicts, key=lambda v: v.segment_index)
    assert len(statuses) == len(verdicts) == accepted + rejected
    claimed = [(claim_id, stcs[0].split("*")[3]) for claim_id, stcs in statuses]
    assert claimed == [(v.claim_id, "WQ" if v.accepted else "U") for v in verdicts]


def test_every_corpus_837p_gets_valid_acknowledgments(tmp_path, corpus):
    done = 0
    for path in sorted(corpus.iterdir()):
        if "837p_x222a1" not in path.name:
            continue
        report = edi_lint.acknowledge(path, ack_999=tmp_path / "c.999", ack_277ca=tmp_path / "c.277")
        if report.files[0].status == "error":
            assert not (tmp_path / "c.999").exists()
            continue
        written(tmp_path / "c.999", "005010X231A1")
        if (tmp_path / "c.277").read_bytes():
            s277 = segs(written(tmp_path / "c.277", "005010X214"))
            assert len(claim_list(s277)) == report.files[0].claims + len(
                [f for f in report.findings if f.rule == "ENV001" and "incomplete" in f.message])
        for ack_path in (tmp_path / "c.999", tmp_path / "c.277"):
            ack_path.unlink()
        done += 1
    assert done >= 10


# --- determinism, atomicity, PHI ---------------------------------------------------------------


def test_byte_identical_across_runs_and_hash_seeds(tmp_path):
    code = ("import edi_lint,sys; edi_lint.split(sys.argv[1], sys.argv[2] + '.ok', sys.argv[2] + '.held', "
            "ack_999=sys.argv[2] + '.999', ack_277ca=sys.argv[2] + '.277')")
    outputs = []
    for seed in ("0", "4242"):
        prefix = tmp_path / f"run{seed}"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run([sys.executable, "-c", code, str(FIXTURES / "multi_envelope.837"), str(prefix)], check=True,
                       env=env)
        outputs.append((Path(f"{prefix}.999").read_bytes(), Path(f"{prefix}.277").read_bytes()))
    assert outputs[0] == outputs[1]
    assert b"ISA*" in outputs[0][0] and b"ST*277*" in outputs[0][1]


def test_control_numbers_and_dates_come_from_the_input_or_the_options(tmp_path):
    _, s999, s277 = ack(tmp_path, CLEAN)
    assert s999[0].split("*")[9:11] == ["260120", "0930"] and s999[0].split("*")[13] == "000001002"
    assert s999[1] == "GS*FA*RIVERBENDCH*EDILINTFIXTURE*20260120*0930*1002*X*005010X231A1"
    options = edi_lint.AckOptions(control_number=77, date="20260301", time="1215", sender=("ZZ", "ACKSENDER"),
                                  application_sender="ACKAPP")
    _, s999, s277 = ack(tmp_path, CLEAN, ack_options=options)
    assert s999[0].split("*")[5:7] == ["ZZ", "ACKSENDER      "]
    assert s999[0].split("*")[9:11] == ["260301", "1215"] and s999[0].split("*")[13] == "000000077"
    assert s999[1] == "GS*FA*ACKAPP*EDILINTFIXTURE*20260301*1215*77*X*005010X231A1"
    assert s999[-1] == "IEA*1*000000077" and s277[-1] == "IEA*1*000000077"


def test_a_failed_run_leaves_no_half_written_acknowledgment(tmp_path, monkeypatch):
    from edi_lint.acks import ack277ca

    old = tmp_path / "out.999"
    old.write_text("previous acknowledgment")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ack277ca, "build", broken)
    with pytest.raises(RuntimeError):
        edi_lint.acknowledge(CLEAN.encode(), ack_999=old, ack_277ca=tmp_path / "out.277")
    assert old.read_text() == "previous acknowledgment"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.999"]


def test_no_phi_in_a_999(tmp_path):
    planted = {
        "NM1*IL*1*LINDQVIST*MARTA****MI*MMH5520914~": "NM1*IL*1*" + "PHILASTNAME" * 7 + "*MARTA****MI*PHIMEMBER123456789012345678901234567890123456789012345678901234567890123456789012345678901~",
        "DMG*D8*19740630*F~": "DMG*D8*19741399*F~",
        "N3*27 WILLOW BEND LN~\nN4*LAKEVIEW*OR*976305678~\nDMG*D8*19740630*F~": None,
    }
    text = CLEAN
    text = text.replace("NM1*IL*1*LINDQVIST*MARTA****MI*MMH5520914~", planted["NM1*IL*1*LINDQVIST*MARTA****MI*MMH5520914~"])
    text = text.replace("DMG*D8*19740630*F~", "DMG*D8*19741399*F~", 1)
    text = text.replace("N3*27 WILLOW BEND LN~", "N3*" + "PHISTREET " * 7 + "~", 1)
    text = text.replace("N4*LAKEVIEW*OR*976305678~", "N4*" + "PHICITY" * 5 + "*OR*PHIZIP1234~", 1)
    _, s999, _ = ack(tmp_path, text)
    notes = [s for s in s999 if s.startswith("IK4")]
    assert len(notes) >= 4, s999  # the planted values are errors the 999 reports ...
    body = "\n".join(s999)
    for value in ("PHILASTNAME", "PHIMEMBER", "19741399", "PHISTREET", "PHICITY", "PHIZIP", "MARTA", "LINDQVIST"):
        assert value not in body  # ... without copying any of them
    assert all(len(s.split("*")) <= 4 for s in notes)  # no IK404


# --- rule metadata --------------------------------------------------------------------------


def test_every_rule_declares_a_valid_277ca_status():
    from edi_lint.acks.codes import check_entity, check_status
    from edi_lint.rules.registry import all_rule_infos

    infos = all_rule_infos()
    for info in infos.values():
        assert info.claim_status and check_status(info.claim_status) is None, info.code
        assert not info.status_entity or check_entity(info.status_entity) is None, info.code
    assert (infos["PT001"].claim_status, infos["PT003"].status_entity) == ("A7:453", "82")


def test_declarative_rule_status_is_checked_and_explained(tmp_path):
    from click.testing import CliRunner

    from edi_lint.cli import main

    ruleset = tmp_path / "acme.toml"
    body = ('[ruleset]\nname = "acme"\n\n[[rule]]\ncode = "ACM001"\nname = "needs-kx"\nsummary = "s"\n'
            'message = "m"\nprocedures = ["97110"]\nrequire = {{ modifier = "KX" }}\n{extra}')
    ruleset.write_text(body.format(extra='claim_status = "A7:453"\nstatus_entity = "82"\n'))
    result = CliRunner().invoke(main, ["--isolated", "--ruleset", str(ruleset), "--explain", "ACM001"])
    assert result.exit_code == 0, result.output
    assert "277CA status: A7:453, entity 82" in result.output
    ruleset.write_text(body.format(extra='claim_status = "rejected"\n'))
    result = CliRunner().invoke(main, ["--isolated", "--ruleset", str(ruleset), "--list-rules"])
    assert result.exit_code == 2 and "claim_status 'rejected' must be 'category:status'" in result.output


def test_undeclared_rules_get_the_documented_default():
    from edi_lint.acks import codes
    from edi_lint.rules.base import RuleInfo
    from edi_lint.findings import Severity

    info = RuleInfo("ACM002", "x", Severity.ERROR, "s")
    assert codes.claim_status(info, "2010AA") == ("A7", "21", "85")
    assert codes.claim_status(info, "2400") == ("A7", "21", "")
    assert codes.describe(info) == "277CA status: A7:21 (default), entity from the finding's loop"


# --- the command line ---------------------------------------------------------------------------


def test_cli_writes_both_acknowledgments_with_the_split_and_configured_sender(tmp_path):
    from click.testing import CliRunner

    from edi_lint.cli import main

    config = tmp_path / "edi-lint.toml"
    config.write_text('[acknowledgments]\nsender-qualifier = "ZZ"\nsender-id = "PREFLIGHT"\n'
                      'application-sender = "PF"\ncontrol-number = 5\n')
    source = tmp_path / "in.837"
    source.write_bytes((FIXTURES / "sample.837").read_bytes())
    args = [str(source), "--config", str(config), "--accepted", str(tmp_path / "ok.837"), "--rejected",
            str(tmp_path / "held.837"), "--ack-999", str(tmp_path / "in.999"), "--ack-277ca", str(tmp_path / "in.277"),
            "--format", "json", "-qq"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert json.loads(result.output)["split"]["rejected"] == 3
    s999 = segs(written(tmp_path / "in.999", "005010X231A1"))
    s277 = segs(written(tmp_path / "in.277", "005010X214"))
    assert s999[0].split("*")[5:7] == ["ZZ", "PREFLIGHT      "] and s999[0].split("*")[13] == "000000005"
    assert s277[1].startswith("GS*HN*PF*")
    assert [stcs[0].split("*")[1] for _, stcs in claim_list(s277)] == ["A7:453", "A7:249", "A7:145:82"]


def test_cli_acknowledgments_refuse_several_inputs_and_colliding_paths(tmp_path):
    from click.testing import CliRunner

    from edi_lint.cli import main

    sample = str(FIXTURES / "sample.837")
    result = CliRunner().invoke(main, [sample, str(FIXTURES / "clean.837"), "--ack-999", str(tmp_path / "x.999")])
    assert result.exit_code == 2 and "exactly one input file, got 2" in result.output
    result = CliRunner().invoke(main, [sample, "--ack-999", str(tmp_path / "x"), "--ack-277ca", str(tmp_path / "x")])
    assert result.exit_code == 2 and "must be different files" in result.output
    assert not (tmp_path / "x").exists()


def test_cli_without_split_acknowledges_with_ig_even_when_not_selected(tmp_path):
    from click.testing import CliRunner

    from edi_lint.cli import main

    source = tmp_path / "in.837"
    source.write_text(mutant("SBR*P*18*GRP1001******CI~", "SBR*P*18*GRP1001******CIX~"))
    result = CliRunner().invoke(main, [str(source), "--isolated", "--select", "PT", "--ack-999",
                                       str(tmp_path / "in.999"), "-qq"])
    assert result.exit_code == 1
    assert errors_999(segs(written(tmp_path / "in.999", "005010X231A1")))[:2] == [
        "IK3*SBR*13*2000*8", "IK4*9*1032*5*CIX"]


def test_readme_shows_the_acknowledgments_the_code_writes(tmp_path):
    """The README's 999 and 277CA examples are exactly what edi-lint writes for those fixtures today."""
    import re

    readme = (FIXTURES.parent / "README.md").read_text()
    blocks = re.findall(r"<!-- (ack-999|ack-277ca): (\S+) -->\n```\n(.*?)```", readme, re.S)
    assert [kind for kind, _, _ in blocks] == ["ack-999", "ack-277ca"]
    for kind, fixture, shown in blocks:
        target = tmp_path / kind
        edi_lint.acknowledge(FIXTURES.parent / fixture, **{kind.replace("-", "_"): target})
        assert written(target, "005010X231A1" if kind == "ack-999" else "005010X214") == shown


def test_python_and_plugin_rules_declare_their_status_as_keyword_arguments():
    from edi_lint.acks import codes
    from edi_lint.rules.api import RuleCollection

    rules = RuleCollection(ruleset="acme")

    @rules.line_rule("ACM003", "needs-kx", summary="s", claim_status="A7:453", status_entity="82")
    def needs_kx(line):
        return ()

    info = rules[0].info
    assert codes.claim_status(info, "2400") == ("A7", "453", "82")
    assert codes.describe(info) == "277CA status: A7:453, entity 82"


def test_validator_failure_rejects_every_group(tmp_path, monkeypatch):
    """IG001 (the validator could not validate) holds every claim in the split; the 999 agrees."""
    from edi_lint.x12.validator import Validator

    def failed(self, seg, node):
        raise RuntimeError("a bug")

    # `_feed`, not `feed`: the document reader runs feed's code inline, and the ISA always takes `_feed`
    monkeypatch.setattr(Validator, "_feed", failed)
    report, s999, s277 = ack(tmp_path, CLEAN)
    assert [f.rule for f in report.findings] == ["IG001"]
    assert errors_999(s999) == ["IK5*A", "AK9*R*1*1*0"]
    assert all(stcs[0].split("*")[1:4:2] == ["A3:21", "U"] for _, stcs in claim_list(s277))


def test_cli_jobs_do_not_change_the_acknowledgments(tmp_path):
    from click.testing import CliRunner

    from edi_lint.cli import main

    texts = []
    for jobs in ("1", "2"):
        target = tmp_path / f"j{jobs}"
        CliRunner().invoke(main, [str(FIXTURES / "multi_envelope.837"), "--isolated", "-qq", "--jobs", jobs,
                                  "--ack-999", f"{target}.999", "--ack-277ca", f"{target}.277"])
        texts.append((Path(f"{target}.999").read_bytes(), Path(f"{target}.277").read_bytes()))
    assert texts[0] == texts[1] and texts[0][0].count(b"ISA*") == 2


@pytest.mark.parametrize("split", [False, True])
def test_an_input_that_cannot_be_linted_leaves_no_acknowledgment_of_an_earlier_run(tmp_path, split):
    """An unlintable input gets no acknowledgment, and exit 2 with --accepted/--rejected removes the
    split's outputs of an earlier run; the 999 and 277CA of that earlier run stayed under this
    batch's names, for a pipeline to send back as this batch's answer."""
    from click.testing import CliRunner

    from edi_lint.cli import main

    bad = tmp_path / "in.837"
    bad.write_bytes(b"this is not X12 at all\n")
    stale = {name: tmp_path / name for name in ("in.999", "in.277", "ok.837", "held.837")}
    for path in stale.values():
        path.write_text("from an earlier run\n")
    args = [str(bad), "--ack-999", str(stale["in.999"]), "--ack-277ca", str(stale["in.277"])]
    if split:
        args += ["--accepted", str(stale["ok.837"]), "--rejected", str(stale["held.837"])]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert not stale["in.999"].exists() and not stale["in.277"].exists()
    assert (stale["ok.837"].exists(), stale["held.837"].exists()) == (not split, not split)


def test_the_api_leaves_no_stale_acknowledgment_for_an_unlintable_input(tmp_path):
    old = tmp_path / "in.999"
    old.write_text("from an earlier run\n")
    report = edi_lint.acknowledge(b"not X12", ack_999=old)
    assert report.exit_code == 2 and not old.exists()
    old.write_text("from an earlier run\n")
    report = edi_lint.split(tmp_path / "missing.837", tmp_path / "ok.837", tmp_path / "held.837", ack_999=old)
    assert report.exit_code == 2 and not old.exists()


@pytest.mark.parametrize("options, message", [
    (dict(sender=("ZZ", "A*B")), "sender id"),                 # an element separator in ISA06
    (dict(application_sender="MY~CH"), "application_sender"),  # a segment terminator in GS02
    (dict(sender=("ZZZ", "MYCH")), "sender qualifier"),        # ISA05 is 2 characters wide
])
def test_acknowledgment_options_that_would_break_the_envelope_are_refused(options, message):
    """The values are written into the ISA and GS as they are: `sender-id = "A*B"` gave a 999 whose
    ISA has 17 elements (pyx12: "The ISA segment must have 16 elements")."""
    with pytest.raises(ValueError, match=message):
        edi_lint.AckOptions(**options)
    assert edi_lint.AckOptions(sender=("01", "MY CH.1-X"), application_sender="MYCH").sender == ("01", "MY CH.1-X")


def test_a_sender_qualifier_without_sender_id_is_a_configuration_error(tmp_path):
    """[acknowledgments] sender-qualifier alone was silently ignored (the acknowledgments answered
    as the input's receiver, under its qualifier)."""
    from click.testing import CliRunner

    from edi_lint.cli import main

    config = tmp_path / "edi-lint.toml"
    config.write_text('[acknowledgments]\nsender-qualifier = "01"\n')
    result = CliRunner().invoke(main, [str(FIXTURES / "sample.837"), "--config", str(config),
                                       "--ack-999", str(tmp_path / "in.999")])
    assert result.exit_code == 2 and "sender-qualifier needs sender-id" in result.stderr
    assert not (tmp_path / "in.999").exists()


@pytest.mark.parametrize("options", [dict(date="20261340"), dict(date="20260230"), dict(time="2599"), dict(time="1260")])
def test_acknowledgment_date_and_time_must_be_real(options):
    """Eight or four digits were enough: date = "20261340" went into ISA09/GS04 of the 999 as it was."""
    with pytest.raises(ValueError):
        edi_lint.AckOptions(**options)
    assert edi_lint.AckOptions(date="20240229", time="2359").time == "2359"
