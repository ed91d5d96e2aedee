"""The declarative ruleset language: a new rule without Python, identical behaviour for the PT rules
that moved from Python to rulesets/physical-therapy.toml, and clear errors for malformed files."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import CORPUS, FIXTURES
from test_rules_cases import CASES, build_837

# -- a new rule needs no Python -------------------------------------------------------------------

ULTRASOUND = """
[ruleset]
name = "ultrasound"

[[rule]]
code = "US001"
name = "ultrasound-needs-gp"
severity = "warning"
summary = "97035 (ultrasound) is billed without GP."
source = "Clinic policy"
procedures = ["97035"]
require = { modifier = "GP" }
message = "{procedure} has modifiers {modifiers} but no GP"
"""


def test_a_ruleset_written_here_adds_a_rule_without_python(tmp_path):
    from edi_lint.application import build_linter
    from edi_lint.cli import main
    from edi_lint.engine import Settings

    path = tmp_path / "ultrasound.toml"
    path.write_text(ULTRASOUND)
    claim = build_837([(r"HC:97110:GP", "HC:97035:59")]).encode()
    linter = build_linter(Settings(select=("US",), rulesets=(str(path),)))
    (finding,) = linter.lint_bytes(claim).findings
    assert (finding.rule, finding.severity.label, finding.line_number) == ("US001", "warning", 2)
    assert finding.message == "97035 has modifiers 59 but no GP"
    assert finding.element == "SV101-4" and finding.segment == "SV1"
    fixed = build_837([(r"HC:97110:GP", "HC:97035:59:GP")]).encode()
    assert linter.lint_bytes(fixed).findings == []
    # and from the command line
    (tmp_path / "c.837").write_bytes(claim)
    result = CliRunner().invoke(main, [str(tmp_path / "c.837"), "--isolated", "--ruleset", str(path), "--format",
                                       "concise", "-q"])
    assert "US001 97035 has modifiers 59 but no GP" in result.stdout
    explained = CliRunner().invoke(main, ["--explain", "US001", "--isolated", "--ruleset", str(path)])
    assert "Clinic policy" in explained.stdout


def test_payer_scope_and_profiles(tmp_path):
    from edi_lint.application import build_linter
    from edi_lint.engine import Settings

    path = tmp_path / "payers.toml"
    path.write_text("""
[ruleset]
name = "payer-edits"
[[rule]]
code = "PAY001"
name = "aetna-infrared"
severity = "info"
summary = "Aetna infrared advisory."
procedures = ["97026"]
payers = ["aetna", "acme"]
forbid = { procedure = "97026" }
message = "{procedure} for {payer_name} ({filing_indicator})"
""")
    profiles = {"acme": {"names": ("ACME",), "ids": ("ACM01",)}}
    linter = build_linter(Settings(select=("PAY",), rulesets=(str(path),), payer_profiles=profiles))

    def fired(*edits):
        return [f.message for f in linter.lint_bytes(build_837([(r"\*{6}MB~", "******CI~"), *edits]).encode()).findings]

    assert fired((r"MEDICARE PART B", "AETNA")) == ["97026 for AETNA (CI)"]
    assert fired((r"\*PI\*04412", "*PI*60054")) == ["97026 for MEDICARE PART B (CI)"]  # Aetna's payer id
    assert fired((r"MEDICARE PART B", "ACME MUTUAL")) == ["97026 for ACME MUTUAL (CI)"]  # configured profile
    assert fired((r"MEDICARE PART B", "CIGNA")) == []


AETNA_RULESET = """
[ruleset]
name = "payer-edits"
[[rule]]
code = "PAY001"
name = "aetna-infrared"
summary = "Aetna infrared advisory."
payers = ["aetna"]
forbid = { procedure = "97026" }
message = "{procedure} for {payer_name}"
"""  # a declarative rule scoped to one payer family


def test_a_payer_scoped_line_rule_is_not_run_on_claims_of_other_payers(tmp_path):
    from edi_lint.application import build_linter
    from edi_lint.engine import Linter, Settings
    from edi_lint.rules.api import Rule

    path = tmp_path / "payers.toml"
    path.write_text(AETNA_RULESET)
    built = build_linter(Settings(select=("PAY",), rulesets=(str(path),)))
    (rule,) = built.line_rules_any
    assert rule.check.payer_scope[1] == frozenset({"aetna"})
    seen = []

    def counting(line):
        seen.append(line.claim.payer_name)
        return rule.check(line)

    counting.payer_scope = rule.check.payer_scope
    linter = Linter({"PAY001": Rule(rule.info, counting)}, built.infos, built.settings)
    for payer, fired in (("MEDICARE PART B", []), ("AETNA", ["97026 for AETNA"]), ("CIGNA", [])):
        data = build_837([(r"MEDICARE PART B", payer)]).encode()
        assert [f.message for f in linter.lint_bytes(data).findings] == fired
    assert set(seen) == {"AETNA"}  # the other payers' claims never reached the rule


def test_a_fused_line_table_does_not_test_payers_again(tmp_path):
    """The engine's line tables are made per payer combination, so their fused run leaves the payers
    test out; a check on its own keeps it, and the findings are the same either way."""
    from edi_lint.application import build_linter
    from edi_lint.engine import Settings
    from edi_lint.rules.straightline import fuse

    path = tmp_path / "payers.toml"
    path.write_text(AETNA_RULESET + """
