"""Read the roster and the survey export(s) into frames with canonical column names.

Ingest only reads: every cell stays text, every row remembers its file and its row number
as the user sees it in Excel (header = row 1). Turning text into numbers, booleans and
dates, and deciding which rows count, is :mod:`hailong.ingest.validate`'s job.

Headers are matched through :func:`normalize_text`, so case, spacing, Unicode form and
old/new tone-mark placement do not matter.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from hailong.reference import config
from hailong.ingest import legacy
from hailong.reference.codebook import Codebook, Item
from hailong.core.yamlfile import read_yaml
from hailong.core.errors import ConfigError, InputError

#: Combining tone marks (grave, acute, tilde, hook above, dot below) in NFD.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_VOWELS = frozenset("aeiouy")
#: Open two-vowel nuclei whose tone mark is written on either vowel ("hòa" / "hoà").
_SECOND_VOWEL_NUCLEI = frozenset({"oa", "oe", "uy"})
_WORD = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")

#: Export columns that must be present besides the scored items.
RESPONSE_REQUIRED_FIELDS = ("submitted_at", "coop_id")
#: Column names ingest adds to every frame.
FILE_COLUMN, ROW_COLUMN = "_file", "_row"

_CSV_HINT = "Save it from Excel as \"CSV UTF-8 (Comma delimited)\" or as an Excel workbook (.xlsx)."


# --------------------------------------------------------------------------- text

def _place_tone(word: str) -> str:
    """Put the tone mark of one NFD, lower-case word on the vowel fixed by the rule below.

    The mark goes on the vowel with a shape mark (â ă ê ô ơ ư; the last one if two);
    else on the only vowel; else, before a final consonant, on the last vowel; else on
    the second vowel of "oa", "oe", "uy" ("hoà", "thuỷ"), the middle one of three, and
    the first one of other pairs ("mía", "múa"). "qu" and "gi" before a vowel are
    consonants.
    """
    letters: list[list[str]] = []  # [base, shape marks]
    tone = ""
    for ch in word:
        if ch in _TONES:
            tone = tone or ch
        elif unicodedata.combining(ch) and letters:
            letters[-1][1] += ch
        else:
            letters.append([ch, ""])
    if not tone or not letters:  # no mark, or marks with no letter to sit on
        return word
    start = 0
    if len(letters) > 1 and letters[0][0] == "q" and letters[1][0] == "u":
        start = 2
    elif (len(letters) > 2 and letters[0][0] == "g" and letters[1][0] == "i"
          and letters[2][0] in _VOWELS):
        start = 2
    while start < len(letters) and letters[start][0] not in _VOWELS:
        start += 1
    end = start
    while end < len(letters) and letters[end][0] in _VOWELS:
        end += 1
    nucleus = list(range(start, end))
    if not nucleus:  # no vowel: leave the mark on the last letter
        target = len(letters) - 1
    elif shaped := [i for i in nucleus if letters[i][1]]:
        target = shaped[-1]
    elif len(nucleus) == 1 or end < len(letters):
        target = nucleus[-1]
    elif "".join(letters[i][0] for i in nucleus) in _SECOND_VOWEL_NUCLEI:
        target = nucleus[1]
    elif len(nucleus) == 3:
        target = nucleus[1]
    else:
        target = nucleus[0]
    letters[target][1] += tone
    return "".join(base + marks for base, marks in letters)


@functools.lru_cache(maxsize=65536)
def normalize_text(s: str) -> str:
    """The form of a label or header used for matching.

    NFC, stripped, inner whitespace collapsed to one space, case-folded, and every tone
    mark placed by one fixed rule (so "Hoà" and "hòa", "THUỶ" and "thủy" are equal).

    Parameters
    ----------
    s
        Any text; ``None`` counts as empty.
    """
    text = " ".join(unicodedata.normalize("NFC", str(s or "")).split()).casefold()
    text = _WORD.sub(lambda m: _place_tone(m.group()), unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFC", text)


# --------------------------------------------------------------------------- tables

#: How many rows from the top are searched for the row of column headers.
HEADER_SEARCH_ROWS = 30
#: Separators a CSV file may use, in order of preference on a tie.
DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
_TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
_XLSX_SUFFIXES = (".xlsx", ".xlsm")
#: File beginnings of things that are not a table of text, and what to do about them.
_MAGIC = (
    (b"PK\x03\x04", "a zipped file (an Excel workbook or a Word document?)",
     "If it is an Excel workbook, give it the extension .xlsx; otherwise export the data "
     "again as CSV or .xlsx."),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Word (.doc) file",
     "Open it in Excel and save it as an Excel workbook (.xlsx)."),
    (b"%PDF", "a PDF document", "Export the data from the survey tool as CSV or .xlsx."),
    (b"{\\rtf", "a Word (RTF) document", "Export the data from the survey tool as CSV or .xlsx."),
)
_LEGACY_HINT = ("Convert the text to Unicode first: copy it, and in UniKey's converter "
                "(\"Công cụ chuyển mã\", Ctrl+Shift+F6) choose source \"{source}\" and "
                "destination \"Unicode\"; paste it back and save the file as \"CSV UTF-8\" "
                "or .xlsx (keep the original file as it is).")
_UNIKEY_SOURCE = {"TCVN3": "TCVN3 (ABC)", "VNI": "VNI Windows"}


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
    """

    format: str
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    header_row: int = 1
    converted_from: str = ""
    converted_cells: int = 0
    converted_rows: list[int] = field(default_factory=list)

    def describe(self) -> str:
        """``"CSV, UTF-16, tab-separated, headers on row 4"`` and the like."""
        parts = [self.format]
        if self.encoding:
            parts.append(self.encoding)
        if self.delimiter:
            parts.append(f"{_DELIMITER_NAMES.get(self.delimiter, self.delimiter)}-separated")
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.header_row != 1:
            parts.append(f"headers on row {self.header_row}")
        text = ", ".join(parts)
        if self.converted_from:
            text += (f"; text converted from {legacy.NAMES[self.converted_from]} to Unicode "
                     f"({self.converted_cells} cells in {len(self.converted_rows)} rows)")
        return text


