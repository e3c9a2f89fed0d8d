"""The answers: their distribution per dimension, and per question as diverging bars.

:func:`answer_distribution` (100% stacked bars per dimension) and
:func:`item_distribution` / :func:`item_charts` (each question's answers centred on the
neutral one, in charts of at most :data:`ITEM_MAX` questions: :func:`item_groups`), both
coloured by :func:`diverging_colours`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import matplotlib.colors as mpl_colors
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MultipleLocator

from hailong.core.text import nfc
from hailong.present import fmt
from hailong.present.charts.base import (
    CITY_COLOUR,
    NARROW_WIDTH,
    NEUTRAL_COLOUR,
    SCALE_COLOURS,
    SIZES,
    _dash,
    _figure,
    _finish,
    _legend_above,
    _notes,
    _number_axis,
    _wrap,
    narrow,
    responsive,
    set_theme,
    text_colour,
)


def diverging_colours(n: int) -> list:
    """``n`` colours from red (lowest answer) through grey (middle) to blue (highest).

    Built on ColorBrewer's RdBu, which is safe for colour-blind readers; the middle
    answer of an odd scale is neutral grey. The five-point scale has its own colours,
    :data:`~hailong.present.charts.base.SCALE_COLOURS`.
    """
    if n == len(SCALE_COLOURS):
        return [c if c == NEUTRAL_COLOUR else mpl_colors.to_rgb(c) for c in SCALE_COLOURS]
    half = n // 2
    ends = sns.color_palette("RdBu", 2 * half + 2)
    reds, blues = ends[:half], ends[-half:] if half else []
    middle = [NEUTRAL_COLOUR] if n % 2 else []
    return list(reds) + middle + list(blues)


def _text_colour(colour) -> str:
    return text_colour(colour)


@responsive
def answer_distribution(
    distribution_rows: pd.DataFrame,
    scale_labels: Mapping[int, str],
    *,
    labels: Mapping[str, str],
    source: str,
    lang: str = "vi",
    title: str | None = None,
    meta: Mapping | None = None,
) -> Figure:
    """100% stacked bars of the answers per dimension, lowest answer on the left.

    With ``meta`` (``Results.meta``) a note under the chart explains "—".

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
                if width >= (10 if narrow() else 7):
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
    facts = []
    for measure, name in labels.items():
        row = share.loc[measure]
        parts = ", ".join(f"{nfc(scale_labels[v])} {fmt.percent(row[v], 0, lang)}"
                          for v in values if not fmt.is_missing(row[v]))
        facts.append(f"{nfc(str(name))}: {parts or fmt.SUPPRESSED}")
    return _finish(fig, title or fmt.t("distribution_title", lang),
                   _notes(source, lang, withheld, meta), facts)


SIZES.update({"items": (9.0, 0.0)})
#: Height in inches of one row (a question or a dimension's heading) of the item chart,
#: and of what surrounds the rows (title, legend, axis, notes, source).
ITEM_ROW, ITEM_FRAME = 0.36, 2.1
#: Question labels are wrapped at this width (never cut short); on a phone, above their
#: bar, at the second width.
ITEM_WRAP, ITEM_WRAP_NARROW = 46, 44
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
    """``"1.1. Cấp ủy, chính quyền ..."`` (whole, one line: :func:`_item_layout` wraps it)."""
    return nfc(f"{number}. {text}")


def _item_layout(rows: Sequence[tuple[str, str | None]], small: bool
                 ) -> tuple[list[str], list[float], float]:
    """The wrapped labels of the item chart's rows, the height of each row's bar (or
    heading; the first at 0), and the height of all rows, in rows of the desktop chart
    (the rows span -0,5 to that height - 0,5).

    On the desktop a label stands left of its bar and a row grows by 0,4 for every line
    beyond two; on a phone (``small``) a question's label stands above its bar, a
    heading on lines of its own.
    """
    labels, ys, y = [], [], 0.0
    for label, item in rows:
        width = (ITEM_WRAP_NARROW - (6 if item is None else 0)) if small else (
            ITEM_WRAP + 20 if item is None else ITEM_WRAP)
        text = textwrap.fill(label, width)
        lines = text.count("\n") + 1
        labels.append(text)
        if small:
            above = 0.42 * lines + 0.12 if item is not None else 0.45 * (lines - 1)
            ys.append(y + above)
            y = ys[-1] + 1
        else:
            extra = 0.4 * max(lines - 2, 0) if item is not None else 0.0
            ys.append(y + extra / 2)
            y += 1 + extra
    return labels, ys, y


def _segments(ax, ys: np.ndarray, lefts: np.ndarray, widths: np.ndarray, colour,
              height: float = 0.68) -> PolyCollection:
    """Horizontal bar segments (``lefts`` to ``lefts + widths`` at heights ``ys``) as one
    artist: what ``barh`` draws, without a patch per segment whose data limits are
    updated one by one (a third of the time of making an item chart). The axes' limits
    are set by the caller."""
    x0, x1 = lefts, lefts + widths
    y0, y1 = ys - height / 2, ys + height / 2
    corners = np.stack([np.column_stack(c) for c in ((x0, y0), (x0, y1), (x1, y1), (x1, y0))],
                       axis=1)
    bars = PolyCollection(corners, closed=True, facecolors=colour, edgecolors="white",
                          linewidths=0.5)
    ax.add_collection(bars, autolim=False)
    return bars


