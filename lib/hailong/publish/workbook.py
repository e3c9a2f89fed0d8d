"""Excel workbook of a round's published tables, for staff who reuse the figures.

One sheet per table, read from :class:`~hailong.numbers.scoring.Results` (nothing is computed
again): the units' summary, the index and the share satisfied of every unit by area,
every question, and the distribution of answers; a first sheet says what the workbook
holds. Numbers are numeric cells with number formats (Excel shows them in the reader's
own format: 78,5% in a Vietnamese Excel); a figure withheld because fewer than ``min_n``
cooperatives answered is the reports' symbol "—" (:data:`hailong.present.fmt.SUPPRESSED`), in
grey, explained in a note above the table. Text cells go through
:func:`hailong.core.safetext.excel_text` (never read as a formula). Only published figures
are written: no respondent, no contact data.

Layout of every table sheet: title in row 1, note in row 2, header in row
:data:`HEADER_ROW` (frozen, with filters), data below.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hailong.present import fmt
from hailong.core.text import nfc
from hailong.core.files import atomic_write
from hailong.reference.geography import CITY
from hailong.core.safetext import excel_text
from hailong.numbers.scoring import INDEX, Results

#: Row of the column headers on every table sheet (title row 1, note row 2).
HEADER_ROW = 4
#: Number formats by kind of column (the cell holds the number itself; a share is 0–1).
NUMBER_FORMATS = {"count": "#,##0", "percent": "0.0%", "index": "0.0", "mean": "0.00",
                  "share": "0.0%"}
#: Optional columns of ``Results.scores`` (the statistics of the round: intervals on the
#: index scale and of the share satisfied, tier, comparison with the city, reliability),
#: shown when present: ``(column, text key, kind)``; kind ``"flag"`` is a yes/no column,
#: ``"tier"`` / ``"vs_city"`` are ids shown as words.
OPTIONAL_COLUMNS = (("low", "low", "index"), ("high", "high", "index"),
                    ("satisfied_low", "satisfied_low", "percent"),
                    ("satisfied_high", "satisfied_high", "percent"),
                    ("tier", "tier", "tier"), ("vs_city", "vs_city", "vs_city"),
                    ("unreliable", "unreliable", "flag"))

_HEADER_FILL = "1F5F8B"
_GREY = "808080"

_TEXT = {
    "vi": {
        "file": "bang-so-lieu-{year}",
        "title": "Bảng số liệu – Khảo sát mức độ hài lòng của HTX – {period}",
        "about": "Giới thiệu", "summary": "Tổng hợp", "dim_index": "Chỉ số theo lĩnh vực",
        "dim_satisfied": "Hài lòng theo lĩnh vực", "items": "Theo câu hỏi",
        "answers": "Phân bố câu trả lời",
        "about_summary": "Mỗi đơn vị một dòng: số HTX trong danh sách, đã trả lời, tỷ lệ "
                         "tham gia, chỉ số hài lòng chung, tỷ lệ hài lòng, đánh giá chung.",
        "about_dim_index": "Chỉ số hài lòng (0–100) của từng đơn vị theo từng lĩnh vực.",
        "about_dim_satisfied": "Tỷ lệ câu trả lời hài lòng trở lên của từng đơn vị theo "
                               "từng lĩnh vực.",
        "about_items": "Mỗi đơn vị, mỗi câu hỏi một dòng: số HTX trả lời, điểm trung "
                       "bình, chỉ số, tỷ lệ hài lòng.",
        "about_answers": "Tỷ lệ từng mức trả lời theo lĩnh vực và câu hỏi của từng đơn vị.",
        "code": "Mã", "organisation": "Đơn vị thực hiện", "period": "Kỳ khảo sát",
        "data_date": "Số liệu đến ngày", "built": "Tệp được tạo ngày",
        "min_n": "Số HTX trả lời tối thiểu để công bố một số liệu",
        "sheet": "Trang tính", "content": "Nội dung",
        "n_index": "Số HTX có điểm chỉ số", "overall_index": "Đánh giá chung – câu {number} (0–100)",
        "overall_satisfied": "Hài lòng chung – câu {number}",
        "all_areas": "Chỉ số chung", "all_satisfied": "Chung",
        "question": "Câu", "text": "Nội dung câu hỏi", "mean": "Điểm trung bình ({lo}–{hi})",
        "low": "Chỉ số – cận dưới", "high": "Chỉ số – cận trên",
        "satisfied_low": "Tỷ lệ hài lòng – cận dưới",
        "satisfied_high": "Tỷ lệ hài lòng – cận trên",
        "tier": "Xếp loại", "vs_city": "So với toàn thành phố",
        "unreliable": "Sai số lớn, cần thận trọng", "yes": "Có",
        "interval": "Cận dưới, cận trên: khoảng tin cậy {level}.",
        "secondary": "Một số số liệu khác cũng không công bố, để không thể suy ra số liệu "
                     "bị ẩn từ các số liệu còn lại.",
        "formats": "Số liệu là số (tỷ lệ lưu dạng 0–1, hiển thị dạng %), có thể tính toán "
                   "trực tiếp.",
    },
    "en": {
        "file": "bang-so-lieu-{year}",
        "title": "Tables – Cooperatives' satisfaction survey – {period}",
        "about": "About", "summary": "Summary", "dim_index": "Index by area",
        "dim_satisfied": "Satisfied by area", "items": "Questions",
        "answers": "Answers",
        "about_summary": "One row per unit: cooperatives listed and answering, coverage, "
                         "satisfaction index, share satisfied, overall rating.",
        "about_dim_index": "Satisfaction index (0–100) of every unit in every area.",
        "about_dim_satisfied": "Share of answers \"satisfied\" or better of every unit in "
                               "every area.",
        "about_items": "One row per unit and question: cooperatives answering, mean, "
                       "index, share satisfied.",
        "about_answers": "Share of each answer by area and question for every unit.",
        "code": "Code", "organisation": "Published by", "period": "Survey round",
        "data_date": "Data as of", "built": "File made",
        "min_n": "Fewest cooperatives answering behind a published figure",
        "sheet": "Sheet", "content": "Content",
        "n_index": "Cooperatives with an index", "overall_index":
            "Overall rating – question {number} (0–100)",
        "overall_satisfied": "Satisfied overall – question {number}",
        "all_areas": "Overall index", "all_satisfied": "Overall",
        "question": "Question", "text": "Question text", "mean": "Mean ({lo}–{hi})",
        "low": "Index – lower bound", "high": "Index – upper bound",
        "satisfied_low": "% satisfied – lower bound",
        "satisfied_high": "% satisfied – upper bound",
        "tier": "Tier", "vs_city": "Compared with the city",
        "unreliable": "Large error, use with care", "yes": "Yes",
        "interval": "Lower and upper bounds: {level} confidence interval.",
        "secondary": "Some other figures are withheld too, so that a withheld figure "
                     "cannot be worked out from the others.",
        "formats": "Figures are numbers (shares stored as 0–1, shown as %), ready for "
                   "calculation.",
    },
}


@dataclass
class Sheet:
    """One table of the workbook.

    Attributes
    ----------
    name
        Sheet name (at most 31 characters).
    title
        Row 1 of the sheet.
    frame
        The table: numbers as numbers, NaN where the figure is withheld or missing.
    kinds
        Column -> ``"count" | "percent" | "index" | "mean" | "share"`` (number format);
        other columns are text.
    """

    name: str
    title: str
    frame: pd.DataFrame
    kinds: dict[str, str] = field(default_factory=dict)


def workbook_name(year: int, lang: str = "vi") -> str:
    """``bang-so-lieu-2022.xlsx``; ``bang-so-lieu-2022.en.xlsx`` in English."""
    stem = _TEXT[fmt.check_lang(lang)]["file"].format(year=year)
    return f"{stem}.xlsx" if lang == "vi" else f"{stem}.{lang}.xlsx"


def _period(results: Results, lang: str) -> str:
    label = (results.meta.get("round_label") or {}).get(lang)
    year = results.meta.get("round", "")
    return label or (f"Năm {year}" if lang == "vi" else str(year))


def _optional(results: Results, lang: str) -> list[tuple[str, str, str]]:
    """``(column, header, kind)`` of the optional columns ``results.scores`` has."""
    tx = _TEXT[lang]
    return [(col, tx[key], kind) for col, key, kind in OPTIONAL_COLUMNS
            if col in results.scores.columns]


def _word(kind: str, raw: object, results: Results, lang: str) -> str:
    """A tier or comparison id as the reports write it ("kha" -> "Khá")."""
    if kind == "tier":
        return fmt.tier_label(raw, results.meta, lang)
    return fmt.versus_label(raw, lang)


def _published_scores(results: Results) -> pd.DataFrame:
    """``results.scores`` with the city's rows as the reports publish them: the
    post-stratified (weighted) figures when the results have them."""
    scores = results.scores
    if not hasattr(results, "estimates") or not len(getattr(results, "weighted", ())):
        return scores
    kinds = scores.loc[scores["unit"] == CITY, "kind"].unique()
    city = pd.concat([results.estimates(CITY, k).assign(unit=CITY, kind=k) for k in kinds],
                     ignore_index=True)
    keep = [c for c in scores.columns if c in city.columns]
    return pd.concat([scores[scores["unit"] != CITY], city[keep]], ignore_index=True)


def _published(scores: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``scores`` with the figures of withheld rows blanked (NaN), whatever the source
    left in them: only ``n`` of a withheld row is published."""
    out = scores.copy()
    withheld = out["suppressed"].astype(bool)
    for col in columns:
        if col in out.columns:
            out[col] = out[col].astype(float).where(~withheld)
    return out


