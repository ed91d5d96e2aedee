#!/usr/bin/env python3
"""edi-lint benchmark: one command, whole-process timings, median of N runs.

    python bench/run.py [--claims 1000,10000,200000] [--pyx12-claims 1000] [--runs 3] [--jobs 1,2]

For every size it generates a seeded 837P file into bench/out/ (bench/gen837.py) and times whole
processes with `/usr/bin/time -f "%e %M"` (wall s, max RSS KiB; falls back to os.wait4 rusage):

  edi-lint  `edi-lint --format json FILE` (the console script next to sys.executable)
  pyx12     `python -m pyx12.scripts.x12valid -q FILE` on a copy in a temp dir, on --pyx12-claims only
  floor     `python -c "b=open(f,'rb').read(); t=b[105:106]; e=b[3:4]; s=[x.split(e) for x in b.split(t)]"`
  one-claim a 1-claim file, edi-lint vs pyx12 (the pre-commit case)
  edi-lint (compiled)  with --edi-lint-compiled PATH: a second edi-lint executable (the Cython build,
            EDI_LINT_COMPILE=1 pip install .) timed in the same round-robin groups, on every file

It checks that edi-lint's JSON findings contain every seeded defect (rule, claim_id, line_number),
prints a markdown report with the targets and writes it to bench/out/results.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shlex
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
# The floor without keeping anything: read 1 MiB blocks, split each once on the terminator and every
# segment on the element separator, let it all go. What any streaming parser must at least do.
STREAM_FLOOR_CODE = (
    "import sys; f=open(sys.argv[1],'rb'); b=f.read(1<<20); t=b[105:106]; e=b[3:4]; r=b''\n"
    "while b:\n r+=b; p=r.split(t); r=p.pop()\n for x in p: x.split(e)\n b=f.read(1<<20)\n"
    "r.split(e)"
)
# Other Python X12 parsers, timed when installed (optional: `pip install ansi-x12 openx12`; they are
# not dependencies). Each parses the whole file and counts CLM segments / claims.
COMPARATORS = {
    "ansi-x12": ("x12", "import sys; from x12 import tokenize_x12, parse_x12_interchange, inspect_x12_interchange; "
                 "d=tokenize_x12(open(sys.argv[1],'rb').read()); inspect_x12_interchange(parse_x12_interchange(d)); "
                 "print(sum(1 for s in d.segments if s.tag == 'CLM'))"),
    "openx12": ("openx12", "import sys; from openx12 import x837p; "
                "print(len(x837p.parse(open(sys.argv[1], encoding='latin-1').read()).claims))"),
}
CORE_RULES = ("PT001", "PT002", "PT003", "PT010")
COMPILED_TOOL = "edi-lint (compiled)"  # the rules the generator seeds (gen837.REPORTED)

# targets (issue 5 item 1)
# targets (issue 9 item 3), judged on CPU time (user+sys): it is far less sensitive to other work
TARGET_PYX12_RATIO = 100.0  # edi-lint claims/s >= 100x pyx12 claims/s
TARGET_PEER_RATIO = 2.5  # edi-lint claims/s >= 2.5x the fastest other Python X12 parser, same file
TARGET_FLOOR_RATIO = 6.0  # edi-lint <= 6x the non-keeping floor on the biggest file (an aim)
TARGET_PEAK_BYTES = 150 * 10**6  # <= 150 MB (10^6 B) peak RSS on the biggest file
TARGET_ONE_CLAIM = 0.4  # one-claim edi-lint <= 0.4x pyx12's whole process


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
    cpu: float = 0.0  # user + system seconds of the process and its waited-for children
    load: float = 0.0  # 1-minute load average just before the run
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
    failed: bool = False

    @property
    def ok(self) -> bool:
        return bool(self.runs) and not self.failed

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def wall_min(self) -> float:
        return min(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def load(self) -> float:
        return statistics.median(r.load for r in self.runs) if self.runs else _load1()

    @property
    def rss_mib(self) -> float:
        return statistics.median(r.rss_kib for r in self.runs) / 1024

    @property
    def claims_per_s(self) -> float:
        return self.claims / self.wall if self.wall > 0 else float("inf")

    @property
    def mb_per_s(self) -> float:
        return self.size / 1e6 / self.wall if self.wall > 0 else float("inf")


def _load1() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0


def _have_gnu_time() -> bool:
    if not os.access(GNU_TIME, os.X_OK):
        return False
    try:
        r = subprocess.run([GNU_TIME, "-f", "%e %M %U %S", "true"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return r.returncode == 0 and len(r.stderr.split()) == 4


HAVE_GNU_TIME = _have_gnu_time()


def time_process(cmd: list[str], cwd: Path | None = None, stdout_path: Path | None = None,
                 timeout: float = 3600) -> Run:
    """Run cmd once; return wall seconds, max RSS (KiB) and CPU seconds of the whole process."""
    load = _load1()
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    try:
        with tempfile.TemporaryDirectory(prefix="edilint-bench-t-") as td:
            err_path = Path(td) / "stderr"
            with open(err_path, "wb") as err:
                if HAVE_GNU_TIME:
                    tf = Path(td) / "time"
                    p = subprocess.run([GNU_TIME, "-f", "%e %M %U %S", "-o", str(tf), *cmd], cwd=cwd,
                                       stdout=out, stderr=err, timeout=timeout)
                    fields = tf.read_text().strip().splitlines()[-1].split()
                    wall, rss, cpu = float(fields[0]), int(fields[1]), float(fields[2]) + float(fields[3])
                    rc = p.returncode
                else:  # fallback: wait4 gives this child's own rusage (RUSAGE_CHILDREN would mix runs)
                    t0 = time.perf_counter()
                    p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
                    _, status, ru = os.wait4(p.pid, 0)
                    wall = time.perf_counter() - t0
                    rc = os.waitstatus_to_exitcode(status)
                    p.returncode = rc
                    rss = ru.ru_maxrss  # KiB on Linux
                    cpu = ru.ru_utime + ru.ru_stime
            tail = err_path.read_bytes()[-2000:].decode("utf-8", "replace")
    finally:
        if stdout_path:
            out.close()
    return Run(wall, rss, rc, cpu, load, stdout_path, tail)


@dataclass
class Spec:
    """One command on one input, to be timed `runs` times."""

    tool: str
    cmd_for: object  # Callable[[Path], list[str]]
    path: Path
    claims: int
    ok_rcs: tuple[int, ...] = (0,)
    copy: bool = False  # run on a fresh copy in a temp dir (pyx12 writes FILE.997 next to its input)
    stdout_path: Path | None = None
    size: int | None = None
    note: str = ""


def measure_group(specs: list[Spec], runs: int, log=print) -> list[Cell]:
    """Time every spec `runs` times, round-robin (A B C A B C ...), so that load from other work on the
    machine hits all of them alike and their ratios stay fair. Returns one Cell per spec."""
    cells = [
        Cell(sp.tool, sp.path.name + ("/" if sp.path.is_dir() else ""), sp.claims,
             sp.path.stat().st_size if sp.size is None else sp.size, note=sp.note)
        for sp in specs
    ]
    for i in range(runs):
        for sp, cell in zip(specs, cells):
            if cell.failed:
                continue
            if sp.copy:
                with tempfile.TemporaryDirectory(prefix="edilint-bench-") as td:
                    p = Path(td) / sp.path.name
                    shutil.copyfile(sp.path, p)
                    run = time_process(sp.cmd_for(p), cwd=Path(td), stdout_path=sp.stdout_path)
            else:
                run = time_process(sp.cmd_for(sp.path), stdout_path=sp.stdout_path)
            log(f"  {sp.tool:<12} {cell.file:<22} run {i + 1}/{runs}: {run.wall:6.2f} s wall, {run.cpu:6.2f} s cpu, "
                f"{run.rss_kib / 1024:5.0f} MiB, exit {run.rc}, load {run.load:.1f}")
            if run.rc not in sp.ok_rcs:
                last = run.stderr_tail.strip().splitlines()[-1] if run.stderr_tail.strip() else ""
                cell.note = f"exit {run.rc}: {last}"
                cell.failed = True
                continue
            cell.runs.append(run)
    return cells


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
    info["timer"] = "/usr/bin/time -f '%e %M %U %S'" if HAVE_GNU_TIME else "os.wait4 rusage + perf_counter (no GNU time)"
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
             f"Generated {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Whole processes, median of {args.runs} "
             f"runs, commands of a group run round-robin. Inputs: `bench/gen837.py N --lines {args.lines} "
             f"--tx {args.tx} --seed {args.seed} --defect-rate {args.defect_rate}`.", ""]
    lines += ["## Timings", "",
              "| tool | file | claims | MB | wall s | min wall s | cpu s | claims/s | MB/s | peak MiB | load | note |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for c in ([baseline] if baseline else []) + cells:
        if c.ok:
            rate = fmt_rate(c.claims_per_s) if c.claims else "–"
            mbs = f"{c.mb_per_s:.2f}" if c.claims else "–"
            claims, mb = (f"{c.claims:,}", f"{c.size / 1e6:.1f}") if c.claims else ("–", "–")
            lines.append(f"| {c.tool} | {c.file} | {claims} | {mb} | {c.wall:.2f} | "
                         f"{c.wall_min:.2f} | {c.cpu:.2f} | {rate} | {mbs} | {c.rss_mib:.0f} | {c.load:.1f} | "
                         f"{c.note} |")
        else:
            lines.append(f"| {c.tool} | {c.file} | {c.claims:,} | {c.size / 1e6:.1f} | – | – | – | – | – | – | "
                         f"{c.load:.1f} | {c.note or 'failed'} |")
    lines += ["", "## Targets", "",
              "PASS/FAIL is judged on CPU time (user+system seconds): on a shared machine it is much less sensitive "
              "to other work than wall time, which is shown next to it.", "",
              "| measure | value (wall) | value (cpu) | target | result |", "|---|---:|---:|---:|---|"]
    for name, value, cpu_value, target, ok in ratios:
        lines.append(f"| {name} | {value} | {cpu_value} | {target} | {verdict(ok)} |")
    lines += ["", "## Seeded defects found by edi-lint (PT001/PT002/PT003/PT010)", ""]
    if not checks:
        lines.append("edi-lint was not run, so nothing was checked.")
    else:
        lines += ["| input | seeded | found | missing | extra PT001-3/PT010 | all findings | findings by rule |",
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


def enable_bytecode_cache() -> None:
    """Time programs the way users run them: with .pyc files.

    `pip install .` compiles bytecode at install time, and pyx12 is installed that way. An editable
    install under PYTHONDONTWRITEBYTECODE=1 (set on some CI machines) would recompile edi-lint's
    sources on every start and charge ~50 ms of compiling to every one-claim run.
    """
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "src")], check=False)


def main(argv: list[str] | None = None) -> int:
    enable_bytecode_cache()
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
    ap.add_argument("--edi-lint-compiled", dest="edi_lint_compiled", default=None,
                    help="a second edi-lint executable (the compiled build, e.g. .venv-compiled/bin/edi-lint), "
                         "timed alongside the first on every file, as its own row")
    ap.add_argument("--edi-lint-args", default="",
                    help="extra arguments for every edi-lint run, e.g. --edi-lint-args=--isolated (shell-split)")
    ap.add_argument("--skip-floor", action="store_true")
    ap.add_argument("--peer-claims", type=int, default=None,
                    help="file size on which installed peers (ansi-x12, openx12) are timed (default 10000)")
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

    user_args = shlex.split(a.edi_lint_args)

    def edi_cmd(extra=(), exe=None):
        return lambda p: [exe or edi, "--format", "json", *user_args, *extra, str(p)]

    compiled = a.edi_lint_compiled
    if compiled and not edi:
        notes.append("--edi-lint-compiled needs the edi-lint it is compared with: it was not timed.")
        compiled = None
    if compiled:
        versions = [subprocess.run([x, "--version"], capture_output=True, text=True).stdout.strip()
                    for x in (edi, compiled)]
        notes.append(f"edi-lint (compiled): `{compiled}` ({versions[1]}), against `{edi}` ({versions[0]}), same "
                     "arguments, in the same round-robin groups.")

    if edi:
        notes.append(f"edi-lint command: `{' '.join(edi_cmd()(Path('FILE')))}`. Without --isolated it reads the "
                     "closest pyproject.toml [tool.edi-lint] / edi-lint.toml above bench/out/, if there is one.")

    def pyx_cmd(p: Path) -> list[str]:
        return [py, "-m", "pyx12.scripts.x12valid", "-q", str(p)]

    def floor_cmd(p: Path) -> list[str]:
        return [py, "-c", FLOOR_CODE, str(p)]

    def stream_floor_cmd(p: Path) -> list[str]:
        return [py, "-c", STREAM_FLOOR_CODE, str(p)]

    peers = {name: code for name, (module, code) in COMPARATORS.items() if importlib.util.find_spec(module)}
    for name in COMPARATORS:
        if name not in peers:
            notes.append(f"{name} is not installed: not compared (`pip install {name}`).")
    peer_claims = a.peer_claims if a.peer_claims is not None else (10000 if 10000 in sizes else max(sizes, default=0))

    def peer_cmd(code: str):
        return lambda p: [py, "-c", code, str(p)]

    def pyx_verdict(c: Cell) -> None:
        """x12valid logs 'FILE: OK' or 'FILE: Failure' on stderr; keep the verdict next to the timing."""
        if not c.ok:
            return
        text = c.runs[-1].stderr_tail.strip()
        v = text.rsplit(":", 1)[-1].strip() if text else "?"
        c.note = f"{c.note + '; ' if c.note else ''}x12valid: {v}"
        if v != "OK":
            notes.append(f"pyx12 did not say OK on {c.file}: {text[-200:]!r}")

    cells: list[Cell] = []
    checks: dict[str, dict] = {}
    edi_cells: dict[int, Cell] = {}
    floor_cells: dict[int, Cell] = {}
    stream_floor_cells: dict[int, Cell] = {}
    pyx_cells: dict[int, Cell] = {}
    peer_cells: dict[str, Cell] = {}
    compiled_cells: dict[int, Cell] = {}

    baseline = measure_group([Spec("`python -c pass`", lambda p: [py, "-c", "pass"], files[min(files)][0], 0,
                                   size=0, note="interpreter start")], a.runs, log=log)[0]
    baseline.file = "–"

    # one group per file size: edi-lint, floor and (on --pyx12-claims) pyx12, round-robin
    for n in sorted(set(sizes) | set(pyx_sizes)):
        path, expected = files[n]
        specs: list[Spec] = []
        if edi:
            specs.append(Spec("edi-lint", edi_cmd(), path, n, ok_rcs=(0, 1), stdout_path=OUT / f"edi-lint-{n}.json"))
        if compiled:
            specs.append(Spec(COMPILED_TOOL, edi_cmd(exe=compiled), path, n, ok_rcs=(0, 1),
                              stdout_path=OUT / f"edi-lint-compiled-{n}.json"))
        if not a.skip_floor:
            specs.append(Spec("floor", floor_cmd, path, n))
            specs.append(Spec("floor (not keeping)", stream_floor_cmd, path, n))
        if n == peer_claims:
            specs += [Spec(name, peer_cmd(code), path, n) for name, code in peers.items()]
        if n in pyx_sizes:
            specs.append(Spec("pyx12", pyx_cmd, path, n, copy=True))
        for sp, c in zip(specs, measure_group(specs, a.runs, log=log)):
            cells.append(c)
            if sp.tool == "edi-lint":
                edi_cells[n] = c
                if c.ok:
                    checks[path.name] = check_findings(sp.stdout_path, expected)
            elif sp.tool == COMPILED_TOOL:
                compiled_cells[n] = c
                if c.ok:
                    checks[f"{path.name} (compiled)"] = check_findings(sp.stdout_path, expected)
            elif sp.tool == "floor":
                floor_cells[n] = c
            elif sp.tool == "floor (not keeping)":
                stream_floor_cells[n] = c
            elif sp.tool in peers:
                peer_cells[sp.tool] = c
            else:
                pyx_verdict(c)
                pyx_cells[n] = c

    biggest = max(sizes) if sizes else None
    if edi and jobs and biggest is not None:
        path, _ = files[biggest]
        help_text = subprocess.run([edi, "--help"], capture_output=True, text=True).stdout
        if "--jobs" not in help_text:
            notes.append("`edi-lint --help` shows no --jobs option: the --jobs comparison was skipped.")
        else:
            mdir, mexp, msize = ensure_multi(biggest, a.jobs_files, a)
            specs = []
            for j in jobs:
                specs.append(Spec(f"edi-lint -j{j}", edi_cmd(("--jobs", str(j))), path, biggest, ok_rcs=(0, 1),
                                  stdout_path=OUT / f"edi-lint-{biggest}-j{j}.json", note="one file"))
                specs.append(Spec(f"edi-lint -j{j}", edi_cmd(("--jobs", str(j))), mdir, biggest, ok_rcs=(0, 1),
                                  stdout_path=OUT / f"edi-lint-multi-{biggest}-j{j}.json", size=msize,
                                  note=f"directory of {a.jobs_files} files"))
            for sp, c in zip(specs, measure_group(specs, a.runs, log=log)):
                cells.append(c)
                if c.ok:
                    key = f"{c.file} ({sp.tool.split()[-1]})"
                    checks[key] = check_findings(sp.stdout_path, mexp if sp.path == mdir else files[biggest][1])
            notes.append("edi-lint --jobs parallelises across files; peak RSS from GNU time is the largest single "
                         "process (parent or one worker), not the sum; cpu s includes the workers.")

    one_edi = one_pyx = None
    if not a.no_one_claim:
        path, expected = files[1]
        specs = []
        if edi:
            specs.append(Spec("edi-lint", edi_cmd(), path, 1, ok_rcs=(0, 1), stdout_path=OUT / "edi-lint-1.json",
                              note="one claim"))
        if compiled:
            specs.append(Spec(COMPILED_TOOL, edi_cmd(exe=compiled), path, 1, ok_rcs=(0, 1),
                              stdout_path=OUT / "edi-lint-compiled-1.json", note="one claim"))
        specs.append(Spec("pyx12", pyx_cmd, path, 1, copy=True, note="one claim"))
        for sp, c in zip(specs, measure_group(specs, a.runs, log=log)):
            cells.append(c)
            if sp.tool == "edi-lint":
                one_edi = c
                if c.ok:
                    checks[path.name] = check_findings(sp.stdout_path, expected)
            elif sp.tool == COMPILED_TOOL:
                compiled_cells[1] = c
                if c.ok:
                    checks[f"{path.name} (compiled)"] = check_findings(sp.stdout_path, expected)
            else:
                one_pyx = c
                pyx_verdict(c)

    loads = [r.load for c in cells for r in c.runs]
    if loads and statistics.median(loads) > 0.75 * machine_nproc():
        notes.insert(0, f"**Warning:** the median 1-minute load average over the runs was {statistics.median(loads):.1f} "
                        f"on {machine_nproc()} CPUs: other work competed for the CPUs, so wall times are inflated. "
                        "Prefer the CPU-time ratios, or rerun on an idle machine.")
    ratios = compute_ratios(a, sizes, biggest, edi_cells, floor_cells, pyx_cells, one_edi, one_pyx, checks,
                            stream_floor_cells, peer_cells, peer_claims)
    if compiled:
        ratios[-1:-1] = compiled_rows(edi_cells | ({1: one_edi} if one_edi else {}), compiled_cells)
    if not HAVE_GNU_TIME:
        notes.append("GNU time not usable: wall from perf_counter, RSS and CPU from os.wait4 (per child).")
    notes.append("pyx12 runs on a copy in a temp dir (x12valid writes FILE.997 next to its input); with `-m` it "
                 "exits 0 for OK and for Failure.")
    notes.append("claims/s = claims ÷ median whole-process wall (interpreter start and imports included); "
                 "wall resolution 10 ms. `load` = median 1-minute load average before each run: a load near or "
                 f"above nproc ({machine_nproc()}) means other work shared the CPUs and wall times are inflated.")
    report = build_report(cells, checks, machine_info(edi), a, ratios, baseline, notes)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.md").write_text(report)
    print(report)
    log(f"wrote {OUT / 'results.md'}")
    return 0


def compiled_rows(pure_cells: dict[int, Cell], compiled_cells: dict[int, Cell]) -> list[tuple]:
    """Rows comparing the compiled build with the pure one on each file (information, no target): the
    speed-up (pure ÷ compiled) and whether the two JSON reports are byte-identical."""
    rows = []
    for n in sorted(compiled_cells):
        p, c = pure_cells.get(n), compiled_cells[n]
        if p is None or not p.ok or not c.ok:
            rows.append((f"compiled build speed-up ({n:,}-claim file)", "–", "–", "(info)", None))
            continue
        same = (p.runs[-1].stdout_path and c.runs[-1].stdout_path
                and p.runs[-1].stdout_path.read_bytes() == c.runs[-1].stdout_path.read_bytes())
        rows.append((f"compiled build speed-up, pure ÷ compiled ({n:,}-claim file; JSON {'identical' if same else 'DIFFERS'})",
                     f"{p.wall / c.wall:.2f}×" if c.wall else "–", f"{p.cpu / c.cpu:.2f}×" if c.cpu else "–",
                     "(info)", None))
    return rows


def compute_ratios(a, sizes, biggest, edi_cells, floor_cells, pyx_cells, one_edi, one_pyx, checks,
                   stream_floor_cells=None, peer_cells=None, peer_claims=None) -> list[tuple]:
    """Rows (measure, wall value, cpu value, target, pass?) for the report; pass? None = information only.
    PASS/FAIL is judged on CPU time."""
    rows: list[tuple] = []

    def good(c: Cell | None) -> bool:
        return c is not None and c.ok

    pyx_ok = [n for n, c in pyx_cells.items() if c.ok]
    if pyx_cells:
        pn = max(pyx_ok) if pyx_ok else None
        rn = a.ratio_claims or (10000 if 10000 in edi_cells else (max(edi_cells) if edi_cells else None))
        if pn is not None and good(edi_cells.get(rn)):
            e, p = edi_cells[rn], pyx_cells[pn]
            r = e.claims_per_s / p.claims_per_s
            rc = (e.claims / e.cpu) / (p.claims / p.cpu) if e.cpu and p.cpu else float("nan")
            rows.append((f"edi-lint claims/s ({rn:,}-claim file) ÷ pyx12 claims/s ({pn:,}-claim file)",
                         f"{r:,.1f}×", f"{rc:,.1f}×", f"≥ {TARGET_PYX12_RATIO:.0f}×", rc >= TARGET_PYX12_RATIO))
            if good(edi_cells.get(pn)) and pn != rn:
                e2 = edi_cells[pn]
                rows.append((f"same file: edi-lint ÷ pyx12 claims/s ({pn:,} claims)",
                             f"{p.wall / e2.wall:,.1f}×", f"{p.cpu / e2.cpu:,.1f}×", "(info)", None))
        else:
            rows.append(("edi-lint claims/s ÷ pyx12 claims/s", "–", "–", f"≥ {TARGET_PYX12_RATIO:.0f}×", None))
        if pn is not None and good(floor_cells.get(pn)):
            f, p = floor_cells[pn], pyx_cells[pn]
            rows.append((f"floor ÷ pyx12 claims/s ({pn:,} claims, for scale)", f"{p.wall / f.wall:,.0f}×",
                         f"{p.cpu / f.cpu:,.0f}×" if f.cpu else "–", "(info)", None))
    peers = {name: c for name, c in (peer_cells or {}).items() if good(c)}
    e = edi_cells.get(peer_claims)
    if peers and good(e):
        name, fastest = min(peers.items(), key=lambda kv: kv[1].cpu)
        rc = fastest.cpu / e.cpu if e.cpu else float("nan")
        rows.append((f"edi-lint claims/s ÷ the fastest other Python X12 parser ({name}), {peer_claims:,} claims",
                     f"{fastest.wall / e.wall:.2f}×", f"{rc:.2f}×", f"≥ {TARGET_PEER_RATIO}×", rc >= TARGET_PEER_RATIO))
    if biggest is not None:
        e, f = edi_cells.get(biggest), (stream_floor_cells or {}).get(biggest)
        if good(e) and good(f):
            rc = e.cpu / f.cpu if f.cpu else float("nan")
            rows.append((f"edi-lint ÷ non-keeping floor ({biggest:,} claims)", f"{e.wall / f.wall:.2f}×",
                         f"{rc:.2f}×", f"≤ {TARGET_FLOOR_RATIO:.0f}× (aim)", rc <= TARGET_FLOOR_RATIO))
        else:
            rows.append((f"edi-lint ÷ non-keeping floor ({biggest:,} claims)", "–", "–",
                         f"≤ {TARGET_FLOOR_RATIO:.0f}× (aim)", None))
        f = floor_cells.get(biggest)
        if good(e) and good(f):
            rows.append((f"edi-lint ÷ floor keeping every split list ({biggest:,} claims)", f"{e.wall / f.wall:.2f}×",
                         f"{e.cpu / f.cpu:.2f}×" if f.cpu else "–", "(info)", None))
        if good(e):
            peak = statistics.median(r.rss_kib for r in e.runs) * 1024
            rows.append((f"edi-lint peak RSS ({biggest:,} claims)", f"{peak / 1e6:.0f} MB ({peak / 2**20:.0f} MiB)",
                         "", "≤ 150 MB", peak <= TARGET_PEAK_BYTES))
        else:
            rows.append((f"edi-lint peak RSS ({biggest:,} claims)", "–", "", "≤ 150 MB", None))
    for n in sizes:  # for scale: the floor is not linear (it keeps every element list, 2 GB at 200k)
        e, f = edi_cells.get(n), floor_cells.get(n)
        if n != biggest and good(e) and good(f):
            rows.append((f"edi-lint wall ÷ floor wall ({n:,} claims)", f"{e.wall / f.wall:.2f}×",
                         f"{e.cpu / f.cpu:.2f}×" if f.cpu else "–", "(info)", None))
    if good(one_edi) and good(one_pyx):
        r = one_edi.wall / one_pyx.wall
        rc = one_edi.cpu / one_pyx.cpu if one_pyx.cpu else float("nan")
        rows.append(("one claim: edi-lint ÷ pyx12 whole process", f"{r:.2f}× ({one_edi.wall:.2f} s vs {one_pyx.wall:.2f} s)",
                     f"{rc:.2f}× ({one_edi.cpu:.2f} s vs {one_pyx.cpu:.2f} s)", f"≤ {TARGET_ONE_CLAIM}×",
                     rc <= TARGET_ONE_CLAIM))
    elif not a.no_one_claim:
        rows.append(("one claim: edi-lint ÷ pyx12 whole process", "–", "–", f"≤ {TARGET_ONE_CLAIM}×", None))
    all_found = all("error" not in ch and not ch["missing"] for ch in checks.values()) if checks else None
    rows.append(("every seeded PT001/PT002/PT003/PT010 defect reported",
                 "–" if all_found is None else ("yes" if all_found else "no"), "", "all", all_found))
    return rows


if __name__ == "__main__":
    sys.exit(main())
