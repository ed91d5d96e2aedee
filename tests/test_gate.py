"""Issue 11: the pre-flight gate and the reader must never wave a batch through wrongly.

One regression test (or more) per reproduced item of the issue; each failed before its fix. The
fuzz suite (test_hostile.py) carries the same shapes at volume.
"""

from __future__ import annotations

import io
import sys

import pytest

from conftest import FIXTURES

CLEAN = (FIXTURES / "clean.837").read_bytes()
ISA = CLEAN[:106]
PIPE_ISA = ISA.replace(b"*", b"|").replace(b"~", b"!")
HANG_TIMEOUT_S = 900  # wall time of a command-line run: only a real hang reaches it, however loaded the machine


def lint(linter, data: bytes):
    result = linter.lint_bytes(data, "gate.837")
    assert result.status == "linted", result.error
    return result


# -- item 5: findings quote only valid segment ids or positions --------------------------------------


@pytest.mark.parametrize("old, new, phi", [
    (b"NM1*IL*1*LINDQVIST*MARTA", b"NM1*IL*1~LINDQVIST*MARTA", "LINDQVIS"),  # stray terminator: a surname
    (b"DMG*D8*19740630*F", b"DMG*D8~19740630*F", "19740630"),  # a date of birth
    (b"NM1*IL*1*LINDQVIST*MARTA****MI*MMH5520914", b"NM1|IL|1|LINDQVIST|MARTA||||MI|MMH5520914", "MMH5520914"),
])
def test_unexpected_segment_quotes_no_element_data(linter, old, new, phi):
    data = CLEAN.replace(old, new, 1)
    assert data != CLEAN
    result = lint(linter, data)
    str001 = [f for f in result.findings if f.rule == "IG301"]  # STR001 is a deprecated alias of IG301
    assert str001
    for finding in result.findings:
        shown = " ".join(str(v) for v in finding.to_dict().values() if v is not None)
        assert phi not in shown and "LINDQVIST" not in shown, finding
        assert finding.segment is None or (2 <= len(finding.segment) <= 3 and finding.segment.isalnum())
    assert any(f.segment is None for f in str001)  # an invalid id is located by position, never quoted


def test_unexpected_segment_with_a_valid_id_is_still_named(linter):
    result = lint(linter, CLEAN.replace(b"BHT*", b"ZZQ*1~BHT*", 1))
    (finding,) = [f for f in result.findings if f.rule == "IG301"]
    assert finding.segment == "ZZQ" and "ZZQ" in finding.message


def test_segment_id_helper():
    from edi_lint.findings import segment_id

    assert [segment_id(t) for t in ("NM1", "N3", "SV1", "HL")] == ["NM1", "N3", "SV1", "HL"]
    assert [segment_id(t) for t in ("", "N", "NM1X", "19", "nm1", "N M", "LINDQVIST", "NM1|IL")] == [None] * 8


# -- item 7: numbers longer than Python's int-string limit -----------------------------------------


HUGE = b"9" * 5000


@pytest.mark.parametrize("old, new, rule", [
    (b"LX*1~", b"LX*" + HUGE + b"~", "LX001"),
    (b"HL*2*1*22*0~", b"HL*" + HUGE + b"*1*22*0~", "HL001"),
    (b"\nSE*73*", b"\nSE*" + HUGE + b"*", "ENV005"),
    (b"\nGE*1*", b"\nGE*" + HUGE + b"*", "ENV006"),
    (b"\nIEA*1*", b"\nIEA*" + HUGE + b"*", "ENV007"),
    (b"SV1*HC:97026:GP*30*UN*1***1~", b"SV1*HC:97026:GP*30*UN*1***" + HUGE + b"~", None),
])
def test_huge_numbers_are_wrong_values_not_internal_errors(linter, old, new, rule):
    data = CLEAN.replace(old, new, 1)
    assert data != CLEAN
    from edi_lint.application import build_linter
    from edi_lint.rules.deprecated import DEPRECATED
    from edi_lint.settings import Settings

    if rule in DEPRECATED:  # retired in favour of an IG code, still runnable by name
        linter = build_linter(Settings(extend_select=(rule,)))
    result = lint(linter, data)
    if rule is not None:
        (finding,) = [f for f in result.findings if f.rule == rule]
        assert len(finding.message) < 300 and "..." in finding.message


def test_integer_value_is_bounded_by_the_element_length():
    from edi_lint.claims import integer_value

    assert integer_value(" 12 ", 6) == 12
    assert integer_value("1234567", 6) is None
    assert integer_value("9" * 5000, 6) is None
    assert integer_value("\u00b9", 6) is None and integer_value("", 6) is None


# -- item 8: delimiter changes cost linear time ------------------------------------------------------


def _alternating(count: int) -> bytes:
    a = ISA + b"IEA*1*000001002~"
    b = PIPE_ISA + b"IEA|1|000001002!"
    return (a + b) * count


def _split_work(data: bytes, chunk_size: int) -> int:
    """Characters handed to str.split while tokenizing `data`: the tokenizer's work, counted, not timed."""
    from edi_lint.x12.tokenizer import iter_segments

    total = 0

    def profile(frame, event, arg):
        nonlocal total
        if event == "c_call" and getattr(arg, "__name__", "") == "split" and isinstance(arg.__self__, str):
            total += len(arg.__self__)

    segments = iter_segments(io.BytesIO(data), chunk_size=chunk_size)
    sys.setprofile(profile)
    try:
        for _ in segments:
            pass
    finally:
        sys.setprofile(None)
    return total


