"""NCCI procedure-to-procedure (PTP) pairs: two codes of a pair billed on one date of service.

TH010 checks the CMS practitioner PTP file the user names (`code-sets.ncci`); TH011 checks the small
table edi-lint ships (rulesets/ncci-ptp-therapy.tsv, therapy pairs from secondary sources, UNVERIFIED),
and stands down when the CMS file is configured. Both are built per configuration, like CS014/CS015,
because their check and their --explain text depend on the files.
"""

from __future__ import annotations

import functools

from edi_lint.codesets import CodeSetError
from edi_lint.codesets.ncci import PtpTable, load_ptp_table
from edi_lint.findings import Severity
from edi_lint.rules.api import Problem, Rule
from edi_lint.rules.base import RuleInfo
from edi_lint.rules.codesets import claim_periods, service_period
from edi_lint.rules.straightline import passes_when

# NCCI-associated modifiers that may bypass an indicator-1 edit (NCCI Policy Manual ch. I §E): anatomic,
# global surgery, and 27, 59, 91 and the X{EPSU} subsets of 59.
NCCI_MODIFIERS = frozenset(
    ["E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "LC", "LD", "LM", "RC",
     "RI", "LT", "RT", "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "24", "25", "57", "58", "78",
     "79", "27", "59", "91", "XE", "XS", "XP", "XU"])
SHOWN_MODIFIERS = "59, XE, XS, XP or XU"
BUILTIN_TABLE = "ncci-ptp-therapy.tsv"
TAGS = ("therapy", "ncci", "modifier")
EXAMPLE_BAD = ("LX*1~ SV1*HC:97161:GP*100*UN*1***1~ DTP*472*D8*20260105~ "
               "LX*2~ SV1*HC:97140:GP*45*UN*1***1~ DTP*472*D8*20260105~")
EXAMPLE_GOOD = ("LX*1~ SV1*HC:97161:GP*100*UN*1***1~ DTP*472*D8*20260105~ "
                "LX*2~ SV1*HC:97140:GP:59*45*UN*1***1~ DTP*472*D8*20260105~")

CHECKS = ("Two lines of a claim with the same date of service (the claim is one patient's) whose codes are the "
          "column 1 and column 2 codes of an edit in force on that date (from its effective date up to, not "
          "including, its deletion date): with modifier indicator 0 the column 2 line is reported whatever its "
          "modifiers (the pair is never paid together); with indicator 1 it is reported unless the column 2 line "
          "carries an NCCI-associated modifier ({modifiers}, or an anatomic one) saying the services were distinct; "
          "indicator 9 rows are not edits. One finding per column 2 line. Pairs across two claims of the same "
          "patient are not checked.")


def _pair_check(table: PtpTable, either_line: bool):
    """A line check: the line as the column 2 code of an edit with another line of its day."""
    column1, column2 = table.column1, table.column2

    def check(line):
        code = line.procedure.upper()
        if code not in column2:
            return ()
        period = service_period(line)
        if period is not None:
            day = period[0]
            for other, other_day, _ in claim_periods(line.claim):  # the claim's lines of that day, in order
                if other_day != day or other is line:
                    continue
                first = other.procedure.upper()
                if first == code or first not in column1:
                    continue
                for effective, deletion, indicator in table.edits(first, code):
                    if not effective <= day < deletion:
                        continue
                    if indicator == "0":
                        return (Problem(f"{code} is billed with {first} on {day}: an NCCI pair ({first} column 1, "
                                        f"{code} column 2) with modifier indicator 0, never paid together (a "
                                        "modifier does not bypass it)", line.sv1, "SV101-2", actual=code),)
                    modifiers = set(line.modifiers) | (set(other.modifiers) if either_line else set())
                    if modifiers & NCCI_MODIFIERS:
                        continue
                    return (Problem(f"{code} is billed with {first} on {day} without {SHOWN_MODIFIERS}: an NCCI pair "
                                    f"({first} column 1, {code} column 2, modifier indicator 1); {code} is denied "
                                    "unless the modifier says the services were distinct", line.sv1, "SV101-3",
                                    expected=SHOWN_MODIFIERS, actual=",".join(line.modifiers) or None),)
        return ()

    return passes_when(check, "u.procedure.upper() not in {column2}", column2=column2)  # its first test


def builtin_table_path():
    from edi_lint.rules.declarative import shipped_rulesets_dir

    folder = shipped_rulesets_dir()
    return folder / BUILTIN_TABLE if folder is not None else None


@functools.cache
def builtin_table():
    """edi-lint's own small table (TH011), read once per process: it ships with the install."""
    shipped = builtin_table_path()
    return load_ptp_table(str(shipped)) if shipped is not None and shipped.is_file() else None


