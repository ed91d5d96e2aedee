"""Claims to findings: run the selected rules over one input and collect a FileResult.

The hot path lives here. Line rules are indexed by the procedure codes they look at, so a 97026
rule costs nothing on a 99213 line; file rules see only the segment ids they ask for.
"""

from __future__ import annotations

import io
from array import array
from pathlib import Path
from typing import BinaryIO, Iterable

from edi_lint.claims import Claim
from edi_lint.document import DocumentReader
from edi_lint.findings import ClaimVerdict, FileResult, Finding, Severity, one_line, printable, segment_id
from edi_lint.rules.api import Problem, Rule
from edi_lint.rules.base import RuleInfo
from edi_lint.rules.marks import HlReader
from edi_lint.rules.straightline import fuse
from edi_lint.rules.structure import MISSING_TRAILER, UNEXPECTED_SEGMENT
from edi_lint.settings import Settings, matches
from edi_lint.x12.tokenizer import Segment, X12Error, iter_batches
from edi_lint.x12.walker import LoopWalker

MAX_UNEXPECTED = 50  # per file; binary junk would otherwise drown the real findings
# Per file rule and file. A million repeats of one bad segment would otherwise give a million
# findings (gigabytes of report); past the cap one summary finding with no segment stands for the
# rest, and a finding with no segment holds back the whole file in the pre-flight split.
MAX_FILE_RULE_FINDINGS = 1000
# Distinct finding texts (messages, expected and actual values) kept to share one string among equal
# ones: a batch's findings repeat a few dozen texts, and a copy per finding was about half of what a
# finding held in memory costs (a file's findings are reported sorted: see SPILL_AFTER).
SHARED_TEXTS = 4096
# Findings held in memory before they are written, sorted, to a temporary file (spill.py): a batch
# where most claims are wrong would otherwise hold hundreds of thousands of them until the end.
# Checked between claims; a file with fewer findings (nearly every file) never writes one.
SPILL_AFTER = 8192
# Procedure codes whose line-rule table is kept (a file of junk codes must not grow it without end).
MAX_PROCEDURE_TABLES = 1024
# A line table is compiled into one generated run once it has served FUSE_AFTER lines; tables of the same
# checks share one run (tables are per procedure and payers: the 10k file has 47 tables, 9 distinct runs).
# A compile (about a millisecond) costs what a few dozen lines save; a claim has at most 50 lines, so a
# one-claim run compiles at most once. At 500, 21k of the 40k lines of the 10k file ran the loop (-0.9%
# instructions at 50, with 2k). At most MAX_FUSED distinct tables are compiled; the others loop over their checks.
FUSE_AFTER = 50
MAX_FUSED = 128
MAX_PAYER_KEYS = 64  # and combinations of payer families (configured profiles may make more)


