"""The key findings that open a report: one bullet from each section's numbers."""

from __future__ import annotations

import pandas as pd

from hailong.core.text import nfc
from hailong.numbers.scoring import INDEX
from hailong.present import fmt
from hailong.present.narrative.areas import _versus_city_counts, strongest_weakest
from hailong.present.narrative.base import heading
from hailong.present.narrative.figures import UnitFigures, _precision_parts, summary
from hailong.present.narrative.trend import _change_counts, _index_change, _last_round
from hailong.reference.geography import CITY


def key_findings(figures: UnitFigures, dims: pd.DataFrame | None = None,
                 trend=None, lang: str = "vi", spread: str = "") -> str:
    """The key findings at the top of a report (Markdown: a heading and a list).

    The headline (participation, index, % satisfied); its tier and interval; for a unit,
    where it stands against the city (interval-based) and its rank range; the strongest
    and weakest dimensions; for the city, the spread of the units (``spread``, from
    :func:`district_spread`); the change since the previous round when there is one
    (:func:`hailong.numbers.trend_cache.report_trend`): the overall index, "tăng/giảm X
    điểm ... (có ý nghĩa thống kê)" only when significant, and how many dimensions rose or
    fell. ``""`` when the unit's figures are withheld (the report then opens with
    :func:`summary`).

    Parameters
    ----------
    figures
        :func:`unit_figures` of the unit (or the city).
    dims
        ``Results.estimates(code, "dimension", lang)``.
    trend
        :func:`hailong.numbers.trend_cache.report_trend`, or ``None``.
    spread
        For the citywide report: the sentence on the range of the units' index.
    """
    fmt.check_lang(lang)
    f = figures
    if not f.published:
        return ""
    parts = dict(_precision_parts(f, lang))
    bullets = [summary(f, lang)]
    first = " ".join(p for k in ("tier", "interval") if (p := parts.get(k)))
    if first:
        bullets.append(first)
    if f.code != CITY:
        city = " ".join(p for k in ("vs_city", "rank") if (p := parts.get(k)))
        counts = _versus_city_counts(dims, lang) if dims is not None else ""
        if city or counts:
            bullets.append(" ".join(x for x in (city, counts) if x))
    elif spread:
        bullets.append(spread)
    if dims is not None and (sw := strongest_weakest(dims, lang)):
        bullets.append(sw)
    if trend is not None and (change := _index_change(trend, f.code, f.inline_name, lang)):
        last = _last_round(trend, f.code).set_index("measure")
        compared = not fmt.is_missing(last.loc[INDEX, "change"])
        counts = _change_counts(trend, f.code, lang) if compared else ""
        bullets.append(" ".join(x for x in (change, counts) if x))
    for k in ("weighted", "unreliable"):
        if k in parts:
            bullets.append(parts[k])
    body = "\n".join(f"- {b}" for b in bullets)
    return nfc(f"{heading('sec_findings', lang, level=3)}\n\n{body}")
