"""The engine's reading loop (`DocumentReader.read`: tokenizer batches walked and grouped in one loop,
with the IG validator fed from it) must give exactly what the plain stages give: the tokenizer's
segments, walked one by one by `LoopWalker.walk` (feeding its own validator), grouped by
`DocumentReader.claims`. Claims, their segments and loops, levels, headers, what the structure
noticed, the validator's issues and any error, over the fixtures, the corpus, a generated file with
and without line breaks and a few hundred mutants, read whole and in small chunks.
"""

from __future__ import annotations

import io
import random

import pytest

from conftest import CORPUS, FIXTURES
from edi_lint.document import DocumentReader
from edi_lint.x12.tokenizer import X12Error, iter_batches, iter_segments
from edi_lint.x12.validator import Validator
from edi_lint.x12.walker import LoopWalker
from test_differential import _mutate, _seed_files


def _indexes(segments) -> list:
    return [(seg.index, seg.loop) for seg in segments] if segments is not None else None


def _level(context) -> tuple | None:
    return None if context is None else (context.hl.index, _indexes(context.segments))


def _claim(claim) -> tuple:
    header = claim.header
    return (_indexes(claim.segments), list(claim._line_starts), _level(claim.billing), _level(claim.subscriber),
            _level(claim.patient), header.isa.index, header.gs.index if header.gs else None,
            header.st.index if header.st else None, _indexes(header.segments))


def _outcome(reader: DocumentReader, claims, validator: Validator) -> tuple:
    shape = []
    error = None
    try:
        for claim in claims:
            shape.append(_claim(claim))
    except X12Error as raised:
        error = (type(raised).__name__, str(raised))
    structure = reader.structure
    incomplete = structure.incomplete_claim
    issues = [(i.code, i.message, i.seg.index if i.seg is not None else None, i.segment, i.element, i.loop,
               i.claim_id) for i in validator.finish()] if error is None else None
    return (shape, error, _indexes(structure.unexpected), structure.unexpected_count,
            structure.last_unexpected.index if structure.last_unexpected else None,
            _indexes(structure.open_envelopes), _claim(incomplete) if incomplete else None, issues,
            validator.failed)


def _staged(data: bytes, chunk_size: int) -> tuple:
    walker = LoopWalker()
    validator = Validator(walker.root)
    try:
        segments = walker.walk(iter_segments(io.BytesIO(data), chunk_size), validator)
        reader = DocumentReader(segments)
        return _outcome(reader, reader.claims(), validator)
    except X12Error as error:  # no ISA: before the first segment
        return ("refused", str(error))


def _fused(data: bytes, chunk_size: int) -> tuple:
    walker = LoopWalker()
    validator = Validator(walker.root)
    try:
        reader = DocumentReader()
        return _outcome(reader, reader.read(iter_batches(io.BytesIO(data), chunk_size), walker, validator),
                        validator)
    except X12Error as error:
        return ("refused", str(error))


def assert_same(data: bytes, label: str) -> None:
    for chunk_size in (1 << 20, 61):
        assert _fused(data, chunk_size) == _staged(data, chunk_size), (label, chunk_size)


def _fixtures():
    return [(p.name, p.read_bytes()) for p in sorted(FIXTURES.iterdir()) if p.suffix in (".837", ".x12", ".edi")]


@pytest.mark.parametrize("name, data", _fixtures(), ids=lambda v: v if isinstance(v, str) else "")
def test_reading_loop_equals_the_stages_on_fixtures(name, data):
    assert_same(data, name)


def test_reading_loop_equals_the_stages_on_the_corpus(corpus):
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() in (".837", ".x12", ".edi", ".txt"))
    assert files
    for path in files:
        assert_same(path.read_bytes(), path.name)


def test_reading_loop_equals_the_stages_on_mutants():
    rng = random.Random(9)
    seeds = _seed_files()
    for n, seed in enumerate(seeds):
        assert_same(seed, f"seed {n}")
    for n in range(300):
        assert_same(_mutate(seeds[n % len(seeds)], rng), f"mutant {n}")


