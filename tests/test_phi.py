"""No protected health information in any output or log.

The input is sample.837 plus patient_loop.837 (subscriber-only and 2000C patient claims) with a
distinctive value in every PHI field: subscriber and patient names, member ids, dates of birth,
street addresses, cities and ZIP codes. Every output format, both log formats with -v and -vv, the
pre-flight split's JSON, a truncated copy (the claim in progress is named in ENV001) and the baseline
file must be free of them. The HTML report masks them unless --show-phi asks for them.
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from edi_lint.cli import main

PHI = ["ZZPHISURNAME", "ZZPHIFIRST", "ZZMEMBERID", "19010203", "ZZSTREETADDR", "ZZCITYNAME", "990011223",
       "ZZPATSURNAME", "ZZPATFIRST", "19019999", "ZZBADNPI"]
FORMATS = ["text", "full", "concise", "json", "jsonl", "sarif", "junit", "github", "html"]  # full: with source excerpts


def with_phi(text: str) -> str:
    out = []
    for seg in text.split("~"):
        body = seg.strip("\r\n")
        fields = body.split("*")
        if fields[:2] == ["NM1", "IL"]:
            fields[3:5] = ["ZZPHISURNAME", "ZZPHIFIRST"]
            fields[9] = "ZZMEMBERID123"
        elif fields[:2] == ["NM1", "QC"]:
            fields[3:5] = ["ZZPATSURNAME", "ZZPATFIRST"]
        elif fields[0] == "N3" and "WILLOW" in body:
            fields[1] = "ZZSTREETADDR 12"
        elif fields[0] == "N4" and fields[-1] == "976305678":
            fields[1], fields[3] = "ZZCITYNAME", "990011223"
        elif fields[0] == "DMG":
            fields[2] = "19010203"
        out.append(seg.replace(body, "*".join(fields)) if body else seg)
    return "~".join(out)


@pytest.fixture(scope="module")
def phi_dir(tmp_path_factory):
    base = tmp_path_factory.mktemp("phi")
    for name in ("sample.837", "patient_loop.837"):
        text = with_phi((FIXTURES / name).read_text())
        planted = ["ZZPHISURNAME", "ZZMEMBERID123", "19010203", "ZZSTREETADDR", "ZZCITYNAME"]
        for value in planted + (["ZZPATSURNAME"] if "patient" in name else []):
            assert value in text, (name, value)  # the transform really planted the values
        (base / f"phi_{name}").write_text(text)
    full = (base / "phi_sample.837").read_text()
    cut = full.index("DMG*D8*19010203", full.index("HL*4*"))  # inside the last subscriber, before its claim
    cut = full.index("HI*", cut) + 6  # in the middle of the last claim's HI
    (base / "phi_truncated.837").write_text(full[:cut])
    # Invalid values in PHI fields, to tempt any rule that checks them into quoting them.
    odd = full.replace("DMG*D8*19010203", "DMG*D8*19019999", 1).replace("MI*ZZMEMBERID123", "XX*ZZBADNPI", 1)
    assert "19019999" in odd and "ZZBADNPI" in odd
    (base / "phi_odd.837").write_text(odd)
    return base


def assert_clean(*texts: str) -> None:
    for text in texts:
        for value in PHI:
            assert value not in text, f"{value} leaked: ...{text[max(0, text.find(value) - 80):text.find(value) + 40]}..."


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("log_format", ["console", "json"])
def test_no_phi_in_outputs_and_logs(phi_dir, monkeypatch, fmt, log_format):
    monkeypatch.chdir(phi_dir)
    files = ["phi_sample.837", "phi_patient_loop.837", "phi_truncated.837", "phi_odd.837"]
    result = run(*files, "--format", fmt, "--log-format", log_format, "-vv", "--select", "ALL")
    assert result.exit_code == 1
    assert "file_linted" in result.stderr  # the logs were really written
    assert "PT001" in result.stdout  # and the findings really reported
    assert_clean(result.stdout, result.stderr)


def test_no_phi_in_error_logs(phi_dir, monkeypatch):
    monkeypatch.chdir(phi_dir)
    broken = phi_dir / "phi_broken.837"
    text = (phi_dir / "phi_sample.837").read_text()
    broken.write_text(text.replace("005010X222A1", "004010X098A1"))  # unsupported: a file error
    for log_format in ("console", "json"):
        result = run("phi_broken.837", "--log-format", log_format, "-v")
        assert result.exit_code == 2 and "file_error" in result.stderr
        assert_clean(result.stdout, result.stderr)


@pytest.mark.parametrize("name", ["phi_sample.837", "phi_patient_loop.837", "phi_truncated.837"])
def test_no_phi_in_preflight_output(phi_dir, monkeypatch, name):
    monkeypatch.chdir(phi_dir)
    result = run(name, "--accepted", "ok.837", "--rejected", "held.837", "--format", "json", "-vv",
                 "--log-format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["claims"] and "split" in doc
    assert "split_written" in result.stderr
    assert_clean(result.stdout, result.stderr)
    # The split files themselves carry the PHI, of course: they are the claims.
    assert "ZZMEMBERID123" in (phi_dir / "ok.837").read_text() + (phi_dir / "held.837").read_text()
    page = run(name, "--accepted", "ok.837", "--rejected", "held.837", "--format", "html")
    assert "held back" in page.stdout or "accepted" in page.stdout
    assert_clean(page.stdout, page.stderr)


def test_no_phi_in_baseline_and_api(phi_dir, monkeypatch):
    import edi_lint

    monkeypatch.chdir(phi_dir)
    result = run("phi_sample.837", "phi_patient_loop.837", "--write-baseline", "base.json", "-v")
    assert_clean(result.stdout, result.stderr, (phi_dir / "base.json").read_text())
    result = run("phi_sample.837", "--baseline", "base.json", "--format", "json", "-v")
    assert_clean(result.stdout, result.stderr)
    report = edi_lint.lint(phi_dir / "phi_truncated.837", keep_claims=True)
    assert_clean(report.to_json(), *(report.render(fmt) for fmt in FORMATS), repr(report.findings))
    shown = edi_lint.lint(phi_dir / "phi_sample.837", keep_claims=True, show_phi=True).render("html")
    assert "ZZPHISURNAME" in shown and "ZZMEMBERID123" in shown  # masking is a choice, not an accident


def test_log_keys_outside_the_allowlist_are_redacted():
    import io

    from edi_lint.logs import configure

    stream = io.StringIO()
    log = configure("json", verbose=1, stream=stream)
    log.info("file_linted", path="a.837", claims=2, subscriber_name="ZZPHISURNAME")
    event = json.loads(stream.getvalue())
    assert event["event"] == "file_linted" and event["claims"] == 2
    assert event["subscriber_name"] == "[redacted]"
    assert re.match(r"\d{4}-\d\d-\d\dT", event["timestamp"])


@pytest.mark.parametrize("loop_segment", ["NM1*IL*", "NM1*QC*"])
def test_a_zip_code_of_another_state_is_not_quoted_for_a_person(tmp_path, monkeypatch, loop_segment):
    """CS013 quoted the five digits of the subscriber's (2010BA) or patient's (2010CA) ZIP code in its
    message ("ZIP code 03909 is in ME, not in OR"): part of an address, PHI. The planted ZIP above
    is in WA while N402 says OR, but only its nine digits were looked for."""
    text = (FIXTURES / "patient_loop.837").read_text()
    at = text.index(loop_segment)
    n4 = text.index("N4*", at)
    end = text.index("~", n4)
    fields = text[n4:end].split("*")
    fields[2], fields[3] = "OR", "039094321"  # a ZIP of Maine in an Oregon address
    (tmp_path / "zip.837").write_text(text[:n4] + "*".join(fields) + text[end:])
    monkeypatch.chdir(tmp_path)
    for fmt in FORMATS:
        result = run("zip.837", "--select", "CS013", "--format", fmt)
        assert result.exit_code == 0 and "ME" in result.stdout and "CS013" in result.stdout, fmt
        assert "03909" not in result.stdout, fmt


def test_a_providers_zip_code_is_still_quoted(tmp_path, monkeypatch):
    text = (FIXTURES / "patient_loop.837").read_text().replace("N4*LAKEVIEW*OR*976301234", "N4*LAKEVIEW*OR*039094321", 1)
    (tmp_path / "zip.837").write_text(text)
    monkeypatch.chdir(tmp_path)
    result = run("zip.837", "--select", "CS013", "--format", "concise")
    assert "ZIP code 03909 is in ME, not in OR" in result.stdout


def test_a_value_shifted_into_a_persons_state_code_is_not_quoted(tmp_path, monkeypatch):
    """CS012 quoted N402 whatever it held; with the state left out and the ZIP moved up
    (N4*CITY*ZIP~), the subscriber's ZIP code was in the message and in `actual`."""
    text = (FIXTURES / "patient_loop.837").read_text().replace("N4*LAKEVIEW*OR*976305678", "N4*LAKEVIEW*039094321", 1)
    (tmp_path / "shift.837").write_text(text)
    monkeypatch.chdir(tmp_path)
    for fmt in FORMATS:
        result = run("shift.837", "--select", "CS012", "--format", fmt)
        assert result.exit_code == 1 and "CS012" in result.stdout, fmt
        assert "03909" not in result.stdout, fmt
    bad_code = text.replace("N4*LAKEVIEW*039094321", "N4*LAKEVIEW*QQ*976305678", 1)
    (tmp_path / "qq.837").write_text(bad_code)
    assert "N402 state 'QQ' is not" in run("qq.837", "--select", "CS012", "--format", "concise").stdout
