"""SARIF 2.1.0 as GitHub code scanning reads it."""

import json
import os

from edi_lint.findings import FileResult, Finding, Severity
from edi_lint.report import sarif
from edi_lint.rules.base import RuleInfo

CWD = os.path.abspath(os.sep + os.path.join("work", "repo"))

RULES = {
    "PT001": RuleInfo("PT001", "missing-gp-modifier", Severity.ERROR, "Therapy line lacks GP",
                      explanation="Medicare requires GP on therapy codes. " * 60,
                      source="CMS Pub 100-04 ch. 5", example_bad="SV1*HC:97110*50*UN*1~",
                      example_good="SV1*HC:97110:GP*50*UN*1~",
                      tags=("payer:medicare", "payer:medicare")),
    "PT002": RuleInfo("PT002", "bad-npi", Severity.WARNING, "NPI check digit is wrong"),
    "PT003": RuleInfo("PT003", "note-rule", Severity.INFO, "Just a note"),
    "PT004": RuleInfo("PT004", "unused", Severity.ERROR, "Never fires"),
}


def finding(rule, severity, claim, **kw):
    kw.setdefault("loop", "2400")
    message = f"{rule} message for {claim}"
    return Finding(rule, rule.lower(), severity, message, claim_id=claim, **kw)


def sample():
    a = FileResult(
        os.path.join(CWD, "claims", "a.837"),
        claims=2,
        findings=[
            finding("PT001", Severity.ERROR, "C1", line_number=1, line=1, column=300),
            finding("PT001", Severity.ERROR, "C2", line_number=1, line=1, column=900),
            finding("PT002", Severity.WARNING, "C2"),
            finding("PT003", Severity.INFO, None),
            finding("XX999", Severity.ERROR, "C2"),  # not in the catalogue
        ],
    )
    b = FileResult("sub dir/b#1.837", claims=1, findings=[finding("PT002", Severity.WARNING, "Z")])
    c = FileResult("broken.837", status="error", error="missing ISA")
    return [a, b, c]


def run_of(out):
    doc = json.loads(out)
    assert doc["version"] == "2.1.0"
    assert doc["$schema"].endswith("sarif-2.1.0.json")
    assert len(doc["runs"]) == 1
    return doc["runs"][0]


def test_results_shape():
    run = run_of(sarif.render(sample(), RULES, cwd=CWD))
    driver = run["tool"]["driver"]
    assert driver["name"] == "edi-lint" and driver["version"] and driver["informationUri"]
    ids = [r["id"] for r in driver["rules"]]
    assert len(ids) == len(set(ids))
    assert set(RULES) <= set(ids)  # all catalogue rules, fired or not
    assert len(run["results"]) == 6
    for result in run["results"]:
        assert result["ruleId"] in ids
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in {"error", "warning", "note"}
        assert result["message"]["text"]
        loc = result["locations"][0]["physicalLocation"]
        uri = loc["artifactLocation"]["uri"]
        assert not uri.startswith("/") and "\\" not in uri and ":" not in uri
        assert loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1
        fp = result["partialFingerprints"]
        assert len(fp["primaryLocationLineHash"]) == 64
        assert fp["ediLint/v1"] == fp["primaryLocationLineHash"]
    levels = [r["level"] for r in run["results"]]
    assert levels == ["error", "error", "warning", "note", "error", "warning"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in run["results"]]
    assert uris[0] == "claims/a.837"
    assert uris[-1] == "sub%20dir/b%231.837"
    assert run["results"][0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1, "startColumn": 300}


def test_rule_descriptors():
    run = run_of(sarif.render(sample(), RULES, cwd=CWD))
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    pt1 = rules["PT001"]
    assert pt1["name"] == "missing-gp-modifier"
    assert pt1["shortDescription"]["text"] == "Therapy line lacks GP"
    assert len(pt1["fullDescription"]["text"]) <= 1024
    assert "CMS Pub 100-04" in pt1["help"]["text"] and "SV1*HC:97110:GP" in pt1["help"]["markdown"]
    assert pt1["defaultConfiguration"]["level"] == "error"
    assert pt1["properties"]["tags"] == ["payer:medicare"]
    assert rules["PT003"]["defaultConfiguration"]["level"] == "note"
    assert rules["XX999"]["defaultConfiguration"]["level"] == "error"


def test_fingerprints_stable_and_distinct():
    first = run_of(sarif.render(sample(), RULES, cwd=CWD))["results"]
    second = run_of(sarif.render(sample(), RULES, cwd=CWD))["results"]
    fps = [r["partialFingerprints"]["primaryLocationLineHash"] for r in first]
    assert fps == [r["partialFingerprints"]["primaryLocationLineHash"] for r in second]
    assert fps[0] != fps[1]  # same rule, different claims
    assert len(set(fps)) == len(fps)


def test_fingerprint_ignores_position_but_separates_twins():
    f1 = finding("PT001", Severity.ERROR, "C1", line=1, column=10)
    moved = finding("PT001", Severity.ERROR, "C1", line=3, column=99)

    def fp(findings):
        out = sarif.render([FileResult("a.837", findings=findings)], RULES, cwd=CWD)
        return [r["partialFingerprints"]["primaryLocationLineHash"]
                for r in run_of(out)["results"]]

    assert fp([f1]) == fp([moved])
    twins = fp([f1, f1])
    assert twins[0] != twins[1] and twins[0] == fp([f1])[0]


def test_path_outside_cwd_is_absolute_file_uri():
    outside = os.path.abspath(os.sep + os.path.join("elsewhere", "x.837"))
    res = [FileResult(outside, findings=[finding("PT001", Severity.ERROR, "C1")])]
    run = run_of(sarif.render(res, RULES, cwd=CWD))
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.startswith("file://") and uri.endswith("/elsewhere/x.837")


def test_file_errors_are_notifications():
    run = run_of(sarif.render(sample(), RULES, cwd=CWD))
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert len(notes) == 1 and notes[0]["level"] == "error"
    assert "missing ISA" in notes[0]["message"]["text"]
    clean = run_of(sarif.render([FileResult("ok.837", claims=1)], RULES, cwd=CWD))
    assert clean["invocations"][0]["executionSuccessful"] is True
    assert clean["results"] == []
