"""Payer families: who pays this claim, from SBR09 and the 2010BB NM1*PR payer name and id.

A claim belongs to every family whose profile matches: SBR09 = MB makes it `medicare`; SBR09 = BL
makes it `bcbs` and `commercial`; a payer named "AETNA ..." makes it `aetna` (and `commercial` by
its SBR09). Declarative rules scope themselves with `payers = ["medicare"]`; configuration adds or
replaces profiles (`[tool.edi-lint.payers.<family>]` with `filing`, `names`, `ids`).

The SBR09 mapping follows reference rules-837p-97026.md §1.3. Payer-name fragments and payer ids
are **configurable data, not verified facts**: ids differ between clearinghouses (the ones below
are the commonly published national ids) — override them in configuration for your trading partner.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class PayerProfile:
    family: str
    filing: tuple[str, ...] = ()  # SBR09 codes
    names: tuple[str, ...] = ()  # upper-case fragments of NM103 (payer name)
    ids: tuple[str, ...] = ()  # exact NM109 payer ids


BUILTIN_PROFILES: tuple[PayerProfile, ...] = (
    PayerProfile("medicare", filing=("MB", "MA")),
    PayerProfile("medicare-advantage", filing=("16",)),
    PayerProfile("medicaid", filing=("MC",)),
    PayerProfile("bcbs", filing=("BL", "FI"), names=("BLUE CROSS", "BLUE SHIELD", "BCBS", "ANTHEM", "HIGHMARK")),
    PayerProfile("commercial", filing=("12", "13", "14", "15", "BL", "CI", "HM")),
    PayerProfile("federal", filing=("CH", "FI", "OF", "VA")),
    PayerProfile("tricare", filing=("CH",)),
    PayerProfile("va", filing=("VA",)),
    PayerProfile("workers-comp", filing=("WC",)),
    PayerProfile("auto-liability", filing=("AM", "LM")),
    PayerProfile("aetna", names=("AETNA",), ids=("60054",)),
    PayerProfile("cigna", names=("CIGNA",), ids=("62308",)),
    PayerProfile("uhc", names=("UNITEDHEALTHCARE", "UNITED HEALTHCARE", "UNITED HEALTH CARE", "UHC"), ids=("87726",)),
    PayerProfile("humana", names=("HUMANA",), ids=("61101",)),
)


def merge_profiles(overrides: dict | tuple = ()) -> tuple[PayerProfile, ...]:
    """Built-in profiles with configured ones added; a configured family replaces the built-in one."""
    by_family = {p.family: p for p in BUILTIN_PROFILES}
    items = overrides.items() if isinstance(overrides, dict) else overrides
    for family, data in items:
        if isinstance(data, PayerProfile):
            by_family[family] = data
            continue
        data = dict(data)
        by_family[family] = PayerProfile(
            family,
            filing=tuple(str(c).strip().upper() for c in data.get("filing", ())),
            names=tuple(str(n).strip().upper() for n in data.get("names", ())),
            ids=tuple(str(i).strip() for i in data.get("ids", ())),
        )
    return tuple(by_family.values())


class PayerMatcher:
    """Claim -> frozenset of family names; memoised on (SBR09, payer name, payer id)."""

    def __init__(self, profiles: tuple[PayerProfile, ...]):
        self.profiles = profiles
        self.families = frozenset(p.family for p in profiles)
        self._match = lru_cache(maxsize=4096)(self._compute)

    def _compute(self, filing: str, name: str, payer_id: str) -> frozenset[str]:
        name = name.upper()
        found = set()
        for p in self.profiles:
            if (filing and filing in p.filing) or (payer_id and payer_id in p.ids) or any(n in name for n in p.names):
                found.add(p.family)
        if not found:
            found.add("other" if filing else "unknown")
        return frozenset(found)

    def match(self, claim) -> frozenset[str]:
        return self._match(claim.filing_indicator, claim.payer_name.strip(), claim.payer_id.strip())

    __call__ = match
