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
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from hailong.core.files import atomic_write
from hailong.core.safetext import excel_text
from hailong.core.text import nfc
from hailong.numbers.scoring import INDEX, Results
from hailong.numbers.stats import rounded
from hailong.present import fmt
from hailong.publish.base import RoundOutput, RoundWriter
from hailong.reference.geography import CITY

#: Row of the column headers on every table sheet (title row 1, note row 2).
HEADER_ROW = 4
#: Number formats by kind of column (the cell holds the number itself; a share is 0–1).
NUMBER_FORMATS = {"count": "#,##0", "percent": "0.0%", "index": "0.0", "mean": "0.00",
                  "share": "0.0%"}
#: Optional columns of ``Results.scores`` (the statistics of the round: intervals on the
#: index scale and of the share satisfied, tier, comparison with the city, reliability),
#: shown when present: ``(column, message key of the header, kind)``; kind ``"flag"`` is a
#: yes/no column, ``"tier"`` / ``"vs_city"`` are ids shown as words.
OPTIONAL_COLUMNS = (("low", "wb_low", "index"), ("high", "wb_high", "index"),
                    ("satisfied_low", "wb_satisfied_low", "percent"),
                    ("satisfied_high", "wb_satisfied_high", "percent"),
                    ("coops_satisfied_low", "wb_coops_satisfied_low", "percent"),
                    ("coops_satisfied_high", "wb_coops_satisfied_high", "percent"),
                    ("tier", "col_tier", "tier"), ("vs_city", "col_vs_city", "vs_city"),
                    ("unreliable", "wb_unreliable", "flag"))

_HEADER_FILL = "1F5F8B"
_GREY = "808080"

#: File name of the workbook, before the language suffix and ``.xlsx``.
_FILE_STEM = "bang-so-lieu-{year}"


def _tx(key: str, lang: str, **fields: object) -> str:
    """The workbook's phrase ``wb_<key>`` of the message catalogue (:func:`fmt.t`)."""
    return fmt.t(f"wb_{key}", lang, **fields)


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
    fmt.check_lang(lang)
    stem = _FILE_STEM.format(year=year)
    return f"{stem}.xlsx" if lang == "vi" else f"{stem}.{lang}.xlsx"


def _period(results: Results, lang: str) -> str:
    label = (results.meta.get("round_label") or {}).get(lang)
    year = results.meta.get("round", "")
    return label or fmt.t("period_year", lang, year=year)


def _optional(results: Results, lang: str) -> list[tuple[str, str, str]]:
    """``(column, header, kind)`` of the optional columns ``results.scores`` has."""
    return [(col, fmt.t(key, lang), kind) for col, key, kind in OPTIONAL_COLUMNS
            if col in results.scores.columns]


def _word(kind: str, raw: object, results: Results, lang: str, row: dict) -> str:
    """A tier or comparison id as the reports write it ("kha" -> "Khá", borderline
    "Khá – có thể Trung bình")."""
    if kind == "tier":
        return fmt.tier_label(raw, results.meta, lang, row.get("tier_low"),
                              row.get("tier_high"))
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


#: Attribute of a ``Results`` under which :func:`tables` keeps what it made last.
_MADE = "_published_tables"
#: The tables of ``Results`` that :func:`tables` reads.
_READ = ("scores", "distribution", "coverage", "units", "measures", "weighted", "meta")


def tables(results: Results, lang: str = "vi") -> list[Sheet]:
    """The published tables of a round (the workbook's, without its descriptive sheet;
    the open data's): made once per results and language, then shared (copies).

    Units come in the order of ``results.units`` (the units in code order, then the city).
    """
    # made from these very tables (a copy of the results with a table replaced is another
    # round's worth of figures); kept on this object only (a copy shares nothing of it)
    frames = tuple(getattr(results, name) for name in _READ)
    made = results.__dict__.get(_MADE)
    if not (made and made[0] == lang and all(a is b for a, b in zip(made[1], frames))):
        made = (lang, frames, _tables(results, lang))
        results.__dict__[_MADE] = made
    return [replace(s, frame=s.frame.copy(), kinds=dict(s.kinds)) for s in made[2]]


