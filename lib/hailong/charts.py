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
from matplotlib.lines import Line2D
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
    "themes": (8.0, 5.6),
}
#: Colours of the tiers, best first (ColorBrewer RdBu, safe for colour-blind readers).
TIER_COLOURS = ["#2166ac", "#67a9cf", "#ef8a62", "#b2182b", "#777777", "#999999"]
#: Colour of interval whiskers.
WHISKER_COLOUR = "#333333"
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
        The source line (:func:`hailong.fmt.source_line`).
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
    meta: Mapping | None = None,
    weighted: pd.DataFrame | None = None,
    min_n: int | None = None,
) -> Figure:
    """Districts ranked by the satisfaction index; withheld ones listed last with "—".

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
        If given, a note under the chart explains the "—" of withheld districts.
    """
    rows = _index_rows(scores)
    t = _by_unit(rows, names)
    t["value"] = t["index"].where(~t["suppressed"].astype(bool))
    t = _sorted_desc(t)
    detail = meta is not None and {"low", "high", "tier"} <= set(t.columns)
    fig = _figure("comparison")
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
    default = (fmt.t("ranking_title", lang, level=fmt.level(meta.get("confidence"), lang))
               if detail else fmt.t("comparison_title", lang))
    return _finish(fig, title or default, source)


def _tier_colours(meta: Mapping) -> dict[str, str]:
    return {t["id"]: TIER_COLOURS[min(k, len(TIER_COLOURS) - 1)]
            for k, t in enumerate(meta.get("tiers", []))}


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
) -> Figure:
    """Index of every dimension (rows) in every district (columns); withheld cells hatched.

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
        key = ("suppressed_note_secondary" if meta and meta.get("secondary_suppression")
               else "suppressed_note")
        note = fmt.t(key, lang, min_n=min_n)
        if meta and any(fmt.UNRELIABLE in str(a) for a in annot.ravel()):
            note += ". " + fmt.t("unreliable_note", lang,
                                 rse=fmt.percent(meta.get("rse_threshold"), 0, lang))
        source = f"{note}\n{source}"
    return _finish(fig, title or fmt.t("heatmap_title", lang), source)


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
        ``{theme id: name}`` of the themes to show (:func:`hailong.fmt.theme_labels`);
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
# Survey progress (hailong.coverage): aggregates only, no cooperative is named.

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
) -> Figure:
    """Coverage of every district on one day, highest first, with the target line.

    Parameters
    ----------
    coverage
        :func:`hailong.coverage.coverage` (``unit, roster_n, answered, share``).
    names
        ``{unit code: label}`` of the districts to show.
    target
        The round's target share (0–1), drawn as a dashed line.
    """
    t = _by_unit(coverage, names).assign(value=lambda d: d["share"])
    t = _sorted_desc(t)
    fig = _figure("progress_by_district")
    ax = fig.add_subplot()
    _share_bars(ax, t, lang)
    _target_line(ax, target, lang)
    return _finish(fig, title or fmt.t("progress_by_district_title", lang), source)


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
        :func:`hailong.coverage.coverage` by ``"member"`` or ``"variant"``.
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
        :func:`hailong.coverage.cumulative` rows of one unit (``date, roster_n,
        answered``), in date order.
    target
        The target share (0–1): a dashed horizontal line at ``ceil(target × roster_n)``.
    deadline
        The last day of the round (a date), drawn as a dotted vertical line; the x axis
        runs to it.
    """
    from .coverage import target_count

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
