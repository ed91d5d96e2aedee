"""JUnit XML, parsed back with lxml."""

from lxml import etree

from edi_lint.findings import FileResult, Finding, Severity
from edi_lint.report import junit


def finding(rule, claim, **kw):
    kw.setdefault("message", f"{rule} for {claim}")
    return Finding(rule, rule.lower(), Severity.ERROR, claim_id=claim, **kw)


def sample():
    a = FileResult(
        "a.837",
        claims=5,
        findings=[
            finding("PT001", "C1", line=1, column=40, loop="2400", segment="SV1"),
            finding("PT002", "C1"),
            finding("PT003", "C2"),
            finding("PT004", None, message="bad \x1c separator & <stuff>"),
        ],
    )
    b = FileResult("b.837", claims=2)
    c = FileResult("c.837", status="error", error="no ISA")
    return [a, b, c]


def parse(out):
    assert out.startswith("<?xml version='1.0' encoding='UTF-8'?>")
    return etree.fromstring(out.encode("utf-8"))


def test_counts():
    root = parse(junit.render(sample(), {}))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["a.837", "b.837", "c.837"]
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
        assert int(suite.get("errors")) == sum(1 for c in cases if c.find("error") is not None)
    a, b, c = suites
    assert [tc.get("name") for tc in a.findall("testcase")] == [
        "file", "claim C1", "claim C2", "clean claims"]
    assert all(tc.get("classname") == "a.837" for tc in a.findall("testcase"))
    assert len(a.findall(".//failure")) == 4
    c1 = a.findall("testcase[@name='claim C1']/failure")
    assert [f.get("type") for f in c1] == ["PT001", "PT002"]
    assert "loop 2400" in a.find("testcase[@name='claim C1']/failure").text
    # b: clean file -> one passing testcase for its 2 clean claims
    assert b.get("tests") == "1" and b.get("failures") == "0"
    assert b.find("testcase").get("name") == "clean claims"
    assert b.find("testcase/failure") is None
    # c: file error
    assert c.get("errors") == "1"
    assert c.find("testcase/error").get("message") == "no ISA"
    assert root.get("tests") == "6" and root.get("failures") == "3" and root.get("errors") == "1"


def test_control_characters_are_made_xml_safe():
    """A control byte (an X12 separator) is escaped as in every other format, so the XML stays valid."""
    root = parse(junit.render(sample(), {}))
    msg = root.find(".//testcase[@name='file']/failure").get("message")
    assert msg == "bad \\x1c separator & <stuff>"


def test_empty_and_clean():
    root = parse(junit.render([], {}))
    assert root.get("tests") == "0" and len(root) == 0
    root = parse(junit.render([FileResult("x.837")], {}))
    assert root.find("testsuite").get("tests") == "0"