def _scale_sides(values: Sequence[int]) -> tuple[list[int], int | None, list[int]]:
    """Answers below the middle, the middle answer (odd scales) and those above."""
    values = sorted(values)
    half = len(values) // 2
    middle = values[half] if len(values) % 2 else None
    return values[:half], middle, values[len(values) - half:]


@responsive
def item_distribution(
    distribution_rows: pd.DataFrame,
    measures: pd.DataFrame,
    scale_labels: Mapping[int, str],
    *,
    source: str,
    dimensions: Sequence[str] | None = None,
    lang: str = "vi",
    title: str | None = None,
    meta: Mapping | None = None,
) -> Figure:
    """Answers to each question as diverging stacked bars, centred on the neutral answer.

    Answers below the middle of the scale run left of 0, those above it right of 0; the
    middle answer ("Bình thường") is split in half on both sides. The share of answers
    on each side is written at the bar's ends. Questions are grouped under their
    dimension (bold heading row) and labelled by number and text. A withheld question
    (:mod:`hailong.numbers.disclosure`) shows "—".

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
    small = narrow()
    texts, row_y, height = _item_layout(rows, small)
    fig = Figure(figsize=(NARROW_WIDTH if small else SIZES["items"][0],
                          ITEM_FRAME + ITEM_ROW * height), layout="constrained")
    ax = fig.add_subplot()
    # every question's segments at once: one bar call per answer, not per segment
    ys = np.array([y for y, (_, item) in zip(row_y, rows) if item is not None], dtype=float)
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
            _segments(ax, ys[drawn], starts[v][drawn], width[drawn], colours[v])
    below = table[:, [col[u] for u in low]].sum(axis=1)
    above = table[:, [col[u] for u in high]].sum(axis=1)
    left_end = [0.0, *(half + below)]
    right_end = [0.0, *(half + above)]
    # the value labels sit inside the x range (padded below), so the layout need not
    # measure them (in_layout=False: ~170 labels per chart)
    for r, y in enumerate(ys):
        for v in order:
            width = table[r, col[v]]
            if width >= (10 if small else 6):
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
    # a dimension's heading: bold, across the plot, on a row of its own; on a phone each
    # question's label above its bar, across the plot
    for k, (text, y, (_, item)) in enumerate(zip(texts, row_y, rows)):
        if item is None:
            ax.text(lo + 1, y + 0.1, text if small else " ".join(text.split()), ha="left",
                    va="center", fontsize=9.5, fontweight="bold", color=CITY_COLOUR)
            if k:
                ax.axhline(y - 0.5 - (0.45 * text.count("\n") if small else 0),
                           color="#bbbbbb", linewidth=0.8)
        elif small:
            ax.text(lo + 1, y - 0.44, text, ha="left", va="bottom", fontsize=8.5,
                    linespacing=1.1)
    if small:  # the labels are in the plot: no ticks to make
        ax.set_yticks([])
    else:
        ax.set_yticks(row_y, ["" if item is None else text
                              for text, (_, item) in zip(texts, rows)])
    ax.set_ylim(height - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    handles = [Patch(facecolor=colours[v], label=nfc(scale_labels[v])) for v in values]
    # above the plot, right-aligned: it may reach over the question labels
    ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1, 1.01),
              ncols=2 if small else len(values), frameon=False, borderaxespad=0,
              handlelength=1.2, columnspacing=1.2)
    note = (fmt.t("items_note", lang, neutral=nfc(scale_labels[middle])) if middle is not None
            else fmt.t("items_note_even", lang))
    source = f"{note}\n{_notes(source, lang, withheld, meta)}"
    number_of = m.set_index("measure")["number"]
    numbers = [str(number_of[i]) for i in ids]
    default = (fmt.t("items_title", lang, first=numbers[0], last=numbers[-1]) if numbers
               else fmt.t("sec_items", lang))
    facts = []
    for item, number_ in zip(ids, numbers):
        row = share.loc[item]
        if row.isna().all():
            facts.append(f"{number_} {fmt.SUPPRESSED}")
            continue
        facts.append(fmt.t("chart_item", lang, label=number_,
                           below=fmt.percent(row[low].sum() / 100, 0, lang),
                           above=fmt.percent(row[high].sum() / 100, 0, lang)))
    return _finish(fig, title or default, source, facts)


def item_charts(
    distribution_rows: pd.DataFrame,
    measures: pd.DataFrame,
    scale_labels: Mapping[int, str],
    *,
    source: str,
    lang: str = "vi",
    meta: Mapping | None = None,
    max_items: int = ITEM_MAX,
) -> list[Figure]:
    """:func:`item_distribution` for every dimension, in charts that each fit a page."""
    return [item_distribution(distribution_rows, measures, scale_labels, source=source,
                              dimensions=group, lang=lang, meta=meta)
            for group in item_groups(measures, max_items)]
