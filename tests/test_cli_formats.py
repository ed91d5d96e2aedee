"""Every --format through the command line, --output-file, and exit codes, on the fixtures."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from edi_lint.cli import main

FORMATS = ["text", "full", "concise", "json", "jsonl", "json-lines", "sarif", "junit", "github"]


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_runs(workdir, fmt):
    result = invoke("sample.837", "--format", fmt)
    assert result.exit_code == 1
    assert result.stdout.strip()
    assert "Traceback" not in result.stdout + result.stderr
    clean = invoke("clean.837", "--format", fmt)
    assert clean.exit_code == 0


def test_sarif_has_what_github_code_scanning_requires(workdir):
    doc = json.loads(invoke("sample.837", "--format", "sarif").stdout)
    assert doc["version"] == "2.1.0" and "sarif-2.1.0" in doc["$schema"]
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "edi-lint"
    rules = {rule["id"]: rule for rule in driver["rules"]}
    for rule in rules.values():
        assert rule["shortDescription"]["text"] and rule["help"]["text"]
        assert len(rule["fullDescription"]["text"]) <= 1024
    assert len(run["results"]) == 5
    fingerprints = set()
    for result in run["results"]:
        assert result["ruleId"] in rules
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "sample.837"  # relative to the working directory
        assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1
        assert result["partialFingerprints"]
        fingerprints.add(json.dumps(result["partialFingerprints"], sort_keys=True))
    assert len(fingerprints) == 5  # one per finding: GitHub would otherwise merge alerts


def test_sarif_uri_relative_in_subdirectory(workdir):
    (workdir / "claims").mkdir()
    shutil.copy2(FIXTURES / "sample.837", workdir / "claims" / "in batch.837")
    doc = json.loads(invoke("claims", "--format", "sarif").stdout)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]}
    assert uris == {"claims/in%20batch.837"}


def test_junit_parses_with_lxml(workdir):
    from lxml import etree

    result = invoke("sample.837", "clean.837", "--format", "junit")
    root = etree.fromstring(result.stdout.encode())
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["sample.837", "clean.837"]
    sample = suites[0]
    cases = sample.findall("testcase")
    assert len(cases) == 3  # one per claim
    assert sum(len(c.findall("failure")) for c in cases) == 5
    assert all(c.findall("failure") for c in cases)
    assert not any(c.findall("failure") for c in suites[1].findall("testcase"))
    assert int(root.get("failures")) == 3


def test_json_contract_fields(workdir):
    doc = json.loads(invoke("sample.837", "--format", "json").stdout)
    assert set(doc) >= {"findings", "files"}
    assert doc["files"] == [{"path": "sample.837", "status": "linted", "error": None, "claims": 3,
                             "service_lines": 9, "findings": 5}]
    for finding in doc["findings"]:
        assert set(finding) >= {"rule", "name", "severity", "message", "path", "claim_id", "line_number", "loop",
                                "segment", "element", "segment_index", "line", "column", "byte_offset",
                                "transaction"}
        assert finding["severity"] in ("error", "warning", "info")
    assert sorted(f["rule"] for f in doc["findings"]) == ["PT001", "PT001", "PT002", "PT002", "PT003"]


def test_jsonl_one_object_per_line(workdir):
    lines = invoke("sample.837", "--format", "jsonl").stdout.splitlines()
    assert len(lines) == 5
    assert all(json.loads(line)["rule"].startswith("PT") for line in lines)


def test_github_annotations(workdir):
    lines = invoke("sample.837", "--format", "github").stdout.splitlines()
    assert len(lines) == 5
    assert all(line.startswith("::error file=sample.837,line=") and "title=PT00" in line for line in lines)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit"])
def test_output_file(workdir, fmt):
    to_stdout = invoke("sample.837", "--format", fmt)
    result = invoke("sample.837", "--format", fmt, "--output-file", "report.out")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert (workdir / "report.out").read_text() == to_stdout.stdout


def test_exit_codes(workdir):
    assert invoke("clean.837").exit_code == 0
    assert invoke("sample.837").exit_code == 1
    assert invoke("sample.837", "--exit-zero").exit_code == 0
    assert invoke("sample.837", "--fail-on", "never").exit_code == 0
    assert invoke("--format", "json").exit_code == 2  # no path: usage error


def test_bad_file_exits_2_and_other_files_still_reported(workdir):
    (workdir / "broken.837").write_text("this is not X12\n")
    result = invoke("sample.837", "broken.837", "clean.837", "--format", "json")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    status = {f["path"]: f["status"] for f in doc["files"]}
    assert status == {"sample.837": "linted", "broken.837": "error", "clean.837": "linted"}
    assert len(doc["findings"]) == 5
    text = invoke("sample.837", "broken.837")
    assert text.exit_code == 2
    assert "PT001" in text.stdout and "broken.837" in text.stdout + text.stderr
    assert invoke("missing.837", "clean.837").exit_code == 2


def test_progress_never_in_piped_output(workdir):
    """CliRunner's stderr is not a TTY: no carriage-return counter anywhere, even for many files."""
    for n in range(25):
        shutil.copy2(FIXTURES / "clean.837", workdir / f"c{n:02d}.837")
    for fmt in ("json", "sarif", "junit", "text"):
        result = invoke(".", "--format", fmt)
        assert "\r" not in result.stdout and "\r" not in result.stderr
        assert "files," not in result.stderr


