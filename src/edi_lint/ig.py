"""Implementation-guide validation (WEDI SNIP types 1 and 2) through pyx12, as `IG` findings.

`validate(data, path)` hands pyx12 a normalised copy of the file built from our own tokenizer, so
that pyx12 never sees a UTF-8 BOM (it crashes on one), indentation (it flags every indented segment)
or a missing final terminator. The copy has exactly one segment per line, in the file's order, so
pyx12's segment counter is our 1-based segment ordinal and every finding can carry our location
fields (segment_index, line, column, byte_offset, transaction).

pyx12 is run through `pyx12.x12n_document.x12n_document` with no 997/999, HTML, XML or JSON output
(nothing is written anywhere), its loggers silenced for the duration of the call, and an error
handler that records every error together with the map node pyx12 was at, which gives the loop id
(2010AA, 2400, ...). Any exception becomes a single IG001 finding; nothing propagates.

Codes, derived from pyx12's own error codes (which follow the TA1 / 999 code lists):

* IG001            pyx12 could not validate the file at all (exception, no map, rejected ISA)
* IG1nn            interchange (ISA/IEA) errors, nn = the TA1-style code pyx12 reports (IG121 = 021)
* IG150 + n        functional group (GS/GE) errors, n = the AK9-style code (IG155 = 5, GE01 wrong)
* IG2nn            transaction set (ST/SE) errors, nn = the IK5-style code (IG204 = 4, SE01 wrong)
* IG3nn            segment errors, nn = the IK3 code (IG303 = mandatory segment missing);
                   IG38x are pyx12's HL/LX counters, IG39x cosmetic notices (warnings)
* IG4nn            element errors, nn = the IK4 code (IG407 = invalid code value);
                   IG496 = unnecessary trailing spaces (warning)

No PHI: pyx12's messages quote element values (names, member ids, dates, addresses, diagnosis
codes). Messages here are rebuilt from the error kind, the guide's own names for the segment or
element (which come from the map, not from the data) and numbers (lengths, counts); pyx12's bad value
is never used. A segment's first element is shown only where the standard makes it a qualifier code.
"""

from __future__ import annotations

import io
import logging
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

from edi_lint.findings import Finding
from edi_lint.rules.ig_codes import RULES
from edi_lint.x12.tokenizer import Segment, X12Error, segments_from_bytes

__all__ = ["RULES", "validate"]

# pyx12 code -> our code, for the envelope levels.
_ISA_CODES = {"001": "IG101", "021": "IG121", "023": "IG123", "024": "IG124", "025": "IG125"}
_GS_CODES = {"3": "IG153", "4": "IG154", "5": "IG155", "6": "IG156"}
_ST_CODES = {"2": "IG202", "3": "IG203", "4": "IG204", "23": "IG223"}
# The segment an envelope error is about (pyx12 reports them where it noticed them).
_ISA_SEGMENT = {"001": "IEA", "021": "IEA", "023": "IEA", "024": "IEA", "025": "ISA"}
_GS_SEGMENT = {"3": "GE", "4": "GE", "5": "GE", "6": "GS"}
_ST_SEGMENT = {"2": "SE", "3": "SE", "4": "SE", "23": "ST"}

# Segments whose first element is a qualifier/code by the X12 standard: "NM1*85" is safe to show,
# "N4*<city>" or "CLM*<patient control number>" is not.
_QUALIFIER_SEGMENTS = frozenset(
    "AMT BHT CAS CN1 CR1 CR2 CR3 CRC CTP DMG DTP FRM HCP HI HL LQ MEA N1 NM1 NTE PER PRV PWK QTY "
    "REF SBR TOO".split()
)
_VALID_SEG_ID = re.compile(r"^[A-Z][A-Z0-9]{1,2}$")
_REFDES = re.compile(r"^(?P<seg>[A-Z][A-Z0-9]{1,2})(?P<ele>\d{2})(?:-(?P<sub>\d{1,2}))?$")

_LOCK = threading.Lock()  # x12n_document's error-handler class is swapped for the call


# --------------------------------------------------------------------------------------------
# Entry point


