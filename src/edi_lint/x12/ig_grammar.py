"""The whole implementation guide, compiled: what SNIP 1-2 validation needs beyond loop matching.

grammar.py keeps only what decides which loop a segment opens. This module reads the same pyx12
map (005010X222A1), its data element dictionary (dataele.xml) and its external code lists
(codes.xml), and keeps, for every loop and segment node of the map, in map order:

* loops: name, usage (R/S/N), repeat;
* segments: name, usage, max use, syntax rules (P/R/C/L/E), and their elements and composites with
  usage, data type (AN, ID, N0-N2, R, DT, TM ...), min/max length, valid codes, external code list
  and the map's regular expression where it has one.

The result is plain data, cached (edi_lint.cache: ours, verified, keyed by the content of the
source files) in marshal's format with each segment's elements packed on their own: a run never
imports lxml once the cache exists, loads the cache in about a millisecond, and unpacks the
elements of only the segments its files use (a one-claim file touches a few dozen of 386).
`attach(root)` pairs the compiled definitions with the loop walker's nodes (both follow map order),
which is all the validator needs from the walker.
"""

from __future__ import annotations

import hashlib
import marshal
from pathlib import Path

from edi_lint import cache
from edi_lint.x12.grammar import LoopNode, SegmentNode, map_path, source_files, sources_digest

COMPILER_VERSION = 2  # bump when the compiled or packed shape changes


class ElementDef:
    """One simple element or component: everything its value is checked against."""

    __slots__ = ("ref", "name", "usage", "data_ele", "type", "min_len", "max_len", "codes", "external", "regex", "seq",
                 "in_composite", "composite_required")

    def __init__(self, ref: str, name: str, usage: str, data_ele: str, type: str, min_len: int, max_len: int,
                 codes: frozenset, external: str | None, regex: str | None, seq: int, in_composite: bool = False,
                 composite_required: bool = False):
        self.ref = ref  # NM109, SV101-2
        self.name, self.usage, self.data_ele, self.type = name, usage, data_ele, type
        self.min_len, self.max_len, self.codes, self.external, self.regex = min_len, max_len, codes, external, regex
        self.seq, self.in_composite, self.composite_required = seq, in_composite, composite_required

    def __repr__(self) -> str:
        return f"ElementDef({self.ref!r}, {self.name!r}, usage={self.usage!r}, type={self.type!r})"


class CompositeDef:
    __slots__ = ("ref", "name", "usage", "seq", "parts")

    def __init__(self, ref: str, name: str, usage: str, seq: int, parts: tuple):
        self.ref, self.name, self.usage, self.seq = ref, name, usage, seq  # ref: SV101
        self.parts = parts  # ElementDef, in component order

    def __repr__(self) -> str:
        return f"CompositeDef({self.ref!r}, {self.name!r}, usage={self.usage!r}, parts={len(self.parts)})"


class SegmentDef:
    """One segment node of the guide. `elements` (ElementDef | CompositeDef | None by position 1..n)
    is unpacked from the cache on first use: with __slots__, reading an attribute that was never set
    falls through to __getattr__ once, and is a plain slot read from then on."""

    __slots__ = ("id", "name", "usage", "max_use", "syntax", "elements", "_packed")

    def __init__(self, id: str, name: str, usage: str, max_use: int, elements: tuple | None, syntax: tuple,
                 packed: bytes | None = None):
        self.id, self.name, self.usage, self.max_use, self.syntax = id, name, usage, max_use, syntax
        if elements is not None:
            self.elements = elements
        self._packed = packed

    def __getattr__(self, name: str):
        if name != "elements" or self._packed is None:
            raise AttributeError(name)
        self.elements = _elements(marshal.loads(self._packed))
        self._packed = None
        return self.elements

    def __repr__(self) -> str:
        return f"SegmentDef({self.id!r}, {self.name!r}, usage={self.usage!r}, max_use={self.max_use})"


class LoopDef:
    __slots__ = ("id", "name", "usage", "repeat", "wrapper")

    def __init__(self, id: str, name: str, usage: str, repeat: int, wrapper: bool):
        self.id, self.name, self.usage, self.repeat, self.wrapper = id, name, usage, repeat, wrapper

    def __repr__(self) -> str:
        return f"LoopDef({self.id!r}, {self.name!r}, usage={self.usage!r}, repeat={self.repeat})"


