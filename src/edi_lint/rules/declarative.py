"""Declarative rulesets: TOML files a biller can read and write, compiled once into Python closures.

A ruleset file has a `[ruleset]` table and `[[rule]]` tables:

    [ruleset]
    name = "physical-therapy"

    [[rule]]
    code = "PT001"
    name = "missing-gp-modifier"
    severity = "error"
    summary = "A 97026 line does not carry the GP therapy modifier."
    source = "CMS Pub. 100-04 ch. 5 §20.1"
    procedures = ["97026"]
    require = { modifier = "GP" }
    message = "{procedure} has no GP modifier (physical therapy plan of care)"

A rule applies to a service line (scope "line", the default) or a claim (scope "claim"). It is
scoped by `procedures`, `payers` and an optional `when` condition, and fires when its `require`
condition does not hold (or when its `forbid` condition holds). Conditions are tables of
`field = test`; every key must hold. Tests are a value (equals / contains), a list (one of), or a
table of operators (`in`, `not_in`, `any_of`, `none_of`, `at_most` ...); `all`, `any` and `not`
combine conditions. Messages are `str.format_map` templates over a fixed set of named facts
(`{procedure}`, `{modifiers}`, `{pos_source}` ...); attribute and index access are rejected.

Nothing here evaluates text as code: no eval, exec or imports. Every condition is turned into a
closure when the file is loaded, so a line costs a few function calls, not an interpretation of
the TOML. A malformed file raises RulesetError naming the file, the line (best effort) and the key.
"""

from __future__ import annotations

import functools
import re
import string
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, NamedTuple

from edi_lint.claims import decimal_value
from edi_lint.small_files import RULESET_LIMIT, read_text
from edi_lint.findings import Severity
from edi_lint.rules.api import Problem, Rule
from edi_lint.rules.base import RuleInfo
from edi_lint.rules.payers import PayerMatcher, merge_profiles
from edi_lint.rules.straightline import Src, attach, bind, compile_check, expression, getter, join, src_of, temp

CODE_FORMAT = re.compile(r"[A-Z]{1,8}[0-9]{1,4}")
NAME_FORMAT = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


class RulesetError(Exception):
    """A ruleset file that cannot be loaded; str() names the file, line and key."""

    def __init__(self, path, message: str, *, line: int | None = None, key: str | None = None,
                 rule: str | None = None):
        self.path, self.message, self.line, self.key, self.rule = str(path), message, line, key, rule
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path + (f":{self.line}" if self.line else "")
        parts = []
        if self.rule:
            parts.append(f"rule {self.rule}")
        if self.key:
            parts.append(f"key '{self.key}'")
        context = f" ({', '.join(parts)})" if parts else ""
        return f"{where}: invalid ruleset{context}: {self.message}"


# -- facts ------------------------------------------------------------------------------------


def _next_modifier_slot(line) -> str:
    """Where a missing modifier goes: the first free position of SV101-3..6 (SV101-3 when full)."""
    count = len(line.modifiers)
    return f"SV101-{3 + count}" if count < 4 else "SV101-3"


def _sv1(line):
    return line.sv1 if line.sv1 is not None else line.lx


def _dx(codes) -> tuple[str, ...]:
    return _dx_of(tuple(codes))


@functools.lru_cache(maxsize=4096)
def _dx_of(codes: tuple[str, ...]) -> tuple[str, ...]:
    """Memoised: a file's lines point at the same few diagnoses again and again."""
    return tuple(c.strip().upper().replace(".", "") for c in codes if c and c.strip())


POS_SOURCES = {"SV105": "SV105 on the line", "CLM05-1": "CLM05-1 of the claim"}
LOOP_NAMES = {
    "2420A": "line rendering provider (2420A)",
    "2310B": "claim rendering provider (2310B)",
    "2000A": "billing provider (2000A PRV*BI)",
}


class FieldDef(NamedTuple):
    """One fact a condition can test and a message can name, for lines and/or claims.
    (NamedTuple and plain classes in this module: a dataclass costs every run a millisecond or two
    to create at import.)"""

    name: str
    kind: str  # "text", "set" or "number"
    doc: str
    line: Callable | None = None  # ServiceLine -> value
    claim: Callable | None = None  # Claim -> value
    line_anchor: Callable | None = None  # ServiceLine -> (segment, element, loop)
    claim_anchor: Callable | None = None


def _sbr_anchor(claim):
    return (claim.sbr or claim.clm, "SBR09" if claim.sbr is not None else None, None)


_PAYER_FUNCTIONS: dict = {}  # matcher's profiles -> _claim_payers' pair, shared by the rulesets of a run


def _claim_payers(payers: PayerMatcher) -> tuple[Callable, Callable]:
    """claim -> payer families, and line -> its claim's: computed once per claim (kept in the claim's
    own __dict__). Rulesets loaded with the same profiles share one pair, so the engine asks a claim
    for its families once (engine.Linter: line tables by payer)."""
    shared = _PAYER_FUNCTIONS.get(payers.profiles)
    if shared is None:
        shared = _make_claim_payers(payers)
        if len(_PAYER_FUNCTIONS) < 16:
            _PAYER_FUNCTIONS[payers.profiles] = shared
    return shared


def _make_claim_payers(payers: PayerMatcher) -> tuple[Callable, Callable]:
    match = payers.match  # called directly: calling the matcher object costs a call more per claim

    def families(claim):
        cache = claim.computed
        found = cache.get("_edi_lint_payers")
        if found is None:
            found = cache["_edi_lint_payers"] = match(claim)
        return found

    def line_families(line):
        cache = line.claim.computed
        found = cache.get("_edi_lint_payers")
        if found is None:
            found = cache["_edi_lint_payers"] = payers(line.claim)
        return found

    return families, line_families


