"""Decoding input files into rows of text: CSV in any encoding and separator staff are
likely to have, Excel workbooks, and text typed in the legacy TCVN3 / VNI encodings.

:class:`ReadAs` records how a file was read.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import gc
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from hailong.core.catalogue import Msg
from hailong.core.errors import InputError
from hailong.core.messages import say
from hailong.ingest import legacy

_CSV_HINT = "hint.save_as_csv_utf8"  # a key of the message catalogue
#: Separators a CSV file may use, in order of preference on a tie.
DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
#: File beginnings of things that are not a table of text, and what to do about them.
_MAGIC = (
    (b"PK\x03\x04", "what.zip", "hint.zip_file"),
    (b"\xd0\xcf\x11\xe0", "what.old_office", "hint.old_office"),
    (b"%PDF", "what.pdf", "hint.export_csv_xlsx"),
    (b"{\\rtf", "what.rtf", "hint.export_csv_xlsx"),
)
_LEGACY_HINT = "hint.legacy_unikey"  # a key of the message catalogue, with {source}
_UNIKEY_SOURCE = {"TCVN3": "TCVN3 (ABC)", "VNI": "VNI Windows"}
#: The longest cell a CSV file may have, in characters (a long comment is fine; beyond
#: this the file is refused with a message naming the line). Python's csv module stops
#: at 131,072 by default.
MAX_FIELD_CHARS = 10_000_000
#: How much of a CSV file's beginning decides its separator (characters).
SAMPLE_CHARS = 4_000_000
#: How many formula cells without a saved result a message names.
MAX_FORMULAS_LISTED = 10


@dataclass
class ReadAs:
    """How a file was read: what staff need to know to trust (or fix) it.

    Attributes
    ----------
    format
        ``"CSV"`` (also tab-separated text) or ``"Excel"``.
    encoding
        Text encoding of a CSV file (``"UTF-8"``, ``"UTF-8 with BOM"``, ``"UTF-16"``,
        ``"Windows-1258"``, or a legacy one).
    delimiter
        ``","``, ``";"`` or ``"\\t"`` (CSV only).
    sheet
        The worksheet read (Excel only).
    header_row
        The row of column headers (Excel numbering, 1 = first row).
    converted_from
        The legacy encoding the text was converted from (``"TCVN3"`` / ``"VNI"``), or ``""``.
    converted_cells, converted_rows
        How many cells were converted, and the rows that held them.
    uncached_formulas
        Cells (``"D5"``) of the sheet read that hold a formula whose result the workbook
        does not store (saved by a program that does not calculate): read as blank.
    source
        The survey tool the export is recognised as coming from (``"KoboToolbox"``), or
        ``""``.
    """

    format: str
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    header_row: int = 1
    converted_from: str = ""
    converted_cells: int = 0
    converted_rows: list[int] = field(default_factory=list)
    uncached_formulas: list[str] = field(default_factory=list)
    source: str = ""

    def describe(self) -> str:
        """``"CSV, UTF-16, tab-separated, headers on row 4"`` and the like."""
        parts = [say("val.read.export", source=self.source) if self.source else "",
                 self.format]
        parts = [p for p in parts if p]
        if self.encoding:
            plain, bom = self.encoding.removesuffix(" with BOM"), self.encoding.endswith(" BOM")
            parts.append(say("val.read.with_bom", encoding=plain) if bom else self.encoding)
        if self.delimiter:
            name = _DELIMITER_NAMES.get(self.delimiter)
            parts.append(say(f"val.read.{name}") if name else
                         say("val.read.separated", delimiter=self.delimiter))
        if self.sheet:
            parts.append(say("val.read.sheet", sheet=repr(self.sheet)))
        if self.header_row != 1:
            parts.append(say("val.read.header_row", row=self.header_row))
        text = ", ".join(parts)
        if self.converted_from:
            text += say("val.read.converted", encoding=legacy.NAMES[self.converted_from],
                        cells=self.converted_cells, rows=len(self.converted_rows))
        if self.uncached_formulas:
            text += say("val.read.formulas", n=len(self.uncached_formulas))
        return text


def formula_message(file: str | Path, cells: list[str]) -> str:
    """The message about formula cells whose result the workbook does not store."""
    shown = ", ".join(cells[:MAX_FORMULAS_LISTED]) + (
        f" and {len(cells) - MAX_FORMULAS_LISTED} more" if len(cells) > MAX_FORMULAS_LISTED
        else "")
    return str(InputError("err.cell_s_hold_formula", file=file,
                          hint="hint.open_file_excel_libreoffice",
                          n_cells=len(cells), shown=shown))


def _cell_text(value: object) -> str:
    """One spreadsheet cell as text: integral numbers without ".0", dates in ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _not_text(path: Path, what: str, hint: str) -> InputError:
    return InputError("err.table_text_looks_like", file=path, hint=hint, what=Msg(what))


