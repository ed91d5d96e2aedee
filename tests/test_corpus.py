"""Every file of the shared real-world corpus (../shared/corpus/real) gets the right kind of answer.

837P 005010X222A1 files with a sound ISA lint; every other transaction, guide or version is refused
with a message that names it; broken or missing ISAs are refused clearly; nothing raises. Claim and
service-line counts are checked against what SOURCES.md says each file holds. Skips when the corpus
folder is absent.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CORPUS

EDI_LINT = str(Path(sys.executable).with_name("edi-lint"))

# Files that claim 005010X222A1 but whose ISA cannot be read: refused, and the message says why.
BROKEN_ISA = {
    "imsweb-x12-parser__837p_x222a1_invalid_bad_isa.txt": ("broken ISA", "ISA02"),
    "imsweb-x12-parser__837p_x222a1_invalid_no_isa.txt": ("no ISA",),
    "slott56-tigershark__837p_4010_unpadded_isa.txt": ("broken ISA", "padded"),
}
# Key words the refusal message must contain, by the kind of file the name says it is. Checked in
# order; the first matching pattern wins.
REFUSALS = [
    ("4010_deidentified", ("unsupported version", "999999X999X9")),  # version fields masked
    ("_835_4010", ("835", "004010X091A1")),
    ("_835_", ("835", "remittance")),
    ("_270_", ("270", "eligibility")),
    ("_837i_", ("837I", "institutional")),
    ("_837d_", ("837D", "dental")),
    ("_837_x298_", ("X298", "not a claim")),
    ("_x222a2_", ("X222A2",)),
    ("_837p_x222_", ("005010X222", "X222A1")),
    ("_4010_", ("4010", "837P")),
]


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.iterdir()
                  if p.is_file() and p.name != "SOURCES.md" and not p.name.startswith("."))


def expected_kind(name: str) -> tuple[str, tuple[str, ...]]:
    if name in BROKEN_ISA:
        return "error", BROKEN_ISA[name]
    for pattern, words in REFUSALS:
        if pattern in name:
            return "error", words
    assert "_837p_x222a1_" in name, f"corpus file of unknown kind: {name}"
    return "linted", ()


def sources_counts() -> dict[str, tuple[int | None, int | None]]:
    """(claims, SV1 lines) per file, read from the Contents column of SOURCES.md."""
    counts = {}
    for row in (CORPUS / "SOURCES.md").read_text("utf-8").splitlines():
        match = re.match(r"\| `([^`]+)` \|", row)
        if not match:
            continue
        contents = row.split(" | ")[5]
        claims = re.search(r"\b(\d[\d,]*) claims?\b", contents)
        lines = re.search(r"\b(\d[\d,]*) SV1\b", contents)
        counts[match.group(1)] = tuple(int(m.group(1).replace(",", "")) if m else None for m in (claims, lines))
    return counts


def test_the_corpus_is_what_sources_lists(corpus):
    names = {p.name for p in corpus_files()}
    assert names == set(sources_counts()), names ^ set(sources_counts())
    assert len(names) == 40


@pytest.mark.parametrize("name", [p.name for p in corpus_files()] or ["<no corpus>"])
def test_corpus_file_outcome(corpus, linter, name):
    path = corpus / name
    status, words = expected_kind(name)
    result = linter.lint_path(path)  # must not raise
    assert result.status == status, (result.status, result.error)
    if status == "linted":
        assert result.error is None
        assert result.claims >= 1
        return
    message = result.error
    assert message and "\n" not in message
    assert not message.startswith("internal error"), message
    for word in words:
        assert word in message, (word, message)
    assert result.claims == 0 and not result.findings


def test_claim_and_line_counts_match_sources(corpus, linter):
    """Spot the big and many-envelope files by name, then every count SOURCES.md states."""
    counts = sources_counts()
    spot = {
        "imsweb-x12-parser__837p_x222a1_many_claims.txt": 820,
        "imsweb-x12-parser__837p_x222a1_complex.txt": 6,
        "imsweb-x12-parser__837p_x222a1_multiple_isa.txt": 4,
        "imsweb-x12-parser__837p_x222a1_multiple_gs.txt": 6,
    }
    for name, claims in spot.items():
        assert counts[name][0] == claims
        assert linter.lint_path(corpus / name).claims == claims, name
    checked = 0
    for path in corpus_files():
        if expected_kind(path.name)[0] != "linted":
            continue
        claims, lines = counts[path.name]
        result = linter.lint_path(path)
        if claims is not None:
            assert result.claims == claims, path.name
            checked += 1
        if lines is not None:
            assert result.service_lines == lines, path.name
    assert checked >= 20


def test_corpus_messages_are_distinct_per_kind(corpus, linter):
    """A refusal names the file's own transaction or guide, never a generic 'not X12'."""
    for path in corpus_files():
        result = linter.lint_path(path)
        if result.status == "error":
            assert not result.error.startswith(("not X12", "empty file", "internal error")), (path.name,
                                                                                             result.error)


def test_cli_over_the_whole_corpus(corpus):
    """One run over every corpus file: every input is listed, unsupported ones make the exit code 2."""
    files = [str(p) for p in corpus_files()]
    run = subprocess.run([EDI_LINT, "--format", "json", *files], capture_output=True, timeout=120)
    assert run.returncode == 2, run.stderr
    assert b"Traceback" not in run.stderr
    doc = json.loads(run.stdout)
    assert [f["path"] for f in doc["files"]] == files
    for entry in doc["files"]:
        name = Path(entry["path"]).name
        assert entry["status"] == expected_kind(name)[0], (name, entry["error"])
        assert (entry["error"] is None) == (entry["status"] == "linted")
    # Directory expansion picks up only *.837, *.x12 and *.edi; those are all listed too.
    run_dir = subprocess.run([EDI_LINT, "--format", "json", str(corpus)], capture_output=True, timeout=120)
    assert run_dir.returncode == 2
    listed = [f["path"] for f in json.loads(run_dir.stdout)["files"]]
    assert listed == sorted(str(p) for p in corpus_files() if p.suffix in (".837", ".x12", ".edi"))
