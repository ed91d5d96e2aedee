"""The hierarchy trackers keep flat per-HL facts (rules.marks), not segments, and report exactly
what the simple keep-every-segment versions (kept here as the reference) reported."""

from __future__ import annotations

import gc
import random

from edi_lint.rules.api import Problem
from edi_lint.rules.integrity import LEVEL_NAMES, PARENT_LEVEL, _HLParents
from edi_lint.rules.marks import HlRows, Marks, mark
from edi_lint.rules.situational import _HlChildren, _ServiceAfterCreation, _SubscriberLevels
from edi_lint.x12.tokenizer import Segment


# -- the reference: the trackers as they were, keeping every segment until SE -------------------

class RefSubscribers:
    def __init__(self):
        self.subscribers, self.current, self.latest = {}, None, None

    def segment(self, seg):
        sid = seg.elements[0]
        if sid == "HL":
            level, number, parent = seg.get(3).strip(), seg.get(1).strip(), seg.get(2).strip()
            self.current = None
            if level == "22":
                self.current = self.latest = self.subscribers.setdefault(number, [None, 0, 0])
            elif level == "23" and parent in self.subscribers:
                self.subscribers[parent][2] += 1
        elif sid == "SBR":
            if seg.loop == "2000B" and self.latest is not None and self.latest[0] is None:
                self.latest[0] = seg
        elif sid == "CLM":
            if self.current is not None:
                self.current[1] += 1
        elif sid == "ST":
            self.subscribers, self.current, self.latest = {}, None, None
        else:
            return self.finish()
        return ()

    def finish(self):
        problems = []
        for sbr, direct, patients in self.subscribers.values():
            if sbr is None:
                continue
            relationship = sbr.get(2).strip()
            if relationship == "18" and patients:
                problems.append(Problem("SBR02 is 18 (the subscriber is the patient) but a 2000C patient loop is "
                                        "under this subscriber", sbr, "SBR02", actual="18"))
            elif relationship != "18" and direct:
                shown = relationship or "(empty)"
                problems.append(Problem(f"SBR02 is {shown}: the patient is not the subscriber, but {direct} claim(s) "
                                        "sit directly under the subscriber with no 2000C patient loop (send SBR02 = 18 "
                                        "when the subscriber is the patient)", sbr, "SBR02", expected="18",
                                        actual=relationship or None))
        self.subscribers, self.current, self.latest = {}, None, None
        return tuple(problems)


class RefChildren:
    def __init__(self):
        self.levels = []

    def segment(self, seg):
        sid = seg.elements[0]
        if sid == "ST":
            self.levels = []
            return ()
        if sid == "HL":
            self.levels.append(seg)
            return ()
        return self.finish()

    def finish(self):
        levels, self.levels = self.levels, []
        seen = set()
        for seg in levels:
            number, parent = seg.get(1).strip(), seg.get(2).strip()
            if number in seen or (parent and parent not in seen) or (not parent and seg.get(3).strip() != "20"):
                return ()
            seen.add(number)
        parents = {seg.get(2).strip() for seg in levels}
        problems = []
        for seg in levels:
            code, number = seg.get(4).strip(), seg.get(1).strip()
            has = number in parents
            if code == "1" and not has:
                problems.append(Problem(f"HL04 is 1 (has children) but no HL names HL {number} as its parent", seg,
                                        "HL04", expected="0", actual="1"))
            elif code == "0" and has:
                problems.append(Problem(f"HL04 is 0 (no children) but a later HL names HL {number} as its parent",
                                        seg, "HL04", expected="1", actual="0"))
        return tuple(problems)


class RefParents:
    def __init__(self):
        self.levels = {}

    def segment(self, seg):
        if seg.elements[0] == "ST":
            self.levels = {}
            return ()
        own, parent, level = seg.get(1).strip(), seg.get(2).strip(), seg.get(3).strip()
        problem = None
        if parent and parent in self.levels:
            if level in PARENT_LEVEL and self.levels[parent] not in PARENT_LEVEL[level]:
                want = PARENT_LEVEL[level][0]
                problem = Problem(
                    f"HL02 makes this {LEVEL_NAMES.get(level, level)} HL a child of HL {parent}, a "
                    f"{LEVEL_NAMES.get(self.levels[parent], 'level ' + self.levels[parent])} HL; expected a "
                    f"{LEVEL_NAMES[want]} parent", seg, "HL02", expected=want, actual=self.levels[parent])
        if own:
            self.levels[own] = level
        return (problem,) if problem is not None else ()

    def finish(self):
        return ()


# -- random transactions -------------------------------------------------------------------------

