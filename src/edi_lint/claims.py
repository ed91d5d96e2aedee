"""Claim views: what a biller means by "this claim" and "this line", with effective values.

Rules read these, never raw segments. Each effective value knows where it came from (the loop and
element), because a finding must tell the biller which segment to fix. Values are computed on first
use and cached: a rule that never asks for the rendering taxonomy never pays for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from edi_lint.x12.tokenizer import Segment

PHYSICAL_THERAPIST = "225100000X"
# Maximum lengths of numeric elements in 005010X222A1 (element dictionary): bounds for integer_value.
LX01_MAX_LENGTH = 6
SV107_MAX_LENGTH = 2  # each diagnosis code pointer

# SBR09 claim filing indicator -> payer family (reference §1.3). Configurable profiles build on this.
FILING_INDICATOR_FAMILY = {
    "MA": "medicare",
    "MB": "medicare",
    "16": "medicare-advantage",
    "MC": "medicaid",
    "BL": "bcbs",
    "FI": "bcbs",
    "CH": "tricare",
    "VA": "va",
    "WC": "workers-comp",
    "12": "commercial",
    "13": "commercial",
    "14": "commercial",
    "15": "commercial",
    "CI": "commercial",
    "HM": "commercial",
}


def integer_value(text: str | None, max_length: int) -> int | None:
    """An X12 counter or number (N0: LX01, SE01, GE01, IEA01, SV107 pointers; HL01) as an int; None
    when empty, not digits, or longer than the element's maximum length in the guide. The length is
    checked first: a 5,000-digit value must never reach int() (Python refuses past 4,300 digits)."""
    text = (text or "").strip()
    return int(text) if len(text) <= max_length and text.isdecimal() else None


@lru_cache(maxsize=8192)
def decimal_value(text: str | None) -> Decimal | None:
    """An X12 amount or quantity (R type: CLM02, SV102, SV104) as a Decimal; None when empty or not a
    number. R values have no exponent, and 9E999999 would overflow a sum, so exponents are refused.
    Memoised, because the same few values repeat on every line."""
    text = (text or "").strip()
    if not text or "e" in text or "E" in text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def find_segment(segments: list[Segment], segment_id: str, *, loop: str | None = None,
                 qualifier: str | None = None, stop_at: str | None = None) -> Segment | None:
    """The first segment with this id, in `loop`, whose first element is `qualifier` (when given).

    Scanning ends at a segment whose id is `stop_at`: claim-level loops all come before the first
    LX, so a claim never needs to look through its service lines.
    """
    for seg in segments:
        sid = seg.elements[0]
        if sid == segment_id and (loop is None or seg.loop == loop):
            if qualifier is None or seg.get(1) == qualifier:
                return seg
        if sid == stop_at:
            break
    return None


class cached_property:  # noqa: N801  (named like the functools original it replaces)
    """A lock-free `functools.cached_property`.

    Python 3.11's version takes a lock on every first access, which made building claim views
    the slowest step of a lint. The value is stored in the instance dict, which then shadows
    this non-data descriptor, so later reads cost a plain attribute lookup. The dict is reached
    through the instance's `computed` slot (Claim, ServiceLine): `instance.__dict__` costs a
    descriptor call.
    """

    def __init__(self, function):
        self.function = function
        self.name = function.__name__
        self.__doc__ = function.__doc__

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.computed[self.name] = self.function(instance)
        return value


@dataclass(frozen=True, slots=True, init=False)
class Sourced:
    """A value and the place it was read from, e.g. ('22', 'SV105', <SV1 segment>, '2400')."""

    value: str | None
    element: str
    segment: Segment | None
    loop: str | None

    def __init__(self, value: str | None, element: str, segment: Segment | None, loop: str | None):
        # Frozen: dataclass's own __init__ sets each field through object.__setattr__, looked up by
        # name; the slots' own setters (bound below) take half the time, and claims make tens of
        # thousands of these (place of service, rendering provider and taxonomy).
        _set_value(self, value)
        _set_element(self, element)
        _set_segment(self, segment)
        _set_loop(self, loop)


_set_value, _set_element, _set_segment, _set_loop = (Sourced.__dict__[name].__set__
                                                      for name in ("value", "element", "segment", "loop"))


# SV107 pointers as written in the common form, to the number integer_value reads from them (bounded:
# SV107 is at most two digits); any other text (" 1", "01", "X") is read by integer_value.
_POINTERS = {str(n): n for n in range(100)}

_NOT_ASKED = object()  # no answer kept yet, where None is an answer (Context.first, _HI_CODES)
_BILLING_RENDERER = ("rendering", None, None)  # Context.billing_renderer's key among first()'s answers


@dataclass(slots=True)
class Context:
    """Segments of an enclosing level (billing provider, subscriber or patient), shared by its claims."""

    hl: Segment
    segments: list[Segment]
    # first() answers, asked again by each claim of this level: valid while no segment is added
    _found: dict = field(default_factory=dict, repr=False, compare=False)
    _found_size: int = field(default=0, repr=False, compare=False)

    def first(self, segment_id: str, qualifier: str | None = None, loop: str | None = None) -> Segment | None:
        segments = self.segments
        found = self._found
        if self._found_size != len(segments):
            found.clear()
            self._found_size = len(segments)
        key = (segment_id, qualifier, loop)
        seg = found.get(key, _NOT_ASKED)  # not try/except: most subscribers have one claim, so most
        if seg is _NOT_ASKED:  # questions to a subscriber are first questions, and a raise costs more
            seg = found[key] = find_segment(segments, segment_id, loop=loop, qualifier=qualifier)
        return seg

    def billing_renderer(self) -> tuple[Sourced, Sourced]:
        """(rendering provider, rendering taxonomy) of this billing provider's claims that have no
        2310B: 2010AA NM1*85 and 2000A PRV*BI. The same for all of them and immutable, so made once
        and kept with first()'s answers (about half the claims of a file are rendered by billing)."""
        nm1 = self.first("NM1", "85")  # first: drops the kept answers when a segment was added
        pair = self._found.get(_BILLING_RENDERER)
        if pair is None:
            provider = Sourced(nm1.get(9) or None if nm1 else None, "NM109", nm1, "2010AA")
            prv = self.first("PRV", "BI", loop="2000A")
            if prv is not None:
                taxonomy = Sourced(prv.get(3).strip() or None, "PRV03", prv, "2000A")
            else:
                taxonomy = Sourced(None, "PRV03", nm1, "2000A")
            pair = self._found[_BILLING_RENDERER] = (provider, taxonomy)
        return pair


