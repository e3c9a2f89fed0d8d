"""Charts with one row per unit: picking, ranking and paging the units, the city's line.

Shared by the coverage, ranking, progress and map charts: :func:`split_units` cuts the
units into pages of at most :data:`UNITS_PER_FIGURE`, :func:`_ranked_bars` draws one bar
per unit, :func:`_city_line` marks the city's value, :func:`_tier_colours` colours tiers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd
import seaborn as sns

from hailong.present import fmt
from hailong.present.charts.base import (
    _LABEL_BOX,
    CITY_COLOUR,
    PALETTE,
    TIER_COLOURS,
    _dash,
)

#: Charts with one row per unit show at most this many units per figure (an A4 page).
UNITS_PER_FIGURE = 30


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


def _by_unit(table: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """Rows of ``table`` for the units of ``names`` with a ``name`` column."""
    t = table[table["unit"].astype(str).isin(list(names))].copy()
    t["name"] = t["unit"].astype(str).map(names)
    return t


def _sorted_desc(frame: pd.DataFrame) -> pd.DataFrame:
    """Highest value first; ties and withheld (NaN, last) keep the given (code) order."""
    return frame.sort_values("value", ascending=False, na_position="last",
                             kind="stable").reset_index(drop=True)


def _index_rows(scores: pd.DataFrame) -> pd.DataFrame:
    if "kind" in scores.columns:
        scores = scores[scores["kind"] == "index"]
    return scores


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


def _city_line(ax, value: float, lang: str, text: str) -> None:
    ax.axvline(value, color=CITY_COLOUR, linestyle="--", linewidth=1)
    ax.text(value, 1.0, f" {text}", transform=ax.get_xaxis_transform(), ha="left",
            va="bottom", fontsize=8, color=CITY_COLOUR)


def _tier_colours(meta: Mapping) -> dict[str, str]:
    """``{tier id: colour}``, the best tier (highest lower bound) darkest."""
    tiers = sorted(meta.get("tiers", []), key=lambda t: -float(t["lower"]))
    return {t["id"]: TIER_COLOURS[min(k, len(TIER_COLOURS) - 1)] for k, t in enumerate(tiers)}
