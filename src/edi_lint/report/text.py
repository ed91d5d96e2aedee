"""The default "full" format: one line per finding, file errors, then a summary line.

    claims.837:1:245: PT001 Anesthesia line without GP modifier [claim ABC123, line 2]
    broken.837: error: no ISA segment found
    Found 1 error in 2 files (1 file could not be linted).

Not a stable surface: humans read it, programs should use json, jsonl or sarif.
"""

from __future__ import annotations

from collections.abc import Mapping

from edi_lint.findings import FileResult, Finding, one_line, printable
from edi_lint.report._common import context, finding_path, plural, position, severity_counts
from edi_lint.rules.base import RuleInfo


def format_finding(finding: Finding, path: str) -> str:
    line, column = position(finding)
    text = f"{printable(path)}:{line}:{column}: {finding.rule} {one_line(finding.message)}"
    ctx = context(finding)
    return f"{text} {ctx}" if ctx else text


def summary_line(results: list[FileResult]) -> str:
    files = len(results)
    failed = sum(1 for r in results if r.status == "error")
    counts = severity_counts(results)
    total = sum(counts.values())
    tail = f" ({plural(failed, 'file')} could not be linted)" if failed else ""
    if total:
        parts = [
            plural(counts["error"], "error") if counts["error"] else "",
            plural(counts["warning"], "warning") if counts["warning"] else "",
            f"{counts['info']} info" if counts["info"] else "",
        ]
        found = ", ".join(p for p in parts if p)
        return f"Found {found} in {plural(files, 'file')}{tail}."
    if failed:
        return f"No findings in {plural(files, 'file')}{tail}."
    claims = sum(r.claims for r in results)
    lines = sum(r.service_lines for r in results)
    return (
        f"All checks passed: {plural(files, 'file')}, {plural(claims, 'claim')}, "
        f"{plural(lines, 'service line')}."
    )


def chunks(results: list[FileResult], rules: Mapping[str, RuleInfo] | None = None, *, cwd: str | None = None):
    """The report one line at a time, as it is made."""
    for result in results:
        for finding in result.findings:
            yield format_finding(finding, finding_path(finding, result)) + "\n"
    for result in results:
        if result.status == "error":
            yield f"{printable(result.path)}: error: {one_line(result.error or 'could not be linted')}\n"
    yield summary_line(results) + "\n"


def render(
    results: list[FileResult], rules: Mapping[str, RuleInfo], *, cwd: str | None = None
) -> str:
    return "".join(chunks(results, rules, cwd=cwd))
