"""Every fixture yields exactly the findings written by hand beside it."""

from __future__ import annotations

from collections import Counter

import pytest

from conftest import FIXTURES, read_expected

FIXTURE_FILES = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".837", ".x12", ".edi"))


def test_every_fixture_has_expectations():
    assert FIXTURE_FILES, "fixtures/ holds no 837 files"
    for path in FIXTURE_FILES:
        assert path.with_name(path.name + ".expected").exists(), path.name


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_fixture_findings_match_expected(linter, path):
    result = linter.lint_path(path)
    assert result.status == "linted", result.error
    got = Counter((f.rule, f.claim_id, f.line_number) for f in result.findings)
    want = Counter(read_expected(path.with_name(path.name + ".expected")))
    assert got == want


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_fixture_locations_point_at_the_segment(linter, path):
    """line/column/segment_index lead back to the segment the finding names."""
    data = path.read_bytes()
    for finding in linter.lint_path(path).findings:
        assert finding.segment_index >= 1
        assert finding.line >= 1 and finding.column >= 1
        lines = data.decode("latin-1").split("\n")
        text = lines[finding.line - 1][finding.column - 1:]
        assert text.startswith(finding.segment), (finding, text[:20])
        assert data[finding.byte_offset:].decode("latin-1").startswith(finding.segment)


def test_delimiter_variants_agree(linter):
    """The same claims written with other delimiters and line breaks give the same findings."""
    variants = sorted(FIXTURES.glob("delims_*"))
    variants = [p for p in variants if not p.name.endswith((".expected", ".md"))]
    assert len(variants) >= 5
    keys = {
        p.name: sorted((f.rule, f.claim_id, f.line_number, f.element, f.segment_index)
                       for f in linter.lint_path(p).findings)
        for p in variants
    }
    first = next(iter(keys.values()))
    assert first, "the delimiter fixtures each carry a finding"
    assert all(v == first for v in keys.values()), keys
