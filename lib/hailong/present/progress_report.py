"""The progress report's text and tables: what :mod:`hailong.numbers.coverage` computed,
in the reader's language (titles, summary, tables, method note, group and unit names)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from hailong.core.text import nfc
from hailong.numbers.coverage import MEMBER, NON_MEMBER, Progress, ProgressData
from hailong.present import fmt
from hailong.reference.codebook import Codebook
from hailong.reference.geography import CITY


def unit_names(data: ProgressData, lang: str = "vi", form: str = "short") -> dict[str, str]:
    """``{code: name}`` of every unit of the round's reporting level (the districts in
    2022), in code order (:func:`hailong.present.fmt.unit_name`)."""
    return {c: fmt.unit_name(data.units, c, lang, form)
            for c in data.units.codes(data.round.unit_level)}


def group_names(by: str, codebook: Codebook, lang: str = "vi",
                districts: Mapping[str, str] | None = None) -> dict[str, str]:
    """``{unit: label}`` of a grouping's keys, the city last."""
    fmt.check_lang(lang)
    if by == "variant":
        names = {v: nfc(x[lang]) for v, x in codebook.variants.items()}
    elif by == "member":
        names = {MEMBER: fmt.t("group_member", lang), NON_MEMBER: fmt.t("group_non_member", lang)}
    else:
        names = dict(districts or {})
    return {**names, CITY: fmt.t("col_city", lang)}


def _signed(n: int, lang: str) -> str:
    return ("+" if n > 0 else "") + fmt.count(n, lang)


def progress_frame(p: Progress, names: Mapping[str, str], lang: str = "vi") -> pd.DataFrame:
    """The district table as text: unit, answered / listed, %, change, pace, projection.

    Parameters
    ----------
    names
        ``{code: label}`` of the rows, in order (``"city"`` for the total row).
    """
    rows = []
    t = p.districts.set_index("unit")
    has_pace = "behind" in t.columns
    for code, name in names.items():
        if code not in t.index:
            continue
        r = t.loc[code]
        line = {fmt.t("col_unit", lang): name,
                fmt.t("col_answered_of", lang): f"{fmt.count(r['answered'], lang)}/"
                                                f"{fmt.count(r['roster_n'], lang)}",
                fmt.t("col_coverage", lang): fmt.percent(r["share"], 1, lang),
                fmt.t("col_change", lang, day=fmt.date(p.previous, lang)):
                    _signed(int(r["change"]), lang)}
        if has_pace:
            line[fmt.t("col_needed", lang)] = (fmt.number(r["needed_per_day"], 1, lang)
                                               if not r["reached"] else "")
            line[fmt.t("col_projected", lang)] = (
                fmt.date(r["projected"], lang) if r["projected"] is not None else fmt.SUPPRESSED)
            line[fmt.t("col_behind", lang)] = fmt.t("behind_mark", lang) if r["behind"] else ""
        rows.append(line)
    return pd.DataFrame(rows)


def group_frame(table: pd.DataFrame, names: Mapping[str, str], lang: str = "vi") -> pd.DataFrame:
    """A :func:`coverage` table as text: group, listed, answered, not yet, %."""
    t = table.set_index("unit")
    return pd.DataFrame([{
        fmt.t("col_group", lang): name,
        fmt.t("col_roster", lang): fmt.count(t.loc[u, "roster_n"], lang),
        fmt.t("answered", lang): fmt.count(t.loc[u, "answered"], lang),
        fmt.t("not_yet", lang): fmt.count(t.loc[u, "not_yet"], lang),
        fmt.t("col_coverage", lang): fmt.percent(t.loc[u, "share"], 1, lang),
    } for u, name in names.items() if u in t.index])


