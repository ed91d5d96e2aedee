"""Which elements of a segment hold protected health information, in one place.

Reports that show segments (the HTML claim report, `--show-source` excerpts) and rules that decide
whether a value may be quoted all read this table, so that no output masks less than another.
"""

from __future__ import annotations

# Loops that describe a person: the subscriber (2010BA), the patient (2010CA), other subscribers (2330A).
PERSON_LOOPS = frozenset({"2010BA", "2010CA", "2330A"})
# In those loops, which elements of which segment name, number or locate the person.
PERSON_ELEMENTS = {
    "NM1": (3, 4, 5, 6, 7, 9),  # last, first, middle name, prefix, suffix, member id
    "N3": (1, 2),  # street address
    "N4": (1, 2, 3, 4, 7),  # city, state, ZIP, country
    "DMG": (2, 3),  # date of birth, gender
    "REF": (2,),  # SSN, other member ids
    "PER": (2, 4, 6, 8),  # contact name and numbers
}


def masked_positions(elements: list[str], loop: str | None) -> tuple[int, ...]:
    """Element positions of a segment in `loop` that hold patient data, to be masked unless --show-phi."""
    if loop is None:  # a segment the guide has no place for: nobody knows what it holds
        return tuple(range(1, len(elements)))
    sid = elements[0]
    if loop in PERSON_LOOPS:
        return PERSON_ELEMENTS.get(sid, ())
    if sid == "PAT":
        return (5, 6, 7, 8)  # date of death, weight
    if sid == "NTE" or sid == "K3":
        return (1, 2)  # free text may say anything
    if sid == "REF" and len(elements) > 1 and elements[1] == "EA":
        return (2,)  # medical record number
    return ()


def of_a_person(loop: str | None) -> bool:
    """Whether a segment in `loop` may describe a person (or nobody knows where it is): its values are PHI."""
    return loop is None or loop in PERSON_LOOPS
