"""One registry of every known rule, whichever way it came in."""

from __future__ import annotations

from edi_lint.rules.api import BUILTIN, Rule
from edi_lint.rules.base import RuleInfo
from edi_lint.rules.structure import ENGINE_RULES


def builtin_rules() -> dict[str, Rule]:
    """Python rules shipped in the package, keyed by code."""
    from edi_lint.rules import physical_therapy  # noqa: F401  (registers on import)

    return {rule.code: rule for rule in BUILTIN}


def all_rule_infos() -> dict[str, RuleInfo]:
    """Every rule's facts, for --list-rules, --explain and the SARIF driver."""
    infos = dict(ENGINE_RULES)
    infos.update({code: rule.info for code, rule in builtin_rules().items()})
    return dict(sorted(infos.items()))
