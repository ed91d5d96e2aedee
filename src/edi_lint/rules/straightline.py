"""Declarative checks as straight-line Python: one function call per rule and unit.

`declarative.py` compiles every condition into a closure (the reference meaning) and, next to it,
into an expression over the unit `u`, kept on the closure as `.src`. When every part of a rule has
one, the rule's whole check becomes a single generated function:

    def check(u):
        if (not _k1.isdisjoint(_g2(u))) and not (_k3.issubset(u.modifiers)):
            return report(u)
        return ()

instead of a chain of five or six closure calls per line. Nothing from a ruleset file is ever
written into the generated text: its values (codes, numbers, field getters) are bound to generated
names (`_k1`, `_g2`) in the function's namespace, the text holds only those names, operators and
attribute paths fixed in this package, and the function runs with no builtins but `len` and
`any`. A part without an expression (a test this module does not know) is called as its closure,
so the language can grow without touching this file.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable

_names = itertools.count(1)

# Attribute paths that read the same value as the field's getter: no call needed. Fields that are
# not listed here are read by calling their getter.
LINE_PATHS = {
    "procedure": "procedure",
    "modifiers": "modifiers",
    "place_of_service": "place_of_service.value",
    "pos_element": "place_of_service.element",
    "claim_place_of_service": "claim.place_of_service.value",
    "taxonomy": "rendering_taxonomy.value",
    "taxonomy_loop": "rendering_taxonomy.loop",
    "rendering_npi": "rendering_provider.value",
}
CLAIM_PATHS = {
    "place_of_service": "place_of_service.value",
    "claim_place_of_service": "place_of_service.value",
    "taxonomy": "rendering_taxonomy.value",
    "taxonomy_loop": "rendering_taxonomy.loop",
    "rendering_npi": "rendering_provider.value",
}
BUILTINS = {"len": len, "any": any}


class Src:
    """A Python expression over `u` and the objects its generated names stand for."""

    __slots__ = ("text", "names")

    def __init__(self, text: str, names: dict[str, Any] | None = None):
        self.text, self.names = text, names or {}


def bind(value: Any, prefix: str = "_k") -> Src:
    """A generated name standing for `value` (a constant, a getter, a closure)."""
    name = f"{prefix}{next(_names)}"
    return Src(name, {name: value})


def temp() -> str:
    """A fresh local name for `:=` in a generated expression."""
    return f"_t{next(_names)}"


def getter(name: str, scope: str, function: Callable) -> Src:
    """How a generated expression reads field `name` for a unit of `scope`."""
    path = (LINE_PATHS if scope == "line" else CLAIM_PATHS).get(name)
    if path is not None:
        return Src(f"u.{path}")
    called = bind(function, "_g")
    return Src(f"{called.text}(u)", called.names)


def expression(template: str, **parts: Src) -> Src:
    """`template` with {name} replaced by each part's text; the parts' names merged."""
    names: dict[str, Any] = {}
    for part in parts.values():
        names.update(part.names)
    return Src(template.format(**{k: p.text for k, p in parts.items()}), names)


def attach(closure: Callable, src: Src | None) -> Callable:
    """Keep the expression on the closure that it means."""
    if src is not None:
        closure.src = src
    return closure


def src_of(closure: Callable) -> Src:
    """The closure's expression, or a call to the closure itself when it has none."""
    found = getattr(closure, "src", None)
    if found is not None:
        return found
    called = bind(closure, "_c")
    return Src(f"{called.text}(u)", called.names)


def join(closures, operator: str) -> Src:
    """`(a) and (b) ...` over the closures' expressions."""
    parts = [src_of(c) for c in closures]
    names: dict[str, Any] = {}
    for part in parts:
        names.update(part.names)
    return Src(f" {operator} ".join(f"({p.text})" for p in parts), names)


