#!/usr/bin/env python3
"""edi-lint benchmark: one command, whole-process timings, median of N runs.

    python bench/run.py [--claims 1000,10000,200000] [--pyx12-claims 1000] [--runs 3] [--jobs 1,2]

For every size it generates a seeded 837P file into bench/out/ (bench/gen837.py) and times whole
processes with `/usr/bin/time -f "%e %M"` (wall s, max RSS KiB; falls back to os.wait4 rusage):

  edi-lint  `edi-lint --format json FILE` (the console script next to sys.executable)
  pyx12     `python -m pyx12.scripts.x12valid -q FILE` on a copy in a temp dir, on --pyx12-claims only
  floor     `python -c "b=open(f,'rb').read(); t=b[105:106]; e=b[3:4]; s=[x.split(e) for x in b.split(t)]"`
  one-claim a 1-claim file, edi-lint vs pyx12 (the pre-commit case)

It checks that edi-lint's JSON findings contain every seeded defect (rule, claim_id, line_number),
prints a markdown report with the targets and writes it to bench/out/results.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
GNU_TIME = "/usr/bin/time"
FLOOR_CODE = (
    "import sys; f=sys.argv[1]; "
    "b=open(f,'rb').read(); t=b[105:106]; e=b[3:4]; s=[x.split(e) for x in b.split(t)]"
)
CORE_RULES = ("PT001", "PT002", "PT003")

# targets (issue 5 item 1)
TARGET_PYX12_RATIO = 100.0  # edi-lint claims/s >= 100x pyx12 claims/s
TARGET_FLOOR_RATIO = 6.0  # edi-lint wall <= 6x floor wall on the biggest file
TARGET_PEAK_BYTES = 150 * 10**6  # <= 150 MB (10^6 B) peak RSS on the biggest file
TARGET_ONE_CLAIM = 0.5  # one-claim edi-lint wall <= 0.5x pyx12 wall


def _load_gen():
    spec = importlib.util.spec_from_file_location("bench_gen837", HERE / "gen837.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


gen837 = _load_gen()


# --------------------------------------------------------------------------- measuring


@dataclass
class Run:
    wall: float  # seconds
    rss_kib: int
    rc: int
    stdout_path: Path | None = None
    stderr_tail: str = ""


@dataclass
class Cell:
    """Median of several runs of one command on one file."""

    tool: str
    file: str
    claims: int
    size: int
    runs: list[Run] = field(default_factory=list)
    note: str = ""
    load: float = 0.0  # 1-minute load average when the cell started (other work on the machine skews timings)

    @property
    def ok(self) -> bool:
        return bool(self.runs)

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def wall_min(self) -> float:
        return min(r.wall for r in self.runs)

    @property
    def rss_mib(self) -> float:
        return statistics.median(r.rss_kib for r in self.runs) / 1024

    @property
    def claims_per_s(self) -> float:
        return self.claims / self.wall if self.wall > 0 else float("inf")

    @property
    def mb_per_s(self) -> float:
        return self.size / 1e6 / self.wall if self.wall > 0 else float("inf")


def _have_gnu_time() -> bool:
    if not os.access(GNU_TIME, os.X_OK):
        return False
    try:
        r = subprocess.run([GNU_TIME, "-f", "%e %M", "true"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return r.returncode == 0 and len(r.stderr.split()) == 2


HAVE_GNU_TIME = _have_gnu_time()


def time_process(cmd: list[str], cwd: Path | None = None, stdout_path: Path | None = None,
                 timeout: float = 1800) -> Run:
    """Run cmd once; return wall seconds and max RSS (KiB) of the whole process."""
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    try:
        with tempfile.TemporaryDirectory(prefix="edilint-bench-t-") as td:
            err_path = Path(td) / "stderr"
            with open(err_path, "wb") as err:
                if HAVE_GNU_TIME:
                    tf = Path(td) / "time"
                    p = subprocess.run([GNU_TIME, "-f", "%e %M", "-o", str(tf), *cmd], cwd=cwd,
                                       stdout=out, stderr=err, timeout=timeout)
                    fields = tf.read_text().strip().splitlines()[-1].split()
                    wall, rss = float(fields[0]), int(fields[1])
                    rc = p.returncode
                else:  # fallback: wait4 gives this child's own rusage
                    t0 = time.perf_counter()
                    p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
                    _, status, ru = os.wait4(p.pid, 0)
                    wall = time.perf_counter() - t0
                    p.returncode = os.waitstatus_to_exitcode(status)
                    rss = ru.ru_maxrss  # KiB on Linux
                    rc = p.returncode
            tail = err_path.read_bytes()[-2000:].decode("utf-8", "replace")
    finally:
        if stdout_path:
            out.close()
    return Run(wall, rss, rc, stdout_path, tail)


def measure(tool: str, cmd_for, path: Path, claims: int, runs: int, ok_rcs=(0,), copy: bool = False,
            stdout_path: Path | None = None, log=print, size: int | None = None) -> Cell:
    """Median of `runs` runs of cmd_for(path). With copy=True each run works on a fresh copy in a temp dir."""
    cell = Cell(tool, path.name + ("/" if path.is_dir() else ""), claims,
                path.stat().st_size if size is None else size)
    cell.load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    for i in range(runs):
        if copy:
            with tempfile.TemporaryDirectory(prefix="edilint-bench-") as td:
                p = Path(td) / path.name
                shutil.copyfile(path, p)
                run = time_process(cmd_for(p), cwd=Path(td), stdout_path=stdout_path)
        else:
            run = time_process(cmd_for(path), stdout_path=stdout_path)
        log(f"  {tool:<10} {path.name:<28} run {i + 1}/{runs}: {run.wall:.2f} s, {run.rss_kib / 1024:.0f} MiB,"
            f" exit {run.rc}")
        if run.rc not in ok_rcs:
            cell.note = f"exit {run.rc}: {run.stderr_tail.strip().splitlines()[-1] if run.stderr_tail.strip() else ''}"
            cell.runs.clear()
            return cell
        cell.runs.append(run)
    return cell


# --------------------------------------------------------------------------- inputs


def ensure_file(claims: int, args, directory: Path = OUT, stem: str | None = None) -> tuple[Path, dict]:
    """Generate bench/out/gen-<claims>.837 (+ .expected.json) unless it already exists with the same params."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = stem or f"gen-{claims}"
    path = directory / f"{stem}.837"
    exp = directory / f"{stem}.expected.json"
    kw = dict(lines=args.lines, tx=args.tx, seed=args.seed, defect_rate=args.defect_rate, newlines=False)
    params = {"n_claims": claims, **kw}
    if path.exists() and exp.exists():
        try:
            data = json.loads(exp.read_text())
            if data.get("params") == params and data.get("bytes") == path.stat().st_size:
                return path, data
        except (OSError, ValueError):
            pass
    t0 = time.perf_counter()
    st = gen837.generate_file(str(path), claims, **kw)
    data = st.to_json(params)
    exp.write_text(json.dumps(data, indent=1) + "\n")
    print(f"  generated {path.name}: {st.claims} claims, {st.bytes:,} B, {st.segments:,} segments, "
          f"seeded {data['counts']} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return path, data


def ensure_multi(total_claims: int, n_files: int, args) -> tuple[Path, dict, int]:
    """bench/out/multi-<total>/ with n_files files of total/n_files claims each (distinct seeds, so distinct
    CLM01 prefixes); returns the directory, the merged expected defects and the total size."""
    d = OUT / f"multi-{total_claims}"
    d.mkdir(parents=True, exist_ok=True)
    per = max(1, total_claims // n_files)
    merged: dict = {"defects": []}
    size = 0
    for i in range(n_files):
        tmp = argparse.Namespace(**{**vars(args), "seed": args.seed + 101 + i})
        path, data = ensure_file(per, tmp, directory=d, stem=f"part{i + 1}")
        merged["defects"].extend(data["defects"])
        size += path.stat().st_size
    return d, merged, size


# --------------------------------------------------------------------------- correctness


def check_findings(json_path: Path, expected: dict) -> dict:
    """Compare edi-lint's JSON findings with the seeded defects."""
    try:
        data = json.loads(json_path.read_text())
    except (OSError, ValueError) as exc:
        return {"error": f"could not read edi-lint JSON: {exc}"}
    findings = data.get("findings", []) if isinstance(data, dict) else data
    got = set()
    by_rule: dict[str, int] = {}
    for f in findings:
        rule = f.get("rule")
        by_rule[rule] = by_rule.get(rule, 0) + 1
        if rule in CORE_RULES:
            ln = f.get("line_number")
            try:
                ln = int(ln) if ln is not None else None
            except (TypeError, ValueError):
                pass
            got.add((rule, f.get("claim_id"), ln))
    want = {(d["rule"], d["claim_id"], d["line_number"]) for d in expected["defects"]}
    missing = sorted(want - got)
    extra = sorted(got - want)
    return {"expected": len(want), "found": len(want & got), "missing": missing, "extra": extra,
            "findings_total": len(findings), "by_rule": by_rule}


# --------------------------------------------------------------------------- machine


def machine_nproc() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def machine_info(edi_lint: str | None) -> dict:
    info: dict = {"nproc": machine_nproc()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        info["cpu"] = platform.processor() or "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["ram"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        info["ram"] = "?"
    info["os"] = f"{platform.system()} {platform.release()}"
    info["python"] = f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})"
    from importlib import metadata

    for dist in ("pyx12", "edi-lint"):
        try:
            info[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            info[dist] = "not installed"
    try:
        info["git"] = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                                     text=True, timeout=10).stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        info["git"] = "?"
    if hasattr(os, "getloadavg"):
        info["load average at report time (1/5/15 min)"] = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    info["timer"] = "/usr/bin/time -f '%e %M'" if HAVE_GNU_TIME else "os.wait4 rusage + perf_counter (no GNU time)"
    info["edi-lint command"] = edi_lint or "not found"
    return info


# --------------------------------------------------------------------------- report


def fmt_rate(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**PASS**" if ok else "**FAIL**")


def build_report(cells: list[Cell], checks: dict, info: dict, args, ratios: list[tuple], baseline: Cell | None,
                 notes: list[str]) -> str:
    lines = ["# edi-lint benchmark", "",
             f"Generated {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Whole-process wall time and max RSS, "
             f"median of {args.runs} runs. Inputs: `bench/gen837.py N --lines {args.lines} --tx {args.tx} "
             f"--seed {args.seed} --defect-rate {args.defect_rate}`.", ""]
    lines += ["## Timings", "",
              "| tool | file | claims | MB | wall s (median) | min s | claims/s | MB/s | peak MiB | load | note |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    if baseline and baseline.ok:
        lines.append(f"| `python -c pass` | – | – | – | {baseline.wall:.2f} | {baseline.wall_min:.2f} | – | – | "
                     f"{baseline.rss_mib:.0f} | {baseline.load:.1f} | interpreter start |")
    for c in cells:
        if c.ok:
            lines.append(f"| {c.tool} | {c.file} | {c.claims:,} | {c.size / 1e6:.1f} | {c.wall:.2f} | "
                         f"{c.wall_min:.2f} | {fmt_rate(c.claims_per_s)} | {c.mb_per_s:.2f} | {c.rss_mib:.0f} | "
                         f"{c.load:.1f} | {c.note} |")
        else:
            lines.append(f"| {c.tool} | {c.file} | {c.claims:,} | {c.size / 1e6:.1f} | – | – | – | – | – | "
                         f"{c.load:.1f} | {c.note or 'failed'} |")
    lines += ["", "## Targets", "", "| measure | value | target | result |", "|---|---:|---:|---|"]
    for name, value, target, ok in ratios:
        lines.append(f"| {name} | {value} | {target} | {verdict(ok)} |")
    lines += ["", "## Seeded defects found by edi-lint (PT001/PT002/PT003)", ""]
    if not checks:
        lines.append("edi-lint was not run, so nothing was checked.")
    else:
        lines += ["| file | seeded | found | missing | extra PT00x | all findings | findings by rule |",
                  "|---|---:|---:|---:|---:|---:|---|"]
        for fname, ch in checks.items():
            if "error" in ch:
                lines.append(f"| {fname} | – | – | – | – | – | {ch['error']} |")
                continue
            rules = ", ".join(f"{k}={v}" for k, v in sorted(ch["by_rule"].items(), key=lambda kv: str(kv[0])))
            lines.append(f"| {fname} | {ch['expected']:,} | {ch['found']:,} | {len(ch['missing']):,} | "
                         f"{len(ch['extra']):,} | {ch['findings_total']:,} | {rules} |")
        for fname, ch in checks.items():
            for label in ("missing", "extra"):
                if ch.get(label):
                    sample = ", ".join(f"{r}/{c}/{ln}" for r, c, ln in ch[label][:10])
                    lines.append(f"\n{fname}: {len(ch[label])} {label}, e.g. {sample}")
    lines += ["", "## Machine", ""]
    for k, v in info.items():
        lines.append(f"- **{k}**: {v}")
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- main


def find_edi_lint(override: str | None) -> str | None:
    if override:
        return override
    cand = Path(sys.executable).parent / "edi-lint"
    if cand.exists():
        return str(cand)
    return shutil.which("edi-lint")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="edi-lint benchmark (see bench/README.md)")
    ap.add_argument("--claims", default="1000,10000,200000", help="comma-separated file sizes in claims")
    ap.add_argument("--pyx12-claims", default="1000",
                    help="sizes on which pyx12 x12valid also runs (comma-separated; 0 = skip pyx12)")
    ap.add_argument("--ratio-claims", type=int, default=None,
                    help="file whose edi-lint claims/s is compared with pyx12 (default: 10000 if present, else "
                         "the largest)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--lines", type=int, default=4)
    ap.add_argument("--tx", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--defect-rate", type=float, default=0.05)
    ap.add_argument("--jobs", default="", help="also time edi-lint --jobs N for these N on the biggest file and on a "
                    "directory holding the same number of claims split into --jobs-files files, e.g. 1,2")
    ap.add_argument("--jobs-files", type=int, default=4, help="files in the --jobs directory (default 4)")
    ap.add_argument("--edi-lint", dest="edi_lint", default=None, help="edi-lint executable (default: next to python)")
    ap.add_argument("--skip-floor", action="store_true")
    ap.add_argument("--no-one-claim", action="store_true")
    a = ap.parse_args(argv)

    sizes = sorted({int(x) for x in a.claims.split(",") if x.strip()})
    pyx_sizes = sorted({int(x) for x in a.pyx12_claims.split(",") if x.strip() and int(x) > 0})
    jobs = [int(x) for x in a.jobs.split(",") if x.strip()]
    py = sys.executable
    edi = find_edi_lint(a.edi_lint)
    notes: list[str] = []
    if edi is None:
        notes.append(f"edi-lint not found next to {py} nor on PATH: only the floor and pyx12 were timed.")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    log(f"timer: {'GNU time' if HAVE_GNU_TIME else 'os.wait4 fallback'}; edi-lint: {edi}")
    files: dict[int, tuple[Path, dict]] = {}
    for n in sorted(set(sizes) | set(pyx_sizes) | ({1} if not a.no_one_claim else set())):
        files[n] = ensure_file(n, a)

    cells: list[Cell] = []
    checks: dict[str, dict] = {}
    edi_cells: dict[int, Cell] = {}
    floor_cells: dict[int, Cell] = {}
    pyx_cells: dict[int, Cell] = {}

    baseline = measure("python", lambda p: [py, "-c", "pass"], files[min(files)][0], 0, a.runs, log=log)

    def pyx_cmd(p: Path) -> list[str]:
        return [py, "-m", "pyx12.scripts.x12valid", "-q", str(p)]

    def pyx_verdict(c: Cell, prefix: str = "") -> None:
        """x12valid logs 'FILE: OK' or 'FILE: Failure' on stderr; keep the verdict next to the timing."""
        if not c.ok:
            return
        text = c.runs[-1].stderr_tail.strip()  # the verdict goes to stderr
        v = text.rsplit(":", 1)[-1].strip() if text else "?"
        c.note = f"{prefix + '; ' if prefix else ''}x12valid: {v}"
        if v != "OK":
            notes.append(f"pyx12 did not say OK on {c.file}: {text[-200:]!r}")

    def edi_cmd(extra=()):
        return lambda p: [edi, "--format", "json", *extra, str(p)]

    for n in sizes:
        path, expected = files[n]
        if edi:
            out_json = OUT / f"edi-lint-{n}.json"
            c = measure("edi-lint", edi_cmd(), path, n, a.runs, ok_rcs=(0, 1), stdout_path=out_json, log=log)
            cells.append(c)
            edi_cells[n] = c
            if c.ok:
                checks[path.name] = check_findings(out_json, expected)
        if not a.skip_floor:
            c = measure("floor", lambda p: [py, "-c", FLOOR_CODE, str(p)], path, n, a.runs, log=log)
            cells.append(c)
            floor_cells[n] = c

    for n in pyx_sizes:
        path, _ = files[n]
        c = measure("pyx12", pyx_cmd, path, n, a.runs, copy=True, log=log)
        pyx_verdict(c)
        cells.append(c)
        pyx_cells[n] = c
        if edi and n not in edi_cells:
            out_json = OUT / f"edi-lint-{n}.json"
            e = measure("edi-lint", edi_cmd(), path, n, a.runs, ok_rcs=(0, 1), stdout_path=out_json, log=log)
            cells.append(e)
            edi_cells[n] = e
            if e.ok:
                checks[path.name] = check_findings(out_json, files[n][1])

    biggest = max(sizes) if sizes else None
    if edi and jobs and biggest is not None:
        path, _ = files[biggest]
        help_text = subprocess.run([edi, "--help"], capture_output=True, text=True).stdout
        if "--jobs" not in help_text:
            notes.append("`edi-lint --help` shows no --jobs option: the --jobs comparison was skipped.")
        else:
            mdir, mexp, msize = ensure_multi(biggest, a.jobs_files, a)
            for j in jobs:
                c = measure(f"edi-lint -j{j}", edi_cmd(("--jobs", str(j))), path, biggest, a.runs, ok_rcs=(0, 1),
                            stdout_path=OUT / f"edi-lint-{biggest}-j{j}.json", log=log)
                c.note = "one file"
                cells.append(c)
                out_json = OUT / f"edi-lint-multi-{biggest}-j{j}.json"
                c = measure(f"edi-lint -j{j}", edi_cmd(("--jobs", str(j))), mdir, biggest, a.runs, ok_rcs=(0, 1),
                            stdout_path=out_json, log=log, size=msize)
                c.note = f"directory of {a.jobs_files} files"
                cells.append(c)
                if c.ok:
                    checks[f"{mdir.name}/ (-j{j})"] = check_findings(out_json, mexp)
            notes.append("edi-lint --jobs parallelises across files; peak RSS from GNU time is the largest single "
                         "process (parent or one worker), not the sum.")

    one_edi = one_pyx = None
    if not a.no_one_claim:
        path, expected = files[1]
        if edi:
            one_edi = measure("edi-lint", edi_cmd(), path, 1, a.runs, ok_rcs=(0, 1),
                              stdout_path=OUT / "edi-lint-1.json", log=log)
            one_edi.note = "one claim"
            cells.append(one_edi)
            if one_edi.ok:
                checks[path.name] = check_findings(OUT / "edi-lint-1.json", expected)
        if True:  # pyx12 on the one-claim file is the comparison point
            one_pyx = measure("pyx12", pyx_cmd, path, 1, a.runs, copy=True, log=log)
            pyx_verdict(one_pyx, "one claim")
            cells.append(one_pyx)

    # ratios against targets
    ratios: list[tuple] = []
    if pyx_cells:
        pn = max(n for n, c in pyx_cells.items() if c.ok) if any(c.ok for c in pyx_cells.values()) else None
        rn = a.ratio_claims or (10000 if 10000 in edi_cells else (max(edi_cells) if edi_cells else None))
        if pn is not None and rn in edi_cells and edi_cells[rn].ok:
            r = edi_cells[rn].claims_per_s / pyx_cells[pn].claims_per_s
            ratios.append((f"edi-lint claims/s ({rn:,}-claim file) ÷ pyx12 claims/s ({pn:,}-claim file)",
                           f"{r:,.1f}×", f"≥ {TARGET_PYX12_RATIO:.0f}×", r >= TARGET_PYX12_RATIO))
            if pn in edi_cells and edi_cells[pn].ok and pn != rn:
                r2 = edi_cells[pn].claims_per_s / pyx_cells[pn].claims_per_s
                ratios.append((f"same file: edi-lint ÷ pyx12 claims/s ({pn:,} claims, start-up included)",
                               f"{r2:,.1f}×", "(info)", None))
        elif pn is not None:
            ratios.append(("edi-lint claims/s ÷ pyx12 claims/s", "–", f"≥ {TARGET_PYX12_RATIO:.0f}×", None))
        if pn is not None and floor_cells.get(pn) and floor_cells[pn].ok:
            r3 = floor_cells[pn].claims_per_s / pyx_cells[pn].claims_per_s
            ratios.append((f"floor ÷ pyx12 claims/s ({pn:,} claims, for scale)", f"{r3:,.0f}×", "(info)", None))
    if biggest is not None:
        e, f = edi_cells.get(biggest), floor_cells.get(biggest)
        if e and e.ok and f and f.ok:
            r = e.wall / f.wall
            ratios.append((f"edi-lint wall ÷ floor wall ({biggest:,} claims)", f"{r:.2f}×",
                           f"≤ {TARGET_FLOOR_RATIO:.0f}×", r <= TARGET_FLOOR_RATIO))
        else:
            ratios.append((f"edi-lint wall ÷ floor wall ({biggest:,} claims)", "–", f"≤ {TARGET_FLOOR_RATIO:.0f}×",
                           None))
        if e and e.ok:
            peak = statistics.median(r.rss_kib for r in e.runs) * 1024
            ratios.append((f"edi-lint peak RSS ({biggest:,} claims)", f"{peak / 1e6:.0f} MB ({peak / 2**20:.0f} MiB)",
                           "≤ 150 MB", peak <= TARGET_PEAK_BYTES))
        else:
            ratios.append((f"edi-lint peak RSS ({biggest:,} claims)", "–", "≤ 150 MB", None))
    for n in sizes:  # for scale: the floor is not linear (it keeps every element list, 2 GB at 200k)
        e, f = edi_cells.get(n), floor_cells.get(n)
        if n != biggest and e and e.ok and f and f.ok:
            ratios.append((f"edi-lint wall ÷ floor wall ({n:,} claims)", f"{e.wall / f.wall:.2f}×", "(info)", None))
    if one_edi is not None and one_pyx is not None and one_edi.ok and one_pyx.ok:
        r = one_edi.wall / one_pyx.wall
        ratios.append(("one claim: edi-lint wall ÷ pyx12 wall", f"{r:.2f}× ({one_edi.wall:.2f} s vs "
                       f"{one_pyx.wall:.2f} s)", f"≤ {TARGET_ONE_CLAIM}×", r <= TARGET_ONE_CLAIM))
    elif not a.no_one_claim:
        ratios.append(("one claim: edi-lint wall ÷ pyx12 wall", "–", f"≤ {TARGET_ONE_CLAIM}×", None))
    all_found = all("error" not in ch and not ch["missing"] for ch in checks.values()) if checks else None
    ratios.append(("every seeded PT001/PT002/PT003 defect reported", "yes" if all_found else
                   ("–" if all_found is None else "no"), "all", all_found))

    if not HAVE_GNU_TIME:
        notes.append("GNU time not usable: wall from perf_counter, RSS from os.wait4 (per child).")
    notes.append("pyx12 runs on a copy in a temp dir (x12valid writes FILE.997 next to its input); with `-m` it "
                 "exits 0 for OK and for Failure.")
    notes.append("claims/s = claims ÷ median whole-process wall (interpreter start and imports included); "
                 "wall resolution 10 ms. `load` = 1-minute load average when the cell started: a load near or "
                 f"above nproc ({machine_nproc()}) means other work shared the CPUs and the timings are inflated.")
    report = build_report(cells, checks, machine_info(edi), a, ratios, baseline, notes)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.md").write_text(report)
    print(report)
    log(f"wrote {OUT / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