[[rule]]
code = "PAY002"
name = "any-payer-infrared"
summary = "Infrared advisory."
forbid = { procedure = "97026" }
message = "{procedure} again"
""")
    linter = build_linter(Settings(select=("PAY",), rulesets=(str(path),)))
    table = tuple((rule.check, rule) for rule in linter.line_rules_any)
    payers_test = table[0][0].fires.text.split(" and ")[0]
    assert payers_test in fuse(table).source and payers_test not in fuse(table, payers_checked=True).source
    linter.fuse_after = 1  # a table is fused after its first line: the second lint runs the fused runs
    for payer, fired in (("AETNA", ["97026 for AETNA", "97026 again"]), ("CIGNA", ["97026 again"])):
        data = build_837([(r"MEDICARE PART B", payer)]).encode()
        for _ in range(2):
            assert [f.message for f in linter.lint_bytes(data).findings] == fired
    # the Aetna claim's tables hold both rules, so they were fused (a one-check table is not)
    assert any(entry[0] is not None for tables in linter._line_tables.values() for entry in tables.values())


# -- PT001-PT003 behave exactly as the Python rules they replaced (with issue 13's corrections) -----

OTHER_DISCIPLINES = {"GO": "occupational therapy", "GN": "speech-language pathology"}
LOOP_NAMES = {"2420A": "line rendering provider (2420A)", "2310B": "claim rendering provider (2310B)",
              "2000A": "billing provider (2000A PRV*BI)"}
PT = "225100000X"
PT_FAMILY = {PT, "2251C2600X", "2251E1200X", "2251E1300X", "2251G0304X", "2251H1200X", "2251H1300X", "2251N0400X",
             "2251P0200X", "2251S0007X", "2251X0800X"}


def _ot_line(line) -> bool:
    """GO rendered by an occupational therapist (225X...): an OT service, not a PT finding (issue 13)."""
    taxonomy = line.rendering_taxonomy.value
    return "GO" in line.modifiers and taxonomy is not None and taxonomy.startswith("225X")


def oracle_pt001(line):
    """The Python PT001 as it was before the move (commit 245bbb0), kept here as the reference."""
    from edi_lint.rules.api import Problem

    modifiers = line.modifiers
    if "GP" in modifiers or _ot_line(line):
        return
    others = [m for m in modifiers if m in OTHER_DISCIPLINES]
    if others:
        named = ", ".join(f"{m} ({OTHER_DISCIPLINES[m]})" for m in others)
        message = f"97026 carries {named} instead of GP (physical therapy plan of care)"
    elif modifiers:
        message = f"97026 has modifiers {':'.join(modifiers)} but not GP (physical therapy plan of care)"
    else:
        message = "97026 has no GP modifier (physical therapy plan of care)"
    position = f"SV101-{3 + len(modifiers)}" if len(modifiers) < 4 else "SV101-3"
    yield Problem(message, line.sv1, position, expected="GP", actual=":".join(modifiers) or None)


def oracle_pt002(line):
    from edi_lint.rules.api import Problem

    pos = line.place_of_service
    if pos.value == "11":
        return
    where = "SV105 on the line" if pos.element == "SV105" else "CLM05-1 of the claim"
    if pos.value is None:
        message = "97026 has no place of service (SV105 and CLM05-1 are empty); expected 11 (office)"
    else:
        message = f"97026 place of service is {pos.value} (from {where}); expected 11 (office)"
    yield Problem(message, pos.segment, pos.element, loop=pos.loop, expected="11", actual=pos.value)


def oracle_pt003(line):
    from edi_lint.rules.api import Problem

    taxonomy = line.rendering_taxonomy
    # issue 13: every 2251...X specialisation passes; unknown is PT010's; an OT with GO is PT011's; an
    # assistant on a Medicare or Medicare Advantage claim is PT007's
    if taxonomy.value in PT_FAMILY or taxonomy.value is None or _ot_line(line):
        return
    if taxonomy.value == "225200000X" and line.claim.filing_indicator in ("MA", "MB", "16"):
        return
    where = LOOP_NAMES.get(taxonomy.loop or "", taxonomy.loop or "unknown loop")
    message = (f"97026 rendering taxonomy is {taxonomy.value} (from the {where}); expected a physical therapist "
               "(225100000X or 2251...X)")
    yield Problem(message, taxonomy.segment, "PRV03", loop=taxonomy.loop, expected=PT, actual=taxonomy.value)


def _pair():
    from edi_lint.application import build_linter
    from edi_lint.engine import Linter, Settings
    from edi_lint.rules.api import Rule

    settings = Settings(select=("PT001", "PT002", "PT003"))
    declarative = build_linter(settings)
    oracles = {"PT001": oracle_pt001, "PT002": oracle_pt002, "PT003": oracle_pt003}
    rules = {code: Rule(declarative.infos[code], check) for code, check in oracles.items()}
    return declarative, Linter(rules, declarative.infos, settings)


def _inputs():
    yield from ((p.name, p.read_bytes()) for p in sorted(FIXTURES.iterdir()) if p.suffix in (".837", ".x12", ".edi"))
    if CORPUS.is_dir():
        yield from ((p.name, p.read_bytes()) for p in sorted(CORPUS.iterdir()) if p.name != "SOURCES.md")
    for case in CASES:
        if case.rule.startswith("PT"):
            yield case.id, build_837(case.edits, case.raw).encode()
    for modifiers in ("", ":59", ":GN", ":59:GO", ":KX:59:XS:XU", ":GP"):
        yield modifiers, build_837([(r"HC:97026:GP", "HC:97026" + modifiers)]).encode()
    yield "no-pos", build_837([(r"\*11:B:1\*", "*:B:1*")]).encode()
    yield "no-billing-prv", build_837([(r"PRV\*BI\*PXC\*225100000X~\n", ""),
                                       (r"NM1\*82\*1\*MARCHETTI[^~]*~\nPRV[^~]*~\n", "")]).encode()


def test_declarative_pt_rules_match_the_python_originals():
    declarative, oracle = _pair()
    compared = 0
    for name, data in _inputs():
        got, want = declarative.lint_bytes(data, name), oracle.lint_bytes(data, name)
        assert got.status == want.status, name
        assert [f.to_dict() for f in got.findings] == [f.to_dict() for f in want.findings], name
        compared += len(want.findings)
    assert compared > 40


# -- malformed files: file, line and key ------------------------------------------------------------

GOOD_RULE = """[ruleset]
name = "bad"

