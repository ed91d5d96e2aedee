"""The engine's line dispatch: a claim's line tables (rules scoped to other payers left out) and the
generated run a table in steady use is compiled into (engine.Linter._fuse, straightline.fuse) give
exactly the findings the plain loop over the rules gives, in the same order, failures included."""

from __future__ import annotations

import dataclasses

from test_rules_cases import build_837

from edi_lint.application import build_linter
from edi_lint.engine import Linter, Settings
from edi_lint.findings import Severity
from edi_lint.rules.api import Problem, Rule
from edi_lint.rules.base import RuleInfo

SETTINGS = Settings(ignore=("IG",))


def _lint(linter: Linter, data: bytes):
    result = linter.lint_bytes(data, "a.837")
    return result.status, result.error, [dataclasses.astuple(f) for f in result.findings]


def _claims(count: int) -> bytes:
    """`count` copies of the test claim (each with a 97026 line without GP: PT001 fires on each)."""
    segments = [s.strip() for s in build_837([(r"HC:97026:GP\*", "HC:97026*")]).split("~") if s.strip()]
    clm = next(i for i, s in enumerate(segments) if s.startswith("CLM*"))
    se = next(i for i, s in enumerate(segments) if s.startswith("SE*"))
    claims = [s.replace("CLM*", f"CLM*N{n}", 1) for n in range(count) for s in segments[clm:se]]
    st = next(i for i, s in enumerate(segments) if s.startswith("ST*"))
    out = segments[:clm] + claims + [f"SE*{clm - st + len(claims) + 1}*0001"] + segments[se + 1:]
    return ("~\n".join(out) + "~\n").encode()


def test_a_fused_table_gives_what_the_loop_gives():
    data = _claims(6)
    plain, fused = build_linter(SETTINGS), build_linter(SETTINGS)
    plain.fuse_after, fused.fuse_after = 10 ** 9, 2
    want = _lint(plain, data)
    assert sum(f[0] == "PT001" for f in want[2]) == 6
    assert _lint(fused, data) == want
    runs = [entry[0] for tables in fused._line_tables.values() for entry in tables.values() if entry[0]]
    assert runs and "def run(u, out):" in runs[0].source  # the compiled run did the work
    assert not any(entry[0] for tables in plain._line_tables.values() for entry in tables.values())


def test_a_rule_that_fails_mid_line_keeps_the_findings_before_it():
    base = build_linter(SETTINGS)

    def broken(line):
        if line.procedure == "97026" and line.claim.id.startswith("N2"):  # the third claim: by then fused
            raise ValueError("boom")
        return ()

    info = RuleInfo("ZZ001", "broken", Severity.ERROR, "fails", scope="line")
    rules = {rule.code: rule for rule in base.line_rules_any + base.claim_rules + base.file_rules}
    rules.update({r.code: r for rs in base.line_rules_by_procedure.values() for r in rs})
    rules["ZZ001"] = Rule(info, broken)
    results = []
    for fuse_after in (10 ** 9, 1):
        linter = Linter(rules, {**base.infos, "ZZ001": info}, Settings(ignore=("IG",), extend_select=("ZZ",)))
        linter.fuse_after = fuse_after
        results.append(_lint(linter, _claims(3)))
    assert any(entry[0] for tables in linter._line_tables.values() for entry in tables.values())
    plain, fused = results
    assert plain[0] == "error" and "boom" in plain[1]
    assert fused == plain
    assert [f[5] for f in plain[2] if f[0] == "PT001"] == ["N0CASE-1", "N1CASE-1", "N2CASE-1"]  # the last
    # from the line the broken rule failed on, where PT001 ran before it