def _make_fields(payers: PayerMatcher) -> dict[str, FieldDef]:
    payers, line_payers = _claim_payers(payers)
    pos_anchor = lambda l: (l.place_of_service.segment or _sv1(l), l.place_of_service.element,  # noqa: E731
                            l.place_of_service.loop)
    tax_anchor = lambda l: (l.rendering_taxonomy.segment or _sv1(l), "PRV03", l.rendering_taxonomy.loop)  # noqa: E731
    defs = [
        FieldDef("procedure", "text", "SV101-2, the CPT/HCPCS code",
                 line=lambda l: l.procedure, line_anchor=lambda l: (_sv1(l), "SV101-2", None)),
        FieldDef("procedures", "set", "every line's SV101-2 on the claim",
                 claim=lambda c: tuple(l.procedure for l in c.lines), claim_anchor=lambda c: (c.clm, None, None)),
        FieldDef("modifiers", "set", "SV101-3 to SV101-6 (SV101-7 is a description, never a modifier)",
                 line=lambda l: l.modifiers, line_anchor=lambda l: (_sv1(l), _next_modifier_slot(l), None)),
        FieldDef("place_of_service", "text", "effective place of service: SV105, else CLM05-1",
                 line=lambda l: l.place_of_service.value, claim=lambda c: c.place_of_service.value,
                 line_anchor=pos_anchor, claim_anchor=lambda c: (c.clm, "CLM05-1", "2300")),
        FieldDef("pos_element", "text", "where the effective place of service came from: SV105 or CLM05-1",
                 line=lambda l: l.place_of_service.element, line_anchor=pos_anchor),
        FieldDef("line_place_of_service", "text", "SV105 as written on the line (none when empty)",
                 line=lambda l: (l.sv1.get(5).strip() or None) if l.sv1 is not None else None,
                 line_anchor=lambda l: (_sv1(l), "SV105", None)),
        FieldDef("claim_place_of_service", "text", "CLM05-1 of the claim",
                 line=lambda l: l.claim.place_of_service.value, claim=lambda c: c.place_of_service.value,
                 line_anchor=lambda l: (l.claim.clm, "CLM05-1", "2300"),
                 claim_anchor=lambda c: (c.clm, "CLM05-1", "2300")),
        FieldDef("taxonomy", "text", "rendering taxonomy: 2420A PRV03, else 2310B PRV03, else 2000A PRV*BI "
                 "(none when it cannot be determined)",
                 line=lambda l: l.rendering_taxonomy.value, claim=lambda c: c.rendering_taxonomy.value,
                 line_anchor=tax_anchor,
                 claim_anchor=lambda c: (c.rendering_taxonomy.segment or c.clm, "PRV03", c.rendering_taxonomy.loop)),
        FieldDef("taxonomy_loop", "text", "the loop the rendering taxonomy came from: 2420A, 2310B or 2000A",
                 line=lambda l: l.rendering_taxonomy.loop, claim=lambda c: c.rendering_taxonomy.loop,
                 line_anchor=tax_anchor),
        FieldDef("rendering_npi", "text", "NM109 of the rendering provider (2420A, else 2310B, else 2010AA)",
                 line=lambda l: l.rendering_provider.value, claim=lambda c: c.rendering_provider.value,
                 line_anchor=lambda l: (l.rendering_provider.segment or _sv1(l), "NM109", l.rendering_provider.loop)),
        FieldDef("units", "number", "SV104, the unit count (a number; none when empty or not a number)",
                 line=lambda l: decimal_value(l.units), line_anchor=lambda l: (_sv1(l), "SV104", None)),
        FieldDef("unit_basis", "text", "SV103: UN (units) or MJ (minutes)",
                 line=lambda l: l.unit_basis.strip() or None, line_anchor=lambda l: (_sv1(l), "SV103", None)),
        FieldDef("charge", "number", "SV102 on a line, CLM02 on a claim",
                 line=lambda l: decimal_value(l.charge), claim=lambda c: decimal_value(c.charge),
                 line_anchor=lambda l: (_sv1(l), "SV102", None), claim_anchor=lambda c: (c.clm, "CLM02", None)),
        FieldDef("diagnoses", "set", "on a line, the diagnosis codes its SV107 pointers point to; on a claim, "
                 "every HI code (without decimal points)",
                 line=lambda l: _dx(l.pointed_diagnoses), claim=lambda c: _dx(c.diagnoses),
                 line_anchor=lambda l: (_sv1(l), "SV107", None),
                 claim_anchor=lambda c: (c.clm, None, None)),
        FieldDef("payer", "set", "payer families from SBR09 and NM1*PR (medicare, bcbs, commercial, aetna ...)",
                 line=line_payers, claim=payers,
                 line_anchor=lambda l: _sbr_anchor(l.claim), claim_anchor=_sbr_anchor),
        FieldDef("filing_indicator", "text", "SBR09, the claim filing indicator (MB, CI, BL ...)",
                 line=lambda l: l.claim.filing_indicator or None, claim=lambda c: c.filing_indicator or None,
                 line_anchor=lambda l: _sbr_anchor(l.claim), claim_anchor=_sbr_anchor),
        FieldDef("payer_name", "text", "NM103 of the 2010BB payer",
                 line=lambda l: l.claim.payer_name.strip() or None, claim=lambda c: c.payer_name.strip() or None,
                 line_anchor=lambda l: (l.claim.payer or l.claim.clm, "NM103", None),
                 claim_anchor=lambda c: (c.payer or c.clm, "NM103", None)),
        FieldDef("payer_id", "text", "NM109 of the 2010BB payer",
                 line=lambda l: l.claim.payer_id.strip() or None, claim=lambda c: c.payer_id.strip() or None,
                 line_anchor=lambda l: (l.claim.payer or l.claim.clm, "NM109", None),
                 claim_anchor=lambda c: (c.payer or c.clm, "NM109", None)),
        FieldDef("date_of_service", "text", "DTP*472 of the line (CCYYMMDD, the first date of a range)",
                 line=_date_of_service, line_anchor=_dtp_anchor),
        FieldDef("units_per_day", "number", "SV104 summed over the claim's lines with this line's procedure and "
                 "date of service", line=_units_per_day, line_anchor=lambda l: (_sv1(l), "SV104", None)),
        FieldDef("procedures_same_day", "set", "SV101-2 of the claim's other lines with this line's date of service",
                 line=_procedures_same_day, line_anchor=lambda l: (_sv1(l), "SV101-2", None)),
        FieldDef("duplicate_of", "text", "LX01 of an earlier line of the claim with the same procedure, modifiers, "
                 "units, charge and date of service (none when the line is the first)",
                 line=_duplicate_of, line_anchor=lambda l: (_sv1(l), None, None)),
        FieldDef("frequency", "text", "CLM05-3, the claim frequency code",
                 line=lambda l: _component(l.claim.facility, 2), claim=lambda c: _component(c.facility, 2),
                 line_anchor=lambda l: (l.claim.clm, "CLM05-3", None), claim_anchor=lambda c: (c.clm, "CLM05-3", None)),
    ]
    return {d.name: d for d in defs}