@dataclass(frozen=True)
class Expected:
    """The columns a table should have, to find its header row and its sheet.

    Attributes
    ----------
    matcher
        Header -> canonical name (see :func:`map_columns`).
    required
        Canonical names that must be present.
    """

    matcher: "HeaderMatcher"
    required: tuple[str, ...] = ()

    def names(self, row: Sequence[str]) -> set[str]:
        """Canonical names of the headers of ``row`` that match."""
        return {n for n in (self.matcher.match(c) for c in row if c) if n is not None}


def _excel_letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


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
    return InputError(f"This is not a table of text: it looks like {what}.", file=path,
                      hint=hint)


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
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            return [list(r) for r in itertools.islice(reader, limit)]
        except csv.Error as exc:
            raise InputError(f"The file cannot be read as CSV ({exc}).", file=path,
                             hint=_CSV_HINT) from None

    def score(delimiter: str) -> float:
        widths = [len(r) for r in records(delimiter, 100) if r]
        if not widths:
            return 0.0
        mode = max(set(widths), key=lambda w: (widths.count(w), w))
        return mode * widths.count(mode) / len(widths)

    best = max(DELIMITERS, key=lambda d: (score(d), -DELIMITERS.index(d)))
    return records(best), best


def _vietnamese_words(rows: list[list[str]]) -> int:
    """Distinct words with a non-ASCII letter that are well-formed Vietnamese."""
    words = {w for r in rows for c in r for w in legacy.words(c)}
    return sum(map(legacy.is_vietnamese_word, words))