def progress_table_html(p: Progress, names: Mapping[str, str], lang: str = "vi") -> str:
    """:func:`progress_frame` as an HTML table (figures right-aligned).

    Once the deadline has passed nothing is needed per day: the column "Cần mỗi ngày"
    would be "—" throughout, so it is left out and a note under the table says why;
    otherwise a note says what it counts (empty where the target is reached).
    """
    frame = progress_frame(p, names, lang)
    needed = fmt.t("col_needed", lang)
    note = None
    if needed in frame.columns:
        if frame[needed].isin([fmt.SUPPRESSED, ""]).all():
            frame = frame.drop(columns=[needed])
            note = fmt.t("per_day_closed", lang, deadline=fmt.date(p.deadline, lang))
        else:
            note = fmt.t("per_day_reached_note", lang)
    return fmt.html_table(frame, numeric=list(frame.columns[1:]), note=note)


def group_table_html(table: pd.DataFrame, names: Mapping[str, str], lang: str = "vi") -> str:
    """:func:`group_frame` as an HTML table (figures right-aligned)."""
    frame = group_frame(table, names, lang)
    return fmt.html_table(frame, numeric=list(frame.columns[1:]))


def title(p: Progress, data: ProgressData, lang: str = "vi") -> str:
    """The report's title as a Markdown heading: "# Tiến độ khảo sát – Năm 2022 – đến ngày ..."."""
    period = data.round.label.get(lang) or str(data.round.year)
    return "# " + fmt.t("progress_title", lang, period=period, day=fmt.date(p.as_of, lang))


def summary(p: Progress, names: Mapping[str, str], lang: str = "vi", assisted: int = 0) -> str:
    """The report's opening paragraph (Markdown): where the city stands and what it takes;
    ``assisted``: how many of the answers came through the working group's assisted entry
    (:meth:`hailong.numbers.coverage.ProgressData.assisted`), said when there are any."""
    c = p.city
    parts = [fmt.t("progress_status", lang, day=fmt.date(p.as_of, lang),
                   answered=fmt.count(c["answered"], lang), roster=fmt.count(c["roster_n"], lang),
                   share=fmt.percent(c["share"], 1, lang), change=fmt.count(int(c["change"]), lang),
                   previous=fmt.date(p.previous, lang))]
    if assisted:
        parts.append(fmt.t("progress_assisted", lang, count=fmt.count(assisted, lang)))
    if p.deadline is not None:
        target = fmt.percent(p.target, 0, lang)
        if c["reached"]:
            parts.append(fmt.t("progress_reached", lang, target=target,
                               day=fmt.date(c["projected"], lang)))
        else:
            if c["days_left"] > 0:
                parts.append(fmt.t("progress_needed", lang, target=target,
                                   deadline=fmt.date(p.deadline, lang),
                                   remaining=fmt.count(c["remaining"], lang),
                                   per_day=fmt.number(c["needed_per_day"], 1, lang)))
            else:
                parts.append(fmt.t("progress_overdue", lang, target=target,
                                   deadline=fmt.date(p.deadline, lang),
                                   remaining=fmt.count(c["remaining"], lang)))
            recent = fmt.number(c["recent_per_day"], 1, lang)
            if c["projected"] is not None:
                parts.append(fmt.t("progress_projected", lang, days=int(c["window_days"]),
                                   per_day=recent, day=fmt.date(c["projected"], lang)))
            else:
                parts.append(fmt.t("progress_stalled", lang, days=int(c["window_days"])))
        behind = [names.get(u, u) for u in p.districts["unit"]
                  if u != CITY and u in names
                  and bool(p.districts.set_index("unit").loc[u, "behind"])]
        if behind:
            parts.append(fmt.t("progress_behind", lang, count=fmt.count(len(behind), lang),
                               names=", ".join(behind), unit_level=p.level))
    return nfc(" ".join(parts))


def method_note(p: Progress, lang: str = "vi") -> str:
    """How the figures are defined (Markdown), for the end of the report."""
    return fmt.t("progress_method", lang, window=p.window, unit_level=p.level,
                 previous=fmt.date(p.previous, lang), days=(p.as_of - p.previous).days)