def _date_of_service(line) -> str | None:
    return line.service_date[:8] or None


def _dtp_anchor(line):
    dtp = line.date_of_service
    return (dtp, "DTP03", "2400") if dtp is not None else (_sv1(line), None, None)


def _claim_days(claim) -> dict:
    """(procedure, date of service) -> [lines, units summed or None until asked], once per claim (kept
    in the claim's __dict__). Each line of the claim keeps its own group too (ServiceLine._group), so a
    line rule finds it with one attribute read."""
    cache = claim.computed
    days = cache.get("_edi_lint_days")
    if days is None:
        days = cache["_edi_lint_days"] = {}
        for line in claim.lines:
            key = (line.procedure, line.service_date[:8] or None)  # as _date_of_service reads it
            group = days.get(key)
            if group is None:
                group = days[key] = [[line], None]
            else:
                group[0].append(line)
            line._group = group
    return days


def _day_group(line) -> list:
    group = line._group
    if group is None:
        group = _claim_days(line.claim)[(line.procedure, _date_of_service(line))]
    return group


_NO_UNITS = Decimal(0)  # a sum's start, made once: Decimal(0) costs three times the addition
# SV104 text -> its units for _units_per_day (decimal_value, 0 when not a number). Emptied when full.
_UNITS: dict[str, Decimal] = {}
MAX_UNITS = 4096


def _units_per_day(line) -> Decimal:
    """SV104 summed over the line's day group, in line order; summed once per group."""
    group = line._group or _day_group(line)  # a group is a non-empty list
    total = group[1]
    if total is None:
        total = _NO_UNITS
        units_of = _UNITS
        for other in group[0]:
            text = other.units
            units = units_of.get(text)  # not decimal_value's lru_cache: a hit there costs twice a get
            if units is None:
                if len(units_of) >= MAX_UNITS:
                    units_of.clear()
                units = units_of[text] = decimal_value(text) or _NO_UNITS
            total += units
        group[1] = total
    return total


def _first_of_day(line) -> bool:
    return (line._group or _day_group(line))[0][0] is line


def _procedures_same_day(line) -> frozenset[str]:
    day = _date_of_service(line)
    return frozenset(p for (p, d), (lines, _) in _claim_days(line.claim).items()
                     if d == day and (p != line.procedure or len(lines) > 1))


def _duplicate_of(line) -> str | None:
    lines = (line._group or _day_group(line))[0]
    if lines[0] is line:  # the first line of its day group repeats nothing
        return None
    key = (line.modifiers, line.units.strip(), decimal_value(line.charge))
    for other in lines:
        if other is line:
            return None
        if (other.modifiers, other.units.strip(), decimal_value(other.charge)) == key:
            return other.lx.get(1).strip() or "?"
    return None


def _component(parts: list[str], index: int) -> str | None:
    return (parts[index].strip() or None) if len(parts) > index else None


ALIASES = {"modifier": "modifiers", "pos": "place_of_service", "diagnosis": "diagnoses",
           "pointed_diagnoses": "diagnoses", "payers": "payer", "sbr09": "filing_indicator"}

# Message-only facts (descriptions), on top of every field.
EXTRA_PLACEHOLDERS_LINE: dict[str, Callable] = {
    "pos_source": lambda l: POS_SOURCES.get(l.place_of_service.element, l.place_of_service.element),
    "taxonomy_source": lambda l: LOOP_NAMES.get(l.rendering_taxonomy.loop or "", l.rendering_taxonomy.loop or "unknown loop"),
    "line": lambda l: l.lx.get(1).strip(),
}
EXTRA_PLACEHOLDERS_CLAIM: dict[str, Callable] = {
    "taxonomy_source": lambda c: LOOP_NAMES.get(c.rendering_taxonomy.loop or "", c.rendering_taxonomy.loop or "unknown loop"),
    "lines": lambda c: str(len(c.lines)),
}


def _text(value) -> str:
    """How a fact reads in a message."""
    if value is None:
        return "none"
    if isinstance(value, (tuple, list)):
        return ":".join(value) if value else "none"
    if isinstance(value, frozenset):
        return ", ".join(sorted(value)) if value else "none"
    return str(value)


def _actual(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (tuple, list)):
        return ":".join(value) or None
    if isinstance(value, frozenset):
        return ",".join(sorted(value)) or None
    return str(value)


class _Facts(dict):
    """The mapping a message template is formatted with: facts computed on first use."""

    __slots__ = ("unit", "table")

    def __init__(self, unit, table):
        super().__init__()
        self.unit, self.table = unit, table

    def __missing__(self, key):
        value = _text(self.table[key](self.unit))
        self[key] = value
        return value


# -- compiling --------------------------------------------------------------------------------


class _Context:
    def __init__(self, path: str, text: str, scope: str, fields: dict[str, FieldDef], families: frozenset[str],
                 code: str | None = None):
        self.path, self.text, self.scope, self.fields, self.families = path, text, scope, fields, families
        self.code = code
        self.referenced: list[str] = []
        self.tables: dict[str, CodeTable] = {}
        self.default = "on"

    def error(self, message: str, key: str | None = None) -> RulesetError:
        return RulesetError(self.path, message, line=_locate(self.text, self.code, key), key=key, rule=self.code)