def _legacy_error(det: legacy.Detection, path: Path) -> InputError:
    examples = ", ".join(f"“{a}”" for a, _ in det.examples)
    return InputError(
        f"The text looks typed in the old {det.name} encoding, but it cannot be converted "
        f"with certainty ({det.explained} of {det.explained + det.unexplained} unusual "
        f"words recognised, e.g. {examples}).", file=path,
        expected="text in Unicode",
        hint=_LEGACY_HINT.format(source=_UNIKEY_SOURCE[det.encoding or "TCVN3"]))


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
    raise InputError("The file is not Unicode text, and its encoding could not be recognised.",
                     file=path, expected="CSV in UTF-8", hint=_CSV_HINT)


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
        rows, delim = _parse_csv(text, path)
        return rows, ReadAs("CSV", "UTF-8", delim)
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        raise InputError(f"The file starts like {name} text but is not.", file=path,
                         hint=_CSV_HINT) from None
    rows, delim = _parse_csv(text, path)
    return rows, ReadAs("CSV", name, delim)


def _read_xlsx(path: Path) -> list[tuple[str, list[list[str]]]]:
    """Every worksheet as rows of text from row 1; a merged cell's value is repeated down
    the first column of the merged block (a header spanning two rows names its column)."""
    import warnings

    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(f"The file cannot be opened as an Excel workbook ({exc}).",
                         file=path, hint="Open it in Excel and save it again as .xlsx.") from None
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
            sheets.append((ws.title, rows))
        return sheets
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
    cells = {c for r in rows for c in r if c and not c.isascii()}
    if not cells:
        return rows
    det = legacy.detect(cells)
    if det.certain:
        return _convert_all(rows, det.encoding, read_as,
                            only=lambda c: legacy.improves(c, det.encoding))
    if det.refuse:
        raise _legacy_error(det, path)
    return rows


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
            raise InputError("The workbook has no sheet of this name.", file=path,
                             found=sheet, expected=", ".join(repr(n) for n, _ in sheets))
        sheets = named
    scored = [(name, rows, *_header_index(rows, expect)) for name, rows in sheets]
    if len(scored) > 1 and expect is not None:
        complete = [s for s in scored if s[4]]
        if len(complete) > 1:
            raise InputError(
                "Several sheets of the workbook have the expected columns.", file=path,
                found=[s[0] for s in complete],
                hint="Name the sheet to read (hailong validate --sheet NAME), or save a copy "
                     "of the workbook that keeps only the sheet to use.")
        if complete:
            scored = complete
        else:
            scored = [max(scored, key=lambda s: s[3])]
    name, rows, index = scored[0][:3]
    return name, rows, index


def _to_frame(rows: list[list[str]], path: Path, header: int = 0) -> pd.DataFrame:
    """Header + data rows -> frame of stripped text with the Excel row number ``_row``."""
    width = max((len(r) for r in rows), default=0)
    grid = [[c.strip() for c in r] + [""] * (width - len(r)) for r in rows]
    if len(grid) <= header or not any(grid[header]):
        raise InputError("The file is empty or its first row has no column headers.",
                         file=path, hint="The first row must hold the column headers.")
    head, body = grid[header], grid[header + 1:]
    keep = [j for j in range(width) if head[j] or any(r[j] for r in body)]
    names = [head[j] or f"(column {_excel_letter(j)})" for j in keep]
    data = [([r[j] for j in keep], header + i + 2) for i, r in enumerate(body) if any(r)]
    frame = pd.DataFrame([cells for cells, _ in data], columns=pd.Index(names, dtype=object),
                         dtype="str")
    frame[ROW_COLUMN] = pd.Series([row for _, row in data], dtype="int64")
    return frame


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
    if not path.is_file():
        raise InputError("The file does not exist.", file=path,
                         hint="Check the file name and folder (see data/hailong.yaml).")
    suffix = path.suffix.lower()
    if suffix not in _TEXT_SUFFIXES + _XLSX_SUFFIXES:
        raise InputError("This kind of file cannot be read.", file=path, found=path.suffix,
                         expected=", ".join((".csv", ".xlsx", ".txt (Unicode text)")),
                         hint=_CSV_HINT)
    if path.stat().st_size == 0:
        raise InputError("The file is empty.", file=path,
                         hint="Export the data again; the first row must hold the headers.")
    if suffix in _XLSX_SUFFIXES:
        sheets = [(name, rows, ReadAs("Excel", sheet=name)) for name, rows in _read_xlsx(path)]
    else:
        rows, read_as = _read_text(path)
        if suffix == ".txt" and read_as.encoding != "UTF-16" and read_as.delimiter != "\t":
            raise InputError("This kind of file cannot be read.", file=path, found=path.suffix,
                             expected=".csv, .xlsx, or .txt saved by Excel as \"Unicode Text\"",
                             hint=_CSV_HINT)
        sheets = [("", rows, read_as)]
        sheet = None  # a text file has no sheets
    fixed, refused = [], {}
    for name, rows, ra in sheets:
        try:
            fixed.append((name, _fix_legacy(rows, ra, path), ra))
        except InputError as err:  # only an error if this sheet is the one read
            fixed.append((name, rows, ra))
            refused[name] = err
    if not any(c.strip() for _, rows, _ in fixed for r in rows for c in r):
        raise InputError("The file is empty.", file=path,
                         hint="Export the data again; the first row must hold the headers.")
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


