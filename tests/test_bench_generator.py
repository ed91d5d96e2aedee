"""Fast checks of the benchmark's 837P generator (bench/gen837.py).

The file is parsed here independently of the generator, so the seeded-defect list is checked
against what the text actually says, not against the generator's own bookkeeping.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import bench_module

GEN_PATH = Path(__file__).resolve().parents[1] / "bench" / "gen837.py"

gen = bench_module("gen837")


def make(n=60, **kw):
    buf = io.StringIO()
    st = gen.generate(buf, n, **kw)
    return buf.getvalue(), st


def segments(text: str) -> list[list[str]]:
    assert text[:3] == "ISA" and len(text) >= 106
    e, t = text[3], text[105]
    return [s.strip("\r\n").split(e) for s in text.split(t) if s.strip("\r\n")]


def plain_luhn_ok(npi: str) -> bool:
    """Plain Luhn over 80840 + NPI (the CMS definition), written without the generator's shortcut."""
    digits = [int(c) for c in "80840" + npi]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return len(npi) == 10 and total % 10 == 0


PT_TAXONOMY = re.compile(r"2251[0-9A-Z]{5}X")  # 225100000X and its specialisations: a physical therapist


def actual_defects(segs: list[list[str]]) -> set[tuple[str, str, int]]:
    """Apply PT001-PT003 and PT010 with the documented precedence, from the text alone."""
    found: set[tuple[str, str, int]] = set()
    bp_tax = None
    c2310b = None  # None = no 2310B; "" = 2310B without PRV
    clm01 = clm_pos = None
    line = None  # dict for the current 2400
    loop = None

    def close_line():
        if line is None or line["code"] != "97026":
            return
        if "GP" not in line["mods"]:
            found.add(("PT001", clm01, line["lx"]))
        pos = line["sv105"] or clm_pos
        if pos != "11":
            found.add(("PT002", clm01, line["lx"]))
        if line["l2420"] is not None:
            tax = line["l2420"]
        elif c2310b is not None:
            tax = c2310b
        else:
            tax = bp_tax
        if not tax:  # no 2420A/2310B PRV, or no taxonomy anywhere: undeterminable
            found.add(("PT010", clm01, line["lx"]))
        elif not PT_TAXONOMY.fullmatch(tax):
            found.add(("PT003", clm01, line["lx"]))

    for s in segs:
        tag = s[0]
        if tag in ("HL", "CLM", "LX", "SE"):
            close_line()
            line = None
        if tag == "HL":
            loop = {"20": "2000A", "22": "2000B", "23": "2000C"}[s[3]]
            if loop == "2000A":
                bp_tax = None
        elif tag == "PRV" and s[1] == "BI":
            assert loop == "2000A"
            bp_tax = s[3]
        elif tag == "CLM":
            loop = "2300"
            clm01 = s[1]
            clm_pos = s[5].split(":")[0]
            c2310b = None
        elif tag == "NM1" and s[1] == "82":
            if line is None:
                loop = "2310B"
                c2310b = ""
            else:
                loop = "2420A"
                line["l2420"] = ""
        elif tag == "PRV" and s[1] == "PE":
            if loop == "2310B":
                c2310b = s[3]
            else:
                assert loop == "2420A"
                line["l2420"] = s[3]
        elif tag == "LX":
            loop = "2400"
            line = {"lx": int(s[1]), "code": None, "mods": (), "sv105": "", "l2420": None}
        elif tag == "SV1":
            comp = s[1].split(":")
            line["code"] = comp[1]
            line["mods"] = tuple(comp[2:6])
            line["sv105"] = s[5] if len(s) > 5 else ""
    return found


def test_deterministic_for_seed():
    a, _ = make(40, seed=11, tx=2, defect_rate=0.3)
    b, _ = make(40, seed=11, tx=2, defect_rate=0.3)
    c, _ = make(40, seed=12, tx=2, defect_rate=0.3)
    assert a == b
    assert a != c


