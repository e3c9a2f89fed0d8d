"""Ingest cost with heavy duplicates: N rows of repeated submissions, read and validated.

Usage::

    .venv/bin/python bench/ingest_duplicates.py                 # 500,000 rows
    .venv/bin/python bench/ingest_duplicates.py --rows 100000

Writes an export of ``--rows`` data rows (a temporary CSV, UTF-8, as the survey tool
writes it) by repeating the data rows of the bundled sample ``data/sample/2022/
responses.csv`` in order, again and again: every cooperative of the sample has submitted
hundreds of times (the same answers, the same time stamps, the blank-code rows that are
matched by name included). Then, in a child process (so that its peak memory is its own),
it reads the export as the build does (``read_responses``) and validates it against the
sample roster (``validate_round``), and prints the wall time of each step, the child's
peak resident memory (``ru_maxrss``) and the row accounting.

Target (issue 14): 500,000 rows in under a minute and under 2 GiB, i.e. ingest cost linear
in rows whatever the share of duplicates.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "2022"
CODEBOOK = ROOT / "data" / "reference" / "codebook" / "codebook-v1.yaml"
UNITS = ROOT / "data" / "reference" / "units-2022.csv"


def write_export(rows: int, path: Path) -> None:
    """An export of ``rows`` data rows: the sample's rows repeated in order."""
    with open(SAMPLE / "responses.csv", encoding="utf-8", newline="") as f:
        header, *data = list(csv.reader(f))
    with open(path, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        for i in range(rows):
            out.writerow(data[i % len(data)])


def child(path: str) -> None:
    """Read and validate ``path``; print a JSON line of the figures."""
    import datetime as dt

    import hailong.ingest.readers as ingest
    from hailong.ingest import validate
    from hailong.reference.codebook import load_codebook
    from hailong.reference.geography import load_units

    codebook = load_codebook(CODEBOOK)
    units = load_units(UNITS, on=dt.date(2022, 10, 1))
    roster = ingest.read_roster(SAMPLE / "roster.csv")
    t0 = time.perf_counter()
    raw = ingest.read_responses([path], codebook)
    t1 = time.perf_counter()
    v = validate.validate_round(roster, raw, codebook, units)
    t2 = time.perf_counter()
    answers = getattr(v, "answer_counts", None)
    print(json.dumps({"read_s": t1 - t0, "validate_s": t2 - t1, "counts": v.counts(),
                      "answers": answers,
                      "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=500_000, help="data rows (default 500,000)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "responses-repeated.csv"
        write_export(args.rows, path)
        size = path.stat().st_size
        start = time.perf_counter()
        done = subprocess.run([sys.executable, __file__, "--child", str(path)],
                              capture_output=True, text=True, env=os.environ | {
                                  "PYTHONPATH": os.environ.get("PYTHONPATH", "")})
        wall = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"the child failed:\n{done.stderr}")
    r = json.loads(done.stdout.strip().splitlines()[-1])
    gib = r["maxrss_kib"] / 2**20
    c = r["counts"]
    print(f"Ingest of {args.rows:,} rows of repeated submissions "
          f"({size / 2**20:.0f} MiB CSV, the 2022 sample's rows repeated)")
    print(f"  read (read_responses)          {r['read_s']:8.1f} s")
    print(f"  validate (validate_round)      {r['validate_s']:8.1f} s")
    print(f"  read + validate                {r['read_s'] + r['validate_s']:8.1f} s   "
          f"(child process in all, imports included: {wall:.1f} s)")
    print(f"  peak memory (child maxrss)     {gib:8.2f} GiB")
    print(f"  rows: {c['read']:,} read = {c['accepted']:,} accepted + {c['merged']:,} merged "
          f"+ {c['set_aside']:,} set aside")
    if r["answers"]:
        a = r["answers"]
        print(f"  answers: {a['read']:,} read = {a['used']:,} used + {a['set_aside']:,} set "
              f"aside + {a['no_opinion']:,} no opinion")
    ok = r["read_s"] + r["validate_s"] < 60 and gib < 2
    print(f"  target (< 60 s and < 2 GiB at 500,000 rows): "
          f"{'met' if ok else 'not met'}{'' if args.rows == 500_000 else ' (other size)'}")


if __name__ == "__main__":
    main()
