"""What every rule is, whichever way it came in (built-in Python, declarative file, plugin).

A rule reads claim views and yields findings. It never prints, logs or mutates anything.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

from edi_lint.findings import Severity

# Where a rule looks. The engine calls a rule once per unit of its scope.
SCOPES = ("file", "transaction", "claim", "line")


@dataclass(frozen=True)
class RuleInfo:
    """The facts about a rule that `--list-rules`, `--explain` and the SARIF driver print."""

    code: str  # stable forever, e.g. PT001
    name: str  # kebab-case, e.g. missing-gp-modifier
    severity: Severity  # default severity
    summary: str  # one line: what is wrong
    scope: str = "line"
    explanation: str = ""  # why it matters; printed by --explain
    source: str = ""  # where the rule comes from (guide, CMS manual, payer policy)
    example_bad: str = ""  # a failing segment
    example_good: str = ""  # the fixed segment
    tags: tuple[str, ...] = field(default_factory=tuple)
    ruleset: str = "core"
    procedures: tuple[str, ...] = ()  # line rules: only lines billed with these codes (empty = all)
    default_on: bool = True  # False: runs only when selected by code or prefix (--select, --extend-select)
    severity_reason: str = ""  # why this severity; --explain prints it
    # 277CA: the status a finding gives its claim, 'category:status' (A7:453), and the entity code
    # (85, 82, ...); empty = the documented defaults in edi_lint.acks.codes (A7:21, entity from the loop).
    claim_status: str = ""
    status_entity: str = ""

    def __post_init__(self) -> None:
        # explanations often come from docstrings: without their indentation in --explain and SARIF
        if self.explanation:
            object.__setattr__(self, "explanation", inspect.cleandoc(self.explanation))
