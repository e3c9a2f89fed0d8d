"""Memory of a warm kernel over a whole round: does each report leave something behind?

Usage::

    .venv/bin/python bench/kernel_memory.py              # the 2025 round, 116 reports (~3 min)
    .venv/bin/python bench/kernel_memory.py --units 20   # the first 20 units only
    .venv/bin/python bench/kernel_memory.py --pdf        # print PDFs too (no effect on the kernel)

Builds the round with ``hailong.run.build.build`` on ONE worker (the jobs run in this
process, on one :class:`hailong.run.kernel.WarmKernel`) into a temporary folder (nothing
under ``output/``), and reads the kernel process's resident memory (RSS, psutil) after
every report. Prints the RSS after the first and the last report, and the growth per
report after warm-up: the least-squares slope of RSS against the report number over the
reports after the first ``--warm-up`` ones (default 10: the first reports import and fill
caches that every later report shares). Target: under 0.1 MB per report.

The kernel is never recycled here (``HAILONG_KERNEL_MAX_REPORTS`` and
``HAILONG_KERNEL_MAX_MB`` are set to 0 for the run) unless ``--recycle`` is given: the
benchmark measures what a report leaves behind, not the guard that hides it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

MB = 1024 * 1024


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of ``ys`` against ``xs`` (0 with fewer than two points)."""
    if len(xs) < 2:
        return 0.0
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--round", type=int, default=2025, dest="round_year")
    parser.add_argument("--units", type=int, default=None,
                        help="build only the first N units of the round (default: all)")
    parser.add_argument("--warm-up", type=int, default=10,
                        help="reports left out of the growth figure (default 10)")
    parser.add_argument("--pdf", action="store_true", help="print PDFs too")
    parser.add_argument("--recycle", action="store_true",
                        help="keep the configured kernel recycling (default: off)")
    args = parser.parse_args(argv)

    import psutil

    from hailong.reference.config import load_config
    from hailong.run import executors
    from hailong.run.build import build
    from hailong.run.executors import LocalExecutor, worker_state

    samples: list[tuple[int, int, float]] = []  # (report number, kernel pid, RSS in MB)

    class Measured(LocalExecutor):
        """One worker (this process); the kernel's RSS read after each report."""

        def map_unordered(self, fn, items):
            for k, outcome in super().map_unordered(fn, items):
                kernel = worker_state().kernel
                pid = getattr(kernel, "pid", None) if kernel is not None else None
                if pid:
                    try:
                        rss = psutil.Process(pid).memory_info().rss / MB
                        samples.append((len(samples) + 1, pid, rss))
                    except psutil.Error:
                        pass
                yield k, outcome

    if not args.recycle:
        os.environ[executors.ENV_MAX_REPORTS] = os.environ[executors.ENV_MAX_MB] = "0"
    units = None
    if args.units:
        config = load_config()
        rnd = config.round(args.round_year)
        import pandas as pd

        table = pd.read_csv(rnd.units, dtype=str)
        units = list(table.loc[table["level"] == "commune", "code"])[:args.units]
    with tempfile.TemporaryDirectory(prefix="hailong-kmem-") as tmp:
        start = time.perf_counter()
        with Measured(workers=1) as ex:
            try:
                summary = build(round_year=args.round_year, units=units, out=Path(tmp),
                                progress=False, pdf=args.pdf, executor=ex, force=True)
                failures = len(summary.failures)
            except Exception as err:  # a failed report still measures the kernel
                failures = len(getattr(err, "failures", []) or [])
                print(f"build: {type(err).__name__}: {str(err).splitlines()[0]}")
        seconds = time.perf_counter() - start
    if not samples:
        print("no report ran")
        return 1
    pids = list(dict.fromkeys(pid for _, pid, _ in samples))
    first, last = samples[0], samples[-1]
    last_pid = [s for s in samples if s[1] == last[1]]
    after = [s for s in last_pid if s[0] > args.warm_up]
    growth = slope([s[0] for s in after], [s[2] for s in after])
    print(f"round {args.round_year}: {len(samples)} reports on one worker in {seconds:.0f} s "
          f"({failures} failed); kernels used: {len(pids)}")
    print(f"kernel RSS after the first report:  {first[2]:7.1f} MB")
    print(f"kernel RSS after the last report:   {last[2]:7.1f} MB")
    print(f"growth per report after {args.warm_up} reports: {growth:7.3f} MB/report "
          f"(least squares over {len(after)} reports; target < 0.1)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
