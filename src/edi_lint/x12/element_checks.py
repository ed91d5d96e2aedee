"""Element, composite and syntax-rule checks of one segment (SNIP 1-2), compiled per segment definition.

`SegmentChecker.check(definition, elements, component)` gives the (code, message, element)
problems of one segment's values against its definition in the compiled guide (ig_grammar.py).
It runs on every segment of every file, so it is built for speed without changing what it finds:

* each segment definition is compiled once into a tuple of precomputed steps (one per element or
  composite, the messages and references already built) and its syntax rules into small closures;
* results are memoised per distinct segment text (constant segments of a batch are checked once),
  per (element definition, value) and per (composite, value);
* a value seen once (a name, an id, a claim number) is checked by one precompiled pattern that is
  true only where the full check finds nothing; anything else goes through the full check.

`reference_check` is the plain reading of the guide the compiled checker must equal (the tests
compare them); every memo is bounded by an estimated size, past which it is cleared.
"""

from __future__ import annotations

import re
from typing import Callable, Iterator

from edi_lint.x12 import segment_pattern
from edi_lint.x12.ig_grammar import CompositeDef, ElementDef, Guide

ELEMENT_MEMO_BYTES = 4_000_000  # estimated size of memoised element and composite results
SEGMENT_MEMO_BYTES = 12_000_000  # estimated size of memoised segment texts and their results
MEMO_TRIAL = 256  # segment texts memoised per definition before judging whether its memo pays
PATTERN_AFTER = 32  # memo misses of a definition before its whole-segment pattern is built (not in a small file)
PATTERN_CODES = 100  # codes an element may have and still be written into a pattern (states: 73, countries: 239)

# The X12 extended character set (A-Z a-z 0-9, space, !"&'()*+,-./:;?= %~@[]_{}\|<>^`#$) is every printable
# ASCII character: written as ranges, a pattern built on it compiles in a tenth of the time.
_GOOD, _GOOD_NOT_SPACE = " -~", "!-~"
_N = re.compile(r"-?[0-9]+", re.S | re.ASCII)
_R = re.compile(r"-?[0-9]*(\.[0-9]+)?", re.S | re.ASCII)
_BAD_CHAR = re.compile(f"[^{_GOOD}]", re.S | re.ASCII)
_NOT_DIGIT = re.compile(r"[^0-9]", re.ASCII)
# CCYYMMDD from 1800 with a day every month has: a valid D8 date without arithmetic
_EASY_D8 = re.compile(r"(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|1[0-9]|2[0-8])", re.ASCII)
_CONTROL = frozenset("\x07\x09\x0a\x0b\x0c\x0d\x1c\x1d\x1e\x1f\x01\x02\x03\x04\x05\x06\x11\x12\x13\x14\x15\x16\x17")
_DATE_TYPES = ("RD8", "DT", "D8", "D6")
_DATE_FORMATS = ("RD8", "D8", "D6", "DT", "TM")  # DTP02 values that say how DTP03 is written


def _full(pattern: re.Pattern, value: str) -> bool:
    match = pattern.match(value)
    return match is not None and match.group(0) == value


def valid_time(value: str) -> bool:
    if _NOT_DIGIT.search(value):
        return False
    if value[0:2] > "23" or value[2:4] > "59":
        return False
    if len(value) > 4:
        if len(value) < 6 or value[4:6] > "59" or len(value) > 8:
            return False
    return True


def valid_date(kind: str, value: str) -> bool:
    if (kind == "D8" and len(value) != 8) or (kind == "D6" and len(value) != 6):
        return False
    if _NOT_DIGIT.search(value) or len(value) not in (6, 8, 12):
        return False
    if len(value) == 6:
        value = ("20" if int(value[0:2]) < 50 else "19") + value
    year, month, day = int(value[0:4]), int(value[4:6]), int(value[6:8])
    if year < 1800 or not 1 <= month <= 12:
        return False
    if month in (4, 6, 9, 11):
        last = 30
    elif month == 2:
        last = 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    else:
        last = 31
    if not 1 <= day <= last:
        return False
    return len(value) != 12 or valid_time(value[8:12])


