"""The report charts: one seaborn theme, a title, axis units and a source line on each.

Every function takes plain DataFrames (rows of :class:`hailong.scoring.Results` tables)
and ``lang``, and returns a :class:`matplotlib.figure.Figure` made without pyplot (no
global figure state; nothing is shown until :func:`show`). A withheld value (fewer than
``min_n`` respondents) is never drawn as 0: its bar is left out and "—" is written in
its place.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MultipleLocator

from . import fmt
from .codebook import nfc
from .geography import CITY

#: Font that covers every Vietnamese letter (matplotlib ships it). A list: matplotlib
#: 3.11 rejects a bare family string in ``FontProperties``.
FONT = ["DejaVu Sans"]
#: Figure sizes in inches (width, height), one per chart kind.
SIZES = {
    "profile": (8.0, 6.2),
    "distribution": (9.0, 6.8),
    "coverage": (6.0, 4.2),
    "coverage_by_district": (8.0, 6.2),
    "comparison": (8.0, 6.2),
    "heatmap": (11.0, 7.4),
}
#: Colour-blind-safe palette (seaborn "colorblind"); bars use its first colour.
PALETTE = "colorblind"
#: Colours for the city's mark, the "not yet" part and the neutral answer.
CITY_COLOUR, REST_COLOUR, NEUTRAL_COLOUR = "#222222", "#d0d0d0", "#cccccc"
#: Sequential colour map of the heatmap (colour-blind safe, light = low).
HEATMAP_CMAP = "YlGnBu"
#: Dimension names longer than this are wrapped on two lines.
WRAP = 34
_SOURCE_SIZE = 8
# White box behind value labels, so a reference line never runs through the digits.
_LABEL_BOX = {"facecolor": "white", "edgecolor": "none", "pad": 1.0, "alpha": 0.9}


def set_theme() -> None:
    """Apply the one report theme (whitegrid, colour-blind palette, DejaVu Sans)."""
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, rc={
        "font.family": FONT,
        "font.sans-serif": FONT,
        "axes.titlesize": 13,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.labelsize": 10,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "legend.fontsize": 9,
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "svg.fonttype": "none",
    })


def show(fig: Figure, alt: str | None = None) -> None:
    """Display ``fig`` in the notebook as a PNG image (the HTML export embeds it)."""
    from IPython.display import Image, display

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150)
    display(Image(data=buffer.getvalue(), width=int(fig.get_figwidth() * 100),
                  metadata={"alt": alt or fig.get_suptitle()}))


def _figure(kind: str) -> Figure:
    """A new figure of ``kind``'s size in the report theme (applied every time, so a chart
    looks the same whatever the caller did to matplotlib's settings)."""
    set_theme()
    return Figure(figsize=SIZES[kind], layout="constrained")


def _finish(fig: Figure, title: str, source: str) -> Figure:
    """Title at the top left, source line at the bottom left of the figure.

    Title, legend (above the axes) and source line all take part in the constrained
    layout, so none of them overlaps another.
    """
    fig.suptitle(nfc(title), x=0.01, ha="left", fontsize=13, fontweight="bold")
    fig.supxlabel(nfc(source), x=0.01, ha="left", fontsize=_SOURCE_SIZE, color="#555555")
    return fig


def _legend_above(ax, ncols: int, handles: list | None = None) -> None:
    """A one-line legend between the title and the plot, aligned left."""
    kw = {"handles": handles} if handles is not None else {}
    ax.legend(**kw, loc="lower left", bbox_to_anchor=(0, 1.01), ncols=ncols, frameon=False,
              borderaxespad=0, handlelength=1.2, columnspacing=1.2)


def _wrap(label: str) -> str:
    return textwrap.fill(nfc(str(label)), WRAP)


def _number_axis(axis, lang: str, decimals: int = 0) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.number(v, decimals, lang)))


def _dims(table: pd.DataFrame) -> pd.DataFrame:
    """Rows of a dimension table (``Results.dimension_table``) in their given order."""
    if "kind" in table.columns:
        table = table[table["kind"] == "dimension"]
    return table.reset_index(drop=True)


def _withheld(row: pd.Series) -> bool:
    return bool(row.get("suppressed", False)) or fmt.is_missing(row["index"])


