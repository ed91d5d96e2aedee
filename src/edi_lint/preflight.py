"""Clearinghouse pre-flight: split one 837P into an accepted and a rejected interchange file.

    edi-lint IN.837 --accepted OK.837 --rejected HELD.837 [--fail-on error] [--format json]

Every claim with no finding at or above --fail-on goes to the accepted file, every other claim to the
rejected file. Accepted plus rejected is exactly the input's claims: none is lost or duplicated.

How claims are judged (`final_verdicts`):

* the engine's per-claim verdict (claim and service-line findings carry the claim id);
* findings above claim level (no claim id: envelope, count or structure findings of file rules)
  hold back what they cover, decided by the segment they point at: a segment inside a claim holds
  that claim; inside a 2000A/2000B/2000C level (its HL and the segments up to the next HL or claim)
  every claim under that level; ST..SE header or trailer, the transaction; GS/GE, the functional
  group; ISA/IEA, the interchange; a finding with no segment at all, the whole file. A truncated
  file's ENV001 points at the innermost open envelope, so the cut transaction is held back whole;
* the claim in progress when a truncated file ends (never linted) goes to the rejected file, so it
  cannot vanish; its verdict is listed like any other (accepted: false).

What is written (`Splitter`): one output interchange per input interchange that has claims for that
output, one GS per input GS, one ST per input ST, in input order. Envelope identifiers are kept as
in the input (ISA, ISA13, GS, GS06, ST02, BHT, submitter and receiver), and each interchange keeps
its own delimiters. SE01, GE01 and IEA01 are recomputed; HL01/HL02 are renumbered from 1 in each
transaction and HL04 says whether the level has children in this output. Each claim is written
under its own billing provider (2000A + 2010AA/AB/AC), subscriber (2000B + 2010BA/BB) and patient
(2000C + 2010CA) levels; consecutive claims sharing a level share it in the output too. The line
break after each segment terminator follows the input (none, LF or CRLF); a UTF-8 BOM and segment
indentation are not carried over. Segments the guide has no place for outside any claim (STR001) are
not copied. An output that gets no claim is written as an empty file (0 bytes), never as an
interchange without claims. Outputs are written to a temporary file beside the target and renamed
into place at the end; the input is only ever read.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable

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


# -- verdicts ----------------------------------------------------------------------------------


def _scopes(source: Source, wanted: set[int]) -> tuple[dict[int, tuple], set[tuple]]:
    """One tokenizer-only pass: each claim's scope chain (by CLM index) and the scope of each wanted segment."""
    chains: dict[int, tuple] = {}
    holds: set[tuple] = set()
    chain: list = [None] * 7
    depth = -1  # deepest set position of `chain`
    with _open(source) as stream:
        for seg in iter_segments(stream):
            sid = seg.elements[0]
            index = seg.index
            level = None
            if sid == "ISA":
                level = _ISA
            elif sid == "GS":
                level = _GS
            elif sid == "ST":
                level = _ST
            elif sid == "HL":
                level = _HL_LEVEL.get(seg.get(3).strip(), _PATIENT)
            elif sid == "CLM":
                level = _CLAIM
            if level is not None:
                chain[level] = index
                for deeper in range(level + 1, 7):
                    chain[deeper] = None
                depth = level
                if level == _CLAIM:
                    chains[index] = tuple(chain)
                scope_depth = level
            elif sid == "SE":
                scope_depth = depth = _ST
            elif sid == "GE":
                scope_depth = depth = _GS
            elif sid == "IEA":
                scope_depth = depth = _ISA
            else:
                scope_depth = depth
            if sid in ("SE", "GE", "IEA"):
                for deeper in range(depth + 1, 7):
                    chain[deeper] = None
            if index in wanted:
                holds.add(tuple(chain[: scope_depth + 1]) if scope_depth >= 0 else ())
    return chains, holds


def final_verdicts(source: Source, result: FileResult, fail_on: Severity | None) -> list[ClaimVerdict]:
    """The engine's verdicts with above-claim findings applied (see the module docstring).

    `result` must come from a Linter run with `Settings(collect_verdicts=True)` over `source`.
    """
    verdicts = list(result.verdicts)
    if fail_on is None:
        return verdicts
    blocking = [f for f in result.findings if f.claim_id is None and f.severity >= fail_on]
    if not blocking:
        return verdicts
    if any(f.segment_index is None for f in blocking):
        return [ClaimVerdict(v.claim_id, v.transaction, v.segment_index, False) for v in verdicts]
    chains, holds = _scopes(source, {f.segment_index for f in blocking})
    final = []
    for v in verdicts:
        chain = chains.get(v.segment_index, ())
        held = () in holds or any(chain[: n + 1] in holds for n in range(len(chain)))
        final.append(v if (not held or not v.accepted) else
                     ClaimVerdict(v.claim_id, v.transaction, v.segment_index, False))
    return final


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


