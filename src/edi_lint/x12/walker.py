"""Segments to loops: give every segment its 837P loop id, as the compiled map decides.

The search mirrors pyx12's `map_walker`: from the last matched segment, look at the later children
of the current loop (a segment, or a child loop whose first segment matches), then pop to the parent
loop and look again. The answer depends only on the current map node and the segment's id and
qualifier, so it is memoised: after the first few claims every segment costs one dict lookup.
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


_memos: dict[int, dict] = {}


def _memo_for(root: LoopNode) -> dict:
    """Transitions depend only on the grammar, so every walker over one grammar shares them."""
    return _memos.setdefault(id(root), {})


def _qualifier_positions(root: LoopNode) -> dict[str, tuple[tuple[int, int], ...]]:
    """For each segment id, where any of its map nodes keeps a qualifier (NM1 -> NM101 ...).

    Only these values can change which node a segment matches; CLM01 or N301 never can, so they
    stay out of the memo key and the memo stays small.
    """
    found: dict[str, set] = {}
    stack = [root]
    while stack:
        loop = stack.pop()
        for child in loop.children:
            if isinstance(child, LoopNode):
                stack.append(child)
            elif child.qualifier is not None:
                found.setdefault(child.id, set()).add(child.qualifier)
    return {sid: tuple(sorted(q)) for sid, q in found.items()}


def _loop_id(loop: LoopNode) -> str:
    while loop.wrapper and loop.parent is not None:
        loop = loop.parent
    return loop.id


class LoopWalker:
    """Stateful: feed it segments in file order; it sets `segment.loop` on each one."""

    MEMO_LIMIT = 200_000  # hostile input with endless distinct junk ids must not grow memory

    def __init__(self, root: LoopNode | None = None):
        self.root = root or grammar()
        self.state: SegmentNode | LoopNode = self.root
        self._memo = _memo_for(self.root)
        self._positions = _qualifier_positions(self.root)

    def walk(self, segments: Iterable[Segment], validator=None) -> Iterator[Segment]:
        """`validator` (x12/validator.py), when given, is fed each segment with the map node it
        matched, in this same loop. A bug of the validator stops the validation (it reports IG001
        at the end), never the walk."""
        memo = self._memo
        positions = self._positions
        state = self.state
        feed = validator.feed if validator is not None else None
        for seg in segments:
            elements = seg.elements
            sid = elements[0]
            where = positions.get(sid)
            if where is None:
                key = (state, sid)
            elif len(where) == 1:
                p, sub = where[0]
                value = elements[p] if p < len(elements) else ""
                key = (state, sid, value.split(seg.delimiters.component, 1)[0] if sub else value)
            else:
                component = seg.delimiters.component
                size = len(elements)
                key = (state, sid, *[
                    (elements[p].split(component, 1)[0] if sub else elements[p]) if p < size else ""
                    for p, sub in where
                ])
            found = memo.get(key, memo)
            if found is memo:
                if len(memo) > self.MEMO_LIMIT:
                    memo.clear()
                self.state = state
                found = memo[key] = self._search(elements, seg.delimiters.component)
            if found is None:
                seg.loop = None  # not in the guide here: the caller reports it, the state stays
            else:
                state, seg.loop = found
                self.state = state
            if feed is not None:
                try:
                    feed(seg, state if found is not None else None)
                except Exception as error:  # noqa: BLE001
                    validator.failed = f"{type(error).__name__} at segment {seg.index}"
                    feed = None
            yield seg

    def current_loop(self) -> str:
        state = self.state
        return _loop_id(state.loop if isinstance(state, SegmentNode) else state)

    def _search(self, elements: list[str], component: str) -> tuple[SegmentNode, str] | None:
        state = self.state
        if isinstance(state, SegmentNode):
            node, start = state.loop, state.pos
        else:
            node, start = state, -1
        while True:
            for child in node.children:
                if child.pos < start:
                    continue
                if isinstance(child, SegmentNode):
                    if child.matches(elements, component):
                        return child, _loop_id(child.loop)
                else:
                    found = _enter(child, elements, component)
                    if found is not None:
                        return found, _loop_id(found.loop)
            if node.parent is None:
                return None
            start = node.pos
            node = node.parent


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
