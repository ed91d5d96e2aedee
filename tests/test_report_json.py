"""The committed JSON and JSON Lines contracts."""

import json

from edi_lint.findings import ClaimVerdict, FileResult, Finding, Severity
from edi_lint.report import json_report, jsonl

FINDING_FIELDS = {
    "rule": str, "name": str, "severity": str, "message": str, "path": str,
    "claim_id": (str, type(None)), "line_number": (int, type(None)),
    "loop": (str, type(None)), "segment": (str, type(None)), "element": (str, type(None)),
    "segment_index": (int, type(None)), "line": (int, type(None)),
    "column": (int, type(None)), "byte_offset": (int, type(None)),
    "transaction": (str, type(None)), "expected": (str, type(None)),
    "actual": (str, type(None)),
    "claim_segment_index": (int, type(None)),  # added in 0.2: the CLM segment of the claim
}


def sample(verdicts=True):
    f1 = Finding("PT001", "missing-gp-modifier", Severity.ERROR, "No GP", path="a.837",
                 claim_id="C1", line_number=2, loop="2400", segment="SV1", element="SV101-3",
                 segment_index=12, line=1, column=245, byte_offset=244, transaction="0001")
    f2 = Finding("PT009", "file-thing", Severity.INFO, "Note")  # no path: filled from file
    a = FileResult("a.837", claims=2, service_lines=3, findings=[f1, f2],
                   verdicts=[ClaimVerdict("C1", "0001", 10, False),
                             ClaimVerdict("C2", "0001", 20, True)] if verdicts else [])
    b = FileResult("b.837", status="error", error="bad envelope")
    return [a, b]


def check_finding(obj):
    assert set(obj) == set(FINDING_FIELDS)
    for key, types in FINDING_FIELDS.items():
        assert isinstance(obj[key], types), key
    assert obj["severity"] in {"error", "warning", "info"}


def test_json_contract():
    out = json_report.render(sample(), {})
    assert out.endswith("}\n") and out.startswith("{\n  ")
    doc = json.loads(out)
    assert list(doc) == ["findings", "files", "claims"]
    assert len(doc["findings"]) == 2
    for obj in doc["findings"]:
        check_finding(obj)
    assert doc["findings"][0]["severity"] == "error"
    assert doc["findings"][0]["line_number"] == 2
    assert doc["findings"][1]["severity"] == "info"
    assert doc["findings"][1]["line_number"] is None
    assert doc["findings"][1]["path"] == "a.837"
    assert [f["path"] for f in doc["files"]] == ["a.837", "b.837"]
    assert doc["files"][0] == {"path": "a.837", "status": "linted", "error": None,
                               "claims": 2, "service_lines": 3, "findings": 2}
    assert doc["files"][1]["status"] == "error" and doc["files"][1]["error"] == "bad envelope"
    assert doc["claims"][0] == {"path": "a.837", "claim_id": "C1", "transaction": "0001",
                                "segment_index": 10, "accepted": False}
    assert doc["claims"][1]["accepted"] is True


def test_json_without_verdicts_has_no_claims_key():
    doc = json.loads(json_report.render(sample(verdicts=False), {}))
    assert list(doc) == ["findings", "files"]


def test_json_empty():
    assert json.loads(json_report.render([], {})) == {"findings": [], "files": []}


def test_json_is_deterministic():
    assert json_report.render(sample(), {}) == json_report.render(sample(), {})


def test_jsonl():
    out = jsonl.render(sample(), {})
    lines = out.splitlines()
    assert out.endswith("\n") and len(lines) == 2
    objs = [json.loads(line) for line in lines]
    for obj in objs:
        check_finding(obj)
    assert objs == json.loads(json_report.render(sample(), {}))["findings"]
    assert jsonl.render([FileResult("x")], {}) == ""


def test_streamed_json_equals_json_dumps_of_the_document():
    """The writer that renders one finding at a time produces exactly json.dumps(indent=2)."""
    import json as _json

    from edi_lint.findings import ClaimVerdict
    from edi_lint.report.json_report import document, dumps

    results = sample()
    assert dumps(results) == _json.dumps(document(results), indent=2) + "\n"
    assert dumps([]) == _json.dumps(document([]), indent=2) + "\n"
    results[0].verdicts.append(ClaimVerdict("C\n1", "0001", 5, False))
    extra = {"split": {"accepted": 0, "rejected": 1, "paths": ["a", "b"]}, "baseline": {"fixed": []}}
    assert dumps(results, extra) == _json.dumps({**document(results), **extra}, indent=2) + "\n"
