"""The report charts: one seaborn theme, a title, axis units and a source line on each.

Every function takes plain DataFrames (rows of :class:`hailong.numbers.scoring.Results` tables,
or of a :class:`hailong.numbers.rounds.Trend`) and ``lang``, and returns a
:class:`matplotlib.figure.Figure` made without pyplot (no global figure state; nothing is
shown until :func:`show`); :func:`item_charts` returns several, each fitting an A4 page.
A withheld value (fewer than ``min_n`` respondents) is never drawn as 0: its bar is left
out and "—" is written in its place (a withheld unit of a map is grey and hatched).

Charts: :func:`dimension_profile` (a unit against the city), :func:`answer_distribution`
(answers per dimension), :func:`item_distribution` / :func:`item_charts` (answers to each
question, diverging bars), :func:`coverage_chart` (donut), :func:`coverage_by_district`,
:func:`district_comparison` (ranking with intervals, tiers, rank ranges),
:func:`choropleth` (map of the units from a GeoJSON file: :func:`boundaries_for`),
:func:`heatmap`, :func:`theme_bars`, :func:`trend_chart` (index over the rounds), and the
survey-progress charts at the end of the module.

The charts with one row per unit have a ``*_pages`` form (:func:`coverage_pages`,
:func:`ranking_pages`, :func:`heatmap_pages`) returning a list of figures of at most
:data:`UNITS_PER_FIGURE` units each, titled "(1/4)", "(2/4)", ...: one figure for the 15
districts, four for the 114 communes of 2025. Titles name the units of the round's level
(``unit_level``, :func:`hailong.present.fmt.unit_words`).
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from hailong.present import fmt
from hailong.core.text import nfc
from hailong.reference.geography import CITY

#: Font that covers every Vietnamese letter (matplotlib ships it). A list: matplotlib
#: 3.11 rejects a bare family string in ``FontProperties``.
FONT = ["DejaVu Sans"]
#: How SVG charts name their font: the one matplotlib measured the text with, then
#: look-alikes for a reader's machine that lacks it.
_SVG_FONT = f"font-family: '{FONT[0]}'"
_SVG_FONTS = f"font-family: '{FONT[0]}', 'Noto Sans', Verdana, 'Segoe UI', Arial, sans-serif"
#: Figure sizes in inches (width, height), one per chart kind.
SIZES = {
    "profile": (8.0, 6.2),
    "distribution": (9.0, 6.8),
    "coverage": (6.0, 4.2),
    "coverage_by_district": (8.0, 6.2),
    "comparison": (8.0, 6.2),
    "heatmap": (11.0, 7.4),
    "themes": (8.0, 5.6),
}
#: Colours of the tiers, best first: ColorBrewer YlGnBu, a sequential palette safe for
#: colour-blind readers (the better, the darker). The ranking and the map use the same.
TIER_COLOURS = ["#24419a", "#1f80b8", "#40b5c4", "#97d6b9", "#777777", "#999999"]
#: Colour of interval whiskers.
WHISKER_COLOUR = "#333333"
#: Colour-blind-safe palette (seaborn "colorblind"); bars use its first colour.
PALETTE = "colorblind"
#: Colours for the city's mark, the "not yet" part and the neutral answer.
CITY_COLOUR, REST_COLOUR, NEUTRAL_COLOUR = "#222222", "#d0d0d0", "#cccccc"
#: Sequential colour map of the heatmap (colour-blind safe, light = low).
HEATMAP_CMAP = "YlGnBu"
#: A heatmap of more units than this has one row per unit (not one column).
HEATMAP_COLUMNS = 20
#: Charts with one row per unit show at most this many units per figure (an A4 page).
UNITS_PER_FIGURE = 30
#: Dimension names longer than this are wrapped on two lines.
WRAP = 34
_SOURCE_SIZE = 8
# White box behind value labels, so a reference line never runs through the digits.
_LABEL_BOX = {"facecolor": "white", "edgecolor": "none", "pad": 1.0, "alpha": 0.9}


#: Text sizes measured so far, shared by every figure of the process (see
#: :func:`_share_text_metrics`); emptied when it grows beyond this many entries.
_TEXT_METRICS: dict = {}
_TEXT_METRICS_MAX = 50_000


def _share_text_metrics() -> None:
    """Let every figure reuse the text sizes other figures measured.

    matplotlib measures each label with FreeType and caches the size per renderer, i.e.
    per ``savefig``; the reports draw the same question labels, tick labels and titles
    in every figure of every report, so a third of a chart's time went into measuring
    them again. The shared cache is keyed by everything the size depends on (renderer
    kind, text, font, mathtext, dpi and the text rcParams), so a chart comes out byte
    for byte the same (``tests/test_charts_speed.py``).
    """
    import matplotlib.text as mtext

    measure = mtext._get_text_metrics_with_cache
    if getattr(measure, "hailong_shared", False):
        return

    def shared(renderer, text, fontprop, ismath, dpi):
        rc = mpl.rcParams
        key = (type(renderer), text, fontprop.copy(), ismath, dpi, rc["text.hinting"],
               rc["text.hinting_factor"], rc["text.kerning_factor"])
        try:
            return _TEXT_METRICS[key]
        except KeyError:
            if len(_TEXT_METRICS) >= _TEXT_METRICS_MAX:
                _TEXT_METRICS.clear()
            value = _TEXT_METRICS[key] = measure(renderer, text, fontprop, ismath, dpi)
            return value

    shared.hailong_shared = True
    shared.original = measure
    mtext._get_text_metrics_with_cache = shared


def set_theme() -> None:
    """Apply the one report theme (whitegrid, colour-blind palette, DejaVu Sans)."""
    _share_text_metrics()
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


def figure_svg(fig: Figure) -> str:
    """``fig`` as SVG text: text kept as text (a tenth of a PNG's size, sharp in print,
    drawn in about half the time), fonts named with fallbacks, and the same bytes for
    the same figure (no date, fixed ids)."""
    buffer = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "hailong"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue().replace(_SVG_FONT, _SVG_FONTS)


def show(fig: Figure, alt: str | None = None) -> None:
    """Display ``fig`` in the notebook as an SVG image (the HTML export embeds it)."""
    from IPython.display import display

    mime = "image/svg+xml"
    display({mime: figure_svg(fig)}, raw=True,
            metadata={mime: {"alt": alt or fig.get_suptitle(),
                             "width": int(fig.get_figwidth() * 100)}})


#: Charts with one row per unit grow by this many inches per row beyond :data:`ROWS_FIT`
#: rows (a commune round has more than a hundred units).
ROW_HEIGHT, ROWS_FIT = 0.22, 16


def _figure(kind: str, rows: int = 0) -> Figure:
    """A new figure of ``kind``'s size in the report theme (applied every time, so a chart
    looks the same whatever the caller did to matplotlib's settings); a chart of more
    than :data:`ROWS_FIT` rows is made taller so that every row stays readable."""
    set_theme()
    width, height = SIZES[kind]
    if rows > ROWS_FIT:
        height += ROW_HEIGHT * (rows - ROWS_FIT)
    return Figure(figsize=(width, height), layout="constrained")


def split_units(codes: Sequence[str], per_figure: int = UNITS_PER_FIGURE) -> list[list[str]]:
    """``codes`` cut, in order, into the fewest runs of at most ``per_figure``, as even as
    possible (114 -> 29, 29, 28, 28; 15 -> one run of 15)."""
    if per_figure < 1:
        raise ValueError(f"per_figure must be at least 1, not {per_figure}")
    codes = list(codes)
    pages = max(1, math.ceil(len(codes) / per_figure))
    size, extra = divmod(len(codes), pages)
    out, start = [], 0
    for k in range(pages):
        end = start + size + (1 if k < extra else 0)
        out.append(codes[start:end])
        start = end
    return out


def _paged(title: str, page: tuple[int, int] | None) -> str:
    """``title`` with " (k/n)" when the chart is page k of n > 1."""
    return f"{title} ({page[0]}/{page[1]})" if page and page[1] > 1 else title


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
    confidence: float | None = None,
    min_n: int | None = None,
    meta: Mapping | None = None,
) -> Figure:
    """The unit's index per dimension (bars) beside the city's (black diamonds).

    With ``Results.estimates`` tables the bars get interval whiskers and a ▲ / ▼ after
    the value where the unit is above / below the city beyond the uncertainty
    (``vs_city``). With ``min_n`` (and ``meta``) a note under the chart explains "—"
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
    fig = _figure("profile")
    ax = fig.add_subplot()
    y = np.arange(len(dims))
    colour = sns.color_palette(PALETTE)[0]
    legend = unit_label
    whiskers = {"low", "high"} <= set(dims.columns)
    marks = {"above": " ▲", "below": " ▼"}
    for i, row in dims.iterrows():
        if _withheld(row):
            _dash(ax, i)
            continue
        ax.barh(i, row["index"], color=colour, height=0.6, label=legend)
        legend = None  # one legend entry for all bars
        right = row["index"]
        if whiskers and not fmt.is_missing(row["low"]):
            _whisker(ax, i, row["index"], row["low"], row["high"])
            right = max(right, row["high"])
        text = fmt.number(row["index"], 1, lang) + marks.get(str(row.get("vs_city", "")), "")
        if not fmt.is_missing(row.get("unreliable")) and bool(row.get("unreliable", False)):
            text += fmt.UNRELIABLE
        ax.text(right + 1, i, text, va="center", ha="left", fontsize=8, bbox=_LABEL_BOX)
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
    source = _notes(source, lang, withheld, min_n, meta, flagged)
    return _finish(fig, title or f"{fmt.t('profile_title', lang)} – {unit_label}", source)


