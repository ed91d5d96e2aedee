"""`path:line:col: CODE message`, one line per finding, no summary (grep- and editor-friendly).

A file that could not be linted still gets one line, `path: error: message`, so a failure
is never silent.
"""

from __future__ import annotations

from collections.abc import Mapping

from edi_lint.findings import FileResult, one_line, printable
from edi_lint.report._common import finding_path, position
from edi_lint.rules.base import RuleInfo


def render(
    results: list[FileResult], rules: Mapping[str, RuleInfo], *, cwd: str | None = None
) -> str:
    out: list[str] = []
    for result in results:
        for finding in result.findings:
            line, column = position(finding)
            path = finding_path(finding, result)
            out.append(f"{printable(path)}:{line}:{column}: {finding.rule} {one_line(finding.message)}")
    for result in results:
        if result.status == "error":
            out.append(f"{printable(result.path)}: error: {one_line(result.error or 'could not be linted')}")
    return "".join(line + "\n" for line in out)
