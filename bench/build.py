"""How fast reports are built: the naive loop against ``hailong build``, and the national scale.

Usage::

    .venv/bin/python bench/build.py            # everything (~10 min on 2 cores)
    .venv/bin/python bench/build.py --quick    # a few minutes: fewer baseline reports
                                               # (extrapolated, labelled)

Prints ONE table; every row is measured in this run, on the same data:

- baseline: the common loop over the Hai Phong sample (city, 15 districts, progress):
  for each report ``papermill`` (CLI), then ``jupyter nbconvert --to html`` (CLI), then
  ``jupyter nbconvert --to webpdf`` (CLI), one process each. ``webpdf`` needs Playwright
  to find a Chromium: it is given Debian's through ``PLAYWRIGHT_BROWSERS_PATH`` (a
  temporary folder whose Playwright-style paths are links to ``/usr/lib/chromium``);
- ``hailong build`` cold (new output folder, HTML + PDF, default workers; the median of
  three, ``--cold-runs``: one cold build varies by ±10% on a shared machine) and with
  nothing changed (the real CLI: its start-up counts), and their ratios to the baseline;
- per-report cost against the floor (a Python process importing pandas and matplotlib);
- the national sample (``hailong sample --scale national``): ingest + validation,
  aggregation of all units (commune level and province level) with the project's
  statistics settings, peak memory (the child's maxrss); report throughput for a fixed
  subset of communes, extrapolated to every unit.

Nothing is written under output/: builds go to a temporary folder. The results of the
Hai Phong round are computed before any timing (both sides read them).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NOTEBOOKS = ROOT / "notebooks" / "reports"
DISTRICTS = ["303", "304", "305", "306", "307", "308", "309", "311", "312", "313", "314",
             "315", "316", "317", "318"]
QUICK_DISTRICTS = ["303", "311"]


# --------------------------------------------------------------------- helpers
def subreaper() -> None:
    """Make this process adopt orphaned descendants (Linux), so that the CPU time of
    every process a command started (fork server, workers, kernels, browsers) is
    counted when they are reaped."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def reap(limit: float = 10.0) -> None:
    """Wait for adopted descendants that are still ending."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.05)


class CpuByKind:
    """CPU seconds of a command's processes by kind (kernels, browser, workers, ...),
    sampled every 0.1 s with psutil (a process's last 0.1 s before it ends is lost)."""

    def __init__(self, root_pid: int):
        import threading

        self.root, self.seen, self.stop = root_pid, {}, threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    @staticmethod
    def kind(proc) -> str:
        try:
            line = " ".join(proc.cmdline())
        except Exception:
            return "other"
        for word, name in (("ipykernel", "kernels"), ("forkserver", "workers"),
                           ("multiprocessing", "workers"), ("run-driver", "browser driver"),
                           ("chrom", "browser")):
            if word in line:
                return name
        return "build process"

    def _watch(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.root)
        except psutil.NoSuchProcess:
            return
        while not self.stop.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                procs = []
            for q in procs:
                try:
                    t = q.cpu_times()
                    kind = self.seen[q.pid][0] if q.pid in self.seen else self.kind(q)
                    self.seen[q.pid] = (kind, t.user + t.system)
                except psutil.Error:
                    pass
            time.sleep(0.1)

    def result(self) -> dict[str, float]:
        self.stop.set()
        self.thread.join()
        out: dict[str, float] = {}
        for kind, cpu in self.seen.values():
            out[kind] = out.get(kind, 0.0) + cpu
        return out


def run(cmd: list[str], env: dict | None = None, timeout: float | None = None,
        cwd: Path | None = None, by_kind: bool = False
        ) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall seconds, CPU seconds of the child and all its descendants, the process);
    with ``by_kind``, the process's ``by_kind`` attribute holds :class:`CpuByKind`'s."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # the command's messages in English (parsed below); no audit lines for bench builds
    child = subprocess.Popen(cmd, env={**os.environ, "HAILONG_LANG": "en", "HAILONG_AUDIT": "off",
                                       **(env or {})}, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, cwd=cwd)
    watch = CpuByKind(child.pid) if by_kind else None
    stdout, stderr = child.communicate(timeout=timeout)
    wall = time.perf_counter() - start
    proc = subprocess.CompletedProcess(cmd, child.returncode, stdout, stderr)
    proc.by_kind = watch.result() if watch else None
    reap()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n"
                           f"{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return wall, cpu, proc