# --------------------------------------------------------------------------- columns

#: A header that starts with a question number: "1.1. ...", "1.1) ...", "Câu 1.1: ...".
_NUMBERED = re.compile(r"(?:câu\s*)?(\d+(?:\.\d+)*)\s*[.):\-–]?\s*(.*)", re.S)
#: A grid question as Google Forms exports it: "Title [row text]".
_BRACKETED = re.compile(r"(.*?)\s*\[(.+)\]", re.S)


class HeaderMatcher:
    """Header as written -> canonical column name (or ``None``).

    In order: the header equals an alias (or the canonical name); it is a grid question
    ``"Title [text]"`` whose text matches; it is numbered (``"1.1."``, ``"1.1)"``,
    ``"Câu 1.1:"``) and the text after the number equals an alias, or the number is a
    question's number and text follows (or the number has a dot: ``"1.1"``); it begins
    with one of ``prefixes`` followed by text (the longest wins). Headers are compared
    through :func:`normalize_text`.
    """

    def __init__(self, fields: dict[str, Sequence[str]],
                 prefixes: dict[str, Sequence[str]] | None = None,
                 numbers: dict[str, str] | None = None) -> None:
        self.exact: dict[str, str] = {}
        for name, aliases in fields.items():
            for alias in (*aliases, name):
                self.exact.setdefault(normalize_text(alias), name)
        self.starts = [(normalize_text(p), name) for name, ps in (prefixes or {}).items()
                       for p in ps]
        self.numbers = {str(n): name for name, n in (numbers or {}).items()}
        self._cache: dict[str, str | None] = {}

    def match(self, header: str) -> str | None:
        key = normalize_text(header)
        if key not in self._cache:
            self._cache[key] = self._match(key)
        return self._cache[key]

    def _match(self, h: str) -> str | None:
        if h in self.exact:
            return self.exact[h]
        grid = _BRACKETED.fullmatch(h)
        if grid and (inner := self._match(grid.group(2).strip())):
            return inner
        numbered = _NUMBERED.fullmatch(h)
        if numbered:
            number, rest = numbered.group(1), numbered.group(2).strip()
            if rest and rest in self.exact:
                return self.exact[rest]
            if number in self.numbers and (rest or "." in number):
                return self.numbers[number]
        hits = [(len(p), name) for p, name in self.starts if h.startswith(p) and h[len(p):].strip()]
        return max(hits)[1] if hits else None


def _where_headers(df: pd.DataFrame) -> str:
    """" (headers read from row 4 of sheet 'X')" when not simply row 1."""
    read_as = df.attrs.get("read_as") or {}
    parts = []
    if read_as.get("header_row", 1) != 1:
        parts.append(f"row {read_as['header_row']}")
    if read_as.get("sheet"):
        parts.append(f"sheet {read_as['sheet']!r}")
    return f" (headers read from {' of '.join(parts)})" if parts else ""