def test_reading_loop_stops_an_endless_claim_like_the_stages(monkeypatch):
    """The memory bounds hold in the short paths too: a claim or a level past MAX_HELD segments."""
    import edi_lint.document as document

    monkeypatch.setattr(document, "MAX_HELD", 40)
    clean = (FIXTURES / "clean.837").read_bytes()
    assert b"\nLX*1~" in clean and b"\nN3*27 " in clean
    endless_claim = clean.replace(b"\nLX*1~", b"\n" + b"NTE*ADD*MORE~\n" * 60 + b"LX*1~", 1)
    endless_level = clean.replace(b"\nN3*27 ", b"\n" + b"REF*SY*123456789~\n" * 60 + b"N3*27 ", 1)
    for data in (endless_claim, endless_level):
        fused = _fused(data, 1 << 20)
        assert fused[1] is not None and "has more than 40 segments" in fused[1][1]
        assert fused == _staged(data, 1 << 20)


def _segments(data: bytes, chunk_size: int) -> list:
    return [(s.elements, s.index, s.offset, s.line, s.column, s.st02, s.delimiters, s.loop)
            for s in iter_segments(io.BytesIO(data), chunk_size)]


def _line_break_variants() -> list[tuple[str, bytes]]:
    """Files with a line break after every segment (LF and CR LF), several interchanges, and the
    near misses the short path must leave to the general loop."""
    seeds = _seed_files()
    lined = seeds[1]  # generated with a line break after every segment
    assert lined.count(b"~\n") > 20
    clean = (FIXTURES / "clean.837").read_bytes()
    one_line = seeds[0]
    return [
        ("lf", lined), ("crlf", lined.replace(b"\n", b"\r\n")), ("two interchanges", lined + clean),
        ("one-line then lined", one_line + lined), ("lined then one-line", lined + one_line),
        ("a blank line", lined.replace(b"~\nCLM", b"~\n\nCLM", 1)), ("indented", lined.replace(b"~\nNM1", b"~\n  NM1")),
        ("a stray CR", lined.replace(b"~\nCLM", b"~\r\nCLM", 1)), ("a break inside", lined.replace(b"CLM*", b"CLM*\n", 1)),
        ("an empty segment", lined.replace(b"~\nCLM", b"~\n~\nCLM", 1)), ("bare IEA", lined.replace(b"\nIEA*1*", b"\nIEA~\nX*")),
        ("leading blank lines", b"\n\n" + lined), ("no final break", lined.rstrip(b"\n")),
        # a segment after a blank (tab, BOM) on the line of the one before: the line breaks still follow terminators
        ("a blank after a terminator", lined.replace(b"~\nCLM", b"~ CLM", 1)),
        ("a tab after a terminator", lined.replace(b"~\nNM1", b"~\tNM1", 1)),
        ("a BOM after a terminator", lined.replace(b"~\nCLM", b"~\xef\xbb\xbfCLM", 1)),
    ]


@pytest.mark.parametrize("name, data", _line_break_variants(), ids=lambda v: v if isinstance(v, str) else "")
def test_line_break_short_path_equals_the_general_loop(name, data, monkeypatch):
    """The tokenizer's short path for a line break after every segment gives the segments, places and
    offsets of its general loop, at every chunk size that cuts the file differently."""
    from edi_lint.x12 import tokenizer

    for chunk_size in (7, 61, 1 << 20):
        fast = _segments(data, chunk_size)
        with monkeypatch.context() as patch:
            patch.setattr(tokenizer, "_lined", lambda window, term: None)
            assert _segments(data, chunk_size) == fast, (name, chunk_size)