def machine() -> dict:
    from importlib import metadata

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines()
                   if x.startswith("MemTotal"))
    except OSError:
        mem = 0
    chromium = subprocess.run(["/usr/lib/chromium/chromium", "--version"], capture_output=True,
                              text=True).stdout.strip() if Path("/usr/lib/chromium/chromium"
                                                                ).exists() else "?"
    versions = {n: metadata.version(n) for n in (
        "pandas", "numpy", "matplotlib", "seaborn", "papermill", "nbclient", "nbconvert",
        "ipykernel", "playwright", "dask", "distributed", "scipy")}
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gib": round(mem / 2**20, 1),
            "python": platform.python_version(), "os": platform.platform(),
            "chromium": chromium, "packages": versions}


def browsers_path() -> Path:
    """A PLAYWRIGHT_BROWSERS_PATH whose Chromium paths lead to Debian's browser."""
    from playwright.sync_api import sync_playwright

    from hailong.publish.pdf import find_chromium

    folder = Path(tempfile.mkdtemp(prefix="pw-browsers-"))
    os.environ["PLAYWRIGHT_BROWSERS_PATH"] = str(folder)
    with sync_playwright() as p:
        expected = Path(p.chromium.executable_path)
    rev = expected.parts[len(folder.parts)].split("-")[-1]
    targets = [expected,
               folder / f"chromium_headless_shell-{rev}" / "chrome-linux64" / "headless_shell",
               folder / f"chromium_headless_shell-{rev}" / "chrome-headless-shell-linux64"
               / "chrome-headless-shell"]
    for path in targets:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(find_chromium())
    del os.environ["PLAYWRIGHT_BROWSERS_PATH"]
    return folder


# --------------------------------------------------------------------- rows
def floor(repeat: int = 5) -> dict:
    walls, cpus = [], []
    for _ in range(repeat):
        w, c, _p = run([sys.executable, "-c", "import pandas, matplotlib"])
        walls.append(w)
        cpus.append(c)
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus)}


def baseline(units: list[str], work: Path, config: Path, pw: Path) -> dict:
    """The naive loop for ``units``: seconds per report (papermill, html, webpdf)."""
    out = work / "baseline"
    out.mkdir(parents=True)
    per = {}
    for unit in units:
        nb = {"city": "citywide.ipynb", "progress": "progress.ipynb"}.get(unit, "district.ipynb")
        executed = out / f"{unit}.ipynb"
        params = ["-p", "round_year", "2022", "-r", "lang", "vi", "-r", "config_path",
                  str(config)] + ([] if unit in ("city", "progress") else ["-r", "unit", unit])
        t1, c1, _ = run([str(BIN / "papermill"), str(NOTEBOOKS / nb), str(executed), *params,
                         "--cwd", str(NOTEBOOKS), "--no-progress-bar", "-k", "python3"])
        t2, c2, _ = run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                         str(executed), "--output-dir", str(out)])
        t3, c3, _ = run([str(BIN / "jupyter"), "nbconvert", "--to", "webpdf", "--no-input",
                         "--WebPDFExporter.disable_sandbox=True", str(executed),
                         "--output-dir", str(out)], env={"PLAYWRIGHT_BROWSERS_PATH": str(pw)})
        assert (out / f"{unit}.pdf").stat().st_size > 10_000
        per[unit] = {"papermill": t1, "html": t2, "webpdf": t3, "wall": t1 + t2 + t3,
                     "cpu": c1 + c2 + c3}
        print(f"  baseline {unit}: papermill {t1:.1f} s, html {t2:.1f} s, webpdf {t3:.1f} s",
              file=sys.stderr)
    return per


def extrapolate(per: dict, key: str) -> float:
    """Total of the 17 reports: measured ones as they are, missing districts at the mean
    of the measured districts."""
    districts = [v[key] for u, v in per.items() if u not in ("city", "progress")]
    total = sum(v[key] for v in per.values())
    missing = len([d for d in DISTRICTS if d not in per])
    return total + missing * statistics.mean(districts)


def child_build(args: list[str]) -> None:
    """(in a child process) one build through the Python API; its summary as JSON."""
    from hailong.run.build import build

    opts = json.loads(args[0])
    start = time.perf_counter()
    s = build(progress=False, **opts)
    print(json.dumps({
        "seconds": time.perf_counter() - start, "built": len(s.built),
        "up_to_date": len(s.up_to_date), "executor": s.executor, "steps": s.steps,
        "jobs": [{"unit": r.job.unit, "worker": r.worker, "kernel_starts": r.kernel_starts,
                  "execute": r.execute_s, "html": r.html_s, "pdf": r.pdf_s,
                  "seconds": r.seconds, "started": r.started, "finished": r.finished}
                 for r in s.jobs]}))


