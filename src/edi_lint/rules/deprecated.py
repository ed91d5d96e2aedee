"""Rule codes retired because the implementation-guide validation reports the same defect.

With native IG validation on by default, these rules would report a defect a second time under
another code. Their codes are never reused: they stay registered (so --select, --ignore, --explain
and configuration files that name them keep working), are off by default, and say which IG code
reports the defect now. Selecting one explicitly still runs it.
"""

from __future__ import annotations

from dataclasses import replace

from edi_lint.rules.base import RuleInfo

# deprecated code -> the IG code that reports the same defect
DEPRECATED: dict[str, str] = {
    "STR001": "IG301",  # segment the guide has no place for here
    "DT002": "IG303",  # 2400 DTP*472 missing: a mandatory segment missing
    "SVC001": "IG402",  # SV103/SV104 pairing: syntax rule P0304 (and IG401 where both are required)
    "ENV002": "IG101",  # IEA02 vs ISA13
    "ENV003": "IG154",  # GE02 vs GS06
    "ENV004": "IG203",  # SE02 vs ST02
    "ENV005": "IG204",  # SE01 segment count
    "ENV006": "IG155",  # GE01 transaction set count
    "ENV007": "IG121",  # IEA01 group count
    "HL001": "IG381",  # HL01 numbering
    "LX001": "IG383",  # LX01 numbering
}


def deprecated_info(info: RuleInfo) -> RuleInfo:
    """The rule's facts, marked as a deprecated alias of the IG code that replaced it."""
    replacement = DEPRECATED[info.code]
    return replace(
        info,
        summary=f"Deprecated alias of {replacement} (off by default): {info.summary}",
        default_on=False,
        explanation=(f"Deprecated: {replacement} reports this defect as part of the implementation-guide "
                     f"validation that runs by default, so this rule is off unless selected by name. "
                     + info.explanation).strip(),
    )