def _segments(rng: random.Random, hls: int):
    """ST, then HLs (mostly well formed, sometimes renumbered, re-used, mis-parented or re-levelled),
    each with an SBR or CLMs, then SE."""
    index = 0

    def seg(*elements, loop=None):
        nonlocal index
        index += 1
        made = Segment(list(elements), index, 100 * index, (1 + index // 7, 87 * index, "0001"), None)
        made.loop = loop
        return made

    yield seg("ST", "837", "0001")
    numbers, levels = [], {}
    for n in range(1, hls + 1):
        number = str(n)
        roll = rng.random()
        if roll < 0.03:
            number = rng.choice(["0" + number, number + " ", str(n + 5), rng.choice(numbers or ["1"]), ""])
        if n == 1:
            parent, level = "", "20"
        else:
            level = rng.choice(["22", "22", "23", "20", "21"]) if rng.random() < 0.1 else rng.choice(["22", "23"])
            candidates = [m for m in numbers if levels.get(m) == {"22": "20", "23": "22"}.get(level)] or numbers
            parent = rng.choice(candidates[-3:]) if rng.random() < 0.95 else rng.choice(["", "99999", "07"])
        code = rng.choice(["0", "1", "0", "1", "", "2"])
        yield seg("HL", number, parent, level, code, loop={"20": "2000A", "22": "2000B", "23": "2000C"}.get(level))
        numbers.append(number)
        levels[number] = level
        if level == "22" and rng.random() < 0.9:
            yield seg("SBR", "P", rng.choice(["18", "18", "", "01", " 18"]), "GRP", loop="2000B")
        if level in ("22", "23"):
            for _ in range(rng.choice([0, 1, 1, 2])):
                yield seg("CLM", f"C{index}", "100", loop="2300")
    yield seg("SE", str(index + 1), "0001")


def _file(rng: random.Random):
    """Several transactions of `_segments`, sometimes with stray HLs (an SBR, a CLM) between an SE and
    the next ST, or before the first ST."""
    index = 0
    for n in range(rng.choice([1, 2, 3])):
        if rng.random() < 0.3:
            for stray in range(rng.choice([1, 2])):
                index += 1
                made = Segment(["HL", rng.choice(["1", "2", "3", ""]), rng.choice(["", "1", "2"]),
                                rng.choice(["20", "22", "23"]), rng.choice(["0", "1"])], index, 100 * index,
                               (1, 0, None), None)
                made.loop = None
                yield made
                if stray:
                    index += 1
                    made = Segment(["SBR" if rng.random() < 0.5 else "CLM", "P", "01"], index, 100 * index,
                                   (1, 0, None), None)
                    made.loop = "2000B" if made.elements[0] == "SBR" else "2300"
                    yield made
        for seg in _segments(rng, rng.choice([3, 8, 30])):
            index += 1
            seg.index, seg.offset = index, 100 * index
            seg.place = (1 + index // 7, 87 * index, f"{n + 1:04d}")
            yield seg


def _run(checker, segments, ids):
    out = []
    for seg in segments:
        if seg.elements[0] in ids:
            out.extend(checker.segment(seg))
    out.extend(checker.finish())
    return [(p.message, p.element, p.expected, p.actual, p.segment.index, p.segment.offset, p.segment.line,
             p.segment.column, p.segment.loop, p.segment.st02, p.segment.elements[0]) for p in out]


def test_the_trackers_report_what_keeping_every_segment_reported():
    rng = random.Random(837)
    checked = 0
    for _ in range(400):
        segments = list(_segments(rng, rng.choice([3, 8, 30, 120])))
        for new, ref, ids in ((_SubscriberLevels, RefSubscribers, {"ST", "HL", "SBR", "CLM", "SE"}),
                              (_HlChildren, RefChildren, {"ST", "HL", "SE"}),
                              (_HLParents, RefParents, {"ST", "HL"})):
            want = _run(ref(), segments, ids)
            assert _run(new(), segments, ids) == want
            checked += len(want)
    assert checked > 200  # the random transactions do give findings to compare


TRACKERS = (("HL002", _HLParents, RefParents, {"ST", "HL"}),  # in the engine's order: by rule code
            ("SIT003", _SubscriberLevels, RefSubscribers, {"ST", "HL", "SBR", "CLM", "SE"}),
            ("SIT005", _HlChildren, RefChildren, {"ST", "HL", "SE"}))


def test_trackers_sharing_one_hl_table_report_what_each_reports_alone():
    """Joined as the engine joins them (one `shared` per file), any subset of the trackers reports,
    rule by rule, what the keep-every-segment references report: over several transactions, with
    stray HLs between them, and whichever of the trackers reads an HL into the table first."""
    rng = random.Random(97026)
    checked = 0
    for _ in range(300):
        segments = list(_file(rng))
        want = {code: _run(ref(), segments, ids) for code, _, ref, ids in TRACKERS}
        for size in (1, 2, 3):
            subset = rng.sample(TRACKERS, size)
            subset.sort(key=lambda t: t[0]) if rng.random() < 0.5 else rng.shuffle(subset)
            shared: dict = {}
            joined = []
            for code, new, _, ids in subset:
                checker = new()
                checker.join_file(shared)
                joined.append((code, checker, ids))
            got = {code: [] for code, _, _ in joined}
            for seg in segments:
                for code, checker, ids in joined:
                    if seg.elements[0] in ids:
                        got[code].extend(_run_one(checker.segment(seg)))
            for code, checker, _ in joined:
                got[code].extend(_run_one(checker.finish()))
                assert got[code] == want[code], code
                checked += len(want[code])
    assert checked > 1000


def _run_one(problems):
    return [(p.message, p.element, p.expected, p.actual, p.segment.index, p.segment.offset, p.segment.line,
             p.segment.column, p.segment.loop, p.segment.st02, p.segment.elements[0]) for p in problems]


def _reachable_segments(root) -> int:
    seen, stack, found = set(), [root], 0
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, Segment):
            found += 1
        stack.extend(gc.get_referents(obj))
    return found


def test_the_trackers_keep_no_segment_of_a_large_transaction():
    segments = list(_segments(random.Random(1), 2000))[:-1]  # everything up to SE
    for checker in (_SubscriberLevels(), _HlChildren(), _HLParents()):
        for seg in segments:
            checker.segment(seg)
        assert _reachable_segments(checker) == 0


def test_service_dates_keep_one_position_however_many_are_late():
    checker = _ServiceAfterCreation()
    made = []

    def feed(*elements, loop=None):
        seg = Segment(list(elements), len(made) + 1, 10 * len(made), (1, 0, "0001"), None)
        seg.loop = loop
        made.append(seg)
        return checker.segment(seg)

    feed("ST", "837", "0001")
    feed("BHT", "0019", "00", "B1", "20260120", "0930", "CH")
    for day in (25, 28, 21) * 20:
        feed("DTP", "472", "D8", f"202601{day}", loop="2400")
    assert _reachable_segments(checker) == 2  # the BHT's and the first late date's positions only
    (problem,) = feed("SE", "63", "0001")
    assert problem.message == ("BHT04 says the file was created on 20260120, before 60 of its service dates "
                               "(the latest 20260128): BHT04 or the service dates are wrong")
    assert (problem.segment.index, problem.segment.elements[0], problem.element) == (2, "BHT", "BHT04")


def test_hl_rows_find_numbers_with_and_without_the_sequence():
    rows = HlRows()
    assert [rows.row(n) for n in ("1", "2", "7", "3", "03", "2", "")] == [0, 1, 2, 3, 4, 1, 5]
    assert [rows.get(n) for n in ("1", "2", "3", "7", "03", "", "4", "02", "1 ", "9" * 40)] == [
        0, 1, 3, 2, 4, 5, None, None, None, None]
    assert [rows.number(r) for r in range(rows.count)] == ["1", "2", "7", "3", "03", ""]


def test_a_mark_stands_for_its_segment_in_a_finding():
    seg = Segment(["SBR", "P", "18"], 41, 2048, (12, 2042, "0042"), None)
    seg.loop = "2000B"
    marks = Marks()
    for kept in (mark(seg), marks.segment(marks.add(seg))):
        assert (kept.elements, kept.index, kept.offset, kept.line, kept.column, kept.st02, kept.loop) == (
            ["SBR"], 41, 2048, 12, 7, "0042", "2000B")


def test_hl_rows_shortcuts_agree_with_the_full_lookup():
    rows = HlRows()
    assert rows.get("1") is None  # the next number of the run, not there yet
    assert [rows.row(n) for n in ("1", "3", "2")] == [0, 1, 2]  # "3" came early: kept by the dictionary
    assert rows.get("3") == 1  # the next number of the run again, but already there out of sequence
    assert [rows.get(n) for n in ("1", "2", "1", "2", "01", "4")] == [0, 2, 0, 2, None, None]  # "2" came late
    assert rows.row("4") == 3 and rows.get("4") == 3 and rows.get("5") is None


def test_an_hl_table_reads_each_hl_once_and_keeps_no_segment():
    from edi_lint.rules.marks import HlTable

    table = HlTable()
    first = Segment(["HL", "1", "", "20", "1"], 3, 30, (1, 0, "0001"), None)
    second = Segment(["HL", "2", "1 ", "22", "0"], 4, 40, (1, 0, "0001"), None)
    short = Segment(["HL", " 2", "2"], 5, 50, (1, 0, "0001"), None)
    assert table.take(first) == ("", None, None, 0, True, "20", "1")
    assert table.take(second) == ("1", 0, "20", 1, True, "22", "0") and table.last is second.elements
    # HL01 2 again, naming itself: its parent as it was before this HL; the row then takes its level
    assert table.take(short) == ("2", 1, "22", 1, False, "", "") and table.hl == ("2", 1, "22", 1, False, "", "")
    assert table.count == 2 and table.last is short.elements
    assert table.levels == ["20", ""] and _reachable_segments(table) == 0


def test_hl_rows_add_new_adds_only_numbers_not_there():
    rows = HlRows()
    assert [rows.add_new(n) for n in ("1", "3", "2", "3", "1", "4")] == [0, 1, 2, None, None, 3]
    assert rows.row("3") == 1 and rows.row("5") == 4 and rows.count == 5
    assert [rows.number(r) for r in range(rows.count)] == ["1", "3", "2", "4", "5"]