def hailong_cold(work: Path, config: Path | None = None, units: list | None = None,
                 workbook: bool = True, name: str = "hailong") -> dict:
    opts = {"out": str(work / name), "pdf": True, "workbook": workbook}
    if config:
        opts["config_path"] = str(config)
    if units:
        opts["units"] = units
    wall, cpu, proc = run([sys.executable, str(Path(__file__)), "--child-build",
                           json.dumps(opts)], cwd=ROOT, by_kind=True)
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    info.update(wall=wall, cpu=cpu, cpu_by_kind=proc.by_kind)
    return info


def noop(work: Path, repeat: int = 3, name: str = "hailong") -> dict:
    walls, cpus = [], []
    for _ in range(repeat):
        w, c, p = run([str(BIN / "hailong"), "build", "--out", str(work / name),
                       "--no-progress"], cwd=ROOT)
        assert "Built 0 reports" in p.stdout, p.stdout
        walls.append(w)
        cpus.append(c)
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus)}


def steady(info: dict) -> float:
    """Mean seconds of a job on a warm worker (kernel and browser already started)."""
    warm = [j["seconds"] for j in info["jobs"] if j["kernel_starts"] == 0]
    return statistics.mean(warm) if warm else float("nan")


# --------------------------------------------------------------------- national
STAGES = ("_answers_long", "_respondents", "_scores", "_distribution", "_coverage",
          "_intervals", "_secondary", "_poststrata", "_weighted", "_qualify", "_reliability",
          "_open_answers")


def child_aggregate(args: list[str]) -> None:
    """(in a child process) ingest + validate once, then compute_results by commune and
    by province with settings ``variant``; stage times, peak memory; JSON."""
    from hailong.numbers import scoring
    from hailong.numbers.pipeline import open_round, validate_round
    from hailong.numbers.themes import load_themes

    config, variant = args
    ctx = open_round(config_path=config)
    t = time.perf_counter()
    data = validate_round(ctx)
    ingest_s = time.perf_counter() - t
    stats = ctx.config.stats
    themes = load_themes(ctx.config.themes) if ctx.config.themes else None
    if variant == "no-themes":  # (to isolate the open answers' cost when exploring)
        themes = None
    times: dict[str, float] = {}

    def timed(name, fn):
        def wrapper(*a, **kw):
            t0 = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                times[name] = times.get(name, 0.0) + time.perf_counter() - t0
        return wrapper

    for name in STAGES:
        if hasattr(scoring, name):
            setattr(scoring, name, timed(name, getattr(scoring, name)))
    out = {"variant": variant, "ingest": ingest_s, "respondents": len(data.responses),
           "roster": len(data.roster)}
    for level in ("commune", "district"):
        before = dict(times)
        t = time.perf_counter()
        try:
            res = scoring.compute_results(data.responses, data.roster, ctx.codebook,
                                          ctx.units, level=level, min_n=ctx.config.min_n,
                                          stats=stats, themes=themes, meta={})
            out[level] = {"seconds": time.perf_counter() - t,
                          "units": int(res.scores["unit"].nunique())}
        except Exception as err:
            out[level] = {"seconds": time.perf_counter() - t,
                          "error": f"{type(err).__name__}: {str(err)[:160]}"}
        out[level]["stages"] = {k: v - before.get(k, 0.0) for k, v in times.items()
                                if v - before.get(k, 0.0) > 0.05}
        print(json.dumps(out), flush=True)  # what is known so far, in case of a timeout
    out["maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out), flush=True)


def aggregate(config: Path, variant: str, timeout: float) -> dict:
    cmd = [sys.executable, str(Path(__file__)), "--child-aggregate", str(config), variant]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            cwd=ROOT)
    try:
        stdout, _ = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, _ = proc.communicate()
        timed_out = True
    lines = [x for x in stdout.splitlines() if x.startswith("{")]
    info = json.loads(lines[-1]) if lines else {"variant": variant}
    info["wall"] = time.perf_counter() - start
    info["timed_out"] = timed_out
    return info


