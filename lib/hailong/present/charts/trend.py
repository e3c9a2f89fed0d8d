"""Several rounds (:class:`hailong.numbers.rounds.Trend`): the index per round with its interval."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from hailong.present import fmt
from hailong.present.charts.base import (
    _LABEL_BOX,
    CITY_COLOUR,
    PALETTE,
    SIZES,
    _figure,
    _finish,
    _legend_above,
    _notes,
    _number_axis,
    _whisker_handle,
    responsive,
)

SIZES.update({"trend": (8.0, 4.6)})


def _trend_points(rows: pd.DataFrame, measure: str, z: float) -> pd.DataFrame:
    t = rows[rows["measure"] == measure].sort_values("round")
    shown = ~t["suppressed"].astype(bool) & t["index"].notna()
    half = z * t["index_se"].astype(float)
    return t.assign(shown=shown, low=(t["index"] - half).where(shown),
                    high=(t["index"] + half).where(shown))


@responsive
def trend_chart(
    unit_rows: pd.DataFrame,
    city_rows: pd.DataFrame | None = None,
    *,
    unit_label: str,
    city_label: str = "",
    source: str,
    lang: str = "vi",
    measure: str = "INDEX",
    confidence: float | None = None,
    title: str | None = None,
    meta: Mapping | None = None,
) -> Figure:
    """The index of every round lined up, with interval whiskers, for the unit and the city.

    A figure re-aggregated from earlier units (or of a city with another territory) is
    drawn as a hollow marker and named in the legend; a withheld round has no point and
    "—" above its year.

    Parameters
    ----------
    unit_rows, city_rows
        ``Trend.unit(code)`` and ``Trend.unit("city")`` (``round, measure, index,
        index_se, suppressed, approximate``); ``city_rows`` may be ``None`` (the
        citywide report draws the city as the unit).
    confidence
        Level of the whiskers (index ± z × ``index_se``).
    """
    from hailong.numbers.stats import z_value

    fmt.check_lang(lang)
    z = z_value(0.95 if confidence is None else float(confidence))
    fig = _figure("trend")
    ax = fig.add_subplot()
    series = [(_trend_points(unit_rows, measure, z), sns.color_palette(PALETTE)[0], "o",
               "-", unit_label, 0.0)]
    if city_rows is not None:
        series.append((_trend_points(city_rows, measure, z), CITY_COLOUR, "D", "--",
                       city_label, 0.08))
    rounds = sorted({int(r) for s in series for r in s[0]["round"]})
    approximate = withheld = False
    values, handles, facts = [], [], []
    for k, (t, colour, marker, style, label, shift) in enumerate(series):
        x = t["round"].astype(float) + shift * (max(rounds) - min(rounds) or 1) / 4
        y = t["index"].where(t["shown"])
        ax.plot(x[t["shown"]], y[t["shown"]], linestyle=style, color=colour, linewidth=1.5,
                zorder=2)
        if label:
            handles.append(Line2D([], [], color=colour, marker=marker, linestyle=style,
                                  linewidth=1.5, markersize=6, label=label))
        shown = [f"{int(r.round)} {fmt.number(r.index, 1, lang) if r.shown else fmt.SUPPRESSED}"
                 for r in t.itertuples()]
        if shown:
            facts.append(f"{label or unit_label}: {', '.join(shown)}")
        drawn = []  # the rounds shown: (x, row); their whiskers and marks in one artist each
        for xi, r in zip(x, t.itertuples()):
            if not r.shown:
                withheld = withheld or k == 0
                if k == 0:
                    ax.text(xi, 1.0, fmt.SUPPRESSED, transform=ax.get_xaxis_transform(),
                            ha="center", va="bottom", color="#555555")
                continue
            drawn.append((xi, r))
            approximate = approximate or bool(r.approximate)
            values += [r.low, r.high]
            if k == 0:
                ax.annotate(fmt.number(r.index, 1, lang), (xi, r.index), xytext=(-7, 0),
                            textcoords="offset points", ha="right", va="center",
                            fontsize=8, bbox=_LABEL_BOX, zorder=5)
        if drawn:
            xs = np.array([xi for xi, _ in drawn], dtype=float)
            mid, low, high = (np.array([getattr(r, c) for _, r in drawn], dtype=float)
                              for c in ("index", "low", "high"))
            ax.errorbar(xs, mid, yerr=[mid - low, high - mid], fmt="none", ecolor=colour,
                        elinewidth=1, capsize=3, zorder=3)
            ax.scatter(xs, mid, marker=marker, s=42, zorder=4, color=colour, linewidths=1.4,
                       facecolors=["white" if r.approximate else colour for _, r in drawn])
    if values:
        lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
        lo, hi = 5 * np.floor((lo - 3) / 5), 5 * np.ceil((hi + 3) / 5)
        if hi - lo < 15:
            lo, hi = lo - (15 - (hi - lo)) / 2, hi + (15 - (hi - lo)) / 2
        ax.set_ylim(max(lo, 0), min(hi, 100))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10], integer=True))
    ax.set_xticks(rounds, [str(r) for r in rounds])
    ax.set_xlim(min(rounds) - 0.7, max(rounds) + 0.5)
    _number_axis(ax.yaxis, lang)
    ax.set_ylabel(fmt.t("axis_index", lang))
    ax.set_xlabel(fmt.t("axis_round", lang))
    ax.grid(axis="x", visible=False)
    handles.append(_whisker_handle(lang, confidence))
    if approximate:
        handles.append(Line2D([], [], marker="o", linestyle="none", markerfacecolor="white",
                              markeredgecolor="#555555", label=fmt.t("legend_approximate",
                                                                     lang)))
    _legend_above(ax, ncols=len(handles) if len(handles) <= 3 else 2, handles=handles)
    default = fmt.t("trend_title", lang, unit=unit_label)
    return _finish(fig, title or default, _notes(source, lang, withheld, meta), facts)
