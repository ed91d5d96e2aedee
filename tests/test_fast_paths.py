"""The views' shared values and the Python line checks' pass tests (straightline.passes_when) mean
what the plain code means: compared over the fixtures and a few hundred seeded mutants."""

from __future__ import annotations

import random

from conftest import FIXTURES
from edi_lint.claims import Sourced, find_segment
from edi_lint.document import DocumentReader
from edi_lint.rules.api import BUILTIN
from edi_lint.x12.tokenizer import X12Error, segments_from_bytes
from edi_lint.x12.walker import LoopWalker

from test_differential import _mutate, _seed_files


def _claims(data: bytes):
    try:
        return list(DocumentReader(LoopWalker().walk(segments_from_bytes(data))).claims())
    except X12Error:
        return []


def _inputs():
    for path in sorted(FIXTURES.iterdir()):
        if path.suffix in (".837", ".x12", ".edi"):
            yield path.read_bytes()
    rng = random.Random(2026)
    seeds = _seed_files()
    for n in range(200):
        yield _mutate(seeds[n % len(seeds)], rng)


def reference_rendering(claim) -> tuple:
    """(provider, taxonomy) as the guide says, by plain scans: 2310B, else the billing provider."""
    nm1 = find_segment(claim.segments, "NM1", loop="2310B", qualifier="82", stop_at="LX")
    if nm1 is not None:
        prv = find_segment(claim.segments, "PRV", loop="2310B", qualifier="PE", stop_at="LX")
        taxonomy = (prv.get(3).strip() or None, "PRV03", prv, "2310B") if prv is not None else \
            (None, "PRV03", nm1, "2310B")
        return (nm1.get(9) or None, "NM109", nm1, "2310B"), taxonomy
    billing = claim.billing
    nm1 = find_segment(billing.segments, "NM1", qualifier="85") if billing else None
    prv = find_segment(billing.segments, "PRV", loop="2000A", qualifier="BI") if billing else None
    taxonomy = (prv.get(3).strip() or None, "PRV03", prv, "2000A") if prv is not None else \
        (None, "PRV03", nm1, "2000A")
    return (nm1.get(9) or None if nm1 else None, "NM109", nm1, "2010AA"), taxonomy


def _fields(sourced: Sourced) -> tuple:
    return sourced.value, sourced.element, sourced.segment, sourced.loop


def test_rendering_values_equal_plain_scans_in_either_order():
    checked = shared = 0
    for data in _inputs():
        for n, claim in enumerate(_claims(data)):
            expected = reference_rendering(claim)
            if n % 2:  # the taxonomy first (it finds the provider too), or the provider first
                taxonomy, provider = claim.rendering_taxonomy, claim.rendering_provider
            else:
                provider, taxonomy = claim.rendering_provider, claim.rendering_taxonomy
            assert (_fields(provider), _fields(taxonomy)) == expected
            assert claim.rendering_provider is provider and claim.rendering_taxonomy is taxonomy
            checked += 1
            shared += provider.loop == "2010AA"
    assert checked > 100 and shared > 10


def test_billing_renderer_is_shared_by_the_claims_of_a_billing_provider_and_follows_new_segments():
    claims = [c for data in _inputs() for c in _claims(data)
              if c.billing is not None and c.rendering_provider.loop == "2010AA"]
    by_billing = {}
    for claim in claims:
        by_billing.setdefault(id(claim.billing), []).append(claim)
    groups = [g for g in by_billing.values() if len(g) > 1]
    assert groups
    for group in groups:
        assert all(c.rendering_taxonomy is group[0].rendering_taxonomy for c in group)
    claim = claims[0]
    before = claim.billing.billing_renderer()
    claim.billing.segments.append(claim.billing.segments[0])  # a segment added: the kept pair is dropped
    assert claim.billing.billing_renderer() is not before
    assert claim.billing.billing_renderer() == before  # equal values: the same segments answer