# --------------------------------------------------------------------- table
def fmt_s(x: float) -> str:
    return f"{x:,.1f} s" if x >= 10 else f"{x:.2f} s"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="baseline on 4 reports (extrapolated to 17)")
    ap.add_argument("--national-units", type=int, default=24,
                    help="communes built to measure the national report throughput")
    ap.add_argument("--cold-runs", type=int, default=3,
                    help="cold builds timed, each into a new folder (the median is quoted)")
    ap.add_argument("--skip-national", action="store_true")
    ap.add_argument("--national-dir", default=None,
                    help="where the national sample is (default: generated in a temporary "
                         "folder)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()

    from hailong.numbers.pipeline import load_results
    from hailong.reference.config import load_config

    subreaper()
    load_avg_start = os.getloadavg()
    info = machine()
    work = Path(tempfile.mkdtemp(prefix="hailong-bench-"))
    config = load_config().path
    load_results(config_path=config)  # both sides read the stored results and trend
    from hailong.numbers.trend_cache import report_trend

    report_trend(None, config)
    pw = browsers_path()
    rows: list[tuple[str, str, str]] = []
    try:
        print("floor ...", file=sys.stderr)
        fl = floor()
        units = (["city", "progress", *QUICK_DISTRICTS] if args.quick
                 else ["city", "progress", *DISTRICTS])
        print(f"baseline ({len(units)} reports) ...", file=sys.stderr)
        per = baseline(units, work, config, pw)
        base_wall = extrapolate(per, "wall")
        base_cpu = extrapolate(per, "cpu")
        label = "" if len(units) == 17 else f" (extrapolated from {len(units)} measured)"
        colds = []
        for k in range(args.cold_runs):  # each into a new folder; the median is quoted
            print(f"hailong build (cold, {k + 1} of {args.cold_runs}) ...", file=sys.stderr)
            colds.append(hailong_cold(work, name=f"hailong-{k}"))
        cold = sorted(colds, key=lambda c: c["wall"])[len(colds) // 2]
        cold_walls = ", ".join(fmt_s(c["wall"]) for c in colds)
        print("hailong build (nothing changed) ...", file=sys.stderr)
        nop = noop(work, name=f"hailong-{colds.index(cold)}")
        n = cold["built"]
        rows += [
            ("Baseline: papermill → nbconvert html → nbconvert webpdf, per report, 17 "
             "reports" + label, fmt_s(base_wall), f"{fmt_s(base_wall / 17)} per report"),
            (f"hailong build, cold ({n} reports, HTML + PDF, {cold['executor']}; median of "
             f"{len(colds)}: {cold_walls})",
             fmt_s(cold["wall"]), f"baseline ÷ hailong = {base_wall / cold['wall']:.1f}×"),
            ("hailong build, nothing changed (CLI, median of 3)", fmt_s(nop["wall"]),
             f"baseline ÷ hailong = {base_wall / nop['wall']:.0f}×"),
            ("Floor: python -c 'import pandas, matplotlib' (median of 5)", fmt_s(fl["wall"]),
             f"CPU {fmt_s(fl['cpu'])}"),
            ("Per report, baseline (wall; CPU)", fmt_s(base_wall / 17),
             f"{base_wall / 17 / fl['wall']:.1f}× floor; CPU {fmt_s(base_cpu / 17)}"),
            ("Per report, hailong cold: wall ÷ reports", fmt_s(cold["wall"] / n),
             f"{cold['wall'] / n / fl['wall']:.2f}× floor"),
            ("Per report, hailong cold: CPU of all processes ÷ reports",
             fmt_s(cold["cpu"] / n), f"{cold['cpu'] / n / fl['cpu']:.2f}× floor (CPU)"),
            ("Per report, hailong on a warm worker (notebook + HTML + PDF, mean; 2 jobs "
             "at once)", fmt_s(steady(cold)), f"{steady(cold) / fl['wall']:.2f}× floor"),
            ("CPU of the cold build by process (sampled)", fmt_s(sum(cold["cpu_by_kind"]
                                                                     .values())),
             ", ".join(f"{k} {v:.1f} s" for k, v in sorted(cold["cpu_by_kind"].items(),
                                                           key=lambda kv: -kv[1]))),
        ]
        details = {"floor": fl, "baseline": per, "cold": cold, "colds": colds, "noop": nop}
        if not args.skip_national:
            rows += national(args, work, details)
    finally:
        load_avg_end = os.getloadavg()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(pw, ignore_errors=True)
    print_table(rows, info, load_avg_start, load_avg_end, args.quick)
    (Path(tempfile.gettempdir()) / "hailong-bench-last.json").write_text(
        json.dumps({"machine": info, "rows": rows, "details": details}, indent=1,
                   default=str), encoding="utf-8")
    return 0


def national(args, work: Path, details: dict) -> list[tuple[str, str, str]]:
    from hailong.sample.national import generate_national

    rows = []
    folder = Path(args.national_dir) if args.national_dir else work / "national"
    if not (folder / "hailong.yaml").is_file():
        print("national sample ...", file=sys.stderr)
        t = time.perf_counter()
        written = generate_national(folder)
        gen = time.perf_counter() - t
        rows.append((f"National sample generated ({written['coops']:,} cooperatives, "
                     f"{written['responses_n']:,} answers, 34 provinces, "
                     f"{written['communes']:,} communes)", fmt_s(gen), ""))
    configured = folder / "hailong.yaml"
    timeout = 240 if args.quick else 600
    for variant, config, what in (
            ("configured", configured,
             "project statistics settings (secondary suppression, themes, index rank ranges "
             "from 10,000 draws)"),):
        print(f"national aggregation ({variant}) ...", file=sys.stderr)
        agg = aggregate(config, variant, timeout)
        details[f"national_{variant}"] = agg
        if "ingest" in agg and variant == "configured":
            rows.append((f"National: read + validate roster and export "
                         f"({agg['respondents']:,} answers)", fmt_s(agg["ingest"]), ""))
        for level, name in (("commune", "3,321 communes + nation"),
                            ("district", "34 provinces + nation")):
            r = agg.get(level)
            if r is None:
                rows.append((f"National aggregation, {name}: {what}",
                             f"> {fmt_s(agg['wall'])}", "timed out (not finished)"))
                continue
            top = sorted(r["stages"].items(), key=lambda kv: -kv[1])[:4]
            stages = ", ".join(f"{k.strip('_')} {v:.1f}" for k, v in top)
            status = r.get("error") or f"{r['units']:,} units"
            rows.append((f"National aggregation, {name}: {what}", fmt_s(r["seconds"]),
                         f"{status}; slowest stages (s): {stages}"))
        levels = [agg.get(k) for k in ("commune", "district")]
        if all(r is not None and "error" not in r for r in levels):
            rows.append(("National aggregation, all units (both levels above, one after the "
                         "other)", fmt_s(sum(r["seconds"] for r in levels)), ""))
        if "maxrss_mib" in agg:
            rows.append((f"National aggregation peak memory ({variant}, child maxrss)",
                         f"{agg['maxrss_mib'] / 1024:.2f} GiB", ""))
    # throughput: the results (stored, as a build computes them), then a fixed subset
    from hailong.numbers.pipeline import load_results

    print("national results for the reports ...", file=sys.stderr)
    stored = (folder / "processed").exists()
    t = time.perf_counter()
    res = load_results(config_path=configured)
    prep = time.perf_counter() - t
    computed = prep > 1.0 or not stored
    communes = [u for u in res.units["unit"] if u != "city"]
    step = max(1, len(communes) // args.national_units)
    subset = communes[::step][:args.national_units]
    print(f"national reports ({len(subset)} communes) ...", file=sys.stderr)
    built = hailong_cold(work, config=configured, units=subset, workbook=False,
                         name="national-out")
    jobs = built["jobs"]
    span = max(j["finished"] for j in jobs) - min(j["started"] for j in jobs)
    rate = len(jobs) / span * 60
    fixed = built["wall"] - span
    total_units = len(communes) + 1
    details["national_build"] = built
    rows += [
        ("National results for the reports: "
         + ("ingest + aggregation, stored" if computed else "read back (already stored)"),
         fmt_s(prep), ""),
        (f"National reports: {len(subset)} communes (every {step}th), HTML + PDF, "
         f"{built['executor']}", fmt_s(built["wall"]),
         f"{rate:.0f} reports/min once workers are warm; fixed costs {fmt_s(fixed)}"),
        (f"National, every report extrapolated ({total_units:,} reports at that rate)",
         fmt_s(total_units / rate * 60 + fixed), f"≈ {(total_units / rate + fixed / 60):.0f} min"),
    ]
    return rows


def print_table(rows, info, load_start, load_end, quick) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"| {'what':<{width}} | time | note |")
    print(f"|{'-' * (width + 2)}|------|------|")
    for what, t, note in rows:
        print(f"| {what:<{width}} | {t} | {note} |")
    print()
    print(f"Machine: {info['nproc']} cores ({info['cpu']}), {info['ram_gib']} GiB RAM, "
          f"Python {info['python']}, {info['os']}; {info['chromium']}.")
    print("Packages: " + ", ".join(f"{k} {v}" for k, v in info["packages"].items()) + ".")
    print(f"Load average at start {load_start[0]:.2f}, at end {load_end[0]:.2f}"
          + (" (--quick)" if quick else "") + ".")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child-build":
        child_build(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "--child-aggregate":
        child_aggregate(sys.argv[2:])
    else:
        sys.exit(main())
