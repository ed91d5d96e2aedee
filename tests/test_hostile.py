"""Hostile input: whatever bytes arrive, edi-lint answers in the same shape and never crashes or hangs.

Thousands of inputs, all deterministic (seeded mutations, hypothesis with derandomize=True):
truncation at every kind of boundary, flipped bytes, dropped / duplicated / swapped segments, wrong or
colliding delimiters, garbage before the ISA, NUL bytes, a 100 kB element, binary files, empty files,
an ISA and nothing else, a wrong version in GS08, digits that str.isdigit() accepts but int() refuses.
Seeds are the project's fixtures plus the shared real-world corpus when present.

For every input, in process (fast): no exception escapes, the status is `linted` or `error`, an error
is one line and never an "internal error" (that is a bug of ours), every finding message is one line,
the exit code is 0, 1 or 2, and a second run gives identical results. A smaller number of CLI runs
(subprocess) check exit codes, stderr without traceback, every input listed in the JSON `files`, and
byte-identical output across runs; pathological inputs run with a timeout and a memory ceiling.

Every crash, hang, unbounded growth or broken promise this suite found has a `test_regression_*`
test below (the streaming ones are in test_streaming.py); the commit that fixed each says how.
"""

from __future__ import annotations

import json
from collections import Counter
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, FIXTURES

EDI_LINT = str(Path(sys.executable).with_name("edi-lint"))
FIXTURE_FILES = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".837", ".x12", ".edi"))
SMALL_CORPUS = 40_000  # bytes: bigger corpus files are used for truncation only (time budget)
HANG_TIMEOUT_S = 900  # wall time of a command-line run: only a real hang reaches it, however loaded the machine


def _seeds() -> list[tuple[str, bytes]]:
    seeds = [(p.name, p.read_bytes()) for p in FIXTURE_FILES]
    if CORPUS.is_dir():
        for path in sorted(CORPUS.iterdir()):
            if path.is_file() and path.name != "SOURCES.md" and not path.name.startswith("."):
                data = path.read_bytes()
                if len(data) <= SMALL_CORPUS:
                    seeds.append((path.name, data))
    return seeds


SEEDS = _seeds()
SEED_BYTES = [data for _, data in SEEDS]
CLEAN = (FIXTURES / "clean.837").read_bytes()
ISA = CLEAN[:106]
assert ISA.startswith(b"ISA") and ISA.endswith(b"~")


# -- the invariants ---------------------------------------------------------------------------


def outcome(result) -> tuple:
    return (result.status, result.error, result.claims, result.service_lines,
            [f.to_dict() for f in result.findings])


def check(linter, data: bytes, label: str = "", twice: bool = True):
    """Lint `data` (`twice`: a second time, which must give the same answer) and assert every promise
    about the answer; return the result. The seeded loops lint every fourth input twice: determinism
    does not depend on the mutation, and the second lint doubles the suite's cost."""
    from edi_lint.application import exit_code
    from edi_lint.findings import Severity

    result = linter.lint_bytes(data, "hostile")
    where = f"{label}: {data[:120]!r}"
    assert result.status in ("linted", "error"), where
    if result.status == "error":
        message = result.error
        assert isinstance(message, str) and message, where
        assert "\n" not in message and "\r" not in message, (message, where)
        assert "Traceback" not in message, where
        assert not message.startswith("internal error"), (message, where)
    else:
        assert result.error is None, where
    for finding in result.findings:
        assert "\n" not in finding.message and "\r" not in finding.message, (finding, where)
        assert finding.rule and finding.severity in Severity
    assert result.claims >= 0 and result.service_lines >= 0
    code = exit_code([result])
    assert code in (0, 1, 2)
    assert (code == 2) == (result.status == "error")
    if twice:
        again = linter.lint_bytes(data, "hostile")
        assert outcome(again) == outcome(result), f"not deterministic: {where}"
    return result


# -- mutations (seeded) -----------------------------------------------------------------------


def terminator(data: bytes) -> bytes:
    at = data.find(b"ISA")
    return data[at + 105 : at + 106] if at >= 0 and len(data) > at + 106 else b"~"


def split_segments(data: bytes) -> tuple[list[bytes], bytes]:
    term = terminator(data)
    return data.split(term), term


def flip_bytes(rng, data):
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if buf:
            buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf)


def drop_segment(rng, data):
    parts, term = split_segments(data)
    if len(parts) > 2:
        del parts[rng.randrange(1, len(parts))]
    return term.join(parts)


def duplicate_segment(rng, data):
    parts, term = split_segments(data)
    i = rng.randrange(len(parts))
    parts.insert(i, parts[i])
    return term.join(parts)


def swap_segments(rng, data):
    parts, term = split_segments(data)
    i, j = rng.randrange(len(parts)), rng.randrange(len(parts))
    parts[i], parts[j] = parts[j], parts[i]
    return term.join(parts)


def wrong_delimiter(rng, data):
    """One ISA delimiter position (element, repetition, component, terminator) set to another character,
    often one of the other delimiters (colliding)."""
    at = data.find(b"ISA")
    if at < 0 or len(data) < at + 106:
        return data
    buf = bytearray(data)
    own = [buf[at + 3], buf[at + 82], buf[at + 104], buf[at + 105]]
    buf[at + rng.choice((3, 82, 104, 105))] = rng.choice(own + list(b"*:~^|>!\n\r A0\x00"))
    return bytes(buf)


def replace_delimiter_everywhere(rng, data):
    at = data.find(b"ISA")
    if at < 0 or len(data) < at + 106:
        return data
    old = bytes([data[at + rng.choice((3, 104, 105))]])
    return data.replace(old, rng.choice([b"*", b":", b"~", b"\n", b"|", b"^", b"A", b"\r\n", b""]))


def garbage_before_isa(rng, data):
    return rng.choice([rng.randbytes(rng.randrange(1, 300)), b"\x00" * rng.randrange(1, 50),
                       b"\n" * rng.randrange(1, 50), b"ISA", b"\xef\xbb\xbf\xef\xbb\xbf", b"GS*HC~"]) + data


def nul_bytes(rng, data):
    buf = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        buf.insert(rng.randrange(len(buf) + 1), 0)
    return bytes(buf)


def huge_element(rng, data):
    parts, term = split_segments(data)
    i = rng.randrange(len(parts))
    element = bytes([data[3]]) if len(data) > 3 else b"*"
    parts[i] = parts[i] + element + bytes([rng.choice(b"A9:^ \x00")]) * 100_000
    return term.join(parts)


