"""Baselines: --write-baseline records today's findings, --baseline reports only new ones and names
the recorded ones that no longer occur."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from edi_lint.cli import main

GO_LINE = "SV1*HC:97026:GO*30*UN*1***1~"  # SAMPLE-GO-MODIFIER line 2: PT001
GOOD_LINE_3 = "LX*3~\nSV1*HC:97026:GP*30*UN*1***1~\nDTP*472*D8*20260114~"  # SAMPLE-GO-MODIFIER line 3: clean


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def legacy(tmp_path, monkeypatch):
    shutil.copy2(FIXTURES / "sample.837", tmp_path / "sample.837")
    shutil.copy2(FIXTURES / "clean.837", tmp_path / "clean.837")
    monkeypatch.chdir(tmp_path)
    result = invoke("sample.837", "clean.837", "--write-baseline", "baseline.json")
    assert result.exit_code == 0  # the findings were just recorded
    return tmp_path


def test_written_baseline_keys(legacy):
    doc = json.loads((legacy / "baseline.json").read_text())
    assert doc["version"] == 1
    entries = doc["entries"]
    assert sum(e["count"] for e in entries) == 5
    assert {e["path"] for e in entries} == {"sample.837"}
    for entry in entries:
        assert set(entry) == {"path", "rule", "claim_id", "line_number", "count"}  # no offsets or lines
    assert {"path": "sample.837", "rule": "PT001", "claim_id": "SAMPLE-GO-MODIFIER", "line_number": 2,
            "count": 1} in entries


def test_rerun_with_baseline_is_clean(legacy):
    result = invoke("sample.837", "clean.837", "--baseline", "baseline.json", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["findings"] == []
    assert doc["baseline"] == {"path": "baseline.json", "suppressed": 5, "fixed": [], "unmatched": 0}
    text = invoke("sample.837", "--baseline", "baseline.json")
    assert text.exit_code == 0 and "PT00" not in text.stdout
    # The same file named by an absolute path matches the same entries.
    assert invoke(str(legacy / "sample.837"), "--baseline", "baseline.json").exit_code == 0


def test_new_defect_is_reported_alone_even_when_lines_shift(legacy):
    path = legacy / "sample.837"
    text = path.read_text()
    assert text.count(GOOD_LINE_3) == 1
    text = text.replace(GOOD_LINE_3, GOOD_LINE_3.replace(":GP", ""))  # a new PT001 on line 3
    first_break = text.index("~") + 1
    path.write_text(text[:first_break] + "\n\n" + text[first_break:])  # every later physical line moves
    result = invoke("sample.837", "--baseline", "baseline.json", "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["claim_id"], f["line_number"]) for f in findings] == [
        ("PT001", "SAMPLE-GO-MODIFIER", 3)]


def test_removed_defect_is_reported_as_fixed(legacy):
    path = legacy / "sample.837"
    path.write_text(path.read_text().replace(GO_LINE, GO_LINE.replace(":GO", ":GP")))
    result = invoke("sample.837", "--baseline", "baseline.json", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["findings"] == []
    assert doc["baseline"]["fixed"] == [{"path": "sample.837", "rule": "PT001", "claim_id": "SAMPLE-GO-MODIFIER",
                                         "line_number": 2, "count": 1}]
    assert "baseline_fixed" in result.stderr and "PT001 sample.837 line 2" in result.stderr  # warning, by default
    quiet = invoke("sample.837", "--baseline", "baseline.json", "-q")
    assert "baseline_fixed" not in quiet.stderr


def test_files_not_linted_are_not_fixed(legacy):
    result = invoke("clean.837", "--baseline", "baseline.json", "--format", "json")
    assert json.loads(result.stdout)["baseline"]["fixed"] == []


def test_counts_consume_duplicates():
    from edi_lint import baseline
    from edi_lint.findings import FileResult, Finding, Severity

    def finding():
        return Finding("PT001", "x", Severity.ERROR, "m", path="a.837", claim_id="C", line_number=1)

    recorded = baseline.collect([FileResult("a.837", findings=[finding(), finding()])], base=".")
    assert list(recorded.values()) == [2]
    results, applied = baseline.apply([FileResult("a.837", findings=[finding()] * 3)], recorded, base=".")
    assert len(results[0].findings) == 1 and applied.suppressed == 2 and applied.fixed == []
    results, applied = baseline.apply([FileResult("a.837", findings=[finding()])], recorded, base=".")
    assert results[0].findings == [] and applied.fixed[0]["count"] == 1


@pytest.mark.parametrize("content", [None, "not json", '{"version": 99, "entries": []}'])
def test_bad_baseline_is_a_usage_error(tmp_path, monkeypatch, content):
    monkeypatch.chdir(tmp_path)
    shutil.copy2(FIXTURES / "sample.837", tmp_path / "sample.837")
    if content is not None:
        (tmp_path / "baseline.json").write_text(content)
    result = invoke("sample.837", "--baseline", "baseline.json")
    assert result.exit_code == 2
    assert "baseline" in result.stderr


def test_text_report_mentions_baseline(legacy):
    path = legacy / "sample.837"
    path.write_text(path.read_text().replace(GO_LINE, GO_LINE.replace(":GO", ":GP")))
    result = invoke("sample.837", "--baseline", "baseline.json")
    assert result.stdout.splitlines()[-1] == (
        "Baseline baseline.json: 4 known finding(s) hidden, 1 entry no longer occurs (prune with --write-baseline).")


def test_a_linked_folder_finds_the_same_entries(legacy):
    """A file named through a symlinked folder, or a baseline reached through one, matched nothing
    (paths were compared with the links unresolved): every finding came back as new."""
    (legacy / "link").symlink_to(legacy, target_is_directory=True)
    assert invoke("link/sample.837", "--baseline", "baseline.json").exit_code == 0
    assert invoke("sample.837", "--baseline", "link/baseline.json").exit_code == 0
    assert invoke("sample.837", "--write-baseline", "link/again.json").exit_code == 0
    assert json.loads((legacy / "again.json").read_text()) == json.loads((legacy / "baseline.json").read_text())