class Guide:
    """The compiled guide, attached to one walker grammar."""

    __slots__ = ("segments", "loops", "external")

    def __init__(self, segments: dict, loops: dict, external: dict):
        self.segments = segments  # SegmentNode -> SegmentDef
        self.loops = loops  # LoopNode -> LoopDef
        self.external = external  # code list name -> frozenset of codes


MAXINT = 2**31


def _count(text: str | None) -> int:
    if not text or text.strip() in (">1", ""):
        return MAXINT
    return int(text)


# --------------------------------------------------------------------------------------------
# Compiling and caching


def load_packed() -> tuple:
    """The compiled guide, packed (see `pack`): from the cache when it is ours, verified and made from
    these very source files, else compiled with lxml (and cached)."""
    source = map_path()
    sources = source_files(source)
    try:
        key = hashlib.sha256(f"edi-lint guide compiler {COMPILER_VERSION}\0".encode()
                             + sources_digest(source)).hexdigest()
    except OSError:
        key = None
    root = cache.directory() if key else None
    path = root / f"ig-guide-{key[:32]}.marshal" if root is not None else None
    if path is not None:
        body = cache.read(path, f"{_HEADER} {key}", MAX_CACHE_BYTES, _EVENT)
        if body is not None:
            try:
                return _checked(marshal.loads(body))
            except (ValueError, EOFError, TypeError):
                cache.ignored(path, _EVENT, "not a packed guide")
    packed = pack(compile_guide(*sources))
    if path is not None:
        cache.write(path, f"{_HEADER} {key}", marshal.dumps(packed), _EVENT)
    return packed


MAX_CACHE_BYTES = 16 << 20  # the packed guide is about 500 kB
_HEADER = "edi-lint-guide"
_EVENT = "guide_cache_ignored"


def pack(data: dict) -> tuple:
    """compile_guide's data as (loops, segments, external) of tuples, marshal-ready. A segment is
    (id, name, usage, max use, syntax, its elements as marshal bytes), so that loading the guide does
    not build the 3,000 element definitions a run mostly never reads."""
    loops = [(d["id"], d["name"], d["usage"], d["repeat"], d["wrapper"]) for d in data["loops"]]
    segments = [(d["id"], d["name"], d["usage"], d["max"], tuple(tuple(rule) for rule in d["syntax"]),
                 marshal.dumps(d["elements"])) for d in data["segments"]]
    external = {name: tuple(codes) for name, codes in data["external"].items()}
    return loops, segments, external


def _checked(packed) -> tuple:
    """`packed` when it has pack's shape (a cache written by another version is refused here)."""
    loops, segments, external = packed
    if not (isinstance(loops, list) and all(isinstance(d, tuple) and len(d) == 5 for d in loops)
            and isinstance(segments, list)
            and all(isinstance(d, tuple) and len(d) == 6 and isinstance(d[5], bytes) for d in segments)
            and isinstance(external, dict)):
        raise TypeError("not a packed guide")
    return packed