def binary(rng, data):
    return rng.randbytes(rng.randrange(0, 4000))


def truncate(rng, data):
    return data[: rng.randrange(len(data) + 1)]


def wrong_version(rng, data):
    version = rng.choice([b"004010X098A1", b"005010X223A2", b"005010X224A2", b"005010X222A2", b"005010X298",
                          b"", b"X", b"005010X222A1X", b"\x00\x00", b"005010X222A1\r\nBHT", b"\xb2"])
    return data.replace(b"005010X222A1", version, rng.randint(1, 2))


def wrong_transaction(rng, data):
    return data.replace(b"ST*837*", rng.choice([b"ST*835*", b"ST*270*", b"ST**", b"ST*8\xb37*", b"ST*"]), 1)


def odd_digits(rng, data):
    """Digits str.isdigit() accepts and int() refuses (superscripts), and other latin-1 oddities."""
    buf = bytearray(data)
    digits = [i for i, b in enumerate(buf) if 48 <= b <= 57]
    for _ in range(rng.randint(1, 6)):
        if digits:
            buf[rng.choice(digits)] = rng.choice(b"\xb2\xb3\xb9\xbc\xaa\xba\xa0")
    return bytes(buf)


def insert_segment(rng, data):
    parts, term = split_segments(data)
    parts.insert(rng.randrange(len(parts) + 1), rng.choice([
        b"CLM", b"CLM*X*1***11:B:1", b"SV1*HC:97026*1*UN*1***1", b"HL*1**20*1", b"HL*9*1*22*0", b"HL*9*9*23*0",
        b"ST*837*1", b"SE", b"SE*1*1", b"GE", b"IEA", b"ISA", b"GS*HC", b"NM1*82*1", b"PRV*PE*PXC*225100000X",
        b"LX*1", b"LX*", b"HL", b"", b"\r\n", b"SBR*P", b"NM1*PR*2", b"IEA*1*000000001", ISA[:-1]]))
    return term.join(parts)


def splice(rng, data):
    other = rng.choice(SEED_BYTES)
    return data[: rng.randrange(len(data) + 1)] + other[rng.randrange(len(other) + 1):]


def huge_number(rng, data):
    """A counter (LX01, HL01, SE01, GE01, IEA01, SV107) past Python's 4,300-digit int() limit."""
    sid = rng.choice([b"LX", b"HL", b"SE", b"GE", b"IEA", b"SV1"])
    parts, term = split_segments(data)
    spots = [i for i, p in enumerate(parts) if p.lstrip().startswith(sid + bytes([data[3]]))] if len(data) > 3 else []
    if not spots:
        return data
    i = rng.choice(spots)
    fields = parts[i].split(bytes([data[3]]))
    position = 7 if sid == b"SV1" and len(fields) > 7 else 1
    if position < len(fields):
        fields[position] = b"9" * rng.choice([4301, 5000, 20_000])
    parts[i] = bytes([data[3]]).join(fields)
    return term.join(parts)


def alternate_delimiters(rng, data):
    """The same interchange again with other delimiters, several times over (each ISA names its own)."""
    at = data.find(b"ISA")
    if at < 0 or len(data) < at + 106:
        return data
    element, component, term = data[at + 3 : at + 4], data[at + 104 : at + 105], data[at + 105 : at + 106]
    other = data[at:].replace(element, b"\x01").replace(term, b"\x02")
    other = other.replace(b"\x01", b"|" if element != b"|" else b"*").replace(b"\x02", b"!" if term != b"!" else b"~")
    return data + b"".join((other if i % 2 == 0 else data[at:]) for i in range(rng.randint(1, 6)))


def stray_after_iea(rng, data):
    """What a guide has no place for, after the IEA or in the header: a DOS end-of-file byte, a ZZQ."""
    stray = rng.choice([b"\x1a", b"\x1a\x1a", b"ZZQ*1~", b"\x00", b"ZZ~", b"\r\n\x1a"])
    if rng.random() < 0.5:
        return data + stray
    return data.replace(b"BHT*", stray + b"BHT*", 1)


def misplace_clm(rng, data):
    """A claim moved above its subscriber HL (an orphan: context before, none after)."""
    parts, term = split_segments(data)
    clm = [i for i, p in enumerate(parts) if p.lstrip().startswith(b"CLM")]
    hls = [i for i, p in enumerate(parts) if p.lstrip().startswith(b"HL")]
    if not clm or not hls:
        return data
    i = rng.choice(clm)
    end = next((j for j in range(i + 1, len(parts)) if parts[j].lstrip()[:2] in (b"CL", b"HL", b"SE")), len(parts))
    claim = parts[i:end]
    del parts[i:end]
    before = [h for h in hls if h < i] or [hls[0]]
    at = rng.choice(before)
    parts[at:at] = claim
    return term.join(parts)


MUTATIONS = [flip_bytes, drop_segment, duplicate_segment, swap_segments, wrong_delimiter,
             replace_delimiter_everywhere, garbage_before_isa, nul_bytes, huge_element, binary, truncate,
             wrong_version, wrong_transaction, odd_digits, insert_segment, splice, huge_number,
             alternate_delimiters, stray_after_iea, misplace_clm]


def mutated(seed: str, rounds: int | None = None) -> bytes:
    rng = random.Random(seed)
    data = rng.choice(SEED_BYTES)
    for _ in range(rounds or rng.randint(1, 4)):
        data = rng.choice(MUTATIONS)(rng, data)
    return data


# -- seeded families: every mutation alone, then stacked ----------------------------------------


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.__name__)
def test_each_mutation(linter, mutation):
    count = 12 if mutation is huge_element else 40
    for i in range(count):
        rng = random.Random(f"{mutation.__name__}-{i}")
        name, data = SEEDS[i % len(SEEDS)]
        check(linter, mutation(rng, data), f"{mutation.__name__} #{i} of {name}", twice=i % 4 == 0)


def test_stacked_mutations(linter):
    for i in range(700):
        check(linter, mutated(f"stacked-{i}"), f"stacked #{i}", twice=i % 4 == 0)


# -- truncation at every kind of boundary -----------------------------------------------------