def _notes(source: str, lang: str, withheld: bool, min_n: int | None,
           meta: Mapping | None, unreliable: bool = False) -> str:
    """``source`` with the footnotes of "—" (withheld) and "*" (unreliable) above it."""
    notes = []
    if withheld and min_n is not None:
        key = ("suppressed_note_secondary" if meta and meta.get("secondary_suppression")
               else "suppressed_note")
        notes.append(fmt.t(key, lang, min_n=min_n))
    if unreliable and meta:
        notes.append(fmt.t("unreliable_note", lang,
                           rse=fmt.percent(meta.get("rse_threshold"), 0, lang)))
    return ". ".join(notes) + f"\n{source}" if notes else source


def _whisker(ax, y: float, value: float, low: float, high: float) -> None:
    """An interval whisker from ``low`` to ``high`` at height ``y``."""
    ax.errorbar(value, y, xerr=[[value - low], [high - value]], fmt="none",
                ecolor=WHISKER_COLOUR, elinewidth=1, capsize=3, zorder=4)


def _whisker_handle(lang: str, confidence: float | None) -> Line2D:
    return Line2D([], [], color=WHISKER_COLOUR, marker="|", markersize=8, linewidth=1,
                  label=fmt.t("legend_interval", lang, level=fmt.level(confidence, lang)))