def test_alternating_delimiters_split_each_byte_a_bounded_number_of_times():
    """978 KB of interchanges alternating '*~' and '|!' took 12 s: the rest of each 1 MB chunk was
    re-split at every interchange. Now the work is a small multiple of the input, whatever its size."""
    for count in (50, 400):
        data = _alternating(count)
        assert _split_work(data, 1 << 20) < 3 * len(data)


@pytest.mark.parametrize("chunk_size", [1, 7, 106, 107, 250, 1 << 20])
def test_alternating_delimiters_give_the_same_segments_at_every_chunk_size(chunk_size):
    from edi_lint.x12.tokenizer import iter_segments

    data = b"\r\n".join([CLEAN, CLEAN.replace(b"*", b"|").replace(b"~", b"!"), ISA + b"IEA*1*000001002~", CLEAN])
    want = [(s.elements, s.index, s.offset, s.line, s.column, s.delimiters.segment)
            for s in iter_segments(io.BytesIO(data), chunk_size=1 << 20)]
    got = [(s.elements, s.index, s.offset, s.line, s.column, s.delimiters.segment)
           for s in iter_segments(io.BytesIO(data), chunk_size=chunk_size)]
    assert got == want
    assert [s[5] for s in want].count("!") == CLEAN.count(b"~")
    assert sum(1 for s in want if s[0][0] == "IEA") == 4
    for elements, _, offset, *_ in want:  # every offset points at its segment id in the file
        assert data[offset : offset + len(elements[0])].decode("latin-1") == elements[0]


# -- items 9 and 13: the grammar cache is ours, verified, or ignored --------------------------------


def _grammar_ids(root) -> set[str]:
    from edi_lint.x12.grammar import LoopNode

    ids, stack = set(), [root]
    while stack:
        node = stack.pop()
        if isinstance(node, LoopNode):
            stack.extend(node.children)
        else:
            ids.add(node.id)
    return ids


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("EDI_LINT_CACHE_DIR", str(folder))
    return folder


def _poison(cache_dir) -> "Path":
    """What another user who can write the cache directory would plant: the real grammar with LX
    renamed ZZX, under the right name and with a header that matches its content."""
    import hashlib
    import json

    from edi_lint.x12 import grammar

    key = grammar.content_key(grammar.map_path())
    path = grammar.cache_file(key)
    data = json.dumps(grammar.compile_map(grammar.map_path()), separators=(",", ":"))
    assert '"id":"LX"' in data
    data = data.replace('"id":"LX"', '"id":"ZZX"').encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(f"edi-lint-grammar {key} {hashlib.sha256(data).hexdigest()}\n".encode() + data)
    return path


def test_grammar_cache_is_written_owner_only_and_reused(cache_dir):
    from edi_lint.x12 import grammar

    first = grammar.load_grammar()
    (path,) = cache_dir.glob("grammar-*.json")
    assert path.stat().st_mode & 0o777 == 0o600 and cache_dir.stat().st_mode & 0o077 == 0
    assert not list(cache_dir.glob("*.tmp"))
    assert grammar._read_cache(path, grammar.content_key(grammar.map_path())) is not None
    assert _grammar_ids(grammar.load_grammar()) == _grammar_ids(first) and "LX" in _grammar_ids(first)


def test_grammar_cache_writable_by_others_is_ignored(cache_dir):
    from edi_lint.x12 import grammar

    path = _poison(cache_dir)
    path.chmod(0o666)
    ids = _grammar_ids(grammar.load_grammar())
    assert "LX" in ids and "ZZX" not in ids


@pytest.mark.skipif(not hasattr(__import__("os"), "geteuid") or __import__("os").geteuid() != 0,
                    reason="giving a file to another user needs root")
def test_grammar_cache_owned_by_another_user_is_ignored(cache_dir, linter):
    """Cache poisoning: three defective claims were accepted when another user renamed LX in the cache."""
    import os

    from edi_lint.x12 import grammar

    path = _poison(cache_dir)
    path.chmod(0o600)
    os.chown(path, 65534, 65534)
    ids = _grammar_ids(grammar.load_grammar())
    assert "LX" in ids and "ZZX" not in ids


def test_grammar_cache_damaged_or_stale_is_recompiled(cache_dir):
    from edi_lint.x12 import grammar

    grammar.load_grammar()
    (path,) = cache_dir.glob("grammar-*.json")
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b'"id":"LX"', b'"id":"ZZX"'))  # the header's hash no longer matches
    assert "LX" in _grammar_ids(grammar.load_grammar())
    path.write_bytes(raw[:100])
    assert "LX" in _grammar_ids(grammar.load_grammar())
    path.unlink()
    path.mkdir()  # not a regular file
    assert "LX" in _grammar_ids(grammar.load_grammar())


def test_unreadable_grammar_cache_costs_speed_not_the_run(cache_dir, monkeypatch):
    """HOME pointing at another user's home made every input 'cannot read file: Permission denied'."""
    import os

    from edi_lint.application import build_linter
    from edi_lint.settings import Settings
    from edi_lint.x12 import grammar, walker

    real_open, real_stat, real_mkdir = os.open, os.stat, os.mkdir
    inside = str(cache_dir)

    def denied(real):
        def call(path, *args, **kwargs):
            if str(path).startswith(inside):
                raise PermissionError(13, "Permission denied", str(path))
            return real(path, *args, **kwargs)
        return call

    monkeypatch.setattr(os, "open", denied(real_open))
    monkeypatch.setattr(os, "stat", denied(real_stat))
    monkeypatch.setattr(os, "mkdir", denied(real_mkdir))
    monkeypatch.setattr(walker, "_grammar", None)
    assert "LX" in _grammar_ids(grammar.load_grammar())
    result = build_linter(Settings()).lint_bytes(CLEAN, "clean.837")
    assert result.status == "linted" and result.claims == 5


