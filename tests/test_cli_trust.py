"""A CI gate that cannot pass by accident: typos, wrong folders, unwritable outputs, argument order.

Each test reproduces one way the command used to pass, crash or depend on the order of arguments.
"""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from edi_lint.cli import main


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


# -- unknown rule codes --------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--select", "--ignore", "--extend-select"])
def test_unknown_code_on_the_command_line_is_exit_2_with_the_closest(workdir, option):
    result = invoke(option, "PT0001", "sample.837")
    assert result.exit_code == 2
    assert "All checks passed" not in result.output
    assert f"{option} PT0001: no rule has the code or prefix PT0001; closest: PT001" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_known_prefixes_and_all_are_accepted(workdir):
    assert invoke("--select", "PT,ENV", "sample.837", "-q").exit_code == 1
    assert invoke("--select", "ALL", "--ignore", "IG", "clean.837", "-q").exit_code == 0


@pytest.mark.parametrize("key, value", [("select", '["PTX"]'), ("ignore", '["ZZ9"]'), ("extend-select", '["PT0001"]')])
def test_unknown_code_in_configuration_names_the_file_and_key(workdir, key, value):
    (workdir / "edi-lint.toml").write_text(f"{key} = {value}\n")
    result = invoke("sample.837")
    assert result.exit_code == 2
    assert "edi-lint.toml: invalid configuration (key '" + key + "'): no rule has the code or prefix" in result.stderr


def test_unknown_code_in_per_file_ignores(workdir):
    (workdir / "edi-lint.toml").write_text('[per-file-ignores]\n"*.837" = ["PT0009"]\n')
    result = invoke("sample.837")
    assert result.exit_code == 2 and "per-file-ignores.*.837" in result.stderr and "closest: PT009" in result.stderr


# -- outputs that cannot be written ----------------------------------------------------------------


@pytest.mark.parametrize("option", ["-o", "--write-baseline"])
def test_unwritable_output_is_one_line_and_exit_2(workdir, option):
    result = invoke("sample.837", option, "/no/such/dir/out.txt")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    (line,) = result.stderr.strip().splitlines()
    assert "cannot write" in line and "/no/such/dir" in line and "does not exist" in line


# -- baselines from another folder ---------------------------------------------------------------