def tables(results: Results, lang: str = "vi") -> list[Sheet]:
    """The workbook's tables (without the first, descriptive sheet).

    Units come in the order of ``results.units`` (the units in code order, then the city).
    """
    fmt.check_lang(lang)
    tx = _TEXT[lang]
    units = [str(u) for u in results.units["unit"]]
    names = {u: fmt.unit_name(results, u, lang) for u in units}
    code = {u: ("" if u == CITY else u) for u in units}
    measures = results.measures.sort_values("order")
    label = dict(zip(measures["measure"], measures[lang].map(nfc)))
    number = dict(zip(measures["measure"], measures["number"]))
    dims = list(measures.loc[measures["kind"] == "dimension", "measure"])
    optional = _optional(results, lang)
    numeric = [c for c, _, kind in optional if kind in NUMBER_FORMATS]
    scores = _published(_published_scores(results), ["mean", "index", "satisfied", *numeric])
    by = {(str(r["unit"]), r["measure"]): r for r in scores.to_dict("records")}
    overall_no = next((number[m] for m in number if m == "OVERALL"), "")
    col_unit, col_code = fmt.t("col_unit", lang), tx["code"]

    def value(unit: str, measure: str, column: str) -> float:
        row = by.get((unit, measure))
        return math.nan if row is None or fmt.is_missing(row[column]) else float(row[column])

    def extras(unit: str, measure: str, after: str) -> dict:
        """The optional columns of a row: intervals after ``index`` / ``satisfied``,
        words and flags at the end (``after="end"``); nothing of a withheld row."""
        row = by.get((unit, measure)) or {}
        withheld = bool(row.get("suppressed", True))
        out = {}
        for col, head, kind in optional:
            place = ("index" if col in ("low", "high") else
                     "satisfied" if col.startswith("satisfied_") else "end")
            if place != after:
                continue
            raw = row.get(col)
            if kind in NUMBER_FORMATS:
                out[head] = value(unit, measure, col)
            elif withheld or fmt.is_missing(raw) or raw in ("", False):
                out[head] = ""
            elif kind == "flag":
                out[head] = tx["yes"] if bool(raw) else ""
            else:
                out[head] = _word(kind, raw, results, lang)
        return out

    # -- summary: one row per unit
    cov = results.coverage.set_index("unit")
    rows = []
    for u in units:
        row = {col_code: code[u], col_unit: names[u],
               fmt.t("col_roster", lang): cov.at[u, "roster_n"] if u in cov.index else math.nan,
               fmt.t("col_n", lang): cov.at[u, "answered"] if u in cov.index else math.nan,
               fmt.t("col_coverage", lang): cov.at[u, "share"] if u in cov.index else math.nan,
               tx["n_index"]: value(u, INDEX, "n"),
               fmt.t("col_index", lang): value(u, INDEX, "index"),
               **extras(u, INDEX, "index"),
               fmt.t("col_satisfied", lang): value(u, INDEX, "satisfied"),
               **extras(u, INDEX, "satisfied"),
               **extras(u, INDEX, "end")}
        row[tx["overall_index"].format(number=overall_no)] = value(u, "OVERALL", "index")
        row[tx["overall_satisfied"].format(number=overall_no)] = value(u, "OVERALL",
                                                                      "satisfied")
        rows.append(row)
    summary = pd.DataFrame(rows)
    kinds = {fmt.t("col_roster", lang): "count", fmt.t("col_n", lang): "count",
             fmt.t("col_coverage", lang): "percent", tx["n_index"]: "count",
             fmt.t("col_index", lang): "index", fmt.t("col_satisfied", lang): "percent",
             tx["overall_index"].format(number=overall_no): "index",
             tx["overall_satisfied"].format(number=overall_no): "percent",
             **{head: kind for _, head, kind in optional if kind in NUMBER_FORMATS}}
    sheets = [Sheet(tx["summary"], tx["about_summary"], summary,
                    {c: k for c, k in kinds.items() if c in summary.columns})]

    # -- units x areas: index, then share satisfied
    for key, column, kind, total in (("dim_index", "index", "index", tx["all_areas"]),
                                     ("dim_satisfied", "satisfied", "percent",
                                      tx["all_satisfied"])):
        wide = pd.DataFrame([{col_code: code[u], col_unit: names[u],
                              **{label[d]: value(u, d, column) for d in dims},
                              total: value(u, INDEX, column)} for u in units])
        sheets.append(Sheet(tx[key], tx[f"about_{key}"], wide,
                            {c: kind for c in [*(label[d] for d in dims), total]}))

    # -- every question of every unit
    lo, hi = (fmt.number(results.meta.get(k), 0, lang) for k in ("scale_min", "scale_max"))
    col_mean = tx["mean"].format(lo=lo, hi=hi)
    questions = measures[measures["kind"].isin(["item", "overall"])]
    rows = []
    for u in units:
        for _, m in questions.iterrows():
            row = {col_code: code[u], col_unit: names[u],
                   fmt.t("col_dimension", lang): label.get(m["dimension"], ""),
                   tx["question"]: "" if fmt.is_missing(m["number"]) else str(m["number"]),
                   tx["text"]: label[m["measure"]],
                   fmt.t("col_n", lang): value(u, m["measure"], "n"),
                   col_mean: value(u, m["measure"], "mean"),
                   fmt.t("col_index", lang): value(u, m["measure"], "index"),
                   **extras(u, m["measure"], "index"),
                   fmt.t("col_satisfied", lang): value(u, m["measure"], "satisfied"),
                   **extras(u, m["measure"], "satisfied"),
                   **extras(u, m["measure"], "end")}
            rows.append(row)
    items = pd.DataFrame(rows)
    kinds = {fmt.t("col_n", lang): "count", col_mean: "mean",
             fmt.t("col_index", lang): "index", fmt.t("col_satisfied", lang): "percent",
             **{head: kind for _, head, kind in optional if kind in NUMBER_FORMATS}}
    sheets.append(Sheet(tx["items"], tx["about_items"], items,
                        {c: k for c, k in kinds.items() if c in items.columns}))

    # -- distribution of answers (withheld units: "—")
    scale = fmt.scale_labels(results.meta, lang)
    dist = {(str(r["unit"]), r["measure"], int(r["value"])): r["share"]
            for r in results.distribution.to_dict("records")}
    withheld = set(map(tuple, scores.loc[scores["suppressed"].astype(bool),
                                         ["unit", "measure"]].to_numpy()))
    shown = measures[measures["kind"].isin(["dimension", "item"])]
    rows = []
    for u in units:
        for _, m in shown.iterrows():
            key = (u, m["measure"])
            row = {col_code: code[u], col_unit: names[u],
                   fmt.t("col_dimension", lang): label.get(m["dimension"], ""),
                   tx["question"]: "" if fmt.is_missing(m["number"]) else str(m["number"]),
                   tx["text"]: label[m["measure"]],
                   fmt.t("col_n", lang): value(u, m["measure"], "n")}
            for v, name in scale.items():
                share = dist.get((*key, v), math.nan)
                row[name] = math.nan if key in withheld else float(share)
            rows.append(row)
    answers = pd.DataFrame(rows)
    sheets.append(Sheet(tx["answers"], tx["about_answers"], answers,
                        {fmt.t("col_n", lang): "count",
                         **{name: "share" for name in scale.values()}}))
    return sheets