class _Output:
    """One output file: opens and closes envelopes as claims from different input envelopes arrive."""

    def __init__(self, stream, eol: str):
        self.stream = stream
        self.eol = eol
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

    def add(self, claim) -> None:
        header = claim.header
        if self.isa is not header.isa:
            self.close_interchange()
            self.isa = header.isa
            self.write(header.isa)
        if self.gs is not header.gs:
            self.close_group()
            self.gs = header.gs
            if header.gs is not None:
                self.write(header.gs)
                self.groups += 1
        if self.st is not header.st:
            self.close_transaction()
            self.st = header.st
            self.segments = 0
            for seg in header.segments:
                self.write(seg)
            self.transactions += 1
        if claim.billing is not self.billing:
            self.flush()
            self.billing = claim.billing
            if claim.billing is not None:
                self.hl += 1
                self.billing_hl = str(self.hl)
                self._level(claim.billing, self.billing_hl, "", "1")
        if claim.subscriber is not self.subscriber:
            self.flush()
            self.subscriber = claim.subscriber
        self.block.append(claim)
        self.claims += 1

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
            if claim.patient is not None and claim.patient is not patient:
                patient = claim.patient
                self.hl += 1
                self._level(patient, str(self.hl), parent, "0")
            for seg in claim.segments:
                self.write(seg)
        self.block = []

    def close_transaction(self) -> None:
        if self.st is None:
            return
        self.flush()
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


def split_source(source: Source, result: FileResult, accepted_path, rejected_path,
                 fail_on: Severity | None) -> SplitResult:
    """Write the two outputs for `source`, already linted into `result` (with collect_verdicts)."""
    from edi_lint.document import DocumentReader
    from edi_lint.x12.walker import LoopWalker

    verdicts = final_verdicts(source, result, fail_on)
    accepted_at = {v.segment_index: v.accepted for v in verdicts}
    eol = line_break(source)
    outcome = SplitResult(result)
    with _AtomicText(accepted_path) as good, _AtomicText(rejected_path) as bad:
        outputs = {True: _Output(good, eol), False: _Output(bad, eol)}
        with _open(source) as stream:
            reader = DocumentReader(LoopWalker().walk(iter_segments(stream)))
            for claim in reader.claims():
                outputs[accepted_at.get(claim.clm.index, False)].add(claim)
        incomplete = reader.structure.incomplete_claim
        if incomplete is not None:
            outputs[False].add(incomplete)
            verdicts.append(ClaimVerdict(incomplete.id, incomplete.transaction, incomplete.clm.index, False))
            outcome.incomplete.append(incomplete.id)
        for output in outputs.values():
            output.close_interchange()
    result.verdicts = sorted(verdicts, key=lambda v: v.segment_index)
    outcome.accepted = outputs[True].claims
    outcome.rejected = outputs[False].claims
    return outcome


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
        if os.path.isdir(target):
            return f"{target} is a directory"
        parent = os.path.dirname(os.path.abspath(target))
        if not os.path.isdir(parent):
            return f"cannot write {target}: directory {parent} does not exist"
        if not os.access(parent, os.W_OK):
            return f"cannot write {target}: directory {parent} is not writable"
    return None


def run_split(name: str, settings, accepted, rejected, log=None) -> tuple[list[FileResult], dict]:
    """The CLI's split: lint `name` (a path or - for stdin), write both outputs, log what went where.

    Returns the results to report (verdicts final) and extra JSON fields ({"split": {...}}). When the
    input cannot be linted at all, nothing is written and the result carries the error.
    """
    import sys
    import time
    from dataclasses import replace

    from edi_lint.api import split_summary
    from edi_lint.cli import build_linter, lint_one
    from edi_lint.logs import file_event

    linter = build_linter(replace(settings, collect_verdicts=True))
    start = time.perf_counter()
    source: Source = name
    if name == "-":
        source = sys.stdin.buffer.read()
        result = linter.lint_bytes(source, "-")
    else:
        result = lint_one(linter, name)
    if log is not None:
        file_event(log, result, time.perf_counter() - start)
    if result.status == "error":
        if log is not None:
            log.error("split_not_written", path=name, accepted_path=str(accepted), rejected_path=str(rejected))
        return [result], {}
    outcome = split_source(source, result, accepted, rejected, settings.fail_on)
    summary = split_summary(outcome, accepted, rejected)
    if log is not None:
        log.info("split_written", path=name, accepted=outcome.accepted, rejected=outcome.rejected,
                 incomplete=len(outcome.incomplete), accepted_path=str(accepted), rejected_path=str(rejected))
    return [result], {"split": summary}
