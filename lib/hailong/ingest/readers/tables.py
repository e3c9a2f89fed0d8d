"""Reading a CSV / text file or a sheet of a workbook as a frame of text: the header row,
the sheet and the Excel row number of every row.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hailong.core.errors import InputError
from hailong.ingest.readers.columns import ROW_COLUMN, Expected
from hailong.ingest.readers.decoding import (
    _CSV_HINT,
    ReadAs,
    _fix_legacy,
    _read_text,
    _read_xlsx,
    paused_gc,
)
from hailong.ingest.readers.text import normalize_text

#: How many rows from the top are searched for the row of column headers.
HEADER_SEARCH_ROWS = 30
_TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
_XLSX_SUFFIXES = (".xlsx", ".xlsm")


def read_table(path: str | Path, *, sheet: str | None = None,
               expect: Expected | None = None) -> pd.DataFrame:
    """Read a CSV / tab-separated text file or a sheet of an Excel workbook as text.

    CSV may be UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode Text", also as
    ``.txt``) or Windows-1258, separated by commas, semicolons or tabs. Text typed in the
    legacy TCVN3 or VNI encodings is converted to Unicode when that is certain (see
    :mod:`hailong.ingest.legacy`), otherwise the file is refused. With ``expect``, the header
    row is the one among the first :data:`HEADER_SEARCH_ROWS` that names most expected
    columns (title rows above it are skipped), and a workbook's sheet is the only one
    that has all of them.

    Every cell is text (stripped; ``""`` when blank); rows that are entirely blank are
    dropped. Column ``_row`` is the row number as Excel shows it. Headers are kept as
    written (repeated headers stay repeated; a blank header holding data becomes
    ``"(column F)"``). ``attrs["read_as"]`` describes how the file was read
    (:class:`ReadAs` as a dict).

    Parameters
    ----------
    sheet
        The worksheet to read (Excel only, ignored for text files; default: see above,
        else the first).
    expect
        The columns the table should have.

    Raises
    ------
    InputError
        If the file is missing, empty, of another type, or cannot be decoded.
    """
    path = Path(path)
    _check_file(path)
    suffix = path.suffix.lower()
    if suffix not in _XLSX_SUFFIXES:
        sheet = None  # a text file has no sheets
    fixed, refused = _decoded_sheets(path, suffix)
    if not any(c.strip() for _, rows, _ in fixed for r in rows for c in r):
        raise InputError("err.file_empty", file=path, hint="hint.export_data_again_first")
    name, rows, header = _choose_sheet([(n, r) for n, r, _ in fixed], path, sheet, expect)
    if name in refused:
        raise refused[name]
    read_as = next(ra for n, _, ra in fixed if n == name)
    if len(fixed) == 1 and suffix in _XLSX_SUFFIXES:
        read_as.sheet = ""  # only one sheet: nothing worth saying
    read_as.header_row = header + 1
    frame = _to_frame(rows, path, header)
    frame.attrs["read_as"] = asdict(read_as)
    return frame


def _check_file(path: Path) -> None:
    """Refuse a file that is missing, a folder, of a kind that cannot be read, or empty."""
    if path.is_dir():
        inside = sorted(p.name for p in path.iterdir()
                        if p.is_file() and p.suffix.lower() in _TEXT_SUFFIXES + _XLSX_SUFFIXES)
        shown = ", ".join(inside[:5]) + (f" (+{len(inside) - 5})" if len(inside) > 5 else "")
        raise InputError("err.folder_file", file=path, expected="exp.file_csv_xlsx_txt",
                         hint="hint.name_file_inside" if inside else "hint.name_file_itself",
                         shown=shown)
    if not path.is_file():
        raise InputError("err.file_missing", file=path, hint="hint.check_file_name")
    suffix = path.suffix.lower()
    if suffix not in _TEXT_SUFFIXES + _XLSX_SUFFIXES:
        raise InputError("err.kind_file_read", file=path, found=path.suffix,
                         expected=", ".join((".csv", ".xlsx", ".txt (Unicode text)")),
                         hint=_CSV_HINT)
    if path.stat().st_size == 0:
        raise InputError("err.file_empty", file=path, hint="hint.export_data_again_first")


def _decoded_sheets(path: Path, suffix: str
                    ) -> tuple[list[tuple[str, list[list[str]], ReadAs]], dict[str, InputError]]:
    """``(sheets, refused)``: every sheet (one, named ``""``, for a text file) as ``(name,
    rows, ReadAs)`` with its legacy text converted, and the error of each sheet whose
    legacy text could not be (only an error if that sheet is the one read)."""
    if suffix in _XLSX_SUFFIXES:
        sheets = [(name, rows, ReadAs("Excel", sheet=name, uncached_formulas=refs))
                  for name, rows, refs in _read_xlsx(path)]
    else:
        rows, read_as = _read_text(path)
        if suffix == ".txt" and read_as.encoding != "UTF-16" and read_as.delimiter != "\t":
            raise InputError("err.kind_file_read", file=path, found=path.suffix,
                             expected="exp.csv_xlsx_txt_saved", hint=_CSV_HINT)
        sheets = [("", rows, read_as)]
    fixed, refused = [], {}
    for name, rows, ra in sheets:
        try:
            fixed.append((name, _fix_legacy(rows, ra, path), ra))
        except InputError as err:  # only an error if this sheet is the one read
            fixed.append((name, rows, ra))
            refused[name] = err
    return fixed, refused


def _excel_letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _header_index(rows: list[list[str]], expect: Expected | None) -> tuple[int, int, bool]:
    """``(index, score, complete)`` of the header row among the first rows.

    The header is the row where most headers match ``expect`` (the first such row);
    without ``expect``, or if nothing matches, the first row that is not blank.
    """
    first = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), 0)
    if expect is None:
        return first, 0, True
    best, best_names = first, set()
    for i, r in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = expect.names([c.strip() for c in r])
        if len(names) > len(best_names):
            best, best_names = i, names
    return best, len(best_names), set(expect.required) <= best_names


def _choose_sheet(sheets: list[tuple[str, list[list[str]]]], path: Path, sheet: str | None,
                  expect: Expected | None) -> tuple[str, list[list[str]], int]:
    """The worksheet to read and its header row index.

    ``sheet`` names it; otherwise the only sheet with all the expected columns (or the
    sheet that has most of them, so that the message about what is missing is useful).
    """
    if sheet is not None:
        named = [s for s in sheets if normalize_text(s[0]) == normalize_text(sheet)]
        if not named:
            raise InputError("err.workbook_sheet_name", file=path, found=sheet,
                             expected=", ".join(repr(n) for n, _ in sheets))
        sheets = named
    scored = [(name, rows, *_header_index(rows, expect)) for name, rows in sheets]
    if len(scored) > 1 and expect is not None:
        complete = [s for s in scored if s[4]]
        if len(complete) > 1:
            raise InputError("err.several_sheets_workbook_expected", file=path,
                             found=[s[0] for s in complete],
                             hint="hint.name_sheet_read_hailong")
        if complete:
            scored = complete
        else:
            scored = [max(scored, key=lambda s: s[3])]
    name, rows, index = scored[0][:3]
    return name, rows, index


def _to_frame(rows: list[list[str]], path: Path, header: int = 0) -> pd.DataFrame:
    """Header + data rows -> frame of stripped text with the Excel row number ``_row``.

    Built column by column in Arrow (stripping and the blank tests vectorized), so that
    the cost follows the number of cells and no second copy of the rows is made.
    """
    width = max((len(r) for r in rows), default=0)
    head = ([c.strip() for c in rows[header]] + [""] * width)[:width] \
        if len(rows) > header else []
    if not any(head):
        raise InputError("err.file_empty_first_row", file=path, hint="hint.first_row_hold_column")
    body = rows[header + 1:]
    with paused_gc():
        columns = [pc.utf8_trim_whitespace(pa.array(col, type=pa.large_string()))
                   for col in itertools.zip_longest(*body, fillvalue="")] if body else []
    columns += [pa.array([""] * len(body), type=pa.large_string())] * (width - len(columns))
    filled = [np.asarray(pc.not_equal(c, "")) for c in columns]
    used = np.zeros(len(body), dtype=bool)
    for f in filled:
        used |= f
    keep = [j for j in range(width) if head[j] or filled[j][used].any()]
    names = [head[j] or f"(column {_excel_letter(j)})" for j in keep]
    mask = pa.array(used)
    frame = pd.DataFrame({k: pd.Series(columns[j].filter(mask), dtype="str")
                          for k, j in enumerate(keep)})
    frame.columns = pd.Index(names, dtype=object)
    frame[ROW_COLUMN] = pd.Series(np.flatnonzero(used) + header + 2, dtype="int64")
    return frame
