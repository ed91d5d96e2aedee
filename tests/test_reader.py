"""The reader's shortcuts give what the plain computation gives.

Segments keep a byte offset and a shared Place instead of their own line and column; the walker
remembers its answers in a table per map node; the engine counts service lines without building
them when no rule reads a line. Each is checked here against a reference computed another way.
"""

from __future__ import annotations

import io

import pytest

from conftest import FIXTURES
from edi_lint.x12.tokenizer import iter_segments

FIXTURE_FILES = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".837", ".x12", ".edi"))


def _one_line_and_junk_variants() -> list[tuple[str, bytes]]:
    """Clean one-line files (the tokenizer's short loop), the same with a newline after every
    segment, with indentation, and with two interchanges in other delimiters (the general loop)."""
    clean = (FIXTURES / "clean.837").read_bytes()
    pipe = clean.replace(b"*", b"|").replace(b"~", b"!")
    return [
        ("one line", clean),
        ("newline after each", clean.replace(b"~", b"~\n")),
        ("crlf and indent", clean.replace(b"~", b"~\r\n  ")),
        ("two interchanges", clean + pipe + b"\n" + clean),
        ("blank lines inside", clean.replace(b"~CLM", b"~\n\n\nCLM")),
    ]


def _inputs():
    return [(p.name, p.read_bytes()) for p in FIXTURE_FILES] + _one_line_and_junk_variants()


@pytest.mark.parametrize("chunk_size", [7, 1 << 20])
@pytest.mark.parametrize("name, data", _inputs(), ids=lambda v: v if isinstance(v, str) else "")
def test_line_column_and_transaction_match_a_count_from_the_offset(name, data, chunk_size):
    """Line and column are those of the segment's byte offset in the file, counted in the raw bytes;
    ST02 is that of the last ST at or before the segment."""
    st02 = None
    segments = list(iter_segments(io.BytesIO(data), chunk_size=chunk_size))
    assert segments
    for seg in segments:
        offset = seg.offset
        assert data[offset : offset + len(seg.elements[0])].decode("latin-1") == seg.elements[0]
        line = data.count(b"\n", 0, offset) + 1
        column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
        assert (seg.line, seg.column) == (line, column), (name, seg.index)
        if seg.elements[0] == "ST":
            st02 = seg.elements[2] if len(seg.elements) > 2 else ""
        assert seg.st02 == st02, (name, seg.index)


def _loops(data: bytes, walker) -> list:
    return [(seg.index, seg.loop) for seg in walker.walk(iter_segments(io.BytesIO(data)))]


@pytest.mark.parametrize("name, data", _inputs(), ids=lambda v: v if isinstance(v, str) else "")
def test_remembered_walk_equals_a_search_for_every_segment(name, data, monkeypatch):
    """The per-node tables give the loops a fresh search of the map gives each segment (a table
    limit of 0 empties the tables after every answer, so every segment is searched)."""
    from edi_lint.x12 import walker as walker_module

    remembered = _loops(data, walker_module.LoopWalker())
    remembered_again = _loops(data, walker_module.LoopWalker())  # now every answer comes from a table
    monkeypatch.setattr(walker_module._Tables, "LIMIT", 0)
    searched = _loops(data, walker_module.LoopWalker())
    assert remembered == remembered_again == searched
    assert sum(1 for _, loop in searched if loop is not None) > len(searched) / 2


def test_walker_tables_stay_bounded_on_endless_distinct_ids(monkeypatch):
    from edi_lint.x12 import walker as walker_module

    monkeypatch.setattr(walker_module._Tables, "LIMIT", 50)
    root = walker_module.grammar()
    tables = walker_module._Tables(root)
    monkeypatch.setitem(walker_module._tables, id(root), tables)
    clean = (FIXTURES / "clean.837").read_bytes()
    junk = b"".join(b"Z%03d*1~" % n for n in range(500))
    data = clean.replace(b"~CLM", b"~" + junk + b"CLM", 1)
    loops = _loops(data, walker_module.LoopWalker())
    assert sum(len(t) for t in tables.by_node.values()) <= 51
    assert [loop for _, loop in loops if loop is not None] == [
        loop for _, loop in _loops(clean, walker_module.LoopWalker()) if loop is not None]


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_service_lines_are_counted_without_line_rules(path):
    """With no line rule selected the engine does not build line views, but counts the same lines:
    the 2400 loops' LX segments."""
    from edi_lint.application import build_linter
    from edi_lint.engine import Settings
    from edi_lint.x12.walker import LoopWalker

    data = path.read_bytes()
    reading_only = build_linter(Settings(select=("ENV001",))).lint_bytes(data, "x")
    everything = build_linter(Settings(select=("ALL",), ignore=("IG",))).lint_bytes(data, "x")
    assert not build_linter(Settings(select=("ENV001",))).line_rules_any
    assert reading_only.service_lines == everything.service_lines
    if reading_only.status == "linted" and not reading_only.findings:  # every claim complete and linted
        lx = sum(1 for seg in LoopWalker().walk(iter_segments(io.BytesIO(data)))
                 if seg.elements[0] == "LX" and seg.loop == "2400")
        assert reading_only.service_lines == lx > 0
