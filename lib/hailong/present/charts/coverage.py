"""Who answered: a unit's coverage (donut) and every unit's coverage against the city's.

:func:`coverage_chart` and :func:`coverage_by_district` / :func:`coverage_pages`; the
survey's progress while it runs is :mod:`hailong.present.charts.progress`.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from hailong.present import fmt
from hailong.present.charts.base import (
    PALETTE,
    REST_COLOUR,
    _figure,
    _finish,
    _number_axis,
    narrow,
    responsive,
)
from hailong.present.charts.units import (
    UNITS_PER_FIGURE,
    _by_unit,
    _city_line,
    _paged,
    _ranked_bars,
    _sorted_desc,
    split_units,
)
from hailong.reference.geography import CITY


@responsive
def coverage_chart(
    coverage_row: pd.Series | pd.DataFrame,
    *,
    source: str,
    lang: str = "vi",
    title: str | None = None,
) -> Figure:
    """A donut of one unit's cooperatives: answered vs not yet, share in the middle.

    Parameters
    ----------
    coverage_row
        The unit's row of ``Results.coverage`` (``roster_n, answered, share``), or a
        one-row frame.
    """
    if isinstance(coverage_row, pd.DataFrame):
        coverage_row = coverage_row.iloc[0]
    answered = int(coverage_row["answered"])
    rest = max(int(coverage_row["roster_n"]) - answered, 0)
    fig = _figure("coverage")
    ax = fig.add_subplot()
    colours = [sns.color_palette(PALETTE)[0], REST_COLOUR]
    names = [f"{fmt.t('answered', lang)}: {fmt.count(answered, lang)}",
             f"{fmt.t('not_yet', lang)}: {fmt.count(rest, lang)}"]
    ax.pie([answered, rest], colors=colours, startangle=90, counterclock=False,
           wedgeprops={"width": 0.38, "edgecolor": "white"}, labels=None)
    ax.text(0, 0, fmt.percent(coverage_row["share"], 1, lang), ha="center", va="center",
            fontsize=16, fontweight="bold")
    ax.set_aspect("equal")
    where = ({"loc": "upper center", "bbox_to_anchor": (0.5, 0.0)} if narrow() else
             {"loc": "center left", "bbox_to_anchor": (1.0, 0.5)})
    ax.legend(handles=[Patch(facecolor=c, label=n) for c, n in zip(colours, names)],
              frameon=False, **where)
    return _finish(fig, title or fmt.t("coverage_title", lang), source,
                   [*names, fmt.percent(coverage_row["share"], 1, lang)])


@responsive
def coverage_by_district(
    coverage: pd.DataFrame,
    names: Mapping[str, str],
    *,
    source: str,
    lang: str = "vi",
    title: str | None = None,
    unit_level: str | None = None,
    page: tuple[int, int] | None = None,
) -> Figure:
    """Coverage of every unit, highest first, with the city's coverage marked.

    Parameters
    ----------
    coverage
        ``Results.coverage`` (every unit and ``"city"``).
    names
        ``{unit code: label}`` of the units to show (:func:`hailong.present.fmt.unit_names`).
    unit_level
        ``Results.meta["level"]``: how the title calls the units (default districts).
    page
        ``(k, n)``: the figure is page k of n (" (k/n)" after the title);
        :func:`coverage_pages` sets it.
    """
    t = _coverage_rows(coverage, names)
    text = [f"{fmt.percent(r.share, 1, lang)} ({fmt.count(r.answered, lang)}/"
            f"{fmt.count(r.roster_n, lang)})" for r in t.itertuples()]
    fig = _figure("coverage_by_district", len(t))
    ax = fig.add_subplot()
    _ranked_bars(ax, t, text, lang)
    city = coverage[coverage["unit"] == CITY]
    facts = [f"{r.name} {x}" for r, x in zip(t.itertuples(), text)]
    if not city.empty and not fmt.is_missing(city["share"].iloc[0]):
        share = city["share"].iloc[0]
        city_text = fmt.t("city_value", lang, value=fmt.percent(share, 1, lang))
        _city_line(ax, 100 * share, lang, city_text)
        facts.insert(0, city_text)
    ax.set_xlim(0, 118)
    ax.set_xticks(range(0, 101, 20))
    _number_axis(ax.xaxis, lang)
    ax.set_xlabel(fmt.t("axis_coverage", lang))
    return _finish(fig, _paged(title or fmt.t("coverage_by_district_title", lang,
                                              unit_level=unit_level), page), source, facts)


def _coverage_rows(coverage: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """The rows of :func:`coverage_by_district`, in its order (highest coverage first)."""
    t = _by_unit(coverage, names)
    t["value"] = 100 * t["share"]
    return _sorted_desc(t)


def coverage_pages(coverage: pd.DataFrame, names: Mapping[str, str], *, source: str,
                   lang: str = "vi", title: str | None = None, unit_level: str | None = None,
                   per_figure: int = UNITS_PER_FIGURE) -> list[Figure]:
    """:func:`coverage_by_district` cut into figures of at most ``per_figure`` units.

    The units keep the one chart's order (highest coverage first) across the figures.
    """
    order = [str(u) for u in _coverage_rows(coverage, names)["unit"]]
    runs = split_units(order, per_figure)
    return [coverage_by_district(coverage, {u: names[u] for u in run}, source=source,
                                 lang=lang, title=title, unit_level=unit_level,
                                 page=(k, len(runs)))
            for k, run in enumerate(runs, 1)]
