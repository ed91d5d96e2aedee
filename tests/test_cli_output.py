"""The text report for people, through the real command: grouping, severities, colour, source
excerpts with a caret, statistics, and the conventions users know (-V, --output-format,
--stdin-filename, GITHUB_ACTIONS)."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from edi_lint.cli import main

ANSI = "\x1b["


def invoke(*args: str, env: dict | None = None, stdin: bytes | None = None):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, env=env, input=stdin)


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    for name in ("sample.837", "clean.837", "delims_oneline.837"):
        shutil.copy2(FIXTURES / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def test_grouped_by_file_with_a_severity_on_every_line(workdir):
    (workdir / "broken.837").write_text("not x12\n")
    out = invoke("sample.837", "broken.837", "clean.837").stdout.splitlines()
    assert out[0] == "sample.837:"
    findings = out[1:6]
    assert all(line.startswith("  ") and " error " in line for line in findings)
    assert findings[0] == ("  27:1  error    PT001  97026 carries GO (occupational therapy) instead of GP "
                           "(physical therapy plan of care) [claim SAMPLE-GO-MODIFIER, line 2]")
    assert out[6:9] == ["", "broken.837:",
                        "  error: could not be linted: not X12: the file does not start with an ISA segment"]
    assert out[-1] == "Found 5 errors in 1 of 3 files; 1 file could not be linted."
    assert "clean.837" not in "\n".join(out)  # a clean file has no group


def test_one_line_files_give_the_segment_ordinal(workdir):
    out = invoke("delims_oneline.837").stdout.splitlines()
    assert out[1].startswith("  1:834 (segment #27)  error    PT001  ")


def test_show_source_puts_a_caret_under_the_element(workdir):
    out = invoke("sample.837", "--show-source").stdout.splitlines()
    at = out.index(next(line for line in out if "PT002" in line and "CLM05-1" in line))
    segment, caret = out[at + 1], out[at + 2]
    assert segment.endswith("| CLM*SAMPLE-HOSPITAL-POS*100***22:B:1*Y*A*Y*Y~")
    column = segment.index("CLM*")
    assert caret[column:] == " " * len("CLM*SAMPLE-HOSPITAL-POS*100***") + "^^"  # under CLM05-1 = 22
    assert invoke("sample.837", "--format", "full").stdout == invoke("sample.837", "--show-source").stdout


def test_show_source_masks_a_persons_identity(workdir):
    # a member id qualified as an NPI: CS001 points at the subscriber's NM1 (2010BA)
    text = (workdir / "sample.837").read_text().replace("NM1*IL*1*BRANNIGAN*TOBIAS****MI*MMH4410027",
                                                        "NM1*IL*1*BRANNIGAN*TOBIAS****XX*1234567890", 1)
    (workdir / "person.837").write_text(text)
    out = invoke("person.837", "--show-source", "--select", "CS001").stdout.splitlines()
    assert out[1].startswith("  16:1  error    CS001  NM109 of the NM1*IL")
    # the name and the id are masked as in the HTML report; the entity type and the id's qualifier are not PHI
    assert out[2].endswith("| NM1*IL*1*XXXXXXXXX*XXXXXX****XX*XXXXXXXXXX~")
    assert out[3].endswith("|" + " " * (1 + len("NM1*IL*1*XXXXXXXXX*XXXXXX****XX*")) + "^" * 10)
    assert "BRANNIGAN" not in "\n".join(out) and "1234567890" not in "\n".join(out)


@pytest.mark.parametrize("env, option, coloured", [
    ({}, None, False),  # CliRunner's stdout is not a terminal
    ({"FORCE_COLOR": "1"}, None, True),
    ({"NO_COLOR": "1"}, "always", True),  # the explicit option wins
    ({"FORCE_COLOR": "1"}, "never", False),
    ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, None, False),
])
def test_colour_follows_no_color_force_color_and_the_option(workdir, env, option, coloured):
    args = ["sample.837"] + (["--color", option] if option else [])
    result = invoke(*args, env=env)
    assert (ANSI in result.stdout) is coloured
    assert result.exit_code == 1


def test_no_colour_in_a_report_file_unless_always(workdir):
    invoke("sample.837", "-o", "report.txt", env={"FORCE_COLOR": "1"})
    assert ANSI not in (workdir / "report.txt").read_text()
    invoke("sample.837", "-o", "report.txt", "--color", "always")
    assert ANSI in (workdir / "report.txt").read_text()


def test_statistics_in_one_screen_and_in_json(workdir):
    out = invoke("sample.837", "delims_oneline.837", "--statistics").stdout.splitlines()
    assert out[0].split() == ["3", "error", "PT001", "missing-gp-modifier", "2", "files,", "3", "claims"]
    assert out[-1].startswith("Found 6 errors in 2 files")
    doc = json.loads(invoke("sample.837", "--statistics", "--format", "json").stdout)
    stats = doc["statistics"]
    assert stats["by_severity"] == {"error": 5, "warning": 0, "info": 0}
    assert [(r["rule"], r["count"]) for r in stats["by_rule"]] == [("PT001", 2), ("PT002", 2), ("PT003", 1)]
    assert stats["files"] == 1 and stats["claims"] == 3 and stats["service_lines"] == 9
    assert "statistics" not in json.loads(invoke("sample.837", "--format", "json").stdout)
    assert invoke("sample.837", "--statistics", "--format", "sarif").exit_code == 2


def test_conventions_users_know(workdir):
    assert invoke("-V").stdout.startswith("edi-lint, version ")
    assert invoke("--output-format", "concise", "sample.837").stdout == invoke("--format", "concise",
                                                                                  "sample.837").stdout
    github = invoke("sample.837", env={"GITHUB_ACTIONS": "true"}).stdout
    assert github.startswith("::error file=sample.837,line=27")
    assert invoke("sample.837", "--format", "text", env={"GITHUB_ACTIONS": "true"}).stdout.startswith("sample.837:")


def test_stdin_filename_names_the_input_and_picks_its_configuration(workdir):
    (workdir / "legacy").mkdir()
    (workdir / "legacy" / "edi-lint.toml").write_text('ignore = ["PT002"]\n')
    data = (workdir / "sample.837").read_bytes()
    result = invoke("-", "--stdin-filename", "legacy/batch.837", "--format", "json", "-q", stdin=data)
    doc = json.loads(result.stdout)
    assert doc["files"][0]["path"] == "legacy/batch.837"
    assert {f["rule"] for f in doc["findings"]} == {"PT001", "PT003"}  # PT002 ignored by legacy/'s file


@pytest.mark.parametrize("args", [
    ("sample.837", "-o", "sample.837"),                       # the report written over the claim file
    ("sample.837", "clean.837", "--output-file", "./clean.837"),
    (".", "-o", "sample.837"),                                # a file the folder walk found
    ("sample.837", "--write-baseline", "sample.837"),
])
def test_a_report_or_baseline_is_never_written_over_an_input(workdir, args):
    """The input is never modified (DESIGN contracts, README Reliability): -o and --write-baseline
    replaced a linted claim file with the report or the baseline, where the split's and the
    acknowledgments' outputs already refuse the input."""
    before = {p.name: p.read_bytes() for p in workdir.glob("*.837")}
    result = invoke(*args)
    assert result.exit_code == 2 and "is an input file" in result.stderr
    assert {p.name: p.read_bytes() for p in workdir.glob("*.837")} == before