def validate(data: bytes, path: str) -> list[Finding]:
    """Validate `data` against the pyx12 map for its guide; return IG findings, never raise."""
    try:
        segments = list(segments_from_bytes(data))
    except X12Error as exc:
        return [_failed(path, f"cannot validate, the file is not a readable X12 interchange: {exc}")]
    except Exception as exc:  # noqa: BLE001 - the validator must never take the linter down
        return [_failed(path, f"cannot validate: {_describe(exc)}")]
    if not segments:
        return [_failed(path, "cannot validate: no segments")]
    try:
        text = _normalise(segments)
        events, stopped = _run_pyx12(text)
    except _Rejected as exc:
        return [_failed(path, str(exc), segments[0])]
    except Exception as exc:  # noqa: BLE001
        return [_failed(path, f"pyx12 failed: {_describe(exc)}")]
    try:
        findings = _to_findings(events, segments, path)
    except Exception as exc:  # noqa: BLE001
        return [_failed(path, f"could not read pyx12's errors: {_describe(exc)}")]
    if stopped:
        findings.append(_failed(path, f"validation stopped after {MAX_ERRORS} errors; fix these and run again"))
    return findings


def _describe(exc: BaseException) -> str:
    """'Type: message' on one line. Quoted text in messages not written by pyx12 itself (a
    ValueError from int('<data>'), say) may be file data, so it is replaced by <value>."""
    message = " ".join(str(exc).split())
    # pyx12 quotes the whole ISA in some errors; ISA02/ISA04 carry authorization/security data.
    message = re.sub(r"\s+for ISA[^\w\s].*$", "", message)
    message = re.sub(r"\s*\(?ISA[^\w\s].*$", "", message)
    if not type(exc).__module__.startswith("pyx12") and not isinstance(exc, (X12Error, OSError)):
        message = re.sub(r"'[^']*'|\"[^\"]*\"", "<value>", message)
    if len(message) > 300:
        message = message[:297] + "..."
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _failed(path: str, message: str, segment: Segment | None = None) -> Finding:
    info = RULES["IG001"]
    return Finding(
        rule=info.code,
        name=info.name,
        severity=info.severity,
        message=message,
        path=path,
        segment=segment.id if segment else None,
        segment_index=segment.index if segment else None,
        line=segment.line if segment else None,
        column=segment.column if segment else None,
        byte_offset=segment.offset if segment else None,
    )


class _Rejected(Exception):
    """pyx12 refused the interchange before validating anything (its reader raised)."""


# --------------------------------------------------------------------------------------------
# The normalised copy


def _normalise(segments: list[Segment]) -> str:
    """One segment per line, in our order, with the first interchange's delimiters.

    Line k of the copy is segment k of the file, which is how pyx12's counter maps back to ours.
    pyx12 reads the delimiters once, from the first ISA, so a later interchange with other
    delimiters is re-encoded (its ISA11/ISA16 rewritten to match).
    """
    first = segments[0].delimiters
    term = first.segment
    joiner = term if term == "\n" else term + "\n"
    out = []
    for seg in segments:
        d = seg.delimiters
        elements = seg.elements
        if d != first:
            table = {}
            if d.component and first.component:
                table[ord(d.component)] = first.component
            if d.repetition and first.repetition:
                table[ord(d.repetition)] = first.repetition
            elements = [e.translate(table) for e in elements]
            if elements[0] == "ISA" and len(elements) == 17:
                if first.repetition:
                    elements[11] = first.repetition
                elements[16] = first.component
        out.append(first.element.join(elements))
    return joiner.join(out) + joiner


# --------------------------------------------------------------------------------------------
# Running pyx12


@dataclass(slots=True)
class _Event:
    kind: str  # isa, gs, st, seg, ele
    code: str
    text: str
    line: int | None  # pyx12's segment number == our segment ordinal
    node: Any = None  # map node: the segment/loop for seg errors, the element for ele errors
    seg_id: str | None = None  # the segment pyx12 attached the error to (for a missing one: its id)
    cursor_line: int | None = None
    refdes: str | None = None
    line_node: Any = None  # map node of segment `line`, when the error was filed at another segment


_RECENT = 64
MAX_ERRORS = 5000  # per file: pyx12 keeps every error it finds, so junk input would grow memory without bound


class _TooManyErrors(Exception):
    """Raised from inside pyx12's error handler to stop a validation that only finds junk."""


