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
        "in/a.837:1:245: PT001 Therapy line without GP modifier [claim CLM01, line 2]",
        "in/a.837:3:1: PT002 Claim-level problem [claim CLM02]",
        "in/a.837:1:1: PT003 File note",
        "in/b.837: error: no ISA segment found",
        "Found 1 error, 1 warning, 1 info in 2 files (1 file could not be linted).",
    ]
    assert out.endswith("\n")


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
        "x.837:1:2: PT001 two lines",
        "x.837:1:2: PT001 two lines",
        "Found 2 errors in 1 file.",
    ]


def test_text_empty_path_falls_back_to_file():
    out = text.render([FileResult("f.837", findings=[finding(line=4, column=9)])], {})
    assert out.startswith("f.837:4:9: PT001 ")


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
    assert render("full", sample(), {}) == render("text", sample(), {})
    assert all(target in FORMATS for target in ALIASES.values())
    with pytest.raises(ValueError, match="unknown output format"):
        render("xml", sample(), {})
