"""The IG family is wired into the linter: on by default, selected like any rule, located like any finding."""

from __future__ import annotations

import re

from conftest import FIXTURES

from edi_lint.application import build_linter
from edi_lint.engine import Settings


def _without_first_billing_address(data: bytes) -> bytes:
    """clean.837 minus the billing provider's (2010AA) N3 address segment."""
    text = data.decode("latin-1")
    text = re.sub(r"N3\*[^~]*~\r?\n?", "", text, count=1)
    return text.encode("latin-1")


def test_ig_is_on_by_default_and_ignore_ig_turns_it_off():
    data = _without_first_billing_address((FIXTURES / "clean.837").read_bytes())
    result = build_linter(Settings()).lint_bytes(data, "x.837")
    assert [(f.rule, f.loop, f.segment) for f in result.findings if f.rule.startswith("IG")] == [
        ("IG303", "2010AA", "N3"), ("IG204", "ST_LOOP", "SE")]  # the deleted N3 also makes SE01 wrong
    result = build_linter(Settings(ignore=("IG",))).lint_bytes(data, "x.837")
    assert not [f for f in result.findings if f.rule.startswith("IG")]


def test_select_ig_reports_the_missing_segment_with_our_location():
    linter = build_linter(Settings(select=("IG",)))
    data = _without_first_billing_address((FIXTURES / "clean.837").read_bytes())
    result = linter.lint_bytes(data, "x.837")
    missing = [f for f in result.findings if f.rule == "IG303"]
    assert missing, [f.rule for f in result.findings]
    assert missing[0].loop == "2010AA" and missing[0].segment == "N3"
    assert missing[0].segment_index is not None and missing[0].line is not None
    assert all(f.rule.startswith("IG") for f in result.findings)  # --select IG selects only IG


def test_clean_fixture_has_no_ig_errors():
    linter = build_linter(Settings(select=("IG",)))
    result = linter.lint_path(FIXTURES / "clean.837")
    assert result.status == "linted"
    assert [f for f in result.findings if f.severity.label == "error"] == []


def test_ig_severity_override_applies():
    from edi_lint.findings import Severity

    linter = build_linter(Settings(select=("IG303",), severity={"IG303": Severity.WARNING}))
    data = _without_first_billing_address((FIXTURES / "clean.837").read_bytes())
    found = linter.lint_bytes(data, "x.837").findings
    assert found and all(f.rule == "IG303" and f.severity is Severity.WARNING for f in found)
