"""The whole implementation guide, compiled: what SNIP 1-2 validation needs beyond loop matching.

grammar.py keeps only what decides which loop a segment opens. This module reads the same pyx12
map (005010X222A1), its data element dictionary (dataele.xml) and its external code lists
(codes.xml), and keeps, for every loop and segment node of the map, in map order:

* loops: name, usage (R/S/N), repeat;
* segments: name, usage, max use, syntax rules (P/R/C/L/E), and their elements and composites with
  usage, data type (AN, ID, N0-N2, R, DT, TM ...), min/max length, valid codes, external code list
  and the map's regular expression where it has one.

The result is plain data cached as JSON keyed by the content of the three source files, so a run
never imports lxml once the cache exists. `attach(root)` pairs the compiled definitions with the
loop walker's nodes (both follow map order), which is all the validator needs from the walker.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from edi_lint.x12.grammar import LoopNode, SegmentNode, map_path

COMPILER_VERSION = 1  # bump when the compiled shape changes


@dataclass(slots=True, eq=False)
class ElementDef:
    """One simple element or component: everything its value is checked against."""

    ref: str  # NM109, SV101-2
    name: str
    usage: str
    data_ele: str
    type: str
    min_len: int
    max_len: int
    codes: frozenset
    external: str | None
    regex: str | None
    seq: int
    in_composite: bool = False
    composite_required: bool = False


@dataclass(slots=True, eq=False)
class CompositeDef:
    ref: str  # SV101
    name: str
    usage: str
    seq: int
    parts: tuple  # ElementDef, in component order


@dataclass(slots=True, eq=False)
class SegmentDef:
    id: str
    name: str
    usage: str
    max_use: int
    elements: tuple  # ElementDef | CompositeDef, by position 1..n
    syntax: tuple  # ("P", 8, 9), ...


@dataclass(slots=True, eq=False)
class LoopDef:
    id: str
    name: str
    usage: str
    repeat: int
    wrapper: bool


@dataclass(slots=True)
class Guide:
    """The compiled guide, attached to one walker grammar."""

    segments: dict  # SegmentNode -> SegmentDef
    loops: dict  # LoopNode -> LoopDef
    external: dict  # code list name -> frozenset of codes


MAXINT = 2**31


def _count(text: str | None) -> int:
    if not text or text.strip() in (">1", ""):
        return MAXINT
    return int(text)


# --------------------------------------------------------------------------------------------
# Compiling and caching


def source_files() -> list[Path]:
    """The guide's map, the data element dictionary, external code lists, and the 5010 control map
    (pyx12 checks every ISA against the control map's ISA, whose ISA11 is the repetition separator)."""
    base = map_path()
    return [base, base.parent / "dataele.xml", base.parent / "codes.xml", base.parent / "x12.control.00501.xml"]


def load_compiled() -> dict:
    """The compiled guide as plain data, from the cache when its sources are unchanged."""
    sources = source_files()
    try:
        digest = hashlib.sha256(str(COMPILER_VERSION).encode())
        for path in sources:
            digest.update(path.read_bytes())
        key = digest.hexdigest()[:20]
    except OSError:
        key = None
    cache = _cache_dir() / f"ig-guide-{key}.json" if key else None
    if cache is not None:
        try:
            return json.loads(cache.read_text("utf-8"))
        except (OSError, ValueError):
            pass  # a missing, unreadable or damaged cache is recompiled
    data = compile_guide(*sources)
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(data, separators=(",", ":")), "utf-8")
            os.replace(tmp, cache)
        except OSError:
            pass
    return data


def _cache_dir() -> Path:
    explicit = os.environ.get("EDI_LINT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "edi-lint"


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
            "ref": node.get("xid") or "",
            "name": " ".join((node.findtext("name") or "").split()),
            "usage": node.findtext("usage") or "S",
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
                    "ref": child.get("xid") or "",
                    "name": " ".join((child.findtext("name") or "").split()),
                    "usage": child.findtext("usage") or "S",
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
            "name": " ".join((node.findtext("name") or "").split()),
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
                    "name": " ".join((child.findtext("name") or "").split()),
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


# --------------------------------------------------------------------------------------------
# Pairing with the walker's grammar


def _element_def(data: dict, composite: dict | None = None) -> ElementDef:
    return ElementDef(
        data["ref"], data["name"], data["usage"], data["ele"], data["type"], data["min"], data["max"],
        frozenset(data["codes"]), data["ext"], data["re"], data["seq"], composite is not None,
        composite is not None and composite["usage"] == "R",
    )


def _segment_def(data: dict) -> SegmentDef:
    elements = []
    for child in data["elements"]:
        if child["k"] == "c":
            parts = tuple(_element_def(p, child) for p in child["parts"])
            elements.append(CompositeDef(child["ref"], child["name"], child["usage"], child["seq"], parts))
        else:
            elements.append(_element_def(child))
    # positions without a definition (none in X222A1, but maps may skip one) keep their place
    by_seq = {e.seq: e for e in elements}
    ordered = tuple(by_seq.get(i) for i in range(1, max(by_seq, default=0) + 1))
    return SegmentDef(data["id"], data["name"], data["usage"], data["max"], ordered,
                      tuple(tuple(s) for s in data["syntax"]))


def attach(root: LoopNode, data: dict | None = None) -> Guide:
    """Pair every loop and segment node of the walker's grammar with its compiled definition."""
    data = data if data is not None else load_compiled()
    loop_data = iter(data["loops"])
    segment_data = iter(data["segments"])
    loops: dict = {}
    segments: dict = {}
    stack = [iter(root.children)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        if isinstance(child, LoopNode):
            info = next(loop_data)
            if info["id"] != child.id:
                raise RuntimeError(f"compiled guide out of step with the grammar at loop {child.id}")
            loops[child] = LoopDef(info["id"], info["name"], info["usage"], info["repeat"], info["wrapper"])
            stack.append(iter(child.children))
        elif isinstance(child, SegmentNode):
            info = next(segment_data)
            if info["id"] != child.id:
                raise RuntimeError(f"compiled guide out of step with the grammar at segment {child.id}")
            segments[child] = _segment_def(info)
    external = {name: frozenset(codes) for name, codes in data["external"].items()}
    return Guide(segments, loops, external)