def _recording_handler_class(recent: dict[int, Any]):
    import pyx12.error_handler

    base = pyx12.error_handler.err_handler

    class RecordingHandler(base):
        """pyx12's error tree, plus a flat record of every error with the map node it belongs to."""

        def __init__(self) -> None:
            super().__init__()
            self.events: list[_Event] = []
            self._src = None
            self._cursor = (None, None, None)  # (map node, line, segment id)
            self._ele_node = None

        def _now(self) -> int | None:
            return self._src.get_cur_line() if self._src is not None else None

        def _record(self, event: "_Event") -> None:
            self.events.append(event)
            if len(self.events) >= MAX_ERRORS:
                raise _TooManyErrors

        def add_isa_loop(self, seg_data, src):
            self._src = src
            self._cursor = (None, src.get_cur_line(), "ISA")
            super().add_isa_loop(seg_data, src)

        def add_gs_loop(self, seg_data, src):
            self._cursor = (None, src.get_cur_line(), "GS")
            super().add_gs_loop(seg_data, src)

        def add_st_loop(self, seg_data, src):
            self._cursor = (None, src.get_cur_line(), "ST")
            super().add_st_loop(seg_data, src)

        def close_isa_loop(self, node, seg, src):
            self._cursor = (node, src.get_cur_line(), "IEA")
            super().close_isa_loop(node, seg, src)

        def close_gs_loop(self, node, seg, src):
            self._cursor = (node, src.get_cur_line(), "GE")
            super().close_gs_loop(node, seg, src)

        def close_st_loop(self, node, seg, src):
            self._cursor = (node, src.get_cur_line(), "SE")
            super().close_st_loop(node, seg, src)

        def add_seg(self, map_node, seg_data, seg_count, cur_line, ls_id):
            try:
                seg_id = seg_data.get_seg_id()
            except Exception:  # noqa: BLE001
                seg_id = None
            self._cursor = (map_node, cur_line, seg_id)
            super().add_seg(map_node, seg_data, seg_count, cur_line, ls_id)

        def add_ele(self, map_node):
            self._ele_node = map_node
            super().add_ele(map_node)

        def isa_error(self, err_cde, err_str):
            self._record(_Event("isa", str(err_cde), str(err_str), self._now()))
            super().isa_error(err_cde, err_str)

        def gs_error(self, err_cde, err_str):
            self._record(_Event("gs", str(err_cde), str(err_str), self._now()))
            super().gs_error(err_cde, err_str)

        def st_error(self, err_cde, err_str):
            self._record(_Event("st", str(err_cde), str(err_str), self._now()))
            super().st_error(err_cde, err_str)

        def seg_error(self, err_cde, err_str, err_value=None, src_line=None):
            node, cursor_line, seg_id = self._cursor
            line = src_line or cursor_line or self._now()
            event = _Event("seg", str(err_cde), str(err_str), line, node, seg_id, cursor_line)
            if line != cursor_line:  # e.g. a bad identifier, reported when the next segment is read
                event.line_node = recent.get(line)
            self._record(event)
            super().seg_error(err_cde, err_str, err_value, src_line)

        def ele_error(self, err_cde, err_str, bad_value, refdes=None):
            node, cursor_line, seg_id = self._cursor
            event = _Event("ele", str(err_cde), str(err_str), self._now(), self._ele_node, seg_id, cursor_line)
            event.refdes = refdes
            self._record(event)
            super().ele_error(err_cde, err_str, bad_value, refdes)

    return RecordingHandler


@contextmanager
def _quiet_pyx12() -> Iterator[None]:
    """Silence every 'pyx12' logger for the call, and put each back exactly as it was."""
    manager = logging.Logger.manager
    names = ["pyx12"] + [n for n in list(manager.loggerDict) if n.startswith("pyx12.")]
    saved = []
    for name in names:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.propagate, logger.disabled))
    top = logging.getLogger("pyx12")
    try:
        top.setLevel(logging.CRITICAL + 1)  # also covers loggers pyx12 creates during the call
        top.propagate = False
        for logger, *_ in saved:
            logger.disabled = True
        yield
    finally:
        for logger, level, propagate, disabled in saved:
            logger.setLevel(level)
            logger.propagate = propagate
            logger.disabled = disabled


# Parsed pyx12 maps, by file name. Loading the 837P map is most of the time pyx12 spends on a small
# file; since pyx12 4 keeps all counting in its walker (map nodes are read-only while validating),
# a map can be reused across files.
_MAPS: dict[tuple, Any] = {}
_PARAMS: Any = None


