"""Planned validator steps as straight-line Python: one generated function per (previous node, node).

`Validator._step` plans a move once as a tuple (see there) and `Validator._take` is its reference
meaning: it reads the tuple and loops over what the move needs, closes and opens. Here a move that
is not plain (the next segment of the same loop, which `Validator.feed` takes itself) becomes one
function with the tuple's values baked in, for the case that reports nothing:

    def step(self, seg, node, elements):
        open_ = self.open
        _c = open_.get(_k1)                        # `needed`, unrolled
        if _c is None or _k2 not in _c:
            _take(self, seg, node, _s)             # something to report: the reference takes it all
            return True
        self.lx_count = lx                         # the counter, the claim id, then
        open_.pop(_k3, None)                       # loops closed, opened, and the segment's count,
        ...                                        # as straight lines

`feed` then sets the next node and table, and runs the element checks, as for a plain step. It calls a
step only for a segment with at least one element and no empty last one (it leaves the others to
`_long`), so a step reads `elements[1]` without a test.
Everything that could report (an LX out of sequence, something missing, a loop repeat or a max use
exceeded) is tested before any state changes, and then `_take` takes the whole segment (its element
checks too), so a generated step either does exactly what `_take` does when nothing is reported, or
is `_take`. The HL counter, whose checks are longer, is called as in `_take`, its findings placed the same way.

As in rules/straightline.py, no input text is ever written into the generated source: the map nodes,
loops and limits are bound to generated names (`_k1`, `_k2`), numbered in order of use, so steps of
the same shape have the same source and share one compile. The functions run with no builtins but
`len` and `str`.
"""

from __future__ import annotations

from typing import Any, Callable

BUILTINS = {"len": len, "str": str}
LX, HL, CLM = 1, 2, 3  # validator._COUNTERS
# source -> the function making steps of that source, their values passed in (closures, not globals:
# code shared by functions with different globals would keep losing its specialised global lookups)
_MAKERS: dict = {}
_NAMESPACE: dict = {"__builtins__": BUILTINS}  # the one globals dict of every generated step


class _Names:
    """Generated names for the objects a step's source stands for."""

    def __init__(self, **fixed: Any):
        self.values: dict[str, Any] = dict(fixed)
        self._ids: dict[int, str] = {}

    def __call__(self, value: Any) -> str:
        name = self._ids.get(id(value))
        if name is None:
            name = self._ids[id(value)] = f"_k{len(self._ids) + 1}"
            self.values[name] = value
        return name


