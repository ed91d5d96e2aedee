"""The same input gives the same findings however it arrives.

Read whole (`lint_bytes`), streamed a few bytes at a time (a pipe or socket returns fewer bytes than
asked), piped through standard input (`edi-lint -`), or linted in worker processes (`--jobs 2`):
findings, locations and per-file results must not change.
"""

from __future__ import annotations

import io
import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CORPUS, FIXTURES, REPO

EDI_LINT = str(Path(sys.executable).with_name("edi-lint"))
FIXTURE_FILES = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".837", ".x12", ".edi"))
# A few corpus files that stress the tokenizer: large, BOM + indentation, CR terminator, odd delimiters,
# several interchanges; plus two that must fail (unsupported, broken ISA).
CORPUS_NAMES = [
    "imsweb-x12-parser__837p_x222a1_many_claims.txt",
    "imsweb-x12-parser__837p_x222a1_multiple_isa.txt",
    "imsweb-x12-parser__837p_x222a1_valid_different_separators.txt",
    "inteligenz-x12parser__837p_x222a1_medicaid_indented_masked.txt",
    "inteligenz-x12parser__837p_x222a1_st1309_cr_terminator.txt",
    "inteligenz-x12parser__270_x279_0x1d_terminator.txt",
    "imsweb-x12-parser__837p_x222a1_invalid_bad_isa.txt",
    "kputnam-stupidedi__837p_x222a1_cob_payer_a_to_payer_b.edi",
]


class TrickleStream(io.RawIOBase):
    """A binary stream whose read() returns at most `most` bytes, whatever size is asked for."""

    def __init__(self, data: bytes, most: int):
        self._data, self._pos, self._most = data, 0, most

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        count = self._most if size is None or size < 0 else min(size, self._most)
        chunk = self._data[self._pos : self._pos + count]
        self._pos += len(chunk)
        return chunk


def outcome(result) -> tuple:
    return (result.status, result.error, result.claims, result.service_lines,
            [f.to_dict() for f in result.findings])


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return [CORPUS / name for name in CORPUS_NAMES if (CORPUS / name).exists()]


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("most", [1, 7, 100])
def test_trickled_stream_equals_whole_read_fixtures(linter, path, most):
    data = path.read_bytes()
    whole = outcome(linter.lint_bytes(data, "x"))
    assert whole[0] == "linted"
    assert outcome(linter.lint_stream(TrickleStream(data, most), "x")) == whole


def test_trickled_stream_equals_whole_read_corpus(linter, corpus):
    files = corpus_files()
    assert files
    for path in files:
        data = path.read_bytes()
        whole = outcome(linter.lint_bytes(data, "x"))
        assert outcome(linter.lint_stream(TrickleStream(data, 7), "x")) == whole, path.name


def _delimiter_pairs():
    variants = [p for p in FIXTURE_FILES if p.name.startswith("delims_")] + [FIXTURES / "clean.837"]
    return list(itertools.permutations(variants, 2))


@pytest.mark.parametrize("pair", _delimiter_pairs(), ids=lambda pr: f"{pr[0].stem}+{pr[1].stem}")
def test_interchanges_with_other_delimiters_stream_alike(linter, pair):
    """Regression: after an IEA the next ISA's delimiters were only read when 106 bytes of it were
    already in the buffer, and when the IEA ended a chunk a stray terminator was glued in front of the
    rest. A short read (or an IEA near a 1 MB chunk boundary) then split the second interchange with
    the first one's delimiters and lost its claims."""
    first, second = pair
    data = first.read_bytes() + second.read_bytes()
    alone = [linter.lint_bytes(p.read_bytes(), "x") for p in pair]
    whole = linter.lint_bytes(data, "x")
    assert whole.status == "linted", whole.error
    assert whole.claims == sum(r.claims for r in alone)
    # the fixtures share control numbers, so the joined file repeats ISA13/GS06/ST02 (IG125/IG156/IG223)
    duplicates = {"IG125", "IG156", "IG223"}
    assert sorted((f.rule, f.claim_id, f.line_number) for f in whole.findings if f.rule not in duplicates) == sorted(
        (f.rule, f.claim_id, f.line_number) for r in alone for f in r.findings
    )
    for most in (1, 7, 64):
        assert outcome(linter.lint_stream(TrickleStream(data, most), "x")) == outcome(whole), most


def test_every_chunk_size_gives_the_same_segments():
    """The tokenizer's own chunking: every chunk size from 1 to 300 bytes, on a file with three
    interchanges in three delimiter sets, yields the same segments at the same places."""
    from edi_lint.x12.tokenizer import iter_segments

    names = ("delims_pipe.837", "delims_exotic.x12", "delims_crlf.837")
    data = b"".join((FIXTURES / name).read_bytes() for name in names)

    def shape(chunk_size):
        return [(s.elements, s.index, s.offset, s.line, s.column, s.st02, s.delimiters)
                for s in iter_segments(io.BytesIO(data), chunk_size=chunk_size)]

    reference = shape(1 << 20)
    assert len({s[6] for s in reference}) == 3
    for size in range(1, 301):
        assert shape(size) == reference, size


def _cli(*args: str, stdin: bytes | None = None, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([EDI_LINT, *args], input=stdin, capture_output=True, cwd=cwd, timeout=120)


def _without_path(findings: list[dict]) -> list[dict]:
    return [{k: v for k, v in f.items() if k != "path"} for f in findings]


def test_stdin_equals_file(linter):
    paths = FIXTURE_FILES + corpus_files()
    for path in paths:
        data = path.read_bytes()
        run = _cli("--format", "json", "-", stdin=data)
        assert run.returncode in (0, 1, 2), run.stderr
        assert b"Traceback" not in run.stderr
        doc = json.loads(run.stdout)
        expected = linter.lint_bytes(data, "-")
        assert _without_path(doc["findings"]) == _without_path(
            [f.to_dict() | {"severity": f.severity.label} for f in expected.findings]
        ), path.name
        (entry,) = doc["files"]
        assert entry["path"] == "-"
        assert (entry["status"], entry["error"], entry["claims"], entry["service_lines"]) == (
            expected.status, expected.error, expected.claims, expected.service_lines), path.name


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_jobs_output_equals_serial(fmt):
    serial = _cli("--format", fmt, "fixtures")
    parallel = _cli("--format", fmt, "--jobs", "2", "fixtures")
    assert serial.returncode == parallel.returncode == 1
    assert serial.stdout and serial.stdout == parallel.stdout
    assert b"Traceback" not in serial.stderr + parallel.stderr


def test_jobs_output_equals_serial_on_corpus(corpus):
    files = sorted(str(p) for p in corpus.iterdir() if p.name != "SOURCES.md")
    serial = _cli("--format", "json", *files)
    parallel = _cli("--format", "json", "--jobs", "3", *files)
    assert serial.returncode == parallel.returncode == 2
    assert serial.stdout == parallel.stdout