def _text_handle(label: str) -> Patch:
    """A legend entry that is only words (the marks are already in them)."""
    return Patch(facecolor="none", edgecolor="none", label=label)


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
    min_n: int | None = None,
    meta: Mapping | None = None,
) -> Figure:
    """100% stacked bars of the answers per dimension, lowest answer on the left.

    With ``min_n`` (and ``meta``) a note under the chart explains "—".

    Parameters
    ----------
    distribution_rows
        ``Results.unit(code).distribution``: ``measure, value, share`` (NaN share =
        withheld). Rows of measures not in ``labels`` are ignored.
    scale_labels
        ``{value: label}`` of the answer scale (:func:`hailong.present.fmt.scale_labels`).
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
    withheld = bool(share.isna().all(axis=1).any())
    return _finish(fig, title or fmt.t("distribution_title", lang),
                   _notes(source, lang, withheld, min_n, meta))


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
    if not city.empty and not fmt.is_missing(city["share"].iloc[0]):
        share = city["share"].iloc[0]
        _city_line(ax, 100 * share, lang,
                   fmt.t("city_value", lang, value=fmt.percent(share, 1, lang)))
    ax.set_xlim(0, 118)
    ax.set_xticks(range(0, 101, 20))
    _number_axis(ax.xaxis, lang)
    ax.set_xlabel(fmt.t("axis_coverage", lang))
    return _finish(fig, _paged(title or fmt.t("coverage_by_district_title", lang,
                                              unit_level=unit_level), page), source)


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
    meta: Mapping | None = None,
    weighted: pd.DataFrame | None = None,
    min_n: int | None = None,
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
        ("76,2 · hạng 1–2"), with a legend of the tiers.
    weighted
        ``Results.weighted``: the city line shows the post-stratified figure.
    min_n
        If given, a note under the chart explains the "—" of withheld units.
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
    if not city.empty and not fmt.is_missing(city["index"].iloc[0]):
        value = city["index"].iloc[0]
        _city_line(ax, value, lang, fmt.t("city_value", lang, value=fmt.number(value, 1, lang)))
    ax.set_xlim(0, 118 if detail else 108)
    ax.set_xticks(range(0, 101, 20))
    _number_axis(ax.xaxis, lang)
    ax.set_xlabel(fmt.t("axis_index", lang))
    if min_n is not None and t["value"].isna().any():
        key = ("suppressed_note_secondary" if meta and meta.get("secondary_suppression")
               else "suppressed_note")
        source = f"{fmt.t(key, lang, min_n=min_n)}\n{source}"
    default = (fmt.t("ranking_title", lang, unit_level=unit_level,
                     level=fmt.level(meta.get("confidence"), lang))
               if detail else fmt.t("comparison_title", lang, unit_level=unit_level))
    return _finish(fig, _paged(title or default, page), source)


def _ranking_rows(scores: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """The rows of :func:`district_comparison`, in its order (highest index first)."""
    t = _by_unit(_index_rows(scores), names)
    t["value"] = t["index"].where(~t["suppressed"].astype(bool))
    return _sorted_desc(t)


def ranking_pages(scores: pd.DataFrame, names: Mapping[str, str], *, source: str,
                  lang: str = "vi", title: str | None = None, meta: Mapping | None = None,
                  weighted: pd.DataFrame | None = None, min_n: int | None = None,
                  unit_level: str | None = None,
                  per_figure: int = UNITS_PER_FIGURE) -> list[Figure]:
    """:func:`district_comparison` cut into figures of at most ``per_figure`` units.

    The units keep the one chart's order (highest index first, withheld last) across the
    figures; every figure has the same axis, city line and tier colours.
    """
    order = [str(u) for u in _ranking_rows(scores, names)["unit"]]
    runs = split_units(order, per_figure)
    return [district_comparison(scores, {u: names[u] for u in run}, source=source, lang=lang,
                                title=title, meta=meta, weighted=weighted, min_n=min_n,
                                unit_level=unit_level, page=(k, len(runs)))
            for k, run in enumerate(runs, 1)]


def _tier_colours(meta: Mapping) -> dict[str, str]:
    """``{tier id: colour}``, the best tier (highest lower bound) darkest."""
    tiers = sorted(meta.get("tiers", []), key=lambda t: -float(t["lower"]))
    return {t["id"]: TIER_COLOURS[min(k, len(TIER_COLOURS) - 1)] for k, t in enumerate(tiers)}


def _ranking_bars(ax, frame: pd.DataFrame, meta: Mapping, lang: str) -> None:
    """Bars coloured by tier with interval whiskers and "value · hạng a–b" labels."""
    colours = _tier_colours(meta)
    used = []
    for i, r in enumerate(frame.itertuples()):
        if fmt.is_missing(r.value):
            _dash(ax, i)
            continue
        ax.barh(i, r.value, color=colours.get(r.tier, TIER_COLOURS[-1]), height=0.65)
        used.append(r.tier)
        right = r.value
        if not fmt.is_missing(r.low):
            _whisker(ax, i, r.value, r.low, r.high)
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
    ax.set_yticks(range(len(frame)), list(frame["name"]))
    ax.set_ylim(len(frame) - 0.4, -0.6)
    ax.grid(axis="y", visible=False)
    handles = [Patch(facecolor=colours[t["id"]], label=nfc(str(t[lang])))
               for t in meta.get("tiers", []) if t["id"] in used]
    handles.append(_whisker_handle(lang, meta.get("confidence")))
    _legend_above(ax, ncols=len(handles), handles=handles)


def heatmap(
    scores: pd.DataFrame,
    names: Mapping[str, str],
    labels: Mapping[str, str],
    *,
    source: str,
    lang: str = "vi",
    min_n: int | None = None,
    title: str | None = None,
    meta: Mapping | None = None,
    unit_level: str | None = None,
    page: tuple[int, int] | None = None,
    value_range: tuple[float, float] | None = None,
    tall: bool | None = None,
) -> Figure:
    """Index of every dimension (rows) in every unit (columns); withheld cells hatched.

    With ``meta`` (``Results.meta``) the note names secondary suppression when it is
    applied, and an estimate flagged unreliable (``unreliable`` column) gets "*".

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
    columns = [_wrap(v) for v in labels.values()] if tall else list(names.values())
    row_names = list(names.values()) if tall else [_wrap(v) for v in labels.values()]
    if tall:
        values, annot = values.T, annot.T
    fig = _figure("heatmap", len(names) if tall else 0)
    ax = fig.add_subplot()
    low, high = value_range or _heat_range(values)
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
    ax.set_xticks(np.arange(len(columns)) + 0.5, columns, rotation=45,
                  ha="left" if tall else "right", rotation_mode="anchor")
    if tall:  # the areas' names above the long table of units
        ax.tick_params(axis="x", top=True, labeltop=True, bottom=False, labelbottom=False)
    ax.set_yticks(np.arange(len(row_names)) + 0.5, row_names, rotation=0)
    ax.set_xlabel("")
    ax.set_ylabel("")
    if min_n is not None:
        key = ("suppressed_note_secondary" if meta and meta.get("secondary_suppression")
               else "suppressed_note")
        note = fmt.t(key, lang, min_n=min_n)
        if meta and any(fmt.UNRELIABLE in str(a) for a in annot.ravel()):
            note += ". " + fmt.t("unreliable_note", lang,
                                 rse=fmt.percent(meta.get("rse_threshold"), 0, lang))
        source = f"{note}\n{source}"
    return _finish(fig, _paged(title or fmt.t("heatmap_title", lang, unit_level=unit_level),
                               page), source)


def _heat_range(values: np.ndarray) -> tuple[float, float]:
    """The heatmap's colour scale: the shown values' range widened to tens."""
    shown = values[~np.isnan(values)]
    low = float(np.floor(shown.min() / 10) * 10) if shown.size else 0.0
    high = float(np.ceil(shown.max() / 10) * 10) if shown.size else 100.0
    return low, high


def heatmap_pages(scores: pd.DataFrame, names: Mapping[str, str], labels: Mapping[str, str],
                  *, source: str, lang: str = "vi", min_n: int | None = None,
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
                    min_n=min_n, title=title, meta=meta, unit_level=unit_level,
                    page=(k, len(runs)), value_range=span, tall=tall)
            for k, run in enumerate(runs, 1)]


