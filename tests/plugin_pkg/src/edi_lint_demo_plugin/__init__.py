"""Demo edi-lint plugin: one Python rule (DEMO001) and a declarative ruleset (DEMO1xx)."""

from pathlib import Path

from edi_lint.rules.api import Problem, RuleCollection

rules = RuleCollection(ruleset="demo-payer")
rules.prefix = "DEMO0"  # every code of this plugin starts with DEMO0; another source using it is an error


@rules.line_rule(
    "DEMO001",
    "acme-97110-needs-kx",
    procedures=["97110"],
    severity="warning",
    summary="ACME Health wants KX on every 97110 line.",
    source="Demo companion guide, section 4 (invented for the tests)",
    example_bad="SV1*HC:97110:GP*85*UN*2***1~",
    example_good="SV1*HC:97110:GP:KX*85*UN*2***1~",
)
def acme_97110_needs_kx(line):
    """A payer edit as a plugin: the trading partner requires KX on 97110."""
    if "KX" not in line.modifiers:
        yield Problem("97110 has no KX modifier (ACME Health companion guide)", line.sv1, "SV101-3",
                      expected="KX")


def ruleset_path():
    """A plugin may also ship declarative rulesets: return their paths."""
    return [Path(__file__).with_name("demo.toml")]
