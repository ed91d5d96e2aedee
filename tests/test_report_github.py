"""GitHub Actions workflow-command annotations."""

import os

from edi_lint.findings import FileResult, Finding, Severity
from edi_lint.report import github

CWD = os.path.abspath(os.sep + "ws")


def test_levels_and_format():
    findings = [
        Finding("PT001", "a", Severity.ERROR, "err", claim_id="C1", line_number=2, line=1,
                column=7),
        Finding("PT002", "b", Severity.WARNING, "warn", line=3, column=1),
        Finding("PT003", "c", Severity.INFO, "note"),
    ]
    out = github.render([FileResult(os.path.join(CWD, "d", "a.837"), findings=findings),
                         FileResult("bad.837", status="error", error="no ISA")], {}, cwd=CWD)
    assert out.splitlines() == [
        "::error file=d/a.837,line=1,col=7,title=PT001::err [claim C1, line 2]",
        "::warning file=d/a.837,line=3,col=1,title=PT002::warn",
        "::notice file=d/a.837,title=PT003::note",
        "::error file=bad.837,title=edi-lint::no ISA",
    ]


def test_escaping():
    f = Finding("PT001", "a", Severity.ERROR, "100% bad,\r\nvalue: x", path="we,ird:name.837",
                line=1, column=1)
    out = github.render([FileResult("we,ird:name.837", findings=[f])], {}, cwd=CWD)
    assert out == ("::error file=we%2Cird%3Aname.837,line=1,col=1,title=PT001"
                   "::100%25 bad,%0D%0Avalue: x\n")
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert github.escape_data("a:b,c%\r\n") == "a:b,c%25%0D%0A"


def test_clean_is_empty():
    assert github.render([FileResult("ok.837", claims=3)], {}, cwd=CWD) == ""
