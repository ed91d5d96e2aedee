"""Which acknowledgment code each finding gives: the table the 999, the TA1 and the 277CA read.

Findings are mapped by rule code, never by the engine that produced them, so the pyx12-backed IG family
and a native validator emitting the same codes give the same acknowledgments.

999 (005010X231A1) levels:

* TA1 (interchange): TA105 note codes, from the IG1xx family and the envelope rules ENV002/ENV007.
* AK9 (functional group): AK905 codes, from IG15x and ENV003/ENV006.
* IK5 (transaction set): IK502 codes, from IG2xx and ENV004/ENV005.
* IK3 (segment): IK304 codes from IG3xx; IK3 code 8 plus an IK4 (IK403) for element findings IG4xx,
  the HL/LX counters (IG381-IG383, HL001, HL002, LX001) and their engine twins.

A missing trailer (ENV001) gives the code of each trailer it names. Business rules (PT, CS, DT, BAL,
...) are not 999 matters: they reject claims, which the 277CA reports.
"""

from __future__ import annotations

import re

TA1_CODES = {
    "IG100": "024", "IG101": "001", "IG121": "021", "IG123": "023", "IG124": "024", "IG125": "025",
    "ENV002": "001", "ENV007": "021",
}
AK9_CODES = {
    "IG150": "", "IG153": "3", "IG154": "4", "IG155": "5", "IG156": "19",
    "ENV003": "4", "ENV006": "5",
}
IK5_CODES = {
    "IG200": "", "IG202": "2", "IG203": "3", "IG204": "4", "IG223": "23",
    "ENV004": "3", "ENV005": "4",
}
# ENV001 names the trailers a truncated file lacks: each one's code at its own level.
MISSING_TRAILER = {"IEA": ("TA1", "023"), "GE": ("AK9", "3"), "SE": ("IK5", "2")}

IK3_CODES = {
    "IG300": "8",
    "IG301": "2",  # "1" when the segment id is not an X12 segment id at all (see ik3_code)
    "IG302": "I4",
    "IG303": "3",
    "IG304": "4",
    "IG305": "5",
    "IG306": "6",
    "IG307": "7",
    "IG308": "8",
    "STR001": "2",
}
IK4_CODES = {
    "IG400": "I12",
    "IG401": "1",
    "IG402": "2",
    "IG403": "3",
    "IG404": "4",
    "IG405": "5",
    "IG406": "6",
    "IG407": "7",
    "IG408": "8",
    "IG409": "9",
    "IG410": "10",
    # HL01/HL02/LX01 counters: the value breaks the guide's numbering rule.
    "IG381": "I12", "HL001": "I12",
    "IG382": "I12", "HL002": "I12",
    "IG383": "I12", "LX001": "I12",
}
# Counter findings of the engine name no element; the guide's rule is about this one.
COUNTER_ELEMENT = {"IG381": "HL01", "HL001": "HL01", "IG382": "HL02", "HL002": "HL02", "IG383": "LX01",
                   "LX001": "LX01"}

_SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}")


def ik3_code(rule: str, segment_id: str | None) -> str | None:
    """IK304 for a segment-level finding; None when the finding is not a segment matter."""
    code = IK3_CODES.get(rule)
    if code == "2" and not (segment_id and _SEGMENT_ID.fullmatch(segment_id)):
        return "1"  # not even a segment identifier: unrecognized segment ID
    return code


def is_999(rule: str) -> bool:
    """True when the finding belongs in a 999 or TA1."""
    return (rule in TA1_CODES or rule in AK9_CODES or rule in IK5_CODES or rule in IK3_CODES
            or rule in IK4_CODES or rule == "ENV001")


# --- 277CA -------------------------------------------------------------------------------------

# Rules that declare no status get this: A7 "rejected for invalid information", 21 "missing or
# invalid information"; the entity comes from the loop the finding points at.
DEFAULT_CLAIM_STATUS = "A7:21"
# Claims held back by a finding above their own level, or cut off by a truncated file.
HELD_STATUS = "A3:21"
ACCEPTED_STATUS = "A1:20"  # acknowledgement/receipt: accepted for processing

# Entity identifier code (98) of the party a loop describes, for STC01-3.
LOOP_ENTITY = {
    "1000A": "41", "1000B": "40",
    "2000A": "85", "2010AA": "85", "2010AB": "85", "2010AC": "85",
    "2000B": "IL", "2010BA": "IL", "2010BB": "PR",
    "2000C": "QC", "2010CA": "QC",
    "2310A": "DN", "2310B": "82", "2310C": "77", "2310D": "DQ", "2310E": "DK", "2310F": "DN",
    "2420A": "82", "2420B": "QB", "2420C": "77", "2420D": "DQ", "2420E": "DK", "2420F": "DN",
    "2330B": "PR",
}
_STATUS = re.compile(r"^[A-Z][A-Z0-9]{1,2}:[0-9]{1,5}$")
_ENTITY = re.compile(r"^[A-Z0-9]{2,3}$")


def check_status(value: str) -> str | None:
    """A problem with a declared 277CA status ('category:status', e.g. A7:453), or None."""
    if not _STATUS.fullmatch(value):
        return f"claim_status {value!r} must be 'category:status', e.g. A7:453"
    return None


def check_entity(value: str) -> str | None:
    if not _ENTITY.fullmatch(value):
        return f"status_entity {value!r} must be an entity identifier code, e.g. 85"
    return None


def claim_status(info, loop: str | None) -> tuple[str, str, str]:
    """(category, status, entity) a finding of rule `info` gives in a 277CA STC01."""
    declared = getattr(info, "claim_status", "") if info is not None else ""
    category, status = (declared or DEFAULT_CLAIM_STATUS).split(":")
    entity = (getattr(info, "status_entity", "") if info is not None else "") or LOOP_ENTITY.get(loop or "", "")
    return category, status, entity


def describe(info) -> str:
    """The 277CA line --explain prints for a rule: its status and where the entity comes from."""
    status = info.claim_status or DEFAULT_CLAIM_STATUS
    origin = "" if info.claim_status else " (default)"
    entity = f"entity {info.status_entity}" if info.status_entity else "entity from the finding's loop"
    return f"277CA status: {status}{origin}, {entity}"
