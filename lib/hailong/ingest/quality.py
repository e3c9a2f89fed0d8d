"""Data quality: what happened to every input row, for staff, and ``hailong validate``.

:func:`data_quality` turns a validated round into the *data-quality table*: one line per
row that was set aside, merged (an earlier submission of the same cooperative) or
changed (e.g. its code found by name), and one line per file-level event (text converted
from a legacy encoding, columns ignored). :func:`write_data_quality` writes it as the CSV
staff open in Excel (UTF-8 with BOM, bilingual headers, no cell Excel could read as a
formula). :func:`check_files` is ``hailong validate``: it reads and checks input files
without building or writing anything, and says per file what became of its rows.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

import hailong.ingest.readers as ingest
from hailong.core.catalogue import Msg
from hailong.core.errors import InputError
from hailong.core.messages import say
from hailong.core.safetext import excel_text
from hailong.core.text import mask_contacts
from hailong.ingest import validate
from hailong.ingest.validate import Problem, Validated, row_ranges
from hailong.reference.codebook import Codebook
from hailong.reference.geography import Units

#: Columns of the data-quality table, with the bilingual headers of its CSV.
DATA_QUALITY_HEADERS = {
    "file": "Tệp (file)",
    "row": "Dòng (row)",
    "coop_id": "Mã HTX (cooperative)",
    "column": "Cột (column)",
    "status": "Tình trạng (status)",
    "reason": "Lý do (reason)",
    "action": "Chi tiết và cách xử lý (details, what to do)",
}
DATA_QUALITY_COLUMNS = list(DATA_QUALITY_HEADERS)
#: Status words of the table: canonical -> as the CSV shows it.
STATUS_LABELS = {
    "set_aside": "Để riêng (set aside)",
    "cell_set_aside": "Để riêng câu trả lời (answer set aside)",
    "merged": "Gộp – bản gửi trùng (merged duplicate)",
    "changed": "Đã sửa (changed)",
    "converted": "Đã chuyển mã (converted)",
    "ignored": "Cột không dùng (column ignored)",
    "roster": "Lỗi danh sách HTX (roster problem)",
    "unusable": "Không dùng được (file unusable)",
    "formula": "Công thức chưa có kết quả (formula without a saved result)",
    "no_rows": "Không có dòng dữ liệu (no data rows)",
}
#: What to do about an export that holds only its headers (shown in the message language).
NO_ROWS = Msg("val.no_rows")
#: The CSV's file name in ``data/processed/<round>/``.
DATA_QUALITY_FILE = "data-quality.csv"




def file_lines(sources: dict[str, dict], rows_read: dict[str, int] | None = None) -> list[dict]:
    """File-level lines: legacy text converted, formulas without a saved result, columns
    ignored, exports without data rows (``rows_read``: rows per file, when known)."""
    out = []
    for file, src in sources.items():
        read_as = src.get("read_as") or {}
        if src.get("kind") == "responses" and rows_read is not None \
                and rows_read.get(file, 1) == 0:
            out.append({"file": file, "status": "no_rows", "reason": say("val.q.no_rows"),
                        "action": str(NO_ROWS)})
        formulas = read_as.get("uncached_formulas") or []
        if formulas:
            out.append({"file": file, "column": ", ".join(formulas), "status": "formula",
                        "reason": say("val.q.formulas", n=len(formulas)),
                        "action": ingest.formula_message(file, formulas)})
        if read_as.get("converted_from"):
            rows = read_as.get("converted_rows") or []
            out.append({
                "file": file, "status": "converted",
                "reason": say("val.q.converted", encoding=read_as["converted_from"]),
                "action": say("val.q.converted_action", cells=read_as.get("converted_cells", 0),
                              n=len(rows), rows=row_ranges(rows, None))})
        for col in src.get("extra_columns") or []:
            out.append({"file": file, "column": col, "status": "ignored",
                        "reason": say("val.q.ignored"), "action": say("val.q.ignored_action")})
    return out


def cell_lines(cells: pd.DataFrame) -> list[dict]:
    """One line per answer set aside whose message is not a column-level note's."""
    rows = cells[cells["message"] != ""]
    return [{"file": r["source_file"], "row": int(r["source_row"]), "coop_id": r["coop_id"],
             "column": r["column"], "status": r["status"], "reason": r["reason"],
             "action": r["message"]} for _, r in rows.iterrows()]