def _cached_loader(load):
    def load_map_file(map_file, param, map_path=None):
        key = (map_file, map_path)
        if key not in _MAPS:
            _MAPS[key] = load(map_file, param, map_path)
        return _MAPS[key]

    return load_map_file


def _run_pyx12(text: str) -> tuple[list[_Event], bool]:
    """Validate `text`; return the recorded errors and whether validation stopped at MAX_ERRORS."""
    import pyx12.error_handler
    import pyx12.errors
    import pyx12.map_if
    import pyx12.params
    import pyx12.x12file
    import pyx12.x12n_document

    recent: dict[int, Any] = {}  # map node of each of the last few segments, by segment number
    handler_class = _recording_handler_class(recent)
    made: list[Any] = []

    def factory():
        handler = handler_class()
        made.append(handler)
        return handler

    def callback(seg, src, node, valid):
        line = src.get_cur_line()
        recent[line] = node
        recent.pop(line - _RECENT, None)

    with _LOCK, _quiet_pyx12():
        try:
            pyx12.x12file.X12Reader(io.StringIO(text[:4096]))
        except pyx12.errors.X12Error as exc:
            raise _Rejected(f"pyx12 rejected the interchange: {_describe(exc)}") from None
        global _PARAMS
        if _PARAMS is None:
            _PARAMS = pyx12.params.ParamsBase()  # defaults only: no ~/.pyx12.conf.xml
        original = pyx12.error_handler.err_handler
        original_load = pyx12.map_if.load_map_file
        pyx12.error_handler.err_handler = factory
        pyx12.map_if.load_map_file = _cached_loader(original_load)
        stopped = False
        try:
            pyx12.x12n_document.x12n_document(
                param=_PARAMS,
                src_file=io.StringIO(text),
                fd_997=None,
                fd_html=None,
                fd_xmldoc=None,
                fd_json=None,
                callback=callback,
            )
        except _TooManyErrors:
            stopped = True
        finally:
            pyx12.error_handler.err_handler = original
            pyx12.map_if.load_map_file = original_load
    if not made:
        raise RuntimeError("pyx12 did not use the recording error handler")
    return made[-1].events, stopped


# --------------------------------------------------------------------------------------------
# Errors to findings


def _loop_id(node: Any) -> str | None:
    """The id of the loop a map node sits in (the node itself when it is a loop)."""
    seen = 0
    while node is not None and seen < 64:
        try:
            if node.is_loop():
                return node.id
            if node.is_map_root():
                return None
        except Exception:  # noqa: BLE001
            return None
        node = getattr(node, "parent", None)
        seen += 1
    return None


def _x12_notation(refdes: str | None) -> str | None:
    """'HI01-02' -> 'HI01-2', 'NM109' -> 'NM109'; None when it is not a reference designator."""
    if not refdes:
        return None
    match = _REFDES.match(refdes)
    if not match:
        return None
    element = f"{match['seg']}{match['ele']}"
    if match["sub"]:
        element += f"-{int(match['sub'])}"
    return element


def _name(node: Any) -> str:
    name = getattr(node, "name", None) if node is not None else None
    return " ".join(str(name).split()) if name else ""


def _label(seg: Segment | None, seg_id: str | None) -> str:
    """A segment as 'NM1*85' when its first element is a qualifier, else just its id."""
    sid = seg_id if seg_id is not None else (seg.id if seg else "")
    if not _VALID_SEG_ID.match(sid or ""):
        return "with an invalid identifier"
    if seg is not None and seg.id == sid and sid in _QUALIFIER_SEGMENTS:
        qualifier = seg.get(1)
        if re.fullmatch(r"[A-Z0-9]{1,3}", qualifier or ""):
            return f"{sid}*{qualifier}"
    return sid


def _to_findings(events: list[_Event], segments: list[Segment], path: str) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[tuple] = set()
    # pyx12 reports a bad identifier twice (bad id, then "not found"): keep the precise one.
    bad_ids = {e.line for e in events if e.kind == "seg" and e.code == "1" and _INVALID_ID.match(e.text)}
    for event in events:
        if event.kind == "seg" and event.code == "1" and event.line in bad_ids and _NOT_FOUND.match(event.text):
            continue
        seg = segments[event.line - 1] if event.line and 0 < event.line <= len(segments) else None
        made = _classify(event, seg)
        if made is None:
            continue
        code, message, loop, segment_id, element = made
        info = RULES[code]
        key = (code, event.line, loop, segment_id, element, message)
        if key in seen:
            continue
        seen.add(key)
        envelope = event.kind in ("isa", "gs")
        findings.append(
            Finding(
                rule=code,
                name=info.name,
                severity=info.severity,
                message=message,
                path=path,
                loop=loop,
                segment=segment_id,
                element=element,
                segment_index=seg.index if seg else None,
                line=seg.line if seg else None,
                column=seg.column if seg else None,
                byte_offset=seg.offset if seg else None,
                transaction=None if envelope or seg is None else seg.st02,
            )
        )
    findings.sort(key=lambda f: (f.segment_index or 0, f.rule, f.element or ""))
    return findings