def has_secondary(results: Results) -> bool:
    """Whether some figures are withheld only to protect others (secondary suppression)."""
    s = results.scores
    return "suppression" in s.columns and bool((s["suppression"] == "secondary").any())


def suppression_note(results: Results, lang: str = "vi") -> str:
    """What "—" means: fewer than ``min_n`` answered (and secondary suppression, if any)."""
    note = fmt.t("suppressed_note", lang, min_n=results.meta.get("min_n", "")) + "."
    return f"{note} {_TEXT[lang]['secondary']}" if has_secondary(results) else note


def _about_rows(results: Results, sheets: list[Sheet], lang: str) -> list[tuple]:
    tx = _TEXT[lang]
    meta = results.meta
    org = (meta.get("organisation") or {}).get(lang, "")
    data_date = meta.get("data_date")
    rows = [(tx["organisation"], org), (tx["period"], _period(results, lang))]
    if data_date:
        rows.append((tx["data_date"], fmt.date(str(data_date)[:10], lang)))
    rows += [(tx["min_n"], int(meta.get("min_n", 0))),
             (fmt.SUPPRESSED, suppression_note(results, lang).split(": ", 1)[-1]),
             ("", tx["formats"]),
             *([("", tx["interval"].format(level=fmt.percent(meta["confidence"], 0, lang)))]
               if "confidence" in meta and "low" in results.scores.columns else []),
             (tx["built"], fmt.date(dt.date.today(), lang)),
             ("", ""), (tx["sheet"], tx["content"])]
    rows += [(s.name, s.title) for s in sheets]
    return rows


