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


def render(
    results: list[FileResult], rules: Mapping[str, RuleInfo], *, cwd: str | None = None
) -> str:
    return dumps(results)


def dumps(results: list[FileResult], extra: Mapping | None = None) -> str:
    """`json.dumps(document(results) | extra, indent=2)`, byte for byte, one finding at a time.

    A batch with 200,000 findings would otherwise hold every finding as a dict and the whole
    document as nested objects next to the output string: most of a gigabyte.
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
    members = [(key, _array(items)) for key, items in lists.items()]
    members += [(key, json.dumps(value, indent=2).replace("\n", "\n  ")) for key, value in (extra or {}).items()
                if key not in lists]
    body = ",\n".join(f"  {json.dumps(key)}: {value}" for key, value in members)
    return "{\n" + body + "\n}\n"


def _array(items) -> str:
    """A JSON array as a member of the top-level object (items indented four spaces)."""
    parts = ["    " + json.dumps(item, indent=2).replace("\n", "\n    ") for item in items]
    return "[\n" + ",\n".join(parts) + "\n  ]" if parts else "[]"