def _classify(event: _Event, seg: Segment | None):
    """(code, message, loop, segment id, element) for one pyx12 error, or None to drop it."""
    if event.kind == "isa":
        return _envelope(event, _ISA_CODES, _ISA_SEGMENT, "IG100", "ISA_LOOP", "interchange")
    if event.kind == "gs":
        return _envelope(event, _GS_CODES, _GS_SEGMENT, "IG150", "GS_LOOP", "functional group")
    if event.kind == "st":
        return _envelope(event, _ST_CODES, _ST_SEGMENT, "IG200", "ST_LOOP", "transaction set")
    if event.kind == "seg":
        return _segment_error(event, seg)
    if event.kind == "ele":
        return _element_error(event, seg)
    return None


_CN = r"(?P<%s>[\w.-]{0,15})"  # a control number or count, as pyx12 prints it
_ENVELOPE_MESSAGES = [
    (re.compile(rf"^SE count of {_CN % 'given'} for SE02={_CN % 'id'} is wrong\. I count (?P<count>\d+)$"),
     "SE01 says {given} segments, but transaction set {id} has {count}"),
    (re.compile(rf"^SE id={_CN % 'se'} does not match ST id={_CN % 'st'}$"),
     "SE02 {se} does not match ST02 {st}"),
    (re.compile(rf"^Mandatory segment \"Transaction Set Trailer\" \(SE={_CN % 'id'}\) missing$"),
     "transaction set {id} has no SE trailer"),
    (re.compile(rf"^ST Interchange Control Number {_CN % 'id'} not unique within file$"),
     "ST02 {id} is not unique within the file"),
    (re.compile(rf"^Unterminated segment {_CN % 'id'}$"),
     "transaction set {id} is not closed by SE before GE"),
    (re.compile(rf"^Mandatory segment \"Functional Group Trailer\" \(GE={_CN % 'id'}\) missing$"),
     "functional group {id} has no GE trailer"),
    (re.compile(rf"^GE id={_CN % 'ge'} does not match GS id={_CN % 'gs'}$"),
     "GE02 {ge} does not match GS06 {gs}"),
    (re.compile(rf"^GE count of {_CN % 'given'} for GE02={_CN % 'id'} is wrong\. I count (?P<count>\d+)$"),
     "GE01 says {given} transaction sets, but functional group {id} has {count}"),
    (re.compile(rf"^GS Interchange Control Number {_CN % 'id'} not unique within file$"),
     "GS06 {id} is not unique within the file"),
    (re.compile(rf"^IEA id={_CN % 'iea'} does not match ISA id={_CN % 'isa'}$"),
     "IEA02 {iea} does not match ISA13 {isa}"),
    (re.compile(rf"^IEA count for IEA02={_CN % 'id'} is wrong$"),
     "IEA01 does not match the number of functional groups in interchange {id}"),
    (re.compile(rf"^Mandatory segment \"Interchange Control Trailer\" \(IEA={_CN % 'id'}\) missing$"),
     "interchange {id} has no IEA trailer"),
    (re.compile(r"^Unterminated Loop (?P<loop>GS|ST)$"),
     "a {loop} loop is not closed before IEA"),
    (re.compile(rf"^ISA Interchange Control Number {_CN % 'id'} not unique within file$"),
     "ISA13 {id} is not unique within the file"),
]


def _envelope(event: _Event, codes, segments, other: str, loop: str, what: str):
    code = codes.get(event.code, other)
    segment_id = segments.get(event.code)
    text = " ".join(event.text.split())
    message = f"{what} envelope error (pyx12 code {event.code[:8]})"
    for pattern, template in _ENVELOPE_MESSAGES:
        match = pattern.match(text)
        if match:
            message = template.format(**match.groupdict())
            break
    return code, message, loop, segment_id, None