def test_the_report_is_never_written_over_the_splits_output_or_the_baseline(workdir):
    """-o naming --rejected (or --accepted) replaced that interchange with the text report after
    the split, and exit 0 would then have told a pipeline to forward a report as claims; -o naming
    --baseline destroyed the baseline it had just read."""
    result = invoke("clean.837", "--accepted", "ok.837", "--rejected", "held.837", "-o", "ok.837")
    assert result.exit_code == 2 and "name the same file" in result.stderr
    assert not (workdir / "ok.837").exists()
    assert invoke("sample.837", "--write-baseline", "base.json").exit_code == 0
    recorded = (workdir / "base.json").read_bytes()
    result = invoke("sample.837", "--baseline", "base.json", "-o", "base.json")
    assert result.exit_code == 2 and "is the --baseline file" in result.stderr
    assert (workdir / "base.json").read_bytes() == recorded
    assert invoke("sample.837", "--baseline", "base.json", "--write-baseline", "base.json").exit_code == 0


def test_report_to_a_new_file_beside_the_inputs_still_works(workdir):
    result = invoke("sample.837", "-o", "report.txt")
    assert result.exit_code == 1 and (workdir / "report.txt").read_text().startswith("sample.837:")


def test_a_device_output_is_not_taken_for_an_input(workdir):
    """Only a regular file can be an input written over: `edi-lint /dev/stdin -o /dev/stdout` at a
    terminal names one device twice (stdin and stdout are the same tty) and was refused as writing
    over the input. A link to /dev/null stands in for the terminal here."""
    from edi_lint.application import check_outputs_apart

    (workdir / "null-link").symlink_to("/dev/null")
    check_outputs_apart(["null-link"], [("--output-file", "/dev/null")])
    result = invoke("sample.837", "-o", "/dev/null")
    assert result.exit_code == 1