#: Windows-1252 characters of bytes 0x80-0x9F (5 of them are undefined and stay Latin-1).
_CP1252_HIGH = {b: bytes([b]).decode("cp1252") for b in range(0x80, 0xA0)
                if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}


def _parse_csv(text: str, path: Path) -> tuple[list[list[str]], str]:
    """Records of a CSV text and the separator that splits it most consistently.

    Each separator is tried on the first 100 records; the one giving the widest table
    whose rows mostly have that width wins (comma on a tie).
    """
    if "\x00" in text:
        raise _not_text(path, "a binary file", "Export the data again as CSV or .xlsx.")

    def records(delimiter: str, limit: int | None = None) -> list[list[str]]:
        # the separator is chosen on the file's beginning: no copy of a large file for it
        sample = text if limit is None else text[:SAMPLE_CHARS]
        reader = csv.reader(_lines(sample), delimiter=delimiter)
        before = csv.field_size_limit(MAX_FIELD_CHARS)
        same = {}.setdefault  # one string object per distinct cell: repeats cost a pointer
        try:
            with paused_gc():
                return [list(map(same, r, r)) for r in itertools.islice(reader, limit)]
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise InputError("err.cell_ending_near_line", file=path,
                                 hint="hint.look_at_line_text",
                                 line_num=reader.line_num,
                                 max_field_chars=MAX_FIELD_CHARS) from None
            raise InputError("err.file_read_csv", file=path, hint=_CSV_HINT, exc=exc) from None
        finally:
            csv.field_size_limit(before)

    def score(delimiter: str) -> float:
        widths = [len(r) for r in records(delimiter, 100) if r]
        if not widths:
            return 0.0
        mode = max(set(widths), key=lambda w: (widths.count(w), w))
        return mode * widths.count(mode) / len(widths)

    best = max(DELIMITERS, key=lambda d: (score(d), -DELIMITERS.index(d)))
    return records(best), best


