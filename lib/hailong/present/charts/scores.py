"""The satisfaction index: a unit's dimensions against the city, the ranking, the heatmap.

:func:`dimension_profile` (a unit's index per dimension beside the city's),
:func:`district_comparison` / :func:`ranking_pages` (units ranked by the index, with
intervals, tiers and rank ranges) and :func:`heatmap` / :func:`heatmap_pages` (every
dimension in every unit).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MultipleLocator

from hailong.core.text import nfc
from hailong.present import fmt
from hailong.present.charts.base import (
    _LABEL_BOX,
    CITY_COLOUR,
    PALETTE,
    TIER_COLOURS,
    _dash,
    _figure,
    _finish,
    _legend_above,
    _notes,
    _number_axis,
    _raise_small_text,
    _whisker_handle,
    _whiskers,
    _wrap,
    narrow,
    responsive,
    text_colour,
)
from hailong.present.charts.units import (
    UNITS_PER_FIGURE,
    _by_unit,
    _city_line,
    _index_rows,
    _paged,
    _ranked_bars,
    _sorted_desc,
    _tier_colours,
    split_units,
)
from hailong.reference.geography import CITY

#: Sequential colour map of the heatmap (colour-blind safe, light = low).
HEATMAP_CMAP = "YlGnBu"
#: A heatmap of more units than this has one row per unit (not one column).
HEATMAP_COLUMNS = 20


def _dims(table: pd.DataFrame) -> pd.DataFrame:
    """Rows of a dimension table (``Results.dimension_table``) in their given order."""
    if "kind" in table.columns:
        table = table[table["kind"] == "dimension"]
    return table.reset_index(drop=True)


def _withheld(row: pd.Series) -> bool:
    return bool(row.get("suppressed", False)) or fmt.is_missing(row["index"])


def _text_handle(label: str) -> Patch:
    """A legend entry that is only words (the marks are already in them)."""
    return Patch(facecolor="none", edgecolor="none", label=label)


@responsive
def dimension_profile(
    unit_dims: pd.DataFrame,
    city_dims: pd.DataFrame | None,
    *,
    unit_label: str,
    city_label: str,
    source: str,
    lang: str = "vi",
    title: str | None = None,
    confidence: float | None = None,
    meta: Mapping | None = None,
) -> Figure:
    """The unit's index per dimension (bars) beside the city's (black diamonds).

    With ``Results.estimates`` tables the bars get interval whiskers and a ▲ / ▼ after
    the value where the unit is above / below the city beyond the uncertainty
    (``vs_city``). With ``meta`` (``Results.meta``) a note under the chart explains "—"
    (and "*", unreliable).

    Parameters
    ----------
    unit_dims, city_dims
        ``Results.dimension_table(unit, lang)`` and the same for ``"city"``: columns
        ``measure, label, index, suppressed`` in codebook order. ``city_dims`` may be
        ``None`` (the citywide report).
    unit_label, city_label
        Legend entries (e.g. "Huyện Thuỷ Nguyên", "Toàn thành phố").
    source
        The source line (:func:`hailong.present.fmt.source_line`).
    """
    dims = _dims(unit_dims)
    small = narrow()  # a phone: each area's name above its bar, across the chart
    fig = _figure("profile")
    if small:
        fig.set_figheight(2.4 + 0.7 * len(dims))
    ax = fig.add_subplot()
    y = np.arange(len(dims))
    colour = sns.color_palette(PALETTE)[0]
    legend = unit_label
    whiskers = {"low", "high"} <= set(dims.columns)
    marks = {"above": " ▲", "below": " ▼"}
    drawn = []  # (y, index, low, high) of the whiskers
    for i, row in dims.iterrows():
        if _withheld(row):
            _dash(ax, i)
            continue
        ax.barh(i, row["index"], color=colour, height=0.42 if small else 0.6, label=legend)
        legend = None  # one legend entry for all bars
        right = row["index"]
        if whiskers and not fmt.is_missing(row["low"]):
            drawn.append((i, row["index"], row["low"], row["high"]))
            right = max(right, row["high"])
        text = fmt.number(row["index"], 1, lang) + marks.get(str(row.get("vs_city", "")), "")
        if not fmt.is_missing(row.get("unreliable")) and bool(row.get("unreliable", False)):
            text += fmt.UNRELIABLE
        ax.text(right + 1, i, text, va="center", ha="left", fontsize=8, bbox=_LABEL_BOX)
    _whiskers(ax, drawn)
    if city_dims is not None:
        city = _dims(city_dims).set_index("measure")["index"].reindex(dims["measure"])
        shown = city.notna().to_numpy()
        ax.scatter(city.to_numpy()[shown], y[shown], marker="D", s=28, color=CITY_COLOUR,
                   zorder=3, label=city_label)
    if small:
        ax.set_yticks([])  # the names are written above the bars: no ticks to make
        for i, label in enumerate(dims["label"]):
            ax.text(0.5, i - 0.27, textwrap.fill(nfc(str(label)), 40), ha="left",
                    va="bottom", fontsize=8.5, linespacing=1.1)
        ax.set_ylim(len(dims) - 0.5, -0.95)
    else:
        ax.set_yticks(y, [_wrap(v) for v in dims["label"]])
        ax.invert_yaxis()
    ax.set_xlim(0, 108)
    ax.xaxis.set_major_locator(MultipleLocator(25 if small else 20))
    _number_axis(ax.xaxis, lang)
    ax.set_xlabel(fmt.t("axis_index", lang))
    ax.grid(axis="y", visible=False)
    extra = []
    if whiskers and dims["low"].notna().any():
        extra.append(_whisker_handle(lang, confidence))
    if "vs_city" in dims.columns and dims["vs_city"].isin(["above", "below"]).any():
        extra.append(_text_handle(fmt.t("legend_vs", lang)))
    if extra:
        handles, _ = ax.get_legend_handles_labels()
        _legend_above(ax, ncols=2, handles=handles + extra)
    else:
        _legend_above(ax, ncols=2)
    withheld = any(_withheld(r) for _, r in dims.iterrows())
    flagged = "unreliable" in dims.columns and dims["unreliable"].fillna(False).astype(bool).any()
    source = _notes(source, lang, withheld, meta, flagged)
    city_of = (_dims(city_dims).set_index("measure")["index"] if city_dims is not None
               else pd.Series(dtype=float))
    facts = []
    for _, row in dims.iterrows():
        value = fmt.SUPPRESSED if _withheld(row) else fmt.number(row["index"], 1, lang)
        city_value = city_of.get(row["measure"])
        versus = (f" ({city_label} {fmt.number(city_value, 1, lang)})"
                  if city_label and not fmt.is_missing(city_value) else "")
        facts.append(f"{nfc(str(row['label']))} {value}{versus}")
    return _finish(fig, title or f"{fmt.t('profile_title', lang)} – {unit_label}", source,
                   [f"{unit_label}: {facts[0]}", *facts[1:]] if facts else ())


@responsive
def district_comparison(
    scores: pd.DataFrame,
    names: Mapping[str, str],
    *,
    source: str,
    lang: str = "vi",
    title: str | None = None,
    meta: Mapping | None = None,
    weighted: pd.DataFrame | None = None,
    unit_level: str | None = None,
    page: tuple[int, int] | None = None,
) -> Figure:
    """Units ranked by the satisfaction index; withheld ones listed last with "—".

    Parameters
    ----------
    scores
        ``Results.scores`` (the ``kind == "index"`` rows are used; the ``"city"`` row,
        if present, is drawn as a dashed line).
    names
        ``{unit code: label}`` of the districts to show.
    meta
        ``Results.meta``: when given and ``scores`` has intervals, each bar is coloured
        by its tier, gets its interval as a whisker and its rank range in the label
        ("76,2 · hạng 1–2"), with a legend of the tiers; a note under the chart
        explains the "—" of withheld units.
    weighted
        ``Results.weighted``: the city line shows the post-stratified figure.
    unit_level
        ``Results.meta["level"]``: how the title calls the units (default districts).
    page
        ``(k, n)``: page k of n (" (k/n)" after the title); :func:`ranking_pages` sets it.
    """
    rows = _index_rows(scores)
    t = _ranking_rows(scores, names)
    detail = meta is not None and {"low", "high", "tier"} <= set(t.columns)
    fig = _figure("comparison", len(t))
    ax = fig.add_subplot()
    if detail:
        _ranking_bars(ax, t, meta, lang)
    else:
        _ranked_bars(ax, t, [fmt.number(v, 1, lang) for v in t["value"]], lang)
    city = rows[rows["unit"] == CITY]
    if weighted is not None and len(weighted):
        city = weighted[weighted["measure"] == "INDEX"]
    facts = [f"{r.name} {fmt.number(r.value, 1, lang)}" for r in t.itertuples()
             if not fmt.is_missing(r.value)]
    hidden = [str(r.name) for r in t.itertuples() if fmt.is_missing(r.value)]
    if hidden:
        facts.append(fmt.t("chart_withheld_units", lang, names=", ".join(hidden)))
    if not city.empty and not fmt.is_missing(city["index"].iloc[0]):
        value = city["index"].iloc[0]
        city_text = fmt.t("city_value", lang, value=fmt.number(value, 1, lang))
        _city_line(ax, value, lang, city_text)
        facts.insert(0, city_text)
    ax.set_xlim(0, 118 if detail else 108)
    ax.set_xticks(range(0, 101, 20))
    _number_axis(ax.xaxis, lang)
    ax.set_xlabel(fmt.t("axis_index", lang))
    if meta is not None and t["value"].isna().any():
        source = f"{fmt.withheld_note(meta, lang)}\n{source}"
    default = (fmt.t("ranking_title", lang, unit_level=unit_level,
                     level=fmt.level(meta.get("confidence"), lang))
               if detail else fmt.t("comparison_title", lang, unit_level=unit_level))
    return _finish(fig, _paged(title or default, page), source, facts)


def _ranking_rows(scores: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """The rows of :func:`district_comparison`, in its order (highest index first)."""
    t = _by_unit(_index_rows(scores), names)
    t["value"] = t["index"].where(~t["suppressed"].astype(bool))
    return _sorted_desc(t)


def ranking_pages(scores: pd.DataFrame, names: Mapping[str, str], *, source: str,
                  lang: str = "vi", title: str | None = None, meta: Mapping | None = None,
                  weighted: pd.DataFrame | None = None, unit_level: str | None = None,
                  per_figure: int = UNITS_PER_FIGURE) -> list[Figure]:
    """:func:`district_comparison` cut into figures of at most ``per_figure`` units.

    The units keep the one chart's order (highest index first, withheld last) across the
    figures; every figure has the same axis, city line and tier colours.
    """
    order = [str(u) for u in _ranking_rows(scores, names)["unit"]]
    runs = split_units(order, per_figure)
    return [district_comparison(scores, {u: names[u] for u in run}, source=source, lang=lang,
                                title=title, meta=meta, weighted=weighted,
                                unit_level=unit_level, page=(k, len(runs)))
            for k, run in enumerate(runs, 1)]


def _ranking_bars(ax, frame: pd.DataFrame, meta: Mapping, lang: str) -> None:
    """Bars coloured by tier with interval whiskers and "value · hạng a–b" labels."""
    colours = _tier_colours(meta)
    used, drawn = [], []  # tiers shown; (y, value, low, high) of the whiskers
    for i, r in enumerate(frame.itertuples()):
        if fmt.is_missing(r.value):
            _dash(ax, i)
            continue
        ax.barh(i, r.value, color=colours.get(r.tier, TIER_COLOURS[-1]), height=0.65)
        used.append(r.tier)
        right = r.value
        if not fmt.is_missing(r.low):
            drawn.append((i, r.value, r.low, r.high))
            right = max(right, r.high)
        text = fmt.number(r.value, 1, lang)
        rank = getattr(r, "rank", None)
        if not fmt.is_missing(rank):
            span = fmt.rank_range(rank, r.rank_low, r.rank_high, lang)
            span = span.split(" (")[1].rstrip(")") if "(" in span else span
            text += " · " + fmt.t("rank_short", lang, rank=span)
        if bool(getattr(r, "unreliable", False)):
            text += fmt.UNRELIABLE
        ax.text(right + 1, i, text, va="center", ha="left", fontsize=8, bbox=_LABEL_BOX)
    _whiskers(ax, drawn)
    ax.set_yticks(range(len(frame)), list(frame["name"]))
    ax.set_ylim(len(frame) - 0.4, -0.6)
    ax.grid(axis="y", visible=False)
    handles = [Patch(facecolor=colours[t["id"]], label=nfc(str(t[lang])))
               for t in meta.get("tiers", []) if t["id"] in used]
    handles.append(_whisker_handle(lang, meta.get("confidence")))
    _legend_above(ax, ncols=len(handles), handles=handles)


@responsive
def heatmap(
    scores: pd.DataFrame,
    names: Mapping[str, str],
    labels: Mapping[str, str],
    *,
    source: str,
    lang: str = "vi",
    title: str | None = None,
    meta: Mapping | None = None,
    unit_level: str | None = None,
    page: tuple[int, int] | None = None,
    value_range: tuple[float, float] | None = None,
    tall: bool | None = None,
) -> Figure:
    """Index of every dimension (rows) in every unit (columns); withheld cells hatched.

    With ``meta`` (``Results.meta``) a note under the chart explains the hatched "—"
    cells (:func:`~hailong.present.fmt.withheld_note`), and an estimate flagged
    unreliable (``unreliable`` column) gets "*".

    Parameters
    ----------
    scores
        ``Results.scores`` (``kind == "dimension"`` rows are used).
    names
        ``{unit code: label}`` of the districts, in column order.
    labels
        ``{dimension id: name}`` in row order.
    unit_level
        ``Results.meta["level"]``: how the title calls the units (default districts).
    page
        ``(k, n)``: page k of n (" (k/n)" after the title); :func:`heatmap_pages` sets it.
    value_range
        ``(low, high)`` of the colour scale (default: the shown values, to tens).
    tall
        One row per unit (default: when there are more than :data:`HEATMAP_COLUMNS`).
    """
    rows = scores[scores["measure"].isin(list(labels))]
    rows = rows.assign(value=rows["index"].where(~rows["suppressed"].astype(bool)))
    grid = (rows.pivot_table(index="measure", columns="unit", values="value",
                             aggfunc="first", dropna=False)
            .reindex(index=list(labels), columns=list(names)))
    values = grid.to_numpy(dtype=float)
    annot = np.array([[fmt.number(v, 0, lang) for v in row] for row in values], dtype=object)
    if "unreliable" in rows.columns:
        flags = (rows.assign(flag=rows["unreliable"].fillna(False).astype(bool))
                 .pivot_table(index="measure", columns="unit", values="flag", aggfunc="first")
                 .reindex(index=list(labels), columns=list(names)).fillna(False)
                 .to_numpy(dtype=bool))
        annot = np.where(flags & ~np.isnan(values), annot + fmt.UNRELIABLE, annot)
    # many units (a commune round): one row per unit instead of one column
    tall = len(names) > HEATMAP_COLUMNS if tall is None else tall
    facts = _heat_facts(values, list(names.values()), list(labels.values()), lang)
    # a phone: one row per unit, the areas numbered (their names in the note under it)
    numbered = narrow()
    tall = tall or numbered
    columns = ([str(k) for k in range(1, len(labels) + 1)] if numbered
               else [_wrap(v) for v in labels.values()] if tall else list(names.values()))
    row_names = list(names.values()) if tall else [_wrap(v) for v in labels.values()]
    if tall:
        values, annot = values.T, annot.T
    fig = _figure("heatmap", len(names) if tall else 0)
    ax = fig.add_subplot()
    low, high = value_range or _heat_range(values)
    sns.heatmap(values, ax=ax, cmap=HEATMAP_CMAP, vmin=low, vmax=max(high, low + 10),
                annot=annot, fmt="", annot_kws={"fontsize": 8}, linewidths=0.5,
                cbar=not numbered,  # a phone: the figures in the cells say it all
                linecolor="white", cbar_kws={"label": fmt.t("axis_index", lang), "shrink": 0.8,
                                             "format": FuncFormatter(
                                                 lambda v, _p: fmt.number(v, 0, lang))})
    mesh = ax.collections[0]  # the figures in the cells: white or black, 4,5:1 at least
    for text in list(ax.texts):
        x, y = text.get_position()
        r, c = int(y), int(x)
        if 0 <= r < values.shape[0] and 0 <= c < values.shape[1] and not np.isnan(values[r, c]):
            text.set_color(text_colour(mesh.cmap(mesh.norm(values[r, c]))))
    for r, c in zip(*np.where(np.isnan(values))):
        ax.add_patch(Rectangle((c, r), 1, 1, facecolor="#f2f2f2", hatch="///",
                               edgecolor="#bbbbbb", linewidth=0))
        ax.text(c + 0.5, r + 0.5, fmt.SUPPRESSED, ha="center", va="center", fontsize=9,
                color="#444444")
    ax.set_xticks(np.arange(len(columns)) + 0.5, columns, rotation=0 if numbered else 45,
                  ha="center" if numbered else "left" if tall else "right",
                  rotation_mode="anchor")
    if tall:  # the areas' names above the long table of units
        ax.tick_params(axis="x", top=True, labeltop=True, bottom=False, labelbottom=False)
    ax.set_yticks(np.arange(len(row_names)) + 0.5, row_names, rotation=0)
    ax.set_xlabel("")
    ax.set_ylabel("")
    source = _notes(source, lang, bool(np.isnan(values).any()), meta,
                    any(fmt.UNRELIABLE in str(a) for a in annot.ravel()))
    if numbered:
        key = "; ".join(f"{k} {nfc(str(v))}" for k, v in enumerate(labels.values(), 1))
        source = f"{key}\n{source}"
        _raise_small_text(fig)
    return _finish(fig, _paged(title or fmt.t("heatmap_title", lang, unit_level=unit_level),
                               page), source, facts)


def _heat_facts(values: np.ndarray, units: list[str], areas: list[str],
                lang: str) -> list[str]:
    """Per area (row of ``values``): the unit with the highest and the lowest index."""
    out = []
    for area, row in zip(areas, values):
        shown = [(v, u) for v, u in zip(row, units) if not np.isnan(v)]
        if not shown:
            out.append(f"{nfc(str(area))} {fmt.SUPPRESSED}")
            continue
        high, low = max(shown, key=lambda x: x[0]), min(shown, key=lambda x: x[0])
        out.append(fmt.t("chart_high_low", lang, label=nfc(str(area)),
                         high=f"{high[1]} {fmt.number(high[0], 0, lang)}",
                         low=f"{low[1]} {fmt.number(low[0], 0, lang)}"))
    return out


def _heat_range(values: np.ndarray) -> tuple[float, float]:
    """The heatmap's colour scale: the shown values' range widened to tens."""
    shown = values[~np.isnan(values)]
    low = float(np.floor(shown.min() / 10) * 10) if shown.size else 0.0
    high = float(np.ceil(shown.max() / 10) * 10) if shown.size else 100.0
    return low, high


def heatmap_pages(scores: pd.DataFrame, names: Mapping[str, str], labels: Mapping[str, str],
                  *, source: str, lang: str = "vi",
                  title: str | None = None, meta: Mapping | None = None,
                  unit_level: str | None = None,
                  per_figure: int = UNITS_PER_FIGURE) -> list[Figure]:
    """:func:`heatmap` cut into figures of at most ``per_figure`` units, in ``names``' order.

    Every figure has the same colour scale and layout (one row per unit when the units
    are more than :data:`HEATMAP_COLUMNS` in all), so colours compare across figures.
    """
    rows = scores[scores["measure"].isin(list(labels))
                  & scores["unit"].astype(str).isin(list(names))]
    values = rows["index"].where(~rows["suppressed"].astype(bool)).to_numpy(dtype=float)
    span = _heat_range(values)
    tall = len(names) > HEATMAP_COLUMNS
    runs = split_units(list(names), per_figure)
    return [heatmap(scores, {u: names[u] for u in run}, labels, source=source, lang=lang,
                    title=title, meta=meta, unit_level=unit_level,
                    page=(k, len(runs)), value_range=span, tall=tall)
            for k, run in enumerate(runs, 1)]
