"""Follow-up lists for the working group: who has not answered yet, and how to reach them.

INTERNAL outputs. They hold directors' names, phones, Zalo and e-mail addresses, so every
one is marked "NỘI BỘ — không phát hành", is written under ``<out>/<year>/internal/``
and is never linked from the public index:

- an Excel workbook: a summary sheet, one sheet per district (its cooperatives that have
  not answered, with empty columns for the visit date, outcome and a note), and a sheet of
  the submissions whose cooperative could not be identified (:mod:`hailong.ingest.matching`);
  each sheet's header frozen, columns sized, printable on A4 landscape;
- the same lists as one self-contained HTML page.

Every cell that comes from the data goes through :func:`hailong.core.safetext.excel_text` or
:func:`hailong.core.safetext.html_text`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from hailong.core.files import atomic_write, make_dir
from hailong.core.safetext import excel_text, html_text
from hailong.core.text import nfc
from hailong.ingest.matching import NO_MATCH, SEVERAL
from hailong.numbers import coverage as cov
from hailong.present import fmt, progress_report
from hailong.publish.base import RoundOutput, RoundWriter
from hailong.publish.paths import INTERNAL_DIR, round_dir
from hailong.reference.geography import CITY

__all__ = ["followup_lists", "write_workbook", "write_html", "write_internal",
           "internal_dir", "LIST_COLUMNS", "WORK_COLUMNS"]

#: Columns of a district's list (keys of the message catalogue, :mod:`hailong.core.messages`),
#: then the empty columns the working group fills in by hand.
LIST_COLUMNS = ("col_coop_id", "col_coop_name", "col_commune", "col_sector", "col_director",
                "col_phone", "col_zalo", "col_email", "col_days_open")
WORK_COLUMNS = ("col_visit_date", "col_outcome", "col_note")
#: Columns of the sheet of submissions to resolve.
UNRESOLVED_COLUMNS = ("col_file_row", "col_submitted_at", "col_written_id", "col_written_name",
                      "col_unit", "col_respondent", "col_phone", "col_reason")
#: Rows above a sheet's table: the internal mark and title, then a line of counts.
TITLE_ROWS = 2
#: Column widths (characters) of the workbook: bounds, and the width of hand-filled ones.
MIN_WIDTH, MAX_WIDTH, WORK_WIDTH = 8, 42, 22
#: Height (points) of a list row: room to write by hand on the printout.
ROW_HEIGHT = 30
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
#: Columns of a list never wrapped in the HTML page (code, phone, Zalo).
_NOWRAP = (0, 5, 6)


def internal_dir(out: str | Path | None, round_year: int) -> Path:
    """``<out>/<year>/internal`` (default ``output/<year>/internal``)."""
    return round_dir(out, round_year) / INTERNAL_DIR


def followup_lists(data: cov.ProgressData, as_of: dt.date,
                   lang: str = "vi") -> dict[str, pd.DataFrame]:
    """The cooperatives of each unit that had not answered by the end of ``as_of``.

    Returns
    -------
    dict
        ``{unit code: DataFrame}`` for every unit of the round's level that has
        cooperatives on the roster, in code order (an empty frame where all answered).
        Columns: ``coop_id, coop_name, commune, sector, director, phone, zalo, email,
        days_open``; rows by commune, then name.
    """
    fmt.check_lang(lang)
    roster = data.roster
    answered = cov.answered_as_of(roster, data.answers, as_of)
    days_open = (as_of - data.round.opened).days if data.round.opened else None
    level_col = cov.GROUPINGS[data.round.unit_level]
    todo = roster[~answered.to_numpy()]
    communes = {c: data.units.name(c) for c in todo["commune_code"].unique()
                if c and c in data.units.table.index}
    frame = pd.DataFrame({
        "unit": todo[level_col].astype(str),
        "coop_id": todo["coop_id"], "coop_name": todo["coop_name"],
        "commune": todo["commune_code"].map(communes).fillna(""),
        "sector": todo["sector"].map(
            lambda s: data.codebook.sectors.get(s, {}).get(lang, s)),
        "director": todo["director_name"], "phone": todo["phone"], "zalo": todo["zalo"],
        "email": todo["email"], "days_open": days_open})
    frame = frame.sort_values(["unit", "commune", "coop_name", "coop_id"], kind="stable")
    listed = set(roster[level_col].astype(str))
    return {code: frame[frame["unit"] == code].drop(columns="unit").reset_index(drop=True)
            for code in data.units.codes(data.round.unit_level) if code in listed}


def _headers(keys: Sequence[str], lang: str, **kw) -> list[str]:
    return [fmt.t(k, lang, **kw) for k in keys]


def _reason(text: str, lang: str) -> str:
    """The ledger reason of an unresolved submission in the reader's language."""
    if text.startswith(SEVERAL):
        return fmt.t("reason_several", lang, codes=text.split(":", 1)[1].strip())
    return fmt.t("reason_no_match", lang) if text.startswith(NO_MATCH) else text


