"""README.md holds exactly the rules table generated from the registry."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_readme_rules_table_is_generated_from_the_registry():
    from edi_lint.rules.table import END, START, markdown_table

    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1, "README.md needs the rules-table markers"
    between = text.split(START, 1)[1].split(END, 1)[0]
    assert between == "\n" + markdown_table(), (
        "README.md rules table is stale: run python -m edi_lint.rules.table --write README.md")


def test_table_module_runs_as_a_script():
    run = subprocess.run([sys.executable, "-m", "edi_lint.rules.table"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("| Code | Name |") and "| `PT001` |" in run.stdout