@pytest.mark.parametrize("name,data", [s for s in SEEDS if s[0] in {p.name for p in FIXTURE_FILES}
                                       or s[0].startswith(("kputnam-stupidedi__837p_x222a1_amb",
                                                           "inteligenz-x12parser__837p_x222a1_st1309"))],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_truncation_at_every_boundary(linter, name, data):
    """Mid-ISA (every byte of it for clean.837, every fifth for the others), just after it, and just
    after and inside every segment."""
    at = data.find(b"ISA")
    cuts = set(range(0, at + 108, 1 if name == "clean.837" else 5)) | {at + 106, at + 107}
    parts, term = split_segments(data)
    offset = 0
    for part in parts:
        cuts.update({offset + len(part), offset + len(part) + 1, offset + len(part) // 2})
        offset += len(part) + len(term)
    truncated_ok = 0
    for n, cut in enumerate(sorted(c for c in cuts if 0 <= c <= len(data))):
        result = check(linter, data[:cut], f"{name} cut at {cut}", twice=n % 4 == 0)
        last = data[:cut].rstrip(b"\r\n" + term).rsplit(term, 1)[-1].lstrip()
        if cut > 0 and not last.startswith(b"IEA") and result.status == "linted":
            # a cut file still lints the claims it completes and says something is wrong: ENV001 for
            # the missing trailers, or IG301 for a scrap of segment after a complete interchange
            assert any(f.rule in ("ENV001", "IG301") for f in result.findings), (name, cut)
            truncated_ok += 1
    assert truncated_ok > 0 or len(parts) < 5


def test_truncating_a_large_real_file(linter, corpus):
    data = (corpus / "imsweb-x12-parser__837p_x222a1_many_claims.txt").read_bytes()
    whole = sum(1 for p in split_segments(data)[0] if p.lstrip().startswith(b"CLM"))
    rng = random.Random("many-claims")
    for n, cut in enumerate(sorted(rng.sample(range(200, len(data)), 3))):
        result = check(linter, data[:cut], f"many_claims cut at {cut}", twice=n == 0)
        assert result.status == "linted" and result.claims < whole
        assert any(f.rule == "ENV001" for f in result.findings)


def test_every_rule_including_ig_on_hostile_input():
    """The same promises with every rule selected, pyx12's implementation-guide validation too."""
    from edi_lint.application import build_linter
    from edi_lint.engine import Settings

    everything = build_linter(Settings(select=("ALL",)))
    assert everything.runs_ig
    for i in range(100):
        data = mutated(f"ig-{i}")
        if len(data) <= 30_000:  # pyx12 is slow; the size cap keeps this inside the time budget
            check(everything, data, f"ig-{i}", twice=i % 4 == 0)


# -- named hostile inputs ---------------------------------------------------------------------


def _named_inputs() -> dict[str, bytes]:
    rng = random.Random("named")
    gs = CLEAN.split(b"~")[1] + b"~"
    return {
        "empty": b"",
        "one space": b" ",
        "only newlines": b"\r\n" * 100,
        "only NULs": b"\x00" * 1000,
        "BOM only": b"\xef\xbb\xbf",
        "BOM and newline": b"\xef\xbb\xbf\r\n",
        "ISA word": b"ISA",
        "ISA only": ISA,
        "ISA without terminator": ISA[:-1],
        "ISA 105 chars": ISA[:-2] + ISA[-1:],
        "ISA and GS": ISA + gs,
        "ISA and IEA": ISA + b"IEA*1*000001002~",
        "ISA twice": ISA + ISA,
        "ISA, then IEA and another ISA only": ISA + b"IEA*1*000001002~" + ISA,
        "GS first": CLEAN[106:],
        "ST first": CLEAN[CLEAN.find(b"ST*"):],
        "random binary 1": rng.randbytes(10_000),
        "random binary 2": rng.randbytes(3),
        "random binary ISA-prefixed": b"ISA" + rng.randbytes(5_000),
        "ISA then binary": ISA + rng.randbytes(20_000),
        "element == component": ISA[:104] + b"*~" + CLEAN[106:],
        "element == terminator": ISA[:105] + b"*" + CLEAN[106:],
        "component == terminator": ISA[:104] + b"~~" + CLEAN[106:],
        "repetition == element": ISA[:82] + b"*" + ISA[83:] + CLEAN[106:],
        "alphanumeric element separator": ISA.replace(b"*", b"A") + CLEAN[106:].replace(b"*", b"A"),
        "space element separator": ISA.replace(b"*", b" ") + CLEAN[106:].replace(b"*", b" "),
        "terminator is a letter": ISA[:105] + b"Z" + CLEAN[106:],
        "terminator is NUL": ISA[:105] + b"\x00" + CLEAN[106:].replace(b"~", b"\x00"),
        "100 kB element": CLEAN.replace(b"CLM*", b"CLM*" + b"9" * 100_000, 1),
        "100 kB segment id": CLEAN.replace(b"\nCLM*", b"\n" + b"C" * 100_000 + b"*", 1),
        "GS08 4010": CLEAN.replace(b"005010X222A1", b"004010X098A1"),
        "GS08 empty, no ST03": CLEAN.replace(b"005010X222A1", b""),
        "GS08 X223A2": CLEAN.replace(b"005010X222A1", b"005010X223A2"),
        "GS08 X223A2, ST03 X222A1": CLEAN.replace(b"005010X222A1", b"005010X223A2", 1),
        "ST03 wrong only": CLEAN.replace(b"005010X222A1~", b"005010X222A2~").replace(
            b"*005010X222A2~", b"*005010X222A1~", 1),
        "ST01 835": CLEAN.replace(b"ST*837*", b"ST*835*"),
        "second ST is an 835": CLEAN + CLEAN.replace(b"ST*837*", b"ST*835*"),
        "version with newline": CLEAN.replace(b"005010X222A1", b"0050\n10X222A1"),
        "every segment twice": b"~".join(p + b"~" + p for p in CLEAN.split(b"~")),
        "segments reversed": b"~".join(reversed(CLEAN.split(b"~"))),
        "NUL after each terminator": CLEAN.replace(b"~", b"~\x00"),
        "CR-only line breaks": CLEAN.replace(b"~\n", b"~\r"),
        "no trailer, many claims": CLEAN[: CLEAN.rfind(b"SE*")] * 3,
        "IEA before anything": ISA + b"IEA*1*000001002~" + CLEAN[106:],
        "superscript LX01": CLEAN.replace(b"LX*1", b"LX*\xb9"),
        "superscript SE01": CLEAN.replace(b"SE*", b"SE*\xb2"),
        "superscript HL01": CLEAN.replace(b"HL*1*", b"HL*\xb9*"),
        "tab and vertical tab separators": ISA.replace(b"*", b"\t") + CLEAN[106:].replace(b"*", b"\t"),
    }


@pytest.mark.parametrize("name", list(_named_inputs()))
def test_named_hostile_input(linter, name):
    data = _named_inputs()[name]
    result = check(linter, data, name)
    if name in ("empty", "one space", "only newlines", "BOM only", "BOM and newline"):
        assert result.status == "error" and "empty" in result.error
    if name in ("GS08 4010", "GS08 X223A2", "GS08 X223A2, ST03 X222A1", "ST01 835", "second ST is an 835"):
        assert result.status == "error" and "unsupported" in result.error


# -- hypothesis -------------------------------------------------------------------------------

def hypothesis_settings(examples: int) -> settings:
    """Deterministic (derandomize), no deadline (CI machines vary), no example database."""
    return settings(derandomize=True, deadline=None, database=None, max_examples=examples,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@hypothesis_settings(150)
@given(st.binary(max_size=3000))
def test_hypothesis_raw_bytes(linter, data):
    check(linter, data, "hypothesis raw", twice=False)


@hypothesis_settings(200)
@given(st.binary(max_size=3000))
def test_hypothesis_after_a_sound_isa(linter, data):
    """A valid ISA, so everything after it reaches the tokenizer, walker and reader."""
    check(linter, ISA + data, "hypothesis after ISA", twice=False)


SEGMENT_VOCABULARY = [s for s in CLEAN.split(b"~") if s.strip()] + [
    b"HL*1**20*1", b"HL*2*1*22*0", b"HL*3*2*23*0", b"CLM*A*1***11:B:1", b"SV1*HC:97026:GO*1*UN*1***1",
    b"LX*1", b"NM1*82*1*X*****XX*1", b"PRV*PE*PXC*225100000X", b"SE*9*0001", b"GE*1*1", b"IEA*1*000001002",
    b"ST*837*0001*005010X222A1", b"GS*HC*A*B*20260101*0000*1*X*005010X222A1", b"", b"\n"]


@hypothesis_settings(250)
@given(st.lists(st.one_of(st.sampled_from(SEGMENT_VOCABULARY), st.binary(max_size=20)), max_size=80),
       st.sampled_from([b"~", b"~\n", b"~\r\n"]))
def test_hypothesis_segment_soup(linter, segments, term):
    """Real segments in any order and number, with junk between: deep paths in walker and reader."""
    check(linter, ISA + term.join(segments), "hypothesis soup", twice=False)


@hypothesis_settings(150)
@given(st.data())
def test_hypothesis_edits_of_fixtures(linter, data):
    seed = data.draw(st.sampled_from(SEED_BYTES))
    buf = bytearray(seed)
    for _ in range(data.draw(st.integers(1, 6))):
        pos = data.draw(st.integers(0, len(buf)))
        kind = data.draw(st.sampled_from(["set", "insert", "delete", "cut"]))
        if kind == "set" and pos < len(buf):
            buf[pos] = data.draw(st.integers(0, 255))
        elif kind == "insert":
            buf[pos:pos] = data.draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del buf[pos : pos + data.draw(st.integers(1, 30))]
        else:
            del buf[pos:]
    check(linter, bytes(buf), "hypothesis edits", twice=False)


# -- the command line on hostile files ---------------------------------------------------------


def _cli(args: list[str], timeout: float = HANG_TIMEOUT_S, stdin: bytes | None = None,
         hash_seed: str | None = None) -> subprocess.CompletedProcess:
    env = None
    if hash_seed is not None:  # a different string-hash seed per run: set iteration order must not leak
        import os

        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
    return subprocess.run([EDI_LINT, *args], capture_output=True, timeout=timeout, input=stdin, env=env)


def _in_process(args: list[str]) -> tuple[int, bytes, bytes]:
    """The command line run in this process (exit code, stdout, stderr): for what a subprocess adds
    nothing to, at a fraction of its start-up cost."""
    import traceback

    from click.testing import CliRunner

    from edi_lint.cli import main

    result = CliRunner().invoke(main, args)
    stderr = result.stderr_bytes or b""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception)).encode()
    return result.exit_code, result.stdout_bytes, stderr


def _hostile_files(tmp_path: Path, count: int) -> list[str]:
    named = _named_inputs()
    files = []
    for i, (name, data) in enumerate(named.items()):
        path = tmp_path / f"named_{i:02d}.837"
        path.write_bytes(data)
        files.append(str(path))
    for i in range(count):
        path = tmp_path / f"mutated_{i:03d}.x12"
        path.write_bytes(mutated(f"cli-{i}"))
        files.append(str(path))
    return files


def test_cli_on_hostile_files(tmp_path):
    files = _hostile_files(tmp_path, 40)
    groups = [files[i::3] for i in range(3)]

    def run(group):
        return (group, _cli(["--format", "json", *group], hash_seed="1"),
                _cli(["--format", "json", *group], hash_seed="4242"))

    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(run, groups))
    for group, first, second in runs:
        assert first.returncode in (0, 1, 2), first.stderr
        assert b"Traceback" not in first.stderr + second.stderr, first.stderr
        assert first.stdout == second.stdout, "output differs between two runs"
        assert first.returncode == second.returncode
        doc = json.loads(first.stdout)
        assert [f["path"] for f in doc["files"]] == group
        for entry in doc["files"]:
            assert entry["status"] in ("linted", "error")
            if entry["status"] == "error":
                assert "\n" not in entry["error"] and not entry["error"].startswith("internal error")
        if any(f["status"] == "error" for f in doc["files"]):
            assert first.returncode == 2


def test_cli_text_and_jobs_on_hostile_files(tmp_path):
    files = _hostile_files(tmp_path, 20)
    serial = _cli(["--format", "text", *files])
    parallel = _cli(["--format", "text", "--jobs", "3", *files])
    assert serial.returncode == parallel.returncode == 2
    assert serial.stdout == parallel.stdout
    assert b"Traceback" not in serial.stderr + parallel.stderr
    lines = serial.stdout.decode("utf-8").splitlines()
    for n, line in enumerate(lines[:-1]):  # a message never breaks: each line is a header, an
        if not line.strip():  # indented finding, a blank between file groups, or the summary
            assert lines[n + 1].endswith(":") or n + 1 == len(lines) - 1, "blank line inside a group"
        else:
            assert line.startswith("  ") or (line.endswith(":") and not line.startswith(" ")), line
    assert lines[-1].endswith("could not be linted.")


@pytest.mark.parametrize("name", ["ISA then binary", "empty"])
def test_cli_stdin_hostile(name):
    run = _cli(["--format", "json", "-"], stdin=_named_inputs()[name])
    assert run.returncode in (0, 1, 2) and b"Traceback" not in run.stderr
    assert [f["path"] for f in json.loads(run.stdout)["files"]] == ["-"]


def test_input_files_are_never_modified(tmp_path):
    files = _hostile_files(tmp_path, 10)
    before = {f: Path(f).read_bytes() for f in files}
    _cli(["--format", "json", *files])
    assert {f: Path(f).read_bytes() for f in files} == before


# -- pathological inputs: no hang, bounded memory ----------------------------------------------

# Each input below made edi-lint hold hundreds of megabytes before its fix (see the regressions).
MEMORY_CEILING_MB = 200
# A hang (or quadratic time) guard, not a speed measurement: CPU seconds of the one process, which a
# loaded machine does not inflate the way it does wall time (each of these takes about a second).
CPU_LIMIT_S = 30

# Runs a command and prints its exit code, peak resident memory (KiB on Linux) and CPU seconds, so
# each measurement is of one edi-lint process alone.
_MEASURE = (
    "import resource, subprocess, sys\n"
    "run = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "sys.stderr.buffer.write(run.stderr)\n"
    "print(run.returncode, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)\n"
)


def _pathological(tmp_path: Path) -> dict[str, Path]:
    claim_start = CLEAN.find(b"CLM*")
    cases = {
        "one 5 MB segment, no terminator": ISA + b"GS*" + b"A" * 5_000_000,
        "5 MB of terminators": ISA + b"~" * 5_000_000,
        "700k tiny unknown segments": ISA + b"A~" * 700_000,
        "a claim followed by 400k segments": CLEAN[:claim_start] + b"CLM*X*1***11:B:1~" + b"NTE*A~" * 400_000,
        "150k HL segments": CLEAN[:claim_start] + b"HL*1**20*1~" * 150_000,
        "300k GS without GE": ISA + b"GS*HC~" * 300_000,
        "5 MB of element separators": ISA + b"GS" + b"*" * 5_000_000 + b"~",
        "5 MB of NUL": b"\x00" * 5_000_000,
        "5 MB of newlines, then an ISA": b"\n" * 5_000_000 + ISA,
        "5 MB of random bytes after an ISA": ISA + random.Random("p").randbytes(5_000_000),
    }
    paths = {}
    for i, (name, data) in enumerate(cases.items()):
        path = tmp_path / f"pathological_{i}.837"
        path.write_bytes(data)
        paths[name] = path
    return paths


def test_pathological_inputs_neither_hang_nor_grow(tmp_path):
    cases = _pathological(tmp_path)

    def run(item):
        name, path = item
        done = subprocess.run([sys.executable, "-c", _MEASURE, EDI_LINT, "--format", "json", str(path)],
                              capture_output=True, timeout=HANG_TIMEOUT_S)
        return name, done

    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(run, cases.items()))
    for name, done in runs:
        assert b"Traceback" not in done.stderr, (name, done.stderr[-2000:])
        code, peak_kib, cpu = done.stdout.split()
        assert int(code) in (0, 1, 2), name
        assert int(peak_kib) / 1024 < MEMORY_CEILING_MB, (name, peak_kib)
        assert float(cpu) < CPU_LIMIT_S, (name, cpu)


