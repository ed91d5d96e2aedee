"""Whole-segment patterns (x12/segment_pattern.py, built in element_checks.py): a segment text they
accept is one the full check finds nothing wrong with, so taking them changes no finding."""

from __future__ import annotations

import random
import re

from test_ig_native import CLEAN, EDGE_VALUES, FIXTURES, _guide, _load_agreement, _recorded_checks

from edi_lint.x12 import element_checks, segment_pattern
from edi_lint.x12.ig_grammar import CompositeDef

# values on the edges of the patterns: decimals, signs, codes, lengths, separators, spaces
PATTERN_EDGES = ["1.", ".5", "-.5", "-", "1.2.3", "-0", "12345678901234567890", "1234567890123456789.5", "0.000",
                 "TX", "TX ", "XX", "US", "11", "99", "B", "1", "Y", "N", "W", "A B", " A", "A" * 61, "19540327",
                 "19540230", "1954032", "18000101", "17991231", "::", ":", "A::", "HC:97110:GP:::::", "HC::",
                 ":97110", "HC:97110:GP:GN:59:KX:XX", "11:B:1:", "11::1", "AB^CD", "A|B", "12-34"]


def _variants(calls: list, rng: random.Random, per_call: int) -> list:
    out = []
    for definition, elements, component in calls:
        for _ in range(per_call):
            changed = list(elements)
            for _ in range(rng.choice((1, 1, 2, 3))):
                position = rng.randrange(1, len(changed) + 2)
                value = rng.choice(EDGE_VALUES + PATTERN_EDGES + [component, f"A{component}B", ""])
                if position < len(changed):
                    changed[position] = value
                else:
                    changed.append(value)
            out.append((definition, changed, component))
    return out


def test_segments_a_pattern_accepts_have_nothing_wrong(monkeypatch):
    """Patterns built from a definition's first miss, and definitions in their unmemoised mode from
    the 9th: every result equals the plain reading, and the patterns do accept many texts."""
    monkeypatch.setattr(element_checks, "PATTERN_AFTER", 1)
    monkeypatch.setattr(element_checks, "MEMO_TRIAL", 8)
    accepted = []
    original = element_checks.SegmentChecker._pattern

    def counted(self, definition, *args):
        test, rules = original(self, definition, *args)
        if test is None:
            return test, rules

        def counting(text):
            found = test(text)
            if found is not None:
                accepted.append(definition.id)
            return found
        return counting, rules

    monkeypatch.setattr(element_checks.SegmentChecker, "_pattern", counted)
    agreement = _load_agreement()
    bases = [(p.name, p.read_bytes()) for p in (FIXTURES / "clean.837", FIXTURES / "sample.837")]
    files = [CLEAN, (FIXTURES / "sample.837").read_bytes()] + [d for _, d in agreement.mutants(bases, 40, seed=8)]
    calls = _recorded_checks(monkeypatch, files)
    rng = random.Random(17)
    cases = calls + _variants(calls[:1500], rng, 6)
    guide = _guide()
    reference, checker = element_checks.SegmentChecker(guide), element_checks.SegmentChecker(guide)
    differences = []
    for definition, elements, component in cases + cases:  # twice: memo hits and the unmemoised mode
        if any("*" in e for e in elements):
            continue
        expected = tuple(reference.reference_check(definition, elements, component))
        got = checker.run(definition, component, "*")(elements)  # None: clean, not to be remembered
        if (() if got is None else got) != expected:
            differences.append((elements, got, expected))
    assert not differences, differences[:3]
    assert len(accepted) > 2000 and {"CLM", "NM1", "N4", "HL", "DMG"} <= set(accepted)
    assert any(run.__name__ == "patterned" for run in checker.runs(":", "*").values())


