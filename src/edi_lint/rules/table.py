"""Print the rules table for README.md from the registry: `python -m edi_lint.rules.table`.

tests/test_rules_table.py checks that README.md holds exactly this table between the markers
`<!-- rules-table:start -->` and `<!-- rules-table:end -->`; after adding or changing a rule, run
`python -m edi_lint.rules.table --write README.md`.
"""

from __future__ import annotations

import sys
from pathlib import Path

START = "<!-- rules-table:start -->"
END = "<!-- rules-table:end -->"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def markdown_table(infos=None) -> str:
    """Built-in rules and shipped rulesets (no plugins, no configuration), one row per rule."""
    if infos is None:
        from edi_lint.rules.registry import load_registry

        infos = load_registry().infos
    rows = ["| Code | Name | Severity | Ruleset | What it checks |", "| --- | --- | --- | --- | --- |"]
    for info in infos.values():
        rows.append(f"| `{info.code}` | {info.name} | {info.severity.label} | {info.ruleset} | {_cell(info.summary)} |")
    return "\n".join(rows) + "\n"


def replace_between_markers(text: str, table: str) -> str:
    head, start, rest = text.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise ValueError(f"the markers {START} and {END} are not both present")
    return f"{head}{START}\n{table}{END}{tail}"


def main(argv: list[str]) -> int:
    table = markdown_table()
    if argv[:1] == ["--write"] and len(argv) == 2:
        path = Path(argv[1])
        path.write_text(replace_between_markers(path.read_text(encoding="utf-8"), table), encoding="utf-8")
        return 0
    sys.stdout.write(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