# -- regressions: each crash or hang the suite found -------------------------------------------


def test_regression_control_characters_in_refusal_message(linter):
    """GS08/ST03 holding a newline (a terminator replaced by a mutation) went verbatim into the
    one-line 'unsupported version' message."""
    result = check(linter, CLEAN.replace(b"005010X222A1", b"005010X222A1\r\nBHT"), "newline version")
    assert result.status == "error" and "\\r\\n" in result.error


def test_regression_control_characters_in_finding_message(linter):
    """A PRV03 holding a newline made the PT003 message two lines of text output."""
    data = CLEAN.replace(b"PRV*PE*PXC*225100000X", b"PRV*PE*PXC*225100000X\nLX", 1)
    assert data != CLEAN
    result = check(linter, data, "newline taxonomy")
    assert any("\\n" in f.message for f in result.findings)


def test_regression_superscript_digits(linter):
    """'²' passes str.isdigit() but int('²') raises: LX01, SE01 and HL01 made internal errors."""
    for old, new in ((b"LX*1", b"LX*\xb9"), (b"SE*", b"SE*9\xb2"), (b"HL*1*", b"HL*\xb9*")):
        data = CLEAN.replace(old, new)
        assert data != CLEAN
        assert check(linter, data, repr(new)).status == "linted"