class Linter:
    """Holds the selected rules, compiled into dispatch tables once, and lints inputs with them."""

    def __init__(self, rules: dict[str, Rule], infos: dict[str, RuleInfo], settings: Settings | None = None,
                 default_off: Iterable[str] = ()):
        self.settings = settings = settings or Settings()
        self.infos = infos
        self._texts: dict = {}
        off = tuple(default_off)
        self.active = {code for code, info in infos.items()
                       if settings.is_selected(info, default_on=info.default_on and not matches(code, off))}
        self.line_rules_by_procedure: dict[str, list[Rule]] = {}
        self.line_rules_any: list[Rule] = []
        self.claim_rules: list[Rule] = []
        self.file_rules: list[Rule] = []
        # (claim's payer families, ...) -> procedure -> (check, rule) pairs: see _line_checks
        self._line_tables: dict[tuple, dict[str, tuple]] = {}
        self.fuse_after = FUSE_AFTER
        self.spill_after = SPILL_AFTER
        self._fused: dict[tuple, object] = {}  # ids of a table's checks -> its generated run (see _fuse)
        # The claim checks in order as one generated run (straightline.fuse), made once FUSE_AFTER claims
        # have been linted: no loop step per check, and a check's pass test (passes_when) tested inline.
        self._claim_run = None
        for code, rule in rules.items():
            if code not in self.active:
                continue
            scope = rule.info.scope
            if scope == "line" and rule.info.procedures:
                for procedure in rule.info.procedures:
                    self.line_rules_by_procedure.setdefault(procedure, []).append(rule)
            elif scope == "line":
                self.line_rules_any.append(rule)
            elif scope == "claim":
                self.claim_rules.append(rule)
            elif scope == "file":
                self.file_rules.append(rule)
        # A declarative line rule scoped by `payers` carries (claim -> payer families, the families it
        # wants) as its check's payer_scope: on a claim of other payers it cannot fire on any line, so
        # a claim's line tables leave it out. One families function per ruleset (they agree).
        families = {}
        for rule in (*self.line_rules_any, *(r for rs in self.line_rules_by_procedure.values() for r in rs)):
            scope = getattr(rule.check, "payer_scope", None)
            if scope is not None:
                families.setdefault(id(scope[0]), scope[0])
        self._payer_families = tuple(families.values())
        self._one_families = self._payer_families[0] if len(self._payer_families) == 1 else None
        self._family_index = {key: n for n, key in enumerate(families)}

    def _line_tables_for(self, claim: Claim) -> dict[str, tuple]:
        """procedure -> (check, rule) pairs for this claim's lines, shared by claims of the same payers."""
        one = self._one_families  # the usual case: one families function, no list made per claim
        key = (one(claim),) if one is not None else tuple([families(claim) for families in self._payer_families])
        tables = self._line_tables.get(key)
        if tables is None:
            tables = {}
            if len(self._line_tables) < MAX_PAYER_KEYS:
                self._line_tables[key] = tables
        return tables

    def _line_checks(self, procedure: str, claim: Claim, tables: dict[str, list]) -> list:
        """[fused run, (check, rule) pairs, lines to go] for a line billed with `procedure`: its own
        rules, then those of every line, less those scoped to other payers than the claim's, looked
        up once per line (kept for the first MAX_PROCEDURE_TABLES codes). The run (straightline.fuse)
        does what the loop over the pairs does, in one call; it is made once the table has served
        FUSE_AFTER lines (None until then, and when it would not gain anything)."""
        index = self._family_index
        key = tuple([families(claim) for families in self._payer_families])

        def applies(rule: Rule) -> bool:
            scope = getattr(rule.check, "payer_scope", None)
            return scope is None or not scope[1].isdisjoint(key[index[id(scope[0])]])

        table = tuple((rule.check, rule) for rule in (*self.line_rules_by_procedure.get(procedure, ()),
                                                      *self.line_rules_any) if applies(rule))
        entry = [None, table, self.fuse_after]
        if len(tables) < MAX_PROCEDURE_TABLES:
            tables[procedure] = entry
        return entry

    def _fuse(self, table: tuple):
        """The table's generated run (straightline.fuse), compiled once per distinct table, for at
        most MAX_FUSED of them; None when there is none. The table holds only the rules whose
        payers the claim has (_line_checks), so the run does not test them again."""
        key = tuple(id(check) for check, _ in table)
        if key not in self._fused:
            self._fused[key] = fuse(table, payers_checked=True) if len(self._fused) < MAX_FUSED else None
        return self._fused[key]

    @property
    def runs_ig(self) -> bool:
        """Implementation-guide validation runs only when an IG code is selected."""
        return any(code.startswith("IG") for code in self.active)

    @property
    def runs_pyx12(self) -> bool:
        """The cross-check engine (ig-engine = "pyx12") instead of the native validator."""
        return self.runs_ig and self.settings.ig_engine == "pyx12"

    def _with_ig(self, stream: BinaryIO, path: str) -> tuple[BinaryIO, list[Finding]]:
        """Run pyx12 on the whole input (it needs all of it); the selected IG findings, kept aside
        until the document is known to be an 837P edi-lint lints (a refused file gets none)."""
        from dataclasses import replace

        from edi_lint import ig

        data = stream.read()
        kept = []
        for finding in ig.validate(data, path):
            if finding.rule in self.active:
                info = self.infos.get(finding.rule)
                severity = self.severity_of(info) if info is not None else finding.severity
                kept.append(replace(finding, severity=severity, message=one_line(finding.message),
                                    segment=segment_id(finding.segment or "")))
        return io.BytesIO(data), kept

    def severity_of(self, info: RuleInfo) -> Severity:
        return self.settings.severity.get(info.code, info.severity)

    # -- inputs ---------------------------------------------------------------------------------

    def lint_path(self, path: str | Path, display: str | None = None) -> FileResult:
        name = display if display is not None else str(path)
        try:
            with open(path, "rb") as stream:
                return self.lint_stream(stream, name)
        except OSError as error:
            return FileResult(name, status="error", error=f"cannot read file: {error.strerror or error}")

    def lint_bytes(self, data: bytes, path: str = "<bytes>") -> FileResult:
        return self.lint_stream(io.BytesIO(data), path)

    def lint_stream(self, stream: BinaryIO, path: str) -> FileResult:
        result = FileResult(path, fail_on=self.settings.fail_on)
        spills: list = []  # the file's spill.FindingSpill, made (and imported) once it has many findings
        try:
            guide_findings: list[Finding] = []
            if self.runs_pyx12:
                stream, guide_findings = self._with_ig(stream, path)
            spans, cut = self._lint(stream, result, spills)
            result.findings.extend(guide_findings)
            if spills:
                spills[0].take_back(result.findings)  # the held findings get their claims with the rest
            if cut is not None:  # ENV001 reports the cut; what the cut segment lacks is the same defect
                result.findings = [f for f in result.findings
                                   if f.segment_index != cut or f.rule == MISSING_TRAILER.code]
            self._attach_claims(result, spans)
        except X12Error as error:
            result.status, result.error = "error", printable(str(error))
        except OSError as error:  # the input could not be read to its end (an I/O error, a pipe)
            result.status, result.error = "error", printable(f"cannot read file: {error.strerror or error}")
        except Exception as error:  # a bug of ours must not stop the other files
            result.status = "error"
            result.error = printable(f"internal error while linting: {type(error).__name__}: {error}")
        if spills:  # filtered and sorted as below, merged with what was written
            result.findings = spills[0].finish(result.findings)
            return result
        if self.settings.per_file_ignores:
            ignored = self.settings.ignored_for(path)
            if ignored:
                result.findings = [f for f in result.findings if not matches(f.rule, ignored)]
        result.findings.sort(key=Finding.sort_key)
        return result

    # -- the pass -------------------------------------------------------------------------------

    def _lint(self, stream: BinaryIO, result: FileResult, spills: list) -> tuple[tuple[array, array, list], int | None]:
        """One pass over the input; returns the claims' first and last segment indexes and ids (flat
        arrays rather than a tuple per claim: a file may hold hundreds of thousands), and the index of
        a segment cut off by truncation, if any (see _structure_findings). Past
        `spill_after` findings, those held so far go to a spill.FindingSpill, between claims; it is
        put in `spills` (small files never import the module)."""
        path = result.path
        findings = result.findings
        checkers = self._start_file_rules(path)
        observer = None
        dispatch: dict = {}
        if checkers:
            # segment id -> (bound segment method, rule, loops) triples, bound once per file. A checker
            # with a `loops` set sees only segments of those loops (tested here, without a call).
            dispatch = {sid: tuple((checker.segment, rule, getattr(checker, "loops", None)) for rule, checker in entries)
                        for sid, entries in checkers.items()}
            every = dispatch.get("*", ())
            get = dispatch.get

            def observer(seg: Segment) -> None:  # when a rule sees every segment ("*"); else the reader reads `dispatch`
                for segment, rule, loops in get(seg.elements[0], every):
                    if loops is not None and seg.loop not in loops:
                        continue
                    problems = segment(seg)
                    if problems:
                        file_findings(rule, problems)
        tally: dict[str, list] = {}  # rule code -> [rule info, problems seen]

        def file_findings(rule: Rule, problems) -> None:
            count = tally.setdefault(rule.info.code, [rule.info, 0])
            for problem in problems:
                count[1] += 1
                if count[1] <= MAX_FILE_RULE_FINDINGS:
                    findings.append(self._finding(rule.info, problem, path))
        walker = LoopWalker()
        watched = None if "*" in checkers else set(checkers)  # file rules see only the ids they name
        validator = None
        if self.runs_ig and not self.runs_pyx12:
            from edi_lint.x12.validator import Validator

            validator = Validator(walker.root, limit=MAX_FILE_RULE_FINDINGS)
        if watched is None:
            reader = DocumentReader(segment_observer=observer)
        else:  # the reader calls the checkers itself: a call fewer per watched segment
            reader = DocumentReader(watchers=dispatch or None, report=file_findings)  # None: no test per segment
        line_rules = bool(self.line_rules_by_procedure or self.line_rules_any)
        line_checks, line_tables_for = self._line_checks, self._line_tables_for
        line_tables = self._line_tables.setdefault((), {}) if not self._payer_families else None
        claim_checks = tuple((rule.check, rule) for rule in self.claim_rules)
        claim_run = self._claim_run  # the claim checks as one generated run, once FUSE_AFTER claims were linted
        fail_on = self.settings.fail_on
        verdicts = result.verdicts if self.settings.collect_verdicts else None
        ignored = self.settings.ignored_for(path) if verdicts is not None else ()  # per-file-ignores
        records = result.records if self.settings.keep_claims else None
        if records is not None:  # the HTML report's claim cards; other formats never import records
            from edi_lint.records import record_claim
        fired: list = []  # (rule, problems) of a fused line run
        spill_after = self.spill_after
        claims = lines = 0
        spans = (array("q"), array("q"), [])  # each claim's first and last segment ordinal, and its id
        starts, ends, ids = spans
        for claim in reader.read(iter_batches(stream), walker, validator):  # walks as it reads
            claims += 1
            held = claim.segments
            starts.append(held[0].index)  # the CLM
            ends.append(held[-1].index)
            ids.append(claim.id)
            before = len(findings)
            if claim_run is not None:
                try:
                    claim_run(claim, fired)
                except BaseException:  # the rules before the one that failed keep their findings
                    self._flush(fired, path, claim, None, findings)
                    raise
                if fired:
                    self._flush(fired, path, claim, None, findings)
            else:
                for check, rule in claim_checks:
                    problems = check(claim)
                    if problems:  # most checks pass and return (): skip the call
                        findings.extend(self._findings(rule, problems, path, claim))
                if claims == self.fuse_after and claim_checks:
                    claim_run = self._claim_run = fuse(claim_checks, always=True)
            if line_rules:
                tables = line_tables if line_tables is not None else line_tables_for(claim)
                claim_lines = claim.lines
                lines += len(claim_lines)  # counted from the lines the rules read: no call per claim
            else:  # no line rule: line views are not built
                claim_lines = ()
                lines += claim.line_count
            for line in claim_lines:
                entry = tables.get(line.procedure)
                if entry is None:
                    entry = line_checks(line.procedure, claim, tables)
                run = entry[0]
                if run is not None:
                    try:
                        run(line, fired)
                    except BaseException:  # the rules before the one that failed keep their findings
                        self._flush(fired, path, claim, line, findings)
                        raise
                    if fired:
                        self._flush(fired, path, claim, line, findings)
                    continue
                for check, rule in entry[1]:
                    problems = check(line)
                    if problems:
                        findings.extend(self._findings(rule, problems, path, claim, line))
                entry[2] -= 1
                if not entry[2]:  # a table in steady use: worth compiling
                    entry[0] = self._fuse(entry[1])
            if verdicts is not None:
                held = fail_on is not None and any(f.severity >= fail_on and not (ignored and matches(f.rule, ignored))
                                                   for f in findings[before:])
                verdicts.append(ClaimVerdict(claim.id, claim.transaction, claim.clm.index, not held))
            if records is not None:
                records.append(record_claim(claim, self.settings.show_phi))
            claim.release()
            if len(findings) >= spill_after:
                if not spills:
                    from edi_lint.spill import FindingSpill

                    spills.append(FindingSpill(self.settings.ignored_for(path)))  # per-file-ignores
                spills[0].spill(findings)
        result.claims, result.service_lines = claims, lines
        for checker_rules in {id(c): c for cs in checkers.values() for c in cs}.values():
            rule, checker = checker_rules
            problems = checker.finish()
            if problems:
                file_findings(rule, problems)
        if validator is not None:
            # a truncated file is one defect: ENV001 says so (and names the claim cut off), so the
            # validator's IG123/IG153/IG202 for the same missing trailers are left out while it runs
            self._ig_findings(validator.finish(trailers=MISSING_TRAILER.code not in self.active), path, tally,
                              findings)
            for code, count in validator.counts.items():  # issues past the validator's own cap
                if code in tally:
                    tally[code][1] = max(tally[code][1], count)
        for info, count in tally.values():
            if count > MAX_FILE_RULE_FINDINGS:
                message = (f"{count - MAX_FILE_RULE_FINDINGS} more {info.code} findings in this file are not listed "
                           f"(at most {MAX_FILE_RULE_FINDINGS} per rule and file)")
                findings.append(self._finding(info, Problem(message), path))
        return spans, self._structure_findings(reader, result)

    def _attach_claims(self, result: FileResult, spans: tuple[array, array, list]) -> None:
        """Findings of file rules, structure checks and the guide that point at a segment inside a
        claim get that claim's id, so a report can say which claim to fix; at or above fail-on they
        hold the claim back, as a claim rule's finding does."""
        starts, ends, ids = spans
        if not ids:
            return
        from bisect import bisect_right
        from dataclasses import replace

        fail_on = self.settings.fail_on
        ignored = self.settings.ignored_for(result.path)
        held: set[int] = set()
        findings = result.findings
        for n, finding in enumerate(findings):
            at = finding.segment_index
            if at is None or finding.claim_segment_index is not None:
                continue
            k = bisect_right(starts, at) - 1
            if finding.claim_id is not None:
                # the validator names the claim a gap belongs to (it is reported at the segment
                # after the gap, which may open the next claim): the last such claim at or before
                while k >= 0 and ids[k] != finding.claim_id:
                    k -= 1
                if k < 0:
                    continue
            elif k < 0 or at > ends[k]:
                continue
            findings[n] = replace(finding, claim_id=ids[k], claim_segment_index=starts[k])
            if fail_on is not None and finding.severity >= fail_on and not (ignored and matches(finding.rule, ignored)):
                held.add(starts[k])
        if held and result.verdicts:
            result.verdicts = [ClaimVerdict(v.claim_id, v.transaction, v.segment_index, False)
                               if v.segment_index in held else v for v in result.verdicts]

    def _ig_findings(self, issues, path: str, tally: dict, findings: list) -> None:
        """The native validator's issues as findings: selected codes only, capped per code like file rules."""
        active, infos = self.active, self.infos
        for issue in issues:
            info = infos.get(issue.code)
            if info is None or issue.code not in active:
                continue
            count = tally.setdefault(issue.code, [info, 0])
            count[1] += 1
            if count[1] > MAX_FILE_RULE_FINDINGS:
                continue
            seg = issue.seg
            findings.append(Finding(
                rule=info.code, name=info.name, severity=self.severity_of(info), message=one_line(issue.message),
                path=path, claim_id=issue.claim_id, loop=issue.loop, segment=segment_id(issue.segment or "") or None,
                element=issue.element, segment_index=seg.index if seg is not None else None,
                line=seg.line if seg is not None else None, column=seg.column if seg is not None else None,
                byte_offset=seg.offset if seg is not None else None, transaction=seg.st02 if seg is not None else None,
            ))

    def _start_file_rules(self, path: str) -> dict[str, list]:
        table: dict[str, list] = {}
        shared: dict = {}  # the file's hierarchy checkers read one HL table through it (rules.marks.HlFeed)
        for rule in self.file_rules:
            checker = rule.check(path)
            if isinstance(checker, HlReader):  # the package's own: a plugin's checker is never called here
                checker.join_file(shared)
            for sid in rule.segment_ids or ("*",):
                table.setdefault(sid, []).append((rule, checker))
        every = table.get("*", [])
        for sid, entries in table.items():
            if sid != "*":
                entries.extend(every)  # a lookup by segment id then finds the catch-all rules too
        return table

    def _structure_findings(self, reader: DocumentReader, result: FileResult) -> int | None:
        """Unexpected segments and ENV001; the index of the segment the truncation cut, which is not
        checked: its missing elements and short values are the cut, reported once by ENV001."""
        structure = reader.structure
        if UNEXPECTED_SEGMENT.code in self.active:
            for seg in structure.unexpected[:MAX_UNEXPECTED]:
                sid = segment_id(seg.elements[0])
                what = f"segment {sid!r}" if sid else f"segment #{seg.index} (its id is not a valid segment id)"
                message = f"{what} is not expected here in 005010X222A1"
                result.findings.append(self._finding(UNEXPECTED_SEGMENT, Problem(message, seg), result.path))
            extra = structure.unexpected_count - MAX_UNEXPECTED
            if extra > 0:
                last = structure.last_unexpected
                message = f"{extra} more segments are not expected in 005010X222A1 (not listed one by one)"
                result.findings.append(self._finding(UNEXPECTED_SEGMENT, Problem(message, last), result.path))
        if structure.open_envelopes and MISSING_TRAILER.code in self.active:
            missing = ", ".join(
                {"ISA": "IEA", "GS": "GE", "ST": "SE"}[s.elements[0]] for s in reversed(structure.open_envelopes)
            )
            message = f"file ends without {missing}: truncated"
            claim = structure.incomplete_claim
            if claim is not None:
                message += f"; the claim in progress ({claim.id}) is incomplete and was not linted"
            cut = structure.cut
            if cut is not None:
                sid = segment_id(cut.elements[0])
                message += (f"; its last segment (#{cut.index}{', ' + sid if sid else ''}) has no terminator, "
                            "was probably cut and is not checked")
            result.findings.append(
                self._finding(MISSING_TRAILER, Problem(message, structure.open_envelopes[-1], expected=missing),
                              result.path)
            )
            return cut.index if cut is not None else None
        return None

    def _flush(self, fired: list, path: str, claim: Claim, line, findings: list) -> None:
        """The findings of a fused line run's (rule, problems), in table order; `fired` emptied."""
        try:
            for rule, problems in fired:
                findings.extend(self._findings(rule, problems, path, claim, line))
        finally:
            fired.clear()

    def _findings(self, rule: Rule, problems, path: str, claim: Claim | None = None, line=None) -> list[Finding]:
        if not problems:
            return []
        return [self._finding(rule.info, p, path, claim, line) for p in problems]

    def _share(self, text: str | None) -> str | None:
        """`text`, or an equal string kept earlier (see SHARED_TEXTS)."""
        texts = self._texts
        found = texts.get(text)
        if found is not None:
            return found
        if len(texts) < SHARED_TEXTS:
            texts[text] = text
        return text

    def _finding(self, info: RuleInfo, problem: Problem, path: str, claim: Claim | None = None,
                 line=None) -> Finding:
        seg = problem.segment
        share = self._share
        return Finding(
            rule=info.code,
            name=info.name,
            severity=self.severity_of(info),
            message=share(one_line(problem.message)),
            path=path,
            claim_id=claim.id if claim is not None else None,
            line_number=line.number if line is not None else None,
            loop=problem.loop or (seg.loop if seg is not None else None),
            segment=segment_id(seg.elements[0]) if seg is not None else None,
            element=problem.element,
            segment_index=seg.index if seg is not None else None,
            line=seg.line if seg is not None else None,
            column=seg.column if seg is not None else None,
            byte_offset=seg.offset if seg is not None else None,
            transaction=seg.st02 if seg is not None else None,
            expected=share(problem.expected),
            actual=share(problem.actual),
            claim_segment_index=claim.clm.index if claim is not None else None,
        )