def ncci_rules(code_sets: dict) -> list[Rule]:
    """TH010 (the CMS PTP file named by code-sets.ncci) and TH011 (edi-lint's own small table).

    Raises CodeSetError for a configured file that cannot be read or holds malformed rows."""
    user_path = (code_sets or {}).get("ncci")
    user = load_ptp_table(user_path) if user_path else None
    builtin = builtin_table()

    user_info = _info(
        "TH010", "ncci-ptp-pair", Severity.ERROR,
        summary="Two lines of one date of service are an NCCI procedure-to-procedure pair (from the CMS file "
                "named by code-sets.ncci) and the column 2 line cannot be paid.",
        about="CMS's National Correct Coding Initiative pairs a column 1 code with a column 2 code that is part of "
              "it or excludes it: billed for one patient on one day, the column 2 line is denied unless the "
              "modifier indicator allows an NCCI-associated modifier and the line carries one. Medicare applies "
              "the edits, and most commercial payers apply the same file, so every claim is checked.",
        state=(f"Configured: checked against {user_path} ({len(user)} edits)." if user is not None else
               "Not configured: this rule is skipped. edi-lint does not download or ship the CMS practitioner PTP "
               "file; name your copy (the quarter's ccipra text or CSV file, or a folder with its four files) in "
               "configuration, e.g. `[tool.edi-lint.code-sets] ncci = \"ccipra-v321r0\"`. The modality pairs "
               "(97010-97039, 97026 first) are checked only from that file."),
        source="CMS NCCI practitioner PTP edits (user-supplied, quarterly); modifier indicators 0/1/9 and the "
               "NCCI-associated modifiers: CMS MLN1783722 [S39], NCCI Policy Manual ch. I; reference §2.5",
        table=user, default_on=user is not None,
        severity_reason="the CMS file is the payer's own edit table: the column 2 line is denied",
    )
    builtin_info = _info(
        "TH011", "ncci-ptp-pair-unverified", Severity.WARNING,
        summary="Two lines of one date of service are a therapy NCCI pair from edi-lint's own small table, and the "
                "column 2 line has no 59/X modifier.",
        about="A few NCCI pairs between therapy codes that physical therapists meet every day (an evaluation with "
              "manual therapy, a re-evaluation with therapeutic activities or group therapy, 97530 with 97116 or "
              "97140, 97150 with 97110) are in edi-lint's table rulesets/ncci-ptp-therapy.tsv, which states its "
              "sources (APTA and WebPT on the CMS edits, 2020) and quarter. They are UNVERIFIED against the CMS "
              "file, and which code is column 1 is not confirmed, so the modifier counts on either line and the "
              "finding is a warning. The modality pairs (97010-97039, 97026 first) could not be sourced and are not "
              "in it.",
        state=("Stands down: the CMS file named by code-sets.ncci is configured, and TH010 checks it instead."
               if user is not None else
               f"Checked against {BUILTIN_TABLE} ({len(builtin) if builtin is not None else 0} edits); name the CMS "
               "file in code-sets.ncci for the full, authoritative check (TH010)."),
        source="rulesets/ncci-ptp-therapy.tsv: APTA NCCI 2020 update and 2020-09-02 announcement [S40b], WebPT on "
               "modifier 59 with 97530/97140 [S40]; reference §2.5 (UNVERIFIED)",
        table=builtin if user is None else None, default_on=user is None and builtin is not None,
        severity_reason="the pairs come from secondary sources, not the CMS file: a likely denial, not a certain one",
    )
    no_check = _nothing
    return [Rule(user_info, _pair_check(user, either_line=False) if user is not None else no_check),
            Rule(builtin_info, _pair_check(builtin, either_line=True) if builtin is not None and user is None
                 else no_check)]


def _info(code: str, name: str, severity: Severity, *, summary: str, about: str, state: str, source: str,
          table: PtpTable | None, default_on: bool, severity_reason: str) -> RuleInfo:
    """TH010's or TH011's facts: what the rule is `about`, the checks both make, and the `state` of its
    table in this configuration (the lines it runs on are the column 2 codes of `table`)."""
    return RuleInfo(
        code=code, name=name, severity=severity, scope="line", summary=summary,
        explanation=f"{about}\n\n{CHECKS.format(modifiers=SHOWN_MODIFIERS)}\n\n{state}",
        source=source, example_bad=EXAMPLE_BAD, example_good=EXAMPLE_GOOD, tags=TAGS, ruleset="therapy",
        procedures=tuple(sorted(table.column2)) if table is not None else (), default_on=default_on,
        claim_status="A7:453", severity_reason=severity_reason,
    )


def _nothing(line):
    return ()


__all__ = ["ncci_rules", "NCCI_MODIFIERS", "CodeSetError"]