def _locate(text: str, code: str | None, key: str | None) -> int | None:
    """Best-effort line of `key` inside the [[rule]] whose code is `code` (1-based)."""
    lines = text.splitlines()
    start = 0
    if code:
        pattern = re.compile(r"^\s*code\s*=\s*[\"']" + re.escape(code) + r"[\"']")
        for n, raw in enumerate(lines):
            if pattern.match(raw):
                start = n
                break
        else:
            return None
        # back up to the rule's header, so keys written before `code` are found too
        for n in range(start, -1, -1):
            if lines[n].strip().startswith("[[rule]]"):
                start = n
                break
    if not key:
        return start + 1 if code else None
    leaf_names = [part for part in re.split(r"[.\[\]]", key) if part and not part.isdigit()]
    for name in leaf_names[::-1] + leaf_names[:1]:
        key_pattern = re.compile(r"(^|[\s{,\[])" + re.escape(name) + r"\s*=|^\s*\[+[\w.]*" + re.escape(name))
        for n in range(start, len(lines)):
            if n > start and code and lines[n].strip().startswith("[[rule]]"):
                break
            if key_pattern.search(lines[n]):
                return n + 1
    return start + 1 if code else None


def _strings(value, ctx: _Context, key: str, *, allow_single: bool = True) -> tuple[str, ...]:
    if isinstance(value, dict) and set(value) == {"table"}:  # { table = "always-therapy" }: a [tables.*] list
        table = ctx.tables.get(value["table"]) if isinstance(value["table"], str) else None
        if table is None:
            raise ctx.error(f"unknown table {value['table']!r}; tables in this file: "
                            f"{', '.join(sorted(ctx.tables)) or 'none'}", key)
        return table.codes
    if isinstance(value, str) and allow_single:
        return (value.strip(),)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value)
    raise ctx.error("expected a string or a list of strings" if allow_single else "expected a list of strings", key)


def _field(name: str, ctx: _Context, key: str) -> FieldDef:
    canonical = ALIASES.get(name, name)
    definition = ctx.fields.get(canonical)
    getter = None
    if definition is not None:
        getter = definition.line if ctx.scope == "line" else definition.claim
    if definition is None or getter is None:
        known = sorted(n for n, d in ctx.fields.items() if (d.line if ctx.scope == "line" else d.claim))
        raise ctx.error(f"unknown field {name!r} for a {ctx.scope} rule; known fields: {', '.join(known)}", key)
    return definition


def compile_condition(node, ctx: _Context, key: str) -> Callable[[Any], bool]:
    """A condition table -> a closure unit -> bool. Every key must hold."""
    if not isinstance(node, dict) or not node:
        raise ctx.error("a condition is a non-empty table, e.g. { modifier = \"GP\" }", key)
    parts: list[Callable] = []
    for name, value in node.items():
        sub = f"{key}.{name}"
        if name in ("all", "any"):
            if not isinstance(value, list) or not value:
                raise ctx.error(f"'{name}' takes a non-empty list of condition tables", sub)
            tests = tuple(compile_condition(v, ctx, f"{sub}[{i}]") for i, v in enumerate(value))
            if name == "all":
                parts.append(attach(lambda u, tests=tests: all(t(u) for t in tests), join(tests, "and")))
            else:
                parts.append(attach(lambda u, tests=tests: any(t(u) for t in tests), join(tests, "or")))
        elif name == "not":
            inner = compile_condition(value, ctx, sub)
            parts.append(attach(lambda u, inner=inner: not inner(u), expression("not ({a})", a=src_of(inner))))
        else:
            definition = _field(name, ctx, sub)
            ctx.referenced.append(definition.name)
            parts.append(_compile_test(definition, value, ctx, sub))
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        a, b = parts
        return attach(lambda u: a(u) and b(u), join(parts, "and"))
    parts_t = tuple(parts)
    return attach(lambda u: all(p(u) for p in parts_t), join(parts, "and"))


SET_OPS = ("any_of", "all_of", "none_of", "at_most_one_of", "empty", "count_at_most", "count_at_least",
           "any_prefix", "none_prefix")
TEXT_OPS = ("equals", "not_equals", "in", "not_in", "prefix", "not_prefix", "present", "same_as", "not_same_as")
NUMBER_OPS = ("equals", "at_most", "at_least", "present")


def _compile_test(definition: FieldDef, value, ctx: _Context, key: str) -> Callable[[Any], bool]:
    get = definition.line if ctx.scope == "line" else definition.claim
    kind = definition.kind
    if not isinstance(value, dict):  # shorthand
        if kind == "set":
            value = {"all_of": [value]} if isinstance(value, str) else {"any_of": value}
        elif kind == "text":
            value = {"present": value} if isinstance(value, bool) else (
                {"equals": value} if isinstance(value, str) else {"in": value})
        else:
            value = {"present": value} if isinstance(value, bool) else {"equals": value}
    if not value:
        raise ctx.error("empty test table", key)
    ops = {"set": SET_OPS, "text": TEXT_OPS, "number": NUMBER_OPS}[kind]
    tests = []
    for op, arg in value.items():
        sub = f"{key}.{op}"
        if op not in ops:
            raise ctx.error(f"unknown test {op!r} for {kind} field {definition.name!r}; use one of {', '.join(ops)}", sub)
        tests.append(_compile_op(definition, kind, op, arg, get, ctx, sub))
    if len(tests) == 1:
        return tests[0]
    tests_t = tuple(tests)
    return attach(lambda u: all(t(u) for t in tests_t), join(tests, "and"))


def _bool(arg, ctx, key) -> bool:
    if not isinstance(arg, bool):
        raise ctx.error("expected true or false", key)
    return arg


def _int(arg, ctx, key) -> Decimal:
    if isinstance(arg, bool) or not isinstance(arg, (int, float)):
        raise ctx.error("expected a number", key)
    return Decimal(str(arg))


