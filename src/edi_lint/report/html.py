"""The HTML report: one self-contained page a biller reads, one card per claim.

Built from FileResults (findings, verdicts) and the claim records the engine kept (`keep_claims`);
it never reads the input again. Jinja2 renders the page with autoescaping; the inline style sheet and
script are allowed by their hashes in a Content-Security-Policy that forbids everything else, so
the page fetches nothing and runs nothing but its own script. Raw segments travel as JSON (escaped
for the page by `tojson`) and are drawn only when a claim's "Segments" section is opened, which with
paging (`PAGE_SIZE` cards at a time) keeps a 10,000-claim report responsive.

Patient data was masked when the records were made (records.py); this module adds none.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from edi_lint.findings import FileResult, Finding, Severity, printable
from edi_lint.records import ClaimRecord, Field
from edi_lint.report._common import display_path, plural, severity_counts
from edi_lint.rules.base import RuleInfo

TEMPLATES = Path(__file__).with_name("templates")
PAGE_SIZE = 50
TOP_RULES = 5

# Place of service codes (CMS POS code set) most seen on professional therapy claims.
PLACES_OF_SERVICE = {
    "02": "Telehealth (not in the patient's home)", "10": "Telehealth in the patient's home",
    "11": "Office", "12": "Home", "13": "Assisted living facility", "19": "Off-campus outpatient hospital",
    "21": "Inpatient hospital", "22": "On-campus outpatient hospital", "23": "Emergency room",
    "31": "Skilled nursing facility", "32": "Nursing facility", "33": "Custodial care facility",
    "49": "Independent clinic", "62": "Comprehensive outpatient rehabilitation facility",
    "65": "End-stage renal disease facility", "81": "Independent laboratory", "99": "Other place of service",
}
TAXONOMIES = {"225100000X": "Physical Therapist", "225200000X": "Physical Therapy Assistant",
              "225X00000X": "Occupational Therapist", "2251X0800X": "Physical Therapist, Orthopedic",
              "207Q00000X": "Family Medicine physician", "111N00000X": "Chiropractor"}
FILING = {"MA": "Medicare Part A", "MB": "Medicare Part B", "16": "Medicare Advantage (HMO)", "MC": "Medicaid",
          "BL": "Blue Cross/Blue Shield", "CI": "Commercial insurance", "CH": "TRICARE", "VA": "Veterans Affairs",
          "WC": "Workers' compensation", "HM": "HMO", "12": "PPO", "13": "POS plan", "14": "EPO", "15": "Indemnity"}
ELEMENT = re.compile(r"^([A-Z][A-Z0-9]{1,2})(\d{2})(?:-(\d{1,2}))?$")


def element_position(element: str | None) -> tuple[str, int, int] | None:
    """'SV101-3' -> ('SV1', 1, 3); 'PRV03' -> ('PRV', 3, 0); None when it is not X12 element notation."""
    match = ELEMENT.match(element or "")
    if match is None:
        return None
    return match.group(1), int(match.group(2)), int(match.group(3) or 0)


def money(text: str | None) -> str:
    """An X12 amount for people: 145 -> $145.00; anything odd is shown as it is."""
    try:
        return f"${float(text):,.2f}" if text not in (None, "") else "—"
    except ValueError:
        return printable(text, 40)


def ccyymmdd(text: str) -> str:
    text = text.strip()
    return f"{text[:4]}-{text[4:6]}-{text[6:8]}" if len(text) == 8 and text.isdigit() else printable(text, 40)


def icd(code: str) -> str:
    """ICD-10-CM as people write it: M25561 -> M25.561."""
    code = code.strip()
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 and "." not in code else code


def loop_label(loop: str | None) -> str:
    """'loop 2010AA Billing Provider Name', from the guide."""
    if not loop:
        return "no loop"
    from edi_lint.x12.names import loop_name

    name = loop_name(loop)
    return f"loop {printable(loop, 20)} {name}" if name else f"loop {printable(loop, 20)}"


def service_dates(dates: tuple[str, str] | None) -> str:
    if not dates:
        return "—"
    first, last = (ccyymmdd(d) for d in dates)
    return first if first == last else f"{first} to {last}"


@dataclass
class FindingView:
    number: int  # position in the page: the anchor of its explanation and highlight
    finding: Finding
    where: str  # "line 2 · Procedure Modifier 1 (SV101-3)"
    mark: tuple[int, int, int] | None  # (segment index, element position, component) to highlight

    @property
    def severity(self) -> str:
        return self.finding.severity.label


@dataclass
class LineView:
    record: object  # records.LineRecord
    findings: list[FindingView] = field(default_factory=list)
    faulty: set = field(default_factory=set)  # column keys with a finding: procedure, modifiers, ...


@dataclass
class ClaimView:
    number: int  # card number in the page (file order)
    path: str
    record: ClaimRecord
    accepted: bool | None  # None when no verdicts were collected
    findings: list[FindingView] = field(default_factory=list)
    lines: list[LineView] = field(default_factory=list)
    faulty: set = field(default_factory=set)  # claim fields with a finding: charge, pos, billing_npi, ...

    @property
    def worst(self) -> Severity | None:
        return max((f.finding.severity for f in self.findings), default=None)

    @property
    def severities(self) -> str:
        return " ".join(sorted({f.severity for f in self.findings})) or "clean"

    @property
    def rules(self) -> str:
        return " ".join(sorted({f.finding.rule for f in self.findings}))

    @property
    def charge_matches(self) -> bool | None:
        total, charge = self.record.line_total, self.record.charge.value
        try:
            return float(total) == float(charge) if total is not None and charge else None
        except ValueError:
            return None

    def pointer_users(self) -> list[tuple[int, str, list]]:
        """(pointer, diagnosis code, line numbers that point to it)."""
        users = []
        for pointer, code in enumerate(self.record.diagnoses, start=1):
            lines = [line.number for line in self.record.lines if str(pointer) in line.diagnosis_pointers]
            users.append((pointer, code, lines))
        return users


@dataclass
class FileView:
    path: str
    result: FileResult
    envelopes: list
    findings: list[FindingView]  # not inside any claim: envelope, transaction, file structure


# Which field of a card an (element, loop) of a finding points to.
CLAIM_FIELDS = {"CLM02": "charge", "CLM05-1": "pos", "CLM05": "pos"}
LINE_FIELDS = {"SV101-1": "procedure", "SV101-2": "procedure", "SV101-3": "modifiers", "SV101-4": "modifiers",
               "SV101-5": "modifiers", "SV101-6": "modifiers", "SV102": "charge", "SV103": "units",
               "SV104": "units", "SV105": "pos", "SV107": "pointers", "SV107-1": "pointers", "DTP03": "date"}


def _where(finding: Finding, name: str = "") -> str:
    """'line 2 · Procedure Modifier 2 (SV101-4)': the element in the guide's words, then in X12's."""
    parts = []
    if finding.line_number is not None:
        parts.append(f"line {finding.line_number}")
    if finding.element:
        element = printable(finding.element, 40)
        parts.append(f"{name} ({element})" if name else element)
    elif finding.segment:
        parts.append(printable(finding.segment, 40))
    return " · ".join(parts)


def element_name(record: ClaimRecord, finding: Finding) -> str:
    """The guide's name of the element a finding points at, read from the claim's own segment."""
    from edi_lint.x12.names import segment_names

    position = element_position(finding.element)
    if position is None or finding.segment_index is None:
        return ""
    seg = next((s for s in record.segments if s.index == finding.segment_index), None)
    if seg is None or seg.elements[0] != position[0]:
        return ""
    names = segment_names(seg.loop, seg.elements, record.component)
    if names is None or not 0 < position[1] <= len(names.elements):
        return ""
    components = names.components.get(position[1], ())
    if position[2] and 0 < position[2] <= len(components):
        return components[position[2] - 1]
    return names.elements[position[1] - 1]


def _mark(finding: Finding) -> tuple[int, int, int] | None:
    if finding.segment_index is None:
        return None
    position = element_position(finding.element)
    if position is None or (finding.segment and position[0] != finding.segment):
        return (finding.segment_index, 0, 0)  # the whole segment
    return (finding.segment_index, position[1], position[2])


def _sourced_fault(view: ClaimView, name: str, source: Field, finding: Finding) -> None:
    if source.segment_index is not None and source.segment_index == finding.segment_index:
        if finding.element is None or finding.element.startswith(source.element[:5]):
            view.faulty.add(name)


def _attach(view: ClaimView, item: FindingView) -> None:
    finding, record = item.finding, view.record
    view.findings.append(item)
    line_view = next((lv for lv in view.lines if finding.line_number is not None
                      and lv.record.number == finding.line_number), None)
    if line_view is None and finding.segment_index is not None:  # by position, when LX01 is broken
        starts = [lv for lv in view.lines if lv.record.segment_index <= finding.segment_index]
        line_view = starts[-1] if starts else None
    if line_view is not None:
        line_view.findings.append(item)
        key = LINE_FIELDS.get(finding.element or "")
        if key is None and finding.element and finding.element.startswith(("NM109", "PRV03")):
            key = "rendering"
        if key is not None:
            line_view.faulty.add(key)
        return
    key = CLAIM_FIELDS.get(finding.element or "")
    if key is not None:
        view.faulty.add(key)
    for name, source in (("billing_npi", record.billing_npi), ("billing_taxonomy", record.billing_taxonomy),
                         ("rendering_npi", record.rendering_npi), ("rendering_taxonomy", record.rendering_taxonomy)):
        _sourced_fault(view, name, source, finding)


class Owners:
    """Finds the claim a finding belongs to: the one whose segments hold it, else the one its CLM01
    names (a claim rule can point at a shared level, e.g. the billing provider's NM1)."""

    def __init__(self, claims: list[ClaimView]):
        self.claims = claims
        self.starts = [view.record.segment_index for view in claims]  # ascending: file order
        self.named: dict[str, list[ClaimView]] = {}
        for view in claims:
            self.named.setdefault(view.record.claim_id, []).append(view)

    def __call__(self, finding: Finding) -> ClaimView | None:
        index = finding.segment_index
        if index is not None:
            at = bisect_right(self.starts, index) - 1
            if at >= 0 and index <= self.claims[at].record.last_index:
                return self.claims[at]
        named = self.named.get(finding.claim_id) if finding.claim_id is not None else None
        if not named:
            return None
        for view in named:
            if index is not None and any(s.index == index for s in view.record.segments):
                return view
        return named[0]


def build(results: list[FileResult], cwd: str | None) -> tuple[list[FileView], list[ClaimView], list[FindingView]]:
    files, claims, every = [], [], []
    for result in results:
        path = display_path(result.path, cwd)
        accepted = {v.segment_index: v.accepted for v in result.verdicts}
        views = [ClaimView(len(claims) + n + 1, path, record, accepted.get(record.segment_index),
                           lines=[LineView(line) for line in record.lines])
                 for n, record in enumerate(result.records)]
        loose = []
        owner_of = Owners(views)
        for finding in result.findings:
            owner = owner_of(finding)
            name = element_name(owner.record, finding) if owner is not None else ""
            item = FindingView(len(every) + 1, finding, _where(finding, name), _mark(finding))
            every.append(item)
            if owner is None:
                loose.append(item)
            else:
                _attach(owner, item)
        envelopes = list(dict.fromkeys(record.envelope for record in result.records))
        files.append(FileView(path, result, envelopes, loose))
        claims.extend(views)
    claims.sort(key=lambda v: (-(v.worst or 0), v.number))  # claims with findings first, worst first
    return files, claims, every


class Notes:
    """The small notes under values ("from the claim (CLM05-1)") repeat on every line of every
    claim: the page carries each once, and cells name them by number."""

    def __init__(self):
        self.table: list[str] = []
        self.numbers: dict[str, int] = {}

    def __call__(self, note: str) -> int:
        number = self.numbers.get(note)
        if number is None:
            number = self.numbers[note] = len(self.table)
            self.table.append(note)
        return number

    def cell(self, text, note: str = "", fault: bool = False):
        """A table cell: its text alone, or [text, note number, 1 when a finding points at it]."""
        text = printable(text) if text not in (None, "") else "—"
        return [text, self(note), 1 if fault else 0] if note or fault else text


def _source(field: Field) -> str:
    return f"{field.element} · {loop_label(field.loop)}"


def _finding_data(item: FindingView, explain: dict) -> list:
    f = item.finding
    detail = []
    if f.segment_index is not None:
        detail.append(f"segment #{f.segment_index}" + (f", line {f.line}" if f.line else ""))
    if f.loop:
        detail.append(loop_label(f.loop))
    return [item.severity, f.rule, f.message, item.where, " · ".join(detail), explain.get(f.rule, -1)]


def _facts(view: ClaimView, notes: Notes) -> list:
    r, faulty = view.record, view.faulty
    pos = r.place_of_service.value or ""
    matches = view.charge_matches
    payer = " ".join(p for p in (r.payer_name, f"(payer id {r.payer_id})" if r.payer_id else "") if p)
    filing = f"{FILING.get(r.filing_indicator, 'filing code')} (SBR09 {r.filing_indicator})" if r.filing_indicator else ""
    total_note = plural(len(r.lines), "line") + " (SV102)"
    if matches is not None:
        total_note = ("✓ matches the claim charge · " if matches else "≠ differs from the claim charge · ") + total_note
    return [
        [notes("Payer"), notes.cell(payer, filing)],
        [notes("Claim charge"), notes.cell(money(r.charge.value), "CLM02", "charge" in faulty)],
        [notes("Sum of the lines"), notes.cell(money(r.line_total), total_note, matches is False)],
        [notes("Place of service"), notes.cell(f"{pos} {PLACES_OF_SERVICE.get(pos, '')}".strip(),
                                               "CLM05-1 · loop 2300", "pos" in faulty)],
        [notes("Dates of service"), notes.cell(service_dates(r.dates), "DTP*472")],
        [notes("Patient"), notes.cell(r.patient, f"member id {r.member_id or '—'}")],
    ]


def _taxonomy(value: str | None) -> str:
    return f"{value} {TAXONOMIES.get(value, '')}".strip() if value else "none given"


def _providers(view: ClaimView, notes: Notes) -> list:
    r, faulty, cell = view.record, view.faulty, notes.cell
    named = r.rendering_npi.loop == "2310B"
    return [
        ["Billing provider", cell(r.billing_name),
         cell(r.billing_npi.value or "missing", _source(r.billing_npi), "billing_npi" in faulty),
         cell(_taxonomy(r.billing_taxonomy.value), _source(r.billing_taxonomy), "billing_taxonomy" in faulty)],
        ["Rendering provider", cell("named on the claim" if named else "none named: the billing provider renders"),
         cell(r.rendering_npi.value or "missing", _source(r.rendering_npi), "rendering_npi" in faulty),
         cell(_taxonomy(r.rendering_taxonomy.value), _source(r.rendering_taxonomy), "rendering_taxonomy" in faulty)],
    ]


def _line_cells(view: ClaimView, lv: LineView, notes: Notes) -> dict:
    line, faulty, claim, _cell = lv.record, lv.faulty, view.record, notes.cell
    pos = line.place_of_service.value or ""
    same = (line.rendering_npi.loop == claim.rendering_npi.loop
            and line.rendering_taxonomy.loop == claim.rendering_taxonomy.loop)
    if same:
        rendering_note = "as on the claim"
    else:
        rendering_note = f"from {loop_label(line.rendering_npi.loop)}"
        if line.rendering_taxonomy.loop != line.rendering_npi.loop:
            rendering_note += f", taxonomy from {loop_label(line.rendering_taxonomy.loop)}"
    qualifier = line.qualifier if line.qualifier and line.qualifier != "HC" else ""
    return {"hit": 1 if lv.findings else 0, "cells": [
        _cell(line.number if line.number is not None else "?"),
        _cell(ccyymmdd(line.date) if line.date else "", "", "date" in faulty),
        _cell(line.procedure.value, qualifier, "procedure" in faulty),
        _cell(" ".join(line.modifiers) or "none", "", "modifiers" in faulty),
        _cell(line.units.value, line.unit_basis, "units" in faulty),
        _cell(money(line.charge.value), "", "charge" in faulty),
        _cell(f"{pos} {PLACES_OF_SERVICE.get(pos, '')}".strip(),
              "on the line (SV105)" if line.place_of_service.element == "SV105" else "from the claim (CLM05-1)",
              "pos" in faulty),
        _cell(f"{line.rendering_npi.value or 'no NPI'} · {_taxonomy(line.rendering_taxonomy.value)}", rendering_note,
              "rendering" in faulty),
        _cell(",".join(line.diagnosis_pointers), "", "pointers" in faulty),
    ]}


def card(view: ClaimView, explain: dict, notes: Notes) -> dict:
    """Everything one claim card shows, as display-ready strings: the page's script only places them."""
    r = view.record
    counts = Counter(item.severity for item in view.findings)
    badges = [[sev, f"{counts[sev]} {sev if counts[sev] == 1 or sev == 'info' else sev + 's'}"]
              for sev in ("error", "warning", "info") if counts[sev]]
    dx = []
    for pointer, code, used in view.pointer_users():
        note = ("line " if len(used) == 1 else "lines ") + ", ".join(map(str, used)) if used else "no line points here"
        dx.append([pointer, icd(code), note, 1 if used else 0])
    procedures = " ".join(line.procedure.value or "" for line in r.lines)
    return {
        "id": printable(r.claim_id),
        "at": f"{view.path} · line {r.line} · segment #{r.segment_index} · transaction {printable(r.envelope.transaction)}",
        "worst": view.worst.label if view.worst else "", "sev": view.severities.split(), "rules": view.rules.split(),
        "badges": badges, "verdict": {True: "accepted", False: "held back"}.get(view.accepted, ""),
        "facts": _facts(view, notes), "providers": _providers(view, notes), "dx": dx,
        "findings": [_finding_data(item, explain) for item in view.findings],
        "lines": [_line_cells(view, lv, notes) for lv in view.lines],
        "text": f"{r.claim_id} {r.payer_name} {r.payer_id} {view.path} {procedures}".lower(),
    }


def raw_data(claims: list[ClaimView]) -> dict:
    """The segments of each claim with their names from the guide, for the page's script to draw
    when a claim's segments are opened. Names are shared: each map node's names appear once."""
    from edi_lint.x12.names import loop_name, segment_names

    names: dict[int, int] = {}
    table: list = []
    loops: dict[str, str] = {}
    out = []
    for view in claims:
        rows = []
        for seg in view.record.segments:
            if seg.loop and seg.loop not in loops:
                loops[seg.loop] = loop_name(seg.loop)
            found = segment_names(seg.loop, seg.elements, view.record.component)
            key = None
            if found is not None:
                key = names.get(id(found))
                if key is None:
                    key = names[id(found)] = len(table)
                    components = {str(p): list(c) for p, c in found.components.items()}
                    table.append([found.name, list(found.elements), components])
            rows.append([seg.index, seg.loop or "", key, list(seg.elements)])
        marks = [[*f.mark, f.severity, f.finding.rule] for f in view.findings if f.mark]
        out.append({"segments": rows, "marks": marks, "component": view.record.component})
    return {"names": table, "loops": loops, "claims": out}


def page_json(data) -> str:
    """JSON safe inside a <script> element (no '<', '>', '&' or quote can end it), without spaces."""
    from jinja2.utils import htmlsafe_json_dumps

    return htmlsafe_json_dumps(data, dumps=json.dumps, separators=(",", ":"), ensure_ascii=False)


@lru_cache(maxsize=1)
def _assets() -> tuple[str, str, str]:
    """(style sheet, script, Content-Security-Policy allowing exactly these two by hash)."""
    css = (TEMPLATES / "report.css").read_text("utf-8")
    js = (TEMPLATES / "report.js").read_text("utf-8")

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"

    policy = (f"default-src 'none'; style-src {digest(css)}; script-src {digest(js)}; img-src data:; "
              "base-uri 'none'; form-action 'none'")
    return css, js, policy


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(money=money, date=ccyymmdd, printable=printable, icd=icd, loop_label=loop_label,
                       service_dates=service_dates)
    return env


def tool_version() -> str:
    from edi_lint.report.sarif import tool_version as version

    return version()


def render(results: list[FileResult], rules: Mapping[str, RuleInfo], *, cwd: str | None = None,
           split: dict | None = None) -> str:
    from markupsafe import Markup

    files, claims, every = build(results, cwd)
    rule_counts = sorted(Counter(item.finding.rule for item in every).items())
    explain = {code: n for n, (code, _) in enumerate(rule_counts)}
    notes = Notes()
    data = {"pageSize": PAGE_SIZE, "claims": [card(view, explain, notes) for view in claims],
            "files": [[_finding_data(item, explain) for item in f.findings] for f in files], "notes": notes.table,
            "names": {item.finding.rule: item.finding.name for item in every}}
    css, js, policy = _assets()
    return _environment().get_template("report.html.j2").render(
        files=files, claims=claims, counts=severity_counts(results), rules=rules, split=split,
        top=Counter(item.finding.rule for item in every).most_common(TOP_RULES), rule_counts=rule_counts,
        masked=not any(r.phi_shown for result in results for r in result.records[:1]), version=tool_version(),
        claims_total=sum(r.claims for r in results), lines_total=sum(r.service_lines for r in results),
        refused=sum(1 for r in results if r.status == "error"), plural=plural,
        with_findings=sum(1 for c in claims if c.findings), page_size=PAGE_SIZE,
        data=Markup(page_json(data)), raw=Markup(page_json(raw_data(claims))),
        css=Markup(css), js=Markup(js), policy=policy,
    ) + "\n"