def test_problems_of_a_python_rule_in_a_fused_run_keep_their_order():
    base = build_linter(SETTINGS)

    def two(line):
        return [Problem("second", line.sv1, "SV102"), Problem("first", line.sv1, "SV102")]

    info = RuleInfo("ZZ002", "two", Severity.ERROR, "two problems", scope="line")
    rules = {r.code: r for rs in base.line_rules_by_procedure.values() for r in rs}
    rules.update({rule.code: rule for rule in base.line_rules_any})
    rules["ZZ002"] = Rule(info, two)
    messages = []
    for fuse_after in (10 ** 9, 1):
        linter = Linter(rules, {**base.infos, "ZZ002": info}, Settings(ignore=("IG",), extend_select=("ZZ",)))
        linter.fuse_after = fuse_after
        messages.append([f.message for f in linter.lint_bytes(_claims(2), "a.837").findings if f.rule == "ZZ002"])
    assert messages[0] == messages[1] and messages[0][:2] == ["second", "first"]


def test_a_file_checker_with_loops_sees_only_segments_of_those_loops():
    seen = []

    class Checker:
        loops = frozenset({"2010AA"})

        def segment(self, seg):
            seen.append(seg.loop)
            return (Problem("billing NM1", seg, "NM101"),) if seg.elements[1] == "85" else ()

        def finish(self):
            return ()

    info = RuleInfo("ZZ003", "billing-nm1", Severity.ERROR, "billing NM1", scope="file")
    linter = Linter({"ZZ003": Rule(info, lambda path: Checker(), frozenset({"NM1"}))}, {"ZZ003": info},
                    Settings(select=("ZZ003",)))
    findings = linter.lint_bytes(_claims(2), "a.837").findings
    assert seen == ["2010AA"] and [f.loop for f in findings] == ["2010AA"]  # 6 NM1s, one of them billing


def test_a_plugin_checker_with_a_join_file_method_is_not_handed_the_files_hl_table():
    """The engine shares the file's HL table only with the package's hierarchy checkers (HlReader):
    a plugin's method that happens to be called join_file is its own business."""
    joined = []

    class Checker:
        def join_file(self, shared):
            joined.append(shared)

        def segment(self, seg):
            return ()

        def finish(self):
            return ()

    base = build_linter(Settings(select=("HL002",)))
    info = RuleInfo("ZZ004", "joins", Severity.ERROR, "joins", scope="file")
    rules = {rule.code: rule for rule in base.file_rules}
    rules["ZZ004"] = Rule(info, lambda path: Checker(), frozenset({"HL"}))
    linter = Linter(rules, {**base.infos, "ZZ004": info}, Settings(select=("HL002", "ZZ004")))
    linter.lint_bytes(_claims(2), "a.837")
    assert joined == []


def test_the_fused_claim_run_gives_what_the_loop_gives_failures_included():
    base = build_linter(SETTINGS)
    seen = []

    def broken(claim):
        seen.append(claim.id)
        if claim.id.startswith("N4"):  # the fifth claim: by then the claim checks run fused
            raise ValueError("boom")
        return (Problem("first of two", claim.clm, "CLM01"), Problem("second", claim.clm, "CLM02"))

    info = RuleInfo("ZZ003", "broken-claim", Severity.ERROR, "fails", scope="claim")
    rules = {rule.code: rule for rule in base.line_rules_any + base.claim_rules + base.file_rules}
    rules.update({r.code: r for rs in base.line_rules_by_procedure.values() for r in rs})
    rules["ZZ003"] = Rule(info, broken)
    data = _claims(6).replace(b":B:1*", b":A:1*")  # CS005 fires on every claim, before ZZ003
    results = []
    for fuse_after in (10 ** 9, 2):
        linter = Linter(rules, {**base.infos, "ZZ003": info}, Settings(ignore=("IG",), extend_select=("ZZ",)))
        linter.fuse_after = fuse_after
        results.append(_lint(linter, data))
        assert (linter._claim_run is not None) == (fuse_after == 2)
    plain, fused = results
    assert plain[0] == "error" and "boom" in plain[1]
    assert fused == plain
    assert [f[5] for f in plain[2] if f[0] == "CS005"] == [f"N{n}CASE-1" for n in range(5)]
    assert [f[3] for f in plain[2] if f[0] == "ZZ003"][:2] == ["first of two", "second"]
