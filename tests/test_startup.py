"""What a one-claim run (the pre-commit case) imports: only what it needs.

Start-up is most of a one-claim run, and an import is the easiest cost to add by accident (a
module-level `import lxml` in a helper, a reporter imported for every format). The run is a real
`edi-lint` process; what it imported is read from sys.modules at exit. Time is measured by
bench/run.py, never here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import FIXTURES

# Third-party and heavy modules a plain lint of a clean file never needs, and who does need them.
NOT_NEEDED = {
    "click": "options other than file names and --format (the click command parses those)",
    "lxml": "compiling the grammar or the guide (cached after the first run)",
    "pyx12": "--ig-engine pyx12",
    "jinja2": "--format html",
    "pathspec": "matching include/exclude patterns (directories, --force-exclude)",
    "structlog": "log events at -v or --log-format json",
    "tomllib": "a configuration file (the shipped rulesets' parsed tables are cached)",
    "csv": "a user-supplied code-set file",
    "simple_icd_10_cm": "rebuilding the ICD-10-CM table (python -m edi_lint.codesets.build)",
    "zipcodes": "rebuilding the ZIP table",
    "edi_lint.ig": "--ig-engine pyx12",
    "edi_lint.records": "--format html (claim cards)",
    "edi_lint.preflight": "--accepted/--rejected, acknowledgments",
    "edi_lint.report.html": "--format html",
    "edi_lint.report.sarif": "--format sarif",
    "edi_lint.acks.x12out": "--ack-999/--ack-277ca",
    "edi_lint.spill": "a file with more findings than the engine holds (SPILL_AFTER)",
    "tempfile": "spilling findings to a temporary file",
}

PROBE = """
import atexit, json, sys
atexit.register(lambda: sys.__stderr__.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n"))
sys.argv = ["edi-lint", *sys.argv[1:]]
from edi_lint.cli import run  # the console script
run()
"""


def imported_by_a_run(*args: str, cwd) -> set[str]:
    env = {**os.environ, "EDI_LINT_CACHE_DIR": str(cwd / "cache")}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    names = set(json.loads(line[8:]))
    return names | {name.split(".")[0] for name in names}


def test_a_one_claim_run_imports_only_what_it_needs(tmp_path):
    clean = tmp_path / "claim.837"
    clean.write_bytes((FIXTURES / "clean.837").read_bytes())
    imported_by_a_run(str(clean), cwd=tmp_path)  # the first run compiles and caches the grammar and guide
    modules = imported_by_a_run(str(clean), cwd=tmp_path)
    assert "edi_lint.x12.validator" in modules and "edi_lint.report.text" in modules  # the probe sees the run
    unexpected = {name: why for name, why in NOT_NEEDED.items() if name in modules}
    assert not unexpected, f"imported by a plain one-claim run, only needed for: {unexpected}"


def test_the_probe_sees_an_import_that_is_needed(tmp_path):
    """The same probe on a run that does need one of them: the list above is not vacuous."""
    clean = tmp_path / "claim.837"
    clean.write_bytes((FIXTURES / "clean.837").read_bytes())
    modules = imported_by_a_run("--format", "html", str(clean), cwd=tmp_path)
    assert {"jinja2", "edi_lint.records", "edi_lint.report.html"} <= modules


def test_version_is_the_installed_distributions_without_importlib_metadata(tmp_path):
    from importlib.metadata import version

    done = subprocess.run([sys.executable, "-c", PROBE, "--version"], capture_output=True, text=True, cwd=tmp_path,
                          timeout=120)
    import edi_lint

    build = " (compiled)" if edi_lint.COMPILED else ""  # the Cython build says so (hatch_build.py)
    assert done.returncode == 0 and done.stdout == f"edi-lint, version {version('edi-lint')}{build}\n"
    assert '"importlib.metadata"' not in done.stderr and '"edi_lint.application"' not in done.stderr