def theme_bars(
    themes: pd.DataFrame,
    labels: Mapping[str, str],
    *,
    source: str,
    unit: str = CITY,
    question: str = "RECOMMENDATIONS",
    lang: str = "vi",
    title: str | None = None,
    min_n: int | None = None,
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
    min_n
        If given, a note explains the "—" of withheld counts.
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
    if min_n is not None and t["value"].isna().any():
        source = f"{fmt.t('suppressed_note', lang, min_n=min_n)}\n{source}"
    return _finish(fig, title or fmt.t("themes_title", lang), source)


# ---------------------------------------------------------------------------------------
# Survey progress (hailong.numbers.coverage): aggregates only, no cooperative is named.

SIZES.update({"progress_by_district": (8.0, 6.2), "cumulative": (9.0, 4.8),
              "coverage_by_group": (8.0, 3.2)})


def _target_line(ax, target: float, lang: str) -> None:
    """A dashed vertical line at the target share (0–1), labelled above the axes."""
    _city_line(ax, 100 * target, lang,
               fmt.t("target_value", lang, value=fmt.percent(target, 0, lang)))


def _share_bars(ax, t: pd.DataFrame, lang: str) -> None:
    """Ranked bars of ``t["share"]`` labelled "91,1% (72/79)", x axis 0–100%."""
    t = t.assign(value=100 * t["share"])
    text = [f"{fmt.percent(r.share, 1, lang)} ({fmt.count(r.answered, lang)}/"
            f"{fmt.count(r.roster_n, lang)})" for r in t.itertuples()]
    _ranked_bars(ax, t, text, lang)
    ax.set_xlim(0, 124)
    ax.set_xticks(range(0, 101, 20))
    _number_axis(ax.xaxis, lang)
    ax.set_xlabel(fmt.t("axis_coverage", lang))


def progress_by_district(
    coverage: pd.DataFrame,
    names: Mapping[str, str],
    *,
    target: float,
    source: str,
    lang: str = "vi",
    title: str | None = None,
    unit_level: str | None = None,
) -> Figure:
    """Coverage of every unit on one day, highest first, with the target line.

    Parameters
    ----------
    coverage
        :func:`hailong.numbers.coverage.coverage` (``unit, roster_n, answered, share``).
    names
        ``{unit code: label}`` of the districts to show.
    target
        The round's target share (0–1), drawn as a dashed line.
    """
    t = _by_unit(coverage, names).assign(value=lambda d: d["share"])
    t = _sorted_desc(t)
    fig = _figure("progress_by_district", len(t))
    ax = fig.add_subplot()
    _share_bars(ax, t, lang)
    _target_line(ax, target, lang)
    return _finish(fig, title or fmt.t("progress_by_district_title", lang,
                                       unit_level=unit_level), source)


def coverage_by_group(
    coverage: pd.DataFrame,
    names: Mapping[str, str],
    *,
    target: float | None = None,
    source: str,
    lang: str = "vi",
    title: str | None = None,
) -> Figure:
    """Coverage of a few groups (members / non-members, variants) in the order given.

    Parameters
    ----------
    coverage
        :func:`hailong.numbers.coverage.coverage` by ``"member"`` or ``"variant"``.
    names
        ``{group key: label}`` in the order to show (``"city"`` may be included).
    target
        If given, drawn as a dashed line.
    """
    t = _by_unit(coverage, names)
    t = t.set_index("unit").loc[[u for u in names if u in set(t["unit"])]].reset_index()
    size = SIZES["coverage_by_group"]
    set_theme()
    fig = Figure(figsize=(size[0], size[1] + 0.35 * max(len(t) - 3, 0)), layout="constrained")
    ax = fig.add_subplot()
    _share_bars(ax, t, lang)
    if target is not None:
        _target_line(ax, target, lang)
    return _finish(fig, title or fmt.t("groups_title", lang), source)


def _day_axis(axis, lang: str) -> None:
    """Dates on an axis as "16/05" (vi) or "16 May" (en)."""
    import matplotlib.dates as mdates

    axis.set_major_locator(mdates.AutoDateLocator(maxticks=9))

    def label(value, _pos):
        d = mdates.num2date(value)
        return f"{d.day:02d}/{d.month:02d}" if lang == "vi" else f"{d.day} {d:%b}"

    axis.set_major_formatter(FuncFormatter(label))


def cumulative_curve(
    curve: pd.DataFrame,
    *,
    target: float,
    deadline=None,
    source: str,
    lang: str = "vi",
    title: str | None = None,
) -> Figure:
    """Cooperatives that answered, day by day (a step line), with the target and deadline.

    Parameters
    ----------
    curve
        :func:`hailong.numbers.coverage.cumulative` rows of one unit (``date, roster_n,
        answered``), in date order.
    target
        The target share (0–1): a dashed horizontal line at ``ceil(target × roster_n)``.
    deadline
        The last day of the round (a date), drawn as a dotted vertical line; the x axis
        runs to it.
    """
    from hailong.numbers.coverage import target_count

    t = curve.sort_values("date")
    days = pd.to_datetime(t["date"])
    roster_n = int(t["roster_n"].iloc[-1]) if len(t) else 0
    fig = _figure("cumulative")
    ax = fig.add_subplot()
    colour = sns.color_palette(PALETTE)[0]
    ax.step(days, t["answered"], where="post", color=colour, linewidth=2,
            label=fmt.t("legend_answered", lang))
    ax.fill_between(days, t["answered"], step="post", color=colour, alpha=0.12)
    if len(t):
        last = t.iloc[-1]
        ax.annotate(f"{fmt.count(last['answered'], lang)} ({fmt.percent(last['share'], 1, lang)})",
                    (days.iloc[-1], last["answered"]), xytext=(-4, 8),
                    textcoords="offset points", ha="right", fontsize=9, bbox=_LABEL_BOX)
    goal = target_count(roster_n, target)
    ax.axhline(goal, color=CITY_COLOUR, linestyle="--", linewidth=1)
    ax.text(0.0, goal, " " + fmt.t("target_value", lang, value=(
        f"{fmt.percent(target, 0, lang)} = {fmt.count(goal, lang)}")),
        transform=ax.get_yaxis_transform(), ha="left", va="bottom", fontsize=8,
        color=CITY_COLOUR)
    right = days.iloc[-1] if len(t) else None
    if deadline is not None:
        when = pd.Timestamp(deadline)
        ax.axvline(when, color=CITY_COLOUR, linestyle=":", linewidth=1.2)
        ax.text(when, 1.0, " " + fmt.t("deadline_value", lang, day=fmt.date(deadline, lang)),
                transform=ax.get_xaxis_transform(), ha="right", va="bottom", fontsize=8,
                color=CITY_COLOUR)
        right = max(right, when) if right is not None else when
    if right is not None and len(t):
        ax.set_xlim(days.iloc[0], right + pd.Timedelta(days=1))
    ax.set_ylim(0, max(goal, roster_n) * 1.08 or 1)
    _number_axis(ax.yaxis, lang)
    ax.set_ylabel(fmt.t("axis_answered_n", lang))
    _day_axis(ax.xaxis, lang)
    ax.grid(axis="x", visible=False)
    return _finish(fig, title or fmt.t("cumulative_title", lang), source)


# ---------------------------------------------------------------------------------------
# Answers to each question: diverging stacked bars centred on the neutral answer.

SIZES.update({"items": (9.0, 0.0), "map": (9.0, 5.6), "trend": (8.0, 4.6)})
#: Height in inches of one row (a question or a dimension's heading) of the item chart,
#: and of what surrounds the rows (title, legend, axis, notes, source).
ITEM_ROW, ITEM_FRAME = 0.36, 2.1
#: Question labels are wrapped at this width, on at most two lines ("…" after).
ITEM_WRAP = 46
#: At most this many questions in one item chart (a dimension is never split), so that
#: a chart fits an A4 page.
ITEM_MAX = 16


def item_groups(measures: pd.DataFrame, max_items: int = ITEM_MAX) -> list[list[str]]:
    """The dimensions in chunks of at most ``max_items`` questions, one chunk per chart.

    Parameters
    ----------
    measures
        ``Results.measures`` (``measure, kind, dimension``) in codebook order.
    """
    items = measures[measures["kind"] == "item"]
    counts = items.groupby("dimension", sort=False).size()
    groups, current, size = [], [], 0
    for dim, k in counts.items():
        if current and size + k > max_items:
            groups.append(current)
            current, size = [], 0
        current.append(str(dim))
        size += int(k)
    if current:
        groups.append(current)
    return groups


def _item_label(number: object, text: str) -> str:
    """``"1.1. Cấp ủy, chính quyền ..."`` on at most two lines."""
    return textwrap.fill(nfc(f"{number}. {text}"), ITEM_WRAP, max_lines=2, placeholder=" …")


def _scale_sides(values: Sequence[int]) -> tuple[list[int], int | None, list[int]]:
    """Answers below the middle, the middle answer (odd scales) and those above."""
    values = sorted(values)
    half = len(values) // 2
    middle = values[half] if len(values) % 2 else None
    return values[:half], middle, values[len(values) - half:]


def item_distribution(
    distribution_rows: pd.DataFrame,
    measures: pd.DataFrame,
    scale_labels: Mapping[int, str],
    *,
    source: str,
    dimensions: Sequence[str] | None = None,
    lang: str = "vi",
    title: str | None = None,
    min_n: int | None = None,
    meta: Mapping | None = None,
) -> Figure:
    """Answers to each question as diverging stacked bars, centred on the neutral answer.

    Answers below the middle of the scale run left of 0, those above it right of 0; the
    middle answer ("Bình thường") is split in half on both sides. The share of answers
    on each side is written at the bar's ends. Questions are grouped under their
    dimension (bold heading row) and labelled by number and text. A withheld question
    (fewer than ``min_n`` answers) shows "—".

    Parameters
    ----------
    distribution_rows
        ``Results.unit(code).distribution`` (``measure, value, share``; NaN share =
        withheld).
    measures
        ``Results.measures`` (``measure, kind, dimension, number, vi, en``).
    scale_labels
        ``{value: label}`` of the answer scale (:func:`hailong.present.fmt.scale_labels`).
    dimensions
        The dimension ids to show (default all; :func:`item_groups` splits them so that
        each chart fits a page).
    """
    fmt.check_lang(lang)
    m = measures.reset_index(drop=True)
    dims = m[m["kind"] == "dimension"]
    if dimensions is not None:
        dims = dims[dims["measure"].isin(list(dimensions))]
    rows: list[tuple[str, str | None]] = []  # (label, item id or None for a heading)
    for d in dims.itertuples():
        items = m[(m["kind"] == "item") & (m["dimension"] == d.measure)]
        if items.empty:
            continue
        number = str(items["number"].iloc[0]).split(".")[0]
        rows.append((_item_label(number, getattr(d, lang)), None))
        rows.extend((_item_label(it.number, getattr(it, lang)), it.measure)
                    for it in items.itertuples())
    values = sorted(scale_labels)
    low, middle, high = _scale_sides(values)
    colours = dict(zip(values, diverging_colours(len(values))))
    ids = [i for _, i in rows if i is not None]
    share = (distribution_rows.pivot_table(index="measure", columns="value", values="share",
                                           aggfunc="first", dropna=False)
             .reindex(index=ids, columns=values) * 100)
    set_theme()
    fig = Figure(figsize=(SIZES["items"][0], ITEM_FRAME + ITEM_ROW * len(rows)),
                 layout="constrained")
    ax = fig.add_subplot()
    # every question's segments at once: one bar call per answer, not per segment
    ys = np.array([y for y, (_, item) in enumerate(rows) if item is not None], dtype=float)
    table = share.to_numpy(dtype="float64")
    shown = ~np.isnan(table).all(axis=1) if len(ids) else np.zeros(0, dtype=bool)
    withheld = bool((~shown).any())
    for y in ys[~shown]:
        _dash(ax, y, 0.5)
    table = np.nan_to_num(table[shown])
    ys = ys[shown]
    col = {v: k for k, v in enumerate(values)}
    half = table[:, col[middle]] / 2 if middle is not None else np.zeros(len(ys))
    starts: dict = {}
    for k, v in enumerate(low):
        starts[v] = -half - table[:, [col[u] for u in low[k + 1:]]].sum(axis=1) - table[:, col[v]]
    if middle is not None:
        starts[middle] = -half
    for k, v in enumerate(high):
        starts[v] = half + table[:, [col[u] for u in high[:k]]].sum(axis=1)
    order = [*low, *([middle] if middle is not None else []), *high]
    for v in order:
        width = table[:, col[v]]
        drawn = width > 0
        if drawn.any():
            ax.barh(ys[drawn], width[drawn], left=starts[v][drawn], color=colours[v],
                    height=0.68, edgecolor="white", linewidth=0.5)
    below = table[:, [col[u] for u in low]].sum(axis=1)
    above = table[:, [col[u] for u in high]].sum(axis=1)
    left_end = [0.0, *(half + below)]
    right_end = [0.0, *(half + above)]
    # the value labels sit inside the x range (padded below), so the layout need not
    # measure them (in_layout=False: ~170 labels per chart)
    for r, y in enumerate(ys):
        for v in order:
            width = table[r, col[v]]
            if width >= 6:
                ax.text(starts[v][r] + width / 2, y, fmt.number(width, 0, lang), ha="center",
                        va="center", fontsize=7.5, color=_text_colour(colours[v]),
                        in_layout=False)
        ax.text(-left_end[r + 1] - 1.5, y, fmt.percent(below[r] / 100, 0, lang), ha="right",
                va="center", fontsize=7.5, color="#444444", in_layout=False)
        ax.text(right_end[r + 1] + 1.5, y, fmt.percent(above[r] / 100, 0, lang), ha="left",
                va="center", fontsize=7.5, color="#444444", in_layout=False)
    ax.axvline(0, color="#555555", linewidth=0.8, zorder=0)
    lo = -10 * np.ceil((max(left_end) + 12) / 10)
    hi = 10 * np.ceil((max(right_end) + 12) / 10)
    ax.set_xlim(lo, hi)
    ax.xaxis.set_major_locator(MultipleLocator(20))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt.number(abs(v), 0, lang)))
    ax.set_xlabel(fmt.t("axis_diverging", lang))
    # a dimension's heading: bold, across the plot, on a row of its own
    for y, (label, item) in enumerate(rows):
        if item is None:
            ax.text(lo + 1, y + 0.1, " ".join(label.split()), ha="left", va="center",
                    fontsize=9.5, fontweight="bold", color=CITY_COLOUR)
            if y:
                ax.axhline(y - 0.5, color="#bbbbbb", linewidth=0.8)
    ax.set_yticks(range(len(rows)), [label if item else "" for label, item in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    handles = [Patch(facecolor=colours[v], label=nfc(scale_labels[v])) for v in values]
    # above the plot, right-aligned: it may reach over the question labels
    ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1, 1.01),
              ncols=len(values), frameon=False, borderaxespad=0, handlelength=1.2,
              columnspacing=1.2)
    note = (fmt.t("items_note", lang, neutral=nfc(scale_labels[middle])) if middle is not None
            else fmt.t("items_note_even", lang))
    source = f"{note}\n{_notes(source, lang, withheld, min_n, meta)}"
    numbers = [str(m.set_index("measure").loc[i, "number"]) for i in ids]
    default = (fmt.t("items_title", lang, first=numbers[0], last=numbers[-1]) if numbers
               else fmt.t("sec_items", lang))
    return _finish(fig, title or default, source)


