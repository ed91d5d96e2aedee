"""Regular-expression sources for whole segment texts, built from per-element pieces.

element_checks.py decides, from the guide, which values of each element are certainly clean (the
full check finds nothing); this module only writes those decisions as one pattern over the segment
text joined on its element separator, so a segment whose values are all unique (a name, an address,
a claim) is passed by one `fullmatch` instead of a check per element. A pattern may reject clean
texts (they then take the full check); it must never accept one the full check faults.
"""

from __future__ import annotations

import re

# Separators a pattern can be built around: punctuation that no number, date or code contains.
SAFE_SEPARATORS = frozenset("!\"#$%&'()*+,/:;<=>?@[\\]^_`{|}~")


def char_class(banned: str, space: bool = True) -> str:
    """A class of the printable ASCII characters (the X12 extended set) but `banned` (and the space,
    when `space` is False), written as ranges: it compiles faster than a long list."""
    out = set(range(0x20 if space else 0x21, 0x7F)) - {ord(c) for c in banned}
    ranges, run = [], []
    for code in sorted(out):
        if run and code == run[-1] + 1:
            run.append(code)
            continue
        if run:
            ranges.append((run[0], run[-1]))
        run = [code]
    if run:
        ranges.append((run[0], run[-1]))
    text = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return f"[{text}]"


def text(low: int, high: int, banned: str) -> str:
    """AN or ID values of `low`..`high` characters, none banned, not ending in a space."""
    return f"{char_class(banned)}{{{low - 1},{high - 1}}}{char_class(banned, space=False)}"


def integer(low: int, high: int) -> str:
    """N0-N9 values: an optional minus and `low`..`high` digits."""
    return f"-?[0-9]{{{low},{high}}}"


def decimal(low: int, high: int) -> str:
    """R values with `low`..`high` digits: digits only, or digits around one decimal point (the
    lookahead measures the run of digits and the point: one more than the digits)."""
    return f"-?(?:[0-9]{{{low},{high}}}|(?=[0-9.]{{{low + 1},{high + 1}}}(?![0-9.]))[0-9]*\\.[0-9]+)"


def codes(values: list[str]) -> str | None:
    """One of these codes (longest first, so none stops short at a prefix), or None when none given."""
    if not values:
        return None
    return "(?:" + "|".join(re.escape(v) for v in sorted(values, key=lambda v: (-len(v), v))) + ")"


def sequence(pieces: list[tuple[str | None, bool]], separator: str) -> str | None:
    """Values joined on `separator`: each piece is (pattern of its non-empty clean values or None,
    whether it may be empty or absent). A trailing run of pieces that may all be absent is optional;
    None when some piece can be neither empty nor written."""
    sep = re.escape(separator)
    tail = ""
    optional = True
    for pattern, may_be_empty in reversed(pieces):
        if pattern is None and not may_be_empty:
            return None
        value = "" if pattern is None else f"(?:{pattern})?" if may_be_empty else f"(?:{pattern})"
        optional = optional and may_be_empty
        tail = f"(?:{sep}{value}{tail})?" if optional else f"{sep}{value}{tail}"
    return tail


def composite(pieces: list[tuple[str | None, bool]], component: str, separator: str) -> str | None:
    """A composite with at least one component filled (an empty one is judged by its usage alone):
    its first component, then the others after `component` as in `sequence`; the element after it
    starts at `separator`."""
    if not pieces:
        return None
    first, first_empty = pieces[0]
    if first is None and not first_empty:
        return None
    rest = sequence(pieces[1:], component)
    if rest is None:
        return None
    head = "" if first is None else f"(?:{first})?" if first_empty else f"(?:{first})"
    return f"(?!{re.escape(component)}*(?:{re.escape(separator)}|$)){head}{rest}"


def rule_may_fail(rule: tuple, present: set, empty: set) -> bool:
    """Can this syntax rule (P, R, C, L, E and its positions) fail on a segment the pattern accepts,
    given the positions the pattern makes always filled (`present`) and always empty (`empty`)?"""
    kind, positions = rule[0], rule[1:]
    if kind == "P":
        return not (all(p in present for p in positions) or all(p in empty for p in positions))
    if kind == "R":
        return not any(p in present for p in positions)
    if kind == "C":
        return not (positions[0] in empty or all(p in present for p in positions[1:]))
    if kind == "L":
        return not (positions[0] in empty or any(p in present for p in positions[1:]))
    if kind == "E":
        return sum(p not in empty for p in positions) > 1
    return True
