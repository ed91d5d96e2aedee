"""The 837P loop grammar, compiled from the implementation-guide map that pyx12 ships.

pyx12's `837.5010.X222.A1.xml` is the source of truth for which loop a segment opens: a segment node
is known by its id plus, where it has one, the valid codes of its qualifier element (NM101 = 82, HL03 =
22 ...). We read the map once with lxml (no network, no entities), keep only what loop matching needs,
and cache that as JSON so a one-claim run never imports lxml or parses the 1 MB map again.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

from edi_lint import cache

MAP_NAME = "837.5010.X222.A1.xml"
COMPILER_VERSION = 1  # bump when the compiled shape changes, so stale caches are ignored


class SegmentNode:
    """A segment of the map, known by its id and, where it has one, its qualifier's valid codes.
    (Plain classes with __slots__ here and in ig_grammar.py: a dataclass costs about a millisecond
    to create at import, which every one-claim run would pay.)"""

    __slots__ = ("id", "pos", "usage", "max_use", "qualifier", "codes", "loop")

    def __init__(self, id: str, pos: int, usage: str, max_use: str, qualifier: tuple[int, int] | None,
                 codes: frozenset[str], loop: "LoopNode | None" = None):
        self.id, self.pos, self.usage, self.max_use = id, pos, usage, max_use
        self.qualifier = qualifier  # (element, component or 0) holding the qualifier code
        self.codes, self.loop = codes, loop

    def __repr__(self) -> str:
        loop = self.loop.id if self.loop is not None else None
        return f"SegmentNode({self.id!r}, pos={self.pos}, qualifier={self.qualifier}, loop={loop!r})"

    def matches(self, elements: list[str], component: str) -> bool:
        if elements[0] != self.id:
            return False
        if self.qualifier is None:
            return True
        position, sub = self.qualifier
        value = elements[position] if position < len(elements) else ""
        if sub:
            value = value.split(component)[sub - 1] if value else ""
        return value in self.codes


class LoopNode:
    __slots__ = ("id", "pos", "usage", "repeat", "wrapper", "children", "parent")

    def __init__(self, id: str, pos: int, usage: str, repeat: str, wrapper: bool, children: list | None = None,
                 parent: "LoopNode | None" = None):
        self.id, self.pos, self.usage, self.repeat, self.wrapper = id, pos, usage, repeat, wrapper
        self.children = children if children is not None else []  # SegmentNode | LoopNode, in map order
        self.parent = parent

    def __repr__(self) -> str:
        return f"LoopNode({self.id!r}, pos={self.pos}, children={len(self.children)})"

    def first_segment(self) -> SegmentNode | None:
        node = self
        while isinstance(node, LoopNode):
            if not node.children:
                return None
            node = node.children[0]
        return node


def map_path() -> Path:
    """pyx12's map file, found without importing pyx12 (its import costs more than our whole run)."""
    spec = importlib.util.find_spec("pyx12")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pyx12 is not installed; edi-lint needs its 005010X222A1 map")
    return Path(list(spec.submodule_search_locations)[0]) / "map" / MAP_NAME


def load_grammar() -> LoopNode:
    """The compiled map, from the cache when it is ours and verified, else compiled (and cached).

    The cache never decides anything: a cache file that is missing, unreadable, not owned by this
    user, writable by others, stale or damaged is ignored (a debug log says why) and the map is
    compiled again. Keyed by a hash of the map's content, so another pyx12 never reuses it.
    """
    source = map_path()
    try:
        key = content_key(source)
    except OSError:
        return _from_data(compile_map(source))  # the map itself cannot be read: compile_map says why
    path = cache_file(key)
    root = _read_cache(path, key) if path is not None else None
    if root is None:
        data = compile_map(source)
        if path is not None:
            _write_cache(path, key, data)
        root = _from_data(data)
    return root


def content_key(source: Path) -> str:
    """sha256 of what the compiled grammar depends on: this compiler and pyx12's map files."""
    return hashlib.sha256(f"edi-lint grammar compiler {COMPILER_VERSION}\0".encode()
                          + sources_digest(source)).hexdigest()


def source_files(source: Path) -> list[Path]:
    """The map, the data element dictionary, external code lists, and the 5010 control map (pyx12
    checks every ISA against the control map's ISA, whose ISA11 is the repetition separator)."""
    return [source, source.parent / "dataele.xml", source.parent / "codes.xml", source.parent / "x12.control.00501.xml"]


_digests: dict = {}