def test_isa_fixed_width_and_delimiters():
    text, _ = make(3, seed=1)
    isa = text[:106]
    assert isa[3] == "*" and isa[82] == "^" and isa[84:89] == "00501" and isa[104] == ":" and isa[105] == "~"
    gs = segments(text)[1]
    assert gs[1] == "HC" and gs[8] == "005010X222A1"


@pytest.mark.parametrize("newlines", [False, True])
def test_envelope_counts_and_numbering(newlines):
    text, st = make(75, seed=5, tx=4, lines=3, newlines=newlines, patient_rate=0.6)
    segs = segments(text)
    assert segs[0][0] == "ISA" and segs[-1][0] == "IEA"
    assert st.segments == len(segs)
    n_gs = sum(1 for s in segs if s[0] == "GS")
    n_st = sum(1 for s in segs if s[0] == "ST")
    assert segs[-1][1] == str(n_gs) and segs[-1][2] == segs[0][13]
    assert segs[-2][0] == "GE" and segs[-2][1] == str(n_st) == "4" and segs[-2][2] == segs[1][6]
    st_start = None
    st02s = set()
    for i, s in enumerate(segs):
        if s[0] == "ST":
            st_start, hl_next = i, 1
            hls = {}
            assert s[1] == "837" and s[3] == "005010X222A1"
            st02s.add(s[2])
        elif s[0] == "HL":
            assert int(s[1]) == hl_next  # restarts at 1 in every ST
            hl_next += 1
            hls[s[1]] = s[3]
            parent = {"20": None, "22": "20", "23": "22"}[s[3]]
            assert (hls.get(s[2]) if s[2] else None) == parent
        elif s[0] == "SE":
            assert int(s[1]) == i - st_start + 1
            assert s[2] == segs[st_start][2]
    assert len(st02s) == 4
    assert sum(1 for s in segs if s[0] == "CLM") == 75 == st.claims
    assert any(s[0] == "HL" and s[3] == "23" for s in segs)


def test_clm02_is_sum_of_sv102_and_lx_sequence():
    text, _ = make(80, seed=3, lines=6, defect_rate=0.5)
    segs = segments(text)
    claims = []
    for s in segs:
        if s[0] == "CLM":
            claims.append([Decimal(s[2]), Decimal(0), []])
        elif s[0] == "LX":
            claims[-1][2].append(int(s[1]))
        elif s[0] == "SV1":
            claims[-1][1] += Decimal(s[2])
            assert s[3] == "UN" and int(s[4]) >= 1
    assert len(claims) == 80
    for total, summed, lx in claims:
        assert total == summed
        assert lx == list(range(1, 7))


def test_npis_pass_luhn():
    text, _ = make(100, seed=8, line_provider_rate=0.5)
    npis = [s[9] for s in segments(text) if s[0] == "NM1" and len(s) > 9 and s[8] == "XX"]
    assert len(npis) > 100
    assert all(plain_luhn_ok(n) for n in npis)
    assert plain_luhn_ok("1234567893") and not plain_luhn_ok("1234567890")
    assert gen.npi_valid("1558598797") and not gen.npi_valid("1234567890")


@pytest.mark.parametrize("seed,rate", [(1, 0.0), (2, 0.1), (3, 0.5), (4, 1.0)])
def test_expected_defects_match_text(seed, rate):
    text, st = make(150, seed=seed, tx=3, lines=5, defect_rate=rate, patient_rate=0.5)
    segs = segments(text)
    found = actual_defects(segs)
    assert found == st.expected_keys()
    assert len(st.defects) == len(st.expected_keys())  # one defect per seeded line
    if rate == 0:
        assert not found
    if rate == 1.0:
        # every 97026 line is defective, and every rule appears
        assert len(found) == st.target_lines
        assert {r for r, _, _ in found} == {"PT001", "PT002", "PT003", "PT010"}
    # independent count: 97026 lines lacking GP
    no_gp = sum(
        1 for s in segs if s[0] == "SV1" and s[1].split(":")[1] == "97026" and "GP" not in s[1].split(":")[2:]
    )
    assert no_gp == st.counts()["PT001"]