@dataclass(slots=True)
class Header:
    """The envelope around a claim: interchange, functional group and transaction headers."""

    isa: Segment
    gs: Segment | None
    st: Segment | None
    segments: list[Segment]  # ST through the 1000B loop, in order

    @property
    def transaction(self) -> str | None:
        return self.st.get(2) if self.st is not None else None


# What a line reads from its SV1, by the SV1's text (Segment.text: what its elements were split from),
# for SV1s split with the separators of `_SV1_SPLIT[0]` (emptied when another pair comes). A file bills
# the same few SV1s on most lines (the 10k benchmark file: 198 distinct texts on 40,000 lines), and
# parsing one was most of what building a line cost. The lines that bill an SV1 share its strings and
# modifier tuple (immutable); each line copies the two lists, which the public API hands out as lists.
# Keyed by the text alone, whose hash the tokenizer already computed, not by a tuple made per line.
# Emptied when full: a file of distinct SV1s costs a lookup more per line, and no memory.
_SV1_VALUES: dict[str, tuple] = {}
_SV1_SPLIT: list = [None]  # the Delimiters the texts in _SV1_VALUES were split with
MAX_SV1_VALUES = 4096
_NO_SV1 = ("", "", "", "", [], [], "", ())


def _sv1_values(sv1: Segment) -> tuple:
    """(charge, unit basis, units, SV105, SV107 pointers, SV101 composite, procedure, modifiers) of an SV1."""
    text = sv1.text
    delimiters = sv1.delimiters
    if delimiters is not _SV1_SPLIT[0]:
        known = _SV1_SPLIT[0]
        if known is None or (known.element, known.component) != (delimiters.element, delimiters.component):
            _SV1_VALUES.clear()
        _SV1_SPLIT[0] = delimiters
    values = _SV1_VALUES.get(text) if text is not None else None
    if values is None:
        values = _read_sv1(sv1.elements, delimiters.component)
        if text is not None:
            if len(_SV1_VALUES) >= MAX_SV1_VALUES:
                _SV1_VALUES.clear()
            _SV1_VALUES[text] = values
    return values


