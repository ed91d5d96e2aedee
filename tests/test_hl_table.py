"""HL002, SIT003 and SIT005 read one HL table per transaction (rules.marks.HlTable), filled once per
HL by whichever of them runs first. Each rule alone, any two, and all three must report exactly what
each reported on its own before: the expected findings below are read off the input by hand."""

from __future__ import annotations

import itertools
import json

import pytest

from edi_lint.application import build_linter
from edi_lint.engine import Settings
from edi_lint.rules import marks

HL_RULES = ("HL002", "SIT003", "SIT005")

ENVELOPE = "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *260120*0930*^*00501*00000090{n}*0*T*:"
HEADER = """\
BHT*0019*00*BATCH{st}*20260120*0930*CH
NM1*41*2*SUBMITTER CO*****46*SUB1
PER*IC*CONTACT*TE*5415550143
NM1*40*2*RECEIVER CO*****46*RCV1"""
BILLING = """\
PRV*BI*PXC*225100000X
NM1*85*2*CLINIC*****XX*1318720459
N3*410 CEDAR HOLLOW RD
N4*LAKEVIEW*OR*976301234
REF*EI*364271980"""


def subscriber(sbr02: str) -> str:
    return f"SBR*P*{sbr02}*GRP1******MB\nNM1*IL*1*DOE*JANE****MI*M1\nNM1*PR*2*PAYER*****PI*04412"


def claim(pcn: str) -> str:
    return (f"CLM*{pcn}*30***11:B:1*Y*A*Y*Y\nHI*ABK:M25561\nLX*1\nSV1*HC:97026:GP*30*UN*1***1\n"
            "DTP*472*D8*20260105")


def transaction(st02: str, body: str) -> str:
    return f"ST*837*{st02}*005010X222A1\n{HEADER.format(st=st02)}\n{body}\nSE*1*{st02}"


# Interchange 1 holds transactions 0001 and 0002, interchange 2 holds 0003.
T1 = "\n".join([
    "HL*1**20*1", BILLING,
    "HL*2*1*22*0", subscriber("18"), claim("A1"),
    "HL*3*1*22*1", subscriber("18"),  # SIT003: SBR02 18, yet patient HL 4 names it
    "HL*4*3*23*0", "PAT*19", "NM1*QC*1*DOE*JIM", claim("A2"),  # SIT005: HL04 0, yet HL 5 names it
    "HL*5*4*22*0", subscriber(""), claim("A3"),  # HL002: a subscriber under a patient; SIT003: SBR02 empty, 1 direct claim
    "HL*6*1*22*1", subscriber("18"), claim("A4"),  # SIT005: HL04 1, no HL names it
])
T2 = "\n".join([  # HL01 2 used twice: SIT005 judges nothing here (IG381 reports the numbering)
    "HL*1**20*1", BILLING,
    "HL*2*1*22*0", subscriber("01"), claim("B1"),  # SIT003: SBR02 01, 2 direct claims (one after the second HL 2)
    "HL*2*1*23*0", "PAT*19", "NM1*QC*1*DOE*JIM", claim("B2"),  # HL002: a patient under the billing provider
    "HL*2*1*22*0", claim("B3"),  # HL 2 again, a subscriber: B3 sits directly under the first HL 2's SBR
    "HL*3*2*23*1", "PAT*19", "NM1*QC*1*DOE*JIM", claim("B4"),  # a patient under HL 2, level 22 again: no HL002
    "HL*7*1*22*0", subscriber("18"), claim("B5"),
])
T3 = "\n".join([  # HL02 7 names an HL of the transaction before: no HL002 (IG382), SIT005 judges nothing
    "HL*1**20*1", BILLING,
    "HL*2*1*22*0", subscriber("01"), claim("C1"),  # SIT003: SBR02 01, 1 direct claim
    "HL*3*7*23*0", "PAT*19", "NM1*QC*1*DOE*JIM", claim("C2"),
    "HL*4*1*22*1", subscriber("18"),  # HL04 1 with no child: not judged, the links are broken
])
TEXT = "\n".join([
    ENVELOPE.format(n=1), "GS*HC*SUB1*RCV1*20260120*0930*901*X*005010X222A1",
    transaction("0001", T1), transaction("0002", T2),
    "GE*2*901", "IEA*1*000000901",
    ENVELOPE.format(n=2), "GS*HC*SUB1*RCV1*20260120*0930*902*X*005010X222A1",
    transaction("0003", T3),
    "GE*1*902", "IEA*1*000000902",
])
LINES = TEXT.splitlines()
DATA = ("~\n".join(LINES) + "~\n").encode()