def test_unreadable_grammar_cache_directory_for_real(tmp_path, monkeypatch):
    import os

    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("root reads every directory")
    from edi_lint.x12 import grammar

    locked = tmp_path / "locked"
    locked.mkdir()
    monkeypatch.setenv("EDI_LINT_CACHE_DIR", str(locked / "cache"))
    locked.chmod(0)
    try:
        assert "LX" in _grammar_ids(grammar.load_grammar())
    finally:
        locked.chmod(0o700)


# -- item 11: configuration, rulesets and baselines are bounded regular files ----------------------


def _cli(*args, cwd=None, **options):
    import subprocess
    from pathlib import Path

    edi_lint = str(Path(sys.executable).with_name("edi-lint"))
    return subprocess.run([edi_lint, *map(str, args)], capture_output=True, timeout=HANG_TIMEOUT_S, cwd=cwd, **options)


@pytest.mark.parametrize("option", ["--config", "--ruleset", "--baseline"])
def test_devices_are_refused_as_configuration_rulesets_and_baselines(tmp_path, option):
    """`--config /dev/zero` read gigabytes."""
    sample = tmp_path / "clean.837"
    sample.write_bytes(CLEAN)
    run = _cli(sample, option, "/dev/zero")
    assert run.returncode == 2, run.stderr
    assert b"not a regular file" in run.stderr and b"Traceback" not in run.stderr
    assert run.stderr.strip().splitlines()[-1].count(b"not a regular file") == 1  # one line says it


def test_a_fifo_ruleset_in_a_configuration_is_refused_without_waiting(tmp_path):
    import os

    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    os.mkfifo(tmp_path / "rules.toml")
    (tmp_path / "edi-lint.toml").write_text('rulesets = ["rules.toml"]\n')
    (tmp_path / "clean.837").write_bytes(CLEAN)
    run = _cli(tmp_path / "clean.837")
    assert run.returncode == 2 and b"not a regular file" in run.stdout + run.stderr, run


def test_oversized_configuration_is_refused(tmp_path):
    from edi_lint.small_files import CONFIG_LIMIT

    config = tmp_path / "big.toml"
    config.write_text("# " + "x" * CONFIG_LIMIT + "\n")
    (tmp_path / "clean.837").write_bytes(CLEAN)
    run = _cli(tmp_path / "clean.837", "--config", config)
    assert run.returncode == 2 and b"larger than 1 MiB" in run.stderr, run.stderr


@pytest.mark.parametrize("entry", [
    {"path": "a.837", "rule": "PT001", "claim_id": 5, "line_number": 1, "count": 1},
    {"path": "a.837", "rule": "PT001", "claim_id": "C1", "line_number": "1", "count": 1},
    {"path": "a.837", "rule": "PT001", "claim_id": None, "line_number": None, "count": "2"},
    {"path": ["a.837"], "rule": "PT001"},
    "PT001",
])
def test_baseline_entries_of_mixed_types_are_a_clear_error(tmp_path, entry):
    """A baseline whose entries mixed types ended in a traceback (sorting str against int)."""
    import json

    good = {"path": "a.837", "rule": "PT001", "claim_id": "C1", "line_number": 1, "count": 1}
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"version": 1, "tool": "edi-lint", "entries": [good, entry]}))
    (tmp_path / "a.837").write_bytes(CLEAN)
    run = _cli("a.837", "--baseline", baseline, cwd=tmp_path)
    assert run.returncode == 2 and b"malformed entry (entry 2)" in run.stderr, run.stderr
    assert b"Traceback" not in run.stderr


# -- item 12: configuration above the project root is used only when it is ours ----------------------


def _world_writable_parent(tmp_path):
    """tmp/shared (mode 777) holds edi-lint.toml ignoring every rule; tmp/shared/project/.git is
    the project, the claims sit in project/claims."""
    import os

    shared = tmp_path / "shared"
    claims = shared / "project" / "claims"
    claims.mkdir(parents=True)
    (shared / "project" / ".git").mkdir()
    (shared / "edi-lint.toml").write_text('ignore = ["ALL"]\n')
    os.chmod(shared, 0o777)
    (claims / "sample.837").write_bytes((FIXTURES / "sample.837").read_bytes())
    return shared, claims


def test_world_writable_configuration_above_the_project_root_is_ignored(tmp_path):
    """A world-writable parent's edi-lint.toml with ignore = ["ALL"] turned 5 errors into 'All checks
    passed' (and accepted every claim of a split)."""
    shared, claims = _world_writable_parent(tmp_path)
    run = _cli("sample.837", "-v", cwd=claims)
    assert run.returncode == 1 and b"Found 5 errors" in run.stdout, run.stdout
    assert b"config_ignored" in run.stderr and b"writable by other users" in run.stderr
    assert b"config_applied" in run.stderr and b"config=none" in run.stderr


def test_configuration_above_the_project_root_applies_when_it_is_ours(tmp_path):
    import os

    shared, claims = _world_writable_parent(tmp_path)
    os.chmod(shared, 0o755)
    run = _cli("sample.837", "-v", cwd=claims)
    assert run.returncode == 0 and b"All checks passed" in run.stdout, (run.stdout, run.stderr)
    assert f"config={shared / 'edi-lint.toml'}".encode() in run.stderr


def test_configuration_inside_the_project_is_used_whatever_its_mode(tmp_path):
    import os

    shared, claims = _world_writable_parent(tmp_path)
    (claims / "edi-lint.toml").write_text('ignore = ["PT002"]\n')
    os.chmod(claims, 0o777)
    run = _cli("sample.837", cwd=claims)
    assert run.returncode == 1 and b"Found 3 errors" in run.stdout, run.stdout


