"""Every rule, both ways: a case table of small edits to one clean 837P claim (sqlfluff's YAML rule
cases are the model; YAML is not available, so the table is Python).

Each case names a rule, whether it must fire ("fail") or stay silent ("pass"), regex edits applied to
the clean interchange before the envelope counts are recomputed (`edits`), edits applied after them
(`raw`, for the count and control-number rules), and, for failing cases, the X12 element the finding
must name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pytest

from conftest import FIXTURES

BASE_SEGMENTS = """\
ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *260120*0930*^*00501*000000905*0*T*:
GS*HC*SUBMITTER*RECEIVER*20260120*0930*905*X*005010X222A1
ST*837*0001*005010X222A1
BHT*0019*00*BATCH905*20260120*0930*CH
NM1*41*2*QUILLFEATHER BILLING SERVICES*****46*QFB4471
PER*IC*MARGO TELLWRIGHT*TE*5415550143
NM1*40*2*RIVERBEND CLEARINGHOUSE*****46*RBCH01
HL*1**20*1
PRV*BI*PXC*225100000X
NM1*85*1*HALVORSEN*INGRID****XX*1318720459
N3*410 CEDAR HOLLOW RD
N4*LAKEVIEW*OR*976301234
REF*EI*364271980
HL*2*1*22*0
SBR*P*18*GRP1001******MB
NM1*IL*1*LINDQVIST*MARTA****MI*MMH5520914
N3*27 WILLOW BEND LN
N4*LAKEVIEW*OR*976305678
DMG*D8*19740630*F
NM1*PR*2*MEDICARE PART B*****PI*04412
CLM*CASE-1*115***11:B:1*Y*A*Y*Y
HI*ABK:M25561*ABF:M5450
NM1*82*1*MARCHETTI*LUCA****XX*1582047639
PRV*PE*PXC*225100000X
LX*1
SV1*HC:97026:GP*30*UN*1***1
DTP*472*D8*20260105
LX*2
SV1*HC:97110:GP*85*UN*2***1:2
DTP*472*D8*20260105
SE*0*0001
GE*1*905
IEA*1*000000905"""


def build_837(edits=(), raw=()) -> str:
    """The clean claim with regex `edits`, SE01/GE01/IEA01 recomputed, then the `raw` edits."""
    text = "~\n".join(BASE_SEGMENTS.splitlines()) + "~\n"
    for pattern, replacement in edits:
        text, count = re.subn(pattern, replacement, text, flags=re.S)
        assert count, f"edit {pattern!r} matched nothing"
    segments = [s.strip() for s in text.split("~") if s.strip()]
    st = next(i for i, s in enumerate(segments) if s.startswith("ST*"))
    se = next((i for i, s in enumerate(segments) if s.startswith("SE*")), None)
    if se is not None:
        count = se - st + 1
        text = re.sub(r"SE\*\d+\*", f"SE*{count}*", text, count=1)
    for pattern, replacement in raw:
        text, count = re.subn(pattern, replacement, text, flags=re.S)
        assert count, f"raw edit {pattern!r} matched nothing"
    return text


@dataclass(frozen=True)
class Case:
    rule: str
    expect: str  # "fail" or "pass"
    why: str
    edits: tuple = ()
    raw: tuple = ()
    element: str | None = "?"  # failing cases: the element the finding names ("?" = not checked)

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.expect}-{self.why}"


def F(rule, why, *edits, raw=(), element="?"):
    return Case(rule, "fail", why, tuple(edits), tuple(raw), element)


def P(rule, why, *edits, raw=()):
    return Case(rule, "pass", why, tuple(edits), tuple(raw), None)


L97026 = r"SV1\*HC:97026:GP\*30\*UN\*1\*\*\*1"
CASES = [
    # -- physical therapy (declarative ruleset rulesets/physical-therapy.toml) --
    F("PT001", "no-modifier", (L97026, "SV1*HC:97026*30*UN*1***1"), element="SV101-3"),
    F("PT001", "go-instead", (L97026, "SV1*HC:97026:GO*30*UN*1***1"), element="SV101-4"),
    F("PT001", "gp-in-description", (L97026, "SV1*HC:97026:::::GP*30*UN*1***1"), element="SV101-3"),
    F("PT001", "go-by-physical-therapist", (L97026, "SV1*HC:97026:GO*30*UN*1***1"), element="SV101-4"),
    P("PT001", "go-by-occupational-therapist", (L97026, "SV1*HC:97026:GO*30*UN*1***1"),
      (r"PRV\*PE\*PXC\*225100000X", "PRV*PE*PXC*225X00000X")),
    P("PT001", "gp-in-fourth-position", (L97026, "SV1*HC:97026:KX:59:XS:GP*30*UN*1***1")),
    P("PT001", "other-procedure-without-gp", (r"HC:97110:GP", "HC:97110")),
    F("PT002", "claim-pos-22", (r"\*11:B:1\*", "*22:B:1*"), element="CLM05-1"),
    F("PT002", "line-pos-12", (L97026, "SV1*HC:97026:GP*30*UN*1*12**1"), element="SV105"),
    P("PT002", "line-pos-overrides-claim", (r"\*11:B:1\*", "*22:B:1*"),
      (L97026, "SV1*HC:97026:GP*30*UN*1*11**1")),
    F("PT003", "claim-taxonomy-physician", (r"PRV\*PE\*PXC\*225100000X", "PRV*PE*PXC*207Q00000X"), element="PRV03"),
    P("PT003", "no-prv-for-2310b-is-pt010s", (r"PRV\*PE\*PXC\*225100000X~\n", "")),
    P("PT003", "no-prv-anywhere", (r"PRV\*BI\*PXC\*225100000X~\n", ""), (r"PRV\*PE\*PXC\*225100000X~\n", "")),
    P("PT003", "orthopaedic-specialisation", (r"PRV\*PE\*PXC\*225100000X", "PRV*PE*PXC*2251X0800X")),
    P("PT003", "sports-specialisation", (r"PRV\*PE\*PXC\*225100000X", "PRV*PE*PXC*2251S0007X")),
    F("PT003", "assistant-commercial", (r"PRV\*PE\*PXC\*225100000X", "PRV*PE*PXC*225200000X"),
      (r"\*{6}MB~", "******CI~"), element="PRV03"),
    P("PT003", "assistant-medicare-is-pt007s", (r"PRV\*PE\*PXC\*225100000X", "PRV*PE*PXC*225200000X")),
    P("PT003", "occupational-therapist-with-go", (r"PRV\*PE\*PXC\*225100000X", "PRV*PE*PXC*225X00000X"),
      (L97026, "SV1*HC:97026:GO*30*UN*1***1")),
    F("PT003", "organisation-taxonomy", (r"PRV\*PE\*PXC\*225100000X", "PRV*PE*PXC*261QP2000X"), element="PRV03"),
    P("PT003", "line-rendering-pt-overrides", (r"PRV\*PE\*PXC\*225100000X", "PRV*PE*PXC*207Q00000X"),
      (r"(DTP\*472\*D8\*20260105~\n)(LX\*2)",
       r"\1NM1*82*1*TANAKA*KENJI****XX*1428571396~\nPRV*PE*PXC*225100000X~\n\2")),
    F("PT004", "two-units", (L97026, "SV1*HC:97026:GP*60*UN*2***1"), element="SV104"),
    F("PT004", "two-one-unit-lines-same-day", (r"HC:97110:GP\*85\*UN\*2\*\*\*1:2", "HC:97026:GP*30*UN*1***1"),
      (r"CLM\*CASE-1\*115\*", "CLM*CASE-1*60*"), element="SV104"),
    P("PT004", "two-one-unit-lines-two-days", (r"HC:97110:GP\*85\*UN\*2\*\*\*1:2", "HC:97026:GP*30*UN*1***1"),
      (r"CLM\*CASE-1\*115\*", "CLM*CASE-1*60*"), (r"D8\*20260105~\nSE", "D8*20260106~\nSE")),
    P("PT004", "one-point-zero", (L97026, "SV1*HC:97026:GP*30*UN*1.0***1")),
    P("PT004", "timed-code-many-units", (r"HC:97110:GP\*85\*UN\*2", "HC:97110:GP*85*UN*4")),
    F("PT005", "gp-and-go", (L97026, "SV1*HC:97026:GP:GO*30*UN*1***1"), element="SV101-3"),
    F("PT005", "go-and-gn-on-other-code", (r"HC:97110:GP", "HC:97110:GO:GN"), element="SV101-3"),
    P("PT005", "gp-with-59", (L97026, "SV1*HC:97026:GP:59*30*UN*1***1")),
    F("PT006", "cq-alone", (L97026, "SV1*HC:97026:CQ*30*UN*1***1"), element="SV101-4"),
    F("PT006", "cq-with-go", (r"HC:97110:GP", "HC:97110:GO:CQ"), element="SV101-5"),
    P("PT006", "cq-with-gp", (L97026, "SV1*HC:97026:GP:CQ*30*UN*1***1")),
    F("PT007", "pta-renders-medicare", (r"PRV\*PE\*PXC\*225100000X", "PRV*PE*PXC*225200000X"), element="PRV03"),
    F("PT007", "pta-renders-medicare-advantage", (r"PRV\*PE\*PXC\*225100000X", "PRV*PE*PXC*225200000X"),
      (r"\*{6}MB~", "******16~"), element="PRV03"),
    P("PT007", "pta-commercial-payer", (r"PRV\*PE\*PXC\*225100000X", "PRV*PE*PXC*225200000X"),
      (r"\*{6}MB~", "******CI~")),
    F("PT008", "medicare-diabetic-neuropathy", (r"HI\*ABK:M25561", "HI*ABK:E1142"), element="SV107"),
    F("PT008", "medicare-pressure-ulcer-dotted", (r"HI\*ABK:M25561", "HI*ABK:L89.154"), element="SV107"),
    F("PT008", "medicare-advantage", (r"HI\*ABK:M25561", "HI*ABK:E1142"), (r"\*{6}MB~", "******16~"),
      element="SV107"),
    P("PT008", "ga-abn-on-file", (r"HI\*ABK:M25561", "HI*ABK:E1142"), (L97026, "SV1*HC:97026:GP:GA*30*UN*1***1")),
    P("PT008", "gz-expected-denial", (r"HI\*ABK:M25561", "HI*ABK:E1142"), (L97026, "SV1*HC:97026:GP:GZ*30*UN*1***1")),
    P("PT008", "gx-voluntary-notice", (r"HI\*ABK:M25561", "HI*ABK:E1142"), (L97026, "SV1*HC:97026:GP:GX*30*UN*1***1")),
    P("PT008", "neuropathy-not-pointed-by-97026", (r"ABF:M5450", "ABF:E1142")),
    P("PT008", "neuropathy-commercial", (r"HI\*ABK:M25561", "HI*ABK:E1142"), (r"\*{6}MB~", "******CI~")),
    F("PT009", "sv105-equals-clm05", (L97026, "SV1*HC:97026:GP*30*UN*1*11**1"), element="SV105"),
    P("PT009", "sv105-differs", (r"\*11:B:1\*", "*22:B:1*"), (L97026, "SV1*HC:97026:GP*30*UN*1*11**1")),
    F("PT010", "no-prv-for-2310b", (r"PRV\*PE\*PXC\*225100000X~\n", ""), element="PRV03"),
    F("PT010", "billing-renders-without-prv", (r"PRV\*BI\*PXC\*225100000X~\n", ""),
      (r"NM1\*82\*1\*MARCHETTI\*LUCA\*\*\*\*XX\*1582047639~\nPRV\*PE\*PXC\*225100000X~\n", ""), element="PRV03"),
    P("PT010", "claim-prv"),
    F("PT011", "go-by-occupational-therapist", (r"PRV\*PE\*PXC\*225100000X", "PRV*PE*PXC*225X00000X"),
      (L97026, "SV1*HC:97026:GO*30*UN*1***1"), element="SV101-3"),
    P("PT011", "gp-by-physical-therapist"),
    # -- therapy edits (declarative ruleset rulesets/therapy.toml) --
    F("TH001", "medicare-97110-no-modifier", (r"HC:97110:GP", "HC:97110"), element="SV101-3"),
    F("TH001", "medicare-97110-only-kx", (r"HC:97110:GP", "HC:97110:KX"), element="SV101-4"),
    P("TH001", "medicare-97110-go", (r"HC:97110:GP", "HC:97110:GO")),
    P("TH001", "commercial-97110-no-modifier", (r"HC:97110:GP", "HC:97110"), (r"\*{6}MB~", "******CI~")),
    P("TH001", "97026-is-pt001s", (L97026, "SV1*HC:97026*30*UN*1***1")),
    F("TH002", "97014-medicare", (r"HC:97110:GP\*85\*UN\*2", "HC:97014:GP*85*UN*1"), element="SV101-2"),
    F("TH002", "97014-uhc", (r"HC:97110:GP\*85\*UN\*2", "HC:97014:GP*85*UN*1"), (r"\*{6}MB~", "******CI~"),
      (r"NM1\*PR\*2\*MEDICARE PART B\*\*\*\*\*PI\*04412", "NM1*PR*2*UNITEDHEALTHCARE*****PI*87726"), element="SV101-2"),
    P("TH002", "97014-commercial", (r"HC:97110:GP\*85\*UN\*2", "HC:97014:GP*85*UN*1"), (r"\*{6}MB~", "******CI~")),
    P("TH002", "g0283-medicare", (r"HC:97110:GP\*85\*UN\*2", "HC:G0283:GP*85*UN*1")),
    F("TH003", "97010-medicare", (r"HC:97110:GP\*85\*UN\*2", "HC:97010:GP*85*UN*1"), element="SV101-2"),
    P("TH003", "97010-commercial", (r"HC:97110:GP\*85\*UN\*2", "HC:97010:GP*85*UN*1"), (r"\*{6}MB~", "******CI~")),
    F("TH004", "97012-two-units", (r"HC:97110:GP\*85\*UN\*2", "HC:97012:GP*85*UN*2"), element="SV104"),
    P("TH004", "97012-one-unit", (r"HC:97110:GP\*85\*UN\*2", "HC:97012:GP*85*UN*1")),
    P("TH004", "timed-97110-four-units", (r"HC:97110:GP\*85\*UN\*2", "HC:97110:GP*85*UN*4")),
    F("TH005", "same-line-twice", (r"HC:97110:GP\*85\*UN\*2\*\*\*1:2", "HC:97026:GP*30*UN*1***1"),
      (r"CLM\*CASE-1\*115\*", "CLM*CASE-1*60*"), element=None),
    P("TH005", "same-code-distinct-modifier", (r"HC:97110:GP\*85\*UN\*2\*\*\*1:2", "HC:97026:GP:59*30*UN*1***1"),
      (r"CLM\*CASE-1\*115\*", "CLM*CASE-1*60*")),
    P("TH005", "same-line-another-day", (r"HC:97110:GP\*85\*UN\*2\*\*\*1:2", "HC:97026:GP*30*UN*1***1"),
      (r"CLM\*CASE-1\*115\*", "CLM*CASE-1*60*"), (r"D8\*20260105~\nSE", "D8*20260106~\nSE")),
    F("TH006", "kx-alone", (r"HC:97110:GP", "HC:97110:KX"), (r"\*{6}MB~", "******CI~"), element="SV101-4"),
    P("TH006", "kx-with-gp", (r"HC:97110:GP", "HC:97110:GP:KX")),
    F("TH007", "co-with-gp", (r"HC:97110:GP", "HC:97110:GP:CO"), element="SV101-5"),
    F("TH007", "co-alone", (r"HC:97110:GP", "HC:97110:CO"), (r"\*{6}MB~", "******CI~"), element="SV101-4"),
    P("TH007", "co-with-go", (r"HC:97110:GP", "HC:97110:GO:CO")),
    F("TH008", "bcbs-neuropathy", (r"HI\*ABK:M25561", "HI*ABK:E1142"), (r"\*{6}MB~", "******BL~"), element="SV107"),
    P("TH008", "bcbs-knee-pain", (r"\*{6}MB~", "******BL~")),
    P("TH008", "medicare-neuropathy-is-pt008s", (r"HI\*ABK:M25561", "HI*ABK:E1142")),
    F("TH009", "aetna-97026", (r"\*{6}MB~", "******CI~"),
      (r"NM1\*PR\*2\*MEDICARE PART B\*\*\*\*\*PI\*04412", "NM1*PR*2*AETNA*****PI*60054"), element="SV101-2"),
    P("TH009", "medicare-97026"),
    # -- NCCI procedure-to-procedure pairs (src/edi_lint/rules/ncci.py; TH010 with fixtures/codesets/ncci-sample.txt) --
    F("TH010", "indicator-1-without-modifier", (L97026, "SV1*HC:97161:GP*30*UN*1***1"), (r"HC:97110:GP", "HC:97140:GP"),
      element="SV101-3"),
    F("TH010", "59-on-column-1-only", (L97026, "SV1*HC:97161:GP:59*30*UN*1***1"), (r"HC:97110:GP", "HC:97140:GP"),
      element="SV101-3"),
    F("TH010", "indicator-0-even-with-59", (r"HC:97110:GP\*85\*UN\*2", "HC:97012:GP*85*UN*1"),
      (L97026, "SV1*HC:97026:GP:59*30*UN*1***1"), element="SV101-2"),
    P("TH010", "indicator-1-with-59-on-column-2", (L97026, "SV1*HC:97161:GP*30*UN*1***1"),
      (r"HC:97110:GP", "HC:97140:GP:59")),
    P("TH010", "indicator-1-with-xu-on-column-2", (L97026, "SV1*HC:97161:GP*30*UN*1***1"),
      (r"HC:97110:GP", "HC:97140:GP:XU")),
    P("TH010", "pair-on-two-days", (L97026, "SV1*HC:97161:GP*30*UN*1***1"), (r"HC:97110:GP", "HC:97140:GP"),
      (r"D8\*20260105~\nSE", "D8*20260106~\nSE")),
    P("TH010", "edit-deleted-before-the-date", (r"HC:97110:GP\*85\*UN\*2", "HC:97112:GP*85*UN*2")),
    P("TH010", "indicator-9-is-no-edit", (r"HC:97110:GP\*85\*UN\*2", "HC:97035:GP*85*UN*2")),
    F("TH011", "evaluation-with-manual-therapy", (L97026, "SV1*HC:97161:GP*30*UN*1***1"),
      (r"HC:97110:GP", "HC:97140:GP"), element="SV101-3"),
    F("TH011", "therapeutic-activities-with-manual-therapy", (L97026, "SV1*HC:97530:GP*30*UN*1***1"),
      (r"HC:97110:GP", "HC:97140:GP"), element="SV101-3"),
    P("TH011", "xs-on-column-2", (L97026, "SV1*HC:97161:GP*30*UN*1***1"), (r"HC:97110:GP", "HC:97140:GP:XS")),
    P("TH011", "59-on-either-line", (L97026, "SV1*HC:97161:GP:59*30*UN*1***1"), (r"HC:97110:GP", "HC:97140:GP")),
    P("TH011", "pair-on-two-days", (L97026, "SV1*HC:97161:GP*30*UN*1***1"), (r"HC:97110:GP", "HC:97140:GP"),
      (r"D8\*20260105~\nSE", "D8*20260106~\nSE")),
    P("TH011", "modalities-not-in-the-table", (r"HC:97110:GP\*85\*UN\*2", "HC:97012:GP*85*UN*1")),
    # -- situational, SNIP 4 (src/edi_lint/rules/situational.py) --
    F("SIT001", "pointer-past-hi", (r"HC:97110:GP\*85\*UN\*2\*\*\*1:2", "HC:97110:GP*85*UN*2***1:3"), element="SV107"),
    F("SIT001", "pointer-thirteen", (r"HC:97110:GP\*85\*UN\*2\*\*\*1:2", "HC:97110:GP*85*UN*2***13"), element="SV107"),
    P("SIT001", "pointers-in-range"),
    F("SIT002", "replacement-without-ref-f8", (r"\*11:B:1\*", "*11:B:7*"), element="CLM05-3"),
    F("SIT002", "void-without-ref-f8", (r"\*11:B:1\*", "*11:B:8*"), element="CLM05-3"),
    P("SIT002", "replacement-with-ref-f8", (r"\*11:B:1\*", "*11:B:7*"), (r"(CLM\*[^~]*~\n)", r"\1REF*F8*PAYERCLAIM1~\n")),
    F("SIT003", "self-with-patient-loop", (r"HL\*2\*1\*22\*0", "HL*2*1*22*1"),
      (r"(DMG\*D8\*19740630\*F~\n)", r"\1HL*3*2*23*0~\nPAT*19~\nNM1*QC*1*LINDQVIST*ELSA~\nN3*27 WILLOW BEND LN~\n"
                                     r"N4*LAKEVIEW*OR*976305678~\nDMG*D8*20100304*F~\n"), element="SBR02"),
    F("SIT003", "not-self-without-patient-loop", (r"SBR\*P\*18\*", "SBR*P**"), element="SBR02"),
    P("SIT003", "not-self-with-patient-loop", (r"HL\*2\*1\*22\*0", "HL*2*1*22*1"), (r"SBR\*P\*18\*", "SBR*P**"),
      (r"(DMG\*D8\*19740630\*F~\n)", r"\1HL*3*2*23*0~\nPAT*19~\nNM1*QC*1*LINDQVIST*ELSA~\nN3*27 WILLOW BEND LN~\n"
                                     r"N4*LAKEVIEW*OR*976305678~\nDMG*D8*20100304*F~\n")),
    F("SIT004", "secondary-without-2320", (r"SBR\*P\*18\*", "SBR*S*18*"), element="SBR01"),
    P("SIT004", "secondary-with-2320", (r"SBR\*P\*18\*", "SBR*S*18*"),
      (r"(HI\*ABK:M25561\*ABF:M5450~\n)", r"\1SBR*P*18*OTHERGRP******CI~\nOI***Y***Y~\n"
                                          r"NM1*IL*1*LINDQVIST*MARTA****MI*OTH5520914~\nNM1*PR*2*OTHER PAYER*****PI*99999~\n")),
    P("SIT004", "primary"),
    F("SIT005", "hl04-one-without-child", (r"HL\*2\*1\*22\*0", "HL*2*1*22*1"), element="HL04"),
    F("SIT005", "hl04-zero-with-child", (r"HL\*1\*\*20\*1", "HL*1**20*0"), element="HL04"),
    P("SIT005", "hl04-consistent"),
    P("SIT005", "broken-parent-link-is-ig382s", (r"HL\*2\*1\*22", "HL*2*5*22")),
    F("SIT006", "service-after-bht04", (r"DTP\*472\*D8\*20260105~\nLX", "DTP*472*D8*20260125~\nLX"), element="DTP03"),
    F("SIT006", "range-ends-after-bht04", (r"DTP\*472\*D8\*20260105~\nLX", "DTP*472*RD8*20260105-20260121~\nLX"),
      element="DTP03"),
    F("SIT006", "every-service-after-bht04-is-one-finding", (r"D8\*20260105", "D8*20260125"), element="BHT04"),
    P("SIT006", "service-on-bht04", (r"DTP\*472\*D8\*20260105~\nLX", "DTP*472*D8*20260120~\nLX")),
    F("SIT007", "born-after-service", (r"DMG\*D8\*19740630", "DMG*D8*20260110"), element="DMG02"),
    P("SIT007", "born-on-service-day", (r"DMG\*D8\*19740630", "DMG*D8*20260105")),
    F("SIT008", "same-clm01-twice", (r"(CLM\*CASE-1\*.*?)(SE\*)", r"\1\1\2"), element="CLM01"),
    P("SIT008", "two-claims-two-ids", (r"(CLM\*CASE-1\*.*?)(SE\*)", r"\1\1\2"), (r"CLM\*CASE-1(.*?)CLM\*CASE-1", r"CLM*CASE-1\1CLM*CASE-2")),
    F("SIT009", "zero-units", (r"HC:97110:GP\*85\*UN\*2", "HC:97110:GP*85*UN*0"), element="SV104"),
    P("SIT009", "one-unit"),
    F("SIT010", "five-digit-zip", (r"N4\*LAKEVIEW\*OR\*976301234", "N4*LAKEVIEW*OR*97630"), element="N403"),
    F("SIT010", "zip-with-hyphen", (r"N4\*LAKEVIEW\*OR\*976301234", "N4*LAKEVIEW*OR*97630-1234"), element="N403"),
    P("SIT010", "subscriber-five-digit-zip", (r"N4\*LAKEVIEW\*OR\*976305678", "N4*LAKEVIEW*OR*97630")),
    P("SIT010", "foreign-billing-address", (r"N4\*LAKEVIEW\*OR\*976301234", "N4*TORONTO**M5V2T6*CA")),
    F("SIT011", "po-box", (r"N3\*410 CEDAR HOLLOW RD", "N3*PO BOX 4471"), element="N301"),
    F("SIT011", "lockbox-second-line", (r"N3\*410 CEDAR HOLLOW RD", "N3*410 CEDAR HOLLOW RD*LOCKBOX 12"), element="N302"),
    P("SIT011", "street", (r"N3\*410 CEDAR HOLLOW RD", "N3*410 BOXWOOD RD")),
    F("SIT012", "person-named-llc", (r"NM1\*85\*1\*HALVORSEN\*INGRID", "NM1*85*1*RIVERBEND PHYSICAL THERAPY LLC*"),
      element="NM102"),
    P("SIT012", "organisation-named-llc", (r"NM1\*85\*1\*HALVORSEN\*INGRID", "NM1*85*2*RIVERBEND PHYSICAL THERAPY LLC*")),
    P("SIT012", "person"),
    # -- engine --
    F("ENV001", "truncated", raw=((r"SE\*.*", ""),)),
    P("ENV001", "complete"),
    F("STR001", "unknown-segment", (r"(BHT\*[^~]*~\n)", r"\1ZZQ*1~\n")),
    P("STR001", "clean"),
    # -- envelope integrity --
    F("ENV002", "iea02-differs", raw=((r"IEA\*1\*000000905", "IEA*1*000000906"),), element="IEA02"),
    P("ENV002", "same"),
    F("ENV003", "ge02-differs", raw=((r"GE\*1\*905", "GE*1*906"),), element="GE02"),
    P("ENV003", "same"),
    F("ENV004", "se02-differs", raw=((r"(SE\*\d+\*)0001", r"\g<1>0002"),), element="SE02"),
    P("ENV004", "same"),
    F("ENV005", "se01-wrong", raw=((r"SE\*\d+\*", "SE*99*"),), element="SE01"),
    F("ENV005", "claim-removed-by-hand", raw=((r"LX\*2~\n.*?(SE\*)", r"\1"),), element="SE01"),
    P("ENV005", "counted"),
    F("ENV006", "ge01-wrong", raw=((r"GE\*1\*", "GE*2*"),), element="GE01"),
    P("ENV006", "one-transaction"),
    F("ENV007", "iea01-wrong", raw=((r"IEA\*1\*", "IEA*2*"),), element="IEA01"),
    P("ENV007", "one-group"),
    # -- hierarchy and lines --
    F("HL001", "gap", (r"HL\*2\*1\*22\*0", "HL*3*1*22*0"), element="HL01"),
    F("HL001", "starts-at-zero", (r"HL\*1\*\*20\*1", "HL*0**20*1"), (r"HL\*2\*1\*22", "HL*1*0*22"),
      element="HL01"),
    P("HL001", "numbered"),
    F("HL002", "subscriber-under-subscriber", (r"HL\*2\*1\*22\*0", "HL*2*1*22*1"),
      (r"(NM1\*PR\*2\*MEDICARE PART B\*\*\*\*\*PI\*04412~\n)",
       r"\1HL*3*2*22*0~\nSBR*P*18*GRP1001******MB~\nNM1*IL*1*LINDQVIST*MARTA****MI*MMH5520914~\n"
       r"NM1*PR*2*MEDICARE PART B*****PI*04412~\n"), element="HL02"),
    P("HL002", "parent-exists"),
    P("HL002", "parent-missing-is-ig382s", (r"HL\*2\*1\*22", "HL*2*5*22")),
    P("HL002", "parent-empty-is-ig401s", (r"HL\*2\*1\*22", "HL*2**22")),
    F("LX001", "gap", (r"LX\*2~", "LX*3~"), element="LX01"),
    F("LX001", "starts-at-two", (r"LX\*1~", "LX*2~"), (r"LX\*2~\nSV1\*HC:97110", "LX*3~\nSV1*HC:97110"),
      element="LX01"),
    P("LX001", "numbered"),
    # -- balancing --
    F("BAL001", "total-too-low", (r"CLM\*CASE-1\*115\*", "CLM*CASE-1*100*"), element="CLM02"),
    P("BAL001", "formatting-differs", (r"CLM\*CASE-1\*115\*", "CLM*CASE-1*115.00*"),
      (r"GP\*30\*UN", "GP*30.0*UN")),
    # -- code sets --
    F("CS001", "bad-check-digit", (r"XX\*1582047639", "XX*1582047630"), element="NM109"),
    F("CS001", "nine-digits", (r"XX\*1318720459", "XX*131872045"), element="NM109"),
    P("CS001", "valid-npis"),
    P("CS001", "member-id-is-not-an-npi", (r"\*MI\*MMH5520914", "*MI*1234567890")),
    F("CS002", "short-taxonomy", (r"PRV\*PE\*PXC\*225100000X", "PRV*PE*PXC*2251000X"), element="PRV03"),
    F("CS002", "lowercase-x", (r"PRV\*BI\*PXC\*225100000X", "PRV*BI*PXC*225100000x"), element="PRV03"),
    P("CS002", "specialty-code", (r"PRV\*PE\*PXC\*225100000X", "PRV*PE*PXC*2251X0800X")),
    F("CS003", "4010-qualifier", (r"PRV\*PE\*PXC", "PRV*PE*ZZ"), element="PRV02"),
    P("CS003", "pxc"),
    F("CS004", "self-pay-09", (r"\*{6}MB~", "******09~"), element="SBR09"),
    P("CS004", "zz-unknown", (r"\*{6}MB~", "******ZZ~")),
    P("CS004", "absent", (r"\*{6}MB~", "~")),
    F("CS005", "institutional-qualifier", (r"\*11:B:1\*", "*11:A:1*"), element="CLM05-2"),
    F("CS005", "clm05-empty", (r"\*11:B:1\*", "**"), element="CLM05-1"),
    P("CS005", "b"),
    F("CS006", "frequency-0", (r"\*11:B:1\*", "*11:B:0*"), element="CLM05-3"),
    P("CS006", "replacement-7", (r"\*11:B:1\*", "*11:B:7*"), (r"(CLM\*[^~]*~\n)", r"\1REF*F8*PAYERCLAIM1~\n")),
    P("CS006", "clm05-empty-is-cs005s", (r"\*11:B:1\*", "**")),
    # -- code sets, SNIP 5 (src/edi_lint/rules/external_codes.py; CS014/CS015 with fixtures/codesets) --
    F("CS007", "dotted-icd10", (r"HI\*ABK:M25561", "HI*ABK:M25.561"), element="HI01-2"),
    P("CS007", "undotted"),
    F("CS008", "icd9-under-abk", (r"HI\*ABK:M25561", "HI*ABK:8901"), element="HI01-2"),
    F("CS008", "stray-character", (r"ABF:M5450", "ABF:M54-50"), element="HI02-2"),
    P("CS008", "icd10-codes"),
    F("CS009", "icd9-in-2026", (r"HI\*ABK:M25561\*ABF:M5450", "HI*BK:8901*BF:7245"), element="HI01-1"),
    P("CS009", "icd9-before-icd10-date", (r"HI\*ABK:M25561\*ABF:M5450", "HI*BK:8901*BF:7245"),
      (r"D8\*20260105", "D8*20150930")),
    F("CS010", "m545-header-in-2026", (r"ABF:M5450", "ABF:M545"), element="HI02-2"),
    F("CS010", "not-in-icd10cm", (r"HI\*ABK:M25561", "HI*ABK:M2556Q"), element="HI01-2"),
    P("CS010", "billable-codes"),
    P("CS010", "outside-the-release-year", (r"ABF:M5450", "ABF:M545"), (r"D8\*20260105", "D8*20200106")),
    F("CS011", "unassigned-pos-38", (r"\*11:B:1\*", "*38:B:1*"), element="CLM05-1"),
    F("CS011", "telehealth-home-before-2022", (L97026, "SV1*HC:97026:GP*30*UN*1*10**1"),
      (r"D8\*20260105", "D8*20211230"), element="SV105"),
    P("CS011", "telehealth-home-2026", (L97026, "SV1*HC:97026:GP*30*UN*1*10**1")),
    P("CS011", "office"),
    F("CS012", "unknown-state", (r"N4\*LAKEVIEW\*OR\*976301234", "N4*LAKEVIEW*XO*976301234"), element="N402"),
    P("CS012", "canadian-province", (r"N4\*LAKEVIEW\*OR\*976305678", "N4*TORONTO*ON*M5V2T6")),
    P("CS012", "foreign-address", (r"N4\*LAKEVIEW\*OR\*976305678", "N4*PARIS*XO*75001*FR")),
    F("CS013", "oregon-zip-in-washington", (r"N4\*LAKEVIEW\*OR\*976301234", "N4*LAKEVIEW*WA*976301234"),
      element="N403"),
    P("CS013", "zip-in-its-state"),
    F("CS014", "not-in-nucc-sample", (r"PRV\*PE\*PXC\*225100000X", "PRV*PE*PXC*225100001X"), element="PRV03"),
    P("CS014", "in-nucc-sample", (r"PRV\*PE\*PXC\*225100000X", "PRV*PE*PXC*2251X0800X")),
    F("CS015", "cpt-not-in-sample", (r"HC:97110:GP", "HC:97999:GP"), element="SV101-2"),
    F("CS015", "hcpcs-not-in-sample", (r"HC:97110:GP", "HC:G9999:GP"), element="SV101-2"),
    P("CS015", "in-samples", (r"HC:97110:GP", "HC:G0283:GP")),
    # -- dates --
    F("DT001", "impossible-date", (r"DTP\*472\*D8\*20260105~\nLX", "DTP*472*D8*20260230~\nLX"), element="DTP03"),
    F("DT001", "reversed-range", (r"DTP\*472\*D8\*20260105~\nLX", "DTP*472*RD8*20260115-20260105~\nLX"),
      element="DTP03"),
    F("DT001", "unknown-format", (r"DTP\*472\*D8\*20260105~\nLX", "DTP*472*DT*202601051200~\nLX"),
      element="DTP02"),
    P("DT001", "valid-range", (r"DTP\*472\*D8\*20260105~\nLX", "DTP*472*RD8*20260105-20260115~\nLX")),
    F("DT002", "no-service-date", (r"DTP\*472\*D8\*20260105~\nLX", "LX"), element=None),
    P("DT002", "dated"),
    # -- service line units --
    F("SVC001", "count-missing", (L97026, "SV1*HC:97026:GP*30*UN****1"), element="SV104"),
    F("SVC001", "both-missing", (L97026, "SV1*HC:97026:GP*30******1"), element="SV103"),
    P("SVC001", "paired"),
]


# The user-supplied code sets CS014/CS015 check against (tiny samples; see fixtures/README.md)
CODE_SETS = {"taxonomy": str(FIXTURES / "codesets" / "nucc-sample.csv"),
             "cpt": str(FIXTURES / "codesets" / "cpt-sample.txt"),
             "hcpcs": str(FIXTURES / "codesets" / "hcpcs-sample.txt"),
             "ncci": str(FIXTURES / "codesets" / "ncci-sample.txt")}
# TH011 (edi-lint's own NCCI table) stands down when the CMS file is configured: its cases run without it
WITHOUT_NCCI_FILE = {k: v for k, v in CODE_SETS.items() if k != "ncci"}


@lru_cache(maxsize=None)
def linter_for(code: str):
    from edi_lint.application import build_linter
    from edi_lint.engine import Settings

    return build_linter(Settings(select=(code,), code_sets=WITHOUT_NCCI_FILE if code == "TH011" else CODE_SETS))


def test_the_base_claim_is_clean_under_every_rule():
    from edi_lint.application import build_linter
    from edi_lint.engine import Settings

    result = build_linter(Settings(select=("ALL",), code_sets=CODE_SETS)).lint_bytes(build_837().encode(), "base.837")
    assert result.status == "linted", result.error
    assert [(f.rule, f.message) for f in result.findings] == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule_case(case: Case):
    text = build_837(case.edits, case.raw)
    result = linter_for(case.rule).lint_bytes(text.encode(), f"{case.id}.837")
    assert result.status == "linted", result.error
    found = [f for f in result.findings if f.rule == case.rule]
    if case.expect == "pass":
        assert found == [], [f.message for f in found]
        return
    assert found, f"{case.rule} did not fire"
    if case.element != "?":
        assert found[0].element == case.element, (found[0].element, found[0].message)
    for finding in found:
        assert finding.message and "{" not in finding.message  # templates fully filled


# Issue 13's audit: every defect it lists is found by the default run (default selection and IG
# validation, with the user's licensed code sets configured), and its false positives and noise stay
# silent there. (item, case id, rules that must not fire in the default run on that case)
AUDIT_FOUND = [
    ("GP/GO/GN on every always-therapy code for Medicare", "TH001-fail-medicare-97110-no-modifier", ()),
    ("KX only with a discipline modifier", "TH006-fail-kx-alone", ()),
    ("CO on a GP line", "TH007-fail-co-with-gp", ()),
    ("97014 billed to Medicare", "TH002-fail-97014-medicare", ()),
    ("97010 billed to Medicare", "TH003-fail-97010-medicare", ()),
    ("97026 units summed per date of service across lines", "PT004-fail-two-one-unit-lines-same-day", ()),
    ("the same service line twice", "TH005-fail-same-line-twice", ()),
    ("NCCI pairs and 59/XU, from the CMS file", "TH010-fail-indicator-1-without-modifier", ("TH011",)),
    ("NCCI pairs and 59/XU, without the CMS file", "TH011-fail-evaluation-with-manual-therapy", ()),
    ("a commercial payer's infrared position (BCBS)", "TH008-fail-bcbs-neuropathy", ()),
    ("PT007 an error for Medicare, one finding", "PT007-fail-pta-renders-medicare", ("PT003",)),
    ("PT007 for Medicare Advantage", "PT007-fail-pta-renders-medicare-advantage", ("PT003",)),
    ("PT008 covers Medicare Advantage", "PT008-fail-medicare-advantage", ()),
    ("CS005/CS006 report one missing CLM05 once", "CS005-fail-clm05-empty", ("CS006",)),
    ("SV107 pointers beyond the HI codes", "SIT001-fail-pointer-past-hi", ()),
    ("frequency 7/8 without REF*F8", "SIT002-fail-replacement-without-ref-f8", ()),
    ("SBR02 = 18 with a 2000C", "SIT003-fail-self-with-patient-loop", ()),
    ("no 2000C when SBR02 is not 18", "SIT003-fail-not-self-without-patient-loop", ()),
    ("SBR01 = S/T without a 2320", "SIT004-fail-secondary-without-2320", ()),
    ("HL04 child code with no child", "SIT005-fail-hl04-one-without-child", ()),
    ("service date after BHT04", "SIT006-fail-service-after-bht04", ()),
    ("date of birth after the service", "SIT007-fail-born-after-service", ()),
    ("duplicate CLM01 in one file", "SIT008-fail-same-clm01-twice", ()),
    ("SV104 = 0", "SIT009-fail-zero-units", ()),
    ("billing provider ZIP not 9 digits", "SIT010-fail-five-digit-zip", ()),
    ("billing provider address a PO box", "SIT011-fail-po-box", ()),
    ("NM1*85*1 with an organisation name", "SIT012-fail-person-named-llc", ()),
    ("ICD-10-CM with a decimal point", "CS007-fail-dotted-icd10", ()),
    ("non-ICD-10 codes under ABK/ABF", "CS008-fail-icd9-under-abk", ()),
    ("ICD-9 on a date of service from 2015-10-01", "CS009-fail-icd9-in-2026", ()),
    ("not a billable ICD-10-CM code on the date (M545)", "CS010-fail-m545-header-in-2026", ()),
    ("place of service not in the CMS list", "CS011-fail-unassigned-pos-38", ()),
    ("a state code that isn't one", "CS012-fail-unknown-state", ()),
    ("a ZIP not in its state", "CS013-fail-oregon-zip-in-washington", ()),
    ("a taxonomy well formed but not in the NUCC list", "CS014-fail-not-in-nucc-sample", ()),
]
AUDIT_SILENT = [
    ("PT003 passes an orthopaedic PT", "PT003-pass-orthopaedic-specialisation", ("PT003", "PT010")),
    ("PT003 passes a sports PT", "PT003-pass-sports-specialisation", ("PT003", "PT010")),
    ("PT003 on a claim with no PRV at all", "PT003-pass-no-prv-anywhere", ("PT003",)),
    ("PT001 + PT003 on an OT billing 97026 with GO", "PT003-pass-occupational-therapist-with-go", ("PT001", "PT003")),
    ("PT009 left the default run", "PT009-fail-sv105-equals-clm05", ("PT009",)),
    ("PT008 honours GA", "PT008-pass-ga-abn-on-file", ("PT008",)),
    ("PT008 honours GZ", "PT008-pass-gz-expected-denial", ("PT008",)),
    ("PT008 honours GX", "PT008-pass-gx-voluntary-notice", ("PT008",)),
    ("the clean claim", "PT010-pass-claim-prv", ("*",)),
]
CASES_BY_ID = {c.id: c for c in CASES}


@lru_cache(maxsize=None)
def default_linter(ncci_file: bool):
    from edi_lint.application import build_linter
    from edi_lint.engine import Settings

    return build_linter(Settings(code_sets=CODE_SETS if ncci_file else WITHOUT_NCCI_FILE))


@pytest.mark.parametrize("item,case_id,silent", AUDIT_FOUND, ids=[a[0] for a in AUDIT_FOUND])
def test_the_default_run_finds_every_defect_the_audit_lists(item, case_id, silent):
    case = CASES_BY_ID[case_id]
    text = build_837(case.edits, case.raw)
    found = {f.rule for f in default_linter(case.rule != "TH011").lint_bytes(text.encode(), "a.837").findings}
    assert case.rule in found, (item, found)
    assert not found & set(silent), (item, found)


@pytest.mark.parametrize("item,case_id,silent", AUDIT_SILENT, ids=[a[0] for a in AUDIT_SILENT])
def test_the_default_run_is_silent_on_the_audits_false_positives(item, case_id, silent):
    case = CASES_BY_ID[case_id]
    text = build_837(case.edits, case.raw)
    found = {f.rule for f in default_linter(False).lint_bytes(text.encode(), "a.837").findings}
    assert (not found) if silent == ("*",) else not found & set(silent), (item, found)


def test_every_rule_has_a_failing_and_a_passing_case():
    from edi_lint.rules.registry import load_registry

    # IG* wrap pyx12's implementation-guide validation and are tested in test_ig.py
    codes = {code for code in load_registry().infos if not code.startswith("IG")}
    failing = {c.rule for c in CASES if c.expect == "fail"}
    passing = {c.rule for c in CASES if c.expect == "pass"}
    assert codes - failing == set(), "rules without a failing case"
    assert codes - passing == set(), "rules without a passing case"
    assert len(codes) >= 25


def test_every_rule_explains_itself():
    from edi_lint.cli import render_explanation
    from edi_lint.rules.registry import load_registry

    for code, info in load_registry().infos.items():
        if code.startswith("IG"):  # pyx12 findings: explained per family in ig.py
            continue
        assert info.source, code
        assert info.explanation, code
        assert info.example_bad and info.example_good, code
        text = render_explanation(info)
        assert "Source:" in text and "Fails:" in text and "Passes:" in text
