"""What to run and what fails the run: the engine's input, produced by configuration.

`config.build_settings` fills a Settings from configuration files and the command line; the engine
only reads it. This module imports nothing else of edi-lint's, so configuration never needs the
engine and the engine never needs configuration.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from typing import Iterable

from edi_lint.findings import Severity


def matches(code: str, patterns: Iterable[str]) -> bool:
    """True when `code` is selected by any of `patterns` (full codes or prefixes, or ALL)."""
    return any(p == "ALL" or code.startswith(p) for p in patterns)


@dataclass
class Settings:
    """What to run and what fails the run; filled from configuration and the command line."""

    select: tuple[str, ...] = ()  # empty: every rule that is on by default
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    severity: dict[str, Severity] = field(default_factory=dict)  # per-code overrides
    fail_on: Severity | None = Severity.ERROR  # None: never fail
    collect_verdicts: bool = False
    keep_claims: bool = False  # a records.ClaimRecord per claim in FileResult.records (the HTML report)
    show_phi: bool = False  # records keep patient data unmasked (--show-phi)
    ig_engine: str = "native"  # IG validation: "native" (x12/validator.py, while walking) or "pyx12" (cross-check)
    # Where the rules come from; --jobs workers rebuild the rule set from these (rules/registry.py).
    rulesets: tuple[str, ...] = ()  # extra declarative ruleset files (--ruleset, configuration)
    plugins: tuple[str, ...] = ()  # enabled plugins: entry points of the group edi_lint.rulesets
    payer_profiles: dict = field(default_factory=dict)  # payer family -> {names, ids, filing}
    acknowledgments: dict = field(default_factory=dict)  # [acknowledgments] keys: who sends the 999/277CA
    code_sets: dict = field(default_factory=dict)  # licensed code set (taxonomy, cpt, hcpcs) -> the user's file
    per_file_ignores: tuple = ()  # (glob, base directory, codes) from configuration
    config_file: str | None = None  # the configuration file these settings came from

    def ignored_for(self, path: str) -> tuple[str, ...]:
        """Codes and prefixes that per-file-ignores switch off for this path."""
        if not self.per_file_ignores:
            return ()
        return per_file_codes(self.per_file_ignores, path)

    def is_selected(self, info, default_on: bool = True) -> bool:
        if matches(info.code, self.ignore):
            return False
        if self.select:
            return matches(info.code, self.select) or matches(info.code, self.extend_select)
        return default_on or matches(info.code, self.extend_select)


def per_file_codes(per_file_ignores, path: str) -> tuple[str, ...]:
    """Codes ignored for `path` by (glob, base dir, codes) entries. Globs match the path relative to
    the configuration file's directory; a glob without '/' also matches the file name alone."""
    if not per_file_ignores or path == "-":
        return ()
    absolute = os.path.abspath(path)
    name = os.path.basename(absolute)
    codes: list[str] = []
    for pattern, base, entry_codes in per_file_ignores:
        relative = os.path.relpath(absolute, base).replace(os.sep, "/")
        candidates = [relative]
        if "/" not in pattern:
            candidates.append(name)
        simple = pattern[3:] if pattern.startswith("**/") else None
        if any(fnmatch.fnmatchcase(c, pattern) or (simple and fnmatch.fnmatchcase(c, simple)) for c in candidates):
            codes.extend(entry_codes)
    return tuple(codes)