def map_columns(
    df: pd.DataFrame,
    fields: dict[str, Sequence[str]],
    *,
    path: str | Path,
    required: Iterable[str],
    prefixes: dict[str, Sequence[str]] | None = None,
    numbers: dict[str, str] | None = None,
    matcher: HeaderMatcher | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Rename headers that match an alias to their canonical name.

    Parameters
    ----------
    df
        A frame from :func:`read_table`.
    fields
        Canonical name -> accepted headers (the canonical name itself is accepted too).
    path
        The file, for error messages.
    required
        Canonical names that must be present.
    prefixes
        Canonical name -> header beginnings that also match when text follows them
        (``"1.1."`` matches ``"1.1. Cấp ủy ..."``).
    numbers
        Canonical name -> question number (``"1.1"``), see :class:`HeaderMatcher`.
    matcher
        A ready :class:`HeaderMatcher` (then ``fields``, ``prefixes``, ``numbers`` only
        serve the messages).

    Returns
    -------
    (frame, extra)
        The renamed frame (``attrs["headers"]``: canonical -> header as written) and the
        headers that matched nothing (``_file`` / ``_row`` excluded).

    Raises
    ------
    InputError
        If a required column is missing, or two headers mean the same column.
    """
    matcher = matcher or HeaderMatcher(fields, prefixes, numbers)
    rename: dict[str, str] = {}
    extra: list[str] = []
    for header in df.columns:
        if header in (FILE_COLUMN, ROW_COLUMN):
            continue
        name = matcher.match(header)
        if name is None:
            extra.append(header)
        elif name in rename.values():
            first = next(h for h, n in rename.items() if n == name)
            raise InputError("Two columns have a header that means the same thing.", file=path,
                             column=header, found=[first, header],
                             hint=f"Keep one of them, or rename the other (both read as {name!r}).")
        else:
            rename[header] = name
    missing = [name for name in required if name not in rename.values()]
    if missing:
        aliases = tuple(fields.get(missing[0], ())) or (missing[0],)
        more = (f" {len(missing) - 1} other required column(s) are missing too."
                if len(missing) > 1 else "")
        raise InputError(
            f"A required column is missing{_where_headers(df)}.{more}", file=path,
            column=aliases[0], expected=" or ".join(f'"{a}"' for a in aliases),
            hint="Rename the header to one of the expected names (case, spaces and accents "
                 "written either way are fine), or check that this is the right file.")
    out = df.rename(columns=rename)
    out.attrs["headers"] = {name: header for header, name in rename.items()}
    return out, extra


def _canonical(df: pd.DataFrame, names: Sequence[str], path: Path,
               extra: list[str]) -> pd.DataFrame:
    """Keep canonical columns in order (absent ones as ``""``), plus ``_file`` and ``_row``."""
    headers = df.attrs.get("headers", {})
    out = pd.DataFrame({n: df[n] if n in df.columns else pd.Series("", index=df.index, dtype="str")
                        for n in names})
    out[FILE_COLUMN] = pd.Series(str(path), index=df.index, dtype="str")
    out[ROW_COLUMN] = df[ROW_COLUMN]
    out.attrs = {"extra_columns": {str(path): list(extra)}, "headers": {str(path): dict(headers)},
                 "read_as": {str(path): dict(df.attrs.get("read_as") or {})}}
    return out


#: Keys of ``attrs`` that map each input file to something about it.
ATTRS_BY_FILE = ("extra_columns", "headers", "read_as")


# --------------------------------------------------------------------------- roster

@dataclass(frozen=True)
class RosterSpec:
    """Columns of the roster (``data/reference/roster-columns.yaml``).

    Attributes
    ----------
    fields
        Canonical column -> accepted headers, in canonical order.
    required, personal
        Canonical columns that must be present / that hold contact data.
    yes, no
        Values of ``member`` read as true / false.
    """

    path: Path
    fields: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    personal: tuple[str, ...]
    yes: tuple[str, ...]
    no: tuple[str, ...]


DEFAULT_ROSTER_SPEC = config.PROJECT_ROOT / "data" / "reference" / "roster-columns.yaml"


def _words(raw: dict, key: str) -> tuple[str, ...]:
    # YAML 1.1 reads the bare keys `yes:` / `no:` as booleans.
    values = raw.get(key, raw.get(key == "yes"))
    return tuple("" if v is None else str(v) for v in values or ())


def load_roster_spec(path: str | Path | None = None) -> RosterSpec:
    """Read the roster column specification (default: ``data/reference/roster-columns.yaml``).

    Raises
    ------
    ConfigError
        If the file is missing or lists no columns.
    """
    path = Path(path or DEFAULT_ROSTER_SPEC)
    raw = read_yaml(path, "roster column specification")
    try:
        cols = raw["columns"]
        fields = {k: tuple(unicodedata.normalize("NFC", a) for a in v.get("aliases", ()))
                  for k, v in cols.items()}
    except (KeyError, AttributeError, TypeError) as exc:
        raise ConfigError(f"The roster column specification is not valid ({exc}).",
                          file=path) from None
    return RosterSpec(
        path=path, fields=fields,
        required=tuple(k for k, v in cols.items() if v.get("required")),
        personal=tuple(k for k, v in cols.items() if v.get("personal")),
        yes=_words(raw, "yes"), no=_words(raw, "no"),
    )


def roster_expected(spec: RosterSpec) -> Expected:
    """The columns a roster should have (to find its header row and sheet)."""
    return Expected(HeaderMatcher(spec.fields), spec.required)


def read_roster(path: str | Path, columns_spec_path: str | Path | None = None, *,
                sheet: str | None = None) -> pd.DataFrame:
    """Read the cooperative roster with canonical column names.

    Parameters
    ----------
    sheet
        The worksheet of an Excel roster (default: the only one with the roster's
        columns).

    Returns
    -------
    DataFrame
        The columns of the specification in its order (absent optional ones as ``""``),
        ``_file`` and ``_row``. ``attrs["extra_columns"]`` = ``{file: [ignored headers]}``,
        ``attrs["headers"]`` = ``{file: {canonical: header as written}}``,
        ``attrs["read_as"]`` = ``{file: how it was read}`` (see :class:`ReadAs`).

    Raises
    ------
    InputError
        If the file cannot be read or a required column is missing.
    """
    spec = load_roster_spec(columns_spec_path)
    path = Path(path)
    expect = roster_expected(spec)
    table = read_table(path, sheet=sheet, expect=expect)
    try:
        df, extra = map_columns(table, spec.fields, path=path, required=spec.required,
                                matcher=expect.matcher)
    except InputError as err:
        if _looks_like_export(table):
            err.hint = ("This looks like a survey export, not the roster: check which file "
                        "is given as the roster. " + (err.hint or ""))
        raise
    return _canonical(df, list(spec.fields), path, extra)


# --------------------------------------------------------------------------- responses

def item_aliases(item: Item) -> tuple[str, ...]:
    """Headers accepted for an item: ``"<number>. <text>"``, the id, the bare text."""
    return (f"{item.number}. {item.vi}", item.id, item.vi)


@functools.lru_cache(maxsize=8)
def _yaml_aliases(path: str, mtime: float) -> dict[str, tuple[str, ...]]:
    """Item id -> the ``aliases:`` listed for it in the codebook YAML (other headers the
    form may give the question)."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    nodes = [i for d in raw.get("dimensions") or [] for i in d.get("items") or []]
    nodes += [raw.get("overall") or {}, *(raw.get("open_questions") or [])]
    return {str(n["id"]): tuple(unicodedata.normalize("NFC", str(a)) for a in n["aliases"])
            for n in nodes if isinstance(n, dict) and n.get("aliases") and n.get("id")}


def response_fields(codebook: Codebook) -> dict[str, tuple[str, ...]]:
    """Canonical export column -> accepted headers (export fields, then every question,
    with the ``aliases:`` the codebook lists for it)."""
    path = Path(codebook.path)
    extra = _yaml_aliases(str(path), path.stat().st_mtime) if path.is_file() else {}
    fields = dict(codebook.export_fields)
    for item in codebook.scored_items + codebook.open_questions:
        fields[item.id] = item_aliases(item) + extra.get(item.id, ())
    return fields


def response_required(codebook: Codebook) -> tuple[str, ...]:
    """Export columns that must be present: time stamp, cooperative code, scored items."""
    return (*RESPONSE_REQUIRED_FIELDS, *(it.id for it in codebook.scored_items))


def export_expected(codebook: Codebook) -> Expected:
    """The columns a survey export should have (to find its header row and sheet)."""
    questions = codebook.scored_items + codebook.open_questions
    matcher = HeaderMatcher(response_fields(codebook),
                            numbers={it.id: it.number for it in questions})
    return Expected(matcher, response_required(codebook))


def _looks_like_export(table: pd.DataFrame) -> bool:
    """Three or more headers numbered like questions ("1.1. ...")."""
    numbered = [h for h in table.columns if re.match(r"\s*(?:câu\s*)?\d+\.\d+",
                                                     normalize_text(h))]
    return len(numbered) >= 3


def _looks_like_roster(table: pd.DataFrame) -> bool:
    """Every required roster column is there."""
    try:
        expect = roster_expected(load_roster_spec())
    except ConfigError:
        return False
    return set(expect.required) <= expect.names(list(table.columns))


def _read_export(path: Path, codebook: Codebook, sheet: str | None = None) -> pd.DataFrame:
    fields = response_fields(codebook)
    expect = export_expected(codebook)
    table = read_table(path, sheet=sheet, expect=expect)
    try:
        df, extra = map_columns(table, fields, path=path, required=expect.required,
                                matcher=expect.matcher)
    except InputError as err:
        if _looks_like_roster(table):
            err.hint = ("This looks like the cooperative roster, not a survey export: check "
                        "which file is given as the export. " + (err.hint or ""))
        raise
    return _canonical(df, list(fields), path, extra)


def combine(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Frames read from several files, one under the other, with their ``attrs`` merged."""
    out = pd.concat(list(frames), ignore_index=True)
    out.attrs = {key: {k: v for f in frames for k, v in f.attrs.get(key, {}).items()}
                 for key in ATTRS_BY_FILE}
    return out


def read_responses(paths: str | Path | Sequence[str | Path], codebook: Codebook, *,
                   sheet: str | None = None) -> pd.DataFrame:
    """Read one or more survey exports into one frame with canonical column names.

    A header names a question as :class:`HeaderMatcher` says: its id, its number and
    text, the bare text (or an ``aliases:`` entry of the codebook), the number followed
    by other text, or a Google Forms grid header ``"Title [text]"``. Every scored item
    must have a column; open questions and export fields other than ``submitted_at`` and
    ``coop_id`` may be absent (then ``""``). Title rows above the headers and other
    sheets of a workbook are skipped (see :func:`read_table`).

    Parameters
    ----------
    sheet
        The worksheet of Excel exports (default: the only one with the export's columns).

    Returns
    -------
    DataFrame
        Export fields, one text column per item id, ``_file`` and ``_row``;
        ``attrs["extra_columns"]`` = ``{file: [ignored headers]}``,
        ``attrs["headers"]`` = ``{file: {canonical: header as written}}`` and
        ``attrs["read_as"]`` = ``{file: how it was read}``.

    Raises
    ------
    InputError
        If no file is given, a file cannot be read or a required column is missing.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    if not paths:
        raise InputError("No survey export was given.",
                         hint="List the export file(s) under 'responses:' in data/hailong.yaml.")
    return combine([_read_export(Path(p), codebook, sheet) for p in paths])


def classify(path: str | Path, codebook: Codebook,
             columns_spec_path: str | Path | None = None) -> str:
    """``"roster"`` or ``"responses"``: which kind of input a file is, by its columns.

    The kind whose required columns the file has (a survey export if both); else the
    kind it has more of (so that reading it as that kind says what is missing).

    Raises
    ------
    InputError
        If the file cannot be read at all.
    """
    path = Path(path)
    spec = load_roster_spec(columns_spec_path)
    scores = {}
    for kind, expect in (("responses", export_expected(codebook)),
                         ("roster", roster_expected(spec))):
        try:
            table = read_table(path, expect=expect)
        except InputError as err:
            if "Several sheets" not in err.message:
                raise
            scores[kind] = (1.0, 1)
            continue
        names = expect.names(list(table.columns))
        share = len(names & set(expect.required)) / len(expect.required)
        scores[kind] = (share, len(names))
    return max(scores, key=lambda k: scores[k])
