"""Several rounds: the change since the previous round, its table and its notes.

The rounds are lined up by :func:`hailong.numbers.trend_cache.report_trend`; a change is
called "tăng / giảm ... (có ý nghĩa thống kê)" only when its interval excludes 0.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from hailong.core.text import nfc
from hailong.numbers.scoring import INDEX
from hailong.present import fmt
from hailong.present.narrative.base import _areas, _join
from hailong.reference.geography import CITY


def change_sentence(subject: str, change: float, significant: bool, previous_year: int,
                    lang: str = "vi", approximate: bool = False) -> str:
    """How a figure moved since the previous round, in one sentence.

    "tăng / giảm X điểm so với năm 2021 (có ý nghĩa thống kê)" only when the change's
    interval excludes 0 (``significant``); otherwise "không thay đổi đáng kể" with the
    change in brackets, as within the margin of error.

    Parameters
    ----------
    subject
        What moved, as it opens the sentence ("Chỉ số hài lòng chung").
    change
        Index points since ``previous_year`` (``Trend.table["change"]``).
    approximate
        The comparison rests on re-aggregated units (a crosswalk) or another territory.
    """
    fmt.check_lang(lang)
    approx = fmt.t("change_approx", lang) if approximate else ""
    if significant:
        return fmt.t("change_up" if change > 0 else "change_down", lang, subject=subject,
                     points=fmt.number(abs(change), 1, lang), year=previous_year,
                     approx=approx)
    return fmt.t("change_none", lang, subject=subject, change=fmt.signed(change, 1, lang),
                 year=previous_year, approx=approx)


def _last_round(trend, code: str) -> pd.DataFrame:
    """The unit's rows of the newest round lined up (every measure but items)."""
    t = trend.unit(code)
    t = t[t["kind"] != "item"]
    return t[t["round"] == t["round"].max()]


def _previous_rows(trend, code: str, year: int) -> pd.DataFrame:
    t = trend.unit(code)
    return t[(t["round"] == year) & (t["kind"] != "item")].set_index("measure")


def _index_change(trend, code: str, name: str, lang: str) -> str:
    """The sentence on the overall index (or why it cannot be compared); "" when there is
    no earlier round."""
    last = _last_round(trend, code).set_index("measure")
    if INDEX not in last.index or fmt.is_missing(last.loc[INDEX, "previous_round"]):
        return ""
    row = last.loc[INDEX]
    prev = int(row["previous_round"])
    if fmt.is_missing(row["change"]):
        before = _previous_rows(trend, code, prev)
        n = int(before.loc[INDEX, "n"]) if INDEX in before.index else 0
        return fmt.t("change_no_previous" if n == 0 else "change_too_few", lang, year=prev,
                     unit=name)
    approx = bool(_previous_rows(trend, code, prev)["approximate"].any()) or bool(
        row["approximate"])
    return change_sentence(fmt.t("index_subject", lang), float(row["change"]),
                           bool(row["significant"]), prev, lang, approx)


def has_trend(trend, code: str) -> bool:
    """True when the unit has a published overall index in an earlier round lined up (so
    a trend chart and table say something); False for ``trend`` ``None``."""
    if trend is None:
        return False
    t = trend.unit(code)
    t = t[t["measure"] == INDEX]
    earlier = t[t["round"] < t["round"].max()]
    return bool((~earlier["suppressed"].astype(bool) & earlier["index"].notna()).any())


def _dimension_changes(trend, code: str) -> tuple[pd.DataFrame, int | None]:
    last = _last_round(trend, code)
    dims = last[last["kind"] == "dimension"]
    prev = dims["previous_round"].dropna()
    return dims, (int(prev.iloc[0]) if len(prev) else None)


def _change_counts(trend, code: str, lang: str) -> str:
    """"Có 5 lĩnh vực tăng và 1 lĩnh vực giảm có ý nghĩa thống kê." and its variants."""
    dims, prev = _dimension_changes(trend, code)
    if prev is None or dims["change"].isna().all():
        return ""
    up = int((dims["significant"] & (dims["change"] > 0)).sum())
    down = int((dims["significant"] & (dims["change"] < 0)).sum())
    key = ("changes_up_down" if up and down else "changes_up" if up else
           "changes_down" if down else "changes_none")
    return fmt.t(key, lang, up=_areas(up, lang), down=_areas(down, lang))


