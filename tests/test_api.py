"""The public Python API: edi_lint.lint / edi_lint.split and the Report they return."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import pytest

import edi_lint
from conftest import FIXTURES


def test_exports():
    for name in edi_lint.__all__:
        assert getattr(edi_lint, name) is not None
    with pytest.raises(AttributeError):
        edi_lint.no_such_thing  # noqa: B018


def test_lint_path_findings_claims_exit_code():
    report = edi_lint.lint(FIXTURES / "sample.837")
    assert report.exit_code == 1
    assert sorted(f.rule for f in report.findings) == ["PT001", "PT001", "PT002", "PT002", "PT003"]
    assert [(f.path, f.status, f.claims) for f in report.files] == [(str(FIXTURES / "sample.837"), "linted", 3)]
    assert [(c.claim_id, c.accepted) for c in report.claims] == [
        ("SAMPLE-GO-MODIFIER", False), ("SAMPLE-HOSPITAL-POS", False), ("SAMPLE-RENDERING-PTA", False)]
    assert report.rejected == report.claims and report.accepted == []


def test_lint_bytes_and_clean():
    report = edi_lint.lint((FIXTURES / "clean.837").read_bytes())
    assert report.exit_code == 0 and report.findings == []
    assert report.files[0].path == "<bytes>"
    assert len(report.claims) == report.files[0].claims == 5 and all(c.accepted for c in report.claims)


def test_select_ignore_fail_on():
    path = FIXTURES / "sample.837"
    assert {f.rule for f in edi_lint.lint(path, select=["PT001"]).findings} == {"PT001"}
    assert {f.rule for f in edi_lint.lint(path, select="PT001,PT002").findings} == {"PT001", "PT002"}
    assert "PT003" not in {f.rule for f in edi_lint.lint(path, ignore=["PT003"]).findings}
    never = edi_lint.lint(path, fail_on="never")
    assert never.exit_code == 0 and all(c.accepted for c in never.claims)
    with pytest.raises(ValueError):
        edi_lint.lint(path, fail_on="sometimes")


def test_directory_list_and_errors(tmp_path):
    bad = tmp_path / "bad.837"
    bad.write_text("not x12")
    report = edi_lint.lint([FIXTURES / "clean.837", bad, tmp_path / "missing.837"])
    assert [f.status for f in report.files] == ["linted", "error", "error"]
    assert report.exit_code == 2
    assert report.files[2].error == "no such file or directory"
    every = edi_lint.lint(FIXTURES)
    assert len(every.files) == len([p for p in FIXTURES.iterdir() if p.suffix in (".837", ".x12", ".edi")])


def test_to_json_matches_the_cli_contract():
    report = edi_lint.lint(FIXTURES / "multi_envelope.837")
    doc = json.loads(report.to_json())
    assert set(doc) == {"findings", "files", "claims"}
    assert len(doc["findings"]) == 5 and doc["files"][0]["claims"] == 5
    assert [c["accepted"] for c in doc["claims"]] == [False, False, True, False, False]
    assert json.loads(report.render("sarif"))["version"] == "2.1.0"
    assert report.claims[0].to_dict()["claim_id"] == "ME-I1-G1-T1-GO"


def test_split(tmp_path):
    ok, held = tmp_path / "ok.837", tmp_path / "held.837"
    report = edi_lint.split(FIXTURES / "patient_loop.837", ok, held)
    assert report.split == {"accepted_path": str(ok), "rejected_path": str(held), "accepted": 2, "rejected": 2,
                            "incomplete": [], "orphan_segments": []}
    # PAT-SPOUSE-2310B-NO-PRV has only a warning (PT010: no PRV, which the guide allows)
    assert [c.claim_id for c in report.accepted] == ["PAT-SPOUSE-2310B-NO-PRV", "PAT-SPOUSE-CLEAN"]
    assert json.loads(report.to_json())["split"]["rejected"] == 2
    # From bytes, too; the same verdicts.
    again = edi_lint.split((FIXTURES / "patient_loop.837").read_bytes(), tmp_path / "a", tmp_path / "b")
    assert [c.accepted for c in again.claims] == [c.accepted for c in report.claims]
    assert (tmp_path / "a").read_bytes() == ok.read_bytes()
    with pytest.raises(ValueError):
        edi_lint.split(FIXTURES / "patient_loop.837", ok, ok)


def test_split_and_lint_agree_on_every_fixture(tmp_path):
    for path in sorted(FIXTURES.glob("*.837")):
        linted = edi_lint.lint(path)
        report = edi_lint.split(path, tmp_path / "ok", tmp_path / "held")
        complete = [(c.claim_id, c.accepted) for c in report.claims if c.claim_id not in report.split["incomplete"]]
        assert complete == [(c.claim_id, c.accepted) for c in linted.claims], path.name
        total = Counter(c.claim_id for c in report.claims)
        assert report.split["accepted"] + report.split["rejected"] == sum(total.values())


def test_split_of_unlintable_input_writes_nothing(tmp_path):
    report = edi_lint.split(b"garbage", tmp_path / "ok", tmp_path / "held")
    assert report.exit_code == 2 and report.split is None
    assert not (tmp_path / "ok").exists()


def test_config_file_applies_only_when_named(tmp_path):
    config = tmp_path / "edi-lint.toml"
    config.write_text('ignore = ["PT003"]\nfail-on = "never"\n')
    shutil.copy2(FIXTURES / "sample.837", tmp_path / "sample.837")
    plain = edi_lint.lint(tmp_path / "sample.837")  # no discovery: the library ignores edi-lint.toml
    assert "PT003" in {f.rule for f in plain.findings} and plain.exit_code == 1
    configured = edi_lint.lint(tmp_path / "sample.837", config=config)
    assert "PT003" not in {f.rule for f in configured.findings} and configured.exit_code == 0
    assert edi_lint.lint(tmp_path / "sample.837", config=config, fail_on="error").exit_code == 1
    config.write_text('select = 12\n')
    with pytest.raises(ValueError):
        edi_lint.lint(tmp_path / "sample.837", config=config)


def test_a_path_that_cannot_be_looked_at_is_an_input_error_not_an_exception(tmp_path):
    """Looking at a path can fail (a name too long, a folder the user may not search): lint() gave
    the OSError of its directory test to the caller, where the README promises that input errors
    never raise; the command line reports the same path as that file's error."""
    too_long = str(tmp_path / ("a" * 5000))
    report = edi_lint.lint([too_long, FIXTURES / "sample.837"])
    assert report.exit_code == 2
    assert [f.status for f in report.files] == ["error", "linted"]
    assert "too long" in report.files[0].error
    assert len(report.findings) == 5


