"""Clearinghouse pre-flight: split one 837P into an accepted and a rejected interchange file.

    edi-lint IN.837 --accepted OK.837 --rejected HELD.837 [--fail-on error] [--format json]

Every claim with no finding at or above --fail-on goes to the accepted file, every other claim to the
rejected file. Accepted plus rejected is exactly the input's claims: none is lost or duplicated.
Costs: the lint pass, then one read for placement (tokenizer and loop walker) and one to write.

How claims are judged (`final_verdicts`):

* the engine's per-claim verdict (claim and service-line findings carry the claim id);
* findings above claim level (no claim id: envelope, count or structure findings of file rules)
  hold back what they cover, decided by the segment they point at: a segment inside a claim holds
  that claim; inside a 2000A/2000B/2000C level (its HL and the segments up to the next HL or claim)
  every claim under that level; ST..SE header or trailer, the transaction; GS/GE, the functional
  group; ISA/IEA, the interchange; a finding with no segment at all, the whole file. A truncated
  file's ENV001 points at the innermost open envelope, so the cut transaction is held back whole;
* the claim in progress when a truncated file ends (never linted) goes to the rejected file, so it
  cannot vanish; its verdict is listed like any other (accepted: false);
* orphans, segments outside any claim that the 837P map has no place for (a CLM right after ST, junk
  between envelopes, a 2010BA with no subscriber HL), hold back their scope whatever --fail-on says,
  because no valid output can carry them; they are written to the rejected file where they sat, with
  their envelope and levels (shared with the held claims around them, so no control number repeats),
  and listed by segment number in the JSON `split.orphan_segments`. A misplaced CLM is a held claim
  (it gets a verdict); one between a billing provider's loops and its first subscriber level (the
  CLM moved above its subscriber HL) is written, with the segments after it that have no loop, under
  that subscriber level, so the rejected file stays a valid interchange. A later ISA that is not a
  well-formed fixed-width ISA holds back its interchange the same way.

What is written (`split_source`, `_Output`): one output interchange per input interchange that has claims for that
output, one GS per input GS, one ST per input ST, in input order. Envelope identifiers are kept as
in the input (ISA, ISA13, GS, GS06, ST02, BHT, submitter and receiver), and each interchange keeps
its own delimiters. SE01, GE01 and IEA01 are recomputed; HL01/HL02 are renumbered from 1 in each
transaction and HL04 says whether the level has children in this output. Each claim is written
under its own billing provider (2000A + 2010AA/AB/AC), subscriber (2000B + 2010BA/BB) and patient
(2000C + 2010CA) levels; consecutive claims sharing a level share it in the output too. The line
break after each segment terminator follows the input (none, LF or CRLF); a UTF-8 BOM and segment
indentation are not carried over. An output that gets no claim is written as an empty file (0 bytes),
never as an interchange without claims. Outputs are written to a temporary file beside the target and renamed
into place at the end; the input is only ever read.
"""

from __future__ import annotations

import io
import os
import stat
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from edi_lint.findings import ClaimVerdict, FileResult, Severity
from edi_lint.x12.tokenizer import BOM, ISA_LENGTH, LEADING_JUNK, Segment, iter_segments

Source = str | os.PathLike | bytes

# Positions in a claim's scope chain: ISA, GS, ST, HL 20, HL 22, HL 23, CLM (segment indices).
_ISA, _GS, _ST, _BILLING, _SUBSCRIBER, _PATIENT, _CLAIM = range(7)
_HL_LEVEL = {"20": _BILLING, "22": _SUBSCRIBER, "23": _PATIENT}


def _open(source: Source) -> BinaryIO:
    if isinstance(source, (bytes, bytearray)):
        return io.BytesIO(source)
    return open(source, "rb")


# -- reading the input once -----------------------------------------------------------------------


class UnreadableInput(Exception):
    """The input could not be opened or read to its end; the message is one line."""


SPOOL_CHUNK = 1 << 20