def _unresolved_rows(data: cov.ProgressData, lang: str) -> list[list[str]]:
    names = progress_report.unit_names(data, lang)
    rows = []
    for r in data.unresolved.itertuples(index=False):
        rows.append([f"{Path(r.source_file).name}, {r.source_row}", r.submitted_at,
                     r.written_id, r.coop_name, names.get(r.district_code, r.district_code),
                     r.respondent_name, r.respondent_phone, _reason(r.reason, lang)])
    return rows


def _summary_rows(p: cov.Progress, names: Mapping[str, str], lang: str) -> tuple[list, list]:
    head = [fmt.t("col_unit", lang), fmt.t("col_roster", lang), fmt.t("answered", lang),
            fmt.t("col_not_yet", lang), fmt.t("col_coverage", lang),
            fmt.t("col_change", lang, day=fmt.date(p.previous, lang))]
    has_pace = "behind" in p.districts.columns
    if has_pace:
        head.append(fmt.t("col_behind", lang))
    t = p.districts.set_index("unit")
    rows = []
    for code, name in {**names, CITY: fmt.t("col_city", lang)}.items():
        if code not in t.index:  # no cooperative of this unit on the roster
            continue
        r = t.loc[code]
        row = [name, int(r["roster_n"]), int(r["answered"]), int(r["not_yet"]),
               fmt.percent(r["share"], 1, lang), int(r["change"])]
        if has_pace:
            row.append(fmt.t("behind_mark", lang) if r["behind"] else "")
        rows.append(row)
    return head, rows


# --------------------------------------------------------------------------- workbook