def item_charts(
    distribution_rows: pd.DataFrame,
    measures: pd.DataFrame,
    scale_labels: Mapping[int, str],
    *,
    source: str,
    lang: str = "vi",
    min_n: int | None = None,
    meta: Mapping | None = None,
    max_items: int = ITEM_MAX,
) -> list[Figure]:
    """:func:`item_distribution` for every dimension, in charts that each fit a page."""
    return [item_distribution(distribution_rows, measures, scale_labels, source=source,
                              dimensions=group, lang=lang, min_n=min_n, meta=meta)
            for group in item_groups(measures, max_items)]


# ---------------------------------------------------------------------------------------
# Map of the units by index (choropleth), drawn with matplotlib from a GeoJSON file.

#: Withheld units of a map are light grey and hatched (classes: :data:`TIER_COLOURS`).
WITHHELD_COLOUR, WITHHELD_EDGE = "#f0f0f0", "#9a9a9a"
#: Name of the file, beside a round's unit table, listing the boundary files.
MAPS_FILE = "maps.yaml"


@dataclass(frozen=True)
class Boundaries:
    """Unit boundaries for a map.

    Attributes
    ----------
    level
        The reporting level the shapes draw (``"district"``).
    shapes
        ``{unit code: [ring, ...]}``; a ring is an ``(n, 2)`` array of longitude, latitude.
    attribution
        ``{lang: text}`` quoted in the map's source line (the data's licence).
    label_offsets
        ``{unit code: (east, north)}`` in degrees: labels moved off a unit too small to
        hold them, joined to it by a line.
    """

    level: str
    shapes: dict[str, list[np.ndarray]]
    attribution: dict[str, str] = field(default_factory=dict)
    label_offsets: dict[str, tuple[float, float]] = field(default_factory=dict)
    path: Path | None = None


