"""The tokenizer's segments are made by a subclass of Segment that skips `__init__` (`_Tokenized`): to
rules and plugins they must be Segments like any other, whichever of the tokenizer's loops made them."""

from __future__ import annotations

import copy
import io
import pickle

import pytest

from conftest import FIXTURES
from edi_lint.x12.tokenizer import Segment, iter_segments

CLEAN = (FIXTURES / "clean.837").read_bytes()
SHAPES = {
    "one line": CLEAN,  # the short loop for clean text
    "a line each": CLEAN.replace(b"~", b"~\r\n"),  # the short loop for a line break after every segment
    "blank space": CLEAN.replace(b"~", b"~ \n\n"),  # the general loop
}


def _fields(seg: Segment) -> tuple:
    return (seg.elements, seg.index, seg.offset, seg.place, seg.delimiters, seg.loop, seg.text, seg.line,
            seg.column, seg.st02, seg.id, repr(seg))


@pytest.mark.parametrize("shape", SHAPES)
def test_tokenized_segments_are_segments(shape):
    segments = list(iter_segments(io.BytesIO(SHAPES[shape])))
    assert len(segments) > 20
    for seg in segments:
        assert isinstance(seg, Segment)
        assert seg.loop is None  # not walked
        assert seg.text is not None and seg.text.split(seg.delimiters.element) == seg.elements
        made = Segment(list(seg.elements), seg.index, seg.offset, seg.place, seg.delimiters, seg.text)
        assert _fields(made) == _fields(seg)
        assert _fields(copy.copy(seg)) == _fields(seg)
        assert _fields(pickle.loads(pickle.dumps(seg))) == _fields(seg)
    assert len({type(seg) for seg in segments}) == 1  # one class per run: attribute reads stay specialized


def test_a_plugin_may_change_any_attribute():
    seg = next(iter(iter_segments(io.BytesIO(CLEAN))))
    for name in Segment.__slots__:
        setattr(seg, name, getattr(seg, name))
    seg.loop = "2300"
    seg.elements = ["ISA", "changed"]
    assert (seg.loop, seg.get(1), seg.id) == ("2300", "changed", "ISA")
