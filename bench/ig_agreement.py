#!/usr/bin/env python3
"""Native IG validator vs pyx12: agreement as (segment ordinal, IG code) pairs.

    python bench/ig_agreement.py [--mutants 2000] [--seed 7] [--show 20]

Inputs: every fixture, every corpus file edi-lint lints (../shared/corpus/real), and seeded
one-defect mutants of the valid ones (a segment deleted, duplicated, misspelled or moved; a
qualifier, code, date, length, character or element count broken). Each input is validated by both
engines (`--ig-engine native` and `--ig-engine pyx12`, every IG code selected); an input agrees
when both give the same set of (segment ordinal, code) pairs. Disagreements are sorted into the
categories the README documents (see `classify`); the figure is printed raw and with the
documented by-design categories set aside.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
FIXTURES = REPO / "fixtures"
CORPUS = REPO.parent / "shared" / "corpus" / "real"

_LINTERS: dict = {}


def linter(engine: str):
    if engine not in _LINTERS:
        from edi_lint.application import build_linter
        from edi_lint.settings import Settings

        _LINTERS[engine] = build_linter(Settings(select=("IG",), ig_engine=engine))
    return _LINTERS[engine]


def findings(data: bytes, engine: str) -> list | None:
    """The IG findings of one engine; None when the file cannot be linted at all."""
    result = linter(engine).lint_bytes(data, "<input>")
    if result.status == "error":
        return None
    return [f for f in result.findings if f.rule.startswith("IG")]


def pairs(data: bytes, engine: str) -> frozenset | None:
    """(segment ordinal, code) of every IG finding; None when the file cannot be linted at all."""
    found = findings(data, engine)
    return None if found is None else frozenset((f.segment_index or 0, f.rule) for f in found)


def inputs(corpus: Path = CORPUS) -> list[tuple[str, bytes]]:
    found = []
    for path in sorted(FIXTURES.iterdir()):
        if path.suffix in (".837", ".x12", ".edi") and path.is_file():
            found.append((f"fixtures/{path.name}", path.read_bytes()))
    if corpus.is_dir():
        for path in sorted(corpus.iterdir()):
            if path.is_file() and path.name != "SOURCES.md":
                found.append((f"corpus/{path.name}", path.read_bytes()))
    return found


# --------------------------------------------------------------------------------------------
# Mutants


def _segments(data: bytes):
    from edi_lint.x12.tokenizer import segments_from_bytes

    return list(segments_from_bytes(data))


def _serialise(segments, elements_list) -> bytes:
    d = segments[0].delimiters
    return ("".join(d.element.join(e) + d.segment + "\n" for e in elements_list)).encode("latin-1")


ENVELOPE = ("ISA", "IEA", "GS", "GE", "ST", "SE")
MUTATIONS = ("delete", "duplicate", "misspell", "qualifier", "code", "too_long", "empty", "bad_char",
             "bad_date", "extra_element", "swap", "too_short", "not_number")


def mutate(data: bytes, rng: random.Random) -> tuple[str, bytes] | None:
    """One seeded defect in a copy of `data`: (what was done, the mutant), or None if it did not apply."""
    segments = _segments(data)
    rows = [list(s.elements) for s in segments]
    body = [i for i, r in enumerate(rows) if r[0] not in ENVELOPE]
    if not body:
        return None
    kind = rng.choice(MUTATIONS)
    i = rng.choice(body)
    row = rows[i]
    component = segments[i].delimiters.component
    values = [p for p in range(1, len(row)) if row[p] and component not in row[p]]
    if kind == "delete":
        del rows[i]
    elif kind == "duplicate":
        rows.insert(i, list(row))
    elif kind == "misspell":
        row[0] = row[0][:-1] + ("X" if row[0][-1] != "X" else "Y")
    elif kind == "qualifier":
        if len(row) < 2 or not row[1]:
            return None
        row[1] = "Q9"
    elif kind == "code":
        if not values:
            return None
        row[rng.choice(values)] = "ZQ"
    elif kind == "too_long":
        if not values:
            return None
        row[rng.choice(values)] += "X" * 90
    elif kind == "too_short":
        if not values:
            return None
        p = rng.choice(values)
        row[p] = row[p][:1]
    elif kind == "empty":
        if not values:
            return None
        row[rng.choice(values)] = ""
        while len(row) > 1 and row[-1] == "":
            row.pop()
    elif kind == "bad_char":
        if not values:
            return None
        p = rng.choice(values)
        row[p] = row[p][:1] + "\x7f" + row[p][1:]
    elif kind == "bad_date":
        dates = [p for p in values if len(row[p]) == 8 and row[p].isdigit() and row[p][:2] in ("19", "20")]
        if not dates:
            return None
        row[rng.choice(dates)] = row[dates[0]][:4] + "1340"
    elif kind == "not_number":
        numbers = [p for p in values if row[p].replace(".", "").isdigit()]
        if not numbers:
            return None
        row[rng.choice(numbers)] = "1O"
    elif kind == "extra_element":
        row.append("EXTRA")
        row[len(row) - 1: len(row)] = [""] * 20 + ["EXTRA"]
    elif kind == "swap":
        j = i + 1
        if j >= len(rows) or rows[j][0] in ENVELOPE:
            return None
        rows[i], rows[j] = rows[j], rows[i]
    return f"{kind}@{i + 1}:{row[0] if rows else ''}", _serialise(segments, rows)


def mutants(bases: list[tuple[str, bytes]], count: int, seed: int) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    made: list = []
    tries = 0
    while len(made) < count and tries < count * 20:
        tries += 1
        name, data = bases[tries % len(bases)]
        got = mutate(data, rng)
        if got is not None:
            made.append((f"{name}#{got[0]}", got[1]))
    return made


# --------------------------------------------------------------------------------------------
# Comparing


CAP = "error cap: pyx12's run stops after 5,000 errors (IG001), native lists 1,000 per code and counts the rest"
CRASH = "pyx12 could not validate (IG001) where native reports the defects"
HEADER = ("header without a usable BHT (missing, broken or out of place): pyx12 rejects the header segments "
          "(IG301 cascade), native places them and reports the BHT")
COUNTERS = "HL/LX numbering of an unrecognised segment: pyx12 reports it at the next recognised segment"
RECOVERED = ("a loop's first segment with a code the guide has nowhere for its qualifier (NM1*Q9, HL03 = 2): native "
             "reports it once (IG301) and checks the loop's other segments where they stand, pyx12 rejects each of "
             "them too (IG301, IG305 where it counts them in the loop before) and reports the loop missing (IG303)")
MISSPELLED = ("a segment id the guide does not have, one character from the id of a segment expected there (NMX*IL, "
              "SVX): native reads it as that segment and reports it once (IG301, naming it), pyx12 rejects it and "
              "then the segments of the loop it opens (IG301) or reports the segment it is as missing (IG303)")
ONCE = ("a mandatory loop or segment missing: native reports it once, where the gap ends; pyx12 again at each "
        "later segment of the loop that lacks it")
DOCUMENTED = (CAP, HEADER, COUNTERS, RECOVERED, MISSPELLED, ONCE)
READ_AS = "read as the start of loop"  # in native's IG301 for a segment it reads as a loop's first (walker.Recovered)
RESPELLED = "probably a misspelled"  # in native's IG301 for a segment it reads from a misspelled id (walker._respell)


_COUNTER_CODES = frozenset(("IG381", "IG382", "IG383"))


def _reported_later(native: list, pyx12: list) -> bool:
    """Both engines find the same kinds of numbering error, pyx12 each at the same segment or a later
    one (it merges identical errors delivered at one segment, so they are not counted)."""
    ours = {(f.rule, f.segment_index or 0) for f in native if f.rule in _COUNTER_CODES}
    theirs = {(f.rule, f.segment_index or 0) for f in pyx12 if f.rule in _COUNTER_CODES}
    return (all(any(r == code and at <= later for r, later in theirs) for code, at in ours)
            and all(any(r == code and at <= later for r, at in ours) for code, later in theirs))


def _read_as(marker: str, native: list, ours: set, theirs: set) -> bool:
    """Native read a segment as another (one IG301 whose message holds `marker`, which pyx12 reports
    too), and every difference is pyx12's IG301, IG303 or IG305 for a later segment."""
    starts = [f.segment_index or 0 for f in native if f.rule == "IG301" and marker in f.message]
    if not starts or any((at, "IG301") not in theirs for at in starts):
        return False
    first = min(starts)
    return not ours - theirs and all(at > first and code in ("IG301", "IG303", "IG305") for at, code in theirs - ours)


