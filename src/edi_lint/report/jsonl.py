"""JSON Lines: one finding object per line (the same object as in the JSON format's
`findings` list), nothing else. A committed surface, like json."""

from __future__ import annotations

import json
from collections.abc import Mapping

from edi_lint.findings import FileResult
from edi_lint.report.json_report import finding_dict
from edi_lint.rules.base import RuleInfo


def chunks(results: list[FileResult], rules: Mapping[str, RuleInfo] | None = None, *, cwd: str | None = None):
    """One line per finding, as it is made."""
    for r in results:
        for f in r.findings:
            yield json.dumps(finding_dict(f, r)) + "\n"


def render(
    results: list[FileResult], rules: Mapping[str, RuleInfo], *, cwd: str | None = None
) -> str:
    return "".join(chunks(results, rules, cwd=cwd))
