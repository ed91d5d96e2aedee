"""Code sets (SNIP 5): the shipped tables are what the maintained packages hold, lookups answer by
date of service, user-supplied tables are read from configuration or skipped with --explain saying
so, and no rule fires on the corpus files that are known valid beyond their documented defects."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest
from click.testing import CliRunner

from conftest import CORPUS, FIXTURES
from test_rules_cases import build_837


def run(*args):
    from edi_lint.cli import main

    return CliRunner().invoke(main, list(args))


# -- the shipped tables -----------------------------------------------------------------------------

def test_shipped_tables_are_what_the_packages_hold():
    """Updating = upgrade simple-icd-10-cm / zipcodes, run python -m edi_lint.codesets.build, commit."""
    pytest.importorskip("simple_icd_10_cm")
    pytest.importorskip("zipcodes")
    from edi_lint.codesets import HERE
    from edi_lint.codesets.build import tables

    for name, text in tables().items():
        assert (HERE / name).read_text(encoding="ascii") == text, f"{name} is stale: run python -m edi_lint.codesets.build"


def test_icd10cm_release_answers_billable_header_and_unknown():
    from edi_lint import codesets

    billable, headers = codesets.icd10cm()
    assert "M5450" in billable and "M25561" in billable and "E1142" in billable
    assert "M545" in headers and "M545" not in billable  # deleted 2021-10-01: now a header
    assert "M2556Q" not in billable and "M2556Q" not in headers
    assert "" not in billable and "M25561XX" not in billable  # wrong widths never match
    assert len(billable) > 70000
    release = codesets.RELEASE
    assert release.first_day == date(2025, 10, 1) and release.last_day == date(2026, 9, 30)


def test_zip_ranges_and_states():
    from edi_lint import codesets

    assert codesets.zip_state("97630") == "OR" and codesets.zip_state("20705") == "MD"
    assert codesets.zip_state("00501") == "NY" and codesets.zip_state("00000") is None
    assert {"PR", "GU", "AE", "DC"} <= codesets.US_STATES and "ON" in codesets.CANADIAN_PROVINCES


def test_places_of_service_have_names_and_dates():
    from edi_lint import codesets

    pos = codesets.places_of_service()
    assert pos["11"][0] == "Office" and pos["10"][1] == date(2022, 1, 1)
    assert "38" not in pos and len(pos) == 52


# -- user-supplied tables ---------------------------------------------------------------------------

def test_user_table_skips_a_header_and_upper_cases(tmp_path):
    from edi_lint.codesets import load_user_table

    path = tmp_path / "nucc.csv"
    path.write_text("Code,Classification\n225100000x,Physical Therapist\n\n2251X0800X,Orthopedic\n", encoding="utf-8")
    assert load_user_table(str(path)) == {"225100000X", "2251X0800X"}


def test_configured_code_sets_are_checked_and_explained(tmp_path):
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "nucc.csv").write_text("Code\n225100000X\n", encoding="utf-8")
    (tmp_path / "edi-lint.toml").write_text('[code-sets]\ntaxonomy = "tables/nucc.csv"\n', encoding="utf-8")
    claim = tmp_path / "c.837"
    claim.write_bytes(build_837([(r"PRV\*PE\*PXC\*225100000X", "PRV*PE*PXC*2251X0800X")]).encode())
    config = str(tmp_path / "edi-lint.toml")
    result = run(str(claim), "--config", config, "--format", "json", "-q", "--select", "CS014")
    found = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["actual"]) for f in found] == [("CS014", "2251X0800X")]
    assert "Configured: checked against" in run("--explain", "CS014", "--config", config).stdout
    # not configured: off by default, and --explain says it is skipped
    assert "Not configured: this rule is skipped" in run("--explain", "CS014", "--isolated").stdout
    assert "CS014" not in run(str(claim), "--isolated", "--format", "concise", "-q").stdout


def test_a_missing_code_set_file_is_a_one_line_configuration_error(tmp_path):
    (tmp_path / "edi-lint.toml").write_text('[code-sets]\ncpt = "nowhere.csv"\n', encoding="utf-8")
    claim = tmp_path / "c.837"
    claim.write_bytes(build_837().encode())
    result = run(str(claim), "--config", str(tmp_path / "edi-lint.toml"))
    assert result.exit_code == 2
    assert "nowhere.csv" in result.output and "Traceback" not in result.output
    (tmp_path / "edi-lint.toml").write_text('[code-sets]\nicd = "x.csv"\n', encoding="utf-8")
    result = run(str(claim), "--config", str(tmp_path / "edi-lint.toml"))
    assert result.exit_code == 2 and "code-sets.icd" in result.output


# -- NCCI procedure-to-procedure edits (code-sets.ncci, TH010; edi-lint's own table, TH011) -------------

def test_ptp_table_reads_the_cms_layout_text_csv_and_a_folder(tmp_path):
    from edi_lint.codesets.ncci import load_ptp_table

    table = load_ptp_table(str(FIXTURES / "codesets" / "ncci-sample.txt"))
    assert len(table) == 3  # the header and copyright lines are skipped, and so is the indicator-9 row
    assert table.edits("97161", "97140") == [("20200101", "99999999", "1")]
    assert table.edits("97112", "97026") == [("20200101", "20250101", "1")]
    assert table.edits("97140", "97161") == [] and table.edits("97035", "97026") == []
    folder = tmp_path / "ccipra"
    folder.mkdir()
    (folder / "f1.csv").write_text('Column 1,Column 2,*,Effective,Deletion,Modifier,Rationale\n'
                                   '"97530","97116","","20201001","*","1","Misuse"\n', encoding="latin-1")
    (folder / "f2.txt").write_text("97150\t97110\t*\t20201001\t\t1\tMutually exclusive \xae\n", encoding="latin-1")
    (folder / "notes.pdf").write_bytes(b"%PDF")
    table = load_ptp_table(str(folder))
    assert table.edits("97530", "97116") == [("20201001", "99999999", "1")]
    assert table.edits("97150", "97110") == [("20201001", "99999999", "1")]
    assert table.column2 == {"97116", "97110"}


@pytest.mark.parametrize("row,why", [("97161\t97140\t\t2020-01-01\t*\t1\tx", "effective date"),
                                     ("97161\t97140\t\t20200101\t*\t2\tx", "modifier indicator"),
                                     ("Column 1\tColumn 2\n", "no NCCI PTP edit")])
def test_a_malformed_ptp_file_names_its_line(tmp_path, row, why):
    from edi_lint.codesets import CodeSetError
    from edi_lint.codesets.ncci import load_ptp_table

    path = tmp_path / f"bad{abs(hash(row))}.txt"
    path.write_text("header line\n" + row, encoding="ascii")
    with pytest.raises(CodeSetError, match=why) as error:
        load_ptp_table(str(path))
    assert str(path) in str(error.value)


def test_the_shipped_ncci_table_states_source_and_quarter_and_parses():
    from edi_lint.codesets.ncci import load_ptp_table
    from edi_lint.rules.ncci import builtin_table_path

    path = builtin_table_path()
    text = path.read_text(encoding="ascii")
    assert "# Source:" in text and "# Quarter:" in text and "UNVERIFIED" in text
    table = load_ptp_table(str(path))
    assert table.edits("97161", "97140") and len(table) == sum(
        1 for line in text.splitlines() if line and not line.startswith("#"))


def test_ncci_file_configured_or_not(tmp_path):
    claim = tmp_path / "c.837"
    claim.write_bytes(build_837([(r"SV1\*HC:97026:GP", "SV1*HC:97161:GP"), (r"HC:97110:GP", "HC:97140:GP")]).encode())
    # not configured: TH010 is skipped and says so; edi-lint's own table (TH011, a warning) finds the pair
    assert "Not configured: this rule is skipped" in run("--explain", "TH010", "--isolated").stdout
    found = json.loads(run(str(claim), "--isolated", "--format", "json", "-q").stdout)["findings"]
    assert [(f["rule"], f["severity"], f["line_number"]) for f in found if f["rule"].startswith("TH01")] == [
        ("TH011", "warning", 2)]
    # configured: TH010 (an error) checks the CMS file, and TH011 stands down
    (tmp_path / "edi-lint.toml").write_text(
        f'[code-sets]\nncci = "{(FIXTURES / "codesets" / "ncci-sample.txt").as_posix()}"\n', encoding="utf-8")
    config = str(tmp_path / "edi-lint.toml")
    found = json.loads(run(str(claim), "--config", config, "--format", "json", "-q").stdout)["findings"]
    assert [(f["rule"], f["severity"], f["line_number"]) for f in found if f["rule"].startswith("TH01")] == [
        ("TH010", "error", 2)]
    assert "Configured: checked against" in run("--explain", "TH010", "--config", config).stdout
    assert "Stands down" in run("--explain", "TH011", "--config", config).stdout
    # a broken file: one line, exit 2
    (tmp_path / "bad.txt").write_text("97161\t97140\t\t2020\t*\t1\tx\n", encoding="ascii")
    (tmp_path / "edi-lint.toml").write_text('[code-sets]\nncci = "bad.txt"\n', encoding="utf-8")
    result = run(str(claim), "--config", config)
    assert result.exit_code == 2 and "bad.txt" in result.output and "Traceback" not in result.output


# -- the corpus files known to be valid ---------------------------------------------------------------

# pyx12 accepts these (SOURCES.md, "valid"); every default finding on them is a defect in the sample data
# itself, listed here with what it is. A new rule that fires on them fails this test until its finding is
# shown to be a real defect and added.
KNOWN_VALID = {
    "kputnam-stupidedi__837p_x222a1_ambulance.edi": {
        "CS001": 1,  # an invented NPI without a valid check digit
        "CS013": 1,  # ZIP 66601 (Kansas) with state MD
    },
    "kputnam-stupidedi__837p_x222a1_anesthesia.edi": {"CS001": 3, "SIT010": 1},  # billing ZIP 37232: 5 digits
    "kputnam-stupidedi__837p_x222a1_cob_payer_a_to_payer_b.edi": {"CS001": 3, "SIT010": 1, "CS013": 1},
    "kputnam-stupidedi__837p_x222a1_commercial_health_insurance.edi": {
        "CS001": 1, "CS002": 1,  # taxonomy 203BF0100Y does not end in X
        "SIT010": 1,
    },
    "kputnam-stupidedi__837p_x222a1_home_infusion_ndc_2410.edi": {"SIT010": 1},
    "uhin-x12-parser-library__837p_x222a1_sample.edi": {
        "SIT006": 1,  # service date 20240820, file created 20220118
        "CS013": 2,  # ZIP 84106 (Utah) with state MI
    },
}


@pytest.mark.parametrize("name", sorted(KNOWN_VALID))
def test_known_valid_corpus_files_have_only_their_documented_defects(corpus, linter, name):
    result = linter.lint_path(corpus / name)
    assert result.status == "linted", result.error
    assert dict(Counter(f.rule for f in result.findings)) == KNOWN_VALID[name], [
        (f.rule, f.message) for f in result.findings]


def test_the_known_valid_files_are_the_ones_pyx12_accepts(corpus):
    rows = [line for line in (CORPUS / "SOURCES.md").read_text("utf-8").splitlines()
            if line.startswith("| `") and line.rstrip().endswith("| valid |") and "_837p_x222a1_" in line]
    assert {row.split("`")[1] for row in rows} == set(KNOWN_VALID)


def test_clean_fixture_is_clean_with_the_code_sets():
    from edi_lint.application import build_linter
    from edi_lint.engine import Settings

    result = build_linter(Settings(select=("CS", "SIT", "TH"))).lint_path(FIXTURES / "clean.837")
    assert result.findings == []