def _reported_again(native: list, pyx12: list, ours: set, theirs: set) -> bool:
    """Every IG303 only pyx12 gives repeats one native gives at an earlier segment (same message)."""
    said = {}
    for f in native:
        if f.rule == "IG303":
            said.setdefault(f.message, f.segment_index or 0)
    again = [f for f in pyx12 if f.rule == "IG303" and ((f.segment_index or 0), "IG303") in theirs - ours]
    return not ours - theirs and all(f.message in said and said[f.message] < (f.segment_index or 0) for f in again)


def classify(native: list | None, pyx12: list | None) -> str | None:
    """None when the engines agree on (segment ordinal, code) pairs, else the category of the difference."""
    ours = None if native is None else {(f.segment_index or 0, f.rule) for f in native}
    theirs = None if pyx12 is None else {(f.segment_index or 0, f.rule) for f in pyx12}
    if ours == theirs:
        return None
    if ours is None or theirs is None:
        return "not linted by one engine"
    failed = [f for f in pyx12 if f.rule == "IG001"]
    if failed:
        return CAP if all("stopped after" in f.message for f in failed) else CRASH
    codes = {c for _, c in ours ^ theirs}
    if codes <= _COUNTER_CODES and _reported_later(native, pyx12):
        return COUNTERS
    if _read_as(READ_AS, native, ours, theirs):
        return RECOVERED
    if _read_as(RESPELLED, native, ours, theirs):
        return MISSPELLED
    if codes == {"IG303"} and _reported_again(native, pyx12, ours, theirs):
        return ONCE
    if codes <= {"IG301", "IG303", "IG304"} and any(f.segment == "BHT" or f.loop == "HEADER" for f in native + pyx12):
        return HEADER
    return "other: " + ",".join(sorted(codes))