def test_element_patterns_accept_only_clean_values():
    """Each element's part of a pattern, alone: a value it accepts passes the full check."""
    guide = _guide()
    checker = element_checks.ElementChecker(guide)
    kinds = {}
    for definition in guide.segments.values():
        for d in definition.elements:
            for e in d.parts if isinstance(d, CompositeDef) else ((d,) if d is not None else ()):
                key = (e.type, e.min_len, e.max_len, e.usage, e.codes, e.external, e.regex)
                kinds.setdefault(key, e)
    rng = random.Random(23)
    alphabet = "AZaz09 -.:*~^\x07é" + "0123456789" * 4 + "."
    accepted = 0
    for d in kinds.values():
        source = checker.pattern(d, (), "*:")
        if source is None:
            continue
        test = re.compile(source, re.S).fullmatch
        values = PATTERN_EDGES + EDGE_VALUES + sorted(d.codes)[:20]
        values += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, d.max_len + 2))) for _ in range(200)]
        for value in values:
            if value and test(value):
                accepted += 1
                assert "*" not in value and ":" not in value
                assert tuple(checker._check(d, value, ())) == (), (d.ref, d.type, value)
    assert accepted > 1000


def test_decimal_pattern_counts_digits_not_the_point_or_sign():
    test = re.compile(segment_pattern.decimal(1, 3)).fullmatch
    assert [v for v in ["1", "123", "-123", "1.5", "12.5", ".5", "-.5", "1.23"] if not test(v)] == []
    assert [v for v in ["", "-", "1.", "1234", "12.34", "1.2.3", ".", "+1", "1e3"] if test(v)] == []


def test_composite_pattern_needs_one_component_filled():
    pieces = [("HC", False), ("[0-9]{5}", False), ("[A-Z]{2}", True)]
    test = re.compile(segment_pattern.composite(pieces, ":", "*") + "(?:\\*.*)?", re.S).fullmatch
    assert test("HC:97110") and test("HC:97110:GP") and test("HC:97110:GP*45")
    assert not test("HC:97110:GP:GN") and not test("HC") and not test("HC::GP") and not test(":")
    optional = re.compile(segment_pattern.composite([("A", True), ("B", True)], ":", "*"), re.S).fullmatch
    assert optional("A") and optional(":B") and optional("A:B")
    assert not optional("") and not optional(":") and not optional("A:B:")


def test_rules_a_pattern_settles_are_left_out():
    may_fail = segment_pattern.rule_may_fail
    assert not may_fail(("P", 8, 9), {8, 9}, set()) and not may_fail(("P", 10, 11), set(), {10, 11})
    assert may_fail(("P", 8, 9), {8}, set())
    assert not may_fail(("C", 11, 10), set(), {11}) and may_fail(("C", 7, 4), set(), set())
    assert not may_fail(("E", 2, 7), set(), {7}) and may_fail(("E", 2, 7), set(), set())
    assert not may_fail(("R", 2, 3), {3}, set()) and may_fail(("R", 2, 3), set(), set())
    assert not may_fail(("L", 1, 2, 3), set(), {1}) and not may_fail(("L", 1, 2, 3), {3}, set())


def test_no_pattern_around_separators_a_value_may_hold():
    assert segment_pattern.SAFE_SEPARATORS.isdisjoint("0123456789ABCXYZabc .-")


def test_the_validator_does_not_remember_texts_a_pattern_passed(monkeypatch):
    """A definition in its unmemoised mode with a pattern (a value seen once in every segment) answers
    None for a clean segment, and the validator does not keep such a text in its clean-text memo
    for that definition (it would never be read again, and it pushes out texts that are); other clean
    texts are kept."""
    import io

    from conftest import bench_module

    from edi_lint.x12.tokenizer import segments_from_bytes
    from edi_lint.x12.validator import Validator
    from edi_lint.x12.walker import LoopWalker

    monkeypatch.setattr(element_checks, "PATTERN_AFTER", 1)
    monkeypatch.setattr(element_checks, "MEMO_TRIAL", 8)
    out = io.StringIO()
    bench_module("gen837").generate(out, 60, lines=2, seed=3, defect_rate=0.0, newlines=False,
                                    line_provider_rate=0.3)
    walker = LoopWalker()
    v = Validator(walker.root)
    passed = []
    for seg in walker.walk(segments_from_bytes(out.getvalue().encode("latin-1"))):
        node = walker.state if seg.loop is not None else None
        definition = v._facts(node)[3] if node is not None else None
        run = v.runs.get(definition)
        known, found = seg.text in v.clean, len(v.issues)
        v.feed(seg, node)
        if getattr(run, "__name__", "") == "patterned" and not known and len(v.issues) == found:
            passed.append((seg.text, definition))
    assert len(passed) > 100
    assert not [text for text, definition in passed if v.clean.get(text) is definition]
    assert len(v.clean) > 10