def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (31 characters, no ``[]:*?/\\``)."""
    base = _BAD_SHEET_CHARS.sub(" ", nfc(name)).strip()[:31] or "Sheet"
    out, k = base, 2
    while out.casefold() in {t.casefold() for t in taken}:
        suffix = f" ({k})"
        out, k = base[:31 - len(suffix)] + suffix, k + 1
    taken.add(out)
    return out


def _sheet(wb, title: str, heading: str, counts: str, header: list[str],
           rows: list[list], lang: str, *, work_columns: int = 0, freeze: str = "C"):
    """One printable sheet: mark + title, counts, header row (frozen), the rows."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    mark = fmt.t("internal_mark", lang)
    ws.cell(row=1, column=1, value=excel_text(f"{mark} · {heading}")).font = Font(
        bold=True, size=13, color="B00000")
    ws.cell(row=2, column=1, value=excel_text(counts)).font = Font(italic=True)
    head_row = TITLE_ROWS + 1
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    fill = PatternFill("solid", fgColor="E6E6E6")
    for j, text in enumerate(header, start=1):
        c = ws.cell(row=head_row, column=j, value=excel_text(text))
        c.font, c.fill, c.border = Font(bold=True), fill, border
        c.alignment = Alignment(wrap_text=True, vertical="center")
    for i, values in enumerate(rows, start=head_row + 1):
        for j, value in enumerate(values, start=1):
            cell_value = value if isinstance(value, (int, float)) and not isinstance(
                value, bool) else excel_text("" if fmt.is_missing(value) else value)
            c = ws.cell(row=i, column=j, value=cell_value)
            c.border = border
            c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[i].height = ROW_HEIGHT if work_columns else None
    for j, text in enumerate(header, start=1):
        longest = max([len(str(r[j - 1])) for r in rows if j - 1 < len(r)] + [0])
        width = max(MIN_WIDTH, min(MAX_WIDTH, max(longest, len(text) // 2 + 1) + 2))
        if j > len(header) - work_columns:
            width = WORK_WIDTH
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = f"{freeze}{head_row + 1}"
    ws.print_title_rows = f"{head_row}:{head_row}"
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddHeader.center.text = mark
    ws.oddHeader.center.font = "DejaVu Sans,Bold"
    ws.oddFooter.left.text = excel_text(heading)
    ws.oddFooter.right.text = "&P / &N"
    return ws


def write_workbook(path: str | Path, data: cov.ProgressData, p: cov.Progress,
                   lists: Mapping[str, pd.DataFrame], lang: str = "vi") -> Path:
    """Write the follow-up workbook (summary, one sheet per unit, submissions to resolve).

    Parameters
    ----------
    p
        :func:`hailong.numbers.coverage.progress` of the same day (for the summary sheet).
    lists
        :func:`followup_lists`.
    """
    import openpyxl

    day = fmt.date(p.as_of, lang)
    names = progress_report.unit_names(data, lang)
    full = progress_report.unit_names(data, lang, form="full")
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    head, rows = _summary_rows(p, names, lang)
    _sheet(wb, sheet_name(fmt.t("followup_summary", lang), taken),
           fmt.t("followup_summary", lang) + f" – {fmt.t('today_value', lang, day=day)}",
           "", head, rows, lang, freeze="B")
    header = _headers(LIST_COLUMNS + WORK_COLUMNS, lang)
    for code, frame in lists.items():
        body = [[*r, "", "", ""] for r in frame.itertuples(index=False, name=None)]
        roster_n = int(p.districts.set_index("unit").loc[code, "roster_n"])
        counts = (fmt.t("followup_count", lang, count=fmt.count(len(body), lang),
                        roster=fmt.count(roster_n, lang))
                  + ("" if body else " " + fmt.t("followup_none", lang)))
        _sheet(wb, sheet_name(names[code], taken),
               fmt.t("followup_title", lang, unit=full[code], day=day), counts, header, body,
               lang, work_columns=len(WORK_COLUMNS))
    _sheet(wb, sheet_name(fmt.t("followup_unresolved", lang), taken),
           fmt.t("followup_unresolved", lang), fmt.t("followup_unresolved_note", lang),
           _headers(UNRESOLVED_COLUMNS, lang), _unresolved_rows(data, lang), lang, freeze="B")
    buffer = io.BytesIO()
    wb.save(buffer)
    return atomic_write(Path(path), buffer.getvalue(), private=True)


# --------------------------------------------------------------------------- HTML page

_CSS = """
body{font-family:'DejaVu Sans','Noto Sans',Arial,sans-serif;font-size:10pt;margin:1.2em;color:#111}
.internal{background:#b00000;color:#fff;font-weight:bold;padding:.5em 1em;font-size:12pt}
h1{font-size:15pt}h2{font-size:12.5pt;margin-top:1.6em;break-before:page}
table{border-collapse:collapse;margin:.4em 0;width:100%}
th,td{border:1px solid #999;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#e6e6e6}td.num{text-align:right}td.work{min-width:7em}td.nowrap{white-space:nowrap}
.count{font-style:italic}.mark{color:#b00000;font-weight:bold;margin:1.6em 0 0;break-before:page}
.mark+h2{margin-top:.2em;break-before:avoid}
@page{size:A4 landscape;margin:12mm}
"""


def _html_table(header: Sequence[str], rows: Sequence[Sequence[object]],
                work_columns: int = 0, nowrap: Sequence[int] = ()) -> str:
    """A table; every cell escaped (``nowrap``: columns of codes and phone numbers)."""
    head = "".join(f"<th>{html_text(h)}</th>" for h in header)
    body = []
    for r in rows:
        cells = []
        for j, v in enumerate(r):
            cls = (' class="work"' if j >= len(header) - work_columns else
                   ' class="num"' if isinstance(v, (int, float)) and not isinstance(v, bool)
                   else ' class="nowrap"' if j in nowrap else "")
            cells.append(f"<td{cls}>{html_text('' if fmt.is_missing(v) else v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def write_html(path: str | Path, data: cov.ProgressData, p: cov.Progress,
               lists: Mapping[str, pd.DataFrame], lang: str = "vi") -> Path:
    """Write the follow-up lists as one self-contained HTML page (no link, no script)."""
    mark = fmt.t("internal_mark", lang)
    day = fmt.date(p.as_of, lang)
    names = progress_report.unit_names(data, lang)
    full = progress_report.unit_names(data, lang, form="full")
    title = fmt.t("followup_title", lang, unit=fmt.t("col_city", lang), day=day)
    parts = [f'<p class="internal">{html_text(mark)}</p>', f"<h1>{html_text(title)}</h1>"]
    head, rows = _summary_rows(p, names, lang)
    parts.append(_html_table(head, rows))
    header = _headers(LIST_COLUMNS + WORK_COLUMNS, lang)
    for code, frame in lists.items():
        body = [[*r, "", "", ""] for r in frame.itertuples(index=False, name=None)]
        roster_n = int(p.districts.set_index("unit").loc[code, "roster_n"])
        heading = fmt.t("followup_title", lang, unit=full[code], day=day)
        counts = fmt.t("followup_count", lang, count=fmt.count(len(body), lang),
                       roster=fmt.count(roster_n, lang))
        parts.append(f'<p class="mark">{html_text(mark)}</p><h2>{html_text(heading)}</h2>'
                     f'<p class="count">{html_text(counts)}</p>')
        parts.append(_html_table(header, body, len(WORK_COLUMNS), _NOWRAP) if body else
                     f"<p>{html_text(fmt.t('followup_none', lang))}</p>")
    parts.append(f'<p class="mark">{html_text(mark)}</p>'
                 f"<h2>{html_text(fmt.t('followup_unresolved', lang))}</h2>")
    parts.append(f"<p>{html_text(fmt.t('followup_unresolved_note', lang))}</p>")
    parts.append(_html_table(_headers(UNRESOLVED_COLUMNS, lang), _unresolved_rows(data, lang)))
    page = (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="robots" content="noindex,nofollow">'
            f"<title>{html_text(mark)} · {html_text(title)}</title><style>{_CSS}</style>"
            f"</head><body>{''.join(parts)}<p class=\"internal\">{html_text(mark)}</p>"
            "</body></html>\n")
    return atomic_write(Path(path), nfc(page), private=True)


def write_internal(data: cov.ProgressData, as_of: object = None, out: str | Path | None = None,
                   lang: str = "vi", p: cov.Progress | None = None,
                   who: str | None = None) -> dict[str, Path]:
    """Write the follow-up workbook and HTML page of ``as_of`` (default: the data's last day).

    Files: ``<out>/<year>/internal/followup-<as_of>.xlsx`` and ``.html``. Given ``who``
    (the login, or ``"local"``), the lists written are recorded in the round's audit log
    (:mod:`hailong.core.audit`).

    Returns
    -------
    dict
        ``{"xlsx": path, "html": path}``.
    """
    p = p or cov.progress(data, as_of)
    lists = followup_lists(data, p.as_of, lang)
    folder = make_dir(internal_dir(out, data.round.year), private=True)  # personal data
    stem = f"followup-{p.as_of.isoformat()}" + ("" if lang == "vi" else f".{lang}")
    written = {"xlsx": write_workbook(folder / f"{stem}.xlsx", data, p, lists, lang),
               "html": write_html(folder / f"{stem}.html", data, p, lists, lang)}
    if who is not None:
        from hailong.core import audit

        audit.record(data.config.data_dir, data.round.year, who, "internal_lists",
                     as_of=p.as_of.isoformat(), files=[x.name for x in written.values()])
    return written


def _write_round(output: RoundOutput) -> list[Path]:
    from hailong.numbers.coverage import load_progress

    data = load_progress(output.round.year, output.config.path)
    written = write_internal(data, out=output.out_dir.parent)
    return [Path(p) for p in (written or {}).values()]


#: The round writer of the INTERNAL follow-up lists (:mod:`hailong.publish.writers`):
#: written with the progress report, never linked from the index.
WRITER = RoundWriter(name="followup", write=_write_round, stale_when="progress",
                     needs_results=False, internal=True)
