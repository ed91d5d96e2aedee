"""Counts for `--statistics`: per rule and per severity, over every file of a run.

The same numbers feed the text table and the `statistics` object of `--format json`:

    {"by_rule": [{"rule", "name", "severity", "count", "files", "claims"}, ...],   # most frequent first
     "by_severity": {"error": n, "warning": n, "info": n},
     "files": n, "files_with_findings": n, "files_not_linted": n, "claims": n, "service_lines": n}
"""

from __future__ import annotations

from edi_lint.findings import FileResult, Severity


def statistics(results: list[FileResult]) -> dict:
    by_rule: dict[str, dict] = {}
    by_severity = {"error": 0, "warning": 0, "info": 0}
    for result in results:
        for finding in result.findings:
            by_severity[finding.severity.label] += 1
            row = by_rule.get(finding.rule)
            if row is None:
                row = by_rule[finding.rule] = {"rule": finding.rule, "name": finding.name,
                                               "severity": finding.severity, "count": 0, "files": set(),
                                               "claims": set()}
            row["count"] += 1
            row["severity"] = max(row["severity"], finding.severity)  # overrides may differ per file
            row["files"].add(result.path)
            if finding.claim_id is not None:
                row["claims"].add((result.path, finding.claim_segment_index, finding.claim_id))
    rows = sorted(by_rule.values(), key=lambda r: (-r["count"], r["rule"]))
    return {
        "by_rule": [{"rule": r["rule"], "name": r["name"], "severity": Severity(r["severity"]).label,
                     "count": r["count"], "files": len(r["files"]), "claims": len(r["claims"])} for r in rows],
        "by_severity": by_severity,
        "files": len(results),
        "files_with_findings": sum(1 for r in results if r.findings),
        "files_not_linted": sum(1 for r in results if r.status == "error"),
        "claims": sum(r.claims for r in results),
        "service_lines": sum(r.service_lines for r in results),
    }