def passes_when(check: Callable, template: str, **values: Any) -> Callable:
    """Give a Python line or claim check a fast pass test: an expression over the unit `u` that, when
    true, means the check returns (). A fused run (fuse below) tests it inline and calls the check only
    when it is false, so the usual passing unit costs no call. `values` (sets the check itself
    reads, functions) are bound to generated names and written {name} in the template. The test must
    never be true where the check would report: tests/test_fast_paths.py compares them."""
    check.passes = expression(template, **{name: bind(value) for name, value in values.items()})
    return check


def compile_check(scope_tests, test, fires_when: bool, report: Callable, label: str,
                  payer_test: Callable | None = None) -> Callable | None:
    """One generated function for a whole rule: () when it passes, report(u) when it fires.

    `payer_test`, one of the scope tests, is the rule's `payers` scope: the engine's line tables hold
    only the rules whose payers the claim has, so fuse() leaves it out (`fires_in_table`).
    Returns None when some part has no expression (the closures are then used as they are).
    """
    if not all(getattr(c, "src", None) is not None for c in (*scope_tests, test)):
        return None
    tested = src_of(test)
    fires = f"({tested.text})" if fires_when else f"not ({tested.text})"
    names = dict(tested.names)
    in_table = None
    if payer_test is not None:
        others = [c for c in scope_tests if c is not payer_test]
        in_table = f"{join(others, 'and').text} and {fires}" if others else fires
    condition = join(scope_tests, "and") if scope_tests else None
    if condition is not None:
        names.update(condition.names)
        fires = f"{condition.text} and {fires}"
    source = f"def check(u):\n    if {fires}:\n        return report(u)\n    return ()\n"
    namespace = {"__builtins__": BUILTINS, "report": report, **names}
    exec(compile(source, f"<rule {label}>", "exec"), namespace)  # noqa: S102  (text built above, no file data)
    check = namespace["check"]
    check.source = source
    check.fires = Src(fires, names)  # for fuse(): the condition, and what it reports
    check.fires_in_table = Src(in_table, names) if in_table is not None else check.fires
    check.report = report
    return check


def fuse(entries, payers_checked: bool = False, always: bool = False) -> Callable | None:
    """One generated function running a line's whole table of (check, rule) pairs in order:

        def run(u, out):
            if <PT001's condition>:
                out.append((_r1, _p2(u)))
            _v = _f3(u)                      # a check with no condition (Python): called
            if _v:
                out.append((_r4, _v))
            if not (<_f5's pass test>):       # a Python check with passes_when
                _v = _f5(u)
                ...

    `out` receives (rule, problems) for the checks that fire, as the engine's loop would have found
    them, without a call per generated check. Built from the conditions compile_check made (no file
    data in the text); None when fewer than two checks have one (nothing to gain), unless `always`
    (a claim's checks: Python checks, some with pass tests, run without the engine's loop). With
    `payers_checked` (the engine's line tables, made per combination of payer families), a rule's
    `payers` scope is left out: the table holds the rule only for claims of those payers.
    """
    if not always and sum(getattr(check, "fires", None) is not None for check, _ in entries) < 2:
        return None
    names: dict[str, Any] = {}
    body = []
    for check, rule in entries:
        r = bind(rule, "_r")
        names.update(r.names)
        fires = getattr(check, "fires_in_table" if payers_checked else "fires", None)
        if fires is not None:
            p = bind(check.report, "_p")
            names.update(fires.names)
            names.update(p.names)
            body.append(f"    if {fires.text}:\n        out.append(({r.text}, {p.text}(u)))\n")
        else:
            f = bind(check, "_f")
            names.update(f.names)
            call = f"_v = {f.text}(u)\n    if _v:\n        out.append(({r.text}, _v))\n"
            passes = getattr(check, "passes", None)  # passes_when: called only when its test fails
            if passes is not None:
                names.update(passes.names)
                call = f"if not ({passes.text}):\n        " + call.replace("\n    ", "\n        ")
            body.append("    " + call)
    source = "def run(u, out):\n" + "".join(body)
    namespace = {"__builtins__": BUILTINS, **names}
    exec(compile(source, "<line rules>", "exec"), namespace)  # noqa: S102  (text built above, no file data)
    run = namespace["run"]
    run.source = source
    return run
