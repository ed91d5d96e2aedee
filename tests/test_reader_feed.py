"""The document reader's inline `Validator.feed` (`DocumentReader.read`) against `LoopWalker.walk` + `feed`.

`read` runs feed's code itself, on the validator's state, instead of calling it. Both ways must leave
the validator with the same state after every segment and the same issues at the end, over the
fixtures, the corpus and mutants that drop, repeat and swap segments (so that segments go past their
max use, texts are not yet clean, loops close and open in unplanned ways).
"""

from __future__ import annotations

import io
import random

from conftest import FIXTURES, bench_module
from test_ig_steps import SPLICES, STRUCTURE, _issues, _state

from edi_lint.document import DocumentReader
from edi_lint.x12.tokenizer import X12Error, iter_batches, iter_segments
from edi_lint.x12.validator import Validator
from edi_lint.x12.walker import LoopWalker


class _Counted(Validator):
    """A validator that counts the segments `feed` is called for (the rest the reader took inline)."""

    __slots__ = ("fed",)

    def feed(self, seg, node):
        self.fed += 1
        return super().feed(seg, node)


def _run(data: bytes, inline: bool) -> tuple[list, list, int, int]:
    walker = LoopWalker()
    v = _Counted(walker.root)
    v.fed = 0
    states = []

    def observe(seg):
        states.append((seg.index, seg.loop, _state(v)))

    try:
        if inline:
            reader = DocumentReader(segment_observer=observe)
            for _ in reader.read(iter_batches(io.BytesIO(data)), walker, v):
                pass
        else:
            for _ in DocumentReader(walker.walk(iter_segments(io.BytesIO(data)), v), observe).claims():
                pass
    except X12Error:
        pass
    assert v.failed is None, v.failed
    return _issues(v), states, v.fed, len(states)


def assert_same(data: bytes, label: str) -> None:
    inline, walked = _run(data, True), _run(data, False)
    assert inline[1] == walked[1], label
    assert inline[0] == walked[0], label
    assert walked[2] == walked[3], label  # the walk feeds every segment
    assert inline[2] == 0, label  # the reader calls feed for none: the comparison is of its own code


def test_fixtures_inline_equals_walk_and_feed():
    for path in sorted(FIXTURES.glob("*.837")):
        assert_same(path.read_bytes(), path.name)


def test_corpus_inline_equals_walk_and_feed(corpus):
    for path in sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() in (".837", ".x12", ".edi", ".txt")):
        assert_same(path.read_bytes(), path.name)


def test_mutants_inline_equals_walk_and_feed():
    mutator, gen = bench_module("mutants"), bench_module("gen837")
    seeds = []
    for seed in (3, 4):
        out = io.StringIO()
        gen.generate(out, 6, lines=4, seed=seed, defect_rate=0.3, newlines=seed == 4, line_provider_rate=0.4)
        seeds.append(out.getvalue().encode("latin-1"))
    seeds += [p.read_bytes() for p in sorted(FIXTURES.glob("*.837"))[:3]]
    rng = random.Random(1837)
    for n in range(250):
        data = mutator.mutate(seeds[n % len(seeds)], rng, SPLICES, most=4, focus=STRUCTURE)
        assert_same(data, f"mutant {n}")


def test_max_use_reached_inline_equals_walk_and_feed(monkeypatch):
    """With every segment's max use cut to 1 or 2, segments the mutants repeat go past it (IG305), on
    plain steps too: the inline step must report them as `feed` does."""
    from edi_lint.x12 import validator

    guide = validator.guide_for(LoopWalker().root)
    for n, info in enumerate(guide.segments.values()):
        monkeypatch.setattr(info, "max_use", min(info.max_use, 1 + n % 2))
    monkeypatch.setattr(validator, "_STEPS", {})  # planned with the guide's own limits: plan again
    monkeypatch.setattr(validator, "_FACTS", {})
    gen, mutator = bench_module("gen837"), bench_module("mutants")
    out = io.StringIO()
    gen.generate(out, 5, lines=4, seed=9, defect_rate=0.1, newlines=False, line_provider_rate=0.5)
    seeds = [out.getvalue().encode("latin-1"), (FIXTURES / "clean.837").read_bytes()]
    rng = random.Random(305)
    overused = 0
    for n in range(80):
        data = mutator.mutate(seeds[n % 2], rng, SPLICES, most=4, focus=STRUCTURE)
        assert_same(data, n)
        overused += sum(1 for issue in _run(data, True)[0] if issue[0] == "IG305")
    assert overused


def test_a_failure_in_the_inline_code_stops_validation_at_the_same_segment(monkeypatch):
    """A bug met inside read's inline feed (here `_overused`, which every segment past its max use
    calls) stops the validation as a bug in `feed` does under the walk: the same segment named, every
    claim still read."""
    from edi_lint.x12 import validator

    guide = validator.guide_for(LoopWalker().root)
    for info in guide.segments.values():
        monkeypatch.setattr(info, "max_use", 1)
    monkeypatch.setattr(validator, "_STEPS", {})
    monkeypatch.setattr(validator, "_FACTS", {})

    def overused(self, seg, node, n, facts):
        if seg.elements[0] == "DTP":
            raise RuntimeError("a bug")

    monkeypatch.setattr(Validator, "_overused", overused)
    data = (FIXTURES / "clean.837").read_bytes()
    data = data.replace(b"~DTP*472*", b"~DTP*472*D8*20260101~DTP*472*", 1)  # a DTP over its max use of 1
    failures, claims = [], []
    for inline in (True, False):
        walker = LoopWalker()
        v = Validator(walker.root)
        if inline:
            read = DocumentReader().read(iter_batches(io.BytesIO(data)), walker, v)
        else:
            read = DocumentReader(walker.walk(iter_segments(io.BytesIO(data)), v)).claims()
        claims.append(len(list(read)))
        failures.append(v.failed)
    assert failures[0] == failures[1] and failures[0].startswith("RuntimeError at segment "), failures
    assert claims[0] == claims[1] > 0
