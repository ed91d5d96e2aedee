"""Differential tests: the fast path must give exactly what a simple reference gives.

Two references are kept here, written for clarity, not speed:

- every declarative rule's closure version (`check.reference`), which the generated straight-line
  check (rules/straightline.py) must agree with on every unit;
- `reference_line`, the service-line facts computed by plain scans of the line's segments, which
  the one-pass ServiceLine must agree with.

Both run over the fixtures, the real corpus (when present) and a few hundred seeded mutants of
generated files, and the findings of the two linters must be identical, field for field.
"""

from __future__ import annotations

import dataclasses
import random

import pytest

from conftest import CORPUS, FIXTURES, bench_module
from edi_lint.claims import find_segment
from edi_lint.application import build_linter
from edi_lint.document import DocumentReader
from edi_lint.engine import Linter, Settings
from edi_lint.rules.api import Rule
from edi_lint.x12.tokenizer import X12Error, segments_from_bytes
from edi_lint.x12.walker import LoopWalker

SETTINGS = Settings(select=("ALL",), ignore=("IG",))  # every rule but pyx12's


def _reference_linter(fast: Linter) -> Linter:
    """The same rules with every generated check swapped for the closures it was compiled from."""
    rules = {}
    for kind in (fast.claim_rules, fast.line_rules_any, fast.file_rules,
                 *fast.line_rules_by_procedure.values()):
        for rule in kind:
            check = getattr(rule.check, "reference", rule.check)
            rules[rule.code] = Rule(rule.info, check, rule.segment_ids)
    return Linter(rules, fast.infos, fast.settings)


@pytest.fixture(scope="module")
def linters():
    fast = build_linter(SETTINGS)
    fast.fuse_after = 1  # every line table compiled into one run (engine.Linter._fuse) after its first line
    compiled = [r.code for rs in fast.line_rules_by_procedure.values() for r in rs
                if getattr(r.check, "source", None)]
    assert compiled, "no declarative rule was compiled to straight-line code"
    return fast, _reference_linter(fast)


def reference_line(line) -> dict:
    """What a service line's facts mean, by plain scans (claims.py before the one-pass build)."""
    sv1 = line.sv1
    composite = sv1.components(1) if sv1 is not None else []
    nm1 = find_segment(line.segments, "NM1", loop="2420A", qualifier="82")
    prv = find_segment(line.segments, "PRV", loop="2420A", qualifier="PE")
    return {
        "lx": line.segments[0],
        "procedure_composite": composite,
        "procedure": composite[1].strip() if len(composite) > 1 else "",
        "modifiers": tuple(m.strip() for m in composite[2:6] if m.strip()),
        "charge": sv1.get(2) if sv1 is not None else "",
        "unit_basis": sv1.get(3) if sv1 is not None else "",
        "units": sv1.get(4) if sv1 is not None else "",
        "date_of_service": find_segment(line.segments, "DTP", loop="2400", qualifier="472"),
        "rendering_npi": (nm1.get(9) or None) if nm1 is not None else line.claim.rendering_provider.value,
        "rendering_taxonomy": ((prv.get(3).strip() or None) if prv is not None else None) if nm1 is not None
        else line.claim.rendering_taxonomy.value,
        "service_date": (lambda dtp: dtp.get(3).strip() if dtp is not None else "")(
            find_segment(line.segments, "DTP", loop="2400", qualifier="472")),
        "diagnosis_pointers": sv1.components(7) if sv1 is not None else [],
        "place_of_service": (sv1.get(5).strip() if sv1 is not None else "") or (
            line.claim.clm.components(5) or [""])[0].strip() or None,
        "claim": (line.claim.clm.get(1), line.claim.clm.get(2), line.claim.clm.components(5)),
    }


def _line_facts(line) -> dict:
    return {
        "lx": line.lx, "procedure_composite": line.procedure_composite, "procedure": line.procedure,
        "modifiers": line.modifiers, "charge": line.charge, "unit_basis": line.unit_basis, "units": line.units,
        "date_of_service": line.date_of_service, "rendering_npi": line.rendering_provider.value,
        "rendering_taxonomy": line.rendering_taxonomy.value, "service_date": line.service_date,
        "diagnosis_pointers": line.diagnosis_pointers, "place_of_service": line.place_of_service.value,
        "claim": (line.claim.id, line.claim.charge, line.claim.facility),
    }


def _findings(linter: Linter, data: bytes) -> tuple:
    result = linter.lint_bytes(data, "input.837")
    return result.status, result.error, [dataclasses.astuple(f) for f in result.findings]


def assert_same(linters, data: bytes, label: str) -> None:
    fast, reference = linters
    assert _findings(fast, data) == _findings(reference, data), label
    try:
        for claim in DocumentReader(LoopWalker().walk(segments_from_bytes(data))).claims():
            for line in claim.lines:
                assert _line_facts(line) == reference_line(line), f"{label}: claim {claim.id!r} line {line.number}"
    except X12Error:
        pass  # not lintable: both linters said so above


def _inputs():
    for path in sorted(FIXTURES.iterdir()):
        if path.suffix in (".837", ".x12", ".edi"):
            yield path.name, path.read_bytes()


@pytest.mark.parametrize("name, data", list(_inputs()), ids=lambda v: v if isinstance(v, str) else "")
def test_fixtures_fast_equals_reference(linters, name, data):
    assert_same(linters, data, name)