def compare(items: list[tuple[str, bytes]]) -> tuple[int, Counter, list]:
    agree = 0
    categories: Counter = Counter()
    examples: list = []
    for name, data in items:
        native, reference = findings(data, "native"), findings(data, "pyx12")
        category = classify(native, reference)
        if category is None:
            agree += 1
            continue
        categories[category] += 1
        ours = {(f.segment_index or 0, f.rule) for f in native or ()}
        theirs = {(f.segment_index or 0, f.rule) for f in reference or ()}
        examples.append((name, category, sorted(ours - theirs), sorted(theirs - ours)))
    return agree, categories, examples


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show", type=int, default=20, help="disagreements to list")
    args = parser.parse_args(argv)
    files = inputs()
    linted = [(n, d) for n, d in files if pairs(d, "native") is not None]
    bases = [(n, d) for n, d in linted if not pairs(d, "pyx12")]
    made = mutants(bases, args.mutants, args.seed)
    total_agree = total = 0
    all_categories: Counter = Counter()
    shown = 0
    for label, items in (("fixtures and corpus", linted), ("one-defect mutants", made)):
        agree, categories, examples = compare(items)
        total_agree += agree
        total += len(items)
        all_categories += categories
        set_aside = sum(n for c, n in categories.items() if c in DOCUMENTED)
        print(f"{label}: {agree}/{len(items)} agree ({100 * agree / max(len(items), 1):.2f}%); "
              f"{100 * (agree + set_aside) / max(len(items), 1):.2f}% with the documented categories set aside")
        for name, category, native_only, pyx12_only in examples:
            if shown < args.show:
                print(f"  {name}: {category}; native only {native_only[:4]}, pyx12 only {pyx12_only[:4]}")
                shown += 1
    set_aside = sum(n for c, n in all_categories.items() if c in DOCUMENTED)
    print(f"overall: {total_agree}/{total} agree ({100 * total_agree / max(total, 1):.2f}%), "
          f"{100 * (total_agree + set_aside) / max(total, 1):.2f}% with the documented categories set aside")
    for category, n in all_categories.most_common():
        print(f"  {n:5d}  {category}{'  (documented)' if category in DOCUMENTED else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