def _codes(definition: FieldDef, arg, ctx, key) -> tuple[str, ...]:
    values = _strings(arg, ctx, key)
    if definition.name == "payer":
        values = tuple(v.lower() for v in values)
        unknown = [v for v in values if v not in ctx.families]
        if unknown:
            raise ctx.error(f"unknown payer family {unknown[0]!r}; known: {', '.join(sorted(ctx.families))} "
                            "(add profiles under [tool.edi-lint.payers])", key)
    elif definition.name == "diagnoses":
        values = _dx(values)
    return values


def _compile_op(definition, kind, op, arg, get, ctx, key) -> Callable[[Any], bool]:
    """One test as a closure, with the same test as an expression on it (rules/straightline.py)."""
    v = getter(definition.name, ctx.scope, get)
    if kind == "set":
        if op == "empty":
            want = _bool(arg, ctx, key)
            return attach(lambda u: (not get(u)) is want, expression("(not {v}) is {k}", v=v, k=bind(want)))
        if op in ("count_at_most", "count_at_least"):
            n = _int(arg, ctx, key)
            if op == "count_at_most":
                return attach(lambda u: len(get(u)) <= n, expression("len({v}) <= {k}", v=v, k=bind(n)))
            return attach(lambda u: len(get(u)) >= n, expression("len({v}) >= {k}", v=v, k=bind(n)))
        codes = _codes(definition, arg, ctx, key)
        wanted = frozenset(codes)
        w, c = bind(wanted), bind(codes)
        # one code (modifier = "GP"): a membership test, without the set a subset test builds
        one = bind(next(iter(wanted))) if len(wanted) == 1 else None
        if op == "any_of":
            return attach(lambda u: not wanted.isdisjoint(get(u)),
                          expression("{k} in {v}", v=v, k=one) if one else
                          expression("not {w}.isdisjoint({v})", v=v, w=w))
        if op == "all_of":
            return attach(lambda u: wanted.issubset(get(u)),
                          expression("{k} in {v}", v=v, k=one) if one else expression("{w}.issubset({v})", v=v, w=w))
        if op == "none_of":
            return attach(lambda u: wanted.isdisjoint(get(u)),
                          expression("{k} not in {v}", v=v, k=one) if one else
                          expression("{w}.isdisjoint({v})", v=v, w=w))
        if op == "at_most_one_of":  # a unit with at most one value needs no intersection (nearly every line)
            t = Src(temp())
            return attach(lambda u: len(values := get(u)) <= 1 or len(wanted.intersection(values)) <= 1,
                          expression("len({t} := {v}) <= 1 or len({w}.intersection({t})) <= 1", v=v, w=w, t=t))
        if op == "any_prefix":
            return attach(lambda u: any(v.startswith(codes) for v in get(u)),
                          expression("any(_x.startswith({c}) for _x in {v})", v=v, c=c))
        if op == "none_prefix":
            return attach(lambda u: not any(v.startswith(codes) for v in get(u)),
                          expression("not any(_x.startswith({c}) for _x in {v})", v=v, c=c))
    if kind == "text":
        t = Src(temp())
        if op == "present":
            want = _bool(arg, ctx, key)
            return attach(lambda u: (get(u) is not None) is want, expression("({v} is not None) is {k}", v=v, k=bind(want)))
        if op in ("same_as", "not_same_as"):
            if not isinstance(arg, str):
                raise ctx.error("expected a field name", key)
            other_def = _field(arg, ctx, key)
            if other_def.kind != "text":
                raise ctx.error(f"{arg!r} is not a text field", key)
            other = other_def.line if ctx.scope == "line" else other_def.claim
            o = getter(other_def.name, ctx.scope, other)
            same = expression("({t} := {v}) is not None and {t} == {o}", v=v, o=o, t=t)
            if op == "same_as":
                return attach(lambda u: (a := get(u)) is not None and a == other(u), same)
            return attach(lambda u: not ((a := get(u)) is not None and a == other(u)),
                          expression("not ({s})", s=same))
        if op in ("equals", "not_equals"):
            if not isinstance(arg, str):
                raise ctx.error("expected a string", key)
            text = arg.strip()
            k = bind(text)
            if op == "equals":
                return attach(lambda u: get(u) == text, expression("{v} == {k}", v=v, k=k))
            return attach(lambda u: get(u) != text, expression("{v} != {k}", v=v, k=k))
        codes = _strings(arg, ctx, key)
        if op == "in":
            wanted = frozenset(codes)
            return attach(lambda u: get(u) in wanted, expression("{v} in {w}", v=v, w=bind(wanted)))
        if op == "not_in":
            wanted = frozenset(codes)
            return attach(lambda u: get(u) not in wanted, expression("{v} not in {w}", v=v, w=bind(wanted)))
        if op == "prefix":
            return attach(lambda u: (v := get(u)) is not None and v.startswith(codes),
                          expression("({t} := {v}) is not None and {t}.startswith({c})", v=v, t=t, c=bind(codes)))
        if op == "not_prefix":
            return attach(lambda u: not ((v := get(u)) is not None and v.startswith(codes)),
                          expression("not (({t} := {v}) is not None and {t}.startswith({c}))", v=v, t=t,
                                     c=bind(codes)))
    if kind == "number":
        t = Src(temp())
        if op == "present":
            want = _bool(arg, ctx, key)
            return attach(lambda u: (get(u) is not None) is want, expression("({v} is not None) is {k}", v=v, k=bind(want)))
        n = _int(arg, ctx, key)
        k = bind(n)
        if op == "equals":
            return attach(lambda u: (v := get(u)) is not None and v == n,
                          expression("({t} := {v}) is not None and {t} == {k}", v=v, t=t, k=k))
        if op == "at_most":
            return attach(lambda u: (v := get(u)) is not None and v <= n,
                          expression("({t} := {v}) is not None and {t} <= {k}", v=v, t=t, k=k))
        if op == "at_least":
            return attach(lambda u: (v := get(u)) is not None and v >= n,
                          expression("({t} := {v}) is not None and {t} >= {k}", v=v, t=t, k=k))
    raise ctx.error(f"unsupported test {op!r}", key)  # pragma: no cover