class FakeTTY:
    def __init__(self):
        import io

        self.buffer = io.StringIO()

    def isatty(self):
        return True

    def write(self, text):
        self.buffer.write(text)

    def flush(self):
        pass


def test_progress_only_at_a_terminal_for_much_work(tmp_path, monkeypatch):
    import io

    from edi_lint import progress

    small = [str(FIXTURES / "clean.837")]
    many = small * progress.MANY_FILES
    assert not progress.wanted(many, io.StringIO())  # piped
    assert progress.wanted(many, FakeTTY())
    assert not progress.wanted(small, FakeTTY())
    assert not progress.wanted(many, FakeTTY(), quiet=True)
    assert not progress.wanted(many, FakeTTY(), log_format="json")
    monkeypatch.setattr(progress, "LARGE_BYTES", 1000)
    assert progress.wanted(small, FakeTTY())  # one large file


@pytest.mark.parametrize("jobs", [1, 2])
def test_progress_counts_and_erases_itself(jobs):
    from edi_lint import progress
    from edi_lint.application import Linters, run_files
    from edi_lint.engine import Settings

    files = [str(FIXTURES / "sample.837"), str(FIXTURES / "clean.837")]
    tty = FakeTTY()
    seen = []
    results = run_files(files, Linters(Settings()), jobs, progress.Progress(files, tty),
                        lambda result, elapsed: seen.append((result.path, elapsed >= 0)))
    assert [r.path for r in results] == files and seen == [(f, True) for f in files]
    assert [len(r.findings) for r in results] == [5, 0]
    out = tty.buffer.getvalue()
    assert "edi-lint: 2/2 files, 100%" in out
    assert out.endswith("\r")  # erased: the report starts on a clean line


def test_logs_levels_and_json_lines(workdir):
    (workdir / "broken.837").write_text("not x12\n")
    default = invoke("broken.837", "sample.837", "--format", "json")
    # warnings by default; the report already names the broken file, so no second word on stderr
    assert "file_error" not in default.stderr and "file_linted" not in default.stderr
    json.loads(default.stdout)  # logs never reach stdout
    verbose = invoke("broken.837", "sample.837", "--format", "json", "-v", "--log-format", "json")
    events = [json.loads(line) for line in verbose.stderr.splitlines()]
    linted = [e for e in events if e["event"] == "file_linted"]
    assert [e["path"] for e in linted] == ["broken.837", "sample.837"]
    sample = linted[1]
    assert (sample["claims"], sample["service_lines"], sample["findings"], sample["errors"]) == (3, 9, 5, 5)
    assert sample["level"] == "info" and sample["elapsed_s"] >= 0 and "timestamp" in sample
    error = next(e for e in events if e["event"] == "file_error")
    assert error["level"] == "info" and error["error"].startswith("not X12")
    used = next(e for e in events if e["event"] == "config_used")
    assert used["path"] == "none"
    assert not any(e["level"] == "debug" for e in events)
    debug = [json.loads(line) for line in invoke("broken.837", "sample.837", "-vv", "--log-format", "json",
                                                 "--format", "json").stderr.splitlines()]
    found = {e["event"]: e for e in debug if e["level"] == "debug"}
    assert found["inputs_found"]["count"] == 2 and found["rules_selected"]["count"] > 10
    assert found["folder_config"]["config"] == "none"
    assert "file_error" not in invoke("broken.837", "-q").stderr
    assert invoke("broken.837", "-qq").stderr == ""


def test_structlog_not_imported_on_a_quiet_clean_run(workdir):
    import subprocess
    import sys

    code = ("import sys\nfrom edi_lint.cli import main\ntry:\n    main(['clean.837'])\nexcept SystemExit:\n    pass\n"
            "print('structlog' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=workdir)
    assert run.stdout.strip().splitlines()[-1] == "False"


def test_jsonl_names_a_file_that_could_not_be_linted_on_stderr(workdir):
    """JSON Lines is findings only, so an unlintable input gave exit 2 and not one word anywhere:
    its file_error event (info, since other formats name the file) is a warning with jsonl."""
    (workdir / "broken.837").write_text("not x12\n")
    for fmt in ("jsonl", "json-lines"):
        result = invoke("broken.837", "sample.837", "--format", fmt, "--log-format", "json")
        assert result.exit_code == 2
        assert all(json.loads(line)["rule"] for line in result.stdout.splitlines())
        (event,) = [json.loads(line) for line in result.stderr.splitlines()]
        assert (event["event"], event["path"], event["level"]) == ("file_error", "broken.837", "warning")
        assert event["error"].startswith("not X12")
    assert "file_error" not in invoke("broken.837", "sample.837", "--format", "json").stderr
