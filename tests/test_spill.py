"""Findings written to a temporary file (spill.py) come back exactly as if they had been held.

Every fixture and generated file is linted twice, once holding all its findings (a threshold no file
reaches) and once spilling them after every few: findings, claim verdicts and every streamed report
must be the same, byte for byte.
"""

from __future__ import annotations

import io
import os
import pickle
import re

import pytest

from conftest import CORPUS, FIXTURES, bench_module
from edi_lint.application import build_linter
from edi_lint.findings import Finding, Severity
from edi_lint.report import render
from edi_lint.settings import Settings
from edi_lint.spill import FindingSpill, SpilledFindings

FORMATS = ("json", "jsonl", "sarif", "text", "full", "concise", "github", "junit")


def generated(claims: int = 120) -> bytes:
    """A batch where every 97026 line has a seeded defect, and some rendering providers (inside
    claims) have a bad NPI check digit or taxonomy: file-rule findings that wait for their claim."""
    buffer = io.StringIO()
    bench_module("gen837").generate(buffer, claims, seed=3, defect_rate=1.0)
    count = 0

    def spoil(match):
        nonlocal count
        count += 1
        text = match.group(0)
        if count % 3 == 0:  # NPI check digit
            return text[:-1] + str((int(text[-1]) + 1) % 10)
        return text

    text = re.sub(r"NM1\*82\*1\*[^~]*\*XX\*\d{10}", spoil, buffer.getvalue())
    text = re.sub(r"(PRV\*PE\*PXC\*)225100000X", lambda m: m.group(1) + "2251X", text, count=7)
    return text.encode()


def lint_both(data: bytes, name: str, settings: Settings | None = None, every: int = 3):
    """The file's result holding every finding, and spilling after `every` findings."""
    held_linter = build_linter(settings or Settings())
    held_linter.spill_after = 10**12
    spilling = build_linter(settings or Settings())
    spilling.spill_after = every
    return held_linter.lint_bytes(data, name), spilling.lint_bytes(data, name)


def assert_same(held, spilled, infos) -> None:
    assert spilled.status == held.status and spilled.error == held.error
    assert list(spilled.findings) == list(held.findings)
    assert len(spilled.findings) == len(held.findings)
    assert spilled.verdicts == held.verdicts
    assert spilled.summary() == held.summary()
    for fmt in FORMATS:
        assert render(fmt, [spilled], infos) == render(fmt, [held], infos), fmt


def inputs():
    files = sorted(FIXTURES.glob("*.837"))
    if CORPUS.is_dir():
        files += sorted(p for p in CORPUS.iterdir() if p.suffix == ".txt")
    return files


@pytest.mark.parametrize("path", inputs(), ids=lambda p: p.name)
def test_fixtures_spilled_or_held_give_the_same_output(path):
    held, spilled = lint_both(path.read_bytes(), path.name, every=1)
    assert_same(held, spilled, build_linter(Settings()).infos)


def test_a_batch_with_many_findings_spilled_or_held_gives_the_same_output():
    data = generated()
    held, spilled = lint_both(data, "batch.837")
    assert isinstance(spilled.findings, SpilledFindings) and isinstance(held.findings, list)
    assert len(held.findings) > 200
    codes = {f.rule for f in held.findings}
    assert {"PT001", "CS001", "CS002"} <= codes  # line rules and file rules inside claims
    assert_same(held, spilled, build_linter(Settings()).infos)


def test_claim_verdicts_and_per_file_ignores_are_the_same_when_spilled(tmp_path):
    settings = Settings(collect_verdicts=True, per_file_ignores=(("*.837", str(tmp_path), ("PT002", "CS001")),))
    data = generated(80)
    held, spilled = lint_both(data, str(tmp_path / "batch.837"), settings, every=5)
    assert isinstance(spilled.findings, SpilledFindings)
    assert not any(f.rule in ("PT002", "CS001") for f in spilled.findings)
    assert any(not v.accepted for v in held.verdicts) and any(v.accepted for v in held.verdicts)
    assert_same(held, spilled, build_linter(settings).infos)


def test_a_small_file_keeps_a_plain_list():
    result = build_linter(Settings()).lint_path(FIXTURES / "sample.837")
    assert type(result.findings) is list


def _finding(n: int, segment: int, message: str = "m", claim: int | None = 1) -> Finding:
    return Finding(rule="PT001", name="x", severity=Severity.ERROR, message=message, path="f.837",
                   segment_index=segment, claim_segment_index=claim)


def test_ties_keep_discovery_order_as_a_stable_sort_does():
    findings = [_finding(n, segment=n % 4, message=f"m{n}", claim=None if n % 7 == 0 else 1) for n in range(60)]
    spill, pending, want = FindingSpill(), [], sorted(findings, key=Finding.sort_key)
    for n, finding in enumerate(findings):
        pending.append(finding)
        if n % 9 == 8:
            spill.spill(pending)
    spill.take_back(pending)
    got = spill.finish(pending)
    assert spill.held == [] and len(got) == 60
    assert list(got) == want
    assert [f.message for f in got] == [f.message for f in want]


def test_spilled_findings_read_like_a_list():
    findings = [_finding(n, segment=60 - n) for n in range(50)]
    spill, pending = FindingSpill(), list(findings)
    spill.spill(pending)
    got = spill.finish([])
    want = sorted(findings, key=Finding.sort_key)
    assert list(got) == want and list(got) == want  # read twice
    assert got[0] == want[0] and got[-3:] == want[-3:] and got == want and len(got) == 50 and got
    assert list(reversed(got)) == want[::-1]
    assert pickle.loads(pickle.dumps(got)) == want  # --jobs sends results between processes


@pytest.mark.skipif(os.name != "posix", reason="an unnamed temporary file is a POSIX feature")
def test_the_spill_file_has_no_name():
    spill, pending = FindingSpill(), [_finding(n, n) for n in range(3)]
    spill.spill(pending)
    assert isinstance(spill.file.name, int)  # a file descriptor: no path on disk holds the findings


class Text(str):
    """A str subclass, as a plugin might put in a finding: marshal refuses it, so the block is pickled."""


def test_values_marshal_cannot_write_are_pickled():
    findings = [Finding(rule="PT001", name="x", severity=Severity.WARNING, message=Text(f"m{n}"), path="f.837",
                        segment_index=9 - n, claim_segment_index=1, expected=Text("e")) for n in range(5)]
    spill, pending = FindingSpill(), list(findings)
    spill.spill(pending)
    got = list(spill.finish([]))
    assert got == sorted(findings, key=Finding.sort_key) and type(got[0].message) is Text


def test_a_full_disk_fails_the_file_not_the_run(monkeypatch):
    import tempfile

    class Full(io.BytesIO):
        def write(self, data):
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "TemporaryFile", Full)
    linter = build_linter(Settings())
    linter.spill_after = 5
    result = linter.lint_bytes(generated(40), "batch.837")
    assert result.status == "error" and "cannot write findings to a temporary file: No space left" in result.error
    assert render("json", [result], linter.infos)  # what it holds can still be reported