_FORMATTER = string.Formatter()


def compile_template(template, ctx: _Context, key: str, placeholders: dict[str, Callable]) -> str:
    """Check a message template: plain {name} placeholders naming known facts, nothing else."""
    if not isinstance(template, str) or not template.strip():
        raise ctx.error("expected a non-empty string", key)
    try:
        parsed = list(_FORMATTER.parse(template))
    except ValueError as error:
        raise ctx.error(f"bad message template: {error} (write {{{{ and }}}} for literal braces)", key) from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name or not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ctx.error(f"placeholder {{{name}}} is not allowed: use a plain fact name such as {{procedure}} "
                            "(no positions, attributes or indexes)", key)
        if spec or conversion:
            raise ctx.error(f"placeholder {{{name}}} may not have a format spec or conversion", key)
        if name not in placeholders:
            raise ctx.error(f"unknown placeholder {{{name}}}; known: {', '.join(sorted(placeholders))}", key)
    return template


RULE_KEYS = {
    "code", "name", "severity", "summary", "explanation", "source", "tags", "example_bad", "example_good",
    "procedures", "payers", "scope", "when", "require", "forbid", "message", "messages", "element", "at",
    "expected", "default", "severity_reason", "once_per", "claim_status", "status_entity",
}


def _compile_rule(table: dict, index: int, ctx: _Context, ruleset: str) -> Rule:
    ctx.code = None
    key = f"rule[{index}]"
    if not isinstance(table, dict):
        raise ctx.error("each [[rule]] must be a table", key)
    code = table.get("code")
    if not isinstance(code, str) or not CODE_FORMAT.fullmatch(code):
        raise ctx.error("'code' is required: capital letters then digits, e.g. PT001", "code")
    ctx.code = code
    unknown = sorted(set(table) - RULE_KEYS)
    if unknown:
        raise ctx.error(f"unknown key {unknown[0]!r}; allowed keys: {', '.join(sorted(RULE_KEYS))}", unknown[0])
    name = table.get("name")
    if not isinstance(name, str) or not NAME_FORMAT.fullmatch(name):
        raise ctx.error("'name' is required, in kebab-case, e.g. missing-gp-modifier", "name")
    try:
        severity = Severity.parse(table.get("severity", "error")) if isinstance(
            table.get("severity", "error"), str) else None
    except ValueError:
        severity = None
    if severity is None:
        raise ctx.error("'severity' must be error, warning or info", "severity")
    for text_key in ("summary", "message"):
        if not isinstance(table.get(text_key), str) or not table[text_key].strip():
            raise ctx.error(f"'{text_key}' is required (a non-empty string)", text_key)
    for text_key in ("explanation", "source", "example_bad", "example_good", "element", "expected",
                     "severity_reason", "claim_status", "status_entity"):
        if text_key in table and not isinstance(table[text_key], str):
            raise ctx.error(f"'{text_key}' must be a string", text_key)
    from edi_lint.acks.codes import check_entity, check_status

    for ack_key, check in (("claim_status", check_status), ("status_entity", check_entity)):
        if table.get(ack_key) and check(table[ack_key]):
            raise ctx.error(check(table[ack_key]), ack_key)
    scope = table.get("scope", "line")
    if scope not in ("line", "claim"):
        raise ctx.error("'scope' must be line or claim", "scope")
    ctx.scope = scope
    ctx.referenced = []
    tags = _strings(table.get("tags", []), ctx, "tags", allow_single=False) if "tags" in table else ()
    procedures = ()
    if "procedures" in table:
        if scope != "line":
            raise ctx.error("'procedures' applies to line rules; use { procedures = ... } in 'when' for a claim", "procedures")
        procedures = _strings(table["procedures"], ctx, "procedures")
        if not procedures or not all(procedures):
            raise ctx.error("'procedures' must list procedure codes", "procedures")

    scope_tests = []
    payer_scope = None
    if "payers" in table:
        scope_tests.append(compile_condition({"payer": {"any_of": table["payers"]}}, ctx, "payers"))
        payer_def = ctx.fields["payer"]
        payer_scope = (payer_def.claim, frozenset(_codes(payer_def, table["payers"], ctx, "payers")))
    if "when" in table:
        scope_tests.append(compile_condition(table["when"], ctx, "when"))
    ctx.referenced = []
    if ("require" in table) == ("forbid" in table):
        raise ctx.error("give exactly one of 'require' (fires when it does not hold) or 'forbid' (fires when it holds)",
                        "require")
    test_key = "require" if "require" in table else "forbid"
    test = compile_condition(table[test_key], ctx, test_key)
    fires_when = test_key == "forbid"
    referenced = list(ctx.referenced)

    fields = ctx.fields
    line_scope = scope == "line"
    placeholders = {n: (d.line if line_scope else d.claim) for n, d in fields.items()
                    if (d.line if line_scope else d.claim) is not None}
    placeholders.update(EXTRA_PLACEHOLDERS_LINE if line_scope else EXTRA_PLACEHOLDERS_CLAIM)
    message = compile_template(table["message"], ctx, "message", placeholders)
    variants = []
    messages = table.get("messages", [])
    if not isinstance(messages, list):
        raise ctx.error("'messages' is a list of { when = {...}, text = \"...\" } tables", "messages")
    for i, variant in enumerate(messages):
        sub = f"messages[{i}]"
        if not isinstance(variant, dict) or set(variant) != {"when", "text"}:
            raise ctx.error("each message variant has exactly 'when' and 'text'", sub)
        variants.append((compile_condition(variant["when"], ctx, f"{sub}.when"),
                         compile_template(variant["text"], ctx, f"{sub}.text", placeholders)))
    ctx.referenced = referenced

    at = table.get("at", referenced[0] if referenced else None)
    if at is not None:
        anchor_def = _field(at, ctx, "at")
        anchor = anchor_def.line_anchor if line_scope else anchor_def.claim_anchor
        value_of = anchor_def.line if line_scope else anchor_def.claim
    else:
        anchor = value_of = None
    if anchor is None:
        anchor = (lambda l: (_sv1(l), None, None)) if line_scope else (lambda c: (c.clm, None, None))
    element_override = table.get("element")
    expected = table.get("expected")
    if "once_per" in table:  # one finding per (procedure, date of service), on the day's first line
        if table["once_per"] != "day" or not line_scope:
            raise ctx.error("'once_per' is \"day\" (line rules only): one finding per procedure and date of service",
                            "once_per")
        scope_tests.append(attach(_first_of_day, src_of(_first_of_day)))  # a plain call in a generated check
    default = table.get("default", ctx.default)
    if default not in ("on", "off"):
        raise ctx.error("'default' is \"on\" or \"off\" (off: runs only when selected)", "default")

    info = RuleInfo(
        code=code, name=name, severity=severity, summary=table["summary"].strip(), scope=scope,
        explanation=table.get("explanation", "").strip(), source=table.get("source", "").strip(),
        example_bad=table.get("example_bad", "").strip(), example_good=table.get("example_good", "").strip(),
        tags=tags, ruleset=ruleset, procedures=procedures, default_on=default == "on",
        severity_reason=table.get("severity_reason", "").strip(),
        claim_status=table.get("claim_status", ""), status_entity=table.get("status_entity", ""),
    )
    check = _make_check(tuple(scope_tests), test, fires_when, tuple(variants), message, placeholders, anchor,
                        value_of, element_override, expected, code,
                        payer_test=scope_tests[0] if payer_scope is not None and line_scope else None)
    if payer_scope is not None and line_scope:
        check.payer_scope = payer_scope  # the engine skips the rule on claims of other payers (engine.Linter)
    return Rule(info, check)