def note_lines(notes: list[dict]) -> list[dict]:
    """The column-level notes (:attr:`hailong.ingest.validate.Validated.notes`)."""
    return [{k: n[k] for k in ("file", "column", "status", "reason", "action")} for n in notes]


def _by_row(lines: list[dict]) -> list[dict]:
    """Row lines in file and row order (the order the files were read kept)."""
    files = list(dict.fromkeys(line["file"] for line in lines))
    return sorted(lines, key=lambda line: (files.index(line["file"]), line["row"]))


def validated_lines(validated: Validated) -> list[dict]:
    """File-level lines, column-level notes, then row and cell lines by file and row."""
    return (file_lines(validated.sources, validated.rows_read) + note_lines(validated.notes)
            + _by_row(ledger_lines(validated.ledger) + cell_lines(validated.cells)))


def ledger_lines(ledger: pd.DataFrame) -> list[dict]:
    """One line per ledger row that is not simply accepted."""
    rows = ledger[(ledger["status"] != "accepted") | (ledger["reason"].astype(str) != "")]
    return [{"file": r["source_file"], "row": int(r["source_row"]), "coop_id": r["coop_id"],
             "column": r.get("column", ""),
             "status": r["status"] if r["status"] != "accepted" else "changed",
             "reason": r["reason"], "action": r["message"] or r["reason"]}
            for _, r in rows.iterrows()]


def _table(lines: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(lines, columns=DATA_QUALITY_COLUMNS)
    text = [c for c in DATA_QUALITY_COLUMNS if c != "row"]
    frame[text] = frame[text].astype(object).fillna("").astype("str")
    frame["row"] = frame["row"].astype("Int64")
    return frame.reset_index(drop=True)


def data_quality(validated: Validated) -> pd.DataFrame:
    """The data-quality table of a validated round.

    Columns :data:`DATA_QUALITY_COLUMNS`: ``file, row`` (Excel row; empty for a line about
    the whole file), ``coop_id, column`` (the header(s) concerned), ``status``
    (a key of :data:`STATUS_LABELS`), ``reason`` and ``action`` (the full message: where,
    what was found, what was expected, what to do). File-level lines come first, then the
    column-level notes, then the rows (set aside, merged, changed) and the answers set
    aside (``cell_set_aside``: one cell, its cooperative's other answers used) in file and
    row order.
    """
    return _table(validated_lines(validated))


def labelled(table: pd.DataFrame) -> pd.DataFrame:
    """The table as staff read it: bilingual headers and status words."""
    out = table.assign(status=table["status"].map(STATUS_LABELS).fillna(table["status"]))
    return out.rename(columns=DATA_QUALITY_HEADERS)


def write_data_quality(table: pd.DataFrame, path: str | Path) -> Path:
    """Write the table as CSV for Excel: UTF-8 with BOM, bilingual headers, and every
    text cell through :func:`hailong.core.safetext.excel_text` (no formula runs)."""
    path = Path(path)
    out = labelled(table)
    for c in out.columns:
        if out[c].dtype != "Int64":  # no contact data: the report follows the umask
            out[c] = out[c].map(lambda v: excel_text(mask_contacts(v) if isinstance(v, str)
                                                     else v))
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def read_data_quality(path: str | Path) -> pd.DataFrame:
    """Read back a CSV of :func:`write_data_quality` (canonical columns and statuses)."""
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype="str", keep_default_na=False)
    frame = frame.rename(columns={v: k for k, v in DATA_QUALITY_HEADERS.items()})
    back = {v: k for k, v in STATUS_LABELS.items()}
    frame["status"] = frame["status"].map(back).fillna(frame["status"])
    frame["row"] = pd.to_numeric(frame["row"].replace("", None)).astype("Int64")
    return frame[DATA_QUALITY_COLUMNS]


# --------------------------------------------------------------------------- validate

@dataclass
class FileCheck:
    """What ``hailong validate`` found in one file.

    ``kind`` is ``"roster"``, ``"responses"`` or ``""`` (unreadable); ``error`` the
    message when the file cannot be used at all.
    """

    path: Path
    kind: str = ""
    read_as: dict = field(default_factory=dict)
    rows_read: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    answers_set_aside: int = 0
    extra_columns: list[str] = field(default_factory=list)
    error: str = ""
    configured: bool = False

    @property
    def usable(self) -> bool:
        return not self.error


