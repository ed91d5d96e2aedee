"""Source excerpts for `--show-source` (and `--format full`): the segment at fault, a caret under
the element a finding names.

The input is read again, one tokenizer pass per file that stops after the last segment wanted;
standard input cannot be read twice, so its findings get no excerpt. An excerpt never adds a
person's identity the finding does not quote: the elements the HTML report masks (`phi.py`: a
subscriber's or patient's name, member id, address, birth date; free text; a segment the guide has
no place for) are X-ed out.
"""

from __future__ import annotations

import re

from edi_lint.findings import Finding, printable
from edi_lint.phi import masked_positions

ELEMENT = re.compile(r"([A-Z][A-Z0-9]{1,2})(\d{2})(?:-(\d+))?")
WIDTH = 160  # longer segments are shown as a window around the caret


def read_segments(path: str, indices: set[int]) -> dict[int, object]:
    """The tokenizer's segments at these 1-based ordinals; {} when the file cannot be read again."""
    if not indices or path in ("-", "<bytes>"):
        return {}
    from edi_lint.x12.tokenizer import X12Error, iter_segments

    wanted: dict[int, object] = {}
    last = max(indices)
    try:
        with open(path, "rb") as stream:
            for seg in iter_segments(stream):
                if seg.index in indices:
                    wanted[seg.index] = seg
                if seg.index >= last:
                    break
    except (OSError, X12Error):
        return {}
    return wanted


def _shown_elements(seg, finding: Finding) -> list[str]:
    """The segment's elements with patient data X-ed out, the lengths kept so the caret stays true.
    Masked as the HTML report masks (`phi.masked_positions`), by the loop the finding names: a segment
    read again here has not been walked."""
    elements = list(seg.elements)
    for position in masked_positions(elements, finding.loop):
        if position < len(elements):
            elements[position] = "X" * len(elements[position])
    return elements


def excerpt(seg, finding: Finding) -> tuple[str, str] | None:
    """(segment text, caret line) for a finding on `seg`; None when it cannot be shown faithfully."""
    delimiters = seg.delimiters
    elements = _shown_elements(seg, finding)
    text = delimiters.element.join(elements) + delimiters.segment.strip("\r\n")
    if printable(text) != text:  # control characters: escaping would move the caret
        return None
    start, width = 0, len(elements[0])
    match = ELEMENT.fullmatch(finding.element or "")
    if match and match.group(1) == elements[0]:
        position = int(match.group(2))
        if position < len(elements):
            start = len(delimiters.element.join(elements[:position])) + len(delimiters.element)
            value = elements[position]
            width = len(value)
            if match.group(3):
                parts = value.split(delimiters.component)
                sub = int(match.group(3))
                if sub <= len(parts):
                    start += len(delimiters.component.join(parts[: sub - 1])) + (len(delimiters.component) if sub > 1
                                                                                  else 0)
                    width = len(parts[sub - 1])
                else:
                    start += len(value)
                    width = 0
        else:
            start, width = len(text) - len(delimiters.segment.strip("\r\n")), 0
    if len(text) > WIDTH:
        left = max(0, min(start - WIDTH // 3, len(text) - WIDTH))
        text = ("..." if left else "") + text[left : left + WIDTH] + ("..." if left + WIDTH < len(text) else "")
        start = start - left + (3 if left else 0)
    return text, " " * start + "^" * max(1, width)
