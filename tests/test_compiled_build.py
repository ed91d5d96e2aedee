"""The optional compiled build (`EDI_LINT_COMPILE=1 pip install .`, hatch_build.py) and the pure one.

CI runs the whole suite on both builds; that is the main agreement check. Here: which build is imported
is what it says it is (a compiled install really runs its extension modules, a pure one none), and, in the
compiled build, its output equals the pure-Python sources' output byte for byte on the fixtures and a
generated file full of defects, in the formats that carry every finding field. No timings here
(bench/run.py --edi-lint-compiled).
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import subprocess
import sys
from pathlib import Path

import pytest

import edi_lint
from conftest import FIXTURES, REPO

SRC = REPO / "src"
HOT = "edi_lint.x12.tokenizer"  # compiled first of all in the compiled build


def _is_extension(module) -> bool:
    return isinstance(module.__loader__, importlib.machinery.ExtensionFileLoader) and module.__file__.endswith(
        tuple(importlib.machinery.EXTENSION_SUFFIXES))


def test_the_build_is_what_it_says():
    """COMPILED (and `--version`'s "(compiled)") is True exactly when the compiled modules are loaded."""
    if edi_lint.COMPILED:
        from edi_lint._compiled import MODULES

        assert HOT in MODULES
        for name in MODULES:
            module = importlib.import_module(name)
            assert _is_extension(module), f"{name} was imported from {module.__file__}, not its extension module"
    else:
        package = Path(edi_lint.__file__).parent
        stray = [p for p in package.rglob("*") if p.name.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))]
        assert not stray, f"extension modules in a pure-Python install would shadow the sources: {stray}"
        assert not _is_extension(importlib.import_module(HOT))


def _lint(python_path: str | None, args: list[str], cwd: Path, cache: Path) -> bytes:
    env = dict(os.environ, NO_COLOR="1", EDI_LINT_CACHE_DIR=str(cache))
    env.pop("PYTHONPATH", None)
    if python_path:
        env["PYTHONPATH"] = python_path
    done = subprocess.run([sys.executable, "-c", "import sys; from edi_lint.cli import main; sys.exit(main())",
                           "--isolated", "--exit-zero", "-qq", "--color", "never", *args],
                          cwd=cwd, capture_output=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return done.stdout


@pytest.mark.skipif(not edi_lint.COMPILED, reason="the compiled build is not installed (EDI_LINT_COMPILE=1 pip install)")
def test_compiled_and_pure_builds_give_identical_output(tmp_path):
    """The installed compiled modules against the repository's .py sources (PYTHONPATH=src), same inputs."""
    probe = subprocess.run([sys.executable, "-c", "import edi_lint, sys; sys.stdout.write(str(edi_lint.COMPILED))"],
                           env=dict(os.environ, PYTHONPATH=str(SRC)), capture_output=True, text=True)
    assert probe.stdout == "False", "PYTHONPATH=src must import the pure-Python sources"
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import gen837
    finally:
        sys.path.remove(str(REPO / "bench"))
    generated = tmp_path / "defects.837"
    with open(generated, "w", encoding="latin-1", newline="") as handle:
        gen837.generate(handle, 300, seed=2, defect_rate=1.0, newlines=True, tx=3, line_provider_rate=0.4)
    files = [str(generated)] + sorted(str(p) for p in FIXTURES.iterdir() if p.suffix in (".837", ".x12", ".edi"))
    for args in (["--select", "ALL", "--format", "json", "--statistics"], ["--format", "full"],
                 ["--format", "sarif"]):
        compiled = _lint(None, [*args, *files], tmp_path, tmp_path / "cache-compiled")
        pure = _lint(str(SRC), [*args, *files], tmp_path, tmp_path / "cache-pure")
        assert compiled == pure, f"the builds differ with {args}"
        assert len(compiled) > 1000