def valid_type(value: str, kind: str) -> bool:
    if not kind:
        return True
    if kind[0] == "N":
        return _full(_N, value)
    if kind == "R":
        return _full(_R, value)
    if kind in ("ID", "AN"):
        return _BAD_CHAR.search(value) is None
    if kind == "RD8":
        parts = value.split("-")
        return len(parts) == 2 and valid_date("D8", parts[0]) and valid_date("D8", parts[1])
    if kind in ("DT", "D8", "D6"):
        return valid_date(kind, value)
    if kind == "TM":
        return valid_time(value)
    return kind == "B"


def _x12_ref(ref: str) -> str:
    """'SV101-02' -> 'SV101-2'."""
    if "-" in ref:
        head, sub = ref.split("-", 1)
        return f"{head}-{int(sub)}" if sub.isdigit() else ref
    return ref


class _Memos:
    """Memo tables sharing one budget of estimated bytes: past it every table is cleared, so hostile
    input with endless distinct values never grows memory."""

    __slots__ = ("tables", "used", "budget")

    def __init__(self, budget: int):
        self.tables: list[dict] = []
        self.used = 0
        self.budget = budget

    def table(self) -> dict:
        table: dict = {}
        self.tables.append(table)
        return table

    def charge(self, size: int) -> None:
        self.used += size
        if self.used > self.budget:
            self.clear()

    def clear(self) -> None:
        for table in self.tables:
            table.clear()
        self.used = 0


# --------------------------------------------------------------------------------------------
# Elements


def _clean_test(d: ElementDef, types: tuple = ()) -> Callable[[str], object] | None:
    """A test true only for values the full check finds nothing wrong with (checked against `types`
    too), or None.

    It covers the values that rarely repeat (names, ids, numbers, dates of birth): one match instead
    of the full check, and no memo entry. Elements with codes, a format or other data types go
    through the memo, where their few distinct values are checked once."""
    if types:  # a value typed by its qualifier (DMG02 by DMG01): clean, and valid for one of the types
        plain = _clean_test(d)
        if plain is None:
            return None

        if types == ("D8",) and d.min_len <= 8 <= d.max_len:  # a date of birth: most are plainly valid
            easy = _EASY_D8.fullmatch

            def typed_d8(value: str) -> bool:
                return easy(value) is not None or (bool(plain(value)) and valid_date("D8", value))
            return typed_d8

        def typed(value: str) -> bool:
            return bool(plain(value)) and any(valid_type(value, t) for t in types if t)
        return typed
    low, high, kind = d.min_len, d.max_len, d.type
    if d.usage == "N" or d.codes or d.external or d.regex or low < 1 or high < low:
        return None
    if kind in ("AN", "ID"):  # good characters only, the right length, no trailing space
        return re.compile(f"[{_GOOD}]{{{low - 1},{high - 1}}}[{_GOOD_NOT_SPACE}]", re.ASCII).fullmatch
    if kind and kind[0] == "N":
        return re.compile(f"-?[0-9]{{{low},{high}}}", re.ASCII).fullmatch
    if kind == "R":
        decimal = _R.fullmatch

        def clean(value: str) -> bool:
            return decimal(value) is not None and low <= len(value) - value.count("-") - value.count(".") <= high
        return clean
    return None


