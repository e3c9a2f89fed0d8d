"""Read the roster and the survey export(s) into frames with canonical column names.

Ingest only reads: every cell stays text, every row remembers its file and its row number
as the user sees it in Excel (header = row 1). Turning text into numbers, booleans and
dates, and deciding which rows count, is :mod:`hailong.validate`'s job.

Headers are matched through :func:`normalize_text`, so case, spacing, Unicode form and
old/new tone-mark placement do not matter.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from . import config
from .codebook import Codebook, Item
from .errors import ConfigError, InputError

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
    if not tone:
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


def _read_csv_rows(path: Path, encoding: str = "utf-8-sig",
                   delimiter: str = ",") -> list[list[str]]:
    """All records of a CSV file (a quoted line break stays inside its record)."""
    try:
        with path.open(encoding=encoding, newline="") as fh:
            return [list(rec) for rec in csv.reader(fh, delimiter=delimiter)]
    except UnicodeDecodeError:
        raise InputError("The file is not UTF-8 text.", file=path, expected="CSV in UTF-8",
                         hint=_CSV_HINT) from None
    except (csv.Error, OSError) as exc:
        raise InputError(f"The file cannot be read as CSV ({exc}).", file=path,
                         hint=_CSV_HINT) from None


def _read_xlsx_rows(path: Path) -> list[list[str]]:
    """All rows of the first sheet of a workbook, from row 1, as text."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(f"The file cannot be opened as an Excel workbook ({exc}).",
                         file=path, hint="Open it in Excel and save it again as .xlsx.") from None
    try:
        ws = wb.worksheets[0]
        return [[_cell_text(v) for v in row] for row in ws.iter_rows(min_row=1, values_only=True)]
    finally:
        wb.close()


#: Readers by file suffix; each returns the table as rows of raw cell text.
_READERS: dict[str, Callable[[Path], list[list[str]]]] = {
    ".csv": _read_csv_rows,
    ".xlsx": _read_xlsx_rows,
    ".xlsm": _read_xlsx_rows,
}


def _to_frame(rows: list[list[str]], path: Path) -> pd.DataFrame:
    """Header + data rows -> frame of stripped text with the Excel row number ``_row``."""
    width = max((len(r) for r in rows), default=0)
    grid = [[c.strip() for c in r] + [""] * (width - len(r)) for r in rows]
    if not grid or not any(grid[0]):
        raise InputError("The file is empty or its first row has no column headers.",
                         file=path, hint="The first row must hold the column headers.")
    header, body = grid[0], grid[1:]
    keep = [j for j in range(width) if header[j] or any(r[j] for r in body)]
    names = [header[j] or f"(column {_excel_letter(j)})" for j in keep]
    data = [([r[j] for j in keep], i + 2) for i, r in enumerate(body) if any(r)]
    frame = pd.DataFrame([cells for cells, _ in data], columns=pd.Index(names, dtype=object),
                         dtype="str")
    frame[ROW_COLUMN] = pd.Series([row for _, row in data], dtype="int64")
    return frame


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV (UTF-8, with or without BOM) or the first sheet of an XLSX workbook.

    Every cell is text (stripped; ``""`` when blank); rows that are entirely blank are
    dropped. Column ``_row`` is the row number as Excel shows it (header = 1). Headers are
    kept as written (repeated headers stay repeated; a blank header holding data becomes
    ``"(column F)"``).

    Raises
    ------
    InputError
        If the file is missing, empty, of another type or cannot be decoded.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("The file does not exist.", file=path,
                         hint="Check the file name and folder (see data/hailong.yaml).")
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError("This kind of file cannot be read.", file=path, found=path.suffix,
                         expected=", ".join(_READERS), hint=_CSV_HINT)
    if path.stat().st_size == 0:
        raise InputError("The file is empty.", file=path,
                         hint="Export the data again; the first row must hold the headers.")
    return _to_frame(reader(path), path)


# --------------------------------------------------------------------------- columns

def _match_field(header: str, exact: dict[str, str], prefixes: list[tuple[str, str]]) -> str | None:
    """Canonical name of one (normalized) header: exact alias, else longest prefix + text."""
    if header in exact:
        return exact[header]
    hits = [(len(p), name) for p, name in prefixes
            if header.startswith(p) and header[len(p):].strip()]
    return max(hits)[1] if hits else None


