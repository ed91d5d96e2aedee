"""Writing X12: segments joined with the input interchange's own delimiters, and the ISA/GS envelope.

Values copied from an input interchange cannot contain its delimiters, so answering with the same
delimiters never needs escaping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from edi_lint.x12.tokenizer import Delimiters


class Writer:
    """Collects segments of one acknowledgment interchange; counts the segments of the open set."""

    def __init__(self, delimiters: Delimiters, eol: str):
        self.d = delimiters
        self.eol = eol if delimiters.segment not in "\r\n" else ""
        self.parts: list[str] = []
        self.in_set = 0

    def seg(self, *elements) -> None:
        """One segment. A tuple or list element is a composite; trailing empty elements are dropped."""
        values = [self.d.component.join(e).rstrip(self.d.component) if isinstance(e, (tuple, list)) else str(e)
                  for e in elements]
        while len(values) > 1 and values[-1] == "":
            values.pop()
        self.parts.append(self.d.element.join(values) + self.d.segment + self.eol)
        self.in_set += 1

    def start_set(self, st01: str, st02: str, guide: str) -> None:
        self.in_set = 0
        self.seg("ST", st01, st02, guide)

    def end_set(self, st02: str) -> None:
        self.seg("SE", str(self.in_set + 1), st02)

    def text(self) -> str:
        return "".join(self.parts)


def isa(writer: Writer, source, ack_date: str, ack_time: str, control: str, sender, receiver) -> None:
    """ISA of an acknowledgment answering the interchange `source` (its ISA segment).

    `sender`/`receiver` are (qualifier, id); ids are padded to ISA06/ISA08's fixed 15 characters.
    """
    d = writer.d
    used = (d.element, d.component, d.segment)
    repetition = d.repetition if d.repetition and d.repetition not in used else next(
        c for c in "^{!|`" if c not in used)
    writer.seg("ISA", "00", " " * 10, "00", " " * 10, sender[0], sender[1].ljust(15)[:15],
               receiver[0], receiver[1].ljust(15)[:15], ack_date[2:8], ack_time[:4],
               repetition, "00501", control, "0", source.get(15) or "P", d.component)


def amount(value: Decimal) -> str:
    """An X12 R-type amount: no exponent, no trailing zeros after the point (100, 12.5)."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def _valid(text: str, pattern: str) -> bool:
    """Whether `text` is a real date or time (20261340 and 2599 are digits, but neither)."""
    from datetime import datetime

    try:
        datetime.strptime(text, pattern)
    except ValueError:
        return False
    return True


_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .\-]{0,14}")


@dataclass(frozen=True)
class Options:
    """Who sends the acknowledgments and how they are numbered and dated (all optional).

    sender: (ISA05 qualifier, ISA06 id) of the acks; default the input's receiver (ISA07, ISA08).
    application_sender: GS02; default the input's GS03. control_number: ISA13/GS06 of the first
    acknowledgment interchange (the next ones count up); default the input's ISA13.
    date/time: CCYYMMDD / HHMM; default the input's GS04/GS05. source_entity: NM101 of the 277CA
    information source, AY (clearinghouse) or PR (payer).
    """

    sender: tuple[str, str] | None = None
    application_sender: str | None = None
    control_number: int | None = None
    date: str | None = None
    time: str | None = None
    source_entity: str = "AY"

    def __post_init__(self) -> None:
        if self.control_number is not None and not 0 < int(self.control_number) <= 999_999_999:
            raise ValueError("control_number must be between 1 and 999999999")
        if self.date is not None and not (len(self.date) == 8 and self.date.isdigit() and _valid(self.date, "%Y%m%d")):
            raise ValueError("date must be CCYYMMDD")
        if self.time is not None and not (len(self.time) == 4 and self.time.isdigit() and _valid(self.time, "%H%M")):
            raise ValueError("time must be HHMM")
        if self.sender is not None and (len(self.sender) != 2 or not self.sender[1] or len(self.sender[1]) > 15):
            raise ValueError("sender must be (qualifier, id) with an id of at most 15 characters")
        if self.sender is not None and not (len(self.sender[0]) == 2 and self.sender[0].isalnum()):
            raise ValueError(f"sender qualifier {self.sender[0]!r} must be 2 letters or digits (ISA05), e.g. ZZ")
        # the values go into the ISA and GS as they are: a delimiter among them (* ~ : ^ |) would break
        # the acknowledgment's envelope, so only letters, digits, spaces, '.' and '-' are taken
        for label, value in (("sender id", self.sender[1] if self.sender else None),
                             ("application_sender", self.application_sender)):
            if value is not None and not _SAFE_ID.fullmatch(value):
                raise ValueError(f"{label} {value!r} may hold only letters, digits, spaces, '.' and '-' "
                                 "(it is written into the ISA/GS as it is)")
        if self.source_entity not in ("AY", "PR"):
            raise ValueError("source_entity must be AY (clearinghouse) or PR (payer)")


class Envelope:
    """The envelope values of the acknowledgment answering one input interchange."""

    def __init__(self, interchange, options: Options, number: int):
        isa = interchange.isa
        gs = interchange.groups[0].gs if interchange.groups else None
        self.sender = options.sender or (isa.get(7), isa.get(8).strip())
        self.receiver = (isa.get(5), isa.get(6).strip())
        self.application_sender = options.application_sender or (gs.get(3).strip() if gs else self.sender[1])
        self.application_receiver = gs.get(2).strip() if gs else self.receiver[1]
        gs_date = gs.get(4).strip() if gs else ""
        gs_time = gs.get(5).strip() if gs else ""
        if not (len(gs_date) == 8 and gs_date.isdigit()):
            isa_date = isa.get(9).strip()
            gs_date = "20" + isa_date if len(isa_date) == 6 and isa_date.isdigit() else "20000101"
        if not (len(gs_time) >= 4 and gs_time[:4].isdigit()):
            isa_time = isa.get(10).strip()
            gs_time = isa_time if len(isa_time) == 4 and isa_time.isdigit() else "0000"
        self.date = options.date or gs_date
        self.time = options.time or gs_time[:4]
        if options.control_number is not None:
            number = (options.control_number + number - 1) % 1_000_000_000 or 1
        else:
            digits = isa.get(13).strip()
            number = int(digits) if digits.isdigit() and int(digits) > 0 else number
        self.control = f"{number:09d}"
        self.group_control = str(number)

    def open(self, writer: Writer, source_isa) -> None:
        isa(writer, source_isa, self.date, self.time, self.control, self.sender, self.receiver)

    def open_group(self, writer: Writer, functional_id: str, guide: str) -> None:
        writer.seg("GS", functional_id, self.application_sender, self.application_receiver, self.date, self.time,
                   self.group_control, "X", guide)