def test_corpus_fast_equals_reference(linters, corpus):
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() in (".837", ".x12", ".edi", ".txt"))
    assert files
    for path in files:
        assert_same(linters, path.read_bytes(), path.name)


# -- mutants -------------------------------------------------------------------------------------

# Values the rules look at, to splice into elements: modifiers, places of service, taxonomies,
# dates, amounts, qualifiers, and junk.
SPLICES = ["GP", "GO", "GN", "CQ", "59", "KX", "11", "12", "22", "", " ", "225100000X", "225200000X",
           "207Q00000X", "20260105", "20260230", "20260115-20260105", "RD8", "D8", "472", "82", "PE", "XX",
           "MB", "CI", "BL", "434", "431", "PR", "85", "1", "2", "0", "-5", "1E3", "abc", "HC:97026:GP", "HC:97026", "HC:97110:GO:59",
           "HC:97026:GP:GO", "M62.81", "ABK:M6281", "E1142", "1:2", "9"]


READ_BY_RULES = frozenset({"SV1", "DTP", "NM1", "PRV", "CLM", "HI", "SBR", "LX", "REF"})


_mutator = bench_module("mutants")


def _mutate(data: bytes, rng: random.Random) -> bytes:
    """The snapshot's mutator (bench/mutants.py), aimed mostly at the segments rules read."""
    return _mutator.mutate(data, rng, SPLICES, most=6, focus=READ_BY_RULES)


def _seed_files():
    import io

    gen = bench_module("gen837")
    files = []
    for seed, newlines in ((1, False), (2, True), (3, False)):
        out = io.StringIO()
        gen.generate(out, 6, lines=3, seed=seed, defect_rate=0.3, newlines=newlines, line_provider_rate=0.4)
        files.append(out.getvalue().encode("latin-1"))
    files += [p.read_bytes() for p in sorted(FIXTURES.glob("*.837"))[:4]]
    return files


def test_mutants_fast_equals_reference(linters):
    rng = random.Random(837)
    seeds = _seed_files()
    for n in range(300):
        data = _mutate(seeds[n % len(seeds)], rng)
        assert_same(linters, data, f"mutant {n}")


# -- streamed reports ------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["text", "concise", "json", "jsonl", "sarif", "junit", "github"])
def test_streamed_report_equals_rendered(linters, fmt):
    """The CLI writes reports piece by piece (report.chunks); the text is the rendered one, byte for byte,
    with findings, without findings, and with a file that could not be linted."""
    from edi_lint.report import chunks, render

    fast, _ = linters
    rng = random.Random(9)
    seeds = _seed_files()
    batches = [
        [fast.lint_bytes(seeds[0], "a.837"), fast.lint_bytes(_mutate(seeds[1], rng), "b/ü.837")],
        [fast.lint_bytes((FIXTURES / "clean.837").read_bytes(), "clean.837")],
        [fast.lint_bytes(b"not x12", "bad.837"), fast.lint_bytes(seeds[2], "c.837")],
        [],
    ]
    for results in batches:
        rendered = render(fmt, results, fast.infos, cwd="/tmp")
        pieces = list(chunks(fmt, results, fast.infos, cwd="/tmp"))
        assert "".join(pieces) == rendered
        if fmt in ("json", "jsonl", "sarif", "text") and sum(len(r.findings) for r in results) > 2:
            assert len(pieces) > 2  # really streamed, not one string


def test_streamed_json_with_split_objects_equals_dumps(linters):
    from edi_lint.report.json_report import chunks, dumps

    fast, _ = linters
    results = [fast.lint_bytes(_seed_files()[0], "a.837")]
    extra = {"split": {"accepted": 1, "rejected": 2, "incomplete": []}, "findings": "ignored: a list key"}
    assert "".join(chunks(results, extra=extra)) == dumps(results, extra)


def test_direct_json_encoder_equals_json_dumps():
    """Reports write indented JSON with report._common.dumps_indented; it must be json.dumps's text."""
    import json

    from edi_lint.findings import Severity
    from edi_lint.report._common import dumps_indented

    rng = random.Random(5)
    leaves = ["", "ü", "a\nb", '"q"', "\u2028\x00\x1f", "😀", 0, -7, 10**30, 1.5, -0.0, 1e300, float("inf"), True,
              False, None, Severity.ERROR]

    def value(depth):
        roll = rng.random()
        if depth > 3 or roll < 0.5:
            return rng.choice(leaves)
        if roll < 0.75:
            return {rng.choice(["a", "é", "k\n", "rule", ""]) + str(n): value(depth + 1) for n in range(rng.randint(0, 4))}
        items = [value(depth + 1) for _ in range(rng.randint(0, 4))]
        return tuple(items) if rng.random() < 0.2 else items

    for _ in range(500):
        sample = value(0)
        for pad in ("", "    "):
            assert dumps_indented(sample, pad) == json.dumps(sample, indent=2).replace("\n", "\n" + pad)
    assert dumps_indented({1: "x"}) == json.dumps({1: "x"}, indent=2)  # a non-str key goes to json itself


def test_finding_to_dict_equals_asdict(linters):
    fast, _ = linters
    result = fast.lint_bytes(_seed_files()[0], "a.837")
    assert result.findings
    for finding in result.findings:
        expected = dataclasses.asdict(finding)
        expected["severity"] = finding.severity.label
        assert finding.to_dict() == expected and list(finding.to_dict()) == list(expected)