[[rule]]
code = "BAD001"
name = "bad-rule"
summary = "x"
procedures = ["97026"]
require = { modifier = "GP" }
message = "{procedure} x"
"""


@pytest.mark.parametrize("old, new, line, key, words", [
    ('require = { modifier = "GP" }', 'require = { modifer = "GP" }', 9, "require.modifer", "unknown field"),
    ('require = { modifier = "GP" }', 'require = { modifier = { some_of = ["GP"] } }', 9, "require.modifier.some_of",
     "unknown test"),
    ('message = "{procedure} x"', 'message = "{procedure.__class__} x"', 10, "message", "not allowed"),
    ('message = "{procedure} x"', 'message = "{modifiers[0]} x"', 10, "message", "not allowed"),
    ('message = "{procedure} x"', 'message = "{patient_name} x"', 10, "message", "unknown placeholder"),
    ('message = "{procedure} x"', 'message = "{procedure!r} x"', 10, "message", "format spec or conversion"),
    ('message = "{procedure} x"', 'message = "{procedure x"', 10, "message", "bad message template"),
    ('summary = "x"', 'summary = "x"\nseverity = "fatal"', 8, "severity", "error, warning or info"),
    ('summary = "x"', 'summary = "x"\ncolour = "red"', 8, "colour", "unknown key"),
    ('require = { modifier = "GP" }', 'require = { modifier = "GP" }\nforbid = { modifier = "GO" }', 9, "require",
     "exactly one"),
    ('require = { modifier = "GP" }', 'require = { payer = ["medicar"] }', 9, "require.payer.any_of",
     "unknown payer family"),
    ('require = { modifier = "GP" }', 'require = { units = { at_most = "one" } }', 9, "require.units.at_most",
     "expected a number"),
    ('code = "BAD001"', 'code = "bad-1"', None, "code", "capital letters"),
    ('procedures = ["97026"]', 'procedures = ["97026"', 9, None, "not valid TOML"),
])
def test_malformed_rulesets_name_file_line_and_key(tmp_path, old, new, line, key, words):
    from edi_lint.rules.declarative import RulesetError, load_ruleset

    path = tmp_path / "bad.toml"
    assert old in GOOD_RULE
    path.write_text(GOOD_RULE.replace(old, new))
    with pytest.raises(RulesetError) as raised:
        load_ruleset(path)
    error = raised.value
    text = str(error)
    assert text.startswith(str(path)), text
    assert words in text, text
    if key is not None:
        assert error.key == key and f"key '{key}'" in text
    if line is not None:
        assert error.line == line, text


def test_the_good_rule_loads(tmp_path):
    from edi_lint.rules.declarative import load_ruleset

    path = tmp_path / "good.toml"
    path.write_text(GOOD_RULE)
    (rule,) = load_ruleset(path).rules
    assert rule.code == "BAD001" and rule.info.procedures == ("97026",)


def test_a_malformed_ruleset_on_the_command_line_exits_2(tmp_path):
    from edi_lint.cli import main

    path = tmp_path / "bad.toml"
    path.write_text(GOOD_RULE.replace('modifier = "GP"', 'modifer = "GP"'))
    result = CliRunner().invoke(main, [str(FIXTURES / "clean.837"), "--isolated", "--ruleset", str(path)])
    assert result.exit_code == 2
    assert "bad.toml:9" in result.output and "require.modifer" in result.output
    assert "Traceback" not in result.output


def test_conditions_are_compiled_closures_not_data():
    """Loading compiles each rule once; a check is a Python closure that never sees the TOML again."""
    from edi_lint.rules.declarative import load_ruleset_text

    (rule,) = load_ruleset_text(GOOD_RULE).rules
    reference = rule.check.reference  # the closure version, which the generated check must agree with
    assert callable(reference) and reference.__closure__
    cells = [c.cell_contents for c in reference.__closure__]
    assert {"modifier": "GP"} not in cells  # the TOML condition table is not kept to be interpreted
    assert all(callable(c) for c in cells if c.__class__.__name__ == "function")
    # The straight-line version: generated text with generated names only; the values live in its namespace.
    assert "GP" not in rule.check.source and "modifier" in rule.check.source  # u.modifiers, a fixed path
    assert {"modifier": "GP"} not in rule.check.__globals__.values()
    assert set(rule.check.__globals__["__builtins__"]) == {"len", "any"}


def test_file_values_never_become_generated_code():
    """A value that looks like Python stays a value: it is bound to a generated name, never written
    into the generated function's text, and the rule still compares it as a plain string."""
    from edi_lint.rules.declarative import load_ruleset_text

    hostile = "__import__('os').system('echo owned')"
    text = GOOD_RULE.replace('require = { modifier = "GP" }', f'require = {{ modifier = "{hostile}" }}')
    assert hostile in text
    (rule,) = load_ruleset_text(text).rules
    assert "import" not in rule.check.source and "os" not in rule.check.source.replace("pos", "")
    from types import SimpleNamespace

    line = SimpleNamespace(modifiers=("GP",), procedure="97026", sv1=None, lx=None)
    assert rule.check.reference(line) and rule.check(line)  # fires: the modifier is not that text
    line.modifiers = (hostile,)
    assert rule.check(line) == () == rule.check.reference(line)