# pyx12 message shapes. Only the guide's own names, ids and numbers are taken from them.
_NOT_FOUND = re.compile(r"^Segment .* not found\.")
_INVALID_ID = re.compile(r"^Segment identifier \".*\" is invalid")
_NOT_USED = re.compile(r"^(?P<what>Segment|Loop) (?P<id>[A-Z0-9_]{2,8}) found but marked as not used$")
_MISSING = re.compile(
    r"^Mandatory (?P<what>segment|loop) \"(?P<name>[^\"]*)\" \((?P<id>[A-Z0-9_]{2,8})\) missing$"
)
_OVER_MAX = re.compile(
    r"^(?P<what>Segment|Loop) (?P<id>[A-Z0-9_]{2,8}) exceeded max count\.\s+"
    r"Found (?P<found>\d+), should have (?P<max>\d+)$"
)
_HL_COUNT = re.compile(r"^My HL count (?P<mine>\d+) does not match your HL count (?P<yours>\d{0,12})$")
_HL_PARENT = re.compile(r"^HL parent \((?P<parent>\d{0,12}|None)\) is not a valid parent$")
_LX_COUNT = re.compile(
    r"^Your 2400/LX01 Service Line Number (?P<yours>\d{0,12}) does not match my count of (?P<mine>\d+)$"
)
# Segment-level errors pyx12 files under IK3 code 8 although they are about one element.
_COMPOSITE_MISSING = re.compile(r"^Mandatory composite \"(?P<name>[^\"]*)\" \((?P<ref>[^)]*)\) is missing$")
_COMPOSITE_NOT_USED = re.compile(r"^Composite \"(?P<name>[^\"]*)\" \((?P<ref>[^)]*)\) is marked as Not Used$")
_TOO_MANY_SUB = re.compile(r"^Too many sub-elements in composite \"(?P<name>[^\"]*)\" \((?P<ref>[^)]*)\)$")
_TOO_MANY = re.compile(
    r"^Too many elements in segment \"(?P<name>[^\"]*)\" \((?P<seg>[A-Z0-9]{2,3})\)\. "
    r"Has (?P<has>\d+), should have (?P<max>\d+)$"
)
_SYNTAX = re.compile(r"^Syntax Error \((?P<rule>[PRECL](?:\d\d)+)\): ")
_EMPTY = re.compile(r"^Segment \".*\" is empty$", re.S)


