"""Data element reference numbers (IK402) and which bad values a 999 may copy (IK404).

Both come from pyx12's 837P map and its data element dictionary, read once with lxml (no network, no
entities) the first time a 999 reports an element.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Values that are never copied whatever their type: addresses (postal code, state, country) and gender.
_NEVER = frozenset({"116", "156", "26", "1068"})
# Counters: HL01, HL02, LX01 numbers are positions in the file, not data about anyone.
_COUNTERS = frozenset({"628", "734", "554"})
_CODE = re.compile(r"[A-Z0-9]{1,3}")
_NUMBER = re.compile(r"-?\d{1,7}(\.\d{1,2})?")


@lru_cache(maxsize=1)
def _tables() -> tuple[dict, dict]:
    from importlib.resources import files

    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    maps = files("pyx12") / "map"
    refs: dict[tuple[str, int, int], str] = {}
    root = etree.fromstring((maps / "837.5010.X222.A1.xml").read_bytes(), parser)
    for seg in root.iter("segment"):
        sid = seg.get("xid")
        for child in seg:
            if child.tag == "element":
                position = int(child.findtext("seq") or 0)
                refs.setdefault((sid, position, 0), (child.findtext("data_ele") or "").strip())
            elif child.tag == "composite":
                position = int(child.findtext("seq") or 0)
                for sub in child.iter("element"):
                    refs.setdefault((sid, position, int(sub.findtext("seq") or 0)),
                                    (sub.findtext("data_ele") or "").strip())
    types = {}
    dictionary = etree.fromstring((maps / "dataele.xml").read_bytes(), parser)
    for ele in dictionary.iter("data_ele"):
        types[ele.get("ele_num")] = ele.get("data_type") or ""
    return refs, types


def reference(segment_id: str, position: int, component: int) -> str:
    """The data element number of SEGnn[-c] per the 837P map; '' when the map has no such element."""
    refs, _ = _tables()
    return refs.get((segment_id, position, component)) or ""


def copyable(ref: str, value: str) -> bool:
    """True when `value`, read from element `ref`, cannot be PHI: a short code, a count or an amount.

    Names, identifiers, dates, addresses and free text are AN/DT/TM types or listed in _NEVER; a code
    is at most 3 letters or digits; a number at most 7 digits (a 9-digit member id or an 8-digit date
    typed into a numeric field stays out).
    """
    if not ref or not value or ref in _NEVER:
        return False
    if ref in _COUNTERS:
        return value.isdigit() and len(value) <= 6
    _, types = _tables()
    kind = types.get(ref, "")
    if kind == "ID":
        return bool(_CODE.fullmatch(value))
    if kind == "R" or kind.startswith("N"):
        return bool(_NUMBER.fullmatch(value))
    return False
