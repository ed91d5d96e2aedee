"""SARIF 2.1.0 for GitHub code scanning (and any other SARIF consumer).

One run; `tool.driver.rules` lists every rule in the catalogue (sorted by code) plus any code
that appears in a finding but not in the catalogue, so every `ruleId` resolves. Files that
could not be linted are reported as tool execution notifications, not as results.

Production X12 is usually a single physical line, so GitHub's own fallback fingerprint (a hash
of the line text) would be the whole file. Each result therefore carries its own
`partialFingerprints.primaryLocationLineHash`, built from the rule, the path and the business
location (loop, segment, element, claim id, service-line number), never from file content.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping

from edi_lint.findings import FileResult, Finding, Severity
from edi_lint.report._common import artifact_uri, dumps_indented, finding_path, position, splice_array
from edi_lint.rules.base import RuleInfo

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/edi-lint/edi-lint"
FINGERPRINT_KEY = "ediLint/v1"
MAX_FULL_DESCRIPTION = 1024
RESULTS_MARK = "edi-lint: the results go here"  # a placeholder while the log is streamed

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# GitHub shows `problem.severity` for non-security alerts.
PROBLEM_SEVERITY = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "recommendation",
}


def tool_version() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover
        return "0.0.0"
    try:
        return version("edi-lint")
    except PackageNotFoundError:
        return "0.0.0"


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _help(info: RuleInfo) -> tuple[str, str]:
    text_parts = [info.summary]
    md_parts = [info.summary]
    if info.explanation:
        text_parts.append(info.explanation)
        md_parts.append(info.explanation)
    if info.source:
        text_parts.append(f"Source: {info.source}")
        md_parts.append(f"**Source:** {info.source}")
    if info.example_bad:
        text_parts.append(f"Bad:\n{info.example_bad}")
        md_parts.append(f"**Bad:**\n\n```\n{info.example_bad}\n```")
    if info.example_good:
        text_parts.append(f"Good:\n{info.example_good}")
        md_parts.append(f"**Good:**\n\n```\n{info.example_good}\n```")
    return "\n\n".join(text_parts), "\n\n".join(md_parts)


def rule_descriptor(info: RuleInfo) -> dict:
    help_text, help_markdown = _help(info)
    full = info.summary if not info.explanation else f"{info.summary} {info.explanation}"
    return {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.summary or info.name},
        "fullDescription": {"text": _truncate(full or info.name, MAX_FULL_DESCRIPTION)},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": LEVELS[info.severity]},
        "properties": {
            "tags": list(dict.fromkeys(info.tags)),  # SARIF: unique
            "problem.severity": PROBLEM_SEVERITY[info.severity],
            "ruleset": info.ruleset,
            "scope": info.scope,
        },
    }


def _unknown_descriptor(finding: Finding) -> dict:
    """A descriptor for a code the catalogue does not know (so its ruleId still resolves)."""
    return {
        "id": finding.rule,
        "name": finding.name or finding.rule,
        "shortDescription": {"text": finding.name or finding.rule},
        "fullDescription": {"text": finding.name or finding.rule},
        "help": {"text": finding.name or finding.rule},
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
        "properties": {"tags": []},
    }


def fingerprint(finding: Finding, uri: str, occurrence: int = 0) -> str:
    """sha256 hex of rule, path and business location; `occurrence` separates exact twins."""
    parts = [
        finding.rule,
        uri,
        finding.loop or "",
        finding.segment or "",
        finding.element or "",
        finding.claim_id or "",
        "" if finding.line_number is None else str(finding.line_number),
    ]
    if occurrence:
        parts.append(str(occurrence))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _physical_location(uri: str, relative: bool, region: dict | None = None) -> dict:
    artifact = {"uri": uri}
    if relative:
        artifact["uriBaseId"] = "%SRCROOT%"
    location: dict = {"artifactLocation": artifact}
    if region is not None:
        location["region"] = region
    return {"physicalLocation": location}


def _properties(finding: Finding) -> dict:
    keys = ("claim_id", "line_number", "loop", "segment", "element", "segment_index",
            "transaction")
    return {k: getattr(finding, k) for k in keys if getattr(finding, k) is not None}


def _results(results: list[FileResult], index: dict[str, int], cwd: str | None):
    """One SARIF result per finding, in order."""
    seen: Counter[str] = Counter()
    uris: dict = {}  # path -> (uri, relative): one file's findings share it
    for result in results:
        for finding in result.findings:
            path = finding_path(finding, result)
            found = uris.get(path)
            if found is None:
                found = uris[path] = artifact_uri(path, cwd)
            uri, relative = found
            line, column = position(finding)
            base = fingerprint(finding, uri)
            occurrence = seen[base]
            seen[base] += 1
            digest = fingerprint(finding, uri, occurrence) if occurrence else base
            entry = {
                "ruleId": finding.rule,
                "ruleIndex": index[finding.rule],
                "level": LEVELS[finding.severity],
                "message": {"text": finding.message},
                "locations": [
                    _physical_location(
                        uri, relative, {"startLine": line, "startColumn": column}
                    )
                ],
                "partialFingerprints": {
                    "primaryLocationLineHash": digest,
                    FINGERPRINT_KEY: digest,
                },
            }
            props = _properties(finding)
            if props:
                entry["properties"] = props
            yield entry


def document(
    results: list[FileResult], rules: Mapping[str, RuleInfo], *, cwd: str | None = None, stream: bool = False
) -> dict:
    """The SARIF log. With `stream`, runs[0].results is an iterator (see `chunks`), else a list."""
    descriptors = [rule_descriptor(rules[code]) for code in sorted(rules)]
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    for result in results:
        for finding in result.findings:
            if finding.rule not in index:
                index[finding.rule] = len(descriptors)
                descriptors.append(_unknown_descriptor(finding))

    sarif_results = _results(results, index, cwd)
    if not stream:
        sarif_results = list(sarif_results)

    notifications = []
    for result in results:
        if result.status != "error":
            continue
        uri, relative = artifact_uri(result.path, cwd)
        notifications.append(
            {
                "level": "error",
                "message": {"text": f"{result.path}: {result.error or 'could not be linted'}"},
                "locations": [_physical_location(uri, relative)],
            }
        )
    invocation = {
        "executionSuccessful": not notifications,
        "toolExecutionNotifications": notifications,
    }

    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "edi-lint",
                        "informationUri": INFORMATION_URI,
                        "version": tool_version(),
                        "rules": descriptors,
                    }
                },
                "invocations": [invocation],
                "results": sarif_results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def chunks(results: list[FileResult], rules: Mapping[str, RuleInfo], *, cwd: str | None = None):
    """`render`'s text in pieces: the results are written one at a time, never all held."""
    log = document(results, rules, cwd=cwd, stream=True)
    run = log["runs"][0]
    items, run["results"] = run["results"], [RESULTS_MARK]
    yield from splice_array(dumps_indented(log) + "\n", RESULTS_MARK, items)


def render(
    results: list[FileResult], rules: Mapping[str, RuleInfo], *, cwd: str | None = None
) -> str:
    return json.dumps(document(results, rules, cwd=cwd), indent=2) + "\n"