def test_combinators_and_operators(tmp_path):
    from edi_lint.application import build_linter
    from edi_lint.engine import Settings

    text = """
[ruleset]
name = "ops"
[[rule]]
code = "OPS001"
name = "combo"
summary = "x"
when = { any = [ { procedure = ["97110", "97112"] }, { modifiers = { any_of = ["KX"] } } ] }
forbid = { all = [ { units = { at_least = 2 } }, { not = { place_of_service = { in = ["12"] } } } ] }
message = "{procedure} {units} units at {place_of_service} ({pos_element})"
"""
    path = tmp_path / "ops.toml"
    path.write_text(text)
    linter = build_linter(Settings(select=("OPS",), rulesets=(str(path),)))
    (finding,) = linter.lint_bytes(build_837().encode()).findings
    assert finding.message == "97110 2 units at 11 (CLM05-1)" and finding.line_number == 2
    assert linter.lint_bytes(build_837([(r"UN\*2\*\*\*", "UN*2*12**")]).encode()).findings == []


def test_claim_scope_rules(tmp_path):
    from edi_lint.application import build_linter
    from edi_lint.engine import Settings

    path = tmp_path / "claims.toml"
    path.write_text("""
[ruleset]
name = "claim-edits"
[[rule]]
code = "CLX001"
name = "medicare-originals-only"
scope = "claim"
summary = "This clinic sends Medicare only original claims."
payers = ["medicare"]
require = { frequency = "1" }
message = "{filing_indicator} claim with frequency {frequency} ({lines} lines)"
""")
    linter = build_linter(Settings(select=("CLX",), rulesets=(str(path),)))
    (finding,) = linter.lint_bytes(build_837([(r"\*11:B:1\*", "*11:B:7*")]).encode()).findings
    assert (finding.message, finding.element, finding.line_number) == ("MB claim with frequency 7 (2 lines)",
                                                                       "CLM05-3", None)
    assert linter.lint_bytes(build_837().encode()).findings == []


def test_a_local_ruleset_may_not_use_the_pt_prefix(tmp_path):
    from edi_lint.application import build_linter
    from edi_lint.engine import Settings
    from edi_lint.rules.registry import RegistryError

    path = tmp_path / "mine.toml"
    path.write_text(GOOD_RULE.replace("BAD001", "PT099"))
    with pytest.raises(RegistryError, match="prefix PT"):
        build_linter(Settings(rulesets=(str(path),)))
