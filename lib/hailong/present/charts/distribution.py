"""The answers: their distribution per dimension, and per question as diverging bars.

:func:`answer_distribution` (100% stacked bars per dimension) and
:func:`item_distribution` / :func:`item_charts` (each question's answers centred on the
neutral one, in charts of at most :data:`ITEM_MAX` questions: :func:`item_groups`), both
coloured by :func:`diverging_colours`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MultipleLocator

from hailong.core.text import nfc
from hailong.present import fmt
from hailong.present.charts.base import (
    CITY_COLOUR,
    NEUTRAL_COLOUR,
    SIZES,
    _dash,
    _figure,
    _finish,
    _legend_above,
    _notes,
    _number_axis,
    _wrap,
    set_theme,
)


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
                   _notes(source, lang, withheld, meta))


SIZES.update({"items": (9.0, 0.0)})
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
    source = f"{note}\n{_notes(source, lang, withheld, meta)}"
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
    meta: Mapping | None = None,
    max_items: int = ITEM_MAX,
) -> list[Figure]:
    """:func:`item_distribution` for every dimension, in charts that each fit a page."""
    return [item_distribution(distribution_rows, measures, scale_labels, source=source,
                              dimensions=group, lang=lang, meta=meta)
            for group in item_groups(measures, max_items)]