def _dash(ax, y: float, x: float = 1.0) -> None:
    """Write "—" where a withheld bar would be."""
    ax.text(x, y, fmt.SUPPRESSED, va="center", ha="left", color="#555555", fontsize=10)


def dimension_profile(
    unit_dims: pd.DataFrame,
    city_dims: pd.DataFrame | None,
    *,
    unit_label: str,
    city_label: str,
    source: str,
    lang: str = "vi",
    title: str | None = None,
) -> Figure:
    """The unit's index per dimension (bars) beside the city's (black diamonds).

    Parameters
    ----------
    unit_dims, city_dims
        ``Results.dimension_table(unit, lang)`` and the same for ``"city"``: columns
        ``measure, label, index, suppressed`` in codebook order. ``city_dims`` may be
        ``None`` (the citywide report).
    unit_label, city_label
        Legend entries (e.g. "Huyện Thuỷ Nguyên", "Toàn thành phố").
    source
        The source line (:func:`hailong.fmt.source_line`).
    """
    dims = _dims(unit_dims)
    fig = _figure("profile")
    ax = fig.add_subplot()
    y = np.arange(len(dims))
    colour = sns.color_palette(PALETTE)[0]
    legend = unit_label
    for i, row in dims.iterrows():
        if _withheld(row):
            _dash(ax, i)
            continue
        ax.barh(i, row["index"], color=colour, height=0.6, label=legend)
        legend = None  # one legend entry for all bars
        ax.text(row["index"] + 1, i, fmt.number(row["index"], 1, lang), va="center",
                ha="left", fontsize=8, bbox=_LABEL_BOX)
    if city_dims is not None:
        city = _dims(city_dims).set_index("measure")["index"].reindex(dims["measure"])
        shown = city.notna().to_numpy()
        ax.scatter(city.to_numpy()[shown], y[shown], marker="D", s=28, color=CITY_COLOUR,
                   zorder=3, label=city_label)
    ax.set_yticks(y, [_wrap(v) for v in dims["label"]])
    ax.invert_yaxis()
    ax.set_xlim(0, 108)
    ax.xaxis.set_major_locator(MultipleLocator(20))
    _number_axis(ax.xaxis, lang)
    ax.set_xlabel(fmt.t("axis_index", lang))
    ax.grid(axis="y", visible=False)
    _legend_above(ax, ncols=2)
    return _finish(fig, title or f"{fmt.t('profile_title', lang)} – {unit_label}", source)


def diverging_colours(n: int) -> list:
    """``n`` colours from red (lowest answer) through grey (middle) to blue (highest).

    Built on ColorBrewer's RdBu, which is safe for colour-blind readers; the middle
    answer of an odd scale is neutral grey.
    """
    half = n // 2
    ends = sns.color_palette("RdBu", 2 * half + 2)
    reds, blues = ends[:half], ends[-half:] if half else []
    middle = [NEUTRAL_COLOUR] if n % 2 else []
    return list(reds) + middle + list(blues)


def _text_colour(colour) -> str:
    r, g, b = sns.color_palette([colour])[0]
    return "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5 else "black"