def _segment_error(event: _Event, seg: Segment | None):
    text = " ".join(event.text.split())
    same_place = event.cursor_line is not None and event.cursor_line == event.line
    node = event.node if same_place else (event.line_node or event.node)
    loop = _loop_id(node)
    actual_id = seg.id if seg else None
    seg_id = event.seg_id if same_place and event.seg_id else actual_id
    where = f" in loop {loop}" if loop else ""
    code = event.code

    if code == "1":
        if text.startswith("Segment contains a leading space"):
            return "IG391", "segment starts with a space", loop, actual_id, None
        if _INVALID_ID.match(text):
            if not actual_id:
                message = "segment has an empty segment identifier"
            elif re.fullmatch(r"[A-Za-z0-9]{1,4}", actual_id):
                message = f'segment identifier "{actual_id}" is not a valid X12 segment identifier'
            else:
                message = "segment identifier is not a valid X12 segment identifier (2-3 letters or digits)"
            return "IG301", message, loop, actual_id, None
        if _NOT_FOUND.match(text):
            start = ""
            if event.node is not None and same_place:
                start_loop = _loop_id(event.node)
                start_id = getattr(event.node, "id", None)
                if start_loop and start_id and start_id != start_loop:
                    start = f" (searched from {start_id} in loop {start_loop})"
                elif start_loop:
                    start = f" (searched from loop {start_loop})"
            message = (
                f"segment {_label(seg, actual_id)} does not match any segment the guide allows at this "
                f"position{start}: wrong qualifier, out of order, or in the wrong loop"
            )
            return "IG301", message, loop, actual_id, None
        return "IG301", f"segment {_label(seg, actual_id)} not recognised{where}", loop, actual_id, None
    if code == "2":
        match = _NOT_USED.match(text)
        if match:
            what = match["what"].lower()
            message = f"{what} {match['id']} is present but the guide marks it not used here"
            return "IG302", message, loop, actual_id, None
        return "IG302", f"unexpected segment {_label(seg, actual_id)}{where}", loop, actual_id, None
    if code == "3":
        match = _MISSING.match(text)
        if match:
            name = f' ("{match["name"]}")' if match["name"] else ""
            if match["what"] == "loop":
                missing_loop = match["id"]
                return "IG303", f"mandatory loop {missing_loop}{name} is missing", missing_loop, seg_id, None
            message = f"mandatory segment {match['id']}{name} is missing{where}"
            return "IG303", message, loop, match["id"], None
        message = f"mandatory segment {seg_id or ''} is missing{where}".replace("  ", " ")
        return "IG303", message, loop, seg_id, None
    if code in ("4", "5"):
        match = _OVER_MAX.match(text)
        ours = "IG304" if code == "4" else "IG305"
        if match:
            what = match["what"].lower()
            message = (
                f"{what} {match['id']} occurs {match['found']} times, the guide allows {match['max']}"
                + ("" if what == "loop" else where)
            )
            return ours, message, loop, seg_id, None
        what = "loop" if code == "4" else "segment"
        return ours, f"{what} repeats more often than the guide allows{where}", loop, seg_id, None
    if code == "6":
        message = f"segment {_label(seg, actual_id)} is not in the defined transaction set"
        return "IG306", message, loop, actual_id, None
    if code == "7":
        message = f"segment {_label(seg, actual_id)} is not in the proper sequence{where}"
        return "IG307", message, loop, actual_id, None
    if code == "8":
        return _segment_element_error(text, seg, seg_id, loop, where)
    if code == "SEG1":
        return "IG392", "segment ends with trailing element separators", loop, actual_id, None
    if code == "HL1":
        match = _HL_COUNT.match(text)
        detail = f": expected {match['mine']}, found {match['yours'] or 'nothing'}" if match else ""
        return "IG381", f"HL01 hierarchical ID number is out of sequence{detail}", loop, "HL", "HL01"
    if code == "HL2":
        match = _HL_PARENT.match(text)
        detail = f" ({match['parent']})" if match and match["parent"] not in ("", "None") else ""
        return "IG382", f"HL02 parent ID{detail} does not refer to an enclosing HL", loop, "HL", "HL02"
    if code == "LX":
        match = _LX_COUNT.match(text)
        detail = f": expected {match['mine']}, found {match['yours'] or 'nothing'}" if match else ""
        return "IG383", f"LX01 service line number is out of sequence{detail}", loop, "LX", "LX01"
    return "IG300", f"segment error (pyx12 code {code[:8]}){where}", loop, seg_id, None


def _segment_element_error(text: str, seg: Segment | None, seg_id: str | None, loop, where: str):
    """IK3 code 8: pyx12 files composite, element-count and syntax-rule errors here."""

    def made(ours: str, message: str, element: str | None = None):
        return ours, message, loop, seg_id, element

    match = _COMPOSITE_MISSING.match(text)
    if match:
        element = _x12_notation(match["ref"])
        subject = f'{element or "composite"} ("{match["name"]}")'
        return made("IG401", f"mandatory composite {subject} is missing", element)
    match = _COMPOSITE_NOT_USED.match(text)
    if match:
        element = _x12_notation(match["ref"])
        subject = f'{element or "composite"} ("{match["name"]}")'
        return made("IG410", f"composite {subject} is present but the guide marks it not used", element)
    match = _TOO_MANY_SUB.match(text)
    if match:
        element = _x12_notation(match["ref"]) or _x12_notation(f"{seg_id}{match['ref']}")
        return made("IG403", f"too many components in composite {element or ''}".rstrip(), element)
    match = _TOO_MANY.match(text)
    if match:
        element = f"{match['seg']}{int(match['max']) + 1:02d}"
        message = f"segment {match['seg']} has {match['has']} elements, the guide defines {match['max']}"
        return "IG403", message, loop, match["seg"], element
    match = _SYNTAX.match(text)
    if match:
        rule = match["rule"]
        kind = rule[0]
        positions = [int(rule[i : i + 2]) for i in range(1, len(rule), 2)]
        element = _syntax_element(kind, positions, seg, seg_id)
        rest = text[match.end() :]
        if not re.fullmatch(r"[\w ,]{0,200}", rest):
            rest = "syntax rule broken"
        code = "IG410" if kind == "E" else "IG402"
        rest = rest[0].lower() + rest[1:] if rest else ""
        return made(code, f"{seg_id or 'segment'} syntax rule {rule}: {rest}", element)
    if _EMPTY.match(text):
        return made("IG308", "segment is empty")
    return made("IG308", f"segment {seg_id or ''} has data element errors{where}".replace("  ", " "))


