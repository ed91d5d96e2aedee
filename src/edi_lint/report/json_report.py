"""The committed JSON contract.

    {
      "findings": [Finding.to_dict(), ...],      # every file, in input order
      "files": [FileResult.summary(), ...],      # one per input, in input order
      "claims": [{"path", "claim_id", "transaction", "segment_index", "accepted"}, ...]
    }

`claims` is present only when some file carries claim verdicts. Fields are only ever added,
never renamed or removed; consumers must ignore keys they do not know.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from edi_lint.findings import FileResult, Finding
from edi_lint.report._common import dumps_indented
from edi_lint.rules.base import RuleInfo


def finding_dict(finding: Finding, result: FileResult) -> dict:
    """`Finding.to_dict()`, with an empty path filled in from the file it came from."""
    data = finding.to_dict()
    if not data.get("path"):
        data["path"] = result.path
    return data


def document(results: list[FileResult]) -> dict:
    doc: dict = {
        "findings": [finding_dict(f, r) for r in results for f in r.findings],
        "files": [r.summary() for r in results],
    }
    if any(r.verdicts for r in results):
        doc["claims"] = [
            {
                "path": r.path,
                "claim_id": v.claim_id,
                "transaction": v.transaction,
                "segment_index": v.segment_index,
                "accepted": v.accepted,
            }
            for r in results
            for v in r.verdicts
        ]
    return doc


def dumps(results: list[FileResult], extra: Mapping | None = None) -> str:
    """`json.dumps(document(results) | extra, indent=2)`, byte for byte."""
    return "".join(chunks(results, extra=extra))


def chunks(results: list[FileResult], rules: Mapping[str, RuleInfo] | None = None, *, cwd: str | None = None,
           extra: Mapping | None = None):
    """The same text as `dumps`, one finding at a time, for writing as it is made.

    A batch with 300,000 findings would otherwise hold every finding as a dict, or the whole
    output as one string next to the list of its pieces: most of a gigabyte.
    """
    lists = {
        "findings": (finding_dict(f, r) for r in results for f in r.findings),
        "files": (r.summary() for r in results),
    }
    if any(r.verdicts for r in results):
        lists["claims"] = (
            {"path": r.path, "claim_id": v.claim_id, "transaction": v.transaction,
             "segment_index": v.segment_index, "accepted": v.accepted}
            for r in results
            for v in r.verdicts
        )
    yield "{\n"
    separator = ""
    for key, items in lists.items():
        yield f"{separator}  {json.dumps(key)}: "
        yield from _array(items)
        separator = ",\n"
    for key, value in (extra or {}).items():
        if key not in lists:
            yield f",\n  {json.dumps(key)}: " + json.dumps(value, indent=2).replace("\n", "\n  ")
    yield "\n}\n"


def render(results: list[FileResult], rules: Mapping[str, RuleInfo] | None = None, *, cwd: str | None = None) -> str:
    return dumps(results)


def _array(items):
    """A JSON array as a member of the top-level object (items indented four spaces), in pieces."""
    first = True
    for item in items:
        yield ("[\n    " if first else ",\n    ") + dumps_indented(item, "    ")
        first = False
    yield "[]" if first else "\n  ]"
