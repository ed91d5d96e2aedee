"""A file's findings beyond what is worth holding in memory: sorted runs in an anonymous temporary file.

Reports list a file's findings sorted (Finding.sort_key), and a finding may point at a segment far
before the claim that found it (a PT003 at the billing provider's PRV), so none can be written
before the file is done. A 200,000-claim batch where nearly every claim is wrong has some 300,000
findings: about 100 MB as Finding objects. So the engine hands its pending findings to a FindingSpill
every SPILL_AFTER of them: they are sorted and written as one run, compactly (marshal of plain
tuples), to a tempfile.TemporaryFile, which has no name, is never seen by another process and is gone
when closed or when the process ends (PHI lives no longer than the run). At the end the runs and the
last findings are merged (heapq.merge) each time the findings are read: SpilledFindings.

Order: every finding carries its discovery number (its place in the list the engine would otherwise
have sorted), last in its merge key, so the merge gives exactly what a stable `list.sort` on the whole
list gives, ties included.

Findings that still wait for their claim (Linter._attach_claims: file rules, structure checks and the
guide name a segment, and the claim around it is known only at the end) are not written but held
back; they are few (capped per rule and file), and the engine gets them back to attach at the end.
"""

from __future__ import annotations

import heapq
import marshal
import pickle
from collections.abc import Sequence
from dataclasses import fields
from operator import attrgetter

from edi_lint.findings import Finding, Severity
from edi_lint.settings import matches

BLOCK = 512  # findings per marshal block: a merge holds one decoded block per run
_values = attrgetter(*(f.name for f in fields(Finding)))
_SEVERITIES = {int(s): s for s in Severity}


def _record(seq: int, finding: Finding) -> tuple:
    """(sort key..., discovery number, field values): tuples compare by key, never reaching the fields
    (discovery numbers are unique). The severity is stored as a plain int (marshal takes no enums)."""
    values = _values(finding)
    values = values[:2] + (int(values[2]),) + values[3:]
    return (finding.path, finding.segment_index or 0, finding.rule, finding.element or "", seq, values)


def _finding(record: tuple) -> Finding:
    values = record[5]
    return Finding(values[0], values[1], _SEVERITIES[values[2]], *values[3:])


class SpillFailed(Exception):
    """The temporary file could not be written (a full disk): the file is reported as not linted."""


def _needs_claim(finding: Finding) -> bool:
    """The findings Linter._attach_claims may still rewrite."""
    return finding.segment_index is not None and finding.claim_segment_index is None


class FindingSpill:
    """Takes the engine's pending findings in batches (`spill`), writes them as sorted runs, and at
    the end (`finish`) turns what is left into the file's SpilledFindings."""

    def __init__(self, ignored: tuple = ()):
        self.ignored = ignored  # per-file-ignores: what the engine would filter out at the end
        self.file = None
        self.runs: list[list[tuple]] = []  # per run: (offset, size, loads) of its blocks
        self.written = 0  # findings in the runs
        self.seen = 0  # discovery number of the first pending finding
        self.held: list[tuple[int, Finding]] = []  # (discovery number, finding) waiting for a claim
        self.front: list[int] = []  # discovery numbers of the held findings given back (`take_back`)

    def spill(self, findings: list) -> None:
        """Write `findings` (the pending ones, in discovery order) as one sorted run, less those that
        wait for a claim, which are held back; `findings` is emptied in place (the engine's
        closures hold it)."""
        seq, ignored, records = self.seen, self.ignored, []
        for finding in findings:
            if _needs_claim(finding):
                self.held.append((seq, finding))
            elif not (ignored and matches(finding.rule, ignored)):
                records.append(_record(seq, finding))
            seq += 1
        self.seen = seq
        findings.clear()
        if not records:
            return
        records.sort()
        if self.file is None:
            import tempfile  # only a file with many findings pays for the import (random, shutil)

            self.file = tempfile.TemporaryFile()
        out, blocks = self.file, []
        try:
            out.seek(0, 2)
            for start in range(0, len(records), BLOCK):
                block = records[start:start + BLOCK]
                try:
                    data, loads = marshal.dumps(block), marshal.loads
                except ValueError:  # a value marshal cannot write (a plugin's str subclass, say): pickle it
                    data, loads = pickle.dumps(block, pickle.HIGHEST_PROTOCOL), pickle.loads
                blocks.append((out.tell(), len(data), loads))
                out.write(data)
            out.flush()  # a full disk fails here, not later while a report is being written
        except OSError as error:
            self._drop()
            raise SpillFailed(f"cannot write findings to a temporary file: {error.strerror or error}") from None
        self.runs.append(blocks)
        self.written += len(records)

    def _drop(self) -> None:
        """Forget the runs (the file is reported as not linted) and close the file, come what may."""
        file, self.file, self.runs, self.written = self.file, None, [], 0
        try:
            file.close()
        except OSError:
            pass

    def take_back(self, findings: list) -> None:
        """Put the held findings back in front of `findings`, in discovery order, for
        Linter._attach_claims to see with the rest."""
        findings[:0] = [finding for _, finding in self.held]
        self.front = [seq for seq, _ in self.held]
        self.held = []

    def finish(self, findings: list) -> "SpilledFindings":
        """The file's findings: the runs, and `findings` (those never written, as `take_back` left
        them, or as the engine left them if it stopped early), filtered and sorted."""
        front = self.front
        seqs = front + list(range(self.seen, self.seen + len(findings) - len(front)))
        pairs = self.held + list(zip(seqs, findings))
        ignored = self.ignored
        tail = sorted(_record(seq, f) for seq, f in pairs if not (ignored and matches(f.rule, ignored)))
        return SpilledFindings(self.file, self.runs, tail, self.written + len(tail))


class SpilledFindings(Sequence):
    """A file's findings, sorted, read by merging the spilled runs each time they are iterated.

    Reporters iterate (once or twice) and take the length: that costs a block per run. Anything that
    indexes (or slices, or reverses) gets a list made once and kept. Pickled (--jobs) as a plain list.
    """

    def __init__(self, file, runs: list, tail: list, count: int):
        self._file = file
        self._runs = runs
        self._tail = tail
        self._count = count
        self._list: list[Finding] | None = None

    def __len__(self) -> int:
        return self._count

    def __iter__(self):
        if self._list is not None:
            return iter(self._list)
        return map(_finding, heapq.merge(*(self._read(blocks) for blocks in self._runs), self._tail))

    def _read(self, blocks):
        file = self._file
        for offset, size, loads in blocks:
            file.seek(offset)  # runs are read in turn from one file: each block seeks to its place
            yield from loads(file.read(size))

    def __getitem__(self, index):
        if self._list is None:
            self._list = list(self)
        return self._list[index]

    def __eq__(self, other) -> bool:
        if isinstance(other, (list, SpilledFindings)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None

    def __reduce__(self):
        return (list, (list(self),))

    def __repr__(self) -> str:
        return f"<SpilledFindings: {self._count} findings>"
