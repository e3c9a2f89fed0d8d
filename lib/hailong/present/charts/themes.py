"""Open answers: the share of cooperatives that mention each theme (:func:`theme_bars`)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from hailong.present import fmt
from hailong.present.charts.base import (
    _figure,
    _finish,
    _notes,
    _number_axis,
    _wrap,
    responsive,
)
from hailong.present.charts.units import _ranked_bars
from hailong.reference.geography import CITY


@responsive
def theme_bars(
    themes: pd.DataFrame,
    labels: Mapping[str, str],
    *,
    source: str,
    unit: str = CITY,
    question: str = "RECOMMENDATIONS",
    lang: str = "vi",
    title: str | None = None,
    meta: Mapping | None = None,
) -> Figure:
    """Share of the cooperatives who answered an open question that mention each theme.

    Parameters
    ----------
    themes
        ``Results.themes`` (``unit, question, theme, respondents, share, suppressed``);
        the rows of ``unit`` and ``question`` are drawn.
    labels
        ``{theme id: name}`` of the themes to show (:func:`hailong.present.fmt.theme_labels`);
        most mentioned first, the given order on ties.
    meta
        ``Results.meta``: if given, a note explains the "—" of withheld counts
        (:func:`hailong.present.fmt.withheld_note`).
    """
    rows = themes[(themes["unit"].astype(str) == str(unit)) & (themes["question"] == question)]
    t = rows[rows["theme"].isin(list(labels))].copy()
    t["name"] = t["theme"].map(labels)
    t["value"] = (100 * t["share"]).where(~t["suppressed"].astype(bool))
    t["order"] = t["theme"].map({k: i for i, k in enumerate(labels)})
    t = t.sort_values(["value", "order"], ascending=[False, True], na_position="last",
                      kind="stable").reset_index(drop=True)
    text = [f"{fmt.percent(r.share, 1, lang)} ({fmt.count(r.respondents, lang)})"
            if not fmt.is_missing(r.value) else fmt.SUPPRESSED for r in t.itertuples()]
    fig = _figure("themes")
    ax = fig.add_subplot()
    _ranked_bars(ax, t, text, lang)
    ax.set_yticks(range(len(t)), [_wrap(v) for v in t["name"]])
    top = float(np.nanmax(t["value"])) if t["value"].notna().any() else 100.0
    ax.set_xlim(0, min(100.0, top * 1.25 + 5))
    _number_axis(ax.xaxis, lang)
    ax.set_xlabel(fmt.t("axis_mentions", lang))
    source = _notes(source, lang, bool(t["value"].isna().any()), meta)
    facts = [f"{r.name} {x}" for r, x in zip(t.itertuples(), text)]
    return _finish(fig, title or fmt.t("themes_title", lang), source, facts)