def versus_previous(trend, code: str, measures: pd.DataFrame, name: str,
                    lang: str = "vi") -> str:
    """How the unit moved since the previous round: the overall index, then the
    dimensions that rose or fell significantly (named, with their change) and how many
    did not change significantly. ``""`` when there is no earlier round.

    Parameters
    ----------
    trend
        :func:`hailong.numbers.trend_cache.report_trend` (a
        :class:`hailong.numbers.rounds.Trend`), or ``None``.
    code
        Unit code (``"city"`` for the whole city).
    measures
        ``Results.measures`` (dimension names).
    name
        The unit as named inside a sentence ("huyện Thuỷ Nguyên").
    """
    fmt.check_lang(lang)
    if trend is None:
        return ""
    first = _index_change(trend, code, name, lang)
    if not first:
        return ""
    dims, prev = _dimension_changes(trend, code)
    compared = dims[dims["change"].notna()]
    up = compared[compared["significant"] & (compared["change"] > 0)].sort_values(
        "change", ascending=False, kind="stable")
    down = compared[compared["significant"] & (compared["change"] < 0)].sort_values(
        "change", kind="stable")
    same = len(compared) - len(up) - len(down)

    def items(rows: pd.DataFrame) -> str:
        return _join([f"**{fmt.measure_label(measures, r.measure, lang)}** "
                      f"({fmt.t('points', lang, value=fmt.signed(r.change, 1, lang))})"
                      for r in rows.itertuples()], lang)

    out = [first]
    if len(compared):
        total = len(compared)
        if len(up) == total and total > 1:
            out.append(fmt.t("areas_all_up", lang, n=total, items=items(up)))
        elif len(down) == total and total > 1:
            out.append(fmt.t("areas_all_down", lang, n=total, items=items(down)))
        elif not len(up) and not len(down):
            out.append(fmt.t("areas_none_changed", lang, year=prev))
        else:
            if len(up):
                out.append(fmt.t("areas_up", lang, areas=_areas(len(up), lang),
                                 items=items(up)))
            if len(down):
                out.append(fmt.t("areas_down", lang, areas=_areas(len(down), lang),
                                 items=items(down)))
            if same:
                out.append(fmt.t("areas_rest_same_one", lang) if same == 1 else
                           fmt.t("areas_rest_same", lang, areas=_areas(same, lang)))
    missing = len(dims) - len(compared)
    if missing and len(compared):
        out.append(fmt.t("areas_not_comparable", lang, areas=_areas(missing, lang)))
    return nfc(" ".join(out))


def trend_notes(trend, code: str, measures: pd.DataFrame, name: str, lang: str = "vi",
                confidence: float | None = None) -> str:
    """How the rounds are compared (Markdown list): same questions, the city weighted and
    the units not, the significance rule (paired for cooperatives in both rounds, the
    report's one variance convention), and — marked "†" — approximate comparisons (units
    re-aggregated from earlier ones; a city whose territory changed)."""
    fmt.check_lang(lang)
    if trend is None:
        return ""
    level = fmt.level(confidence, lang)
    numbers = measures.set_index("measure")["number"]
    left = [str(numbers.get(i, i)) for i in trend.items_left_out]
    out = [fmt.t("trend_note_questions_left_out", lang, questions=_join(left, lang)) if left
           else fmt.t("trend_note_questions", lang),
           fmt.t("trend_note_significance", lang, level=level)]
    if trend.notes:
        out.append(fmt.t("trend_note_mapping", lang))
    rows = trend.unit(code)
    rows = rows[rows["kind"] != "item"]
    last = int(rows["round"].max())
    if bool(rows.loc[rows["round"] < last, "approximate"].any()):
        out.append(fmt.t("trend_note_city_territory", lang, year=last) if code == CITY else
                   fmt.t("trend_note_unit_approx", lang, unit=name))
    city = trend.unit(CITY)
    if code != CITY and bool(city.loc[city["round"] < last, "approximate"].any()):
        out.append(fmt.t("trend_note_city_approx", lang, year=last))
    return nfc("\n".join(f"- {x}" for x in out))


def trend_table_html(trend, code: str, measures: pd.DataFrame, lang: str = "vi",
                     meta: Mapping | None = None) -> str:
    """:func:`hailong.present.fmt.trend_frame` as an HTML table with its footnotes ("—",
    given ``Results.meta``; "†")."""
    fmt.check_lang(lang)
    conf = (meta or {}).get("confidence")
    return _trend_html(fmt.trend_frame(trend, code, measures, lang, conf), lang, meta,
                       confidence=conf)


def trend_units_table_html(trend, names: Mapping[str, str], lang: str = "vi",
                           meta: Mapping | None = None) -> str:
    """:func:`hailong.present.fmt.trend_units_frame` (every unit's overall index per round and its
    change) as an HTML table with its footnotes."""
    fmt.check_lang(lang)
    conf = (meta or {}).get("confidence")
    return _trend_html(fmt.trend_units_frame(trend, names, lang, conf), lang, meta,
                       units=True, confidence=conf)


def _trend_html(frame: pd.DataFrame, lang: str, meta: Mapping | None,
                units: bool = False, confidence: float | None = None) -> str:
    notes = []
    cells = frame.iloc[:, 1:].astype(str)
    if fmt.t("col_trend_reading", lang) in frame.columns:
        notes.append(fmt.t("trend_reading_note", lang, level=fmt.level(confidence, lang)))
    if meta is not None and bool((cells == fmt.SUPPRESSED).to_numpy().any()):
        notes.append(fmt.withheld_note(meta, lang))
    if bool(cells.apply(lambda c: c.str.endswith(fmt.APPROXIMATE)).to_numpy().any()):
        notes.append(fmt.t("approximate_note", lang, why=fmt.t("see_notes_below", lang)))
    note = ". ".join(notes) + "." if notes else None
    reading = fmt.t("col_trend_reading", lang)
    # figures stay on one line; the reading ("≈ không đổi đáng kể") wraps, or it would
    # run past the page's right margin
    keep = [c for c in frame.columns[1:] if c != reading] + ([frame.columns[0]] if units
                                                               else [])
    return fmt.html_table(frame, numeric=[c for c in frame.columns[1:] if c != reading],
                          note=note, nowrap=keep)
