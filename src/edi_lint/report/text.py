"""The default format, for people: findings grouped by file, a severity on every line, a summary.

    claims/a.837:
      27:1  error    PT001  97026 carries GO instead of GP [claim ABC123, line 2]
      1:2345 (segment #88)  warning  PT007  ...                       (a one-line file: the ordinal too)

    claims/broken.837:
      error: could not be linted: no ISA segment found

    Found 1 error, 1 warning in 1 of 2 files; 1 file could not be linted.

Options (keyword arguments of `render`): `colour` (ANSI colours: severities, paths, codes),
`show_source` (the segment at fault under each finding, a caret under the element; `full`
format), `statistics` (one line per rule with its count instead of each finding).
Not a stable surface: programs should use json, jsonl or sarif; `concise` is the grep-friendly one.
"""

from __future__ import annotations

from collections.abc import Mapping

from edi_lint.findings import FileResult, Finding, one_line, printable
from edi_lint.report._common import context, finding_path, plural, position, severity_counts
from edi_lint.rules.base import RuleInfo

RESET = "\x1b[0m"
STYLES = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "info": "\x1b[1;36m", "path": "\x1b[1m",
          "code": "\x1b[1m", "dim": "\x1b[2m", "ok": "\x1b[1;32m", "caret": "\x1b[1;31m"}


class _Paint:
    def __init__(self, colour: bool):
        self.colour = colour

    def __call__(self, style: str, text: str) -> str:
        return f"{STYLES[style]}{text}{RESET}" if self.colour and text else text


def location(finding: Finding) -> str:
    """`line:col`, plus the segment ordinal when the segment does not start its line (a one-line
    file's column alone is hard to use)."""
    line, column = position(finding)
    where = f"{line}:{column}"
    if column > 1 and finding.segment_index is not None:
        where += f" (segment #{finding.segment_index})"
    return where


def format_finding(finding: Finding, paint: _Paint, width: int = 0) -> str:
    label = finding.severity.label
    text = (f"  {location(finding):{width}}  {paint(label, f'{label:7}')}  {paint('code', finding.rule)}  "
            f"{one_line(finding.message)}")
    ctx = context(finding)
    return f"{text} {paint('dim', ctx)}" if ctx else text


def summary_line(results: list[FileResult], paint: _Paint | None = None) -> str:
    paint = paint or _Paint(False)
    files = len(results)
    failed = sum(1 for r in results if r.status == "error")
    counts = severity_counts(results)
    total = sum(counts.values())
    tail = f"; {plural(failed, 'file')} could not be linted" if failed else ""
    if total:
        parts = [paint("error", plural(counts["error"], "error")) if counts["error"] else "",
                 paint("warning", plural(counts["warning"], "warning")) if counts["warning"] else "",
                 paint("info", f"{counts['info']} info") if counts["info"] else ""]
        found = ", ".join(p for p in parts if p)
        having = sum(1 for r in results if r.findings)
        where = plural(having, "file") if having == files else f"{having} of {plural(files, 'file')}"
        return f"Found {found} in {where}{tail}."
    if failed:
        linted = files - failed
        if linted:
            return f"No findings in the {plural(linted, 'file')} linted{tail}."
        return f"{plural(failed, 'file')} could not be linted; nothing was checked."
    claims = sum(r.claims for r in results)
    lines = sum(r.service_lines for r in results)
    return (f"{paint('ok', 'All checks passed')}: {plural(files, 'file')}, {plural(claims, 'claim')}, "
            f"{plural(lines, 'service line')}.")


def _groups(results: list[FileResult]) -> list[tuple[str, list[Finding], FileResult]]:
    """(path, findings, result) in input order; a finding naming another path gets its own group."""
    groups: list[tuple[str, list[Finding], FileResult]] = []
    for result in results:
        by_path: dict[str, list[Finding]] = {}
        for finding in result.findings:
            by_path.setdefault(finding_path(finding, result), []).append(finding)
        if result.status == "error" and result.path not in by_path:
            by_path[result.path] = []
        groups.extend((path, findings, result) for path, findings in by_path.items())
    return groups


def chunks(results: list[FileResult], rules: Mapping[str, RuleInfo] | None = None, *, cwd: str | None = None,
           colour: bool = False, show_source: bool = False, statistics: bool = False, unreadable=()):
    """The report one line at a time, as it is made. `unreadable`: paths whose source cannot be read
    again (standard input named by --stdin-filename: the file of that name holds other bytes)."""
    paint = _Paint(colour)
    if statistics:
        for line in statistics_lines(results, paint):
            yield line + "\n"
        failed = [r for r in results if r.status == "error"]
        for result in failed:  # the counts do not say which file could not be linted, nor why
            reason = one_line(result.error or "could not be linted")
            yield f"{paint('path', printable(result.path) + ':')} {paint('error', 'error')}: could not be linted: {reason}\n"
        if failed:
            yield "\n"
    else:
        for path, findings, result in _groups(results):
            yield paint("path", f"{printable(path)}:") + "\n"
            width = max((len(location(f)) for f in findings), default=0)
            sources = {}
            if show_source and path not in unreadable:
                from edi_lint.report.source import read_segments

                sources = read_segments(path, {f.segment_index for f in findings if f.segment_index})
            for finding in findings:
                yield format_finding(finding, paint, width) + "\n"
                seg = sources.get(finding.segment_index)
                if seg is not None:
                    for line in _source_lines(seg, finding, paint, width):
                        yield line + "\n"
            if result.status == "error" and path == result.path:
                reason = one_line(result.error or "could not be linted")
                yield f"  {paint('error', 'error')}: could not be linted: {reason}\n"
            yield "\n"
    yield summary_line(results, paint) + "\n"


def render(results: list[FileResult], rules: Mapping[str, RuleInfo], *, cwd: str | None = None,
           **options) -> str:
    return "".join(chunks(results, rules, cwd=cwd, **options))


def _source_lines(seg, finding: Finding, paint: _Paint, width: int) -> list[str]:
    from edi_lint.report.source import excerpt

    shown = excerpt(seg, finding)
    if shown is None:
        return []
    text, caret = shown
    pad = " " * (width + 4)
    return [f"{pad}{paint('dim', '|')} {text}", f"{pad}{paint('dim', '|')} {paint('caret', caret)}"]


def statistics_lines(results: list[FileResult], paint: _Paint) -> list[str]:
    """`count  severity  CODE  name  (n files, n claims)`, most frequent first, then a blank line."""
    from edi_lint.report.statistics import statistics

    rows = statistics(results)["by_rule"]
    if not rows:
        return []
    count_width = max(len(str(r["count"])) for r in rows)
    name_width = max(len(r["name"]) for r in rows)
    code_width = max(len(r["rule"]) for r in rows)
    lines = []
    for row in rows:
        label = row["severity"]
        spread = plural(row["files"], "file") + (f", {plural(row['claims'], 'claim')}" if row["claims"] else "")
        lines.append(f"{row['count']:>{count_width}}  {paint(label, f'{label:7}')}  "
                     f"{paint('code', row['rule'].ljust(code_width))}  {row['name']:{name_width}}  "
                     f"{paint('dim', spread)}")
    return lines + [""]

