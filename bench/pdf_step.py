"""How long the PDF step takes per report: print every HTML report of a built round.

Usage: .venv/bin/python bench/pdf_step.py [output/2022] [--repeat 3]

Prints the browser start, the time of each PDF and the mean per report (browser start
included and excluded). Build the reports first (`make report` or
`hailong build --no-pdf`). PDFs are written to a temporary folder, not beside the pages.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from hailong.publish.pdf import PdfRenderer


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default="output/2022")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    pages = sorted(p for p in Path(args.folder).glob("*.html") if p.name != "index.html"
                   and not p.name.startswith("index."))
    if not pages:
        print(f"No report in {args.folder}: build them first.", file=sys.stderr)
        return 2
    totals = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.repeat):
            start = time.perf_counter()
            with PdfRenderer() as renderer:
                launched = time.perf_counter() - start
                each = []
                for page in pages:
                    t = time.perf_counter()
                    renderer.render(page, Path(tmp) / f"{page.stem}.pdf")
                    each.append(time.perf_counter() - t)
            total = time.perf_counter() - start
            totals.append(total)
            print(f"run {run + 1}: {len(pages)} PDFs in {total:.2f} s "
                  f"(browser start {launched:.2f} s; per PDF mean {statistics.mean(each):.3f} s, "
                  f"max {max(each):.3f} s; per report incl. start {total / len(pages):.3f} s)")
    print(f"median per report, browser start included: "
          f"{statistics.median(totals) / len(pages):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