#: A line as ``open(newline="")`` gives it: ended by "\r\n", "\r" or "\n", kept.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` for :func:`csv.reader`, one at a time (``io.StringIO`` would
    hold a copy of the whole text at 4 bytes a character)."""
    return (m.group() for m in _LINE.finditer(text))


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while millions of lists are made (it would walk them
    all again and again: time growing faster than the rows); nothing made is cyclic."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _vietnamese_words(rows: list[list[str]]) -> int:
    """Distinct words with a non-ASCII letter that are well-formed Vietnamese."""
    words = {w for r in rows for c in r for w in legacy.words(c)}
    return sum(map(legacy.is_vietnamese_word, words))


def _legacy_error(det: legacy.Detection, path: Path) -> InputError:
    examples = ", ".join(f"“{a}”" for a, _ in det.examples)
    return InputError("err.text_looks_typed_old", file=path, expected="exp.text_unicode",
                      hint=_LEGACY_HINT, source=_UNIKEY_SOURCE[det.encoding or "TCVN3"],
                      name=det.name, explained=det.explained,
                      explained2=det.explained + det.unexplained, examples=examples)


def _convert_all(rows: list[list[str]], encoding: str, read_as: ReadAs,
                 only: Callable[[str], str | None] | None = None) -> list[list[str]]:
    """Decode the cells (``only(cell)`` -> new text or None decides, if given)."""
    out, changed_rows, cells = [], [], 0
    for i, r in enumerate(rows):
        new = []
        for c in r:
            fixed = (only(c) if only else legacy.decode(c, encoding)) if c else None
            if fixed is not None and fixed != c:
                cells += 1
                new.append(fixed)
            else:
                new.append(c)
        if new != r:
            changed_rows.append(i + 1)
        out.append(new)
    if cells:
        read_as.converted_from = encoding
        read_as.converted_cells += cells
        read_as.converted_rows = sorted(set(read_as.converted_rows) | set(changed_rows))
    return out


def _read_8bit(data: bytes, path: Path) -> tuple[list[list[str]], ReadAs]:
    """A CSV file that is not UTF-8: Windows-1258, or TCVN3 / VNI bytes."""
    rows_legacy, delim_legacy = _parse_csv(data.decode("latin-1").translate(_CP1252_HIGH), path)
    det = legacy.detect(c for r in rows_legacy for c in r)
    try:
        text = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        text = None
    if text is not None:
        rows, delim = _parse_csv(text, path)
        if _vietnamese_words(rows) >= det.explained:
            return rows, ReadAs("CSV", "Windows-1258", delim)
    if det.certain:
        read_as = ReadAs("CSV", legacy.NAMES[det.encoding], delim_legacy)
        return _convert_all(rows_legacy, det.encoding, read_as), read_as
    if det.refuse:
        raise _legacy_error(det, path)
    if text is not None:
        return rows, ReadAs("CSV", "Windows-1258", delim)
    raise InputError("err.file_unicode_text_encoding", file=path, expected="exp.csv_utf_8",
                     hint=_CSV_HINT)


def _read_text(path: Path) -> tuple[list[list[str]], ReadAs]:
    """Records of a CSV / tab-separated text file in any encoding staff are likely to have."""
    data = path.read_bytes()
    for magic, what, hint in _MAGIC:
        if data.startswith(magic):
            raise _not_text(path, what, hint)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec, name = "utf-16", "UTF-16"
    elif len(data) >= 4 and data[1] == 0 and data[3] == 0 and data[0] and data[2]:
        codec, name = "utf-16-le", "UTF-16"
    elif len(data) >= 4 and data[0] == 0 and data[2] == 0 and data[1] and data[3]:
        codec, name = "utf-16-be", "UTF-16"
    elif data.startswith(codecs.BOM_UTF8):
        codec, name = "utf-8-sig", "UTF-8 with BOM"
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return _read_8bit(data, path)
        del data  # the text alone while it is parsed
        rows, delim = _parse_csv(text, path)
        return rows, ReadAs("CSV", "UTF-8", delim)
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        raise InputError("err.file_starts_like_text", file=path, hint=_CSV_HINT,
                         name=name) from None
    del data
    rows, delim = _parse_csv(text, path)
    return rows, ReadAs("CSV", name, delim)


def _read_xlsx(path: Path) -> list[tuple[str, list[list[str]], list[str]]]:
    """Every worksheet as ``(name, rows of text from row 1, formula cells without a saved
    result)``; a merged cell's value is repeated down the first column of the merged block
    (a header spanning two rows names its column)."""
    import warnings

    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError("err.file_opened_excel_workbook", file=path,
                         hint="hint.open_excel_save_again", exc=exc) from None
    try:
        sheets = []
        for ws in wb.worksheets:
            rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(
                min_row=1, max_row=max(ws.max_row, 1), max_col=max(ws.max_column, 1),
                values_only=True)]
            for block in ws.merged_cells.ranges:
                top = rows[block.min_row - 1][block.min_col - 1]
                for r in range(block.min_row, block.max_row):
                    rows[r][block.min_col - 1] = top
            sheets.append((ws.title, rows, []))
        if _has_formulas(path):
            _uncached_formulas(path, sheets)
        return sheets
    finally:
        wb.close()


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet of the workbook holds a formula (a quick look at its XML)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            return any(b"<f" in z.read(n) for n in z.namelist()
                       if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    except (OSError, zipfile.BadZipFile, KeyError):
        return False


def _uncached_formulas(path: Path, sheets: list[tuple[str, list[list[str]], list[str]]]
                       ) -> None:
    """Note, per sheet, the formula cells whose value was read as blank (the workbook
    stores no result for them): a second reading with formulas kept."""
    import warnings

    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path, data_only=False)
    try:
        for ws, (_, rows, refs) in zip(wb.worksheets, sheets):
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type == "f" and not rows[cell.row - 1][cell.column - 1]:
                        refs.append(cell.coordinate)
    finally:
        wb.close()


def _fix_legacy(rows: list[list[str]], read_as: ReadAs, path: Path) -> list[list[str]]:
    """Convert the cells typed in TCVN3 / VNI inside Unicode text (Excel, UTF-8 CSV).

    Only cells that become Vietnamese by the conversion change (a file may mix legacy and
    Unicode cells). Refuses the file when it looks legacy but the conversion is not
    certain.
    """
    if read_as.converted_from:
        return rows
    cells = {c for c in set().union(*rows) if c and not c.isascii()}
    if not cells:
        return rows
    det = legacy.detect(cells)
    if det.certain:
        return _convert_all(rows, det.encoding, read_as,
                            only=lambda c: legacy.improves(c, det.encoding))
    if det.refuse:
        raise _legacy_error(det, path)
    return rows