def map_columns(
    df: pd.DataFrame,
    fields: dict[str, Sequence[str]],
    *,
    path: str | Path,
    required: Iterable[str],
    prefixes: dict[str, Sequence[str]] | None = None,
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
    exact: dict[str, str] = {}
    for name, aliases in fields.items():
        for alias in (*aliases, name):
            exact.setdefault(normalize_text(alias), name)
    starts = [(normalize_text(p), name) for name, ps in (prefixes or {}).items() for p in ps]
    rename: dict[str, str] = {}
    extra: list[str] = []
    for header in df.columns:
        if header in (FILE_COLUMN, ROW_COLUMN):
            continue
        name = _match_field(normalize_text(header), exact, starts)
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
            f"A required column is missing.{more}", file=path, column=aliases[0],
            expected=" or ".join(f'"{a}"' for a in aliases),
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
    out.attrs = {"extra_columns": {str(path): list(extra)}, "headers": {str(path): dict(headers)}}
    return out


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
    if not path.is_file():
        raise ConfigError("The roster column specification does not exist.", file=path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        cols = raw["columns"]
        fields = {k: tuple(unicodedata.normalize("NFC", a) for a in v.get("aliases", ()))
                  for k, v in cols.items()}
    except (yaml.YAMLError, KeyError, AttributeError, TypeError) as exc:
        raise ConfigError(f"The roster column specification is not valid ({exc}).",
                          file=path) from None
    return RosterSpec(
        path=path, fields=fields,
        required=tuple(k for k, v in cols.items() if v.get("required")),
        personal=tuple(k for k, v in cols.items() if v.get("personal")),
        yes=_words(raw, "yes"), no=_words(raw, "no"),
    )


def read_roster(path: str | Path, columns_spec_path: str | Path | None = None) -> pd.DataFrame:
    """Read the cooperative roster with canonical column names.

    Returns
    -------
    DataFrame
        The columns of the specification in its order (absent optional ones as ``""``),
        ``_file`` and ``_row``. ``attrs["extra_columns"]`` = ``{file: [ignored headers]}``,
        ``attrs["headers"]`` = ``{file: {canonical: header as written}}``.

    Raises
    ------
    InputError
        If the file cannot be read or a required column is missing.
    """
    spec = load_roster_spec(columns_spec_path)
    path = Path(path)
    df, extra = map_columns(read_table(path), spec.fields, path=path, required=spec.required)
    return _canonical(df, list(spec.fields), path, extra)


# --------------------------------------------------------------------------- responses

def item_aliases(item: Item) -> tuple[str, ...]:
    """Headers accepted for an item: ``"<number>. <text>"``, the id, the bare text."""
    return (f"{item.number}. {item.vi}", item.id, item.vi)


def response_fields(codebook: Codebook) -> dict[str, tuple[str, ...]]:
    """Canonical export column -> accepted headers (export fields, then every question)."""
    fields = dict(codebook.export_fields)
    for item in codebook.scored_items + codebook.open_questions:
        fields[item.id] = item_aliases(item)
    return fields


def _read_export(path: Path, codebook: Codebook) -> pd.DataFrame:
    questions = codebook.scored_items + codebook.open_questions
    prefixes = {it.id: (f"{it.number}.", f"{it.number} ") for it in questions}
    fields = response_fields(codebook)
    required = [*RESPONSE_REQUIRED_FIELDS, *(it.id for it in codebook.scored_items)]
    df, extra = map_columns(read_table(path), fields, path=path, required=required,
                            prefixes=prefixes)
    return _canonical(df, list(fields), path, extra)


def read_responses(paths: str | Path | Sequence[str | Path], codebook: Codebook) -> pd.DataFrame:
    """Read one or more survey exports into one frame with canonical column names.

    A header names item ``it`` if, normalized, it equals ``it.id``, ``"<number>. <vi>"`` or
    ``it.vi``, or begins with ``"<number>."`` / ``"<number> "`` followed by text. Every
    scored item must have a column; open questions and export fields other than
    ``submitted_at`` and ``coop_id`` may be absent (then ``""``).

    Returns
    -------
    DataFrame
        Export fields, one text column per item id, ``_file`` and ``_row``;
        ``attrs["extra_columns"]`` = ``{file: [ignored headers]}`` and
        ``attrs["headers"]`` = ``{file: {canonical: header as written}}``.

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
    frames = [_read_export(Path(p), codebook) for p in paths]
    out = pd.concat(frames, ignore_index=True)
    out.attrs = {key: {k: v for f in frames for k, v in f.attrs[key].items()}
                 for key in ("extra_columns", "headers")}
    return out