def _make_check(scope_tests, test, fires_when, variants, message, placeholders, anchor, value_of,
                element_override, expected, code="rule", payer_test=None):
    """The rule's check: one generated straight-line function when every test has an expression,
    else the closures. Either way `check.reference` is the closure version (the meaning, for tests)."""
    def report(unit):
        facts = _Facts(unit, placeholders)
        template = message
        for when, text in variants:
            if when(unit):
                template = text
                break
        segment, element, loop = anchor(unit)
        actual = _actual(value_of(unit)) if value_of is not None else None
        return (Problem(template.format_map(facts), segment, element_override or element, loop=loop,
                        expected=expected, actual=actual),)

    # The closure version: most lines pass, so a passing line costs one or two closure calls.
    if not scope_tests:
        def check(unit):
            return () if test(unit) is not fires_when else report(unit)
    elif len(scope_tests) == 1:
        (applies,) = scope_tests

        def check(unit):
            return () if not applies(unit) or test(unit) is not fires_when else report(unit)
    else:
        def check(unit):
            for applies in scope_tests:
                if not applies(unit):
                    return ()
            return () if test(unit) is not fires_when else report(unit)
    compiled = compile_check(scope_tests, test, fires_when, report, code, payer_test)
    if compiled is None:
        compiled = check
    compiled.reference = check
    return compiled


# -- loading ----------------------------------------------------------------------------------


class CodeTable(NamedTuple):
    """A named list of codes (`[tables.<name>]`) that rules refer to as { table = "<name>" }.

    Data, not logic: it says where the list comes from and from when it is in force, so a biller can
    check it against the source and replace it when the source changes.
    """

    name: str
    codes: tuple[str, ...]
    source: str
    effective: str  # YYYY-MM-DD
    description: str = ""


TABLE_KEYS = {"codes", "source", "effective", "description"}


def _load_tables(data, ctx: _Context) -> dict[str, CodeTable]:
    if not isinstance(data, dict):
        raise ctx.error("tables are written as [tables.<name>] with codes, source and effective", "tables")
    tables = {}
    for name, table in data.items():
        key = f"tables.{name}"
        if not NAME_FORMAT.fullmatch(name) or not isinstance(table, dict):
            raise ctx.error("a table is [tables.<kebab-name>] with codes, source and effective", key)
        unknown = sorted(set(table) - TABLE_KEYS)
        if unknown:
            raise ctx.error(f"unknown key {unknown[0]!r}; allowed: {', '.join(sorted(TABLE_KEYS))}", f"{key}.{unknown[0]}")
        codes = _strings(table.get("codes"), ctx, f"{key}.codes", allow_single=False) if "codes" in table else ()
        if not codes or not all(codes):
            raise ctx.error("'codes' must list at least one code", f"{key}.codes")
        for text_key in ("source", "effective"):
            if not isinstance(table.get(text_key), str) or not table[text_key].strip():
                raise ctx.error(f"'{text_key}' is required: where the list comes from and from when it applies",
                                f"{key}.{text_key}")
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", table["effective"].strip()):
            raise ctx.error("'effective' is a date, YYYY-MM-DD", f"{key}.effective")
        tables[name] = CodeTable(name, codes, table["source"].strip(), table["effective"].strip(),
                                 str(table.get("description", "")).strip())
    return tables


class Ruleset:
    def __init__(self, name: str, path: str, rules: list[Rule], prefix: str | None = None, description: str = "",
                 tables: dict[str, CodeTable] | None = None, prefix_exceptions: tuple[str, ...] = ()):
        self.name, self.path, self.rules, self.prefix, self.description = name, path, rules, prefix, description
        self.tables = tables if tables is not None else {}
        self.prefix_exceptions = prefix_exceptions  # codes under the prefix that another ruleset owns

    def __repr__(self) -> str:
        return f"Ruleset({self.name!r}, {self.path!r}, rules={len(self.rules)}, prefix={self.prefix!r})"


RULESET_KEYS = {"name", "description", "prefix", "default", "prefix_exceptions"}


