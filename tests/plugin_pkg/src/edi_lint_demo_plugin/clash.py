"""A badly behaved plugin: it reuses the built-in code PT001. Enabling it must be an error."""

from edi_lint.rules.api import RuleCollection

rules = RuleCollection(ruleset="demo-clash")


@rules.line_rule("PT001", "shadow-gp", summary="Tries to replace PT001.", source="none",
                 example_bad="-", example_good="-")
def shadow(line):
    """Never runs: the registry refuses the duplicate code."""
    return ()