def line_of(text: str, after: str | None = None) -> int:
    """The 1-based line of the first segment `text` (after the first segment `after`)."""
    start = LINES.index(after) if after is not None else 0
    return LINES.index(text, start) + 1


def _expected():
    sbr_18 = "SBR*P*18*GRP1******MB"
    return [
        # transaction 0001
        ("SIT003", line_of(sbr_18, after="HL*3*1*22*1"), "SBR02",
         "SBR02 is 18 (the subscriber is the patient) but a 2000C patient loop is under this subscriber"),
        ("SIT005", line_of("HL*4*3*23*0"), "HL04", "HL04 is 0 (no children) but a later HL names HL 4 as its parent"),
        ("HL002", line_of("HL*5*4*22*0"), "HL02", "HL02 makes this subscriber (22) HL a child of HL 4, a patient (23) "
                                                 "HL; expected a billing provider (20) parent"),
        ("SIT003", line_of("SBR*P**GRP1******MB"), "SBR02",
         "SBR02 is (empty): the patient is not the subscriber, but 1 claim(s) sit directly under the subscriber with "
         "no 2000C patient loop (send SBR02 = 18 when the subscriber is the patient)"),
        ("SIT005", line_of("HL*6*1*22*1"), "HL04", "HL04 is 1 (has children) but no HL names HL 6 as its parent"),
        # transaction 0002
        ("SIT003", line_of("SBR*P*01*GRP1******MB"), "SBR02",
         "SBR02 is 01: the patient is not the subscriber, but 2 claim(s) sit directly under the subscriber with "
         "no 2000C patient loop (send SBR02 = 18 when the subscriber is the patient)"),
        ("HL002", line_of("HL*2*1*23*0"), "HL02", "HL02 makes this patient (23) HL a child of HL 1, a billing provider "
                                                 "(20) HL; expected a subscriber (22) parent"),
        # transaction 0003
        ("SIT003", line_of("SBR*P*01*GRP1******MB", after="ST*837*0003*005010X222A1"), "SBR02",
         "SBR02 is 01: the patient is not the subscriber, but 1 claim(s) sit directly under the subscriber with "
         "no 2000C patient loop (send SBR02 = 18 when the subscriber is the patient)"),
    ]


def _sorted(found):
    return sorted(found, key=lambda f: (f[1], f[0], f[2]))  # as Finding.sort_key: position, rule, element


def _findings(settings: Settings):
    result = build_linter(settings).lint_bytes(DATA, "hl.837")
    assert result.status == "linted", result.error
    return [(f.rule, f.line, f.element, f.message) for f in result.findings]


@pytest.mark.parametrize("subset", [s for n in (1, 2, 3) for s in itertools.combinations(HL_RULES, n)])
def test_each_hl_rule_alone_and_together_reports_what_it_read(subset):
    want = _sorted([f for f in _expected() if f[0] in subset])
    assert _findings(Settings(select=subset)) == want
    # the same subset by --ignore, with every other rule running too
    ignored = tuple(code for code in HL_RULES if code not in subset)
    found = _findings(Settings(ignore=ignored + ("IG",)) if ignored else Settings(ignore=("IG",)))
    assert [f for f in found if f[0] in HL_RULES] == want


def test_the_hl_rules_of_a_file_read_each_hl_into_one_table(monkeypatch):
    """The engine gives the checkers of one file one place to share (join_file): an HL is read once,
    however many of the rules run; and a new file gets new tables."""
    taken = []
    take = marks.HlTable.take
    monkeypatch.setattr(marks.HlTable, "take", lambda table, seg: taken.append(seg.index) or take(table, seg))
    linter = build_linter(Settings(select=HL_RULES))
    hls = [n for n, line in enumerate(LINES, 1) if line.startswith("HL*")]
    for _ in range(2):
        taken.clear()
        result = linter.lint_bytes(DATA, "hl.837")
        assert len(result.findings) == len(_expected())
        assert taken == hls  # one segment per line: its index is its line


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_hl_rules_with_jobs_and_several_files(tmp_path, jobs):
    from click.testing import CliRunner

    from edi_lint.cli import main

    paths = [tmp_path / "a.837", tmp_path / "b.837"]
    for path in paths:
        path.write_bytes(DATA)
    result = CliRunner().invoke(main, [*map(str, paths), "--isolated", "--format", "json", "-q",
                                       "--select", ",".join(HL_RULES), "--jobs", jobs])
    assert result.exit_code == 1, result.output
    found = [(f["path"], f["rule"], f["line"], f["element"], f["message"])
             for f in json.loads(result.stdout)["findings"]]
    assert found == [(str(path), *f) for path in paths for f in _sorted(_expected())]
