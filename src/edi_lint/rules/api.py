"""The small API a Python rule is written against.

A rule is a function of one claim view (a service line, a claim) that yields `Problem`s: what is
wrong, at which segment and element. The engine turns problems into findings, adding the rule's code,
severity, the file path, the claim id, the line number and the segment's position.

    @line_rule("PT001", "missing-gp-modifier", procedures=["97026"], summary="...")
    def missing_gp_modifier(line):
        if "GP" not in line.modifiers:
            yield Problem("97026 billed without the GP modifier", line.sv1, "SV101-3")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from edi_lint.findings import Severity
from edi_lint.rules.base import RuleInfo
from edi_lint.x12.tokenizer import Segment


@dataclass(frozen=True, slots=True)
class Problem:
    message: str
    segment: Segment | None = None
    element: str | None = None
    loop: str | None = None  # defaults to the segment's loop
    expected: str | None = None
    actual: str | None = None


@dataclass(frozen=True)
class Rule:
    """A rule's facts plus its check. `check(unit)` yields Problems.

    Scopes: "line" units are ServiceLines, "claim" units are Claims, "file" rules are checker
    factories: `check(path)` returns an object with `segment(seg)` (called for the segment ids in
    `segment_ids`, or every segment when it is empty) and `finish()`, both yielding Problems. An
    object with a `loops` set (e.g. {"2010AA"}) is called only for segments of those loops.
    """

    info: RuleInfo
    check: Callable[[Any], Iterable[Problem]]
    segment_ids: frozenset[str] = field(default_factory=frozenset)

    @property
    def code(self) -> str:
        return self.info.code


BUILTIN: list[Rule] = []


class RuleCollection(list):
    """A list of Rules with the registering decorators as methods, for plugins.

    A plugin must not use the module-level decorators (they register built-in rules):

        rules = RuleCollection(ruleset="acme")

        @rules.line_rule("ACME001", "needs-kx", procedures=["97110"], summary="...")
        def needs_kx(line): ...
    """

    def __init__(self, ruleset: str = "core"):
        super().__init__()
        self.ruleset = ruleset

    def line_rule(self, code: str, name: str, **kwargs):
        kwargs.setdefault("ruleset", self.ruleset)
        return _rule("line", code, name, target=self, **kwargs)

    def claim_rule(self, code: str, name: str, **kwargs):
        kwargs.setdefault("ruleset", self.ruleset)
        return _rule("claim", code, name, target=self, **kwargs)

    def file_rule(self, code: str, name: str, **kwargs):
        kwargs.setdefault("ruleset", self.ruleset)
        return _rule("file", code, name, target=self, **kwargs)


def _rule(scope: str, code: str, name: str, *, severity: Severity | str = Severity.ERROR,
          summary: str, source: str = "", tags=(), procedures=(), ruleset: str = "core",
          example_bad: str = "", example_good: str = "", segment_ids=(), target: list | None = None,
          default_on: bool = True, severity_reason: str = "",
          claim_status: str = "", status_entity: str = ""):
    if isinstance(severity, str):
        severity = Severity.parse(severity)

    def register(function: Callable) -> Callable:
        info = RuleInfo(
            code=code,
            name=name,
            severity=severity,
            summary=summary,
            scope=scope,
            explanation=(function.__doc__ or "").strip(),
            source=source,
            example_bad=example_bad,
            example_good=example_good,
            tags=tuple(tags),
            ruleset=ruleset,
            procedures=tuple(procedures),
            default_on=default_on,
            severity_reason=severity_reason,
            claim_status=claim_status,
            status_entity=status_entity,
        )
        (BUILTIN if target is None else target).append(Rule(info, function, frozenset(segment_ids)))
        return function

    return register


def line_rule(code: str, name: str, **kwargs):
    """Register a check run on every service line (or only lines billed with `procedures`)."""
    return _rule("line", code, name, **kwargs)


def claim_rule(code: str, name: str, **kwargs):
    """Register a check run once per claim."""
    return _rule("claim", code, name, **kwargs)


def file_rule(code: str, name: str, **kwargs):
    """Register a stateful check that sees the file's segments in order (envelopes, counts)."""
    return _rule("file", code, name, **kwargs)