class ElementChecker:
    """Checks of one element value against one definition, memoised per (definition, value)."""

    def __init__(self, guide: Guide):
        self.external = guide.external
        self.memos = _Memos(ELEMENT_MEMO_BYTES)
        self._tables: dict = {}  # (definition, types) -> {value: problems}
        self._regex: dict = {}

    def table(self, d: ElementDef, types: tuple = ()) -> dict:
        """The memo of one definition (checked against `types` too): value -> problems."""
        key = (d, types)
        table = self._tables.get(key)
        if table is None:
            table = self._tables[key] = self.memos.table()
        return table

    def value(self, d: ElementDef, value: str, types: tuple = ()) -> tuple:
        """(code, message, element) problems for a non-empty value of a simple element."""
        table = self.table(d, types)
        found = table.get(value)
        return found if found is not None else self.remember(d, value, types, table)

    def remember(self, d: ElementDef, value: str, types: tuple, table: dict) -> tuple:
        found = tuple(self._check(d, value, types))
        self.memos.charge(len(value) + 120)
        table[value] = found
        return found

    def pattern(self, d: ElementDef, types: tuple, banned: str) -> str | None:
        """Regex source of non-empty values of `d` (checked against `types` too) that certainly pass the
        full check and hold no `banned` character, or None. Codes are each run through the full check."""
        if d.usage == "N":
            return None
        if types:  # as `_clean_test`: only a date of birth's plainly valid dates
            if _clean_test(d) is None or types != ("D8",) or not d.min_len <= 8 <= d.max_len:
                return None
            return _EASY_D8.pattern
        if d.codes or d.external:
            codes = set(d.codes) | set(self.external.get(d.external, ()) if d.external else ())
            if len(codes) > PATTERN_CODES:
                return None
            return segment_pattern.codes([c for c in codes if c and not any(b in c for b in banned)
                                          and not tuple(self._check(d, c, types))])
        low, high, kind = d.min_len, d.max_len, d.type
        if d.regex or low < 1 or high < low or not kind:
            return None
        if kind in ("AN", "ID"):
            return segment_pattern.text(low, high, banned)
        if kind[0] == "N":
            return segment_pattern.integer(low, high)
        if kind == "R":
            return segment_pattern.decimal(low, high)
        return None

    def _check(self, d: ElementDef, value: str, types: tuple) -> Iterator[tuple]:
        ref = _x12_ref(d.ref)
        subject = f'{ref} ("{d.name}")' if d.name else ref
        if d.usage == "N":
            yield "IG410", f"data element {subject} is present but the guide marks it not used", ref
            return
        kind = d.type
        measured = len(value.replace("-", "").replace(".", "")) if kind and (kind == "R" or kind[0] == "N") else len(value)
        if measured < d.min_len:
            yield "IG404", f"data element {subject} is too short: {measured} characters, minimum {d.min_len}", ref
        if measured > d.max_len:
            yield "IG405", f"data element {subject} is too long: {measured} characters, maximum {d.max_len}", ref
        if not _CONTROL.isdisjoint(value):
            yield "IG406", f"data element {subject} contains a control character", ref
            return
        if kind in ("AN", "ID") and value[-1] == " " and len(value.rstrip()) >= d.min_len:
            yield "IG496", f"data element {subject} has unnecessary trailing spaces", ref
        if (d.codes or d.external) and value not in d.codes:
            codes = self.external.get(d.external) if d.external else None
            if codes is None or value not in codes:
                yield "IG407", f"data element {subject} is not a valid code for this element", ref
        if not valid_type(value, kind):
            if kind in _DATE_TYPES:
                yield "IG408", f"data element {subject} is not a valid date", ref
            elif kind == "TM":
                yield "IG409", f"data element {subject} is not a valid time", ref
            else:
                yield "IG406", f"data element {subject} contains a character not allowed for its type {kind}", ref
        if types and not any(valid_type(value, t) for t in types if t):
            if "TM" in types:
                yield "IG409", f"data element {subject} is not a valid time", ref
            elif any(t in types for t in _DATE_TYPES):
                yield "IG408", f"data element {subject} is not a valid date", ref
        if d.regex:
            pattern = self._regex.get(d.regex)
            if pattern is None:
                pattern = self._regex[d.regex] = re.compile(d.regex, re.S)
            if not pattern.search(value):
                yield "IG407", f"data element {subject} does not have the format the guide requires", ref


def _empty(d: ElementDef) -> tuple:
    if d.usage == "R" and (d.seq != 1 or not d.in_composite or d.composite_required):
        ref = _x12_ref(d.ref)
        subject = f'{ref} ("{d.name}")' if d.name else ref
        return (("IG401", f"mandatory data element {subject} is missing", ref),)
    return ()


# --------------------------------------------------------------------------------------------
# Syntax rules