def test_regression_stray_character_before_every_segment(linter):
    """ISA terminator LF with '~' starting every segment (TigerShark's 835): the message names
    the transaction behind '~ST' instead of a bare 'no ST segment'."""
    lines = CLEAN.replace(b"ST*837*", b"ST*835*").split(b"~\n")
    data = lines[0][:105] + b"\n" + b"\n".join(b"~" + line for line in lines[1:])
    result = check(linter, data, "stray ~")
    assert result.status == "error" and "'~ST'" in result.error and "835" in result.error


def test_regression_unknown_segments_are_not_all_kept(linter):
    """2.5 million unknown segments were all kept to report 50 of them (918 MB)."""
    from edi_lint.document import UNEXPECTED_KEPT, DocumentReader
    from edi_lint.x12.tokenizer import segments_from_bytes
    from edi_lint.x12.walker import LoopWalker

    data = CLEAN.replace(b"\nCLM*", b"\n" + b"ZZ*1~" * 5000 + b"CLM*", 1)
    reader = DocumentReader(LoopWalker().walk(segments_from_bytes(data)))
    assert len(list(reader.claims())) == 5
    assert len(reader.structure.unexpected) == UNEXPECTED_KEPT
    assert reader.structure.unexpected_count == 5000
    result = check(linter, data, "5000 unknown")
    assert any(f.rule == "IG301" and f.segment_index is None and "more IG301 findings" in f.message
               for f in result.findings)


def test_regression_endless_claim_stops_with_one_line_error(linter, monkeypatch):
    """A CLM followed by a million segments was held whole (460 MB)."""
    import edi_lint.document as document

    monkeypatch.setattr(document, "MAX_HELD", 1000)
    start = CLEAN.find(b"CLM*")
    result = check(linter, CLEAN[:start] + b"CLM*X*1***11:B:1~" + b"NTE*A~" * 1500, "long claim")
    assert result.status == "error" and "more than 1,000 segments" in result.error


