"""The back test: every figure the build publishes, as a reference that stays put.

:func:`published_figures` reads a round's built output folder as a reader would: every
table of every published HTML page (reports and the index; cells as text, header rows
included) and every cell of the workbook. ``tests/data/backtest/<year>.json`` holds the
figures of the committed sample rounds; ``tests/test_backtest.py`` rebuilds and compares
them exactly. A change that alters a published figure on purpose renews the reference in
the same commit (``python tests/backtest.py --write``) and says what changed and why.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import re
import sys
import tempfile
from pathlib import Path

from bs4 import BeautifulSoup
from openpyxl import load_workbook

REFERENCE_DIR = Path(__file__).parent / "data" / "backtest"

#: The sample rounds whose published figures are kept.
ROUNDS = (2022, 2025)


#: What changes from one build to the next without being a figure: the day and time of
#: the build (``03/12/2026 08:06``, ``03/12/2026``) and hex digests (commit, SHA-256).
BUILD_DAY = "<build day>"
_HEX = re.compile(r"\b(?=[0-9a-f]*[a-f])[0-9a-f]{7,64}\b")
_NUMBER = re.compile(r"[-+\u2212]?\d[\d.,]*%?")


def _mask(text: str) -> str:
    """``text`` with the build's day and time replaced by :data:`BUILD_DAY`."""
    today = dt.date.today()
    for day in (today, today - dt.timedelta(days=1)):
        text = re.sub(rf"{day:%d/%m/%Y}( \d\d:\d\d)?", BUILD_DAY, text)
    return text


def _cell(value: object) -> object:
    """A workbook value as JSON keeps it (dates as ISO text, the build day masked)."""
    if isinstance(value, str):
        return _mask(value)
    if value is None or isinstance(value, (int, float, bool)):
        return value
    return _mask(str(value))


def _text(tag) -> str:
    return _mask(" ".join(tag.get_text(" ").split()))


def html_figures(path: Path) -> dict[str, list]:
    """One page's figures: every table (rows of cell texts, whitespace folded) and the
    numbers of the text outside tables, in reading order (hex digests left out)."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    tables = [[[_text(c) for c in tr.find_all(["th", "td"])] for tr in table.find_all("tr")]
              for table in soup.find_all("table")]
    for tag in soup.find_all(["table", "style", "script", "svg", "title"]):
        tag.decompose()
    for tag in soup.select(".provenance"):
        tag.decompose()
    body = soup.body or soup
    numbers = _NUMBER.findall(_HEX.sub(" ", _text(body)))
    return {"tables": tables, "text_numbers": numbers}


def workbook_cells(path: Path) -> dict[str, list[list[object]]]:
    """Every sheet of a workbook: its rows of values."""
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        return {ws.title: [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
                for ws in book.worksheets}
    finally:
        book.close()


def published_figures(out_dir: Path) -> dict[str, object]:
    """Every figure a round's output folder publishes, keyed by file name (HTML pages and
    workbooks of the round's folder; notebooks and internal lists are not published)."""
    figures: dict[str, object] = {}
    for path in sorted(out_dir.glob("*.html")):
        figures[path.name] = html_figures(path)
    for path in sorted(out_dir.glob("*.xlsx")):
        figures[path.name] = workbook_cells(path)
    for name, tables in open_data_figures(out_dir).items():
        figures[f"{OPEN_DATA}{name}"] = tables
    return figures


#: Key prefix of the open-data files among :func:`published_figures`.
OPEN_DATA = "data/"


def split_open_data(figures: dict) -> tuple[dict, dict]:
    """``(pages and workbooks, open data by file name)`` of :func:`published_figures`."""
    pages = {k: v for k, v in figures.items() if not k.startswith(OPEN_DATA)}
    data = {k[len(OPEN_DATA):]: v for k, v in figures.items() if k.startswith(OPEN_DATA)}
    return pages, data


def _csv_value(text: str) -> object:
    """A CSV cell: empty = withheld (None), else its text as written."""
    return None if text == "" else text


def open_data_figures(out_dir: Path) -> dict[str, dict]:
    """Every table of a round's open data (``<out_dir>/data/``), keyed by file name: each
    CSV as ``{"columns", "rows"}`` (cells as text, empty = None) and each JSON document's
    ``tables`` (``{slug: {"title", "columns", "rows"}}``). Kept apart from
    :func:`published_figures`, whose keys the reference files hold."""
    found: dict[str, dict] = {}
    for path in sorted((out_dir / "data").glob("*.csv")):
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        found[path.name] = {"columns": rows[0] if rows else [],
                            "rows": [[_csv_value(c) for c in r] for r in rows[1:]]}
    for path in sorted((out_dir / "data").glob("*.json")):
        found[path.name] = {"tables": json.loads(path.read_text(encoding="utf-8"))["tables"]}
    return found


def build_round(year: int, out: Path) -> Path:
    """Build every report of a sample round (HTML only) into ``out``; the round's folder."""
    from hailong.run.build import build

    summary = build(round_year=year, out=out, progress=False, pdf=False, force=True)
    return summary.out_dir


def reference_path(year: int) -> Path:
    """Where a round's reference figures are kept."""
    return REFERENCE_DIR / f"{year}.json"


def write_reference(year: int) -> Path:
    """Build a round and store its published figures as the reference."""
    with tempfile.TemporaryDirectory() as tmp:
        figures = published_figures(build_round(year, Path(tmp)))
    path = reference_path(year)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, ensure_ascii=False, indent=0, sort_keys=True) + "\n",
                    encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="renew the reference files")
    parser.add_argument("--round", type=int, action="append", help="only this round")
    args = parser.parse_args(argv)
    if not args.write:
        parser.error("nothing to do: pass --write to renew the reference files")
    for year in args.round or ROUNDS:
        print(write_reference(year))
    return 0


if __name__ == "__main__":
    sys.exit(main())