def _syntax(rule: tuple, elements: list, sid: str) -> Iterator[tuple]:
    """The problem one syntax rule (P, R, E, C, L and its positions) finds in a segment, if any."""
    found = _compile_rule(rule, sid, specialise=False)(elements, len(elements))
    if found is not None:
        yield found


def _rule_threshold(rule: tuple) -> int:
    """The segment size (elements with the id) at or under which the rule cannot fail: P needs one of
    its elements present, C and L their first, E two of them; R can fail on any segment."""
    kind, positions = rule[0], rule[1:]
    if kind == "P":
        return min(positions)
    if kind in ("C", "L"):
        return positions[0]
    if kind == "E":
        return sorted(positions)[1] if len(positions) > 1 else 1 << 30
    return -1


def _compile_rule(rule: tuple, sid: str, specialise: bool = True) -> Callable[[list, int], tuple | None]:
    """One syntax rule as a closure over its positions and messages: (elements, len) -> problem or None.
    (`specialise=False`: the general form only, as the reference reading uses it.)"""
    kind, positions = rule[0], rule[1:]
    n = len(positions)
    name = f"{kind}{''.join(f'{p:02d}' for p in positions)}"
    refs = [f"{sid}{p:02d}" for p in positions]
    listed = ", ".join(refs)

    def present(elements: list, size: int) -> list:
        return [p < size and elements[p] != "" for p in positions]

    if n == 2 and kind in ("P", "C", "E") and specialise:  # most rules name two elements: no list per segment
        first, second = positions
        ref1, ref2 = refs
        if kind == "P":
            message = f"{sid} syntax rule {name}: if any of {listed} is present, then all are required"

            def paired2(elements: list, size: int) -> tuple | None:
                a = first < size and elements[first] != ""
                if a != (second < size and elements[second] != ""):
                    return ("IG402", message, ref2 if a else ref1)
                return None
            return paired2
        if kind == "C":
            message = f"{sid} syntax rule {name}: if {ref1} is present, then {ref2} required"

            def conditional2(elements: list, size: int) -> tuple | None:
                if first < size and elements[first] != "" and not (second < size and elements[second] != ""):
                    return ("IG402", message, ref2)
                return None
            return conditional2
        message = f"{sid} syntax rule {name}: at most one of {listed} may be present"

        def exclusive2(elements: list, size: int) -> tuple | None:
            if first < size and elements[first] != "" and second < size and elements[second] != "":
                return ("IG410", message, ref2)
            return None
        return exclusive2
    if kind == "P":
        message = f"{sid} syntax rule {name}: if any of {listed} is present, then all are required"

        def paired(elements: list, size: int) -> tuple | None:
            here = present(elements, size)
            if 0 < sum(here) < n:
                return ("IG402", message, refs[here.index(False)])
            return None
        return paired
    if kind == "R":
        message = f"{sid} syntax rule {name}: at least one of {listed} is required"

        def required(elements: list, size: int) -> tuple | None:
            return None if any(present(elements, size)) else ("IG402", message, refs[0])
        return required
    if kind == "E":
        message = f"{sid} syntax rule {name}: at most one of {listed} may be present"

        def exclusive(elements: list, size: int) -> tuple | None:
            here = present(elements, size)
            if sum(here) > 1:
                return ("IG410", message, [r for r, h in zip(refs, here) if h][1])
            return None
        return exclusive
    if kind == "C":
        message = f"{sid} syntax rule {name}: if {refs[0]} is present, then {', '.join(refs[1:])} required"

        def conditional(elements: list, size: int) -> tuple | None:
            here = present(elements, size)
            if here[0] and sum(here) != n:
                return ("IG402", message, refs[here.index(False, 1)])
            return None
        return conditional
    if kind == "L":
        message = (f"{sid} syntax rule {name}: if {refs[0]} is present, then one of {', '.join(refs[1:])} "
                   "is required")

        def list_conditional(elements: list, size: int) -> tuple | None:
            here = present(elements, size)
            return ("IG402", message, refs[1]) if here[0] and sum(here) == 1 else None
        return list_conditional
    return lambda elements, size: None