def _syntax_element(kind: str, positions: list[int], seg: Segment | None, seg_id: str | None) -> str | None:
    """The element a broken syntax rule is about: the one that is missing, or the one too many."""
    sid = seg_id or (seg.id if seg else None)
    if not sid or not positions:
        return None
    present = [bool(seg.get(p)) if seg is not None and seg.id == sid else False for p in positions]
    pick = positions[0]
    if kind == "P":  # all or none: the first absent one
        pick = next((p for p, here in zip(positions, present) if not here), positions[0])
    elif kind == "E":  # at most one: the second present one
        extra = [p for p, here in zip(positions, present) if here]
        pick = extra[1] if len(extra) > 1 else positions[0]
    elif kind == "C":  # if the first, then all others: the first absent other
        pick = next((p for p, here in zip(positions[1:], present[1:]) if not here), positions[-1])
    elif kind == "L":  # if the first, then at least one other
        pick = positions[1] if len(positions) > 1 else positions[0]
    return f"{sid}{pick:02d}"


_TOO_SHORT = re.compile(r"= (?P<len>\d+) < (?P<min>\d+) \(min_len\)$")
_TOO_LONG = re.compile(r"= (?P<len>\d+) > (?P<max>\d+) \(max_len\)$")
_TYPE = re.compile(r"\) is type (?P<type>[A-Z0-9]{1,3}), contains an invalid character")


def _element_error(event: _Event, seg: Segment | None):
    node = event.node
    loop = _loop_id(node)
    seg_id = event.seg_id or (seg.id if seg else None)
    element = _x12_notation(event.refdes) or _element_from_node(node, seg_id)
    text = " ".join(event.text.split())
    name = _name(node)
    subject = f'{element or "data element"}' + (f' ("{name}")' if name else "")
    code = event.code

    def made(ours: str, message: str):
        return ours, message, loop, seg_id, element

    if code == "1":
        return made("IG401", f"mandatory data element {subject} is missing")
    if code == "2":
        return made("IG402", f"conditionally required data element {subject} is missing")
    if code == "3":
        return made("IG403", f"too many data elements or components at {subject}")
    if code == "4":
        match = _TOO_SHORT.search(text)
        detail = f": {match['len']} characters, minimum {match['min']}" if match else ""
        return made("IG404", f"data element {subject} is too short{detail}")
    if code == "5":
        match = _TOO_LONG.search(text)
        detail = f": {match['len']} characters, maximum {match['max']}" if match else ""
        return made("IG405", f"data element {subject} is too long{detail}")
    if code == "6":
        if "has unnecessary trailing spaces" in text:
            return made("IG496", f"data element {subject} has unnecessary trailing spaces")
        if "invalid control character" in text:
            return made("IG406", f"data element {subject} contains a control character")
        if "is an invalid composite" in text:
            return made("IG406", f"data element {subject} has components but is not a composite")
        match = _TYPE.search(text)
        kind = f" for its type {match['type']}" if match else ""
        return made("IG406", f"data element {subject} contains a character not allowed{kind}")
    if code == "7":
        if "failed to match the regular expression" in text:
            return made("IG407", f"data element {subject} does not have the format the guide requires")
        return made("IG407", f"data element {subject} is not a valid code for this element")
    if code == "8":
        return made("IG408", f"data element {subject} is not a valid date")
    if code == "9":
        return made("IG409", f"data element {subject} is not a valid time")
    if code == "10":
        if "marked as Not Used" in text:
            return made("IG410", f"data element {subject} is present but the guide marks it not used")
        return made("IG410", f"data element {subject} breaks an exclusion condition")
    return made("IG400", f"data element {subject} is invalid (pyx12 code {code[:8]})")


def _element_from_node(node: Any, seg_id: str | None) -> str | None:
    if node is None or not seg_id:
        return None
    try:
        parent = node.parent
        if parent is not None and parent.is_composite():
            return f"{seg_id}{int(parent.seq):02d}-{int(node.seq)}"
        return f"{seg_id}{int(node.seq):02d}"
    except Exception:  # noqa: BLE001
        return None
