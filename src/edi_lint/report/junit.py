"""JUnit XML for CI test-report viewers (GitLab, Jenkins, Azure, ...).

    <testsuites name="edi-lint" tests= failures= errors=>
      <testsuite name=PATH tests= failures= errors=>          one per input file
        <testcase classname=PATH name="claim CLM01">          one per claim with findings ("claim CLM01
                                                              (segment #N)" when claims share a CLM01)
          <failure type=CODE message=...>location details</failure>   one per finding
        <testcase classname=PATH name="file">                 findings outside any claim,
          <error .../>                                        or the reason the file failed
        <testcase classname=PATH name="clean claims"/>        the claims with no findings

`tests` counts testcases; `failures` and `errors` count testcases that contain at least one
`<failure>` / `<error>`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from edi_lint.findings import FileResult, Finding
from edi_lint.findings import one_line
from edi_lint.report._common import finding_path, location_details, plural, position
from edi_lint.rules.base import RuleInfo

# Characters XML 1.0 cannot carry (X12 separators such as 0x1C-0x1F included).
_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _failure_text(finding: Finding, path: str) -> str:
    line, column = position(finding)
    head = f"{path}:{line}:{column}: {finding.severity.label} {finding.rule} {finding.name}"
    details = location_details(finding)
    return f"{head}\n{details}" if details else head


def _suite(etree, result: FileResult):
    by_claim: dict[tuple, list[Finding]] = {}  # one testcase per claim, even when claims share a CLM01
    file_level: list[Finding] = []
    for finding in result.findings:
        if finding.claim_id is None:
            file_level.append(finding)
        else:
            key = (finding.claim_segment_index, finding.claim_id)
            by_claim.setdefault(key, []).append(finding)
    shared = {}
    for _, claim_id in by_claim:
        shared[claim_id] = shared.get(claim_id, 0) + 1

    suite = etree.Element("testsuite", name=_xml_text(result.path))
    failures = errors = tests = 0

    def add_case(name: str) -> object:
        nonlocal tests
        tests += 1
        return etree.SubElement(
            suite, "testcase", classname=_xml_text(result.path), name=_xml_text(name)
        )

    def add_failures(case, findings: list[Finding]) -> None:
        for finding in findings:
            failure = etree.SubElement(
                case,
                "failure",
                type=finding.rule,
                message=_xml_text(one_line(finding.message)),
            )
            failure.text = _xml_text(_failure_text(finding, finding_path(finding, result)))

    if file_level or result.status == "error":
        case = add_case("file")
        if result.status == "error":
            errors += 1
            message = _xml_text(one_line(result.error or "could not be linted"))
            error = etree.SubElement(case, "error", type="file-error", message=message)
            error.text = f"{_xml_text(result.path)}: error: {message}"
        if file_level:
            failures += 1
            add_failures(case, file_level)
    for (at, claim_id), findings in by_claim.items():
        failures += 1
        name = f"claim {claim_id}" + (f" (segment #{at})" if shared[claim_id] > 1 and at is not None else "")
        add_failures(add_case(name), findings)
    clean = result.claims - len(by_claim)
    if clean > 0:
        case = add_case("clean claims")
        etree.SubElement(case, "system-out").text = f"{plural(clean, 'claim')} without findings"

    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    return suite, tests, failures, errors


def render(
    results: list[FileResult], rules: Mapping[str, RuleInfo], *, cwd: str | None = None
) -> str:
    from lxml import etree

    root = etree.Element("testsuites", name="edi-lint")
    totals = [0, 0, 0]
    for result in results:
        suite, *counts = _suite(etree, result)
        root.append(suite)
        totals = [a + b for a, b in zip(totals, counts)]
    root.set("tests", str(totals[0]))
    root.set("failures", str(totals[1]))
    root.set("errors", str(totals[2]))
    xml = etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")
    return xml.decode("utf-8")