def test_regression_file_rule_findings_are_capped(linter, monkeypatch):
    """300k HL segments gave 300k HL001 (now IG381) findings: gigabytes of JSON. Past the cap, one summary finding
    without a segment (the pre-flight split then holds the whole file)."""
    import edi_lint.engine as engine

    monkeypatch.setattr(engine, "MAX_FILE_RULE_FINDINGS", 20)
    start = CLEAN.find(b"CLM*")
    result = check(linter, CLEAN[:start] + b"HL*1**20*1~" * 100, "many HL")
    hl = [f for f in result.findings if f.rule == "IG381"]  # HL001 is a deprecated alias of IG381
    assert len(hl) == 21
    (summary,) = [f for f in hl if f.segment_index is None]
    assert summary.message.startswith("80 more IG381 findings")


def test_regression_delimiter_collisions_are_a_broken_isa(linter):
    """ISA11 equal to the segment terminator cut the ISA in two, and a line break as ISA16 was stripped
    from segment ends as if it were a line break: the file linted as garbage and the pre-flight split
    wrote an interchange that could not be read back. Both are now a broken ISA."""
    cases = {
        "repetition == terminator": ISA[:82] + b"~" + ISA[83:] + CLEAN[106:],
        "repetition == component": ISA[:82] + b":" + ISA[83:] + CLEAN[106:],
        "repetition == element": ISA[:82] + b"*" + ISA[83:] + CLEAN[106:],
        "component is a line break": ISA[:104] + b"\n~" + CLEAN[106:],
        "component is a letter": ISA[:104] + b"Q~" + CLEAN[106:],
    }
    for name, data in cases.items():
        result = check(linter, data, name)
        assert result.status == "error" and result.error.startswith("broken ISA"), (name, result.error)
    # a space or a letter in ISA11 of 5010 means no repetition separator, as in 4010
    assert check(linter, ISA[:82] + b" " + ISA[83:] + CLEAN[106:], "space ISA11").status == "linted"


# -- loss-free: the pre-flight split on hostile but lintable input -----------------------------


def clm01_multiset(data: bytes, like: bytes) -> Counter:
    """CLM01 of every CLM segment in `data`. An output may begin with a broken ISA copied from a later
    interchange of the input (held whole): then split it textually with `like`'s delimiters."""
    from edi_lint.x12.tokenizer import X12Error, segments_from_bytes

    if not data:
        return Counter()
    try:
        return Counter(seg.get(1) for seg in segments_from_bytes(data) if seg.elements[0] == "CLM")
    except X12Error:
        delimiters = next(segments_from_bytes(like)).delimiters
        parts = [p.strip() for p in data.decode("latin-1").split(delimiters.segment)]
        rows = [p.split(delimiters.element) for p in parts]
        return Counter(row[1] if len(row) > 1 else "" for row in rows if row[0] == "CLM")


def test_split_loses_and_duplicates_no_claim_on_hostile_input(linter, tmp_path):
    """Every CLM of the input comes out exactly once across accepted + rejected (by CLM01 multiset and
    so by count); the accepted file lints again; every claim reported accepted is in it."""
    from edi_lint import api

    accepted, rejected = tmp_path / "accepted.837", tmp_path / "rejected.837"
    split_runs = claims_seen = 0
    for i in range(300):
        data = mutated(f"split-{i}", rounds=random.Random(i).randint(1, 2))
        report = api.split(data, accepted, rejected)
        if report.files[0].status != "linted":  # nothing usable: exit 2 and no output at all
            assert report.exit_code == 2 and not accepted.exists() and not rejected.exists(), f"split-{i}"
            continue
        assert report.exit_code in (0, 1), report.files[0].error
        good, held = accepted.read_bytes(), rejected.read_bytes()
        expected = clm01_multiset(data, data)
        assert clm01_multiset(good, data) + clm01_multiset(held, data) == expected, f"split-{i}"
        assert sum(expected.values()) == sum(clm01_multiset(good, data).values()) + sum(
            clm01_multiset(held, data).values())
        if good:
            assert linter.lint_bytes(good, "accepted").status == "linted", f"split-{i}"
        in_good = clm01_multiset(good, data)
        assert all(in_good[c.claim_id] for c in report.accepted), f"split-{i}"
        # the exit code is a safe routing signal: 0 only when the accepted file holds every claim
        assert (report.exit_code == 0) <= (held == b"" and in_good == expected), f"split-{i}"
        assert (held != b"") <= (report.exit_code == 1), f"split-{i}"
        split_runs += 1
        claims_seen += sum(expected.values())
    assert split_runs >= 75 and claims_seen >= 150


def test_cli_split_on_hostile_files(tmp_path):
    for i in range(2):
        source = tmp_path / f"in_{i}.837"
        source.write_bytes(mutated(f"cli-split-{i}", rounds=1))
        accepted, rejected = tmp_path / f"ok_{i}.837", tmp_path / f"held_{i}.837"
        run = _cli(["--format", "json", str(source), "--accepted", str(accepted), "--rejected", str(rejected)])
        assert run.returncode in (0, 1, 2) and b"Traceback" not in run.stderr
        doc = json.loads(run.stdout)
        assert [f["path"] for f in doc["files"]] == [str(source)]
        if doc["files"][0]["status"] == "linted":
            data = source.read_bytes()
            assert clm01_multiset(accepted.read_bytes(), data) + clm01_multiset(rejected.read_bytes(), data) == (
                clm01_multiset(data, data))


def _split_through(how: str, data: bytes, folder: Path, limit: int) -> subprocess.CompletedProcess:
    """The command-line split of `data` read `how`: from standard input, a process substitution, a
    FIFO, on a disk that takes only `limit` bytes per file (RLIMIT_FSIZE), or killed by SIGTERM once
    it holds half of its input (fed through a FIFO, so it is mid-way for sure)."""
    import os
    import resource
    import shutil
    import signal

    source, ok, held = folder / "in.837", folder / "ok.837", folder / "held.837"
    source.write_bytes(data)
    command = [EDI_LINT, str(source), "--accepted", str(ok), "--rejected", str(held)]
    if how == "stdin":
        return subprocess.run([EDI_LINT, "-", *command[2:]], input=data, capture_output=True,
                              timeout=HANG_TIMEOUT_S)
    if how == "process substitution":
        bash = shutil.which("bash")
        if bash is None:
            pytest.skip("no bash")
        return subprocess.run([bash, "-c", f'"$0" <(cat "$1") "${{@:2}}"', EDI_LINT, *command[1:]],
                              capture_output=True, timeout=HANG_TIMEOUT_S)
    if how == "small disk":
        def small_disk():
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        return subprocess.run(command, capture_output=True, timeout=HANG_TIMEOUT_S, preexec_fn=small_disk)
    fifo = folder / "in.fifo"
    os.mkfifo(fifo)
    command[1] = str(fifo)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with open(fifo, "wb") as feed:
        if how == "fifo":
            feed.write(data)
        else:  # SIGTERM mid-split: the marker is the private copy holding what was sent
            sent = data[: len(data) // 2]
            feed.write(sent)
            feed.flush()
            deadline = time.monotonic() + HANG_TIMEOUT_S
            while not any(p.name.endswith(".tmp") and p.stat().st_size >= len(sent) for p in folder.iterdir()):
                assert process.poll() is None and time.monotonic() < deadline, process.communicate()
                time.sleep(0.02)
            process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=HANG_TIMEOUT_S)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


