"""The implementation-guide (IG) rule codes, WEDI SNIP types 1 and 2: their names, severities and texts.

Kept apart from the validators that find them (the native one in x12/validator.py, the pyx12
cross-check in ig.py), so that listing and selecting rules never imports either. The codes follow
pyx12's own error codes, which follow the TA1 / 999 code lists (see ig.py).
"""

from __future__ import annotations

from edi_lint.findings import Severity
from edi_lint.rules.base import RuleInfo

SOURCE = "pyx12 005010X222A1 map"
RULESET = "ig"

_E, _W = Severity.ERROR, Severity.WARNING


_FAMILY = {
    "1": "An interchange or functional group envelope error (TA1 / 999 AK9 level): the control "
    "numbers and counts in the trailers must match their headers.",
    "2": "A transaction set envelope error (999 IK5 level): SE must close its ST with the same "
    "control number and the right segment count.",
    "3": "A segment error (999 IK3 level). The location is the segment where the validator noticed it: for a "
    "missing segment or loop that is the segment read after the gap, and the loop is the one the "
    "missing segment belongs to.",
    "4": "A data element error (999 IK4 level). The message names the element and the guide's name "
    "for it; the element's value is never shown, since it can be patient data.",
}


def _rule(code: str, name: str, summary: str, tags: tuple[str, ...], severity=_E, explanation="") -> RuleInfo:
    if not explanation:
        explanation = _FAMILY.get(code[2], "")
        explanation += (" Found by edi-lint's own implementation-guide validator, which checks every segment "
                        "as the loop walker places it, against the whole 005010X222A1 guide compiled from "
                        "pyx12's map and data element dictionary (--ig-engine pyx12 runs pyx12's validator "
                        "instead).")
        explanation = explanation.strip()
    return RuleInfo(
        code=code,
        name=name,
        severity=severity,
        summary=summary,
        scope="file",
        explanation=explanation,
        source=SOURCE,
        tags=tags,
        ruleset=RULESET,
        claim_status="A3:21",  # 277CA: returned as unprocessable, missing or invalid information
    )


_S1, _S2, _S12 = ("snip1",), ("snip2",), ("snip1", "snip2")