def test_line_break_short_path_is_taken(monkeypatch):
    from edi_lint.x12 import tokenizer

    taken = []
    real = tokenizer._lined

    def spy(window, term):
        found = real(window, term)
        taken.append(found)
        return found

    monkeypatch.setattr(tokenizer, "_lined", spy)
    data = dict(_line_break_variants())
    _segments(data["lf"], 1 << 20)
    _segments(data["crlf"], 1 << 20)
    assert "\n" in taken and "\r\n" in taken


@pytest.mark.parametrize("limit", [255, 256, 257, 300, 511, 600, 690, 700, 705, 710, 760, 2000])
def test_reading_loop_stops_a_long_claim_or_level_where_the_stages_do(limit, monkeypatch):
    """The reading loop tests a list's length after an append only in a batch where it could pass
    MAX_HELD; across batches (BATCH segments each) it must stop at the segment the stages stop at, or
    not at all, whichever batch the claim or level begins in."""
    import edi_lint.document as document

    monkeypatch.setattr(document, "MAX_HELD", limit)
    clean = (FIXTURES / "clean.837").read_bytes()
    long_claim = clean.replace(b"\nLX*1~", b"\n" + b"NTE*ADD*MORE~\n" * 700 + b"LX*1~", 1)
    long_level = clean.replace(b"\nN3*27 ", b"\n" + b"REF*SY*123456789~\n" * 700 + b"N3*27 ", 1)
    for lead in (0, 100, 200):  # unexpected segments before the first HL: where in a batch the rest falls
        for data in (long_claim, long_level):
            data = data.replace(b"\nHL*", b"\n" + b"NTE*ADD*LEAD~\n" * lead + b"HL*", 1)
            assert _fused(data, 1 << 20) == _staged(data, 1 << 20), (limit, lead)


def _one_line_junk_variants() -> list[tuple[str, bytes]]:
    """One-line files (no line breaks) with the junk the one-line short path leaves to the general
    loop: empty segments and segments led by blanks or tabs, after segments it has seen before."""
    one_line = _seed_files()[0]
    assert b"\n" not in one_line.rstrip(b"\n") and one_line.count(b"~NM1") > 5
    lined = _seed_files()[1]  # a line break after every segment
    assert lined.count(b"~\nNM1*") > 5
    # a blank-led text the line-break path hands out as it is: were it remembered, the one-line path
    # would hand it out unstripped too, where the general loop strips it
    blank_led = lined.replace(b"~\nNM1*", b"~ NM1*")
    return [
        ("an empty segment", one_line.replace(b"~CLM", b"~~CLM", 1)),
        ("a blank-led segment", one_line.replace(b"~NM1", b"~ NM1", 3)),
        ("a tab-led segment", one_line.replace(b"~DTP", b"~\tDTP", 2)),
        ("blanks only", one_line.replace(b"~LX", b"~  ~LX", 1)),
        ("junk first", one_line.replace(b"~GS", b"~ ~GS", 1)),
        ("line-break file first", blank_led + lined.replace(b"~\n", b"~").replace(b"~NM1*", b"~ NM1*")),
    ]


@pytest.mark.parametrize("name, data", _one_line_junk_variants(), ids=lambda v: v if isinstance(v, str) else "")
def test_one_line_short_path_equals_the_general_loop(name, data, monkeypatch):
    """The short path for one line of segments stops at the first piece it has not seen before that is
    empty or led by blank space, and the general loop takes the rest: the same segments, places and
    offsets as the general loop alone, at every chunk size that cuts the file differently."""
    from edi_lint.x12 import tokenizer

    taken = []
    real = tokenizer._clean

    def spy(window, term):
        found = real(window, term)
        taken.append(found)
        return found

    for chunk_size in (7, 61, 1 << 20):
        with monkeypatch.context() as patch:
            patch.setattr(tokenizer, "_clean", spy)
            fast = _segments(data, chunk_size)
        with monkeypatch.context() as patch:
            patch.setattr(tokenizer, "_clean", lambda window, term: False)
            assert _segments(data, chunk_size) == fast, (name, chunk_size)
    assert True in taken  # the short path met the junk (a window with it is not refused whole)