def write_workbook(results: Results, path: str | Path, lang: str = "vi") -> Path:
    """Write the workbook of ``results``' published tables to ``path`` (atomically).

    Parameters
    ----------
    results
        The round's results (:func:`hailong.numbers.pipeline.load_results`).
    path
        The ``.xlsx`` file (see :func:`workbook_name`).
    lang
        Language of the headers and labels: ``"vi"`` or ``"en"``.

    Returns
    -------
    Path
        ``path``.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    fmt.check_lang(lang)
    tx = _TEXT[lang]
    sheets = tables(results, lang)
    period = _period(results, lang)
    year = results.meta.get("round", "")
    note = " ".join([fmt.source_line(year, results.meta.get("organisation") or {}, lang) + ".",
                     suppression_note(results, lang)])
    wb = Workbook()
    about = wb.active
    about.title = tx["about"]
    about["A1"] = excel_text(tx["title"].format(period=period))
    about["A1"].font = Font(bold=True, size=14)
    for r, (k, v) in enumerate(_about_rows(results, sheets, lang), start=3):
        about.cell(r, 1, excel_text(k) if isinstance(k, str) else k).font = Font(bold=True)
        about.cell(r, 2, excel_text(v) if isinstance(v, str) else v)
    about.column_dimensions["A"].width = 34
    about.column_dimensions["B"].width = 100

    head_font = Font(bold=True, color="FFFFFF")
    head_fill = PatternFill("solid", fgColor=_HEADER_FILL)
    grey = Font(color=_GREY)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name[:31])
        ws["A1"] = excel_text(sheet.title)
        ws["A1"].font = Font(bold=True, size=12)
        ws["A2"] = excel_text(note)
        ws["A2"].font = Font(italic=True, color=_GREY)
        frame = sheet.frame
        for c, name in enumerate(frame.columns, start=1):
            cell = ws.cell(HEADER_ROW, c, excel_text(name))
            cell.font, cell.fill = head_font, head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top",
                                       horizontal="right" if name in sheet.kinds else "left")
        for r, values in enumerate(frame.itertuples(index=False), start=HEADER_ROW + 1):
            for c, (name, v) in enumerate(zip(frame.columns, values), start=1):
                kind = sheet.kinds.get(name)
                if kind is None:
                    ws.cell(r, c, excel_text("" if fmt.is_missing(v) else v))
                elif fmt.is_missing(v):
                    cell = ws.cell(r, c, fmt.SUPPRESSED)
                    cell.font = grey
                    cell.alignment = Alignment(horizontal="right")
                else:
                    cell = ws.cell(r, c, int(v) if kind == "count" else float(v))
                    cell.number_format = NUMBER_FORMATS[kind]
        last = HEADER_ROW + len(frame)
        ws.freeze_panes = ws.cell(HEADER_ROW + 1, 3)
        ws.auto_filter.ref = (f"A{HEADER_ROW}:{get_column_letter(len(frame.columns))}"
                              f"{max(last, HEADER_ROW)}")
        ws.row_dimensions[HEADER_ROW].height = 45
        for c, name in enumerate(frame.columns, start=1):
            ws.column_dimensions[get_column_letter(c)].width = _width(name, frame[name],
                                                                      name in sheet.kinds)
    buffer = io.BytesIO()
    wb.save(buffer)
    return atomic_write(Path(path), buffer.getvalue())


def _width(name: str, values: pd.Series, numeric: bool) -> float:
    """A column width that shows the values (headers wrap over up to three lines)."""
    if numeric:
        return max(10.0, min(16.0, len(str(name)) / 2 + 2))
    longest = max([len(str(v)) for v in values] + [6])
    return float(min(60, max(len(str(name)) / 2, longest) + 2))


def sheet_names(lang: str = "vi") -> Mapping[str, str]:
    """``{key: sheet name}`` of the workbook in ``lang`` (the first is the description)."""
    tx = _TEXT[fmt.check_lang(lang)]
    return {k: tx[k] for k in ("about", "summary", "dim_index", "dim_satisfied", "items",
                               "answers")}