def test_find_config_skips_untrusted_files_above_the_root(tmp_path):
    from edi_lint.config import find_config, project_root

    shared, claims = _world_writable_parent(tmp_path)
    assert project_root(claims) == shared / "project"
    assert find_config(claims) is None
    (shared / "project" / "pyproject.toml").write_text("[tool.edi-lint]\nignore = ['PT001']\n")
    assert find_config(claims) == shared / "project" / "pyproject.toml"


# -- item 14: plugins are imported only when enabled -------------------------------------------------


def test_listing_rules_imports_no_plugin_that_is_not_enabled(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from edi_lint.cli import main
    from test_plugins import PLUGIN_PKG, plugin_site  # noqa: F401  (the fixture's helper)

    site = tmp_path / "site"
    marker = tmp_path / "imported"
    package = site / "edi_lint_probe_plugin"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\nrules = []\n")
    dist = site / "edi_lint_probe_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: edi-lint-probe-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[edi_lint.rulesets]\nprobe = edi_lint_probe_plugin\n")
    monkeypatch.syspath_prepend(str(site))
    for args in (["--list-rules", "--isolated"], ["--list-rules", "--isolated", "--format", "json"],
                 ["--explain", "PT001", "--isolated"], ["--explain", "PROBE1", "--isolated"]):
        result = CliRunner().invoke(main, args)
        assert not marker.exists(), args
    assert "probe" in CliRunner().invoke(main, ["--list-rules", "--isolated"]).stdout
    unknown = CliRunner().invoke(main, ["--explain", "PROBE1", "--isolated"])
    assert unknown.exit_code == 2 and "probe" in unknown.output
    sys.modules.pop("edi_lint_probe_plugin", None)


# -- item 15: what reaches a terminal is escaped -----------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "concise"])
def test_file_names_cannot_forge_report_lines_or_reach_the_terminal(tmp_path, fmt):
    import os

    name = "a\nfake.837:1:1: PT999 forged\x1b[31m.837"
    (tmp_path / name).write_bytes((FIXTURES / "sample.837").read_bytes())
    os.mkdir(tmp_path / "broken\x1b]0;title\x07.837")
    (tmp_path / "broken\x1b]0;title\x07.837" / "x.837").write_bytes(b"not x12")
    run = _cli(".", "--format", fmt, "-v", cwd=tmp_path)
    assert b"\x1b" not in run.stdout and b"\x1b" not in run.stderr and b"\x07" not in run.stdout
    lines = run.stdout.decode().splitlines()
    assert not any(line.startswith("fake.837") for line in lines)
    # the name, escaped, on each of the 5 finding lines (concise), or once above them (text groups by file)
    assert sum("PT999" in line for line in lines) == (5 if fmt == "concise" else 1)
    assert any(line.startswith("a\\nfake.837") for line in lines)


def test_rule_texts_from_a_ruleset_are_escaped_on_the_terminal(tmp_path):
    ruleset = tmp_path / "rules.toml"
    ruleset.write_text('[ruleset]\nname = "evil"\n[[rule]]\ncode = "EV001"\nname = "x"\n'
                       'summary = "sum\\u001b[2Jmary"\nexplanation = "line one\\nline\\u001b]0;t\\u0007 two"\n'
                       'forbid = { procedure = "97026" }\nmessage = "m"\n')
    for args in (["--list-rules"], ["--explain", "EV001"]):
        run = _cli(*args, "--isolated", "--ruleset", ruleset)
        assert run.returncode == 0, run.stderr
        assert b"\x1b" not in run.stdout and b"\x07" not in run.stdout and b"EV001" in run.stdout
    assert b"line one\nline" in run.stdout  # an explanation keeps its line breaks


# -- the pre-flight split: items 1-4 -----------------------------------------------------------------


def _clm01s(data: bytes) -> list[str]:
    from edi_lint.x12.tokenizer import segments_from_bytes

    return [s.get(1) for s in segments_from_bytes(data) if s.id == "CLM"] if data else []


def _split_cli(tmp_path, source, *extra, **kwargs):
    ok, held = tmp_path / "OK.837", tmp_path / "HELD.837"
    run = _cli(source, "--accepted", ok, "--rejected", held, *extra, **kwargs)
    return run, ok, held


def _leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("stray", [b"\x1a", b"\r\n\x1a"])
def test_split_exit_is_1_when_a_stray_byte_after_the_iea_holds_every_claim(tmp_path, stray):
    """A DOS end-of-file byte after the IEA is only a warning, yet it holds its whole scope: OK.837
    was empty, HELD.837 had every claim, and the exit was 0 ('every claim accepted')."""
    source = tmp_path / "in.837"
    source.write_bytes(CLEAN + stray)
    run, ok, held = _split_cli(tmp_path, source)
    assert run.returncode == 1, (run.stdout, run.stderr)
    assert sorted(_clm01s(held.read_bytes()) + _clm01s(ok.read_bytes())) == sorted(_clm01s(CLEAN))


def test_split_exit_is_1_when_a_warning_holds_a_transaction(tmp_path):
    source = tmp_path / "in.837"
    source.write_bytes(CLEAN.replace(b"BHT*", b"ZZQ*1~\nBHT*", 1))
    run, ok, held = _split_cli(tmp_path, source)
    assert run.returncode == 1 and _clm01s(held.read_bytes()), (run.stdout, run.stderr)


def test_split_exit_is_0_only_when_every_claim_is_accepted(tmp_path):
    source = tmp_path / "in.837"
    source.write_bytes(CLEAN)
    run, ok, held = _split_cli(tmp_path, source)
    assert run.returncode == 0 and _clm01s(ok.read_bytes()) == _clm01s(CLEAN) and held.read_bytes() == b""