def load_boundaries(path: str | Path, key: str = "code", level: str = "district",
                    attribution: Mapping[str, str] | None = None,
                    label_offsets: Mapping[str, Sequence[float]] | None = None) -> Boundaries:
    """Read a GeoJSON FeatureCollection of (Multi)Polygons, keyed by the property ``key``.

    Raises
    ------
    ConfigError
        The file is missing, not GeoJSON, or a feature lacks ``key``.
    """
    import json

    from hailong.core.errors import ConfigError

    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        shapes: dict[str, list[np.ndarray]] = {}
        for k, feature in enumerate(data["features"], start=1):
            props, geom = feature.get("properties") or {}, feature["geometry"]
            if key not in props:
                raise ConfigError("A boundary has no unit code.", file=path, row=k,
                                  expected=f"a property {key!r} (the GSO code)")
            polygons = (geom["coordinates"] if geom["type"] == "MultiPolygon"
                        else [geom["coordinates"]])
            shapes[str(props[key])] = [np.asarray(ring, dtype=float)[:, :2]
                                       for poly in polygons for ring in poly]
    except FileNotFoundError:
        raise ConfigError("The boundary file does not exist.", file=path) from None
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise ConfigError(f"The boundary file is not valid GeoJSON: {exc}", file=path,
                          expected="a FeatureCollection of Polygon / MultiPolygon features"
                          ) from None
    return Boundaries(level=level, shapes=shapes, attribution=dict(attribution or {}),
                      label_offsets={str(c): (float(v[0]), float(v[1]))
                                     for c, v in (label_offsets or {}).items()},
                      path=path)


def boundaries_for(round_year: int | str | None = None,
                   config_path: str | Path | None = None) -> Boundaries | None:
    """The boundaries of a round's reporting units, or ``None`` when there are none.

    Looks up ``maps.yaml`` beside the round's unit table (``data/reference/``) for an
    entry with the round's unit table and level. The 2025 communes have none: their
    reports skip the map with a note (:func:`hailong.present.narrative.no_map_note`).

    Raises
    ------
    ConfigError
        A malformed ``maps.yaml`` or boundary file.
    """
    from hailong.reference.config import load_config
    from hailong.core.yamlfile import read_yaml
    from hailong.core.errors import ConfigError

    rnd = load_config(config_path).round(round_year)
    catalogue = Path(rnd.units).parent / MAPS_FILE
    if not catalogue.is_file():
        return None
    entries = read_yaml(catalogue, "list of boundary files").get("maps") or []
    try:
        for e in entries:
            if e["units"] == Path(rnd.units).name and e["level"] == rnd.unit_level:
                return load_boundaries(catalogue.parent / e["file"], e.get("key", "code"),
                                       e["level"], e.get("attribution"),
                                       e.get("label_offsets"))
    except (KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"The list of boundary files is not valid: {exc}", file=catalogue,
                          expected="maps: a list of {units, level, file, key, attribution}"
                          ) from None
    return None


