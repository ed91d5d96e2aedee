"""Loops to claims: group walked segments into claims with their envelope and provider context.

Streams one claim at a time. Also checks what the file is (which transaction, which guide) and
notices envelopes that never close, because only this stage sees the whole sequence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from edi_lint.claims import Claim, Context, Header
from edi_lint.findings import printable
from edi_lint.x12.tokenizer import Segment, Unterminated, X12Error
from edi_lint.x12.walker import (  # noqa: F401  (the loop groups are read from here too)
    BILLING_LOOPS, CLAIM_LOOPS, HEADER_LOOPS, IN_BILLING, IN_CLAIM, LINE_START, OTHER, PATIENT_LOOPS, QUALIFIED,
    SUBSCRIBER_LOOPS, LoopWalker)

SUPPORTED_GUIDE = "005010X222A1"
PRODUCT = "edi-lint lints 837P 005010X222A1"

# Implementation guides a file may claim, by GS08/ST03 version code.
GUIDES = {
    "005010X222": "the original 837P 5010 guide (005010X222), superseded by the X222A1 errata",
    "005010X222A2": "837P 005010X222A2",
    "005010X223": "an 837I institutional claim (005010X223)",
    "005010X223A1": "an 837I institutional claim (005010X223A1)",
    "005010X223A2": "an 837I institutional claim (005010X223A2)",
    "005010X223A3": "an 837I institutional claim (005010X223A3)",
    "005010X224": "an 837D dental claim (005010X224)",
    "005010X224A1": "an 837D dental claim (005010X224A1)",
    "005010X224A2": "an 837D dental claim (005010X224A2)",
    "005010X224A3": "an 837D dental claim (005010X224A3)",
    "005010X298": "an 837 post-adjudicated claims data reporting file (005010X298), not a claim",
    "004010X098": "a 4010 837P (004010X098), a version retired in 2012",
    "004010X098A1": "a 4010 837P (004010X098A1), a version retired in 2012",
    "004010X096A1": "a 4010 837I institutional claim (004010X096A1)",
    "004010X097A1": "a 4010 837D dental claim (004010X097A1)",
}
TRANSACTIONS = {
    "835": "an 835 claim payment/remittance advice",
    "270": "a 270 eligibility inquiry",
    "271": "a 271 eligibility response",
    "276": "a 276 claim status request",
    "277": "a 277 claim status response",
    "278": "a 278 services review",
    "820": "an 820 premium payment",
    "834": "an 834 benefit enrollment",
    "999": "a 999 implementation acknowledgment",
    "997": "a 997 functional acknowledgment",
}

# Memory bounds for hostile input: binary junk or a million repeats of one segment must not make the
# reader hold every segment. No 837P claim, header or provider level comes near MAX_HELD segments
# (a claim has at most 50 service lines).
UNEXPECTED_KEPT = 100
MAX_OPEN_ENVELOPES = 64
MAX_HELD = 100_000


def _too_long(what: str, first: Segment) -> X12Error:
    return X12Error(
        f"{what} that starts at line {first.line} (segment {first.index}) has more than {MAX_HELD:,} "
        "segments; no 837P holds that many, so the file is not linted further"
    )


class UnsupportedInput(X12Error):
    """X12, but not an 837P 005010X222A1 transaction."""


def describe_unsupported(st01: str, version: str) -> str | None:
    """None when the transaction is ours, else a one-line explanation naming what it is."""
    st01, version = printable(st01, 40), printable(version, 40)
    if st01 != "837":
        what = TRANSACTIONS.get(st01, f"an X12 {st01 or 'unknown'} transaction")
        return f"unsupported transaction: this is {what} ({version or 'no version'}); {PRODUCT}"
    if version == SUPPORTED_GUIDE:
        return None
    what = GUIDES.get(version)
    if what is None:
        if version.startswith("004010"):
            what = f"a 4010 837 ({version})"
        else:
            what = f"an 837 with unknown guide version {version or '(empty)'}"
    return f"unsupported version: this is {what}; {PRODUCT}"


@dataclass(slots=True)
class Structure:
    """What the document stage noticed about envelopes, for the engine to report."""

    unexpected: list[Segment] = field(default_factory=list)  # the first segments the guide has no place for
    open_envelopes: list[Segment] = field(default_factory=list)  # ISA/GS/ST still open at the end
    incomplete_claim: Claim | None = None
    unexpected_count: int = 0  # all of them; only the first UNEXPECTED_KEPT and the last are kept
    last_unexpected: Segment | None = None
    cut: Segment | None = None  # the last segment, when no terminator follows it and it is not an IEA

    def note_unexpected(self, seg: Segment) -> None:
        self.unexpected_count += 1
        self.last_unexpected = seg
        if len(self.unexpected) < UNEXPECTED_KEPT:
            self.unexpected.append(seg)

    def open(self, seg: Segment) -> None:
        if len(self.open_envelopes) < MAX_OPEN_ENVELOPES:  # ISA after ISA after ISA ... is junk
            self.open_envelopes.append(seg)


class DocumentReader:
    """Feed walked segments in; get complete claims out, one at a time.

    `claims()` reads segments walked elsewhere; `read()` walks the tokenizer's batches itself, in the
    same loop: the walker's entry for a segment says what it is to the reader (`reader_kind`), so the
    common segment (one more of an open claim or of a provider, subscriber or patient level) costs
    one append. Every other segment goes through `_step`, which both share. `read` also runs
    `Validator.feed`'s code inline rather than calling it for every segment.
    """

    def __init__(self, segments: Iterable[Segment] = (), segment_observer=None, watchers=None, report=None):
        """`segment_observer(seg)` is called for every segment (a file rule that sees them all).

        `watchers` serves rules that name their segment ids, without a call in between: segment id ->
        ((watch, token, loops), ...); `watch(seg)` is called for each segment of that id (of `loops`, when
        not None), in order, and `report(token, problems)` when it returns problems."""
        self._segments = segments
        self._observe = segment_observer
        self._watchers, self._report = watchers, report
        self.structure = Structure()
        self._isa = self._gs = None
        self._gs_version = ""
        self._header: Header | None = None
        self._header_segments: list[Segment] = []
        self._levels: list[Context | None] = [None, None, None]  # billing, subscriber, patient; changed in place
        self._claim: list[Segment] | None = None  # the open claim's segments
        self._line_starts: list[int] = []
        self._stray: dict[str, Segment] = {}

    def claims(self) -> Iterator[Claim]:
        observe = self._observe
        step = self._step
        seg = None
        for seg in self._segments:
            sid = seg.elements[0]
            if observe is not None:
                observe(seg)
            claim = step(seg, sid, seg.loop)
            if claim is not None:
                yield claim
        self._note_cut(seg)
        yield from self._end()

    def read(self, batches: Iterable[list[Segment]], walker: LoopWalker, validator=None) -> Iterator[Claim]:
        """`claims()` of the segments in `batches` (the tokenizer's `iter_batches`), walked here by
        `walker` (which feeds `validator` as `LoopWalker.walk` does)."""
        observe = self._observe
        watchers, report = self._watchers, self._report
        step = self._step
        levels = self._levels
        # the module's constants as locals: the loop tests them for every segment
        in_claim, line_start, other, in_billing, max_held = IN_CLAIM, LINE_START, OTHER, IN_BILLING, MAX_HELD
        qualified = QUALIFIED
        claim = starts = None
        table = walker.table()
        state = walker.state
        feeding = validator is not None
        unseen = clean_texts = None
        if feeding:  # imported here: a run without IG validation does not load the validator
            from edi_lint.x12.validator import _UNSEEN as unseen, CLEAN_TEXTS as clean_texts
        batch = ()
        seg = None
        try:
            for batch in batches:
                # Whether a list appended to below (the open claim's, a level's) could pass MAX_HELD in this
                # batch: only then is each append followed by a test of its length (52 M on the 10k benchmark,
                # for a limit no 837P comes near). A list begun within the batch holds at most all of it.
                longest = len(claim) if claim is not None else 0
                for level in levels:
                    if level is not None and len(level.segments) > longest:
                        longest = len(level.segments)
                near = longest + len(batch) > max_held
                for seg in batch:
                    elements = seg.elements
                    sid = elements[0]
                    try:  # a subscript, not .get: the id is nearly always there, and a method call costs twice as much
                        state, loop, table, kind = table[sid]
                    except KeyError:  # nothing assigned: state and table are still the current ones
                        state, loop, table, kind = walker.entry(table, seg, state)
                    if kind == qualified:  # as in LoopWalker.walk
                        try:
                            value = elements[loop.position]
                        except IndexError:
                            value = ""
                        if loop.sub and value:
                            value = value.split(seg.delimiters.component, 1)[0]
                        try:  # a subscript, as above
                            state, loop, table, kind = loop[value]
                        except KeyError:
                            state, loop, table, kind = walker.entry(table, seg, state)
                    seg.loop = loop
                    if feeding:
                        # `Validator.feed`, inline (the call per segment cost 134 M instructions of a default run
                        # on the 10k benchmark): the same code on the validator's state; tests/test_reader_feed.py
                        # holds it to LoopWalker.walk feeding the validator, after every segment. But `last`,
                        # which only `finish` reads, is set once, at the end or when the validator fails.
                        try:
                            if loop is None:  # matched nothing: no table has a step to None, feed goes the long way
                                validator._long(seg, None)
                            else:  # `state` is the node matched
                                try:
                                    go, v_claim, v_loop, limit, definition, where, v_table = validator.table[state]
                                except KeyError:
                                    validator._long(seg, state)
                                else:
                                    text = seg.text
                                    known = validator.clean.get(text, unseen)
                                    if known is not definition and (elements[-1] == "" or len(elements) == 1):
                                        validator._long(seg, state)
                                    elif go is None or not go(validator, seg, state, elements):
                                        if go is None:  # plain: no counter, nothing to look for, no loop closed, opened
                                            if not v_claim:
                                                validator.claim_id = None
                                            v_open = validator.open
                                            try:
                                                counts = v_open[v_loop]
                                            except KeyError:
                                                counts = v_open[v_loop] = {}
                                            if state in counts:
                                                n = counts[state] = counts[state] + 1
                                                if n > limit:
                                                    validator._overused(seg, state, n, validator._facts(state))
                                            else:
                                                counts[state] = 1
                                        validator.table = v_table
                                        if known is not definition and definition is not None:
                                            try:
                                                run = validator.runs[definition]
                                            except KeyError:
                                                run = validator.segments.run(definition, seg.delimiters.component,
                                                                             seg.delimiters.element)
                                            problems = run(elements, text)
                                            if problems:
                                                validator._element_issues(problems, seg, sid, where)
                                            elif problems is not None and text is not None:
                                                clean = validator.clean
                                                if len(clean) >= clean_texts:
                                                    clean.clear()
                                                clean[text] = definition
                        except Exception as error:  # noqa: BLE001
                            validator.failed = f"{type(error).__name__} at segment {seg.index}"
                            validator.last = seg
                            feeding = False
                    if observe is not None:
                        observe(seg)
                    if watchers is not None and sid in watchers:
                        for watch, token, loops in watchers[sid]:
                            if loops is None or loop in loops:
                                problems = watch(seg)
                                if problems:
                                    report(token, problems)
                    if kind == in_claim:
                        if claim is not None:
                            claim.append(seg)
                            if near and len(claim) > max_held:
                                raise _too_long("the claim", claim[0])
                            continue
                    elif kind == line_start:
                        if claim is not None:
                            starts.append(len(claim))
                            claim.append(seg)
                            if near and len(claim) > max_held:
                                raise _too_long("the claim", claim[0])
                            continue
                    elif kind != other and claim is None:
                        level = levels[kind - in_billing]
                        if level is not None:
                            held = level.segments
                            held.append(seg)
                            if near and len(held) > max_held:
                                raise _too_long(f"the {loop} loop", held[0])
                        continue
                    done = step(seg, sid, loop)
                    claim, starts = self._claim, self._line_starts
                    if done is not None:
                        yield done
        finally:  # also when an error stops the input: the segment it stopped at was fed
            if feeding and seg is not None:  # `feed` sets it for every segment; only `finish` reads it
                validator.last = seg
        walker.state = state
        self._note_cut(batch[-1] if batch else None)
        yield from self._end()

    def _note_cut(self, last: Segment | None) -> None:
        """The input's last segment, when nothing terminates it: cut off with the file, unless an IEA
        (its last element needs no terminator to be whole). Known only once the tokenizer has ended."""
        if type(last) is Unterminated and last.elements[0] != "IEA":
            self.structure.cut = last

    def _step(self, seg: Segment, sid: str, loop: str | None) -> Claim | None:
        """Take one walked segment; the claim it closes, if it closes one."""
        claim_segments = self._claim
        done = None
        if claim_segments is not None:
            if loop in CLAIM_LOOPS and sid != "CLM":  # most segments: one more of the claim's
                if sid == "LX" and loop == "2400":
                    self._line_starts.append(len(claim_segments))
                claim_segments.append(seg)
                if len(claim_segments) > MAX_HELD:
                    raise _too_long("the claim", claim_segments[0])
                return None
            if loop is None and sid not in ("SE", "GE", "IEA", "ISA", "GS", "ST", "HL"):
                self.structure.note_unexpected(seg)
                claim_segments.append(seg)  # kept, so no segment of a claim is ever dropped
                if len(claim_segments) > MAX_HELD:
                    raise _too_long("the claim", claim_segments[0])
                return None
            done = Claim(claim_segments, self._header, *self._levels, self._line_starts)
            self._claim = None
        levels = self._levels
        if sid == "CLM" and loop == "2300":
            self._claim = [seg]
            self._line_starts = []
        elif loop in ("2000A", "2000B", "2000C") and sid == "HL":
            context = Context(seg, [seg])  # the level the walker placed it at (by HL03, or read as
            if loop == "2000A":  # that level's HL when HL03 is no code the guide allows there)
                levels[:] = context, None, None
            elif loop == "2000B":
                levels[1:] = context, None
            else:
                levels[2] = context
        elif loop in BILLING_LOOPS or loop in SUBSCRIBER_LOOPS or loop in PATIENT_LOOPS:
            level = levels[0] if loop in BILLING_LOOPS else levels[1] if loop in SUBSCRIBER_LOOPS else levels[2]
            if level is not None:
                level.segments.append(seg)
                if len(level.segments) > MAX_HELD:
                    raise _too_long(f"the {loop} loop", level.segments[0])
        elif sid == "ISA":
            self._isa, self._gs = seg, None
            self.structure.open(seg)
        elif sid == "GS":
            self._gs, self._gs_version = seg, seg.get(8).strip()
            self.structure.open(seg)
        elif sid == "ST":
            self._transaction(seg)
        elif sid in ("SE", "GE", "IEA"):
            self._close(sid)
        elif loop in HEADER_LOOPS:
            header_segments = self._header_segments
            header_segments.append(seg)
            if len(header_segments) > MAX_HELD:
                raise _too_long("the transaction header", header_segments[0])
        elif loop is None:
            self.structure.note_unexpected(seg)
            if self._header is None and sid[1:] in ("GS", "ST") and not sid[:1].isalnum():
                self._stray.setdefault(sid[1:], seg)  # '~ST': the ISA's terminator is not the real one
        return done

    def _transaction(self, st: Segment) -> None:
        """An ST: refused unless it is an 837P of our guide; else a new header, no levels yet."""
        gs_version = self._gs_version
        version = st.get(3).strip() or gs_version
        problem = describe_unsupported(st.get(1).strip(), version)
        if problem is None and gs_version and gs_version != version:
            # ST03 is ours but the functional group declares another guide: partners route by GS08
            problem = describe_unsupported(st.get(1).strip(), gs_version)
            if problem is not None:
                problem = problem.replace("this is", "GS08 says this is", 1).replace(
                    f"; {PRODUCT}", f", while ST03 says {printable(version, 40)}; {PRODUCT}")
        if problem is not None:
            raise UnsupportedInput(problem)
        self._header_segments = [st]
        self._header = Header(self._isa, self._gs, st, self._header_segments)
        self._levels[:] = None, None, None
        self.structure.open(st)

    def _end(self) -> Iterator[Claim]:
        """After the last segment: the claim still open, unless the file was cut off inside it."""
        if self._header is None:
            raise X12Error(
                "no transaction found: the interchange has no ST segment "
                f"(segment terminator read from the ISA: {_shown(self._isa)})" + _stray_note(self._stray)
            )
        claim_segments = self._claim
        if claim_segments is not None:
            self._claim = None
            claim = Claim(claim_segments, self._header, *self._levels, self._line_starts)
            if self.structure.open_envelopes:
                self.structure.incomplete_claim = claim  # cut off: not a complete claim to lint
            else:
                yield claim

    def _close(self, trailer: str) -> None:
        opener = {"SE": "ST", "GE": "GS", "IEA": "ISA"}[trailer]
        stack = self.structure.open_envelopes
        for position in range(len(stack) - 1, -1, -1):
            if stack[position].elements[0] == opener:
                del stack[position:]
                return


def _stray_note(stray: dict[str, Segment]) -> str:
    """What an ST hidden behind a stray character (`~ST|835|0001`) says the file is."""
    st = stray.get("ST")
    if st is None:
        return ""
    gs = stray.get("GS")
    version = st.get(3).strip() or (gs.get(8).strip() if gs is not None else "")
    note = f"; its segments start with {st.elements[0][:1]!r} (e.g. {st.elements[0]!r}), so that terminator is wrong"
    problem = describe_unsupported(st.get(1).strip(), version)
    return note + (f"; {problem}" if problem else "")


def _shown(isa: Segment | None) -> str:
    if isa is None:
        return "none"
    return repr(isa.delimiters.segment)
