"""The tokenizer remembers the element split of recent segment texts (`SPLIT_MEMO`): a text seen again
is not split again. What it hands out must not change: each segment its own list (a plugin may change
`seg.elements`), the split on its own interchange's element separator, the same segments whatever the
memo's bound.
"""

from __future__ import annotations

import io
import sys

import pytest

import edi_lint
from conftest import FIXTURES
from edi_lint.x12 import tokenizer
from edi_lint.x12.tokenizer import iter_segments

CLEAN = (FIXTURES / "clean.837").read_bytes()
# The splits are counted with sys.setprofile, which sees the str.split calls of Python code only: a
# compiled tokenizer makes them from C, unseen (the count would be 0, and the tests could not fail).
counts_splits = pytest.mark.skipif(edi_lint.COMPILED, reason="a compiled tokenizer's splits are not seen by sys.setprofile")
STAR_ISA = CLEAN[:106]
PIPE_ISA = STAR_ISA.replace(b"*", b"|").replace(b"~", b"!")


def _splits(data: bytes) -> int:
    """How many times str.split ran on a segment text (not a chunk) while tokenizing `data`."""
    calls = 0

    def profile(frame, event, arg):
        nonlocal calls
        if event == "c_call" and getattr(arg, "__name__", "") == "split" and isinstance(arg.__self__, str):
            calls += len(arg.__self__) < 1000

    segments = iter_segments(io.BytesIO(data))
    sys.setprofile(profile)
    try:
        count = sum(1 for _ in segments)
    finally:
        sys.setprofile(None)
    return calls, count


@counts_splits
@pytest.mark.parametrize("eol", [b"", b"\n"])
def test_a_text_seen_again_is_not_split_again(eol):
    data = STAR_ISA + eol + b"".join([b"REF*EI*1~" + eol, b"DTP*472*D8*20260101~" + eol] * 50) + b"IEA*1*1~"
    calls, count = _splits(data)
    assert count == 102
    assert calls < 10  # not once per segment: REF and DTP once each, and a few others


def test_segments_of_one_text_get_lists_of_their_own():
    data = STAR_ISA + b"REF*EI*1~REF*EI*1~REF*EI*1~IEA*1*1~"
    first, second, third = list(iter_segments(io.BytesIO(data)))[1:4]
    first.elements[2] = "changed"
    first.elements.append("more")
    assert second.elements == third.elements == ["REF", "EI", "1"]
    assert second.elements is not third.elements
    assert second.text == third.text == "REF*EI*1"


def test_the_same_text_in_an_interchange_with_another_element_separator_is_split_on_that():
    text = b"NTE*A|B"
    data = STAR_ISA + text + b"~IEA*1*1~" + PIPE_ISA + text + b"!IEA|1|1!"
    notes = [s.elements for s in iter_segments(io.BytesIO(data)) if s.text == text.decode()]
    assert notes == [["NTE", "A|B"], ["NTE*A", "B"]]


@pytest.mark.parametrize("name", ["clean.837", "delims_pipe.837", "delims_crlf.837"])
def test_a_small_bound_gives_the_same_segments(name, monkeypatch):
    data = (FIXTURES / name).read_bytes() * 3

    def shape(chunk_size):
        return [(s.elements, s.text, s.index, s.offset, s.line, s.column, s.st02, s.delimiters)
                for s in iter_segments(io.BytesIO(data), chunk_size=chunk_size)]

    reference = shape(1 << 20)
    monkeypatch.setattr(tokenizer, "SPLIT_MEMO", 2)
    assert shape(1 << 20) == reference
    assert shape(97) == reference


@counts_splits
def test_a_long_text_is_not_remembered(monkeypatch):
    """Only short texts are kept (SPLIT_MEMO_TEXT): a memo of long segments would hold megabytes."""
    note = b"NTE*ADD*" + b"X" * 300 + b"~"
    data = STAR_ISA + note * 20 + b"IEA*1*1~"
    calls, count = _splits(data)
    assert count == 22 and calls >= 20  # every long NTE split again
    monkeypatch.setattr(tokenizer, "SPLIT_MEMO_TEXT", 1000)
    calls, count = _splits(data)
    assert count == 22 and calls < 10  # the same text, allowed: split once


@pytest.mark.parametrize("eol", [b"", b"\n", b"\r\n"])
def test_an_st_text_seen_again_still_starts_its_transaction(eol, monkeypatch):
    """An ST is never remembered (its text is split each time, so only a split text can be one): a
    transaction whose ST repeats an earlier one's text still gets its own ST02, as in the general loop."""
    body = [b"REF*EI*1~", b"DTP*472*D8*20260101~"]
    data = STAR_ISA + eol + eol.join(
        [b"ST*837*0001~", *body, b"SE*4*0001~", b"ST*837*0002~", *body, b"SE*4*0002~",
         b"ST*837*0001~", *body, b"SE*4*0001~", b"IEA*1*1~"]) + eol

    def shape():
        return [(s.elements[0], s.st02, s.line, s.column, s.offset) for s in iter_segments(io.BytesIO(data))]

    short = shape()
    assert [st02 for sid, st02, *_ in short if sid == "REF"] == ["0001", "0002", "0001"]
    monkeypatch.setattr(tokenizer, "_clean", lambda window, term: False)
    monkeypatch.setattr(tokenizer, "_lined", lambda window, term: None)
    assert shape() == short