def test_acknowledge_output_that_cannot_be_written_raises_oserror(tmp_path):
    """split() turns an output it cannot write into an OSError; acknowledge() let the internal
    application.CannotWrite (not an OSError) escape for the same failure."""
    with pytest.raises(OSError, match="cannot write"):
        edi_lint.acknowledge(FIXTURES / "sample.837", ack_999=tmp_path / ("a" * 5000))
    with pytest.raises(OSError, match="cannot write"):
        edi_lint.split((FIXTURES / "sample.837").read_bytes(), tmp_path / "ok.837", tmp_path / "held.837",
                       ack_999=tmp_path / ("a" * 5000))


def test_a_directory_with_no_claim_file_is_an_input_error(tmp_path):
    """The command line fails a run that finds nothing to lint (exit 2, README Usage); lint() of a
    folder whose files are named *.txt returned exit_code 0 and no file at all, a silent pass."""
    (tmp_path / "claims.txt").write_bytes((FIXTURES / "clean.837").read_bytes())
    report = edi_lint.lint(tmp_path)
    assert report.exit_code == 2
    assert [(f.path, f.status) for f in report.files] == [(str(tmp_path), "error")]
    assert report.files[0].error.startswith("nothing to lint: no file in")
    both = edi_lint.lint([tmp_path, FIXTURES / "clean.837"])
    assert both.exit_code == 2 and [f.status for f in both.files] == ["error", "linted"]