def answer_distribution(
    distribution_rows: pd.DataFrame,
    scale_labels: Mapping[int, str],
    *,
    labels: Mapping[str, str],
    source: str,
    lang: str = "vi",
    title: str | None = None,
) -> Figure:
    """100% stacked bars of the answers per dimension, lowest answer on the left.

    Parameters
    ----------
    distribution_rows
        ``Results.unit(code).distribution``: ``measure, value, share`` (NaN share =
        withheld). Rows of measures not in ``labels`` are ignored.
    scale_labels
        ``{value: label}`` of the answer scale (:func:`hailong.fmt.scale_labels`).
    labels
        ``{measure: name}`` of the dimensions to show, in the order to show them.
    """
    values = sorted(scale_labels)
    colours = dict(zip(values, diverging_colours(len(values))))
    share = (distribution_rows.pivot_table(index="measure", columns="value", values="share",
                                           aggfunc="first", dropna=False)
             .reindex(index=list(labels), columns=values))
    fig = _figure("distribution")
    ax = fig.add_subplot()
    for i, measure in enumerate(labels):
        row = share.loc[measure]
        if row.isna().all():
            _dash(ax, i)
            continue
        left = 0.0
        for v in values:
            width = 100 * float(row[v]) if not fmt.is_missing(row[v]) else 0.0
            if width > 0:
                ax.barh(i, width, left=left, color=colours[v], height=0.7,
                        edgecolor="white", linewidth=0.5)
                if width >= 7:
                    ax.text(left + width / 2, i, fmt.number(width, 0, lang), ha="center",
                            va="center", fontsize=7.5, color=_text_colour(colours[v]))
            left += width
    ax.set_yticks(range(len(labels)), [_wrap(v) for v in labels.values()])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    _number_axis(ax.xaxis, lang)
    ax.set_xlabel(fmt.t("axis_share", lang))
    ax.grid(axis="y", visible=False)
    handles = [Patch(facecolor=colours[v], label=nfc(scale_labels[v])) for v in values]
    _legend_above(ax, handles=handles, ncols=len(values))
    return _finish(fig, title or fmt.t("distribution_title", lang), source)


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
    ax.legend(handles=[Patch(facecolor=c, label=n) for c, n in zip(colours, names)],
              loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    return _finish(fig, title or fmt.t("coverage_title", lang), source)


def _city_line(ax, value: float, lang: str, text: str) -> None:
    ax.axvline(value, color=CITY_COLOUR, linestyle="--", linewidth=1)
    ax.text(value, 1.0, f" {text}", transform=ax.get_xaxis_transform(), ha="left",
            va="bottom", fontsize=8, color=CITY_COLOUR)


def _ranked_bars(ax, frame: pd.DataFrame, value_text: Sequence[str], lang: str) -> None:
    """Horizontal bars of ``frame["value"]`` (top = first row); NaN rows get "—"."""
    colour = sns.color_palette(PALETTE)[0]
    for i, (value, text) in enumerate(zip(frame["value"], value_text)):
        if fmt.is_missing(value):
            _dash(ax, i)
            continue
        ax.barh(i, value, color=colour, height=0.65)
        ax.text(value + 1, i, text, va="center", ha="left", fontsize=8, bbox=_LABEL_BOX)
    ax.set_yticks(range(len(frame)), list(frame["name"]))
    ax.set_ylim(len(frame) - 0.4, -0.6)  # first row on top
    ax.grid(axis="y", visible=False)


def _by_unit(table: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """Rows of ``table`` for the units of ``names`` with a ``name`` column."""
    t = table[table["unit"].astype(str).isin(list(names))].copy()
    t["name"] = t["unit"].astype(str).map(names)
    return t


def _sorted_desc(frame: pd.DataFrame) -> pd.DataFrame:
    """Highest value first; ties and withheld (NaN, last) keep the given (code) order."""
    return frame.sort_values("value", ascending=False, na_position="last",
                             kind="stable").reset_index(drop=True)


def coverage_by_district(
    coverage: pd.DataFrame,
    names: Mapping[str, str],
    *,
    source: str,
    lang: str = "vi",
    title: str | None = None,
) -> Figure:
    """Coverage of every district, highest first, with the city's coverage marked.

    Parameters
    ----------
    coverage
        ``Results.coverage`` (every unit and ``"city"``).
    names
        ``{unit code: label}`` of the districts to show (:func:`hailong.fmt.unit_names`).
    """
    t = _by_unit(coverage, names)
    t["value"] = 100 * t["share"]
    t = _sorted_desc(t)
    text = [f"{fmt.percent(r.share, 1, lang)} ({fmt.count(r.answered, lang)}/"
            f"{fmt.count(r.roster_n, lang)})" for r in t.itertuples()]
    fig = _figure("coverage_by_district")
    ax = fig.add_subplot()
    _ranked_bars(ax, t, text, lang)
    city = coverage[coverage["unit"] == CITY]
    if not city.empty and not fmt.is_missing(city["share"].iloc[0]):
        share = city["share"].iloc[0]
        _city_line(ax, 100 * share, lang,
                   fmt.t("city_value", lang, value=fmt.percent(share, 1, lang)))
    ax.set_xlim(0, 118)
    ax.set_xticks(range(0, 101, 20))
    _number_axis(ax.xaxis, lang)
    ax.set_xlabel(fmt.t("axis_coverage", lang))
    return _finish(fig, title or fmt.t("coverage_by_district_title", lang), source)


def _index_rows(scores: pd.DataFrame) -> pd.DataFrame:
    if "kind" in scores.columns:
        scores = scores[scores["kind"] == "index"]
    return scores


def district_comparison(
    scores: pd.DataFrame,
    names: Mapping[str, str],
    *,
    source: str,
    lang: str = "vi",
    title: str | None = None,
) -> Figure:
    """Districts ranked by the satisfaction index; withheld ones listed last with "—".

    Parameters
    ----------
    scores
        ``Results.scores`` (the ``kind == "index"`` rows are used; the ``"city"`` row,
        if present, is drawn as a dashed line).
    names
        ``{unit code: label}`` of the districts to show.
    """
    rows = _index_rows(scores)
    t = _by_unit(rows, names)
    t["value"] = t["index"].where(~t["suppressed"].astype(bool))
    t = _sorted_desc(t)
    fig = _figure("comparison")
    ax = fig.add_subplot()
    _ranked_bars(ax, t, [fmt.number(v, 1, lang) for v in t["value"]], lang)
    city = rows[rows["unit"] == CITY]
    if not city.empty and not fmt.is_missing(city["index"].iloc[0]):
        value = city["index"].iloc[0]
        _city_line(ax, value, lang, fmt.t("city_value", lang, value=fmt.number(value, 1, lang)))
    ax.set_xlim(0, 108)
    ax.set_xticks(range(0, 101, 20))
    _number_axis(ax.xaxis, lang)
    ax.set_xlabel(fmt.t("axis_index", lang))
    return _finish(fig, title or fmt.t("comparison_title", lang), source)


def heatmap(
    scores: pd.DataFrame,
    names: Mapping[str, str],
    labels: Mapping[str, str],
    *,
    source: str,
    lang: str = "vi",
    min_n: int | None = None,
    title: str | None = None,
) -> Figure:
    """Index of every dimension (rows) in every district (columns); withheld cells hatched.

    Parameters
    ----------
    scores
        ``Results.scores`` (``kind == "dimension"`` rows are used).
    names
        ``{unit code: label}`` of the districts, in column order.
    labels
        ``{dimension id: name}`` in row order.
    min_n
        If given, a note under the chart explains the hatched "—" cells.
    """
    rows = scores[scores["measure"].isin(list(labels))]
    rows = rows.assign(value=rows["index"].where(~rows["suppressed"].astype(bool)))
    grid = (rows.pivot_table(index="measure", columns="unit", values="value",
                             aggfunc="first", dropna=False)
            .reindex(index=list(labels), columns=list(names)))
    values = grid.to_numpy(dtype=float)
    annot = np.array([[fmt.number(v, 0, lang) for v in row] for row in values])
    fig = _figure("heatmap")
    ax = fig.add_subplot()
    shown = values[~np.isnan(values)]
    low = float(np.floor(shown.min() / 10) * 10) if shown.size else 0.0
    high = float(np.ceil(shown.max() / 10) * 10) if shown.size else 100.0
    sns.heatmap(values, ax=ax, cmap=HEATMAP_CMAP, vmin=low, vmax=max(high, low + 10),
                annot=annot, fmt="", annot_kws={"fontsize": 8}, linewidths=0.5,
                linecolor="white", cbar_kws={"label": fmt.t("axis_index", lang), "shrink": 0.8,
                                             "format": FuncFormatter(
                                                 lambda v, _p: fmt.number(v, 0, lang))})
    for r, c in zip(*np.where(np.isnan(values))):
        ax.add_patch(Rectangle((c, r), 1, 1, facecolor="#f2f2f2", hatch="///",
                               edgecolor="#bbbbbb", linewidth=0))
        ax.text(c + 0.5, r + 0.5, fmt.SUPPRESSED, ha="center", va="center", fontsize=9,
                color="#444444")
    ax.set_xticks(np.arange(len(names)) + 0.5, list(names.values()), rotation=45,
                  ha="right", rotation_mode="anchor")
    ax.set_yticks(np.arange(len(labels)) + 0.5, [_wrap(v) for v in labels.values()],
                  rotation=0)
    ax.set_xlabel("")
    ax.set_ylabel("")
    if min_n is not None:
        source = f"{fmt.t('suppressed_note', lang, min_n=min_n)}\n{source}"
    return _finish(fig, title or fmt.t("heatmap_title", lang), source)
