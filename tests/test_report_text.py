"""text / concise reporters and the format registry."""

import pytest

from edi_lint.findings import FileResult, Finding, Severity
from edi_lint.report import ALIASES, FORMATS, render
from edi_lint.report import concise, text


def finding(rule="PT001", severity=Severity.ERROR, **kw):
    kw.setdefault("message", "Therapy line without GP modifier")
    return Finding(rule=rule, name="missing-gp-modifier", severity=severity, **kw)


def sample():
    a = FileResult(
        "in/a.837",
        claims=3,
        service_lines=7,
        findings=[
            finding(path="in/a.837", claim_id="CLM01", line_number=2, line=1, column=245),
            finding("PT002", Severity.WARNING, path="in/a.837", claim_id="CLM02", line=3,
                    column=1, message="Claim-level problem"),
            finding("PT003", Severity.INFO, path="in/a.837", message="File note"),
        ],
    )
    b = FileResult("in/b.837", status="error", error="no ISA segment found")
    return [a, b]


def test_text_lines_exact():
    out = text.render(sample(), {})
    assert out.splitlines() == [
        "in/a.837:",
        "  1:245  error    PT001  Therapy line without GP modifier [claim CLM01, line 2]",
        "  3:1    warning  PT002  Claim-level problem [claim CLM02]",
        "  1:1    info     PT003  File note",
        "",
        "in/b.837:",
        "  error: could not be linted: no ISA segment found",
        "",
        "Found 1 error, 1 warning, 1 info in 1 of 2 files; 1 file could not be linted.",
    ]
    assert out.endswith("\n")


def test_text_segment_ordinal_when_the_segment_does_not_start_its_line():
    one_line = finding(path="x.837", line=1, column=834, segment_index=27)
    first = finding(path="x.837", line=5, column=1, segment_index=5)
    out = text.render([FileResult("x.837", findings=[one_line, first])], {})
    assert out.splitlines()[1:3] == [
        "  1:834 (segment #27)  error    PT001  Therapy line without GP modifier",
        "  5:1                  error    PT001  Therapy line without GP modifier",
    ]


def test_text_summary_counts_files_with_findings_and_unlinted_files():
    broken = FileResult("b.837", status="error", error="not X12")
    assert text.summary_line([broken]) == "1 file could not be linted; nothing was checked."
    assert text.summary_line([broken, FileResult("ok.837", claims=1)]) == (
        "No findings in the 1 file linted; 1 file could not be linted.")
    found = FileResult("a.837", findings=[finding(path="a.837")] * 5)
    assert text.summary_line([found, FileResult("ok.837")]) == "Found 5 errors in 1 of 2 files."


def test_text_colour_only_when_asked():
    plain = text.render(sample(), {})
    assert "\x1b[" not in plain
    coloured = text.render(sample(), {}, colour=True)
    assert "\x1b[1;31merror" in coloured and "\x1b[1;33mwarning" in coloured and "\x1b[1min/a.837:" in coloured
    assert coloured.replace("\x1b[0m", "").count("PT001") == plain.count("PT001")


def test_text_statistics():
    out = text.render(sample(), {}, statistics=True)
    assert out.splitlines() == [
        "1  error    PT001  missing-gp-modifier  1 file, 1 claim",
        "1  warning  PT002  missing-gp-modifier  1 file, 1 claim",
        "1  info     PT003  missing-gp-modifier  1 file",
        "",
        "in/b.837: error: could not be linted: no ISA segment found",
        "",
        "Found 1 error, 1 warning, 1 info in 1 of 2 files; 1 file could not be linted.",
    ]


def test_text_all_passed():
    results = [FileResult("a.837", claims=10, service_lines=39),
               FileResult("b.837", service_lines=1)]
    assert text.render(results, {}) == (
        "All checks passed: 2 files, 10 claims, 40 service lines.\n"
    )


def test_text_plurals_and_multiline_message():
    f = finding(path="x.837", line=1, column=2, message="two\nlines")
    out = text.render([FileResult("x.837", findings=[f, f])], {})
    assert out.splitlines() == [
        "x.837:",
        "  1:2  error    PT001  two lines",
        "  1:2  error    PT001  two lines",
        "",
        "Found 2 errors in 1 file.",
    ]


def test_text_empty_path_falls_back_to_file():
    out = text.render([FileResult("f.837", findings=[finding(line=4, column=9)])], {})
    assert out.startswith("f.837:\n  4:9  error    PT001 ")


def test_concise():
    out = concise.render(sample(), {})
    assert out.splitlines() == [
        "in/a.837:1:245: PT001 Therapy line without GP modifier",
        "in/a.837:3:1: PT002 Claim-level problem",
        "in/a.837:1:1: PT003 File note",
        "in/b.837: error: no ISA segment found",
    ]
    assert concise.render([FileResult("ok.837")], {}) == ""


def test_registry():
    assert set(FORMATS) == {"text", "concise", "json", "jsonl", "sarif", "junit", "github", "html"}
    for name in FORMATS:
        assert isinstance(render(name, sample(), {}, cwd="/nonexistent"), str)
    assert render("full", sample(), {}) == render("text", sample(), {}, show_source=True)
    assert all(target in FORMATS for target in ALIASES.values())
    with pytest.raises(ValueError, match="unknown output format"):
        render("xml", sample(), {})