def compile_step(step: tuple, take: Callable) -> Callable | None:
    """The generated function of a planned step that is not plain (`Validator._step`'s tuple), or
    None when the step is one `_take` should keep (a counter other than LX/HL/CLM, a segment the guide
    marks not used, two loops opened under one parent). It returns True when `_take` took the segment."""
    _, claim, loop, limit, _, _, _, counter, needed, pops, pushes = step
    if counter > CLM or (limit is not None and limit < 1):
        return None
    parents = [parent for _, parent, _ in pushes]
    if len(set(map(id, parents))) != len(parents):
        return None
    names = _Names(_s=step, _take=take)
    checks: list[str] = []  # before any change: the cases `_take` reports something in
    body: list[str] = []  # the changes, when it reports nothing
    if counter == LX:
        checks.append("    lx = self.lx_count + 1\n"
                      "    if elements[1] != str(lx):\n"
                      "        _take(self, seg, node, _s)\n        return True\n")
        body.append("    self.lx_count = lx\n")
    elif counter == CLM:
        body.append("    self.lx_count = 0\n")
    elif counter == HL:
        body.append("    mark = len(self.issues)\n    self._hl(seg, elements)\n")
    if claim == 2:
        body.append("    self.claim_id = elements[1]\n")
    elif claim == 0:
        body.append("    self.claim_id = None\n")
    bail = "        _take(self, seg, node, _s)\n        return True\n"
    held: dict[int, str] = {}  # loop -> the local holding its counts (read before any change, never None)
    owners: dict[int, tuple] = {}
    for owner, key in needed:
        owners.setdefault(id(owner), (owner, []))[1].append(key)
    for owner, keys in owners.values():
        c = held[id(owner)] = f"_a{len(held)}"
        absent = " or ".join(f"{names(key)} not in {c}" for key in keys)
        checks.append(f"    {c} = open_.get({names(owner)})\n    if {c} is None or {absent}:\n{bail}")

    def counts_of(loop, key, most=None) -> str:
        """The lines adding one to `key`'s count under `loop` (a loop open before this move and not
        closed by it), after a check that it stays within `most`; with no `most`, the lines making
        sure `loop` has counts (a loop opened uncounted under it)."""
        c = held.get(id(loop))
        if c is not None:  # known to be there: the new count is known before any change
            if most is None:
                return ""
            n = f"_n{len(checks)}"
            checks.append(f"    {n} = {c}.get({key}, 0) + 1\n    if {n} > {names(int(most))}:\n{bail}")
            return f"    {c}[{key}] = {n}\n"
        c = held[id(loop)] = f"_a{len(held)}"
        made = f"    if {c} is None:\n        {c} = open_[{names(loop)}] = {{}}\n"
        if most is None:
            checks.append(f"    {c} = open_.get({names(loop)})\n")
            return made
        # the new count, read once (`most` is at least 1: a loop not yet counted cannot be over it)
        n = f"_n{len(checks)}"
        checks.append(f"    {c} = open_.get({names(loop)})\n"
                      f"    {n} = {c}.get({key}, 0) + 1 if {c} is not None else 1\n"
                      f"    if {n} > {names(int(most))}:\n{bail}")
        return made + f"    {c}[{key}] = {n}\n"

    fresh = {id(p) for p in pops}  # loops whose counts are new when read below: closed here, or opened here
    for closed in pops:
        body.append(f"    open_.pop({names(closed)}, None)\n")
    opened_names: dict[int, str] = {}
    last = len(pushes) - 1
    for i, (opened, parent, repeat) in enumerate(pushes):
        o = names(opened)
        if id(parent) in opened_names:  # opened just above: a new dict
            if repeat:
                body.append(f"    {opened_names[id(parent)]}[{o}] = 1\n")
        elif id(parent) in fresh:  # closed above: its counts start again
            p = names(parent)
            body.append(f"    _p = open_.get({p})\n    if _p is None:\n        _p = open_[{p}] = {{}}\n")
            if repeat:
                body.append(f"    _p[{o}] = 1\n")
        else:
            body.append(counts_of(parent, o, repeat or None))
        if i == last and limit is None:  # the segment opened the last loop pushed, its own: counted once there
            body.append(f"    open_[{o}] = {{node: 1}}\n")
        else:
            body.append(f"    _o{i} = open_[{o}] = {{}}\n")
        opened_names[id(opened)] = f"_o{i}"
        fresh.add(id(opened))
    if limit is None:
        pass
    elif id(loop) in opened_names:
        body.append(f"    {opened_names[id(loop)]}[node] = 1\n")  # limit >= 1
    elif id(loop) in fresh:
        body.append(f"    _c = open_.get({names(loop)})\n    if _c is None:\n        _c = open_[{names(loop)}] = {{}}\n"
                    "    _c[node] = _c.get(node, 0) + 1\n")
    else:
        body.append(counts_of(loop, "node", limit))
    if counter == HL:
        body.append("    if len(self.issues) != mark:\n        self._place_counters(mark, node)\n")
    head = "def step(self, seg, node, elements):\n    open_ = self.open\n"
    source = head + "".join(checks) + "".join(body)
    make = _MAKERS.get(source)
    if make is None:  # steps of one shape share their code: a compile costs as much as ~100 steps taken
        params = ", ".join(names.values)
        maker = f"def make({params}):\n" + "".join(f"    {line}\n" for line in source.splitlines()) + "    return step\n"
        exec(compile(maker, "<validator step>", "exec"), _NAMESPACE)  # noqa: S102  (text built above, no file data)
        make = _MAKERS[source] = _NAMESPACE.pop("make")
    function = make(*names.values.values())
    function.source = source
    return function