def load_ruleset(path: str | Path, payer_profiles=(), *, cached: bool = False) -> Ruleset:
    """The ruleset in file `path`. `cached` (the shipped rulesets) keeps the parsed TOML between runs."""
    path = Path(path)
    try:
        text = read_text(path, RULESET_LIMIT)
    except OSError as error:
        raise RulesetError(path, f"cannot read the file: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise RulesetError(path, "the file is not UTF-8 text") from None
    return load_ruleset_text(text, str(path), payer_profiles, cached=cached)


def load_ruleset_text(text: str, path: str = "<ruleset>", payer_profiles=(), *, cached: bool = False) -> Ruleset:
    try:
        data = _parse_cached(text) if cached else _parse(text)
    except ValueError as error:  # tomllib.TOMLDecodeError (tomllib is imported only to parse)
        match = re.search(r"at line (\d+)", str(error))
        raise RulesetError(path, f"not valid TOML: {error}", line=int(match.group(1)) if match else None) from None
    payers = PayerMatcher(merge_profiles(payer_profiles))
    ctx = _Context(path, text, "line", _make_fields(payers), payers.families | {"other", "unknown"})
    unknown = sorted(set(data) - {"ruleset", "rule", "tables"})
    if unknown:
        raise ctx.error(f"unknown top-level key {unknown[0]!r}; a ruleset has [ruleset], [tables.*] and [[rule]] "
                        "tables", unknown[0])
    ctx.tables = _load_tables(data.get("tables", {}), ctx)
    header = data.get("ruleset")
    if not isinstance(header, dict):
        raise ctx.error("a [ruleset] table with at least name = \"...\" is required", "ruleset")
    bad = sorted(set(header) - RULESET_KEYS)
    if bad:
        raise ctx.error(f"unknown key {bad[0]!r} in [ruleset]; allowed: {', '.join(sorted(RULESET_KEYS))}",
                        f"ruleset.{bad[0]}")
    name = header.get("name")
    if not isinstance(name, str) or not NAME_FORMAT.fullmatch(name):
        raise ctx.error("ruleset name is required, in kebab-case", "ruleset.name")
    prefix = header.get("prefix")
    if prefix is not None and (not isinstance(prefix, str) or not re.fullmatch(r"[A-Z]{1,8}[0-9]*", prefix)):
        raise ctx.error("ruleset prefix must be capital letters (and digits), e.g. ACME", "ruleset.prefix")
    ctx.default = header.get("default", "on")
    if ctx.default not in ("on", "off"):
        raise ctx.error("'default' is \"on\" or \"off\" (off: its rules run only when selected)", "ruleset.default")
    exceptions = _strings(header.get("prefix_exceptions", []), ctx, "ruleset.prefix_exceptions", allow_single=False)
    rules_data = data.get("rule", [])
    if not isinstance(rules_data, list):
        raise ctx.error("rules are written as [[rule]] tables", "rule")
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, table in enumerate(rules_data):
        rule = _compile_rule(table, index, ctx, name)
        if rule.code in seen:
            raise ctx.error(f"rule code {rule.code} is defined twice in this file", "code")
        if prefix and not rule.code.startswith(prefix):
            raise ctx.error(f"rule code {rule.code} does not start with the ruleset prefix {prefix}", "code")
        seen.add(rule.code)
        rules.append(rule)
    return Ruleset(name, path, rules, prefix, header.get("description", "") if isinstance(
        header.get("description", ""), str) else "", ctx.tables, exceptions)


def _parse(text: str) -> dict:
    import tomllib  # only when a ruleset is read from its text: the shipped ones come from the cache

    return tomllib.loads(text)


PARSED_LIMIT = 16 << 20
_PARSED_HEADER = "edi-lint-ruleset"
_PARSED_EVENT = "ruleset_cache_ignored"


def _parse_cached(text: str) -> dict:
    """tomllib's reading of `text`, kept between runs (edi_lint.cache: ours, verified, keyed by the
    text's hash) as marshal data: plain tables, never code, checked by the compiler like a fresh
    parse. Used for the shipped rulesets, which change only with an upgrade; a user's ruleset is
    parsed every time, so editing it never fills the cache."""
    import hashlib
    import marshal

    from edi_lint import cache

    key = hashlib.sha256(text.encode("utf-8")).hexdigest()
    root = cache.directory()
    path = root / f"ruleset-{key[:32]}.marshal" if root is not None else None
    if path is not None:
        body = cache.read(path, f"{_PARSED_HEADER} {key}", PARSED_LIMIT, _PARSED_EVENT)
        if body is not None:
            try:
                data = marshal.loads(body)
            except (ValueError, EOFError, TypeError):
                data = None
            if isinstance(data, dict):
                return data
            cache.ignored(path, _PARSED_EVENT, "not a parsed ruleset")
    data = _parse(text)
    if path is not None:
        try:
            body = marshal.dumps(data)
        except ValueError:  # TOML dates and times have no marshal form: such a file is parsed each time
            return data
        cache.write(path, f"{_PARSED_HEADER} {key}", body, _PARSED_EVENT)
    return data


@functools.cache
def shipped_rulesets_dir() -> Path | None:
    """edi_lint/_rulesets in an installed wheel; the repository's rulesets/ in an editable install.
    Looked up once per process: where edi-lint is installed does not change while it runs."""
    here = Path(__file__).resolve()
    for candidate in (here.parent.parent / "_rulesets", here.parents[3] / "rulesets"):
        if candidate.is_dir():
            return candidate
    return None


def shipped_ruleset_paths() -> list[Path]:
    folder = shipped_rulesets_dir()
    return sorted(folder.glob("*.toml")) if folder is not None else []


def describe_fields(scope: str = "line") -> list[tuple[str, str, str]]:
    """(name, kind, description) of every field, for documentation."""
    fields = _make_fields(PayerMatcher(merge_profiles()))
    return [(d.name, d.kind, d.doc) for d in fields.values() if (d.line if scope == "line" else d.claim)]