SPLIT_SHAPES = ["stdin", "process substitution", "fifo", "small disk", "SIGTERM mid-split"]


@pytest.mark.parametrize("how", SPLIT_SHAPES)
def test_cli_split_through_pipes_a_small_disk_and_sigterm(tmp_path, how):
    """The split shapes of issue 11 on a mangled input: standard input, process substitution, a FIFO,
    a file-size limit (RLIMIT_FSIZE) that a disk may hit anywhere, SIGTERM mid-split. Whatever
    happens, exit 2 leaves no output and no temporary file, and 0/1 outputs hold every claim once."""
    import os

    n = SPLIT_SHAPES.index(how)
    data = mutated(f"cli-split-pipe-{n}", rounds=1) + CLEAN  # mangled, and long enough to be cut mid-way
    ok, held = tmp_path / "ok.837", tmp_path / "held.837"
    run = _split_through(how, data, tmp_path, limit=random.Random(n).randrange(200, len(data)))
    assert run.returncode in (0, 1, 2) and b"Traceback" not in run.stderr, run.stderr
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    if how == "SIGTERM mid-split":
        assert run.returncode == 2 and b"interrupted" in run.stderr, run.stderr
    if run.returncode == 2:
        assert not ok.exists() and not held.exists()
    else:
        assert clm01_multiset(ok.read_bytes(), data) + clm01_multiset(held.read_bytes(), data) == (
            clm01_multiset(data, data))
        assert (run.returncode == 0) <= (held.read_bytes() == b"")


# -- hostile file names --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "concise", "github", "sarif", "junit", "jsonl"])
def test_hostile_file_names(tmp_path, fmt):
    """Regression: a file name that is not UTF-8 made the SARIF reporter raise UnicodeEncodeError
    (percent-encoding the artifact URI) and print a traceback."""
    import os

    folder = os.fsencode(tmp_path)
    for name in (b"caf\xe9\xff.837", b"space name.837", b"semi;colon%25.edi"):
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(CLEAN.replace(b"CLM*", b"CLM*", 1))
    os.mkdir(os.path.join(folder, b"folder.837"))  # a directory with a matching suffix is skipped
    if fmt in ("text", "sarif"):  # a real process: its standard output has a real encoding
        run = subprocess.run([EDI_LINT, "--format", fmt, str(tmp_path)], capture_output=True,
                             timeout=HANG_TIMEOUT_S, cwd=tmp_path)
        code, stdout, stderr = run.returncode, run.stdout, run.stderr
    else:  # in process: the reporters are what is tested
        code, stdout, stderr = _in_process(["--format", fmt, str(tmp_path)])
    assert code in (0, 1), stderr
    assert b"Traceback" not in stderr
    if fmt in ("json", "sarif"):
        json.loads(stdout)


def test_every_rule_output_is_identical_across_hash_seeds(tmp_path):
    """Byte-identical JSON with every rule (IG too) whatever PYTHONHASHSEED is: no set or
    dict-of-str iteration order leaks into findings, messages or their order."""
    files = [str(p) for p in FIXTURE_FILES]
    if CORPUS.is_dir():
        files += [str(p) for p in sorted(CORPUS.iterdir())
                  if p.is_file() and p.name != "SOURCES.md" and not p.name.startswith(".")
                  and "many_claims" not in p.name]
    files += _hostile_files(tmp_path, 10)[-10:]  # mutated ones only (the named set holds 100 kB files)
    for fmt in ("json",):
        first = _cli(["--select", "ALL", "--format", fmt, *files], hash_seed="7")
        second = _cli(["--select", "ALL", "--format", fmt, *files], hash_seed="8191")
        assert first.returncode == second.returncode == 2
        assert b"Traceback" not in first.stderr + second.stderr
        assert first.stdout == second.stdout


def test_regression_missing_terminator_stops_early(linter):
    """A file whose terminator is missing (or not the one the ISA names) is one endless segment: it
    was held whole and re-split at every 1 MB chunk, quadratic (a 100 MB file took 5 s and 220 MB,
    a gigabyte minutes). Past MAX_SEGMENT_LENGTH of segment the file is refused in one line."""
    from edi_lint.x12.tokenizer import MAX_SEGMENT_LENGTH

    start = time.process_time()  # CPU time: a loaded machine does not make it look like a hang
    result = check(linter, ISA + b"GS*" + b"A" * (3 * MAX_SEGMENT_LENGTH), "no terminator")
    assert result.status == "error" and result.error.startswith("no segment terminator '~'")
    assert time.process_time() - start < 5


@pytest.mark.parametrize("before", [0, 500_000, (1 << 20) - 40])
def test_regression_a_terminated_segment_past_the_limit_is_refused(linter, before):
    """A segment longer than MAX_SEGMENT_LENGTH was refused only while its terminator had not been read:
    a terminated one of 1 to 2 MiB, by where it fell among the 1 MiB chunks, was linted. Now it is refused
    wherever it falls, in one line that says where it starts; one of the limit's length is still linted."""
    from edi_lint.x12.tokenizer import MAX_SEGMENT_LENGTH

    head = CLEAN.index(b"BHT*")  # after ST: the long segment starts `before` bytes of NTEs further on
    padding = b"NTE*ADD*" + b"P" * (before - 9) + b"~" if before else b""
    for length, refused in ((MAX_SEGMENT_LENGTH + 1, True), (int(MAX_SEGMENT_LENGTH * 1.9), True),
                            (MAX_SEGMENT_LENGTH, False)):
        long_segment = b"NTE*ADD*" + b"X" * (length - 8) + b"~"
        data = CLEAN[:head] + padding + long_segment + CLEAN[head:]
        result = check(linter, data, f"{length} at {before}", twice=False)
        if refused:
            assert result.status == "error", (length, before)
            # where its terminator falls decides which is read first, its end or 1 MiB of it: both say where it starts
            assert f"byte offset {head + len(padding)}" in result.error and f"{MAX_SEGMENT_LENGTH:,}" in result.error
        else:
            assert result.status != "error" and any(f.rule == "IG301" for f in result.findings), (length, before)