@contextmanager
def spooled(name: str, directory) -> Iterator[str]:
    """The input (a path, a FIFO, /dev/fd/N of a process substitution, or "-" for standard input)
    copied once, as it is read, into a private temporary file in `directory`; the path of the copy.

    Every pass of the split (lint, placement, writing) reads this copy, so the verdicts are about
    exactly the bytes the outputs are cut from, whatever happens to the input meanwhile (replaced by
    a rename, a FIFO that can be read only once). The copy is readable by this user only, and
    removed on every exit path Python sees. Raises UnreadableInput for the input's side, OSError
    for the copy's (a full disk).
    """
    if name != "-" and os.path.isdir(name):
        raise UnreadableInput("is a directory")
    fd, copy = tempfile.mkstemp(prefix=".edi-lint-input.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                source = sys.stdin.buffer if name == "-" else open(name, "rb")
            except OSError as error:
                raise UnreadableInput(_reason(error)) from None
            try:
                while True:
                    try:
                        chunk = source.read1(SPOOL_CHUNK)  # what has arrived: a FIFO may pause
                    except OSError as error:
                        raise UnreadableInput(_reason(error)) from None
                    if not chunk:
                        break
                    out.write(chunk)
                    out.flush()  # the copy holds what was read (and a full disk shows at once)
            finally:
                if source is not sys.stdin.buffer:
                    source.close()
        yield copy
    finally:
        _remove(copy)


def _reason(error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "no such file or directory"
    return f"cannot read file: {error.strerror or error}"


def _remove(path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def remove_outputs(*paths) -> None:
    """Remove outputs of an earlier run (regular files only; None: an output not asked for), so a
    failed split leaves nothing that a pipeline could forward."""
    for path in paths:
        if path is None:
            continue
        try:
            if stat.S_ISREG(os.lstat(path).st_mode):
                os.unlink(path)
        except OSError:
            pass


# -- verdicts ----------------------------------------------------------------------------------


ENVELOPE_IDS = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA"})
CONTEXT_HL_LOOPS = {"2000A": _BILLING, "2000B": _SUBSCRIBER, "2000C": _PATIENT}


@dataclass
class Placement:
    """What a scan of the input found: claim scope chains, held scopes and segments the split cannot place.

    A chain is (ISA, GS, ST, HL 20, HL 22, HL 23, CLM) segment indices, None where a level is absent.
    """

    chains: dict[int, tuple] = field(default_factory=dict)  # CLM segment index -> chain
    holds: set[tuple] = field(default_factory=set)  # chain prefixes whose claims are held back
    # runs of orphans in input order, each with its scope (a chain prefix); written where they sat
    groups: list[tuple[tuple, list[Segment]]] = field(default_factory=list)
    openers: dict[tuple, tuple] = field(default_factory=dict)  # orphan scope -> its ISA, GS, ST, HL segments
    # orphan scope -> per opener, the segments that belong with it: the transaction header (BHT,
    # submitter, receiver) after the ST, each level's loops (2010AA, 2010BA ...) after its HL
    contexts: dict[tuple, tuple] = field(default_factory=dict)
    misplaced: list[Segment] = field(default_factory=list)  # CLMs the guide has no place for: held claims
    # a misplaced claim moved under the subscriber level that follows it: the index of the segment it
    # is written before (the end of that level's loops) -> its segment indices, and CLM index -> that index
    moves: dict[int, list[int]] = field(default_factory=dict)
    moved_to: dict[int, int] = field(default_factory=dict)
    parents: set[int] = field(default_factory=set)  # billing provider HLs with a level or claim under them

    @property
    def orphans(self) -> list[int]:
        """Every segment the guide has no place for (moved claims included), by index."""
        moved = [i for indices in self.moves.values() for i in indices]
        return sorted([seg.index for _, segs in self.groups for seg in segs] + moved)

    def held(self, clm_index: int) -> bool:
        if () in self.holds:
            return True
        chain = self.chains.get(clm_index, ())
        return any(chain[: n + 1] in self.holds for n in range(len(chain)))


def _isa_ok(seg: Segment) -> bool:
    from edi_lint.x12.tokenizer import X12Error, read_delimiters

    delimiters = seg.delimiters
    try:
        return read_delimiters(delimiters.element.join(seg.elements) + delimiters.segment) == delimiters
    except X12Error:
        return False


def scan(source: Source, wanted: set[int], walk: bool = False) -> Placement:
    """One pass: each claim's scope chain, the scope of each `wanted` segment index (held), and, with
    `walk`, the orphans: segments outside any claim that the 837P map (and so the document reader)
    has no place for. Orphans hold their scope too, whatever --fail-on says, because a valid output
    cannot carry them; the split writes them to the rejected file at their scope's position.

    A misplaced claim (a CLM and the orphans after it) between a billing provider's loops and its
    first subscriber level is moved under that subscriber level (`Placement.moves`), so it travels
    with its context; elsewhere it stays an orphan.

    The claim and level boundaries mirror `DocumentReader`: with `walk`, a CLM starts a claim only in
    loop 2300 and an HL starts a level only in loop 2000A/2000B/2000C.
    """
    from edi_lint.document import BILLING_LOOPS, HEADER_LOOPS, PATIENT_LOOPS, SUBSCRIBER_LOOPS

    context_loops = {_BILLING: BILLING_LOOPS, _SUBSCRIBER: SUBSCRIBER_LOOPS, _PATIENT: PATIENT_LOOPS}
    found = Placement()
    chain: list = [None] * 7
    openers: list = [None] * 7  # the segments behind `chain`
    contexts: list = [[] for _ in range(7)]  # the segments that belong with each opener (see Placement)
    depth = -1  # deepest set position of `chain`
    in_claim = False
    group: list | None = None  # the run of orphans being collected
    run: list | None = None  # the misplaced claim being collected (part of `group`)
    waiting: list[list] = []  # misplaced claims of this billing provider waiting for its subscriber level
    adopted: list[list] = []  # misplaced claims moving under the subscriber level being read
    with _open(source) as stream:
        segments = iter_segments(stream)
        if walk:
            from edi_lint.x12.walker import LoopWalker

            segments = LoopWalker().walk(segments)
        for seg in segments:
            sid = seg.elements[0]
            index = seg.index
            loop = seg.loop if walk else None
            if adopted and (sid == "HL" or loop not in SUBSCRIBER_LOOPS):  # the subscriber's loops end here
                found.moves[index] = [s.index for claim in adopted for s in claim]
                for claim in adopted:
                    found.moved_to[claim[0].index] = index
                adopted = []
            level = None
            orphan = False
            if sid == "ISA":
                level = _ISA
                if not _isa_ok(seg):
                    wanted = wanted | {index}  # a broken later ISA: an output could not even be read
            elif sid == "GS":
                level = _GS
            elif sid == "ST":
                level = _ST
            elif sid == "HL" and walk and loop in CONTEXT_HL_LOOPS:
                level = CONTEXT_HL_LOOPS[loop]  # the level the reader gives it (HL03 may be a wrong code)
            elif sid == "HL" and not walk:
                level = _HL_LEVEL.get(seg.get(3).strip(), _PATIENT)
            elif sid == "CLM" and (not walk or loop == "2300"):
                level = _CLAIM
            if level is not None:
                if level == _SUBSCRIBER and waiting:
                    adopted, waiting = waiting, []
                waiting = []
                if level in (_SUBSCRIBER, _PATIENT, _CLAIM) and chain[_BILLING] is not None:
                    found.parents.add(chain[_BILLING])
                chain[level] = index
                openers[level] = seg
                contexts[level] = []
                for deeper in range(level + 1, 7):
                    chain[deeper] = openers[deeper] = None
                    contexts[deeper] = []
                depth = level
                in_claim = level == _CLAIM
                if in_claim:
                    found.chains[index] = tuple(chain)
                scope_depth = level
            elif sid in ("SE", "GE", "IEA"):
                depth = scope_depth = {"SE": _ST, "GE": _GS, "IEA": _ISA}[sid]
                for deeper in range(depth + 1, 7):
                    chain[deeper] = None
                in_claim = False
                waiting = []
            else:
                if walk and in_claim and not (loop is None or loop.startswith(("23", "24"))):
                    in_claim = False  # the reader ends the claim here (a context or header loop)
                    chain[_CLAIM] = None
                    depth = max((n for n in range(_CLAIM) if chain[n] is not None), default=-1)
                scope_depth = depth
                if walk and not in_claim:
                    owner = None
                    if loop in HEADER_LOOPS:
                        orphan = depth != _ST
                        owner = _ST
                    else:
                        owner = next((lvl for lvl, loops in context_loops.items() if loop in loops), None)
                        orphan = owner is None or chain[owner] is None
                    if orphan and depth >= 0:
                        key = tuple(chain[: depth + 1])
                        if key not in found.openers:
                            found.openers[key] = tuple(openers[: depth + 1])
                            found.contexts[key] = tuple(contexts[: depth + 1])  # filled on as the scan goes
                        if group is None or found.groups[-1][0] != key:
                            group = []
                            found.groups.append((key, group))
                        if sid == "CLM":
                            found.misplaced.append(seg)
                            run = [seg]
                            if depth == _BILLING:
                                waiting.append(run)
                        elif run is not None and loop is None:
                            run.append(seg)  # the claim's own segments: the guide has no loop for them
                        else:
                            run = None
                        group.append(seg)
                        found.holds.add(key)
                    elif not orphan and owner is not None:
                        contexts[owner].append(seg)
            if not orphan:
                group = run = None
            if index in wanted:
                found.holds.add(tuple(chain[: scope_depth + 1]) if scope_depth >= 0 else ())
    if found.moves:  # moved claims are written with their new level, not as orphans where they sat
        moved = {i for indices in found.moves.values() for i in indices}
        found.groups = [(key, kept) for key, segs in found.groups
                        if (kept := [seg for seg in segs if seg.index not in moved])]
    return found


def final_verdicts(source: Source, result: FileResult, fail_on: Severity | None,
                   placement: Placement | None = None) -> list[ClaimVerdict]:
    """The engine's verdicts with above-claim findings (and orphans, when `placement` was walked)
    applied; see the module docstring.

    `result` must come from a Linter run with `Settings(collect_verdicts=True)` over `source`.
    """
    verdicts = list(result.verdicts)
    blocking = ([f for f in result.findings if f.claim_id is None and f.severity >= fail_on]
                if fail_on is not None else [])
    if placement is None:
        if not blocking:
            return verdicts
        if any(f.segment_index is None for f in blocking):
            return [ClaimVerdict(v.claim_id, v.transaction, v.segment_index, False) for v in verdicts]
        placement = scan(source, {f.segment_index for f in blocking})
    elif any(f.segment_index is None for f in blocking):
        placement.holds.add(())
    verdicts = [v if (not v.accepted or not placement.held(v.segment_index)) else
                ClaimVerdict(v.claim_id, v.transaction, v.segment_index, False) for v in verdicts]
    known = {v.segment_index for v in verdicts}
    verdicts += [ClaimVerdict(seg.get(1), seg.st02, seg.index, False)  # a misplaced CLM is a held claim
                 for seg in placement.misplaced if seg.index not in known]
    return sorted(verdicts, key=lambda v: v.segment_index)


# -- writing -----------------------------------------------------------------------------------


def line_break(source: Source) -> str:
    """What follows each segment terminator in the input: '', '\\n' or '\\r\\n'."""
    with _open(source) as stream:
        head = stream.read(4096).decode("latin-1")
    start = len(BOM) if head.startswith(BOM) else 0
    while start < len(head) and head[start] in LEADING_JUNK:
        start += 1
    terminator_at = start + ISA_LENGTH - 1
    if len(head) <= terminator_at or head[terminator_at] in "\r\n":
        return ""
    after = head[terminator_at + 1 : terminator_at + 3]
    if after.startswith("\r\n"):
        return "\r\n"
    if after.startswith("\n"):
        return "\n"
    return ""


@dataclass
class _Level:
    """An envelope or level rebuilt from a scan, shaped like the reader's Header and Context."""

    hl: Segment | None = None
    segments: list[Segment] = field(default_factory=list)
    isa: Segment | None = None
    gs: Segment | None = None
    st: Segment | None = None


@dataclass
class _Orphans:
    """A run of orphans with its envelope and levels, written like a claim (but not counted as one)."""

    header: _Level
    billing: _Level | None
    subscriber: _Level | None
    patient: _Level | None
    segments: list[Segment]


def _orphan_run(placement: Placement, key: tuple, segments: list[Segment]) -> _Orphans:
    openers = placement.openers[key] + (None,) * (6 - len(key))
    contexts = placement.contexts[key] + ((),) * (6 - len(key))
    st = openers[_ST]
    header = _Level(isa=openers[_ISA], gs=openers[_GS], st=st, segments=[st, *contexts[_ST]] if st else [])
    levels = [_Level(hl, [hl, *contexts[n]]) if hl is not None else None
              for n, hl in ((n, openers[n]) for n in (_BILLING, _SUBSCRIBER, _PATIENT))]
    return _Orphans(header, *levels, segments)


def _same(a: Segment | None, b: Segment | None) -> bool:
    """The same input segment (by position: the reader's and the scan's objects differ)."""
    return a is b or (a is not None and b is not None and a.index == b.index)


def _hl(level) -> Segment | None:
    return level.hl if level is not None else None


class _Output:
    """One output file: opens and closes envelopes as claims (and orphan runs) from different input
    envelopes arrive, in input order."""

    def __init__(self, stream, eol: str, parents: set[int] | None = None):
        self.stream = stream
        self.eol = eol
        self.parents = parents  # billing HLs that get a child level (None: all of them)
        self.claims = 0
        self.isa = self.gs = self.st = None
        self.groups = self.transactions = self.segments = 0
        self.hl = 0
        self.billing = None
        self.billing_hl = ""
        self.subscriber = None
        self.block: list = []  # claims waiting under the current subscriber level

    def write(self, seg: Segment, elements: list[str] | None = None) -> None:
        delimiters = seg.delimiters
        eol = self.eol if delimiters.segment not in "\r\n" else ""  # a newline terminator is its own break
        self.stream.write(delimiters.element.join(elements or seg.elements) + delimiters.segment + eol)
        self.segments += 1

    def add(self, claim, counted: bool = True) -> None:
        header = claim.header
        if not _same(self.isa, header.isa):
            self.close_interchange()
            self.isa = header.isa
            self.write(header.isa)
        if not _same(self.gs, header.gs):
            self.close_group()
            self.gs = header.gs
            if header.gs is not None:
                self.write(header.gs)
                self.groups += 1
        if not _same(self.st, header.st):
            self.close_transaction()
            self.st = header.st
            if header.st is not None:
                self.segments = 0
                for seg in header.segments:
                    self.write(seg)
                self.transactions += 1
        if not _same(_hl(claim.billing), _hl(self.billing)):
            self.flush()
            self.billing = claim.billing
            if claim.billing is not None:
                self.hl += 1
                self.billing_hl = str(self.hl)
                children = self.parents is None or claim.billing.hl.index in self.parents
                self._level(claim.billing, self.billing_hl, "", "1" if children else "0")
        if not _same(_hl(claim.subscriber), _hl(self.subscriber)):
            self.flush()
            self.subscriber = claim.subscriber
        self.block.append(claim)
        self.claims += counted

    def _level(self, context, number: str, parent: str, children: str) -> None:
        hl = context.hl
        elements = list(hl.elements) + [""] * max(0, 5 - len(hl.elements))
        elements[1], elements[2], elements[4] = number, parent, children
        self.write(hl, elements)
        for seg in context.segments[1:]:
            self.write(seg)

    def flush(self) -> None:
        """Write the pending subscriber level and its claims (HL04 known only now)."""
        if not self.block:
            return
        subscriber = self.subscriber
        parent = self.billing_hl
        if subscriber is not None:
            self.hl += 1
            parent = str(self.hl)
            has_patients = any(c.patient is not None for c in self.block)
            self._level(subscriber, parent, self.billing_hl, "1" if has_patients else "0")
        patient = None
        for claim in self.block:
            if claim.patient is not None and not _same(claim.patient.hl, _hl(patient)):
                patient = claim.patient
                self.hl += 1
                self._level(patient, str(self.hl), parent, "0")
            for seg in claim.segments:
                self.write(seg)
        self.block = []

    def close_transaction(self) -> None:
        self.flush()
        if self.st is None:
            return
        self.write(self.st, ["SE", str(self.segments + 1), self.st.get(2)])
        self.st = None
        self.hl, self.billing, self.subscriber, self.billing_hl = 0, None, None, ""

    def close_group(self) -> None:
        self.close_transaction()
        if self.gs is not None:
            self.write(self.gs, ["GE", str(self.transactions), self.gs.get(6)])
        self.gs = None
        self.transactions = 0

    def close_interchange(self) -> None:
        self.close_group()
        if self.isa is not None:
            self.write(self.isa, ["IEA", str(self.groups), self.isa.get(13)])
        self.isa = None
        self.groups = 0


@dataclass
class SplitResult:
    """What one split did: the lint result (verdicts final) and how many claims went where."""

    result: FileResult
    accepted: int = 0
    rejected: int = 0
    incomplete: list[str] = field(default_factory=list)  # claim ids cut off by truncation (rejected)
    orphans: list[int] = field(default_factory=list)  # segments the guide has no place for, carried to rejected


def split_source(source: Source, result: FileResult, accepted_path, rejected_path,
                 fail_on: Severity | None) -> SplitResult:
    """Write the two outputs for `source`, already linted into `result` (with collect_verdicts)."""
    from edi_lint.document import DocumentReader
    from edi_lint.x12.walker import LoopWalker

    blocking = {f.segment_index for f in result.findings
                if fail_on is not None and f.claim_id is None and f.severity >= fail_on}
    placement = scan(source, blocking - {None}, walk=True)
    verdicts = final_verdicts(source, result, fail_on, placement)
    accepted_at = {v.segment_index: v.accepted for v in verdicts}
    eol = line_break(source)
    outcome = SplitResult(result)
    runs = iter(placement.groups)
    pending = next(runs, None)
    with _AtomicText(accepted_path) as good, _AtomicText(rejected_path) as bad:
        outputs = {True: _Output(good, eol), False: _Output(bad, eol, placement.parents)}
        held = outputs[False]

        def orphans_before(position: float) -> None:
            """Write the orphan runs that sat before `position` (they are held, with their scope)."""
            nonlocal pending
            while pending is not None and pending[1][0].index < position:
                key, segments = pending
                held.add(_orphan_run(placement, key, segments), counted=False)
                held.claims += sum(seg.elements[0] == "CLM" for seg in segments)  # misplaced, not moved
                pending = next(runs, None)

        with _open(source) as stream:
            walked = _moving(LoopWalker().walk(iter_segments(stream)), placement.moves)
            reader = DocumentReader(walked)
            for claim in reader.claims():
                index = claim.clm.index
                if accepted_at.get(index, False):
                    outputs[True].add(claim)
                else:
                    orphans_before(placement.moved_to.get(index, index))
                    held.add(claim)
        incomplete = reader.structure.incomplete_claim
        if incomplete is not None:
            orphans_before(incomplete.clm.index)
            held.add(incomplete)
            verdicts.append(ClaimVerdict(incomplete.id, incomplete.transaction, incomplete.clm.index, False))
            outcome.incomplete.append(incomplete.id)
        orphans_before(float("inf"))
        for output in outputs.values():
            output.close_interchange()
    outcome.orphans = placement.orphans
    result.verdicts = sorted(verdicts, key=lambda v: v.segment_index)
    outcome.accepted = outputs[True].claims
    outcome.rejected = outputs[False].claims
    return outcome


def _moving(segments: Iterable[Segment], moves: dict[int, list[int]]) -> Iterator[Segment]:
    """The walked segments with each moved claim taken out where it sat and put back, as a loop 2300
    claim, before the segment `moves` names (the end of the subscriber level's loops)."""
    if not moves:
        yield from segments
        return
    moving = {i for indices in moves.values() for i in indices}
    kept: dict[int, Segment] = {}
    for seg in segments:
        for index in moves.get(seg.index, ()):
            moved = kept.pop(index)
            if moved.elements[0] == "CLM":
                moved.loop = "2300"
            yield moved
        if seg.index in moving:
            kept[seg.index] = seg
        else:
            yield seg


class _AtomicText:
    """A latin-1 text file written beside its target and renamed into place on success."""

    def __init__(self, path):
        self.path = Path(path)

    def __enter__(self):
        directory = self.path.parent if str(self.path.parent) else Path(".")
        fd, self.temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=directory)
        self.stream = open(fd, "w", encoding="latin-1", newline="")
        return self.stream

    def __exit__(self, kind, value, traceback):
        self.stream.close()
        if kind is None:
            os.chmod(self.temporary, 0o666 & ~_umask())  # mkstemp's 0600 is not what a user expects
            os.replace(self.temporary, self.path)
        else:
            os.unlink(self.temporary)
        return False


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def same_file(a, b) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def check_paths(inputs: Iterable[str], accepted, rejected) -> str | None:
    """A usage problem with the split's paths, or None."""
    inputs = list(inputs)
    if len(inputs) != 1:
        return f"--accepted/--rejected split exactly one input file, got {len(inputs)}"
    if accepted is None or rejected is None:
        return "--accepted and --rejected go together: every claim must land in one of them"
    if "-" in (accepted, rejected):
        return "--accepted/--rejected need file paths (standard output cannot hold two interchanges)"
    if same_file(accepted, rejected):
        return "--accepted and --rejected must be different files"
    if inputs[0] != "-" and (same_file(inputs[0], accepted) or same_file(inputs[0], rejected)):
        return "--accepted/--rejected must not be the input file (the input is never modified)"
    for target in (accepted, rejected):
        if os.path.islink(target):
            return f"{target} is a symbolic link; the split writes only regular files (it would replace the link)"
        if os.path.isdir(target):
            return f"{target} is a directory"
        if os.path.lexists(target) and not os.path.isfile(target):
            return f"{target} is not a regular file (a device, FIFO or socket); the split writes only regular files"
        parent = os.path.dirname(os.path.abspath(target))
        if not os.path.isdir(parent):
            return f"cannot write {target}: directory {parent} does not exist"
        if not os.access(parent, os.W_OK):
            return f"cannot write {target}: directory {parent} is not writable"
    return None