def sources_digest(source: Path) -> bytes:
    """sha256 of the map files the grammar and the guide (ig_grammar.py) are compiled from, read once
    per process although both caches are keyed by it (the map is a megabyte). OSError if unreadable."""
    digest = _digests.get(source)
    if digest is None:
        hasher = hashlib.sha256()
        for path in source_files(source):
            hasher.update(path.read_bytes())
            hasher.update(b"\0")
        digest = _digests[source] = hasher.digest()
    return digest


def cache_file(key: str) -> Path | None:
    root = cache.directory()
    return root / f"grammar-{key[:32]}.json" if root is not None else None


MAX_CACHE_BYTES = 16 << 20  # the compiled grammar is about 100 kB
_HEADER = "edi-lint-grammar"
_EVENT = "grammar_cache_ignored"


def _read_cache(path: Path, key: str) -> LoopNode | None:
    """The cached grammar when `path` is ours and verified (see edi_lint.cache) and holds one; else None."""
    body = cache.read(path, f"{_HEADER} {key}", MAX_CACHE_BYTES, _EVENT)
    if body is None:
        return None
    try:
        return _from_data(json.loads(body.decode("utf-8")))  # a wrong shape fails here, where it costs nothing
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return cache.ignored(path, _EVENT, "not a compiled grammar")


def _write_cache(path: Path, key: str, data: dict) -> None:
    cache.write(path, f"{_HEADER} {key}", json.dumps(data, separators=(",", ":")).encode("utf-8"), _EVENT)


def compile_map(source: Path) -> dict:
    """Read the pyx12 map with lxml and reduce it to plain data: loops, segments, qualifiers."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    root = etree.parse(str(source), parser).getroot()
    id_types = _id_type_elements(source.parent / "dataele.xml", parser)

    def segment(node) -> dict:
        qualifier, codes = _qualifier(node, id_types)
        return {
            "k": "s",
            "id": node.get("xid"),
            "pos": int(node.findtext("pos") or 0),
            "usage": node.findtext("usage") or "S",
            "max": node.findtext("max_use") or "1",
            "q": qualifier,
            "codes": sorted(codes),
        }

    def loop(node) -> dict:
        children = []
        for child in node:
            if child.tag == "loop":
                children.append(loop(child))
            elif child.tag == "segment":
                children.append(segment(child))
        return {
            "k": "l",
            "id": node.get("xid") or "ROOT",
            "pos": int(node.findtext("pos") or 0),
            "usage": node.findtext("usage") or "R",
            "repeat": node.findtext("repeat") or "1",
            "wrapper": node.get("type") == "wrapper",
            "children": children,
        }

    return loop(root)


def _id_type_elements(path: Path, parser) -> set[str]:
    from lxml import etree

    tree = etree.parse(str(path), parser)
    return {e.get("ele_num") for e in tree.getroot() if e.get("data_type") == "ID"}


def _qualifier(node, id_types: set[str]) -> tuple[list[int] | None, set[str]]:
    """Where a segment node keeps the code that tells it apart: pyx12's `is_match` rules."""
    children = [c for c in node if c.tag in ("element", "composite")]

    def codes_of(element) -> set[str]:
        return {c.text for c in element.iterfind("valid_codes/code") if c.text is not None}

    first = children[0] if children else None
    if first is not None and first.tag == "element":
        if first.findtext("data_ele") in id_types and first.findtext("usage") == "R" and codes_of(first):
            return [1, 0], codes_of(first)
    if first is not None and first.tag == "composite":
        parts = [c for c in first if c.tag == "element"]
        if parts and parts[0].findtext("data_ele") in id_types and codes_of(parts[0]):
            return [1, 1], codes_of(parts[0])
    if node.get("xid") == "HL" and len(children) > 2 and children[2].tag == "element":
        if codes_of(children[2]):
            return [3, 0], codes_of(children[2])
    return None, set()


def _from_data(data: dict, parent: LoopNode | None = None) -> LoopNode:
    loop = LoopNode(data["id"], data["pos"], data["usage"], data["repeat"], data["wrapper"], parent=parent)
    for child in data["children"]:
        if child["k"] == "l":
            loop.children.append(_from_data(child, loop))
        else:
            q = child["q"]
            loop.children.append(
                SegmentNode(
                    child["id"],
                    child["pos"],
                    child["usage"],
                    child["max"],
                    tuple(q) if q else None,
                    frozenset(child["codes"]),
                    loop,
                )
            )
    return loop