# code, name, summary, WEDI SNIP types[, severity]: every IG rule after IG001, in code order
_TABLE = (
    # Interchange envelope (ISA/IEA): IG1 + the TA1-style code pyx12 reports.
    ("IG100", "ig-interchange-error", "interchange envelope (ISA/IEA) error", _S1),
    ("IG101", "ig-interchange-control-number-mismatch", "IEA02 does not match ISA13", _S1),
    ("IG121", "ig-interchange-group-count-wrong", "IEA01 does not match the number of functional groups", _S1),
    ("IG123", "ig-interchange-trailer-missing", "the interchange has no IEA trailer", _S1),
    ("IG124", "ig-interchange-unterminated-group", "a functional group is not closed by GE before IEA", _S1),
    ("IG125", "ig-interchange-control-number-duplicate", "ISA13 is not unique within the file", _S1),
    # Functional group envelope (GS/GE): IG150 + the AK9-style code.
    ("IG150", "ig-group-error", "functional group envelope (GS/GE) error", _S1),
    ("IG153", "ig-group-trailer-missing",
     "a functional group has no GE trailer, or a transaction set in it is not closed", _S1),
    ("IG154", "ig-group-control-number-mismatch", "GE02 does not match GS06", _S1),
    ("IG155", "ig-group-transaction-count-wrong", "GE01 does not match the number of transaction sets", _S1),
    ("IG156", "ig-group-control-number-duplicate", "GS06 is not unique within the file", _S1),
    # Transaction set envelope (ST/SE): IG2 + the IK5-style code.
    ("IG200", "ig-transaction-error", "transaction set envelope (ST/SE) error", _S1),
    ("IG202", "ig-transaction-trailer-missing", "the transaction set has no SE trailer", _S1),
    ("IG203", "ig-transaction-control-number-mismatch", "SE02 does not match ST02", _S1),
    ("IG204", "ig-transaction-segment-count-wrong", "SE01 does not match the number of segments", _S1),
    ("IG223", "ig-transaction-control-number-duplicate", "ST02 is not unique within the file", _S1),
    # Segment errors: IG3 + the IK3 code.
    ("IG300", "ig-segment-error", "segment error pyx12 reports without an IK3 code (--ig-engine pyx12 only)", _S12),
    ("IG301", "ig-unrecognized-segment",
     "segment not recognised: invalid identifier, or no segment of the guide matches it at this position (wrong "
     "qualifier, out of order, or in the wrong loop)", _S12),
    ("IG302", "ig-unexpected-segment", "segment or loop present that the guide marks as not used", _S2),
    ("IG303", "ig-mandatory-segment-missing", "a segment or loop the guide requires is missing", _S12),
    ("IG304", "ig-loop-over-max", "a loop repeats more often than the guide allows", _S2),
    ("IG305", "ig-segment-over-max-use", "a segment repeats more often than the guide allows", _S2),
    ("IG306", "ig-segment-not-in-transaction", "segment not in the defined transaction set", _S1),
    ("IG307", "ig-segment-out-of-sequence", "segment not in the proper sequence", _S1),
    ("IG308", "ig-segment-data-element-errors", "segment has data element errors", _S12),
    ("IG381", "ig-hl-id-out-of-sequence", "HL01 does not count up from 1 within the transaction", _S2),
    ("IG382", "ig-hl-parent-invalid", "HL02 does not point to an enclosing HL", _S2),
    ("IG383", "ig-lx-out-of-sequence", "LX01 service line numbers do not count up from 1 in the claim", _S2),
    ("IG391", "ig-leading-space", "segment starts with a space", _S1, _W),
    ("IG392", "ig-trailing-separator", "segment ends with trailing element separators (empty trailing elements)",
     _S1, _W),
    # Element errors: IG4 + the IK4 code.
    ("IG400", "ig-element-error", "data element error pyx12 reports without an IK4 code (--ig-engine pyx12 only)",
     _S12),
    ("IG401", "ig-mandatory-element-missing", "a data element or composite the guide requires is missing", _S12),
    ("IG402", "ig-conditional-element-missing",
     "a conditionally required data element is missing (segment syntax rule P, R, C or L)", _S1),
    ("IG403", "ig-too-many-elements", "too many data elements or components", _S1),
    ("IG404", "ig-element-too-short", "data element shorter than its minimum length", _S1),
    ("IG405", "ig-element-too-long", "data element longer than its maximum length", _S1),
    ("IG406", "ig-invalid-character", "data element contains a character its type does not allow", _S1),
    ("IG407", "ig-invalid-code-value", "data element value is not a valid code for it", _S2),
    ("IG408", "ig-invalid-date", "data element is not a valid date", _S1),
    ("IG409", "ig-invalid-time", "data element is not a valid time", _S1),
    ("IG410", "ig-exclusion-violated",
     "data element present that the guide marks as not used, or a syntax exclusion (E) rule is broken", _S12),
    ("IG496", "ig-trailing-spaces", "data element has unnecessary trailing spaces", _S1, _W),
)

_VALIDATOR_FAILED = _rule(
    "IG001", "ig-validator-failed", "the implementation-guide validator could not validate the whole file", _S12,
    explanation="The native validator failed on the file (a bug of edi-lint: the IG checks stop there, the business "
    "rules still run); with --ig-engine pyx12, pyx12 raised an exception, has no map for the guide named in GS08, "
    "rejected the interchange header, or stopped after 5,000 errors.",
)

RULES: dict[str, RuleInfo] = {r.code: r for r in (_VALIDATOR_FAILED, *(_rule(*row) for row in _TABLE))}