def _rules_pass(rules: tuple, elements: list) -> bool:
    """None of these (threshold, rule) syntax rules fails on the segment."""
    size = len(elements)
    for threshold, rule in rules:
        if size > threshold and rule(elements, size) is not None:
            return False
    return True


# --------------------------------------------------------------------------------------------
# Segments

_SIMPLE, _COMPOSITE, _DATE = 0, 1, 2


class SegmentChecker:
    """Element, composite and syntax-rule checks of one segment, compiled per segment definition and
    memoised per distinct segment text."""

    def __init__(self, guide: Guide):
        self.elements = ElementChecker(guide)
        self._separators: tuple | None = None  # (component, element separator) the checks are compiled for
        self._compiled: dict = {}  # definition -> checker, for those separators
        self._memos = _Memos(SEGMENT_MEMO_BYTES)  # segment texts and composites, for those separators

    def check(self, definition, elements: list, component: str) -> tuple:
        """(code, message, element) problems of one segment against its definition; () if none."""
        return self.run(definition, component)(elements) or ()

    def runs(self, component: str, separator: str | None = None) -> dict:
        """definition -> its compiled check, `run(elements, text=None) -> problems`, for this component
        separator; `text`, when given, is the elements joined on `separator` (the segment as read).
        Problems are None instead of () for a clean segment of a definition found to have a value seen
        once in every segment (HL, CLM, names): the validator does not remember such texts as clean.
        The validator calls them straight from this table (one lookup per segment); `run` fills it.
        `separator`, the element separator the elements were split on (so it is in none of them), makes
        the segment memo's key the segment text joined on it; without it the key is the tuple."""
        if (component, separator) != self._separators:  # another interchange's: memos no longer apply
            self._separators = (component, separator)
            self._compiled = {}
            self._memos = _Memos(SEGMENT_MEMO_BYTES)
            self.elements.memos.clear()  # (a remembered value may hold the new separator)
        return self._compiled

    def run(self, definition, component: str, separator: str | None = None) -> Callable[[list], tuple]:
        runs = self.runs(component, separator)
        run = runs.get(definition)
        if run is None:
            run = runs[definition] = self._compile(definition, component, separator)
        return run

    def reference_check(self, definition, elements: list, component: str) -> Iterator[tuple]:
        """The checks read straight from the guide, without compiling or memos: what `check` must equal."""
        sid = elements[0]
        defs = definition.elements
        count = len(defs)
        given = len(elements) - 1
        if given > count:
            yield ("IG403", f"segment {sid} has {given} elements, the guide defines {count}", f"{sid}{count + 1:02d}")
        is_isa = sid == "ISA"
        date_format: tuple = ()
        type_list: list = []
        check_value = self.elements.value
        for position in range(1, count + 1):
            d = defs[position - 1]
            if d is None:
                continue
            value = elements[position] if position <= given else None
            if isinstance(d, CompositeDef):
                yield from self._composite(d, value, component)
                continue
            if position == 2 and sid == "DTP" and value in _DATE_FORMATS:
                date_format = (value,)
            if d.data_ele == "1250":
                type_list.extend(d.codes)
            if not value:
                yield from _empty(d)
                continue
            if not is_isa and component and component in value:
                ref = _x12_ref(d.ref)
                yield ("IG406", f'data element {ref} ("{d.name}") has components but is not a composite', ref)
                continue
            if position == 3 and sid == "DTP":
                yield from check_value(d, value, date_format)
            elif d.data_ele == "1251" and type_list:
                yield from check_value(d, value, tuple(sorted(type_list)))
            else:
                yield from check_value(d, value)
        for rule in definition.syntax:
            yield from _syntax(rule, elements, sid)

    def _compile(self, definition, component: str, separator: str | None = None) -> Callable[[list], tuple]:
        """One definition as precomputed steps run by a closure, memoised per segment text."""
        sid = definition.id
        defs = definition.elements
        count = len(defs)
        is_isa = sid == "ISA"
        elements_checker = self.elements
        type_list: list = []
        steps = []
        for position, d in enumerate(defs, 1):
            if d is None:
                continue
            if isinstance(d, CompositeDef):
                empty = tuple(self._composite(d, None, component))
                steps.append((position, _COMPOSITE, d, self._memos.table(), None, empty, None))
                continue
            if d.data_ele == "1250":
                type_list.extend(d.codes)
            ref = _x12_ref(d.ref)
            mixed = None if is_isa or not component else \
                ("IG406", f'data element {ref} ("{d.name}") has components but is not a composite', ref)
            if position == 3 and sid == "DTP":
                simple_dtp02 = len(defs) > 1 and isinstance(defs[1], ElementDef)
                tables = {f: elements_checker.table(d, (f,)) for f in _DATE_FORMATS} if simple_dtp02 else {}
                steps.append((position, _DATE, d, elements_checker.table(d, ()), None, _empty(d), (mixed, tables)))
                continue
            types = tuple(sorted(type_list)) if d.data_ele == "1251" and type_list else ()
            clean = _clean_test(d, types)
            steps.append((position, _SIMPLE, d, elements_checker.table(d, types), clean, _empty(d), (mixed, types)))
        # by segment size: the steps of the elements present, then what the absent ones give (their
        # missing-mandatory findings, known in advance)
        by_size = [((), ())]
        for size in range(1, count + 2):
            absent = [step[5] for step in steps if step[0] >= size]
            by_size.append((tuple(step for step in steps if step[0] < size), sum(absent, ())))
        rules = tuple((_rule_threshold(rule), _compile_rule(rule, sid)) for rule in definition.syntax)
        memo = self._memos.table()
        charge = self._memos.charge
        remember = elements_checker.remember
        composite = self._composite
        reference = self.reference_check
        compiled = self._compiled
        lookups = misses = 0
        join = tuple if separator is None else separator.join  # one string per key: cheaper to hash and compare
        by_text = separator is not None  # a segment's text (Segment.text) is then its key, not joined again

        def plain(elements: list, text: str | None = None) -> tuple:
            if elements[0] != sid:  # not what the definition was compiled for: read it plainly
                return tuple(reference(definition, elements, component))
            size = len(elements)
            problems: list = []
            if size - 1 > count:
                problems.append(("IG403", f"segment {sid} has {size - 1} elements, the guide defines {count}",
                                 f"{sid}{count + 1:02d}"))
            present, absent = by_size[size if size <= count else count + 1]
            for position, kind, d, table, clean, empty, extra in present:
                value = elements[position]
                if not value:
                    if empty:
                        problems.extend(empty)
                    continue
                if kind == _SIMPLE:
                    # looked up first: a value holding the component separator is never remembered
                    # while that separator is in use (memos are cleared when it changes)
                    got = table.get(value)
                    if got is None:
                        mixed, types = extra
                        if mixed is not None and component in value:
                            problems.append(mixed)
                            continue
                        if clean is not None and clean(value):
                            continue
                        got = remember(d, value, types, table)
                    if got:
                        problems.extend(got)
                    continue
                if kind == _COMPOSITE:
                    got = table.get(value)
                    if got is None:
                        got = table[value] = tuple(composite(d, value, component))
                        charge(len(value) + 120)
                    if got:
                        problems.extend(got)
                    continue
                mixed, types = extra
                if mixed is not None and component in value:
                    problems.append(mixed)
                    continue
                # DTP03: checked against the format DTP02 names
                fmt = elements[2] if size > 2 else ""
                by_format = types.get(fmt)
                table, types = (table, ()) if by_format is None else (by_format, (fmt,))
                got = table.get(value)
                if got is None:
                    if clean is not None and clean(value):
                        continue
                    got = remember(d, value, types, table)
                if got:
                    problems.extend(got)
            if absent:
                problems.extend(absent)
            for threshold, rule in rules:
                if size > threshold:
                    got = rule(elements, size)
                    if got is not None:
                        problems.append(got)
            return tuple(problems) if problems else ()

        # texts certainly clean: a whole-segment pattern, built once the definition has missed the memo
        # PATTERN_AFTER times, with the syntax rules it leaves open (see `_pattern`)
        test = None
        rules_open: tuple = ()

        def memoised(elements: list, text: str | None = None) -> tuple:
            nonlocal lookups, misses, test, rules_open
            lookups += 1
            key = text if text is not None and by_text else join(elements)
            found = memo.get(key)
            if found is not None:
                return found
            if test is not None and test(key) is not None and (not rules_open or _rules_pass(rules_open, elements)):
                found = memo[key] = ()
            else:
                found = memo[key] = plain(elements)
            charge(64 * len(elements) + sum(map(len, elements)) + 120)
            misses += 1
            if misses == PATTERN_AFTER and separator is not None:
                test, rules_open = self._pattern(definition, steps, component, separator, sid)
            if misses >= MEMO_TRIAL and lookups < 4 * misses // 3:  # under a quarter hit: a unique
                compiled[definition] = plain if test is None else patterned  # value in every segment
                memo.clear()  # (HL, CLM, names): stop memoising
            return found

        def patterned(elements: list, text: str | None = None) -> tuple | None:
            if test(join(elements) if text is None else text) is not None and (not rules_open or _rules_pass(rules_open, elements)):
                return None  # clean, and its text is not worth remembering (see `runs`)
            return plain(elements)

        return memoised

    def _pattern(self, definition, steps: list, component: str, separator: str, sid: str) -> tuple:
        """(fullmatch of segment texts (joined on `separator`) the full check certainly passes, the syntax
        rules that may still fail on them as (threshold, rule)), or (None, ()) when no pattern can be
        written. Each element's part is from `ElementChecker.pattern`; the rules the pattern settles
        (their elements always filled, or always empty) are left out."""
        if (sid == "ISA" or component not in segment_pattern.SAFE_SEPARATORS or separator == component
                or separator not in segment_pattern.SAFE_SEPARATORS):
            return None, ()
        banned = separator + component
        by_position: dict = {step[0]: step for step in steps}
        pieces, present, empty = [], set(), set()
        for position in range(1, len(definition.elements) + 1):
            step = by_position.get(position)
            if step is None:  # no definition: not checked
                pieces.append((f"[^{re.escape(separator)}]+", True))
                continue
            _, kind, d, _, _, absent, extra = step
            if kind == _DATE:  # DTP03: its format depends on DTP02's value
                return None, ()
            if kind == _COMPOSITE:
                if d.usage not in ("R", "S", "N"):
                    return None, ()
                parts = [(self.elements.pattern(p, (), banned), not _empty(p)) for p in d.parts]
                value = None if d.usage == "N" else segment_pattern.composite(parts, component, separator)
                may_be_empty = d.usage != "R"
            else:
                value = self.elements.pattern(d, extra[1], banned)
                may_be_empty = not absent
            if not may_be_empty and value is None:
                return None, ()
            pieces.append((value, may_be_empty))
            if not may_be_empty:
                present.add(position)
            elif value is None:
                empty.add(position)
        tail = segment_pattern.sequence(pieces, separator)
        if tail is None:
            return None, ()
        rules = tuple((_rule_threshold(rule), _compile_rule(rule, sid)) for rule in definition.syntax
                      if segment_pattern.rule_may_fail(rule, present, empty))
        return re.compile(re.escape(sid) + tail, re.S).fullmatch, rules

    def _composite(self, d: CompositeDef, value: str | None, component: str) -> Iterator[tuple]:
        ref = _x12_ref(d.ref)
        parts = value.split(component) if value and component else ([value] if value else [])
        empty = not any(parts)
        if empty and d.usage in ("N", "S"):
            return
        subject = f'{ref} ("{d.name}")' if d.name else ref
        if d.usage == "R" and empty:
            yield ("IG401", f"mandatory composite {subject} is missing", ref)
            return
        if d.usage == "N":
            yield ("IG410", f"composite {subject} is present but the guide marks it not used", ref)
            return
        if len(parts) > len(d.parts):
            yield ("IG403", f"too many components in composite {ref}", ref)
        for index, part in enumerate(d.parts):
            sub = parts[index] if index < len(parts) else ""
            if sub:
                yield from self.elements.value(part, sub)
            else:
                yield from _empty(part)
