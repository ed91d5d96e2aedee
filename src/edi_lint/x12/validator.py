"""Implementation-guide validation (WEDI SNIP 1-2) while walking, on the compiled guide.

Fed one walked segment at a time (`feed(seg, node)`, node = the map node the loop walker matched, or
None when nothing matched), it finds what pyx12's validator finds, with the same IG codes (which
follow the 999 IK3/IK4 codes):

* structure, on each transition between map nodes: mandatory segments and loops skipped (reported
  at the segment read after the gap, as a 999 does), loops over their repeat, segments over their
  max use, segments and loops the guide marks not used, segments that match nothing (IG301);
* elements, per segment definition (element_checks.py): usage, data type, length, codes (and external code lists),
  composites, syntax rules; results memoised per distinct segment text and per (element, value);
* envelopes and counters: control numbers, SE/GE/IEA counts, duplicate ids, HL and LX sequence.

Transitions are planned once per (previous node, next node) pair: the plan lists what the walk
skipped and which loops it opened, so a segment costs a dict lookup plus the count updates.
The semantics follow pyx12's map_walker (learned from its source, not copied): counts are kept per
open loop and per segment id, a loop's counts restart when it is entered again, and a mandatory
segment missed at the position of the matched one is not reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from edi_lint.x12.element_checks import SegmentChecker
from edi_lint.x12.grammar import LoopNode, SegmentNode
from edi_lint.x12.ig_grammar import Guide, attach
from edi_lint.x12.steps import compile_step
from edi_lint.x12.walker import Recovered

CLAIM_LOOPS = frozenset(
    ["2300", "2320", "2400", "2410", "2430", "2440"]
    + [f"2310{c}" for c in "ABCDEF"]
    + [f"2330{c}" for c in "ABCDEFG"]
    + [f"2420{c}" for c in "ABCDEFGH"]
)
QUALIFIER_SEGMENTS = frozenset(
    "AMT BHT CAS CN1 CR1 CR2 CR3 CRC CTP DMG DTP FRM HCP HI HL LQ MEA N1 NM1 NTE PER PRV PWK QTY "
    "REF SBR TOO".split()
)
_SEG_ID = re.compile(r"^[A-Z][A-Z0-9]{1,2}$")
_CODE = re.compile(r"^[A-Z0-9]{1,3}$")
_COUNTED = frozenset(("ISA", "GS", "ST", "HL", "CLM", "LX", "IEA", "GE", "SE"))  # segments the counters read
_COUNTERS = {"LX": 1, "HL": 2, "CLM": 3}  # the numbering counters, called straight from a planned step
MAX_OPEN_ENVELOPES = 64  # GS after GS after GS ... is junk, not nesting
CLEAN_TEXTS = 20_000  # clean segment texts remembered (then forgotten all at once): memory stays bounded
_VALID_IDS: set = set()  # segment ids known to match _SEG_ID
_HERE = object()  # the key under which a table of steps holds its own node (never a node, nor None)
_UNSEEN = object()  # a text not remembered as clean (never a definition, not even None)


@dataclass(slots=True)
class Issue:
    """One IG finding, before the engine turns it into a Finding."""

    code: str
    message: str
    seg: object  # the segment where it is reported (a tokenizer Segment), or None
    segment: str | None  # segment id the finding is about
    element: str | None
    loop: str | None
    claim_id: str | None


def _loop_id(loop: LoopNode | None) -> str | None:
    while loop is not None and loop.wrapper and loop.parent is not None:
        loop = loop.parent
    return None if loop is None or loop.parent is None else loop.id


# --------------------------------------------------------------------------------------------
# Transition plans


@dataclass(slots=True)
class Plan:
    """What moving from one map node to the next does to the counts, and what it may report."""

    target: SegmentNode
    found: bool  # False: the pyx12 walk does not reach target from here (reported as IG301)
    candidates: tuple  # (owning loop, node, key, is_loop, first segment) skipped while R: missing if uncounted
    pops: tuple  # loops closed, innermost first
    pushes: tuple  # loops opened, outermost first: (loop, counted)
    first_segment: bool  # target opens its loop (no segment usage/max check, as pyx12)
    keep_pos: int | None  # pending missing at this position are not reported (None: report all)
    # (owner loop, node) pairs of the candidates: when each was counted at least once, nothing is
    # missing and the move only closes, opens and counts (the step `Validator.feed` takes).
    needed: tuple = ()


def plan(prev: SegmentNode, target: SegmentNode) -> Plan:
    """Replay pyx12's search from `prev` until it reaches `target`, noting what it passes.

    When pyx12's search would not reach it but the loop walker did (a HEADER without its BHT: the
    walker lets any child open a wrapper), the search is repeated with that leniency, so the
    skipped BHT is reported once as missing instead of every header segment as unrecognised.
    """
    found = _search(prev, target, lenient=False)
    if found is None:
        found = _search(prev, target, lenient=True)
    found = found or Plan(target, False, (), (), (), False, None)
    found.needed = tuple((owner, key) for owner, _, key, _, _ in found.candidates)
    return found


def _search(prev: SegmentNode, target: SegmentNode, lenient: bool) -> Plan | None:
    candidates: list = []
    pops: list = []
    node, start = prev.loop, prev.pos
    orig_loop = prev.loop
    while True:
        for child in node.children:
            if child.pos < start:
                continue
            if isinstance(child, SegmentNode):
                if child is target:
                    if node.parent is not None and node.children[0] is child:
                        # the segment opens `node` again (a repeat of the loop we are in or left)
                        pops = [node] if node is orig_loop else pops + [node]
                        return Plan(target, True, tuple(candidates), tuple(pops), ((node, True),), True, None)
                    return Plan(target, True, tuple(candidates), tuple(pops), (), False, child.pos)
                if child.usage == "R":
                    candidates.append((node, child, child, False, child))
            elif _loop_matches(child, target, node, candidates, lenient):
                pushes = _goto(child, target, lenient, candidates)
                last = pushes[-1][0]
                return Plan(target, True, tuple(candidates), tuple(pops), tuple(pushes),
                            last.children[0] is target, None if last.children[0] is target else target.pos)
        if node.parent is None:
            return None
        start = node.pos
        pops.append(node)
        node = node.parent


def _loop_matches(loop: LoopNode, target: SegmentNode, owner: LoopNode, candidates: list, lenient: bool) -> bool:
    """Does `target` open `loop`? A required loop that it does not open is a candidate for missing."""
    if not loop.children:
        return False
    first = loop.children[0]
    if isinstance(first, LoopNode):  # a wrapper: any of its loops may open it
        return any(isinstance(c, LoopNode) and _loop_matches(c, target, loop, candidates, lenient)
                   for c in loop.children)
    if first is target:
        return True
    if lenient and loop.wrapper and _within(loop, target):
        return True
    if loop.usage == "R":
        candidates.append((owner, loop, loop, True, first))
    return False


def _within(loop: LoopNode, target: SegmentNode) -> bool:
    node = target.loop
    while node is not None:
        if node is loop:
            return True
        node = node.parent
    return False


def _goto(loop: LoopNode, target: SegmentNode, lenient: bool, candidates: list) -> list:
    """The loops opened to reach target: wrappers are opened uncounted, the loop it opens is counted."""
    first = loop.children[0] if loop.children else None
    if first is target:
        return [(loop, True)]
    if lenient and loop.wrapper and isinstance(first, SegmentNode):
        # a wrapper opened by a later child: its skipped required segments are missing
        for child in loop.children:
            if child is target:
                return [(loop, True)]
            if isinstance(child, SegmentNode):
                if child.usage == "R":
                    candidates.append((loop, child, child, False, child))
            elif _within(child, target):
                return [(loop, True)] + _goto(child, target, lenient, candidates)
        return [(loop, True)]
    for child in loop.children:
        if isinstance(child, LoopNode):
            found = _goto(child, target, lenient, candidates)
            if found:
                return [(loop, False)] + found
    return []


# --------------------------------------------------------------------------------------------
# The validator


class Validator:
    """Stateful over one file: feed it every walked segment, then call finish()."""

    # Slots: CPython 3.11 keeps at most 30 attributes in the shared-key layout its fast attribute
    # access needs; past that every self.x of feed and the steps is a dictionary lookup (a 30th
    # attribute cost 26 M instructions on the 10k bench file). A new attribute goes here.
    __slots__ = ("root", "limit", "counts", "guide", "segments", "plans", "facts", "generated", "steps",
                 "delimiters", "runs", "clean", "issues", "table", "open", "claim_id", "isa_ids", "gs_ids",
                 "st_ids", "envelopes", "gs_count", "st_count", "hl_count", "lx_count", "seg_start", "uncounted",
                 "hl_stack", "last", "failed", "reported")

    def __init__(self, root: LoopNode, limit: int = 1000, generated: bool = True):
        self.root = root
        self.limit = limit  # issues kept per code; the rest are only counted (junk input stays small)
        self.counts: dict = {}  # code -> issues found, kept or not
        # always the guide attached to `root`: the plans, facts and steps shared below are keyed by
        # the grammar alone, so a validator may not bring a guide of its own
        self.guide = guide_for(root)
        self.segments = SegmentChecker(self.guide)
        self.plans: dict = _plans_for(root)
        self.facts: dict = _facts_for(root)
        self.generated = generated  # False: every step is `_take` on its tuple (the reference, for tests)
        self.steps: dict = _steps_for(root, generated)  # previous node -> {node: step}, see `_step`
        self.delimiters = None  # of the segments checked last, and their compiled checks:
        self.runs: dict = {}  # definition -> run, from `segments` (reset when the delimiters change)
        # segment text -> the definition it passed clean under, well formed (no trailing separators),
        # for these delimiters: the same text again needs neither check (an LX*1, a payer's NM1)
        self.clean: dict = {}
        self.issues: list[Issue] = []
        # the steps from the node last taken (None before any), which the table holds (see `node`)
        self.table: dict = self._table(None)
        self.open: dict = {}  # open loop -> {segment or loop node: count} (pyx12 counts per map path)
        # open loop -> (its counts in `open`, the missing nodes already reported in that occurrence of it)
        self.reported: dict = {}
        self.claim_id: str | None = None
        # envelope and counter state, per interchange / group / transaction
        self.isa_ids: set = set()
        self.gs_ids: set = set()
        self.st_ids: set = set()
        self.envelopes: list = []  # [(kind, control number)] of the ISA/GS/ST still open
        self.gs_count = self.st_count = self.hl_count = self.lx_count = 0
        # SE01 counts the transaction's segments: every segment is fed, in order, so that count comes from
        # segment ordinals, the ST's (`seg_start`; 1 before any ST) and the SE's, less the envelope
        # segments in between that SE01 does not count (`uncounted`), without a count per segment
        self.seg_start = 1
        self.uncounted = 0
        self.hl_stack: list = []
        self.last = None
        self.failed: str | None = None  # why validation stopped, when it did

    # -- the stream -------------------------------------------------------------------------------

    def feed(self, seg, node: SegmentNode | None) -> None:
        """Validate one walked segment. The common segment (a move seen before, nothing missing, no
        trailing separators) takes the step planned for its (previous node, node) pair, found in the
        previous node's table, which names the next node's table. The next segment of the same loop
        (a plain step, 6 segments in 10) is taken here; any other step is one call of its function
        (see `_step_entry`). A text already found clean and well formed for the same definition
        (`clean`) is neither split-checked nor checked again.

        `DocumentReader.read` runs this same code inline (a call per segment cost 134 M on the 10k
        benchmark): a change here is made there too, which tests/test_reader_feed.py checks."""
        self.last = seg
        try:  # subscripts rather than .get on this path (here and below): half the cost of a method call
            step = self.table[node]
        except KeyError:
            return self._long(seg, node)
        go, claim, loop, limit, definition, where, table = step
        elements = seg.elements
        text = seg.text
        known = self.clean.get(text, _UNSEEN)  # the definition this text passed clean under, if any
        if known is not definition and (elements[-1] == "" or len(elements) == 1):
            return self._long(seg, node)
        if go is not None:
            if go(self, seg, node, elements):  # True: it left the segment to `_take` or `_long`
                return
        else:  # plain: no counter, nothing to look for, no loop closed or opened; a limit of 1 or more
            if not claim:
                self.claim_id = None
            try:
                counts = self.open[loop]
            except KeyError:
                counts = self.open[loop] = {}
            if node in counts:
                n = counts[node] = counts[node] + 1
                if n > limit:
                    self._overused(seg, node, n, self._facts(node))
            else:
                counts[node] = 1
        self.table = table  # (which names `node` as the node last taken)
        if known is not definition and definition is not None:
            try:
                run = self.runs[definition]
            except KeyError:
                run = self.segments.run(definition, seg.delimiters.component, seg.delimiters.element)
            problems = run(elements, text)
            if problems:
                self._element_issues(problems, seg, elements[0], where)
            elif problems is not None and text is not None:  # well formed too (else it took the other
                # way): remember it, unless its definition has a value seen once in every segment (None)
                clean = self.clean
                if len(clean) >= CLEAN_TEXTS:
                    clean.clear()
                clean[text] = definition

    def _long(self, seg, node: SegmentNode | None) -> None:
        """A segment no planned step covers (see `_feed`), then its element checks."""
        if type(node) is Recovered:  # never planned: every such segment comes here
            return self._recovered(seg, node)
        facts = self._feed(seg, node)
        if facts is not None and facts[3] is not None:
            self._check(seg, seg.elements, facts[3], facts[0])

    def _take(self, seg, node: SegmentNode, step: tuple) -> None:
        """The reference meaning of a planned step (`_step`'s tuple), which its generated function
        (steps.py) hands the segment to whenever something is to be reported. A text already found
        clean and well formed for the same definition (`clean`) is neither split-checked nor checked again."""
        elements = seg.elements
        text = seg.text
        known = self.clean.get(text, _UNSEEN)  # the definition this text passed clean under, if any
        if known is not step[4] and (elements[-1] == "" or len(elements) == 1):
            return self._long(seg, node)
        else:
            plain, claim, loop, limit, definition, where, _, counter, needed, pops, pushes = step  # (the table:
            # that of `node`, which every way below ends at, setting `self.node`)
            if plain:  # the next segment of the same loop: no counter, nothing to look for, no loop closed
                if claim == 0:
                    self.claim_id = None
                try:
                    counts = self.open[loop]
                except KeyError:
                    counts = self.open[loop] = {}
                if node in counts:
                    n = counts[node] = counts[node] + 1
                    if n > limit:
                        self._overused(seg, node, n, self._facts(node))
                else:
                    counts[node] = 1
                    if limit < 1:
                        self._overused(seg, node, 1, self._facts(node))
                self.node = node
            else:
                if counter:  # HL and LX numbering issues come from here only: they get the segment's place below
                    mark = len(self.issues)
                    if counter == 1:
                        self._lx(seg, elements)
                    elif counter == 2:
                        self._hl(seg, elements)
                    elif counter == 3:
                        self._clm()
                    else:
                        self._counters(seg, elements[0], elements)
                before = self.claim_id
                if claim == 2:  # the claim's CLM: CLM01 names the claim until a segment outside the claim loops
                    self.claim_id = elements[1] if len(elements) > 1 else ""
                elif claim == 0:
                    self.claim_id = None
                open_ = self.open
                for owner, key in needed:
                    counts = open_.get(owner)
                    if counts is None or key not in counts:  # something mandatory was skipped: the full move
                        self._move(seg, node, before)  # (it ends at `node`, whose table the step named)
                        break
                else:
                    for closed in pops:
                        open_.pop(closed, None)
                    for opened, parent_loop, repeat in pushes:
                        parent = open_.get(parent_loop)
                        if parent is None:
                            parent = open_[parent_loop] = {}
                        if repeat:  # counted: the loop this segment opens
                            n = parent[opened] = parent.get(opened, 0) + 1
                            if n > repeat:
                                self._issue("IG304", f"loop {opened.id} occurs {n} times, the guide allows {repeat}",
                                            seg, elements[0], None, loop=opened.id)
                        counts = open_[opened] = {}
                    if limit is None:  # the segment opened the last loop pushed, its own: counted once there
                        counts[node] = 1
                    else:
                        counts = open_.get(loop)
                        if counts is None:
                            counts = open_[loop] = {}
                        n = counts[node] = counts.get(node, 0) + 1
                        if n > limit:
                            self._overused(seg, node, n, self._facts(node))
                    self.node = node
                if counter and len(self.issues) != mark:
                    self._place_counters(mark, node)
        if known is not definition and definition is not None:
            try:
                run = self.runs[definition]
            except KeyError:
                run = self.segments.run(definition, seg.delimiters.component, seg.delimiters.element)
            problems = run(elements, text)
            if problems:
                self._element_issues(problems, seg, elements[0], where)
            elif problems is not None and text is not None:  # well formed too (else it took the other
                # way): remember it, unless its definition has a value seen once in every segment (None)
                clean = self.clean
                if len(clean) >= CLEAN_TEXTS:
                    clean.clear()
                clean[text] = definition

    def _check(self, seg, elements: list, definition, where: str | None) -> None:
        """The element checks of a segment fed the long way (`_feed`); its text is not remembered as
        clean, as it may end with separators."""
        delimiters = seg.delimiters
        try:
            run = self.runs[definition]
        except KeyError:
            run = self.segments.run(definition, delimiters.component, delimiters.element)
        problems = run(elements, seg.text)
        if problems:
            self._element_issues(problems, seg, elements[0], where)

    @property
    def node(self) -> SegmentNode | None:
        """The map node of the segment taken last (None before the first ISA): the one its table
        names. Setting it sets the table, so the two never disagree and `feed`'s steps set one."""
        return self.table[_HERE]

    @node.setter
    def node(self, node: SegmentNode | None) -> None:
        self.table = self._table(node)

    def _table(self, node) -> dict:
        """The planned steps from `node`: next node -> step (None: a move `feed` leaves to `_feed`),
        and `node` itself under _HERE."""
        table = self.steps.get(node)
        if table is None:
            table = self.steps[node] = {_HERE: node}
        return table

    def _feed(self, seg, node: SegmentNode | None) -> tuple | None:
        """Every segment the planned steps do not cover: envelopes, unmatched or malformed segments,
        moves not seen before or that report something. Plans the step of a plain move for next time.
        Returns the node's facts when its elements are to be checked, None when not."""
        elements = seg.elements
        sid = elements[0]
        issues = self.issues
        mark = len(issues)
        if seg.delimiters is not self.delimiters:  # an ISA (they change at ISAs only, and every ISA comes here)
            self._use(seg.delimiters)
        if sid in _COUNTED:
            self._counters(seg, sid, elements)
        if elements[-1] == "" or len(elements) == 1:
            self._empty(seg, sid, elements)
        if sid not in _VALID_IDS:
            if not _SEG_ID.match(sid):
                if self._room("IG301"):
                    self._issue("IG301", _bad_id(sid), seg, sid, None,
                                loop=_loop_id(self.node.loop) if self.node else None)
                return
            _VALID_IDS.add(sid)  # at most 26 * 37 * 37 ids: bounded
        if sid == "ISA" or sid == "GS":
            if node is None or not isinstance(node, SegmentNode) or node.id != sid:
                return
            self._restart(node)
            facts = self._facts(node)
        elif node is None or not isinstance(node, SegmentNode):
            if self._room("IG301"):
                self._not_found(seg, sid)
            if len(issues) != mark:
                self._place_counters(mark, self.node)
            return
        elif self.node is None:
            return  # before any ISA: nothing to validate against
        else:
            facts = self.facts.get(node) or self._facts(node)
            before = self.claim_id
            if facts[2]:  # the claim's CLM: CLM01 names the claim until a segment outside the claim loops
                self.claim_id = elements[1] if len(elements) > 1 else ""
            elif not facts[1]:
                self.claim_id = None
            prev = self.node
            self._move(seg, node, before)
            table = self._table(prev)
            if node not in table:
                table[node] = self._step_entry(prev, node)
        if len(issues) != mark:
            self._place_counters(mark, node)
        return facts

    def _use(self, delimiters) -> None:
        """Another interchange's delimiters: the compiled checks for its component separator."""
        self.delimiters = delimiters
        self.runs = self.segments.runs(delimiters.component, delimiters.element)
        self.clean = {}  # a text clean under one component separator may not be under another

    def _element_issues(self, problems: tuple, seg, sid: str, loop: str | None) -> None:
        counts, limit, issues, claim = self.counts, self.limit, self.issues, self.claim_id
        for code, message, element in problems:
            n = counts[code] = counts.get(code, 0) + 1
            if n <= limit:
                issues.append(Issue(code, message, seg, sid, element, loop, claim))

    def _step_entry(self, prev: SegmentNode, node: SegmentNode) -> tuple:
        """The table entry `feed` reads for the move prev -> node: (function, claim, loop, use limit,
        definition, loop id, next table). The function is None for a plain step, which feed takes
        itself (one the guide allows at least once: a segment it marks not used is `_take`n, so
        that feed's plain path, run for 6 segments in 10, tests the limit only on a repeat); else the
        step's generated function (steps.py), or `_take` on the step's tuple when none is generated
        (or `generated` is off); `_long` when the move is not planned."""
        step = self._step(prev, node)
        if step is None:
            return _LONG
        if step[0] and self.generated and step[3] >= 1:
            function = None
        else:
            function = (compile_step(step, Validator._take) if self.generated else None) or _reference(step)
        return (function,) + step[1:7]

    def _step(self, prev: SegmentNode, node: SegmentNode) -> tuple | None:
        """What `feed` needs to take the move prev -> node without `_move`, or None when the move is
        not a plain one (not found by the guide's search, opens a loop the guide marks not used):
        (plain: the next segment of the same loop, with nothing else below to do, claim (2: the
        claim's CLM, 1: inside a claim, 0: outside), the segment's loop, its use limit, its definition,
        its loop id, the steps from `node`, the counter it feeds (see _COUNTERS; 0: none), (owner
        loop, node) pairs that must have been seen, loops closed, loops opened (loop, its parent, its
        repeat or 0 when opened uncounted)). The use limit is None when the segment opens the last loop
        pushed (its own, as its first segment): then its count there is 1 and no limit applies."""
        key = (prev, node)
        step = self.plans.get(key)
        if step is None:
            step = self.plans[key] = plan(prev, node)
        if not step.found or node.id in ("ISA", "GS") or _late_first(node, step):
            return None
        pushes = []
        for loop, counted in step.pushes:
            if counted:
                info = self.guide.loops.get(loop)
                if info is None or info.usage == "N" or info.repeat < 1:
                    return None
                pushes.append((loop, loop.parent, info.repeat))
            else:
                pushes.append((loop, loop.parent, 0))
        loop_id, in_claim, is_clm, definition, usage, max_use = self._facts(node)
        limit = 1 << 62 if step.first_segment else -1 if usage == "N" else max_use
        if step.first_segment and pushes and pushes[-1][0] is node.loop:
            limit = None
        # the search starts at prev itself, a candidate when required: always there (it was counted
        # in its loop when it was read, and that loop is still open), so not looked up again
        needed = tuple((owner, key) for owner, key in step.needed if not (owner is prev.loop and key is prev))
        counter = _COUNTERS.get(node.id, 4) if node.id in _COUNTED else 0
        plain = not (counter or needed or step.pops or pushes)
        return (plain, 2 if is_clm else 1 if in_claim else 0, node.loop, limit, definition, loop_id,
                self._table(node), counter, needed, step.pops, tuple(pushes))

    def _facts(self, node: SegmentNode) -> tuple:
        """What feed reads of a map node on every segment, worked out once per node:
        (loop id, inside a claim, is the claim's CLM, segment definition, usage, max use)."""
        facts = self.facts.get(node)
        if facts is None:
            loop = _loop_id(node.loop)
            info = self.guide.segments.get(node)
            facts = self.facts[node] = (
                loop, loop in CLAIM_LOOPS, node.id == "CLM" and node.loop.id == "2300", info,
                info.usage if info is not None else None, info.max_use if info is not None else 0,
            )
        return facts

    def _empty(self, seg, sid: str, elements: list) -> None:
        if elements[-1] == "":
            if len(elements) > 1:
                self._issue("IG392", "segment ends with trailing element separators", seg, sid, None)
            if not any(elements[1:]):
                self._issue("IG308", "segment is empty", seg, sid, None)
        elif len(elements) == 1:
            self._issue("IG308", "segment is empty", seg, sid, None)

    def _place_counters(self, mark: int, node) -> None:
        """HL/LX numbering issues are known before the segment is placed: give them its loop and claim."""
        for issue in self.issues[mark:]:
            if issue.code in ("IG381", "IG382", "IG383"):
                issue.claim_id = self.claim_id  # the segment's own claim (an HL is in none)
                if issue.loop is None and node is not None:
                    issue.loop = _loop_id(node.loop)

    def finish(self, trailers: bool = True) -> list[Issue]:
        """End of input: envelopes never closed (left out when `trailers` is False: ENV001 reports it)."""
        seg = self.last
        if self.failed is not None:
            self.issues.append(Issue("IG001", f"the implementation-guide validator failed ({self.failed}); "
                                     "the file is not fully validated", None, None, None, None, None))
            return self.issues
        for kind, number in reversed(self.envelopes if trailers else ()):
            code, what = {"ST": ("IG202", "transaction set"), "GS": ("IG153", "functional group"),
                          "ISA": ("IG123", "interchange")}[kind]
            trailer = {"ST": "SE", "GS": "GE", "ISA": "IEA"}[kind]
            self._keep(Issue(code, f"{what} {_shown(number)} has no {trailer} trailer", seg, trailer, None,
                             f"{kind}_LOOP", None))
        self.envelopes = []
        return self.issues

    # -- structure --------------------------------------------------------------------------------

    def _restart(self, node: SegmentNode) -> None:
        """ISA and GS start the walk afresh, with the counts of what they open reset (as pyx12)."""
        self.node = node
        chain = []
        loop = node.loop
        while loop is not None:
            chain.append(loop)
            loop = loop.parent
        open_ = {}
        for loop in reversed(chain):
            open_[loop] = {}
        open_[node.loop][node] = 1
        if node.id == "GS":
            kept = self.open.get(node.loop.parent)
            if kept is not None:
                open_[node.loop.parent] = kept
            counts = open_[node.loop.parent]
            counts[node.loop] = counts.get(node.loop, 0) + 1
        self.open = open_
        self.claim_id = None

    def _move(self, seg, node: SegmentNode, claim_before: str | None) -> None:
        prev = self.node
        key = (prev, node)
        step = self.plans.get(key)
        if step is None:
            step = self.plans[key] = plan(prev, node)
        if not step.found:
            # the loop walker placed it where pyx12 would not look (a missing first segment of a
            # wrapper): report it as pyx12 does, and follow the walker
            self._issue("IG301", f"segment {_label(seg)} is not where the guide allows it", seg, seg.elements[0], None,
                        loop=_loop_id(prev.loop))
            self.node = node
            self._reopen(node)
            return
        open_ = self.open
        if _late_first(node, step) and node not in open_.get(node.loop, (node,)):
            # the first segment of a wrapper (the BHT) after segments of the wrapper opened without
            # it (NM1*41 before the BHT): it was reported missing where the wrapper opened, so it
            # joins that wrapper instead of opening it a second time (no second 1000A/1000B)
            for loop in list(open_):
                if loop is not node.loop and _is_ancestor(node.loop, loop):
                    del open_[loop]
            open_[node.loop][node] = 1
            self.node = node
            return
        pending = []
        for owner, missing, key_id, is_loop, first in step.candidates:
            counts = open_.get(owner)
            if counts is None or (counts.get(key_id, 0) < 1 and not self._said_missing(owner, counts, key_id)):
                pending.append((owner, missing, key_id, is_loop, first))
        for loop in step.pops:
            open_.pop(loop, None)
        loop_defs = self.guide.loops
        for loop, counted in step.pushes:
            parent = open_.setdefault(loop.parent, {})
            if counted:
                info = loop_defs[loop]
                if info.usage == "N":
                    self._issue("IG302", f"loop {loop.id} is present but the guide marks it not used", seg,
                                seg.elements[0], None, loop=loop.id)
                else:
                    n = parent[loop] = parent.get(loop, 0) + 1
                    if n > info.repeat:
                        self._issue("IG304", f"loop {loop.id} occurs {n} times, the guide allows {info.repeat}",
                                    seg, seg.elements[0], None, loop=loop.id)
            open_[loop] = {}
        counts = open_.setdefault(node.loop, {})
        n = counts[node] = counts.get(node, 0) + 1
        if not step.first_segment:
            self._overused(seg, node, n, self._facts(node))
        keep = step.keep_pos
        for owner, missing, key_id, is_loop, first in pending:
            if keep is not None and (first.pos == keep or (first.id == node.id and first.loop is node.loop)):
                continue
            self._missing(seg, missing, is_loop, first, claim_before)
            counts = open_.get(owner)
            if counts is not None:  # one gap, one finding: not again at each later segment of the loop that lacks it
                said = self.reported.get(owner)
                if said is None or said[0] is not counts:  # (a later occurrence of the loop starts afresh)
                    said = self.reported[owner] = (counts, set())
                said[1].add(key_id)
        self.node = node

    def _said_missing(self, owner: LoopNode, counts: dict, key) -> bool:
        """Whether `key` was reported missing in this occurrence of `owner` (whose counts are `counts`)."""
        said = self.reported.get(owner)
        return said is not None and said[0] is counts and key in said[1]

    def _overused(self, seg, node: SegmentNode, n: int, facts: tuple) -> None:
        """A segment the guide marks not used, or one past its max use in its loop."""
        where, usage, max_use = facts[0], facts[4], facts[5]
        if usage == "N":
            self._issue("IG302", f"segment {node.id} is present but the guide marks it not used", seg, node.id,
                        None, loop=where)
        elif n > max_use:
            self._issue("IG305", f"segment {node.id} occurs {n} times, the guide allows {max_use}"
                        + (f" in loop {where}" if where else ""), seg, node.id, None, loop=where)

    def _reopen(self, node: SegmentNode) -> None:
        loop = node.loop
        chain = []
        while loop is not None and loop not in self.open:
            chain.append(loop)
            loop = loop.parent
        for loop in reversed(chain):
            self.open[loop] = {}
        for loop in list(self.open):
            if not _is_ancestor(loop, node.loop):
                del self.open[loop]
        counts = self.open[node.loop]
        counts[node] = counts.get(node, 0) + 1

    def _missing(self, seg, missing, is_loop: bool, first: SegmentNode, claim_before) -> None:
        if is_loop:
            info = self.guide.loops[missing]
            name = f' ("{info.name}")' if info.name else ""
            loop = missing.id
            message = f"mandatory loop {missing.id}{name} is missing"
            segment = first.id
        else:
            info = self.guide.segments[missing]
            name = f' ("{info.name}")' if info.name else ""
            loop = _loop_id(missing.loop)
            message = f"mandatory segment {missing.id}{name} is missing" + (f" in loop {loop}" if loop else "")
            segment = missing.id
        claim = claim_before if _loop_id(missing if is_loop else missing.loop) in CLAIM_LOOPS else self.claim_id
        self._keep(Issue("IG303", message, seg, segment, None, loop, claim))

    def _recovered(self, seg, node: Recovered) -> None:
        """A segment the walker read as a loop's opening segment though its qualifier is not one the
        guide allows there (walker.Recovered): one IG301 that names the loops it could have opened,
        then the segment is taken as the first of them, so that loop is opened and counted and the
        segments after it are checked where they stand. Its own elements are not checked: the wrong
        qualifier is the defect, already reported."""
        if node.misspelled:
            if self._room("IG301"):
                real = node.real
                info = self.guide.segments.get(real)
                name = f' ("{info.name}")' if info is not None and info.name else ""
                self._not_found(seg, seg.elements[0], f"{seg.elements[0]} is not a segment id of the guide: probably a "
                                f"misspelled {real.id}{name} of loop {_loop_id(real.loop)}, read as one")
        elif self._room("IG301"):
            position, sub = node.qualifier
            element = f"{node.id}{position:02d}" + (f"-{sub}" if sub else "")
            loops = self.guide.loops
            opens = "; ".join(
                f"{' or '.join(sorted(first.codes))} for {first.loop.id}"
                + (f' ("{loops[first.loop].name}")' if first.loop in loops and loops[first.loop].name else "")
                for first in node.candidates)
            self._not_found(seg, seg.elements[0], f"{element} is none of the codes that open a loop here ({opens}); "
                            f"read as the start of loop {node.real.loop.id}, the segments after it are checked there")
        self._feed(seg, node.real)

    def _not_found(self, seg, sid: str, why: str = "wrong qualifier, out of order, or in the wrong loop") -> None:
        where = self.node
        loop = _loop_id(where.loop) if where is not None else None
        start = f" (searched from {where.id} in loop {loop})" if where is not None and loop else ""
        self._issue("IG301", f"segment {_label(seg)} does not match any segment the guide allows at this position"
                    f"{start}: {why}", seg, sid, None, loop=loop)

    # -- envelopes and counters -------------------------------------------------------------------

    def _counters(self, seg, sid: str, elements: list) -> None:
        if sid == "LX":  # the numbering counters, in every claim
            return self._lx(seg, elements)
        if sid == "HL":
            return self._hl(seg, elements)
        if sid == "CLM":
            return self._clm()
        if sid not in _COUNTED:
            return
        size = len(elements)
        get = lambda p: elements[p] if p < size else ""  # noqa: E731
        if sid == "ISA":
            number = get(13)
            if number in self.isa_ids:
                self._issue("IG125", f"ISA13 {_shown(number)} is not unique within the file", seg, "ISA", None,
                            loop="ISA_LOOP", claim=False)
            self.isa_ids.add(number)
            self._open_envelope("ISA", number)
            self.gs_count = 0
            self.gs_ids = set()
        elif sid == "GS":
            number = get(6)
            if number in self.gs_ids:
                self._issue("IG156", f"GS06 {_shown(number)} is not unique within the file", seg, "GS", None,
                            loop="GS_LOOP", claim=False)
            self.gs_count += 1
            self.gs_ids.add(number)
            self._open_envelope("GS", number)
            self.st_count = 0
            self.st_ids = set()
        elif sid == "ST":
            self.hl_stack = []
            self.hl_count = 0
            number = get(2)
            if number in self.st_ids:
                self._issue("IG223", f"ST02 {_shown(number)} is not unique within the file", seg, "ST", None,
                            loop="ST_LOOP", claim=False)
            self.st_count += 1
            self.st_ids.add(number)
            self._open_envelope("ST", number)
            self.seg_start = seg.index
            self.uncounted = 0
        if sid == "IEA":
            envelopes = self.envelopes
            if envelopes and envelopes[-1][0] != "ISA":
                self._issue("IG124", f"a {envelopes[-1][0]} loop is not closed before IEA", seg, "IEA", None,
                            loop="ISA_LOOP", claim=False)
                envelopes.pop()
            if envelopes and envelopes[-1][1] != get(2):
                self._issue("IG101", f"IEA02 {_shown(get(2))} does not match ISA13 {_shown(envelopes[-1][1])}", seg,
                            "IEA", None, loop="ISA_LOOP", claim=False)
            if _int(get(1)) != self.gs_count:
                self._issue("IG121", "IEA01 does not match the number of functional groups", seg, "IEA", None,
                            loop="ISA_LOOP", claim=False)
            if envelopes:
                envelopes.pop()
        elif sid == "GE":
            envelopes = self.envelopes
            if envelopes and envelopes[-1][0] != "GS":
                self._issue("IG153", f"transaction set {_shown(envelopes[-1][1])} is not closed by SE before GE", seg,
                            "GE", None, loop="GS_LOOP", claim=False)
                envelopes.pop()
            if envelopes and envelopes[-1][1] != get(2):
                self._issue("IG154", f"GE02 {_shown(get(2))} does not match GS06 {_shown(envelopes[-1][1])}", seg,
                            "GE", None, loop="GS_LOOP", claim=False)
            if _int(get(1)) != self.st_count:
                self._issue("IG155", f"GE01 says {_shown(get(1))} transaction sets, but the group has "
                            f"{self.st_count}", seg, "GE", None, loop="GS_LOOP", claim=False)
            if envelopes:
                envelopes.pop()
        elif sid == "SE":
            envelopes = self.envelopes
            number = get(2)
            if not envelopes or envelopes[-1][0] != "ST" or envelopes[-1][1] != number:
                shown = _shown(envelopes[-1][1]) if envelopes else ""
                self._issue("IG203", f"SE02 {_shown(number)} does not match ST02 {shown}".rstrip(), seg, "SE", None,
                            loop="ST_LOOP", claim=False)
            count = seg.index - self.seg_start - self.uncounted + 1
            if _int(get(1)) != count:
                self._issue("IG204", f"SE01 says {_shown(get(1))} segments, but the transaction set has "
                            f"{count}", seg, "SE", None, loop="ST_LOOP", claim=False)
            if envelopes:
                envelopes.pop()
        if sid != "ST":  # ISA, GS, IEA, GE, SE: not in SE01's count
            self.uncounted += 1

    def _clm(self) -> None:
        self.lx_count = 0

    def _lx(self, seg, elements: list) -> None:
        self.lx_count += 1
        if (elements[1] if len(elements) > 1 else "") != str(self.lx_count):
            self._issue("IG383", f"LX01 service line number is out of sequence: expected {self.lx_count}",
                        seg, "LX", "LX01")

    def _hl(self, seg, elements: list) -> None:
        self.hl_count += 1
        size = len(elements)
        if _int(elements[1] if size > 1 else "") != self.hl_count:
            self._issue("IG381", f"HL01 hierarchical ID number is out of sequence: expected {self.hl_count}",
                        seg, "HL", "HL01")
        if size > 2 and elements[2] != "":
            parent = _int(elements[2])
            if parent not in self.hl_stack:
                self._issue("IG382", "HL02 parent ID does not refer to an enclosing HL", seg, "HL", "HL02")
            while self.hl_stack and parent != self.hl_stack[-1]:
                del self.hl_stack[-1]
        self.hl_stack.append(self.hl_count)

    def _open_envelope(self, kind: str, number: str) -> None:
        if len(self.envelopes) < MAX_OPEN_ENVELOPES:  # GS after GS after GS ... is junk, not nesting
            self.envelopes.append((kind, number))

    def _issue(self, code, message, seg, segment, element, loop=None, claim=True) -> None:
        if self._room(code):
            self._keep(Issue(code, message, seg, segment, element, loop, self.claim_id if claim else None))

    def _room(self, code: str) -> bool:
        """False once `code` is past the cap: then it is only counted (no message built)."""
        n = self.counts.get(code, 0)
        if n < self.limit:
            return True
        self.counts[code] = n + 1
        return False

    def _keep(self, issue: Issue) -> None:
        n = self.counts[issue.code] = self.counts.get(issue.code, 0) + 1
        if n <= self.limit:
            self.issues.append(issue)


# --------------------------------------------------------------------------------------------
# Helpers


# keyed by id(root): a validator puts its root's guide in _GUIDES first, and the guide's nodes lead
# back to the root (`parent`), so the root stays alive and its id is never reused for another grammar
_GUIDES: dict = {}
_PLANS: dict = {}
_FACTS: dict = {}
_STEPS: dict = {}


def guide_for(root: LoopNode) -> Guide:
    """The compiled guide attached to this grammar, built once per process."""
    guide = _GUIDES.get(id(root))
    if guide is None:
        guide = _GUIDES[id(root)] = attach(root)
    return guide


def _plans_for(root: LoopNode) -> dict:
    """Plans depend only on the grammar, so every file shares them."""
    return _PLANS.setdefault(id(root), {})


def _facts_for(root: LoopNode) -> dict:
    return _FACTS.setdefault(id(root), {})


def _steps_for(root: LoopNode, generated: bool) -> dict:
    return _STEPS.setdefault((id(root), generated), {})


def _long_step(self: Validator, seg, node, elements) -> bool:
    self._long(seg, node)
    return True


_LONG = (_long_step, 0, None, 0, None, None, None)  # the entry of a move that is not planned


def _reference(step: tuple):
    """A step taken by `_take` on its tuple."""
    take = Validator._take

    def reference(self, seg, node, elements) -> bool:
        take(self, seg, node, step)
        return True

    return reference


def _late_first(node: SegmentNode, step: Plan) -> bool:
    """Does the move open `node`'s wrapper loop again, `node` being its first segment (a BHT read
    while the header it begins is open)? Such a move is never a planned step: it depends on whether
    the open wrapper has its first segment yet."""
    loop = node.loop
    return loop.wrapper and step.first_segment and loop in step.pops and loop.children[0] is node


def _is_ancestor(loop: LoopNode, of: LoopNode) -> bool:
    node = of
    while node is not None:
        if node is loop:
            return True
        node = node.parent
    return False


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _shown(value: str) -> str:
    """A control number as it may be shown: digits and letters, at most 15."""
    return value if re.fullmatch(r"[\w.-]{0,15}", value or "") else "<invalid>"


def _label(seg) -> str:
    """A segment as 'NM1*85' when its first element is a qualifier, else just its id (no PHI)."""
    sid = seg.elements[0]
    if not _SEG_ID.match(sid):
        return "with an invalid identifier"
    if sid in QUALIFIER_SEGMENTS and len(seg.elements) > 1 and _CODE.match(seg.elements[1]):
        return f"{sid}*{seg.elements[1]}"
    return sid


def _bad_id(sid: str) -> str:
    """Never quotes the id: after a stray terminator what stands there is element data (a name)."""
    if not sid:
        return "segment has an empty segment identifier"
    return "segment identifier is not a valid X12 segment identifier (a capital letter, then 1-2 capitals or digits)"