def test_a_long_segment_inside_a_larger_chunk_is_refused():
    """With chunks larger than the limit a long segment can lie between two others in one chunk: the
    tokenizer then looks at every piece (at the default chunk size only the first and last can be long)."""
    import io

    from edi_lint.x12.tokenizer import MAX_SEGMENT_LENGTH, X12Error, iter_segments

    head = CLEAN.index(b"BHT*")
    data = CLEAN[:head] + b"NTE*ADD*" + b"X" * (MAX_SEGMENT_LENGTH + 100) + b"~" + CLEAN[head:]
    with pytest.raises(X12Error, match=f"at byte offset {head}, longer than"):
        list(iter_segments(io.BytesIO(data), chunk_size=4 * MAX_SEGMENT_LENGTH))


def test_regression_a_file_of_nul_bytes_is_not_called_empty(linter):
    """A file of NUL bytes (a preallocated file never written) was reported as "empty file"."""
    assert check(linter, b"", "empty").error == "empty file: no X12 data"
    assert check(linter, b"\x00" * 3_000_000, "NULs").error == "not X12: the file starts with NUL bytes, not an ISA segment"


def test_regression_blank_space_is_not_carried_chunk_after_chunk():
    """Megabytes of blank lines after an IEA (or between segments) were carried and re-scanned at every
    chunk: 100 MB of newlines after a valid file took 28 s. Now they are let go as they are read,
    with line numbers and offsets unchanged; more than 1 MB of blank space before any ISA is refused."""
    import io

    from edi_lint.x12.tokenizer import MAX_SEGMENT_LENGTH, X12Error, iter_segments

    def shape(data, chunk_size):
        return [(s.elements, s.index, s.offset, s.line, s.column)
                for s in iter_segments(io.BytesIO(data), chunk_size=chunk_size)]

    blank = b"\r\n  \n\t" * 1_000_000  # 6 MB: 50 s before the fix, 0.1 s after
    data = CLEAN + blank + CLEAN.replace(b"CLM*", blank + b"CLM*", 1) + blank
    start = time.process_time()
    small = shape(data, 4096)
    assert time.process_time() - start < 10
    assert small == shape(data, 1 << 20)
    assert sum(1 for s in small if s[0][0] == "CLM") == 10
    last_line = data.count(b"\n", 0, data.rfind(b"IEA")) + 1
    assert small[-1][0][0] == "IEA" and small[-1][3] == last_line
    with pytest.raises(X12Error, match="blank space before any ISA"):
        list(iter_segments(io.BytesIO(b"\n" * (MAX_SEGMENT_LENGTH + 10) + CLEAN)))


def test_regression_gs08_naming_another_guide_is_refused(linter):
    """GS08 005010X223A2 (837I) with ST03 005010X222A1 linted silently as an 837P: ST03 alone decided.
    Partners route by GS08, so a group that declares another guide is refused, naming both."""
    data = CLEAN.replace(b"*X*005010X222A1~", b"*X*005010X223A2~", 1)
    assert data != CLEAN
    result = check(linter, data, "GS08 837I")
    assert result.status == "error"
    assert "GS08 says this is an 837I" in result.error and "ST03 says 005010X222A1" in result.error


@pytest.mark.parametrize("fmt", ["text", "concise", "github"])
def test_regression_control_characters_in_claim_id_stay_escaped(tmp_path, fmt):
    """CLM01 holding a newline and an ESC broke the text line of its finding in two and sent the ESC
    to the terminal raw. Values from the file are now shown escaped."""
    source = tmp_path / "claim.837"
    source.write_bytes((FIXTURES / "sample.837").read_bytes().replace(
        b"CLM*SAMPLE-GO-MODIFIER", b"CLM*SAMPLE\nGO\x1bMODIFIER\x07"))
    code, stdout, _ = _in_process(["--format", fmt, str(source)])
    assert code == 1
    out = stdout.decode("utf-8")
    assert "\x1b" not in out and "\x07" not in out
    finding_lines = [line for line in out.splitlines() if "PT00" in line]
    assert len(finding_lines) == 5
    if fmt == "text":  # findings grouped under their file
        assert out.splitlines()[0] == f"{source}:"
    else:
        assert all(str(source) in line for line in finding_lines)
    if fmt != "concise":  # concise shows no claim id
        assert any("SAMPLE\\nGO\\x1bMODIFIER" in line for line in finding_lines)


def test_regression_read_error_mid_file_is_a_clear_error(linter):
    """An I/O error while reading (a failing disk, a broken pipe) was reported as an 'internal error'."""
    import io

    class Failing(io.RawIOBase):
        def __init__(self):
            self.calls = 0

        def readable(self):
            return True

        def read(self, size=-1):
            self.calls += 1
            if self.calls > 2:
                raise OSError(5, "Input/output error")
            return CLEAN[:200] if self.calls == 1 else CLEAN[200:400]

    result = linter.lint_stream(Failing(), "failing")
    assert result.status == "error" and result.error == "cannot read file: Input/output error"


def test_regression_absurd_amounts():
    """A 40-digit or exponent 'amount' in CLM02/SV102 made BAL001's Decimal.quantize (or the sum)
    raise InvalidOperation: the whole file became an internal error (with every rule selected)."""
    from edi_lint.application import build_linter
    from edi_lint.engine import Settings

    everything = build_linter(Settings(select=("ALL",)))
    for value in (b"1" * 40, b"9E999999", b"1E-999999", b"9" * 30 + b".999"):
        data = CLEAN.replace(b"CLM*", b"CLM*", 1)
        start = data.find(b"CLM*")
        end = data.find(b"*", start + 4)
        data = data[: end + 1] + value + data[data.find(b"*", end + 1):]
        result = check(everything, data, value.decode())
        assert result.status == "linted", result.error


def test_regression_ig_messages_are_one_line():
    """pyx12 quotes a segment id holding a line break in its message (IG301): the IG finding, made
    outside the engine's own finding path, kept the newline."""
    from edi_lint.application import build_linter
    from edi_lint.engine import Settings

    everything = build_linter(Settings(select=("IG",)))
    data = CLEAN.replace(b"REF*", b"RE\n*", 1)
    assert data != CLEAN
    result = check(everything, data, "IG newline")
    assert any(f.rule.startswith("IG") for f in result.findings)