def test_pass_tests_never_pass_a_line_the_check_reports():
    """A check's pass test (tested inline by a fused run instead of calling it) is true only where
    the check returns nothing; and it is true on the usual line (else it would not gain anything)."""
    from edi_lint.rules import codesets, ncci, situational  # noqa: F401  (registers the rules)
    from edi_lint.application import build_linter
    from edi_lint.engine import Settings

    linter = build_linter(Settings(select=("ALL",), ignore=("IG",)))
    checks = {}
    for rule in (*linter.line_rules_any, *(r for rs in linter.line_rules_by_procedure.values() for r in rs)):
        passes = getattr(rule.check, "passes", None)
        if passes is not None:
            namespace = {"__builtins__": {"len": len, "any": any}, **passes.names}
            exec(compile(f"def test(u):\n    return {passes.text}\n", "<pass test>", "exec"), namespace)
            checks[rule.code] = (rule.check, namespace["test"])
    assert {"DT001", "SIT001", "SIT009", "TH011"} <= set(checks)
    passed = {code: 0 for code in checks}
    for data in _inputs():
        for claim in _claims(data):
            for line in claim.lines:
                for code, (check, test) in checks.items():
                    reported = tuple(check(line))  # first: a check may fill the set its test reads
                    if test(line):
                        assert reported == (), f"{code} passed a line it reports"
                        passed[code] += 1
    assert all(passed.values()), passed


def test_claim_pass_tests_never_pass_a_claim_the_check_reports():
    """The same for the claim checks' pass tests, tested inline by the engine's fused claim run."""
    from edi_lint.application import build_linter
    from edi_lint.engine import Settings

    linter = build_linter(Settings(select=("ALL",), ignore=("IG",)))
    checks = {}
    for rule in linter.claim_rules:
        passes = getattr(rule.check, "passes", None)
        if passes is not None:
            namespace = {"__builtins__": {"len": len, "any": any}, **passes.names}
            exec(compile(f"def test(u):\n    return {passes.text}\n", "<pass test>", "exec"), namespace)
            checks[rule.code] = (rule.check, namespace["test"])
    assert {"CS005", "CS006", "SIT002", "SIT004"} <= set(checks)
    passed = {code: 0 for code in checks}
    failed = {code: 0 for code in checks}
    variants = [data.replace(b":B:1*", b":B:7*").replace(b"SBR*P*", b"SBR*S*") for data in _inputs()]
    variants += [data.replace(b"SBR*P*", b"SBR*T*") for data in _inputs()]  # tertiary payers: SIT004 too
    for data in [*_inputs(), *variants]:  # replacements and secondary payers: past SIT002's and SIT004's tests
        for claim in _claims(data):
            for code, (check, test) in checks.items():
                reported = tuple(check(claim))
                if test(claim):
                    assert reported == (), f"{code} passed a claim it reports"
                    passed[code] += 1
                else:
                    failed[code] += 1
    assert all(passed.values()), passed
    assert all(failed.values()), failed  # the mutants reach each check past its test


def test_sit001_pass_test_agrees_with_its_check_for_every_count_of_diagnoses():
    """SIT001's pass test reads the pointers of each count from a table made once (POINTERS_BY_COUNT):
    for any count, in the table or not, it passes only lines the check passes, and passes the usual."""
    from types import SimpleNamespace

    from edi_lint.rules.situational import _pointers_to
    from edi_lint.rules.situational import diagnosis_pointer_out_of_range as check

    namespace = {"__builtins__": {"len": len, "any": any}, **check.passes.names}
    exec(compile(f"def test(u):\n    return {check.passes.text}\n", "<pass test>", "exec"), namespace)
    test = namespace["test"]
    passed = 0
    for count in range(16):
        claim = SimpleNamespace(diagnoses=["M25561"] * count)
        for pointers in ([], ["1"], ["01", "2"], ["12"], ["13"], ["1", "4"], ["0"], ["x"], [" 1"], ["001"]):
            line = SimpleNamespace(sv1=object(), claim=claim, _pointers=pointers, diagnosis_pointers=list(pointers))
            if test(line):
                assert check(line) == (), (count, pointers)
                passed += 1
            if count <= 12:  # an HI's counts: passes exactly where the lru_cache'd sets did
                assert test(line) == _pointers_to(count).issuperset(pointers), (count, pointers)
    assert passed > 40