@dataclass
class CheckReport:
    """The result of :func:`check_files`."""

    files: list[FileCheck]
    validated: Validated | None = None
    roster_problems: list[Problem] = field(default_factory=list)

    @property
    def unusable(self) -> bool:
        return any(not f.usable for f in self.files) or bool(self.roster_problems)

    @property
    def set_aside(self) -> int:
        """Rows set aside whole."""
        return sum(f.counts.get("set_aside", 0) for f in self.files)

    @property
    def answers_set_aside(self) -> int:
        """Answers set aside as single cells (in rows that are used)."""
        return sum(f.answers_set_aside for f in self.files)

    @property
    def without_rows(self) -> list[FileCheck]:
        """Usable survey exports that hold no data row (only headers)."""
        return [f for f in self.files if f.kind == "responses" and f.usable
                and f.rows_read == 0]

    @property
    def exit_code(self) -> int:
        """0 clean, 1 rows or answers set aside or an export without data rows, 2 an input
        cannot be used."""
        if self.unusable:
            return 2
        return 1 if self.set_aside or self.answers_set_aside or self.without_rows else 0

    def verdict(self) -> str:
        """The last line of ``hailong validate``, without the exit status."""
        if self.unusable:
            return say("val.verdict.unusable")
        parts = []
        if self.set_aside:
            parts.append(say("val.verdict.rows", n=self.set_aside))
        if self.answers_set_aside:
            parts.append(say("val.verdict.answers", n=self.answers_set_aside))
        if self.without_rows:
            names = ", ".join(f.path.name for f in self.without_rows)
            parts.append(say("val.verdict.no_rows", names=names))
        if not parts:
            return say("val.verdict.clean")
        return "; ".join(parts) + say("val.verdict.others")

    def problems(self) -> list[str]:
        """Every problem, one line each (file, row, column, found, expected, what to do)."""
        out = [" ".join(f.error.split()) for f in self.files if f.error]
        out += [str(p.error()) for p in self.roster_problems]
        if self.validated is not None:
            ledger = self.validated.ledger
            # merged rows name the columns whose answers differ from the submission kept
            shown = ledger[(ledger["status"] == "set_aside")
                           | ((ledger["status"] == "merged") & (ledger["column"] != ""))
                           | ((ledger["message"] != "") & (ledger["status"] == "accepted"))]
            out += [line for m in shown["message"] for line in m.splitlines() if line]
            out += [" ".join(n["action"].split()) for n in self.validated.notes]
            out += [m for m in self.validated.cells["message"] if m]
        out += [f"{f.path}: {NO_ROWS}" for f in self.without_rows]
        return out

    def data_quality(self) -> pd.DataFrame:
        """The data-quality table, with lines for unusable files and roster problems."""
        lines = [{"file": str(f.path), "status": "unusable", "reason": say("val.q.unusable"),
                  "action": f.error} for f in self.files if f.error]
        lines += [{"file": p.file, "row": p.row, "coop_id": "", "column": p.column,
                   "status": "roster", "reason": p.reason or p.message,
                   "action": str(p.error())} for p in self.roster_problems]
        if self.validated is not None:
            lines += validated_lines(self.validated)
        else:
            lines += file_lines({str(f.path): {"read_as": f.read_as,
                                               "extra_columns": f.extra_columns}
                                 for f in self.files if f.usable})
        return _table(lines)

    def summary(self, shown=os.path.relpath) -> list[str]:
        """The per-file summary lines ``hailong validate`` prints."""
        out = []
        for f in self.files:
            what = say({"roster": "val.kind.roster", "responses": "val.kind.responses"}
                       .get(f.kind, "val.kind.file"))
            how = ingest.ReadAs(**f.read_as).describe() if f.read_as else ""
            tag = say("val.kind.configured") if f.configured else ""
            out.append(f"  {shown(f.path)}  ({what}{tag}{'; ' + how if how else ''})")
            if f.error:
                out.append("      " + say("val.file.unusable"))
            elif f.kind == "roster":
                n = f.rows_read or 0
                state = (say("val.file.roster_ok") if not self.roster_problems
                         else say("val.file.roster_problems", n=len(self.roster_problems)))
                out.append("      " + say("val.file.roster", n=n, state=state))
            elif f.kind == "responses" and f.rows_read == 0:
                out.append("      " + say("val.file.no_rows"))
            elif f.counts:
                c = f.counts
                cells = (say("val.file.answers", n=f.answers_set_aside)
                         if f.answers_set_aside else "")
                out.append("      " + say("val.rows_summary", read=c["read"],
                                          accepted=c["accepted"], merged=c["merged"],
                                          set_aside=c["set_aside"]) + cells)
            elif f.kind == "responses":
                out.append("      " + say("val.file.not_checked", n=f.rows_read))
            if f.extra_columns:
                cols = ", ".join(f'"{c}"' for c in f.extra_columns)
                out.append("      " + say("val.file.extra_columns", columns=cols))
        return out


