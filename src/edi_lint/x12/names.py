"""What the implementation guide calls each loop, segment and element, for reports read by people.

The names come from pyx12's 837P map, the same source of truth as the loop grammar. Which map node a
segment is (DTP*472 or DTP*431 in 2300) is decided by the compiled grammar's own qualifier matching,
so names and loops never disagree. Read with lxml (no network, no entities) once per process, and
only by reports that show names (the HTML report); a lint never pays for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from edi_lint.x12.grammar import LoopNode, SegmentNode, map_path
from edi_lint.x12.walker import _loop_id, grammar


@dataclass(frozen=True, slots=True)
class SegmentNames:
    name: str  # e.g. Professional Service
    elements: tuple[str, ...]  # element names by position: elements[0] is SV101's
    components: dict  # position of a composite element -> its component names


@dataclass(frozen=True, slots=True)
class GuideNames:
    loops: dict  # loop id -> name, e.g. 2400 -> Service Line Number
    segments: dict  # (loop id, segment id, map position) -> SegmentNames
    nodes: dict  # loop id -> its segment nodes (wrapper loops folded in, as the walker reports them)


def _text(node, tag: str) -> str:
    return " ".join((node.findtext(tag) or "").split())


@lru_cache(maxsize=1)
def guide_names() -> GuideNames:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    root = etree.parse(str(map_path()), parser).getroot()
    loops: dict[str, str] = {}
    segments: dict[tuple, SegmentNames] = {}
    for loop in root.iter("loop"):
        loops.setdefault(loop.get("xid"), _text(loop, "name"))
    for seg in root.iter("segment"):
        parent = seg.getparent()
        owner = parent.get("xid") if parent is not None and parent.tag == "loop" else ""
        elements, components = [], {}
        for position, child in enumerate((c for c in seg if c.tag in ("element", "composite")), start=1):
            elements.append(_text(child, "name"))
            if child.tag == "composite":
                components[position] = tuple(_text(e, "name") for e in child if e.tag == "element")
        key = (owner, seg.get("xid"), int(seg.findtext("pos") or 0))
        segments.setdefault(key, SegmentNames(_text(seg, "name"), tuple(elements), components))
    return GuideNames(loops, segments, _segment_nodes(grammar()))


def _segment_nodes(root: LoopNode) -> dict[str, list[tuple[str, SegmentNode]]]:
    """Loop id as the walker reports it -> (map loop id, segment node) pairs, in map order."""
    found: dict[str, list] = {}
    stack = [root]
    while stack:
        loop = stack.pop()
        for child in loop.children:
            if isinstance(child, LoopNode):
                stack.append(child)
            else:
                found.setdefault(_loop_id(loop), []).append((loop.id, child))
    return found


def loop_name(loop: str | None) -> str:
    return guide_names().loops.get(loop or "", "") if loop else ""


def segment_names(loop: str | None, elements: tuple[str, ...] | list[str], component: str) -> SegmentNames | None:
    """The names of the map node this segment matched in `loop`; None for a segment the guide has no place for."""
    names = guide_names()
    for owner, node in names.nodes.get(loop or "", ()):
        if node.id == elements[0] and node.matches(list(elements), component):
            return names.segments.get((owner, node.id, node.pos))
    return None