def test_statistics_name_the_file_that_could_not_be_linted_and_why(workdir):
    """--statistics counted "1 file could not be linted" but said neither which nor why: every input
    that cannot be linted gets one clear line (README, Exit codes)."""
    (workdir / "broken.837").write_text("not x12\n")
    result = invoke("sample.837", "broken.837", "--statistics")
    assert result.exit_code == 2
    assert "broken.837: error: could not be linted: not X12" in result.stdout
    assert "PT001" in result.stdout and "1 file could not be linted" in result.stdout
    assert "could not be linted:" not in invoke("sample.837", "--statistics").stdout


@pytest.mark.parametrize("option", ["-o", "--write-baseline", "--baseline", "--config", "--stdin-filename",
                                    "--ack-999"])
def test_an_empty_path_is_a_usage_error(workdir, option):
    """`--write-baseline "$BASE"` with BASE unset wrote no baseline and said nothing (exit 1, as if the
    option were not given); `-o ""` printed the report instead of writing the file asked for."""
    result = invoke("sample.837", option, "")
    assert result.exit_code == 2 and "needs a path, got an empty string" in result.stderr


def test_show_source_never_quotes_the_file_named_by_stdin_filename(workdir):
    """With standard input named by --stdin-filename (an editor's unsaved buffer), --show-source
    re-read the file of that name on disk and printed its segments under the findings of the
    bytes that came in: other content, unmasked where the finding's loop is not a person's."""
    result = invoke("-", "--stdin-filename", "clean.837", "--show-source",
                    stdin=(FIXTURES / "sample.837").read_bytes())
    assert result.exit_code == 1 and "PT001" in result.stdout
    assert "|" not in result.stdout  # no source lines: the bytes linted cannot be read again
    assert "SV1*HC:97110" not in result.stdout  # clean.837's segment #27, shown under sample's PT001 before
    shown = invoke("sample.837", "--show-source").stdout
    assert "| SV1*HC:97026:GO*30*UN*1***1~" in shown


@pytest.mark.parametrize("args, words", [
    (("--show-phi",), "--show-phi goes with --format html"),
    (("--show-phi", "--format", "json"), "--show-phi goes with --format html"),
    (("--show-source", "--format", "json"), "--show-source goes with --format text or full"),
    (("--show-source", "--format", "concise"), "--show-source goes with --format text or full"),
])
def test_an_option_the_format_cannot_honour_is_a_usage_error(workdir, args, words):
    """A biller asking for patient names in a text report, or for source excerpts in JSON, got a
    report without them and no word why; now one line and exit 2, as --statistics with sarif."""
    result = invoke("sample.837", *args)
    assert result.exit_code == 2 and words in result.output and "Traceback" not in result.output
    assert not result.stdout.startswith("sample.837")  # nothing linted


def test_show_source_with_the_format_left_to_its_default(workdir):
    """--show-source names the text report; left to the default it goes with text, and in GitHub
    Actions (annotations, which have no excerpt) it is no reason to fail the step."""
    assert invoke("sample.837", "--show-source").exit_code == 1
    assert invoke("sample.837", "--show-source", env={"GITHUB_ACTIONS": "true"}).exit_code == 1
    assert invoke("sample.837", "--show-phi", "--format", "html", "-o", str(workdir / "r.html")).exit_code == 1
