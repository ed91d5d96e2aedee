"""GitHub Actions workflow commands: one annotation per finding.

    ::error file=claims.837,line=1,col=245,title=PT001::Anesthesia line without GP modifier

error -> `::error`, warning -> `::warning`, info -> `::notice`. Paths are made relative to
`cwd` (the workspace) when they lie inside it. Tracks GitHub's format; not a stable surface.
"""

from __future__ import annotations

from collections.abc import Mapping

from edi_lint.findings import FileResult, Severity
from edi_lint.report._common import context, display_path, finding_path
from edi_lint.rules.base import RuleInfo

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, **properties: object) -> str:
    props = ",".join(
        f"{key}={escape_property(str(value))}"
        for key, value in properties.items()
        if value is not None
    )
    head = f"::{kind} {props}" if props else f"::{kind}"
    return f"{head}::{escape_data(message)}"


def render(
    results: list[FileResult], rules: Mapping[str, RuleInfo], *, cwd: str | None = None
) -> str:
    out: list[str] = []
    for result in results:
        for finding in result.findings:
            ctx = context(finding)
            message = f"{finding.message} {ctx}" if ctx else finding.message
            out.append(
                command(
                    COMMANDS[finding.severity],
                    message,
                    file=display_path(finding_path(finding, result), cwd),
                    line=finding.line,
                    col=finding.column if finding.line is not None else None,
                    title=finding.rule,
                )
            )
        if result.status == "error":
            out.append(
                command(
                    "error",
                    result.error or "could not be linted",
                    file=display_path(result.path, cwd),
                    title="edi-lint",
                )
            )
    return "".join(line + "\n" for line in out)