def _counts(ledger: pd.DataFrame, file: str) -> dict[str, int]:
    status = ledger.loc[ledger["source_file"] == file, "status"]
    return {"read": len(status), **{s: int((status == s).sum()) for s in validate.STATUSES}}


def check_files(files: Sequence[str | Path], codebook: Codebook, units: Units, *,
                roster: str | Path | None = None, responses: Sequence[str | Path] = (),
                configured_roster: str | Path | None = None,
                level: str = "district", sheet: str | None = None,
                columns_spec_path: str | Path | None = None) -> CheckReport:
    """Read and check input files as a build would, without writing anything.

    Parameters
    ----------
    files
        Rosters and survey exports, told apart by their columns
        (:func:`hailong.ingest.readers.classify`).
    roster
        A file to read as the roster whatever its columns.
    responses
        Files to read as survey exports whatever their columns (a round's configured
        exports).
    configured_roster
        The roster to check exports against when ``files`` holds none (the round's).
    sheet
        The worksheet to read in Excel files (default: the one with the expected columns).
    """
    checks: list[FileCheck] = []
    if roster is not None:
        checks.append(FileCheck(Path(roster), "roster"))
    checks += [FileCheck(Path(p), "responses") for p in responses]
    for p in files:
        check = FileCheck(Path(p))
        try:
            check.kind = ingest.classify(check.path, codebook, columns_spec_path)
        except InputError as err:
            check.error = str(err)
        checks.append(check)
    rosters = [c for c in checks if c.kind == "roster"]
    if not rosters and configured_roster is not None:
        rosters = [FileCheck(Path(configured_roster), "roster", configured=True)]
        checks.insert(0, rosters[0])
    report = CheckReport(files=checks)
    for extra in rosters[1:]:
        extra.error = str(InputError("err.only_one_roster_checked", file=extra.path,
                                     hint="hint.check_exports_against_one",
                                     name=rosters[0].path.name))
    spec = ingest.load_roster_spec(columns_spec_path)
    roster_raw = None
    if rosters and rosters[0].usable:
        r = rosters[0]
        try:
            roster_raw = ingest.read_roster(r.path, columns_spec_path, sheet=sheet)
            _describe(r, roster_raw)
            report.roster_problems = validate.roster_problems(roster_raw, codebook, units,
                                                              spec=spec, level=level)
        except InputError as err:
            r.error, roster_raw = str(err), None
    frames = []
    for c in checks:
        if c.kind != "responses" or not c.usable:
            continue
        try:
            frame = ingest.read_responses([c.path], codebook, sheet=sheet)
        except InputError as err:
            c.error = str(err)
            continue
        _describe(c, frame)
        frames.append(frame)
    if roster_raw is not None and not report.roster_problems:
        if frames:
            raw = ingest.combine(frames)
            report.validated = validate.validate_round(roster_raw, raw, codebook, units,
                                                       level=level, roster_spec=spec)
            for c in checks:
                if c.kind == "responses" and c.usable:
                    c.counts = _counts(report.validated.ledger, str(c.path))
                    cells = report.validated.cells
                    c.answers_set_aside = int((cells["source_file"] == str(c.path)).sum())
    return report


def _describe(check: FileCheck, frame: pd.DataFrame) -> None:
    """Fill what the frame says about its file."""
    file = str(check.path)
    check.read_as = dict((frame.attrs.get("read_as") or {}).get(file) or {})
    check.extra_columns = list((frame.attrs.get("extra_columns") or {}).get(file) or [])
    check.rows_read = int((frame[ingest.FILE_COLUMN] == file).sum())