def _tables(results: Results, lang: str) -> list[Sheet]:
    fmt.check_lang(lang)
    units = [str(u) for u in results.units["unit"]]
    names = {u: fmt.unit_name(results, u, lang) for u in units}
    code = {u: ("" if u == CITY else u) for u in units}
    measures = results.measures.sort_values("order")
    label = dict(zip(measures["measure"], measures[lang].map(nfc)))
    number = dict(zip(measures["measure"], measures["number"]))
    dims = list(measures.loc[measures["kind"] == "dimension", "measure"])
    optional = _optional(results, lang)
    numeric = [c for c, _, kind in optional if kind in NUMBER_FORMATS]
    scores = _published(_published_scores(results),
                        ["mean", "index", "satisfied", "coops_satisfied", *numeric])
    by = {(str(r["unit"]), r["measure"]): r for r in scores.to_dict("records")}
    overall_no = next((number[m] for m in number if m == "OVERALL"), "")
    col_unit, col_code = fmt.t("col_unit", lang), _tx("code", lang)
    col_n_index = _tx("n_index", lang)
    col_overall_index = fmt.t("kf_overall", lang, number=overall_no)
    col_overall_satisfied = fmt.t("kf_overall_satisfied", lang, number=overall_no)
    # the share of cooperatives satisfied (each its own index), beside that of answers
    col_coops = (_tx("coops_satisfied", lang) if "coops_satisfied" in results.scores.columns
                 else "")

    index = results.scores[results.scores["measure"] == INDEX]
    withheld_units = set(index.loc[index["suppressed"].astype(bool)
                                   & (index["unit"] != CITY), "unit"].astype(str))

    def value(unit: str, measure: str, column: str) -> float:
        """A published figure; of a withheld unit or row, no count of answers either (a
        withheld unit's roster size, respondents and coverage are all it shows)."""
        row = by.get((unit, measure))
        if row is None or fmt.is_missing(row[column]) or (column == "n" and (
                unit in withheld_units or bool(row.get("suppressed", False)))):
            return math.nan
        return float(row[column])

    def extras(unit: str, measure: str, after: str) -> dict:
        """The optional columns of a row: intervals after ``index`` / ``satisfied``,
        words and flags at the end (``after="end"``); nothing of a withheld row."""
        row = by.get((unit, measure)) or {}
        withheld = bool(row.get("suppressed", True))
        out = {}
        for col, head, kind in optional:
            place = ("index" if col in ("low", "high") else
                     "satisfied" if col.startswith("satisfied_") else
                     "coops" if col.startswith("coops_satisfied_") else "end")
            if place != after:
                continue
            raw = row.get(col)
            if kind in NUMBER_FORMATS:
                out[head] = value(unit, measure, col)
            elif withheld or fmt.is_missing(raw) or raw in ("", False):
                out[head] = ""
            elif kind == "flag":
                out[head] = _tx("yes", lang) if bool(raw) else ""
            else:
                out[head] = _word(kind, raw, results, lang, row)
        return out

    # -- summary: one row per unit
    cov = results.coverage.set_index("unit")
    rows = []
    for u in units:
        row = {col_code: code[u], col_unit: names[u],
               fmt.t("col_roster", lang): cov.at[u, "roster_n"] if u in cov.index else math.nan,
               fmt.t("col_n", lang): cov.at[u, "answered"] if u in cov.index else math.nan,
               fmt.t("col_coverage", lang): cov.at[u, "share"] if u in cov.index else math.nan,
               col_n_index: value(u, INDEX, "n"),
               fmt.t("col_index", lang): value(u, INDEX, "index"),
               **extras(u, INDEX, "index"),
               **({col_coops: value(u, INDEX, "coops_satisfied")} if col_coops else {}),
               **extras(u, INDEX, "coops"),
               fmt.t("col_satisfied", lang): value(u, INDEX, "satisfied"),
               **extras(u, INDEX, "satisfied"),
               **extras(u, INDEX, "end")}
        row[col_overall_index] = value(u, "OVERALL", "index")
        row[col_overall_satisfied] = value(u, "OVERALL", "satisfied")
        rows.append(row)
    summary = pd.DataFrame(rows)
    kinds = {fmt.t("col_roster", lang): "count", fmt.t("col_n", lang): "count",
             fmt.t("col_coverage", lang): "percent", col_n_index: "count",
             fmt.t("col_index", lang): "index", fmt.t("col_satisfied", lang): "percent",
             col_overall_index: "index", col_overall_satisfied: "percent",
             **({col_coops: "percent"} if col_coops else {}),
             **{head: kind for _, head, kind in optional if kind in NUMBER_FORMATS}}
    sheets = [Sheet(_tx("summary", lang), _tx("about_summary", lang), summary,
                    {c: k for c, k in kinds.items() if c in summary.columns})]

    # -- units x areas: index, then share satisfied
    for key, column, kind, total in (("dim_index", "index", "index", _tx("all_areas", lang)),
                                     ("dim_satisfied", "satisfied", "percent",
                                      _tx("all_satisfied", lang))):
        wide = pd.DataFrame([{col_code: code[u], col_unit: names[u],
                              **{label[d]: value(u, d, column) for d in dims},
                              total: value(u, INDEX, column)} for u in units])
        sheets.append(Sheet(_tx(key, lang), _tx(f"about_{key}", lang), wide,
                            {c: kind for c in [*(label[d] for d in dims), total]}))

    # -- every question of every unit
    lo, hi = (fmt.number(results.meta.get(k), 0, lang) for k in ("scale_min", "scale_max"))
    col_mean = _tx("mean", lang, lo=lo, hi=hi)
    col_question, col_text = _tx("question", lang), _tx("text", lang)
    questions = measures[measures["kind"].isin(["item", "overall"])]
    rows = []
    for u in units:
        for _, m in questions.iterrows():
            row = {col_code: code[u], col_unit: names[u],
                   fmt.t("col_dimension", lang): label.get(m["dimension"], ""),
                   col_question: "" if fmt.is_missing(m["number"]) else str(m["number"]),
                   col_text: label[m["measure"]],
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
    sheets.append(Sheet(_tx("items", lang), _tx("about_items", lang), items,
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
                   col_question: "" if fmt.is_missing(m["number"]) else str(m["number"]),
                   col_text: label[m["measure"]],
                   fmt.t("col_n", lang): value(u, m["measure"], "n")}
            for v, name in scale.items():
                share = dist.get((*key, v), math.nan)
                row[name] = math.nan if key in withheld else float(share)
            rows.append(row)
    answers = pd.DataFrame(rows)
    sheets.append(Sheet(_tx("answers", lang), _tx("about_answers", lang), answers,
                        {fmt.t("col_n", lang): "count",
                         **{name: "share" for name in scale.values()}}))
    for sheet in sheets:
        sheet.frame = printed_frame(sheet.frame, sheet.kinds)
    return sheets


#: Decimal places of each kind of column as the reports print it (shares as percentages).
DECIMALS = {"count": 0, "index": 1, "mean": 2, "percent": 1, "share": 1}
#: Kinds stored as shares 0–1 but printed as percentages.
SHARES = ("percent", "share")


def printed_value(value: object, kind: str) -> float:
    """One figure at the precision the reports print it (:func:`hailong.numbers.stats.rounded`:
    half away from zero), a share kept 0–1 (``0.78549`` -> ``0.785``); NaN if missing.
    Nothing finer is published than a reader of the reports sees."""
    if fmt.is_missing(value):
        return math.nan
    decimals = DECIMALS.get(kind, 1)
    if kind in SHARES:
        return round(float(rounded(float(value) * 100, decimals)) / 100, decimals + 2)
    return float(rounded(float(value), decimals))


def printed_frame(frame: pd.DataFrame, kinds: Mapping[str, str]) -> pd.DataFrame:
    """``frame`` with every figure column (``kinds``) at the reports' precision."""
    out = frame.copy()
    for column, kind in kinds.items():
        if column in out:
            out[column] = [printed_value(v, kind) for v in out[column]]
    return out


def suppression_note(results: Results, lang: str = "vi") -> str:
    """What "—" means (:func:`hailong.present.fmt.withheld_note` of ``Results.meta``)."""
    return fmt.withheld_note(results.meta, lang) + "."


def _about_rows(results: Results, sheets: list[Sheet], lang: str) -> list[tuple]:
    tx = lambda key, **kw: _tx(key, lang, **kw)  # noqa: E731
    meta = results.meta
    org = (meta.get("organisation") or {}).get(lang, "")
    data_date = meta.get("data_date")
    rows = [(tx("organisation"), org), (tx("period"), _period(results, lang))]
    if data_date:
        rows.append((tx("data_date"), fmt.date(str(data_date)[:10], lang)))
    rows += [(tx("min_n"), int(meta.get("min_n", 0))),
             (fmt.SUPPRESSED, suppression_note(results, lang).split(": ", 1)[-1]),
             ("", tx("formats")),
             *([("", tx("interval", level=fmt.percent(meta["confidence"], 0, lang)))]
               if "confidence" in meta and "low" in results.scores.columns else []),
             (tx("built"), fmt.date(dt.date.today(), lang)),
             ("", ""), (tx("sheet"), tx("content"))]
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
    sheets = tables(results, lang)
    period = _period(results, lang)
    year = results.meta.get("round", "")
    note = " ".join([fmt.source_line(year, results.meta.get("organisation") or {}, lang) + ".",
                     suppression_note(results, lang)])
    wb = Workbook()
    about = wb.active
    about.title = _tx("about", lang)
    about["A1"] = excel_text(_tx("title", lang, period=period))
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
    fmt.check_lang(lang)
    return {k: _tx(k, lang) for k in ("about", "summary", "dim_index", "dim_satisfied",
                                      "items", "answers")}


def _write_round(output: RoundOutput) -> list[Path]:
    if output.results is None:
        return []
    path = output.out_dir / workbook_name(output.round.year, output.lang)
    return [write_workbook(output.results, path, output.lang)]


def _link(year: int, lang: str) -> tuple[str, str]:
    from hailong.publish.export import index_text

    return index_text(lang)["workbook"], workbook_name(year, lang)


#: The round writer of the workbook (:mod:`hailong.publish.writers`).
WRITER = RoundWriter(name="workbook", write=_write_round, link=_link, option="workbook")
