"""Seeded mutants of an X12 file: a few segments dropped, repeated, swapped or given another value.

One mutator for `bench/snapshot.py` (outputs before and after a change) and
`tests/test_differential.py` (fast path against reference), so both mean the same by "a mutant".
The same seed gives the same bytes: snapshots taken on two trees compare the same inputs.
"""

from __future__ import annotations

import random


def mutate(data: bytes, rng: random.Random, splices: list[str], *, most: int = 5,
           focus: frozenset[str] | None = None) -> bytes:
    """`data` with 1 to `most` edits. With `focus`, four edits in five hit a segment whose id is in
    it (the segments rules read), so a few hundred mutants reach every fact a rule looks at."""
    text = data.decode("latin-1")
    start = text.find("ISA")
    term, sep = text[start + 105], text[start + 3]
    segments = text.split(term)
    focused = None
    if focus is not None:
        focused = [i for i in range(1, len(segments) - 1) if segments[i].split(sep, 1)[0] in focus]
    for _ in range(rng.randint(1, most)):
        if focused and rng.random() < 0.8:
            i = rng.choice(focused)
            if i >= len(segments) - 1:
                continue
        else:
            i = rng.randrange(1, max(2, len(segments) - 1))
        roll = rng.random()
        if roll < 0.2:
            del segments[i]
        elif roll < 0.35:
            segments.insert(i, segments[rng.randrange(len(segments))])
        elif roll < 0.45:
            segments[i], segments[i - 1] = segments[i - 1], segments[i]
        else:
            elements = segments[i].split(sep)
            j = rng.randrange(0 if rng.random() < 0.1 else 1, len(elements) + 1)
            value = rng.choice(splices)
            if j < len(elements):
                elements[j] = value
            else:
                elements.append(value)
            segments[i] = sep.join(elements)
    return term.join(segments).encode("latin-1")
