"""Segments to loops: give every segment its 837P loop id, as the compiled map decides.

The search mirrors pyx12's `map_walker`: from the last matched segment, look at the later children
of the current loop (a segment, or a child loop whose first segment matches), then pop to the parent
loop and look again. The answer depends only on the current map node and the segment's id and
qualifier, so it is memoised in a table per node: after the first few claims a segment costs one
dict lookup in the current node's table (two when its node depends on a qualifier), and the entry
found names the next node's table.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from edi_lint.x12.grammar import LoopNode, SegmentNode, load_grammar
from edi_lint.x12.tokenizer import Segment

_grammar: LoopNode | None = None


def grammar() -> LoopNode:
    global _grammar
    if _grammar is None:
        _grammar = load_grammar()
    return _grammar


class _Tables:
    """The walker's memo, one table per map node: segment id -> what a segment with that id does there.

    An entry is (next node, its loop id, the next node's table, what the document reader does with
    the segment: `reader_kind`). When the id's node depends on a qualifier (NM101, HL03 ...) it is
    (this node, a _ByQualifier, this table, QUALIFIED), whose entries by qualifier value are the
    same tuples: unpacked like any entry, it leaves the state as it was, so a reader tells it apart
    by its kind instead of by a type test per segment. A segment the guide has no place for gets the
    entry (same node, None, same table, its kind): the state stays. Transitions depend only on the
    grammar, so every walker over one grammar shares them.
    """

    LIMIT = 200_000  # entries; hostile input with endless distinct junk ids must not grow memory

    def __init__(self, root: LoopNode):
        self.by_node: dict = {}
        self.size = 0
        self.positions = _qualifier_positions(root)
        self.codes = _qualifier_codes(root)
        self.ids = _segment_ids(root)

    def table(self, node) -> dict:
        table = self.by_node.get(node)
        if table is None:
            table = self.by_node[node] = {}
        return table

    def count(self) -> None:
        self.size += 1
        if self.size > self.LIMIT:  # tables are emptied in place: entries pointing at them stay valid
            for table in self.by_node.values():
                table.clear()
            self.size = 0


class _ByQualifier(dict):
    """Entries by qualifier value for one segment id at one node; `position`, `sub` say where the
    value is (NM1 -> element 1; SV1 -> element 1, component 1)."""

    __slots__ = ("position", "sub")


_tables: dict[int, _Tables] = {}


def _tables_for(root: LoopNode) -> _Tables:
    tables = _tables.get(id(root))
    if tables is None:
        tables = _tables[id(root)] = _Tables(root)
    return tables


def _qualified_nodes(root: LoopNode) -> Iterator[SegmentNode]:
    """Every segment node of the map that is known by a qualifier as well as its id."""
    stack = [root]
    while stack:
        loop = stack.pop()
        for child in loop.children:
            if isinstance(child, LoopNode):
                stack.append(child)
            elif child.qualifier is not None:
                yield child


def _segment_ids(root: LoopNode) -> frozenset[str]:
    """Every segment id the map has."""
    found, stack = set(), [root]
    while stack:
        for child in stack.pop().children:
            if isinstance(child, LoopNode):
                stack.append(child)
            else:
                found.add(child.id)
    return frozenset(found)


def _qualifier_positions(root: LoopNode) -> dict[str, tuple[tuple[int, int], ...]]:
    """For each segment id, where any of its map nodes keeps a qualifier (NM1 -> NM101 ...).

    Only these values can change which node a segment matches; CLM01 or N301 never can, so they
    stay out of the memo key and the memo stays small.
    """
    found: dict[str, set] = {}
    for node in _qualified_nodes(root):
        found.setdefault(node.id, set()).add(node.qualifier)
    return {sid: tuple(sorted(q)) for sid, q in found.items()}


def _qualifier_codes(root: LoopNode) -> dict[str, frozenset[str]]:
    """For each segment id, every qualifier code any of its map nodes has (NM1 -> 41, 40, 85, IL ...):
    a code outside them is a wrong code; one inside them, a segment out of its place."""
    found: dict[str, set] = {}
    for node in _qualified_nodes(root):
        found.setdefault(node.id, set()).update(node.codes)
    return {sid: frozenset(codes) for sid, codes in found.items()}


# The 837P loops as the document reader groups them.
HEADER_LOOPS = {"ST_LOOP", "HEADER", "1000A", "1000B"}
BILLING_LOOPS = {"2000A", "2010AA", "2010AB", "2010AC"}
SUBSCRIBER_LOOPS = {"2000B", "2010BA", "2010BB"}
PATIENT_LOOPS = {"2000C", "2010CA"}
# Every loop nested in a claim (2300): its provider, other-payer, line and line-provider loops.
CLAIM_LOOPS = frozenset(
    ["2300", "2320", "2400", "2410", "2430", "2440"]
    + [f"2310{c}" for c in "ABCDEF"]
    + [f"2330{c}" for c in "ABCDEFG"]
    + [f"2420{c}" for c in "ABCDEFGH"]
)
# What a segment is to the document reader, decided once per walker entry: one more segment of an
# open claim; the LX that starts a service line; one more segment of the billing provider, subscriber
# or patient level; anything else (claim or level boundaries, envelopes, headers, unknown segments).
OTHER, IN_CLAIM, LINE_START, IN_BILLING, IN_SUBSCRIBER, IN_PATIENT = range(6)
QUALIFIED = 6  # not a segment's kind: the entry's second field is a _ByQualifier (see _Tables)


def reader_kind(sid: str, loop: str | None) -> int:
    if loop in CLAIM_LOOPS and sid != "CLM":
        return LINE_START if sid == "LX" and loop == "2400" else IN_CLAIM
    if sid == "HL" and loop in ("2000A", "2000B", "2000C"):
        return OTHER
    if loop in BILLING_LOOPS:
        return IN_BILLING
    if loop in SUBSCRIBER_LOOPS:
        return IN_SUBSCRIBER
    if loop in PATIENT_LOOPS:
        return IN_PATIENT
    return OTHER


def _loop_id(loop: LoopNode) -> str:
    while loop.wrapper and loop.parent is not None:
        loop = loop.parent
    return loop.id


class LoopWalker:
    """Stateful: feed it segments in file order; it sets `segment.loop` on each one."""

    def __init__(self, root: LoopNode | None = None):
        self.root = root or grammar()
        self.state: SegmentNode | LoopNode = self.root
        self._tables = _tables_for(self.root)

    def walk(self, segments: Iterable[Segment], validator=None) -> Iterator[Segment]:
        """`validator` (x12/validator.py), when given, is fed each segment with the map node it
        matched (None when none), in this same loop. A bug of the validator stops the validation
        (it reports IG001 at the end), never the walk. The document reader's own loop
        (`DocumentReader.read`) walks the same way, through `entry` and `table`."""
        state = self.state
        table = self._tables.table(state)
        feed = validator.feed if validator is not None else None
        for seg in segments:
            elements = seg.elements
            entry = table.get(elements[0])
            if entry is None:  # first time here with this id
                entry = self.entry(table, seg, state)
            state, loop, table, kind = entry
            if kind == QUALIFIED:  # one more lookup, by the qualifier's value (`loop` is a _ByQualifier)
                p = loop.position
                value = elements[p] if p < len(elements) else ""
                if loop.sub and value:
                    value = value.split(seg.delimiters.component, 1)[0]
                entry = loop.get(value)
                if entry is None:  # first time here with this qualifier
                    entry = self.entry(table, seg, state)
                state, loop, table, kind = entry
            seg.loop = loop
            if feed is not None:
                try:
                    feed(seg, state if loop is not None else None)
                except Exception as error:  # noqa: BLE001
                    validator.failed = f"{type(error).__name__} at segment {seg.index}"
                    feed = None
            self.state = state  # read by a search
            yield seg

    def table(self) -> dict:
        """The current node's table: segment id -> (next node, its loop id, its table, reader kind)
        (see _Tables)."""
        return self._tables.table(self.state)

    def entry(self, table: dict, seg: Segment, state) -> tuple:
        """The entry for `seg` at `state`, whose table `table` has none yet for its id (and
        qualifier): search the map, and remember the answer."""
        self.state = state  # where the search starts
        return self._learn(table, seg.elements, seg.delimiters.component)

    def _learn(self, table: dict, elements: list[str], component: str) -> tuple:
        """Search the map for this segment from the current state, and remember the answer in `table`."""
        tables = self._tables
        sid = elements[0]
        where = tables.positions.get(sid)
        found = self._search(elements, component)
        if found is None:
            found = self._recover(elements, component)
        spellings = _spellings(sid, tables.ids) if found is None and sid not in tables.ids else None
        if spellings:
            found = self._respell(elements, component, spellings)
        if found is None:
            entry = (self.state, None, table, reader_kind(sid, None))
        else:
            entry = (found[0], found[1], tables.table(found[0]), reader_kind(sid, found[1]))
        if spellings:  # the answer depends on the qualifier too: not remembered (a rare, slow path)
            return entry
        tables.count()
        if where is None:
            table[sid] = entry
            return entry
        if len(where) > 1 or where[0][1] > 1:  # not in the 837P map (one place, an element or its
            return entry  # first component); were it ever, such segments would be searched each time
        qualified = table.get(sid)
        if qualified is None:
            by_value = _ByQualifier()
            by_value.position, by_value.sub = where[0]
            table[sid] = (self.state, by_value, table, QUALIFIED)  # self.state: the node of `table`
        else:
            by_value = qualified[1]
        p, sub = where[0]
        value = elements[p] if p < len(elements) else ""
        if sub and value:
            value = value.split(component, 1)[0]
        by_value[value] = entry
        return entry

    def _search(self, elements: list[str], component: str) -> tuple[SegmentNode, str] | None:
        for child, _ in self._reachable():
            if isinstance(child, SegmentNode):
                if child.matches(elements, component):
                    return child, _loop_id(child.loop)
            else:
                found = _enter(child, elements, component)
                if found is not None:
                    return found, _loop_id(found.loop)
        return None

    def _reachable(self) -> Iterator[tuple]:
        """The map's children the next segment may match, in search order: the later children of the
        current loop, then those of each loop around it; each with whether it stands at or before the
        loop the walk comes from (loops at one position are alternatives, in any order)."""
        state = self.state
        if isinstance(state, SegmentNode):
            node, start = state.loop, state.pos
        else:
            node, start = state, -1
        came_from = None
        while True:
            passed = came_from is not None
            for child in node.children:
                if child.pos >= start:
                    yield child, passed
                if child is came_from:
                    passed = False
            if node.parent is None:
                return
            start, came_from = node.pos, node
            node = node.parent

    def _recover(self, elements: list[str], component: str) -> tuple[SegmentNode, str] | None:
        """A segment that matches nothing, and whose qualifier is a code no node of its id has anywhere
        in the guide (NM1*IX, HL03 = Q9), where its id would open a loop: read it as that loop's
        opening segment (a `Recovered` node), so that the loop's other segments are checked where
        they stand instead of each being reported as out of place. One wrong code is one defect: the
        validator reports the segment once (IG301, naming the loops it could have opened) and checks
        nothing else of it. A segment with a code the guide uses elsewhere (NM1*PR after the CLM) is
        out of place, not miscoded: it is not read as anything. The loops still ahead are preferred
        to the ones the walk has passed; a passed loop that may not repeat is no candidate."""
        sid = elements[0]
        tables = self._tables
        where = tables.positions.get(sid)
        if where is None or len(where) != 1:
            return None
        position, sub = where[0]
        value = elements[position] if position < len(elements) else ""
        if sub:
            parts = value.split(component)
            value = parts[sub - 1] if len(parts) >= sub else ""
        if value in tables.codes.get(sid, ()):
            return None
        ahead, passed = [], []
        for child, behind in self._reachable():
            if (isinstance(child, LoopNode) and not child.wrapper and child.id[:1].isdigit()
                    and (first := child.first_segment()) is not None and first.id == sid
                    and first.qualifier is not None):
                if not behind:
                    ahead.append(first)
                elif child.repeat != "1":
                    passed.append(first)
        candidates = tuple(ahead + passed)
        if not candidates:
            return None
        node = _recovered.get(candidates)
        if node is None:
            node = _recovered[candidates] = Recovered(candidates)
        return node, _loop_id(node.loop)


    def _respell(self, elements: list[str], component: str, spellings: list[str]) -> tuple[SegmentNode, str] | None:
        """A segment whose id is no segment of the guide but one character away from ids that are
        (NMX, SVX): the first segment the search would match here with one of those ids and the
        segment's own qualifier, other than the segment just matched (a typo of the next N4 after an
        N3 is no second N3), read as that segment (a `Recovered` node with `misspelled` set), so that
        one typo is one finding, not a cascade over the loop it opens. Not for the segments that
        open or close an envelope, a level, a claim or a line: the document reader and the counters
        know those by their id."""
        state = self.state
        respelled = [[spelling, *elements[1:]] for spelling in spellings]
        for child, _ in self._reachable():
            if child is state:
                continue
            for candidate in respelled:
                if isinstance(child, SegmentNode):
                    found = child if child.matches(candidate, component) else None
                else:
                    found = _enter(child, candidate, component)
                if found is not None:
                    if found.id in _KNOWN_BY_ID:
                        return None
                    node = _recovered.get(found)
                    if node is None:
                        node = _recovered[found] = Recovered((found,), misspelled=True)
                    return node, _loop_id(node.loop)
        return None


# Segments the document reader and the validator's counters know by their id: never read from a misspelling.
_KNOWN_BY_ID = frozenset(("ISA", "IEA", "GS", "GE", "ST", "SE", "HL", "CLM", "LX"))


def _spellings(sid: str, ids: frozenset[str]) -> list[str]:
    """The guide's segment ids one character away from `sid` (same length, one character replaced), in
    order."""
    return sorted(known for known in ids
                  if len(known) == len(sid) and sum(a != b for a, b in zip(known, sid)) == 1)


class Recovered(SegmentNode):
    """The walker's state after a segment read as the opening segment of `candidates[0]`'s loop
    though its qualifier is not one the guide allows there (see `LoopWalker._recover`). It stands
    where that node stands (same loop, same position), so the walk goes on from there; a different
    object, so the validator knows the segment matched nothing and reports it as such."""

    __slots__ = ("real", "candidates", "misspelled")

    def __init__(self, candidates: tuple[SegmentNode, ...], misspelled: bool = False):
        real = candidates[0]
        super().__init__(real.id, real.pos, real.usage, real.max_use, real.qualifier, real.codes, real.loop)
        self.real, self.candidates = real, candidates
        self.misspelled = misspelled  # read from a misspelled id (LoopWalker._respell), not a wrong code


# One node per list of candidates, and per node read from a misspelled id: bounded by the map.
_recovered: dict = {}


def _enter(loop: LoopNode, elements: list[str], component: str) -> SegmentNode | None:
    """The segment that opens `loop` for this data segment, if any.

    A real loop opens only on its first segment. A wrapper (HEADER, DETAIL) is no loop in the data,
    just a grouping in the map, so any of its children may come first: a missing BHT must not hide
    the 1000A loops after it.
    """
    if not loop.wrapper:
        first = loop.first_segment()
        return first if first is not None and first.matches(elements, component) else None
    for child in loop.children:
        if isinstance(child, SegmentNode):
            if child.matches(elements, component):
                return child
        else:
            found = _enter(child, elements, component)
            if found is not None:
                return found
    return None