def _ring_area_centroid(ring: np.ndarray) -> tuple[float, float, float]:
    """Area (absolute) and centroid of a closed ring (shoelace formula)."""
    x, y = ring[:, 0], ring[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    area = cross.sum() / 2
    if abs(area) < 1e-15:
        return 0.0, float(x.mean()), float(y.mean())
    cx = ((x + np.roll(x, -1)) * cross).sum() / (6 * area)
    cy = ((y + np.roll(y, -1)) * cross).sum() / (6 * area)
    return abs(float(area)), float(cx), float(cy)


def _anchor(rings: list[np.ndarray]) -> tuple[float, float]:
    """Where a unit's label goes: the centroid of its largest ring."""
    best = max((_ring_area_centroid(r) for r in rings), key=lambda a: a[0])
    return best[1], best[2]


def _remote(shapes: Mapping[str, list[np.ndarray]]) -> list[str]:
    """Units far from all the others (an island district): drawn in an inset."""
    if len(shapes) < 3:
        return []
    anchors = {c: np.array(_anchor(r)) for c, r in shapes.items()}
    middle = np.median(np.array(list(anchors.values())), axis=0)
    dist = {c: float(np.hypot(*(a - middle))) for c, a in anchors.items()}
    typical = float(np.median(list(dist.values())))
    return [c for c, d in dist.items() if d > max(4 * typical, 0.3)]


def _unit_patch(rings: list[np.ndarray], code: str, **style):
    """One patch for all rings of a unit (``gid`` = the unit's code)."""
    from matplotlib.path import Path as MplPath
    from matplotlib.patches import PathPatch

    verts, codes = [], []
    for ring in rings:
        verts.extend(ring.tolist() + [ring[0].tolist()])
        codes.extend([MplPath.MOVETO] + [MplPath.LINETO] * (len(ring) - 1) + [MplPath.CLOSEPOLY])
    patch = PathPatch(MplPath(verts, codes), **style)
    patch.set_gid(code)
    return patch


def _tier_bins(meta: Mapping, lang: str) -> list[tuple[str, float, str]]:
    """``(tier id, lower bound, legend label)`` best first: "Khá (65–<80)"."""
    tiers = sorted(meta.get("tiers") or [], key=lambda t: -float(t["lower"]))
    out, upper = [], None
    for t in tiers:
        lo = fmt.number(t["lower"], 0, lang)
        name = nfc(str(t[lang]))
        if upper is None:
            span = f"≥ {lo}"
        elif float(t["lower"]) <= 0:
            span = f"< {fmt.number(upper, 0, lang)}"
        else:
            span = f"{lo}–<{fmt.number(upper, 0, lang)}"
        out.append((t["id"], float(t["lower"]), f"{name} ({span})"))
        upper = t["lower"]
    return out


def _classes(t: pd.DataFrame, meta: Mapping | None, how: str, lang: str
             ) -> tuple[pd.Series, list[tuple[str, str]]]:
    """Each unit's class and the legend ``[(class, label), ...]`` from low to high."""
    shown = t["value"].dropna()
    if how == "tier" and meta and meta.get("tiers"):
        bins = _tier_bins(meta, lang)

        def tier_of(row) -> object:
            if fmt.is_missing(row["value"]):
                return None
            if "tier" in row and not fmt.is_missing(row["tier"]) and row["tier"]:
                return row["tier"]
            printed = float(fmt.rounded(row["value"], 1))
            return next((i for i, lower, _ in bins if printed >= lower), bins[-1][0])

        cls = t.apply(tier_of, axis=1)
        return cls, [(i, label) for i, _, label in reversed(bins)]
    if how not in ("tier", "quartile"):
        raise ValueError(f"classes must be 'tier' or 'quartile', not {how!r}")
    k = min(4, shown.nunique()) or 1
    ranks = shown.rank(method="min")  # equal values always share a class
    group = np.ceil(ranks * k / len(shown)).astype(int) if len(shown) else ranks
    legend = []
    for g in range(1, k + 1):
        members = shown[group == g]
        if len(members):
            legend.append((f"q{g}", f"{fmt.number(members.min(), 1, lang)}–"
                                    f"{fmt.number(members.max(), 1, lang)}"))
    return group.map(lambda g: f"q{g}").reindex(t.index), legend


def choropleth(
    scores: pd.DataFrame,
    boundaries: Boundaries,
    names: Mapping[str, str],
    *,
    source: str,
    meta: Mapping | None = None,
    lang: str = "vi",
    title: str | None = None,
    min_n: int | None = None,
    classes: str = "tier",
) -> Figure:
    """The units coloured by their satisfaction index, each labelled with its value.

    Units far from the others (the island district Bạch Long Vĩ) are drawn in an inset
    beside the map. A withheld unit is light grey, hatched and labelled "—", with its
    own legend entry. The source line quotes the boundaries' attribution.

    Parameters
    ----------
    scores
        ``Results.scores`` (the ``INDEX`` rows: ``index``, ``suppressed``, ``tier``).
    boundaries
        :func:`boundaries_for` / :func:`load_boundaries`; units are matched by code.
    names
        ``{unit code: short name}`` of the units to draw.
    classes
        ``"tier"`` (the tiers of ``meta``, same as the tables) or ``"quartile"`` (four
        groups of equal size).
    """
    import matplotlib.patheffects as pe

    fmt.check_lang(lang)
    rows = _index_rows(scores)
    rows = rows[rows["measure"] == "INDEX"] if "measure" in rows.columns else rows
    t = _by_unit(rows, names)
    t["value"] = t["index"].where(~t["suppressed"].astype(bool))
    t = t.set_index(t["unit"].astype(str))
    how = "tier" if classes == "tier" and meta and meta.get("tiers") else classes
    if how == "tier" and not (meta and meta.get("tiers")):
        how = "quartile"
    cls, legend = _classes(t, meta, how, lang)
    if how == "tier":  # the tiers' colours of the ranking chart
        colour_of = _tier_colours(meta)
    else:              # low to high: the same sequence, lightest first
        colour_of = {c: TIER_COLOURS[len(legend) - 1 - k] for k, (c, _) in enumerate(legend)}
    shapes = {c: boundaries.shapes[c] for c in names if c in boundaries.shapes}
    remote = _remote(shapes)
    set_theme()
    fig = Figure(figsize=SIZES["map"], layout="constrained")
    grid = fig.add_gridspec(1, 2, width_ratios=[3.3, 1])
    ax = fig.add_subplot(grid[0, 0])
    side = grid[0, 1].subgridspec(2, 1, height_ratios=[2.2, 1])
    key_ax = fig.add_subplot(side[0] if remote else side[:, 0])
    key_ax.axis("off")
    halo = [pe.withStroke(linewidth=2.2, foreground="white")]
    withheld = False

    def draw(axis, code: str) -> None:
        nonlocal withheld
        value = t.loc[code, "value"] if code in t.index else np.nan
        if fmt.is_missing(value):
            withheld = True
            style = {"facecolor": WITHHELD_COLOUR, "edgecolor": WITHHELD_EDGE,
                     "hatch": "////", "linewidth": 0.5}
        else:
            style = {"facecolor": colour_of[cls[code]], "edgecolor": "white",
                     "linewidth": 0.7}
        axis.add_patch(_unit_patch(shapes[code], code, **style))

    def label(axis, code: str, x: float, y: float, dx: float = 0.0, dy: float = 0.0) -> None:
        value = t.loc[code, "value"] if code in t.index else np.nan
        text = f"{names[code]}\n{fmt.number(value, 1, lang)}"
        if dx or dy:
            axis.annotate(text, (x, y), xytext=(x + dx, y + dy), va="center",
                          ha="left" if dx > 0 else "right" if dx < 0 else "center",
                          fontsize=7.5, path_effects=halo, zorder=5,
                          arrowprops={"arrowstyle": "-", "color": "#555555",
                                      "linewidth": 0.6, "shrinkA": 0, "shrinkB": 2})
        else:
            axis.text(x, y, text, ha="center", va="center", fontsize=7.5,
                      path_effects=halo, zorder=5)

    main = [c for c in shapes if c not in remote]
    for code in main:
        draw(ax, code)
    points = np.concatenate([r for c in main for r in shapes[c]]) if main else np.zeros((1, 2))
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    for code in main:
        x, y = _anchor(shapes[code])
        dx, dy = boundaries.label_offsets.get(code, (0.0, 0.0))
        label(ax, code, x, y, dx, dy)
        x0, x1 = min(x0, x + dx - 0.08), max(x1, x + dx + 0.08)
        y0, y1 = min(y0, y + dy - 0.02), max(y1, y + dy + 0.02)
    pad = 0.02 * max(x1 - x0, y1 - y0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect(1 / np.cos(np.radians((y0 + y1) / 2)))
    ax.axis("off")
    for code in remote[:1]:  # one inset (the sample has one island)
        inset = fig.add_subplot(side[1])
        draw(inset, code)
        pts = np.concatenate(shapes[code])
        (a0, b0), (a1, b1) = pts.min(axis=0), pts.max(axis=0)
        span = max(a1 - a0, b1 - b0) * 1.6 + 1e-3
        cx, cy = (a0 + a1) / 2, (b0 + b1) / 2
        inset.set_xlim(cx - span, cx + span)
        inset.set_ylim(cy - span * 1.3, cy + span)
        inset.set_aspect(1 / np.cos(np.radians(cy)))
        inset.set_xticks([])
        inset.set_yticks([])
        for spine in inset.spines.values():
            spine.set_edgecolor("#999999")
        value = t.loc[code, "value"] if code in t.index else np.nan
        inset.text(0.5, 0.04, f"{names[code]}: {fmt.number(value, 1, lang)}",
                   transform=inset.transAxes, ha="center", va="bottom", fontsize=7.5)
    handles = [Patch(facecolor=colour_of[c], edgecolor="white", label=text)
               for c, text in reversed(legend)]
    if withheld:
        handles.append(Patch(facecolor=WITHHELD_COLOUR, edgecolor=WITHHELD_EDGE,
                             hatch="////", label=fmt.t("map_withheld", lang)))
    key_title = fmt.t("map_legend_title" if how == "tier" else "map_legend_quartile", lang)
    key_ax.legend(handles=handles, loc="upper left", frameon=False, title=key_title,
                  alignment="left", title_fontsize=9, handlelength=1.6, handleheight=1.1,
                  borderaxespad=0)
    attribution = boundaries.attribution.get(lang, "")
    line = f"{source}. {attribution}" if attribution else source
    line = _notes(line, lang, withheld, min_n, meta)
    return _finish(fig, title or fmt.t("map_title", lang, unit_level=boundaries.level), line)


# ---------------------------------------------------------------------------------------
# Several rounds (hailong.numbers.rounds.Trend): the index per round with its interval.


def _trend_points(rows: pd.DataFrame, measure: str, z: float) -> pd.DataFrame:
    t = rows[rows["measure"] == measure].sort_values("round")
    shown = ~t["suppressed"].astype(bool) & t["index"].notna()
    half = z * t["index_se"].astype(float)
    return t.assign(shown=shown, low=(t["index"] - half).where(shown),
                    high=(t["index"] + half).where(shown))


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
    min_n: int | None = None,
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
    values, handles = [], []
    for k, (t, colour, marker, style, label, shift) in enumerate(series):
        x = t["round"].astype(float) + shift * (max(rounds) - min(rounds) or 1) / 4
        y = t["index"].where(t["shown"])
        ax.plot(x[t["shown"]], y[t["shown"]], linestyle=style, color=colour, linewidth=1.5,
                zorder=2)
        if label:
            handles.append(Line2D([], [], color=colour, marker=marker, linestyle=style,
                                  linewidth=1.5, markersize=6, label=label))
        for xi, r in zip(x, t.itertuples()):
            if not r.shown:
                withheld = withheld or k == 0
                if k == 0:
                    ax.text(xi, 1.0, fmt.SUPPRESSED, transform=ax.get_xaxis_transform(),
                            ha="center", va="bottom", color="#555555")
                continue
            hollow = bool(r.approximate)
            approximate = approximate or hollow
            ax.errorbar(xi, r.index, yerr=[[r.index - r.low], [r.high - r.index]],
                        fmt="none", ecolor=colour, elinewidth=1, capsize=3, zorder=3)
            ax.scatter([xi], [r.index], marker=marker, s=42, zorder=4, color=colour,
                       facecolors="white" if hollow else colour, linewidths=1.4)
            values += [r.low, r.high]
            if k == 0:
                ax.annotate(fmt.number(r.index, 1, lang), (xi, r.index), xytext=(-7, 0),
                            textcoords="offset points", ha="right", va="center",
                            fontsize=8, bbox=_LABEL_BOX, zorder=5)
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
    return _finish(fig, title or default, _notes(source, lang, withheld, min_n, meta))