def _read_sv1(elements: list[str], component: str) -> tuple:
    """_sv1_values, read from the SV1's elements."""
    size = len(elements)
    composite = elements[1].split(component) if size > 1 and elements[1] else []
    pointers = elements[7] if size > 7 else ""  # SV107, as written
    # SV101-3 to SV101-6; SV101-7 is a free-text description, never a modifier. One modifier is
    # the common case: read without the slice, map and filter objects of the general one.
    count = len(composite)
    if count == 3:
        modifier = composite[2].strip()
        modifiers: tuple[str, ...] = (modifier,) if modifier else ()
    else:
        modifiers = tuple(filter(None, map(str.strip, composite[2:6]))) if count > 2 else ()
    return (elements[2] if size > 2 else "",  # SV102 charge
            elements[3] if size > 3 else "",  # SV103 unit basis
            elements[4] if size > 4 else "",  # SV104 units
            elements[5].strip() if size > 5 else "",  # the line's own place of service
            pointers.split(component) if pointers else [],
            composite,
            composite[1].strip() if count > 1 else "",  # SV101-2, CPT/HCPCS
            modifiers)


# Claim.diagnoses' codes of an HI by its text (Segment.text), for HIs split on the component separator
# _HI_SPLIT[0] (emptied when another comes); None for an HI that lists no health-care diagnoses. A file
# repeats a few dozen HI texts on thousands of claims: kept, the codes are split once, and are the same
# strings on every claim, so the rules' sets and memos find their hashes already computed. Emptied when full.
_HI_CODES: dict[str, tuple | None] = {}
_HI_SPLIT: list = [None]
MAX_HI_CODES = 4096


def _hi_codes(seg: Segment) -> tuple[str, ...] | None:
    """HI01-2, HI02-2 ... as written when HI01-1 is ABK or BK (a health-care diagnosis HI), else None."""
    separator = seg.delimiters.component
    if separator != _HI_SPLIT[0]:
        _HI_CODES.clear()
        _HI_SPLIT[0] = separator
    text = seg.text
    codes = _HI_CODES.get(text, _NOT_ASKED) if text is not None else _NOT_ASKED
    if codes is _NOT_ASKED:
        elements = seg.elements
        codes = None
        if len(elements) > 1 and elements[1].split(separator, 1)[0] in ("ABK", "BK"):
            read = []
            for value in elements[1:]:
                parts = value.split(separator, 2) if value else ()
                read.append(parts[1] if len(parts) > 1 else "")
            codes = tuple(read)
        if text is not None:
            if len(_HI_CODES) >= MAX_HI_CODES:
                _HI_CODES.clear()
            _HI_CODES[text] = codes
    return codes


def _scan_line(segments: list[Segment]) -> tuple[Segment | None, Segment | None, Segment | None]:
    """The first DTP*472 of a line's 2400 loop, and its 2420A rendering provider and PRV*PE."""
    date = provider = provider_prv = None
    for seg in segments:
        elements = seg.elements
        sid = elements[0]
        if sid == "DTP":
            if date is None and seg.loop == "2400" and len(elements) > 1 and elements[1] == "472":
                date = seg
        elif sid == "NM1":
            if provider is None and seg.loop == "2420A" and len(elements) > 1 and elements[1] == "82":
                provider = seg
        elif sid == "PRV":
            if provider_prv is None and seg.loop == "2420A" and len(elements) > 1 and elements[1] == "PE":
                provider_prv = seg
    return date, provider, provider_prv