def test_all_variants_occur():
    # a billing provider serves 20-400 claims, so its taxonomy (good, a group's, none) varies by seed
    variants = {(d.rule, d.variant) for seed in (21, 22, 23) for d in make(400, seed=seed, defect_rate=0.6)[1].defects}
    for v in ("2420A-wrong", "2310B-wrong", "2000A-wrong"):
        assert ("PT003", v) in variants
    for v in ("2420A-noprv", "2310B-noprv", "none-anywhere"):  # undeterminable: PT010 since issue 13
        assert ("PT010", v) in variants
    for v in ("sv105", "clm05"):
        assert ("PT002", v) in variants
    for v in ("no-modifier", "GO", "GN"):
        assert ("PT001", v) in variants


def test_cli_writes_file_and_expected(tmp_path):
    out, exp = tmp_path / "x.837", tmp_path / "x.json"
    r = subprocess.run(
        [sys.executable, str(GEN_PATH), "30", "--lines", "2", "--tx", "2", "--seed", "4",
         "--defect-rate", "0.4", "-o", str(out), "--expected", str(exp)],
        capture_output=True, text=True, check=True,
    )
    assert "PT001=" in r.stderr
    data = json.loads(exp.read_text())
    text = out.read_text()
    assert data["claims"] == 30 and data["bytes"] == len(text)
    keys = {(d["rule"], d["claim_id"], d["line_number"]) for d in data["defects"]}
    assert keys == actual_defects(segments(text))
    assert sum(data["counts"].values()) == len(data["defects"])


def test_pyx12_accepts_small_file(tmp_path):
    """A small file with several ST sets, patient loops, 2310B and 2420A loops and all defect kinds is
    IG-valid for pyx12 (the seeded defects are business rules, not syntax errors)."""
    pytest.importorskip("pyx12")
    path = tmp_path / "small.837"
    st = gen.generate_file(str(path), 20, tx=3, seed=1, defect_rate=0.5, patient_rate=0.7, line_provider_rate=0.5,
                           newlines=True)
    assert st.patient_loops and st.defects
    text = path.read_text()
    assert "*23*0~" in text and "NM1*82" in text
    r = subprocess.run([sys.executable, "-m", "pyx12.scripts.x12valid", str(path)], cwd=tmp_path,
                       capture_output=True, text=True, timeout=60)
    assert r.stderr.strip().endswith(": OK"), r.stderr[-2000:]
    ack = (tmp_path / "small.837.997").read_text()
    assert "IK5*A" in ack and "IK3" not in ack and "IK4" not in ack and "IK5*R" not in ack and "IK5*E" not in ack


def _findings(path, **kw) -> set[tuple[str, str, int]]:
    import edi_lint

    report = edi_lint.lint(str(path), **kw)
    assert report.exit_code in (0, 1) and all(f.status == "linted" for f in report.files), report.files
    return {(f.rule, f.claim_id, f.line_number) for f in report.findings}


@pytest.mark.parametrize("lines,tx,seed", [(4, 2, 3), (1, 1, 5), (12, 1, 6)])
def test_clean_claims_are_clean_under_default_rules(tmp_path, lines, tx, seed):
    """With no seeded defect, the default run (rules and IG validation) reports nothing at all: the
    benchmark's findings are the seeded ones, not the generator's own mistakes (units per day,
    duplicate lines, 97014/97010 or missing GP for Medicare)."""
    path = tmp_path / "clean.837"
    st = gen.generate_file(str(path), 150, lines=lines, tx=tx, seed=seed, defect_rate=0.0, patient_rate=0.5,
                           line_provider_rate=0.4)
    assert not st.defects
    assert _findings(path) == set()


def test_default_run_reports_exactly_the_seeded_defects(tmp_path):
    path = tmp_path / "seeded.837"
    st = gen.generate_file(str(path), 200, lines=6, tx=2, seed=13, defect_rate=0.5, patient_rate=0.5)
    assert {d.rule for d in st.defects} == {"PT001", "PT002", "PT003", "PT010"}
    assert _findings(path) == st.expected_keys()
