"""Snapshot every report format over fixtures, corpus, generated files and mutants; compare two snapshots.

A hot-path change must not change a byte of output. Capture the outputs with the code before the
change, then again after it, and compare:

    .venv/bin/python bench/snapshot.py capture /tmp/snap-before          # with the old code
    .venv/bin/python bench/snapshot.py capture /tmp/snap-after
    .venv/bin/python bench/snapshot.py compare /tmp/snap-before /tmp/snap-after

`--python` picks the interpreter and `--src` a source tree to put first on PYTHONPATH (e.g. an
unpacked copy of main), so the old code can run from this same checkout's venv.
"""

from __future__ import annotations

import argparse
import difflib
import io
import os
import random
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
FIXTURES = REPO / "fixtures"
CORPUS = REPO.parent / "shared" / "corpus" / "real"
FORMATS = ["text", "concise", "json", "jsonl", "sarif", "junit", "github", "html"]
# Extra runs on top of the default selection: every rule, the source-quoting text report, statistics.
VARIANTS = {
    "default": [],
    "all": ["--select", "ALL"],
}
EXTRA = [("text-source", ["--format", "text", "--show-source"]), ("stats-json", ["--format", "json", "--statistics"]),
         ("stats-text", ["--format", "text", "--statistics"])]


def _generated(inputs: Path) -> list[Path]:
    sys.path.insert(0, str(HERE))
    import gen837  # noqa: PLC0415

    made = []
    for name, claims, kwargs in (
        ("gen2k.837", 2000, dict(seed=1)),
        ("gen300-defects-newlines.837", 300, dict(seed=2, defect_rate=1.0, newlines=True, tx=3,
                                                  line_provider_rate=0.4)),
    ):
        path = inputs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="latin-1", newline="") as handle:
            gen837.generate(handle, claims, **kwargs)
        made.append(path)
    return made


SPLICES = ["GP", "GO", "59", "KX", "11", "22", "", " ", "225100000X", "20260105", "20260230", "RD8", "D8", "472",
           "82", "PE", "XX", "MB", "CI", "PR", "85", "1", "0", "-5", "1E3", "abc", "HC:97026:GP", "ABK:M6281", "1:2",
           "ZZZ", "N4", "HL", "LX", "SE", "CLM"]


def _mutants(inputs: Path, count: int) -> list[Path]:
    sys.path.insert(0, str(HERE))
    from mutants import mutate  # noqa: PLC0415

    rng = random.Random(9837)
    seeds = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".837", ".x12", ".edi"))
    made = []
    for n in range(count):
        seed = seeds[n % len(seeds)]
        path = inputs / "mutants" / f"m{n:03d}{seed.suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(mutate(seed.read_bytes(), rng, SPLICES))
        made.append(path)
    return made


def capture(out: Path, python: str, src: str | None, mutants: int, inputs: Path, only: str | None = None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    inputs.mkdir(parents=True, exist_ok=True)
    # Each group runs in its own folder with relative file names: the reports name the files the same
    # way whichever checkout (a worktree, an unpacked commit) captures them, so snapshots compare.
    groups = {
        "fixtures": (FIXTURES, sorted(p for p in FIXTURES.iterdir() if p.suffix in (".837", ".x12", ".edi"))),
        "corpus": (CORPUS, sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix.lower() in
                                  (".837", ".x12", ".edi", ".txt")) if CORPUS.is_dir() else []),
        "generated": (inputs, _generated(inputs)),
        "mutants": (inputs, _mutants(inputs, mutants)),
    }
    env = dict(os.environ, NO_COLOR="1")
    env.pop("GITHUB_ACTIONS", None)
    env.pop("FORCE_COLOR", None)
    if src:
        env["PYTHONPATH"] = src
    base = [python, "-c", "import sys; from edi_lint.cli import main; sys.exit(main())"]
    for group, (folder, paths) in groups.items():
        if not paths:
            continue
        files = [str(p.relative_to(folder)) for p in paths]
        runs = [(f"{variant}-{fmt}", ["--format", fmt, *args]) for variant, args in VARIANTS.items()
                for fmt in FORMATS if not (fmt == "html" and group in ("corpus", "mutants"))]
        runs += EXTRA
        for label, args in runs:
            if only and label not in only.split(","):
                continue
            done = subprocess.run([*base, "--isolated", "--exit-zero", "-qq", "--color", "never", *args, *files],
                                  cwd=folder,
                                  capture_output=True, env=env)
            (out / f"{group}.{label}.out").write_bytes(done.stdout + f"\n--- exit {done.returncode}\n".encode()
                                                       + done.stderr)
            print(f"{group} {label}: {len(done.stdout)} bytes, exit {done.returncode}", flush=True)


def compare(before: Path, after: Path) -> int:
    """Every output `after` holds must equal `before`'s (a partial capture compares what it has)."""
    bad = 0
    names = sorted(p.name for p in after.glob("*.out"))
    for name in names:
        a, b = before / name, after / name
        if not a.exists() or not b.exists():
            print(f"MISSING {name}")
            bad += 1
            continue
        if a.read_bytes() != b.read_bytes():
            bad += 1
            print(f"DIFFERENT {name}")
            # Only the first difference, with a little context: difflib over whole reports (megabytes
            # of SARIF) can take many minutes when every line differs.
            old, new = a.read_text("utf-8", "replace").splitlines(), b.read_text("utf-8", "replace").splitlines()
            first = next((k for k, (x, y) in enumerate(zip(old, new)) if x != y), min(len(old), len(new)))
            window = slice(max(0, first - 2), first + 10)
            diff = difflib.unified_diff(old[window], new[window], lineterm="", n=2)
            for line in diff:
                print("   ", line[:300])
            print(f"    (first difference at line {first + 1}; {len(old)} lines before, {len(new)} after)")
    print(f"{len(names) - bad} of {len(names)} outputs identical")
    return 1 if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cap = sub.add_parser("capture")
    cap.add_argument("out", type=Path)
    cap.add_argument("--python", default=sys.executable)
    cap.add_argument("--src", help="put this source tree first on PYTHONPATH")
    cap.add_argument("--mutants", type=int, default=300)
    cap.add_argument("--only", help="comma-separated run labels (default-json, all-text, stats-json ...)")
    cap.add_argument("--inputs", type=Path, default=Path("/tmp/edi-lint-snapshot-inputs"),
                     help="where generated inputs and mutants are written (the same for both snapshots: "
                          "their paths appear in the reports)")
    cmp_ = sub.add_parser("compare")
    cmp_.add_argument("before", type=Path)
    cmp_.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "capture":
        capture(args.out, args.python, args.src, args.mutants, args.inputs, args.only)
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