def compile_guide(map_file: Path, dataele_file: Path, codes_file: Path, control_file: Path | None = None) -> dict:
    """Loops and segments in map order, with element definitions resolved against the dictionary."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    dictionary = {
        e.get("ele_num"): (e.get("data_type"), int(e.get("min_len")), int(e.get("max_len")))
        for e in etree.parse(str(dataele_file), parser).getroot()
        if e.get("ele_num")
    }
    loops: list[dict] = []
    segments: list[dict] = []
    wanted_external: set[str] = set()

    def element(node, seq_override=None) -> dict:
        number = node.findtext("data_ele") or ""
        kind, low, high = dictionary.get(number, ("AN", 1, 9999))
        valid = node.find("valid_codes")
        external = valid.get("external") if valid is not None else None
        if external:
            wanted_external.add(external)
        return {
            "k": "e",
            **_described(node),
            "ele": number,
            "type": kind,
            "min": low,
            "max": high,
            "codes": sorted(c.text for c in node.iterfind("valid_codes/code") if c.text is not None),
            "ext": external,
            "re": node.findtext("regex") or None,
            "seq": seq_override or int(node.findtext("seq") or 0),
        }

    def segment(node) -> dict:
        children = {}
        for child in node:
            if child.tag == "element":
                children[int(child.findtext("seq"))] = element(child)
            elif child.tag == "composite":
                seq = int(child.findtext("seq"))
                parts = [element(p) for p in child if p.tag == "element"]
                parts.sort(key=lambda p: p["seq"])
                children[seq] = {
                    "k": "c",
                    **_described(child),
                    "seq": seq,
                    "parts": parts,
                }
        syntax = []
        for rule in node.iterfind("syntax"):
            text = (rule.text or "").strip()
            if text and text[0] in "PRCLE":
                syntax.append([text[0]] + [int(text[i:i + 2]) for i in range(1, len(text) - 1, 2)])
        return {
            "id": node.get("xid"),
            "name": _name(node),
            "usage": node.findtext("usage") or "S",
            "max": _count(node.findtext("max_use")),
            "elements": [children[k] for k in sorted(children)],
            "syntax": syntax,
        }

    def walk(node) -> None:
        for child in node:
            if child.tag == "loop":
                loops.append({
                    "id": child.get("xid"),
                    "name": _name(child),
                    "usage": child.findtext("usage") or "R",
                    "repeat": _count(child.findtext("repeat")),
                    "wrapper": child.get("type") == "wrapper",
                })
                walk(child)
            elif child.tag == "segment":
                segments.append(segment(child))

    root = etree.parse(str(map_file), parser).getroot()
    walk(root)
    if control_file is not None:
        isa = etree.parse(str(control_file), parser).getroot().find(".//segment[@xid='ISA']")
        if isa is not None:
            control_isa = segment(isa)
            segments[:] = [control_isa if s["id"] == "ISA" else s for s in segments]
    external = {}
    for codeset in etree.parse(str(codes_file), parser).getroot().iter("codeset"):
        name = codeset.findtext("id")
        if name in wanted_external:
            external[name] = sorted({c.text for c in codeset.iterfind("version/code") if c.text is not None})
    return {"loops": loops, "segments": segments, "external": external}


def _name(node) -> str:
    """A map node's name, its whitespace (the map wraps long names) collapsed."""
    return " ".join((node.findtext("name") or "").split())


def _described(node) -> dict:
    """What an element or composite node of the map says about itself: its reference (NM109), name and usage."""
    return {"ref": node.get("xid") or "", "name": _name(node), "usage": node.findtext("usage") or "S"}


# --------------------------------------------------------------------------------------------
# Pairing with the walker's grammar


def _element_def(data: dict, composite: dict | None = None) -> ElementDef:
    return ElementDef(
        data["ref"], data["name"], data["usage"], data["ele"], data["type"], data["min"], data["max"],
        frozenset(data["codes"]), data["ext"], data["re"], data["seq"], composite is not None,
        composite is not None and composite["usage"] == "R",
    )


def _elements(data: list) -> tuple:
    """A segment's element and composite definitions by position 1..n (None where the map has none)."""
    elements = []
    for child in data:
        if child["k"] == "c":
            parts = tuple(_element_def(p, child) for p in child["parts"])
            elements.append(CompositeDef(child["ref"], child["name"], child["usage"], child["seq"], parts))
        else:
            elements.append(_element_def(child))
    # positions without a definition (none in X222A1, but maps may skip one) keep their place
    by_seq = {e.seq: e for e in elements}
    return tuple(by_seq.get(i) for i in range(1, max(by_seq, default=0) + 1))


def attach(root: LoopNode, packed: tuple | None = None) -> Guide:
    """Pair every loop and segment node of the walker's grammar with its compiled definition."""
    loop_data, segment_data, external = packed if packed is not None else load_packed()
    loop_data, segment_data = iter(loop_data), iter(segment_data)
    loops: dict = {}
    segments: dict = {}
    # nodes defined alike (the 2300 loop's under 2000B and under 2000C) share one definition: its checks
    # are compiled once, and the validator's memo of clean segment texts serves both
    alike: dict = {}
    stack = [iter(root.children)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        if isinstance(child, LoopNode):
            info = next(loop_data)
            if info[0] != child.id:
                raise RuntimeError(f"compiled guide out of step with the grammar at loop {child.id}")
            loops[child] = LoopDef(*info)
            stack.append(iter(child.children))
        elif isinstance(child, SegmentNode):
            sid, name, usage, max_use, syntax, elements = next(segment_data)
            if sid != child.id:
                raise RuntimeError(f"compiled guide out of step with the grammar at segment {child.id}")
            key = (sid, name, usage, max_use, syntax, elements)
            definition = alike.get(key)
            if definition is None:
                definition = alike[key] = SegmentDef(sid, name, usage, max_use, None, syntax, elements)
            segments[child] = definition
    return Guide(segments, loops, {name: frozenset(codes) for name, codes in external.items()})