class ServiceLine:
    """One 2400 loop: LX, SV1 and the line-level loops under it (2420A ...).

    Built once per line in one pass over its segments: the values that the default rules read on
    every line are plain attributes, the rest are computed on first use.
    """

    # _pointers and _composite are the SV1's shared values (never changed): the lists the API hands
    # out as diagnosis_pointers and procedure_composite are copied from them only when asked for.
    # _group: a rule's group of lines this line belongs to (rules.declarative: the lines of its procedure and
    # date of service), in a slot rather than the line's dict: read for every line, and a slot is read
    # without the descriptor call and dictionary lookup of `line.__dict__.get(...)`. None until made.
    __slots__ = ("claim", "segments", "sv1", "lx", "charge", "unit_basis", "units", "_composite",
                 "procedure", "modifiers", "date_of_service", "service_date", "_provider", "_provider_prv", "sv105",
                 "_pointers", "_group", "computed", "__dict__")

    def __init__(self, claim: "Claim", segments: list[Segment], sv1: Segment | None = None):
        self.claim = claim
        self.segments = segments
        self.sv1 = sv1
        self.lx = segments[0]
        self._group = None
        self.computed: dict = self.__dict__  # as Claim.computed: the line's cached values, read through a slot
        if sv1 is None:
            values = _NO_SV1
        else:  # _sv1_values' common case inline: a text remembered, split with the separators of the last
            values = _SV1_VALUES.get(sv1.text) if sv1.delimiters is _SV1_SPLIT[0] else None
            if values is None:
                values = _sv1_values(sv1)
        (self.charge, self.unit_basis, self.units, self.sv105, self._pointers, self._composite,
         self.procedure, self.modifiers) = values
        # Most lines are LX, SV1 and DTP*472, nothing else: read without the scan below.
        if len(segments) == 3 and segments[1] is sv1:
            date = segments[2]
            elements = date.elements
            if date.loop == "2400" and len(elements) > 3 and elements[0] == "DTP" and elements[1] == "472":
                self.date_of_service = date
                self.service_date = elements[3].strip()
                self._provider = self._provider_prv = None
                return
        date, self._provider, self._provider_prv = _scan_line(segments)
        self.date_of_service: Segment | None = date
        # its DTP03 as written, stripped: a D8 date or an RD8 range ("" without a DTP*472)
        self.service_date: str = (date.elements[3].strip() if len(date.elements) > 3 else "") if date is not None else ""

    def _first(self, segment_id: str, loop: str, qualifier: str) -> Segment | None:
        return find_segment(self.segments, segment_id, loop=loop, qualifier=qualifier)

    # The line's own lists, copied on first use (most lines are never asked): a rule or plugin that
    # changes one must not change the other lines of that SV1.
    @cached_property
    def diagnosis_pointers(self) -> list[str]:
        """SV107 pointers as written ("1", "2" ...)."""
        return [*self._pointers]

    @cached_property
    def procedure_composite(self) -> list[str]:
        """SV101 components: qualifier, procedure, modifiers, description."""
        return [*self._composite]

    @cached_property
    def number(self) -> int | None:
        """LX01 as an integer; None when it is missing or not a number."""
        return integer_value(self.lx.get(1), LX01_MAX_LENGTH)

    @property
    def qualifier(self) -> str:
        parts = self._composite
        return parts[0] if parts else ""

    @cached_property
    def pointed_diagnoses(self) -> list[str]:
        """Diagnosis codes this line points to through SV107 -> HI composites."""
        codes = self.claim.diagnoses
        result = []
        for pointer in self._pointers:
            number = _POINTERS.get(pointer)  # "1" to "99": what integer_value reads, without its call
            if number is None:
                number = integer_value(pointer, SV107_MAX_LENGTH)
            if number is not None and 1 <= number <= len(codes):
                result.append(codes[number - 1])
        return result

    @cached_property
    def place_of_service(self) -> Sourced:
        """SV105 when the line has one, else the claim's CLM05-1 (reference §1.7.1)."""
        sv105 = self.sv105
        if sv105:
            return Sourced(sv105, "SV105", self.sv1, "2400")
        shared = self.claim.place_of_service
        for line in self.claim.computed.get("lines", ()):  # the claim's other lines without SV105: the same
            if not line.sv105:
                line.computed["place_of_service"] = shared
        return shared

    @cached_property
    def rendering_provider(self) -> Sourced:
        """2420A NM1*82, else 2310B NM1*82, else the billing provider 2010AA (reference §1.7.2)."""
        line_level = self._provider
        if line_level is not None:
            return Sourced(line_level.get(9) or None, "NM109", line_level, "2420A")
        return self.claim.rendering_provider

    @cached_property
    def rendering_taxonomy(self) -> Sourced:
        """The taxonomy of whoever renders this line (reference §1.7.3); value None when unknown.

        A 2420A provider takes only its own PRV: it names a different person from 2310B, so the
        claim-level taxonomy is not inherited.
        """
        if self._provider is not None:  # the line's own 2420A rendering provider
            prv = self._provider_prv
            if prv is not None:  # PRV03 read as prv.get(3) would, without its call (a line's own PRV)
                values = prv.elements
                return Sourced((values[3].strip() if len(values) > 3 else "") or None, "PRV03", prv, "2420A")
            return Sourced(None, "PRV03", self._provider, "2420A")
        shared = self.claim.rendering_taxonomy
        for line in self.claim.computed.get("lines", ()):  # the claim's other lines without 2420A: the same
            if line._provider is None:
                line.computed["rendering_taxonomy"] = shared
        return shared

    def __repr__(self) -> str:
        return f"<ServiceLine {self.number} {self.procedure}>"


