#!/usr/bin/env python3
"""Seeded, deterministic generator of realistic 837P (005010X222A1) files for the benchmark.

Stdlib only. Usable as a module (`generate(...)`) and as a script:

    python bench/gen837.py 1000 --lines 4 --tx 3 --seed 7 --defect-rate 0.05 -o bench/out/x.837 \
        --expected bench/out/x.expected.json

The output is streamed one claim at a time, so 200,000 claims (about 100 MB) never sit in memory.

Seeded defects, one per affected 97026 service line, match the core PT rules:

* PT001  the 97026 line has no GP modifier (no modifier at all, or GO / GN where GP belongs)
* PT002  the line's effective place of service is not 11 (SV105 = 12/22/02/19 on the line, or
         CLM05-1 not 11 and no SV105)
* PT003  the line's effective rendering taxonomy is not a physical therapist's (wrong PRV03 in 2420A,
         wrong PRV03 in 2310B, or a wrong 2000A PRV*BI when no 2310B / 2420A applies)
* PT010  the line's rendering taxonomy cannot be determined (2420A or 2310B without PRV, or no
         taxonomy anywhere): a warning since issue 13, as the guide lets a claim omit PRV

Precedence used (as in the ruleset spec):
    place of service   = SV105 if present else CLM05-1
    rendering taxonomy = 2420A PRV03 if 2420A NM1*82 present
                         else 2310B PRV03 if 2310B NM1*82 present
                         else 2000A PRV*BI PRV03; missing => undeterminable => PT010

Everything else is clean under the default rules and IG validation, so a run reports the seeded
defects and nothing more: every line carries GP for Medicare (TH001), Medicare and UnitedHealthcare
get G0283 for unattended electrical stimulation (TH002) and no 97010 for Medicare (TH003), and a
date of service (a visit) never has the same procedure twice (PT004, TH004 units per day, TH005
duplicate lines) nor an NCCI pair (TH011); a claim's visits are consecutive days before the file's creation date (BHT04).
The generator records the exact set of (rule, CLM01, LX01) it seeded; `--expected FILE.json` writes
it, and counts go to stderr.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import date, timedelta
from dataclasses import dataclass, field
from typing import IO, Iterable

GOOD_TAXONOMY = "225100000X"  # Physical Therapist
WRONG_TAXONOMIES = ("225X00000X", "207X00000X", "207Q00000X", "235Z00000X", "111N00000X")  # none a PT (2251...X)
GROUP_TAXONOMIES = ("261QR0400X", "208100000X")  # rehab clinic, PM&R physician group: not a PT
TARGET_CODE = "97026"
OTHER_CODES = (  # code, price per unit in cents, timed?
    ("97110", 4500, True),
    ("97140", 4200, True),
    ("97112", 4700, True),
    ("97530", 4900, True),
    ("97035", 2100, True),
    ("97010", 1200, False),
    ("97014", 1800, False),
)
# Medicare and UnitedHealthcare bill unattended electrical stimulation as G0283 (TH002); Medicare bundles
# 97010 (TH003), so a Medicare claim leaves it off
G0283_CODES = tuple(("G0283",) + c[1:] if c[0] == "97014" else c for c in OTHER_CODES)
MEDICARE_CODES = tuple(c for c in G0283_CODES if c[0] != "97010")
TARGET_PRICE = 3000
LAST_DOS = date(2026, 11, 26)  # the day before BHT04 (20261127): no date of service after the file
BAD_POS = ("12", "22", "02", "19")
RULES = ("PT001", "PT002", "PT003")  # the rule a seeded defect is drawn for
REPORTED = ("PT001", "PT002", "PT003", "PT010")  # the rules the seeded defects are reported as
UNDETERMINABLE = ("2420A-noprv", "2310B-noprv", "none-anywhere")  # PT003 variants reported as PT010

# (payer name, payer id, SBR09 choices, patient loop allowed)
PAYERS = (
    ("MEDICARE PART B", "04412", ("MB",), False),
    ("AETNA", "60054", ("CI", "HM"), True),
    ("BLUE CROSS BLUE SHIELD OF TEXAS", "84980", ("BL",), True),
    ("CIGNA", "62308", ("CI",), True),
    ("UNITEDHEALTHCARE", "87726", ("CI", "HM"), True),
    ("TEXAS MEDICAID", "TXMCD", ("MC",), True),
)
PAYER_WEIGHTS = (35, 15, 15, 10, 15, 10)

LAST_NAMES = (
    "SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "DAVIS", "RODRIGUEZ",
    "MARTINEZ", "HERNANDEZ", "LOPEZ", "GONZALEZ", "WILSON", "ANDERSON", "THOMAS", "TAYLOR", "MOORE",
    "JACKSON", "MARTIN", "LEE", "PEREZ", "THOMPSON", "WHITE", "HARRIS", "SANCHEZ", "CLARK", "RAMIREZ",
    "LEWIS", "ROBINSON", "WALKER", "YOUNG", "ALLEN", "KING", "WRIGHT", "SCOTT", "TORRES", "NGUYEN",
)
FIRST_F = ("MARY", "PATRICIA", "JENNIFER", "LINDA", "ELIZABETH", "BARBARA", "SUSAN", "JESSICA", "SARAH", "KAREN")
FIRST_M = ("JAMES", "ROBERT", "JOHN", "MICHAEL", "DAVID", "WILLIAM", "RICHARD", "JOSEPH", "THOMAS", "CHARLES")
STREETS = ("MAIN ST", "OAK AVE", "ELM ST", "PARK BLVD", "CEDAR LN", "MAPLE DR", "LAKE RD", "HILL ST")
CITIES = (
    ("AUSTIN", "TX", "78701"), ("DALLAS", "TX", "75201"), ("HOUSTON", "TX", "77002"),
    ("SAN ANTONIO", "TX", "78205"), ("EL PASO", "TX", "79901"), ("PLANO", "TX", "75024"),
)
ICD10 = ("M5450", "M5416", "M25561", "M25511", "M79604", "M6281", "S335XXA", "M1711", "M7502", "G8929")
CLINICS = (
    "ACME PHYSICAL THERAPY", "LONE STAR REHAB", "BLUEBONNET PT GROUP", "HILL COUNTRY THERAPY",
    "GULF COAST PHYSICAL THERAPY", "PRAIRIE MOTION CLINIC",
)


# --------------------------------------------------------------------------- helpers


def npi_check_digit(base9: str) -> str:
    """Luhn check digit for a 9-digit NPI base, computed as if prefixed by 80840 (constant 24)."""
    total = 24
    for i, ch in enumerate(reversed(base9)):
        d = ord(ch) - 48
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def npi_valid(npi: str) -> bool:
    return len(npi) == 10 and npi.isdigit() and npi_check_digit(npi[:9]) == npi[9]


def money(cents: int) -> str:
    """X12 decimal without useless trailing zeros: 4500 -> '45', 4550 -> '45.5', 4525 -> '45.25'."""
    whole, frac = divmod(cents, 100)
    if frac == 0:
        return str(whole)
    if frac % 10 == 0:
        return f"{whole}.{frac // 10}"
    return f"{whole}.{frac:02d}"


@dataclass
class Defect:
    rule: str
    claim_id: str
    line_number: int
    variant: str
    transaction: str

    def key(self) -> tuple[str, str, int]:
        return (self.rule, self.claim_id, self.line_number)


@dataclass
class Stats:
    claims: int = 0
    lines: int = 0
    target_lines: int = 0
    transactions: int = 0
    segments: int = 0
    bytes: int = 0
    patient_loops: int = 0
    billing_providers: int = 0
    defects: list[Defect] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {r: 0 for r in REPORTED}
        for d in self.defects:
            out[d.rule] += 1
        return out

    def expected_keys(self) -> set[tuple[str, str, int]]:
        return {d.key() for d in self.defects}

    def to_json(self, params: dict | None = None) -> dict:
        return {
            "params": params or {},
            "claims": self.claims,
            "service_lines": self.lines,
            "target_code": TARGET_CODE,
            "target_lines": self.target_lines,
            "transactions": self.transactions,
            "segments": self.segments,
            "bytes": self.bytes,
            "patient_loops": self.patient_loops,
            "billing_providers": self.billing_providers,
            "counts": self.counts(),
            "defects": [
                {
                    "rule": d.rule,
                    "claim_id": d.claim_id,
                    "line_number": d.line_number,
                    "variant": d.variant,
                    "transaction": d.transaction,
                }
                for d in self.defects
            ],
        }


# --------------------------------------------------------------------------- generator


# NCCI pairs (TH011's table) among the generated codes: never on one date of service without 59
NCCI_PAIRS = {"97530": "97140", "97140": "97530"}


def visit_days(codes: list[str]) -> list[int]:
    """Day offset of each line: two lines per visit, a new visit (the next day) before a procedure would
    repeat within one, so no date of service bills a code twice (units per day, duplicate lines) or an
    NCCI pair."""
    days: list[int] = []
    day, seen = 0, set()
    for code in codes:
        if len(seen) == 2 or code in seen or NCCI_PAIRS.get(code) in seen:
            day, seen = day + 1, set()
        seen.add(code)
        days.append(day)
    return days


class _Gen:
    def __init__(self, rng: random.Random, lines: int, defect_rate: float, patient_rate: float,
                 rendering_rate: float, line_provider_rate: float, target_rate: float):
        self.r = rng
        self.k = lines
        self.defect_rate = defect_rate
        self.patient_rate = patient_rate
        self.rendering_rate = rendering_rate
        self.line_provider_rate = line_provider_rate
        self.target_rate = target_rate
        # a pool of rendering PTs (NPI, last, first) reused across claims, like a real clinic roster
        self.pts = [self._person_npi() for _ in range(40)]

    # -- small random pieces
    def npi(self) -> str:
        base = str(self.r.choice((1, 2))) + "".join(str(self.r.randrange(10)) for _ in range(8))
        return base + npi_check_digit(base)

    def _person_npi(self) -> tuple[str, str, str]:
        base = "1" + "".join(str(self.r.randrange(10)) for _ in range(8))
        return (base + npi_check_digit(base), self.r.choice(LAST_NAMES), self.r.choice(FIRST_F + FIRST_M))

    def address(self) -> tuple[str, str]:
        r = self.r
        city, st, zip5 = r.choice(CITIES)
        n3 = f"N3*{r.randrange(100, 9999)} {r.choice(STREETS)}"
        n4 = f"N4*{city}*{st}*{zip5}{r.randrange(1000, 9999)}"
        return n3, n4

    def dmg(self, young: bool = False) -> str:
        r = self.r
        year = r.randrange(2005, 2020) if young else r.randrange(1935, 2000)
        return f"DMG*D8*{year}{r.randrange(1, 13):02d}{r.randrange(1, 29):02d}*{r.choice('FM')}"

    # -- billing provider (2000A + 2010AA), fresh every so often
    def billing_provider(self, hl: int) -> tuple[list[str], str | None]:
        r = self.r
        x = r.random()
        if x < 0.6:
            tax: str | None = GOOD_TAXONOMY  # PT practice, rendering == billing is fine
        elif x < 0.85:
            tax = r.choice(GROUP_TAXONOMIES)  # group taxonomy: not the PT's
        else:
            tax = None  # no PRV*BI sent
        segs = [f"HL*{hl}**20*1"]
        if tax is not None:
            segs.append(f"PRV*BI*PXC*{tax}")
        n3, n4 = self.address()
        segs += [
            f"NM1*85*2*{r.choice(CLINICS)}*****XX*{self.npi()}",
            n3,
            n4,
            f"REF*EI*{r.randrange(10**8, 10**9)}",
        ]
        return segs, tax

    # -- one claim (2300 and below), returns segments and the seeded defects
    def claim(self, clm01: str, bp_tax: str | None, st02: str, medicare: bool,
              g0283: bool = False) -> tuple[list[str], list[Defect]]:
        r = self.r
        k = self.k
        others = MEDICARE_CODES if medicare else G0283_CODES if g0283 else OTHER_CODES
        codes: list[tuple[str, int, bool]] = []
        for _ in range(k):
            if r.random() < self.target_rate:
                codes.append((TARGET_CODE, TARGET_PRICE, False))
            else:
                codes.append(r.choice(others))
        # per line: None = clean, else (rule, variant)
        plan: list[tuple[str, str] | None] = [None] * k
        for i, (code, _, _) in enumerate(codes):
            if code == TARGET_CODE and r.random() < self.defect_rate:
                rule = r.choice(RULES)
                if rule == "PT001":
                    plan[i] = (rule, r.choice(("no-modifier", "GO", "GN", "GO+59")))
                elif rule == "PT002":
                    plan[i] = (rule, r.choice(("sv105", "sv105", "clm05")))
                else:
                    feasible = ["2420A-wrong", "2420A-noprv", "2310B-wrong", "2310B-noprv"]
                    if bp_tax is None:
                        feasible.append("none-anywhere")
                    elif bp_tax != GOOD_TAXONOMY:
                        feasible.append("2000A-wrong")
                    plan[i] = (rule, r.choice(feasible))

        # claim-level consequences of the plan, resolving conflicts between lines
        claim_mode: str | None = None  # "2310B-wrong", "2310B-noprv", "no-2310B"
        clm_pos = "11"
        for i, p in enumerate(plan):
            if p is None:
                continue
            rule, variant = p
            if rule == "PT002" and variant == "clm05":
                clm_pos = r.choice(("22", "12", "19")) if clm_pos == "11" else clm_pos
            if rule == "PT003":
                need = {
                    "2310B-wrong": "2310B-wrong",
                    "2310B-noprv": "2310B-noprv",
                    "2420A-noprv": "no-2310B",
                    "2000A-wrong": "no-2310B",
                    "none-anywhere": "no-2310B",
                }.get(variant)
                if need is None:
                    continue
                if claim_mode is None:
                    claim_mode = need
                elif claim_mode != need:
                    plan[i] = (rule, "2420A-wrong")

        # 2310B
        segs_2310b: list[str] = []
        claim_tax: str | None  # taxonomy a line gets when it has no 2420A; None = undeterminable
        if claim_mode == "2310B-wrong" or claim_mode == "2310B-noprv" or (
            claim_mode is None and r.random() < self.rendering_rate
        ):
            npi, last, first = r.choice(self.pts)
            segs_2310b.append(f"NM1*82*1*{last}*{first}****XX*{npi}")
            if claim_mode == "2310B-wrong":
                claim_tax = r.choice(WRONG_TAXONOMIES)
                segs_2310b.append(f"PRV*PE*PXC*{claim_tax}")
            elif claim_mode == "2310B-noprv":
                claim_tax = None
            else:
                claim_tax = GOOD_TAXONOMY
                segs_2310b.append(f"PRV*PE*PXC*{claim_tax}")
        else:
            claim_tax = bp_tax

        # service lines
        line_segs: list[str] = []
        total = 0
        defects: list[Defect] = []
        start = min(date(2026, r.randrange(1, 11), r.randrange(1, 20)), LAST_DOS - timedelta(days=k - 1))
        visits = visit_days([code for code, _, _ in codes])
        ndx = r.randrange(1, 3)
        for i, (code, price, timed) in enumerate(codes):
            lx = i + 1
            p = plan[i]
            units = r.randrange(1, 4) if timed else 1
            charge = price * units
            total += charge
            sv105 = ""
            l2420: list[str] = []
            if code == TARGET_CODE:
                rule, variant = p if p is not None else ("", "")
                # modifiers
                if rule == "PT001":
                    mods = {"no-modifier": "", "GO": ":GO", "GN": ":GN", "GO+59": ":GO:59"}[variant]
                else:
                    mods = r.choice((":GP", ":GP", ":GP", ":GP:KX", ":59:GP"))
                # place of service
                if rule == "PT002" and variant == "sv105":
                    sv105 = r.choice([c for c in BAD_POS if c != clm_pos])
                elif rule == "PT002" and variant == "clm05":
                    sv105 = ""  # inherits the bad CLM05-1
                elif clm_pos != "11":
                    sv105 = "11"  # line differs from the claim: SV105 sent, as the TR3 says
                # rendering provider / taxonomy
                if rule == "PT003" and variant == "2420A-wrong":
                    npi, last, first = r.choice(self.pts)
                    l2420 = [f"NM1*82*1*{last}*{first}****XX*{npi}", f"PRV*PE*PXC*{r.choice(WRONG_TAXONOMIES)}"]
                elif rule == "PT003" and variant == "2420A-noprv":
                    npi, last, first = r.choice(self.pts)
                    l2420 = [f"NM1*82*1*{last}*{first}****XX*{npi}"]
                elif rule == "PT003":
                    pass  # 2310B-wrong / 2310B-noprv / 2000A-wrong / none-anywhere: inherit claim_tax
                elif claim_tax != GOOD_TAXONOMY or r.random() < self.line_provider_rate:
                    npi, last, first = r.choice(self.pts)
                    l2420 = [f"NM1*82*1*{last}*{first}****XX*{npi}", f"PRV*PE*PXC*{GOOD_TAXONOMY}"]
                if p is not None:
                    reported = "PT010" if variant in UNDETERMINABLE else rule
                    defects.append(Defect(reported, clm01, lx, variant, st02))
            else:
                mods = ":GP" if medicare or r.random() < 0.9 else ""  # Medicare: always (TH001)
                if clm_pos != "11" and r.random() < 0.5:
                    sv105 = "11"
                if r.random() < self.line_provider_rate * 0.5:
                    npi, last, first = r.choice(self.pts)
                    l2420 = [f"NM1*82*1*{last}*{first}****XX*{npi}", f"PRV*PE*PXC*{GOOD_TAXONOMY}"]
            ptr = "1" if ndx == 1 else r.choice(("1", "1:2", "2"))
            line_segs.append(f"LX*{lx}")
            line_segs.append(f"SV1*HC:{code}{mods}*{money(charge)}*UN*{units}*{sv105}**{ptr}")
            line_segs.append(f"DTP*472*D8*{start + timedelta(days=visits[i]):%Y%m%d}")
            line_segs.extend(l2420)

        hi = "HI*ABK:" + "*ABF:".join(r.sample(ICD10, ndx))
        segs = [f"CLM*{clm01}*{money(total)}***{clm_pos}:B:1*Y*A*Y*Y", hi]
        segs.extend(segs_2310b)
        segs.extend(line_segs)
        return segs, defects


def generate(
    out: IO[str],
    n_claims: int,
    lines: int = 4,
    tx: int = 1,
    seed: int = 0,
    defect_rate: float = 0.05,
    newlines: bool = False,
    patient_rate: float = 0.25,
    rendering_rate: float = 0.5,
    line_provider_rate: float = 0.15,
    target_rate: float = 0.4,
) -> Stats:
    """Write one interchange (ISA/GS with `tx` ST/SE sets) holding `n_claims` claims to `out`."""
    if n_claims < 1:
        raise ValueError("n_claims must be >= 1")
    if not 1 <= lines <= 50:
        raise ValueError("lines must be 1..50 (TR3 max 50 service lines per claim)")
    tx = max(1, min(tx, n_claims))
    r = random.Random(seed)
    g = _Gen(r, lines, defect_rate, patient_rate, rendering_rate, line_provider_rate, target_rate)
    st = Stats(transactions=tx)
    term = "~\n" if newlines else "~"

    def emit(segs: Iterable[str]) -> int:
        text = term.join(segs) + term
        out.write(text)
        st.bytes += len(text)
        return 0

    # envelope: deterministic from the seed (no clock), ISA exactly 106 characters
    isa13 = f"{(seed * 7919 + 1) % 10**9:09d}"
    gs06 = str((seed * 31 + 1) % 10**8 + 1)
    d6, d8, hm = "261127", "20261127", "0700"
    isa = (
        f"ISA*00*{'':10}*00*{'':10}*ZZ*{'EDILINTSUB':15}*ZZ*{'EDILINTRCV':15}"
        f"*{d6}*{hm}*^*00501*{isa13}*0*T*:"
    )
    assert len(isa) + 1 == 106, len(isa)
    emit([isa, f"GS*HC*EDILINTSUB*EDILINTRCV*{d8}*{hm}*{gs06}*X*005010X222A1"])
    st.segments += 2

    per_tx = [n_claims // tx + (1 if i < n_claims % tx else 0) for i in range(tx)]
    claim_no = 0
    pcn_prefix = f"P{seed % 1000:03d}"
    for t, n_t in enumerate(per_tx):
        st02 = f"{t + 1:04d}"
        hdr = [
            f"ST*837*{st02}*005010X222A1",
            f"BHT*0019*00*B{seed % 10**6:06d}{t + 1:04d}*{d8}*{hm}*CH",
            "NM1*41*2*EDI LINT BENCH SUBMITTER*****46*EDILINTSUB",
            "PER*IC*BENCH CONTACT*TE*5125550100*EM*BENCH@EXAMPLE.COM",
            "NM1*40*2*EDI LINT BENCH RECEIVER*****46*EDILINTRCV",
        ]
        emit(hdr)
        nseg = len(hdr)
        hl = 0
        done = 0
        bp_left = 0
        bp_hl = 0
        bp_tax: str | None = None
        while done < n_t:
            buf: list[str] = []
            if bp_left <= 0:
                hl += 1
                bp_hl = hl
                bp_segs, bp_tax = g.billing_provider(hl)
                buf.extend(bp_segs)
                bp_left = r.randrange(20, 400)
                st.billing_providers += 1
            # subscriber (2000B / 2010BA / 2010BB)
            pname, pid, sbr09s, pat_ok = PAYERS[r.choices(range(len(PAYERS)), PAYER_WEIGHTS)[0]]
            medicare = pid == "04412"
            with_patient = pat_ok and r.random() < g.patient_rate
            hl += 1
            sub_hl = hl
            sbr09 = r.choice(sbr09s)
            grp = "" if medicare else f"G{r.randrange(10**5, 10**6)}"
            buf.append(f"HL*{sub_hl}*{bp_hl}*22*{1 if with_patient else 0}")
            buf.append(f"SBR*P*{'' if with_patient else '18'}*{grp}******{sbr09}")
            sub_last = r.choice(LAST_NAMES)
            member = (f"{r.randrange(1, 10)}EG{r.randrange(1, 10)}TE{r.randrange(10, 99)}MK{r.randrange(10, 99)}"
                      if medicare else f"W{r.randrange(10**8, 10**9)}")
            buf.append(f"NM1*IL*1*{sub_last}*{r.choice(FIRST_F + FIRST_M)}****MI*{member}")
            n3, n4 = g.address()
            buf += [n3, n4, g.dmg()]
            buf.append(f"NM1*PR*2*{pname}*****PI*{pid}")
            if with_patient:
                hl += 1
                st.patient_loops += 1
                buf.append(f"HL*{hl}*{sub_hl}*23*0")
                buf.append(f"PAT*{r.choice(('19', '19', '01'))}")
                buf.append(f"NM1*QC*1*{sub_last}*{r.choice(FIRST_F + FIRST_M)}")
                buf += [n3, n4, g.dmg(young=True)]
            n_claims_here = 2 if (r.random() < 0.1 and n_t - done >= 2) else 1
            for _ in range(n_claims_here):
                claim_no += 1
                clm01 = f"{pcn_prefix}C{claim_no:08d}"
                segs, defects = g.claim(clm01, bp_tax, st02, medicare, g0283=pid == "87726")
                buf.extend(segs)
                st.defects.extend(defects)
                st.claims += 1
                st.lines += lines
                st.target_lines += sum(1 for s in segs if s.startswith("SV1*HC:97026"))
                done += 1
                bp_left -= 1
            nseg += len(buf)
            emit(buf)
        nseg += 1
        emit([f"SE*{nseg}*{st02}"])
        st.segments += nseg
    emit([f"GE*{tx}*{gs06}", f"IEA*1*{isa13}"])
    st.segments += 2
    return st


def generate_file(path: str, n_claims: int, **kw) -> Stats:
    with open(path, "w", encoding="ascii", newline="", buffering=1 << 20) as fh:
        return generate(fh, n_claims, **kw)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n_claims", type=int)
    ap.add_argument("--lines", type=int, default=4, help="service lines per claim (default 4)")
    ap.add_argument("--tx", type=int, default=1, help="ST/SE transaction sets in the file (default 1)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--defect-rate", "--bad-rate", dest="defect_rate", type=float, default=0.05,
                    help="probability that a 97026 line gets one seeded PT001/PT002/PT003 (or PT010) defect")
    ap.add_argument("--patient-rate", type=float, default=0.25, help="share of non-Medicare subscribers with a 2000C")
    ap.add_argument("--rendering-rate", type=float, default=0.5, help="share of claims with a 2310B")
    ap.add_argument("--line-provider-rate", type=float, default=0.15, help="share of lines with an extra 2420A")
    ap.add_argument("--target-rate", type=float, default=0.4, help="share of lines billed with 97026")
    ap.add_argument("--newlines", action="store_true", help="write a LF after each ~")
    ap.add_argument("-o", "--output", default="-", help="output file (default stdout)")
    ap.add_argument("--expected", help="write the seeded defects as JSON to this file")
    a = ap.parse_args(argv)
    kw = dict(lines=a.lines, tx=a.tx, seed=a.seed, defect_rate=a.defect_rate, newlines=a.newlines,
              patient_rate=a.patient_rate, rendering_rate=a.rendering_rate,
              line_provider_rate=a.line_provider_rate, target_rate=a.target_rate)
    if a.output == "-":
        st = generate(sys.stdout, a.n_claims, **kw)
    else:
        st = generate_file(a.output, a.n_claims, **kw)
    if a.expected:
        with open(a.expected, "w", encoding="utf-8") as fh:
            json.dump(st.to_json({"n_claims": a.n_claims, **kw}), fh, indent=1)
            fh.write("\n")
    c = st.counts()
    print(
        f"gen837: {st.claims} claims, {st.lines} lines ({st.target_lines} x 97026), {st.transactions} tx, "
        f"{st.segments} segments, {st.bytes} bytes, {st.patient_loops} patient loops; seeded defects: "
        + ", ".join(f"{k}={v}" for k, v in c.items()) + f", total={sum(c.values())}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
