"""The validator's generated steps (x12/steps.py) against their reference (`Validator._take`).

A generated step must do exactly what `_take` does on the step's tuple: the same issues, and the same
state after every segment (open loops and their counts, node, claim id, counters), over the fixtures,
the corpus and mutants that drop, repeat and swap segments (so that loops repeat past their limit,
mandatory segments go missing and LX/HL numbers go out of sequence, the cases a step hands to `_take`).
"""

from __future__ import annotations

import random
import re

from conftest import CORPUS, FIXTURES, bench_module

from edi_lint.x12 import steps
from edi_lint.x12.tokenizer import X12Error, segments_from_bytes
from edi_lint.x12.validator import Validator
from edi_lint.x12.walker import LoopWalker

SPLICES = ["1", "2", "3", "0", "", "22", "20", "23", "PR", "P", "S", "X", "abc"]
STRUCTURE = frozenset({"HL", "LX", "CLM", "SBR", "NM1", "N3", "N4", "SV1", "DTP", "REF", "PAT", "BHT"})


def _state(v: Validator) -> tuple:
    opened = tuple((loop.id, tuple(sorted((k.id, getattr(k, "pos", None), n) for k, n in counts.items())))
                   for loop, counts in v.open.items())
    return (opened, v.node and v.node.pos, v.claim_id, v.lx_count, v.hl_count, tuple(v.hl_stack))


def _issues(v: Validator) -> list:
    return [(i.code, i.message, i.seg.index if i.seg is not None else None, i.segment, i.element, i.loop,
             i.claim_id) for i in v.finish()]


def _run(data: bytes, generated: bool) -> tuple[list, list]:
    walker = LoopWalker()
    v = Validator(walker.root, generated=generated)
    states = []
    try:
        for _ in walker.walk(segments_from_bytes(data), v):
            states.append(_state(v))
    except X12Error:
        pass
    assert v.failed is None, v.failed
    return _issues(v), states


def assert_same(data: bytes, label: str) -> None:
    fast, reference = _run(data, True), _run(data, False)
    assert fast[0] == reference[0], label
    assert fast[1] == reference[1], label


def test_fixtures_generated_equals_reference():
    for path in sorted(FIXTURES.glob("*.837")):
        assert_same(path.read_bytes(), path.name)


def test_corpus_generated_equals_reference(corpus):
    for path in sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() in (".837", ".x12", ".edi", ".txt")):
        assert_same(path.read_bytes(), path.name)


def test_mutants_generated_equals_reference():
    mutator, gen = bench_module("mutants"), bench_module("gen837")
    import io

    seeds = []
    for seed in (1, 2):
        out = io.StringIO()
        gen.generate(out, 5, lines=4, seed=seed, defect_rate=0.3, newlines=False, line_provider_rate=0.4)
        seeds.append(out.getvalue().encode("latin-1"))
    seeds += [p.read_bytes() for p in sorted(FIXTURES.glob("*.837"))[:3]]
    rng = random.Random(8370)
    for n in range(250):
        data = mutator.mutate(seeds[n % len(seeds)], rng, SPLICES, most=4, focus=STRUCTURE)
        assert_same(data, f"mutant {n}")


def test_steps_are_generated_and_hold_no_input_text():
    """The clean file takes generated steps (not only `_take`), and their source holds no text from
    the input: no string literal but the empty one."""
    data = (FIXTURES / "clean.837").read_bytes()
    walker = LoopWalker()
    v = Validator(walker.root)
    for _ in walker.walk(segments_from_bytes(data), v):
        pass
    from edi_lint.x12.validator import _HERE

    sources = [entry[0].source for table in v.steps.values() for key, entry in table.items()
               if key is not _HERE and getattr(entry[0], "source", None)]
    assert sources
    for source in sources:
        assert set(re.findall(r'"[^"]*"|\'[^\']*\'', source)) <= {'""'}, source
    assert steps._MAKERS