class Claim:
    """One 2300 loop with its billing provider, subscriber and (when present) patient context.

    What it is made of lives in slots; everything computed from it (by its properties and by rules)
    lives in its __dict__, so forgetting the computed values is one clear(). `computed` is that same
    dictionary, read through a slot: `claim.__dict__` goes through a descriptor call each time, and
    the rules ask for a claim's computed values about a dozen times per claim.

    What every claim's rules read from its CLM is read when the claim is made, into slots (a value in
    the dict under a cached property's name is found only after a descriptor lookup, on each read):
    `id` (CLM01, the patient control number), `charge` (CLM02), `facility` (CLM05's components: place of
    service, facility code qualifier, frequency code) and `place_of_service` (CLM05-1)."""

    __slots__ = ("segments", "_line_starts", "header", "billing", "subscriber", "patient", "computed",
                 "id", "charge", "facility", "place_of_service", "__dict__")

    def __init__(
        self,
        segments: list[Segment],
        header: Header,
        billing: Context | None,
        subscriber: Context | None,
        patient: Context | None,
        line_starts: list[int] | None = None,
    ):
        self.segments = segments
        self._line_starts = line_starts
        self.header = header
        self.billing = billing
        self.subscriber = subscriber
        self.patient = patient
        self.computed: dict = self.__dict__
        if segments:
            self._read_clm()

    def _first(self, segment_id: str, loop: str, qualifier: str) -> Segment | None:
        return find_segment(self.segments, segment_id, loop=loop, qualifier=qualifier, stop_at="LX")

    def release(self) -> None:
        """Forget every value computed from this claim (each is computed again if asked for).

        A claim's service lines point back at it, and rules keep per-claim facts in its dict: left
        alone, each claim is a reference cycle that holds all its segments until the garbage
        collector runs, which makes the collector run often over a large heap. The engine calls
        this when it is done with a claim, so the claim and its segments are freed at once. Its
        lines forget theirs too: a rule may keep a line's group of lines in the line's own dict
        or in its _group.
        """
        cached = self.computed
        for line in cached.get("lines", ()):
            line.computed.clear()
            line._group = None
        cached.clear()

    @property
    def clm(self) -> Segment:
        return self.segments[0]

    def _read_clm(self) -> None:
        """CLM01, CLM02, CLM05 and the place of service, read from the CLM at once (the engine lists
        every claim's id, and rules of every claim read the others) into their slots."""
        clm = self.segments[0]
        elements = clm.elements
        size = len(elements)
        facility = elements[5].split(clm.delimiters.component) if size > 5 and elements[5] else []
        place = facility[0].strip() if facility else ""
        self.id = elements[1] if size > 1 else ""
        self.charge = elements[2] if size > 2 else ""
        self.facility = facility
        self.place_of_service = Sourced(place or None, "CLM05-1", clm, "2300")

    @property
    def transaction(self) -> str | None:
        return self.clm.st02

    @property
    def line_count(self) -> int:
        """How many service lines, without building them (when no rule reads a line)."""
        starts = self._line_starts
        return len(starts) if starts is not None else len(self.lines)

    @cached_property
    def lines(self) -> list[ServiceLine]:
        segments = self.segments
        starts = self._line_starts
        if starts is None:  # built by hand, not by the document reader
            starts = [i for i, seg in enumerate(segments) if seg.elements[0] == "LX" and seg.loop == "2400"]
        lines = []
        ends = starts[1:]  # each line ends where the next begins, the last with the claim
        ends.append(len(segments))
        for start, end in zip(starts, ends):
            group = segments[start:end]
            sv1 = group[1] if len(group) > 1 and group[1].elements[0] == "SV1" else None
            if sv1 is None:
                sv1 = next((s for s in group if s.elements[0] == "SV1" and s.loop == "2400"), None)
            lines.append(ServiceLine(self, group, sv1))
        return lines

    @cached_property
    def diagnoses(self) -> list[str]:
        """HI codes in pointer order (HI01-2, HI02-2 ...) from the first health-care diagnosis HI."""
        for seg in self.segments:
            sid = seg.elements[0]
            if sid == "HI" and seg.loop == "2300":
                codes = _hi_codes(seg)
                if codes is not None:
                    return [*codes]  # the claim's own list: a rule that changes it changes no other claim's
            if sid == "LX":
                break
        return []

    @cached_property
    def billing_provider(self) -> Segment | None:
        return self.billing.first("NM1", "85") if self.billing else None

    def _rendering_values(self) -> dict:
        """The rendering provider and its taxonomy, read at once into the claim's dict (a line that
        reads the taxonomy needs the provider too): 2310B NM1*82 and PRV*PE are found in one pass
        over the claim-level segments. A provider read earlier is kept, not made again."""
        cached = self.computed
        provider = cached.get("rendering_provider")
        nm1 = prv = None
        for seg in self.segments:
            elements = seg.elements
            sid = elements[0]
            if sid == "LX":
                break
            if sid == "NM1":
                if nm1 is None and seg.loop == "2310B" and len(elements) > 1 and elements[1] == "82":
                    nm1 = seg
            elif sid == "PRV":
                if prv is None and seg.loop == "2310B" and len(elements) > 1 and elements[1] == "PE":
                    prv = seg
        if nm1 is not None:  # 2310B names the renderer: its own PRV03, or none
            if provider is None:  # NM109 and PRV03 read as Segment.get would, without its call
                values = nm1.elements
                provider = Sourced((values[9] if len(values) > 9 else "") or None, "NM109", nm1, "2310B")
            if prv is not None:
                values = prv.elements
                taxonomy = Sourced((values[3].strip() if len(values) > 3 else "") or None, "PRV03", prv, "2310B")
            else:
                taxonomy = Sourced(None, "PRV03", nm1, "2310B")
        elif self.billing is not None:  # the billing provider renders: 2000A PRV*BI
            billing_provider, taxonomy = self.billing.billing_renderer()
            if provider is None:
                provider = billing_provider
        else:
            if provider is None:
                provider = Sourced(None, "NM109", None, "2010AA")
            taxonomy = Sourced(None, "PRV03", provider.segment, "2000A")
        cached["rendering_provider"] = provider
        cached["rendering_taxonomy"] = taxonomy
        return cached

    @cached_property
    def rendering_provider(self) -> Sourced:
        """2310B NM1*82, else the billing provider 2010AA NM1*85."""
        return self._rendering_values()["rendering_provider"]

    @cached_property
    def rendering_taxonomy(self) -> Sourced:
        """2310B PRV03 when 2310B names the renderer, else 2000A PRV*BI when billing renders."""
        return self._rendering_values()["rendering_taxonomy"]

    def _subscriber_values(self) -> dict:
        """The subscriber's SBR, 2010BB NM1*PR and 2010BA DMG, found in one pass, and what is read from
        them (payer families read them all; SIT007 reads the DMG of every claim without a patient
        loop, which was a second pass over the same segments), put in the claim's dict for the
        properties below."""
        sbr = payer = dmg = None
        for seg in self.subscriber.segments if self.subscriber is not None else ():
            elements = seg.elements
            sid = elements[0]
            if sid == "SBR":
                if sbr is None:
                    sbr = seg
            elif sid == "NM1":
                if payer is None and seg.loop == "2010BB" and len(elements) > 1 and elements[1] == "PR":
                    payer = seg
            elif sid == "DMG":
                if dmg is None and seg.loop == "2010BA":
                    dmg = seg
        cached = self.computed
        cached["sbr"], cached["payer"], cached["subscriber_dmg"] = sbr, payer, dmg
        # elements read directly, as Segment.get would (a call each, for every claim)
        values = sbr.elements if sbr is not None else ()
        cached["filing_indicator"] = values[9].strip() if len(values) > 9 else ""
        values = payer.elements if payer is not None else ()
        size = len(values)
        cached["payer_name"] = values[3] if size > 3 else ""
        cached["payer_id"] = values[9] if size > 9 else ""
        return cached

    @cached_property
    def sbr(self) -> Segment | None:
        return self._subscriber_values()["sbr"]

    @cached_property
    def filing_indicator(self) -> str:
        """SBR09, the claim filing indicator (MB = Medicare Part B, CI = commercial ...)."""
        return self._subscriber_values()["filing_indicator"]

    @cached_property
    def payer(self) -> Segment | None:
        """The destination payer, 2010BB NM1*PR."""
        return self._subscriber_values()["payer"]

    @cached_property
    def subscriber_dmg(self) -> Segment | None:
        """The subscriber's demographics, the first 2010BA DMG."""
        return self._subscriber_values()["subscriber_dmg"]

    @cached_property
    def payer_name(self) -> str:
        return self._subscriber_values()["payer_name"]

    @cached_property
    def payer_id(self) -> str:
        return self._subscriber_values()["payer_id"]

    @cached_property
    def payer_family(self) -> str:
        return FILING_INDICATOR_FAMILY.get(self.filing_indicator, "other" if self.filing_indicator else "unknown")

    def __repr__(self) -> str:
        return f"<Claim {self.id} lines={len(self.lines)}>"