def test_baseline_paths_are_relative_to_the_baseline_file(workdir, monkeypatch):
    (workdir / "ci").mkdir()
    assert invoke("sample.837", "--write-baseline", "ci/baseline.json").exit_code == 0
    entries = json.loads((workdir / "ci" / "baseline.json").read_text())["entries"]
    assert {e["path"] for e in entries} == {"../sample.837"}
    monkeypatch.chdir(workdir / "ci")
    result = invoke("../sample.837", "--baseline", "baseline.json", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["baseline"]["suppressed"] == 5


def test_a_baseline_that_matches_nothing_says_so(workdir):
    assert invoke("sample.837", "--write-baseline", "baseline.json").exit_code == 0
    (workdir / "other").mkdir()
    shutil.move(workdir / "sample.837", workdir / "other" / "sample.837")
    result = invoke("other/sample.837", "--baseline", "baseline.json")
    assert result.exit_code == 1  # nothing was hidden
    assert "baseline_unmatched" in result.stderr
    assert "Baseline baseline.json matched nothing: its 5 recorded finding(s)" in result.stdout
    doc = json.loads(invoke("other/sample.837", "--baseline", "baseline.json", "--format", "json", "-q").stdout)
    assert doc["baseline"]["unmatched"] == 5 and doc["baseline"]["suppressed"] == 0


# -- per-file configuration, whatever the order ----------------------------------------------------


@pytest.fixture
def two_folders(workdir):
    for folder in ("a", "b"):
        (workdir / folder).mkdir()
        shutil.copy2(workdir / "sample.837", workdir / folder / "s.837")
    return workdir


@pytest.mark.parametrize("order", [("a", "b"), ("b", "a")])
def test_fail_on_never_in_one_folder_does_not_depend_on_argument_order(two_folders, order):
    (two_folders / "a" / "edi-lint.toml").write_text('fail-on = "never"\n')
    assert invoke(*order, "-q").exit_code == 1  # b's findings fail under b's (default) configuration
    (two_folders / "b" / "edi-lint.toml").write_text('fail-on = "never"\n')
    assert invoke(*order, "-q").exit_code == 0


@pytest.mark.parametrize("order", [("a", "b"), ("b", "a")])
def test_a_broken_configuration_fails_only_its_files_whatever_the_order(two_folders, order):
    (two_folders / "a" / "edi-lint.toml").write_text("select = [\n")
    result = invoke(*order, "--format", "json", "-q")
    assert result.exit_code == 2
    files = {f["path"]: f for f in json.loads(result.stdout)["files"]}
    assert files["a/s.837"]["status"] == "error" and "not valid TOML" in files["a/s.837"]["error"]
    assert files["b/s.837"]["status"] == "linted" and files["b/s.837"]["findings"] == 5


# -- the same thing named twice -------------------------------------------------------------------


def test_the_same_ruleset_in_configuration_and_on_the_command_line_is_loaded_once(workdir):
    (workdir / "local.toml").write_text(
        '[ruleset]\nname = "local"\n\n[[rule]]\ncode = "US001"\nname = "ultrasound-needs-gp"\n'
        'severity = "warning"\nsummary = "97035 without GP."\nprocedures = ["97035"]\n'
        'require = { modifier = "GP" }\nmessage = "{procedure} has no GP"\n')
    (workdir / "edi-lint.toml").write_text('rulesets = ["local.toml"]\n')
    result = invoke("sample.837", "--ruleset", "local.toml", "--extend-select", "US001", "-q")
    assert result.exit_code == 1, result.output
    assert "defined twice" not in result.output


def test_the_same_file_twice_is_linted_once(workdir):
    doc = json.loads(invoke("sample.837", "./sample.837", ".", "--format", "json", "-q").stdout)
    assert [f["path"] for f in doc["files"]] == ["sample.837", "clean.837"]
    assert len(doc["findings"]) == 5


# -- which claim a finding belongs to ----------------------------------------------------------------


def test_junit_counts_claims_that_share_a_clm01_one_by_one(workdir):
    import re

    text = re.sub(r"CLM\*[^*]+\*", "CLM*SAME*", (workdir / "sample.837").read_text())
    (workdir / "same.837").write_text(text)
    xml = invoke("same.837", "--format", "junit").stdout
    suite = re.search(r"<testsuite [^>]*>", xml).group(0)
    assert 'tests="3"' in suite and 'failures="3"' in suite
    assert "without findings" not in xml  # every claim has findings
    assert xml.count('name="claim SAME (segment #') == 3


def test_findings_inside_a_claim_carry_its_id_and_hold_it_back(tmp_path):
    import edi_lint
    from test_rules_cases import build_837

    data = build_837([(r"XX\*1582047639", "XX*1582047630")]).encode()  # 2310B NPI with a bad check digit
    report = edi_lint.lint(data, select=["CS001"])
    (finding,) = report.findings
    assert finding.loop == "2310B" and finding.claim_id is not None
    assert finding.claim_id == report.claims[0].claim_id
    assert finding.claim_segment_index == report.claims[0].segment_index
    assert [c.accepted for c in report.claims] == [False]
    accepted, rejected = tmp_path / "ok.837", tmp_path / "held.837"
    split = edi_lint.split(data, accepted, rejected, select=["CS001"])
    assert split.split["accepted"] == 0 and split.split["rejected"] == 1


def test_the_guide_does_not_validate_a_file_edi_lint_refuses(workdir):
    text = (workdir / "clean.837").read_text().replace("ST*837*", "ST*835*", 1).replace("005010X222A1", "005010X221A1")
    (workdir / "remit.835").write_text(text)
    result = invoke("remit.835", "--select", "IG", "--format", "json", "-q")
    doc = json.loads(result.stdout)
    assert result.exit_code == 2 and doc["files"][0]["status"] == "error"
    assert doc["findings"] == []


# -- what the command says about itself --------------------------------------------------------------


def test_list_rules_shows_the_configuration(workdir):
    (workdir / "edi-lint.toml").write_text('ignore = ["PT007"]\n[severity]\nPT009 = "error"\n')
    table = {line.split()[0]: line.split() for line in invoke("--list-rules").stdout.splitlines()[1:]}
    assert table["PT007"][4] == "no" and table["PT001"][4] == "yes"
    assert table["IG001"][4] == "yes"  # the guide family is on by default
    assert table["STR001"][4] == "no"  # deprecated aliases of IG codes are off until selected
    assert table["PT009"][2] == "error"  # the override, not the default (info)
    rows = {r["id"]: r for r in json.loads(invoke("--list-rules", "--format", "json").stdout)}
    assert rows["PT009"]["severity"] == "error" and rows["PT009"]["default_severity"] == "info"
    assert rows["PT007"]["selected"] is False and rows["IG001"]["selected"] is True
    selected = {r["id"]: r for r in json.loads(invoke("--list-rules", "--format", "json", "--select", "IG").stdout)}
    assert selected["IG001"]["selected"] is True and selected["PT001"]["selected"] is False


def test_explanations_have_no_stray_indentation(workdir):
    codes = [line.split()[0] for line in invoke("--list-rules").stdout.splitlines()[1:]]
    for code in codes:
        text = invoke("--explain", code).stdout
        assert not [line for line in text.splitlines() if line.startswith(" ")], code
    sarif = json.loads(invoke("sample.837", "--format", "sarif").stdout)
    for rule in sarif["runs"][0]["tool"]["driver"]["rules"]:
        assert "\n " not in rule["help"]["text"] and "  " not in rule["fullDescription"]["text"], rule["id"]


def test_console_logs_honour_no_color(monkeypatch):
    import io

    from edi_lint import logs

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    for env, coloured in (({}, True), ({"NO_COLOR": "1"}, False), ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, False)):
        monkeypatch.delenv("NO_COLOR", raising=False)
        monkeypatch.delenv("FORCE_COLOR", raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        stream = Terminal()
        logs.configure(stream=stream).warning("baseline_unmatched", path="b.json")
        assert ("\x1b[" in stream.getvalue()) is coloured, env
    monkeypatch.delenv("NO_COLOR")
    stream = io.StringIO()
    monkeypatch.setenv("FORCE_COLOR", "1")
    logs.configure(stream=stream).warning("baseline_unmatched", path="b.json")
    assert "\x1b[" in stream.getvalue()


def test_the_readme_pre_commit_rev_names_a_real_tag_or_commit():
    import re
    import subprocess

    from conftest import REPO

    rev = re.search(r"^\s+rev: (\S+)", (REPO / "README.md").read_text(), re.M).group(1)
    probe = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--is-shallow-repository"],
                           capture_output=True, text=True)
    if probe.returncode != 0 or probe.stdout.strip() != "false":
        pytest.skip("not a full git clone: the README's rev cannot be checked")
    found = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                           capture_output=True, text=True)
    assert found.returncode == 0, f"README pre-commit rev {rev!r} is neither a tag nor a commit of this repository"
