"""Findings the reader itself raises: a file cut short, segments the guide has no place for.

They are rules like any other (listed, selectable, explained), but the engine emits them, because
only the reader sees envelopes open and close.
"""

from __future__ import annotations

from edi_lint.findings import Severity
from edi_lint.rules.base import RuleInfo

MISSING_TRAILER = RuleInfo(
    code="ENV001",
    name="missing-trailer",
    claim_status="A3:21",
    status_entity="41",
    severity=Severity.ERROR,
    summary="The file ends before the SE, GE or IEA trailer that closes an open envelope (truncated).",
    scope="file",
    explanation=(
        "Every ST needs its SE, every GS its GE and every ISA its IEA. A file that stops before them "
        "was usually cut off in transfer. The complete claims before the cut are still linted; the "
        "claim in progress at the cut is not."
    ),
    source="ASC X12 envelope structure (005010 control segments); WEDI SNIP type 1",
    example_bad="...SV1*HC:97026:GP*25*UN*1***1~ (end of file)",
    example_good="...SE*24*0001~GE*1*1~IEA*1*000000001~",
    tags=("snip1", "envelope"),
    ruleset="structure",
)

UNEXPECTED_SEGMENT = RuleInfo(
    code="STR001",
    name="segment-not-in-guide",
    claim_status="A3:21",
    severity=Severity.WARNING,
    summary="A segment the 005010X222A1 guide has no place for at this point (misspelled, out of order or foreign).",
    scope="file",
    explanation=(
        "The loop walker follows pyx12's 005010X222A1 map. A segment that matches nothing reachable "
        "from the previous one is reported and kept with the claim it sits in, so no data is dropped. "
        "Run with --select IG for the full implementation-guide validation."
    ),
    source="pyx12 005010X222A1 map; WEDI SNIP type 2",
    example_bad="NM31*41*2*SUBMITTER*****46*12345~",
    example_good="NM1*41*2*SUBMITTER*****46*12345~",
    tags=("snip2", "structure"),
    ruleset="structure",
)

ENGINE_RULES = {info.code: info for info in (MISSING_TRAILER, UNEXPECTED_SEGMENT)}