def test_limits_reached_generated_equals_reference(monkeypatch):
    """With every loop repeat and segment max use cut to 1, loops and segments go past their limit all
    the time (IG304, IG305): the steps' checks for those must hand over to `_take` exactly when it reports."""
    from edi_lint.x12 import validator

    guide = validator.guide_for(LoopWalker().root)
    for info in guide.loops.values():
        monkeypatch.setattr(info, "repeat", min(info.repeat, 1))
    for info in guide.segments.values():
        monkeypatch.setattr(info, "max_use", min(info.max_use, 1))
    monkeypatch.setattr(validator, "_STEPS", {})  # planned with the guide's own limits: plan again
    monkeypatch.setattr(validator, "_FACTS", {})
    gen = bench_module("gen837")
    import io

    out = io.StringIO()
    gen.generate(out, 4, lines=3, seed=5, defect_rate=0.2, newlines=False, line_provider_rate=0.5)
    clean = (FIXTURES / "clean.837").read_bytes()
    start, end = clean.index(b"HL*2*"), clean.index(b"SE*")  # its subscribers and claims, three times
    thrice = clean[:start] + clean[start:end] * 3 + clean[end:]
    files = [out.getvalue().encode("latin-1"), thrice] + [p.read_bytes() for p in sorted(FIXTURES.glob("*.837"))]
    rng = random.Random(304)
    mutator = bench_module("mutants")
    files += [mutator.mutate(files[n % 3], rng, SPLICES, most=4, focus=STRUCTURE) for n in range(60)]
    for n, data in enumerate(files):
        fast, reference = _run(data, True), _run(data, False)
        assert fast == reference, n
        assert any(i[0] in ("IG304", "IG305") for i in fast[0]) or n > 0


class _Lockstep:
    """Feeds every walked segment to a generated validator and to its reference (`generated=False`);
    before a step whose function re-reads a loop's counts for its `needed` check, it puts the count of
    the loop the step opens there at its limit, in both."""

    def __init__(self, root):
        self.fast, self.reference = Validator(root), Validator(root, generated=False)
        self.failed = None
        self.forced = 0

    def feed(self, seg, node):
        fast, reference = self.fast, self.reference
        entry = fast.table.get(node) if node is not None else None
        source = getattr(entry[0], "source", "") if entry else ""
        if re.search(r"_n\d+ = _a\d+\.get\(_k\d+, 0\) \+ 1", source):
            step = fast._step(fast.node, node)
            needed, pushes = step[8], step[10]
            owners = {owner for owner, _ in needed}
            for opened, parent, repeat in pushes:
                if repeat and parent in owners:
                    for v in (fast, reference):
                        v.open[parent][opened] = repeat
                    self.forced += 1
        fast.feed(seg, node)
        reference.feed(seg, node)
        assert _state(fast) == _state(reference), seg.index


def test_held_counts_at_their_limit_hand_over_to_take():
    """A step that opens a loop reads its parent's counts once, for the `needed` check, and tests the
    new repeat count on them before changing anything. No valid walk reaches such a step with that count
    already at its limit (the loop's earlier repeats reach it from inside the loop), so the state is
    set by hand: the generated step must then report IG304 exactly as `_take` does."""
    walker = LoopWalker()
    both = _Lockstep(walker.root)
    gen = bench_module("gen837")
    import io

    out = io.StringIO()
    gen.generate(out, 3, lines=2, seed=11, defect_rate=0.0, newlines=False, line_provider_rate=0.5)
    for data in [out.getvalue().encode("latin-1")] + [p.read_bytes() for p in sorted(FIXTURES.glob("*.837"))]:
        for _ in walker.walk(segments_from_bytes(data), both):
            pass
    assert both.forced
    fast, reference = _issues(both.fast), _issues(both.reference)
    assert fast == reference
    assert sum(1 for issue in fast if issue[0] == "IG304") >= both.forced


def test_segments_marked_not_used_generated_equals_reference(monkeypatch):
    """No segment of the shipped guide is marked not used, but a guide may mark one: a plain step onto it
    is then `_take`n (feed's own plain path does not test for it), and reports IG302 as the reference."""
    from edi_lint.x12 import validator

    guide = validator.guide_for(LoopWalker().root)
    for node, info in guide.segments.items():
        if node.id in ("N4", "DTP", "PRV"):  # plain steps: the next segment of the same loop
            monkeypatch.setattr(info, "usage", "N")
    monkeypatch.setattr(validator, "_STEPS", {})  # planned with the guide's own usage: plan again
    monkeypatch.setattr(validator, "_FACTS", {})
    data = (FIXTURES / "clean.837").read_bytes()
    fast, reference = _run(data, True), _run(data, False)
    assert fast == reference
    assert sum(1 for issue in fast[0] if issue[0] == "IG302") > 3


def test_steps_are_not_called_for_segments_without_elements():
    """A generated step reads elements[1] (LX01, CLM01) untested: feed leaves a bare or trailing-separator
    LX, CLM or HL to `_long`. With them, the generated steps find what the reference finds."""
    data = (FIXTURES / "clean.837").read_bytes().replace(b"\n", b"")
    for bare in (b"LX~", b"LX*~", b"CLM~", b"CLM*~", b"HL~"):
        sid = bare.split(b"*")[0].rstrip(b"~")
        at = data.index(b"~" + sid + b"*") + 1
        mutant = data[:at] + bare + data[at:]  # before the real one
        fast, reference = _run(mutant, True), _run(mutant, False)
        assert fast == reference, bare
        assert not any(issue[0] == "IG001" for issue in fast[0]), bare