def _sample_claims() -> list[str]:
    return _clm01s((FIXTURES / "sample.837").read_bytes())


@pytest.mark.parametrize("how", ["stdin-dash", "dev-stdin", "process-substitution", "fifo"])
def test_split_reads_standard_input_fifos_and_process_substitution(tmp_path, how):
    """`<(cat f)` and `/dev/stdin` ended in a traceback; a FIFO input hung forever."""
    import os
    import shutil
    import subprocess
    import threading

    sample = FIXTURES / "sample.837"
    edi_lint = shutil.which("edi-lint", path=os.path.dirname(sys.executable))
    outputs = f"--accepted {tmp_path / 'OK.837'} --rejected {tmp_path / 'HELD.837'}"
    if how == "process-substitution":
        if shutil.which("bash") is None:
            pytest.skip("no bash")
        run = subprocess.run(["bash", "-c", f"'{edi_lint}' <(cat '{sample}') {outputs}"], capture_output=True,
                             timeout=HANG_TIMEOUT_S)
    elif how == "fifo":
        fifo = tmp_path / "in.fifo"
        os.mkfifo(fifo)

        def feed():
            with open(fifo, "wb") as out:
                out.write(sample.read_bytes())

        writer = threading.Thread(target=feed)
        writer.start()
        run = subprocess.run([edi_lint, str(fifo), *outputs.split()], capture_output=True, timeout=HANG_TIMEOUT_S)
        writer.join(10)
    else:
        name = "-" if how == "stdin-dash" else "/dev/stdin"
        run = subprocess.run([edi_lint, name, *outputs.split()], input=sample.read_bytes(), capture_output=True,
                             timeout=HANG_TIMEOUT_S)
    assert run.returncode == 1 and b"Traceback" not in run.stderr, run.stderr
    got = _clm01s((tmp_path / "OK.837").read_bytes()) + _clm01s((tmp_path / "HELD.837").read_bytes())
    assert sorted(got) == sorted(_sample_claims())
    assert _leftovers(tmp_path) == []


def test_split_verdicts_are_about_the_bytes_it_read_even_if_the_input_is_replaced(tmp_path, monkeypatch):
    """Replaced by rename during a split, OK.837 held a claim that was never linted, exit 0."""
    import os

    import edi_lint
    from edi_lint import preflight

    source = tmp_path / "in.837"
    source.write_bytes(CLEAN)
    other = (FIXTURES / "sample.837").read_bytes()
    real_scan = preflight.scan

    def replace_then_scan(*args, **kwargs):
        swap = tmp_path / "swap.837"
        swap.write_bytes(other)
        os.replace(swap, source)  # what a producer writing the next batch does
        return real_scan(*args, **kwargs)

    monkeypatch.setattr(preflight, "scan", replace_then_scan)
    report = edi_lint.split(source, tmp_path / "OK.837", tmp_path / "HELD.837")
    written = _clm01s((tmp_path / "OK.837").read_bytes()) + _clm01s((tmp_path / "HELD.837").read_bytes())
    assert sorted(written) == sorted(_clm01s(CLEAN)) and report.exit_code == 0
    assert _leftovers(tmp_path) == []


def _stale_outputs(tmp_path):
    for name in ("OK.837", "HELD.837"):
        (tmp_path / name).write_bytes(b"stale output of an earlier run")


def test_split_on_a_full_disk_exits_2_and_leaves_nothing(tmp_path):
    """Disk full: a traceback, exit 1, the previous OK.837 left in place and .tmp files holding claims."""
    import resource

    source = tmp_path / "in.837"
    source.write_bytes(CLEAN * 20)
    _stale_outputs(tmp_path)
    limit = len(CLEAN) * 10  # no file can hold the whole batch

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    run, ok, held = _split_cli(tmp_path, source, preexec_fn=small_files)
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert b"Traceback" not in run.stderr and b"nothing written" in run.stderr
    assert not ok.exists() and not held.exists() and _leftovers(tmp_path) == []


def test_split_whose_output_write_fails_exits_2_and_leaves_nothing(tmp_path, monkeypatch):
    import errno

    from click.testing import CliRunner

    from edi_lint import preflight
    from edi_lint.cli import main

    source = tmp_path / "in.837"
    source.write_bytes(CLEAN * 3)
    _stale_outputs(tmp_path)
    real_write = preflight._Output.write
    calls = []

    def write(self, *args, **kwargs):
        calls.append(1)
        if len(calls) > 100:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(preflight._Output, "write", write)
    result = CliRunner().invoke(main, [str(source), "--accepted", str(tmp_path / "OK.837"), "--rejected",
                                       str(tmp_path / "HELD.837")])
    assert result.exit_code == 2 and "No space left on device" in result.output, result.output
    assert not (tmp_path / "OK.837").exists() and not (tmp_path / "HELD.837").exists()
    assert _leftovers(tmp_path) == []


def test_split_of_an_unlintable_input_removes_stale_outputs(tmp_path):
    source = tmp_path / "in.837"
    source.write_bytes(b"not x12 at all")
    _stale_outputs(tmp_path)
    run, ok, held = _split_cli(tmp_path, source)
    assert run.returncode == 2 and not ok.exists() and not held.exists() and _leftovers(tmp_path) == []


def _copied(folder, size: int) -> bool:
    """Whether the split's private copy of its input (a .tmp file) holds `size` bytes yet."""
    for name in _leftovers(folder):
        try:
            if (folder / name).stat().st_size >= size:
                return True
        except OSError:
            pass
    return False


