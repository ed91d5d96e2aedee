"""The console script's shortcut for a plain lint (file names, at most one --format) skips click.

`edi_lint.cli.run` parses such a command line itself, because importing click costs more than linting
a claim. These tests hold the shortcut to the click command: the same options as click parses from
the same arguments, anything else left to click, and the same output, errors and exit codes.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import FIXTURES

from edi_lint.cli import command, plain_options

PLAIN = [
    ["a.837"],
    ["a.837", "b.837", "dir"],
    ["--format", "json", "a.837"],
    ["a.837", "--format=sarif", "b.837"],
    ["-f", "text", "a.837"],
    ["--output-format", "jsonl", "a.837"],
    ["--output-format=html", "a.837"],
    ["a.837", "-f", "github"],
    ["json", "--format", "json"],  # a file named like a format
    [""],
]

NOT_PLAIN = [
    [],  # click says that a PATH is needed
    ["-"],  # standard input
    ["--", "a.837"],
    ["-v", "a.837"],
    ["a.837", "--isolated"],
    ["--select", "PT001", "a.837"],
    ["--format", "bogus", "a.837"],
    ["--format", "JSON", "a.837"],
    ["--format", "json", "--format", "text", "a.837"],
    ["--format", "json"],
    ["a.837", "--format"],
    ["-fjson", "a.837"],
    ["-f=json", "a.837"],
    ["--format=", "a.837"],
    ["--formats=json", "a.837"],
    ["--help"],
    ["-h", "a.837"],
    ["--version"],
]


@pytest.mark.parametrize("args", PLAIN, ids=" ".join)
def test_a_plain_command_line_gives_what_click_parses(args):
    assert plain_options(args) == command().make_context("edi-lint", list(args)).params


@pytest.mark.parametrize("args", NOT_PLAIN, ids=" ".join)
def test_anything_else_is_left_to_click(args):
    assert plain_options(args) is None


def test_shell_completion_is_left_to_click(monkeypatch):
    monkeypatch.setenv("_EDI_LINT_COMPLETE", "bash_source")
    assert plain_options(["a.837"]) is None


# The same command line through the console script (run) and through the click command (main).
RUN = "import sys; sys.argv[0] = 'edi-lint'; {patch}from edi_lint.cli import {entry}; {entry}()"
# An error raised inside the command, as click reports one: the usage line, the message, exit 2
USAGE_ERROR = ("import edi_lint.application as a\n"
               "def refuse(*args, **kwargs): raise a.UsageError('refused for the test')\n"
               "a.run = refuse\n")


def both(args: list[str], cwd, patch: str = "") -> list[tuple]:
    env = {**os.environ, "EDI_LINT_CACHE_DIR": str(cwd / "cache")}
    done = []
    for entry in ("run", "main"):
        r = subprocess.run([sys.executable, "-c", RUN.format(patch=patch, entry=entry), *args], capture_output=True,
                           cwd=cwd, env=env, timeout=120)
        done.append((r.returncode, r.stdout, r.stderr))
    return done


@pytest.mark.parametrize("case", ["clean", "findings", "missing", "format", "configuration", "usage"])
def test_the_console_script_runs_a_plain_lint_as_the_click_command_does(tmp_path, case):
    (tmp_path / "clean.837").write_bytes((FIXTURES / "clean.837").read_bytes())
    (tmp_path / "sample.837").write_bytes((FIXTURES / "sample.837").read_bytes())
    args, patch = {
        "clean": (["clean.837"], ""),
        "findings": (["sample.837", "clean.837"], ""),
        "missing": (["clean.837", "no-such.837"], ""),
        "format": (["--format", "json", "sample.837"], ""),
        "configuration": (["clean.837"], ""),
        "usage": (["clean.837"], USAGE_ERROR),
    }[case]
    assert plain_options(args) is not None
    if case == "configuration":
        (tmp_path / "edi-lint.toml").write_text("select = 3\n")
    via_run, via_click = both(args, tmp_path, patch)
    assert via_run == via_click
    code, out, err = via_run
    expected_code = {"clean": 0, "findings": 1, "missing": 2, "format": 1, "configuration": 2, "usage": 2}[case]
    assert code == expected_code, err
    if case in ("configuration", "usage"):
        assert err.startswith(b"Usage: edi-lint" if case == "usage" else b"Error: ") and b"Traceback" not in err