def test_api_split_of_unlintable_bytes_removes_stale_outputs(tmp_path):
    """Found by the hostile split property test: edi_lint.split(bytes) of an input that cannot be linted
    left an earlier run's OK.837 in place (exit 2 must leave nothing to forward)."""
    import edi_lint

    _stale_outputs(tmp_path)
    report = edi_lint.split(b"not x12 at all", tmp_path / "OK.837", tmp_path / "HELD.837")
    assert report.exit_code == 2
    assert not (tmp_path / "OK.837").exists() and not (tmp_path / "HELD.837").exists()


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_split_interrupted_mid_way_exits_2_and_leaves_nothing(tmp_path, signal_name):
    """SIGTERM left .tmp files; Ctrl-C printed 'Aborted!' and exited 1."""
    import os
    import signal
    import subprocess
    import time

    fifo = tmp_path / "in.fifo"
    os.mkfifo(fifo)
    _stale_outputs(tmp_path)
    edi_lint = os.path.join(os.path.dirname(sys.executable), "edi-lint")
    process = subprocess.Popen([edi_lint, str(fifo), "--accepted", str(tmp_path / "OK.837"), "--rejected",
                                str(tmp_path / "HELD.837")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # not ignored
    sent = CLEAN[: len(CLEAN) // 2]
    with open(fifo, "wb") as feed:
        feed.write(sent)
        feed.flush()
        # the marker: the private copy of the input holds all that was sent, so the split is under way
        # and waiting for more. No fixed sleep: a loaded machine only makes this take longer.
        deadline = time.monotonic() + HANG_TIMEOUT_S
        while not _copied(tmp_path, len(sent)):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the split never read its input"
            time.sleep(0.02)
        process.send_signal(getattr(signal, signal_name))
    _, stderr = process.communicate(timeout=HANG_TIMEOUT_S)  # the writer is closed: a missed signal would not hang
    assert process.returncode == 2, stderr
    assert b"interrupted" in stderr and b"Traceback" not in stderr
    assert _leftovers(tmp_path) == [] and not (tmp_path / "OK.837").exists()


def test_split_refuses_to_replace_a_symlink_or_a_non_regular_output(tmp_path):
    """A symlinked OK.837 became a regular file; as root, --rejected /dev/null became a file of claims."""
    import os

    source = tmp_path / "in.837"
    source.write_bytes(CLEAN)
    target = tmp_path / "elsewhere.837"
    target.write_bytes(b"keep me")
    os.symlink(target, tmp_path / "OK.837")
    run, ok, held = _split_cli(tmp_path, source)
    assert run.returncode == 2 and b"symbolic link" in run.stderr, run.stderr
    assert ok.is_symlink() and target.read_bytes() == b"keep me" and not held.exists()
    os.unlink(ok)
    os.mkfifo(held)  # stands in for a device such as /dev/null
    run, ok, held = _split_cli(tmp_path, source)
    assert run.returncode == 2 and b"not a regular file" in run.stderr, run.stderr
    assert not ok.exists() and held.is_fifo()


# -- item 10: no traceback when the report, a path or a worker fails ---------------------------------


@pytest.mark.parametrize("how", ["dev-full", "closed"])
def test_report_to_a_full_or_closed_standard_output_is_a_clear_error(tmp_path, how):
    import os
    import subprocess

    if how == "dev-full" and not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    edi_lint = os.path.join(os.path.dirname(sys.executable), "edi-lint")
    sample = str(FIXTURES / "sample.837")
    if how == "dev-full":
        with open("/dev/full", "w") as full:
            run = subprocess.run([edi_lint, sample], stdout=full, stderr=subprocess.PIPE, timeout=HANG_TIMEOUT_S)
    else:
        run = subprocess.run([edi_lint, sample], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             timeout=HANG_TIMEOUT_S,
                             preexec_fn=lambda: os.close(1))
    assert run.returncode == 2 and b"Traceback" not in run.stderr, run.stderr
    assert b"cannot write the report to standard output" in run.stderr
    assert b"Exception ignored" not in run.stderr


def test_split_whose_report_cannot_be_written_leaves_no_output(tmp_path):
    import os
    import subprocess

    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    edi_lint = os.path.join(os.path.dirname(sys.executable), "edi-lint")
    source = tmp_path / "in.837"
    source.write_bytes(CLEAN)
    with open("/dev/full", "w") as full:
        run = subprocess.run([edi_lint, str(source), "--accepted", str(tmp_path / "OK.837"), "--rejected",
                              str(tmp_path / "HELD.837")], stdout=full, stderr=subprocess.PIPE, timeout=HANG_TIMEOUT_S)
    assert run.returncode == 2 and b"Traceback" not in run.stderr, run.stderr
    assert not (tmp_path / "OK.837").exists() and not (tmp_path / "HELD.837").exists()


def _run_as_nobody(args: list[str], cwd: str) -> tuple[int, str]:
    """The command line run in a forked child that cannot search what only root may (as root: the
    child drops to the user nobody; otherwise it is this user). Returns (exit code, standard output).

    A fork rather than a new process: this interpreter may live where nobody cannot read it."""
    import json
    import os

    from click.testing import CliRunner

    from edi_lint.cli import main

    CliRunner().invoke(main, args[1:])  # imports everything the run needs while they can be read
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (the child's coverage is not collected)
        try:
            os.close(reader)
            os.chdir(cwd)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            os.environ["HOME"] = cwd
            os.environ["XDG_CACHE_HOME"] = os.path.join(cwd, "cache")
            result = CliRunner().invoke(main, args)
            os.write(writer, json.dumps([result.exit_code, result.stdout]).encode())
        finally:
            os._exit(0)
    os.close(writer)
    chunks = []
    while chunk := os.read(reader, 1 << 16):
        chunks.append(chunk)
    os.close(reader)
    os.waitpid(child, 0)
    if not chunks:
        pytest.fail("the child run gave no answer")
    code, stdout = json.loads(b"".join(chunks))
    return code, stdout


def test_a_path_that_cannot_be_looked_at_fails_alone():
    """A path inside a directory the user cannot search raised PermissionError (and the other files
    were not linted). For real: a directory of mode 000 (owned by root and read by nobody when the
    tests run as root)."""
    import json
    import os
    import shutil
    import tempfile

    if not hasattr(os, "fork") or not hasattr(os, "geteuid"):
        pytest.skip("needs fork and POSIX users")
    if os.geteuid() == 0:
        import pwd

        try:
            pwd.getpwuid(65534)
        except KeyError:
            pytest.skip("running as root, and there is no user nobody (65534) to drop to")
        import edi_lint

        here = os.path.dirname(os.path.abspath(edi_lint.__file__))
        while here != os.path.dirname(here):  # nobody must reach the install to load what a run reads late
            if not os.stat(here).st_mode & 0o001:
                pytest.skip(f"the user nobody cannot reach this install ({here} is not searchable by others)")
            here = os.path.dirname(here)
    folder = tempfile.mkdtemp(prefix="edi-lint-locked-")  # under /tmp: pytest's tmp_path is root's only
    try:
        os.chmod(folder, 0o755)
        locked = os.path.join(folder, "locked")
        os.mkdir(locked)
        hidden = os.path.join(locked, "in.837")
        good = os.path.join(folder, "good.837")
        for path in (hidden, good):
            with open(path, "wb") as out:
                out.write(CLEAN)
            os.chmod(path, 0o644)
        os.chmod(locked, 0o000)
        if os.geteuid() != 0 and os.access(hidden, os.R_OK):
            pytest.skip("this user can search a directory of mode 000")
        code, stdout = _run_as_nobody([hidden, good, "--format", "json", "--isolated"], folder)
    finally:
        os.chmod(os.path.join(folder, "locked"), 0o700)
        shutil.rmtree(folder)
    files = {f["path"]: f for f in json.loads(stdout)["files"]}
    assert code == 2  # README: an input that could not be linted at all
    assert files[good]["status"] == "linted" and files[good]["claims"] == 5
    assert files[hidden]["status"] == "error" and files[hidden]["error"] == "cannot read file: Permission denied"


def _dying_worker(name):
    """Lints like a worker, but dies on c3.837 the way the OOM killer ends a process."""
    import os

    from edi_lint import application

    if name.endswith("c3.837"):
        os._exit(9)
    return application.__dict__["_REAL_TIMED_WORKER"](name)


def test_a_worker_that_dies_is_an_error_for_its_files_not_a_traceback(tmp_path, monkeypatch):
    """--jobs 2 when a worker died: BrokenProcessPool, no report."""
    import multiprocessing
    import os

    from edi_lint import application
    from edi_lint.settings import Settings

    if multiprocessing.get_start_method() != "fork":
        pytest.skip("the dying worker is patched in by fork")
    monkeypatch.setitem(application.__dict__, "_REAL_TIMED_WORKER", application._timed_worker)
    names = []
    for n in range(6):
        path = tmp_path / f"c{n}.837"
        path.write_bytes(CLEAN)
        names.append(str(path))
    monkeypatch.setattr(application, "_timed_worker", _dying_worker)
    monkeypatch.setattr(application, "MAX_BATCH", 1)
    results = application.run_files(names, application.Linters(Settings()), jobs=2)
    assert [r.path for r in results] == names
    # The file that killed its worker, and every file after it, is an error that says so. The files
    # before it keep their result when it arrived first; under load a slow worker's result can be lost
    # with the pool, so those are linted, then errors, never errors and then linted again.
    assert all(r.status == "error" and "worker process died" in r.error for r in results[3:])
    statuses = [r.status for r in results[:3]]
    assert statuses == sorted(statuses, key=lambda status: status != "linted")
    assert application.exit_code(results) == 2


def test_jobs_batch_small_files_and_keep_the_order(tmp_path):
    from edi_lint import application
    from edi_lint.settings import Settings

    names = []
    for n in range(40):
        path = tmp_path / f"f{n:02d}.837"
        path.write_bytes(CLEAN if n % 3 else CLEAN.replace(b"GP*30", b"GO*30", 1))
        names.append(str(path))
    serial = application.run_files(names, application.Linters(Settings()), jobs=1)
    parallel = application.run_files(names, application.Linters(Settings()), jobs=2)
    assert [(r.path, [f.to_dict() for f in r.findings]) for r in parallel] == \
        [(r.path, [f.to_dict() for f in r.findings]) for r in serial]


# -- item 6: an orphan-only scope keeps its context --------------------------------------------------


def _misplaced(text: str, claim_id: str) -> str:
    """`text` with claim `claim_id` (to the next CLM, HL or SE) moved above its subscriber's HL."""
    start = text.index(f"CLM*{claim_id}*")
    end = min(i for i in (text.find(f"\n{sid}*", start) for sid in ("CLM", "HL", "SE")) if i >= 0) + 1
    claim = text[start:end]
    text = text[:start] + text[end:]
    hl = text.rindex("\nHL*", 0, start) + 1
    assert text[hl:].split("*")[3] == "22", "the claim must sit under a subscriber level"
    return text[:hl] + claim + text[hl:]


def _one_claim_misplaced() -> str:
    text = CLEAN.decode()
    one = text[: text.index("CLM*CLEAN-2310B-PT")] + text[text.index("\nSE*") + 1 :]
    return _misplaced(one, "CLEAN-BILLING-TAXONOMY")


def _control_numbers(data: bytes) -> list[tuple[str, str, str]]:
    from edi_lint.x12.tokenizer import segments_from_bytes

    found, isa13, gs06 = [], "", ""
    for seg in segments_from_bytes(data):
        if seg.id == "ISA":
            isa13 = seg.get(13)
        elif seg.id == "GS":
            gs06 = seg.get(6)
        elif seg.id == "ST":
            found.append((isa13, gs06, seg.get(2)))
    return found


def _valid_everywhere(linter, data: bytes) -> None:
    """pyx12 accepts it and our own IG validation and structure checks find nothing."""
    from test_preflight import pyx12_valid

    ok, ack = pyx12_valid(data)
    assert ok, ack
    result = lint(linter, data)
    assert [f.rule for f in result.findings if f.rule.startswith(("IG", "STR", "ENV"))] == []
    isa13s = [s.get(13) for s in _segments(data) if s.id == "ISA"]
    assert len(set(isa13s)) == len(isa13s) and len(set(_control_numbers(data))) == len(_control_numbers(data))


def _segments(data: bytes):
    from edi_lint.x12.tokenizer import segments_from_bytes

    return list(segments_from_bytes(data))


def test_misplaced_only_claim_is_held_with_its_context(tmp_path, linter):
    """The only CLM moved above its subscriber HL: HELD.837 had no BHT, submitter, billing provider,
    SBR, NM1*IL or payer, failed validation, and the run said '0 accepted, 0 rejected' with exit 0."""
    import json

    source = tmp_path / "in.837"
    source.write_text(_one_claim_misplaced())
    run, ok, held = _split_cli(tmp_path, source, "--format", "json")
    assert run.returncode == 1, run.stderr
    doc = json.loads(run.stdout)
    assert doc["split"]["accepted"] == 0 and doc["split"]["rejected"] == 1
    assert [(c["claim_id"], c["accepted"]) for c in doc["claims"]] == [("CLEAN-BILLING-TAXONOMY", False)]
    data = held.read_bytes()
    assert ok.read_bytes() == b""
    _valid_everywhere(linter, data)
    segments = _segments(data)
    for needed in [("BHT", ""), ("NM1", "41"), ("NM1", "40"), ("NM1", "85"), ("SBR", "P"), ("NM1", "IL"),
                   ("NM1", "PR"), ("CLM", "CLEAN-BILLING-TAXONOMY")]:
        assert any(s.id == needed[0] and needed[1] in (s.get(1), "") for s in segments), needed
    assert [s.elements[1:5] for s in segments if s.id == "HL"] == [["1", "", "20", "1"], ["2", "1", "22", "0"]]
    assert [s.id for s in segments][-9:-3] == ["LX", "SV1", "DTP"] * 2  # the claim, whole, last


def test_misplaced_claim_beside_held_claims_keeps_control_numbers_unique(tmp_path, linter):
    """A transaction whose only claim is misplaced, in an interchange with another held claim: HELD.837
    got a second interchange repeating ISA13, GS06 and ST02."""
    import json

    text = CLEAN.decode().replace("GP*30", "GO*30", 1)  # the first claim of ST 0001 has an error
    st = text[text.index("ST*837") : text.index("CLM*CLEAN-2310B-PT")] + "SE*1*0002~\n"
    second = _misplaced(st.replace("ST*837*0001", "ST*837*0002"), "CLEAN-BILLING-TAXONOMY")
    source = tmp_path / "in.837"
    source.write_text(text.replace("GE*1*1002~", second + "GE*2*1002~"))
    run, ok, held = _split_cli(tmp_path, source, "--format", "json")
    assert run.returncode == 1, run.stderr
    doc = json.loads(run.stdout)
    assert doc["split"]["accepted"] == 4 and doc["split"]["rejected"] == 2
    assert sorted(_clm01s(held.read_bytes())) == ["CLEAN-BILLING-TAXONOMY"] * 2
    assert len(doc["claims"]) == 6 and sum(not c["accepted"] for c in doc["claims"]) == 2
    data = held.read_bytes()
    assert _control_numbers(data) == [("000001002", "1002", "0001"), ("000001002", "1002", "0002")]
    from test_preflight import pyx12_valid

    assert pyx12_valid(data)[0]
    assert pyx12_valid(ok.read_bytes())[0]


def test_lint_api_gives_a_misplaced_claim_a_verdict(tmp_path):
    """`edi_lint.lint` listed no verdict for a CLM the guide has no place for: every CLM of the input
    must have one."""
    import edi_lint

    report = edi_lint.lint(_one_claim_misplaced().encode())
    assert [(c.claim_id, c.accepted) for c in report.claims] == [("CLEAN-BILLING-TAXONOMY", False)]
    data = _misplaced(CLEAN.decode(), "CLEAN-BILLING-TAXONOMY").encode()  # its subscriber has another claim
    report = edi_lint.lint(data)
    assert sorted(c.claim_id for c in report.claims) == sorted(_clm01s(CLEAN))
    assert report.accepted == []  # the misplaced claim holds its billing provider's claims
    report = edi_lint.split(data, tmp_path / "OK.837", tmp_path / "HELD.837")
    assert report.exit_code == 1 and report.split["rejected"] == 5 and report.split["accepted"] == 0
    held = (tmp_path / "HELD.837").read_bytes()
    assert _clm01s(held)[:2] == ["CLEAN-BILLING-TAXONOMY", "CLEAN-2310B-PT"]  # moved under its subscriber
    from test_preflight import pyx12_valid

    assert pyx12_valid(held)[0]
